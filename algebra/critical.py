"""Critical points of the empirical loss, classified.

``critical_points`` solves the square system grad_w L = 0 by homotopy continuation
(``algebra.solve``), keeps the isolated nonsingular solutions, and for each real one
evaluates the loss and the inertia of the Hessian: a minimum, a saddle of index k (k
negative eigenvalues), a maximum, or degenerate (some zero eigenvalue). Zero eigenvalues
are decided by the singular-value gap of ``dimension.numerical_rank``, which is reported.

Without regularization and with N < W the zero-loss set is a positive-dimensional part
of the critical set: it shows up as singular endpoints, never as isolated points. Its
dimension and the Hessian nullity at one of its points (``zero_loss_component``) are
compared with W - N: the paper's "degenerate minima". With a generalized L2 term with
generic lambda (Mehta, Chen, Tang & Hauenstein) every critical point is isolated and
the counts are finite.

Possible issues: the number of paths grows like 3^W for deep linear networks and
faster for polynomial activations; ``MAX_PATHS`` refuses systems that would take hours
(raise it with ``max_paths``). Counts are lower bounds unless ``certified``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from algebra.errors import SpecError, check_seed
from algebra.bounds import multihomogeneous_bezout, partition_indices, total_degree
from algebra.dimension import (Rank, functional_dimension, local_dimension,
                               rank_of_singular_values, zero_loss_points)
from algebra.networks import Network
from algebra.polys import PolySystem
from algebra.systems import Data, critical_system, l2_weights, loss_polynomial

MAX_PATHS = 5000  # paths of the critical-point solve (a few minutes on 2 cores)
HESSIAN_NOISE = 1e-10  # Hessian eigenvalues below this x hessian_scale are zero


@dataclass
class CriticalPoint:
    weights: np.ndarray         # real coordinates
    loss: float
    eigenvalues: np.ndarray     # of the Hessian, ascending
    nullity: int
    index: int                  # negative eigenvalues among the nonzero ones
    rank: Rank = field(repr=False)

    @property
    def kind(self) -> str:
        return classify_inertia(len(self.eigenvalues), self.index, self.nullity)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "loss": self.loss, "index": self.index, "nullity": self.nullity,
                "eigenvalues": self.eigenvalues.tolist(), "weights": self.weights.tolist(),
                "singular_value_gap": self.rank.as_dict()}


def classify_inertia(size: int, negative: int, zero: int) -> str:
    """Name of a critical point from its Hessian's inertia. A degenerate point with a negative
    and a positive eigenvalue is a saddle whatever the higher-order terms say (the loss falls
    along one eigenvector and rises along the other): it is named so, and counted with the
    saddles; "degenerate" is left for the points the second-order test cannot decide.

    >>> classify_inertia(3, 0, 0), classify_inertia(3, 1, 0), classify_inertia(3, 3, 0), classify_inertia(3, 0, 1)
    ('minimum', 'saddle-1', 'maximum', 'degenerate')
    >>> classify_inertia(12, 1, 10)
    'saddle-1 (degenerate)'
    """
    if zero and 0 < negative < size - zero:
        return f"saddle-{negative} (degenerate)"
    if zero:
        return "degenerate"
    if negative == 0:
        return "minimum"
    if negative == size:
        return "maximum"
    return f"saddle-{negative}"


def inertia(hessian: np.ndarray, noise: float = 0.0) -> tuple[np.ndarray, int, int, Rank]:
    """Eigenvalues (ascending), nullity and index of a symmetric matrix; the rank (and so
    the nullity) is decided by the singular-value gap, the index counts negative
    eigenvalues among the nonzero ones.

    >>> ev, nullity, index, _ = inertia(np.diag([2.0, -1.0, 0.0]))
    >>> ev.tolist(), nullity, index
    ([-1.0, 0.0, 2.0], 1, 1)
    """
    h = np.asarray(hessian, dtype=float)
    h = (h + h.T) / 2
    ev = np.linalg.eigvalsh(h)
    # no equilibration here: the |eigenvalues| are the singular values
    rank = rank_of_singular_values(np.abs(ev), len(ev), noise)
    keep = np.argsort(-np.abs(ev))[:rank.rank]
    return ev, len(ev) - rank.rank, int(np.sum(ev[keep] < 0)), rank


@dataclass
class CriticalResult:
    weights: int
    complex_nonsingular: int
    real: int
    points: list[CriticalPoint]
    solve: dict                 # the solve's summary: paths, singular, at infinity, failed, certified
    zero_loss: dict | None
    bounds: dict
    notes: list[str] = field(default_factory=list)
    symmetry: dict | None = None  # the discrete symmetries' orbits (symmetry.symmetry_report)
    gauge: list[str] | None = None  # weights fixed at 1, one per rescaling (no L2 term)

    def count(self, kind: str) -> int:
        return sum(p.kind == kind or (kind == "saddle" and p.kind.startswith("saddle-")) for p in self.points)

    @property
    def minima(self) -> int:
        return self.count("minimum")

    @property
    def saddles(self) -> int:
        return self.count("saddle")

    @property
    def maxima(self) -> int:
        return self.count("maximum")

    @property
    def degenerate(self) -> int:
        return self.count("degenerate")

    def __repr__(self) -> str:
        return (f"<CriticalResult W = {self.weights}: {self.complex_nonsingular} complex nonsingular critical points, "
                f"{self.real} real ({self.minima} minima, {self.saddles} saddles, {self.maxima} maxima, "
                f"{self.degenerate} degenerate); {'certified' if self.solve.get('certified') else 'a lower bound'}>")

    def _repr_pretty_(self, p, cycle) -> None:  # IPython and notebooks: the line, not every point
        p.text(repr(self))

    def as_dict(self) -> dict:
        return {"weights": self.weights, "complex_nonsingular": self.complex_nonsingular,
                "real": self.real, "minima": self.minima, "saddles": self.saddles,
                "maxima": self.maxima, "degenerate": self.degenerate,
                "points": [p.as_dict() for p in sorted(self.points, key=lambda p: p.loss)],
                "solve": self.solve, "zero_loss": self.zero_loss, "bounds": self.bounds,
                "symmetry": self.symmetry, "gauge": self.gauge, "notes": self.notes}


def path_bounds(net: Network, system: PolySystem) -> dict:
    """Total degree and multihomogeneous Bezout number (one group per node or layer)."""
    from algebra.solve import network_partition

    groups = partition_indices(system.variables, network_partition(system, net))
    multi = multihomogeneous_bezout(system.multidegrees(groups), [len(g) for g in groups])
    return {"total_degree": total_degree(system.degrees), "multihomogeneous": multi}


def hessian_scale(gradient: PolySystem, w: np.ndarray) -> float:
    """The size a Hessian entry has at w when nothing cancels: max over rows of
    d_i ||c_i||_1 max(1, |w|)^(d_i - 1) for grad L's coefficients c_i and degrees d_i."""
    coef = np.asarray(abs(gradient.coefficients).sum(axis=1)).ravel()
    deg = np.asarray(gradient.degrees, dtype=float)
    big = max(1.0, float(np.max(np.abs(w), initial=0.0)))
    return float(np.max(deg * coef * big ** np.maximum(deg - 1, 0), initial=0.0))


