"""Start systems and their solutions.

- total degree: x_k^d_k = 1, whose prod d_k solutions are tuples of roots of unity,
  generated in chunks so that millions of paths never sit in memory at once;
- polyhedral: a random-coefficient system with the target's supports, each with the
  origin added (a constant term in every equation), solved from PHCpack's mixed cells
  (MixedVol's, its count checked by DEMiCs) by our toric homotopies
  (``continuation.polyhedral``), or by PHCpack's own solver where a check of ours fails;
  its mixed volume (the BKK bound for C^n) many solutions are
  then tracked to the target. With the origin in every support the mixed volume bounds all
  isolated solutions in C^n, zero coordinates included (Li and Wang, 1996), and the
  random-coefficient system is a generic member of a family that contains the target,
  so every isolated solution is the end of some path (Morgan and Sommese, 1989);
- multihomogeneous: a linear-product start system for a partition of the unknowns;
- parameter: a solved member of the target's family (other data, other slices: the same
  supports), Li, Sauer and Yorke's cheater's homotopy; one generic member solved once
  starts every other member with as many paths as it has solutions.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from algebra.continuation.homotopy import total_degree_system
from algebra.errors import SpecError
from algebra.polys import PolySystem


@dataclass
class StartSystem:
    """A start system, how many solutions it has, and a way to produce them in chunks."""

    kind: str
    system: PolySystem
    count: int
    solutions: np.ndarray | None = None   # all of them, when they came from elsewhere
    mixed_volume: int | None = None       # origin added (the BKK bound); a parameter start: its proved bound
    how: str = ""                         # how its solutions were found, when that took a solver
    mixed_volume_check: dict | None = None  # phc.MixedVolume.as_dict(): MixedVol's against DEMiCs'

    def chunks(self, size: int):
        """Index arrays of consecutive chunks of at most ``size`` start solutions."""
        for first in range(0, self.count, size):
            yield np.arange(first, min(self.count, first + size), dtype=np.int64)

    def at(self, index: np.ndarray) -> np.ndarray:
        """The start solutions with these indices, affine (k, n)."""
        if self.solutions is not None:
            return self.solutions[index]
        return roots_of_unity(self.system.degrees, index)


@dataclass(frozen=True)
class Member:
    """A solved member of a family, to start the family's other members from (Li, Sauer and
    Yorke's cheater's homotopy): its system, its regular solutions (k, n), and ``bound``,
    the number of isolated solutions in C^n that every system with its supports (or
    smaller ones) can have, when that was proved (a polyhedral or total-degree root count
    it attained), else None."""

    system: PolySystem
    solutions: np.ndarray
    bound: int | None = None


def proved_bound(start: dict, verification: dict) -> int | None:
    """What a solve's count proves about its family, from its ``start`` and ``verification``
    records: its paths when they attained the start system's root count (a bound on the
    isolated solutions of every system with its supports or smaller ones), else None.

    A polyhedral count bounds only where MixedVol's mixed volume was checked by DEMiCs.

    >>> proved_bound({"kind": "polyhedral", "paths": 72, "mixed_volume_check": {"agreed": True}},
    ...              {"method": "root-count-attained"})
    72
    >>> proved_bound({"kind": "polyhedral", "paths": 72, "mixed_volume_check": {"agreed": False}},
    ...              {"method": "root-count-attained"}) is None
    True
    >>> proved_bound({"kind": "total-degree", "paths": 81}, {"method": "independent-runs"}) is None
    True
    """
    if verification.get("method") != "root-count-attained":
        return None
    if start.get("kind") == "polyhedral" and not (start.get("mixed_volume_check") or {}).get("agreed"):
        return None   # a mixed volume from MixedVol alone bounds nothing
    return start.get("paths")


def from_member(member: Member, target: PolySystem) -> StartSystem:
    """The member as the start system of ``target``: the gamma-trick homotopy from a member
    with the family's generic number of regular solutions reaches every isolated solution
    of a target whose supports lie in the member's. Refuses other variables, equation counts
    or supports, and solutions that are not the member's.

    >>> g = PolySystem(("x",), np.array([[2], [1], [0]]), np.array([[1.0, 0.5, -2.0]]))
    >>> st = from_member(Member(g, np.roots([1.0, 0.5, -2.0])[:, None], 2),
    ...                  PolySystem(("x",), np.array([[2], [0]]), np.array([[1.0, -4.0]])))
    >>> st.kind, st.count
    ('parameter', 2)
    """
    from algebra.continuation.result import relative_residual

    g = member.system
    if g.variables != target.variables:
        raise SpecError(f"the start member's unknowns {', '.join(g.variables[:4])}... are not the system's "
                        f"{', '.join(target.variables[:4])}...: a member of another family")
    if g.n_equations != target.n_equations:
        raise SpecError(f"the start member has {g.n_equations} equations, the system {target.n_equations}")
    for i, (theirs, ours) in enumerate(zip(target.supports(), g.supports())):
        extra = set(map(tuple, theirs)) - set(map(tuple, ours))
        if extra:
            raise SpecError(f"equation {i + 1} of the system has {len(extra)} monomials the start member's lacks: "
                            "its supports must lie in the member's")
    sols = np.asarray(member.solutions, dtype=complex).reshape(-1, g.n_variables)
    if not len(sols) or not np.all(np.isfinite(sols)):
        raise SpecError("the start member has no finite solutions to start from")
    worst = max(relative_residual(g, x) for x in sols)
    if worst > 1e-8:
        raise SpecError(f"the start member's solutions do not solve it (relative residual {worst:.1e})")
    return StartSystem("parameter", g, len(sols), sols, member.bound)


def roots_of_unity(degrees: list[int], index: np.ndarray) -> np.ndarray:
    """Solutions number ``index`` of x_k^d_k = 1 in mixed-radix order (the last unknown fastest).

    >>> roots_of_unity([2, 2], np.arange(4)).real.round(6).tolist()
    [[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]]
    """
    index = np.array(index, dtype=np.int64)
    out = np.empty((len(index), len(degrees)), dtype=complex)
    for k in range(len(degrees) - 1, -1, -1):
        d = degrees[k]
        out[:, k] = np.exp(2j * np.pi * (index % d) / d)
        index //= d
    return out


def total_degree(system: PolySystem) -> StartSystem:
    """x_k^d_k - 1 = 0 with prod d_k solutions."""
    return StartSystem("total-degree", total_degree_system(system), math.prod(system.degrees))


def polyhedral(system: PolySystem, seed: int, limit: int | None = None,
               timeout: float = 3600) -> tuple["MixedVolume", StartSystem | None]:
    """The mixed volume of the target's supports with the origin added to each (checked:
    ``phc.MixedVolume``; a disagreement of MixedVol and DEMiCs raises
    ``phc.MixedVolumeDisagreement``), and, when it is at most ``limit``, a random-coefficient
    start system with those supports and its mixed volume many solutions, in the target's
    variable and equation order: PHCpack's mixed cells tracked by our toric homotopies, or
    PHCpack's own solver where one of their checks fails (``how`` says which). ``timeout``
    bounds the mixed cells' computation."""
    from algebra.continuation import polyhedral as toric

    check, cells = toric.mixed_cells(system, seed, limit, timeout)
    if cells is None:
        return check, None
    mv, record = check.value, check.as_dict()
    try:
        g, sols = toric.solve_random_system(cells, system, seed)
        k = len(cells.points)
        return check, StartSystem("polyhedral", g, len(sols), sols, mv, mixed_volume_check=record,
                                  how=f"solved by our polyhedral homotopy from {k:,} mixed cell{'s' * (k != 1)}")
    except toric.CellError as e:
        st = phcpack_polyhedral(system, seed, timeout)
        st.how = f"solved by PHCpack's polyhedral homotopy (ours failed: {e})"
        st.mixed_volume, st.mixed_volume_check = mv, record
        return check, st


