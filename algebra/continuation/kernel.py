"""The compiled path tracker's arithmetic (numba): the functions ``compiled.track`` calls.

Kept apart from ``compiled`` (which lays out the arrays and splits paths among threads) so
that a process whose kernel was compiled ahead of time (``aot``) never imports numba: its
import and first dispatch cost some 0.7 s, more than a small solve itself. The ahead-of-time
module is built from this file and named by its hash, so an edit here retires it until
``make setup`` builds it again (the JIT serves meanwhile, with the same results bit for bit).
"""
from __future__ import annotations

import numba
import numpy as np

from algebra.continuation.codes import DONE, MAX_STEPS, RUNNING, STEP_FAILED, TORIC


def _jit(fn):
    # numpy's error model: a division by zero gives inf or nan (which the step rules reject)
    # instead of an exception and a check before every division; cached on disk, so only
    # the first run on a machine pays the compilation (seconds)
    return numba.njit(cache=True, nogil=True, error_model="numpy")(fn)


@_jit
def _monomials(z, ones, targets, parents, unknowns, mono):
    for i in range(len(ones)):
        mono[ones[i]] = 1.0
    for i in range(len(targets)):
        mono[targets[i]] = mono[parents[i]] * z[unknowns[i]]


@_jit
def _toric(z, s, form, p, powers, hv, hz, hs):
    """H, dH/dz and dH/ds of path p's toric homotopy (``Terms``) at affine z; powers holds
    z_k^d at k (top + 1) + d, so each term's derivatives are products, never divisions
    (a path may pass near a coordinate hyperplane)."""
    rows, exps, coefs, weights = form[7], form[8], form[9], form[10]
    n = z.shape[0]
    top = powers.shape[0] // n - 1
    for k in range(n):
        powers[k * (top + 1)] = 1.0
        for d in range(1, top + 1):
            powers[k * (top + 1) + d] = powers[k * (top + 1) + d - 1] * z[k]
    for i in range(n):
        hv[i] = 0.0
        hs[i] = 0.0
        for k in range(n):
            hz[i, k] = 0.0
    for t in range(rows.shape[0]):
        w = weights[p, t]
        c = coefs[t] * np.exp(s * w)
        mon = c
        for k in range(n):
            mon *= powers[k * (top + 1) + exps[t, k]]
        i = rows[t]
        hv[i] += mon
        hs[i] += w * mon
        for k in range(n):
            e = exps[t, k]
            if e == 0:
                continue
            d = c * e
            for j in range(n):
                d *= powers[j * (top + 1) + exps[t, j] - (1 if j == k else 0)]
            hz[i, k] += d


