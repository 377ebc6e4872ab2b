"""Rigorous certification of approximate solutions: Krawczyk's test in ball arithmetic.

Homotopy continuation returns floating-point approximations. ``certify`` proves, with
python-flint's complex balls (``acb``), that a box around each of them contains exactly one
solution of the system *as stored* (the float64 coefficients are exact binary numbers and are
used as exact ball midpoints), that this solution is regular, whether it is real, and which
certified points are the same solution.

Method, per point and per working precision p (106 bits first, doubled on failure up to
``max_precision``):

1. Newton's method in precision p refines the point (floating-point steps on ball midpoints).
   A point that Newton moves farther than ``max_move * (1 + |x|)`` is refused: certification
   is about *this* approximation, not a solution somewhere else.
2. Box X = x~ + [-r, r] + i [-r, r] in every coordinate, r from the Newton step size
   (r = max(1e3 |Y F(x~)|, 1e-12 (1 + |x~|))), shrunk or grown a few times on failure.
3. Y = a floating-point inverse of the Jacobian at x~, used as an exact matrix.
4. K(X) = x~ - Y F(x~) + (I - Y J(X)) (X - x~), with F(x~) evaluated in ball arithmetic at
   the exact point and J(X) over the whole box. If K(X) lies in the interior of X, then X
   holds exactly one solution z, z lies in K(X), and the Jacobian is nonsingular on X
   (Krawczyk; Rump, "Verification methods", Acta Numerica 2010, Thm 13.1; the complex case
   is the real one on R^(2n): holomorphic F has the mean-value form
   F(z) - F(x~) = (integral of J on the segment)(z - x~) with the integral in the convex
   box J(X)).

Realness (real coefficients only): if the refined point is real up to far less than r, the
test is run on a box with a real center and imaginary radius r. Such a box is closed under
conjugation, so conj(z) -- also a solution -- lies in it, and uniqueness gives conj(z) = z:
z is proved real. A certified enclosure K(X) with some coordinate whose imaginary part
excludes 0 proves z non-real. Otherwise ``real`` is None (undecided).

Distinctness: certified enclosures that are disjoint hold different solutions. A pair whose
enclosure lies inside the other's uniqueness box X holds the same solution (a duplicate).
Overlapping pairs of neither kind are undecided and are counted as one: ``distinct`` is a
proved lower bound on the number of distinct solutions among the points.

>>> import numpy as np
>>> from algebra.polys import PolySystem
>>> s = PolySystem(("x",), np.array([[2], [0]]), np.array([[1.0, -4.0]]))   # x^2 - 4
>>> res = certify(s, np.array([[2.0 + 1e-9j], [-2.0], [2.0], [2.3]]))
>>> [(c.certified, c.real) for c in res.certificates]
[(True, True), (True, True), (True, True), (False, None)]
>>> res.ncertified, res.distinct, res.duplicates, res.nreal_certified
(3, 2, [(0, 2)], 2)
>>> res.certificates[3].reason
'Newton moved the point by 0.28 (more than max_move allows)'
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from algebra.errors import SpecError
from algebra.continuation.evaluate import product_chain
from algebra.polys import PolySystem, unique_rows

#: Working precisions start here (bits) and double on failure.
START_PRECISION = 106
#: Above this many dense coefficient entries (equations x monomials) the evaluator works on
#: the nonzero terms one by one instead of through one ball-matrix product.
DENSE_LIMIT = 200_000
#: Box radii never go below this, relative to 1 + |x|: the float64 midpoint then lies in it.
RADIUS_FLOOR = 1e-12
#: Box radius attempts per precision.
RADIUS_TRIES = 6
#: What one extra ball-matrix product costs, in ball multiply-adds (Python-side overhead).
SPLIT_OVERHEAD = 100


@dataclass
class Certificate:
    """What was proved about one approximate solution.

    When ``certified``, the box of half-width ``radius`` (in the real and in the imaginary
    part of every coordinate) around the exact refined center holds exactly one solution and
    it is regular; ``midpoint`` is that center rounded to complex128, and every coordinate of
    the solution is within ``error`` of it (real and imaginary parts separately).
    """

    certified: bool
    real: bool | None
    midpoint: np.ndarray
    radius: float
    precision: int
    reason: str
    error: float = math.inf
    box: list | None = field(default=None, repr=False, compare=False)        # acb: uniqueness box X
    enclosure: list | None = field(default=None, repr=False, compare=False)  # acb: K(X), holds z

    def as_dict(self) -> dict:
        return {"certified": self.certified, "real": self.real,
                "midpoint": [[float(z.real), float(z.imag)] for z in self.midpoint],
                "radius": _finite(self.radius), "error": _finite(self.error), "precision": self.precision,
                "reason": self.reason}


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


@dataclass
class CertificationResult:
    """Certificates in input order, and which certified points are proved the same/different.

    ``classes[i]`` labels the solution of point i (-1 when not certified): points in
    different classes hold different solutions. ``duplicates`` are pairs proved to hold the
    same solution; ``undecided`` pairs overlap without proof either way (put in one class).
    """

    certificates: list[Certificate]
    distinct: int
    duplicates: list[tuple[int, int]]
    undecided: list[tuple[int, int]] = field(default_factory=list)
    classes: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ncertified(self) -> int:
        """Points with a proved unique regular solution nearby (duplicates included)."""
        return sum(c.certified for c in self.certificates)

    @property
    def nreal_certified(self) -> int:
        """Distinct solutions proved real (classes with a member proved real)."""
        return len({self.classes[i] for i, c in enumerate(self.certificates) if c.certified and c.real})

    @property
    def nnonreal_certified(self) -> int:
        """Distinct solutions proved non-real (classes all of whose members are proved non-real)."""
        by_class: dict[int, list[bool | None]] = {}
        for i, c in enumerate(self.certificates):
            if c.certified:
                by_class.setdefault(self.classes[i], []).append(c.real)
        return sum(all(r is False for r in v) for v in by_class.values())

    def as_dict(self, with_certificates: bool = True) -> dict:
        out = {"points": len(self.certificates), "certified": self.ncertified,
               "distinct": self.distinct, "real": self.nreal_certified,
               "nonreal": self.nnonreal_certified, "duplicates": [list(p) for p in self.duplicates],
               "undecided": [list(p) for p in self.undecided], "seconds": round(self.seconds, 3)}
        if with_certificates:
            out["certificates"] = [c.as_dict() for c in self.certificates]
        return out


# ----------------------------------------------------------------------------------------
# evaluation of F and J in ball arithmetic


class BallEvaluator:
    """F and J of a square system at a vector of acb balls.

    With T monomials m_t and coefficient matrix C (E x T): F = C v, v_t = x^m_t, and
    J = C W with W[t, k] = m_tk x^(m_t - e_k). All the needed monomials (the support and its
    first derivatives) are evaluated once, each from a parent monomial times one variable
    where possible. Small systems do C [v | W] as one ball-matrix product ("dense"), or F = C v
    and one product per column of J over the monomials containing its variable ("split"),
    whichever multiplies fewer balls; systems with more than DENSE_LIMIT coefficient entries
    loop over the nonzero terms ("sparse").
    """

    def __init__(self, system: PolySystem):
        from flint import acb, acb_mat, ctx

        self.n = n = system.n_variables
        coef = system.coefficients
        used = np.unique(coef.indices)
        mons = system.monomials[used]                       # T x n, the support
        cols = np.searchsorted(used, coef.indices)          # column of each nonzero in mons
        self.T = T = mons.shape[0]
        # derivative monomials, one per nonzero exponent
        tk = np.argwhere(mons > 0)                          # (t, k) pairs, row-major
        shifted = mons[tk[:, 0]].copy()
        shifted[np.arange(len(tk)), tk[:, 1]] -= 1
        allm = np.concatenate([mons, shifted]) if len(tk) else mons
        basis, where = unique_rows(allm)
        # every monomial its parent times one variable: intermediate monomials where the basis
        # has none (powers cost several products each; cohn2's start: 48 of 117 monomials)
        chain = product_chain(basis)
        if chain is not None and len(chain[0]):
            basis = np.vstack([basis, chain[0]])
        self.basis_size = len(basis)
        self.v_index = where[:T].tolist()
        self.w_terms = [(int(t), int(k), int(mons[t, k]), int(u))
                        for (t, k), u in zip(tk, where[T:])]
        self.plan = self._plan(basis)
        self.values_plan = self._needed(self.plan, self.v_index)
        self.real = not np.iscomplexobj(coef.data) or not np.any(np.asarray(coef.data).imag)
        data = coef.data.real if self.real else coef.data
        with ctx.workprec(128):                              # float -> acb is exact anyway
            vals = [acb(complex(c)) if not self.real else acb(float(c)) for c in data]
        E = system.n_equations
        if E * T <= DENSE_LIMIT:
            entries = [0] * (E * T)
            for i in range(E):
                for j in range(coef.indptr[i], coef.indptr[i + 1]):
                    entries[i * T + int(cols[j])] = vals[j]
            self.C = acb_mat(E, T, entries)
            # one product C [v | W] costs E T (n + 1) ball products; one product per column of
            # J, with only the monomials containing that variable, E (T + nnz) plus overheads
            split_cost = E * (T + len(tk)) + SPLIT_OVERHEAD * (n + 1)
            self.mode = "split" if split_cost < E * T * (n + 1) else "dense"
            self.W_pos = [t * (n + 1) + 1 + k for t, k, _, _ in self.w_terms]
            if self.mode == "split":
                self.by_var = []                              # per variable: C[:, S_k], positions in w
                for k in range(n):
                    pos = [p for p, (_, kk, _, _) in enumerate(self.w_terms) if kk == k]
                    ts = [self.w_terms[p][0] for p in pos]
                    sub = acb_mat(E, len(ts), [entries[i * T + t] for i in range(E) for t in ts]) if ts else None
                    self.by_var.append((sub, pos))
        else:
            self.mode = "sparse"
            self.rows = [[(vals[j], int(cols[j])) for j in range(coef.indptr[i], coef.indptr[i + 1])]
                         for i in range(E)]
            self.w_by_t: list[list[tuple[int, int]]] = [[] for _ in range(T)]
            for pos, (t, k, _, _) in enumerate(self.w_terms):
                self.w_by_t[t].append((k, pos))
        self.zero = acb(0)

    @staticmethod
    def _plan(basis: np.ndarray) -> list[tuple]:
        """How to compute each basis monomial: ("one",), ("mul", parent, k) or ("pow", [(k, e)])."""
        index = {tuple(row): i for i, row in enumerate(basis.tolist())}
        order = np.argsort(basis.sum(axis=1), kind="stable")
        plan = [None] * len(basis)
        for i in order.tolist():
            row = basis[i]
            nz = np.flatnonzero(row)
            if len(nz) == 0:
                plan[i] = ("one",)
                continue
            for k in nz[::-1].tolist():
                parent = row.copy()
                parent[k] -= 1
                j = index.get(tuple(parent.tolist()))
                if j is not None:
                    plan[i] = ("mul", j, k)
                    break
            else:
                plan[i] = ("pow", [(int(k), int(row[k])) for k in nz])
        return [(i,) + plan[i] for i in order.tolist()]

    @staticmethod
    def _needed(plan: list[tuple], wanted: list[int]) -> list[tuple]:
        """The steps of ``plan`` that the monomials ``wanted`` need (themselves and their
        parents), in the plan's order: F alone does not need the derivative monomials."""
        parent = {step[0]: step[2] for step in plan if step[1] == "mul"}
        need, todo = set(), list(wanted)
        while todo:
            i = todo.pop()
            if i not in need:
                need.add(i)
                if i in parent:
                    todo.append(parent[i])
        return [step for step in plan if step[0] in need]

    def _monomials(self, x: list, plan: list[tuple] | None = None) -> list:
        from flint import acb

        vals = [None] * self.basis_size
        one = acb(1)
        for step in plan or self.plan:
            i, kind = step[0], step[1]
            if kind == "mul":
                vals[i] = vals[step[2]] * x[step[3]]
            elif kind == "one":
                vals[i] = one
            else:
                v = one
                for k, e in step[2]:
                    v = v * (x[k] ** e)
                vals[i] = v
        return vals

    def __call__(self, x: list, want_f: bool = True, want_j: bool = True):
        """(F as an E x 1 acb_mat or None, J as an E x n acb_mat or None) at the balls x."""
        from flint import acb_mat

        vals = self._monomials(x, None if want_j else self.values_plan)
        n, T = self.n, self.T
        w = [vals[u] * e if e != 1 else vals[u] for _, _, e, u in self.w_terms] if want_j else []
        if self.mode == "split":
            E = self.C.nrows()
            F = self.C * acb_mat(T, 1, [vals[i] for i in self.v_index]) if want_f else None
            if not want_j:
                return F, None
            columns = []
            for sub, pos in self.by_var:
                columns.append((sub * acb_mat(len(pos), 1, [w[p] for p in pos])).entries() if pos
                               else [self.zero] * E)
            return F, acb_mat(E, n, [columns[k][i] for i in range(E) for k in range(n)])
        if self.mode == "dense":
            if not want_j:
                return self.C * acb_mat(T, 1, [vals[i] for i in self.v_index]), None
            entries = [0] * (T * (n + 1))
            for t, i in enumerate(self.v_index):
                entries[t * (n + 1)] = vals[i]
            for pos, val in zip(self.W_pos, w):
                entries[pos] = val
            out = self.C * acb_mat(T, n + 1, entries)
            flat = out.entries()
            E = out.nrows()
            F = acb_mat(E, 1, flat[0::n + 1]) if want_f else None
            J = acb_mat(E, n, [flat[i * (n + 1) + 1 + k] for i in range(E) for k in range(n)])
            return F, J
        v = [vals[i] for i in self.v_index]
        E = len(self.rows)
        F = acb_mat(E, 1, [sum((c * v[t] for c, t in row), self.zero) for row in self.rows]) if want_f else None
        J = None
        if want_j:
            entries = [self.zero] * (E * n)
            for i, row in enumerate(self.rows):
                for c, t in row:
                    for k, pos in self.w_by_t[t]:
                        entries[i * n + k] = entries[i * n + k] + c * w[pos]
            J = acb_mat(E, n, entries)
        return F, J


