"""Polynomial approximants of ReLU (and |x|, and any callable) in arbitrary precision.

Kinds, for degree d on [-R, R]:

- ``chebyshev``: the interpolant at the d + 1 Chebyshev points (first kind);
- ``chebyshev-series``: the truncated Chebyshev series (closed form for ReLU and |x|:
  |x| = 2/pi + (4/pi) sum_k (-1)^(k+1) T_2k(x) / (4k^2 - 1));
- ``legendre``: the L2 projection (exact rational Legendre coefficients for ReLU and |x|,
  Gauss-Legendre quadrature split at the breakpoints otherwise);
- ``minimax``: the best uniform approximation, by the Remez exchange algorithm.

ReLU(R x) = R ReLU(x), so ReLU approximants are computed on [-1, 1] and rescaled exactly:
p_R(x) = R p(x / R); their errors are then measured on [-R, R] again, independently. The
best approximation of ReLU = x/2 + |x|/2 is x/2 plus half that of |x|, and the best
approximation of the even |x| is even, so Remez runs on [0, 1] in the basis T_0, T_2, ...
(a Haar system there) with half the unknowns, at any degree up to several hundred.

Choice of degree: the sup error of every kind decays like C / d (ReLU has a kink; Bernstein:
the minimax error of |x| times 2n tends to 0.2801...). ``min_degree`` finds the smallest
degree for a tolerance.

Possible issues: the monomial coefficients p0..pd that the systems and the training backend
consume are badly conditioned at high degree (they grow like 2^d with alternating signs);
``monomial_condition`` reports sum |p_k| R^k / max |p| on [-R, R], the factor by which
relative rounding in float64 monomial evaluation is amplified, and a warning is issued above
1e8. The Chebyshev coefficients are kept as well and are always safe to evaluate (Clenshaw).
Working precision defaults to 20 + 0.31 d digits (enough for the monomial conversion, whose
cancellation costs about 0.3 d digits) and is raised only inside a scoped ``mpmath.workdps``.
"""
from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import Callable, Sequence

import mpmath
from mpmath import mp

from algebra.errors import SpecError

KINDS = ("chebyshev", "chebyshev-series", "legendre", "minimax")
SPEC_KINDS = {"relu-chebyshev": "chebyshev", "relu-legendre": "legendre", "relu-minimax": "minimax"}
CONDITION_WARNING = 1e8


class ApproximationWarning(UserWarning):
    """The monomial form of an approximant is badly conditioned."""


def required_dps(degree: int) -> int:
    """Decimal digits the algorithms need at this degree.

    >>> required_dps(10), required_dps(100)
    (24, 51)
    """
    return 20 + math.ceil(0.31 * degree)


MAX_DEGREE = 60     # budgets: minimax at degree 40 takes 12 s on 2 cores, at 100 took 106 s (~ degree^2.4)
MAX_DPS = 1_000     # digits: every operation costs about their square (degree 4 at 1,000 digits: 14 s)


def _check(degree: int, radius, dps: int | None) -> int:
    if not isinstance(degree, int) or degree < 1:
        raise SpecError(f"degree must be an integer >= 1, got {degree!r}")
    if degree > MAX_DEGREE:
        raise SpecError(f"degree {degree} is above the budget of {MAX_DEGREE} (a minimax fit of degree 60 takes "
                        "about half a minute, 100 about 2 minutes); raise "
                        "algebra.approximants.MAX_DEGREE to go further")
    try:
        finite = math.isfinite(float(radius)) and float(radius) > 0
    except (TypeError, ValueError):
        finite = False
    if not finite:
        raise SpecError(f"radius must be a finite number > 0, got {radius!r}")
    need = required_dps(degree)
    if dps is None:
        return need
    if not isinstance(dps, int) or dps > MAX_DPS:
        raise SpecError(f"dps {dps!r} is above the budget of {MAX_DPS} digits (each operation costs about the "
                        "square of the digits); raise algebra.approximants.MAX_DPS to go further")
    if dps < need:
        raise SpecError(f"degree {degree} needs at least {need} digits of working precision, "
                        f"--dps {dps} is too low")
    return dps


# --- Chebyshev tools (all on [-1, 1]) ----------------------------------------------------

