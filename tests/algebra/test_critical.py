"""Critical points of the loss: hand-worked cases, deep linear counts against msolve."""
import math
import os
import re
import subprocess
import tempfile

import numpy as np
import pytest

from algebra.activation import SpecError
from algebra.critical import classify_inertia, critical_points, inertia
from algebra.msolve import binary, real_solutions, to_msolve
from algebra.networks import DenseNetwork, TreeNetwork
from algebra.systems import Data, critical_system, make_data


# --- errors first ---------------------------------------------------------------------

def test_too_many_paths_names_the_limit_and_the_way_on():
    net = TreeNetwork(units=1)
    with pytest.raises(SpecError, match=r"above the limit of 5,000.*--max-paths"):
        critical_points(net, make_data(net, 2))


def test_bad_l2_is_one_line():
    net = DenseNetwork((1, 1, 1), "linear", bias=False)
    with pytest.raises(SpecError, match="l2 needs 1 or 2 values"):
        critical_points(net, make_data(net, 1), l2=[1.0, 2.0, 3.0])


# --- tiny exact cases ---------------------------------------------------------------------

def test_inertia_names():
    assert classify_inertia(4, 2, 0) == "saddle-2"
    ev, nullity, index, rank = inertia(np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert nullity == 0 and index == 1 and rank.rank == 2


def _by_hand(x, y, l1, l2):
    """f = a b x, L = (a b x - y)^2 / 2 + (l1 a^2 + l2 b^2) / 2.

    Critical points: the origin, and with p = a b, s = +-sqrt(l1 l2): p x^2 = x y - s,
    a^2 = s p / l1, two signs of a each. Real ones need s p > 0: besides the origin two
    when |x y| > sqrt(l1 l2), none otherwise. The origin's Hessian [[l1, -xy], [-xy, l2]]
    is definite iff l1 l2 > (x y)^2."""
    root = math.sqrt(l1 * l2)
    nonzero_real = 2 if abs(x * y) > root else 0
    origin = "minimum" if l1 * l2 > (x * y) ** 2 else "saddle-1"
    p = (x * y - math.copysign(root, x * y)) / x ** 2
    loss = 0.5 * (p * x - y) ** 2 + 0.5 * (l1 * abs(root * p / l1) + l2 * abs(root * p / l2))
    return 5, 1 + nonzero_real, origin, loss


@pytest.mark.parametrize("x,y,l1,l2", [(1.0, 2.0, 0.5, 0.8), (1.0, 0.5, 0.5, 0.8), (-2.0, 1.5, 0.3, 0.2)])
def test_one_dimensional_deep_linear_network_by_hand(phc_ready, x, y, l1, l2):
    net = DenseNetwork((1, 1, 1), "linear", bias=False)
    r = critical_points(net, Data(np.array([[x]]), np.array([[y]])), l2=[l1, l2])
    n_complex, n_real, origin, loss = _by_hand(x, y, l1, l2)
    assert r.complex_nonsingular == n_complex and r.real == n_real
    kinds = {tuple(np.round(p.weights, 9) + 0.0): p.kind for p in r.points}
    assert kinds[(0.0, 0.0)] == origin
    if n_real == 3:
        assert r.minima == 2
        assert all(abs(p.loss - loss) < 1e-9 for p in r.points if p.kind == "minimum")
    assert r.solve["verdict"] == "probability-one"


# --- deep linear networks (Mehta, Chen, Tang & Hauenstein) against msolve -----------------

def _msolve_degree(system) -> int:
    """Number of complex solutions: the degree of msolve's rational parametrization."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.ms"), os.path.join(tmp, "out.ms")
        with open(src, "w") as f:
            f.write(to_msolve(system))
        subprocess.run([binary(), "-f", src, "-o", dst, "-P", "1"], check=True, capture_output=True, timeout=300)
        text = open(dst).read()
    m = re.match(r"\s*\[0,\s*\[0,\s*(\d+),\s*(\d+),", text)
    assert m, text[:200]
    return int(m.group(2))


def _short_rationals(net, n, seed):
    d = make_data(net, n, seed)  # rounded to eighths: exact solvers stay fast
    return Data(np.round(d.x * 8) / 8, np.round(d.y * 8) / 8)


@pytest.mark.parametrize("widths", [(1, 1, 1), (1, 2, 1), (2, 1, 2), (1, 1, 1, 1), (2, 2, 1)])
def test_deep_linear_counts_match_msolve(phc_ready, widths):
    net = DenseNetwork(widths, "linear", bias=False)
    data = _short_rationals(net, 2, 1)
    lam = np.round(np.random.default_rng(7).uniform(0.1, 1, net.n_weights) * 8) / 8
    r = critical_points(net, data, l2=lam, seed=1)
    system = critical_system(net, data, lam)
    assert r.complex_nonsingular == _msolve_degree(system)
    assert r.real == real_solutions(system)["count"]
    assert r.minima >= 1  # L is coercive with L2: a global minimum exists
    assert r.degenerate == 0  # generic lambda: every critical point is nondegenerate


def test_real_critical_points_are_critical_and_classified_by_an_independent_hessian(phc_ready):
    net = DenseNetwork((2, 1, 2), "linear", bias=False)
    data = make_data(net, 2, seed=4)
    r = critical_points(net, data, l2="random", seed=4)
    lam = np.random.default_rng([4, 2]).uniform(0.1, 1.0, net.n_weights)

    def loss(w):
        a, b = w[:2], w[2:]
        pred = np.outer(data.x @ a, b)
        return 0.5 * np.sum((pred - data.y) ** 2) + 0.5 * np.sum(lam * w ** 2)

    eps = 1e-4
    for p in r.points:
        w = p.weights
        grad = np.array([(loss(w + eps * e) - loss(w - eps * e)) / (2 * eps) for e in np.eye(4)])
        assert np.linalg.norm(grad) < 1e-6
        hess = np.array([[(loss(w + eps * (ei + ej)) - loss(w + eps * (ei - ej)) - loss(w - eps * (ei - ej))
                           + loss(w - eps * (ei + ej))) / (4 * eps ** 2) for ej in np.eye(4)] for ei in np.eye(4)])
        assert int(np.sum(np.linalg.eigvalsh(hess) < 0)) == p.index
        assert abs(loss(w) - p.loss) < 1e-9


# --- zero-loss points: degenerate minima -------------------------------------------------

def test_zero_loss_minima_are_degenerate_with_nullity_w_minus_n(phc_ready):
    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    r = critical_points(net, make_data(net, 1, seed=2))
    z = r.zero_loss
    assert z["dimension"] == z["predicted"] == z["hessian_nullity"] == 3
    assert z["degenerate"] and z["consistent"]
    assert r.solve["positive_dimensional"] > 0  # the zero-loss set: singular endpoints on a component


def test_monodromy_finds_and_classifies_the_same_critical_points_as_the_total_degree_homotopy():
    from algebra.networks import DenseNetwork
    from algebra.systems import make_data

    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    data = make_data(net, 2, 0)
    by_paths = critical_points(net, data, l2="random", seed=0)
    by_loops = critical_points(net, data, l2="random", seed=0, method="monodromy")
    assert by_loops.solve["method"] == "monodromy" and by_loops.solve["certified"]
    assert by_loops.solve["completeness"]["verdict"] == "complete"
    assert (by_loops.complex_nonsingular, by_loops.real) == (by_paths.complex_nonsingular, by_paths.real)
    assert [(p.kind, p.index, p.nullity) for p in sorted(by_loops.points, key=lambda p: p.loss)] == \
        [(p.kind, p.index, p.nullity) for p in sorted(by_paths.points, key=lambda p: p.loss)]
    assert np.allclose(sorted(p.loss for p in by_loops.points), sorted(p.loss for p in by_paths.points))
    with pytest.raises(SpecError, match="method"):
        critical_points(net, data, l2="random", method="loops")
