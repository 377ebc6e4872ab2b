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
    specs = ["relu-chebyshev:4", "poly:0,1,0.1"]
    r = compare("tree", specs, 3, tmp_path, epochs=6, lr=0.2)
    curves = json.loads((tmp_path / "curves.json").read_text())
    for spec in specs:
        finals = [run["test_loss"][-1] for run in curves[spec] if run["status"] == "done"]
        assert r["table"][spec]["done"] == len(finals) >= 2
        assert r["table"][spec]["test_loss"]["mean"] == pytest.approx(np.mean(finals))
        assert r["table"][spec]["test_loss"]["std"] == pytest.approx(np.std(finals, ddof=1))
        assert (tmp_path / slug(spec) / "seed_1" / "index.json").exists()
    v = r["differences"]["poly:0,1,0.1"]
    a, b = r["table"]["poly:0,1,0.1"], r["table"]["relu-chebyshev:4"]
    bound = 2 * np.sqrt(a["test_loss"]["std"] ** 2 / a["done"] + b["test_loss"]["std"] ** 2 / b["done"])
    assert v["spread_bound"] == pytest.approx(bound)
    assert v["exceeds_spread"] == (abs(a["test_loss"]["mean"] - b["test_loss"]["mean"]) > bound)


def test_compare_counts_diverged_and_stuck_runs_apart_and_never_averages_them(tmp_path):
    r = compare("tree", ["relu", "monomial:5"], 2, tmp_path, epochs=2, lr=0.5, n_train=100)
    relu, mono = r["table"]["relu"], r["table"]["monomial:5"]
    assert (mono["runs"], mono["done"], mono["diverged"]) == (2, 0, 2)
    assert (relu["done"], relu["no_progress"]) == (0, 2)  # a ReLU tree at lr 0.5 answers the mean target
    assert mono["test_loss"] == {"mean": None, "std": None} and relu["test_loss"]["mean"] is None
    assert r["differences"]["monomial:5"]["exceeds_spread"] is None
    assert "reference" in r["differences"]["monomial:5"]["why"]
    curves = json.loads((tmp_path / "curves.json").read_text())
    assert {run["status"] for run in curves["monomial:5"]} == {"diverged"}
    assert all("epoch" in run["message"] for run in curves["monomial:5"])


def test_final_means_only_the_runs_that_ended_done():
    from bridge.compare import _final

    def run(status, value):
        return {"status": status, "test_loss": [1.0, value], "outside_radius": [[0.0, None], [0.5, None]]}

    row = _final([run("done", 0.2), run("done", 0.4), run("diverged", float("nan")), run("no progress", 0.9)])
    assert (row["runs"], row["done"], row["diverged"], row["no_progress"]) == (4, 2, 1, 1)
    assert row["test_loss"]["mean"] == pytest.approx(0.3) and row["test_loss"]["std"] == pytest.approx(0.1414213562)
    assert row["outside_radius"] == {"start": [0.0, None], "end": [0.5, None]}


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
                               "Proposition 1", "Polynomial against ReLU"], start=1):
        assert f"## {k}. " in report and title.lower() in report.lower()
    assert set(SECTIONS) <= set(r)
    for png in ("bounds.png", "dimension.png", "critical_set.png", "compare_dcnn.png", "compare_tree.png"):
        assert (tmp_path / png).stat().st_size > 0
    # recomputed independently of the study's code paths
    net = TreeNetwork()
    row12 = next(row for row in r["bounds"]["rows"] if row["data"] == 12)
    assert row12["total_degree"] == 9 ** 12 == network_bounds(net, 12).total_degree
    assert r["dimension"]["functional_dimension"] == functional_dimension(net, seed=5).dimension == 8
    assert r["count"]["solutions"] == 72
    assert r["critical"]["complex_nonsingular"] == 5  # f = a b x with L2: worked out by hand in test_critical
    # f = a b x, N = 1: the hyperbola takes 4 of the 5 regularized points, the origin (a saddle) stays
    first = r["proposition"]["rows"][0]
    assert (first["regularized"], first["limits"]["zero loss"], first["limits"]["isolated, non-zero loss"]) == (5, 4, 1)
    assert r["trained"]["all_consistent"] and r["trained"]["predicted_dimension"] == 12 - 4


def test_the_study_does_not_import_the_command_line():
    import subprocess
    import sys

    code = "import sys, bridge.study; assert 'bridge.cli' not in sys.modules, 'bridge.study imports bridge.cli'"
    subprocess.run([sys.executable, "-c", code], check=True)
