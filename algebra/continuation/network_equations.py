"""A network's zero-loss equations evaluated through its forward pass: a straight-line program.

The expanded polynomials of f(x_i; w) have many more terms than the network has weights
(the canonical tree, N = 2: 225 monomials whose Jacobian needs 2,657 products, for 12
weights); its forward pass, with every intermediate carrying its gradient (forward mode,
``networks._Jet``), costs a few operations per weight and data point. ``NetworkEquations``
gives the values and Jacobian of a zero-loss system's equations at affine points, and
``Homogenized`` makes any such evaluator projective, for the homotopies' charts:

    F^h(h0, w) = h0^d F(w / h0),
    dF^h/dw_k = h0^(d-1) dF/dx_k,   dF^h/dh0 = h0^(d-1) (d F - sum_k x_k dF/dx_k)   at x = w / h0,

exact in exact arithmetic; in floating point it divides by h0, which is harmless on the
paths between generic members that monodromy tracks (they stay finite) and is why the
homotopies that need the endgame keep the monomial form.
"""
from __future__ import annotations

import numpy as np

from algebra.continuation.backend import Backend
from algebra.networks import Network, _Jet, _numeric_const
from algebra.polys import PolySystem


class NetworkEquations:
    """f(x_i; w) for each data point and output (point-major), then the linear rows A w,
    at P affine points: values (P, R) and Jacobian (P, R, W).

    >>> from algebra.continuation.backend import backend
    >>> from algebra.networks import DenseNetwork
    >>> eq = NetworkEquations(DenseNetwork((1, 1), "linear"), np.array([[2.0]]), np.array([[1.0, 1.0]]), backend())
    >>> v, j = eq.evaluate(np.array([[3.0 + 0j, 1.0]]))  # f = 2 w + b = 7; the slice w + b = 4
    >>> v.real.tolist(), j.real.tolist()
    ([[7.0, 4.0]], [[[2.0, 1.0], [1.0, 1.0]]])
    """

    def __init__(self, net: Network, x: np.ndarray, linear: np.ndarray, be: Backend):
        self.net, self.be = net, be
        self.x = [be.asarray(np.asarray(x)[:, k]) for k in range(net.n_inputs)]
        self.linear = be.asarray(np.asarray(linear).reshape(-1, net.n_weights))
        self.n_unknowns = net.n_weights
        self.n_rows = x.shape[0] * net.n_outputs + self.linear.shape[0]
        self._eye = be.asarray(np.eye(net.n_weights))

    def evaluate(self, w):
        be, xp = self.be, self.be.xp
        p, nw = w.shape
        jets = {name: _Jet(w[:, k:k + 1], self._eye[k]) for k, name in enumerate(self.net.weight_names)}
        outs = self.net.forward(self.x, jets, _numeric_const)
        n = self.x[0].shape[0] if self.x else 1
        vals = [xp.broadcast_to(o.v, (p, n)) for o in outs]               # each (P, N)
        grads = [xp.broadcast_to(o.d, (p, n, nw)) for o in outs]          # each (P, N, W)
        rows = n * len(outs)
        vals = xp.reshape(xp.stack(vals, axis=2), (p, rows))              # point-major
        grads = xp.reshape(xp.stack(grads, axis=2), (p, rows, nw))
        lin_v = w @ self.linear.T
        lin_j = xp.broadcast_to(self.linear[None], (p, *self.linear.shape))
        return xp.concat([vals, lin_v], axis=1), xp.concat([grads, lin_j], axis=1)

    @classmethod
    def of(cls, net: Network, x: np.ndarray, system: PolySystem, be: Backend) -> "NetworkEquations | None":
        """The evaluator of ``system`` if it is the zero-loss system of ``net`` on inputs ``x``,
        followed by affine rows (slices); None otherwise (fixed weights, other systems)."""
        rows = x.shape[0] * net.n_outputs
        if system.kind != "zero-loss" or tuple(system.variables) != tuple(net.weight_names):
            return None
        if system.n_equations < rows or any(d > 1 for d in system.degrees[rows:]):
            return None
        coef = system.coefficients.toarray()[rows:]
        mons = system.monomials
        linear = np.zeros((system.n_equations - rows, net.n_weights), dtype=complex)
        for t in np.flatnonzero(mons.sum(axis=1) == 1):
            linear[:, int(np.argmax(mons[t]))] += coef[:, t]
        eq = cls(net, np.asarray(x, dtype=complex), linear, be)
        # the check that this is that system: both forms agree at a random point
        rng = np.random.default_rng(11)
        w = rng.standard_normal((1, net.n_weights)) + 1j * rng.standard_normal((1, net.n_weights))
        mine = be.to_numpy(eq.evaluate(be.asarray(w))[0])[0] - be.to_numpy(eq.evaluate(be.asarray(0 * w))[0])[0]
        theirs = system.evaluate(w[0]) - system.evaluate(0 * w[0])
        return eq if np.allclose(mine, theirs, rtol=1e-9, atol=1e-9 * (1 + np.abs(theirs).max())) else None


class Homogenized:
    """An affine evaluator (values and Jacobian of F at affine points) as the projective
    evaluator of h0^d F(w / h0) - h0^d F(0) at chart points (h0, w): the constant part is
    left out, as in the constant-term family's base system."""

    def __init__(self, affine, degrees, be: Backend):
        self.affine, self.be = affine, be
        self.n_rows, self.n_unknowns = affine.n_rows, affine.n_unknowns + 1
        self._deg = be.asarray(np.asarray(degrees), be.real_dtype())
        zero = be.asarray(np.zeros((1, affine.n_unknowns)))
        self._offset = affine.evaluate(zero)[0]

    def evaluate(self, z):
        xp = self.be.xp
        h0 = z[:, :1]
        x = z[:, 1:] / h0
        vals, jac = self.affine.evaluate(x)
        vals = vals - self._offset
        d = self._deg[None, :]
        up = h0 ** (d - 1)                                               # (P, R)
        dh0 = up * (d * vals - xp.sum(jac * x[:, None, :], axis=2))
        return up * h0 * vals, xp.concat([dh0[..., None], up[..., None] * jac], axis=2)