def phcpack_polyhedral(system: PolySystem, seed: int, timeout: float = 3600) -> StartSystem:
    """PHCpack's random-coefficient start system and its solutions (one PHCpack call), its
    equations matched to the target's by support (PHCpack groups equal supports first)."""
    from algebra import phc
    from algebra.continuation.polyhedral import CellError, assign, phc_strings
    from algebra.phc import SolverError
    from algebra.phcfile import parse_phc

    names, target = phc_strings(system)
    st = phc.run("start_system", target, "polyhedral", seed, names, True, None, timeout=timeout)
    mv = int(st["mixed_volume"])
    start = parse_phc(f"{len(st['start'])} {len(names)}\n" + "\n".join(st["start"]), "PHCpack's start system")
    order = [start.variables.index(n) for n in names]
    start = PolySystem(system.variables, start.monomials[:, order], start.coefficients, "start")
    try:
        rows = np.argsort(assign(start.supports(), system))
    except CellError as e:
        raise SolverError(f"PHCpack's polyhedral start system does not fit the target's supports: {e}") from None
    start = PolySystem(start.variables, start.monomials, start.coefficients[rows], "start")
    sols = np.array([[complex(*c) for c in s["x"]] for s in st["coordinates"]], dtype=complex)
    return StartSystem("polyhedral", start, len(sols), sols.reshape(len(sols), system.n_variables), mv)


