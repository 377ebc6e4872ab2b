"""Each world checks the other; the comparison and the study."""
import json

import numpy as np
import pytest

from algebra.networks import DenseNetwork, TreeNetwork, evaluate
from algebra.systems import make_data
from bridge.checks import algebra_solutions, train_to_zero_loss, trained_solutions
from bridge.compare import compare, slug, teacher_data


def test_trained_solutions_are_zero_loss_with_dimension_w_minus_n(phc_ready):
    net = TreeNetwork(units=1)
    data = make_data(net, 3, seed=2)
    r = trained_solutions(net, data, seeds=range(3))
    assert r["solutions"] == 3 and r["all_consistent"]
    for row in r["rows"]:
        assert row["residual"] < 1e-10
        assert row["local_dimension"] == row["hessian_nullity"] == net.n_weights - 3
    # independent: the trained weights fit the data in the algebra's own evaluation
    w, loss = train_to_zero_loss(net, data, seed=0)
    assert np.abs(evaluate(net, data.x, w) - data.y).max() < 1e-10
    assert r["distance_min"] > 1e-3  # different seeds, different points of the zero set


def test_witness_membership_of_trained_solutions(phc_ready):
    net = TreeNetwork(units=1, activation="monomial:2", bias=False)
    r = trained_solutions(net, make_data(net, 2, seed=0), seeds=[2], with_witness=True)
    assert r["witness_degree"] == 72
    assert r["rows"][0]["witness_member"] in (True, None)  # None: the membership homotopy lost a path


def test_algebra_critical_points_agree_with_torch(phc_ready):
    net = DenseNetwork((2, 2, 1), "linear", bias=False)
    r = algebra_solutions(net, make_data(net, 2, seed=1), l2="random", seed=1)
    assert r["points"] == 3 and r["agree"]
    assert r["max_gradient_norm"] < 1e-9


def test_compare_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="network"):
        compare("resnet", ["relu"], 1, tmp_path)
    with pytest.raises(ValueError, match="seeds"):
        compare("tree", ["relu"], 0, tmp_path)


def test_compare_table_recomputed_from_the_curves(tmp_path):
    r = compare("tree", ["relu", "poly:0,0.5,0.5"], 2, tmp_path, epochs=2)
    curves = json.loads((tmp_path / "curves.json").read_text())
    for spec in ("relu", "poly:0,0.5,0.5"):
        finals = [run["test_loss"][-1] for run in curves[spec]]
        assert r["table"][spec]["test_loss"]["mean"] == pytest.approx(np.mean(finals))
        assert r["table"][spec]["test_loss"]["std"] == pytest.approx(np.std(finals, ddof=1))
        assert (tmp_path / slug(spec) / "seed_1" / "index.json").exists()
    v = r["differences"]["poly:0,0.5,0.5"]
    a, b = r["table"]["poly:0,0.5,0.5"]["test_loss"], r["table"]["relu"]["test_loss"]
    assert v["exceeds_spread"] == (abs(a["mean"] - b["mean"]) > 2 * np.sqrt((a["std"] ** 2 + b["std"] ** 2) / 2))


def test_teacher_data_is_seeded_and_standardized():
    a, b = teacher_data(50, 10, seed=1), teacher_data(50, 10, seed=1)
    assert np.array_equal(a.y_train.numpy(), b.y_train.numpy())
    assert abs(float(a.y_train.mean())) < 1e-12 and abs(float(a.y_train.std()) - 1) < 1e-12


def test_tiny_study_has_every_section_and_its_numbers_recompute(phc_ready, tmp_path):
    from algebra.bounds import network_bounds
    from algebra.dimension import functional_dimension
    from bridge.study import SECTIONS, StudyConfig, run_study

    r = run_study(StudyConfig.quick(), tmp_path)
    report = (tmp_path / "report.md").read_text()
    for k, title in enumerate(["Bounds", "counted square instance", "Dimension", "Critical points", "Trained",
                               "Polynomial against ReLU"], start=1):
        assert f"## {k}. " in report and title.lower() in report.lower()
    assert set(SECTIONS) <= set(r)
    for png in ("bounds.png", "dimension.png", "compare_dcnn.png", "compare_tree.png"):
        assert (tmp_path / png).stat().st_size > 0
    # recomputed independently of the study's code paths
    net = TreeNetwork()
    row12 = next(row for row in r["bounds"]["rows"] if row["data"] == 12)
    assert row12["total_degree"] == 9 ** 12 == network_bounds(net, 12).total_degree
    assert r["dimension"]["functional_dimension"] == functional_dimension(net, seed=5).dimension == 8
    assert r["count"]["solutions"] == 72
    assert r["critical"]["complex_nonsingular"] == 5  # f = a b x with L2: worked out by hand in test_critical
    assert r["trained"]["all_consistent"] and r["trained"]["predicted_dimension"] == 12 - 4