# ----------------------------------------------------------------------------------------
# the test


def _upper(z) -> float:
    """An upper bound on |z| as a float (inf when not finite)."""
    u = float(z.abs_upper())
    return u if math.isfinite(u) else math.inf


def _norm(col) -> float:
    return max((_upper(z) for z in col.entries()), default=0.0)


def _complex(x: list) -> np.ndarray:
    return np.array([complex(z.mid()) for z in x], dtype=complex)


@dataclass
class _Attempt:
    ok: bool
    x: list            # exact center (acb with zero radius)
    box: list | None = None
    enclosure: list | None = None
    radius: float = math.inf
    reason: str = ""


class _Certifier:
    def __init__(self, system: PolySystem, max_precision: int, max_move: float, evaluator=None):
        from flint import acb_mat

        self.ev = evaluator if evaluator is not None else BallEvaluator(system)
        self.n = system.n_variables
        self.max_precision = max_precision
        self.max_move = max_move
        n = self.n
        self.identity = acb_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])

    def precisions(self) -> list[int]:
        out, p = [], min(START_PRECISION, self.max_precision)
        while p < self.max_precision:
            out.append(p)
            p *= 2
        return out + [self.max_precision]

    # --- Newton in precision p on ball midpoints ---
    def refine(self, x: list, x0: np.ndarray, p: int):
        """(center, F(center), Y, reason): F at the exact center, Y ~ J(center)^-1."""
        allowed = self.max_move * (1 + float(np.abs(x0).max(initial=0.0)))
        maxit = 5 + max(0, math.ceil(math.log2(p / 53)))
        good = 2.0 ** (-0.8 * p)
        for _ in range(maxit):
            F, J = self.ev(x)
            if not all(z.is_finite() for z in F.entries() + J.entries()):
                return x, None, None, "the system does not evaluate to finite values here"
            try:
                step = J.mid().solve(F.mid(), algorithm="approx")
            except ZeroDivisionError:
                return x, None, None, "singular Jacobian (Newton's step is undefined)"
            d = max(abs(complex(s)) for s in step.entries())
            size = 1 + max(abs(complex(z.mid())) for z in x)
            if not math.isfinite(d):
                return x, None, None, "singular Jacobian (Newton's step is undefined)"
            if d <= good * size:
                break                                        # x is refined; F, J are at x
            x = [(a - s).mid() for a, s in zip(x, step.entries())]
            moved = float(np.abs(_complex(x) - x0).max(initial=0.0))
            if not moved <= allowed:
                return x, None, None, f"Newton moved the point by {moved:.3g} (more than max_move allows)"
        else:
            F, J = self.ev(x)                                # no convergence: test where we are
        try:
            Y = J.mid().solve(self.identity, algorithm="approx").mid()
        except ZeroDivisionError:
            return x, None, None, "singular Jacobian at the refined point"
        return x, F, Y, ""

    # --- Krawczyk on boxes centred at x ---
    def krawczyk(self, x: list, F, Y, real: bool) -> _Attempt:
        from flint import acb, arb, acb_mat

        n = self.n
        if real:
            x = [acb(z.real) for z in x]
            F, _ = self.ev(x, want_j=False)
        center = acb_mat(n, 1, x)
        newton = Y * F
        b = _norm(newton)
        size = 1 + max(abs(complex(z)) for z in x)
        if not math.isfinite(b):
            return _Attempt(False, x, reason="non-finite Newton step")
        r = max(1e3 * b, RADIUS_FLOOR * size)
        reason = ""
        for _ in range(RADIUS_TRIES):
            box = [acb(arb(z.real, r), arb(0 if real else z.imag, r)) for z in x]
            offsets = [z - c for z, c in zip(box, x)]        # exact: centred balls of radius >= r
            _, JX = self.ev(box, want_f=False)
            contraction = self.identity - Y * JX
            K = center - newton + contraction * acb_mat(n, 1, offsets)
            Ke = K.entries()
            if all(X.contains_interior(k) for X, k in zip(box, Ke)):
                return _Attempt(True, x, box, Ke, max(max(float(X.real.rad()), float(X.imag.rad())) for X in box))
            rows = contraction.entries()
            q = max(sum(_upper(c) for c in rows[i * n:(i + 1) * n]) for i in range(n))
            if not math.isfinite(q) or q >= 0.5:
                reason = f"no contraction (|I - Y J(X)| = {q:.3g} at radius {r:.3g})"
                r_new = r * min(0.1, 0.25 / q) if math.isfinite(q) else r * 1e-3
                if r_new < 10 * b or r_new == 0:
                    break                                    # Y or the precision is not good enough
            else:
                reason = f"K(X) not inside X at radius {r:.3g}"
                r_new = r * 10
            r = r_new
        return _Attempt(False, x, reason=reason or "Krawczyk's test failed")

    def one(self, x0: np.ndarray) -> Certificate:
        from flint import acb, ctx

        if not np.all(np.isfinite(x0)):
            return Certificate(False, None, x0, math.inf, 0, "the point is not finite")
        x = [acb(complex(z)) for z in x0]
        reason, p_used = "", 0
        for p in self.precisions():
            p_used = p
            with ctx.workprec(p):
                x, F, Y, why = self.refine(x, x0, p)
                if F is None:
                    reason = why
                    if why.startswith("Newton moved") or "finite" in why:
                        break                               # a far or bad point: no precision helps
                    continue
                attempt = None
                xc = _complex(x)
                scale = RADIUS_FLOOR * (1 + float(np.abs(xc).max()))
                if self.ev.real and float(np.abs(xc.imag).max()) <= 1e-3 * scale:
                    attempt = self.krawczyk(x, F, Y, real=True)
                if attempt is None or not attempt.ok:
                    attempt = self.krawczyk(x, F, Y, real=False)
                    real = None
                    if attempt.ok:
                        real = False if any(not k.imag.contains(0) for k in attempt.enclosure) else None
                else:
                    real = True
                if attempt.ok:
                    mid = _complex(attempt.x)
                    err = max(max(_upper(k.real - float(m.real)), _upper(k.imag - float(m.imag)))
                              for k, m in zip(attempt.enclosure, mid))
                    return Certificate(True, real, mid, attempt.radius, p, "", err,
                                       attempt.box, attempt.enclosure)
                reason = attempt.reason
        return Certificate(False, None, _complex(x), math.inf, p_used, reason)


