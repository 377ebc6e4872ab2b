"""Scaling a polynomial system by powers of two: equations and unknowns brought to size one.

Multiplying an equation by a constant, or an unknown by a constant, changes no solution but
changes a homotopy's paths: H = (1 - s) gamma G + s F weighs each F_i against its start
equation, and a coefficient of 1e13 drowns the start system while a solution at 1e13 sits
where a tracker's relative tolerances lose it. The remedy is Meintjes and Morgan's (ACM TOMS
1987; PHCpack's ``scalec``): with F_i = sum_t c_it x^m_t and x_k = 2^s_k y_k, choose equation
exponents e_i and unknown exponents s_k that minimize

    sum over the terms of (log2 |c_it| + e_i + m_t . s)^2

(a linear least-squares problem), rounded to integers. The scaled system

    G_i(y) = 2^e_i F_i(2^s y),  coefficients c_it 2^(e_i + m_t . s)

has exactly the stored coefficients times powers of two (no rounding), so a solution of G is a
solution of F by x = 2^s y exactly, and a proof about G (Krawczyk's test) is a proof about F.

The least squares are invariant: multiplying F_i by 10^k or x_k by 10^j shifts the optimum by
exactly the opposite exponents, so the scaled system is the same up to rounding the exponents
to integers (a factor within sqrt(2) of the same in every coefficient), and the tracker sees
the same system whatever the input's units.

>>> import numpy as np
>>> from algebra.polys import PolySystem
>>> s = PolySystem(("x",), np.array([[2], [0]]), np.array([[2.0 ** 40, -2.0 ** 80]]))  # 2^40 x^2 - 2^80
>>> sc = scaling_of(s)
>>> sc.equations.tolist(), sc.unknowns.tolist()
([-80], [20])
>>> sc.apply(s).coefficients.toarray().tolist()
[[1.0, -1.0]]
>>> sc.to_original(np.array([[1.0 + 0j]])).tolist()
[[(1048576+0j)]]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from algebra.polys import PolySystem

#: Exponents all below this (in absolute value, after rounding) are not worth a scaling: a
#: system whose least-squares scaling stays within 2^MIN_SHIFT = 256 of one in every equation and
#: unknown is tracked as given (the benchmark suite's systems: a scaling there only reshuffles
#: paths that were fine).
MIN_SHIFT = 8


@dataclass(frozen=True)
class Scaling:
    """Powers of two for each equation (``equations``, E) and each unknown (``unknowns``, n):
    the scaled system is 2^e_i F_i(2^s y); original solutions are x = 2^s y."""

    equations: np.ndarray
    unknowns: np.ndarray

    @property
    def is_identity(self) -> bool:
        return not self.equations.any() and not self.unknowns.any()

    def apply(self, system: PolySystem) -> PolySystem:
        """The scaled system (the same unknowns' names; coefficients exact)."""
        if self.is_identity:
            return system
        coef = system.coefficients.tocoo()
        shift = self.equations[coef.row] + system.monomials[coef.col] @ self.unknowns
        data = np.ldexp(coef.data.real, shift) + (1j * np.ldexp(coef.data.imag, shift) if np.iscomplexobj(coef.data)
                                                  else 0)
        scaled = sparse.csr_array((data, (coef.row, coef.col)), shape=coef.shape)
        info = {**system.info, "scaling": {"equations": self.equations.tolist(), "unknowns": self.unknowns.tolist()}}
        return PolySystem(system.variables, system.monomials, scaled, system.kind, info)

    def to_original(self, y: np.ndarray) -> np.ndarray:
        """Points of the scaled system (rows) as points of the original: x = 2^s y (exact)."""
        y = np.asarray(y)
        if self.is_identity:
            return y
        return np.ldexp(y.real, self.unknowns) + 1j * np.ldexp(y.imag, self.unknowns)

    def to_scaled(self, x: np.ndarray) -> np.ndarray:
        """Points of the original system as points of the scaled one: y = 2^-s x (exact)."""
        x = np.asarray(x)
        if self.is_identity:
            return x
        return np.ldexp(x.real, -self.unknowns) + 1j * np.ldexp(x.imag, -self.unknowns)

    def as_dict(self) -> dict:
        return {"equations": self.equations.tolist(), "unknowns": self.unknowns.tolist(),
                "identity": self.is_identity}


def identity(system: PolySystem) -> Scaling:
    return Scaling(np.zeros(system.n_equations, dtype=np.int64), np.zeros(system.n_variables, dtype=np.int64))


def scaling_of(system: PolySystem) -> Scaling:
    """The least-squares powers of two that bring the coefficients of ``system`` near one.

    One unknown that appears in no term, or whose exponents are fixed by the others (every
    term has the same degree in it and another), is left to the minimum-norm solution: the
    least squares have a unique minimizer of least norm, so the result is deterministic."""
    coef = system.coefficients.tocoo()
    keep = coef.data != 0
    rows, cols, vals = coef.row[keep], coef.col[keep], np.abs(coef.data[keep])
    E, n = system.n_equations, system.n_variables
    if len(vals) == 0:
        return identity(system)
    # unknowns: e (E) then s (n); one row per term
    a = sparse.hstack([sparse.csr_array((np.ones(len(rows)), (np.arange(len(rows)), rows)), shape=(len(rows), E)),
                       sparse.csr_array(system.monomials[cols].astype(float))]).toarray()
    b = -np.log2(vals)
    # minimum-norm least squares; the columns are tiny (E + n), so a dense solve is cheap
    x, *_ = np.linalg.lstsq(a, b, rcond=None)
    e = np.rint(x[:E]).astype(np.int64)
    s = np.rint(x[E:]).astype(np.int64)
    if np.abs(np.concatenate([e, s])).max(initial=0) < MIN_SHIFT:
        return identity(system)
    return Scaling(e, s)
