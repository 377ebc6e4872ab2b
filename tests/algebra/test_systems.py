import time

import numpy as np
import pytest
import sympy
from hypothesis import example, given, strategies as st

from algebra.activation import SpecError
from algebra.networks import DenseNetwork, TreeNetwork, evaluate, jacobian
from algebra.systems import (Data, SystemTooLarge, critical_system, from_sympy, gradient, l2_weights, loss_polynomial,
                             make_data, naive_critical_system, random_slices, zero_loss_system)
from tests.algebra.test_networks import networks


# --- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize("n", [0, -3, 2.5])
def test_data_count_must_be_positive_integer(n):
    with pytest.raises(SpecError, match="data points"):
        make_data(TreeNetwork(), n)


def test_data_field_and_shapes_are_checked():
    with pytest.raises(SpecError, match="field"):
        make_data(TreeNetwork(), 2, field="quaternion")
    with pytest.raises(SpecError, match="inputs"):
        zero_loss_system(TreeNetwork(), Data(np.zeros((2, 3)), np.zeros((2, 1))))
    with pytest.raises(SpecError, match="targets"):
        zero_loss_system(TreeNetwork(), Data(np.zeros((2, 4)), np.zeros((2, 2))))


@pytest.mark.parametrize("l2, fragment", [("often", "random"), ([1.0, 2.0], "12 values")])
def test_l2_spec_errors(l2, fragment):
    with pytest.raises(SpecError, match=fragment):
        l2_weights(TreeNetwork(), l2)


# --- exact small cases ----------------------------------------------------------------

def test_data_is_seeded():
    net = TreeNetwork()
    a, b, c = make_data(net, 5, seed=3), make_data(net, 5, seed=3), make_data(net, 5, seed=4)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y) and not np.array_equal(a.x, c.x)
    z = make_data(net, 5, seed=3, field="complex")
    assert np.iscomplexobj(z.x) and np.abs(z.x.imag).max() > 0


def test_one_dimensional_linear_network_by_hand():
    # f = w x, data (1, 2), (2, 3): L = 1/2 (w - 2)^2 + 1/2 (2w - 3)^2, L' = 5w - 8
    net = DenseNetwork((1, 1), "linear", bias=False)
    data = Data(np.array([[1.0], [2.0]]), np.array([[2.0], [3.0]]))
    crit = critical_system(net, data)
    assert crit.monomials.tolist() == [[0], [1]]
    assert crit.coefficients.toarray().tolist() == [[-8.0, 5.0]]
    crit_l2 = critical_system(net, data, l2=[1.0])
    assert crit_l2.coefficients.toarray().tolist() == [[-8.0, 6.0]]


@pytest.mark.parametrize("r, bias, degree", [(1, True, 9), (2, True, 9), (1, False, 9)])
def test_zero_loss_degrees_and_sizes(r, bias, degree):
    net = TreeNetwork(units=r, bias=bias)
    s = zero_loss_system(net, make_data(net, 6))
    assert s.n_equations == 6 and s.n_variables == net.n_weights
    assert s.degrees == [degree] * 6


def test_critical_degrees_of_the_canonical_network():
    net = TreeNetwork(units=1)
    s = critical_system(net, make_data(net, 4))
    assert s.is_square
    # dL/dw = sum (f - y) df/dw: degree 2*9 - 1 = 17, except for the weight c2_1,
    # in which f is linear, so that c2_1 never appears squared in df/dc: lower degree
    assert s.degrees == [17] * 10 + [14, 17]


def test_multi_output_equations_are_point_major():
    net = DenseNetwork((2, 2), "linear")
    data = make_data(net, 3, seed=2)
    w = np.arange(1.0, net.n_weights + 1)
    expected = (evaluate(net, data.x, w) - data.y).ravel()
    np.testing.assert_allclose(zero_loss_system(net, data).evaluate(w), expected, rtol=1e-13)


# --- moment build against the naive expansion ----------------------------------------