# ----------------------------------------------------------------------------------------
# distinctness


def _classes(certs: list[Certificate]) -> tuple[list[int], list[tuple[int, int]], list[tuple[int, int]]]:
    """Union the certified points whose enclosures overlap; duplicates proved, undecided pairs."""
    from algebra.nearest import Points

    idx = [i for i, c in enumerate(certs) if c.certified]
    parent = {i: i for i in idx}

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    duplicates, undecided = [], []
    if len(idx) > 1:
        mids = np.array([np.concatenate([certs[i].midpoint.real, certs[i].midpoint.imag]) for i in idx])
        half = np.array([certs[i].error for i in idx])       # |z - midpoint| bound, each real coordinate
        slack = 1e-15 * (1 + np.abs(mids).max())
        candidates = Points(mids).pairs(2 * float(half.max()) + slack, p=np.inf)
        for a, b in candidates.tolist():
            if np.abs(mids[a] - mids[b]).max() > half[a] + half[b] + slack:
                continue
            i, j = sorted((idx[a], idx[b]))
            ci, cj = certs[i], certs[j]
            if not all(u.overlaps(v) for u, v in zip(ci.enclosure, cj.enclosure)):
                continue                                     # proved different
            if all(X.contains(k) for X, k in zip(ci.box, cj.enclosure)) or \
                    all(X.contains(k) for X, k in zip(cj.box, ci.enclosure)):
                duplicates.append((i, j))
            else:
                undecided.append((i, j))
            parent[find(i)] = find(j)
    roots: dict[int, int] = {}
    classes = [-1] * len(certs)
    for i in idx:
        classes[i] = roots.setdefault(find(i), len(roots))
    return classes, sorted(duplicates), sorted(undecided)


