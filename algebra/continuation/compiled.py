"""The tracker of ``tracker.track`` compiled (numba, ``kernel``), one path at a time, for the numpy backend.

The array tracker advances every path one step per Python iteration: for a few dozen
paths of a small system, the cost of a step is the interpreter's and numpy's per-call
overhead (some 40 array operations, 6 batched solves), not arithmetic, and paths that
need many steps (the endgame's loops, paths to infinity) pay it at every step. Here the
same predictor, corrector and step-size rule run in compiled code, path after path:
a straight-line program for the monomials (each the product of a lower one and one
unknown), the sparse sums of the values and the Jacobian, and an LU solve with partial
pivoting. Steps are the array tracker's, so the two agree to rounding; the array tracker
stays for the torch backend and for homotopies without a compiled form. A third form, the
toric homotopies of a polyhedral start (``polyhedral``), evaluates its terms directly, each
path with its own exponents of t.
"""
from __future__ import annotations

import concurrent.futures
import sys
from dataclasses import dataclass

import numpy as np

from algebra.continuation import aot
from algebra.continuation.codes import DONE, MAX_STEPS, RUNNING, STEP_FAILED, TORIC  # noqa: F401



@dataclass(frozen=True)
class Program:
    """A stack of R polynomials as the kernel evaluates them: monomials as a product chain
    (``evaluate.product_chain``), values and Jacobian as CSR rows over those monomials."""

    arrays: tuple
    n_monomials: int
    n_rows: int

    @classmethod
    def of(cls, evaluator) -> "Program | None":
        """The program of a ``MonomialEvaluator``; None without a product chain (degrees
        above its limit), where the array tracker remains."""
        if "_program" in evaluator.__dict__:
            return evaluator._program
        chain = getattr(evaluator, "_chain", None)
        if chain is None or evaluator.be.name != "numpy":
            evaluator._program = None
            return None

        def ints(a):
            return np.ascontiguousarray(a, dtype=np.int64)

        def steps(k):  # the chain's steps in order, one array of targets, parents or unknowns
            return ints(np.concatenate([step[k] for step in chain]) if chain else np.zeros(0))

        v, j = evaluator.values, evaluator.jacobian
        arrays = (ints(evaluator._ones), steps(0), steps(1), steps(2), ints(v.indptr), ints(v.indices),
                  np.ascontiguousarray(v.data, dtype=complex), ints(j.indptr), ints(j.indices),
                  np.ascontiguousarray(j.data, dtype=complex))
        evaluator._program = cls(arrays, int(evaluator.basis.shape[0]), int(evaluator.n_rows))
        return evaluator._program

    @classmethod
    def empty(cls) -> "Program":
        """No rows: the program of a form that evaluates its terms itself (a toric homotopy)."""
        i, c = np.zeros(0, np.int64), np.zeros(0, complex)
        return cls((i, i, i, i, np.zeros(1, np.int64), i, c, np.zeros(1, np.int64), i, c), 0, 0)


@dataclass(frozen=True)
class Terms:
    """A toric homotopy's terms, H_i(y, s) = sum over terms t of row i of
    c_t y^a_t exp(s w_pt): row, exponents, coefficient, and each path's weights."""

    rows: np.ndarray            # (T,)
    exponents: np.ndarray       # (T, n)
    coefficients: np.ndarray    # (T,)
    weights: np.ndarray         # (P, T)

    @classmethod
    def none(cls) -> "Terms":
        return cls(np.zeros(0, np.int64), np.zeros((0, 0), np.int64), np.zeros(0, complex), np.zeros((0, 0)))


