"""Polynomial systems as arrays: one monomial basis shared by all equations.

A system of E equations in W variables is an exponent matrix ``monomials`` (T x W,
int) and a coefficient matrix ``coefficients`` (E x T, float64 or complex128).
That is the form numerical work wants (evaluation is one matrix product), and it
is what the exact flint polynomials are converted into once the data enters.
sympy is used only to display.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from algebra.errors import SpecError


def unique_rows(monomials: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct exponent rows and the index of each row among them.

    Rows are packed into one int64 key each (mixed radix) when that fits, else into one
    byte string each; both sort far faster than ``np.unique(axis=0)`` at millions of rows.

    >>> u, inv = unique_rows(np.array([[1, 0], [0, 2], [1, 0]]))
    >>> u.tolist(), inv.tolist()
    ([[0, 2], [1, 0]], [1, 0, 1])
    """
    if monomials.shape[0] == 0 or monomials.shape[1] == 0:
        return monomials[:1], np.zeros(monomials.shape[0], dtype=np.int64)
    radix = [int(r) for r in monomials.max(axis=0) + 1]
    if min(monomials.min(axis=0)) < 0 or max(radix) > 256:
        unique, inverse = np.unique(monomials, axis=0, return_inverse=True)
        return unique, inverse.ravel()
    if sum(math.log2(r) for r in radix) >= 62:
        # one opaque byte string per row: compared by memcmp, i.e. lexicographically
        rows = np.ascontiguousarray(monomials.astype(np.uint8))
        keys = rows.view(np.dtype((np.void, rows.shape[1]))).ravel()
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        return monomials[first], inverse.ravel()
    place = np.cumprod([1] + radix[:0:-1])[::-1].astype(np.int64)  # last column varies fastest
    keys, first, inverse = np.unique(monomials @ place, return_index=True, return_inverse=True)
    return monomials[first], inverse.ravel()


def combine(monomials: np.ndarray, coefficients) -> tuple[np.ndarray, sparse.csr_array]:
    """Merge repeated monomials (columns), summing their coefficients; sorted basis, zeros dropped.

    ``coefficients`` (E x T) may be dense or sparse; the result is sparse (CSR).

    >>> m, c = combine(np.array([[1, 0], [0, 1], [1, 0]]), np.array([[1.0, 2.0, 3.0]]))
    >>> m.tolist(), c.toarray().tolist()
    ([[0, 1], [1, 0]], [[2.0, 4.0]])
    """
    monomials = np.asarray(monomials, dtype=np.int64)
    monomials = monomials.reshape(monomials.shape[0], -1)
    coefficients = coefficients if sparse.issparse(coefficients) else np.atleast_2d(coefficients)
    if monomials.shape[0] == 0:
        return monomials, sparse.csr_array(coefficients)
    unique, inverse = unique_rows(monomials)
    t = monomials.shape[0]
    gather = sparse.csr_array((np.ones(t), (np.arange(t), inverse.ravel())), shape=(t, unique.shape[0]))
    out = sparse.csr_array(coefficients @ gather)
    out.eliminate_zeros()
    return unique, out