# ----------------------------------------------------------------------------------------


class Prover:
    """Krawczyk's test on points of one system, batch after batch (the ball evaluator is
    planned once): ``certify`` without the checks, for callers that prove points as they
    find them (monodromy). ``distinct(certificates)`` proves which are different.

    >>> s = PolySystem(("x",), np.array([[2], [0]]), np.array([[1.0, -4.0]]))
    >>> p = Prover(s)
    >>> [c.certified for c in p.certificates(np.array([[2.0], [-2.0 + 1e-12j]]))]
    [True, True]
    >>> Prover.distinct(p.certificates(np.array([[2.0], [-2.0], [2.0 + 1e-13j]])))
    2
    """

    def __init__(self, system: PolySystem, max_precision: int = 1024, max_move: float = 1e-6, evaluator=None):
        """``evaluator``: F and J of ``system`` in balls by another route than its monomials
        (``BallEvaluator``'s interface; e.g. ``network_homotopy.balls.NetworkBalls``, a network's
        forward pass)."""
        self._worker = _Certifier(system, max_precision, max_move, evaluator)

    def certificates(self, points: np.ndarray) -> list[Certificate]:
        return [self._worker.one(x) for x in np.asarray(points).astype(complex)]

    @staticmethod
    def distinct(certificates: list[Certificate]) -> int:
        """Solutions proved different among the certified points (overlaps undecided either
        way count as one: a proved lower bound)."""
        classes, _, _ = _classes(certificates)
        return len({c for c in classes if c >= 0})