def classify_point(loss: PolySystem, hessian_of: PolySystem, w: np.ndarray,
                   noise: float = HESSIAN_NOISE) -> CriticalPoint:
    """Loss value and Hessian inertia at a real point (``hessian_of`` is grad L); Hessian
    eigenvalues below ``noise`` x ``hessian_scale`` are zero (an all-zero Hessian computed
    in floating point is otherwise noise of full rank).

    >>> from algebra.networks import DenseNetwork
    >>> net = DenseNetwork((1, 1, 1, 1), "linear", bias=False)   # f = a b c x: Hessian 0 at 0
    >>> d = Data(np.array([[1.0]]), np.array([[1.0]]))
    >>> classify_point(loss_polynomial(net, d), critical_system(net, d), np.full(3, 1e-15)).nullity
    3
    """
    w = np.real(np.asarray(w, dtype=complex))
    ev, nullity, index, rank = inertia(hessian_of.jacobian(w), noise * hessian_scale(hessian_of, w))
    return CriticalPoint(w, float(loss.evaluate(w)[0]), ev, nullity, index, rank)


def zero_loss_component(net: Network, data: Data, gradient: PolySystem, seed: int = 0,
                        starts: int = 8) -> dict | None:
    """Dimension of the zero-loss set and Hessian nullity at a real point of it.

    At a zero-loss point the Hessian of L is J^T J, so its nullity equals W - rank J; the
    two are computed independently here (Hessian from the loss polynomial, J from the
    network) and both compared with W - N. None when no real zero-loss point is found.
    """
    points = [p for p in zero_loss_points(net, data, starts=starts, seed=seed, field="real")]
    if not points:
        return None
    best = min(points, key=lambda p: p.residual)
    local = local_dimension(net, data, best.weights)
    ev, nullity, index, rank = inertia(gradient.jacobian(best.weights))
    predicted = net.n_weights - data.n_points * net.n_outputs
    return {"dimension": local.dimension, "predicted": predicted, "hessian_nullity": nullity,
            "hessian_index": index, "degenerate": nullity > 0, "residual": best.residual,
            "consistent": local.dimension == predicted == nullity,
            "singular_value_gap": rank.as_dict()}


