"""Exact generic ranks of a network's Jacobian, over prime fields.

The float64 rank of d f(x_i; w) / dw is decided by a singular-value gap, and the gap closes
as the degree grows (about 1e13 at total degree 4, 1e6 at 16, 1e2 at 32): beyond that,
float64 cannot tell the rank. Here the same forward pass runs over Z/p, with random
integer weights and inputs, and the Jacobian (forward-mode jets, never an expanded
polynomial) is eliminated exactly modulo p (python-flint's ``nmod_mat``), as Kileel,
Trager and Bruna, Kubjas, Li and Wiesmann, and Dao and Rodriguez compute dimensions.

What the rank mod p proves, and what it does not:

- It is a **proven lower bound** of the generic rank over Q. A nonzero r x r minor mod p
  at an integer point is the reduction of that minor over Q at the same point, so the
  rational Jacobian has rank >= r there, and the generic rank is at least r.
- It equals the generic rank unless the random point lies on the zero set of a nonzero
  r x r minor reduced mod p. The minor has degree at most r (D - 1) in the weights and
  inputs together (D: the outputs' joint degree, ``joint_degree``), so by Schwartz and
  Zippel that happens with probability at most r (D - 1) / p for each prime. With two
  primes and independent points, both must fail (``ExactRank.failure_bound``). The bound
  assumes that neither prime divides every coefficient of the minor. Only finitely many
  primes do, and the primes here are near 2^32.
- It is **proven exact** when it meets an upper bound: the number of weights, the
  dimension of the polynomial space the outputs live in, or the number of rows.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from algebra.errors import SpecError
from algebra.networks import DenseNetwork, _column

# The two largest primes below 2^32: a product of two residues fits in uint64.
PRIMES = (4294967291, 4294967279)


class _ModJet:
    """A value mod p over data points with its gradient in the weights (forward mode).

    ``v`` is a uint64 scalar or array (N,); ``d`` the gradient, (W,) or (N, W), or None
    for a constant (zero gradient). Every entry stays in [0, p), so a product of two fits
    in 64 bits before it is reduced.
    """

    __slots__ = ("v", "d", "p")

    def __init__(self, v, d, p):
        self.v, self.d, self.p = v, d, p

    def __add__(self, other: "_ModJet") -> "_ModJet":
        p = self.p
        if self.d is None:
            d = other.d
        elif other.d is None:
            d = self.d
        else:
            d = (self.d + other.d) % p
        return _ModJet((self.v + other.v) % p, d, p)

    def __mul__(self, other: "_ModJet") -> "_ModJet":
        p = self.p
        d = None
        if self.d is not None:
            d = self.d * _column(other.v) % p
        if other.d is not None:
            term = _column(self.v) * other.d % p
            d = term if d is None else (d + term) % p
        return _ModJet(self.v * other.v % p, d, p)


def residue(c: Fraction, p: int) -> int:
    """A rational number mod p.

    >>> residue(Fraction(1, 10), 11), residue(Fraction(-3), 7)
    (10, 4)
    """
    if c.denominator % p == 0:
        raise ZeroDivisionError(f"{p} divides the denominator of {c}")
    return c.numerator * pow(c.denominator, -1, p) % p


def jacobian_mod(net, x: np.ndarray, w: np.ndarray, p: int) -> np.ndarray:
    """d f(x_i; w) / dw mod p as an (N * outputs, W) uint64 matrix, from residues x (N, n0)
    and w (W,) in [0, p): by reverse mode for dense networks (``dense_jacobian_mod``: its
    cost grows like N W, where forward-mode jets grow like N W^2), else by forward-mode jets
    through the network's own forward pass (``forward_jacobian_mod``).

    >>> from algebra.networks import DenseNetwork
    >>> net = DenseNetwork((1, 1), "linear")  # f = w x + b: the rows are (x_i, 1)
    >>> jacobian_mod(net, np.array([[3], [5]]), np.array([2, 9]), 7).tolist()
    [[3, 1], [5, 1]]
    """
    if isinstance(net, DenseNetwork):
        return dense_jacobian_mod(net, x, w, p)
    return forward_jacobian_mod(net, x, w, p)


def forward_jacobian_mod(net, x: np.ndarray, w: np.ndarray, p: int) -> np.ndarray:
    """``jacobian_mod`` by forward-mode jets through ``net.forward``: any architecture."""
    x = np.asarray(x, dtype=np.uint64) % p
    w = np.asarray(w, dtype=np.uint64) % p
    n, width = x.shape[0], net.n_weights
    eye = np.eye(width, dtype=np.uint64)
    weights = {name: _ModJet(w[k], eye[k], p) for k, name in enumerate(net.weight_names)}
    inputs = [_ModJet(x[:, k].copy(), None, p) for k in range(net.n_inputs)]
    outs = net.forward(inputs, weights, lambda c: _ModJet(np.uint64(residue(c, p)), None, p))
    rows = [np.zeros((n, width), np.uint64) if o.d is None else np.broadcast_to(o.d, (n, width))
            for o in outs]
    return np.stack(rows, axis=1).reshape(-1, width)


def _matmul_mod(a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """a @ b mod p for uint64 residues, one rank-one update at a time (a product of two
    residues fills 64 bits, so no sum of them may be formed unreduced)."""
    out = np.zeros((a.shape[0], b.shape[1]), np.uint64)
    for k in range(a.shape[1]):
        out = (out + a[:, k, None] * b[None, k, :] % p) % p
    return out


def _polynomial_mod(coefficients: list[int], z: np.ndarray, p: int) -> np.ndarray:
    """Horner's rule mod p (coefficients p0 first, residues)."""
    out = np.full(z.shape, coefficients[-1], np.uint64)
    for c in reversed(coefficients[:-1]):
        out = (out * z % p + np.uint64(c)) % p
    return out