@_jit
def _homotopy(z, s, program, form, p, mono, powers, hv, hz, hs):
    """H(z, s), dH/dz and dH/ds of path p's homotopy in the chart,

        H_i = (1 - s) gamma_p (G_i(z) + a_pi h0^d_i) + s (F_i(z) + b_pi h0^d_i),

    F the program's rows 0..n-1, G its rows g..g+n-1 (g = 0: the same rows, a family's
    segment between constant terms a_p and b_p; g = n: a start system of its own, a and
    b empty). The Jacobian's rows are k R + r for d(row r)/dz_k, R rows in all."""
    if form[0] == TORIC:
        _toric(z, s, form, p, powers, hv, hz, hs)
        return
    ones, targets, parents, unknowns, vptr, vidx, vdat, jptr, jidx, jdat = program
    g_rows, n_rows, gamma, a_const, b_const, degrees, chart = form[:7]
    m = z.shape[0]
    n = m - 1
    _monomials(z, ones, targets, parents, unknowns, mono)
    gp = gamma[p]
    a = (1 - s) * gp
    constants = a_const.shape[0] > 0
    if constants:
        powers[0] = 1.0
        for k in range(1, powers.shape[0]):
            powers[k] = powers[k - 1] * z[0]
    for i in range(n):
        f = 0j
        for j in range(vptr[i], vptr[i + 1]):
            f += vdat[j] * mono[vidx[j]]
        g = f
        if g_rows > 0:
            g = 0j
            for j in range(vptr[g_rows + i], vptr[g_rows + i + 1]):
                g += vdat[j] * mono[vidx[j]]
        if constants:
            hd = powers[degrees[i]]
            f += b_const[p, i] * hd
            g += a_const[p, i] * hd
        hv[i] = a * g + s * f
        hs[i] = f - gp * g
    c = -1.0 + 0j
    for k in range(m):
        c += chart[k] * z[k]
        hz[n, k] = chart[k]
    hv[n] = c
    hs[n] = 0.0
    for k in range(m):
        for i in range(n):
            row = k * n_rows + i
            f = 0j
            for j in range(jptr[row], jptr[row + 1]):
                f += jdat[j] * mono[jidx[j]]
            g = f
            if g_rows > 0:
                row = k * n_rows + g_rows + i
                g = 0j
                for j in range(jptr[row], jptr[row + 1]):
                    g += jdat[j] * mono[jidx[j]]
            if constants and k == 0 and degrees[i] > 0:
                hd1 = degrees[i] * powers[degrees[i] - 1]
                f += b_const[p, i] * hd1
                g += a_const[p, i] * hd1
            hz[i, k] = a * g + s * f


# --- the residual in double-double --------------------------------------------------------
# Near an ill-conditioned point (a singular limit, a cluster of roots, terms that cancel) a
# value computed in double is only good to eps times the sum of its terms' sizes, and Newton's
# corrections stall there, above the tolerance: the step is refused until the step size
# underflows and the path fails. Evaluated in double-double (about 32 digits: Dekker's exact
# products and Knuth's exact sums), the residual is good to eps of the value itself, and
# Newton with the Jacobian in double (iterative refinement) converges to the point's double
# precision while the condition number is far below 1e16. A path switches to it on a refusal
# of that kind and back to double after TRIAL accepted steps (a refusal of that kind switches
# it again: HomotopyContinuation.jl's tracker, too, leaves extended precision when it can);
# its steps are counted.


TRIAL = 4


@_jit
def _two_sum(a, b):
    s = a + b
    v = s - a
    return s, (a - (s - v)) + (b - v)


@_jit
def _fast_two_sum(a, b):  # |a| >= |b|
    s = a + b
    return s, b - (s - a)


@_jit
def _split(a):
    t = 134217729.0 * a  # 2^27 + 1
    hi = t - (t - a)
    return hi, a - hi


@_jit
def _two_prod(a, b):
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


@_jit
def _dd_add(ah, al, bh, bl):
    s, e = _two_sum(ah, bh)
    return _fast_two_sum(s, e + (al + bl))


@_jit
def _dd_times(ah, al, b):
    """(ah + al) b for a double b, as a double-double."""
    p, e = _two_prod(ah, b)
    return _fast_two_sum(p, e + al * b)


@_jit
def _cdd_times(x, c):
    """A complex double-double x (re hi, re lo, im hi, im lo) times a complex double c."""
    a, b = _dd_times(x[0], x[1], c.real)
    d, e = _dd_times(x[2], x[3], -c.imag)
    re_h, re_l = _dd_add(a, b, d, e)
    a, b = _dd_times(x[0], x[1], c.imag)
    d, e = _dd_times(x[2], x[3], c.real)
    im_h, im_l = _dd_add(a, b, d, e)
    return re_h, re_l, im_h, im_l


@_jit
def _cdd_add(x, y):
    re_h, re_l = _dd_add(x[0], x[1], y[0], y[1])
    im_h, im_l = _dd_add(x[2], x[3], y[2], y[3])
    return re_h, re_l, im_h, im_l


