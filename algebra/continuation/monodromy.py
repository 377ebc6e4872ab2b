"""Monodromy solving in the family of a system with free constant terms.

The family F_c(z) = N(z) + c: N the system's non-constant part, c in C^n the constant
terms (for a network's sliced zero-loss system, the targets y_i and the slice offsets).
A random complex z0 solves F_c0 for c0 = -N(z0): a start pair for free. A loop
c0 -> c1 -> c2 -> c0 through random complex constants carries every known solution of
F_c0 around the family's branch locus; it comes back permuted, often onto solutions not
yet known. The set grows until ``stall`` loops in a row add nothing (or it reaches
``target``); one homotopy from c0 to the system's own constants then gives its solutions.

Every solution found is a genuine, Newton-refined regular solution, so a count is a lower
bound of the family's generic root count; "the set stopped growing" is evidence, not a
proof (the trace test is what proves completeness). The straight-line homotopy between
two members, with the gamma trick, stays in the family: (1 - s) gamma F_a + s F_b is a
nonzero multiple of N(z) plus constants.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from algebra.continuation.backend import backend
from algebra.continuation.homotopy import StraightLineHomotopy, chart_for
from algebra.continuation.paths import run_paths
from algebra.continuation.tracker import TrackerOptions
from algebra.errors import SpecError
from algebra.polys import PolySystem

STALL = 5           # new loops in a row without a new solution before the set is taken as complete
MAX_LOOPS = 1_000   # loop passes (one batch of solutions around one loop)


@dataclass
class ConstantFamily:
    """F_c(z) = N(z) + c for a square system: its non-constant part and constant column."""

    base: PolySystem        # the system with a constant term in every equation, set to 0
    column: int             # index of the constant monomial
    given: np.ndarray       # the system's own constant terms

    @classmethod
    def of(cls, system: PolySystem) -> "ConstantFamily":
        if not system.is_square:
            raise SpecError(f"monodromy needs a square system, got {system.n_equations} equations in "
                            f"{system.n_variables} unknowns")
        mons = system.monomials
        zero = np.flatnonzero(~mons.any(axis=1))
        coef = system.coefficients.toarray().astype(complex)
        if len(zero):
            column = int(zero[0])
        else:  # no constant monomial anywhere: add it, with constant terms 0
            mons = np.vstack([mons, np.zeros((1, system.n_variables), dtype=np.int64)])
            coef = np.hstack([coef, np.zeros((coef.shape[0], 1), complex)])
            column = mons.shape[0] - 1
        given = coef[:, column].copy()
        coef[:, column] = 0
        return cls(PolySystem(system.variables, mons, sparse.csr_array(coef), system.kind), column, given)

    def member(self, c: np.ndarray) -> PolySystem:
        """F_c: every equation with constant term c_i (nonzero, or the supports change)."""
        coef = self.base.coefficients.toarray()
        coef[:, self.column] = c
        return PolySystem(self.base.variables, self.base.monomials, sparse.csr_array(coef), self.base.kind)

    def through(self, z: np.ndarray) -> np.ndarray:
        """The constants c for which ``z`` solves F_c."""
        return -self.base.evaluate(np.asarray(z, dtype=complex))


@dataclass
class MonodromyResult:
    """Solutions of the base member F_c0, how they were found, and those of the system."""

    variables: tuple
    base_constants: np.ndarray
    base_solutions: np.ndarray          # (count, n) regular solutions of F_c0
    growth: list = field(default_factory=list)   # known solutions after each loop
    paths: int = 0                      # paths tracked, the final homotopy included
    stopped: str = ""                   # why the loops stopped
    solutions: np.ndarray | None = None  # the system's own regular finite solutions
    final: dict = field(default_factory=dict)  # the final homotopy's path classes
    seconds: float = 0.0

    @property
    def count(self) -> int:
        return len(self.base_solutions)

    @property
    def loops(self) -> int:
        return len(self.growth)

    def as_dict(self) -> dict:
        return {"method": "monodromy", "family": "free constant terms", "generic_count": self.count,
                "loops": self.loops, "growth": self.growth, "paths_tracked": self.paths, "stopped": self.stopped,
                "solutions": None if self.solutions is None else len(self.solutions), "final": self.final,
                "certified": False, "why": "a monodromy count is a lower bound: " + self.stopped,
                "seconds": round(self.seconds, 3)}


def _random_constants(rng: np.random.Generator, n: int) -> np.ndarray:
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)) / math.sqrt(2)


def _track(family: ConstantFamily, a: np.ndarray, b: np.ndarray, starts: np.ndarray, rng, be,
           options: TrackerOptions, gamma: complex | None = None, chart: np.ndarray | None = None):
    """The ends of the paths from ``starts`` (solutions of F_a) to F_b; ``gamma`` fixes the
    path in the family (c(s) = ((1 - s) gamma a + s b) / ((1 - s) gamma + s)), random if None."""
    if gamma is None:
        gamma = complex(np.exp(2j * np.pi * rng.uniform()))
    if chart is None:
        chart = chart_for(family.base.n_variables + 1, int(rng.integers(2**31)))
    hom = StraightLineHomotopy(family.member(b), family.member(a), gamma, chart, be)
    return run_paths(hom, starts, options)


@dataclass
class _Loop:
    """A fixed loop c0 -> c1 -> c2 -> c0 (corners, and the gamma of each edge, drawn once):
    sending a solution around it again permutes it the same way."""

    corners: tuple
    gammas: tuple
    chart: np.ndarray
    sent: int = 0           # known[:sent] have been sent around it

    @classmethod
    def draw(cls, rng, c0: np.ndarray, scale: float, n_variables: int) -> "_Loop":
        n = len(c0)
        corners = (c0, scale * _random_constants(rng, n), scale * _random_constants(rng, n))
        gammas = tuple(complex(np.exp(2j * np.pi * rng.uniform())) for _ in range(3))
        return cls(corners, gammas, chart_for(n_variables + 1, int(rng.integers(2**31))))

    def around(self, family: ConstantFamily, starts: np.ndarray, be, options) -> tuple[np.ndarray, int]:
        """The regular ends of ``starts`` after the loop, and the paths tracked."""
        points, paths = starts, 0
        c0, c1, c2 = self.corners
        for (a, b), gamma in zip(((c0, c1), (c1, c2), (c2, c0)), self.gammas):
            paths += len(points)
            points = _regular(_track(family, a, b, points, None, be, options, gamma, self.chart))
            if len(points) == 0:
                break
        return points, paths


def _regular(ends) -> np.ndarray:
    ok = (ends.status == "finite") & (ends.winding == 1)
    return ends.affine[ok]


def _new(known: np.ndarray, found: np.ndarray) -> np.ndarray:
    """The points of ``found`` that are not in ``known`` (nor repeated among themselves)."""
    from algebra.solve import distinct

    if len(found) == 0:
        return found
    points = list(known) + list(found)
    keep = [i - len(known) for i in distinct(points) if i >= len(known)]
    return found[keep]


def trace_test(system: PolySystem, solutions: np.ndarray, constants: np.ndarray, slices: int, seed: int = 0,
               device: str | None = None, options: TrackerOptions = TrackerOptions(), tol: float = 1e-6) -> dict:
    """Whether ``solutions`` (of the member with ``constants``) are a complete witness set
    of the variety cut by the last ``slices`` equations (affine slices). The slices are
    translated in one random direction to t1 and t2; the sum of the witness points moves
    linearly in t exactly when the set is complete (for each component it meets).

    >>> from algebra.systems import random_slices
    >>> circle = random_slices(PolySystem(("x", "y"), np.array([[2, 0], [0, 2], [0, 0]]),
    ...                                   np.array([[1.0, 1.0, -1.0]])), 1, seed=2)
    >>> r = monodromy_solve(circle, seed=2)
    >>> trace_test(circle, r.base_solutions, r.base_constants, 1)["complete"], r.count
    (True, 2)
    >>> trace_test(circle, r.base_solutions[:1], r.base_constants, 1)["complete"]
    False
    """
    if not 1 <= slices <= system.n_equations:
        raise SpecError(f"slices must be in [1, {system.n_equations}], got {slices}")
    family = ConstantFamily.of(system)
    be = backend(device)
    rng = np.random.default_rng([seed, 23])
    n = system.n_equations
    direction = np.zeros(n, complex)
    direction[n - slices:] = _random_constants(rng, slices)
    traces = [solutions.sum(axis=0)]
    for t in (0.5, -0.5):
        ends = _track(family, constants, constants + t * direction, solutions, rng, be, options)
        moved = _regular(ends)
        if len(moved) != len(solutions):
            return {"complete": None, "why": f"{len(solutions) - len(moved)} of {len(solutions)} witness points did "
                                              "not end regular under the moved slices: no verdict"}
        traces.append(moved.sum(axis=0))
    # linear in t: trace(0.5) - trace(0) = -(trace(-0.5) - trace(0))
    defect = float(np.max(np.abs((traces[1] - traces[0]) + (traces[2] - traces[0]))))
    scale = 1 + float(np.max(np.abs(traces)))
    return {"complete": bool(defect <= tol * scale), "defect": defect / scale,
            "why": "the trace of the witness points is linear under translated slices" if defect <= tol * scale
            else "the trace is not linear under translated slices: the witness set is incomplete"}


def monodromy_solve(system: PolySystem, seed: int = 0, stall: int = STALL, target: int | None = None,
                    max_loops: int = MAX_LOOPS, device: str | None = None, final: bool = True,
                    options: TrackerOptions = TrackerOptions(), progress=None) -> MonodromyResult:
    """The solutions of the generic member of ``system``'s constant-term family, by loops,
    then (``final``) those of ``system`` itself by one homotopy from them.

    >>> r = monodromy_solve(PolySystem(("x",), np.array([[3], [0]]), np.array([[1.0, -2.0]])), seed=1)
    >>> r.count, len(r.solutions), r.stopped.split(":")[0]
    (3, 3, 'no new solution from 5 new loops in a row')
    """
    for name, value, low in (("stall", stall, 1), ("max_loops", max_loops, 1)):
        if not isinstance(value, int) or value < low:
            raise SpecError(f"{name} must be an integer >= {low}, got {value!r}")
    if target is not None and (not isinstance(target, int) or target < 1):
        raise SpecError(f"target must be a positive integer, got {target!r}")
    began = time.perf_counter()
    family = ConstantFamily.of(system)
    be = backend(device)
    rng = np.random.default_rng([seed, 17])
    n = system.n_variables
    z0 = _random_constants(rng, n)
    c0 = family.through(z0)
    known = z0[None, :]
    # the loops' corners at the size of c0: small corners around a large c0 make thin
    # triangles that enclose few branch points
    scale = max(1.0, float(np.sqrt(np.mean(np.abs(c0) ** 2))))
    result = MonodromyResult(system.variables, c0, known)
    # the orbit of z0 under a few fixed loops: every known solution goes around every loop
    # once (new ones too); when nothing is left to send, a new loop is drawn, and the search
    # stops after ``stall`` new loops in a row that found nothing
    loops = [_Loop.draw(rng, c0, scale, n) for _ in range(2)]
    quiet = 0
    while True:
        if target is not None and len(known) >= target:
            result.stopped = f"reached the target count {target}"
            break
        pending = [loop for loop in loops if loop.sent < len(known)]
        drawn = not pending
        if drawn:
            if quiet >= stall:
                result.stopped = (f"no new solution from {stall} new loops in a row: {len(known)} solutions, "
                                  f"closed under {len(loops)} loops")
                break
            loops.append(_Loop.draw(rng, c0, scale, n))
            pending = loops[-1:]
        if result.loops >= max_loops:
            result.stopped = f"stopped after {max_loops} loop passes with {len(known)} solutions, still growing"
            break
        loop = pending[0]
        ends, paths = loop.around(family, known[loop.sent:], be, options)
        result.paths += paths
        loop.sent = len(known)
        fresh = _new(known, ends)
        known = np.vstack([known, fresh]) if len(fresh) else known
        quiet = 0 if len(fresh) else quiet + drawn
        result.growth.append(len(known))
        if progress:
            progress(result.loops, len(known))
    result.base_solutions = known
    if final:
        ends = _track(family, c0, family.given, known, rng, be, options)
        result.paths += len(known)
        counts = ends.counts()
        finite = _regular(ends)
        from algebra.solve import distinct

        result.solutions = finite[distinct(list(finite))] if len(finite) else finite
        result.final = {**counts, "distinct": len(result.solutions)}
    result.seconds = time.perf_counter() - began
    return result
