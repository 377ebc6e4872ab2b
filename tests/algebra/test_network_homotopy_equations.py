"""A network's zero-loss equations through its forward pass: refusals of other systems,
agreement with the expanded polynomials (values, Jacobians, homogenized), and monodromy
with it against monodromy with the monomials."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from algebra.activation import parse_activation
from algebra.continuation.backend import backend
from algebra.continuation.evaluate import Homogenized, MonomialEvaluator, homogenize
from algebra.continuation.monodromy import monodromy_solve
from algebra.network_homotopy.equations import COMPILED_PRODUCTS, CriticalEquations, NetworkEquations, \
    forward_pass, monomial_products, network_evaluator
from algebra.networks import DenseNetwork, TreeNetwork
from algebra.systems import critical_system, l2_weights, make_data, random_slices, zero_loss_system


def _complex(rng, *shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


# --- other systems are not taken for the network's ----------------------------------------

def test_critical_and_fixed_weight_systems_get_no_forward_pass():
    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    data = make_data(net, 2, 0)
    assert NetworkEquations.of(net, data.x, critical_system(net, data, l2=[1.0] * 4), backend()) is None
    fixed = zero_loss_system(net, data).substitute({"w1_1_1": 1.0})
    assert NetworkEquations.of(net, data.x, fixed, backend()) is None
    # the system of other data is not this data's
    other = make_data(net, 2, 1)
    assert NetworkEquations.of(net, data.x, zero_loss_system(net, other), backend()) is None


# --- the same values as the expanded polynomials ---------------------------------------------

NETWORKS = [TreeNetwork(units=1, activation=parse_activation("poly:0.1,0.5,0.3"), bias=True),
            TreeNetwork(units=2, activation=parse_activation("monomial:2"), bias=False),
            DenseNetwork((2, 2, 1), "monomial:2", bias=False),
            DenseNetwork((2, 1, 2), "linear", bias=True),
            DenseNetwork((1, 2, 2, 1), "poly:0,1,0.5", bias=True)]


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(range(len(NETWORKS))), st.integers(1, 3), st.integers(0, 10 ** 6))
def test_forward_pass_values_and_jacobians_equal_the_polynomials(which, n, seed):
    net = NETWORKS[which]
    data = make_data(net, n, seed % 7)
    system = zero_loss_system(net, data)
    slices = max(0, system.n_variables - system.n_equations)
    system = random_slices(system, slices, seed)
    eq = NetworkEquations.of(net, data.x, system, backend())
    assert eq is not None
    rng = np.random.default_rng(seed)
    w = _complex(rng, 3, net.n_weights)
    vals, jac = eq.evaluate(w)
    # up to the constant terms (the targets y and the slice offsets)
    const = system.evaluate(np.zeros(net.n_weights))
    assert np.allclose(vals - eq.evaluate(0 * w)[0], np.array([system.evaluate(p) for p in w]) - const)
    assert np.allclose(jac, np.array([system.jacobian(p) for p in w]))
    # homogenized: the monomial evaluator of the homogenized system without its constants
    base = system
    degrees = base.degrees
    proj = Homogenized(eq, degrees, backend())
    coef = base.coefficients.toarray().astype(complex)
    zero = ~base.monomials.any(axis=1)
    coef[:, zero] = 0
    from scipy import sparse

    from algebra.polys import PolySystem

    mons, hc = homogenize(PolySystem(base.variables, base.monomials, sparse.csr_array(coef)), list(degrees))
    ref = MonomialEvaluator(mons, hc, backend())
    z = _complex(rng, 3, net.n_weights + 1)
    for a, b in zip(proj.evaluate(z), ref.evaluate(z)):
        assert np.allclose(a, b, rtol=1e-9, atol=1e-9 * (1 + np.abs(b).max()))


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(range(len(NETWORKS))), st.integers(1, 3), st.sampled_from([None, "random", 0.7]),
       st.integers(0, 10 ** 6))
def test_second_order_jets_give_the_critical_system_and_its_jacobian(which, n, l2, seed):
    net = NETWORKS[which]
    data = make_data(net, n, seed % 5, "complex" if seed % 2 else "real")
    lam = l2_weights(net, l2, seed)
    system = critical_system(net, data, lam)
    eq = forward_pass(net, data, system, backend())
    assert isinstance(eq, CriticalEquations)
    rng = np.random.default_rng(seed)
    w = _complex(rng, 2, net.n_weights)
    vals, jac = eq.evaluate(w)
    assert np.allclose(vals, np.array([system.evaluate(p) for p in w]), rtol=1e-9, atol=1e-9)
    assert np.allclose(jac, np.array([system.jacobian(p) for p in w]), rtol=1e-9, atol=1e-9)


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(range(len(NETWORKS))), st.integers(1, 3), st.integers(0, 10 ** 6))
def test_a_data_path_is_each_data_sets_critical_system_at_its_end_and_its_t_derivative_between(which, n, seed):
    from algebra.network_homotopy.equations import DataPath

    net = NETWORKS[which]
    lam = l2_weights(net, "random", seed)
    d0, d1 = make_data(net, n, seed % 5), make_data(net, n, seed % 5 + 1, "complex")
    path = DataPath(net, (d0.x, d0.y), (d1.x, d1.y), lam, backend())
    rng = np.random.default_rng(seed)
    w = _complex(rng, 3, net.n_weights)
    t = np.array([0.0, 1.0, 0.3 + 0.4j])
    vals, jac, dt = path.evaluate(w, t)
    for k, data in ((0, d0), (1, d1)):
        system = critical_system(net, data, lam)
        scale = 1 + np.abs(vals[k]).max()
        assert np.allclose(vals[k], system.evaluate(w[k]), rtol=1e-9, atol=1e-9 * scale)
        assert np.allclose(jac[k], system.jacobian(w[k]), rtol=1e-9, atol=1e-9 * (1 + np.abs(jac[k]).max()))
    eps = 1e-6
    central = (path.evaluate(w, t + eps)[0] - path.evaluate(w, t - eps)[0]) / (2 * eps)
    assert np.allclose(dt, central, rtol=1e-6, atol=1e-6 * (1 + np.abs(dt).max()))


def test_a_data_path_refuses_data_sets_of_different_sizes():
    from algebra.network_homotopy.equations import DataPath

    net = NETWORKS[0]
    d1, d2 = make_data(net, 1, 0), make_data(net, 2, 0)
    with pytest.raises(ValueError, match="same number of points"):
        DataPath(net, (d1.x, d1.y), (d2.x, d2.y), None, backend())


def test_a_critical_system_with_other_l2_weights_gets_no_forward_pass():
    net = NETWORKS[2]
    data = make_data(net, 2, 0)
    system = critical_system(net, data, l2_weights(net, "random", 0))
    assert CriticalEquations.of(net, data, l2_weights(net, "random", 1), system, backend()) is None
    assert CriticalEquations.of(net, data, None, zero_loss_system(net, data), backend()) is None


def test_small_systems_keep_their_monomials_on_numpy_only():
    """The compiled tracker evaluates monomials; the forward pass is for systems with many."""
    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    data = make_data(net, 1, 0)
    small = random_slices(zero_loss_system(net, data), 3, 0)
    assert monomial_products(small) <= COMPILED_PRODUCTS
    assert network_evaluator(net, data, small, backend()) is None
    assert isinstance(network_evaluator(net, data, small, backend("cpu")), NetworkEquations)
    big = TreeNetwork(units=1, activation=parse_activation("poly:0.1,0.5,0.3"))
    data = make_data(big, 1, 0)
    system = critical_system(big, data, l2_weights(big, "random", 0))
    assert monomial_products(system) > COMPILED_PRODUCTS
    assert isinstance(network_evaluator(big, data, system, backend()), CriticalEquations)


# --- monodromy with the forward pass ---------------------------------------------------------

def test_monodromy_through_the_forward_pass_finds_the_same_witness_points():
    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    data = make_data(net, 1, 0)
    system = random_slices(zero_loss_system(net, data), 3, 0)
    eq = NetworkEquations.of(net, data.x, system, backend())
    fast = monodromy_solve(system, seed=1, stall=8, equations=eq)
    plain = monodromy_solve(system, seed=1, stall=8)
    # v1 (w1 x)^2 + v2 (w2 x)^2 = y: a cubic hypersurface, 3 witness points
    assert fast.count == plain.count == 3 and len(fast.solutions) == 3
    from algebra.solve import distinct

    assert len(distinct(list(fast.solutions) + list(plain.solutions))) == 3


def test_monodromy_through_the_forward_pass_on_torch_finds_the_same_points():
    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    data = make_data(net, 1, 0)
    system = random_slices(zero_loss_system(net, data), 3, 0)
    on_torch = monodromy_solve(system, seed=1, stall=8, device="cpu",
                               equations=network_evaluator(net, data, system, backend("cpu")))
    on_numpy = monodromy_solve(system, seed=1, stall=8, equations=forward_pass(net, data, system, backend()))
    from algebra.solve import distinct

    assert on_torch.count == on_numpy.count == 3
    assert len(distinct(list(on_torch.solutions) + list(on_numpy.solutions))) == 3


def test_certified_monodromy_runs_through_a_forward_pass(monkeypatch):
    # only systems past COMPILED_PRODUCTS loop through their forward pass (the canonical tree's
    # critical system); the trace test's augmented evaluator then lacked a hook the loops asked
    # for, and no smaller system showed it. With the threshold at 0 a tiny one takes that road.
    from algebra.critical import critical_points
    from algebra.network_homotopy import equations

    net = DenseNetwork((1, 2, 1), "poly:0.1,0.5,0.3", bias=False)
    data = make_data(net, 1, 0)
    plain = critical_points(net, data, l2="random", seed=1, method="monodromy")
    monkeypatch.setattr(equations, "COMPILED_PRODUCTS", 0)
    forward = critical_points(net, data, l2="random", seed=1, method="monodromy")
    assert plain.solve["certified"] and forward.solve["certified"]
    assert (forward.complex_nonsingular, forward.real) == (plain.complex_nonsingular, plain.real)