@_jit
def _cdd_row(vptr, vidx, vdat, row, mono4):
    """sum_j vdat[j] mono[vidx[j]] over a CSR row, in complex double-double."""
    acc = (0.0, 0.0, 0.0, 0.0)
    for j in range(vptr[row], vptr[row + 1]):
        k = vidx[j]
        acc = _cdd_add(acc, _cdd_times((mono4[k, 0], mono4[k, 1], mono4[k, 2], mono4[k, 3]), vdat[j]))
    return acc


@_jit
def _values_dd(z, s, program, form, p, mono4, powers4, hv):
    """hv = H(z, s) of ``_homotopy`` (not its derivatives) evaluated in double-double, then
    rounded; False for a toric form (its terms carry exp(s w): left in double)."""
    if form[0] == TORIC:
        return False
    ones, targets, parents, unknowns, vptr, vidx, vdat = program[:7]
    g_rows, n_rows, gamma, a_const, b_const, degrees, chart = form[:7]
    m = z.shape[0]
    n = m - 1
    for i in range(len(ones)):
        mono4[ones[i], 0] = 1.0
        mono4[ones[i], 1] = 0.0
        mono4[ones[i], 2] = 0.0
        mono4[ones[i], 3] = 0.0
    for i in range(len(targets)):
        q = parents[i]
        x = _cdd_times((mono4[q, 0], mono4[q, 1], mono4[q, 2], mono4[q, 3]), z[unknowns[i]])
        t = targets[i]
        mono4[t, 0], mono4[t, 1], mono4[t, 2], mono4[t, 3] = x
    gp = gamma[p]
    a = (1 - s) * gp
    constants = a_const.shape[0] > 0
    if constants:
        powers4[0, 0], powers4[0, 1], powers4[0, 2], powers4[0, 3] = 1.0, 0.0, 0.0, 0.0
        for k in range(1, powers4.shape[0]):
            x = _cdd_times((powers4[k - 1, 0], powers4[k - 1, 1], powers4[k - 1, 2], powers4[k - 1, 3]), z[0])
            powers4[k, 0], powers4[k, 1], powers4[k, 2], powers4[k, 3] = x
    for i in range(n):
        f = _cdd_row(vptr, vidx, vdat, i, mono4)
        g = f
        if g_rows > 0:
            g = _cdd_row(vptr, vidx, vdat, g_rows + i, mono4)
        if constants:
            d = degrees[i]
            hd = (powers4[d, 0], powers4[d, 1], powers4[d, 2], powers4[d, 3])
            f = _cdd_add(f, _cdd_times(hd, b_const[p, i]))
            g = _cdd_add(g, _cdd_times(hd, a_const[p, i]))
        v = _cdd_add(_cdd_times(g, a), _cdd_times(f, s))
        hv[i] = complex(v[0] + v[1], v[2] + v[3])
    c = (-1.0, 0.0, 0.0, 0.0)
    for k in range(m):
        c = _cdd_add(c, _cdd_times((z[k].real, 0.0, z[k].imag, 0.0), chart[k]))
    hv[n] = complex(c[0] + c[1], c[2] + c[3])
    return True


@_jit
def _lu_solve(a, b, x, work):
    """x = a^-1 b by Gaussian elimination with partial pivoting on a copy (work); False
    when a pivot vanishes (a singular matrix: the caller rejects the step)."""
    return _lu_solve2(a, b, b[:0], x, x[:0], work)


