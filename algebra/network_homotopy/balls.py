"""A network's critical equations in ball arithmetic, through its forward pass: Krawczyk's
test without the expanded polynomials.

``certify.BallEvaluator`` evaluates a system from its monomials: the canonical tree's
critical system at N = 1 has 31,341 of them, and one proof took 1.07 s a point (2,505
points: 45 minutes). Its forward pass with second-order jets (``network_homotopy.equations``) is a
few dozen operations per data point on gradients and Hessians of 12 entries (``jets``). Here the same
forward pass runs on numpy object arrays of python-flint ``acb`` balls, so every value
carries a rigorous error bound, and the activation's coefficients enter as balls around
the exact fractions of its spec.

The function proved is the family member the monodromy loops work on: the critical
equations with their constant terms replaced by ``constants``, F_c(w) = F(w) - F(0) + c,
with F(0) evaluated in balls as well. It agrees with ``ConstantFamily.member(c)``'s
polynomials up to their float64 coefficients (checked at a random point by ``of``).
"""
from __future__ import annotations

import numpy as np

from algebra.network_homotopy.jets import Jet2, loss_gradient
from algebra.networks import _Jet

AGREEMENT = 1e-8  # relative agreement with the polynomial member at a random point


def _balls(values) -> np.ndarray:
    from flint import acb

    values = np.asarray(values)
    out = np.empty(values.shape, dtype=object)
    for index, v in np.ndenumerate(values):
        out[index] = acb(complex(v)) if np.iscomplexobj(values) else acb(float(v))
    return out


def _exact_constant(c):
    from flint import acb, arb, fmpq

    return acb(arb(fmpq(c.numerator, c.denominator)))


class NetworkBalls:
    """F_c and its Jacobian at a vector of acb balls, the ``certify.BallEvaluator`` interface:
    ``(x, want_f, want_j) -> (F as an n x 1 acb_mat or None, J as an n x n acb_mat or None)``."""

    def __init__(self, net, x: np.ndarray, y: np.ndarray, lam, constants: np.ndarray | None):
        self.net = net
        self.n = net.n_weights
        x, y = np.asarray(x), np.asarray(y)
        lam = np.zeros(self.n) if lam is None else np.asarray(lam, dtype=float)
        self.x = [_balls(x[:, k]) for k in range(net.n_inputs)]
        self.y = _balls(y)
        self.lam = _balls(lam)
        self.eye = np.eye(self.n, dtype=object)
        self.constants = None if constants is None else _balls(np.asarray(constants, dtype=complex))
        self.real = (not np.iscomplexobj(x) or not np.any(x.imag)) and (not np.iscomplexobj(y) or not np.any(y.imag)) \
            and (constants is None or not np.any(np.asarray(constants).imag))
        self._zero_at = {}  # F(0) per working precision

    def _gradient(self, w: np.ndarray) -> np.ndarray:
        """grad L + lambda w at one point (first-order jets: F alone needs no Hessian)."""
        jets = {name: _Jet(w[:, k:k + 1], self.eye[k]) for k, name in enumerate(self.net.weight_names)}
        outs = self.net.forward(self.x, jets, _exact_constant)
        vals = self.lam[None, :] * w
        n = len(self.x[0]) if self.x else 1
        for o, out in enumerate(outs):
            r = np.broadcast_to(out.v, (1, n)) - self.y[None, :, o]
            g = np.broadcast_to(out.d, (1, n, self.n))
            vals = vals + np.sum(r[..., None] * g, axis=1)
        return vals[0]

    def _shift(self) -> np.ndarray | None:
        """c - F(0), in balls at the working precision (None: F itself)."""
        from flint import ctx

        if self.constants is None:
            return None
        if ctx.prec not in self._zero_at:
            self._zero_at[ctx.prec] = self.constants - self._gradient(np.zeros((1, self.n), dtype=object))
        return self._zero_at[ctx.prec]

    def __call__(self, x: list, want_f: bool = True, want_j: bool = True):
        from flint import acb_mat

        w = np.empty((1, self.n), dtype=object)
        w[0, :] = list(x)
        shift = self._shift()
        if not want_j:
            vals = self._gradient(w)
            return acb_mat(self.n, 1, list(vals if shift is None else vals + shift)), None
        jets = {name: Jet2(w[:, k:k + 1], self.eye[k]) for k, name in enumerate(self.net.weight_names)}
        outs = self.net.forward(self.x, jets, _exact_constant)
        vals, jac, _ = loss_gradient(np, outs, self.y[None], w, self.lam)
        vals = vals[0] if shift is None else vals[0] + shift
        F = acb_mat(self.n, 1, list(vals)) if want_f else None
        return F, acb_mat(self.n, self.n, list(jac[0].ravel()))

    @classmethod
    def of(cls, equations, member) -> "NetworkBalls | None":
        """The ball evaluator of ``member`` (a member of a critical system's constant-term
        family, or the system itself) when ``equations`` is that system's forward pass
        (``equations.CriticalEquations``) and both agree at a random point; None otherwise."""
        if member.kind != "critical":
            return None
        if tuple(member.variables) != tuple(equations.net.weight_names):
            return None
        constant = ~member.monomials.any(axis=1)
        coef = member.coefficients.toarray()
        constants = coef[:, constant].sum(axis=1) if constant.any() else np.zeros(member.n_equations)
        balls = cls(equations.net, equations.data_x, equations.data_y, equations.lam_values, constants)
        rng = np.random.default_rng(23)
        w = (rng.standard_normal(balls.n) + 1j * rng.standard_normal(balls.n)) / 2
        from flint import acb

        F, J = balls([acb(complex(v)) for v in w])
        mine = np.array([complex(z.mid()) for z in F.entries()])
        mine_j = np.array([complex(z.mid()) for z in J.entries()]).reshape(balls.n, balls.n)
        theirs, theirs_j = member.evaluate(w), member.jacobian(w)
        ok = np.abs(mine - theirs).max() <= AGREEMENT * (1 + np.abs(theirs).max()) and \
            np.abs(mine_j - theirs_j).max() <= AGREEMENT * (1 + np.abs(theirs_j).max())
        return balls if ok else None
