"""Is a singular solution isolated, and of what multiplicity? Macaulay's dual space at a point.

At a point p with F(p) = 0, the local dual space D_k of order k is the set of differential
functionals sum_beta c_beta d^beta / beta! (|beta| <= k) that vanish on every y^alpha f_i(p + y);
its dimension h(k) is the nullity of the Macaulay matrix S_k (rows: the Taylor coefficients
of y^alpha f_i(p + y), |alpha| <= k - 1, up to order k; columns: the monomials y^beta, |beta| <= k).
h is non-decreasing; p is an isolated solution exactly when h stops growing, and then its
multiplicity is the value where it stops (Dayton and Zeng, "Computing the multiplicity
structure in solving polynomial systems", ISSAC 2005). On a component of positive dimension h
grows for ever.

The test needs a bound: Bates, Hauenstein, Peterson and Sommese ("A numerical local dimension
test for points on the solution set of a system of polynomial equations", SIAM J. Numer.
Anal. 47, 2009) take it from the homotopy. The number of paths of a (generic) homotopy that
end at an isolated solution is its multiplicity, so with c paths ending at p:

- h(k) = h(k - 1) = c: p is isolated, of multiplicity c;
- h(k) > c for some k: p is not isolated (it lies on a component of positive dimension);
- h stops at a value other than c, or the matrices grow past ``max_entries``: undecided.

Ranks are numerical: each equation's Taylor coefficients (computed exactly, then rounded) are
divided by the multinomials |beta|! / beta! and scaled to unit size, and singular values of S_k
below a threshold set by the point's accuracy count as zero. The verdict is as good as the
point: evidence with probability one given an accurate point, not a proof. At high orders noise
can stop h early, so a stop proves isolation only where it meets the independent path count.

>>> import numpy as np
>>> from algebra.polys import PolySystem, monomial_values
>>> s = PolySystem(("x", "y"), np.array([[2, 0], [0, 1], [0, 0]]), np.array([[1.0, 0, 0], [0, 1.0, -1.0]]))
>>> local_dimension(s, np.array([0j, 1 + 0j]), paths=2)        # x^2 = 0, y = 1
LocalDimension(verdict='isolated', multiplicity=2, hilbert=[1, 2, 2], reason='h(2) = h(1) = 2, the paths that end there')
>>> t = PolySystem(("x", "y"), np.array([[1, 1], [0, 0]]), np.array([[1.0, -1.0], [1.0, -1.0]]))
>>> local_dimension(t, np.array([2 + 0j, 0.5 + 0j]), paths=1).verdict   # xy = 1 twice: a curve
'positive-dimensional'
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations_with_replacement

import numpy as np

from algebra.polys import PolySystem, monomial_values

#: Largest Macaulay matrix (rows x columns) the test builds; beyond it the answer is undecided.
MAX_ENTRIES = 16_000_000
#: Singular values below this are zero (equations at unit size), for a point accurate to
#: roundoff; a less accurate point raises it (``local_dimension(accuracy=...)``: 1e3 x accuracy).
RANK_TOL = 1e-8
#: A rank is clear when no singular value lies within this factor of the threshold either way;
#: a verdict read from an unclear one is "undecided" (x^30 - y, y^3: h(k) = k + 1 up to its
#: 90-fold root's order 90, and at order 91 one singular value of a 4,000-column matrix fell
#: near the threshold and made the root "a component").
CLEAR = 100.0


@dataclass
class LocalDimension:
    verdict: str                     # "isolated", "positive-dimensional" or "undecided"
    multiplicity: int | None         # for "isolated"
    hilbert: list[int] = field(default_factory=list)  # h(0), h(1), ...
    reason: str = ""


def taylor(system: PolySystem, point: np.ndarray, order: int, rho: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Taylor coefficients of every equation at ``point`` in the unknowns y = (x - point) / rho,
    up to total degree ``order``: (exponents B x n, coefficients E x B), constant terms set to 0
    (the point is taken as a solution).

    Computed exactly (flint's rational polynomials; the float coefficients and the point are the
    binary rationals they are, i = sqrt(-1) one more unknown reduced at the end) and rounded
    once: a multiple root of an expanded high-degree polynomial ((x + y + 1)^50, coefficients
    to 1e22) leaves nothing in double precision of its low-order coefficients but cancellation.

    >>> s = PolySystem(("x",), np.array([[2], [0]]), np.array([[1.0, -1.0]]))   # x^2 - 1 at x = 1
    >>> b, c = taylor(s, np.array([1.0 + 0j]), 3)
    >>> b.ravel().tolist(), c.real.tolist()
    ([0, 1, 2, 3], [[0.0, 2.0, 1.0, 0.0]])
    """
    from fractions import Fraction

    from flint import fmpq, fmpq_mpoly_ctx

    n = system.n_variables
    names = tuple(f"y{k}" for k in range(n)) + ("I",)
    ctx = fmpq_mpoly_ctx.get(names, "lex")
    gens = ctx.gens()
    unit = gens[n]

    def exact(z: complex):
        re, im = Fraction(float(z.real)), Fraction(float(z.imag))
        return fmpq(re.numerator, re.denominator) + fmpq(im.numerator, im.denominator) * unit

    r = Fraction(float(rho))
    shift = [exact(complex(point[k])) + fmpq(r.numerator, r.denominator) * gens[k] for k in range(n)] + [unit]
    basis = _monomials_up_to(n, order)
    index = {tuple(b): i for i, b in enumerate(basis.tolist())}
    out = np.zeros((system.n_equations, len(basis)), dtype=complex)
    in_ctx = fmpq_mpoly_ctx.get(tuple(f"x{k}" for k in range(n)) + ("I",), "lex")
    for i in range(system.n_equations):
        mons, coeffs = system.equation(i)
        terms = {}
        for m, c in zip(mons.tolist(), coeffs.tolist()):
            c = complex(c)
            for part, power in ((c.real, 0), (c.imag, 1)):
                if part:
                    q = Fraction(part)
                    key = tuple(m) + (power,)
                    terms[key] = terms.get(key, 0) + fmpq(q.numerator, q.denominator)
        f = in_ctx.from_dict(terms).compose(*shift, ctx=ctx)
        for exps, c in f.to_dict().items():
            y, p = exps[:n], exps[n]
            if sum(y) > order:
                continue
            value = float(Fraction(int(c.p), int(c.q)))
            out[i, index[y]] += value * (1, 1j, -1, -1j)[p % 4]
    out[:, 0] = 0
    return basis, out