def multihomogeneous(system: PolySystem, groups: list[list[int]], seed: int,
                     max_paths: int | None = None) -> StartSystem:
    """A linear-product start system for the variable partition ``groups`` (indices).

    Equation i is replaced by the product over groups j of d_ij random affine linear forms
    in group j's unknowns (d_ij: its degree in that group). A start solution picks, for
    every equation, one group and one of its forms, each group exactly as often as it has
    unknowns, and solves the resulting linear systems: the m-homogeneous Bezout number many
    solutions, which bounds the isolated solutions of every system with that multidegree
    structure (Morgan and Sommese, 1987).

    >>> st = multihomogeneous(PolySystem(("x", "y"), np.array([[1, 1], [0, 0]]),
    ...                                  np.array([[1.0, -1.0], [1.0, -2.0]])), [[0], [1]], 0)
    >>> st.count, bool(np.abs(st.system.evaluate(st.solutions)).max() < 1e-12)
    (2, True)
    """
    from algebra.bounds import multihomogeneous_bezout

    n = system.n_variables
    degrees = system.multidegrees(groups)
    sizes = [len(g) for g in groups]
    count = multihomogeneous_bezout(degrees, sizes)
    if max_paths is not None:
        refuse_paths(count, "multihomogeneous", max_paths)
    rng = np.random.default_rng([seed, 17])
    # forms[i][j]: (d_ij, |G_j| + 1) coefficients a . x_Gj + b, complex Gaussian
    forms = [[(rng.standard_normal((degrees[i, j], sizes[j] + 1))
               + 1j * rng.standard_normal((degrees[i, j], sizes[j] + 1))) / np.sqrt(2)
              for j in range(len(groups))] for i in range(n)]
    solutions = []
    for choice in _assignments(degrees, sizes):
        for picks in itertools.product(*[range(degrees[i, j]) for i, j in enumerate(choice)]):
            x = np.zeros(n, dtype=complex)
            for j, g in enumerate(groups):
                rows = [forms[i][j][k] for i, (jj, k) in enumerate(zip(choice, picks)) if jj == j]
                a = np.array(rows)
                x[g] = np.linalg.solve(a[:, :-1], -a[:, -1])
            solutions.append(x)
    sols = np.array(solutions, dtype=complex).reshape(len(solutions), n)
    if len(sols) != count:
        raise RuntimeError(f"{len(sols)} linear-product start solutions for a Bezout number of {count}")
    return StartSystem("multihomogeneous", _product_system(system.variables, groups, forms), count, sols)


def _assignments(degrees: np.ndarray, sizes: list[int]):
    """Every map equation -> group with d_ij > 0 that uses group j exactly sizes[j] times."""
    n, m = degrees.shape
    left = list(sizes)
    choice = [0] * n

    def walk(i):
        if i == n:
            yield tuple(choice)
            return
        for j in range(m):
            if left[j] and degrees[i, j]:
                left[j] -= 1
                choice[i] = j
                yield from walk(i + 1)
                left[j] += 1

    yield from walk(0)


def _product_system(variables, groups, forms) -> PolySystem:
    """The products of the linear forms, expanded once (dicts of exponent -> coefficient:
    the products have at most a few thousand terms)."""
    from algebra.polys import combine

    n = len(variables)
    mons, rows, vals = [], [], []
    for i, per_group in enumerate(forms):
        poly = {(0,) * n: 1.0 + 0j}
        for j, g in enumerate(groups):
            for form in per_group[j]:
                terms = {tuple(np.eye(n, dtype=np.int64)[k]): form[c] for c, k in enumerate(g)}
                terms[(0,) * n] = form[-1]
                out = {}
                for e1, c1 in poly.items():
                    for e2, c2 in terms.items():
                        e = tuple(a + b for a, b in zip(e1, e2))
                        out[e] = out.get(e, 0) + c1 * c2
                poly = out
        for e, c in poly.items():
            rows.append(i)
            mons.append(e)
            vals.append(c)
    from scipy import sparse

    coef = sparse.csr_array((np.array(vals), (rows, np.arange(len(vals)))), shape=(n, len(vals)))
    mon, coef = combine(np.array(mons, dtype=np.int64).reshape(len(mons), n), coef)
    return PolySystem(tuple(variables), mon, coef, "start")


def check_mixed_volume(mv: int, total_degree: int) -> None:
    """The BKK bound never exceeds the Bezout number nor falls below 0: PHCpack 2.4.86's
    mixed volume overflows to negative numbers on large coefficients or degrees."""
    from algebra.phc import SolverError

    if not 0 <= mv <= total_degree:
        raise SolverError(f"PHCpack's mixed volume {mv} is not credible (the total degree is "
                          f"{total_degree:,}): refusing to count from it; use start='total-degree'")


def refuse_paths(count: int, kind: str, max_paths: int) -> None:
    """Refuse a start system with more than ``max_paths`` paths, saying how many."""
    if count > max_paths:
        raise SpecError(f"the {kind} start system has {count:,} paths, more than the limit of "
                        f"{max_paths:,}: raise --max-paths if you mean it, or slice/fix to a smaller system")
