"""Functional dimension, symmetries and the W - N prediction, against independent counts."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algebra.activation import SpecError
from algebra.dimension import (dimension_report, functional_dimension, local_dimension,
                               numerical_rank, polynomial_space_dimension, regime, symmetries,
                               witness_dimension, zero_loss_points)
from algebra.networks import DenseNetwork, TreeNetwork
from algebra.systems import Data, make_data


# --- errors first ---------------------------------------------------------------------

def test_data_count_must_be_positive():
    with pytest.raises(SpecError, match=">= 1"):
        dimension_report(TreeNetwork(), [0])


def test_relu_is_refused_before_any_work():
    with pytest.raises(SpecError, match="not a polynomial"):
        TreeNetwork(activation="relu")


def test_unknown_field_is_refused():
    net = DenseNetwork((1, 1), "linear")
    with pytest.raises(SpecError, match="field"):
        zero_loss_points(net, make_data(net, 1), field="quaternion")


def test_non_finite_matrix_is_an_error_not_a_rank():
    with pytest.raises(FloatingPointError):
        numerical_rank(np.array([[1.0, np.nan]]))


# --- tiny exact cases ---------------------------------------------------------------------

def test_rank_gap_is_reported():
    a = np.outer([1.0, 2.0, 3.0], [1.0, -1.0]) + 1e-12 * np.array([[1, 0], [0, 1], [0, 0]])
    r = numerical_rank(a)
    assert r.rank == 1 and r.gap > 1e8 and r.confident


def test_rank_of_a_clean_full_rank_matrix():
    r = numerical_rank(np.diag([1.0, 0.5, 0.25]))
    assert r.rank == 3 and r.as_dict()["sigma_first_dropped"] is None


def test_one_dimensional_linear_network_one_point_by_hand():
    # f = b a x, one point (x, y) = (2, 1): the zero set a b = 1/2 is a curve (W - N = 1),
    # F = 1, and the one-parameter rescaling a -> t a, b -> b / t explains the fibre.
    net = DenseNetwork((1, 1, 1), "linear", bias=False)
    data = Data(np.array([[2.0]]), np.array([[1.0]]))
    assert functional_dimension(net).dimension == 1
    assert symmetries(net)["total"] == 1
    local = local_dimension(net, data, [0.25, 2.0])
    assert local.dimension == 1 and local.smooth
    at_origin = local_dimension(net, data, [0.0, 0.0])  # not on the set, but J = 0 there
    assert at_origin.dimension == 2 and not at_origin.smooth


def test_regimes():
    assert [regime(n, 4, 6) for n in (1, 4, 5, 6, 7)] == ["N <= F"] * 2 + ["F < N <= W"] * 2 + ["N > W"]


def test_polynomial_space_dimension_caps():
    assert polynomial_space_dimension(TreeNetwork(activation="monomial:2", bias=False)) == math.comb(4 + 3, 4)
    assert polynomial_space_dimension(TreeNetwork()) == math.comb(4 + 4, 4)


# --- classical formulas -----------------------------------------------------------------

@pytest.mark.parametrize("n", [2, 3, 4, 5])
@pytest.mark.parametrize("r", [1, 2, 3, 4])
def test_shallow_quadratic_networks_match_secants_of_the_veronese(n, r):
    # f(x) = sum_j c_j (w_j . x)^2: quadratic forms of rank <= r, the affine cone over the
    # r-th secant variety of v_2(P^(n-1)): dimension k n - k (k - 1) / 2 with k = min(r, n)
    net = DenseNetwork((n, r, 1), "monomial:2", bias=False)
    k = min(r, n)
    assert functional_dimension(net).dimension == k * n - k * (k - 1) // 2


@pytest.mark.parametrize("n,r,expected", [(3, 2, 6), (4, 3, 12), (5, 7, 35)])
def test_shallow_cubic_networks_alexander_hirschowitz(n, r, expected):
    # cubics: min(r n, C(n + 2, 3)), except n = 5, r = 7, where the secant is defective (34)
    net = DenseNetwork((n, r, 1), "monomial:3", bias=False)
    f = functional_dimension(net).dimension
    if (n, r) == (5, 7):
        assert f == 34
    else:
        assert f == expected


@pytest.mark.parametrize("widths,rank_bound", [((2, 2, 2), 2), ((3, 2, 3), 2), ((2, 3, 2), 2), ((3, 1, 3), 1)])
def test_deep_linear_networks_are_determinantal_varieties(widths, rank_bound):
    # products W2 W1 of d0 -> d1 -> d2 matrices: d2 x d0 matrices of rank <= min(widths)
    net = DenseNetwork(widths, "linear", bias=False)
    k, m, n = rank_bound, widths[-1], widths[0]
    f = functional_dimension(net)
    assert f.dimension == k * (m + n - k)
    # and the whole fibre is explained by GL(d1)
    assert symmetries(net)["total"] == net.n_weights - f.dimension


def test_dense_dimension_falls_below_weights_minus_rescalings():
    # a quadratic activation with biases: the rescalings alone leave 152 of 497 weights
    # unexplained at this size; the orthogonal groups of the last layer explain them
    net = DenseNetwork((4, 6, 6, 1), "poly:0.1,0.5,0.3")
    f = functional_dimension(net).dimension
    sym = symmetries(net)
    assert sym["rescalings"] == 0
    assert f < net.n_weights - sym["rescalings"]
    assert f == net.n_weights - sym["total"]


# --- the tree network against an independent autograd rank -----------------------------

def _torch_tree_rank(units, bias, seed=0):
    import torch  # a dependency of the package: a missing torch is a failure, not a skip
    gen = torch.Generator().manual_seed(seed)
    p = [0.1, 0.5, 0.3]
    per = 4 if bias else 3
    w_count = 3 * per * units
    x = torch.randn(w_count + 10, 4, generator=gen, dtype=torch.float64)

    def s(z):
        return p[0] + p[1] * z + p[2] * z * z

    def node(params, a, b):
        params = params.reshape(units, per)
        z = params[:, 0] * a[:, None] + params[:, 1] * b[:, None] + (params[:, 2] if bias else 0)
        return (params[:, -1] * s(z)).sum(dim=1)

    def f(w):
        n1, n2, n3 = w.split(per * units)
        return node(n3, node(n1, x[:, 0], x[:, 1]), node(n2, x[:, 2], x[:, 3]))

    w = torch.randn(w_count, generator=gen, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(f, w)
    sv = torch.linalg.svdvals(jac)
    return int((sv > sv[0] * 1e-9).sum())


@pytest.mark.parametrize("units", [1, 2, 3])
@pytest.mark.parametrize("bias", [True, False])
def test_tree_functional_dimension_matches_autograd(units, bias):
    net = TreeNetwork(units=units, bias=bias)
    assert functional_dimension(net).dimension == _torch_tree_rank(units, bias)


# --- measured dimension at zero-loss points -----------------------------------------------

@pytest.mark.parametrize("net", [TreeNetwork(units=1), TreeNetwork(units=1, activation="monomial:2", bias=False),
                                 DenseNetwork((2, 2, 1), "poly:0.1,0.5,0.3")], ids=["tree", "tree-z2", "dense"])
def test_measured_dimension_is_w_minus_n_up_to_f(net):
    report = dimension_report(net, list(range(1, net.n_weights + 2)), starts=4)
    f = report["functional_dimension"]
    for row in report["table"]:
        if row["data"] <= f:
            assert row["measured"] == net.n_weights - row["data"], row
            assert row["smooth"] and row["zero_loss_points"] > 0
        else:  # W >= N but the image has dimension F < N: generic targets are missed
            assert row["measured"] is None, row
        assert row["consistent"]
    assert report["consistent"]


def test_f_below_n_regime_appears_with_w_at_least_n():
    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)  # f = (sum c_j w_j^2) x^2: F = 1
    report = dimension_report(net, [1, 2, 3], starts=3)
    assert report["functional_dimension"] == 1 and report["weights"] == 4
    assert [r["regime"] for r in report["table"]] == ["N <= F", "F < N <= W", "F < N <= W"]
    assert [r["measured"] for r in report["table"]] == [3, None, None]


def test_witness_sets_agree_with_the_local_solver(phc_ready):
    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    w1 = witness_dimension(net, make_data(net, 1, seed=3), seed=3)
    assert w1["dimension"] == 3 and w1["degree"] == 3
    w2 = witness_dimension(net, make_data(net, 2, seed=3), seed=3)
    assert w2["dimension"] is None and w2["degree"] == 0  # empty over C as well


def test_report_is_seeded():
    net = TreeNetwork(units=1)
    a = dimension_report(net, [3], seed=5, starts=2)
    b = dimension_report(net, [3], seed=5, starts=2)
    assert a["table"][0]["residual"] == b["table"][0]["residual"]


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 10_000))
def test_functional_dimension_is_bounded(d0, d1, d2, seed):
    net = DenseNetwork((d0, d1, d2), "poly:0.2,1,0.5")
    f = functional_dimension(net, seed=seed)
    assert f.rank.confident
    assert 1 <= f.dimension <= min(net.n_weights, f.space_dimension)
    assert symmetries(net, seed=seed)["total"] <= net.n_weights - f.dimension


def test_an_unconfident_float_rank_is_no_evidence_a_confident_one_is():
    from algebra.dimension import _consistent

    row = {"expected": 52, "exact": 52, "measured": 50, "measured_confident": False}
    assert _consistent(row, with_witness=False)           # the exact rank decides
    assert not _consistent({**row, "measured_confident": True}, with_witness=False)
    assert not _consistent({**row, "exact": None}, with_witness=False)


def test_a_search_that_found_no_point_is_no_evidence():
    from algebra.dimension import _consistent

    row = {"expected": 103, "exact": 103, "measured": None, "measured_confident": None}
    assert _consistent(row, with_witness=False)
    assert not _consistent({**row, "exact": None}, with_witness=False)