def certify(system: PolySystem, points: np.ndarray, max_precision: int = 1024,
            max_move: float = 1e-6) -> CertificationResult:
    """Krawczyk's test, in ball arithmetic, on every point (rows of a P x n array).

    ``max_precision``: the highest working precision in bits (tried: 106, 212, ... up to it).
    ``max_move``: how far (relative to 1 + |x|) Newton may move a point before it is refused.
    """
    if not system.is_square:
        raise SpecError(f"certification needs a square system: this one has {system.n_equations} "
                        f"equations in {system.n_variables} unknowns")
    if system.n_variables == 0:
        raise SpecError("the system has no unknowns")
    pts = np.asarray(points)
    if pts.ndim != 2 or pts.shape[1] != system.n_variables:
        raise SpecError(f"points must be an array of shape (P, {system.n_variables}), got shape {pts.shape}")
    if not (np.issubdtype(pts.dtype, np.number) and not np.issubdtype(pts.dtype, np.timedelta64)):
        raise SpecError(f"points must be numbers, got dtype {pts.dtype}")
    if not isinstance(max_precision, int) or max_precision < 53:
        raise SpecError(f"max_precision must be an integer >= 53, got {max_precision!r}")
    if not max_move > 0:
        raise SpecError(f"max_move must be positive, got {max_move!r}")
    t0 = time.perf_counter()
    certs = Prover(system, max_precision, max_move).certificates(pts)
    classes, duplicates, undecided = _classes(certs)
    distinct = len({c for c in classes if c >= 0})
    return CertificationResult(certs, distinct, duplicates, undecided, classes, time.perf_counter() - t0)
