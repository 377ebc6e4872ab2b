"""Monodromy solving in the family of a system with free constant terms.

The family F_c(z) = N(z) + c (``family.ConstantFamily``). A random complex z0 solves
F_c0 for c0 = -N(z0): a start pair for free. A loop c0 -> c1 -> c0 to random complex
constants and back along another gamma arc (the two arcs enclose the branch points
between them) carries every known solution of F_c0 around the family's branch locus;
it comes back permuted, often onto solutions not yet known. Every known solution is sent
around every loop; the set grows until ``stall`` loops drawn after the last new solution
add nothing (more for a small set, so that they carry ``stall_paths`` paths), or until it
reaches ``target``; one homotopy from c0 to the system's own constants then gives its
solutions.

Where a group of signed permutations acts on the system (a network's unit sign flips, say:
F(g z) = P F(z)), it maps the solutions of F_c0 onto those of F_(P c0) for free; a twisted
loop tracks them back to F_c0 along one arc, a permutation of F_c0's solutions for one edge
a point instead of two (``_Loop``). Members with constants P c0 = c0, which the group would
map to themselves, are not used: there the solutions fixed by some g (a unit with zero
weights) never meet the others, and paths through them are longer.

The work is a queue of (point, loop, edge) jobs, and each round moves every queued point
one edge on, in one batch (``family.SegmentsHomotopy``: each path has its own segment):
the rounds cost what the points cost, not what the number of loops and edges costs in
Python overhead. When the queue runs dry, the loops still owed to the stall rule are
drawn together, so that their passes share batches too.

Every solution found is proved a regular solution by Krawczyk's test before it joins the set
(``prove``; ``_Gate``), so a count is a proved lower bound of the family's generic root
count; "the set stopped growing" is evidence, not a proof: ``completeness.trace_test`` is
what proves the set complete. The straight-line homotopy between
two members, with the gamma trick, stays in the family: (1 - s) gamma F_a + s F_b is a
nonzero multiple of N(z) plus constants.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from algebra.continuation.backend import backend
from algebra.continuation.family import ConstantFamily, SegmentsHomotopy
from algebra.continuation.homotopy import StraightLineHomotopy, chart_for
from algebra.continuation.paths import run_paths
from algebra.continuation.tracker import DONE, RUNNING, TrackerOptions, track
from algebra.errors import SpecError
from algebra.polys import PolySystem

STALL = 5           # loops drawn after the last new solution that must add nothing before the set is taken as complete
STALL_PATHS = 2_000  # ... and loops enough to carry so many paths: a small set's loops are cheap, and weak
                     # (few branch points): on the deep linear critical systems of `benchmarks/monodromy_counts.py
                     # --seeds 30`, 43 of 300 runs stopped short with 5 loops alone, 2 of 180 on the six worst
                     # with 1,000 paths, none with 2,000; a set of 200 solutions or more is unchanged
MAX_LOOPS = 1_000   # loops drawn at most
FIRST_LOOPS = 2     # loops drawn at the start (the stall rule draws the others)
TWIST_EVERY = 3     # with symmetries, one plain loop in so many (the others twisted, one edge each)
MAX_TWISTS = 1_000  # twisted by every element of a group up to this order (its generators beyond)
BATCH = 4_096       # jobs tracked together at most
ROUND = 30          # tracker iterations per round: then finished jobs leave, new ones join
NEWTON_CONVERGED = 1e-10  # the last Newton correction (relative) of a point that arrived at a corner
REFINE_STEPS = 3    # Newton steps at a corner
ACCEPT_PROVED = 1e-6  # the last correction a corner accepts where Krawczyk's test proves each point after
AT_INFINITY = 1e-8  # |h0| / max |z| below this: the point ran off to infinity (a non-generic corner)
PROOF_PRECISION = 424  # bits Krawczyk's test may go up to on a point found by the loops (106 first)
CORNERS = 2         # corners of a loop, c0 included (as many edges): two (c0 -> c1 -> c0 along two
                    # arcs) took 0.75x the time of triangles on the dense critical benchmark (medians
                    # over 8 seeds, one thread: `benchmarks/dense_critical.py --seeds 8 --corners 3`
                    # against the default) and stalled short as often on the deep linear ones

__all__ = ["ConstantFamily", "MonodromyResult", "monodromy_solve", "trace_test", "witness_check"]


@dataclass
class MonodromyResult:
    """Solutions of the base member F_c0, how they were found, and those of the system."""

    variables: tuple
    base_constants: np.ndarray
    base_solutions: np.ndarray          # (count, n) regular solutions of F_c0
    growth: list = field(default_factory=list)   # [paths tracked, solutions known] after each round
    loops: int = 0                      # loops drawn
    paths: int = 0                      # paths tracked (one edge each), the final homotopy and the
                                        # completeness checks included
    failed: int = 0                     # edge paths that did not arrive regular (their points dropped)
    stopped: str = ""                   # why the loops stopped
    solutions: np.ndarray | None = None  # the system's own regular finite solutions
    final: dict = field(default_factory=dict)  # the final homotopy's path classes
    seconds: float = 0.0
    trace: dict | None = None           # the last completeness check's verdict (``complete``), and on
                                        # how many points ("points")
    symmetries: list | None = None      # the names of the symmetries its twisted loops used
    twisted: int = 0                    # loops twisted by a symmetry (one edge each)
    proofs: list = field(default_factory=list)     # Krawczyk certificates of base_solutions, in order
                                                   # (empty: found without proofs, ``prove=False``)
    unproven: list = field(default_factory=list)   # condition numbers of points that arrived at c0
                                                   # but Krawczyk's test could not prove (left out)
    final_proofs: dict | None = None    # Krawczyk on the system's solutions: certified, distinct
    proof_seconds: float = 0.0          # of ``seconds``, spent in Krawczyk's test at the door
    out_of_time: bool = False           # the loops stopped at a ``deadline``, unfinished (a checkpoint
                                        # keeps them going on)

    @property
    def proved(self) -> bool:
        """Every base solution proved a regular solution of F_c0, and all proved different."""
        from algebra.certify import Prover

        return (len(self.proofs) == self.count and all(c.certified for c in self.proofs)
                and Prover.distinct(self.proofs) == self.count)

    @property
    def count(self) -> int:
        return len(self.base_solutions)

    def __repr__(self) -> str:
        final = "" if self.solutions is None else f"; {len(self.solutions)} solutions of the system"
        return (f"<MonodromyResult {self.count} solutions of the generic member after {self.loops} loops and "
                f"{self.paths:,} paths{final}; {self.stopped.split(':')[0]}>")

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(repr(self))

    def as_dict(self) -> dict:
        return {"method": "monodromy", "family": "free constant terms", "generic_count": self.count,
                "loops": self.loops, "growth": self.growth, "paths_tracked": self.paths,
                **({"symmetries": self.symmetries, "twisted_loops": self.twisted} if self.symmetries else {}),
                "failed_edge_paths": self.failed, "stopped": self.stopped,
                "proofs": self.proof_summary(),
                "solutions": None if self.solutions is None else len(self.solutions), "final": self.final,
                "certified": False, "why": "a monodromy count is a lower bound: " + self.stopped,
                "seconds": round(self.seconds, 3)}


    def proof_summary(self) -> dict:
        from algebra.certify import Prover

        cond = sorted(self.unproven, reverse=True)
        return {"base_proved": sum(c.certified for c in self.proofs), "base_distinct": Prover.distinct(self.proofs),
                "base": self.count, "seconds": round(self.proof_seconds, 3), "unproven": len(self.unproven),
                "unproven_conditions": [float(f"{c:.2e}") for c in cond[:10]],
                **({"final": self.final_proofs} if self.final_proofs is not None else {})}


def _random_constants(rng: np.random.Generator, n: int) -> np.ndarray:
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)) / math.sqrt(2)


def _track(family: ConstantFamily, a: np.ndarray, b: np.ndarray, starts: np.ndarray, rng, be,
           options: TrackerOptions, gamma: complex):
    """The ends of the paths from ``starts`` (solutions of F_a) to F_b, endgame included;
    ``gamma`` fixes the path in the family (c(s) = ((1 - s) gamma a + s b) / ((1 - s) gamma + s))."""
    chart = chart_for(family.base.n_variables + 1, int(rng.integers(2**31)))
    hom = StraightLineHomotopy(family.member(b), family.member(a), gamma, chart, be)
    return run_paths(hom, starts, options)


@dataclass
class _Loop:
    """A fixed loop c0 -> c1 -> ... -> c0 through CORNERS corners (and the gamma of each
    edge), drawn once: sending a solution around it again permutes it the same way.

    A twisted loop (``symmetry``: an element g of a group acting on the system, F(g z) =
    P F(z)) is one edge from P c0 to c0: g maps the solutions z of F_c0 onto those of
    F_(P c0) (N(g z) + P c0 = P (N(z) + c0)) for free, and the edge brings them back, so
    z -> end of g z is a permutation of F_c0's solutions for one edge a point, not CORNERS."""

    corners: np.ndarray     # (CORNERS, n)
    gammas: np.ndarray      # (CORNERS,) complex units
    sent: int = 0           # known[:sent] have been sent around it
    symmetry: tuple | None = None  # twisted: (g, P)
    edges: int = CORNERS
    twist: int = -1         # twisted: the index of (g, P) among the twists (a checkpoint's record)

    @classmethod
    def draw(cls, rng, c0: np.ndarray, scale: float) -> "_Loop":
        n = len(c0)
        corners = np.stack([c0] + [scale * _random_constants(rng, n) for _ in range(CORNERS - 1)])
        return cls(corners, np.exp(2j * np.pi * rng.uniform(size=CORNERS)))

    @classmethod
    def twisted(cls, rng, c0: np.ndarray, twists: list, index: int) -> "_Loop":
        g, p = twists[index]
        corners = np.stack([p(c0), c0] + [c0] * (CORNERS - 2))
        return cls(corners, np.exp(2j * np.pi * rng.uniform(size=CORNERS)), symmetry=(g, p), edges=1, twist=index)

    def starts(self, points: np.ndarray) -> np.ndarray:
        """Where solutions of F_c0 start on this loop (affine)."""
        return points if self.symmetry is None else self.symmetry[0](points)


