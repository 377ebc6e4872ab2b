"""Monodromy in the constant-term family: refusals, hand-worked counts, a cross-check against
total-degree homotopy, and the trace test on complete and incomplete witness sets."""
from pathlib import Path

import numpy as np
import pytest

from algebra.activation import SpecError
from algebra.continuation.monodromy import (CORNERS, ConstantFamily, complete_witness_set, monodromy_solve,
                                             trace_test, witness_check)
from algebra.polys import PolySystem
from algebra.systems import random_slices

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "suite"


def _univariate(degree: int, constant: float) -> PolySystem:
    return PolySystem(("x",), np.array([[degree], [0]]), np.array([[1.0, constant]]))


# --- refused ------------------------------------------------------------------------------

def test_the_command_line_default_stall_is_the_library_default():
    from algebra.continuation import monodromy
    from bridge.commands import solve

    assert (solve.STALL_DEFAULT, solve.STALL_PATHS) == (monodromy.STALL, monodromy.STALL_PATHS)


def test_a_non_square_system_is_refused():
    s = PolySystem(("x", "y"), np.array([[1, 0], [0, 1]]), np.array([[1.0, 1.0]]))
    with pytest.raises(SpecError, match="square"):
        monodromy_solve(s)


def test_dependent_equations_are_refused_not_counted():
    # x^2 (v1 w1^2 + v2 w2^2) at two data points: two equations in one function of the
    # weights, so a generic member of the constant-term family has no solution; the random
    # start point alone used to be reported as a generic count of 1
    from algebra.networks import DenseNetwork
    from algebra.systems import make_data, zero_loss_system

    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    system = random_slices(zero_loss_system(net, make_data(net, 2, 0)), 2, 0)
    with pytest.raises(SpecError, match="dependent .* rank 3 of 4"):
        monodromy_solve(system)


@pytest.mark.parametrize("kwargs, fragment", [(dict(stall=0), "stall"), (dict(max_loops=0), "max_loops"),
                                              (dict(stall_paths=-1), "stall_paths"),
                                              (dict(target=0), "target"), (dict(stall=1.5), "stall"),
                                              (dict(max_seconds=0), "max_seconds"),
                                              (dict(max_seconds="1"), "max_seconds")])
def test_bad_settings_are_refused(kwargs, fragment):
    with pytest.raises(SpecError, match=fragment):
        monodromy_solve(_univariate(3, -2.0), **kwargs)


def test_a_symmetry_that_does_not_act_is_refused():
    from algebra.networks import DenseNetwork
    from algebra.symmetry import generators
    from algebra.systems import critical_system, l2_weights, make_data

    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    system = critical_system(net, make_data(net, 2, 0), l2_weights(net, "random", 0))
    swap = generators(net)[0]
    with pytest.raises(SpecError, match="swap units 1 and 2 does not act on this system"):
        monodromy_solve(system, symmetries=[swap])


# --- new points -----------------------------------------------------------------------------

def test_new_points_are_those_no_known_point_is_within_the_relative_distance_of():
    from algebra.continuation.monodromy import _new

    known = np.array([[0.0 + 0j, 1.0], [2.0, 2.0]])
    found = np.array([[1e-9, 1.0], [2.0, 2.0 + 1e-9], [5.0, 1.0], [5.0 + 1e-9, 1.0], [0.0, -1.0]])
    assert _new(known, found).tolist() == [[5.0, 1.0], [0.0, -1.0]]
    assert _new(known[:0], found[2:4]).tolist() == [[5.0, 1.0]]
    assert _new(known, found[:0]).shape == (0, 2)
    # relative: 1e-4 apart at size 1e3 is one point, at size 1 two
    assert len(_new(np.array([[1e3 + 0j]]), np.array([[1e3 + 1e-4]]))) == 0
    assert len(_new(np.array([[1.0 + 0j]]), np.array([[1.0 + 1e-4]]))) == 1


# --- exact small cases --------------------------------------------------------------------

def test_the_family_keeps_the_non_constant_part_and_the_given_constants():
    s = PolySystem(("x", "y"), np.array([[2, 0], [0, 1], [0, 0]]), np.array([[1.0, 0, -4.0], [0, 1.0, 0]]))
    fam = ConstantFamily.of(s)
    assert fam.given.tolist() == [-4.0, 0.0]
    z = np.array([1.0 + 1j, 2.0])
    assert np.allclose(fam.member(fam.through(z)).evaluate(z), 0)