def _by_homotopy(net: Network, grad: PolySystem, seed: int, verify: bool, workers: int | None,
                 regularized: bool) -> tuple[dict, list, list, dict]:
    """(summary, isolated nonsingular solutions, notes, symmetry report) of grad = 0 by
    every path of the total-degree homotopy."""
    from algebra.solve import solve
    from algebra.symmetry import symmetry_report

    # total degree in the projective chart: every isolated solution, zero coordinates
    # included (the origin is always critical without biases), and no diverging paths.
    # With an L2 term the critical points are isolated and our engine is the faster and the
    # more often certified (dense (1, 2, 1) z^2, N = 2, random L2: 33 certified in 1.4 s against
    # PHCpack's 10.2 s, not certified); without one, the positive-dimensional zero-loss sets
    # end most paths singular, where our endgame fails many more of them (dense (2, 2, 1)
    # linear, N = 2: 345 of 729 against PHCpack's 1): PHCpack's trackers there
    if regularized:
        from algebra.continuation.tracker import limit_threads

        with limit_threads(workers):
            result = solve(grad, start="total-degree", seed=seed, verify=verify)
    else:
        result = solve(grad, engine="phcpack", start="total-degree", projective=True, seed=seed, verify=verify,
                       workers=workers)
    summary = {"method": "homotopy", **result.summary()}
    notes = list(result.notes)
    # unit permutations and sign flips map critical points to critical points (unless the L2
    # weights break them): the solutions must be whole orbits, and missing images are added
    symmetry, sols = symmetry_report(net, grad, np.array(result.solutions(only_nonsingular=True)), seed)
    if symmetry.get("added"):
        summary["certified"] = False
        notes.append(f"{symmetry['added']} critical points added as images of found ones under the network's "
                     "symmetries: the homotopy missed them, so its count was incomplete")
    return summary, sols, notes, symmetry


def _by_monodromy(net: Network, data: Data, grad: PolySystem, seed: int, stall: int | None,
                  completeness: bool, progress=None, checkpoint=None,
                  budget: float | None = None) -> tuple[dict, list, list]:
    """(summary, regular solutions, notes) of grad = 0 by certified monodromy."""
    from algebra.continuation.backend import backend
    from algebra.continuation.completeness import certified_monodromy, count_verdict
    from algebra.network_homotopy.equations import network_evaluator
    from algebra.symmetry import acting_generators

    equations = network_evaluator(net, data, grad, backend(None))
    symmetries = acting_generators(net, grad, seed)
    result, test = certified_monodromy(grad, seed=seed, stall=stall, equations=equations, symmetries=symmetries,
                                       completeness=completeness, progress=progress, checkpoint=checkpoint,
                                       budget=budget)
    certified, why = count_verdict(result, test)
    final = result.final
    summary = {"method": "monodromy", "paths": result.paths, "generic_count": result.count, "loops": result.loops,
               "solutions": final.get("distinct", 0), "regular": final.get("distinct", 0), "singular": final["singular"],
               "at_infinity": final["infinity"], "failed": final["failed"], "positive_dimensional": 0,
               "verdict": "certified" if certified else "lower-bound", "certified": certified, "why": why,
               "completeness": None if test is None else test.as_dict(), "proofs": result.proof_summary(),
               "seconds": round(result.seconds, 3)}
    notes = [] if not final["singular"] else [
        f"{final['singular']} paths from the generic member ended singular: critical points on positive-dimensional "
        "sets (the zero-loss set) or multiple ones, not counted here"]
    return summary, list(result.solutions), notes