def _hand_critical(r, p, bias, data, l2=None):
    """sympy gradient of the explicitly expanded loss of the DESIGN.md formula, in sympy's
    sparse polynomials (Poly: the same exact algebra as expand, without its cost)."""
    names = TreeNetwork(units=r, bias=bias).weight_names
    gens = [sympy.Symbol(n) for n in names]
    one = sympy.Poly(1, *gens)
    W = lambda name: sympy.Poly(sympy.Symbol(name), *gens)  # noqa: E731
    s = lambda z: sum((z ** k * c for k, c in enumerate(p) if c), one * 0)  # noqa: E731

    def node(label, za, zb):
        return sum((W(f"a{label}_{j}") * s(W(f"u{label}_{j}") * za + W(f"v{label}_{j}") * zb
                                            + (W(f"b{label}_{j}") if bias else one * 0)) for j in range(1, r + 1)),
                   one * 0)

    loss = one * 0
    for xi, yi in zip(data.x, data.y):
        x1, x2, x3, x4 = [sympy.Rational(v) for v in xi]
        g1, g2 = node("11", x1, x2), node("12", x3, x4)
        f = sum((W(f"c2_{j}") * s(W(f"s2_{j}") * g1 + W(f"t2_{j}") * g2 + (W(f"e2_{j}") if bias else one * 0))
                 for j in range(1, r + 1)), one * 0)
        residual = f - sympy.Rational(yi[0])
        loss += residual * residual * sympy.Rational(1, 2)
    if l2 is not None:
        loss += sum((W(n) ** 2 * sympy.Rational(lam) for lam, n in zip(l2, names)), one * 0) * sympy.Rational(1, 2)
    return from_sympy([loss.diff(g) for g in gens], names)


def _assert_same_system(a, b, rtol=1e-12):
    assert a.variables == b.variables
    assert a.monomials.tolist() == b.monomials.tolist()
    A, B = a.coefficients.toarray(), b.coefficients.toarray()
    for i in range(A.shape[0]):  # relative to each equation's largest coefficient
        assert np.max(np.abs(A[i] - B[i])) <= rtol * np.max(np.abs(B[i]))


@pytest.mark.parametrize("spec, bias, n, l2", [
    ("monomial:2", False, 2, None),
    ("monomial:2", False, 3, [0.25, 0.5, 1.0, 2.0, 0.75, 1.5, 0.3, 0.6, 0.9]),
    ("poly:0.1,0.5,0.3", False, 1, None),
])
def test_moment_build_equals_naive_sympy_expansion_tree(spec, bias, n, l2):
    net = TreeNetwork(units=1, activation=spec, bias=bias)
    data = make_data(net, n, seed=7)
    p = [sympy.Rational(c) for c in net.activation.coefficients]
    _assert_same_system(critical_system(net, data, l2=l2), _hand_critical(1, p, bias, data, l2))


def test_moment_build_equals_naive_build_dense_complex():
    net = DenseNetwork((2, 2, 1), "poly:0.1,0.5,0.3")
    data = make_data(net, 3, seed=1, field="complex")
    lam = l2_weights(net, "random", seed=1)
    _assert_same_system(critical_system(net, data, l2="random", seed=1),
                        naive_critical_system(net, data, lam))


# --- properties -----------------------------------------------------------------------

