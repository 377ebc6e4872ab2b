import numpy as np
import pytest
import sympy
from hypothesis import given, strategies as st

from algebra.activation import SpecError, parse_activation
from algebra.networks import (DenseNetwork, TreeNetwork, evaluate, exact_outputs, jacobian,
                              parse_widths, symbolic)


# --- bad input first ------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, fragment", [
    ({"units": 0}, "units"), ({"units": 1.5}, "units"), ({"depth": 0}, "depth"),
    ({"activation": "relu"}, "not a polynomial"),
])
def test_tree_rejects_bad_specs(kwargs, fragment):
    with pytest.raises(SpecError, match=fragment):
        TreeNetwork(**kwargs)


@pytest.mark.parametrize("widths", ["2", "2,x", "2,0,1", ""])
def test_dense_rejects_bad_widths(widths):
    with pytest.raises(SpecError, match="widths"):
        parse_widths(widths)


def test_evaluate_checks_shapes():
    net = TreeNetwork()
    with pytest.raises(SpecError, match="shape"):
        evaluate(net, np.zeros((3, 3)), np.zeros(12))
    with pytest.raises(SpecError, match="weights"):
        evaluate(net, np.zeros((3, 4)), np.zeros(11))


# --- exact small cases ----------------------------------------------------------------

@pytest.mark.parametrize("r", [1, 2, 3])
def test_canonical_weight_counts(r):
    assert TreeNetwork(units=r).n_weights == 12 * r
    assert TreeNetwork(units=r, bias=False).n_weights == 9 * r
    assert TreeNetwork(units=r, shared=True).n_weights == 8 * r
    assert TreeNetwork(units=r, shared=True, bias=False).n_weights == 6 * r


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_general_tree_counts(depth):
    net = TreeNetwork(units=2, depth=depth)
    assert net.n_inputs == 2 ** depth
    assert net.n_weights == (2 ** depth - 1) * 8
    assert TreeNetwork(units=2, depth=depth, shared=True).n_weights == depth * 8
    assert len(set(net.weight_names)) == net.n_weights


def test_canonical_names_follow_the_paper():
    net = TreeNetwork(units=2)
    assert net.weight_names[:8] == ("u11_1", "v11_1", "b11_1", "a11_1", "u11_2", "v11_2", "b11_2", "a11_2")
    assert net.weight_names[-4:] == ("s2_2", "t2_2", "e2_2", "c2_2")
    assert list(net.groups) == ["h11", "h12", "h2"]
    assert list(TreeNetwork(shared=True).groups) == ["h1", "h2"]


def test_dense_counts():
    assert DenseNetwork((2, 3, 1)).n_weights == 2 * 3 + 3 + 3 * 1 + 1
    assert DenseNetwork((3, 2, 2, 1), bias=False).n_weights == 6 + 4 + 2


def _tree_degree(d: int, depth: int) -> int:
    degree = 0
    for _ in range(depth):
        degree = 1 + d * (1 + degree)
    return degree


@pytest.mark.parametrize("spec, depth", [("poly:0.1,0.5,0.3", 2), ("monomial:3", 2),
                                         ("poly:1,1,1", 3), ("linear", 2)])
def test_output_degree_in_the_weights(spec, depth):
    net = TreeNetwork(units=1, activation=spec, depth=depth)
    _, (f,) = exact_outputs(net)
    w_degree = max(sum(int(e) for e in m[net.n_inputs:]) for m in f.monoms())
    assert w_degree == _tree_degree(parse_activation(spec).degree, depth)


def _hand_tree(r, p, bias, shared):
    """The canonical network written from DESIGN.md's formula, independently of forward()."""
    x1, x2, x3, x4 = sympy.symbols("x1:5")
    s = lambda z: sum(c * z ** k for k, c in enumerate(p))
    S = sympy.Symbol
    def node(label, za, zb):
        return sum(S(f"a{label}_{j}") * s(S(f"u{label}_{j}") * za + S(f"v{label}_{j}") * zb
                                          + (S(f"b{label}_{j}") if bias else 0)) for j in range(1, r + 1))
    g1 = node("1" if shared else "11", x1, x2)
    g2 = node("1" if shared else "12", x3, x4)
    return sympy.expand(sum(S(f"c2_{j}") * s(S(f"s2_{j}") * g1 + S(f"t2_{j}") * g2
                                            + (S(f"e2_{j}") if bias else 0)) for j in range(1, r + 1)))


@pytest.mark.parametrize("r, bias, shared", [(1, True, False), (2, False, False), (1, True, True),
                                              (2, True, True)])
