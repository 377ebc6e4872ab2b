"""The endgame: limits of paths whose endpoint is singular or at infinity.

Near s = 1 a path is a Puiseux series in tau = 1 - s with some winding number c:
z(tau) = z* + a tau^(1/c) + ... Each path walks toward tau = 0 on radii r, r q, r q^2, ...
and two things are read off the walk:

- valuations: in the projective chart, the homogenizing coordinate behaves like
  h0 ~ tau^v; the estimates log(|h0(r q)| / |h0(r)|) / log q converge to v. A path whose
  estimate is positive and has settled (three in a row within 1%) is going to infinity
  and stops there, as HomotopyContinuation.jl decides it; one whose estimate has settled
  at 0 has a finite limit. Estimates converge like tau^(1/c): for large winding numbers
  they may never settle (seen: v drifting from 0.16 to 0.12 over ten radii), so below
  ``cauchy_radius`` the loops below decide, whatever the valuations say;
- the Cauchy integral: for a finite limit, walking around the circle |tau| = r returns to
  the start after exactly c loops, and the mean of equally spaced samples over those
  loops is the trapezoid rule for Cauchy's integral of the uniformized series, so it
  approximates z* with an error falling like r^M for M samples a loop (Morgan, Sommese
  and Wampler, 1991). Rounds on ever smaller circles stop when two estimates agree.

Paths are never tracked into s = 1 itself, where their Jacobian is singular.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from algebra.continuation.tracker import DONE, TrackerOptions, track

CONVERGED, AT_INFINITY, TRACK_FAILED, NOT_CLOSED, NOT_CONVERGED = 0, 1, 2, 3, 4
OUTCOMES = {CONVERGED: "converged", AT_INFINITY: "at infinity by its valuation",
            TRACK_FAILED: "a loop or radius step failed to track",
            NOT_CLOSED: "no loop closed up to the largest winding number",
            NOT_CONVERGED: "estimates did not settle before the smallest radius"}


@dataclass(frozen=True)
class EndgameOptions:
    samples: int = 4            # points a loop: the error falls like r^M in the uniformized variable
    max_winding: int = 16
    # paths whose valuation says infinity: points at infinity of high multiplicity close late
    # (x^5 y^4 - 2, x^4 y^5 - 3: 27 of its 72 paths to infinity failed at 16, none at 48; 3x faster)
    max_winding_infinity: int = 128
    shrink: float = 0.25        # radius ratio q of successive rounds
    tol: float = 1e-10          # agreement of successive Cauchy estimates, relative to 1 + max |z|
    min_radius: float = 1e-14
    settled: float = 0.01       # relative spread of three valuation estimates that have settled
    finite_valuation: float = 0.01  # |v| below this (twice): the limit is finite
    cauchy_radius: float = 1e-5  # below this radius, loops start whatever the valuations say
    loose_tol: float = 1e-6     # estimates that agreed this well count when no better is reached
    residual: float = 1e-7      # relative residual a limit must reach (else the walk goes on)
    infinity: float = 1e-7      # |h0| / max |z| of a Cauchy estimate at infinity
    leading: float = 1e-3       # Fourier coefficients of h0 below this (relative) are noise


@dataclass
class EndgameResult:
    limit: np.ndarray           # (P, m) host array of estimates (the last point for AT_INFINITY)
    winding: np.ndarray         # (P,) loops to close (0 where none closed)
    status: np.ndarray          # (P,) one of OUTCOMES
    accuracy: np.ndarray        # (P,) relative difference of the last two estimates
    radius: np.ndarray          # (P,) radius of the last round
    valuation: np.ndarray       # (P,) last valuation estimate of h0
    last: np.ndarray            # (P, m) the last point reached on the walk toward s = 1
    extended: np.ndarray | None = None  # (P,) steps whose Newton residual was in double-double

    def __post_init__(self):
        if self.extended is None:
            self.extended = np.zeros(len(self.status), np.int64)


def _h0(z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.abs(z[:, 0]) / np.max(np.abs(z), axis=1)


def cauchy_endgame(homotopy, z, radius: float, tracker: TrackerOptions = TrackerOptions(),
                   options: EndgameOptions = EndgameOptions()) -> EndgameResult:
    """Limits at s = 1 of paths that are at z (P, m) at s = 1 - radius."""
    be = homotopy.be
    p, m = z.shape
    z = be.to_numpy(z).astype(complex)
    r = np.full(p, float(radius))
    limit = np.full((p, m), np.nan + 0j)
    previous = np.full((p, m), np.nan + 0j)
    winding = np.zeros(p, dtype=np.int64)
    status = np.full(p, -1)
    accuracy = np.full(p, np.inf)
    h0 = _h0(z)
    valuation = np.full(p, np.nan)
    last_valuation = np.full(p, np.nan)
    older_valuation = np.full(p, np.nan)
    finite = np.zeros(p, bool)
    extended = np.zeros(p, np.int64)
    while True:
        act = np.flatnonzero(status < 0)
        if len(act) == 0:
            break
        loop = act[finite[act]]
        if len(loop):
            _cauchy_round(homotopy, z, r, loop, tracker, options, limit, previous, winding,
                          status, accuracy, valuation, extended)
            lost = loop[status[loop] == TRACK_FAILED]
            _best_evidence(lost, valuation, last_valuation, accuracy, z, status, limit, options)
        walk = np.flatnonzero(status < 0)
        small = r[walk] * options.shrink < options.min_radius
        status[walk[small]] = NOT_CONVERGED
        loose = walk[small & (accuracy[walk] <= options.loose_tol)]
        status[loose] = CONVERGED
        walk = walk[~small]
        if len(walk) == 0:
            continue
        res = track(homotopy, be.asarray(z[walk]), be.asarray(1 - r[walk] + 0j),
                    be.asarray(1 - r[walk] * options.shrink + 0j), tracker, step=np.full(len(walk), 0.5))
        extended[walk] += res.extended
        arrived = res.status == DONE
        lost = walk[~arrived]
        status[lost] = TRACK_FAILED
        _best_evidence(lost, valuation, last_valuation, accuracy, z, status, limit, options)
        # a lost path keeps its last point on a circle: (last, radius) is where a higher
        # precision can go on from
        walk = walk[arrived]
        z[walk] = be.to_numpy(res.z)[arrived]
        r[walk] *= options.shrink
        new = _h0(z[walk])
        with np.errstate(all="ignore"):
            v = np.log(new / h0[walk]) / np.log(options.shrink)
        h0[walk] = new
        older_valuation[walk], last_valuation[walk] = last_valuation[walk], valuation[walk]
        valuation[walk] = v
        spread = np.maximum(np.abs(v - last_valuation[walk]), np.abs(v - older_valuation[walk]))
        going = (status[walk] < 0)
        away = going & (spread <= options.settled * np.abs(v)) & (v >= 1 / (2 * options.max_winding))
        status[walk[away]] = AT_INFINITY
        limit[walk[away]] = z[walk[away]]
        finite[walk] |= going & ~away & (((np.abs(v) <= options.finite_valuation)
                                          & (np.abs(last_valuation[walk]) <= 4 * options.finite_valuation))
                                         | (r[walk] <= options.cauchy_radius))
    return EndgameResult(limit, winding, status, accuracy, r, valuation, z, extended)


def _best_evidence(lost, valuation, last_valuation, accuracy, z, status, limit, options) -> None:
    """Paths whose walk or loop could not go on end on their best evidence: Cauchy
    estimates that agreed loosely (a finite limit), or a positive valuation on which the
    last two estimates agree within 5% (at infinity); otherwise they stay failed."""
    v2, v1 = valuation[lost], last_valuation[lost]
    loose = accuracy[lost] <= options.loose_tol
    away = ~loose & (v2 >= 1 / (2 * options.max_winding)) & (np.abs(v2 - v1) <= 0.05 * v2)
    status[lost[loose]] = CONVERGED
    status[lost[away]] = AT_INFINITY
    limit[lost[away]] = z[lost[away]]


def vanishes(h0_samples: np.ndarray, loops: np.ndarray, samples: int, valuation: np.ndarray,
              options: EndgameOptions) -> np.ndarray:
    """Whether h0 vanishes at the limit, read off the samples of closed loops.

    Over c loops the samples are equally spaced on a circle of the uniformizing
    parameter w = tau^(1/c), so their discrete Fourier transform gives the coefficients
    a_k w^k of h0's series in w (up to aliasing of order w^(c samples)). h0 tends to 0
    when its leading coefficient has k >= 1, and then its valuation is k / c: the walk
    must have estimated a positive valuation within a factor 1.5 of it, a second and
    independent reading of the same exponent (walk estimates converge slowly at large
    winding numbers: 0.07 to 0.09 for 1/9 on the tree network).
    """
    out = np.zeros(len(loops), bool)
    for i in np.flatnonzero(loops > 0):
        n = loops[i] * samples
        mags = np.abs(np.fft.fft(h0_samples[i, :n]) / n)[: n // 2 + 1]
        if not np.all(np.isfinite(mags)) or mags.max() == 0:
            continue
        k = int(np.argmax(mags >= options.leading * mags.max()))
        v = k / loops[i]
        out[i] = k >= 1 and np.isfinite(valuation[i]) and v / 1.5 <= valuation[i] <= 1.5 * v
    return out


def _cauchy_round(homotopy, z, r, idx, tracker, options, limit, previous, winding, status, accuracy,
                  valuation, extended):
    """Loops around |tau| = r[idx] from the points z[idx]; updates the estimates in place."""
    be = homotopy.be
    angles = np.exp(2j * np.pi * np.arange(options.samples + 1) / options.samples)
    start = z[idx]
    total = np.zeros_like(start)
    current = start.copy()
    loops = np.zeros(len(idx), dtype=np.int64)
    closed = np.zeros(len(idx), bool)
    failed = np.zeros(len(idx), bool)
    nearest = np.full(len(idx), np.inf)
    h = np.full(len(idx), 0.5)
    with np.errstate(invalid="ignore"):
        caps = np.where(valuation[idx] >= 1 / (2 * options.max_winding), options.max_winding_infinity,
                        options.max_winding)
    top = int(caps.max(initial=options.max_winding))
    h0_samples = np.zeros((len(idx), top * options.samples), dtype=complex)
    for c in range(1, top + 1):
        going = np.flatnonzero(~closed & ~failed & (caps >= c))
        if len(going) == 0:
            break
        for j in range(options.samples):
            total[going] += current[going]
            h0_samples[going, (c - 1) * options.samples + j] = current[going, 0]
            rr = r[idx[going]]
            res = track(homotopy, be.asarray(current[going]), be.asarray(1 - rr * angles[j]),
                        be.asarray(1 - rr * angles[j + 1]), tracker, step=h[going])
            current[going] = be.to_numpy(res.z)
            h[going] = res.step
            extended[idx[going]] += res.extended
            failed[going[res.status != DONE]] = True
            if j < options.samples - 1:
                dist = np.max(np.abs(current[going] - start[going]), axis=1)
                nearest[going] = np.minimum(nearest[going], dist)
        scale = 1 + np.max(np.abs(start[going]), axis=1)
        back = np.max(np.abs(current[going] - start[going]), axis=1)
        # back at the start: much closer to it than any sample on the way round
        shut = (back <= 1e-9 * scale) | (back <= 1e-2 * nearest[going])
        loops[going] = c
        closed[going[shut & ~failed[going]]] = True
    estimate = total / np.maximum(loops * options.samples, 1)[:, None]
    scale = 1 + np.max(np.abs(estimate), axis=1)
    with np.errstate(invalid="ignore"):
        diff = np.max(np.abs(estimate - previous[idx]), axis=1) / scale
    agree = closed & (diff <= options.tol) & (winding[idx] == loops)
    # a first estimate with h0 = 0 to 1e-7 (relative) is at infinity: no second round needed
    # to tell it from a finite limit (a path to infinity at winding 9 costs 72 segments a round)
    away = closed & ~agree & ((_h0(estimate) <= options.infinity)
                              | vanishes(h0_samples, np.where(closed, loops, 0), options.samples,
                                          valuation[idx], options))
    if away.any():
        status[idx[away]] = AT_INFINITY
        limit[idx[away]] = estimate[away]
        winding[idx[away]] = loops[away]
        closed &= ~away
    if agree.any():
        # estimates can agree on a point that is no limit: a path that looks analytic down to
        # tau = 1e-6 and then leaves for infinity (seen on the tree network); a limit must
        # solve the target
        far = homotopy.residual(estimate[agree]) > options.residual
        agree[np.flatnonzero(agree)[far]] = False
    limit[idx[closed]] = estimate[closed]
    accuracy[idx[closed]] = np.where(agree[closed], diff[closed], np.inf)
    previous[idx] = estimate
    winding[idx[closed]] = loops[closed]
    status[idx[failed]] = TRACK_FAILED
    status[idx[~closed & ~failed & (status[idx] != AT_INFINITY)]] = NOT_CLOSED
    status[idx[agree & ~failed]] = CONVERGED