@dataclass(frozen=True)
class Form:
    """A homotopy the kernel tracks (``_homotopy``): its program, which rows are G, the
    per-path gammas and constant terms, the degrees and the chart; or (g_rows TORIC) a
    toric homotopy's terms in affine unknowns, without chart."""

    program: Program
    g_rows: int                 # 0: G and F share rows (a family), n: G is rows n..2n-1, TORIC
    gamma: np.ndarray           # (P,)
    a: np.ndarray               # (P, n) constant terms of G (0 rows: none)
    b: np.ndarray               # (P, n) constant terms of F
    degrees: np.ndarray         # (n,)
    chart: np.ndarray           # (n + 1,)
    terms: Terms = Terms.none()

    def arrays(self) -> tuple:
        c = np.ascontiguousarray
        t = self.terms
        return (int(self.g_rows), int(self.program.n_rows), c(self.gamma, dtype=complex), c(self.a, dtype=complex),
                c(self.b, dtype=complex), c(self.degrees, dtype=np.int64), c(self.chart, dtype=complex),
                c(t.rows, dtype=np.int64), c(t.exponents, dtype=np.int64), c(t.coefficients, dtype=complex),
                c(t.weights, dtype=float))


_POOL = None
PATHS_PER_THREAD = 16  # fewer paths than this a thread: one thread (a pool call costs ~0.1 ms)
# Fewer paths than this go on one thread to the extension (``aot``) while the JIT is not yet
# loaded: its start-up (some 0.7 s) is about what 1,000 paths of a small system cost on a core.
AHEAD_PATHS = 1024


def _pool(n: int):
    global _POOL
    if _POOL is None or _POOL._max_workers < n:
        _POOL = concurrent.futures.ThreadPoolExecutor(n, thread_name_prefix="tracker")
    return _POOL


def _jitted():
    from algebra.continuation.kernel import track_paths

    return track_paths


def track(form: Form, z, s_from, s_to, step, options, noise: float, iterations: int | None, threads: int = 1):
    """``tracker.track`` by the kernel: (z, u, status, steps, step, extended) as numpy arrays. Paths are
    split among up to ``threads`` threads in contiguous blocks (the JIT's kernel releases the
    GIL); each path is tracked alone, so the results never depend on the split. One block
    runs in the kernel compiled ahead of time where it is built (``aot``: no numba start-up),
    whose results are the JIT's bit for bit."""
    p = z.shape[0]
    opts = np.array([options.predictor_error, options.max_first_correction, options.tol, options.newton_iterations,
                     options.max_step, options.min_step, options.max_steps, noise, float(options.extended)],
                    dtype=float)
    # fresh writable copies: numba compiles one specialization per layout and per read-only flag
    z = np.array(z, dtype=complex, order="C")
    s_from = np.array(np.broadcast_to(s_from, (p,)), dtype=complex)
    s_to = np.array(np.broadcast_to(s_to, (p,)), dtype=complex)
    step = np.array(step, dtype=float)
    g_rows, n_rows, gamma, a, b, degrees, chart, t_rows, t_exps, t_coefs, t_weights = form.arrays()
    cap = -1 if iterations is None else int(iterations)

    def block(lo: int, hi: int, kernel=None):
        def rows(v):
            return v[lo:hi] if len(v) else v
        return (kernel or _jitted())(z[lo:hi], s_from[lo:hi], s_to[lo:hi], step[lo:hi], form.program.arrays,
                                     (g_rows, n_rows, gamma[lo:hi], rows(a), rows(b), degrees, chart, t_rows,
                                      t_exps, t_coefs, rows(t_weights)),
                                     form.program.n_monomials, opts, cap)

    n = max(1, min(threads, p // PATHS_PER_THREAD))
    if n > 1 and p < AHEAD_PATHS and "algebra.continuation.kernel" not in sys.modules:
        n = 1  # fewer paths than the JIT's start-up is worth: one thread in the extension
    if n == 1:
        ahead = aot.track_paths()  # holds the GIL, so only where one thread tracks every path
        if ahead is not None:
            try:
                return block(0, p, ahead)
            except TypeError:  # arrays of another layout than its one signature: the JIT's
                pass
        return block(0, p)
    cuts = np.linspace(0, p, n + 1).astype(int)
    parts = list(_pool(n).map(block, cuts[:-1], cuts[1:]))
    return tuple(np.concatenate([part[k] for part in parts]) for k in range(6))
