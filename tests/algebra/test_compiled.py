"""The compiled tracker (algebra.continuation.compiled) against the array tracker it
replaces on the numpy backend: the LU solve, its refusals, the same steps and endpoints
on straight-line and family homotopies, the iteration cap, and where it must not apply."""
from dataclasses import replace

import numpy as np
import sympy
from hypothesis import given, settings, strategies as st

from algebra.continuation import compiled, kernel, tracker
from algebra.continuation.backend import backend
from algebra.continuation.evaluate import MonomialEvaluator, homogenize
from algebra.continuation.family import ConstantFamily, SegmentsHomotopy
from algebra.continuation.homotopy import StraightLineHomotopy, chart_for
from algebra.continuation.start import total_degree
from algebra.continuation.tracker import TrackerOptions, track
from algebra.examples import katsura
from algebra.polys import PolySystem
from algebra.systems import from_sympy

x, y = sympy.symbols("x y")
ARRAY = TrackerOptions(compiled=False)


def _lu(a, b):
    out, work = np.empty(len(b), complex), np.empty(a.shape, complex)
    return kernel._lu_solve(np.ascontiguousarray(a, dtype=complex), np.asarray(b, dtype=complex), out, work), out


def test_the_outcomes_are_the_trackers():
    assert (compiled.RUNNING, compiled.DONE, compiled.STEP_FAILED, compiled.MAX_STEPS) == \
        (tracker.RUNNING, tracker.DONE, tracker.STEP_FAILED, tracker.MAX_STEPS)


def test_a_singular_matrix_is_refused_not_divided_by():
    ok, _ = _lu(np.array([[1.0, 2.0], [2.0, 4.0]]), [1.0, 1.0])
    assert not ok
    ok, _ = _lu(np.array([[np.nan, 0.0], [0.0, 1.0]]), [1.0, 1.0])
    assert not ok


def test_a_pivot_is_needed_and_taken():
    ok, out = _lu(np.array([[0.0, 1.0], [1.0, 0.0]]), [2.0, 3.0])
    assert ok and out.tolist() == [3.0, 2.0]


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.integers(0, 10 ** 6))
def test_lu_solves_like_numpy(m, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, m)) + 1j * rng.standard_normal((m, m))
    b = rng.standard_normal(m) + 1j * rng.standard_normal(m)
    ok, out = _lu(a, b)
    assert ok
    np.testing.assert_allclose(out, np.linalg.solve(a, b), rtol=1e-8, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.integers(0, 10 ** 6))
def test_two_right_hand_sides_share_one_elimination(m, seed):
    # the corrector's last iteration solves for its correction and the next velocity at once
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, m)) + 1j * rng.standard_normal((m, m))
    b, c = (rng.standard_normal(m) + 1j * rng.standard_normal(m) for _ in range(2))
    x, y, work = np.empty(m, complex), np.empty(m, complex), np.empty((m, m), complex)
    assert kernel._lu_solve2(a, b, c, x, y, work)
    np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(y, np.linalg.solve(a, c), rtol=1e-8, atol=1e-10)
    assert not kernel._lu_solve2(np.zeros((m, m), complex), b, c, x, y, work)


def _straight(system, seed=3):
    st_ = total_degree(system)
    hom = StraightLineHomotopy(system, st_.system, complex(0.6, 0.8), chart_for(system.n_variables + 1, seed),
                               backend())
    return hom, hom.lift(st_.at(np.arange(st_.count)))


def _agree(hom, z0, s_from, s_to, options=TrackerOptions(), **kw):
    fast = track(hom, z0, s_from, s_to, options, **kw)
    slow = track(hom, z0, s_from, s_to, replace(options, compiled=False), **kw)
    assert fast.status.tolist() == slow.status.tolist()
    np.testing.assert_allclose(fast.u, slow.u, atol=1e-12)
    np.testing.assert_allclose(fast.z, slow.z, atol=1e-9)
    # the same rules on the same numbers: the steps differ only where rounding tips a test
    assert abs(int(fast.steps.sum()) - int(slow.steps.sum())) <= 0.01 * slow.steps.sum() + 2
    return fast