@given(networks, st.integers(1, 5), st.integers(0, 2 ** 32 - 1))
def test_zero_loss_system_is_the_residual(net, n, seed):
    data = make_data(net, n, seed)
    s = zero_loss_system(net, data)
    w = np.random.default_rng(seed + 1).standard_normal(net.n_weights)
    values, jac = jacobian(net, data.x, w)
    np.testing.assert_allclose(s.evaluate(w), (values - data.y).ravel(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(s.jacobian(w), jac.reshape(-1, net.n_weights), rtol=1e-9, atol=1e-9)


# Biased two-unit trees and the biased cubic tree have 0.4-3 million terms (5-30 s an example, the same
# code as the smaller ones): the strategy draws them without biases, and the cubic one with biases runs once.
small_networks = st.one_of(
    st.builds(TreeNetwork, units=st.just(2), activation=st.sampled_from(["poly:0.1,0.5,0.3", "monomial:2"]),
              bias=st.just(False), shared=st.booleans()),
    st.builds(TreeNetwork, units=st.just(1), activation=st.sampled_from(["poly:0.1,0.5,0.3", "monomial:2"]),
              bias=st.booleans()),
    st.builds(TreeNetwork, units=st.just(1), activation=st.just("poly:1,-1,0,2"), bias=st.just(False)),
    st.builds(DenseNetwork, widths=st.sampled_from([(2, 3, 1), (1, 2, 2), (3, 2, 2, 1)]),
              activation=st.sampled_from(["poly:0.2,1,0.5", "linear", "monomial:2"]), bias=st.booleans()),
)


def test_too_large_systems_are_refused_with_the_limit():
    net = TreeNetwork(units=2, activation="poly:1,-1,0,2")
    with pytest.raises(SystemTooLarge, match="limit is 1,000,000"):
        critical_system(net, make_data(net, 2))


@given(small_networks, st.integers(1, 6), st.integers(0, 2 ** 32 - 1), st.booleans())
@example(TreeNetwork(units=1, activation="poly:1,-1,0,2", bias=True), 3, 11, True)
def test_critical_system_is_the_gradient_of_the_loss(net, n, seed, regularize):
    """Independent numeric check: grad L = J^T (f - y) + lambda * w."""
    data = make_data(net, n, seed)
    lam = l2_weights(net, "random", seed) if regularize else None
    w = np.random.default_rng(seed + 1).standard_normal(net.n_weights)
    values, jac = jacobian(net, data.x, w)
    residual = values - data.y
    loss = 0.5 * np.sum(residual ** 2) + (0.5 * np.sum(lam * w ** 2) if regularize else 0)
    grad = np.einsum("io,iok->k", residual, jac) + (lam * w if regularize else 0)
    np.testing.assert_allclose(loss_polynomial(net, data, lam).evaluate(w), [loss], rtol=1e-9)
    scale = np.abs(grad).max() + 1
    np.testing.assert_allclose(critical_system(net, data, l2=lam).evaluate(w) / scale, grad / scale,
                               atol=1e-9)


def test_canonical_network_at_cifar_size_builds_in_seconds():
    net = TreeNetwork(units=1)
    data = make_data(net, 50_000, seed=0)
    start = time.perf_counter()
    s = critical_system(net, data)
    assert time.perf_counter() - start < 30  # about 1 s here; naive expansion: hours
    w = np.random.default_rng(0).standard_normal(12)
    values, jac = jacobian(net, data.x, w)
    grad = np.einsum("io,iok->k", values - data.y, jac)
    np.testing.assert_allclose(s.evaluate(w), grad, rtol=1e-8)


@given(st.integers(0, 2 ** 32 - 1), st.sampled_from(["u11_1", "c2_1", "e2_1"]), st.floats(-2, 2))
def test_gauge_fixing_is_substitution(seed, name, value):
    net = TreeNetwork(units=1)
    s = zero_loss_system(net, make_data(net, 3, seed))
    fixed = s.substitute({name: value})
    assert name not in fixed.variables and fixed.n_variables == 11
    w = np.random.default_rng(seed).standard_normal(12)
    w[net.weight_names.index(name)] = value
    rest = np.delete(w, net.weight_names.index(name))
    np.testing.assert_allclose(fixed.evaluate(rest), s.evaluate(w), rtol=1e-9, atol=1e-9)


def test_gauge_fixing_rejects_unknown_names():
    net = TreeNetwork(units=1)
    with pytest.raises(SpecError, match="zz"):
        zero_loss_system(net, make_data(net, 2)).substitute({"zz": 1.0})


def test_random_slices_square_the_system_reproducibly():
    net = TreeNetwork(units=1)
    s = zero_loss_system(net, make_data(net, 4))
    a, b = random_slices(s, 8, seed=5), random_slices(s, 8, seed=5)
    assert a.is_square and a.degrees == [9] * 4 + [1] * 8
    assert (a.coefficients != b.coefficients).nnz == 0
    assert (a.coefficients != random_slices(s, 8, seed=6).coefficients).nnz > 0
    with pytest.raises(SpecError):
        random_slices(s, -1)


def test_gradient_of_a_single_polynomial_only():
    net = TreeNetwork(units=1)
    with pytest.raises(ValueError):
        gradient(zero_loss_system(net, make_data(net, 2)))


@pytest.mark.parametrize("x, y, fragment", [
    (np.zeros((0, 4)), np.zeros((0, 1)), "at least one point"),
    (np.array([[np.nan, 0, 0, 0]]), np.zeros((1, 1)), "non-finite"),
    (np.zeros((2, 4)), np.zeros((3, 1)), "shape"),
])
def test_bad_data_are_refused(x, y, fragment):
    from algebra.systems import Data

    with pytest.raises(SpecError, match=fragment):
        Data(x, y)


def test_data_spoiled_after_the_fact_are_refused_by_the_system():
    from algebra.networks import TreeNetwork

    net = TreeNetwork()
    d = make_data(net, 2, 0)
    d.x[0, 0] = np.nan
    with pytest.raises(SpecError, match="non-finite"):
        zero_loss_system(net, d)