def clenshaw(coeffs: Sequence, x):
    """sum_k c_k T_k(x).

    >>> float(clenshaw([1, 2, 3], mpmath.mpf(0.5)))  # 1 + 2*0.5 + 3*(2*0.25 - 1)
    0.5
    """
    b1 = b2 = mpmath.mpf(0)
    for c in reversed(coeffs[1:]):
        b1, b2 = 2 * x * b1 - b2 + c, b1
    return x * b1 - b2 + coeffs[0]


def _chebyshev_values(x, m: int) -> list:
    """[T_0(x), ..., T_m(x)] by the three-term recurrence."""
    out = [mpmath.mpf(1), x]
    for _ in range(m - 1):
        out.append(2 * x * out[-1] - out[-2])
    return out[:m + 1]


def chebyshev_points(n: int) -> list:
    """The n Chebyshev points of the first kind, cos((2j + 1) pi / (2n))."""
    return [mpmath.cos((2 * j + 1) * mpmath.pi / (2 * n)) for j in range(n)]


def interpolate(values_at: Callable, degree: int) -> list:
    """Chebyshev coefficients of the degree-d interpolant of a function at Chebyshev points."""
    n = degree + 1
    pts = chebyshev_points(n)
    vals = [values_at(x) for x in pts]
    coeffs = []
    for k in range(n):
        s = mpmath.fsum(v * mpmath.cos(k * (2 * j + 1) * mpmath.pi / (2 * n)) for j, v in enumerate(vals))
        coeffs.append(s * (1 if k == 0 else 2) / n)
    return coeffs


def chebyshev_to_monomial(coeffs: Sequence) -> list:
    """Monomial coefficients p0..pd of sum_k c_k T_k(x) (three-term recurrence, exact in mp).

    >>> [int(c) for c in chebyshev_to_monomial([0, 0, 1])]  # T_2 = 2x^2 - 1
    [-1, 0, 2]
    """
    d = len(coeffs) - 1
    t_prev, t_cur = [mpmath.mpf(1)], [mpmath.mpf(0), mpmath.mpf(1)]
    out = [mpmath.mpf(0)] * (d + 1)
    out[0] += coeffs[0]
    if d >= 1:
        out[1] += coeffs[1]
    for k in range(2, d + 1):
        t_next = [mpmath.mpf(0)] * (k + 1)
        for i, c in enumerate(t_cur):
            t_next[i + 1] += 2 * c
        for i, c in enumerate(t_prev):
            t_next[i] -= c
        t_prev, t_cur = t_cur, t_next
        for i, c in enumerate(t_cur):
            out[i] += coeffs[k] * c
    return out


# --- targets ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """A function on [-1, 1] (after scaling) with its kinks, for the generic algorithms."""

    name: str
    f: Callable
    breakpoints: tuple = ()


RELU = Target("relu", lambda x: x if x > 0 else mpmath.mpf(0), (0,))
ABS = Target("abs", lambda x: abs(x), (0,))


def _legendre_exact(name: str, degree: int) -> list[Fraction]:
    """Legendre coefficients a_n = (2n + 1)/2 int_{-1}^{1} f P_n of ReLU or |x|, exact."""
    out = []
    p_prev, p_cur = [Fraction(1)], [Fraction(0), Fraction(1)]
    polys = [p_prev, p_cur]
    for n in range(1, degree):
        nxt = [Fraction(0)] * (n + 2)
        for i, c in enumerate(p_cur):
            nxt[i + 1] += Fraction(2 * n + 1, n + 1) * c
        for i, c in enumerate(p_prev):
            nxt[i] -= Fraction(n, n + 1) * c
        p_prev, p_cur = p_cur, nxt
        polys.append(p_cur)
    for n, p in enumerate(polys[:degree + 1]):
        # int_0^1 x P_n(x) dx; ReLU adds nothing on [-1, 0], |x| adds int_{-1}^0 -x P_n
        half = sum(c / (k + 2) for k, c in enumerate(p))
        integral = half if name == "relu" else half * (1 + (-1) ** n)
        out.append(Fraction(2 * n + 1, 2) * integral)
    return out


