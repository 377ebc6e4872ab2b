"""The critical set by the eps -> 0 method: hand-worked models, deep linear counts, refusals."""
import numpy as np
import pytest

from algebra.activation import SpecError
from algebra.critical_set import CLASSES, critical_set
from algebra.networks import DenseNetwork
from algebra.systems import Data


def _one_point(y=1.0):
    return Data(np.array([[1.0]]), np.array([[y]]))


def test_bad_method_and_too_many_paths_are_refused():
    net = DenseNetwork((1, 1, 1), "linear", bias=False)
    with pytest.raises(SpecError, match="method 'newton'"):
        critical_set(net, _one_point(), method="newton")
    with pytest.raises(SpecError, match="use --method monodromy"):
        critical_set(net, _one_point(), max_paths=4)  # the regularized system has 9 total-degree paths


def test_f_equals_a_b_x_by_hand():
    """L = 1/2 (a b - 1)^2: the hyperbola a b = 1 (dimension W - N = 1, degree 2, Hessian
    nullity 1) and the origin (loss 1/2, Hessian [[0, -1], [-1, 0]]: a saddle of index 1).
    With lambda: lambda_1 a^2 = lambda_2 b^2 and a b = 1 -+ sqrt(lambda_1 lambda_2): four
    points, which go to the hyperbola, and the origin, which stays."""
    r = critical_set(DenseNetwork((1, 1, 1), "linear", bias=False), _one_point())
    assert r.regularized["verdict"] == "probability-one" and r.complete
    assert r.limits == {"zero loss": 4, "isolated, non-zero loss": 1, "singular, non-zero loss": 0,
                        "infinity": 0, "failed": 0}
    (origin,) = r.isolated
    assert origin.real and origin.regular and origin.kind == "saddle-1" and origin.nullity == 0
    assert origin.loss == pytest.approx(0.5, abs=1e-12) and np.abs(origin.weights).max() < 1e-10
    z = r.zero_loss
    assert (z["dimension"], z["predicted"], z["hessian_nullity"], z["degree"], z["degree_certified"]) == (1, 1, 1, 2, True)
    prop = r.proposition_1()
    assert prop["holds"] is True and prop["nonzero_loss_minima"] == 0 and prop["zero_loss_degenerate"] is True


def test_f_equals_a_b_c_x_has_a_degenerate_saddle_at_the_origin():
    """The Hessian of 1/2 (a b c x - y)^2 is 0 at the origin; the cubic term descends, so it
    is no minimum. 17 regularized critical points: the deep linear count of issue 5."""
    r = critical_set(DenseNetwork((1, 1, 1, 1), "linear", bias=False), _one_point(), degree=False)
    assert r.regularized["verdict"] == "probability-one" and sum(r.limits.values()) == 17 and set(r.limits) == set(CLASSES)
    # eps-paths into the 2-dimensional zero-loss set can fail in the endgame (1 of 17 here): then
    # the list is a lower bound, and says so
    assert r.complete == (r.limits["failed"] == 0)
    (origin,) = r.points(real=True)
    assert not origin.regular and origin.nullity == 3 and origin.kind == "degenerate"
    assert origin.lower_nearby and not origin.degenerate_minimum_candidate
    assert r.proposition_1()["holds"] is (True if r.complete else None)


def test_monodromy_finds_what_the_total_degree_homotopy_finds():
    net = DenseNetwork((1, 1, 1), "linear", bias=False)
    by_paths = critical_set(net, _one_point(2.0), degree=False)
    by_loops = critical_set(net, _one_point(2.0), method="monodromy", degree=False)
    assert by_loops.limits == by_paths.limits
    assert [p.kind for p in by_loops.isolated] == [p.kind for p in by_paths.isolated] == ["saddle-1"]
    # proved and complete (the trace test), and no eps-path failed: the list is complete
    assert by_loops.regularized["certified"] and by_loops.regularized["completeness"]["verdict"] == "complete"
    assert by_loops.complete and by_loops.proposition_1()["holds"] is True
    unchecked = critical_set(net, _one_point(2.0), method="monodromy", degree=False, completeness=False)
    assert not unchecked.complete and "lower bound" in unchecked.proposition_1()["why"]


def test_a_degenerate_minimum_of_non_zero_loss_is_told_from_a_degenerate_saddle():
    """f = c (w x)^2, y = -1: L = 1/2 (c w^2 + 1)^2 is critical on the line w = 0, Hessian
    diag(2c, 0) in (w, c). At c = 1 it is a degenerate minimum (L >= 1/2 nearby, flat along
    the line); at the origin of f = a b c x the cubic term descends in the null space."""
    from algebra.critical import classify_point
    from algebra.critical_set import _lower_nearby
    from algebra.systems import critical_system, loss_polynomial

    net = DenseNetwork((1, 1, 1), "monomial:2", bias=False)
    assert net.weight_names == ("w1_1_1", "w2_1_1")  # (w, c)
    data = _one_point(-1.0)
    loss, grad = loss_polynomial(net, data), critical_system(net, data)
    point = classify_point(loss, grad, np.array([0.0, 1.0]))
    assert (point.index, point.nullity, point.loss) == (0, 1, 0.5)
    assert not _lower_nearby(loss, grad, np.array([0.0, 1.0]), 0.5, 1)
    deep = DenseNetwork((1, 1, 1, 1), "linear", bias=False)
    data = _one_point(1.0)
    assert _lower_nearby(loss_polynomial(deep, data), critical_system(deep, data), np.zeros(3), 0.5, 3)


def test_a_result_prints_as_one_line_in_a_notebook():
    from algebra.critical import critical_points
    from algebra.witness import witness
    from algebra.examples import twisted_cubic

    r = critical_set(DenseNetwork((1, 1, 1), "linear", bias=False), _one_point(), degree=False)
    assert repr(r) == ("<CriticalSet W = 2, N = 1: 5 regularized critical points -> zero loss 4, isolated, non-zero "
                       "loss 1; 1 distinct non-zero-loss limits; Proposition 1 holds>")
    c = critical_points(DenseNetwork((1, 1), "linear", bias=False), _one_point(2.0))
    assert repr(c).startswith("<CriticalResult W = 1: 1 complex nonsingular") and "\n" not in repr(c)
    assert repr(witness(twisted_cubic())) == "<WitnessResult dimension 1: dimension 1 degree 3>"
