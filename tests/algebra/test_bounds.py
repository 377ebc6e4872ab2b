import itertools
import math

import numpy as np
import pytest
import sympy
from hypothesis import given, strategies as st

from algebra.activation import SpecError
from algebra.bounds import (Block, blocks_of, bounds_report, log10_int, mixed_volume, multihomogeneous_bezout,
                            network_bounds, parse_partition, partition_indices, square_blocks,
                            torus_symmetries, total_degree, zero_loss_blocks)
from algebra.networks import DenseNetwork, TreeNetwork
from algebra.systems import make_data, zero_loss_system

# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("groups, fragment", [
    ([["x", "y"]], "misses variable"), ([["x", "y"], ["z", "x"]], "two groups"),
    ([["x", "y", "z", "q"]], "not a variable"), ([["x", "y", "z"], []], "empty group"),
])
def test_partition_errors_name_the_variable(groups, fragment):
    with pytest.raises(SpecError, match=fragment):
        partition_indices(["x", "y", "z"], groups)


def test_partition_text_must_parse():
    with pytest.raises(SpecError, match="does not parse"):
        parse_partition(" ; ")


def test_multihomogeneous_needs_a_square_system():
    with pytest.raises(ValueError, match="not square"):
        multihomogeneous_bezout(np.array([[1, 1]]), [1, 1])


def test_network_bounds_rejects_bad_n_and_system():
    with pytest.raises(SpecError, match=">= 1"):
        network_bounds(TreeNetwork(), 0)
    with pytest.raises(SpecError, match="unknown system"):
        network_bounds(TreeNetwork(), 2, "hessian")


# --- exact small cases ----------------------------------------------------------------

def test_bilinear_system_multihomogeneous_beats_total_degree():
    # 4 equations bilinear in (x1, x2) and (y1, y2): 2-homogeneous number C(4, 2) = 6 < 2^4
    d = np.array([[1, 1]] * 4)
    assert multihomogeneous_bezout(d, [2, 2]) == 6 == math.comb(4, 2)
    assert total_degree([2] * 4) == 16


def test_eigenvalue_problem_count():
    # (A - l I) v = 0 with v normalized by a linear equation: n solutions, not 2^n
    n = 4
    d = np.array([[1, 1]] * n + [[0, 1]])  # groups: {l} (size 1), {v} (size n)
    assert multihomogeneous_bezout(d, [1, n]) == n


def test_log10_of_huge_integers():
    assert log10_int(10 ** 500) == pytest.approx(500)
    assert log10_int(1) == 0


def _brute_force_mhb(d, sizes):
    a = sympy.symbols(f"a0:{len(sizes)}")
    prod = sympy.expand(sympy.Mul(*[sum(int(dij) * aj for dij, aj in zip(row, a)) for row in d]))
    return int(sympy.Poly(prod, *a).coeff_monomial(sympy.Mul(*[aj ** n for aj, n in zip(a, sizes)])))


@given(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.data())
def test_multihomogeneous_equals_brute_force_expansion(sizes, data):
    n = sum(sizes)
    d = np.array(data.draw(st.lists(st.lists(st.integers(0, 3), min_size=len(sizes), max_size=len(sizes)),
                                    min_size=n, max_size=n)))
    value = multihomogeneous_bezout(d, sizes)
    assert value == _brute_force_mhb(d, sizes)
    perm = data.draw(st.permutations(range(n)))
    assert multihomogeneous_bezout(d[list(perm)], sizes) == value
    # one group: the total degree of equations whose degree is the row sum
    assert multihomogeneous_bezout(d.sum(axis=1, keepdims=True), [n]) == total_degree(d.sum(axis=1))


def test_repeated_rows_equal_expanded_rows():
    d = np.array([[2, 1], [1, 1]])
    assert multihomogeneous_bezout(d, [2, 3], counts=[2, 3]) == multihomogeneous_bezout(
        np.repeat(d, [2, 3], axis=0), [2, 3])


def test_zero_loss_blocks_are_the_supports_of_generic_data():
    for net in (TreeNetwork(units=1), TreeNetwork(units=2, bias=False), DenseNetwork((2, 3, 2))):
        built = blocks_of(zero_loss_system(net, make_data(net, 3, seed=9)))
        generic = zero_loss_blocks(net, 3)
        # every output shares one support: one block of N equations per output
        assert sorted(b.count for b in built) == sorted(b.count for b in generic)
        for b in built:
            assert any(np.array_equal(b.support, g.support) for g in generic)


def test_squaring_rules():
    lin = Block(np.array([[1, 0], [0, 1], [0, 0]]), 1)
    blocks, how = square_blocks([lin], 2)
    assert how.startswith("1 generic affine slice") and sum(b.count for b in blocks) == 2
    blocks, how = square_blocks([Block(np.array([[2, 0], [0, 0]]), 3)], 2)
    assert "combinations" in how and blocks[0].count == 2


def test_torus_symmetries_of_the_tree_networks():
    def sym(net):
        return torus_symmetries(zero_loss_blocks(net, 1), net.n_weights)
    assert sym(TreeNetwork(units=1)) == 2                  # (s, a11) and (t, a12) rescalings
    assert sym(TreeNetwork(units=1, shared=True)) == 1     # s and t rescale the one shared a
    # homogeneous s(z) = z^2 without bias also rescales the inputs of every node: 5
    assert sym(TreeNetwork(units=1, activation="monomial:2", bias=False)) == 5


