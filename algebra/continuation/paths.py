"""Every path of a homotopy from its start point to a classified end, as arrays.

``run_paths`` tracks all paths to s = 1 - radius, then straight on to s = 1; a path that
arrives with a well-conditioned Jacobian has a regular limit. The others (stuck before
s = 1, or arriving ill-conditioned) go through the Cauchy endgame from s = 1 - radius.
Failed paths are retracked once with stricter tracker options. Every path ends in one
of ``STATUSES``, so the counts add up to the number of paths, always.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

from algebra.continuation.endgame import (AT_INFINITY, CONVERGED, NOT_CLOSED, OUTCOMES as ENDGAME_OUTCOMES,
                                         EndgameOptions, EndgameResult, cauchy_endgame)
from algebra.continuation.precise import PreciseOptions, has_precise_form
from algebra.continuation.result import STATUSES
from algebra.continuation.tracker import DONE, OUTCOMES as TRACK_OUTCOMES, TrackerOptions, track

ENDGAME_RADIUS = 0.1      # tau = 1 - s where the endgame zone begins
REGULAR_CONDITION = 1e8   # endpoints reached directly above this condition go to the endgame
SINGULAR_CONDITION = 1e12  # a limit above this condition number is singular
INFINITY_REGULAR = 1e-8   # |h0| / max |z| below this: at infinity (affine norm above 1e8)
INFINITY_SINGULAR = 1e-7  # the same for singular limits (Cauchy estimates, less accurate)
NEWTON_CONVERGED = 1e-10  # last Newton correction of a regular limit, relative
NEWTON_MOVED = 1e-8       # Newton from a Cauchy estimate to a point this far (relative): another solution
ROW_FLOOR = 1e-12         # a Jacobian row this small against the sum of its terms' absolute values:
                          # a vanishing gradient (roundoff at a double root: 1e-16; cohn2 has a
                          # regular solution, |x| ~ 1e3, whose row is 1e-13 of its coefficients'
                          # norm but 0.2 of its terms' sum)
STUCK_RESIDUAL = 1e-6    # residual of a singular point where the endgame stopped
# The last stretch to s = 1 stays in double precision: double-double residuals would carry a
# path right into a multiple root, whose refined end (good to about sqrt(eps)) then passes for
# a regular solution; failing there sends the path to the endgame, which decides.
PHASE_TWO = TrackerOptions(max_steps=400, extended=False)
WALK_INFINITY = 0.5       # a walk's valuation below this sends a path to infinity only once the cycle
                          # endgame confirms it (h0 ~ tau^v decays too slowly below it to tell)


@dataclass
class PathSet:
    """End state of P paths (host arrays): chart points, affine points and their classes."""

    chart: np.ndarray              # (P, n + 1) endpoints in the projective chart
    status: np.ndarray             # (P,) strings from STATUSES
    winding: np.ndarray            # (P,) winding number (1 for paths that end regular)
    condition: np.ndarray          # (P,) condition number of the Jacobian at the endpoint
    steps: np.ndarray              # (P,) predictor-corrector steps, endgame included
    endgame: np.ndarray            # (P,) whether the endgame produced the limit
    why: list = field(default_factory=list)  # per failed path: the reason
    resume: np.ndarray | None = None  # (P, n + 1) per failed path, the last point double precision
                                      # reached on it (NaN rows for the others) ...
    resume_tau: np.ndarray | None = None  # (P,) ... at this tau = 1 - s (a higher precision goes on from there)
    bits: np.ndarray | None = None  # (P,) mantissa bits of the arithmetic that gave the end (53: double)
    extended: np.ndarray | None = None  # (P,) steps whose Newton residual was in double-double

    def __post_init__(self):
        if self.bits is None:
            self.bits = np.full(len(self.status), 53)
        if self.extended is None:
            self.extended = np.zeros(len(self.status), np.int64)
        if self.resume is None:
            self.resume = np.full(self.chart.shape, np.nan + 0j)
        if self.resume_tau is None:
            self.resume_tau = np.full(len(self.status), np.nan)

    @property
    def affine(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self.chart[:, 1:] / self.chart[:, :1]

    def counts(self) -> dict:
        return {s: int(np.sum(self.status == s)) for s in STATUSES}

    def replace(self, which: np.ndarray, new: "PathSet") -> None:
        """Take the ends of ``new`` for the paths ``which`` (their steps add up)."""
        for name in ("chart", "status", "winding", "condition", "endgame", "resume", "resume_tau", "bits"):
            getattr(self, name)[which] = getattr(new, name)
        self.steps[which] += new.steps
        self.extended[which] += new.extended
        for k, i in enumerate(which):
            self.why[i] = new.why[k]

    @staticmethod
    def concat(sets: list["PathSet"]) -> "PathSet":
        return PathSet(np.vstack([s.chart for s in sets]), np.concatenate([s.status for s in sets]),
                       np.concatenate([s.winding for s in sets]), np.concatenate([s.condition for s in sets]),
                       np.concatenate([s.steps for s in sets]), np.concatenate([s.endgame for s in sets]),
                       [w for s in sets for w in s.why], np.vstack([s.resume for s in sets]),
                       np.concatenate([s.resume_tau for s in sets]), np.concatenate([s.bits for s in sets]),
                       np.concatenate([s.extended for s in sets]))


def refine(homotopy, z: np.ndarray, iterations: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton on the target at s = 1: refined points, the last relative correction, and
    the condition number of the Jacobian at the refined points."""
    be = homotopy.be
    zz = be.asarray(z)
    last = np.full(z.shape[0], np.inf)
    for _ in range(iterations):
        h, hz = homotopy.target(zz)
        dz = be.solve(hz, h)
        step = be.to_numpy(be.xp.max(be.xp.abs(dz), axis=1))
        new = zz - dz
        ok = be.mask(np.isfinite(step))
        zz = be.xp.where(ok[:, None], new, zz)
        last = np.where(np.isfinite(step), step, last)
    _, hz = homotopy.target(zz)
    out = be.to_numpy(zz)
    jac = be.to_numpy(hz)
    return out, last / (1 + np.max(np.abs(out), axis=1, initial=0.0)), condition(jac, homotopy.row_scales(out))


