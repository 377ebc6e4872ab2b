"""A network's zero-loss and critical equations evaluated through its forward pass: straight-line programs.

The expanded polynomials of f(x_i; w) have many more terms than the network has weights
(the canonical tree, N = 2: 225 monomials whose Jacobian needs 2,657 products, for 12
weights); its forward pass, with every intermediate carrying its gradient (forward mode,
``networks._Jet``), costs a few operations per weight and data point. ``NetworkEquations``
gives the values and Jacobian of a zero-loss system's equations at affine points, and
``continuation.evaluate.Homogenized`` makes any such evaluator projective, for the homotopies' charts:

    F^h(h0, w) = h0^d F(w / h0),
    dF^h/dw_k = h0^(d-1) dF/dx_k,   dF^h/dh0 = h0^(d-1) (d F - sum_k x_k dF/dx_k)   at x = w / h0,

exact in exact arithmetic; in floating point it divides by h0, which is harmless on the
paths between generic members that monodromy tracks (they stay finite) and is why the
homotopies that need the endgame keep the monomial form.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse

from algebra.continuation.backend import Backend
from algebra.network_homotopy.jets import Jet2, loss_gradient
from algebra.networks import Network, _Jet, _numeric_const
from algebra.polys import PolySystem


class ForwardPass:
    """What the engine may ask of an affine evaluator it is handed instead of a system's
    monomials (``monodromy``): a ball evaluator for Krawczyk's test, where one exists. The
    engine never imports this package; it calls this method where an evaluator has it."""

    def balls(self, member: PolySystem):
        """``certify.BallEvaluator`` of ``member`` (a member of this system's constant-term
        family) through the forward pass, or None: then Krawczyk's test uses the monomials."""
        return None


class NetworkEquations(ForwardPass):
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
        coef = sparse.csr_array(system.coefficients)[rows:].toarray()  # the slices' rows only
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


class CriticalEquations(ForwardPass):
    """grad L + lambda w for L = 1/2 sum_i |f(x_i; w) - y_i|^2 (``systems.loss_polynomial``):
    values (P, W) and the Hessian plus diag(lambda) as Jacobian (P, W, W), at P affine points.

    >>> from algebra.continuation.backend import backend
    >>> from algebra.networks import DenseNetwork
    >>> eq = CriticalEquations(DenseNetwork((1, 1, 1), "linear", bias=False), np.array([[2.0]]),
    ...                        np.array([[1.0]]), np.array([0.5, 0.5]), backend())
    >>> v, j = eq.evaluate(np.array([[1.0 + 0j, 1.0]]))  # f = 2ab: residual 1, grad (2b, 2a)
    >>> v.real.tolist(), j.real.tolist()
    ([[2.5, 2.5]], [[[4.5, 6.0], [6.0, 4.5]]])
    """

    def __init__(self, net: Network, x: np.ndarray, y: np.ndarray, lam, be: Backend):
        self.net, self.be = net, be
        self.data_x, self.data_y = np.asarray(x), np.asarray(y)  # as given: the ball evaluator's
        self.x = [be.asarray(self.data_x[:, k]) for k in range(net.n_inputs)]
        self.y = be.asarray(self.data_y)                                         # (N, outputs)
        nw = net.n_weights
        self.lam_values = np.zeros(nw) if lam is None else np.asarray(lam, dtype=float)
        self.lam = be.asarray(self.lam_values)
        self.n_unknowns = self.n_rows = nw
        self._eye = be.asarray(np.eye(nw))

    def evaluate(self, w):
        jets = {name: Jet2(w[:, k:k + 1], self._eye[k]) for k, name in enumerate(self.net.weight_names)}
        outs = self.net.forward(self.x, jets, _numeric_const)
        vals, jac, _ = loss_gradient(self.be.xp, outs, self.y[None], w, self.lam)
        return vals, jac

    @classmethod
    def of(cls, net: Network, data, lam, system: PolySystem, be: Backend) -> "CriticalEquations | None":
        """The evaluator of ``system`` if it is the critical system of ``net`` on ``data``
        with L2 weights ``lam`` (checked at a random point); None otherwise."""
        if system.kind != "critical" or tuple(system.variables) != tuple(net.weight_names):
            return None
        eq = cls(net, np.asarray(data.x, dtype=complex), np.asarray(data.y, dtype=complex), lam, be)
        rng = np.random.default_rng(13)
        w = (rng.standard_normal(net.n_weights) + 1j * rng.standard_normal(net.n_weights)) / 2
        vals, jac = (be.to_numpy(a)[0] for a in eq.evaluate(be.asarray(w[None])))
        theirs, tjac = system.evaluate(w), system.jacobian(w)
        close = np.allclose(vals, theirs, rtol=1e-8, atol=1e-8 * (1 + np.abs(theirs).max()))
        return eq if close and np.allclose(jac, tjac, rtol=1e-8, atol=1e-8 * (1 + np.abs(tjac).max())) else None

    def balls(self, member: PolySystem):
        from algebra.network_homotopy.balls import NetworkBalls

        return NetworkBalls.of(self, member)