def test_canonical_bounds_by_hand():
    r = network_bounds(TreeNetwork(units=1), 12)
    assert (r.weights, r.equations, r.squared_by) == (12, 12, "square")
    assert r.total_degree == 9 ** 12
    assert r.log10_paper_bound == pytest.approx(2 * 12 * math.log10(2))
    assert r.log10_real_estimate == pytest.approx(r.log10_total_degree / 2)
    assert r.torus_symmetries == 2 and any("torus" in n for n in r.notes)
    # the multihomogeneous number of the per-node partition, worked out: every equation
    # has degree (6, 6, 3) in (h11, h12, h2), so it is the coefficient of a^4 b^4 c^4 in
    # (6a + 6b + 3c)^12
    expected = sum(math.factorial(12) // math.prod(math.factorial(k) for k in ks) * 6 ** (ks[0] + ks[1]) * 3 ** ks[2]
                   for ks in [(4, 4, 4)])
    assert r.multihomogeneous == expected


def test_huge_counts_are_null_with_their_log10():
    n = 400
    support = np.vstack([10 * np.eye(n, dtype=np.int64)[:1], np.zeros((1, n), dtype=np.int64)])
    r = bounds_report([Block(support, n)], [f"w{k}" for k in range(n)], [[f"w{k}" for k in range(n)]],
                      activation_degree=2, activation_layers=1, n_data=n)
    assert r.total_degree is None and r.log10_total_degree == pytest.approx(400)
    assert r.multihomogeneous is None and r.log10_multihomogeneous == pytest.approx(400)


def test_cifar_sized_bounds_are_logarithms():
    r = network_bounds(TreeNetwork(units=1), 50_000)
    assert r.equations == 50_000 and r.degrees == [[9, 50_000]]
    assert r.log10_paper_bound == pytest.approx(2 * 50_000 * math.log10(2))
    assert "combinations" in r.squared_by


# --- cross-checks with phcpy's mixed volume ---------------------------------------------

def test_mixed_volume_of_dense_quadrics_is_bezout(phc_ready):
    full = np.array([m for m in itertools.product(range(3), repeat=2) if sum(m) <= 2])
    assert mixed_volume([Block(full, 2)], 2).value == 4


# Hand counts, generic coefficients:
# - {a x^2 + b x, c y^2 + d y}: in the torus x = -b/a, y = -d/c, one root (mixed volume 1);
#   with a constant term in each, two roots of each quadratic: 4 in C^2 (BKK bound 4), and
#   the stable mixed volume counts all four of x(ax + b) = 0, y(cy + d) = 0: 4.
# - {a xy + b x, c xy + d y}: in the torus y = -b/a, x = -d/c: 1; with constants e, f the
#   difference of the two is linear, so x is linear in y and the first a quadratic in y: 2; the
#   roots of x(ay + b) = 0, y(cx + d) = 0 are (0, 0) and (-d/c, -b/a): a stable mixed volume of 2.
@pytest.mark.parametrize("supports, torus, bkk, stable", [
    ([[[2, 0], [1, 0]], [[0, 2], [0, 1]]], 1, 4, 4),
    ([[[1, 1], [1, 0]], [[1, 1], [0, 1]]], 1, 2, 2),
])
def test_mixed_volume_and_bkk_bound_by_hand(phc_ready, supports, torus, bkk, stable):
    blocks = [Block(np.array(s), 1) for s in supports]
    r = bounds_report(blocks, ["x", "y"], [["x", "y"]], activation_degree=2, activation_layers=1, n_data=2,
                      with_mixed_volume=True)
    assert (r.mixed_volume, r.bkk_bound, r.stable_mixed_volume) == (torus, bkk, stable)
    assert r.mixed_volume_check["mixed_volume"]["agreed"] and r.mixed_volume_check["bkk_bound"]["agreed"]
    assert mixed_volume(blocks, 2).value == torus and mixed_volume(blocks, 2, origin=True).value == bkk


@pytest.mark.parametrize("net, n, system, l2", [
    (TreeNetwork(units=1), 4, "zero-loss", None),
    (DenseNetwork((2, 2, 1), "linear", bias=False), 3, "critical", "random"),
    (DenseNetwork((1, 2, 1), "poly:0.1,0.5,0.3", bias=False), 2, "critical", "random"),
])
def test_mixed_volume_within_bezout_numbers(phc_ready, net, n, system, l2):
    one_group = [list(net.weight_names)]
    # the mixed volumes do not depend on the partition: computed once (DEMiCs, the check, takes
    # 5 s on the tree's system)
    coarse = network_bounds(net, n, system, partition=one_group, with_mixed_volume=True, l2=l2)
    fine = network_bounds(net, n, system, l2=l2)
    assert coarse.multihomogeneous == coarse.total_degree  # one group: Bezout
    assert 0 < coarse.mixed_volume <= coarse.bkk_bound <= coarse.total_degree
    assert coarse.mixed_volume_check["bkk_bound"]["agreed"]
    if system == "critical":  # layer groups help the bilinear structure of linear networks
        assert coarse.bkk_bound <= fine.multihomogeneous <= fine.total_degree


def test_paper_bound_with_one_activation_per_layer():
    # outputs of degree 2 * 3 = 6 in x: the paper's d^(L N) becomes (d_1 d_2)^N = 6^2
    from algebra.networks import DenseNetwork

    r = network_bounds(DenseNetwork((2, 2, 2, 1), ("monomial:2", "monomial:3")), 2)
    assert r.paper_bound_formula == "(d_1 ... d_L)^N = (2*3)^2"
    assert r.log10_paper_bound == pytest.approx(2 * math.log10(6))