def _series_exact(name: str, degree: int) -> list:
    c = [mpmath.mpf(0)] * (degree + 1)
    scale = 1 if name == "abs" else mpmath.mpf(1) / 2
    c[0] = 2 / mpmath.pi * scale
    for k in range(1, degree // 2 + 1):
        c[2 * k] = 4 / mpmath.pi * (-1) ** (k + 1) / (4 * k * k - 1) * scale
    if name == "relu" and degree >= 1:
        c[1] = mpmath.mpf(1) / 2
    return c


def _legendre_to_chebyshev(a: Sequence, degree: int) -> list:
    def value(x):
        p_prev, p_cur, s = mpmath.mpf(1), x, a[0]
        if degree >= 1:
            s += a[1] * x
        for n in range(1, degree):
            p_prev, p_cur = p_cur, ((2 * n + 1) * x * p_cur - n * p_prev) / (n + 1)
            s += a[n + 1] * p_cur
        return s
    return interpolate(value, degree)


def _quad(f, target: Target):
    pts = sorted({-1, 1, *target.breakpoints})
    return mpmath.quad(f, pts)


def _coefficients(kind: str, target: Target, degree: int) -> list:
    """Chebyshev coefficients (on [-1, 1]) of the approximant, at the current precision."""
    if kind == "chebyshev":
        return interpolate(target.f, degree)
    if kind == "chebyshev-series":
        if target in (RELU, ABS):  # closed forms; any other Target goes the generic way
            return _series_exact(target.name, degree)
        return [_cheb_series_quad(target, k) for k in range(degree + 1)]
    if kind == "legendre":
        if target in (RELU, ABS):  # closed forms; any other Target goes the generic way
            a = [mpmath.mpf(c.numerator) / c.denominator for c in _legendre_exact(target.name, degree)]
        else:
            a = [(2 * n + 1) / mpmath.mpf(2) * _quad(lambda x: target.f(x) * mpmath.legendre(n, x), target)
                 for n in range(degree + 1)]
        return _legendre_to_chebyshev(a, degree)
    if kind == "minimax":
        if target in (RELU, ABS):  # closed forms; any other Target goes the generic way
            return _minimax_abs_based(target.name, degree)
        coeffs, _, _ = remez(target, degree)
        return coeffs
    raise SpecError(f"unknown approximation kind {kind!r}: use one of {', '.join(KINDS)}")


def _cheb_series_quad(target: Target, k: int):
    """c_k = (2/pi) int_0^pi f(cos t) cos(k t) dt, split where cos t hits a breakpoint."""
    cuts = sorted({mpmath.mpf(0), mpmath.pi, *(mpmath.acos(b) for b in target.breakpoints)})
    integral = mpmath.quad(lambda t: target.f(mpmath.cos(t)) * mpmath.cos(k * t), cuts)
    return integral * (1 if k == 0 else 2) / mpmath.pi


# --- locating the extrema of an error function -------------------------------------------

def _golden_max(g, lo, hi, iterations: int):
    """Maximize a unimodal g on [lo, hi] by golden-section search."""
    r = (mpmath.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - r * (b - a), a + r * (b - a)
    gc, gd = g(c), g(d)
    for _ in range(iterations):
        if gc > gd:
            b, d, gd = d, c, gc
            c = b - r * (b - a)
            gc = g(c)
        else:
            a, c, gc = c, d, gd
            d = a + r * (b - a)
            gd = g(d)
    x = (a + b) / 2
    return max([(g(x), x), (g(lo), lo), (g(hi), hi)], key=lambda t: t[0])[1]


def error_extrema(error: Callable, a, b, breakpoints: Sequence = (), points: int = 400) -> list:
    """All local extrema of |error| on [a, b] as (x, error(x)), sorted by x.

    Every piece between breakpoints gets its own Chebyshev-spaced grid (dense near the
    piece ends, where kinks and endpoints put extrema); each local maximum of |error| on
    the grid is then refined by golden-section search between its grid neighbours, so the
    sup norm is located to working precision, not to the grid.
    """
    cuts = sorted({mpmath.mpf(a), mpmath.mpf(b), *(mpmath.mpf(p) for p in breakpoints if a < p < b)})
    grid = []
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        n = max(points // (len(cuts) - 1), 16)
        grid += [lo + (hi - lo) * (1 - mpmath.cos(mpmath.pi * j / n)) / 2 for j in range(n + (hi == cuts[-1]))]
    vals = [error(x) for x in grid]
    mags = [abs(v) for v in vals]
    iterations = max(40, int(mp.prec * 0.75))
    out = []
    for i, x in enumerate(grid):
        left = mags[i - 1] if i > 0 else -1
        right = mags[i + 1] if i + 1 < len(grid) else -1
        if mags[i] >= left and mags[i] >= right and (mags[i] > left or mags[i] > right or i in (0, len(grid) - 1)):
            if 0 < i < len(grid) - 1 and x not in cuts:
                x = _golden_max(lambda t: abs(error(t)), grid[i - 1], grid[i + 1], iterations)
            out.append((x, error(x)))
    out.sort(key=lambda t: t[0])
    return out


def sup_norm(error: Callable, a, b, breakpoints: Sequence = (), points: int = 400) -> tuple:
    """(max |error| on [a, b], where it is attained), from refined extrema."""
    x, e = max(error_extrema(error, a, b, breakpoints, points), key=lambda t: abs(t[1]))
    return abs(e), x


# --- Remez ----------------------------------------------------------------------------------

def _exchange(extrema: list, n_ref: int) -> list | None:
    """Pick n_ref alternating extrema of largest size (multi-point exchange)."""
    merged = []
    for x, e in extrema:
        if e == 0:
            continue
        if merged and mpmath.sign(merged[-1][1]) == mpmath.sign(e):
            if abs(e) > abs(merged[-1][1]):
                merged[-1] = (x, e)
        else:
            merged.append((x, e))
    while len(merged) > n_ref:
        excess = len(merged) - n_ref
        if excess % 2 == 1 or len(merged) < 4:
            merged.pop(0 if abs(merged[0][1]) < abs(merged[-1][1]) else -1)
        else:
            i = min(range(len(merged) - 1), key=lambda k: min(abs(merged[k][1]), abs(merged[k + 1][1])))
            del merged[i:i + 2]
    return merged if len(merged) == n_ref else None


def remez(target: Target, degree: int, a=-1, b=1, even: bool = False,
          tol=None, max_iterations: int = 60) -> tuple[list, object, list]:
    """Best uniform polynomial approximation of target.f on [a, b] by Remez exchange.

    With ``even`` the basis is T_0, T_2, ..., T_degree on [a, b] = [0, 1] (an even function
    on [-1, 1]). Returns (Chebyshev coefficients on [-1, 1] of the full degree, the levelled
    error E, the reference points with their errors: the equioscillation evidence).
    """
    n = degree // 2 + 1 if even else degree + 1
    step = 2 if even else 1
    if even:
        scale = lambda x: x  # noqa: E731
        ref = [mpmath.cos(mpmath.pi * i / (2 * n)) for i in range(n + 1)][::-1]
    else:
        scale = lambda x: (2 * x - a - b) / (b - a)  # noqa: E731
        ref = [(a + b) / mpmath.mpf(2) - (b - a) / mpmath.mpf(2) * mpmath.cos(mpmath.pi * i / n)
               for i in range(n + 1)]

    def full(c):  # coefficients of T_0..T_degree
        out = [mpmath.mpf(0)] * (step * (n - 1) + 1)
        out[::step] = c
        return out
    tol = tol or mpmath.mpf(10) ** (-min(mp.dps // 2, 14))
    errors, level = None, None
    for _ in range(max_iterations):
        rows = [_chebyshev_values(scale(x), step * (n - 1))[::step] + [(-1) ** i] for i, x in enumerate(ref)]
        sol = mpmath.lu_solve(mpmath.matrix(rows), mpmath.matrix([target.f(x) for x in ref]))
        c, level = full([sol[k] for k in range(n)]), sol[n]

        def error(x, c=c):
            return target.f(x) - clenshaw(c, scale(x))
        extrema = error_extrema(error, a, b, target.breakpoints, points=max(400, 24 * (n + 1)))
        errors = _exchange(extrema, n + 1)
        if errors is None:
            raise ArithmeticError(f"Remez lost alternation at degree {degree}: raise the precision")
        worst = max(abs(e) for _, e in errors)
        ref = [x for x, _ in errors]
        if worst - abs(level) <= tol * worst:
            break
    else:
        raise ArithmeticError(f"Remez did not converge in {max_iterations} iterations at degree {degree}")
    return c + [mpmath.mpf(0)] * (degree + 1 - len(c)), level, errors


def _minimax_abs_based(name: str, degree: int) -> list:
    """Minimax of |x| (even, degree 2 floor(d/2)); for ReLU, x/2 + half of it."""
    c = list(_remez_abs(degree - degree % 2, mp.dps))
    c += [mpmath.mpf(0)] * (degree + 1 - len(c))
    if name == "relu":
        c = [v / 2 for v in c]
        c[1] += mpmath.mpf(1) / 2
    return c


@lru_cache(maxsize=64)
def _remez_abs(even_degree: int, dps: int) -> tuple:
    """Chebyshev coefficients of the minimax of |x| (cached: min_degree and the degree
    tables ask for the same degrees repeatedly)."""
    if even_degree == 0:
        return (mpmath.mpf(1) / 2,)
    return tuple(remez(ABS, even_degree, 0, 1, even=True)[0])


# --- the public object ------------------------------------------------------------------------

@dataclass(frozen=True)
class Approximant:
    """A polynomial approximant p of a target on [-R, R], with its certified-by-search errors."""

    kind: str
    target: str
    degree: int
    radius: float
    dps: int
    chebyshev: tuple            # c_k of sum c_k T_k(x / R)
    sup_error: object           # max |f - p| on [-R, R], located by refined extrema
    sup_location: object
    l2_error: object            # sqrt(int_{-R}^{R} (f - p)^2 dx)
    extrema: tuple = ()         # minimax: (x, f - p) at the alternation points
    warnings: tuple = field(default=())

    def __call__(self, x):
        with mpmath.workdps(self.dps):
            return clenshaw(self.chebyshev, mpmath.mpf(x) / self.radius)

    @cached_property
    def monomial(self) -> list:
        """p0..pd of p(x) = sum p_k x^k (on the actual interval [-R, R])."""
        with mpmath.workdps(self.dps):
            m = chebyshev_to_monomial(self.chebyshev)
            r = mpmath.mpf(self.radius)
            return [c / r ** k for k, c in enumerate(m)]

    @cached_property
    def monomial_condition(self) -> float:
        with mpmath.workdps(self.dps):
            size = mpmath.fsum(abs(c) * mpmath.mpf(self.radius) ** k for k, c in enumerate(self.monomial))
            peak, _ = sup_norm(lambda x: self(x), -self.radius, self.radius, (0,), points=200)
            return float(size / peak) if peak else float("inf")

    @cached_property
    def monomial_sup_error(self) -> float:
        """max |f - p| of what a network evaluates: the monomial coefficients rounded to
        float64 and summed in float64 (Horner), on 20,001 points of [-R, R]. Above the exact
        ``sup_error`` by the monomial form's rounding (the condition times 1e-16): 3.59e-3
        against 3.50e-3 for the minimax approximant of degree 40 on [-1, 1]."""
        import numpy as np

        if self.target not in ("relu", "abs"):
            return float("nan")  # another target's function is not kept here
        xs = np.linspace(-self.radius, self.radius, 20_001)
        p = np.zeros_like(xs)
        for c in reversed([float(c) for c in self.monomial]):
            p = p * xs + c
        f = np.maximum(xs, 0.0) if self.target == "relu" else np.abs(xs)
        return float(np.max(np.abs(f - p)))

    def as_dict(self) -> dict:
        return {"kind": self.kind, "target": self.target, "degree": self.degree, "radius": self.radius,
                "dps": self.dps, "coefficients": [float(c) for c in self.monomial],
                "chebyshev_coefficients": [float(c) for c in self.chebyshev],
                "sup_error": float(self.sup_error), "sup_error_at": float(self.sup_location),
                "l2_error": float(self.l2_error), "monomial_condition": self.monomial_condition,
                "monomial_sup_error": self.monomial_sup_error,
                "equioscillation": [[float(x), float(e)] for x, e in self.extrema],
                "warnings": list(self.warnings)}


def _target(target) -> Target:
    if isinstance(target, Target):
        return target
    if target == "relu":
        return RELU
    if target == "abs":
        return ABS
    raise SpecError(f"unknown target {target!r}: use relu, abs or an algebra.approximants.Target")


def approximate(kind: str, degree: int, radius: float = 1.0, target="relu", dps: int | None = None,
                ) -> Approximant:
    """The degree-d approximant of a kind to ReLU (or |x|, or a Target) on [-R, R].

    >>> p = approximate("chebyshev-series", 2)
    >>> [round(float(c), 6) for c in p.monomial]  # 1/pi - 2/(3 pi) + x/2 + 4 x^2/(3 pi)... on [-1, 1]
    [0.106103, 0.5, 0.424413]
    >>> round(float(approximate("minimax", 2).sup_error), 6)
    0.0625
    """
    if kind not in KINDS:
        raise SpecError(f"unknown approximation kind {kind!r}: use one of {', '.join(KINDS)}")
    dps = _check(degree, radius, dps)
    tgt = _target(target)
    with mpmath.workdps(dps):
        coeffs = _coefficients(kind, tgt, degree)
        r = mpmath.mpf(radius)
        homogeneous = tgt in (RELU, ABS)
        # f(R x) = R f(x) for ReLU and |x|: scale values by R; other targets live on [-1, 1]
        factor = r if homogeneous else mpmath.mpf(1)
        cheb = tuple(factor * c for c in coeffs)

        def f_actual(x):
            return factor * tgt.f(x / r)

        def error(x):
            return f_actual(x) - clenshaw(cheb, x / r)
        breaks = tuple(r * mpmath.mpf(b) for b in tgt.breakpoints)
        extrema = error_extrema(error, -r, r, breaks, points=max(400, 24 * (degree + 2)))
        x_sup, e_sup = max(extrema, key=lambda t: abs(t[1]))
        l2 = mpmath.sqrt(mpmath.quad(lambda x: error(x) ** 2, sorted({-r, r, *breaks})))
        alternation = tuple(_exchange(extrema, degree + 2) or ()) if kind == "minimax" else ()
    approx = Approximant(kind, tgt.name, degree, float(radius), dps, cheb, abs(e_sup), x_sup, l2,
                         alternation)
    cond = approx.monomial_condition
    if cond > CONDITION_WARNING:
        msg = (f"monomial coefficients of the degree-{degree} {kind} approximant are ill-conditioned "
               f"(condition {cond:.1e}): evaluate with the Chebyshev coefficients")
        warnings.warn(msg, ApproximationWarning, stacklevel=2)
        approx = dataclasses.replace(approx, warnings=(msg,))
    return approx


def min_degree(eps: float, kind: str = "minimax", radius: float = 1.0, max_degree: int = 400) -> int:
    """Smallest degree whose sup error on [-R, R] is <= eps.

    The minimax error is nonincreasing in d (nested spaces): doubling then bisection. The
    other kinds are not monotone (odd degrees add nothing to |x|), so they are scanned upward.

    >>> min_degree(0.07, "minimax")
    2
    """
    if not eps > 0:
        raise SpecError(f"tolerance must be > 0, got {eps!r}")

    def err(d):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ApproximationWarning)
            return approximate(kind, d, radius).sup_error
    if kind == "minimax":
        hi = 1
        while err(hi) > eps:  # doubling, then bisection: only degrees near the answer are solved
            if hi >= max_degree:
                raise SpecError(f"no degree <= {max_degree} reaches sup error {eps} ({kind})")
            hi = min(2 * hi, max_degree)
        lo = hi // 2 + 1 if hi > 1 else 1
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if err(mid) <= eps else (mid + 1, hi)
        return lo
    for d in range(1, max_degree + 1):
        if err(d) <= eps:
            return d
    raise SpecError(f"no degree <= {max_degree} reaches sup error {eps} ({kind})")


def decay_rate(degrees: Sequence[int], errors: Sequence[float]) -> float:
    """Exponent b of the least-squares fit error ~ C d^b (ReLU: about -1).

    >>> round(decay_rate([2, 4, 8], [0.5, 0.25, 0.125]), 6)
    -1.0
    """
    xs = [math.log(d) for d in degrees]
    ys = [math.log(e) for e in errors]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def spec_coefficients(name: str, degree: int, radius: float = 1.0) -> tuple[Fraction, ...]:
    """p0..pd of a relu-* spec (algebra.activation builds the Activation): monomial
    coefficients rounded to float64 (what the training backend uses), kept as the exact
    rationals of those doubles."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        approx = approximate(SPEC_KINDS[name], degree, radius)
    return tuple(Fraction(float(c)) for c in approx.monomial)
