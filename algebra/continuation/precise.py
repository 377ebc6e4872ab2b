"""Failed paths tracked again in higher precision, one at a time, with flint's complex balls.

A path fails in double precision where its linear solves lose their digits: near a singular
limit (a positive-dimensional component, a multiple root, a point at infinity of high
multiplicity) the Jacobian's condition number grows as tau = 1 - s shrinks, and the endgame's
loops stop tracking at tau ~ 1e-6 (seen on butcher, heart, chandra6, fourbar, cohn2, reimer5).
Here the same homotopy, H(z, tau) = tau gamma G(z) + (1 - tau) F(z) in the same projective
chart, is evaluated with ``bits``-bit complex numbers (flint's ``acb``; only the midpoints
are used: this is floating point with a longer mantissa, not a proof), tracked from its start
point by the rules of ``tracker`` (Runge-Kutta predictor, Newton corrector, the step from the
first correction), and its endgame walks toward tau = 0 on radii r, r q, r q^2, ... far below
double's: valuations of h0 say "infinity" once three of them agree, Cauchy loops give the
winding number and the limit once two rounds agree. The limit comes back as a double point and
is classified by ``paths`` like every other endgame's.

Each step first predicts in double precision and corrects by Newton's method with the residual
in full precision and the Jacobian in double (iterative refinement, which converges while the
Jacobian's condition number is far below 1e16); a step refused that way is taken again with
everything in full precision. It is slow all the same (1-4 ms a step in Python, hundreds of
times a compiled double step), so it is only for the few paths that failed, within a budget
of steps (never of seconds: the same answer on a busy machine); a path it cannot finish, or that
the budget leaves out, stays failed and says why.
"""
from __future__ import annotations

import cmath
import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from algebra.continuation.endgame import (AT_INFINITY, CONVERGED, NOT_CLOSED, NOT_CONVERGED, TRACK_FAILED, EndgameOptions,
                                         EndgameResult, vanishes)


PATH_STEPS = 3_000    # the default budget of one path, in steps (1-4 ms each: butcher's hardest take 1-2 s;
                      # one of cohn2's 3,000 steps), never in seconds: a busy machine gives the same answer
RUN_WORK = 1_500_000  # ... and of one call, in steps times the homotopy's terms (a step costs about 30-50 us
                      # a term: about 20 s of both cores), spent by blocks of BLOCK paths in index order
BLOCK = 8             # paths a block: each gets an equal share of what is left, then the next block gets
                      # what they left (fixed blocks, so the budgets never depend on the number of cores)


@dataclass(frozen=True)
class PreciseOptions:
    """The precision, the budget and the tolerances of a retrack in higher precision."""

    bits: int = 160                 # 48 decimal digits
    path_steps: int = PATH_STEPS
    run_work: int = RUN_WORK
    predictor_error: float = 1e-6   # target of the first Newton correction (relative)
    max_first_correction: float = 1e-4
    tol: float = 1e-9               # the second Newton correction of an accepted step (relative):
                                    # the point is then good to about its square
    newton_iterations: int = 2
    initial_step: float = 0.02
    max_step: float = 0.25
    min_step: float = 1e-20
    samples: int = 4                # points a Cauchy loop
    max_winding: int = 24
    open_rounds: int = 2            # rounds of loops that did not close before the path stops
    shrink: float = 0.25
    agree: float = 1e-13            # successive Cauchy estimates, relative to 1 + max |z|
    min_radius: float = 1e-32
    cauchy_radius: float = 1e-10    # below this radius, loops start whatever the valuations say
    settled: float = 0.01           # relative spread of three valuations that have settled
    finite_valuation: float = 0.01
    infinity: float = 1e-12         # |h0| / max |z| of a Cauchy estimate at infinity


class OutOfSteps(Exception):
    """The path's budget of steps ran out."""


