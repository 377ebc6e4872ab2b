"""Dimension of zero-loss sets against the paper's "weights minus data points".

Three numbers decide what the zero-loss set {w : f(x_i; w) = y_i, i = 1..N} looks like:

- W, the number of weights;
- F, the functional dimension: the generic rank of the Jacobian of w -> (f(x_i; w))_i on
  enough generic points, i.e. the dimension of the neurovariety (the closure of the set
  of functions the architecture computes; Kileel, Trager & Bruna 2019). It is at most W
  and at most the dimension of the space of polynomials the network lives in;
- N, the number of data points (equations, times the number of outputs).

For generic data, N <= F gives a zero-loss set of dimension W - N (the paper's claim);
F < N <= W gives an empty zero-loss set although there are at least as many weights as
equations: the image of the network has dimension F < N and generic targets miss it.
W - F is the dimension of the generic fibre, partly explained by continuous symmetries
(``symmetries``).

F, and the rank of the data map's Jacobian for each N, are computed exactly over prime
fields (``algebra.modular``): a proven lower bound, proven exact where it meets an upper
bound, and otherwise the generic rank up to a stated Schwartz-Zippel probability. The
float64 rank (the largest gap in the singular values, ``Rank``) stays as a cross-check;
where the two disagree the exact rank wins and the result says so. A float rank with a
small gap (``Rank.confident`` False) is not evidence: float64 cannot tell, typically for
high-degree activations, and the verdict then rests on the exact ranks alone.

Measured dimension has two independent sources: a point found by Levenberg-Marquardt
from seeded starts (``zero_loss_points``), where the dimension of the tangent space is
W - rank J (``local_dimension``), and the witness set of the solve module
(``witness_dimension``), which works over the complex numbers and also certifies that a
set is empty when every sliced path diverges.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from algebra.activation import Activation, SpecError
from algebra.modular import ExactRank, generic_rank, rescaling_rank
from algebra.networks import DenseNetwork, Network, evaluate, jacobian
from algebra.systems import Data, make_data

CONFIDENT_GAP = 1e4       # a rank decided by a smaller singular-value gap is flagged
ZERO_LOSS_TOL = 1e-10     # ||f(x) - y|| / (1 + ||y||) at an accepted zero-loss point
EXTRA_POINTS = 8          # generic points beyond W when measuring the functional dimension


# --- numerical rank --------------------------------------------------------------------

@dataclass
class Rank:
    """A numerical rank and the evidence for it.

    ``gap`` is s_rank / s_(rank+1), where s_(k+1) for the full rank k = min(m, n) is the
    float64 noise floor max(m, n) * eps * s_1: "full rank" is itself a gap decision.
    """

    rank: int
    gap: float
    singular_values: np.ndarray = field(repr=False)

    @property
    def confident(self) -> bool:
        return bool(self.gap >= CONFIDENT_GAP)

    def as_dict(self) -> dict:
        s = self.singular_values
        r = self.rank
        return {"rank": r, "gap": _finite(self.gap), "confident": self.confident,
                "sigma_last_kept": float(s[r - 1]) if r else None,
                "sigma_first_dropped": float(s[r]) if r < len(s) else None}


def _finite(v: float):
    return None if not math.isfinite(v) else float(v)


def numerical_rank(matrix) -> Rank:
    """Rank of a matrix at its largest singular-value gap (relative to s_1).

    Rows and columns are scaled to unit norm first (which leaves the rank alone) so that
    a badly scaled weight or data point does not fake a gap.

    >>> numerical_rank(np.array([[1.0, 2.0], [2.0, 4.0]])).rank
    1
    >>> numerical_rank(np.eye(3)).rank, numerical_rank(np.zeros((2, 2))).rank
    (3, 0)
    """
    a = np.asarray(matrix)
    if a.ndim != 2:
        raise ValueError("numerical_rank takes a matrix")
    if not np.all(np.isfinite(a)):
        raise FloatingPointError("the matrix has non-finite entries")
    a = _equilibrate(a)
    if min(a.shape) == 0:
        return Rank(0, math.inf, np.zeros(0))
    return rank_of_singular_values(np.linalg.svd(a, compute_uv=False), max(a.shape))


def rank_of_singular_values(s: np.ndarray, size: int, noise: float = 0.0) -> Rank:
    """The gap decision on given singular values (descending; e.g. |eigenvalues| of a
    symmetric matrix, sorted), with the noise floor max(size * eps * s_1, noise): ``noise``
    is an absolute size below which a value is zero (for a matrix whose entries are all
    rounding errors, where a relative floor would find full rank).

    >>> rank_of_singular_values(np.array([3.0, 1.0, 1e-15]), 3).rank
    2
    >>> noise_only = np.array([3e-17, 1e-17])
    >>> rank_of_singular_values(noise_only, 2).rank, rank_of_singular_values(noise_only, 2, 1e-9).rank
    (2, 0)
    """
    s = np.sort(np.abs(np.asarray(s, dtype=float)))[::-1]
    if len(s) == 0 or s[0] <= noise:
        return Rank(0, math.inf, s)
    floor = max(size * np.finfo(float).eps * s[0], noise)
    clipped = np.append(np.maximum(s, floor), floor)
    ratios = clipped[:-1] / clipped[1:]  # ratios[r - 1] = s_r / s_(r+1), s_(k+1) = the floor
    rank = int(np.argmax(ratios)) + 1
    return Rank(rank, float(ratios[rank - 1]), s)


def _scale_rows(a: np.ndarray) -> np.ndarray:
    """Rows to unit norm: changes neither rank nor kernel."""
    rows = np.linalg.norm(a, axis=1, keepdims=True)
    return a / np.where(rows > 0, rows, 1)


def _equilibrate(a: np.ndarray) -> np.ndarray:
    """Rows, then columns to unit norm: changes the rank of nothing, but the kernel's basis."""
    a = _scale_rows(a)
    cols = np.linalg.norm(a, axis=0, keepdims=True)
    return a / np.where(cols > 0, cols, 1)