def condition(jac: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Condition numbers of Jacobians (P, m, m) with rows scaled to unit norm, so that
    equations of very different sizes (a slice next to a polynomial with large
    coefficients) do not make a solution ill-conditioned; but a row smaller than
    ROW_FLOOR times ``scales`` (what that row adds up from: its terms in absolute value) is
    a gradient that vanishes, which makes the point singular (condition inf) instead of
    being blown up to unit norm. inf too where a matrix is singular or not finite."""
    out = np.full(jac.shape[0], np.inf)
    with np.errstate(all="ignore"):
        norms = np.linalg.norm(jac, axis=2)
        scaled = jac / norms[:, :, None]
        ok = np.all(np.isfinite(scaled), axis=(1, 2)) & np.all(norms > ROW_FLOOR * scales, axis=1)
        if ok.any():
            sv = np.linalg.svd(scaled[ok], compute_uv=False)
            out[ok] = np.where(sv[:, -1] > 0, sv[:, 0] / sv[:, -1], np.inf)
    return out


def _ends(homotopy, z0, options: TrackerOptions, endgame: EndgameOptions, radius: float) -> PathSet:
    be = homotopy.be
    p, m = z0.shape
    chart = np.full((p, m), np.nan + 0j)
    status = np.full(p, "failed", dtype=object)
    winding = np.ones(p, dtype=np.int64)
    cond = np.full(p, np.inf)
    used_endgame = np.zeros(p, bool)
    why = [""] * p
    resume, resume_tau = np.full((p, m), np.nan + 0j), np.full(p, np.nan)
    first = track(homotopy, be.asarray(z0), 0.0, 1 - radius, options.loose())
    steps = first.steps.copy()
    extended = first.extended.copy()
    zmid = be.to_numpy(first.z)
    for i in np.flatnonzero(first.status != DONE):
        why[i] = f"before the endgame zone: {TRACK_OUTCOMES[first.status[i]]} at s = {first.u[i] * (1 - radius):.3g}"
        resume[i], resume_tau[i] = zmid[i], 1 - first.u[i] * (1 - radius)
    ok = np.flatnonzero(first.status == DONE)
    second = track(homotopy, be.asarray(zmid[ok]), 1 - radius, 1.0, replace(PHASE_TWO, compiled=options.compiled))
    steps[ok] += second.steps
    extended[ok] += second.extended
    arrived = ok[second.status == DONE]
    z1, corr, c1 = refine(homotopy, be.to_numpy(second.z)[second.status == DONE])
    regular = (c1 <= REGULAR_CONDITION) & (corr <= NEWTON_CONVERGED)
    chart[arrived[regular]] = z1[regular]
    cond[arrived[regular]] = c1[regular]
    status[arrived[regular]] = "regular"
    rest = np.setdiff1d(ok, arrived[regular])
    valuation = np.full(p, np.nan)
    if len(rest):
        eg = cauchy_endgame(homotopy, be.asarray(zmid[rest]), radius, options, endgame)
        eg = _whole_cycles(homotopy, zmid[rest], eg, radius, options, endgame)
        valuation[rest] = eg.valuation
        extended[rest] += eg.extended
        used_endgame[rest] = True
        _classify(homotopy, eg, rest, chart, status, winding, cond, why)
        lost = status[rest] == "failed"
        resume[rest[lost]], resume_tau[rest[lost]] = eg.last[lost], eg.radius[lost]
    _at_infinity(chart, status, homotopy, valuation, endgame.finite_valuation)
    return PathSet(chart, status, winding, cond, steps, used_endgame, why, resume, resume_tau, extended=extended)


def _whole_cycles(homotopy, z: np.ndarray, eg: EndgameResult, radius: float, options: TrackerOptions,
                  endgame: EndgameOptions) -> EndgameResult:
    """Paths whose loops did not close by ``max_winding``, and paths the walk alone sent to
    infinity on a small valuation (below ``WALK_INFINITY``, never confirmed by a loop), go
    round once each in the cycle endgame (``cycle_endgame``), which reads the limit of a
    whole cycle, finite or at infinity, from one loop a path. A walk's valuation converges
    like tau^(1/c): at large winding numbers a small one can settle before it is right, and a
    member of a finite cycle sent to infinity would leave its cycle open (x^20 = 0, one root
    of multiplicity 20, used to end "20 at infinity, complete with probability one"). What
    the cycle endgame resolves replaces the Cauchy endgame's result."""
    from algebra.continuation.cycle_endgame import cycle_endgame

    with np.errstate(invalid="ignore"):
        walked = (eg.status == AT_INFINITY) & (eg.winding == 0) & ~(eg.valuation >= WALK_INFINITY)
    subset = np.flatnonzero((eg.status == NOT_CLOSED) | walked)
    if not len(subset):
        return eg
    ce = cycle_endgame(homotopy, z[subset], radius, options, endgame)
    take = np.isin(ce.status, (CONVERGED, AT_INFINITY))
    rows = subset[take]
    for name in ("limit", "winding", "status", "accuracy", "radius", "last"):
        getattr(eg, name)[rows] = getattr(ce, name)[take]
    eg.extended[subset] += ce.extended
    return eg


def _classify(homotopy, eg, rest: np.ndarray, chart, status, winding, cond, why) -> None:
    """The ends of the paths ``rest`` from their endgame results ``eg``, written in place."""
    away = eg.status == AT_INFINITY
    chart[rest[away]] = eg.limit[away]
    status[rest[away]] = "infinity"
    cond[rest[away]] = np.inf
    done = eg.status == CONVERGED
    # a path the endgame could not finish, stopped at a point that solves the target to
    # 1e-6 where the Jacobian is singular, ends singular (the Jacobian near a regular
    # solution stays invertible): on positive-dimensional components this is common
    stuck = np.flatnonzero(~done & ~away)
    if len(stuck):
        zs, _, cs = refine(homotopy, eg.last[stuck], iterations=0)
        near = (homotopy.residual(zs) <= STUCK_RESIDUAL) & (cs > SINGULAR_CONDITION)
        chart[rest[stuck[near]]] = zs[near]
        cond[rest[stuck[near]]] = cs[near]
        winding[rest[stuck[near]]] = 0
        status[rest[stuck[near]]] = "singular"
        for i, s in zip(rest[stuck[~near]], eg.status[stuck[~near]]):
            why[i] = why[i] or f"endgame: {ENDGAME_OUTCOMES[int(s)]}"
    back = rest[done]
    est = eg.limit[done]
    # the condition at the estimate itself decides first: Newton from a singular limit
    # wanders off it (seen: from 1e-16 at a double root to 3e-4)
    _, _, c0 = refine(homotopy, est, iterations=0)
    chart[back], cond[back], winding[back] = est, c0, eg.winding[done]
    status[back] = "singular"
    maybe = np.flatnonzero(c0 <= SINGULAR_CONDITION)
    zl, corr, cl = refine(homotopy, est[maybe])
    # a limit of winding number 1 where Newton converges and the Jacobian is
    # invertible is a regular solution reached by an awkward path
    reg = (eg.winding[done][maybe] == 1) & (cl <= SINGULAR_CONDITION) & (corr <= NEWTON_CONVERGED)
    chart[back[maybe[reg]]], cond[back[maybe[reg]]] = zl[reg], cl[reg]
    status[back[maybe[reg]]] = "regular"
    # an estimate Newton cannot finish next to a well-conditioned point, or loops that
    # permuted paths where Newton finds a well-conditioned solution away from the estimate:
    # the loops enclosed another branch point (close solutions), and the estimate is an
    # average over several of them. Loops that permuted paths around a point Newton does
    # not leave are a singular limit, however its rows scale (the cusp x^3 = y^2 at the
    # origin: every term of each gradient vanishes with the point, and the normalized rows
    # look well-conditioned)
    with np.errstate(all="ignore"):
        moved = np.max(np.abs(zl - est[maybe]), axis=1, initial=0.0) / (1 + np.max(np.abs(zl), axis=1, initial=0.0))
    elsewhere = (moved > NEWTON_MOVED) & (corr <= NEWTON_CONVERGED) & (cl <= REGULAR_CONDITION)
    multiple = eg.winding[done][maybe] > 1
    odd = back[maybe[~reg & (c0[maybe] <= REGULAR_CONDITION) & (~multiple | elsewhere)]]
    status[odd] = "failed"
    for i in odd:
        why[i] = ("endgame: its estimate lies near a well-conditioned point that is not its limit "
                  "(the loops enclosed another branch point)")


def _at_infinity(chart, status, homotopy=None, valuation=None, finite_valuation: float = 0.01) -> None:
    """Limits at h0 = 0 are at infinity, decided by the geometry of the chart, never by the
    size of the affine point: a regular limit whose h0 is below INFINITY_REGULAR (relative) is
    finite when Krawczyk's test on the chart's system proves its h0 nonzero (a phosphorylation
    network's steady states near 3e13 have h0 ~ 1e-14, well away from zero in 106 bits), and
    at infinity otherwise; a singular limit whose h0 is below INFINITY_SINGULAR is finite when
    the endgame's walk read h0's valuation as 0 (|v| <= ``finite_valuation``: h0 tends to a
    nonzero value, however small), and at infinity otherwise (a positive valuation, or none
    read: the higher-precision endgame's)."""
    with np.errstate(all="ignore"):
        h0 = np.abs(chart[:, 0]) / np.max(np.abs(chart), axis=1)
    reg, sing = status == "regular", status == "singular"
    small = np.flatnonzero(reg & (h0 < INFINITY_REGULAR))
    status[reg] = "finite"
    if len(small):
        finite = finite_by_proof(homotopy, chart[small]) if homotopy is not None else np.zeros(len(small), bool)
        status[small[~finite]] = "infinity"
    v = np.full(len(status), np.nan) if valuation is None else valuation
    with np.errstate(invalid="ignore"):
        flat = np.isfinite(v) & (np.abs(v) <= finite_valuation)
    status[sing] = np.where((h0[sing] < INFINITY_SINGULAR) & ~flat[sing], "infinity", "singular")


def chart_certificates(homotopy, points: np.ndarray):
    """Krawczyk's test on the homotopy's target in its chart (homogenized, with the chart's row)
    at chart points (P, n + 1): a ``certify.CertificationResult``, or None where the homotopy
    has no polynomial form to test."""
    from algebra.certify import certify
    from algebra.continuation.precise import _with_chart

    if not hasattr(homotopy, "homogenized"):
        return None
    (fm, fc), _ = homotopy.homogenized
    return certify(_with_chart(fm, fc, homotopy.chart_host), points, max_precision=212)


def finite_by_proof(homotopy, points: np.ndarray) -> np.ndarray:
    """Whether Krawczyk's test proves h0 nonzero at each chart point (P, n + 1): then the
    point is a finite solution however large its affine coordinates."""
    proof = chart_certificates(homotopy, points)
    if proof is None:
        return np.zeros(len(points), bool)
    return np.array([c.certified and not c.enclosure[0].contains(0) for c in proof.certificates], dtype=bool)


def run_paths(homotopy, starts: np.ndarray, options: TrackerOptions = TrackerOptions(),
              endgame: EndgameOptions = EndgameOptions(), radius: float = ENDGAME_RADIUS,
              precise: PreciseOptions | None = PreciseOptions()) -> PathSet:
    """Track the paths of ``homotopy`` from affine start solutions (P, n) and classify their ends.

    Failed paths get one more try with stricter tracker options, then, where the homotopy
    has a precise form, one in ``precise.bits``-bit arithmetic (None: no such try)."""
    z0 = homotopy.lift(np.asarray(starts, dtype=complex))
    # a step that overflows gives inf or nan, which the tracker takes as a failed step:
    # numpy's warnings about it say nothing to the user
    with np.errstate(over="ignore", invalid="ignore"):
        out = _ends(homotopy, z0, options, endgame, radius)
        failed = np.flatnonzero(out.status == "failed")
        if len(failed):
            # smaller steps, and an endgame zone closer to s = 1 that encloses fewer branch points
            out.replace(failed, _ends(homotopy, z0[failed], options.stricter(), endgame, radius / 10))
        failed = np.flatnonzero(out.status == "failed")
        if len(failed) and precise is not None and has_precise_form(homotopy):
            out.replace(failed, precise_ends(homotopy, z0[failed], precise, radius, out.resume[failed],
                                             out.resume_tau[failed]))
    return out


def precise_ends(homotopy, z0: np.ndarray, precise: PreciseOptions, radius: float = ENDGAME_RADIUS,
                 resume: np.ndarray | None = None, resume_tau: np.ndarray | None = None) -> PathSet:
    """The paths from chart points z0 (P, m) at s = 0 tracked and classified in higher
    precision (``precise.precise_endgames``; from ``resume`` at ``resume_tau``, where given
    and finite), their limits classified as in double precision."""
    from algebra.continuation.precise import precise_endgames

    eg, steps, why = precise_endgames(homotopy, z0, radius, precise, resume, resume_tau)
    p, m = z0.shape
    chart = np.full((p, m), np.nan + 0j)
    status = np.full(p, "failed", dtype=object)
    winding = np.ones(p, dtype=np.int64)
    cond = np.full(p, np.inf)
    tried = np.flatnonzero([not w for w in why])
    sub = EndgameResult(*(getattr(eg, f.name)[tried] for f in fields(eg)))
    _classify(homotopy, sub, tried, chart, status, winding, cond, why)
    _at_infinity(chart, status, homotopy)
    for i in np.flatnonzero(status == "failed"):
        if "arithmetic" not in why[i]:
            why[i] = f"in {precise.bits}-bit arithmetic too: {why[i]}"
    return PathSet(chart, status, winding, cond, steps, np.ones(p, bool), why, bits=np.full(p, precise.bits))


def retrack(homotopy, starts: np.ndarray, options: TrackerOptions, endgame: EndgameOptions = EndgameOptions(),
            radius: float = ENDGAME_RADIUS) -> PathSet:
    """The paths from these starts tracked again with ``options`` (no further retry)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _ends(homotopy, homotopy.lift(np.asarray(starts, dtype=complex)), options, endgame, radius)
