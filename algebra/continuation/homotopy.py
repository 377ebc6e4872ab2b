"""The gamma-trick homotopy H(z, s) = (1 - s) gamma G(z) + s F(z), in a random projective chart.

F (target) and G (start) are homogenized by a new unknown h0 and one random complex
affine equation a . z = 1 is appended (the chart). A path whose affine solution
diverges then converges to a finite point of the chart with h0 = 0, so no path runs
off to infinity; affine solutions are z[1:] / z[0]. s may be complex: the endgame
walks around s = 1.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse

from algebra.continuation.backend import Backend
from algebra.continuation.evaluate import MonomialEvaluator, homogenize
from algebra.polys import PolySystem, unique_rows


def total_degree_system(system: PolySystem) -> PolySystem:
    """The start system x_k^d_k - 1 = 0, d_k the degree of equation k.

    >>> s = total_degree_system(PolySystem(("x", "y"), np.array([[2, 1], [0, 0]]), np.array([[1.0, 1.0]])
    ...                                     .repeat(2, axis=0)))
    >>> s.degrees
    [3, 3]
    """
    n = system.n_variables
    deg = system.degrees
    mons = np.vstack([np.diag(deg), np.zeros((1, n), dtype=np.int64)])
    coef = np.hstack([np.eye(n), -np.ones((n, 1))])
    return PolySystem(system.variables, mons, coef, "start")


def chart_for(n_unknowns: int, seed: int) -> np.ndarray:
    """The random complex chart a (a . z = 1) of a run, seeded."""
    rng = np.random.default_rng([seed, 5])
    return (rng.standard_normal(n_unknowns) + 1j * rng.standard_normal(n_unknowns)) / np.sqrt(2 * n_unknowns)


def lift_to_chart(x: np.ndarray, chart: np.ndarray) -> np.ndarray:
    """Affine points (P, n) as points (P, n + 1) of the chart a . z = 1 (h0 first), on the host."""
    v = np.hstack([np.ones((x.shape[0], 1), dtype=complex), np.asarray(x, dtype=complex)])
    return v / (v @ chart)[:, None]


def with_chart_row(xp, z, chart, h, hz, hs):
    """H, dH/dz, dH/ds of the n homogenized equations at chart points z, with the chart's
    affine row a . z - 1 appended (its derivative a in z, 0 in s)."""
    row = xp.sum(z * chart[None, :], axis=1, keepdims=True) - 1
    jrow = xp.broadcast_to(chart[None, None, :], (z.shape[0], 1, z.shape[1]))
    return (xp.concat([h, row], axis=1), xp.concat([hz, jrow], axis=1),
            xp.concat([hs, xp.zeros_like(row)], axis=1))


class StraightLineHomotopy:
    """H(z, s) for a square target and start system with equal degrees, batched over paths."""

    def __init__(self, target: PolySystem, start: PolySystem, gamma: complex, chart: np.ndarray,
                 be: Backend):
        if target.variables != start.variables or target.n_equations != start.n_equations:
            raise ValueError("start and target systems must share unknowns and equation count")
        n = target.n_equations
        degrees = [max(a, b) for a, b in zip(target.degrees, start.degrees)]
        fm, fc = homogenize(target, degrees)
        gm, gc = homogenize(start, degrees)
        basis, inverse = unique_rows(np.vstack([fm, gm]))
        coef = sparse.block_diag([fc, gc], format="coo")
        stacked = sparse.csr_array((coef.data, (coef.row, inverse[coef.col])), shape=(2 * n, basis.shape[0]))
        self.evaluator = MonomialEvaluator(basis, stacked, be)
        self.homogenized = ((fm, fc), (gm, gc))  # F and G homogenized (for ``precise``)
        self.n, self.be, self.gamma = n, be, complex(gamma)
        self._norms = np.asarray(abs(fc).sum(axis=1)).ravel()
        self._absolute = None
        self.degrees = degrees
        self.chart_host = np.asarray(chart, dtype=complex)
        self.chart = be.asarray(self.chart_host)

    @property
    def n_unknowns(self) -> int:
        return self.n + 1

    def select(self, rows) -> "StraightLineHomotopy":
        """The homotopy of a subset of the paths: this one (every path shares it)."""
        return self

    def compiled(self, paths: int):
        """The form ``compiled.track`` tracks (None where the array tracker must: torch, or
        no product chain)."""
        from algebra.continuation.compiled import Form, Program

        program = Program.of(self.evaluator)
        if program is None:
            return None
        none = np.zeros((0, self.n), complex)
        return Form(program, self.n, np.full(paths, self.gamma), none, none, np.asarray(self.degrees),
                    self.chart_host)

    def lift(self, x: np.ndarray) -> np.ndarray:
        """Affine points (P, n) as chart points (P, n + 1) on the host."""
        return lift_to_chart(x, self.chart_host)

    def evaluate(self, z, s):
        """H (P, n+1), dH/dz (P, n+1, n+1) and dH/ds (P, n+1) at points z and parameters s (P,)."""
        n = self.n
        vals, jac = self.evaluator.evaluate(z)
        f, g = vals[:, :n], vals[:, n:]
        fj, gj = jac[:, :n], jac[:, n:]
        a = (1 - s)[:, None] * self.gamma
        b = s[:, None]
        return with_chart_row(self.be.xp, z, self.chart, a * g + b * f, a[..., None] * gj + b[..., None] * fj,
                              f - self.gamma * g)

    def residual(self, z: np.ndarray) -> np.ndarray:
        """max_i |F_i(z)| / (||c_i||_1 max(1, |z|)^d_i) at host points z (P, n + 1): blind to
        the scale of each equation, so a singular limit and a regular one compare alike."""
        be = self.be
        h, _ = self.target(be.asarray(z))
        return self.scaled_residual(z, np.abs(be.to_numpy(h)[:, :self.n]))

    def scaled_residual(self, z: np.ndarray, h: np.ndarray) -> np.ndarray:
        """``residual`` from the absolute values |F_i(z)| (P, n), however they were evaluated."""
        big = np.maximum(1.0, np.max(np.abs(z), axis=1))[:, None] ** np.asarray(self.degrees)[None, :]
        with np.errstate(all="ignore"):
            return np.max(h / np.maximum(self._norms[None, :] * big, np.finfo(float).tiny), axis=1,
                          initial=0.0)

    def row_scales(self, z: np.ndarray) -> np.ndarray:
        """(P, n + 1): the norm of each row of F's Jacobian with every term taken in absolute
        value (sum_t |c_t| |d mono_t(z)|), ||a|| for the chart: what a row adds up from,
        so a row far below it is cancellation down to roundoff (a vanishing gradient), and a
        row merely small at a point with large coordinates is not."""
        if self._absolute is None:
            (fm, fc), _ = self.homogenized
            self._absolute = MonomialEvaluator(fm, abs(fc), self.be)
        _, jac = self._absolute.evaluate(self.be.asarray(np.abs(z).astype(complex)))
        rows = np.linalg.norm(np.abs(self.be.to_numpy(jac)), axis=2)
        chart = np.full((z.shape[0], 1), np.linalg.norm(self.chart_host))
        return np.hstack([rows, chart])

    def target(self, z):
        """F and its Jacobian with the chart row (s = 1), for refining endpoints."""
        ones = self.be.xp.ones((z.shape[0],), dtype=z.dtype,
                               **({} if self.be.name == "numpy" else {"device": self.be.device}))
        h, hz, _ = self.evaluate(z, ones)
        return h, hz


def gamma_for(seed: int, run: int) -> complex:
    """The random unit constant of the gamma trick for one run (seeded).

    >>> abs(abs(gamma_for(0, 0)) - 1) < 1e-12, gamma_for(0, 0) == gamma_for(0, 0)
    (True, True)
    """
    angle = np.random.default_rng([seed, 11, run]).uniform(0, 2 * np.pi)
    return complex(np.cos(angle), np.sin(angle))