@_jit
def _lu_solve2(a, b, c, x, y, work):
    """``_lu_solve`` of x = a^-1 b and, from the same elimination, y = a^-1 c (c and y
    empty: none)."""
    m = a.shape[0]
    two = c.shape[0] > 0
    for i in range(m):
        x[i] = b[i]
        if two:
            y[i] = c[i]
        for k in range(m):
            work[i, k] = a[i, k]
    for col in range(m):
        p = col
        best = abs(work[col, col].real) + abs(work[col, col].imag)  # LAPACK's cabs1: no square roots
        for i in range(col + 1, m):
            v = abs(work[i, col].real) + abs(work[i, col].imag)
            if v > best:
                best, p = v, i
        if best == 0.0 or not np.isfinite(best):
            return False
        if p != col:
            for k in range(col, m):
                t = work[col, k]
                work[col, k] = work[p, k]
                work[p, k] = t
            t = x[col]
            x[col] = x[p]
            x[p] = t
            if two:
                t = y[col]
                y[col] = y[p]
                y[p] = t
        inv = 1.0 / work[col, col]
        for i in range(col + 1, m):
            f = work[i, col] * inv
            for k in range(col + 1, m):
                work[i, k] -= f * work[col, k]
            x[i] -= f * x[col]
            if two:
                y[i] -= f * y[col]
    for i in range(m - 1, -1, -1):
        t = x[i]
        for k in range(i + 1, m):
            t -= work[i, k] * x[k]
        x[i] = t / work[i, i]
        if two:
            t = y[i]
            for k in range(i + 1, m):
                t -= work[i, k] * y[k]
            y[i] = t / work[i, i]
    return True


@_jit
def _velocity(z, s, ds, program, form, p, mono, powers, hv, hz, hs, rhs, out, work):
    _homotopy(z, s, program, form, p, mono, powers, hv, hz, hs)
    for i in range(z.shape[0]):
        rhs[i] = -hs[i] * ds
    return _lu_solve(hz, rhs, out, work)


@_jit
def _maxabs(v):
    out = 0.0
    for i in range(v.shape[0]):
        a = abs(v[i])
        if a > out or a != a:
            out = a
    return out