# --- functional dimension --------------------------------------------------------------

def output_degree(net: Network) -> int:
    """Degree of the network's outputs in the inputs x (activation degree ^ layers)."""
    return math.prod(a.degree for a in net.activations)


def polynomial_space_dimension(net: Network) -> int:
    """Dimension of the space of output polynomials the architecture can reach.

    Degree <= D polynomials in n inputs, C(n + D, D), per output; homogeneous of degree
    D, C(n + D - 1, D), for homogeneous activations without biases.

    >>> polynomial_space_dimension(DenseNetwork((3, 2, 1), "monomial:2", bias=False))
    6
    """
    n, d = net.n_inputs, output_degree(net)
    if all(a.is_homogeneous for a in net.activations) and not net.bias:
        per_output = math.comb(n + d - 1, d)
    else:
        per_output = math.comb(n + d, d)
    return per_output * net.n_outputs


def _check_network(net: Network, what: str = "functional_dimension") -> None:
    if not isinstance(net, Network):
        raise TypeError(f"{what} needs a network (algebra.networks: TreeNetwork, DenseNetwork, ...), "
                        f"got {type(net).__name__}")
    if net.n_weights < 1:
        raise SpecError("the network has no weights")


def _random_weights(net: Network, rng) -> np.ndarray:
    return rng.standard_normal(net.n_weights)


