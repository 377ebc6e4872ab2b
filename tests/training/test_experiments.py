"""Experiments at micro scale, MDS exactness, resume."""
import json

import numpy as np
import pytest

from training.experiments import KINDS, barrier, make_config, run_experiment
from training.mds import classical_mds, cosine_dissimilarity
from training.plots import plot_run


def test_unknown_experiment_and_scale():
    with pytest.raises(ValueError, match="unknown experiment"):
        make_config("stages", "tiny")
    with pytest.raises(ValueError, match="unknown scale"):
        make_config("sgd-stages", "huge")
    with pytest.raises(ValueError, match="even"):
        make_config("sgd-stages", "micro", trajectories=3)


def test_mds_recovers_a_known_configuration_exactly():
    rng = np.random.default_rng(0)
    planar = rng.standard_normal((12, 2))
    # unit vectors in a 2-D plane of R^6: the chord distances are Euclidean in 2 dimensions
    basis = np.linalg.qr(rng.standard_normal((6, 2)))[0]
    w = (planar / np.linalg.norm(planar, axis=1, keepdims=True)) @ basis.T * rng.uniform(1, 3, (12, 1))
    e = classical_mds(w)
    assert e.kept_share == pytest.approx(1.0, abs=1e-12) and e.negative == 0
    u = w / np.linalg.norm(w, axis=1, keepdims=True)
    d_true = np.linalg.norm(u[:, None] - u[None], axis=2)
    d_emb = np.linalg.norm(e.coordinates[:, None] - e.coordinates[None], axis=2)
    assert np.abs(d_true - d_emb).max() < 1e-10


def test_one_minus_cos_is_not_euclidean_and_says_so():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((30, 5))
    e = classical_mds(w, kind="one-minus-cos")
    assert e.negative > 0 and 0 < e.negative_share < 1
    assert np.all(np.isfinite(e.coordinates))
    assert classical_mds(w).negative == 0  # the chord distance is Euclidean


def test_cosine_dissimilarity_refuses_zero_vectors():
    with pytest.raises(ValueError, match="zero"):
        cosine_dissimilarity(np.array([[1.0, 0.0], [0.0, 0.0]]))


def test_barrier_definition():
    assert barrier([0.1, 0.3, 0.2]) == pytest.approx(0.15)
    assert barrier([0.2, 0.1, 0.2]) == 0.0  # the endpoints are on the path: never negative


@pytest.mark.parametrize("name", list(KINDS))
def test_each_experiment_at_micro_scale(tmp_path, name):
    cfg = make_config(name, "micro")
    summary = run_experiment(name, cfg, tmp_path, progress=False)
    assert json.loads((tmp_path / "summary.json").read_text()) == json.loads(json.dumps(summary, default=float))
    assert plot_run(tmp_path)
    if name in ("sgd-stages", "random-labels"):
        assert len(summary["final_train_error"]) == cfg.stages
        for key in ("interpolation_barrier_near", "interpolation_barrier_far", "sibling_distance_perturbed_start"):
            assert summary[key] is not None
        stage = np.load(tmp_path / "stage_01.npz")
        assert stage["weights"].shape[:2] == (cfg.trajectories, cfg.epochs + 1)
        assert summary["mds"]["all/all"]["negative_eigenvalues"] == 0
    if name == "perturb-retrain":
        assert isinstance(summary["perturbation_lowered_loss"], bool)
        assert summary["runs"] == 2 * cfg.repeats * (len(cfg.perturb_at) + 1)
    if name == "gd-branches":
        assert len(summary["branches"]) == len(cfg.branch_at) * len(cfg.noises)
    if name == "overparam":
        params = [r["parameters"] for r in summary["widths"]]
        assert params == sorted(params)


def test_resume_skips_finished_units_and_refuses_another_config(tmp_path):
    cfg = make_config("sgd-stages", "micro")
    first = run_experiment("sgd-stages", cfg, tmp_path, progress=False)
    before = (tmp_path / "stage_01.npz").stat().st_mtime_ns
    (tmp_path / "stage_02.npz").unlink()  # as if interrupted during stage 2
    again = run_experiment("sgd-stages", cfg, tmp_path, progress=False)
    assert (tmp_path / "stage_01.npz").stat().st_mtime_ns == before
    assert again["final_train_error"] == first["final_train_error"]
    with pytest.raises(ValueError, match="another configuration"):
        run_experiment("sgd-stages", make_config("sgd-stages", "micro", seed=3), tmp_path, progress=False)


def test_interpolation_endpoints_equal_the_models(tmp_path):
    summary = run_experiment("sgd-stages", make_config("sgd-stages", "micro"), tmp_path, progress=False)
    stage = np.load(tmp_path / f"stage_{2:02d}.npz")
    assert summary["interpolation_near"][0] == pytest.approx(stage["train_error"][0, -1])
    assert summary["interpolation_near"][-1] == pytest.approx(stage["train_error"][1, -1])


def test_an_experiment_reads_cifar10_files(tmp_path):
    from training.data import write_tiny_cifar10

    write_tiny_cifar10(str(tmp_path / "cifar"), per_batch=24)  # 120 points: the micro preset's n_train
    cfg = make_config("overparam", "micro", data="cifar10", root=str(tmp_path / "cifar"))
    summary = run_experiment("overparam", cfg, tmp_path / "run", progress=False)
    assert len(summary["widths"]) == 2
    assert json.loads((tmp_path / "run" / "experiment.json").read_text())["data"] == "cifar10"


def test_a_missing_data_set_leaves_no_experiment_folder(tmp_path):
    from training.data import DataError

    cfg = make_config("overparam", "micro", data="cifar10", root=str(tmp_path / "nowhere"))
    with pytest.raises(DataError):
        run_experiment("overparam", cfg, tmp_path / "run", progress=False)
    assert not (tmp_path / "run" / "experiment.json").exists()
