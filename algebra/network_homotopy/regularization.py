"""The eps-paths of ``critical_set`` (lambda -> 0) through a network's forward pass.

``critical_set`` follows each critical point of grad L + lambda w to eps = 0 along the
gamma-trick straight line H(w, s) = (1 - s) gamma (grad L + lambda w) + s grad L, which stays
in the family grad L + eps lambda w. Its monomial form (``StraightLineHomotopy``) is exact
but costs what the expanded gradient costs: 31,341 monomials and 430,022 products an
evaluation on the canonical tree, where the forward pass with second-order jets
(``equations.CriticalEquations``) costs a few hundred. ``RegularizationHomotopy`` is
the same homotopy in the same chart with the same gamma, evaluated through the forward pass
wherever the tracker and the endgame go (every step), and keeps the monomial form for what
is asked once a path: the row scales of a condition number, and the homogenized monomials
the higher-precision retry and the chart's Krawczyk test need.

Homogenizing through the forward pass divides by h0 (``continuation.evaluate.homogenized``);
near infinity h0 is small but not zero until the endgame has called the path infinite.
"""
from __future__ import annotations

import numpy as np

from algebra.continuation.homotopy import StraightLineHomotopy, with_chart_row
from algebra.continuation.evaluate import homogenized
from algebra.network_homotopy.equations import CriticalEquations


class RegularizationHomotopy:
    """``monomial`` (grad L + lambda w to grad L, a ``StraightLineHomotopy``) evaluated
    through ``gradient``, the forward-pass evaluator of grad L (lambda 0)."""

    def __init__(self, monomial: StraightLineHomotopy, gradient: CriticalEquations, lam: np.ndarray):
        be = monomial.be
        self.monomial, self.gradient, self.be = monomial, gradient, be
        self.gamma, self.n = monomial.gamma, monomial.n
        self.chart, self.chart_host = monomial.chart, monomial.chart_host
        self.homogenized = monomial.homogenized      # the precise retry, the chart's Krawczyk test
        self.degrees = monomial.degrees
        self._deg = be.asarray(np.asarray(monomial.degrees), be.real_dtype())
        self._lam = be.asarray(np.asarray(lam, dtype=complex))
        self._diag = be.asarray(np.diag(np.asarray(lam, dtype=complex)))

    @classmethod
    def of(cls, monomial: StraightLineHomotopy, gradient: CriticalEquations,
           lam: np.ndarray) -> "RegularizationHomotopy | None":
        """The twin of ``monomial`` through ``gradient`` (grad L's forward pass,
        ``equations.forward_pass``), or None where the two disagree at a random point
        (then ``monomial`` is not the eps homotopy of that network, data and lambda)."""
        be = monomial.be
        twin = cls(monomial, gradient, lam)
        rng = np.random.default_rng(29)
        z = rng.standard_normal((2, monomial.n + 1)) + 1j * rng.standard_normal((2, monomial.n + 1))
        s = be.asarray(np.array([0.3 + 0.1j, 0.8 - 0.2j]))
        mine = [be.to_numpy(a) for a in twin.evaluate(be.asarray(z), s)]
        theirs = [be.to_numpy(a) for a in monomial.evaluate(be.asarray(z), s)]
        same = all(np.allclose(a, b, rtol=1e-8, atol=1e-8 * (1 + np.abs(b).max())) for a, b in zip(mine, theirs))
        return twin if same else None

    @property
    def n_unknowns(self) -> int:
        return self.n + 1

    def select(self, rows) -> "RegularizationHomotopy":
        return self  # every path on the same homotopy

    def lift(self, x: np.ndarray) -> np.ndarray:
        return self.monomial.lift(x)

    def evaluate(self, z, s):
        """H (P, n + 1), dH/dz (P, n + 1, n + 1), dH/ds (P, n + 1) at chart points z, parameters s (P,)."""
        xp = self.be.xp
        h0 = z[:, :1]
        x = z[:, 1:] / h0
        g, hess = self.gradient.evaluate(x)
        a = ((1 - s) * self.gamma)[:, None]             # the start system's weight
        ab = a + s[:, None]
        vals = ab * g + a * self._lam[None, :] * x
        jac = ab[..., None] * hess + a[..., None] * self._diag[None]
        h, hz = homogenized(xp, h0, x, vals, jac, self._deg)
        hs = h0 ** self._deg[None, :] * ((1 - self.gamma) * g - self.gamma * self._lam[None, :] * x)
        return with_chart_row(xp, z, self.chart, h, hz, hs)

    def target(self, z):
        """grad L homogenized and its Jacobian, with the chart row (s = 1)."""
        ones = self.be.xp.ones((z.shape[0],), dtype=z.dtype,
                               **({} if self.be.name == "numpy" else {"device": self.be.device}))
        h, hz, _ = self.evaluate(z, ones)
        return h, hz

    def residual(self, z: np.ndarray) -> np.ndarray:
        """As ``StraightLineHomotopy.residual``, the values through the forward pass."""
        h, _ = self.target(self.be.asarray(z))
        return self.monomial.scaled_residual(z, np.abs(self.be.to_numpy(h))[:, :self.n])

    def row_scales(self, z: np.ndarray) -> np.ndarray:
        return self.monomial.row_scales(z)