def test_katsura_paths_take_the_array_trackers_steps():
    hom, z0 = _straight(katsura(4))
    res = _agree(hom, z0, 0.0, 0.99, TrackerOptions().loose())
    assert (res.status == tracker.DONE).all()


def test_paths_to_infinity_take_the_array_trackers_steps():
    # 2 of the 4 paths diverge: in the chart they approach h0 = 0 as s -> 1
    hom, z0 = _straight(from_sympy([x * y - 1, x ** 2 - y ** 2 + x], ["x", "y"]))
    _agree(hom, z0, 0.0, 1 - 1e-6)


def test_loops_around_s_1_take_the_array_trackers_steps():
    hom, z0 = _straight(from_sympy([(x - 1) ** 2, y - 2], ["x", "y"]))
    first = track(hom, z0, 0.0, 0.99)
    angles = 1 - 0.01 * np.exp(2j * np.pi * np.arange(5) / 4)
    _agree(hom, first.z, angles[0], angles[1], step=np.full(len(z0), 0.5))


def test_the_iteration_cap_leaves_paths_running_where_they_stopped():
    hom, z0 = _straight(katsura(3))
    capped = _agree(hom, z0, 0.0, 0.9, iterations=3)
    assert (capped.status == tracker.RUNNING).all() and (capped.steps == 3).all() and (capped.u < 1).all()


def test_a_family_segment_takes_the_array_trackers_steps():
    system = from_sympy([x ** 2 + x * y - 3, y ** 3 - x - 1], ["x", "y"])
    fam = ConstantFamily.of(system)
    rng = np.random.default_rng(1)
    hom = SegmentsHomotopy.of(fam, backend(), chart_for(3, 1))
    pts = rng.standard_normal((4, 2)) + 1j * rng.standard_normal((4, 2))
    a = np.array([fam.through(p[None])[0] for p in pts])
    b = a + rng.standard_normal(a.shape) + 1j * rng.standard_normal(a.shape)
    hom = hom.on(a, b, np.exp(2j * np.pi * rng.random(4)))
    res = _agree(hom, hom.lift(pts), 0.0, 1.0)
    assert (res.status == tracker.DONE).all()
    ends = res.z[:, 1:] / res.z[:, :1]
    assert np.max(np.abs(fam.base.evaluate(ends) + b)) < 1e-8  # the ends solve F_b


def test_torch_and_high_degrees_keep_the_array_tracker():
    s = PolySystem(("x",), np.array([[70], [0]]), np.array([[1.0, -1.0]]))  # above the product chain's degrees
    mons, coef = homogenize(s)
    assert compiled.Program.of(MonomialEvaluator(mons, coef, backend())) is None
    mons, coef = homogenize(katsura(2))
    assert compiled.Program.of(MonomialEvaluator(mons, coef, backend("cpu"))) is None


def test_threads_split_the_paths_without_changing_them():
    from algebra.continuation.tracker import limit_threads

    hom, z0 = _straight(katsura(5))  # 32 paths: two blocks of 16
    with limit_threads(1):
        one = track(hom, z0, 0.0, 0.95)
    with limit_threads(2):
        two = track(hom, z0, 0.0, 0.95)
    assert np.array_equal(one.z, two.z) and np.array_equal(one.steps, two.steps)


def test_a_thread_limit_entered_without_a_block_stays_until_it_is_left(monkeypatch):
    # the one-liner scripts use: a generator-based manager was collected at once and its
    # finally restored every core, so "one thread" figures ran on two
    from algebra.continuation.tracker import kernel_threads, limit_threads

    monkeypatch.setattr(tracker, "_THREADS", None)  # restored after the test
    everything = kernel_threads()
    limit_threads(1).__enter__()
    assert kernel_threads() == 1
    monkeypatch.setattr(tracker, "_THREADS", None)
    with limit_threads(1):
        assert kernel_threads() == 1
        with limit_threads(None):
            assert kernel_threads() == 1
    assert kernel_threads() == everything
