"""The kernel's Newton residual in double-double (kernel._values_dd): exact error-free
transformations, the homotopy's own values, and a path that double precision cannot finish
(an expanded multiple root) finished once the tracker switches, which it records."""
import math
from dataclasses import replace
from fractions import Fraction

import numpy as np
from hypothesis import given, settings, strategies as st

from algebra.continuation import kernel, tracker
from algebra.continuation.backend import backend
from algebra.continuation.family import ConstantFamily, SegmentsHomotopy
from algebra.continuation.homotopy import StraightLineHomotopy, chart_for
from algebra.continuation.start import total_degree
from algebra.continuation.tracker import TrackerOptions, track
from algebra.examples import katsura
from algebra.phcfile import parse_phc

floats = st.floats(min_value=-1e100, max_value=1e100, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-100)


@settings(max_examples=200, deadline=None)
@given(floats, floats)
def test_two_sum_and_two_prod_are_exact(a, b):
    s, e = kernel._two_sum(a, b)
    assert Fraction(s) + Fraction(e) == Fraction(a) + Fraction(b)
    p, e = kernel._two_prod(a, b)
    assert Fraction(p) + Fraction(e) == Fraction(a) * Fraction(b)


def _form_arrays(hom, paths):
    form = hom.compiled(paths)
    return form.program.arrays, form.arrays(), form.program.n_monomials


def _both(hom, z, s, p=0):
    program, form, n_mono = _form_arrays(hom, len(z))
    m = z.shape[1]
    top = max(int(d) for d in form[5])
    mono, powers = np.empty(n_mono, complex), np.empty((top + 1) * m, complex)
    hv, hz, hs = np.empty(m, complex), np.empty((m, m), complex), np.empty(m, complex)
    kernel._homotopy(z[p], s, program, form, p, mono, powers, hv, hz, hs)
    dd = np.empty(m, complex)
    assert kernel._values_dd(z[p], s, program, form, p, np.empty((n_mono, 4)), np.empty((top + 1, 4)), dd)
    return hv, dd


def test_double_double_values_are_the_homotopys_values():
    system = katsura(4)
    st_ = total_degree(system)
    hom = StraightLineHomotopy(system, st_.system, complex(0.6, 0.8), chart_for(6, 3), backend())
    rng = np.random.default_rng(0)
    z = rng.standard_normal((3, 6)) + 1j * rng.standard_normal((3, 6))
    for p in range(3):
        hv, dd = _both(hom, z, 0.3 + 0.1j, p)
        assert np.max(np.abs(hv - dd)) <= 1e-13 * (1 + np.max(np.abs(hv)))


def test_double_double_values_of_a_family_segment():
    system = parse_phc("2\nx^2 + x*y - 3;\ny^3 - x - 1;\n")
    fam = ConstantFamily.of(system)
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 2)) + 1j * rng.standard_normal((2, 2))
    hom = SegmentsHomotopy.of(fam, backend(), chart_for(3, 1)).on(a, a + 1, np.exp(2j * np.pi * rng.random(2)))
    z = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    for p in range(2):
        hv, dd = _both(hom, z, 0.7, p)
        assert np.max(np.abs(hv - dd)) <= 1e-13 * (1 + np.max(np.abs(hv)))


def _expanded_multiple_root(n):
    """(x - 1)^n with its binomial coefficients: near x = 1 its terms (about 2^n) cancel."""
    return parse_phc("1\n" + " ".join(f"{math.comb(n, k) * (-1) ** (n - k):+d}*x^{k}" for k in range(n + 1)) + ";\n")


def test_a_path_double_cannot_finish_switches_and_records_it():
    system = _expanded_multiple_root(12)
    st_ = total_degree(system)
    hom = StraightLineHomotopy(system, st_.system, complex(0.6, 0.8), chart_for(2, 5), backend())
    z0 = hom.lift(st_.at(np.arange(st_.count)))
    on = track(hom, z0, 0.0, 1 - 1e-6)
    off = track(hom, z0, 0.0, 1 - 1e-6, replace(TrackerOptions(), extended=False))
    assert (on.status == tracker.DONE).all()
    assert on.extended.sum() > 0
    assert (off.status != tracker.DONE).any() and not off.extended.any()


def test_the_solve_finds_the_multiple_root_and_says_how():
    from algebra.solve import solve

    r = solve(_expanded_multiple_root(12), verify=False)
    assert r.nsolutions == 1 and r.multiplicities() == [12] and r.nfailed == 0
    assert r.runs[0]["extended"]["paths"] > 0