def monomial_values(monomials: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Values of every monomial at every point: (P, T) for points (P, W)."""
    points = np.atleast_2d(points)
    out = np.ones((points.shape[0], monomials.shape[0]), dtype=np.result_type(points, float))
    for k in range(monomials.shape[1]):
        e = monomials[:, k]
        if e.any():
            powers = points[:, k:k + 1] ** np.arange(e.max() + 1)
            out *= powers[:, e]
    return out


def flint_terms(poly, nvars: int) -> tuple[np.ndarray, np.ndarray]:
    """Exponents (T x nvars) and float coefficients of a flint polynomial, each rounded once."""
    monoms = poly.monoms()
    exps = np.array(monoms, dtype=np.int64).reshape(len(monoms), nvars)
    coeffs = np.array([int(c.p) / int(c.q) if hasattr(c, "q") else float(c) for c in poly.coeffs()],
                      dtype=float)
    return exps, coeffs


MAX_EXPONENT = 2 ** 31  # far above any degree a solver here can take; int64 sums of exponents stay exact


def _exponents(monomials) -> np.ndarray:
    """Exponents as int64, refused unless they are whole numbers in [0, MAX_EXPONENT).

    >>> _exponents([[2, 0], [0.0, 1]]).tolist()
    [[2, 0], [0, 1]]
    >>> _exponents([[1.5]])
    Traceback (most recent call last):
    ...
    algebra.errors.SpecError: exponents must be whole numbers >= 0, got 1.5
    """
    raw = np.asarray(monomials)
    if raw.dtype.kind in "iu":  # the common case, checked without a loop
        if raw.size and (raw.min() < 0 or raw.max() >= MAX_EXPONENT):
            bad = raw.min() if raw.min() < 0 else raw.max()
            raise SpecError(f"exponents must be whole numbers >= 0, got {int(bad)}" if bad < 0 else
                            f"exponent {int(bad):,} is too large (at most {MAX_EXPONENT - 1:,})")
        return raw.astype(np.int64, copy=False)
    if raw.dtype.kind not in "bf" and raw.dtype != object:
        raise SpecError(f"exponents must be whole numbers >= 0, got dtype {raw.dtype}")
    flat = raw.ravel().tolist()
    for v in flat:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()) \
                or v < 0:
            raise SpecError(f"exponents must be whole numbers >= 0, got {v!r}")
        if v >= MAX_EXPONENT:
            raise SpecError(f"exponent {int(v):,} is too large (at most {MAX_EXPONENT - 1:,})")
    return np.array(flat, dtype=np.int64).reshape(raw.shape) if raw.ndim else np.array(flat, dtype=np.int64)


def _array(value, what: str, objects: bool = False) -> np.ndarray:
    """``value`` as a numpy array of numbers (``objects``: or of Python objects, which the caller
    checks one by one: exponents past int64), or one line saying why not (ragged rows, None, text)."""
    if value is None or isinstance(value, (str, bytes, dict)):
        raise SpecError(f"{what} must be an array of numbers, got {type(value).__name__}")
    try:
        out = np.asarray(value)
    except ValueError:
        raise SpecError(f"{what} must be a rectangular array (its rows differ in length)") from None
    if out.dtype == object and not objects:
        raise SpecError(f"{what} must be an array of numbers")
    return out


@dataclass(frozen=True)
class PolySystem:
    """E polynomial equations in named variables over a shared monomial basis.

    ``coefficients`` is stored sparse (CSR): a gradient system's equations share few
    monomials, a zero-loss system's share all of them.

    >>> s = PolySystem(("x", "y"), np.array([[2, 0], [0, 1], [0, 0]]),
    ...                np.array([[1.0, 0.0, -4.0], [0.0, 1.0, -1.0]]))
    >>> s.degrees, s.is_square
    ([2, 1], True)
    >>> s.evaluate([2.0, 1.0]).tolist()
    [0.0, 0.0]
    """

    variables: tuple[str, ...]
    monomials: np.ndarray
    coefficients: sparse.csr_array
    kind: str = "system"
    info: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if isinstance(self.variables, str) or not all(isinstance(v, str) and v for v in self.variables):
            raise SpecError(f"variables must be a sequence of names, got {self.variables!r}")
        if len(set(self.variables)) != len(self.variables):
            raise SpecError("variable names repeat")
        raw = _array(self.monomials, "monomials", objects=True)
        mon = _exponents(raw)
        if mon.ndim != 2 or mon.shape[1] != len(self.variables):
            raise SpecError(f"monomials must be a (terms, {len(self.variables)}) array of exponents, "
                            f"got shape {mon.shape}")
        coef = self.coefficients
        coef = sparse.csr_array(coef if sparse.issparse(coef) else np.atleast_2d(_array(coef, "coefficients")))
        if coef.dtype.kind not in "biufc":
            raise SpecError(f"coefficients must be numbers, got dtype {coef.dtype}")
        if not np.all(np.isfinite(coef.data)):
            raise SpecError("the system has non-finite coefficients (nan or inf)")
        if coef.ndim != 2 or coef.shape[1] != mon.shape[0]:
            raise SpecError(f"{coef.shape[1]} coefficient columns for {mon.shape[0]} monomials")
        coef.eliminate_zeros()
        coef.sort_indices()
        object.__setattr__(self, "variables", tuple(self.variables))
        object.__setattr__(self, "monomials", mon)
        object.__setattr__(self, "coefficients", coef)

    @property
    def n_equations(self) -> int:
        return self.coefficients.shape[0]

    @property
    def n_variables(self) -> int:
        return len(self.variables)

    @property
    def is_square(self) -> bool:
        return self.n_equations == self.n_variables

    @property
    def is_complex(self) -> bool:
        return np.iscomplexobj(self.coefficients.data)

    def _row(self, i: int) -> slice:
        return slice(self.coefficients.indptr[i], self.coefficients.indptr[i + 1])

    def equation(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Support (T_i x W exponents) and nonzero coefficients of equation i."""
        row = self._row(i)
        return self.monomials[self.coefficients.indices[row]], self.coefficients.data[row]

    def supports(self) -> list[np.ndarray]:
        """Exponents of the monomials with nonzero coefficient, per equation."""
        return [self.equation(i)[0] for i in range(self.n_equations)]

    @property
    def degrees(self) -> list[int]:
        total = self.monomials.sum(axis=1)
        idx = self.coefficients.indices
        return [int(total[idx[self._row(i)]].max(initial=0)) for i in range(self.n_equations)]

    def multidegrees(self, groups: list[list[int]]) -> np.ndarray:
        """Degree of every equation in every group of variable indices: (E, len(groups))."""
        per_group = np.stack([self.monomials[:, g].sum(axis=1) for g in groups], axis=1)
        idx = self.coefficients.indices
        return np.stack([per_group[idx[self._row(i)]].max(axis=0, initial=0)
                         for i in range(self.n_equations)])

    def evaluate(self, points) -> np.ndarray:
        """Equation values at one point (W,) -> (E,), or at many (P, W) -> (P, E)."""
        pts = np.asarray(points)
        vals = monomial_values(self.monomials, pts.reshape(-1, self.n_variables))
        out = (self.coefficients @ vals.T).T
        return out[0] if pts.ndim == 1 else out

    def jacobian(self, point) -> np.ndarray:
        """(E, W) Jacobian at one point."""
        point = np.asarray(point)
        out = np.zeros((self.n_equations, self.n_variables),
                       dtype=np.result_type(point, self.coefficients.dtype))
        for k in range(self.n_variables):
            e = self.monomials[:, k]
            if not e.any():
                continue
            dm = self.monomials.copy()
            dm[:, k] = np.maximum(e - 1, 0)
            out[:, k] = self.coefficients @ (monomial_values(dm, point[None])[0] * e)
        return out

    def reorder(self, names) -> "PolySystem":
        """The same system with its unknowns in the order ``names`` (the same names).

        >>> s = PolySystem(("x", "y"), np.array([[2, 1], [0, 0]]), np.array([[1.0, -1.0]]))
        >>> t = s.reorder(("y", "x"))
        >>> t.variables, t.monomials.tolist()
        (('y', 'x'), [[1, 2], [0, 0]])
        """
        names = tuple(names)
        if sorted(names) != sorted(self.variables):
            raise SpecError(f"cannot order the unknowns {', '.join(self.variables)} as {', '.join(names)}")
        order = [self.variables.index(n) for n in names]
        return PolySystem(names, self.monomials[:, order], self.coefficients, self.kind, dict(self.info))

    def substitute(self, values: dict[str, complex]) -> "PolySystem":
        """Fix named variables to values (gauge fixing); the rest keep their order.

        >>> s = PolySystem(("x", "y"), np.array([[1, 1], [0, 0]]), np.array([[2.0, -1.0]]))
        >>> t = s.substitute({"y": 0.5})
        >>> t.variables, t.coefficients.toarray().tolist()
        (('x',), [[-1.0, 1.0]])
        """
        unknown = sorted(set(values) - set(self.variables))
        if unknown:
            raise SpecError(f"cannot fix {', '.join(unknown)}: not a variable of this system")
        fixed = [self.variables.index(n) for n in values]
        keep = [k for k in range(self.n_variables) if k not in fixed]
        scale = np.ones(self.monomials.shape[0], dtype=np.result_type(self.coefficients.dtype, *values.values()))
        for n, k in zip(values, fixed):
            scale = scale * np.asarray(values[n]) ** self.monomials[:, k]
        mon, coef = combine(self.monomials[:, keep], self.coefficients @ sparse.diags_array(scale))
        info = dict(self.info, fixed={n: _jsonable(v) for n, v in values.items()})
        return PolySystem(tuple(self.variables[k] for k in keep), mon, coef, self.kind, info)

    def append(self, other: "PolySystem") -> "PolySystem":
        """The equations of both systems (same variables), over the union of their bases."""
        if other.variables != self.variables:
            raise ValueError("systems have different variables")
        mon = np.concatenate([self.monomials, other.monomials])
        coef = sparse.block_diag([self.coefficients, other.coefficients], format="csr")
        mon, coef = combine(mon, coef)
        return PolySystem(self.variables, mon, coef, self.kind, dict(self.info))

    def to_sympy(self) -> list:
        import sympy

        syms = sympy.symbols(self.variables)
        out = []
        for i in range(self.n_equations):
            mon, coef = self.equation(i)
            out.append(sum((_sympy_number(c) * sympy.Mul(*[s ** int(e) for s, e in zip(syms, m) if e])
                            for m, c in zip(mon, coef)), sympy.Integer(0)))
        return out


def _sympy_number(c):
    import sympy

    c = complex(c)
    return sympy.Float(c.real, 17) + sympy.I * sympy.Float(c.imag, 17) if c.imag else sympy.Float(c.real, 17)


def _jsonable(v):
    v = complex(v)
    return v.real if v.imag == 0 else [v.real, v.imag]
