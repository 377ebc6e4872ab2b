"""Exact ranks over prime fields: against hand computations, float64, and published dimensions."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algebra.activation import SpecError
from algebra.dimension import functional_dimension, numerical_rank, polynomial_space_dimension
from algebra.modular import (PRIMES, dense_jacobian_mod, forward_jacobian_mod, generic_rank, jacobian_mod, joint_degree,
                             rank_mod, rescaling_rank, residue)
from algebra.networks import DenseNetwork, TreeNetwork, jacobian

P = PRIMES[0]


# --- errors first ---------------------------------------------------------------------

def test_no_points_is_refused():
    with pytest.raises(SpecError, match="at least one point"):
        generic_rank(DenseNetwork((1, 1), "linear"), 0)


def test_a_prime_dividing_a_denominator_is_skipped():
    net = DenseNetwork((1, 2, 1), "poly:0,1/7,1", bias=False)
    r = generic_rank(net, 5, primes=(7, 11))
    assert r.primes == (11,)
    with pytest.raises(SpecError, match="denominator"):
        generic_rank(net, 5, primes=(7,))


def test_residue_refuses_a_denominator_divisible_by_p():
    from fractions import Fraction

    with pytest.raises(ZeroDivisionError):
        residue(Fraction(1, 14), 7)


# --- tiny exact cases -----------------------------------------------------------------

def test_jacobian_mod_matches_a_hand_computation():
    # f = c1 (w1 x)^2 + c2 (w2 x)^2, weights (w1, w2, c1, c2): df/dw_j = 2 c_j w_j x^2,
    # df/dc_j = w_j^2 x^2; one point x = 3, weights (2, 5, 7, 11) mod 13
    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    assert net.weight_names == ("w1_1_1", "w1_2_1", "w2_1_1", "w2_1_2")
    got = jacobian_mod(net, np.array([[3]]), np.array([2, 5, 7, 11]), 13)
    x2 = 9
    assert got.tolist() == [[2 * 7 * 2 * x2 % 13, 2 * 11 * 5 * x2 % 13, 4 * x2 % 13, 25 * x2 % 13]]


def test_jacobian_mod_agrees_with_the_float_jacobian_on_small_integers():
    net = TreeNetwork(units=2, activation="poly:1,2,3")
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, (5, 4))
    w = rng.integers(0, 4, net.n_weights)
    exact = jacobian(net, x.astype(float), w.astype(float))[1].reshape(-1, net.n_weights)
    assert np.all(np.abs(exact) < 2 ** 52)  # every float is an exact integer here
    assert (jacobian_mod(net, x, w, P) == np.mod(exact.astype(np.int64), P)).all()


def test_exact_rank_by_hand():
    # f = (c1 w1^2 + c2 w2^2) x^2: every row is a multiple of one vector, rank 1 for any N
    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    r = generic_rank(net, 6, upper_bound=polynomial_space_dimension(net))
    assert (r.rank, r.proven, r.upper_bound) == (1, True, 1)
    # f = w x + b: rows (x_i, 1), rank min(N, 2)
    line = DenseNetwork((1, 1), "linear")
    assert [generic_rank(line, n).rank for n in (1, 2, 5)] == [1, 2, 2]


def test_float_rank_wrong_exact_rank_right():
    # det = 10^34 - (10^34 - 1) = 1: rank 2, but 10^17 + 1 rounds to 10^17 in float64
    a = np.array([[10 ** 17, 10 ** 17 + 1], [10 ** 17 - 1, 10 ** 17]], dtype=np.int64)
    assert numerical_rank(a.astype(float)).rank == 1
    assert rank_mod(a, P) == 2


def test_joint_degree_by_hand():
    # layer 1: w x (2), s: 4, layer 2: w s (5), s: 10, output: w s (11)
    assert joint_degree(DenseNetwork((2, 2, 2, 1), "monomial:2", bias=False)) == 11
    assert joint_degree(DenseNetwork((3, 1), "linear")) == 2


def test_rescalings_by_hand():
    # tree, bias: the two lower nodes' outputs rescale (a -> t a, s or t -> 1/t): 2
    assert TreeNetwork().n_weights - rescaling_rank(TreeNetwork()) == 2
    # homogeneous z^2 without biases: one per hidden unit, 2 + 3
    net = DenseNetwork((2, 2, 3, 1), "monomial:2", bias=False)
    assert net.n_weights - rescaling_rank(net) == 5


# --- published dimensions, seed-independent -------------------------------------------

@pytest.mark.parametrize("widths, degree, expected", [
    # Alexander-Hirschowitz: the defective secant varieties of Veronese varieties, one less
    # than min(d0 d1, C(d0 + r - 1, r)) (Kileel, Trager & Bruna 2019, Theorem 13)
    ((3, 5, 1), 4, 14), ((4, 9, 1), 4, 34), ((5, 7, 1), 3, 34), ((5, 14, 1), 4, 69),
    # quadrics: symmetric matrices of rank d1 < d0, d0 d1 - C(d1, 2)
    ((4, 2, 1), 2, 7),
    # a filling architecture at total degree 32 (the 33 binary forms of degree 32), where
    # float64 says 31 or 32
    ((2, 3, 3, 4, 4, 2, 1), 2, 33),
    # total degree 64: a filling network and a defective sub-architecture of it, where float64
    # says 38 and 31 (Dao & Rodriguez 2026, arXiv:2605.09609, companion notebook)
    ((2, 3, 4, 5, 4, 6, 4, 1), 2, 65), ((2, 2, 4, 5, 4, 6, 4, 1), 2, 35),
    # total degree 243, two outputs of degree 256 (the same source)
    ((2, 2, 7, 6, 15, 8, 1), 3, 84), ((2, 3, 4, 4, 10, 17, 11, 12, 4, 2), 2, 514),
])
def test_published_functional_dimensions_for_every_seed(widths, degree, expected):
    net = DenseNetwork(widths, f"monomial:{degree}", bias=False)
    for seed in range(3):
        assert functional_dimension(net, seed=seed, trials=1).dimension == expected


@pytest.mark.parametrize("activations, expected", [
    # z^2 then linear: a shallow width-3 z^2 network, every ternary quadratic (6)
    (("monomial:2", "linear"), 6),
    # linear then z^2: sum of two squares of linear forms, rank <= 2 quadrics: 2 * 3 - 1 = 5
    (("linear", "monomial:2"), 5),
])
def test_per_layer_functional_dimension_by_hand(activations, expected):
    f = functional_dimension(DenseNetwork((3, 3, 2, 1), activations, bias=False))
    assert f.dimension == expected and f.space_dimension == 6


def test_the_filling_network_is_proven_and_the_float_rank_is_flagged():
    f = functional_dimension(DenseNetwork((2, 3, 3, 4, 4, 2, 1), "monomial:2", bias=False))
    assert f.exact.proven and f.dimension == 33
    assert not f.agree and not f.rank.confident
    assert f.as_dict()["exact_rank"]["failure_bound"] == 0.0


# --- properties -----------------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=5),
       st.lists(st.sampled_from(["linear", "monomial:3", "poly:1/3,2,0,5"]), min_size=3, max_size=3),
       st.booleans(), st.integers(1, 6), st.integers(0, 10 ** 6))
def test_reverse_mode_equals_forward_jets(widths, activations, bias, points, seed):
    # two independent algorithms: back-propagation over Z/p against jets through net.forward,
    # with one activation per hidden layer
    net = DenseNetwork(tuple(widths), activations[:len(widths) - 2] or "linear", bias=bias)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, P, (points, net.n_inputs), dtype=np.uint64)
    w = rng.integers(0, P, net.n_weights, dtype=np.uint64)
    assert (dense_jacobian_mod(net, x, w, P) == forward_jacobian_mod(net, x, w, P)).all()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=2, max_size=4), st.sampled_from(["linear", "monomial:2", "poly:1,1,1"]),
       st.booleans(), st.integers(0, 50))
def test_exact_rank_is_bounded_and_agrees_with_a_confident_float_rank(widths, activation, bias, seed):
    net = DenseNetwork(tuple(widths), activation, bias=bias)
    f = functional_dimension(net, seed=seed)
    assert 0 <= f.dimension <= min(net.n_weights, f.space_dimension)
    assert f.exact.proven or f.exact.failure_bound < 1e-9
    if f.rank.confident:  # low degrees: float64 decides, and must say the same
        assert f.rank.rank == f.dimension
