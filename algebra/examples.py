"""Standard test systems with known solution counts, for tests and benchmarks.

(phcpy.families.katsura is not the standard katsura system, hence these.)
"""
from __future__ import annotations

import numpy as np

from algebra.polys import PolySystem, combine


def _system(names: list[str], equations: list[list[tuple[float, list[int]]]], kind: str) -> PolySystem:
    """Equations given as lists of (coefficient, exponent vector)."""
    mons, rows, cols, vals = [], [], [], []
    for i, terms in enumerate(equations):
        for c, e in terms:
            rows.append(i)
            cols.append(len(mons))
            vals.append(c)
            mons.append(e)
    coef = np.zeros((len(equations), len(mons)))
    coef[rows, cols] = vals
    mon, coef = combine(np.array(mons, dtype=np.int64), coef)
    return PolySystem(tuple(names), mon, coef, kind)


def katsura(n: int) -> PolySystem:
    """Katsura-n: n + 1 unknowns u0..un, 2^n isolated solutions.

    u0 + 2 (u1 + ... + un) = 1 and, for m = 0..n-1, sum_{l=-n..n} u_|l| u_|m-l| = u_m.

    >>> s = katsura(2)
    >>> s.n_variables, s.degrees
    (3, [1, 2, 2])
    """
    if n < 1:
        raise ValueError("katsura-n needs n >= 1")
    w = n + 1

    def unit(*idx):
        e = [0] * w
        for k in idx:
            e[k] += 1
        return e

    eqs = [[(1.0, unit(0))] + [(2.0, unit(k)) for k in range(1, w)] + [(-1.0, unit())]]
    for m in range(n):
        terms = [(1.0, unit(abs(l), abs(m - l))) for l in range(-n, n + 1) if abs(m - l) <= n]
        eqs.append(terms + [(-1.0, unit(m))])
    return _system([f"u{k}" for k in range(w)], eqs, "katsura")


def cyclic(n: int) -> PolySystem:
    """Cyclic-n roots: n unknowns; cyclic-5 has 70 isolated solutions, cyclic-7 has 924.

    >>> cyclic(3).degrees
    [1, 2, 3]
    """
    if n < 2:
        raise ValueError("cyclic-n needs n >= 2")
    eqs = []
    for k in range(1, n):
        terms = []
        for i in range(n):
            e = [0] * n
            for j in range(k):
                e[(i + j) % n] += 1
            terms.append((1.0, e))
        eqs.append(terms)
    eqs.append([(1.0, [1] * n), (-1.0, [0] * n)])
    return _system([f"x{k}" for k in range(n)], eqs, "cyclic")


def twisted_cubic() -> PolySystem:
    """x^2 - y = 0, x^3 - z = 0: a curve of dimension 1 and degree 3 in C^3.

    >>> twisted_cubic().degrees
    [2, 3]
    """
    return _system(["x", "y", "z"], [[(1.0, [2, 0, 0]), (-1.0, [0, 1, 0])],
                                     [(1.0, [3, 0, 0]), (-1.0, [0, 0, 1])]], "twisted-cubic")
