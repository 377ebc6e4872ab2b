"""Zero-loss and critical-point systems of a network on seeded data.

The network output is one exact polynomial F(x, w) in inputs and weights (built once,
data-free, by python-flint). Data enters only by contraction:

- zero loss: f(x_i; w) - y_i is F with x replaced by the point x_i, so the system's
  coefficient matrix is (values of the x-monomials at the points) times (F's coefficients);
- critical points: L(w) = 1/2 sum_i (f(x_i; w) - y_i)^2 equals
  1/2 sum_g M_g [x^g](F^2) - sum_a Y_a [x^a]F + 1/2 sum_i y_i^2, with moments
  M_g = sum_i x_i^g and Y_a = sum_i y_i x_i^a. F^2 is one exact product, the moments
  are one pass over the data, and grad L follows by differentiating a polynomial in w.

So the cost in N is a single pass computing moments; nothing is expanded per data point.
``naive_critical_system`` expands the sum over points in sympy: the reference and baseline.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse

from algebra.errors import SpecError, check_seed
from algebra.networks import Network, SystemTooLarge, capped_product, exact_outputs, symbolic
from algebra.polys import PolySystem, combine, flint_terms, monomial_values, unique_rows

_CHUNK = 4096  # data points per pass when computing moments: bounds memory at N = 50,000
MAX_LOSS_TERMS = 1_000_000  # terms of F^2; the gradient then needs about 10x that in memory


@dataclass(frozen=True)
class Data:
    """N points x (N, n_inputs) with targets y (N, n_outputs), and how they were drawn."""

    x: np.ndarray
    y: np.ndarray
    seed: int | None = None
    field: str = "real"

    def __post_init__(self):
        x, y = np.asarray(self.x), np.asarray(self.y)
        if x.ndim != 2 or y.ndim != 2 or x.shape[0] != y.shape[0]:
            raise SpecError(f"data need x of shape (N, inputs) and y of shape (N, outputs), "
                            f"got {x.shape} and {y.shape}")
        if x.shape[0] < 1:
            raise SpecError("data need at least one point")
        if x.dtype.kind not in "biufc" or y.dtype.kind not in "biufc":
            raise SpecError(f"data must be numbers, got dtypes {x.dtype} and {y.dtype}")
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise SpecError("the data have non-finite values (nan or inf)")

    @property
    def n_points(self) -> int:
        return self.x.shape[0]

    def describe(self) -> dict:
        return {"points": self.n_points, "seed": self.seed, "field": self.field}


def make_data(net: Network, n_points: int, seed: int = 0, field: str = "real") -> Data:
    """Standard Gaussian inputs and targets (complex Gaussian when field="complex").

    >>> from algebra.networks import TreeNetwork
    >>> d = make_data(TreeNetwork(), 3, seed=1)
    >>> d.x.shape, d.y.shape
    ((3, 4), (3, 1))
    """
    if not isinstance(net, Network):
        raise TypeError(f"make_data needs a network (algebra.networks), got {type(net).__name__}")
    if not isinstance(n_points, (int, np.integer)) or n_points < 1:
        raise SpecError(f"number of data points must be >= 1, got {n_points!r}")
    check_seed(seed)
    if field not in ("real", "complex"):
        raise SpecError(f"data field must be 'real' or 'complex', got {field!r}")
    rng = np.random.default_rng(seed)

    def draw(shape):
        if field == "real":
            return rng.standard_normal(shape)
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)

    return Data(draw((n_points, net.n_inputs)), draw((n_points, net.n_outputs)), seed, field)


def _check_data(net: Network, data: Data):
    if data.x.ndim != 2 or data.x.shape[1] != net.n_inputs:
        raise SpecError(f"data has {data.x.shape[1:]} inputs per point, the network takes {net.n_inputs}")
    if data.y.shape != (data.n_points, net.n_outputs):
        raise SpecError(f"targets must have shape ({data.n_points}, {net.n_outputs}), got {data.y.shape}")


def split_terms(net: Network, poly) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A flint polynomial in (x, w) as x-exponents, w-exponents and float coefficients."""
    nx = net.n_inputs
    exps, coeffs = flint_terms(poly, nx + net.n_weights)
    return exps[:, :nx], exps[:, nx:], coeffs