def has_precise_form(homotopy) -> bool:
    """Whether a homotopy can be tracked here: straight-line homotopies between two systems
    (their homogenized monomials); parameter and toric homotopies cannot, and their failed
    paths stay failed."""
    return hasattr(homotopy, "homogenized")


class PreciseHomotopy:
    """A ``StraightLineHomotopy`` evaluated in ball arithmetic at the current precision, in
    tau = 1 - s (so that tau = 1e-30 keeps its digits next to 1).

    Both systems get the chart's row a . z - 1, so that H = tau gamma G + (1 - tau) F is two
    products of ball matrices by scalars: its chart row is (tau gamma + 1 - tau)(a . z - 1),
    a nonzero multiple of the chart's equation (the factor vanishes at tau = 1 / (1 - gamma)
    only: off the real segment for a non-real gamma, and beyond |tau| = 1/2, outside every
    loop), which changes no Newton step and no path."""

    def __init__(self, homotopy):
        from flint import acb

        from algebra.certify import BallEvaluator

        (fm, fc), (gm, gc) = homotopy.homogenized
        self.m = fm.shape[1]
        target, start = _with_chart(fm, fc, homotopy.chart_host), _with_chart(gm, gc, homotopy.chart_host)
        self.target, self.start = BallEvaluator(target), BallEvaluator(start)
        self.terms = target.coefficients.nnz + start.coefficients.nnz
        self.gamma = acb(complex(homotopy.gamma))
        # the same in double precision, for the predictor
        self.point = _PointEvaluator(np.vstack([target.monomials, start.monomials]),
                                      sparse.block_diag([target.coefficients, start.coefficients]).toarray())
        self.gamma_double = complex(homotopy.gamma)

    @staticmethod
    def of(homotopy) -> "PreciseHomotopy | None":
        """The precise form of a homotopy, None for those without one."""
        return PreciseHomotopy(homotopy) if has_precise_form(homotopy) else None

    def evaluate(self, z: list, tau, values: bool = True):
        """H (acb_mat column, None unless ``values``), H_z and H_tau (acb_mat column) at z and tau."""
        f, jf = self.target(z)
        g, jg = self.start(z)
        a, b = tau * self.gamma, 1 - tau
        return (g * a + f * b if values else None), jg * a + jf * b, g * self.gamma - f

    def values(self, z: list, tau):
        """H alone (acb_mat column) at z and tau."""
        f, _ = self.target(z, want_j=False)
        g, _ = self.start(z, want_j=False)
        return g * (tau * self.gamma) + f * (1 - tau)

    def double(self, z: np.ndarray, tau: complex) -> tuple[np.ndarray, np.ndarray]:
        """H_z and H_tau in double precision at a double point z (m,) (inf or NaN where they
        overflow: the solve that follows refuses them)."""
        with np.errstate(all="ignore"):
            values, jac = self.point(z)
            m = self.m
            f, g, jf, jg = values[:m], values[m:], jac[:m], jac[m:]
            return tau * self.gamma_double * jg + (1 - tau) * jf, self.gamma_double * g - f

    def velocity_double(self, z: np.ndarray, tau: complex, dtau: complex) -> np.ndarray | None:
        """dz/du = -H_z^-1 H_tau dtau in double precision at a double point z (m,)."""
        hz, ht = self.double(z, tau)
        return _solve_double(hz, -ht * dtau)


