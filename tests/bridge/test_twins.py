"""Algebra weight vectors and torch twins: round trips and equal outputs."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from algebra.activation import SpecError
from algebra.networks import DenseNetwork, TreeNetwork, evaluate, jacobian
from bridge.twins import get_weights, set_weights, torch_derivatives, torch_twin, training_activation

NETS = [TreeNetwork(units=1), TreeNetwork(units=2, bias=False), TreeNetwork(units=2, shared=True),
        TreeNetwork(units=1, depth=3, activation="monomial:3"), TreeNetwork(units=1, activation="relu-minimax:4"),
        DenseNetwork((3, 4, 2, 1), "poly:0.1,0.5,0.3"), DenseNetwork((2, 3, 2), "linear", bias=False),
        DenseNetwork((2, 3, 2, 1), ("monomial:2", "poly:1,2,3")),  # one activation per hidden layer
        TreeNetwork(units=2, activation=("linear", "relu-minimax:4"))]


def test_complex_weights_are_refused():
    with pytest.raises(SpecError, match="complex"):
        torch_twin(TreeNetwork(), np.ones(12) * (1 + 1j))


def test_wrong_length_is_refused():
    with pytest.raises(SpecError, match="shape"):
        torch_twin(TreeNetwork(), np.ones(11))


def test_relu_stays_relu_for_training():
    assert training_activation("relu") == "relu"
    assert training_activation("monomial:2") == [0.0, 0.0, 1.0]


@pytest.mark.parametrize("net", NETS, ids=lambda n: str(n.describe()))
def test_outputs_agree_to_1e12_in_float64(net):
    rng = np.random.default_rng(1)
    w = rng.standard_normal(net.n_weights)
    x = rng.standard_normal((9, net.n_inputs))
    twin = torch_twin(net, w)
    out = twin(torch.as_tensor(x)).detach().numpy()
    ref = evaluate(net, x, w)
    assert np.abs(out - ref).max() <= 1e-12 * (1 + np.abs(ref).max())
    assert np.array_equal(get_weights(twin), w)  # round trip is exact


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_round_trip_both_ways(seed):
    net = TreeNetwork(units=2)
    w = np.random.default_rng(seed).standard_normal(net.n_weights)
    twin = torch_twin(net)
    set_weights(twin, w)
    assert np.array_equal(get_weights(twin), w)
    set_weights(twin, get_weights(twin) * 2)
    assert np.array_equal(get_weights(twin), 2 * w)


def test_torch_gradient_matches_the_algebra_jacobian():
    net = TreeNetwork(units=1)
    rng = np.random.default_rng(2)
    w, x, y = rng.standard_normal(12), rng.standard_normal((5, 4)), rng.standard_normal((5, 1))
    d = torch_derivatives(torch_twin(net, w), x, y)
    f, j = jacobian(net, x, w)
    assert np.allclose(d["gradient"], ((f - y)[:, :, None] * j).sum(axis=(0, 1)), rtol=1e-12, atol=1e-12)
    assert d["loss"] == pytest.approx(0.5 * ((f - y) ** 2).sum(), rel=1e-13)
