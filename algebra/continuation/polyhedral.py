"""Polyhedral homotopies (Huber and Sturmfels, 1995): a random-coefficient start system
solved by our own tracker.

A system G with the target's supports and random coefficients has mixed volume many
solutions, all with nonzero coordinates. PHCpack's MixedVol (``algebra.phc``; its mixed
volume checked by DEMiCs, ``phc.checked_mixed_volume``) lifts each support by random values
w and returns the mixed cells of the lifted supports' lower hull. A cell with inner normal
(alpha, 1) turns G into the toric homotopy

    H_i(y, s) = sum_a c_ia y^a exp(s e_a),   e_a = <a, alpha> + w(a) - min_b (<b, alpha> + w(b)),

(x = y t^alpha, t = exp(s), each equation divided by its lowest power of t), whose
exponents e_a vanish on the cell's points only: as s -> -inf it becomes a system with
two (or, for a support shared by k equations, k + 1) terms per equation, solved in closed
form (``binomial``), with |det| solutions, and at s = 0 it is G. PHCpack tracks these
paths one at a time in Ada; here the compiled kernel tracks every cell's paths at once,
in s from a start s0 where the terms outside the cell are negligible.

Every step is checked, not trusted: each cell is verified to be a lower facet of the
lifted supports, the cells' volumes must add up to the mixed volume, and the endpoints
must be distinct solutions of G, or the caller falls back on PHCpack's own solver.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from algebra.polys import PolySystem

START_TERMS = 1e-10  # at the start s0 the terms outside a cell weigh at most this much
FACET_TOL = 1e-8     # e_a of a cell's points (relative): zero up to this; other points above it


class CellError(Exception):
    """The mixed cells, or the paths they start, failed a check."""


@dataclass(frozen=True)
class Cells:
    """A fine mixed-cell configuration: supports in groups (``mixture[g]`` equations share
    support g), their lifting values, and each cell's points (indices into each support)
    and normal alpha."""

    mixed_volume: int
    mixture: tuple[int, ...]
    supports: tuple[np.ndarray, ...]    # (k_g, n) exponents
    lifting: tuple[np.ndarray, ...]     # (k_g,)
    points: tuple[tuple[np.ndarray, ...], ...]
    normals: np.ndarray                 # (cells, n)

    @classmethod
    def from_reply(cls, reply: dict, n: int) -> "Cells":
        lifted = [np.asarray(s, dtype=float).reshape(-1, n + 1) for s in reply["supports"]]
        normals = np.array([c["normal"] for c in reply["cells"]], dtype=float).reshape(-1, n + 1)
        return cls(int(reply["mixed_volume"]), tuple(reply["mixture"]),
                   tuple(np.rint(s[:, :n]).astype(np.int64) for s in lifted), tuple(s[:, n] for s in lifted),
                   tuple(tuple(np.asarray(p, dtype=np.int64) for p in c["points"]) for c in reply["cells"]),
                   normals[:, :n] / normals[:, n:])

    def exponents(self, cell: int) -> list[np.ndarray]:
        """e_a of every point of every support for this cell (checked: zero exactly on the
        cell's points, positive elsewhere)."""
        out = []
        for g, (support, lift) in enumerate(zip(self.supports, self.lifting)):
            values = support @ self.normals[cell] + lift
            inside = self.points[cell][g]
            if len(inside) != self.mixture[g] + 1:
                raise CellError(f"cell {cell} has {len(inside)} points of support {g}, not {self.mixture[g] + 1}")
            low = values[inside].min()
            e = values - low
            tol = FACET_TOL * (1 + np.abs(values).max())
            outside = np.ones(len(e), bool)
            outside[inside] = False
            if np.abs(e[inside]).max() > tol or (outside.any() and e[outside].min() <= tol):
                raise CellError(f"cell {cell} is not a lower facet of lifted support {g}")
            e[inside] = 0.0
            out.append(e)
        return out

    def edges(self, cell: int) -> np.ndarray:
        """(n, n) integer matrix: per support, its cell points minus the first one."""
        return np.vstack([s[p[1:]] - s[p[0]] for s, p in zip(self.supports, self.points[cell])])

    def volumes(self) -> np.ndarray:
        return np.array([abs(round(np.linalg.det(self.edges(c)))) for c in range(len(self.points))], dtype=np.int64)


def phc_strings(system: PolySystem) -> tuple[list[str], list[str]]:
    """PHCpack's names and the equations as PHCpack strings, a constant term added where
    one is missing (its value is irrelevant: only supports matter)."""
    from algebra.exports import phc_names, polynomial_strings

    names = phc_names(system.variables)
    constant = ~system.monomials.any(axis=1)
    dense = system.coefficients.toarray()
    has = (dense[:, constant] != 0).any(axis=1) if constant.any() else np.zeros(system.n_equations, bool)
    polys = polynomial_strings(system, names, imag_unit="i")
    return names, [p + (";" if h else " + 1;") for p, h in zip(polys, has)]


def mixed_cells(system: PolySystem, seed: int, limit: int | None, timeout: float):
    """The mixed volume of the supports with the origin added, checked (``phc.MixedVolume``:
    MixedVol's, and DEMiCs' beside it), and MixedVol's mixed cells when it is at most
    ``limit`` (PHCpack 2.4.86 can overflow to a nonsense volume: the caller checks it against
    the total degree). Raises ``phc.MixedVolumeDisagreement`` where DEMiCs gave another
    number, SolverError where MixedVol did not finish within ``timeout``: DEMiCs, faster on
    some systems (katsura-10: 0.7 s, MixedVol 15 s; the canonical tree: 1-3 s, MixedVol
    0.08 s), is wrong on others (the critical system of the deep linear network (1,2,2,2):
    23,401 for MixedVol's 23,937, the published count), so it is only the check."""
    from algebra import phc

    names, polys = phc_strings(system)
    check = phc.checked_mixed_volume(polys, names, seed, task=("mixed_cells", polys, seed, names, limit, "mixedvol"),
                                     timeout=timeout)
    check.refuse_unless_agreed()
    if "cells" not in check.reply:
        return check, None
    return check, Cells.from_reply(check.reply, system.n_variables)


def assign(supports: list[np.ndarray], system: PolySystem) -> np.ndarray:
    """For each start equation's support, the target equation it stands for: one whose
    support (with the origin) contains it, all distinct. PHCpack groups and reorders the
    equations; pairing a start equation with a target equation of another support would
    leave the target's family (and void the root count).

    >>> t = PolySystem(("x", "y"), np.array([[2, 0], [1, 1], [0, 0]]), np.array([[1.0, 0, 1], [0, 1.0, 1]]))
    >>> assign([np.array([[1, 1], [0, 0]]), np.array([[2, 0]])], t).tolist()
    [1, 0]
    """
    origin = (0,) * system.n_variables
    target = [{tuple(m) for m in support} | {origin} for support in system.supports()]
    fits = [[i for i in range(len(target)) if {tuple(a) for a in support} <= target[i]] for support in supports]
    owner = [-1] * len(target)

    def place(j, seen):  # Kuhn's augmenting path
        for i in fits[j]:
            if not seen[i]:
                seen[i] = True
                if owner[i] < 0 or place(owner[i], seen):
                    owner[i] = j
                    return True
        return False

    for j in range(len(supports)):
        if not place(j, [False] * len(target)):
            raise CellError(f"start equation {j}'s support fits no free target equation")
    out = np.empty(len(supports), dtype=np.int64)
    for i, j in enumerate(owner):
        out[j] = i
    return out


def binomial(edges: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Every solution y of y^edges = b (row k: prod_j y_j^edges_kj = b_k), |det edges| of
    them, by a unimodular triangularization of the exponents and logarithms.

    >>> np.sort_complex(binomial(np.array([[2]]), np.array([4.0 + 0j]))[:, 0]).real.round(12).tolist()
    [-2.0, 2.0]
    >>> y = binomial(np.array([[1, 1], [1, -1]]), np.array([6.0 + 0j, 1.5]))  # xy = 6, x/y = 3/2
    >>> len(y), bool(np.abs(y[:, 0] * y[:, 1] - 6).max() < 1e-12), bool(np.abs(y[:, 0] / y[:, 1] - 1.5).max() < 1e-12)
    (2, True, True)
    """
    h, u = _triangular(edges)
    n = len(h)
    logs = np.array(u, dtype=float) @ np.log(np.asarray(b, dtype=complex))
    sols = np.zeros((1, n), complex)
    for i in reversed(range(n)):
        rhs = logs[i] - sols[:, i + 1:] @ np.array(h[i][i + 1:], dtype=float)
        d = abs(h[i][i])
        sols = np.repeat(sols, d, axis=0)
        turns = np.tile(np.arange(d), len(rhs))
        sols[:, i] = (np.repeat(rhs, d) + 2j * np.pi * turns) / h[i][i]
    return np.exp(sols)


def _triangular(a: np.ndarray) -> tuple[list[list[int]], list[list[int]]]:
    """(H, U): H = U a upper triangular, U unimodular (Euclid's algorithm on rows, exact)."""
    h = [[int(x) for x in row] for row in a]
    n = len(h)
    u = [[int(i == j) for j in range(n)] for i in range(n)]
    for c in range(n):
        for r in range(c + 1, n):
            while h[r][c] != 0:
                q = h[c][c] // h[r][c]
                h[c] = [x - q * y for x, y in zip(h[c], h[r])]
                u[c] = [x - q * y for x, y in zip(u[c], u[r])]
                h[c], h[r], u[c], u[r] = h[r], h[c], u[r], u[c]
        if h[c][c] == 0:
            raise CellError("a cell's edges are linearly dependent")
    return h, u


class ToricHomotopy:
    """The toric homotopies of many cells at once: G's terms, and each path's exponents
    e (``compiled.Terms``); affine unknowns, no chart (the paths stay in the torus)."""

    def __init__(self, terms, be):
        self.terms, self.be = terms, be
        self.n = terms.exponents.shape[1]
        self._rows = np.zeros((len(terms.rows), self.n))  # term t adds to row rows[t]
        self._rows[np.arange(len(terms.rows)), terms.rows] = 1.0

    @property
    def n_unknowns(self) -> int:
        return self.n

    def select(self, rows) -> "ToricHomotopy":
        from algebra.continuation.compiled import Terms

        t = self.terms
        return ToricHomotopy(Terms(t.rows, t.exponents, t.coefficients, t.weights[rows]), self.be)

    def compiled(self, paths: int):
        from algebra.continuation.compiled import TORIC, Form, Program

        none = np.zeros((0, self.n), complex)
        degrees = np.zeros(self.n, np.int64)
        np.maximum.at(degrees, self.terms.rows, self.terms.exponents.max(axis=1, initial=0))
        return Form(Program.empty(), TORIC, np.ones(paths, complex), none, none, degrees, np.zeros(self.n + 1, complex),
                    self.terms)

    def evaluate(self, z, s):
        """H (P, n), dH/dz (P, n, n) and dH/ds (P, n) by numpy (the array tracker's)."""
        t = self.terms
        mono = np.prod(z[:, None, :] ** t.exponents[None, :, :], axis=2)
        f = t.coefficients[None, :] * mono * np.exp(np.asarray(s)[:, None] * t.weights)
        h = f @ self._rows
        hs = (t.weights * f) @ self._rows
        with np.errstate(all="ignore"):
            terms = f[:, :, None] * t.exponents[None, :, :] / z[:, None, :]
        hz = np.einsum("ti,ptk->pik", self._rows, terms)
        return h, hz, hs


def random_system(cells: Cells, system: PolySystem, seed: int):
    """G (in the target's equation order) with random unit coefficients on the groups'
    supports, and its terms: row, group and point index of each."""
    rng = np.random.default_rng([seed, 17])
    groups = [g for g, k in enumerate(cells.mixture) for _ in range(k)]
    slot_row = assign([cells.supports[g] for g in groups], system)
    group_of_row = np.empty(system.n_equations, np.int64)
    group_of_row[slot_row] = groups
    rows, points, exps = [], [], []
    for i in range(system.n_equations):
        support = cells.supports[group_of_row[i]]
        rows.append(np.full(len(support), i))
        points.append(np.arange(len(support)))
        exps.append(support)
    rows, points, exps = np.concatenate(rows), np.concatenate(points), np.vstack(exps)
    coefs = np.exp(2j * np.pi * rng.random(len(rows)))
    return rows, points, exps, coefs, group_of_row


def start_paths(cells: Cells, rows, points, coefs, group_of_row) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every cell's start points (k, n), the weights e of G's terms on each path (k, T) and
    each path's start s0 (k,)."""
    starts, weights, s0 = [], [], []
    for c in range(len(cells.points)):
        e = cells.exponents(c)
        w = np.concatenate([e[g] for g in group_of_row])  # G's terms: row by row, each its group's support
        edges, b = [], []
        for g, inside in enumerate(cells.points[c]):
            eqs = np.flatnonzero(group_of_row == g)
            m = np.array([[coefs[(rows == i) & (points == q)][0] for q in inside] for i in eqs])
            try:
                u = np.linalg.solve(m[:, 1:], -m[:, 0])
            except np.linalg.LinAlgError:
                raise CellError(f"cell {c}: its coefficients are singular") from None
            edges.append(cells.supports[g][inside[1:]] - cells.supports[g][inside[0]])
            b.append(u)
        y = binomial(np.vstack(edges), np.concatenate(b))
        starts.append(y)
        weights.append(np.broadcast_to(w, (len(y), len(w))))
        positive = w[w > 0]
        s0.append(np.full(len(y), np.log(START_TERMS) / positive.min() if len(positive) else -1.0))
    return np.vstack(starts), np.vstack(weights), np.concatenate(s0)


def solve_random_system(cells: Cells, system: PolySystem, seed: int, options=None):
    """G (a PolySystem, the target's variables and equation order) and its mixed volume
    many solutions (mv, n), tracked from the cells; raises CellError when a check fails."""
    from algebra.continuation.backend import backend
    from algebra.continuation.compiled import Terms
    from algebra.continuation.result import groups
    from algebra.continuation.tracker import DONE, TrackerOptions, track

    options = options or TrackerOptions()
    volume = int(cells.volumes().sum())
    if volume != cells.mixed_volume:
        raise CellError(f"the cells' volumes add up to {volume}, not the mixed volume {cells.mixed_volume}")
    rows, points, exps, coefs, group_of_row = random_system(cells, system, seed)
    starts, weights, s0 = start_paths(cells, rows, points, coefs, group_of_row)
    hom = ToricHomotopy(Terms(rows, exps, coefs, weights), backend())
    ends = track(hom, starts, s0.astype(complex), 0j, options)
    bad = np.flatnonzero(ends.status != DONE)
    z = np.asarray(ends.z)
    if len(bad):
        again = track(hom.select(bad), starts[bad], s0[bad].astype(complex), 0j, options.stricter())
        z[bad] = again.z
        bad = bad[again.status != DONE]
    if len(bad):
        raise CellError(f"{len(bad)} of {len(z)} paths of the polyhedral homotopy failed")
    same = [g for g in groups(z, 1e-8) if len(g) > 1]
    if same:
        raise CellError(f"{sum(map(len, same))} of {len(z)} polyhedral paths reached the same solutions")
    g = PolySystem(system.variables, exps, sparse.csr_array((coefs, (rows, np.arange(len(rows)))),
                                                             shape=(system.n_equations, len(rows))), "start")
    return _combined(g), z


def _combined(g: PolySystem) -> PolySystem:
    """G with one column per distinct monomial."""
    from algebra.polys import combine

    mons, coef = combine(g.monomials, g.coefficients)
    return PolySystem(g.variables, mons, coef, "start")