def test_symbolic_output_equals_the_design_formula(r, bias, shared):
    p = [sympy.Rational(1, 10), sympy.Rational(1, 2), sympy.Rational(3, 10)]
    net = TreeNetwork(units=r, bias=bias, shared=shared)
    assert sympy.expand(symbolic(net)[0] - _hand_tree(r, p, bias, shared)) == 0


def test_dense_linear_is_a_matrix_product():
    net = DenseNetwork((2, 2, 1), "linear", bias=False)
    rng = np.random.default_rng(0)
    w = rng.standard_normal(net.n_weights)
    x = rng.standard_normal((5, 2))
    W1, W2 = w[:4].reshape(2, 2), w[4:].reshape(1, 2)
    np.testing.assert_allclose(evaluate(net, x, w), x @ W1.T @ W2.T, rtol=1e-13)


# --- properties and cross-checks -------------------------------------------------------

networks = st.one_of(
    st.builds(TreeNetwork, units=st.integers(1, 2), activation=st.sampled_from(
        ["poly:0.1,0.5,0.3", "monomial:2", "poly:1,-1,0,2"]), bias=st.booleans(), shared=st.booleans()),
    st.builds(DenseNetwork, widths=st.sampled_from([(2, 3, 1), (1, 2, 2), (3, 2, 2, 1)]),
              activation=st.sampled_from(["poly:0.2,1,0.5", "linear", "monomial:2"]), bias=st.booleans()),
)


@given(networks, st.integers(0, 2 ** 32 - 1), st.booleans())
def test_numeric_output_equals_the_exact_polynomial(net, seed, complex_):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, net.n_inputs)) + (1j * rng.standard_normal((3, net.n_inputs)) if complex_ else 0)
    w = rng.standard_normal(net.n_weights)
    _, outs = exact_outputs(net)
    for i in range(3):
        point = [complex(v) for v in x[i]] + [float(v) for v in w]
        exact = [complex(sum(float(c) * np.prod([p ** int(e) for p, e in zip(point, m)])
                             for m, c in zip(o.monoms(), o.coeffs()))) for o in outs]
        np.testing.assert_allclose(evaluate(net, x, w)[i], exact, rtol=1e-10, atol=1e-10)


@given(networks, st.integers(0, 2 ** 32 - 1))
def test_jacobian_matches_central_differences(net, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, net.n_inputs))
    w = rng.standard_normal(net.n_weights)
    values, jac = jacobian(net, x, w)
    np.testing.assert_allclose(values, evaluate(net, x, w), rtol=1e-13)
    h = 1e-6
    for k in range(net.n_weights):
        e = np.zeros_like(w)
        e[k] = h
        fd = (evaluate(net, x, w + e) - evaluate(net, x, w - e)) / (2 * h)
        # the difference quotient's rounding error is about eps |f| / h = 2e-10 |f|: outputs of
        # 1e4 (cubic activations, two units) put it at 2e-6, above a fixed atol of 1e-6
        np.testing.assert_allclose(jac[:, :, k], fd, rtol=1e-5, atol=1e-6 + 1e-8 * np.abs(values).max())


# --- one activation per hidden layer ----------------------------------------------------

def test_per_layer_activations_must_match_the_hidden_layers():
    with pytest.raises(SpecError, match="3 activation specs for 2 hidden layers"):
        DenseNetwork((2, 3, 2, 1), ("linear", "linear", "linear"))
    with pytest.raises(SpecError, match="1 activation specs for 2 hidden layers"):
        TreeNetwork(activation=["linear"])
    with pytest.raises(SpecError, match="no activation"):
        DenseNetwork((2, 1), [])


def test_equal_per_layer_activations_are_one_activation():
    a = DenseNetwork((2, 3, 2, 1), ["monomial:2", "monomial:2"])
    assert a == DenseNetwork((2, 3, 2, 1), "monomial:2") and a.describe()["activation"] == "monomial:2"


def test_per_layer_forward_by_hand():
    # (1,1,1,1) without biases: f = c (b (a x)^2 + 2 ((a x)^2)... : s1 = z^2, s2 = 1 + 2z
    net = DenseNetwork((1, 1, 1, 1), ("monomial:2", "poly:1,2"), bias=False)
    a, b, c, x = 0.5, 3.0, -2.0, 1.5
    assert net.describe()["activation"] == ["monomial:2", "poly:1,2"]
    assert net.activation_spec == "monomial:2 then poly:1,2"
    assert evaluate(net, [[x]], [a, b, c])[0, 0] == pytest.approx(c * (1 + 2 * b * (a * x) ** 2))
    ctx, (f,) = exact_outputs(net)
    assert f.degrees()[0] == 2  # degree 2 in x, not 4
