"""Predictor-corrector path tracking, every path at once.

Each path p moves along its own straight segment of the homotopy parameter,
s = s_from[p] + u (s_to[p] - s_from[p]), u from 0 to 1, with its own step size in u.
One iteration advances every running path by one step:

- predictor: classical Runge-Kutta (order 4) on dz/du = -H_z^{-1} H_s ds/du;
- corrector: Newton's method at the new s (a fixed number of iterations); the last
  iteration's Jacobian also gives the velocity that starts the next step (at a point
  within the tolerance of the new one), which a retried step reuses too;
- the step is accepted when Newton converged and contracted; the first Newton
  correction measures the predictor's local error, O(h^5), and sets the next step
  size so that error stays near ``predictor_error`` (rejected steps halve).

A small predictor error keeps each corrector inside its own path's basin, which is
what prevents path jumping; finished paths drop out of the working set, so the cost of
an iteration follows the number of paths still running.

On the numpy backend, a homotopy with a compiled form (``compiled(paths)``) is tracked by
the same rules in compiled code, path by path (``continuation.compiled``), on up to
``kernel_threads()`` threads; ``TrackerOptions(compiled=False)`` keeps the array code.
"""
from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

import numpy as np

from algebra.continuation.codes import DONE, MAX_STEPS, RUNNING, STEP_FAILED

OUTCOMES = {RUNNING: "running", DONE: "done", STEP_FAILED: "step size underflow",
            MAX_STEPS: "too many steps"}


@dataclass(frozen=True)
class TrackerOptions:
    """Tolerances of one track. Relative quantities are divided by 1 + max |z_k|."""

    predictor_error: float = 1e-5   # target of the first Newton correction
    max_first_correction: float = 1e-3  # larger: the predictor left the path's neighbourhood
    tol: float = 1e-8               # the last Newton correction of an accepted step
    newton_iterations: int = 2
    initial_step: float = 0.05
    max_step: float = 0.25
    min_step: float = 1e-13
    max_steps: int = 10_000
    compiled: bool = True           # the compiled kernel (numpy backend, homotopies with a compiled form)
    extended: bool = True           # the kernel's Newton residual in double-double where double stalls

    def loose(self) -> "TrackerOptions":
        """Options for the way to the endgame zone, where a point only has to stay on its
        path: Newton accepted at 100x the tolerance, a 10x larger predictor error (a
        quarter fewer steps on katsura-8); the endgame keeps the tight ones."""
        from dataclasses import replace

        return replace(self, tol=self.tol * 100, predictor_error=self.predictor_error * 10)

    def stricter(self) -> "TrackerOptions":
        """Options for a retrack of failed paths: smaller steps, tighter control."""
        return TrackerOptions(self.predictor_error / 100, self.max_first_correction / 10, self.tol / 10,
                              self.newton_iterations + 1, self.initial_step / 10, self.max_step / 4,
                              self.min_step / 10, self.max_steps * 4, self.compiled, self.extended)


_THREADS: int | None = None  # threads of the compiled kernel; None: every core this process may use


def kernel_threads() -> int:
    """Threads the compiled kernel splits paths among (results never depend on it)."""
    return _THREADS or len(os.sched_getaffinity(0))


class limit_threads:
    """The compiled kernel on at most ``n`` threads inside this block (None: no change). A
    class, not a generator: ``limit_threads(1).__enter__()`` in a one-liner must not be undone
    when the unreferenced manager is collected (a generator's ``finally`` would run then, and
    "one thread" figures measured that way ran on every core)."""

    def __init__(self, n: int | None):
        self.n = n

    def __enter__(self) -> "limit_threads":
        global _THREADS
        self.before = _THREADS
        _THREADS = self.n if self.n is not None else self.before
        return self

    def __exit__(self, *exc) -> None:
        global _THREADS
        _THREADS = self.before


NOISE = 1e-4  # a last Newton correction below NOISE * tol counts as converged, contracting or not


@dataclass
class TrackResult:
    """Where each path stopped: its point, how far along its segment (u), why, after how
    many steps, and the step size it would take next (relative to its segment)."""

    z: object
    u: np.ndarray
    status: np.ndarray
    steps: np.ndarray
    step: np.ndarray
    extended: np.ndarray | None = None  # accepted steps whose residual was in double-double
                                        # (the compiled kernel's; the array tracker never does)

    def __post_init__(self):
        if self.extended is None:
            self.extended = np.zeros(len(self.steps), np.int64)


def _norm(xp, a):
    return xp.max(xp.abs(a), axis=1)