def _jacobian_matrix(net: Network, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """d (f(x_i; w))_(i, output) / dw as an (N * outputs, W) matrix."""
    return jacobian(net, x, w)[1].reshape(-1, net.n_weights)


@dataclass
class FunctionalDimension:
    dimension: int              # F: the exact rank (mod p) when it was computed, else the float one
    weights: int                # W
    space_dimension: int        # cap from the polynomial space
    points: int                 # generic points used
    rank: Rank | None           # the float64 rank, a cross-check: None where the Jacobian overflowed
    exact: ExactRank | None = None

    @property
    def agree(self) -> bool | None:
        if self.rank is None:
            return None
        return self.exact is None or self.exact.rank == self.rank.rank

    @property
    def method(self) -> str:
        return "float64 singular-value gap" if self.exact is None else self.exact.describe()

    def as_dict(self) -> dict:
        return {"functional_dimension": self.dimension, "weights": self.weights,
                "polynomial_space_dimension": self.space_dimension, "points": self.points,
                "method": self.method, "exact_rank": None if self.exact is None else self.exact.as_dict(),
                "float_rank": None if self.rank is None else self.rank.rank, "float_agrees": self.agree,
                "singular_value_gap": None if self.rank is None else self.rank.as_dict()}


def functional_dimension(net: Network, seed: int = 0, points: int | None = None,
                         trials: int | None = None, exact: bool = True) -> FunctionalDimension:
    """Generic rank F of d/dw (f(x_i; w))_i, the dimension of the neurovariety.

    Generic weights and W + 8 generic points: the partial derivatives span at most W
    polynomials, and evaluation at that many generic points is injective on their span.
    F is the exact rank mod p (``algebra.modular.generic_rank``, bounded above by W and
    the polynomial space); the float64 rank, the largest over ``trials`` weight draws (the
    generic rank is the maximum; 1 by default beside the exact rank, else 2), is kept as a
    cross-check. ``exact=False`` skips the exact rank (F is then the float one).

    >>> functional_dimension(DenseNetwork((1, 2, 1), "monomial:2", bias=False)).dimension
    1
    >>> functional_dimension("tree")
    Traceback (most recent call last):
    ...
    TypeError: functional_dimension needs a network (algebra.networks: TreeNetwork, DenseNetwork, ...), got str
    >>> f = functional_dimension(DenseNetwork((2, 2, 1), "linear", bias=False))
    >>> f.dimension, f.exact.proven, f.agree
    (2, True, True)
    """
    _check_network(net)
    rng = np.random.default_rng([seed, 41])
    m = points if points is not None else net.n_weights + EXTRA_POINTS
    if m < 1:
        raise SpecError(f"need at least one point, got {m}")
    x = rng.standard_normal((m, net.n_inputs))
    best = None
    for _ in range(max(1, trials if trials is not None else 1 if exact else 2)):
        with np.errstate(over="ignore", invalid="ignore"):
            jac = _jacobian_matrix(net, x, _random_weights(net, rng))
        if not np.all(np.isfinite(jac)):
            if not exact:
                raise FloatingPointError("the float64 Jacobian overflowed: the exact rank (exact=True) is needed")
            continue  # degree hundreds: float64 overflows, the exact rank still holds
        with np.errstate(over="ignore"):  # norms of huge but finite rows: equilibrated anyway
            r = numerical_rank(jac)
        if best is None or r.rank > best.rank:
            best = r
    space = polynomial_space_dimension(net)
    modular = generic_rank(net, m, seed=seed, upper_bound=space) if exact else None
    return FunctionalDimension(best.rank if modular is None else modular.rank, net.n_weights, space, m, best,
                               modular)


# --- symmetries ------------------------------------------------------------------------

@dataclass
class _Layer:
    """A hidden layer seen by the symmetry generators."""

    incoming: list[list[str]]          # one row per unit: input weights, then the bias
    outgoing: list[list[str]]          # one row per consumer, one column per unit
    biases: list[str]                  # the units' biases (empty without)
    absorbers: list[list[tuple[str, str | None]]]  # per consumer: (bias, factor) pairs that
    #                                    absorb a constant added to it: d bias = -factor * d const
    activation: Activation             # the activation after this layer


def _hidden_layers(net: Network) -> list[_Layer]:
    layers = []
    if isinstance(net, DenseNetwork):
        for l in range(1, len(net.widths) - 1):
            d_in, d, d_out = net.widths[l - 1], net.widths[l], net.widths[l + 1]
            incoming = [[f"w{l}_{i}_{j}" for j in range(1, d_in + 1)] + ([f"b{l}_{i}"] if net.bias else [])
                        for i in range(1, d + 1)]
            outgoing = [[f"w{l + 1}_{o}_{i}" for i in range(1, d + 1)] for o in range(1, d_out + 1)]
            biases = [f"b{l}_{i}" for i in range(1, d + 1)] if net.bias else []
            absorbers = [[(f"b{l + 1}_{o}", None)] if net.bias else [] for o in range(1, d_out + 1)]
            layers.append(_Layer(incoming, outgoing, biases, absorbers, net.layer_activation(l)))
        return layers
    done = set()
    for level in range(1, net.depth + 1):
        for position in range(2 ** (net.depth - level)):
            label = net._label(level, position)
            if label in done:
                continue
            done.add(label)
            letters = net._letters(level)
            units = [[f"{c}{label}_{j}" for c in letters] for j in range(1, net.units + 1)]
            absorb = []
            if level < net.depth and net.bias:  # the parent's biases absorb a constant
                parent = net._label(level + 1, 0 if net.shared else position // 2)
                sides = "st" if net.shared else "st"[position % 2]
                absorb = [(f"e{parent}_{j}", f"{side}{parent}_{j}") for side in sides
                          for j in range(1, net.units + 1)]
            layers.append(_Layer([u[:-1] for u in units], [[u[-1] for u in units]],
                                 [u[2] for u in units] if net.bias else [], [absorb], net.layer_activation(level)))
    return layers


def _linear_generators(net: Network, w: dict[str, float], index: dict[str, int]) -> list[np.ndarray]:
    """Tangent vectors of GL(d) acting on each hidden layer with a linear activation p z
    (and, for dense networks with biases, of the translations h -> h + c)."""
    gens = []
    for layer in _hidden_layers(net):
        if not (layer.activation.degree == 1 and layer.activation.is_homogeneous):
            continue
        incoming, outgoing, biases = layer.incoming, layer.outgoing, layer.biases
        d = len(incoming)
        for i in range(d):
            for j in range(d):
                v = np.zeros(len(index))
                for k, name in enumerate(incoming[i]):       # (E W_in)_i = W_in[j]
                    v[index[name]] += w[incoming[j][k]]
                for row in outgoing:                          # (W_out E)[:, j] -= W_out[:, i]
                    v[index[row[j]]] -= w[row[i]]
                gens.append(v)
        if biases and isinstance(net, DenseNetwork):
            l = int(biases[0][1:].split("_")[0])
            for i in range(d):
                v = np.zeros(len(index))
                v[index[biases[i]]] = 1.0
                for o in range(1, net.widths[l + 1] + 1):
                    if net.bias:
                        v[index[f"b{l + 1}_{o}"]] -= w[f"w{l + 1}_{o}_{i + 1}"]
                gens.append(v)
    return gens


def _quadratic_generators(net: Network, w: dict[str, float], index: dict[str, int]) -> list[np.ndarray]:
    """Symmetries of degree-2 activations: s(z) = p2 (z + h)^2 + const with h = p1 / (2 p2).

    Per hidden unit, u = z + h -> t u with the unit's outgoing weights / t^2 (needs a bias
    to absorb the shift, or h = 0); and when the layer feeds a single linear combination
    sum_k c_k s(z_k) (tree nodes, the last hidden layer of a dense net with one output),
    the orthogonal group of the form sum_k c_k u_k^2 acting on u (d(d-1)/2 directions).
    """
    gens = []
    nw = len(index)
    for layer in _hidden_layers(net):
        if layer.activation.degree != 2:
            continue
        p = layer.activation.float_coefficients()
        h = p[1] / (2 * p[2])
        const = p[0] - p[2] * h * h  # s(z) = p2 (z + h)^2 + const
        if not net.bias and h != 0:
            continue
        incoming, outgoing = layer.incoming, layer.outgoing
        d = len(incoming)
        linear = [row[:-1] if net.bias else row for row in incoming]
        u = [(w[row[-1]] + h) if net.bias else 0.0 for row in incoming]  # bias part of u_k

        def move(v, k, coef, source):  # delta u_k = coef * u_source
            for name, src in zip(linear[k], linear[source]):
                v[index[name]] += coef * w[src]
            if net.bias:
                v[index[incoming[k][-1]]] += coef * u[source]

        if const == 0 or all(layer.absorbers):  # else c_k const moves and nothing absorbs it
            for k in range(d):
                v = np.zeros(nw)
                move(v, k, 1.0, k)
                for row, absorbers in zip(outgoing, layer.absorbers):
                    v[index[row[k]]] -= 2 * w[row[k]]
                    for bias, factor in absorbers:  # the consumer's constant moved by -2 c_k const
                        v[index[bias]] += 2 * const * w[row[k]] * (1.0 if factor is None else w[factor])
                gens.append(v)
        if len(outgoing) == 1:
            c = [w[name] for name in outgoing[0]]
            for i in range(d):
                for j in range(i + 1, d):
                    v = np.zeros(nw)
                    move(v, i, 1.0 / c[i], j)
                    move(v, j, -1.0 / c[j], i)
                    gens.append(v)
    return gens


@functools.cache
def _rescaling_fit(net: Network, seed: int = 0):
    """The exponents lam of the rescalings w_k -> t^(lam_k) w_k that fix the outputs: the
    kernel of lam -> sum_k lam_k w_k df/dw_k at generic (x, w). Returns (a generic w, the
    Jacobian there, the rank of the stacked conditions, the kernel's rows)."""
    _check_network(net, "the rescaling fit")
    rng = np.random.default_rng([seed, 43])
    m = net.n_weights + EXTRA_POINTS
    x = rng.standard_normal((m, net.n_inputs))
    # one weight draw only constrains lam on its own fibre: add draws until the rank of
    # the stacked conditions stops growing (twice), so lam works for all w
    ws, jacs, blocks, rank, still = [], [], [], None, 0
    while still < 2 and len(ws) <= net.n_weights + 2:
        ws.append(_random_weights(net, rng))
        jacs.append(_jacobian_matrix(net, x, ws[-1]))
        blocks.append(jacs[-1] * ws[-1][None, :])
        new = numerical_rank(np.vstack(blocks))
        still = still + 1 if rank is not None and new.rank == rank.rank else 0
        rank = new
    _, _, vt = np.linalg.svd(_scale_rows(np.vstack(blocks)))  # not _equilibrate: the kernel must stay the kernel
    return ws[0], jacs[0], rank, vt[rank.rank:]


def _generators(net: Network, w: np.ndarray, seed: int = 0) -> list[np.ndarray]:
    """Tangent vectors at w of the symmetries ``symmetries`` finds: the torus directions
    lam * w, then the linear (GL) or quadratic (shifted rescalings, O) ones."""
    gens = [lam * w for lam in _rescaling_fit(net, seed)[3]]
    index = {n: k for k, n in enumerate(net.weight_names)}
    named = dict(zip(net.weight_names, w))
    return gens + _linear_generators(net, named, index) + _quadratic_generators(net, named, index)


def symmetries(net: Network, seed: int = 0) -> dict:
    """Continuous symmetries of the architecture: the dimension of the generic orbit.

    - rescalings: diagonal actions w_k -> t^(lam_k) w_k that leave the outputs unchanged,
      the kernel of lam -> sum_k lam_k w_k df/dw_k at generic (x, w), counted by a rank
      mod p (``algebra.modular.rescaling_rank``; the float fit supplies the directions).
      Tree nodes have linear outputs, so every node below the top gives one for any
      activation (a -> t a, the consumer's weights -> 1/t); homogeneous activations
      z^k add one per hidden unit (in -> t in, out -> t^-k out).
    - group: beyond the torus. For the identity activation, GL(d) changes of basis of
      each hidden layer (and translations of dense hidden layers with biases); for
      degree-2 activations, shifted rescalings and orthogonal groups
      (``_quadratic_generators``).

    Every generator is checked to be tangent to the fibre (J v = 0). Anything left of
    W - F is reported as unexplained by ``dimension_report`` (for example the constant a
    saturated tree node can add to its output, which the next node's biases absorb).

    >>> symmetries(DenseNetwork((2, 3, 1), "monomial:2", bias=False))["total"]  # 3 + O(3)
    6
    """
    w0, j0, rank, _ = _rescaling_fit(net, seed)
    rescalings = net.n_weights - rank.rank
    exact = net.n_weights - rescaling_rank(net, seed)  # the count; the float fit gives the directions
    # generators at one generic point: the torus directions lam * w, then the linear ones
    gens = _generators(net, w0, seed)
    linear = 0
    if gens:
        g = np.array(gens)
        leak = np.linalg.norm(j0 @ g.T) / max(np.linalg.norm(j0) * np.linalg.norm(g), 1e-300)
        if leak > 1e-8:
            raise AssertionError(f"a symmetry generator moves the outputs (relative {leak:.1e})")
        linear = numerical_rank(g).rank - rescalings  # beyond the torus: GL, O and shifted rescalings
    return {"rescalings": exact, "group": linear, "total": exact + linear, "float_rescalings": rescalings,
            "singular_value_gap": rank.as_dict()}


# --- zero-loss points and local dimension ----------------------------------------------

@dataclass
class ZeroPoint:
    weights: np.ndarray
    residual: float             # ||f(x) - y|| / (1 + ||y||)
    iterations: int
    start: int                  # which seeded start reached it

    @property
    def is_real(self) -> bool:
        return not np.iscomplexobj(self.weights) or bool(np.all(np.abs(self.weights.imag) < 1e-12))


def _residual(net: Network, data: Data, w: np.ndarray) -> np.ndarray:
    return (evaluate(net, data.x, w) - data.y).ravel()


def levenberg_marquardt(net: Network, data: Data, w0: np.ndarray, max_iter: int = 200,
                        tol: float = ZERO_LOSS_TOL) -> tuple[np.ndarray, float, int]:
    """Minimise ||f(x_i; w) - y_i||^2 from w0 (real or complex: complex steps make it
    Newton's method for the holomorphic system). Returns (w, relative residual, steps).

    The step solves [J; sqrt(mu) I] dw = [-r; 0] by least squares, which is the minimum
    norm Gauss-Newton step as mu -> 0 when there are fewer equations than weights.
    """
    w = np.array(w0, dtype=np.result_type(w0, data.x, float))
    scale = 1.0 + np.linalg.norm(data.y)
    r = _residual(net, data, w)
    cost = np.linalg.norm(r)
    mu = 1e-3
    eye = np.eye(net.n_weights)
    for it in range(1, max_iter + 1):
        if cost / scale < tol or not np.isfinite(cost):
            return w, cost / scale, it - 1
        jac = _jacobian_matrix(net, data.x, w)
        while True:
            a = np.vstack([jac, math.sqrt(mu) * eye])
            b = np.concatenate([-r, np.zeros(net.n_weights)])
            step = np.linalg.lstsq(a, b, rcond=None)[0]
            trial = w + step
            r_new = _residual(net, data, trial)
            c_new = np.linalg.norm(r_new)
            if np.isfinite(c_new) and c_new < cost:
                w, r, cost = trial, r_new, c_new
                mu = max(mu / 3, 1e-15)
                break
            mu *= 4
            if mu > 1e12:
                return w, cost / scale, it
    return w, cost / scale, max_iter


def zero_loss_points(net: Network, data: Data, starts: int = 8, seed: int = 0,
                     field: str = "auto", tol: float = ZERO_LOSS_TOL) -> list[ZeroPoint]:
    """Zero-loss points reached by Levenberg-Marquardt from seeded Gaussian starts.

    field "real" searches real weights, "complex" complex ones, "auto" real first and
    complex when no real start converged (the algebraic set may have no real points
    near the starts, or none at all, while its complex dimension is what is predicted).
    """
    _check_network(net, "zero_loss_points")
    if field not in ("real", "complex", "auto"):
        raise SpecError(f"field must be real, complex or auto, got {field!r}")
    rng = np.random.default_rng([seed, 47])
    found = []
    for kind in (("real", "complex") if field == "auto" else (field,)):
        for k in range(starts):
            w0 = rng.standard_normal(net.n_weights)
            if kind == "complex":
                w0 = w0 + 1j * rng.standard_normal(net.n_weights)
            w, res, steps = levenberg_marquardt(net, data, w0, tol=tol)
            if res < tol:
                found.append(ZeroPoint(w, res, steps, k))
        if found:
            break
    return found


@dataclass
class LocalDimension:
    dimension: int              # W - rank J: the tangent space's dimension
    smooth: bool                # rank J = number of equations: a smooth point of dimension W - N
    rank: Rank

    def as_dict(self) -> dict:
        return {"dimension": self.dimension, "smooth": self.smooth,
                "singular_value_gap": self.rank.as_dict()}


def local_dimension(net: Network, data: Data, w) -> LocalDimension:
    """Dimension of the zero-loss set at a point on it: W - rank of the residual Jacobian.

    W - rank J is the dimension of the tangent space, an upper bound for the local
    dimension; at a smooth point (rank J = N) the implicit function theorem makes the
    set a manifold of exactly that dimension.

    >>> net = DenseNetwork((1, 1), "linear")  # f = w x + b, one point: a line of solutions
    >>> local_dimension(net, Data(np.array([[2.0]]), np.array([[1.0]])), [0.5, 0.0]).dimension
    1
    """
    _check_network(net, "local_dimension")
    r = numerical_rank(_jacobian_matrix(net, data.x, np.asarray(w)))
    equations = data.n_points * net.n_outputs
    return LocalDimension(net.n_weights - r.rank, r.rank == equations, r)


def witness_dimension(net: Network, data: Data, seed: int = 0, workers: int | None = None) -> dict:
    """Dimension of the complex zero-loss set from a witness set (independent of the
    local solver): W - N with its degree when the sliced system has solutions, None when
    every path diverged (the set is empty, or has no (W - N)-dimensional part)."""
    from algebra.systems import zero_loss_system
    from algebra.witness import witness

    system = zero_loss_system(net, data)
    if system.n_equations > system.n_variables:
        return {"dimension": None, "degree": 0, "note": "more equations than weights"}
    result = witness(system, seed=seed, loops=0, workers=workers)
    dim = net.n_weights - system.n_equations
    degree = result.isolated if dim == 0 else sum(c.degree for c in result.components)
    return {"dimension": dim if degree else None, "degree": degree, "notes": result.notes}


# --- the verdict -----------------------------------------------------------------------

def regime(n_equations: int, functional: int, weights: int) -> str:
    """Which prediction applies.

    >>> regime(3, 5, 8), regime(6, 5, 8), regime(9, 5, 8)
    ('N <= F', 'F < N <= W', 'N > W')
    """
    if n_equations <= functional:
        return "N <= F"
    if n_equations <= weights:
        return "F < N <= W"
    return "N > W"


def dimension_row(net: Network, n_points: int, functional: FunctionalDimension, seed: int = 0,
                  starts: int = 8, with_witness: bool = False, workers: int | None = None) -> dict:
    """Predicted against measured dimension of the zero-loss set for N seeded points.

    Two measurements: ``exact``, W - N when the data map's Jacobian at random weights and
    N random points has rank N mod p (the map is then a submersion there, and generic
    data have a zero-loss set of dimension W - N), None when its rank is below N (generic
    data are missed); ``measured``, W - rank J at a zero-loss point Levenberg-Marquardt
    found for the seeded data, decided by a float64 gap that may not be confident.
    """
    data = make_data(net, n_points, seed)
    w, f = net.n_weights, functional.dimension
    n = n_points * net.n_outputs
    kind = regime(n, f, w)
    expected = w - n if kind == "N <= F" else None
    exact = generic_rank(net, n_points, seed=seed, upper_bound=f if functional.exact and functional.exact.proven
                         else None)
    points = zero_loss_points(net, data, starts=starts, seed=seed)
    row = {"data": n_points, "equations": n, "predicted": w - n, "expected": expected, "regime": kind,
           "exact": w - n if exact.rank == n else None, "exact_rank": exact.as_dict(),
           "measured": None, "measured_confident": None, "smooth": None, "field": None, "residual": None,
           "zero_loss_points": len(points), "starts": starts, "singular_value_gap": None}
    if points:
        best = min(points, key=lambda p: p.residual)
        local = local_dimension(net, data, best.weights)
        row.update(measured=local.dimension, measured_confident=local.rank.confident, smooth=local.smooth,
                   residual=best.residual, field="real" if best.is_real else "complex",
                   singular_value_gap=local.rank.as_dict())
    if with_witness:
        row["witness"] = witness_dimension(net, data, seed=seed, workers=workers)
    row["consistent"] = _consistent(row, with_witness)
    return row


def _consistent(row: dict, with_witness: bool) -> bool:
    """The exact rank decides; a confident float measurement (or the witness set) that
    disagrees makes the row inconsistent; an unconfident one is no evidence either way, and
    so is a search that found no zero-loss point (``unfound`` in the report says where)."""
    ok = row["exact"] == row["expected"]
    if row["measured"] is not None and row["measured_confident"]:
        ok = ok and row["measured"] == row["expected"]
    if with_witness:
        ok = ok and row["witness"]["dimension"] == row["expected"]
    return bool(ok)


def dimension_report(net: Network, counts: list[int], seed: int = 0, starts: int = 8,
                     with_witness: bool = False, workers: int | None = None, progress=None) -> dict:
    """The table of predicted (W - N) against measured dimension for every N in ``counts``.

    >>> r = dimension_report(DenseNetwork((1, 2, 1), "monomial:2", bias=False), [1, 2], starts=2)
    >>> [(row["data"], row["expected"], row["exact"], row["measured"], row["consistent"]) for row in r["table"]]
    [(1, 3, 3, 3, True), (2, None, None, None, True)]
    """
    _check_network(net, "dimension_report")
    if not counts or min(counts) < 1:
        raise SpecError("the number of data points must be >= 1")
    functional = functional_dimension(net, seed=seed)
    sym = symmetries(net, seed=seed)
    w, f = net.n_weights, functional.dimension
    rows = []
    for n in (progress(counts) if progress else counts):
        rows.append(dimension_row(net, n, functional, seed, starts, with_witness, workers))
    unexplained = w - f - sym["total"]
    return {"network": net.describe(), "weights": w, "functional_dimension": f,
            "polynomial_space_dimension": functional.space_dimension,
            "fibre_dimension": w - f, "symmetries": sym, "unexplained": unexplained,
            "functional_gap": None if functional.rank is None else functional.rank.as_dict(),
            "functional": functional.as_dict(), "seed": seed,
            "table": rows, "unconfident": [r["data"] for r in rows if r["measured_confident"] is False],
            "unfound": [r["data"] for r in rows if r["expected"] is not None and r["measured"] is None],
            "consistent": all(r["consistent"] for r in rows)}
