"""Batched values and Jacobians of a stack of sparse polynomials.

A stack of R polynomials in m unknowns is an exponent matrix (T x m) and a coefficient
matrix (R x T). Its values at P points are (monomial values, P x T) times the
coefficients; its Jacobian uses the derived monomials m - e_k, which are added to one
union basis once, so that one pass of monomial values serves both. Both products are
sparse: the cost is P times the number of terms, not P times R times T.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse

from algebra.continuation.backend import Backend
from algebra.polys import PolySystem, unique_rows

_TABLE_DEGREE = 64  # powers up to this degree come from one running product per unknown
_CHAIN_DEGREE = 64  # total degrees up to this: every monomial as its parent times one unknown


def product_chain(basis: np.ndarray) -> tuple[np.ndarray, list] | None:
    """Monomials added to ``basis`` so that each one of total degree d > 0 is a monomial of
    degree d - 1 times one unknown, and the steps by degree: [(targets, parents, unknowns)].
    One product per monomial: P x U work, not P x U x m. None when the total degree is
    above _CHAIN_DEGREE or the exponents do not pack into int64 keys.

    >>> extra, steps = product_chain(np.array([[2, 1], [0, 0]]))
    >>> extra.tolist(), [(t.tolist(), p.tolist(), k.tolist()) for t, p, k in steps]
    ([[1, 1], [0, 1]], [([3], [1], [1]), ([2], [3], [0]), ([0], [2], [0])])
    """
    u, m = basis.shape
    if u == 0 or m == 0 or int(basis.sum(axis=1).max()) > _CHAIN_DEGREE or basis.min() < 0:
        return None
    radix = basis.max(axis=0).astype(object) + 1
    weights = [1] * m
    for k in range(m - 2, -1, -1):
        weights[k] = weights[k + 1] * int(radix[k + 1])
    if weights[0] * int(radix[0]) >= 2 ** 62:
        return None
    weight = np.array(weights, dtype=np.int64)
    rows = [basis]
    keys = basis @ weight
    parent = np.full(u, -1)
    unknown = np.full(u, -1)
    todo = np.flatnonzero(basis.any(axis=1))
    while len(todo):
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        all_rows = np.vstack(rows)
        left = todo
        for k in range(m):  # the first unknown whose parent is present
            sel = left[all_rows[left, k] > 0]
            if not len(sel):
                continue
            pk = keys[sel] - weight[k]
            pos = np.clip(np.searchsorted(sorted_keys, pk), 0, len(sorted_keys) - 1)
            hit = sorted_keys[pos] == pk
            parent[sel[hit]], unknown[sel[hit]] = order[pos[hit]], k
            left = left[parent[left] < 0]
        if not len(left):
            break
        # no parent present: the first unknown's parent of each is added, and its own parent sought next
        first = np.argmax(all_rows[left] > 0, axis=1)
        new_rows, _ = unique_rows(all_rows[left] - np.eye(m, dtype=np.int64)[first])
        start = len(keys)
        rows.append(new_rows)
        keys = np.concatenate([keys, new_rows @ weight])
        parent = np.concatenate([parent, np.full(len(new_rows), -1)])
        unknown = np.concatenate([unknown, np.full(len(new_rows), -1)])
        todo = np.concatenate([left, start + np.flatnonzero(new_rows.any(axis=1))])
    all_rows = np.vstack(rows)
    degree = all_rows.sum(axis=1)
    steps = []
    for d in range(1, int(degree.max()) + 1):
        t = np.flatnonzero(degree == d)
        if len(t):
            steps.append((t, parent[t], unknown[t]))
    return all_rows[u:], steps


class MonomialEvaluator:
    """Values (P, R) and Jacobians (P, R, m) of R polynomials at P points (P, m).

    >>> from algebra.continuation.backend import backend
    >>> ev = MonomialEvaluator(np.array([[2, 0], [1, 1], [0, 0]]),
    ...                        sparse.csr_array(np.array([[1.0, 3.0, -1.0]])), backend())
    >>> v, j = ev.evaluate(np.array([[2.0 + 0j, 1.0]]))
    >>> v.real.tolist(), j.real.tolist()
    ([[9.0]], [[[7.0, 6.0]]])
    """

    def __init__(self, monomials: np.ndarray, coefficients: sparse.csr_array, be: Backend):
        monomials = np.asarray(monomials, dtype=np.int64)
        t, m = monomials.shape
        r = coefficients.shape[0]
        self.n_rows, self.n_unknowns, self.be = r, m, be
        coo = sparse.coo_array(coefficients)
        derived, rows, cols, vals = [monomials], [coo.row], [coo.col], [coo.data.astype(complex)]
        jrows, jcols, jvals = [], [], []
        offset = t
        for k in range(m):
            e = monomials[:, k]
            has = e > 0
            d = monomials[has].copy()
            d[:, k] -= 1
            derived.append(d)
            # column j of the derived block is monomial t = flatnonzero(has)[j], times e_tk
            new_index = np.full(t, -1)
            new_index[has] = offset + np.arange(int(has.sum()))
            keep = has[coo.col]
            jrows.append(k * r + coo.row[keep])
            jcols.append(new_index[coo.col[keep]])
            jvals.append(coo.data[keep] * e[coo.col[keep]])
            offset += int(has.sum())
        basis, inverse = unique_rows(np.vstack(derived))
        chain = product_chain(basis)
        self._chain = None
        if chain is not None:
            extra, steps = chain
            basis = np.vstack([basis, extra])  # the extra products come last: inverse stays valid
            self._chain = [tuple(be.index(a) for a in step) for step in steps]
            self._ones = be.index(np.flatnonzero(~basis.any(axis=1)))
        u = basis.shape[0]
        self.values = sparse.csr_array((np.concatenate(vals), (np.concatenate(rows), inverse[np.concatenate(cols)])),
                                       shape=(r, u), dtype=complex)
        jr = np.concatenate(jrows) if jrows else np.zeros(0, np.int64)
        jc = inverse[np.concatenate(jcols)] if jcols else np.zeros(0, np.int64)
        jv = np.concatenate(jvals).astype(complex) if jvals else np.zeros(0, complex)
        self.jacobian = sparse.csr_array((jv, (jr, jc)), shape=(m * r, u), dtype=complex)
        self.values.sum_duplicates()
        self.jacobian.sum_duplicates()
        self.basis = basis
        self.top = int(basis.max(initial=0))
        self._nnz = int(np.count_nonzero(basis))
        if self._chain is not None:
            return  # the gather and loop plans below serve only a basis without a chain
        if self.top <= _TABLE_DEGREE:
            # the gather plan: z_k^e sits at column k (top + 1) + e of one table of powers
            self._flat = be.index((np.arange(m)[None, :] * (self.top + 1) + basis).ravel())
        self._plan = [(k, be.index(np.flatnonzero(basis[:, k])), basis[basis[:, k] > 0, k])
                      for k in range(m) if basis[:, k].any()]
        self._tables = [be.index(e) for _, _, e in self._plan]

    def _gather(self, p: int) -> bool:
        """One gather over every (monomial, unknown) pair, or one unknown at a time? The
        gather has the least overhead (few paths); the loop touches only the exponents
        that are not 0 (many paths on a sparse basis: katsura-10's 1,024 paths, 4x faster)."""
        u, m = self.basis.shape
        return self.top <= _TABLE_DEGREE and p * (u * m - 3 * self._nnz) <= 20_000 * m

    def monomial_values(self, z):
        """(P, U) values of the union basis at the points z (P, m)."""
        be, xp = self.be, self.be.xp
        p, m = z.shape
        u = self.basis.shape[0]
        if self._chain is not None:
            # built as (U, P), each product a gather of whole rows; returned as its (P, U)
            # view, whose transpose the sparse products read without a copy
            out = xp.empty((u, p), dtype=z.dtype, **({} if be.name == "numpy" else {"device": be.device}))
            zt = be.transposed(z)
            out[self._ones] = 1
            for targets, parents, unknowns in self._chain:
                out[targets] = out[parents] * zt[unknowns]
            return out.T
        if self._gather(p):
            powers = [xp.ones_like(z)]
            for _ in range(self.top):
                powers.append(powers[-1] * z)
            table = xp.reshape(xp.stack(powers, axis=2), (p, m * (self.top + 1)))
            return xp.prod(xp.reshape(table[:, self._flat], (p, u, m)), axis=2)
        out = xp.ones((p, u), dtype=z.dtype, **({} if be.name == "numpy" else {"device": be.device}))
        for (k, cols, exps), idx in zip(self._plan, self._tables):
            zk = z[:, k:k + 1]
            top = int(exps.max())
            if top <= _TABLE_DEGREE:
                powers = [xp.ones_like(zk), zk]
                for _ in range(top - 1):
                    powers.append(powers[-1] * zk)
                out[:, cols] *= xp.concat(powers, axis=1)[:, idx]
            else:
                out[:, cols] *= zk ** be.asarray(exps, z.dtype)[None, :]
        return out

    def evaluate(self, z):
        """Values (P, R) and Jacobian (P, R, m) at the points z (P, m)."""
        mono = self.monomial_values(z)
        vals = self.be.matmul_sparse(mono, self.values)
        jac = self.be.matmul_sparse(mono, self.jacobian)
        p = z.shape[0]
        jac = self.be.xp.permute_dims(self.be.xp.reshape(jac, (p, self.n_unknowns, self.n_rows)), (0, 2, 1))
        return vals, jac


def homogenize(system: PolySystem, degrees: list[int] | None = None) -> tuple[np.ndarray, sparse.csr_array]:
    """Exponents and coefficients of the system homogenized by a new first unknown h0.

    Each equation is made homogeneous of its own degree (or the given one), so solutions
    at infinity are the points with h0 = 0.

    >>> s = PolySystem(("x",), np.array([[2], [0]]), np.array([[1.0, -4.0]]))
    >>> m, c = homogenize(s)
    >>> m.tolist(), c.toarray().real.tolist()
    ([[0, 2], [2, 0]], [[1.0, -4.0]])
    """
    deg = np.asarray(system.degrees if degrees is None else degrees)
    coo = sparse.coo_array(system.coefficients)
    mons = system.monomials[coo.col]
    h = deg[coo.row] - mons.sum(axis=1)
    full = np.hstack([h[:, None], mons])
    basis, inverse = unique_rows(full)
    coef = sparse.csr_array((coo.data.astype(complex), (coo.row, inverse)),
                            shape=(system.n_equations, basis.shape[0]))
    coef.sum_duplicates()
    return basis, coef


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
        h0 = z[:, :1]
        x = z[:, 1:] / h0
        vals, jac = self.affine.evaluate(x)
        return homogenized(self.be.xp, h0, x, vals - self._offset, jac, self._deg)


def homogenized(xp, h0, x, vals, jac, degrees):
    """Values (P, R) and Jacobian (P, R, n + 1) of h0^d F(w / h0) from F's values and
    Jacobian at the affine points x = w / h0 (the formulas above)."""
    d = degrees[None, :]
    up = h0 ** (d - 1)                                               # (P, R)
    dh0 = up * (d * vals - xp.sum(jac * x[:, None, :], axis=2))
    return up * h0 * vals, xp.concat([dh0[..., None], up[..., None] * jac], axis=2)
