"""The family of a square system with free constant terms, and its batched homotopy.

F_c(z) = N(z) + c: N the system's non-constant part, c in C^n the constant terms (for a
network's sliced zero-loss system, the targets y_i and the slice offsets). Monodromy
moves many solutions along many different segments of this family at once: each path p
has its own start constants a_p, target constants b_p and gamma_p, and

    H_p(z, s) = ((1 - s) gamma_p + s) N(z) + (1 - s) gamma_p a_p + s b_p

(the gamma-trick straight line between F_a and F_b, which stays in the family), all
evaluated in one pass of N over the batch: the cost of a round of loops follows the
number of points in it, not the number of loops and edges they are on.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from algebra.continuation.backend import Backend
from algebra.continuation.evaluate import Homogenized, MonomialEvaluator, homogenize
from algebra.continuation.homotopy import lift_to_chart, with_chart_row
from algebra.errors import SpecError
from algebra.polys import PolySystem


@dataclass
class ConstantFamily:
    """F_c(z) = N(z) + c for a square system: its non-constant part and constant column."""

    base: PolySystem        # the system with a constant term in every equation, set to 0
    column: int             # index of the constant monomial
    given: np.ndarray       # the system's own constant terms

    @classmethod
    def of(cls, system: PolySystem) -> "ConstantFamily":
        if not system.is_square:
            raise SpecError(f"monodromy needs a square system, got {system.n_equations} equations in "
                            f"{system.n_variables} unknowns")
        mons = system.monomials
        zero = np.flatnonzero(~mons.any(axis=1))
        coef = system.coefficients.toarray().astype(complex)
        if len(zero):
            column = int(zero[0])
        else:  # no constant monomial anywhere: add it, with constant terms 0
            mons = np.vstack([mons, np.zeros((1, system.n_variables), dtype=np.int64)])
            coef = np.hstack([coef, np.zeros((coef.shape[0], 1), complex)])
            column = mons.shape[0] - 1
        given = coef[:, column].copy()
        coef[:, column] = 0
        return cls(PolySystem(system.variables, mons, sparse.csr_array(coef), system.kind), column, given)

    def member(self, c: np.ndarray) -> PolySystem:
        """F_c: every equation with constant term c_i (nonzero, or the supports change)."""
        coef = self.base.coefficients.toarray()
        coef[:, self.column] = c
        return PolySystem(self.base.variables, self.base.monomials, sparse.csr_array(coef), self.base.kind)

    def through(self, z: np.ndarray) -> np.ndarray:
        """The constants c for which ``z`` solves F_c."""
        return -self.base.evaluate(np.asarray(z, dtype=complex))


class SegmentsHomotopy:
    """H_p(z, s) above for P paths at once, in one random projective chart (h0 first).

    ``select(rows)`` is the same homotopy for a subset of the paths: the tracker calls it
    with the paths still running.

    >>> from algebra.continuation.backend import backend
    >>> fam = ConstantFamily.of(PolySystem(("x",), np.array([[2], [0]]), np.array([[1.0, -1.0]])))
    >>> hom = SegmentsHomotopy.of(fam, backend(), np.array([1.0 + 0j, 0.5]))
    >>> hom = hom.on(np.array([[-1.0], [-1.0]]), np.array([[-4.0], [-9.0]]), np.array([1.0, 1.0]))
    >>> h, _, _ = hom.evaluate(hom.be.asarray(hom.lift(np.array([[2.0], [3.0]]))), np.ones(2, complex))
    >>> np.abs(h[:, 0]).round(12).tolist()  # x = 2 solves x^2 - 4, x = 3 solves x^2 - 9
    [0.0, 0.0]
    """

    def __init__(self, evaluator, degrees: np.ndarray, chart: np.ndarray, be: Backend, a=None, b=None, gamma=None):
        # evaluator: values (P, n) and Jacobian (P, n, n + 1) of the homogenized base system at
        # chart points (a MonomialEvaluator, or an affine evaluator's homogenized form)
        self.evaluator, self.degrees, self.be = evaluator, degrees, be
        self.n = len(degrees)
        self.chart_host = np.asarray(chart, dtype=complex)
        self.chart = be.asarray(self.chart_host)
        self.a, self.b, self.gamma = a, b, gamma
        self._deg = be.asarray(degrees, be.real_dtype())

    @classmethod
    def of(cls, family: ConstantFamily, be: Backend, chart: np.ndarray, equations=None) -> "SegmentsHomotopy":
        """``equations``: an affine evaluator of the system's equations (values and Jacobian
        at affine points, e.g. a network's forward pass) to use instead of its monomials."""
        degrees = np.asarray(family.base.degrees)
        if equations is not None:
            return cls(Homogenized(equations, degrees, be), degrees, chart, be)
        mons, coef = homogenize(family.base, list(degrees))
        return cls(MonomialEvaluator(mons, coef, be), degrees, chart, be)

    def on(self, a: np.ndarray, b: np.ndarray, gamma: np.ndarray) -> "SegmentsHomotopy":
        """The homotopy of P paths from constants a (P, n) to b (P, n) with gammas (P,)."""
        be = self.be
        return SegmentsHomotopy(self.evaluator, self.degrees, self.chart_host, be, be.asarray(a), be.asarray(b),
                                be.asarray(gamma))

    def select(self, rows) -> "SegmentsHomotopy":
        out = SegmentsHomotopy.__new__(SegmentsHomotopy)
        out.__dict__.update(self.__dict__)
        out.a, out.b, out.gamma = self.a[rows], self.b[rows], self.gamma[rows]
        return out

    @property
    def n_unknowns(self) -> int:
        return self.n + 1

    def compiled(self, paths: int):
        """The form ``compiled.track`` tracks: G and F the same rows (N), the constant terms
        per path (None for a network's forward pass, torch, or no product chain)."""
        from algebra.continuation.compiled import Form, Program

        program = Program.of(self.evaluator) if isinstance(self.evaluator, MonomialEvaluator) else None
        if program is None:
            return None
        host = self.be.to_numpy
        return Form(program, 0, host(self.gamma), host(self.a), host(self.b), np.asarray(self.degrees),
                    self.chart_host)

    def lift(self, x: np.ndarray) -> np.ndarray:
        """Affine points (P, n) as chart points (P, n + 1) on the host."""
        return lift_to_chart(x, self.chart_host)

    def evaluate(self, z, s):
        """H (P, n+1), dH/dz (P, n+1, n+1) and dH/ds (P, n+1) at points z and parameters s (P,)."""
        xp = self.be.xp
        s = self.be.asarray(s)
        vals, jac = self.evaluator.evaluate(z)
        g = self.gamma
        phi = ((1 - s) * g + s)[:, None]
        psi = ((1 - s) * g)[:, None] * self.a + s[:, None] * self.b
        h0 = z[:, :1]
        hd = h0 ** self._deg[None, :]                       # h0^d_i
        hd1 = self._deg[None, :] * h0 ** (self._deg[None, :] - 1)  # d/dh0 of h0^d_i
        hz = phi[..., None] * jac
        hz = xp.concat([hz[:, :, :1] + (psi * hd1)[..., None], hz[:, :, 1:]], axis=2)
        return with_chart_row(xp, z, self.chart, phi * vals + psi * hd, hz,
                              (1 - g)[:, None] * vals + (self.b - g[:, None] * self.a) * hd)