def test_the_segments_homotopy_derivatives_match_finite_differences():
    from algebra.continuation.backend import backend
    from algebra.continuation.family import SegmentsHomotopy
    from algebra.continuation.homotopy import chart_for

    rng = np.random.default_rng(3)
    s = PolySystem(("x", "y"), np.array([[3, 0], [1, 1], [0, 2], [0, 0]]),
                   np.array([[1.0, 2.0, 0, -1.0], [0, 1.0, 1.0, 0.5]]))
    fam = ConstantFamily.of(s)
    hom = SegmentsHomotopy.of(fam, backend(), chart_for(3, 1))
    p = 4
    cplx = lambda *shape: rng.standard_normal(shape) + 1j * rng.standard_normal(shape)  # noqa: E731
    hom = hom.on(cplx(p, 2), cplx(p, 2), np.exp(2j * np.pi * rng.uniform(size=p)))
    z, t = cplx(p, 3), rng.uniform(size=p) + 0j
    h, hz, hs = hom.evaluate(z, t)
    eps = 1e-6
    for k in range(3):
        e = np.zeros(3)
        e[k] = eps
        fd = (hom.evaluate(z + e, t)[0] - hom.evaluate(z - e, t)[0]) / (2 * eps)
        assert np.allclose(hz[:, :, k], fd, atol=1e-6)
    assert np.allclose(hs, (hom.evaluate(z, t + eps)[0] - hom.evaluate(z, t - eps)[0]) / (2 * eps), atol=1e-6)
    # a subset of the paths is the same homotopy on those rows
    rows = np.array([2, 0])
    assert np.allclose(hom.select(rows).evaluate(z[rows], t[rows])[0], h[rows])


def test_carrying_a_solution_set_along_one_arc_is_a_bijection():
    from algebra.continuation.backend import backend
    from algebra.continuation.family import SegmentsHomotopy
    from algebra.continuation.homotopy import chart_for
    from algebra.continuation.monodromy import _carry
    from algebra.continuation.tracker import TrackerOptions

    fam = ConstantFamily.of(_univariate(5, -1.0))
    hom = SegmentsHomotopy.of(fam, backend(), chart_for(2, 0))
    roots = np.exp(2j * np.pi * np.arange(5) / 5)[:, None]
    a, b = np.full((5, 1), -1.0 + 0j), np.full((5, 1), -2.0 + 0.5j)
    moved = _carry(hom, roots, a, b, np.full(5, np.exp(1.3j)), TrackerOptions())
    assert np.allclose(moved[:, 0] ** 5, 2.0 - 0.5j)
    assert len({tuple(np.round(p, 8)) for p in moved}) == 5


# x^d + c has one branch point (c = 0), which a random loop encloses with a small
# probability: small families need a longer stall than the default to be found whole
STALL = 12


@pytest.mark.parametrize("degree", [2, 3, 5])
def test_x_to_the_d_minus_p_has_d_solutions(degree):
    r = monodromy_solve(_univariate(degree, -2.0), seed=degree, stall=STALL)
    assert r.count == degree and len(r.solutions) == degree
    expected = 2 ** (1 / degree) * np.exp(2j * np.pi * np.arange(degree) / degree)
    assert np.abs(r.solutions[:, 0][:, None] - expected[None, :]).min(axis=0).max() < 1e-8
    paths, known = np.array(r.growth).T
    assert known[-1] == degree and np.all(np.diff(known) >= 0) and np.all(np.diff(paths) > 0)
    assert r.paths >= CORNERS * r.loops + degree  # each loop carries a point over its edges; then the final homotopy


def test_a_small_set_is_held_to_loops_enough_to_carry_the_stall_paths():
    system = _univariate(3, -2.0)
    plain = monodromy_solve(system, seed=1, stall_paths=0)
    assert plain.stopped.startswith("no new solution from the 5 loops drawn after the last one")
    held = monodromy_solve(system, seed=1, stall_paths=600)
    # 600 paths over 2 edges and 3 solutions: 100 loops, drawn 5, 5, 10, 20, 40, 20
    assert held.stopped.startswith("no new solution from the 100 loops drawn after the last one (at least 5, "
                                   "carrying 600 paths)")
    assert held.count == 3 and held.loops >= 100 and held.paths >= 600


def test_a_time_budget_stops_the_loops_with_a_lower_bound():
    r = monodromy_solve(_univariate(40, -1.0), seed=0, max_seconds=0.001)
    assert r.stopped.startswith("stopped at the time budget") and 1 <= r.count < 40
    assert len(r.solutions) == r.count  # the final homotopy still ran


def test_a_target_count_stops_the_loops():
    r = monodromy_solve(_univariate(6, -1.0), seed=0, target=6, stall=STALL)
    assert r.count == 6 and r.stopped.startswith("reached the target")


def test_katsura5_agrees_with_total_degree_homotopy():
    from algebra.phcfile import read_phc
    from algebra.solve import distinct, solve

    system = read_phc(SUITE / "katsura5.phc")
    r = monodromy_solve(system, seed=0)
    reference = solve(system, start="total-degree", verify=False)
    assert r.count == 32 and len(r.solutions) == reference.nsolutions == 32
    ours = [p for p in r.solutions]
    theirs = [p.solution for p in reference.paths if p.status == "finite"]
    assert len(distinct(ours + theirs)) == 32  # the same 32 points


# --- symmetries: twisted loops --------------------------------------------------------------

def _squared_critical():
    from algebra.networks import DenseNetwork
    from algebra.symmetry import acting_generators
    from algebra.systems import critical_system, l2_weights, make_data

    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    system = critical_system(net, make_data(net, 2, 0), l2_weights(net, "random", 0))
    return system, acting_generators(net, system)


