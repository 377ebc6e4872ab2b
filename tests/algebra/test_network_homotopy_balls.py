"""Krawczyk through a network's forward pass in ball arithmetic, against the monomial evaluator."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algebra.certify import Prover
from algebra.continuation.backend import backend
from algebra.continuation.family import ConstantFamily
from algebra.network_homotopy.balls import NetworkBalls
from algebra.network_homotopy.equations import forward_pass
from algebra.networks import DenseNetwork, TreeNetwork
from algebra.systems import critical_system, make_data, zero_loss_system


def _member(net, n_points, seed):
    data = make_data(net, n_points, seed)
    system = critical_system(net, data, l2="random", seed=seed)
    family = ConstantFamily.of(system)
    rng = np.random.default_rng(seed)
    z0 = (rng.standard_normal(net.n_weights) + 1j * rng.standard_normal(net.n_weights)) / 2
    return system, family.member(family.through(z0)), z0, forward_pass(net, data, system, backend())


# --- errors first ---------------------------------------------------------------------

def test_only_a_critical_system_with_its_own_forward_pass():
    net = DenseNetwork((1, 1, 1), "linear", bias=False)
    data = make_data(net, 1, 0)
    system, member, _, eq = _member(net, 1, 0)
    # the engine asks the evaluator it was handed (ForwardPass.balls); a zero-loss system's has none
    zero_loss = zero_loss_system(net, data)
    assert forward_pass(net, data, zero_loss, backend()).balls(zero_loss) is None
    assert isinstance(eq.balls(member), NetworkBalls)
    assert NetworkBalls.of(eq, zero_loss) is None
    other = critical_system(net, make_data(net, 1, 5), l2="random", seed=5)  # other data: they disagree
    assert NetworkBalls.of(eq, other) is None and eq.balls(other) is None


# --- tiny exact cases -----------------------------------------------------------------

def test_deep_linear_by_hand():
    # f = a b x, L = 1/2 (a b x - y)^2 + 1/2 (l1 a^2 + l2 b^2): F = (r b x + l1 a, r a x + l2 b)
    from flint import acb

    net = DenseNetwork((1, 1, 1), "linear", bias=False)
    data = make_data(net, 1, 0)
    x, y = float(data.x[0, 0]), float(data.y[0, 0])
    balls = NetworkBalls(net, data.x, data.y, [0.5, 0.25], None)
    a, b = 0.75, -1.5
    F, J = balls([acb(a), acb(b)])
    r = a * b * x - y
    want = [r * b * x + 0.5 * a, r * a * x + 0.25 * b]
    assert all(z.contains(acb(v)) or abs(complex(z.mid()) - v) < 1e-14 for z, v in zip(F.entries(), want))
    hess = [b * x * b * x + 0.5, a * x * b * x + r * x, a * x * b * x + r * x, a * x * a * x + 0.25]
    assert max(abs(complex(z.mid()) - v) for z, v in zip(J.entries(), hess)) < 1e-13


@pytest.mark.parametrize("net", [TreeNetwork(), DenseNetwork((2, 2, 1), "poly:0.1,0.5,0.3")])
def test_forward_and_monomial_proofs_agree(net):
    system, member, z0, eq = _member(net, 1, 3)
    balls = NetworkBalls.of(eq, member)
    assert balls is not None and not balls.real  # a member with complex constants
    points = np.array([z0, z0 + 1e-3])  # a solution, and a point that is none
    ours = Prover(member, max_precision=424, evaluator=balls).certificates(points)
    theirs = Prover(member, max_precision=424).certificates(points)
    assert [c.certified for c in ours] == [c.certified for c in theirs] == [True, False]
    assert np.abs(ours[0].midpoint - theirs[0].midpoint).max() < 1e-12


# --- properties -----------------------------------------------------------------------

@settings(max_examples=10, deadline=None)
@given(st.integers(0, 1000), st.sampled_from([TreeNetwork(), TreeNetwork(units=2, bias=False),
                                              DenseNetwork((2, 2, 1), "monomial:2", bias=False)]))
def test_the_balls_enclose_the_polynomial_member(seed, net):
    from flint import acb

    system, member, _, eq = _member(net, 1, seed)
    balls = NetworkBalls.of(eq, member)
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(net.n_weights) + 1j * rng.standard_normal(net.n_weights)
    F, _ = balls([acb(complex(v)) for v in w], want_j=False)
    got = np.array([complex(z.mid()) for z in F.entries()])
    want = member.evaluate(w)
    assert np.abs(got - want).max() <= 1e-9 * (1 + np.abs(want).max())
