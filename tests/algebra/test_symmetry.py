"""Discrete symmetries (algebra.symmetry): a wrong generator is caught, which networks have
which generators, whether they act on a system, orbit closure against brute-force
symmetrization by the whole group, and the critical points of a symmetric loss as orbits."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from algebra.critical import critical_points
from algebra.networks import DenseNetwork, TreeNetwork
from algebra.solve import distinct, solve
from algebra.symmetry import (SignedPermutation, acts_on, check_generators, gauge_fixed_critical_system,
                              gauge_weights, generators, orbit_closure, symmetry_report)
from algebra.systems import critical_system, l2_weights, make_data, random_slices, zero_loss_system

Z2 = DenseNetwork((1, 2, 1), "monomial:2", bias=False)


def _group(gens, n):
    """Every element of the group the generators generate, as (source, sign) pairs."""
    ident = (tuple(range(n)), (1.0,) * n)
    seen, frontier = {ident}, [ident]
    while frontier:
        src, sign = frontier.pop()
        for g in gens:
            new = (tuple(np.array(src)[g.source]), tuple(g.sign * np.array(sign)[g.source]))
            if new not in seen:
                seen.add(new)
                frontier.append(new)
    return [SignedPermutation(np.array(s), np.array(t), "element") for s, t in seen]


def _sorted(points):
    pts = np.round(np.asarray(points), 7)
    return pts[np.lexsort(np.vstack([pts.imag.T, pts.real.T])[::-1])]


# --- errors first --------------------------------------------------------------------------

def test_a_generator_that_moves_the_outputs_is_caught():
    net = DenseNetwork((1, 2, 1), "poly:0.1,0.5,0.3", bias=False)  # neither even nor odd
    flip = SignedPermutation(np.arange(4), np.array([-1.0, 1, 1, 1]), "flip unit 1")
    with pytest.raises(AssertionError, match="flip unit 1 moves the outputs"):
        check_generators(net, [flip])


def test_an_image_that_is_no_solution_is_refused():
    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    system = critical_system(net, make_data(net, 2, 0), l2_weights(net, "random", 0))
    sols = solve(system, verify=False).solutions()
    point = sols[np.argmax(np.abs(sols).max(axis=1))]  # not the origin, which every symmetry fixes
    with pytest.raises(AssertionError, match="does not act"):
        orbit_closure(system, point[None], generators(net))


# --- which generators ------------------------------------------------------------------------

@pytest.mark.parametrize("net, swaps, flips", [
    (DenseNetwork((1, 2, 1), "monomial:2", bias=False), 1, 2),
    (DenseNetwork((2, 3, 1), "linear", bias=True), 2, 3),
    (DenseNetwork((2, 3, 1), "poly:0.1,0.5,0.3"), 2, 0),
    (DenseNetwork((1, 2, 2, 1), "monomial:3", bias=False), 2, 4),
    (TreeNetwork(units=2, activation="monomial:2", bias=False), 3, 6),
    (TreeNetwork(units=2, activation="poly:0.1,0.5,0.3", shared=True), 2, 0),
    (TreeNetwork(units=1), 0, 0),
])
def test_units_swap_and_flip_where_the_activation_allows(net, swaps, flips):
    gens = generators(net)
    assert sum("swap" in g.name for g in gens) == swaps and sum("flip" in g.name for g in gens) == flips
    check_generators(net, gens)


def test_the_group_of_two_squared_units_has_order_eight():
    assert len(_group(generators(Z2), Z2.n_weights)) == 8  # 2 swaps x 2 x 2 flips


def test_the_library_enumerates_the_same_group_as_the_brute_force_here():
    from algebra.symmetry import group_elements

    gens = generators(Z2)
    ours = {e.key() for e in group_elements(gens)}
    brute = {e.key() for e in _group(gens, Z2.n_weights)}
    identity = (tuple(range(Z2.n_weights)), (1.0,) * Z2.n_weights)
    assert ours == brute - {identity} and len(ours) == 7
    assert group_elements(gens, limit=3) is None and group_elements([]) == []


# --- where they act ----------------------------------------------------------------------------

def test_random_l2_weights_keep_the_sign_flips_and_break_the_swaps():
    from algebra.symmetry import acting_generators, equation_action

    system = critical_system(Z2, make_data(Z2, 2, 0), l2_weights(Z2, "random", 0))
    assert [g.name for g in acting_generators(Z2, system)] == ["layer 1: flip unit 1", "layer 1: flip unit 2"]
    # F(g w) = P F(w): P is g itself on a gradient system (row k is dL/dw_k)
    rng = np.random.default_rng(1)
    w = rng.standard_normal(Z2.n_weights) + 1j * rng.standard_normal(Z2.n_weights)
    for g in acting_generators(Z2, system):
        p = equation_action(system, g)
        assert p.key() == g.key()
        assert np.allclose(system.evaluate(g(w)), p(system.evaluate(w)))


def test_they_act_on_the_loss_without_or_with_equal_l2_weights_only():
    data = make_data(Z2, 2, 0)
    gens = generators(Z2)
    assert acts_on(critical_system(Z2, data), gens)
    assert acts_on(critical_system(Z2, data, l2_weights(Z2, 0.5, 0)), gens)
    assert not acts_on(critical_system(Z2, data, l2_weights(Z2, "random", 0)), gens)
    assert acts_on(zero_loss_system(Z2, data), gens)
    assert not acts_on(random_slices(zero_loss_system(Z2, data), 2, 0), gens)


# --- orbits --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def symmetric():
    """The 33 complex critical points of the squared network with L2 weight 0.5 everywhere."""
    system = critical_system(Z2, make_data(Z2, 2, 0), l2_weights(Z2, 0.5, 0))
    r = solve(system, seed=0)
    assert r.verdict == "probability-one" and r.nsolutions == 33
    return system, r.solutions()


def test_the_solutions_are_whole_orbits_as_brute_force_symmetrization_says(symmetric):
    system, sols = symmetric
    group = _group(generators(Z2), Z2.n_weights)
    brute = [g(p) for g in group for p in sols]
    keep = distinct(brute)
    assert len(keep) == len(sols)
    o = orbit_closure(system, sols, generators(Z2))
    assert o.added == 0 and len(o.points) == 33
    np.testing.assert_allclose(_sorted(o.points), _sorted(np.array(brute)[keep]), atol=1e-6)
    # the orbit of a point is the set of its images under the whole group
    for k in range(len(sols)):
        images = distinct([g(sols[k]) for g in group])
        assert len(images) == int(np.sum(o.orbit == o.orbit[k]))


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_closure_restores_dropped_images(symmetric, seed):
    system, sols = symmetric
    gens = generators(Z2)
    full = orbit_closure(system, sols, gens)
    rng = np.random.default_rng(seed)
    keep = np.concatenate([rng.permutation(np.flatnonzero(full.orbit == k))[:1 + rng.integers(0, 2)]
                           for k in range(full.count)])
    o = orbit_closure(system, full.points[keep], gens)
    assert o.count == full.count and len(o.points) == len(full.points)
    assert o.added == len(full.points) - len(keep)


def test_critical_points_of_a_symmetric_loss_come_in_orbits():
    r = critical_points(Z2, make_data(Z2, 2, 0), l2=0.5)
    sym = r.symmetry
    assert sym["acts"] and (sym["orbits"], sym["solutions"], sym["added"]) == (9, 33, 0)
    assert sym["orbit_sizes"] == {1: 1, 4: 8} and r.complex_nonsingular == 33
    report, _ = symmetry_report(Z2, critical_system(Z2, make_data(Z2, 2, 0), l2_weights(Z2, "random", 0)),
                                np.zeros((0, 4)))
    assert not report["acts"] and "breaks" in report["why"]


# --- gauge fixing ---------------------------------------------------------------------------

def test_the_gauge_meets_each_rescaling_once():
    from algebra.dimension import _rescaling_fit

    for net in (DenseNetwork((2, 2, 1), "monomial:3", bias=False), TreeNetwork(units=1),
                TreeNetwork(units=2, activation="monomial:2", bias=False)):
        fixed = gauge_weights(net)
        lam = _rescaling_fit(net, 0)[3]
        cols = [net.weight_names.index(n) for n in fixed]
        assert len(fixed) == len(lam) and np.linalg.matrix_rank(lam[:, cols], tol=1e-8) == len(lam)
    assert gauge_weights(DenseNetwork((2, 2, 1), "poly:0.1,0.5,0.3", bias=False)) == []


def test_the_gauge_fixed_system_is_the_critical_system_on_the_slice():
    """Its equations are the free weights' equations of grad L with the fixed weights set to 1."""
    net = DenseNetwork((2, 2, 1), "monomial:3", bias=False)
    data = make_data(net, 2, 0)
    fixed = gauge_weights(net)
    g = gauge_fixed_critical_system(net, data, fixed)
    full = critical_system(net, data).substitute({n: 1.0 for n in fixed})
    free = [k for k, n in enumerate(net.weight_names) if n not in fixed]
    assert g.variables == full.variables and g.info["gauge"] == fixed
    rng = np.random.default_rng(0)
    pts = rng.standard_normal((3, len(free))) + 1j * rng.standard_normal((3, len(free)))
    np.testing.assert_allclose(g.evaluate(pts), full.evaluate(pts)[:, free], rtol=1e-10, atol=1e-10)