def test_a_symmetry_maps_the_base_members_solutions_onto_the_permuted_members():
    from algebra.symmetry import equation_action

    system, flips = _squared_critical()
    family = ConstantFamily.of(system)
    rng = np.random.default_rng(2)
    z = rng.standard_normal(system.n_variables) + 1j * rng.standard_normal(system.n_variables)
    c0 = family.through(z)
    for g in flips:
        p = equation_action(system, g)
        assert np.allclose(family.member(p(c0)).evaluate(g(z)), 0, atol=1e-10)
        assert not np.allclose(p(c0), c0)  # another member: the twisted loop's first corner


def test_twisted_loops_find_the_total_degree_count_and_close_it_under_the_group():
    # dense (1, 2, 1) z^2, N = 2, random L2: 33 complex critical points (issue 5, certified
    # by the total-degree homotopy); the random lambdas keep the two sign flips
    from algebra.solve import distinct, solve
    from algebra.symmetry import orbit_closure

    system, flips = _squared_critical()
    reference = solve(system, start="total-degree", seed=0)
    assert reference.verdict == "probability-one" and reference.nsolutions == 33
    for seed in (0, 1):
        r = monodromy_solve(system, seed=seed, symmetries=flips)
        assert r.count == 33 and len(r.solutions) == 33
        assert r.twisted > 0 and r.twisted < r.loops and r.symmetries == [g.name for g in flips]
        assert len(distinct(list(r.solutions) + list(reference.solutions()))) == 33
        assert orbit_closure(system, r.solutions, flips).added == 0
        assert r.as_dict()["twisted_loops"] == r.twisted
    # one edge a twisted loop: fewer paths than plain loops for the same count
    plain = monodromy_solve(system, seed=0)
    assert plain.count == 33 and r.paths < plain.paths


# --- the trace test -----------------------------------------------------------------------

def test_the_trace_test_tells_complete_from_incomplete_witness_sets():
    # the twisted cubic (t, t^2, t^3) as x^2 - y = 0, x y - z = 0, cut by a slice: degree 3
    cubic = PolySystem(("x", "y", "z"), np.array([[2, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]]),
                       np.array([[1.0, -1.0, 0, 0], [0, 0, 1.0, -1.0]]))
    sliced = random_slices(cubic, 1, seed=4)
    r = monodromy_solve(sliced, seed=4, stall=STALL)
    assert r.count == 3
    assert trace_test(sliced, r.base_solutions, r.base_constants, 1)["complete"] is True
    assert trace_test(sliced, r.base_solutions[:2], r.base_constants, 1)["complete"] is False
    with pytest.raises(SpecError, match="slices"):
        trace_test(sliced, r.base_solutions, r.base_constants, 0)


def test_a_witness_set_stops_its_loops_when_the_trace_test_passes():
    cubic = PolySystem(("x", "y", "z"), np.array([[2, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]]),
                       np.array([[1.0, -1.0, 0, 0], [0, 0, 1.0, -1.0]]))
    sliced = random_slices(cubic, 1, seed=4)
    asked = []

    def check(known, constants):
        asked.append(len(known))
        return witness_check(sliced, 1, seed=4)(known, constants)

    r = monodromy_solve(sliced, seed=4, complete=check)
    assert r.count == 3 and r.stopped.startswith("the completeness check passed")
    assert r.trace["complete"] is True and r.trace["points"] == 3
    assert len(asked) == len(set(asked)) and asked[-1] == 3  # once per number of solutions
    plain = monodromy_solve(sliced, seed=4)
    assert plain.count == 3 and plain.loops > r.loops
    # complete_witness_set takes the verdict made inside the loops instead of testing again
    again, verdict = complete_witness_set(sliced, r, 1, seed=4)
    assert again is r and verdict["complete"] is True and verdict["resumed"] == 0


def test_loops_resumed_after_an_incomplete_trace_test_complete_the_witness_set():
    cubic = PolySystem(("x", "y", "z"), np.array([[2, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]]),
                       np.array([[1.0, -1.0, 0, 0], [0, 0, 1.0, -1.0]]))
    sliced = random_slices(cubic, 1, seed=4)
    short = monodromy_solve(sliced, seed=4, target=1)  # stopped short on purpose: the made-up point only
    assert short.count == 1 and trace_test(sliced, short.base_solutions, short.base_constants, 1)["complete"] is False
    more = monodromy_solve(sliced, seed=4, resume=short)
    assert more.count == 3 and np.allclose(more.base_constants, short.base_constants)
    assert more.paths > short.paths and more.loops > short.loops and more.seconds >= short.seconds
    assert trace_test(sliced, more.base_solutions, more.base_constants, 1)["complete"] is True
    with pytest.raises(SpecError, match="another system"):
        monodromy_solve(_univariate(3, -1.0), resume=short)


def test_a_monodromy_result_prints_as_one_line():
    from algebra.examples import katsura

    r = monodromy_solve(katsura(3), seed=1)
    assert repr(r).startswith("<MonodromyResult 8 solutions of the generic member after ") and "\n" not in repr(r)