class DataPath:
    """grad L + lambda w on the data d(t) = d0 + t (d1 - d0) (inputs and targets), at P
    affine points each with its own complex t: values (P, W), Jacobian (P, W, W) and the
    derivative in t (P, W), by the second-order forward pass with t as one more variable
    (the mixed second derivatives of the loss in w and t are what d/dt of its gradient needs).

    >>> from algebra.continuation.backend import backend
    >>> from algebra.networks import DenseNetwork
    >>> net = DenseNetwork((1, 1, 1), "linear", bias=False)
    >>> path = DataPath(net, (np.array([[2.0]]), np.array([[1.0]])), (np.array([[4.0]]), np.array([[3.0]])),
    ...                 np.array([0.5, 0.5]), backend())
    >>> v, j, dt = path.evaluate(np.array([[1.0 + 0j, 1.0]]), np.array([0.5 + 0j]))
    >>> v.real.tolist(), dt.real.tolist()  # x = 3, y = 2: f = 3ab, residual 1; dx = dy = 2
    ([[3.5, 3.5]], [[2.0, 2.0]])
    """

    def __init__(self, net: Network, start: tuple, end: tuple, lam, be: Backend):
        self.net, self.be = net, be
        x0, y0 = (np.asarray(a, dtype=complex) for a in start)
        x1, y1 = (np.asarray(a, dtype=complex) for a in end)
        if x0.shape != x1.shape or y0.shape != y1.shape:
            raise ValueError("the two data sets need the same number of points")
        self.x0, self.dx = be.asarray(x0), be.asarray(x1 - x0)             # (N, inputs)
        self.y0, self.dy = be.asarray(y0), be.asarray(y1 - y0)             # (N, outputs)
        nw = net.n_weights
        self.lam = be.asarray(np.zeros(nw) if lam is None else np.asarray(lam, dtype=float))
        self.n_unknowns = self.n_rows = nw
        self._eye = be.asarray(np.eye(nw + 1))                            # the last variable is t

    def evaluate(self, w, t):
        nw = w.shape[1]
        t = t[:, None]                                                    # (P, 1)
        jets = {name: Jet2(w[:, k:k + 1], self._eye[k]) for k, name in enumerate(self.net.weight_names)}
        x = [Jet2(self.x0[None, :, k] + t * self.dx[None, :, k], self.dx[None, :, k, None] * self._eye[nw])
             for k in range(self.net.n_inputs)]
        outs = self.net.forward(x, jets, _numeric_const)
        return loss_gradient(self.be.xp, outs, self.y0[None] + t[:, :, None] * self.dy[None], w, self.lam, self.dy)


COMPILED_PRODUCTS = 20_000  # up to this many products an evaluation, the compiled tracker's monomials
                            # beat the forward pass: the tree r = 1, N = 2 (3,750) by monodromy in
                            # 9.1 s against 13.4 s (one thread); the canonical tree's critical
                            # system (430,022) is 220x slower as compiled monomials
                            # (benchmarks/evaluators.py)


def monomial_products(system: PolySystem) -> int:
    """An estimate of the products one evaluation of the homogenized monomial form costs:
    each term once for the values, and for the Jacobian once per unknown it holds, plus
    once for h0 where it holds any.

    >>> monomial_products(PolySystem(("x", "y"), np.array([[2, 1], [0, 0]]), np.array([[1.0, 3.0]])))
    5
    """
    coo = sparse.coo_array(system.coefficients)
    held = np.count_nonzero(system.monomials, axis=1)[coo.col]
    return int(len(coo.data) + held.sum() + np.count_nonzero(held))


def forward_pass(net: Network, data, system: PolySystem, be: Backend):
    """The forward-pass evaluator of ``system`` when it is ``net``'s zero-loss system (with
    slices) or critical system on ``data`` (each checked against the polynomials at a random
    point); None for any other system (fixed weights, files), which keeps its monomials."""
    if system.kind == "critical":
        return CriticalEquations.of(net, data, (system.info or {}).get("l2"), system, be)
    return NetworkEquations.of(net, data.x, system, be)


def network_evaluator(net: Network, data, system: PolySystem, be: Backend):
    """The evaluator monodromy should loop with: ``forward_pass``, except on numpy for a
    system small enough that the compiled tracker on its monomials is faster (None then,
    as for any system without a forward pass: ``COMPILED_PRODUCTS``)."""
    if be.name == "numpy" and monomial_products(system) <= COMPILED_PRODUCTS:
        return None
    return forward_pass(net, data, system, be)