def _monomials_up_to(n: int, order: int) -> np.ndarray:
    """Exponents of total degree <= order, by degree (degree 0 first)."""
    out = [np.zeros(n, dtype=np.int64)]
    for d in range(1, order + 1):
        for combo in combinations_with_replacement(range(n), d):
            e = np.zeros(n, dtype=np.int64)
            np.add.at(e, list(combo), 1)
            out.append(e)
    return np.array(out, dtype=np.int64).reshape(-1, n)


def macaulay_matrix(basis: np.ndarray, coefficients: np.ndarray, order: int) -> np.ndarray:
    """S_order: rows y^alpha f_i (|alpha| <= order - 1) in the columns y^beta (|beta| <= order)."""
    degrees = basis.sum(axis=1)
    n = basis.shape[1]
    place = (order + 1) ** np.arange(n, dtype=np.int64)     # exponents <= order: a mixed-radix key
    cols = np.flatnonzero(degrees <= order)
    col_keys = basis[cols] @ place
    sort = np.argsort(col_keys)
    shifts = basis[degrees <= order - 1]
    out = np.zeros((len(coefficients) * len(shifts), len(cols)), dtype=complex)
    for i, f in enumerate(coefficients):
        terms = np.flatnonzero((f != 0) & (degrees <= order))
        if len(terms) == 0 or len(shifts) == 0:
            continue
        beta = shifts[:, None, :] + basis[terms][None, :, :]          # (A, T, n)
        ok = beta.sum(axis=2) <= order
        a_idx, t_idx = np.nonzero(ok)
        keys = beta[a_idx, t_idx] @ place
        j = sort[np.searchsorted(col_keys, keys, sorter=sort)]
        out[i * len(shifts) + a_idx, j] = f[terms[t_idx]]
    return out


def _nullity(matrix: np.ndarray, tol: float) -> tuple[int, bool]:
    """Columns less the numerical rank (singular values above ``tol``), and whether that rank
    is clear (no singular value within a factor ``CLEAR`` of ``tol``)."""
    if matrix.shape[0] == 0:
        return matrix.shape[1], True
    if matrix.shape[0] > matrix.shape[1]:
        matrix = np.linalg.qr(matrix, mode="r")              # the same singular values, fewer rows
    s = np.linalg.svd(matrix, compute_uv=False)
    clear = not np.any((s > tol / CLEAR) & (s < tol * CLEAR))
    return matrix.shape[1] - int(np.sum(s > tol)), clear


def _multinomials(basis: np.ndarray) -> np.ndarray:
    """|beta|! / beta! for each exponent row."""
    from math import factorial

    return np.array([factorial(int(b.sum())) / math.prod(factorial(int(e)) for e in b) for b in basis])