def dense_jacobian_mod(net, x: np.ndarray, w: np.ndarray, p: int) -> np.ndarray:
    """``jacobian_mod`` of a dense network by reverse mode (back-propagation over Z/p): the
    gradient of weight w_l[i, j] is delta_l[i] a_(l-1)[j], of bias b_l[i] delta_l[i].

    >>> from algebra.networks import DenseNetwork
    >>> net = DenseNetwork((2, 2, 1), "poly:1,2,3")
    >>> rng = np.random.default_rng(0)
    >>> x, w = rng.integers(0, 101, (4, 2)), rng.integers(0, 101, net.n_weights)
    >>> bool((dense_jacobian_mod(net, x, w, 101) == forward_jacobian_mod(net, x, w, 101)).all())
    True
    """
    coefficients = [[residue(c, p) for c in a.coefficients] for a in net.activations]
    derivative = [[k * c % p for k, c in enumerate(cs)][1:] or [0] for cs in coefficients]
    x = np.asarray(x, dtype=np.uint64) % p
    w = np.asarray(w, dtype=np.uint64) % p
    extra = 1 if net.bias else 0
    matrices, offset = [], 0  # layer l: (d_l, d_(l-1) + bias), the order of weight_names
    for d_in, d_out in zip(net.widths, net.widths[1:]):
        size = d_out * (d_in + extra)
        matrices.append(w[offset:offset + size].reshape(d_out, d_in + extra))
        offset += size
    inputs, slopes = [x], []  # each layer's input a_(l-1), and s'(z_l) of the hidden layers
    for l, m in enumerate(matrices):
        z = _matmul_mod(inputs[-1], m[:, :m.shape[1] - extra].T.copy(), p)
        if extra:
            z = (z + m[:, -1][None, :]) % p
        if l < len(matrices) - 1:
            slopes.append(_polynomial_mod(derivative[l], z, p))
            inputs.append(_polynomial_mod(coefficients[l], z, p))
    n, outputs = x.shape[0], net.n_outputs
    jac = np.zeros((n, outputs, net.n_weights), np.uint64)
    for o in range(outputs):
        delta = np.zeros((n, outputs), np.uint64)
        delta[:, o] = 1
        offset = net.n_weights
        for l in reversed(range(len(matrices))):
            a = inputs[l]
            if extra:
                a = np.hstack([a, np.ones((n, 1), np.uint64)])
            block = delta[:, :, None] * a[:, None, :] % p  # (n, d_l, d_(l-1) + bias)
            offset -= block.shape[1] * block.shape[2]
            jac[:, o, offset:offset + block.shape[1] * block.shape[2]] = block.reshape(n, -1)
            if l:
                m = matrices[l]
                delta = _matmul_mod(delta, m[:, :m.shape[1] - extra].copy(), p) * slopes[l - 1] % p
    return jac.reshape(-1, net.n_weights)


def rank_mod(matrix: np.ndarray, p: int) -> int:
    """Rank of an integer matrix over Z/p (exact elimination).

    >>> rank_mod(np.array([[1, 2], [2, 4]]), 7), rank_mod(np.array([[1, 2], [2, 4]]) * 7, 7)
    (1, 0)
    """
    import flint

    a = np.asarray(matrix)
    if a.size == 0:
        return 0
    if a.dtype != np.uint64 or (a.size and int(a.max()) >= p):
        a = np.array([[int(v) % p for v in row] for row in a.tolist()], dtype=np.uint64)
    return int(flint.nmod_mat(a.tolist(), p).rank())


class _Degree:
    """Total degree under + and * (an upper bound: cancellation is not seen)."""

    __slots__ = ("d",)

    def __init__(self, d: int):
        self.d = d

    def __add__(self, other):
        return _Degree(max(self.d, other.d))

    def __mul__(self, other):
        return _Degree(self.d + other.d)


