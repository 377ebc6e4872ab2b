"""The Cauchy endgame over a whole cycle of paths: high winding numbers for one loop a path.

Near s = 1 the c paths that end at one limit of winding number c are the branches of one
Puiseux series z(tau) = z* + sum_j a_j tau^(j/c): at a given tau they are its values at the c
roots t = tau^(1/c) omega^k, and a loop of one path around |tau| = r ends where the next
branch is. The Cauchy endgame (``endgame.cauchy_endgame``) follows one path round c times,
c M segments a path; a limit of multiplicity 50 ((x + y + 1)^50 = 0, y = 2: every path of the
total-degree homotopy ends at (-3, 2)) costs 200 segments a path a round, and the loops are
cut at ``max_winding``. Here every path goes round once: where its loop ends, matched with the
paths' points at the start of the loop, gives the permutation the loop makes, its cycles are
the series, and the mean of the M samples of every path of a cycle is the trapezoid rule on
c M equally spaced points of the uniformized circle |t| = r^(1/c): the error falls like r^M,
the same as c loops of one path give. Rounds on smaller circles (all paths at the same tau)
stop when two estimates of a cycle agree.

The paths must all be there: a cycle with a member missing (its path ended regular, or was
not handed over) never closes, and its paths stay failed. And they must get here: the expanded
(x + y + 1)^50 cancels its binomials (up to 1e14) near the root, double precision loses every
path before the endgame zone, and that is higher precision's work, not the endgame's. Measured:
x^20 = 0 in 3 s (it was "20 at infinity"), and x^18 = 0 beside y^2 - 3y + 2, two roots
of multiplicity 18, in 4 s (the local-dimension test still decides whether such a cluster is
an isolated root: at x^24 its ranks are no longer clear in double precision, and it says so).
"""
from __future__ import annotations

import numpy as np

from algebra.continuation.endgame import (AT_INFINITY, CONVERGED, NOT_CLOSED, TRACK_FAILED, EndgameOptions,
                                         EndgameResult, _h0)
from algebra.continuation.tracker import DONE, TrackerOptions, track

MATCH = 1e-6    # a loop's end matches a start within this (relative); the next nearest must be
UNIQUE = 100    # ... this many times farther


def _loop(homotopy, z: np.ndarray, r: float, tracker: TrackerOptions, samples: int):
    """Every point once around |tau| = r: the samples (P, samples, m), the ends, and which
    paths went all the way round."""
    be = homotopy.be
    angles = np.exp(2j * np.pi * np.arange(samples + 1) / samples)
    current = z.copy()
    out = np.zeros((len(z), samples, z.shape[1]), dtype=complex)
    ok = np.ones(len(z), bool)
    step = np.full(len(z), 0.5)
    extended = np.zeros(len(z), np.int64)
    for j in range(samples):
        out[:, j] = current
        go = np.flatnonzero(ok)
        if not len(go):
            break
        res = track(homotopy, be.asarray(current[go]), be.asarray(np.full(len(go), 1 - r * angles[j])),
                    be.asarray(np.full(len(go), 1 - r * angles[j + 1])), tracker, step=step[go])
        current[go] = be.to_numpy(res.z)
        step[go] = res.step
        extended[go] += res.extended
        ok[go[res.status != DONE]] = False
    return out, current, ok, extended