@dataclass
class _Jobs:
    """Points on their way around loops: each on edge ``edge`` of loop ``loop``, at ``s``
    along it (0 at its start corner), with the step size it would take next (in s)."""

    points: np.ndarray      # (J, n + 1) in the projective chart
    loop: np.ndarray        # (J,) loop index
    edge: np.ndarray        # (J,) 0, 1 or 2
    s: np.ndarray           # (J,) in [0, 1)
    step: np.ndarray        # (J,)

    @classmethod
    def none(cls, n: int) -> "_Jobs":
        return cls(np.zeros((0, n + 1), complex), *(np.zeros(0, t) for t in (np.int64, np.int64, float, float)))

    def __len__(self) -> int:
        return len(self.loop)

    def take(self, rows) -> "_Jobs":
        return _Jobs(self.points[rows], self.loop[rows], self.edge[rows], self.s[rows], self.step[rows])

    @staticmethod
    def join(parts: list["_Jobs"]) -> "_Jobs":
        return _Jobs(np.vstack([p.points for p in parts]),
                     *(np.concatenate([getattr(p, k) for p in parts]) for k in ("loop", "edge", "s", "step")))


def _start(points: np.ndarray, loop, options: TrackerOptions, edge=0) -> _Jobs:
    """Jobs at the start of their edge (``loop`` and ``edge``: one value, or one per point)."""
    k = len(points)
    return _Jobs(points, np.zeros(k, np.int64) + loop, np.zeros(k, np.int64) + edge, np.zeros(k),
                 np.full(k, options.initial_step))