def joint_degree(net) -> int:
    """Degree of the outputs in the weights and the inputs together (an upper bound).

    >>> from algebra.networks import DenseNetwork
    >>> joint_degree(DenseNetwork((2, 3, 1), "monomial:2", bias=False))  # c (w x)^2
    5
    """
    one = _Degree(1)
    outs = net.forward([one] * net.n_inputs, {n: one for n in net.weight_names}, lambda c: _Degree(0))
    return max(o.d for o in outs)


@dataclass(frozen=True)
class ExactRank:
    """The generic rank of a polynomial matrix from its ranks mod p at random points."""

    rank: int                   # the largest rank over the primes: a proven lower bound
    ranks: tuple[int, ...]      # one per prime
    primes: tuple[int, ...]
    upper_bound: int            # a proven upper bound (weights, polynomial space, rows)
    failure_bound: float        # P(rank < generic rank) by Schwartz-Zippel, all primes failing
    seconds: float

    @property
    def proven(self) -> bool:
        """The lower bound meets the upper bound: the rank is the generic rank, with no
        probability attached."""
        return self.rank == self.upper_bound

    def as_dict(self) -> dict:
        return {"rank": self.rank, "ranks_mod_p": list(self.ranks), "primes": list(self.primes),
                "upper_bound": self.upper_bound, "proven": self.proven,
                "failure_bound": 0.0 if self.proven else self.failure_bound,
                "seconds": round(self.seconds, 4)}

    def describe(self) -> str:
        """One phrase: how the rank was reached."""
        if self.proven:
            return f"exact mod p, proven (meets the upper bound {self.upper_bound})"
        return (f"exact mod p (a proven lower bound; the generic rank with probability "
                f">= 1 - {self.failure_bound:.0e})")


def generic_rank(net, n_points: int, seed: int = 0, upper_bound: int | None = None,
                 primes: tuple[int, ...] = PRIMES) -> ExactRank:
    """Generic rank of d (f(x_i; w))_(i <= n_points) / dw over random weights and inputs,
    modulo each prime (independent draws from ``seed``).

    >>> from algebra.networks import DenseNetwork
    >>> net = DenseNetwork((2, 2, 1), "monomial:2", bias=False)  # binary quadratics: 3 of them
    >>> generic_rank(net, 10).rank, generic_rank(net, 10, upper_bound=3).proven
    (3, True)
    """
    if n_points < 1:
        raise SpecError(f"need at least one point, got {n_points}")
    began = time.perf_counter()
    rows = n_points * net.n_outputs
    cap = min(rows, net.n_weights) if upper_bound is None else min(rows, net.n_weights, upper_bound)
    ranks, used = [], []
    for k, p in enumerate(primes):
        rng = np.random.default_rng([seed, 53, k])
        x = rng.integers(0, p, (n_points, net.n_inputs), dtype=np.uint64)
        w = rng.integers(0, p, net.n_weights, dtype=np.uint64)
        try:
            ranks.append(rank_mod(jacobian_mod(net, x, w, p), p))
        except ZeroDivisionError:  # p divides a denominator of the activation: skip this prime
            continue
        used.append(p)
        if ranks[-1] == cap:  # proven: no other prime can add anything
            break
    if not ranks:
        raise SpecError(f"every prime {primes} divides a denominator of the activation's coefficients")
    rank = max(ranks)
    entry_degree = max(joint_degree(net) - 1, 0)  # of a Jacobian entry; a rank-r minor has r times it
    per_prime = [rank * entry_degree / p for p in used]
    failure = math.prod(min(1.0, q) for q in per_prime)
    return ExactRank(rank, tuple(ranks), tuple(used), cap, failure,
                     time.perf_counter() - began)


def rescaling_rank(net, seed: int = 0, p: int = PRIMES[0]) -> int:
    """Rank mod p of the conditions sum_k lam_k w_k df/dw_k (x_i) = 0 on the exponents of the
    rescalings w_k -> t^(lam_k) w_k that fix the outputs, stacked over weight draws until
    the rank stops growing twice: W minus it is the number of independent rescalings.

    >>> from algebra.networks import DenseNetwork
    >>> net = DenseNetwork((2, 3, 1), "monomial:2", bias=False)  # one rescaling per hidden unit
    >>> net.n_weights - rescaling_rank(net)
    3
    """
    rng = np.random.default_rng([seed, 59])
    m = net.n_weights + 8
    x = rng.integers(0, p, (m, net.n_inputs), dtype=np.uint64)
    blocks, rank, still = [], -1, 0
    while still < 2 and len(blocks) <= net.n_weights + 2:
        w = rng.integers(0, p, net.n_weights, dtype=np.uint64)
        blocks.append(jacobian_mod(net, x, w, p) * w[None, :] % p)
        new = rank_mod(np.vstack(blocks), p)
        still = still + 1 if new == rank else 0
        rank = new
        if rank == net.n_weights:
            break
    return rank