def permutation(ends: np.ndarray, starts: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """The start each end landed on (-1: none, ambiguous, or one another end took too)."""
    from algebra.nearest import Points
    from algebra.continuation.result import relative_embedding

    k = min(2, len(starts))
    with np.errstate(invalid="ignore"):
        dist, idx = Points(relative_embedding(starts)).nearest(np.nan_to_num(relative_embedding(ends), nan=np.inf),
                                                               k=k)
    dist, idx = dist.reshape(len(ends), k), idx.reshape(len(ends), k)
    second = dist[:, 1] if k == 2 else np.full(len(ends), np.inf)
    good = ok & (dist[:, 0] <= MATCH) & (second >= UNIQUE * dist[:, 0])
    perm = np.where(good, idx[:, 0], -1)
    taken, counts = np.unique(perm[perm >= 0], return_counts=True)
    perm[np.isin(perm, taken[counts > 1])] = -1
    return perm


def cycles(perm: np.ndarray) -> list[np.ndarray]:
    """The closed cycles of a partial permutation (chains that reach -1 are none)."""
    seen = np.zeros(len(perm), bool)
    out = []
    for i in range(len(perm)):
        if seen[i]:
            continue
        chain, j = [], i
        while j >= 0 and not seen[j]:
            seen[j] = True
            chain.append(j)
            j = perm[j]
        if j == i:
            out.append(np.array(chain))
    return out


def estimate(samples: np.ndarray, chart: np.ndarray) -> np.ndarray | None:
    """The Cauchy estimate of a cycle's limit from its samples in order round the uniformized
    circle (c M, m), as a chart point; None where no coordinate will do.

    The trapezoid rule is the Cauchy integral only where what it averages is analytic inside
    the circle. The chart's points z = v / (a . v) are not where a . v vanishes inside it: on
    x^20 = 0 every chart's h0 had a pole in the disk |t| < 0.9, its mean was 0, and the finite
    root looked like a point at infinity. The ratios z_i / z_j do not see the chart; those
    with denominator j have no pole inside when none turns round 0 negatively along the
    circle (the argument principle: zeros minus poles), and of such j the one that stays
    largest against the other coordinates is taken."""
    with np.errstate(all="ignore"):
        size = np.max(np.abs(samples), axis=1)
        best, mean = 0.0, None
        for j in range(samples.shape[1]):
            v = samples[:, j]
            if not np.all(np.abs(v) > 0):
                continue
            ratio = samples / v[:, None]
            turns = np.sum(np.angle(np.roll(ratio, -1, axis=0) / ratio), axis=0) / (2 * np.pi)
            low = float(np.min(np.abs(v) / size))
            if np.all(np.nan_to_num(turns, nan=0.0) > -0.5) and low > best:
                best, mean = low, ratio.mean(axis=0)
        return None if mean is None else mean / (mean @ chart)


def cycle_endgame(homotopy, z, radius: float, tracker: TrackerOptions = TrackerOptions(),
                  options: EndgameOptions = EndgameOptions()) -> EndgameResult:
    """Limits at s = 1 of paths at chart points z (P, m), all at s = 1 - radius."""
    be = homotopy.be
    z = be.to_numpy(z).astype(complex)
    p, m = z.shape
    limit = np.full((p, m), np.nan + 0j)
    previous = np.full((p, m), np.nan + 0j)
    winding = np.zeros(p, dtype=np.int64)
    status = np.full(p, NOT_CLOSED)
    accuracy = np.full(p, np.inf)
    radius_out = np.full(p, float(radius))
    active = np.ones(p, bool)
    extended = np.zeros(p, np.int64)
    r = float(radius)
    while r >= options.min_radius and active.any():
        idx = np.flatnonzero(active)
        samples, ends, ok, more = _loop(homotopy, z[idx], r, tracker, options.samples)
        extended[idx] += more
        perm = permutation(ends, z[idx], ok)
        for cyc in cycles(perm):
            members = idx[cyc]
            # the samples in order round the circle: each path's loop ends where the next one's starts
            est = estimate(samples[cyc].reshape(-1, m), homotopy.chart_host)
            if est is None:
                continue
            scale = 1 + np.max(np.abs(est))
            diff = np.max(np.abs(est - previous[members]), axis=1) / scale
            previous[members] = est
            if not np.all(diff <= options.tol):
                continue  # two radii must agree, for a limit at infinity too
            if _h0(est[None])[0] <= options.infinity:
                status[members], limit[members], winding[members] = AT_INFINITY, est, len(cyc)
                active[members] = False
            elif homotopy.residual(est[None])[0] <= options.residual:
                status[members], limit[members], winding[members] = CONVERGED, est, len(cyc)
                accuracy[members] = diff
                active[members] = False
        lost = idx[~ok]
        status[lost], active[lost] = TRACK_FAILED, False
        radius_out[idx] = r
        go = np.flatnonzero(active)
        if not len(go):
            break
        res = track(homotopy, be.asarray(z[go]), be.asarray(np.full(len(go), 1 - r + 0j)),
                    be.asarray(np.full(len(go), 1 - r * options.shrink + 0j)), tracker, step=np.full(len(go), 0.5))
        z[go] = be.to_numpy(res.z)
        extended[go] += res.extended
        bad = go[res.status != DONE]
        status[bad], active[bad] = TRACK_FAILED, False
        r *= options.shrink
    return EndgameResult(limit, winding, status, accuracy, radius_out, np.full(p, np.nan), z, extended)
