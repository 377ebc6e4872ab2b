"""The eps-paths' homotopy through the forward pass: the monomial homotopy's twin."""
import numpy as np

from algebra.continuation.backend import backend
from algebra.continuation.homotopy import StraightLineHomotopy, chart_for
from algebra.network_homotopy.equations import CriticalEquations
from algebra.continuation.paths import run_paths
from algebra.network_homotopy.regularization import RegularizationHomotopy
from algebra.networks import DenseNetwork, TreeNetwork
from algebra.solve import gamma_for, solve
from algebra.systems import Data, critical_system, l2_weights, make_data


def _gradient(net, data):
    return CriticalEquations(net, np.asarray(data.x, dtype=complex), np.asarray(data.y, dtype=complex), None,
                             backend(None))


def _pair(net, data, seed=0):
    lam = l2_weights(net, "random", seed)
    reg, grad = critical_system(net, data, lam), critical_system(net, data, None)
    hom = StraightLineHomotopy(grad, reg, gamma_for(seed, 97), chart_for(grad.n_variables + 1, seed), backend(None))
    return reg, hom, RegularizationHomotopy.of(hom, _gradient(net, data), lam)


def test_another_network_or_data_is_not_its_twin():
    net = DenseNetwork((1, 2, 1), "poly:0.1,0.5,0.3")
    data = make_data(net, 2, 0, "real")
    _, hom, twin = _pair(net, data)
    assert twin is not None
    other = Data(data.x, data.y + 1.0)
    assert RegularizationHomotopy.of(hom, _gradient(net, other), l2_weights(net, "random", 0)) is None
    assert RegularizationHomotopy.of(hom, _gradient(net, data), 2 * l2_weights(net, "random", 0)) is None


def test_values_derivatives_and_target_agree_with_the_monomials():
    net = TreeNetwork(units=1)
    data = make_data(net, 1, 3, "real")
    _, hom, twin = _pair(net, data)
    rng = np.random.default_rng(5)
    z = rng.standard_normal((6, hom.n + 1)) + 1j * rng.standard_normal((6, hom.n + 1))
    s = rng.uniform(size=6) + 0.2j * rng.standard_normal(6)
    for a, b in zip(twin.evaluate(z, s), hom.evaluate(z, s)):
        assert np.allclose(a, b, rtol=1e-9, atol=1e-9 * np.abs(b).max())
    for a, b in zip(twin.target(z), hom.target(z)):
        assert np.allclose(a, b, rtol=1e-9, atol=1e-9 * np.abs(b).max())
    assert np.allclose(twin.residual(z), hom.residual(z), rtol=1e-8)


def test_its_paths_end_where_the_monomial_paths_end():
    """f = a b c x: 17 regularized critical points; 12 end in the zero-loss set, 5 at the
    degenerate origin (loss y^2 / 2), along either evaluation."""
    net = DenseNetwork((1, 1, 1, 1), "linear", bias=False)
    data = Data(np.array([[1.0]]), np.array([[1.0]]))
    reg, hom, twin = _pair(net, data)
    starts = np.array(solve(reg, start="total-degree", projective=True, seed=0, verify=False)
                      .solutions(only_nonsingular=True))
    ends = [run_paths(h, starts) for h in (hom, twin)]
    near_origin = [np.max(np.abs(e.affine), axis=1) < 1e-4 for e in ends]
    assert [int(n.sum()) for n in near_origin] == [5, 5]
    assert all(set(e.status[~n]) == {"singular"} for e, n in zip(ends, near_origin))