def _order_h(system: PolySystem, point, k: int, rho: float, tol: float, cache: dict) -> tuple[int, bool]:
    """h(k), and whether its rank was clear (``_nullity``). The columns of S_k are divided by the multinomials |beta|! / beta! (a column
    scaling: the rank is the same in exact arithmetic), so that a power of a linear form,
    (x + y)^50, has all its coefficients one and no column is lost to the binomials' range
    (1 to 1e14) before the rank is read; each equation is brought to unit size by its whole
    weighted expansion (not row by row: a row that is only the point's error in the low orders
    must stay that small)."""
    if cache.get("order", -1) < k:
        top = max(2 * k, max(system.degrees))
        basis, coef = taylor(system, point, top, rho)
        weights = 1 / _multinomials(basis)
        norms = np.abs(coef[:, basis.sum(axis=1) <= max(system.degrees)]
                       * weights[basis.sum(axis=1) <= max(system.degrees)]).max(axis=1, keepdims=True)
        cache.update(order=top, basis=basis, coef=coef / np.where(norms > 0, norms, 1), weights=weights)
    basis = cache["basis"]
    columns = cache["weights"][basis.sum(axis=1) <= k]      # macaulay_matrix's columns, in basis order
    return _nullity(macaulay_matrix(basis, cache["coef"], k) * columns[None, :], tol)


def _size(system: PolySystem, k: int) -> int:
    n = system.n_variables
    return system.n_equations * math.comb(n + k - 1, n) * math.comb(n + k, n)


#: Orders whose Macaulay matrix has at most this many entries are all tried, one by one (a
#: dual space of high multiplicity but small depth stops early: dz1's 131-fold root); past it
#: the test goes straight to the orders that decide (the number of paths and one more).
STEP_ENTRIES = MAX_ENTRIES
#: Past the paths that reached a point, while failed paths leave it open, orders are tried up to
#: this size only (a component shows early; a root of higher multiplicity stays undecided).
SMALL_ENTRIES = 200_000


#: A component claimed by h is followed from this far (relative) beside the point ...
SLICE_OFFSET = 1e-4
#: ... out to where an isolated root of the multiplicity in question leaves this much residual.
ROOT_RESIDUAL = 1e-4


def _on_a_component(system: PolySystem, point: np.ndarray, rho: float, top: int) -> bool:
    """Whether a component of positive dimension passes through ``point``: solutions of F on the
    hyperplanes v.(x - p) = delta, v the Jacobian's most nearly null direction at p, followed by
    Gauss-Newton as delta doubles from SLICE_OFFSET to ROOT_RESIDUAL^(1 / top) (relative to the
    point's size), each with a residual at rounding level. A component crosses those hyperplanes
    (its tangents lie in the null space) and F vanishes on it all the way; near an isolated root
    of multiplicity at most ``top`` F only flattens, and at the last distance it is at least
    about ROOT_RESIDUAL. It guards h's verdict, whose ranks read a cluster of inaccurate
    endpoints as a component: (x - 1)^16 expanded, 14 paths to a point good to 1e-2, in one
    unknown, was '14 on positive-dimensional components'."""
    if system.n_variables == 1:
        return not np.any(system.coefficients.data)  # in one unknown only F = 0 has a component
    with np.errstate(all="ignore"):
        try:
            _, sv, vh = np.linalg.svd(system.jacobian(point))
        except np.linalg.LinAlgError:
            return True  # no direction to follow: h's verdict stands
        # a generic direction of the numerical null space: at a crossing of components (the
        # origin of x y = 0) the last singular vector may point between them, where Newton stalls
        null = vh[np.append(sv, np.zeros(len(vh) - len(sv))) <= 1e-6 * max(sv.max(initial=0.0), 1e-300)]
        null = null if len(null) else vh[-1:]
        rng = np.random.default_rng(7)
        v = (rng.standard_normal(len(null)) + 1j * rng.standard_normal(len(null))) @ null.conj()
        v = v / np.linalg.norm(v)
        coef = abs(system.coefficients)

        def scale(x):
            # each equation's terms at x in absolute value (its backward error, blind to the
            # point's size: points near 1e7 passed for a component against coefficients times
            # rho^d), plus its coefficients, which keep a lone term near 0 (x^2 y at the y axis)
            # measured at the unit scale
            return coef @ np.abs(monomial_values(system.monomials, x[None])[0]) + coef.sum(axis=1) + 1e-300

        last = max(SLICE_OFFSET, ROOT_RESIDUAL ** (1 / max(top, 1))) * rho
        delta, x = SLICE_OFFSET * rho, point.astype(complex)
        while True:
            x = x + (delta - v.conj() @ (x - point)) * v
            for _ in range(50):  # Newton converges only linearly onto a multiple component
                size = scale(x)
                f = np.append(system.evaluate(x) / size, (v.conj() @ (x - point) - delta) / rho)
                if not np.all(np.isfinite(f)):
                    return False
                if np.max(np.abs(f)) <= 1e-12:
                    break
                jac = np.vstack([system.jacobian(x) / size[:, None], v.conj()[None] / rho])
                x = x - np.linalg.lstsq(jac, f, rcond=None)[0]
            else:
                return False
            if delta >= last:
                return True
            delta = min(2 * delta, last)