def test_a_gauge_fixed_cubic_unit_has_one_isolated_critical_point():
    # f = v (w x)^3: the rescaling w -> t w, v -> v / t^3 makes every critical point a curve;
    # with w = 1 the loss in v has one critical point, v = y / x^3
    net = DenseNetwork((1, 1, 1), "monomial:3", bias=False)
    data = make_data(net, 1, 0)
    g = gauge_fixed_critical_system(net, data, gauge_weights(net))
    r = solve(g, seed=0)
    assert r.certified and r.nsolutions == 1
    np.testing.assert_allclose(r.solutions()[0], data.y[0] / data.x[0] ** 3, rtol=1e-10)
    assert solve(critical_system(net, data), seed=0, verify=False).nsolutions == 0  # all on the curve


def test_critical_gauge_fixes_without_l2_and_reports_every_weight():
    net = DenseNetwork((1, 1, 1), "monomial:3", bias=False)
    data = make_data(net, 1, 0)
    r = critical_points(net, data)
    assert r.gauge == ["w1_1_1"] and r.complex_nonsingular == 1 and r.minima == 1
    (p,) = r.points
    assert p.weights[0] == 1.0 and abs(p.weights[1] - data.y[0, 0] / data.x[0, 0] ** 3) < 1e-9 and p.nullity == 0
    free = critical_points(net, data, gauge=False)
    assert free.gauge is None and free.complex_nonsingular == 0  # every critical point on a rescaling curve
    assert critical_points(net, data, l2=0.5).gauge is None  # L2 breaks the rescalings
