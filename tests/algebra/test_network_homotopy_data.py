"""Critical points carried from one data set to another inside the network family
(algebra.network_homotopy.data): refusals, the arc's homotopy against finite
differences, and a carried solution set against monodromy on the other data."""
import numpy as np
import pytest

from algebra.activation import SpecError
from algebra.continuation.backend import backend
from algebra.network_homotopy.data import DataHomotopy, carry_to_data
from algebra.continuation.family import ConstantFamily
from algebra.continuation.homotopy import chart_for
from algebra.continuation.monodromy import monodromy_solve
from algebra.network_homotopy.equations import DataPath
from algebra.networks import DenseNetwork
from algebra.solve import distinct
from algebra.systems import critical_system, l2_weights, make_data

NET = DenseNetwork((1, 2, 1), "monomial:2", bias=False)  # 33 critical points with random L2, N = 2 (issue 5)
LAM = l2_weights(NET, "random", 0)


def _two_data_sets():
    d0, d1 = make_data(NET, 2, 0), make_data(NET, 2, 1)
    return d0, d1, critical_system(NET, d0, LAM), critical_system(NET, d1, LAM)


def test_a_target_with_other_degrees_is_refused():
    d0, d1, s0, _ = _two_data_sets()
    other = DenseNetwork((1, 2, 1), "monomial:3", bias=False)
    s1 = critical_system(other, make_data(other, 2, 1), l2_weights(other, "random", 0))
    r = monodromy_solve(s0, seed=0, final=False)
    with pytest.raises(SpecError, match="same unknowns and equation degrees"):
        carry_to_data(r, s0, s1, DataPath(NET, (d0.x, d0.y), (d1.x, d1.y), LAM, backend()))


def test_the_arcs_homotopy_derivatives_match_finite_differences_and_its_ends_are_the_members():
    d0, d1, s0, s1 = _two_data_sets()
    rng = np.random.default_rng(4)
    c0, c1 = (rng.standard_normal((2, 4)) + 1j * rng.standard_normal((2, 4)))
    hom = DataHomotopy(DataPath(NET, (d0.x, d0.y), (d1.x, d1.y), LAM, backend()), s0.degrees, chart_for(5, 2),
                       c0, c1, np.exp(0.7j))
    z = rng.standard_normal((3, 5)) + 1j * rng.standard_normal((3, 5))
    s = np.array([0.2, 0.5 + 0.1j, 0.9])
    h, hz, hs = hom.evaluate(z, s)
    eps = 1e-6
    for k in range(5):
        e = np.zeros(5)
        e[k] = eps
        assert np.allclose(hz[:, :, k], (hom.evaluate(z + e, s)[0] - hom.evaluate(z - e, s)[0]) / (2 * eps), atol=1e-5)
    assert np.allclose(hs, (hom.evaluate(z, s + eps)[0] - hom.evaluate(z, s - eps)[0]) / (2 * eps), atol=1e-5)
    # at s = 0 and 1: the member of each data set's family with constants (its own +) c0, c1
    x = rng.standard_normal((1, 4)) + 1j * rng.standard_normal((1, 4))
    point = hom.lift(x)
    for s_end, system, c in ((0.0, s0, c0), (1.0, s1, c1)):
        value = hom.evaluate(point, np.array([s_end + 0j]))[0][0, :4] / point[0, 0] ** np.array(system.degrees)
        assert np.allclose(value, system.evaluate(x[0]) + c)


def test_a_carried_set_is_the_other_data_sets_whole_count():
    d0, d1, s0, s1 = _two_data_sets()
    r0 = monodromy_solve(s0, seed=0, final=False)
    assert r0.count == 33
    moved = carry_to_data(r0, s0, s1, DataPath(NET, (d0.x, d0.y), (d1.x, d1.y), LAM, backend()), seed=1)
    assert moved.count == 33 and moved.failed == 0 and moved.stopped.startswith("carried 33 solutions")
    member = ConstantFamily.of(s1).member(moved.base_constants)
    assert np.abs(member.evaluate(moved.base_solutions)).max() < 1e-8
    assert len(distinct(list(moved.base_solutions))) == 33
    # loops on the other data from there add nothing, and the final homotopy gives its 33
    more = monodromy_solve(s1, seed=1, resume=moved)
    assert more.count == 33 and len(more.solutions) == 33