def _segments(jobs: _Jobs, loops: list[_Loop]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each job's edge: its start constants, end constants and gamma."""
    corners = np.stack([lp.corners for lp in loops])        # (L, 3, n)
    gammas = np.stack([lp.gammas for lp in loops])          # (L, 3)
    return (corners[jobs.loop, jobs.edge], corners[jobs.loop, (jobs.edge + 1) % CORNERS],
            gammas[jobs.loop, jobs.edge])


def _advance(hom: SegmentsHomotopy, jobs: _Jobs, a: np.ndarray, b: np.ndarray, gamma: np.ndarray,
             options: TrackerOptions, iterations: int, accept: float = NEWTON_CONVERGED,
             errors: list | None = None) -> tuple[_Jobs, np.ndarray, np.ndarray]:
    """``iterations`` tracker steps for every job, each on the segment from constants a to b
    with its gamma: the jobs still on their segment, the points (chart) that arrived
    regular at its end (``refine_at_end`` with ``accept``) and the jobs they were; their
    last Newton corrections appended to ``errors``."""
    segments = hom.on(a, b, gamma)
    be = hom.be
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        left = 1 - jobs.s
        res = track(segments, be.asarray(jobs.points), be.asarray(jobs.s.astype(complex)), 1.0, options,
                    step=jobs.step / left, iterations=iterations)
        z_all = be.to_numpy(res.z)
        going = np.flatnonzero(res.status == RUNNING)
        still = _Jobs(z_all[going], jobs.loop[going], jobs.edge[going], jobs.s[going] + res.u[going] * left[going],
                      res.step[going] * left[going])
        done = np.flatnonzero(res.status == DONE)
        z, ok, step = refine_at_end(segments.select(be.index(done)), z_all[done], accept)
    if errors is not None:
        errors.append(step[ok])
    return still, z[ok], jobs.take(done[ok])


def refine_at_end(at_end, z: np.ndarray, accept: float = NEWTON_CONVERGED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton at s = 1 of the homotopy ``at_end`` (one path per point, chart points z):
    the refined points, which converged (a regular point converges quadratically: the last
    correction below ``accept`` relative to the point) to a finite point (not h0 = 0: off
    to infinity at a non-generic member), and the last corrections. A point with a Jacobian
    of condition 1e8 stalls at corrections near 1e-9 in double precision: ``ACCEPT_PROVED``
    lets it through where Krawczyk's test decides after."""
    be = at_end.be
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z = be.asarray(z)
        ones = be.asarray(np.ones(z.shape[0], complex))
        step = np.full(z.shape[0], np.inf)
        for _ in range(REFINE_STEPS):
            h, hz, _ = at_end.evaluate(z, ones)
            dz = be.solve(hz, h)
            z = z - dz
            step = be.to_numpy(be.xp.max(be.xp.abs(dz), axis=1))
        z = be.to_numpy(z)
        size = np.max(np.abs(z), axis=1, initial=0.0)
        ok = (np.isfinite(step) & (step <= accept * (1 + size))
              & (np.abs(z[:, 0]) > AT_INFINITY * size))
    return z, ok, step


def _carry(hom: SegmentsHomotopy, points: np.ndarray, a: np.ndarray, b: np.ndarray, gamma: np.ndarray,
           options: TrackerOptions, accept: float = NEWTON_CONVERGED, errors: np.ndarray | None = None) -> np.ndarray:
    """Affine ``points`` (P, n), solutions of the members with constants a (P, n), carried
    to the members with constants b along their gamma arcs, in batches; NaN rows where a
    path did not arrive regular (no endgame: for targets that are generic members).
    ``errors`` (P,): filled with each arrived point's last Newton correction, affine and
    absolute (an estimate of its error)."""
    p = len(points)
    out = np.full(points.shape, np.nan + 0j)
    jobs = _start(hom.lift(points), np.arange(p), options)
    while len(jobs):
        k = jobs.loop  # the job's point
        steps: list = []
        jobs, arrived, which = _advance(hom, jobs, a[k], b[k], gamma[k], options, ROUND, accept, steps)
        out[which.loop] = arrived[:, 1:] / arrived[:, :1]
        if errors is not None and len(which):
            # a chart correction dz moves the affine point by about |dz| (1 + |x|) / |h0|
            errors[which.loop] = steps[0] * (1 + np.max(np.abs(out[which.loop]), axis=1)) / np.abs(arrived[:, 0])
    return out


class _Gate:
    """Krawczyk's test at the door of the solution set: points of F_c0 join it only when
    proved, as their refined midpoints. A point that failed once is remembered and not
    tried again (the loops bring the same ill-conditioned point back many times)."""

    def __init__(self, member: PolySystem, result: MonodromyResult, equations=None):
        from algebra.certify import Prover

        self.member, self.result = member, result
        self.prover = Prover(member, max_precision=PROOF_PRECISION, evaluator=ball_evaluator(equations, member))
        self.proofs: list = []
        self.rejected = np.zeros((0, member.n_variables), complex)

    def _prove(self, points: np.ndarray) -> np.ndarray:
        began = time.perf_counter()
        certs = self.prover.certificates(points)
        self.result.proof_seconds += time.perf_counter() - began
        ok = np.array([c.certified for c in certs], bool)
        self.proofs += [c for c in certs if c.certified]
        for x in points[~ok]:
            self.result.unproven.append(_condition(self.member, x))
        self.rejected = np.vstack([self.rejected, points[~ok]])
        return np.array([c.midpoint for c in certs if c.certified]).reshape(-1, points.shape[1])

    def admit_known(self, known: np.ndarray, proofs: list) -> np.ndarray:
        """Points to start from: ``proofs`` are the certificates of the first of them (a
        resumed result's), the rest are proved here (points added to it since)."""
        proofs = proofs[:len(known)]
        self.proofs = list(proofs)
        return np.vstack([known[:len(proofs)], self._prove(known[len(proofs):])])

    def reprove(self, known: np.ndarray) -> None:
        """The certificates of points read back from a saved state, which stay as they are
        (re-refined midpoints would differ in the last bits from the run that was not
        stopped); a point no longer proved is refused rather than counted."""
        began = time.perf_counter()
        certs = self.prover.certificates(known)
        self.result.proof_seconds += time.perf_counter() - began
        if not all(c.certified for c in certs):
            raise SpecError("a saved monodromy state holds points that Krawczyk's test does not prove: it was "
                            "changed, or is of another system; use a new folder")
        self.proofs = certs

    def admit(self, new: np.ndarray) -> np.ndarray:
        if len(new) and len(self.rejected):
            new = _new(self.rejected, new)
        return self._prove(new) if len(new) else new


def ball_evaluator(equations, system: PolySystem):
    """Krawczyk's evaluator through the affine evaluator the loops use, where it has one (a
    network's critical system: ``network_homotopy.balls``; 4 ms a proof on the canonical
    tree, where its 31,341 monomials take 0.8 s), else None (the system's monomials)."""
    balls = getattr(equations, "balls", None)  # a network's forward pass has them; T's augmented one not
    return None if balls is None else balls(system)


def _condition(system: PolySystem, x: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        try:
            c = float(np.linalg.cond(system.jacobian(x)))
        except np.linalg.LinAlgError:
            c = math.inf
    return c if math.isfinite(c) else 1e300


def _regular(ends) -> np.ndarray:
    ok = (ends.status == "finite") & (ends.winding == 1)
    return ends.affine[ok]


def _twists(system: PolySystem, symmetries: list | None, seed: int) -> list[tuple]:
    """(g, P) for every element but the identity of the group the ``symmetries`` (signed
    permutations of the unknowns) generate, P its action on the equations (F(g z) = P F(z)).
    Refuses a generator that does not act on the system."""
    if not symmetries:
        return []
    from algebra.symmetry import equation_action, group_elements

    for g in symmetries:
        if equation_action(system, g, seed) is None:
            raise SpecError(f"{g.name} does not act on this system (random L2 weights, slices or fixed weights "
                            "break it): leave it out of the symmetries")
    elements = group_elements(list(symmetries), MAX_TWISTS)
    if elements is None:
        elements = list(symmetries)
    return [(g, equation_action(system, g, seed)) for g in elements]


def _check_dominant(family: ConstantFamily, z0: np.ndarray) -> None:
    """Refuse a family whose map z -> N(z) is not onto an open set: its Jacobian at a random
    point is singular, the members through z0 have positive-dimensional solution sets, and
    a generic member has no solution at all, so there is nothing to count by loops (and a
    "count" of z0 alone would be wrong)."""
    jac = family.base.jacobian(z0)
    sv = np.linalg.svd(jac / np.maximum(np.linalg.norm(jac, axis=1, keepdims=True), 1e-300), compute_uv=False)
    rank = int(np.sum(sv > 1e-10 * sv[0])) if sv[0] > 0 else 0
    if rank < len(sv):
        raise SpecError(f"the equations are dependent (their Jacobian at a random point has rank {rank} of "
                        f"{len(sv)}): with free constant terms a generic member has no solutions, so monodromy "
                        "has nothing to count; count this system with --method homotopy")


def _new(known: np.ndarray, found: np.ndarray) -> np.ndarray:
    """The points of ``found`` that are not in ``known`` (nor repeated among themselves): one
    tree query for the batch against the known points (``distinct`` over all of them again
    took a tenth of a monodromy run)."""
    from algebra.nearest import Points
    from algebra.continuation.result import SAME_POINT, distinct, relative_embedding

    if len(found) and len(known):
        distance, _ = Points(relative_embedding(known)).nearest(relative_embedding(found), bound=SAME_POINT)
        found = found[~np.isfinite(distance)]
    return found[distinct(list(found))] if len(found) else found


def trace_test(system: PolySystem, solutions: np.ndarray, constants: np.ndarray, slices: int, seed: int = 0,
               device: str | None = None, options: TrackerOptions = TrackerOptions(), tol: float = 1e-6,
               equations=None, tries: int = 3) -> dict:
    """Whether ``solutions`` (of the member with ``constants``) are a complete witness set
    of the variety cut by the last ``slices`` equations (affine slices). The slices are
    translated in one random direction to t1 and t2; the sum of the witness points moves
    linearly in t exactly when the set is complete (for each component it meets). The
    points move between generic members in batches (``equations``: as in
    ``monodromy_solve``), all along one arc; if a path fails, all go along a new one, up to
    ``tries`` arcs.

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
    from algebra.continuation.result import distinct

    family = ConstantFamily.of(system)
    be = backend(device)
    rng = np.random.default_rng([seed, 23])
    n = system.n_equations
    direction = np.zeros(n, complex)
    direction[n - slices:] = _random_constants(rng, slices)
    hom = SegmentsHomotopy.of(family, be, chart_for(system.n_variables + 1, int(rng.integers(2**31))), equations)
    p = len(solutions)
    traces = [solutions.sum(axis=0)]
    tracked = 0
    for t in (0.5, -0.5):
        # every point along the same arc (one gamma), or the moved points are no bijection of
        # the old ones (arcs with different gammas go around different branch points); if a
        # path fails, all of them go again along a new arc
        for _ in range(tries):
            moved = _carry(hom, solutions, np.tile(constants, (p, 1)), np.tile(constants + t * direction, (p, 1)),
                           np.full(p, np.exp(2j * np.pi * rng.uniform())), options)
            tracked += p
            lost = int(np.sum(~np.all(np.isfinite(moved), axis=1)))
            if not lost:
                break
        if lost:
            return {"complete": None, "paths": tracked,
                    "why": f"{lost} of {p} witness points did not arrive regular under the moved slices ({tries} arcs "
                           "tried): no verdict"}
        if len(distinct(list(moved))) != p:
            return {"complete": None, "paths": tracked,
                    "why": "two witness points moved onto one (a path jumped): no verdict"}
        traces.append(moved.sum(axis=0))
    # linear in t: trace(0.5) - trace(0) = -(trace(-0.5) - trace(0))
    defect = float(np.max(np.abs((traces[1] - traces[0]) + (traces[2] - traces[0]))))
    scale = 1 + float(np.max(np.abs(traces)))
    return {"complete": bool(defect <= tol * scale), "defect": defect / scale, "paths": tracked,
            "why": "the trace of the witness points is linear under translated slices" if defect <= tol * scale
            else "the trace is not linear under translated slices: the witness set is incomplete"}


TRACE_RETRIES = 3  # rounds of new loops after a trace test that found the witness set incomplete


def complete_witness_set(system: PolySystem, result: MonodromyResult, slices: int, seed: int = 0,
                         stall: int = STALL, device: str | None = None, equations=None,
                         retries: int = TRACE_RETRIES) -> tuple[MonodromyResult, dict]:
    """The trace test on a monodromy result of a sliced system (the one made inside its loops,
    when it saw every point); while it finds the witness set incomplete, new loops from it
    (``resume``), up to ``retries`` rounds: the stall rule stops short (the tree network at
    seed 2 stopped at 71 of 72 once). Returns the last result and the last verdict, with
    ``resumed``: the rounds it took."""
    check = witness_check(system, slices, seed=seed, device=device, equations=equations)
    for extra in range(retries + 1):
        if result.trace is not None and result.trace["points"] == result.count:
            trace = {k: v for k, v in result.trace.items() if k != "points"}
        else:
            trace = check(result.base_solutions, result.base_constants)
            result.paths += trace.get("paths", 0)
        if trace["complete"] is not False or extra == retries:
            break
        result = monodromy_solve(system, seed=seed, stall=stall, device=device, equations=equations, resume=result,
                                 complete=check)
    return result, {**trace, "resumed": extra}


def witness_check(system: PolySystem, slices: int, seed: int = 0, device: str | None = None, equations=None):
    """The completeness check ``monodromy_solve(complete=...)`` takes for a witness set: the
    trace test of the points it knows, under its last ``slices`` equations."""
    def check(known: np.ndarray, constants: np.ndarray) -> dict:
        return trace_test(system, known, constants, slices, seed=seed, device=device, equations=equations)
    return check


def monodromy_solve(system: PolySystem, seed: int = 0, stall: int = STALL, target: int | None = None,
                    max_loops: int = MAX_LOOPS, device: str | None = None, final: bool = True,
                    options: TrackerOptions = TrackerOptions(), progress=None, equations=None,
                    max_seconds: float | None = None, resume: MonodromyResult | None = None,
                    complete=None, stall_paths: int = STALL_PATHS, symmetries: list | None = None,
                    prove: bool = True, checkpoint=None, key: str = "loops",
                    deadline: float | None = None) -> MonodromyResult:
    """The solutions of the generic member of ``system``'s constant-term family, by loops,
    then (``final``) those of ``system`` itself by one homotopy from them.

    The stall rule asks for ``stall`` loops without a new solution, and for more where the
    set is small: loops that carry at least ``stall_paths`` paths (known solutions x edges).

    ``equations``: an affine evaluator of the system's equations to track the loops with
    instead of its monomials (``network_homotopy.equations.NetworkEquations``: a network's forward
    pass); the final homotopy, which may need the endgame, uses the monomials.
    ``max_seconds``: a time budget for the loops; past it the search stops (a lower bound,
    said in ``stopped``) and the final homotopy still runs. ``resume``: an earlier result of
    this system whose base member and solutions the new loops start from (for example after
    a trace test found its witness set incomplete); its paths and loops count on.
    ``symmetries``: signed permutations of the unknowns that act on the system (a network's
    ``symmetry.acting_generators``): then TWIST_EVERY - 1 loops in TWIST_EVERY are twisted
    by the group's elements (``_Loop``: one edge a point instead of CORNERS), and the
    system's solutions are closed under the group at the end.
    ``prove``: a point that arrives at c0 joins the set (and the loops) only when Krawczyk's
    test proves a regular solution of F_c0 around it (``certify.Prover``), and joins as the
    refined midpoint; the others are left out, their condition numbers kept in ``unproven``.
    ``complete(known, c0)``: a completeness check (``witness_check``: the trace test of a
    witness set), asked whenever a loop drawn after the last new solution has added nothing,
    once per number of solutions; the loops stop when it answers complete (a witness set of
    degree 72 costs 144 paths a check, against 144 a loop the stall rule would still draw).
    ``checkpoint`` (a ``checkpoint.Checkpoint``): the loops' state is saved there under
    ``key`` as they go and when they end, and a state found there is gone on from (a
    finished one is not run again): the same solutions as a run that was never stopped.
    ``deadline`` (a ``time.perf_counter()`` value): there the loops stop unfinished
    (``out_of_time``; their state saved as still running, so that the next call goes on),
    where ``max_seconds`` ends them.

    >>> r = monodromy_solve(PolySystem(("x",), np.array([[3], [0]]), np.array([[1.0, -2.0]])), seed=1)
    >>> r.count, len(r.solutions), r.stopped.split(":")[0]
    (3, 3, 'no new solution from the 334 loops drawn after the last one (at least 5, carrying 2,000 paths)')
    """
    for name, value, low in (("stall", stall, 1), ("max_loops", max_loops, 1), ("stall_paths", stall_paths, 0)):
        if not isinstance(value, int) or value < low:
            raise SpecError(f"{name} must be an integer >= {low}, got {value!r}")
    if target is not None and (not isinstance(target, int) or target < 1):
        raise SpecError(f"target must be a positive integer, got {target!r}")
    if max_seconds is not None and not (isinstance(max_seconds, (int, float)) and max_seconds > 0):
        raise SpecError(f"max_seconds must be a positive number, got {max_seconds!r}")
    began = time.perf_counter()
    family = ConstantFamily.of(system)
    be = backend(device)
    n = system.n_variables
    if resume is None:
        rng = np.random.default_rng([seed, 17])
        z0 = _random_constants(rng, n)
        c0 = family.through(z0)
        _check_dominant(family, z0)
        known = z0[None, :]
    else:
        if resume.variables != system.variables or resume.base_constants.shape != (n,):
            raise SpecError("resume: an earlier monodromy result of another system")
        rng = np.random.default_rng([seed, 17, resume.loops])  # new loops, not the first run's again
        c0, known = resume.base_constants, resume.base_solutions
    # the loops' corners at the size of c0: small corners around a large c0 make thin
    # loops that enclose few branch points
    scale = max(1.0, float(np.sqrt(np.mean(np.abs(c0) ** 2))))
    hom = SegmentsHomotopy.of(family, be, chart_for(n + 1, int(rng.integers(2**31))), equations)
    result = MonodromyResult(system.variables, c0, known)
    if resume is not None:
        result.growth, result.paths, result.failed = list(resume.growth), resume.paths, resume.failed
        result.unproven, result.proof_seconds = list(resume.unproven), resume.proof_seconds
    gate = _Gate(family.member(c0), result, equations) if prove else None
    saved = checkpoint.load(key) if checkpoint is not None else None
    if gate is not None and saved is None:
        known = gate.admit_known(known, list(resume.proofs) if resume is not None else [])
        if not len(known):
            raise SpecError("no start point could be proved a regular solution of the base member: its Jacobian "
                            f"is near-singular (condition {result.unproven[-1]:.1e}); monodromy cannot start here")
    acting = _twists(system, symmetries, seed)
    # an element whose P keeps c0 (the outputs' equations of an unsliced zero-loss system: P is
    # the identity) maps F_c0's solutions to its own: its "loop" would not move, only permute
    # by g, so it twists nothing (the final set is still closed under the group)
    twists = [(g, p) for g, p in acting if np.max(np.abs(p(c0) - c0)) > 1e-8 * (1 + np.max(np.abs(c0)))]

    def draw() -> _Loop:  # every TWIST_EVERY-th loop plain, the others twisted by the group's elements in turn
        i = len(loops) + (resume.loops if resume is not None else 0)
        if not twists or i % TWIST_EVERY == 0:
            return _Loop.draw(rng, c0, scale)
        return _Loop.twisted(rng, c0, twists, (i - i // TWIST_EVERY - 1) % len(twists))

    per_loop = CORNERS if not twists else (CORNERS + TWIST_EVERY - 1) / TWIST_EVERY  # edges a loop, on average
    loops: list[_Loop] = []
    jobs = _Jobs.none(n)
    since = 0  # loops drawn after the last new solution (the first two do not count)
    checked = 0  # the number of solutions the completeness check last saw
    done = False
    if saved is not None:
        known, loops, jobs, since, checked, done = _restore(saved, result, gate, rng, twists, c0)
        began -= result.seconds
    else:
        for _ in range(FIRST_LOOPS):
            loops.append(draw())

    def save(finished: bool = False) -> None:
        if checkpoint is not None and (finished or checkpoint.due(key)):
            result.seconds = time.perf_counter() - began
            _save(checkpoint, key, result, known, loops, jobs, since, checked, rng, gate, finished)

    while not done:
        save()
        if deadline is not None and time.perf_counter() > deadline:
            result.out_of_time = True
            result.stopped = (f"stopped at the time budget with {len(known)} solutions ({len(jobs)} jobs still on "
                              "their loops)" + ("; the same command goes on from here" if checkpoint else ""))
            break
        if target is not None and len(known) >= target:
            result.stopped = f"reached the target count {target}"
            break
        if max_seconds is not None and time.perf_counter() - began > max_seconds:
            result.stopped = (f"stopped at the time budget of {max_seconds:g} s with {len(known)} solutions "
                              f"({len(jobs)} jobs still on their loops)")
            break
        fresh = [_start(hom.lift(loop.starts(known[loop.sent:])), i, options) for i, loop in enumerate(loops)
                 if loop.sent < len(known)]
        for loop in loops:
            loop.sent = len(known)
        jobs = _Jobs.join([jobs, *fresh])
        if not len(jobs):
            owed = max(stall, math.ceil(stall_paths / (per_loop * len(known))))
            if complete is not None and since >= 1 and len(known) > checked:
                checked = len(known)
                result.trace = {**complete(known, c0), "points": checked}
                result.paths += result.trace.get("paths", 0)
                if result.trace["complete"]:
                    result.stopped = (f"the completeness check passed after {since} loop{'s' * (since != 1)} without a "
                                      f"new solution: {len(known)} solutions")
                    break
            if since >= owed:
                result.stopped = (f"no new solution from the {since} loops drawn after the last one (at least "
                                  f"{stall}, carrying {stall_paths:,} paths): {len(known)} solutions, closed under "
                                  f"{len(loops)} loops")
                break
            if len(loops) >= max_loops:
                result.stopped = f"stopped after drawing {max_loops} loops with {len(known)} solutions, still growing"
                break
            # the loops the stall rule still asks for, drawn together to share batches (at most
            # as many as drawn since the last new solution, or ``stall``: a new solution among
            # them makes them owed again); one at a time where a completeness check can stop
            # them early
            more = min(1 if complete is not None else min(owed - since, max(stall, since)), max_loops - len(loops))
            for _ in range(more):
                loops.append(draw())
            since += more
            continue
        batch, rest = jobs.take(slice(0, BATCH)), jobs.take(slice(BATCH, None))
        # loose tolerances on the loops (a third fewer steps on the tree network): a point that
        # jumps paths still lands on a true solution, which Newton at the corner checks
        still, arrived, which = _advance(hom, batch, *_segments(batch, loops), options.loose(), ROUND,
                                         ACCEPT_PROVED if gate is not None else NEWTON_CONVERGED)
        finished = len(batch) - len(still)
        result.paths += finished
        result.failed += finished - len(which)
        on = which.edge + 1 < np.array([lp.edges for lp in loops])[which.loop]
        jobs = _Jobs.join([still, _start(arrived[on], which.loop[on], options, which.edge[on] + 1), rest])
        home = arrived[~on]
        new = _new(known, home[:, 1:] / home[:, :1])
        if gate is not None:
            new = gate.admit(new)
        if len(new):
            known = np.vstack([known, new])
            since = 0
        if finished:
            result.growth.append([result.paths, len(known)])
        if progress:
            progress(len(loops), len(known))
    if not done:
        save(finished=not result.out_of_time)
    result.loops = len(loops) + (resume.loops if resume is not None else 0)
    if acting:
        result.symmetries = [g.name for g in symmetries]
        result.twisted = sum(lp.symmetry is not None for lp in loops) + (resume.twisted if resume is not None else 0)
    result.base_solutions = known
    if gate is not None:
        result.proofs = gate.proofs
    if final:
        _finish(system, family, hom, result, rng, options, symmetries if acting else None, prove, equations)
    result.seconds = time.perf_counter() - began + (resume.seconds if resume is not None else 0.0)
    return result


def _save(checkpoint, key: str, result: MonodromyResult, known, loops: list[_Loop], jobs: _Jobs, since: int,
          checked: int, rng, gate, finished: bool) -> None:
    """The whole state of a ``monodromy_solve`` loop, under ``key`` (``_restore`` reads it)."""
    arrays = {"known": known, "corners": np.stack([lp.corners for lp in loops]),
              "gammas": np.stack([lp.gammas for lp in loops]), "sent": np.array([lp.sent for lp in loops]),
              "twist": np.array([lp.twist for lp in loops]), "edges": np.array([lp.edges for lp in loops]),
              "points": jobs.points, "loop": jobs.loop, "edge": jobs.edge, "s": jobs.s, "step": jobs.step,
              "growth": np.array(result.growth, dtype=np.int64).reshape(-1, 2),
              "unproven": np.array(result.unproven, dtype=float),
              "rejected": gate.rejected if gate is not None else np.zeros((0, known.shape[1]), complex)}
    meta = {"since": since, "checked": checked, "paths": result.paths, "failed": result.failed,
            "seconds": result.seconds, "proof_seconds": result.proof_seconds, "trace": result.trace,
            "stopped": result.stopped, "rng": rng.bit_generator.state, "done": finished,
            "proved": gate is not None}
    checkpoint.save(key, arrays, meta)


def _restore(saved, result: MonodromyResult, gate, rng, twists: list, c0: np.ndarray):
    """The state ``_save`` wrote, put back into ``result``, ``gate`` and ``rng``: the known
    points (proved again, unchanged), the loops, the jobs on their way and the counters."""
    arrays, meta = saved
    known = arrays["known"]
    if known.ndim != 2 or known.shape[1] != len(c0) or meta["proved"] != (gate is not None):
        raise SpecError("a saved monodromy state of another system or other options: use a new folder")
    loops = []
    for corners, gammas, sent, twist, edges in zip(arrays["corners"], arrays["gammas"], arrays["sent"],
                                                   arrays["twist"], arrays["edges"]):
        if twist >= len(twists) or not np.array_equal(corners[1 if twist >= 0 else 0], c0):
            raise SpecError("a saved monodromy state of another member or group: use a new folder")
        symmetry = twists[twist] if twist >= 0 else None
        loops.append(_Loop(corners, gammas, int(sent), symmetry, int(edges), int(twist)))
    jobs = _Jobs(arrays["points"], arrays["loop"], arrays["edge"], arrays["s"], arrays["step"])
    result.base_solutions = known
    result.growth = arrays["growth"].tolist()
    result.unproven = arrays["unproven"].tolist()
    result.paths, result.failed, result.seconds = meta["paths"], meta["failed"], meta["seconds"]
    result.proof_seconds, result.trace, result.stopped = meta["proof_seconds"], meta["trace"], meta["stopped"]
    rng.bit_generator.state = meta["rng"]
    if gate is not None:
        gate.rejected = arrays["rejected"]
        gate.reprove(known)
    return known, loops, jobs, meta["since"], meta["checked"], meta["done"]


def finish(system: PolySystem, result: MonodromyResult, seed: int = 0, device: str | None = None, equations=None,
           options: TrackerOptions = TrackerOptions(), symmetries: list | None = None,
           prove: bool = True) -> MonodromyResult:
    """The system's own solutions from a monodromy result's base solutions (one homotopy,
    as ``monodromy_solve(final=True)`` ends), for a result whose loops ran with
    ``final=False`` (then grew by more loops or a completeness test)."""
    began = time.perf_counter()
    family = ConstantFamily.of(system)
    be = backend(device)
    rng = np.random.default_rng([seed, 19, result.loops])
    hom = SegmentsHomotopy.of(family, be, chart_for(system.n_variables + 1, int(rng.integers(2**31))), equations)
    acting = _twists(system, symmetries, seed)
    _finish(system, family, hom, result, rng, options, symmetries if acting else None, prove, equations)
    result.seconds += time.perf_counter() - began
    return result


def _finish(system: PolySystem, family: ConstantFamily, hom: SegmentsHomotopy, result: MonodromyResult, rng,
            options: TrackerOptions, symmetries: list | None, prove: bool, equations=None) -> None:
    """One gamma for every path (a bijection onto the system's isolated solutions): the
    paths first in batches without an endgame; those that do not arrive regular (a singular
    limit, infinity, trouble) are tracked again along the same arcs with it. ``prove``:
    Krawczyk's test on the system's regular solutions (``final_proofs``)."""
    from algebra.continuation.result import distinct

    known, c0 = result.base_solutions, result.base_constants
    gamma = complex(np.exp(2j * np.pi * rng.uniform()))
    # in double precision only: double-double residuals would carry a path into a multiple
    # root of the system, where it must fail and go to the endgame (as ``paths.PHASE_TWO``)
    fast = _carry(hom, known, np.tile(c0, (len(known), 1)), np.tile(family.given, (len(known), 1)),
                  np.full(len(known), gamma), replace(options, extended=False))
    arrived = np.all(np.isfinite(fast), axis=1)
    counts = {"finite": int(arrived.sum()), "singular": 0, "infinity": 0, "failed": 0}
    finite = fast[arrived]
    if not arrived.all():
        ends = _track(family, c0, family.given, known[~arrived], rng, hom.be, options, gamma)
        counts = {k: counts[k] + v for k, v in ends.counts().items()}
        finite = np.vstack([finite, _regular(ends)])
    result.paths += len(known)
    result.solutions = finite[distinct(list(finite))] if len(finite) else finite
    result.final = {**counts, "distinct": len(result.solutions)}
    if symmetries and len(result.solutions):
        from algebra.symmetry import orbit_closure

        # the system's solutions are whole orbits: images that no path reached complete them
        orbits = orbit_closure(system, result.solutions, list(symmetries))
        result.solutions = orbits.points
        result.final.update(distinct=len(orbits.points), images_added=orbits.added, orbits=orbits.count)
    if prove:
        from algebra.certify import Prover

        began = time.perf_counter()
        certs = Prover(system, max_precision=PROOF_PRECISION,
                       evaluator=ball_evaluator(equations, system)).certificates(result.solutions)
        result.final_proofs = {"certified": sum(c.certified for c in certs), "distinct": Prover.distinct(certs),
                               "real": sum(bool(c.real) for c in certs if c.certified),
                               "seconds": round(time.perf_counter() - began, 3)}
