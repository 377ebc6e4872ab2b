"""Witness sets of positive-dimensional solution sets: dimension, degree, irreducible factors.

A pure d-dimensional piece of the solution set is represented by its intersection with
d generic hyperplanes: as many points as its degree (the witness set). PHCpack's
cascade of homotopies computes these points for every dimension from the top one down;
monodromy loops then group them into irreducible factors.

Monodromy on PHCpack 2.4.86 is unreliable (right in 6 or 7 runs out of 10; the twisted
cubic came back as two factors here). A grouping is accepted only when every factor
passes the linear trace test (trace difference below ``TRACE_TOL``); otherwise the run
is repeated with a new seed, and after ``tries`` failures the factors of that dimension
are reported as one unresolved group with ``factors_certified`` false. The union of all
witness points of one dimension always passes the trace test, so that group is a
correct (if coarser) statement.

Possible issues: junk points of higher-dimensional pieces are removed by PHCpack's
homotopy membership filter with tolerance 1e-6; nearly singular components may lose
points. The degree of a piece is the number of its witness points, checked against
the trace test.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from algebra.errors import SpecError, check_seed
from algebra.exports import phc_names, polynomial_strings
from algebra.polys import PolySystem
from algebra.solve import MAX_PATHS
from algebra.systems import append_slices

TRACE_TOL = 1e-8
RANK_TOL = 1e-10    # singular values below this, relative to the largest, are rank deficiency
RANK_POINTS = 3     # random complex points the generic rank of the Jacobian is the largest rank at
ON_SYSTEM = 1e-9    # a witness point of the randomized system lies on the given one when every
                    # equation is this small against its coefficients' norm times max(1, |x|)^degree


def generic_rank(system: PolySystem, rng) -> int:
    """The rank of the system's Jacobian at random complex points (the largest of
    ``RANK_POINTS``): the dimension of the closure of F's image, so every component of the
    fibre F^-1(0) has dimension at least W - rank (the fibre dimension theorem), whatever the
    number of equations says."""
    w = system.n_variables
    best = 0
    with np.errstate(all="ignore"):
        for _ in range(RANK_POINTS):
            x = (rng.standard_normal(w) + 1j * rng.standard_normal(w)) / math.sqrt(2)
            jac = system.jacobian(x)
            if not np.all(np.isfinite(jac)):
                continue
            sv = np.linalg.svd(jac, compute_uv=False)
            best = max(best, int(np.sum(sv > RANK_TOL * sv[0])) if len(sv) and sv[0] > 0 else 0)
    return best


def randomized(system: PolySystem, rank: int, rng) -> PolySystem:
    """``rank`` random complex combinations of the equations (Bertini's randomization): its
    solution set holds the system's, whose components of dimension W - rank are components of
    it; its other points are filtered out by ``on_system``."""
    mix = (rng.standard_normal((rank, system.n_equations)) + 1j * rng.standard_normal((rank, system.n_equations)))
    return PolySystem(system.variables, system.monomials, mix @ system.coefficients.toarray(), system.kind)


def on_system(system: PolySystem, points: np.ndarray) -> np.ndarray:
    """Whether each point solves every equation of ``system`` (``ON_SYSTEM``, relative to the
    equation's coefficients' 1-norm times max(1, |x|)^degree: blind to its scale, and not
    fooled near the origin, where every term is small)."""
    if not len(points):
        return np.zeros(0, bool)
    norms = np.asarray(abs(system.coefficients).sum(axis=1)).ravel()
    degrees = np.asarray(system.degrees)
    with np.errstate(all="ignore"):
        values = np.abs(np.array([system.evaluate(x) for x in points]))
        big = np.maximum(1.0, np.max(np.abs(points), axis=1))[:, None] ** degrees[None, :]
        return np.all(values <= ON_SYSTEM * norms[None, :] * big, axis=1)


@dataclass
class Component:
    """The pure ``dimension``-dimensional piece of a solution set."""

    dimension: int
    degree: int                        # number of witness points
    factors: list[int] | None          # degrees of the irreducible factors (None: not factored)
    factors_certified: bool            # every factor passed the linear trace test
    trace_differences: list[float]
    tries: int
    embedded: list[str] = field(repr=False, default_factory=list)
    points: list = field(repr=False, default_factory=list)  # PHCpack strings or coordinates
    complete: bool | None = None       # the whole witness set passed the trace test


@dataclass
class WitnessResult:
    variables: tuple[str, ...]
    components: list[Component]        # positive dimensions, highest first
    isolated: int                      # isolated solutions found by the cascade
    seed: int
    seconds: float
    top_dimension: int
    names: list[str] = field(repr=False, default_factory=list)
    method: str = "slice"
    notes: list[str] = field(default_factory=list)
    system: PolySystem | None = field(repr=False, default=None)
    slices: np.ndarray | None = field(repr=False, default=None)  # (D, W + 1), last column constant
    higher: int = 0      # slice paths that ended on components of dimension above top_dimension

    @property
    def dimension(self) -> int | None:
        """Dimension of the solution set (0 when only isolated points, -1 when empty; None when
        paths ended on components above ``top_dimension``, which this run does not describe)."""
        if self.higher:
            return None
        if self.components:
            return max(c.dimension for c in self.components)
        return 0 if self.isolated else -1

    def component(self, dimension: int) -> Component:
        for c in self.components:
            if c.dimension == dimension:
                return c
        raise SpecError(f"the solution set has no component of dimension {dimension}")

    def __repr__(self) -> str:
        comps = ", ".join(f"dimension {c.dimension} degree {c.degree}" for c in self.components)
        what = {None: f"dimension above {self.top_dimension}", -1: "no solution"}.get(self.dimension,
                                                                                    f"dimension {self.dimension}")
        return (f"<WitnessResult {what}" + (f": {comps}" if comps else "")
                + (f"; {self.isolated} isolated points" if self.isolated else "") + ">")

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(repr(self))

    def as_dict(self) -> dict:
        comps = [{k: v for k, v in asdict(c).items() if k not in ("embedded", "points")}
                 for c in self.components]
        return {"variables": list(self.variables), "dimension": self.dimension,
                "components": comps, "isolated": self.isolated, "seed": self.seed,
                "method": self.method, "top_dimension": self.top_dimension, "higher_paths": self.higher,
                "seconds": round(self.seconds, 3), "notes": self.notes}


def cascade(system: PolySystem, top: int | None = None, seed: int = 0, loops: int = 20,
            tries: int = 5, timeout: float = 3600, max_paths: int = MAX_PATHS) -> WitnessResult:
    """Witness sets of every dimension from ``top`` (default: unknowns - 1) down to
    unknowns - equations, with their irreducible factors (``loops`` monodromy loops; 0
    skips factoring, which dominates the cost for large degrees: each loop tracks every
    witness point twice).

    PHCpack's cascade starts with its blackbox solver on the embedded system, which took
    over 10 minutes on the tree network's zero-loss system (N = 2) that ``witness`` slices
    in 4 seconds: use it for small systems and for sets of unexpected dimension.

    >>> from algebra.examples import twisted_cubic
    >>> w = cascade(twisted_cubic())
    >>> [(c.dimension, c.degree, c.factors) for c in w.components]
    [(1, 3, [3])]
    """
    from algebra import phc

    n = system.n_variables
    if n == 0:
        raise SpecError("the system has no unknowns")
    if system.n_equations == 0:
        raise SpecError("the system has no equations: its solution set is all of C^n")
    low = max(0, n - system.n_equations)
    top = n - 1 if top is None else top
    if not low <= top <= n - 1:
        raise SpecError(f"top dimension {top}: use a value from {low} to {n - 1} "
                        f"({system.n_equations} equations in {n} unknowns)")
    degrees = sorted(system.degrees, reverse=True)
    # the embedding keeps N <= n equations' degrees (the slices are linear); more are randomized to n
    paths = math.prod(degrees) if len(degrees) <= n else degrees[0] ** n
    if paths > max_paths:
        raise SpecError(f"the cascade's start system has {paths:,} paths, over the limit of {max_paths:,} "
                        "(raise it with --max-paths; PHCpack tracks them one core each)")
    began = time.perf_counter()
    names = phc_names(system.variables)
    polys = [p + ";" for p in polynomial_strings(system, names, imag_unit="i")]
    best: dict[int, Component] = {}
    isolated = 0
    for attempt in range(tries):
        deco = phc.run("witness", polys, n, top, names, seed + 1000 * attempt, loops, timeout=timeout)
        isolated = len(deco.get("0", {}).get("points", []))
        for key, entry in deco.items():
            dim = int(key)
            if dim == 0 or not entry["points"]:
                continue
            if loops == 0:
                best[dim] = Component(dim, len(entry["points"]), None, False, [], 1,
                                      entry["embedded"], entry["points"])
                continue
            traces = [t for _, t in entry["factors"]]
            ok = all(t < TRACE_TOL for t in traces)
            degree = len(entry["points"])
            if dim not in best or (ok and not best[dim].factors_certified):
                factors = sorted((len(g) for g, _ in entry["factors"]), reverse=True)
                if not ok:
                    factors = [degree]
                best[dim] = Component(dim, degree, factors, ok, traces, attempt + 1,
                                      entry["embedded"], entry["points"])
        if loops == 0 or all(c.factors_certified for c in best.values()):
            break
    components = [best[d] for d in sorted(best, reverse=True)]
    return WitnessResult(system.variables, components, isolated, seed,
                         time.perf_counter() - began, top, names, method="cascade")


def _random_slices(rng, count: int, w: int) -> np.ndarray:
    return (rng.standard_normal((count, w + 1)) + 1j * rng.standard_normal((count, w + 1))) / np.sqrt(2)


def witness(system: PolySystem, seed: int = 0, loops: int = 10, workers: int | None = None,
            timeout: float = 3600, max_paths: int = MAX_PATHS) -> WitnessResult:
    """Witness set of the pure (W - N)-dimensional part of N equations in W unknowns,
    its completeness by the linear trace test, and its irreducible factors by monodromy.

    The witness points are the regular solutions of the system cut by W - N random
    affine slices (``solve``, verified by independent runs). Singular endpoints are
    reported: they are where pieces of higher dimension or multiple components would
    show, which ``cascade`` resolves on small systems. Where the equations are dependent
    (their Jacobian has rank r < N at random points: an equation given twice, more
    equations than unknowns), the dimension is W - r, not W - N: r random combinations of
    the equations are sliced instead, and only the points that solve the given equations
    are kept.

    >>> from algebra.examples import twisted_cubic
    >>> w = witness(twisted_cubic())
    >>> c = w.components[0]
    >>> c.dimension, c.degree, c.factors, c.complete
    (1, 3, [3], True)
    """
    from algebra.solve import solve

    if not isinstance(system, PolySystem):
        raise TypeError(f"witness needs a PolySystem (algebra.polys), got {type(system).__name__}")
    w, n = system.n_variables, system.n_equations
    if w == 0 or n == 0:
        raise SpecError("the system needs unknowns and equations")
    check_seed(seed)
    began = time.perf_counter()
    given = system
    rank = generic_rank(system, np.random.default_rng([seed, 31]))
    notes = []
    if rank < n:
        if rank == 0:
            raise SpecError("every equation is constant (the Jacobian is zero at random points): the solution set "
                            "is empty or everything")
        system = randomized(system, rank, np.random.default_rng([seed, 37]))
        notes.append(f"the {n} equations have rank {rank} at random points ({n - rank} of them "
                     f"depend{'s' * (n - rank == 1)} on the others): the solution set has dimension at least "
                     f"W - {rank} = {w - rank}; {rank} random combination{'s' * (rank != 1)} of them were sliced, "
                     "and only points that solve the given equations kept")
    dim = w - rank
    rng = np.random.default_rng([seed, 17])
    slices = _random_slices(rng, dim, w)
    sliced = append_slices(system, slices) if dim else system
    solved = solve(sliced, seed=seed, verify=True, workers=workers, timeout=timeout, max_paths=max_paths)
    points = solved.solutions(only_nonsingular=True)
    if rank < n and len(points):
        keep = on_system(given, np.asarray(points))
        if not keep.all():
            notes.append(f"{int(np.sum(~keep))} points of the randomized system do not solve the given equations: "
                         "left out")
        points = [p for p, k in zip(points, keep) if k]
    notes += list(solved.notes)
    higher = solved.accounting.get("positive_dimensional", 0)
    if higher:
        notes.append(f"{higher} paths ended on components of dimension above {dim}: the solution set's dimension is "
                     "higher than the equations count says (`--method cascade` describes every dimension)")
    elif solved.singular_paths:
        notes.append(f"{solved.singular_paths} singular endpoints: components of dimension above {dim} "
                     "or of multiplicity > 1 may exist (try `cascade`)")
    if solved.verdict == "lower-bound":
        notes.append("the slice count is a lower bound: " + solved.verification.get("why", ""))
    result = WitnessResult(system.variables, [], 0, seed, 0.0, dim, phc_names(system.variables),
                           "slice", notes, system, slices, higher)
    if dim == 0:
        result.isolated = len(points)
    elif len(points):
        comp = Component(dim, len(points), None, False, [], 1, [], points)
        _factor(result, comp, rng, loops, workers, timeout)
        result.components = [comp]
    result.seconds = time.perf_counter() - began
    return result


def _moved_paths(result: WitnessResult, frm: np.ndarray, to: np.ndarray, points: np.ndarray, rng,
                 workers, timeout) -> list:
    """The paths of witness points carried from slices ``frm`` to ``to`` (``solve.Path``s)."""
    from algebra.solve import track

    gamma = np.exp(2j * np.pi * rng.uniform())
    return track(append_slices(result.system, frm), append_slices(result.system, to), points, gamma,
                 seed=int(rng.integers(2**31)), workers=workers or 1, timeout=timeout)


def _move(result: WitnessResult, frm: np.ndarray, to: np.ndarray, points: np.ndarray, rng,
          workers, timeout) -> np.ndarray | None:
    """Witness points carried from slices ``frm`` to ``to``; None if any path failed."""
    paths = _moved_paths(result, frm, to, points, rng, workers, timeout)
    if any(p.status != "finite" for p in paths):
        return None
    return np.array([p.solution for p in paths])


def _match(moved: np.ndarray, points: np.ndarray) -> list[int] | None:
    """Index in ``points`` of each moved point (a permutation), or None."""
    perm = []
    for x in moved:
        d = np.max(np.abs(points - x), axis=1) / (1 + np.max(np.abs(x)))
        j = int(np.argmin(d))
        if d[j] > 1e-6:
            return None
        perm.append(j)
    return perm if len(set(perm)) == len(perm) else None


def _traces(result, comp, rng, workers, timeout) -> np.ndarray | None:
    """Projected coordinates of every witness point at three parallel positions of the
    slices (shift s of the first slice's constant): the data of the linear trace test."""
    points = np.asarray(comp.points)
    proj = rng.standard_normal(points.shape[1]) + 1j * rng.standard_normal(points.shape[1])
    shifts = [0.0, *(0.5 * np.exp(2j * np.pi * rng.uniform(size=2)))]
    out = []
    for s in shifts:
        to = result.slices.copy()
        to[0, -1] += s
        moved = points if s == 0 else _move(result, result.slices, to, points, rng, workers, timeout)
        if moved is None:
            return None
        out.append(moved @ proj)
    return np.array(shifts), np.array(out)  # (3,), (3, degree)


def trace_difference(shifts: np.ndarray, values: np.ndarray) -> float:
    """Deviation from linearity of the summed values over three shifts, relative to their size.

    >>> trace_difference(np.array([0.0, 1.0, 2.0]), np.array([[1.0], [3.0], [5.0]]))
    0.0
    """
    t = values.sum(axis=1)
    predicted = t[0] + (t[1] - t[0]) * (shifts[2] - shifts[0]) / (shifts[1] - shifts[0])
    return float(abs(t[2] - predicted) / (1 + np.abs(values).sum()))


def _factor(result, comp, rng, loops, workers, timeout) -> None:
    traces = _traces(result, comp, rng, workers, timeout)
    if traces is None:
        result.notes.append("a path failed while moving the slices: trace test not done")
        return
    shifts, values = traces
    whole = trace_difference(shifts, values)
    comp.complete = whole < TRACE_TOL
    if not comp.complete:
        result.notes.append(f"the witness set fails the linear trace test ({whole:.1e}): "
                            "points are missing, the degree is a lower bound")
    groups = [[i] for i in range(comp.degree)]
    points = np.asarray(comp.points)
    w = points.shape[1]
    for loop in range(loops):
        diffs = [trace_difference(shifts, values[:, g]) for g in groups]
        if all(d < TRACE_TOL for d in diffs):
            break
        mid = _random_slices(rng, result.slices.shape[0], w)
        there = _move(result, result.slices, mid, points, rng, workers, timeout)
        back = None if there is None else _move(result, mid, result.slices, there, rng, workers, timeout)
        perm = None if back is None else _match(back, points)
        comp.tries = loop + 1
        if perm is None:
            continue
        label = {i: k for k, g in enumerate(groups) for i in g}
        merged: dict[int, set] = {}
        for i, j in enumerate(perm):  # union of the groups a loop connects
            a, b = label[i], label[j]
            root = merged.setdefault(a, {a}) | merged.setdefault(b, {b})
            for k in root:
                merged[k] = root
        seen, new = set(), []
        for k in range(len(groups)):
            root = frozenset(merged.get(k, {k}))
            if root not in seen:
                seen.add(root)
                new.append(sorted(i for r in root for i in groups[r]))
        groups = new
    diffs = [trace_difference(shifts, values[:, g]) for g in groups]
    comp.trace_differences = diffs
    comp.factors_certified = bool(comp.complete) and all(d < TRACE_TOL for d in diffs)
    if comp.factors_certified:
        comp.factors = sorted((len(g) for g in groups), reverse=True)
    else:
        comp.factors = [comp.degree]
        result.notes.append(f"monodromy did not split the witness set into factors passing the "
                            f"trace test in {loops} loops: reported as one group, irreducibility "
                            "not established")


def is_member(result: WitnessResult, point, dimension: int | None = None, seed: int = 0,
              timeout: float = 3600) -> bool:
    """Homotopy membership test: does ``point`` lie on the given component (default: the
    top-dimensional one)? The slices are moved to slices through the point; it is a
    member iff a witness point arrives there.

    >>> from algebra.examples import twisted_cubic
    >>> w = witness(twisted_cubic())
    >>> is_member(w, [2.0, 4.0, 8.0]), is_member(w, [2.0, 4.0, 9.0])
    (True, False)
    """
    point = np.asarray(point, dtype=complex).ravel()
    if point.shape[0] != len(result.variables):
        raise SpecError(f"the point has {point.shape[0]} coordinates; the system has "
                        f"{len(result.variables)} unknowns")
    if not result.components:
        raise SpecError("no positive-dimensional component to test membership in")
    comp = result.component(result.dimension if dimension is None else dimension)
    if result.method == "cascade":
        from algebra import phc

        coords = {n: [z.real, z.imag] for n, z in zip(result.names, point)}
        return bool(phc.run("member", comp.embedded, comp.points, comp.dimension, coords, seed))
    from algebra.solve import relative_residual

    if relative_residual(result.system, point) > 1e-8:
        return False
    rng = np.random.default_rng([seed, 19])
    through = _random_slices(rng, comp.dimension, point.shape[0])
    through[:, -1] = -through[:, :-1] @ point
    paths = _moved_paths(result, result.slices, through, np.asarray(comp.points), rng, 1, timeout)
    # any end at the point answers yes, whatever the other paths did and however the end was
    # classified (a point of norm 1e9 is past PHCpack's "at infinity" norm, yet it is the point);
    # the gap is taken coordinate by coordinate, each against its own size: relative to the
    # largest one, the twisted cubic passes within 1e-6 of (1e3, 1e6, 1e9 + 1e4), not on it
    ends = np.array([p.solution for p in paths])
    size = np.maximum(np.abs(point), max(1e-8 * float(np.max(np.abs(point))), 1e-8))
    with np.errstate(invalid="ignore"):
        gap = np.max(np.abs(ends - point) / size, axis=1)
    if np.any(gap < 1e-6):
        return True
    # a path arrived where it reached t = 1 at finite coordinates, however large (PHCpack's
    # classes call a norm above 1e8 "infinity"; here it is a point of the moved slice)
    arrived = [p.status != "failed" and abs(p.t - 1) <= 1e-8 and bool(np.all(np.isfinite(p.solution)))
               for p in paths]
    if all(arrived):
        return False
    raise SpecError(f"membership undecided: no witness path reached the point and {arrived.count(False)} of "
                    f"{len(paths)} stopped short (one of them may have been the point's): try another seed")