def critical_points(net: Network, data: Data, l2=None, seed: int = 0, max_paths: int = MAX_PATHS,
                    workers: int | None = None, verify: bool = True, gauge: bool = True,
                    method: str = "homotopy", stall: int | None = None, completeness: bool = True,
                    progress=None, checkpoint=None, budget: float | None = None) -> CriticalResult:
    """Isolated critical points of L(w) = 1/2 sum (f(x_i; w) - y_i)^2 (+ 1/2 sum l2_k w_k^2).
    Without an L2 term, ``gauge`` fixes one weight per rescaling at 1 (``symmetry.gauge_weights``):
    the rescalings make every critical point a curve, which the slice cuts to points.

    ``method``: "homotopy" (every total-degree path, up to ``max_paths``) or "monodromy"
    (loops in the family with free constant terms, through the network's forward pass, its
    points proved by Krawczyk's test and, with ``completeness``, the set proved complete by
    the trace test: ``completeness.certified_monodromy``; ``stall``, ``progress``,
    ``checkpoint`` and ``budget`` as there). Both classify the same way.

    >>> from algebra.networks import DenseNetwork
    >>> r = critical_points(DenseNetwork((1, 1), "linear", bias=False),
    ...                     Data(np.array([[1.0]]), np.array([[2.0]])))
    >>> r.complex_nonsingular, r.minima, round(r.points[0].loss, 12)
    (1, 1, 0.0)
    """
    from algebra.solve import solve

    if method not in ("homotopy", "monodromy"):
        raise SpecError(f"method must be 'homotopy' or 'monodromy', got {method!r}")
    if not isinstance(net, Network):
        raise TypeError(f"critical_points needs a network (algebra.networks), got {type(net).__name__}")
    if not isinstance(data, Data):
        raise TypeError(f"critical_points needs data (algebra.systems.make_data), got {type(data).__name__}")
    check_seed(seed)
    if net.n_weights < 1:
        raise SpecError("the network has no weights")
    if data.n_points < 1:
        raise SpecError("need at least one data point")
    lam = l2_weights(net, l2, seed)
    full_grad = critical_system(net, data, lam)
    grad, loss = full_grad, loss_polynomial(net, data, lam)
    fixed = []
    if lam is None and gauge:
        from algebra.symmetry import gauge_fixed_critical_system, gauge_weights

        # rescalings make every critical point a curve of them: one weight per rescaling at 1
        fixed = gauge_weights(net, seed)
        if fixed:
            grad = gauge_fixed_critical_system(net, data, fixed)
            loss = loss.substitute({name: 1.0 for name in fixed})
    bounds = path_bounds(net, grad)
    paths = bounds["total_degree"]
    if method == "monodromy":
        from algebra.symmetry import symmetry_report

        summary, sols, notes = _by_monodromy(net, data, grad, seed, stall, completeness, progress, checkpoint,
                                             budget)
        symmetry, sols = symmetry_report(net, grad, np.array(sols).reshape(-1, grad.n_variables), seed)
    elif paths > max_paths:
        raise SpecError(f"the critical-point system has {paths:,} total-degree paths to track "
                        f"({grad.n_equations} equations of degrees up to {max(grad.degrees)}), above the "
                        f"limit of {max_paths:,}; use fewer units or data points or a lower activation "
                        "degree, or raise the limit (--max-paths)")
    else:
        summary, sols, notes, symmetry = _by_homotopy(net, grad, seed, verify, workers, lam is not None)
    from algebra.solve import is_real

    real = [w.real for w in sols if is_real(w)]
    points = [classify_point(loss, grad, w) for w in real]  # the Hessian of the gauge-fixed loss
    if fixed:
        free = [k for k, n in enumerate(net.weight_names) if n not in fixed]
        for p in points:  # reported with every weight, the fixed ones at 1
            full = np.ones(net.n_weights)
            full[free] = p.weights
            p.weights = full
        notes.append(f"gauge fixed: {', '.join(fixed)} = 1 (one weight per rescaling); Hessians are the gauge-fixed "
                     "loss's; critical points where a fixed weight is 0 are not on this slice")
    zero = None
    if lam is None:
        functional = functional_dimension(net, seed=seed).dimension
        if data.n_points * net.n_outputs <= functional:
            zero = zero_loss_component(net, data, full_grad, seed=seed)
            if zero is None:
                notes.append("no real zero-loss point found by Levenberg-Marquardt")
    return CriticalResult(net.n_weights, len(sols), len(real), points, summary, zero, bounds, notes, symmetry,
                          fixed or None)
