"""Proposition 1 of Liao & Poggio made computable: the critical set of the unregularized loss.

The critical set {grad L = 0} of L(w) = 1/2 sum_i |f(x_i; w) - y_i|^2 splits into the
zero-loss set (positive-dimensional when N < W, so never a finite list of points) and
critical points of non-zero loss. The paper says the first is large and degenerate, and
that non-zero-loss local minima, if any, are not degenerate. ``critical_set`` measures both:

1. regularize: for generic lambda > 0 every critical point of L + 1/2 sum lambda_k w_k^2
   is isolated (Mehta, Chen, Tang & Hauenstein); count them all by a total-degree homotopy;
2. take lambda to 0 along eps lambda, eps from 1 to 0 on a complex path (the gamma trick:
   the straight line between grad L + lambda w and grad L stays in that family), and
   classify each path's limit: into the zero-loss set (loss 0), to a nonsingular critical
   point of non-zero loss (isolated and non-degenerate), to a singular one of non-zero loss
   (a degenerate isolated critical point, or a point of a positive-dimensional critical
   component of non-zero loss), to infinity, or failed;
3. the zero-loss part: its dimension and the Hessian nullity at a real point of it
   (``critical.zero_loss_component``), its degree from a witness set (``witness``).

Every isolated critical point of L is the limit of some path of step 2 (the
coefficient-parameter theorem of Morgan and Sommese), so when the count of step 1 is
certified and no path of step 2 failed, the list of isolated critical points is complete;
otherwise it is a lower bound, and the result says so.

Rescaling symmetries (homogeneous activations: linear, monomial) put critical points of
non-zero loss on orbits of positive dimension; those end "singular, non-zero loss" with a
Hessian nullity at least the orbit's dimension, which the result reports rather than hides.
A positive-dimensional critical component of non-zero loss is seen only at the limits the
regularization selects: for f = c (w x)^4 with y < 0 the line {w = 0} is critical, its
points with c > 0 are degenerate local minima, and every eps-path ends at its point c = 0,
a degenerate saddle. The verdict on Proposition 1 is about the limits found.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from algebra.errors import SpecError
from algebra.networks import Network
from algebra.systems import Data, critical_system, l2_weights, loss_polynomial

MAX_PATHS = 5000        # total-degree paths of the regularized solve (a few minutes on 2 cores)
ZERO_LOSS = 1e-8        # |L| / (1 + 1/2 sum |y|^2) below this: a limit in the zero-loss set
PROOF_PRECISION = 212   # bits Krawczyk's test may go up to on a regular eps-path limit
REAL = 1e-8             # max |Im w| / (1 + max |w|) below this: a real critical point
METHODS = ("total-degree", "monodromy")
METHOD = ("critical points of L + (eps/2) sum lambda_k w_k^2 for random lambda > 0, "
          "followed to eps = 0 by a parameter homotopy (gamma trick) and their limits classified; "
          "zero-loss part: dimension and Hessian nullity at a real point, degree by a witness set")
CLASSES = ("zero loss", "isolated, non-zero loss", "singular, non-zero loss", "infinity", "failed")


@dataclass
class Limit:
    """A distinct limit of non-zero loss: where some eps-paths end."""

    weights: np.ndarray         # complex coordinates
    loss: complex
    regular: bool               # nonsingular Hessian: isolated and non-degenerate
    paths: int                  # eps-paths ending here
    real: bool
    index: int | None = None    # negative Hessian eigenvalues (real points only)
    nullity: int | None = None  # zero Hessian eigenvalues, by the singular-value gap (real points only)
    manifold: int | None = None  # dimension of the critical set through the point, measured (real points only)
    symmetry: int | None = None  # dimension of the generic symmetry orbit of the architecture
    kind: str | None = None     # minimum, saddle-k, maximum, degenerate, across the manifold (real points only)
    lower_nearby: bool | None = None  # degenerate with no negative eigenvalue: a lower loss found close by

    @property
    def gauge_nullity(self) -> int | None:
        """Flat directions a gauge fixing leaves: Hessian nullity beyond the critical set's own
        dimension at the point (not Morse-Bott), plus that dimension beyond the symmetries'
        (a flat valley no symmetry explains)."""
        if self.nullity is None:
            return None
        return max(self.nullity - self.manifold, 0) + max(self.manifold - self.symmetry, 0)

    @property
    def degenerate_minimum_candidate(self) -> bool:
        """Real, no negative Hessian eigenvalue, zero ones beyond the symmetry orbit, and no
        lower loss found close by: the second-order test cannot tell it from a degenerate
        local minimum."""
        return self.real and self.index == 0 and bool(self.gauge_nullity) and not self.lower_nearby

    def as_dict(self) -> dict:
        w = self.weights.real if self.real else self.weights
        return {"loss": float(self.loss.real) if self.real else [self.loss.real, self.loss.imag],
                "regular": self.regular, "paths": self.paths, "real": self.real, "kind": self.kind,
                "index": self.index, "nullity": self.nullity, "manifold": self.manifold, "symmetry": self.symmetry,
                "gauge_nullity": self.gauge_nullity, "lower_nearby": self.lower_nearby,
                "weights": w.tolist() if self.real else [[z.real, z.imag] for z in w]}


@dataclass
class CriticalSet:
    weights: int
    data: int
    method: str
    regularized: dict           # the lambda solve: paths, solutions, certified
    limits: dict                # eps-paths by CLASSES
    isolated: list[Limit]       # distinct limits of non-zero loss, regular and singular
    zero_loss: dict | None      # dimension, predicted W - N, Hessian nullity, degree
    complete: bool              # the isolated list is every isolated critical point of non-zero loss
    notes: list[str] = field(default_factory=list)

    def points(self, regular: bool | None = None, real: bool | None = None, kind: str | None = None) -> list[Limit]:
        """The distinct non-zero-loss limits that match every given filter."""
        return [p for p in self.isolated if (regular is None or p.regular == regular)
                and (real is None or p.real == real)
                and (kind is None or p.kind == kind or (kind == "saddle" and (p.kind or "").startswith("saddle-")))]

    def proposition_1(self) -> dict:
        """What the run says about the paper's Proposition 1: non-degenerate local minima of
        non-zero loss, and degenerate critical points that may be minima (it fails if any)."""
        minima = self.points(real=True, kind="minimum")
        candidates = [p for p in self.isolated if p.degenerate_minimum_candidate]
        zero = self.zero_loss or {}
        if candidates:
            why = "a degenerate critical point of non-zero loss with no descent direction found"
        elif self.complete:
            why = ("every isolated critical point was found (components of non-zero loss: at the limits the "
                   "regularization selects)")
        else:
            why = "a lower bound: the regularized count is a lower bound or some eps-path failed"
        return {"zero_loss_degenerate": zero["hessian_nullity"] > 0 if "hessian_nullity" in zero else None,
                "nonzero_loss_minima": len(minima), "degenerate_minimum_candidates": len(candidates),
                "holds": False if candidates else (True if self.complete else None), "why": why}

    def critical_values(self) -> list[dict]:
        """The distinct non-zero-loss limits grouped by loss value (points of one component of
        the critical set share it): per value, how many limits, real ones, and their kinds."""
        groups: list[list[Limit]] = []
        for p in sorted(self.isolated, key=lambda p: (abs(p.loss), p.loss.real if p.real else 0)):
            if groups and abs(p.loss - groups[-1][0].loss) <= 1e-6 * (1 + abs(p.loss)):
                groups[-1].append(p)
            else:
                groups.append([p])
        return [{"loss": _loss_value(g[0].loss),
                 "limits": len(g), "real": sum(p.real for p in g), "paths": sum(p.paths for p in g),
                 "kinds": sorted({p.kind for p in g if p.kind})} for g in groups]

    def __repr__(self) -> str:
        verdict = {True: "holds", False: "fails", None: "undecided"}[self.proposition_1()["holds"]]
        limits = ", ".join(f"{k} {v}" for k, v in self.limits.items() if v)
        return (f"<CriticalSet W = {self.weights}, N = {self.data}: {sum(self.limits.values())} regularized critical "
                f"points -> {limits}; {len(self.isolated)} distinct non-zero-loss limits; Proposition 1 {verdict}>")

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(repr(self))

    def as_dict(self) -> dict:
        return {"weights": self.weights, "data": self.data, "method": self.method,
                "critical_values": self.critical_values(),
                "regularized": self.regularized, "limits": self.limits,
                "isolated": [p.as_dict() for p in sorted(self.isolated, key=lambda p: abs(p.loss))],
                "zero_loss": self.zero_loss, "complete": self.complete,
                "proposition_1": self.proposition_1(), "notes": self.notes}


def _loss_value(loss: complex):
    """A real number when the imaginary part is rounding, else [re, im] (JSON has no complex)."""
    loss = complex(loss)
    return loss.real if abs(loss.imag) <= 1e-10 * (1 + abs(loss)) else [loss.real, loss.imag]


def critical_set(net: Network, data: Data, seed: int = 0, method: str = "total-degree", max_paths: int = MAX_PATHS,
                 stall: int | None = None, verify: bool = True, degree: bool = True,
                 completeness: bool = True, progress=None, checkpoint=None,
                 budget: float | None = None) -> CriticalSet:
    """The critical set of the unregularized loss, split as the module docstring says.

    ``method``: how the regularized critical points are found: "total-degree" (every path
    of the total-degree start system, refused above ``max_paths``; certified by independent
    runs) or "monodromy" (loops in the family with free constant terms, ``stall`` loops
    without a new solution before the trace test, for systems whose total degree is out of
    reach: every point proved by Krawczyk's test, the set certified when ``completeness``
    and the trace test proves it complete, a lower bound otherwise; ``progress``,
    ``checkpoint`` and ``budget`` as ``completeness.certified_monodromy``'s).

    >>> from algebra.networks import DenseNetwork
    >>> r = critical_set(DenseNetwork((1, 1, 1), "linear", bias=False),   # f = a b x
    ...                  Data(np.array([[1.0]]), np.array([[1.0]])), degree=False)
    >>> r.limits["zero loss"], [(p.kind, round(p.loss.real, 12)) for p in r.isolated]
    (4, [('saddle-1', 0.5)])
    """
    from algebra.bounds import total_degree
    from algebra.critical import zero_loss_component
    from algebra.dimension import functional_dimension
    from algebra.solve import solve

    if method not in METHODS:
        raise SpecError(f"method {method!r}: use {' or '.join(METHODS)}")
    if net.n_weights < 1:
        raise SpecError("the network has no weights")
    if data.n_points < 1:
        raise SpecError("need at least one data point")
    lam = l2_weights(net, "random", seed)
    regularized = critical_system(net, data, lam)
    gradient = critical_system(net, data, None)
    loss = loss_polynomial(net, data, None)
    if method == "total-degree":
        paths = total_degree(regularized.degrees)
        if paths > max_paths:
            raise SpecError(f"the regularized critical system has {paths:,} total-degree paths, above the limit "
                            f"of {max_paths:,}; use --method monodromy, fewer units or data points or a lower "
                            "activation degree, or raise the limit (--max-paths)")
        # our engine: every path certified by a second run (PHCpack's runs disagreed on the deep
        # linear [1,1,1,1] and monomial (1,2,1) systems and were 1.4-1.7x slower)
        solved = solve(regularized, start="total-degree", projective=True, seed=seed, verify=verify)
        # complete: certified, or every path accounted for (probability one); not a lower bound
        found, summary = solved.solutions(only_nonsingular=True), solved.summary()
        certified = solved.verdict != "lower-bound"
        why = solved.verification.get("why", "")
    else:
        from algebra.continuation.backend import backend
        from algebra.continuation.completeness import certified_monodromy, count_verdict
        from algebra.network_homotopy.equations import network_evaluator

        from algebra.symmetry import acting_generators

        # the loops through the network's forward pass where its monomials are many (the
        # canonical tree's critical system has 31,341: 220x slower even compiled); the sign
        # flips the random lambdas keep make twisted loops, one edge a point
        solved, test = certified_monodromy(regularized, seed=seed, stall=stall,
                                           equations=network_evaluator(net, data, regularized, backend()),
                                           symmetries=acting_generators(net, regularized, seed),
                                           completeness=completeness, progress=progress, checkpoint=checkpoint,
                                           budget=budget)
        certified, why = count_verdict(solved, test)
        found, summary = solved.solutions, {**solved.as_dict(), "certified": certified, "why": why}
        if test is not None:
            summary["completeness"] = test.as_dict()
    starts = np.array(found, dtype=complex).reshape(-1, net.n_weights)
    if len(starts) == 0:
        raise SpecError("the regularized critical system gave no solution to follow: " + why)
    from algebra.continuation.backend import backend
    from algebra.network_homotopy.equations import network_evaluator

    # grad L through the forward pass (checked against its polynomials), where its monomials are
    # many: the eps-paths and the proofs of their limits both use it
    equations = network_evaluator(net, data, gradient, backend(None))
    ends = _follow_to_zero(gradient, regularized, starts, seed, equations, lam)
    scale = 1 + 0.5 * float(np.sum(np.abs(data.y) ** 2))
    x = ends.affine
    with np.errstate(all="ignore"):
        values = np.array([loss.evaluate(w)[0] if np.all(np.isfinite(w)) else np.nan for w in x], dtype=complex)
    zero = np.isin(ends.status, ("finite", "singular")) & (np.abs(values) <= ZERO_LOSS * scale)
    classes = np.where(zero, "zero loss", np.where(ends.status == "finite", "isolated, non-zero loss",
                                                   np.where(ends.status == "singular", "singular, non-zero loss",
                                                            ends.status)))
    unproven = _demote_unproven(gradient, equations, x, classes)
    _join_singular(x, classes)
    limits = {c: int(np.sum(classes == c)) for c in CLASSES}
    isolated = _distinct_limits(net, x, values, classes, loss, gradient)
    notes = [f"{len(starts)} regularized critical points (lambda = eps x random, eps = 1) followed to eps = 0"]
    if not certified:
        notes.append("the regularized count is a lower bound: " + why)
    if unproven:
        notes.append(f"{unproven} eps-path limit{'s' * (unproven != 1)} of non-zero loss looked regular but Krawczyk's "
                     "test could not prove an isolated nonsingular critical point there: counted singular (points of a "
                     "critical manifold, whose kind is read across it)")
    if limits["failed"]:
        notes.append(f"{limits['failed']} eps-paths failed: isolated critical points may be missing")
    zero_part = None
    functional = functional_dimension(net, seed=seed).dimension
    if data.n_points * net.n_outputs > functional:
        zero_part = {"empty": True, "why": f"N x outputs = {data.n_points * net.n_outputs} exceeds the functional "
                                           f"dimension F = {functional}: generic data cannot be fit"}
    elif data.n_points * net.n_outputs < net.n_weights:
        zero_part = zero_loss_component(net, data, gradient, seed=seed)
        if zero_part is None:
            notes.append("no real zero-loss point found by Levenberg-Marquardt: its dimension was not measured")
        if degree:
            zero_part = {**(zero_part or {}), **_zero_loss_degree(net, data, seed)}
    return CriticalSet(net.n_weights, data.n_points, f"{method}: {METHOD}", summary, limits, isolated, zero_part,
                       certified and limits["failed"] == 0, notes)


def _follow_to_zero(gradient, regularized, starts: np.ndarray, seed: int, equations, lam):
    """The eps-paths: the straight line from grad L + lambda w to grad L, gamma trick; through
    ``equations`` (grad L's forward pass) where there is one."""
    from algebra.continuation.backend import backend
    from algebra.continuation.homotopy import StraightLineHomotopy, chart_for
    from algebra.continuation.paths import run_paths
    from algebra.network_homotopy.regularization import RegularizationHomotopy
    from algebra.solve import gamma_for

    be = backend(None)
    chart = chart_for(gradient.n_variables + 1, seed)
    hom = StraightLineHomotopy(gradient, regularized, gamma_for(seed, 97), chart, be)
    if equations is not None:
        hom = RegularizationHomotopy.of(hom, equations, lam) or hom
    return run_paths(hom, starts)


def _demote_unproven(gradient, equations, x: np.ndarray, classes: np.ndarray) -> int:
    """Limits of non-zero loss that ended regular join the singular ones unless Krawczyk's
    test on grad L proves a nonsingular critical point around them: near a degenerate one
    (1e-8 from the triple zero of f = a b c x's Hessian) every row of the Jacobian shrinks
    with the distance and the row-scaled condition number looks fine (40). The proof goes
    through ``equations`` (grad L's forward pass) where there is one. Returns how many were
    demoted."""
    from algebra.certify import Prover
    from algebra.continuation.monodromy import ball_evaluator

    iso = np.flatnonzero(classes == "isolated, non-zero loss")
    if not len(iso):
        return 0
    balls = ball_evaluator(equations, gradient)  # None: the monomials
    certs = Prover(gradient, max_precision=PROOF_PRECISION, evaluator=balls).certificates(x[iso])
    proved = np.array([c.certified for c in certs], dtype=bool)
    classes[iso[~proved]] = "singular, non-zero loss"
    return int(np.sum(~proved))


def _join_singular(x: np.ndarray, classes: np.ndarray) -> None:
    """A path that ended "regular" next to other paths' singular limit reached that limit,
    where its endpoint test could not tell: at 3e-12 from the origin of f = a b c x (a triple
    zero of the Hessian), the scaled Jacobian looks regular and Newton's corrections look
    converged. A regular critical point is isolated from any other: it joins the singular ones."""
    from algebra.continuation.result import SAME_SINGULAR

    iso = np.flatnonzero(classes == "isolated, non-zero loss")
    sing = np.flatnonzero(classes == "singular, non-zero loss")
    if not len(iso) or not len(sing):
        return
    for i in iso:
        gap = np.max(np.abs(x[sing] - x[i]), axis=1) / (1 + np.max(np.abs(x[i])))
        if gap.min() <= SAME_SINGULAR:
            classes[i] = "singular, non-zero loss"


def _distinct_limits(net, x, values, classes, loss, gradient) -> list[Limit]:
    from algebra.continuation.result import SAME_SINGULAR, groups
    from algebra.critical import classify_inertia, classify_point
    from algebra.dimension import symmetries
    from algebra.solve import SAME_POINT

    symmetry = symmetries(net)["total"]
    out = []
    for cls, tol, regular in (("isolated, non-zero loss", SAME_POINT, True),
                              ("singular, non-zero loss", SAME_SINGULAR, False)):
        idx = np.flatnonzero(classes == cls)
        for group in groups(x[idx], tol):
            members = idx[group]
            w = x[members].mean(axis=0)
            real = float(np.max(np.abs(w.imag))) <= REAL * (1 + float(np.max(np.abs(w))))
            limit = Limit(w, complex(values[members].mean()), regular, len(members), real)
            if real:
                point = classify_point(loss, gradient, w.real)
                limit.loss, limit.index, limit.nullity = point.loss, point.index, point.nullity
                limit.manifold = _critical_dimension(gradient, w.real, point.nullity)
                limit.symmetry = symmetry
                flat = point.nullity - limit.gauge_nullity
                limit.kind = classify_inertia(net.n_weights - flat, point.index, limit.gauge_nullity)
                if point.index == 0 and limit.gauge_nullity:
                    limit.lower_nearby = _lower_nearby(loss, gradient, w.real, point.loss, point.nullity)
            out.append(limit)
    return out


def _null_space(gradient, w: np.ndarray, nullity: int) -> np.ndarray:
    """(W, nullity): the Hessian's eigenvectors of smallest |eigenvalue| at w."""
    h = gradient.jacobian(w).real
    ev, vec = np.linalg.eigh((h + h.T) / 2)
    return vec[:, np.argsort(np.abs(ev))[:nullity]]


def _critical_dimension(gradient, w: np.ndarray, nullity: int, step: float = 1e-4, iterations: int = 40) -> int:
    """Dimension of the critical set {grad L = 0} through w, measured: from w + h v for each
    Hessian null vector v, Gauss-Newton (minimum-norm steps) back onto the set. Along a
    manifold of critical points (Morse-Bott) it stays about h v away; toward an isolated
    degenerate point it slides back. The rank of the displacements is the dimension."""
    if nullity == 0:
        return 0
    null = _null_space(gradient, w, nullity)
    h = step * (1 + float(np.max(np.abs(w))))
    moves = []
    for v in null.T:
        z = w + h * v
        for _ in range(iterations):
            g = gradient.evaluate(z).real
            dz = np.linalg.lstsq(gradient.jacobian(z).real, g, rcond=1e-10)[0]
            z = z - dz
            if np.linalg.norm(dz) <= 1e-14 * (1 + np.linalg.norm(z)):
                break
        move = (z - w) / h
        moves.append(move if np.all(np.isfinite(move)) else np.zeros_like(move))  # diverged: no tangent there
    sv = np.linalg.svd(np.array(moves), compute_uv=False)
    return int(np.sum(sv > 0.5))  # a tangent direction keeps about unit length, a sliding one shrinks


def _lower_nearby(loss, gradient, w: np.ndarray, value: float, nullity: int, directions: int = 256,
                  seed: int = 0) -> bool:
    """Whether the loss is lower somewhere on small spheres (radii 1e-2 and 1e-3 of 1 + |w|)
    in the Hessian's null space at w: there the quadratic term vanishes and the higher-order
    terms decide; a point where they descend is no local minimum."""
    null = _null_space(gradient, w, nullity)
    rng = np.random.default_rng(seed)
    u = np.vstack([np.eye(nullity), -np.eye(nullity), rng.standard_normal((directions, nullity))])
    v = (u / np.linalg.norm(u, axis=1, keepdims=True)) @ null.T
    size = 1 + float(np.max(np.abs(w)))
    for radius in (1e-2, 1e-3):
        values = np.real(loss.evaluate(w[None, :] + radius * size * v)[:, 0])
        if np.min(values) < value - 1e-12 * (1 + abs(value)):
            return True
    return False


def _zero_loss_degree(net: Network, data: Data, seed: int) -> dict:
    """Degree of the zero-loss set's pure (W - N)-dimensional part, from a witness set."""
    from algebra.systems import zero_loss_system
    from algebra.witness import witness

    w = witness(zero_loss_system(net, data), seed=seed, loops=0)
    comp = w.components[0] if w.components else None
    return {"degree": comp.degree if comp else 0,
            "degree_certified": bool(comp and comp.complete),
            "witness_dimension": w.dimension}