def track(homotopy, z, s_from, s_to, options: TrackerOptions = TrackerOptions(),
          step=None, iterations: int | None = None) -> TrackResult:
    """Move points z (P, m) on H(., s_from) to H(., s_to), each along its own segment.

    s_from and s_to are complex arrays (P,) on the backend (or scalars); ``step`` the
    first step size of each path (default ``options.initial_step``). Returns the points
    reached; a path whose status is not DONE stopped at u < 1: RUNNING ones only when
    ``iterations`` (a cap on the iterations of this call) ran out, so that a caller can
    go on with them later, joined by new paths, instead of waiting on the slowest.
    """
    be = homotopy.be
    xp = be.xp
    p = z.shape[0]
    form = None
    if options.compiled and be.name == "numpy" and hasattr(homotopy, "compiled"):
        form = homotopy.compiled(p)
    if form is not None:
        from algebra.continuation import compiled

        first = np.full(p, options.initial_step) if step is None else np.asarray(step, dtype=float)
        return TrackResult(*compiled.track(form, np.asarray(z), s_from, s_to, first, options, NOISE, iterations,
                                           kernel_threads()))
    s_from = _full(be, s_from, p)
    s_to = _full(be, s_to, p)
    z = xp.asarray(z, copy=True)
    u = np.zeros(p)
    h = np.full(p, options.initial_step) if step is None else np.array(step, dtype=float)
    status = np.full(p, RUNNING)
    steps = np.zeros(p, dtype=np.int64)
    v = xp.zeros_like(z)            # each path's velocity at its point, where ``known``
    known = np.zeros(p, dtype=bool)
    reuse = options.newton_iterations > 1
    for _ in itertools.count() if iterations is None else range(iterations):
        act = np.flatnonzero(status == RUNNING)
        if len(act) == 0:
            break
        ia = be.index(act)
        za, ua = z[ia], u[act]
        ha = np.minimum(np.minimum(h[act], options.max_step), 1 - ua)
        last = ha >= 1 - ua
        s0, ds = s_from[ia], s_to[ia] - s_from[ia]
        hb = be.asarray(ha)[:, None]
        hom = homotopy.select(ia)  # the running paths' homotopy (each may have its own)

        def velocity(zz, uu):
            _, hz, hs = hom.evaluate(zz, s0 + be.asarray(uu) * ds)
            return -be.solve(hz, hs * ds[:, None])

        if known[act].all():
            k1 = v[ia]
        else:  # every running path's velocity at once: the same cost as for the few that need it
            k1 = xp.where(be.mask(known[act])[:, None], v[ia], velocity(za, ua))
            v[ia] = k1
        k2 = velocity(za + 0.5 * hb * k1, ua + 0.5 * ha)
        k3 = velocity(za + 0.5 * hb * k2, ua + 0.5 * ha)
        k4 = velocity(za + hb * k3, ua + ha)
        zc = za + hb * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        u1 = np.where(last, 1.0, ua + ha)
        s1 = s0 + be.asarray(u1) * ds
        s1 = xp.where(be.mask(last), s_to[ia], s1)  # land on the segment's end exactly
        corrections = []
        for it in range(options.newton_iterations):
            hv, hz, hs = hom.evaluate(zc, s1)
            dz = be.solve(hz, hv)
            if reuse and it == options.newton_iterations - 1:
                # the last iteration's Jacobian gives the next step's k1 (as the kernel does)
                vn = -be.solve(hz, hs * ds[:, None])
            zc = zc - dz
            corrections.append(be.to_numpy(_norm(xp, dz)))
        scale = 1 + be.to_numpy(_norm(xp, zc))
        first, final = corrections[0] / scale, corrections[-1] / scale
        # Newton must contract, unless its last correction is rounding noise far below the
        # tolerance (large weights of a degree-4 network system: corrections of 1e-12 that
        # never shrink, and every step refused down to an underflow)
        contracted = (corrections[-1] <= np.maximum(0.5 * corrections[-2], NOISE * options.tol * scale)
                      if len(corrections) > 1 else np.ones(len(act), bool))
        ok = np.isfinite(first) & np.isfinite(final) & (final <= options.tol) & contracted \
            & (first <= options.max_first_correction)
        steps[act] += 1
        good = act[ok]
        z[be.index(good)] = zc[be.index(np.flatnonzero(ok))]
        if reuse:
            v[be.index(good)] = vn[be.index(np.flatnonzero(ok))]
        known[act] = True
        known[good] = reuse
        u[good] = u1[ok]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(first > 0, (options.predictor_error / first) ** 0.2, 2.0)
        grow = np.clip(0.9 * np.nan_to_num(ratio, nan=0.5), 0.5, 2.0)
        h[act] = np.where(ok, ha * grow, ha * np.minimum(0.5, grow))
        status[good[u[good] >= 1]] = DONE
        status[act[(~ok) & (h[act] < options.min_step)]] = STEP_FAILED
        status[act[(status[act] == RUNNING) & (steps[act] >= options.max_steps)]] = MAX_STEPS
    return TrackResult(z, u, status, steps, h)


def _full(be, s, p):
    if np.isscalar(s):
        return be.asarray(np.full(p, complex(s)))
    return be.asarray(s)