def local_dimension(system: PolySystem, point: np.ndarray, paths: int, accuracy: float = 0.0,
                    max_entries: int = MAX_ENTRIES, lost: int = 0) -> LocalDimension:
    """Whether ``point`` is an isolated solution of multiplicity ``paths`` (the number of paths
    of a generic homotopy that end there), lies on a component of positive dimension, or
    neither can be told (see the module's doc). ``accuracy``: the point's relative error.
    ``lost``: paths of the run that failed, any of which may have been going there: h above
    ``paths`` but not above ``paths + lost`` is then undecided, not a component (a 16-fold
    root reached by 10 of its 16 paths, the others failed, is not a curve).

    h never decreases and, once h(k) = h(k + 1), never grows again; an isolated solution of
    multiplicity c has h <= c everywhere. So h(c) = h(c + 1) = c decides "isolated" and any
    h(k) > c decides "not isolated": small orders are tried one by one (most components show
    at order 2), then the test jumps to orders c and c + 1."""
    point = np.asarray(point, dtype=complex)
    rho = max(1.0, float(np.max(np.abs(point), initial=0.0)))
    tol = min(1e-3, max(RANK_TOL, 1e3 * accuracy))
    hilbert = {0: 1}
    clear = {0: True}   # whether each order's rank was clear (``CLEAR``)
    cache: dict = {}

    top = paths + lost
    over = False        # h above the paths that reached the point, within the failed ones

    def verdict(k: int, h: int) -> LocalDimension | None:
        hs = [hilbert.get(j) for j in range(max(hilbert) + 1)]
        if h > top and not clear[k]:
            return LocalDimension("undecided", None, hs, f"h({k}) = {h} exceeds the {paths} paths that end there, but "
                                  f"the rank at order {k} is not clear (a singular value near the threshold)")
        if h > top and not _on_a_component(system, point, rho, top):
            return LocalDimension("undecided", None, hs, f"h({k}) = {h} exceeds the {paths} paths that end there, "
                                  "but no solution was found on a slice beside the point (a component would "
                                  "cross it): the point is too inaccurate for its ranks")
        if h > top:
            return LocalDimension("positive-dimensional", None, hs,
                                  f"h({k}) = {h} exceeds the {paths} paths that end there"
                                  + (f" and the {lost} that failed" if lost else "") + ": not an isolated solution")
        if h > paths:
            # failed paths may have been going there: a root of higher multiplicity or a
            # component; only h past them all tells (ranks read at high orders from a point
            # this accurate can stop h early, so a stop there proves nothing)
            return None
        if hilbert.get(k - 1) == h:
            if h == paths and not (clear[k] and clear[k - 1]):
                return LocalDimension("undecided", None, hs, f"h({k}) = h({k - 1}) = {h}, the paths that end there, "
                                      "but a rank there is not clear (a singular value near the threshold)")
            if h == paths:
                return LocalDimension("isolated", h, hs, f"h({k}) = h({k - 1}) = {h}, the paths that end there")
            return LocalDimension("undecided", None, hs, f"h stops at {h} (order {k}) but {paths} paths end there")
        return None

    k = 1
    while k <= top + 1 and _size(system, k) <= (SMALL_ENTRIES if over else STEP_ENTRIES):
        h, clear[k] = _order_h(system, point, k, rho, tol, cache)
        hilbert[k] = h
        found = verdict(k, h)
        if found:
            return found
        over = over or h > paths
        k += 1
    hs = [hilbert.get(i) for i in range(max(hilbert) + 1)]
    if over:
        return LocalDimension("undecided", None, hs, f"h({k - 1}) = {hs[-1]} exceeds the {paths} paths that end "
                              f"there, but {lost} paths failed: a root of higher multiplicity or a component")
    for j in (paths, paths + 1):
        if j < k:
            continue
        if _size(system, j) > max_entries:
            return LocalDimension("undecided", None, hs,
                                  f"the Macaulay matrix of order {j} ({_size(system, j):,} entries) is past the test's size")
        h, clear[j] = _order_h(system, point, j, rho, tol, cache)
        hilbert[j] = h
        found = verdict(j, h)
        if found:
            return found
    return LocalDimension("undecided", None, [hilbert.get(i) for i in range(max(hilbert) + 1)],
                          f"h did not stop by order {paths + 1}")