@_jit
def track_paths(z, s_from, s_to, step, program, form, n_mono, options, iterations):
    """Every path of ``z`` (P, m) from s_from to s_to by the array tracker's rules; returns
    (z, u, status, steps, step, extended) as ``tracker.TrackResult`` holds them: ``extended``
    counts each path's accepted steps whose residual was evaluated in double-double."""
    predictor_error, max_first, tol, newton, max_step, min_step, max_steps, noise, allow = options
    newton_iterations = int(newton)
    p_count, m = z.shape
    z = z.copy()
    u = np.zeros(p_count)
    h = step.copy()
    status = np.zeros(p_count, np.int64)
    steps = np.zeros(p_count, np.int64)
    extended_steps = np.zeros(p_count, np.int64)
    mono = np.empty(n_mono, np.complex128)
    mono4 = np.empty((n_mono, 4))
    top = 0
    for d in form[5]:
        top = max(top, d)
    powers = np.empty((top + 1) * m, np.complex128)  # a toric form keeps z_k^d for every k
    powers4 = np.empty((top + 1, 4))
    hv = np.empty(m, np.complex128)
    hs = np.empty(m, np.complex128)
    hz = np.empty((m, m), np.complex128)
    work = np.empty((m, m), np.complex128)
    rhs = np.empty(m, np.complex128)
    k1 = np.empty(m, np.complex128)
    k2 = np.empty(m, np.complex128)
    k3 = np.empty(m, np.complex128)
    k4 = np.empty(m, np.complex128)
    zz = np.empty(m, np.complex128)
    zc = np.empty(m, np.complex128)
    dz = np.empty(m, np.complex128)
    kn = np.empty(m, np.complex128)
    for p in range(p_count):
        s0 = s_from[p]
        ds = s_to[p] - s0
        zp = z[p]
        attempts = 0
        known = False  # k1 holds the velocity at zp (from the last Newton iteration, or computed)
        extended = False  # Newton's residual in double-double from the first refusal that asks for it
        trial = 0  # accepted steps since the switch: after TRIAL of them double precision is tried again
        while status[p] == RUNNING:
            if iterations >= 0 and attempts >= iterations:
                break
            attempts += 1
            ua = u[p]
            ha = min(min(h[p], max_step), 1 - ua)
            last = ha >= 1 - ua
            ok = known or _velocity(zp, s0 + ua * ds, ds, program, form, p, mono, powers, hv, hz, hs, rhs, k1,
                                    work)
            known = ok
            if ok:
                for i in range(m):
                    zz[i] = zp[i] + 0.5 * ha * k1[i]
                ok = _velocity(zz, s0 + (ua + 0.5 * ha) * ds, ds, program, form, p, mono, powers, hv, hz, hs, rhs,
                               k2, work)
            if ok:
                for i in range(m):
                    zz[i] = zp[i] + 0.5 * ha * k2[i]
                ok = _velocity(zz, s0 + (ua + 0.5 * ha) * ds, ds, program, form, p, mono, powers, hv, hz, hs, rhs,
                               k3, work)
            if ok:
                for i in range(m):
                    zz[i] = zp[i] + ha * k3[i]
                ok = _velocity(zz, s0 + (ua + ha) * ds, ds, program, form, p, mono, powers, hv, hz, hs, rhs, k4,
                               work)
            u1 = 1.0 if last else ua + ha
            s1 = s_to[p] if last else s0 + u1 * ds
            first = np.inf
            final = np.inf
            previous = np.inf
            if ok:
                for i in range(m):
                    zc[i] = zp[i] + ha * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) / 6
                for it in range(newton_iterations):
                    _homotopy(zc, s1, program, form, p, mono, powers, hv, hz, hs)
                    if extended:
                        _values_dd(zc, s1, program, form, p, mono4, powers4, hv)
                    # the last iteration's Jacobian also gives the velocity for the next
                    # step's k1 (at a point within tol of where the step lands): one
                    # evaluation and one elimination fewer a step, and none for a retry
                    reuse = it > 0 and it == newton_iterations - 1
                    if reuse:
                        for i in range(m):
                            rhs[i] = -hs[i] * ds
                    if not _lu_solve2(hz, hv, rhs if reuse else rhs[:0], dz, kn if reuse else kn[:0], work):
                        ok = False
                        break
                    for i in range(m):
                        zc[i] -= dz[i]
                    previous = final
                    final = _maxabs(dz)
                    if it == 0:
                        first = final
            limited = False
            if ok:
                scale = 1 + _maxabs(zc)
                contracted = True
                if newton_iterations > 1:
                    contracted = final <= max(0.5 * previous, noise * tol * scale)
                first /= scale
                final /= scale
                ok = (np.isfinite(first) and np.isfinite(final) and final <= tol and contracted
                      and first <= max_first)
                # Newton stalled although the prediction was as close as asked: the residual's
                # rounding, not the step, is what stops it (such a prediction contracts
                # quadratically; a longer step that fails is shortened as before)
                limited = (not ok and not contracted and not extended and allow > 0 and form[0] != TORIC
                           and np.isfinite(first) and first <= predictor_error)
            steps[p] += 1
            if limited:
                extended = True  # the same step again, its residual in double-double
                if steps[p] >= max_steps:
                    status[p] = MAX_STEPS
                continue
            if first > 0 and np.isfinite(first):
                ratio = (predictor_error / first) ** 0.2
            elif first > 0 or first != first:
                ratio = 0.5
            else:
                ratio = 2.0
            grow = min(max(0.9 * ratio, 0.5), 2.0)
            if ok:
                for i in range(m):
                    zp[i] = zc[i]
                known = newton_iterations > 1  # kn was solved for (the last of two or more iterations)
                if known:
                    for i in range(m):
                        k1[i] = kn[i]
                u[p] = u1
                h[p] = ha * grow
                if extended:
                    extended_steps[p] += 1
                    trial += 1
                    if trial >= TRIAL:  # the hard stretch may be over: double again, back on a refusal
                        extended, trial = False, 0
                if u1 >= 1:
                    status[p] = DONE
            else:
                h[p] = ha * min(0.5, grow)
                if h[p] < min_step:
                    status[p] = STEP_FAILED
            if status[p] == RUNNING and steps[p] >= max_steps:
                status[p] = MAX_STEPS
    return z, u, status, steps, h, extended_steps