class _PointEvaluator:
    """Values and Jacobian of a small system at one double point, dense: a few numpy
    operations instead of the batched evaluator's sparse products (made for many points)."""

    def __init__(self, exponents: np.ndarray, coefficients: np.ndarray):
        self.exponents = exponents                               # (T, m)
        self.lowered = np.maximum(exponents - 1, 0)
        self.coefficients = coefficients                         # (E, T)

    def __call__(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e = self.exponents
        powers = z[None, :] ** e                                 # (T, m)
        t, m = powers.shape
        before = np.ones((t, m), dtype=complex)                  # products of the powers left of k ...
        before[:, 1:] = np.cumprod(powers[:, :-1], axis=1)
        after = np.ones((t, m), dtype=complex)                   # ... and right of k: no division by z_k
        after[:, :-1] = np.cumprod(powers[:, :0:-1], axis=1)[:, ::-1]
        derived = e * z[None, :] ** self.lowered * before * after
        return self.coefficients @ (before[:, -1] * powers[:, -1]), self.coefficients @ derived


def _with_chart(monomials: np.ndarray, coefficients, chart: np.ndarray):
    """The homogenized system with the chart's equation a . z - 1 as its last row."""
    from algebra.polys import PolySystem

    m = monomials.shape[1]
    mons = np.vstack([monomials, np.eye(m, dtype=np.int64), np.zeros((1, m), dtype=np.int64)])
    row = np.concatenate([np.asarray(chart, dtype=complex), [-1.0]])
    coef = sparse.block_diag([coefficients, sparse.csr_array(row[None, :])], format="csr")
    return PolySystem(tuple(f"z{k}" for k in range(m)), mons, coef)


def _solve(matrix, column) -> list | None:
    x = matrix.solve(column, algorithm="approx").entries()
    return x if all(_finite(v) for v in x) else None


def _finite(v) -> bool:
    c = complex(v)
    return math.isfinite(c.real) and math.isfinite(c.imag)


def _mid(v: list) -> list:
    return [x.mid() for x in v]


def _size(v: list) -> float:
    return max(abs(complex(x)) for x in v)


def _h0(z: list) -> float:
    return abs(complex(z[0])) / max(_size(z), 1e-300)


class _Path:
    """One path in ``bits``-bit arithmetic, with its step counter and budget."""

    def __init__(self, hom: PreciseHomotopy, options: PreciseOptions, limit: int):
        self.hom, self.options, self.limit = hom, options, limit
        self.steps = 0

    def start(self, z0: np.ndarray, resume: np.ndarray | None, tau: float | None) -> tuple[list, float]:
        """The point to go on from and its tau: ``resume`` refined by Newton's method at
        ``tau`` where that converges, else the start point z0 at tau = 1."""
        from flint import acb

        o = self.options
        if resume is not None and tau is not None and np.isfinite(tau) and np.all(np.isfinite(resume)):
            z, first, final, _ = _newton(self.hom, [acb(complex(c)) for c in resume], acb(float(tau)), 3)
            if z is not None and first <= o.max_first_correction and final <= o.tol:
                return _mid(z), float(tau)
        return [acb(complex(c)) for c in z0], 1.0

    def track(self, z: list, tau0, tau1, step: float | None = None) -> tuple[list, bool, float]:
        """z on H(., tau0) moved to H(., tau1) along the segment: (point, arrived, next step)."""
        o, hom = self.options, self.hom
        dtau = tau1 - tau0
        u, h = 0.0, step or o.initial_step

        t0, dt = complex(tau0), complex(dtau)
        in_double = True

        def velocity(zz, uu):
            _, hz, ht = hom.evaluate(zz, tau0 + dtau * uu, values=False)
            v = _solve(hz, ht)
            return None if v is None else [-x * dtau for x in v]

        def velocity_double(zz, uu):
            return hom.velocity_double(zz, t0 + dt * uu, dt)

        # first the predictor in double and Newton with double Jacobians (the predictor's error
        # only has to stay far below the step's, and Newton's residual is what needs the digits);
        # a step refused that way is taken again in full precision
        while u < 1:
            if self.steps >= self.limit:
                raise OutOfSteps
            h = min(h, o.max_step, 1 - u)
            last = h >= 1 - u
            self.steps += 1
            if in_double:
                zd = np.array([complex(c) for c in z])
                move = _rk4(velocity_double, zd, u, h)
                zc = None if move is None else [a + complex(b) for a, b in zip(z, move - zd)]
            else:
                zc = _rk4(velocity, z, u, h)
            ok = False
            if zc is not None:
                tau = tau1 if last else tau0 + dtau * (u + h)
                zc, first, final, contracted = _newton(hom, zc, tau, o.newton_iterations, mixed=in_double)
                ok = (zc is not None and final <= o.tol and first <= o.max_first_correction
                      and contracted)
            ratio = (o.predictor_error / first) ** 0.2 if zc is not None and first > 0 else 2.0
            grow = min(2.0, max(0.5, 0.9 * ratio))
            if ok:
                z, u = _mid(zc), (1.0 if last else u + h)
                h *= grow
                in_double = True
            elif in_double and not (zc is not None and first > o.max_first_correction):
                in_double = False  # not a step too long: the same step again in full precision
            else:
                h *= min(0.5, grow)
                in_double = True
                if h < o.min_step:
                    return z, False, h
        return z, True, h

    def endgame(self, z: list, radius: float) -> tuple[int, list, int]:
        """(outcome of ``endgame.OUTCOMES``, limit or last point, winding number) of a path at
        tau = radius, by valuations of h0 and Cauchy loops (as ``endgame.cauchy_endgame``)."""
        from flint import acb

        o = self.options
        r = radius
        h0 = _h0(z)
        valuations: list[float] = []
        loops = False
        previous, previous_winding = None, 0
        open_rounds = 0
        while True:
            if loops or r <= o.cauchy_radius:
                loops = True
                estimate, winding, h0s = self._loops(z, r)
                if estimate is None:
                    open_rounds += 1
                    if open_rounds >= o.open_rounds:
                        return NOT_CLOSED, z, 0
                else:
                    if _h0(estimate) <= o.infinity or (valuations and vanishes(
                            np.array([h0s]), np.array([winding]), o.samples, np.array(valuations[-1:]),
                            EndgameOptions())[0]):
                        return AT_INFINITY, estimate, winding
                    if previous is not None and winding == previous_winding:
                        scale = 1 + _size(estimate)
                        if max(abs(complex(a - b)) for a, b in zip(estimate, previous)) <= o.agree * scale:
                            return CONVERGED, estimate, winding
                    previous, previous_winding = estimate, winding
            if r * o.shrink < o.min_radius:
                return (NOT_CONVERGED if previous is not None else NOT_CLOSED), z, 0
            z, arrived, _ = self.track(z, acb(r), acb(r * o.shrink), 0.5)
            if not arrived:
                return TRACK_FAILED, z, 0
            r *= o.shrink
            new = _h0(z)
            valuations.append(math.log(max(new, 1e-300) / max(h0, 1e-300)) / math.log(o.shrink))
            h0 = new
            if len(valuations) >= 3:
                v, *older = valuations[-1], valuations[-2], valuations[-3]
                spread = max(abs(v - w) for w in older)
                if v >= 1 / (2 * o.max_winding) and spread <= o.settled * v:
                    return AT_INFINITY, z, 0
            if len(valuations) >= 2 and abs(valuations[-1]) <= o.finite_valuation \
                    and abs(valuations[-2]) <= 4 * o.finite_valuation:
                loops = True

    def _loops(self, z: list, r: float) -> tuple[list | None, int, list]:
        """Loops around |tau| = r from z until the path closes: (the mean of the samples, the
        number of loops, h0 at the samples), or (None, 0, ...) when it does not
        close within ``max_winding``."""
        from flint import acb

        o = self.options
        corners = [acb(r * cmath.exp(2j * math.pi * j / o.samples)) for j in range(o.samples)]
        corners.append(corners[0])
        total = [0 * x for x in z]
        current, nearest, step = z, math.inf, 0.5
        h0s = []
        for c in range(1, o.max_winding + 1):
            for j in range(o.samples):
                total = [a + b for a, b in zip(total, current)]
                h0s.append(complex(current[0]))
                current, arrived, step = self.track(current, corners[j], corners[j + 1], step)
                if not arrived:
                    return None, 0, h0s
                if j < o.samples - 1:
                    nearest = min(nearest, _distance(current, z))
            back = _distance(current, z)
            if back <= 1e-2 * nearest or back <= 1e-30 * (1 + _size(z)):
                return _mid([a / (c * o.samples) for a in total]), c, h0s
        return None, 0, h0s


def _distance(a: list, b: list) -> float:
    return max(abs(complex(x - y)) for x, y in zip(a, b))


def _rk4(velocity, z, u: float, h: float):
    """One classical Runge-Kutta step of dz/du = velocity(z, u), on lists of balls or on a
    numpy vector (None where a velocity is not finite)."""
    def plus(a, k, c):
        return a + c * k if isinstance(a, np.ndarray) else [x + c * y for x, y in zip(a, k)]

    k1 = velocity(z, u)
    if k1 is None:
        return None
    k2 = velocity(plus(z, k1, 0.5 * h), u + 0.5 * h)
    if k2 is None:
        return None
    k3 = velocity(plus(z, k2, 0.5 * h), u + 0.5 * h)
    if k3 is None:
        return None
    k4 = velocity(plus(z, k3, h), u + h)
    if k4 is None:
        return None
    if isinstance(z, np.ndarray):
        return z + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return [a + h / 6 * (b1 + 2 * b2 + 2 * b3 + b4) for a, b1, b2, b3, b4 in zip(z, k1, k2, k3, k4)]


def _solve_double(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray | None:
    with np.errstate(all="ignore"):
        try:
            x = np.linalg.solve(matrix, vector)
        except np.linalg.LinAlgError:
            return None
    return x if np.all(np.isfinite(x)) else None


def _newton(hom: PreciseHomotopy, z: list, tau, iterations: int, mixed: bool = False
            ) -> tuple[list | None, float, float, bool]:
    """Newton at tau: (point, first and last correction relative to 1 + max |z|, contracted).
    ``mixed``: the residual in full precision, the Jacobian and the solve in double (iterative
    refinement: each iteration gains what the double Jacobian's condition leaves, enough
    below a condition of 1e10 or so; above, the caller's acceptance test fails and it
    tries again with the full-precision Newton)."""
    corrections = []
    t = complex(tau)
    for _ in range(iterations):
        if mixed:
            h = hom.values(z, tau)
            d = _solve_double(hom.double(np.array([complex(c) for c in z]), t)[0],
                              np.array([complex(c) for c in h.entries()]))
            dz = None if d is None else [complex(c) for c in d]
        else:
            h, hz, _ = hom.evaluate(z, tau)
            dz = _solve(hz, h)
        if dz is None:
            return None, math.inf, math.inf, False
        z = [a - b for a, b in zip(z, dz)]
        corrections.append(max(abs(complex(c)) for c in dz) / (1 + _size(z)))
    contracted = len(corrections) < 2 or corrections[-1] <= 0.5 * corrections[-2] or corrections[-1] <= 1e-40
    return z, corrections[0], corrections[-1], contracted


def precise_endgames(homotopy, z0: np.ndarray, radius: float, options: PreciseOptions = PreciseOptions(),
                     resume: np.ndarray | None = None, resume_tau: np.ndarray | None = None
                     ) -> tuple[EndgameResult, np.ndarray, list]:
    """Paths from chart points z0 (P, m) at s = 0, tracked to tau = ``radius`` and through the
    endgame in ``options.bits``-bit arithmetic: (an ``EndgameResult`` of double points, steps
    taken per path, why each path that got no outcome has none: "" otherwise). A path with a
    finite ``resume`` point (where double precision stopped, at tau = ``resume_tau``) starts
    there, after Newton's method in higher precision: double precision usually fails late in
    the endgame, and the way there costs as much in higher precision as the rest.

    Paths are independent: with more than one kernel thread allowed (``tracker.kernel_threads``)
    they are split among that many forked processes, each path computed exactly as alone."""
    from algebra.continuation.tracker import kernel_threads

    p, m = z0.shape
    job = _Job(PreciseHomotopy(homotopy), options, np.asarray(z0, dtype=complex), resume, resume_tau, radius)
    terms = max(1, job.hom.terms)
    left = options.run_work
    ends = []
    for first in range(0, p, BLOCK):
        block = list(range(first, min(p, first + BLOCK)))
        share = min(options.path_steps, left // (terms * len(block)))
        if share < 1:
            budget = f"{options.run_work:,} steps x terms a call, {terms} terms"
            ends += [(TRACK_FAILED, list(job.z0[i]), 0, 0,
                      f"not retracked in {options.bits}-bit arithmetic: the call's budget was spent ({budget})")
                     for i in range(first, p)]
            break
        job.limit = share
        workers = min(kernel_threads(), len(block))
        done = _in_processes(job, workers, block) if workers > 1 else None
        done = done if done is not None else [job.path(i) for i in block]
        ends += done
        left -= terms * sum(e[3] for e in done)
    status = np.array([e[0] for e in ends], dtype=np.int64)
    last = np.array([e[1] for e in ends], dtype=complex).reshape(p, m)
    limit = np.where(np.isin(status, (CONVERGED, AT_INFINITY))[:, None], last, np.nan + 0j)
    nan = np.full(p, np.nan)
    return (EndgameResult(limit, np.array([e[2] for e in ends], dtype=np.int64), status, nan.copy(), nan.copy(),
                          nan.copy(), last),
            np.array([e[3] for e in ends], dtype=np.int64), [e[4] for e in ends])


@dataclass
class _Job:
    """Everything one path of ``precise_endgames`` needs; ``path(i)`` runs path i."""

    hom: PreciseHomotopy
    options: PreciseOptions
    z0: np.ndarray
    resume: np.ndarray | None
    resume_tau: np.ndarray | None
    radius: float
    limit: int = PATH_STEPS    # steps each path of the current block may take

    def path(self, i: int) -> tuple[int, list, int, int, str]:
        """(endgame outcome, last point or limit, winding number, steps, why it has no outcome)."""
        from flint import acb, ctx

        o, radius = self.options, self.radius
        budget = f"{self.limit:,} steps, its share of {o.run_work:,} steps x terms a call ({self.hom.terms} terms)"
        path = _Path(self.hom, o, self.limit)
        with ctx.workprec(o.bits):
            try:
                z, tau = path.start(self.z0[i], None if self.resume is None else self.resume[i],
                                    None if self.resume_tau is None else self.resume_tau[i])
                arrived = True
                if tau > radius:
                    z, arrived, _ = path.track(z, acb(tau), acb(radius))
                if not arrived:
                    return (TRACK_FAILED, [complex(c) for c in z], 0, path.steps,
                            f"in {o.bits}-bit arithmetic too: step size underflow before the endgame zone")
                outcome, point, winding = path.endgame(z, min(tau, radius))
                return outcome, [complex(c) for c in point], winding, path.steps, ""
            except OutOfSteps:
                return TRACK_FAILED, list(self.z0[i]), 0, path.steps, (f"in {o.bits}-bit arithmetic: its steps "
                                                                       f"ran out ({budget})")


_SHARED: _Job | None = None  # the job forked processes read (set just before they fork)


def _run_shared(i: int):
    return _SHARED.path(i)


def _in_processes(job: _Job, workers: int, which: list[int]) -> list | None:
    """The job's paths ``which`` on ``workers`` forked processes, in order; None where processes
    cannot be forked here (a daemonic worker process, a platform without fork)."""
    import multiprocessing

    global _SHARED
    if multiprocessing.current_process().daemon or "fork" not in multiprocessing.get_all_start_methods():
        return None
    _SHARED = job
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_run_shared, which, chunksize=1)
    finally:
        _SHARED = None