def _moments(x: np.ndarray, exponents: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """sum_i weights_i x_i^g for every row g of exponents, in bounded-memory chunks.

    weights (N, K) gives (K, G); no weights gives (G,)."""
    total = None
    for start in range(0, x.shape[0], _CHUNK):
        vals = monomial_values(exponents, x[start:start + _CHUNK])
        part = vals.sum(axis=0) if weights is None else weights[start:start + _CHUNK].T @ vals
        total = part if total is None else total + part
    return total


def zero_loss_system(net: Network, data: Data) -> PolySystem:
    """{f(x_i; w) - y_i = 0}: one equation per data point and output (point-major order).

    >>> from algebra.networks import DenseNetwork
    >>> net = DenseNetwork((1, 1), "linear")
    >>> s = zero_loss_system(net, Data(np.array([[2.0]]), np.array([[1.0]])))
    >>> s.variables, s.monomials.tolist(), s.coefficients.toarray().tolist()
    (('w1_1_1', 'b1_1'), [[0, 0], [0, 1], [1, 0]], [[-1.0, 1.0, 2.0]])
    """
    _check_data(net, data)
    _, outputs = exact_outputs(net)
    n, n_out, nw = data.n_points, net.n_outputs, net.n_weights
    blocks_m, blocks_c = [], []
    for o, poly in enumerate(outputs):
        alpha, wexp, coef = split_terms(net, poly)
        vals = monomial_values(alpha, data.x) * coef  # (N, T): coefficient of each term at x_i
        blocks_m += [wexp, np.zeros((1, nw), dtype=np.int64)]
        blocks_c.append(sparse.csr_array(np.hstack([vals, -data.y[:, o:o + 1]])))
    mon, coef = combine(np.vstack(blocks_m), sparse.block_diag(blocks_c, format="csr"))
    coef = coef[(np.arange(n_out)[None, :] * n + np.arange(n)[:, None]).ravel()]
    info = {"network": net.describe(), "data": data.describe()}
    return PolySystem(net.weight_names, mon, coef, "zero-loss", info)


def l2_weights(net: Network, l2, seed: int = 0) -> np.ndarray | None:
    """The lambda_k of the generalized L2 term: None, "random" (seeded, in [0.1, 1)), or values.

    >>> from algebra.networks import TreeNetwork
    >>> l2_weights(TreeNetwork(), 0.5)[:2].tolist()
    [0.5, 0.5]
    """
    if l2 is None:
        return None
    if isinstance(l2, str):
        if l2 == "random":
            return np.random.default_rng([seed, 2]).uniform(0.1, 1.0, net.n_weights)
        try:
            l2 = [float(t) for t in l2.split(",")]
        except ValueError:
            raise SpecError(f"--l2 must be 'random' or comma-separated numbers, got {l2!r}") from None
    try:
        values = np.atleast_1d(np.asarray(l2, dtype=float))
    except (TypeError, ValueError):
        raise SpecError(f"l2 must be 'random', a number or one number a weight, got {l2!r}") from None
    if values.ndim != 1:
        raise SpecError(f"l2 must be 'random', a number or one number a weight, got {l2!r}")
    if not np.all(np.isfinite(values)):
        raise SpecError(f"l2 values must be finite numbers, got {l2!r}")
    if values.size == 1:
        values = np.full(net.n_weights, values[0])
    if values.shape != (net.n_weights,):
        raise SpecError(f"l2 needs 1 or {net.n_weights} values, got {values.size}")
    return values


def loss_polynomial(net: Network, data: Data, l2: np.ndarray | None = None) -> PolySystem:
    """L(w) = 1/2 sum_i |f(x_i; w) - y_i|^2 (+ 1/2 sum_k l2_k w_k^2) as one polynomial, from moments.

    For complex data this is the algebraic continuation (squares, not moduli).

    >>> from algebra.networks import DenseNetwork
    >>> net = DenseNetwork((1, 1), "linear", bias=False)
    >>> L = loss_polynomial(net, Data(np.array([[1.0], [2.0]]), np.array([[1.0], [2.0]])))
    >>> L.monomials.ravel().tolist(), L.coefficients.toarray().ravel().tolist()
    ([0, 1, 2], [2.5, -5.0, 2.5])
    """
    _check_data(net, data)
    _, outputs = exact_outputs(net)
    nw = net.n_weights
    mons, coefs = [], []
    square = 0
    for poly in outputs:
        term = capped_product(poly, poly, MAX_LOSS_TERMS)
        if term is None or len(square := square + term) > MAX_LOSS_TERMS:
            raise SystemTooLarge(_too_large(net, f"the square of its {len(poly):,}-term output has too many terms"))
    gamma, wexp, coef = split_terms(net, square)
    ug, inv = unique_rows(gamma)
    moments = _moments(data.x, ug)
    mons.append(wexp)
    coefs.append(0.5 * coef * moments[inv])
    for o, poly in enumerate(outputs):
        alpha, wexp, coef = split_terms(net, poly)
        ua, inv = unique_rows(alpha)
        ymom = _moments(data.x, ua, data.y[:, o:o + 1])[0]
        mons.append(wexp)
        coefs.append(-coef * ymom[inv])
    mons.append(np.zeros((1, nw), dtype=np.int64))
    coefs.append(np.array([0.5 * np.sum(data.y ** 2)]))
    if l2 is not None:
        mons.append(2 * np.eye(nw, dtype=np.int64))
        coefs.append(0.5 * np.asarray(l2, dtype=float))
    mon, c = combine(np.vstack(mons), np.concatenate(coefs)[None, :])
    info = {"network": net.describe(), "data": data.describe(),
            "l2": None if l2 is None else [float(v) for v in l2]}
    return PolySystem(net.weight_names, mon, c, "loss", info)


def _too_large(net: Network, why: str) -> str:
    return (f"the loss of this {net.kind} network ({net.n_weights} weights, activation "
            f"{net.activation_spec}) is too large to build exactly: {why}, the limit is "
            f"{MAX_LOSS_TERMS:,}; use fewer units, a lower activation degree, or the zero-loss system")


def gradient(poly: PolySystem) -> PolySystem:
    """The W partial derivatives of a single polynomial, as a system.

    >>> p = PolySystem(("x", "y"), np.array([[2, 1]]), np.array([[3.0]]))
    >>> g = gradient(p)
    >>> g.monomials.tolist(), g.coefficients.toarray().tolist()
    ([[1, 1], [2, 0]], [[6.0, 0.0], [0.0, 3.0]])
    """
    if poly.n_equations != 1:
        raise ValueError("gradient takes a single polynomial")
    w = poly.n_variables
    mons, rows = [], []
    coef = poly.coefficients.toarray()[0]
    for k in range(w):
        e = poly.monomials[:, k]
        mask = e > 0
        dm = poly.monomials[mask].copy()
        dm[:, k] -= 1
        mons.append(dm)
        rows.append((k, coef[mask] * e[mask]))
    allm = np.vstack(mons) if mons else np.zeros((0, w), dtype=np.int64)
    row_index = np.concatenate([np.full(len(c), k) for k, c in rows])
    values = np.concatenate([c for _, c in rows])
    full = sparse.csr_array((values, (row_index, np.arange(len(values)))), shape=(w, allm.shape[0]))
    mon, full = combine(allm, full)
    return PolySystem(poly.variables, mon, full, "gradient", dict(poly.info))


def critical_system(net: Network, data: Data, l2=None, seed: int = 0) -> PolySystem:
    """grad_w L = 0 (W equations in W weights), built from data moments.

    l2: None, "random" (seeded by ``seed``), a number, or W numbers (see ``l2_weights``).
    """
    lam = l2_weights(net, l2, seed)
    grad = gradient(loss_polynomial(net, data, lam))
    return PolySystem(grad.variables, grad.monomials, grad.coefficients, "critical", grad.info)


def _sympy_exact(v):
    import sympy

    v = complex(v)
    re, im = sympy.Rational(v.real), sympy.Rational(v.imag)
    return re + sympy.I * im if im else re


def from_sympy(exprs: Sequence, variables: Sequence[str], kind: str = "system") -> PolySystem:
    """A PolySystem from sympy expressions or Polys in ``variables`` (used for references
    and tests)."""
    import sympy

    syms = sympy.symbols(list(variables))
    mons, rows = [], []
    for i, e in enumerate(exprs):
        poly = e if isinstance(e, sympy.Poly) and list(e.gens) == syms else sympy.Poly(sympy.expand(e), *syms)
        for m, c in poly.terms():
            mons.append(m)
            rows.append((i, complex(c)))
    mon = np.array(mons, dtype=np.int64).reshape(len(mons), len(syms))
    complex_ = any(c.imag != 0 for _, c in rows)
    coef = np.zeros((len(exprs), len(mons)), dtype=complex if complex_ else float)
    for t, (i, c) in enumerate(rows):
        coef[i, t] = c if complex_ else c.real
    mon, coef = combine(mon, coef)
    return PolySystem(tuple(variables), mon, coef, kind)


def naive_loss_expression(net: Network, data: Data, l2: np.ndarray | None = None):
    """The loss expanded point by point in sympy, with the data as exact rationals."""
    import sympy

    loss = sympy.Integer(0)
    for xi, yi in zip(data.x, data.y):
        outs = symbolic(net, [_sympy_exact(v) for v in xi])
        loss += sum(sympy.expand((f - _sympy_exact(t)) ** 2) for f, t in zip(outs, yi)) / 2
    if l2 is not None:
        loss += sum(sympy.Rational(float(l)) * sympy.Symbol(n) ** 2 for l, n in zip(l2, net.weight_names)) / 2
    return sympy.expand(loss)


def naive_critical_system(net: Network, data: Data, l2: np.ndarray | None = None) -> PolySystem:
    """Reference build: expand the loss over every data point in sympy, then differentiate.

    Cost grows with N (one expansion per point); use only for checks and baselines."""
    import sympy

    loss = naive_loss_expression(net, data, l2)
    grads = [sympy.diff(loss, sympy.Symbol(n)) for n in net.weight_names]
    return from_sympy(grads, net.weight_names, "critical")


def random_slices(system: PolySystem, count: int, seed: int = 0) -> PolySystem:
    """Append ``count`` random complex affine hyperplanes sum_k a_k w_k + a_0 = 0 (seeded).

    Slicing a solution set of dimension D with D generic hyperplanes leaves as many
    points as its degree: the square systems that homotopy continuation counts.

    >>> s = PolySystem(("x", "y"), np.array([[2, 0], [0, 0]]), np.array([[1.0, -1.0]]))
    >>> random_slices(s, 1).is_square
    True
    """
    if count < 0:
        raise SpecError(f"number of slices must be >= 0, got {count}")
    if count == 0:
        return system
    w = system.n_variables
    rng = np.random.default_rng([seed, 3])
    coef = (rng.standard_normal((count, w + 1)) + 1j * rng.standard_normal((count, w + 1))) / np.sqrt(2)
    out = append_slices(system, coef)
    info = dict(system.info, slices={"count": count, "seed": seed})
    return PolySystem(out.variables, out.monomials, out.coefficients, system.kind, info)


def append_slices(system: PolySystem, slices: np.ndarray) -> PolySystem:
    """The system with the affine slices L w + l0 = 0 appended (rows of ``slices``: L | l0)."""
    w = system.n_variables
    mon = np.vstack([np.eye(w, dtype=np.int64), np.zeros((1, w), dtype=np.int64)])
    return system.append(PolySystem(system.variables, mon, np.atleast_2d(slices), system.kind))
