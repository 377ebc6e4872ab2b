"""Run folders, resume, seeded determinism, perturbation, interpolation, blow-up."""
import json

import pytest
import torch

from training.data import Dataset, load_dataset
from training.models import AllConvNet, DenseNet
from training.optim import TrainConfig, evaluate
from training.trajectories import (NO_PROGRESS_MARGIN, RangeWarning, RunError, chance, interpolate,
                                   load_checkpoint, made_progress, perturb, read_index, train)


@pytest.fixture(scope="module")
def small():
    return load_dataset("digits", n_train=200)


def _model(seed=0, activation="relu"):
    torch.manual_seed(seed)
    return AllConvNet(activation, widths=(4, 4, 6, 8))


def _params(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def test_run_folder_layout(small, tmp_path):
    r = train(_model(), small, TrainConfig(epochs=2, batch=50, lr=0.05), tmp_path, progress=False)
    index = read_index(tmp_path)
    assert r.status == "done" and r.epochs == 2
    assert [c["epoch"] for c in index["checkpoints"]] == [0, 1, 2]
    assert {"train_loss", "train_error", "test_loss", "test_error"} <= set(index["checkpoints"][-1])
    assert sorted(p.name for p in tmp_path.iterdir()) == [".train.lock", "epoch_0000.pt", "epoch_0001.pt",
                                                          "epoch_0002.pt", "index.json"]
    assert not list(tmp_path.glob("*.tmp*"))


def test_resume_after_interruption_gives_the_same_final_weights(small, tmp_path):
    cfg = TrainConfig(epochs=4, batch=40, momentum=0.9)
    straight = _model()
    train(straight, small, cfg, tmp_path / "a", progress=False)
    interrupted = _model()
    first = train(interrupted, small, cfg, tmp_path / "b", progress=False, stop_after=2)
    assert first.status == "interrupted" and first.epochs == 2
    resumed = _model(seed=123)  # a fresh process would start from other weights: resume must load
    second = train(resumed, small, cfg, tmp_path / "b", progress=False)
    assert second.status == "done" and second.epochs == 4
    assert torch.equal(_params(straight), _params(resumed))


def test_another_config_in_the_same_folder_is_refused(small, tmp_path):
    train(_model(), small, TrainConfig(epochs=1, batch=50), tmp_path, progress=False)
    with pytest.raises(RunError, match="another configuration"):
        train(_model(), small, TrainConfig(epochs=1, batch=50, lr=0.1), tmp_path, progress=False)


def test_more_epochs_extend_a_run(small, tmp_path):
    train(_model(), small, TrainConfig(epochs=1, batch=50), tmp_path, progress=False)
    r = train(_model(), small, TrainConfig(epochs=2, batch=50), tmp_path, progress=False)
    assert r.epochs == 2 and read_index(tmp_path)["config"]["train"]["epochs"] == 2


def test_seeded_determinism(small, tmp_path):
    cfg = TrainConfig(epochs=1, batch=30, seed=4)
    a, b = _model(5), _model(5)
    train(a, small, cfg, tmp_path / "a", progress=False)
    train(b, small, cfg, tmp_path / "b", progress=False)
    assert torch.equal(_params(a), _params(b))
    c = _model(5)
    train(c, small, TrainConfig(epochs=1, batch=30, seed=5), tmp_path / "c", progress=False)
    assert not torch.equal(_params(a), _params(c))  # the batch order is the seed's


def test_gd_run(small, tmp_path):
    r = train(_model(), small, TrainConfig(optimizer="gd", epochs=2, lr=0.1, chunk=64), tmp_path, progress=False)
    losses = [c["train_loss"] for c in read_index(tmp_path)["checkpoints"]]
    assert r.status == "done" and losses[-1] < losses[0]


def test_polynomial_blow_up_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    torch.manual_seed(0)
    x = torch.randn(64, 2, dtype=torch.float64)
    y = (x[:, :1] * x[:, 1:]).clone()
    data = Dataset("toy", x, y, x, y)
    model = DenseNet((2, 4, 1), activation=[0.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    cfg = TrainConfig(epochs=50, lr=5.0, batch=16, loss="mse")
    r = train(model, data, cfg, tmp_path, progress=False)
    assert r.status == "diverged" and "epoch" in r.message and "\n" not in r.message
    index = read_index(tmp_path)
    assert index["status"] == "diverged" and index["message"] == r.message
    last = load_checkpoint(tmp_path)
    assert torch.equal(last["model"]["weights"], model.weights.detach())
    assert torch.isfinite(model.weights).all()
    clipped = DenseNet((2, 4, 1), activation=[0.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    ok = train(clipped, data, TrainConfig(epochs=3, lr=0.01, batch=16, loss="mse", clip=1.0), tmp_path / "c",
               progress=False)
    # clipped, it stays finite; its loss (from 1e3 down to 40) never beats answering the mean target
    assert ok.status == "no progress" and torch.isfinite(clipped.weights).all()


@pytest.mark.parametrize("alpha", [-0.1, float("nan"), float("inf"), "0.5"])
def test_a_perturbation_size_that_is_not_a_finite_number_is_refused(alpha):
    model = AllConvNet("relu")
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(ValueError, match="finite number >= 0"):
        perturb(model, alpha, seed=0)
    assert all(torch.equal(a, p) for a, p in zip(before, model.parameters()))


def test_perturbation_statistics():
    torch.manual_seed(0)
    model = AllConvNet("relu")
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    perturb(model, 0.5, seed=3)
    for name, p in model.named_parameters():
        if p.numel() < 5000:
            continue
        noise = p.detach() - before[name]
        ratio = noise.std().item() / (0.5 * before[name].std().item())
        assert abs(ratio - 1) < 0.05, name  # std alpha * the tensor's own std
        assert abs(noise.mean().item()) < 0.05 * noise.std().item()
    again = AllConvNet("relu")
    again.load_state_dict({**model.state_dict(), **{n: v for n, v in before.items()}})
    perturb(again, 0.5, seed=3)
    assert torch.equal(_params(again), _params(model))  # seeded


def test_interpolation_endpoints_and_midpoint(small):
    a, b = _model(1), _model(2)
    x = small.x_train
    at0 = interpolate([a, b], [1.0, 0.0], x_train=x)
    at1 = interpolate([a, b], [0.0, 1.0], x_train=x)
    assert torch.equal(_params(at0), _params(a)) and torch.equal(_params(at1), _params(b))
    mid = interpolate([a, b], [0.5, 0.5], x_train=x)
    assert torch.allclose(_params(mid), (_params(a) + _params(b)) / 2)
    # statistics recomputed: evaluation of the endpoint equals the model's own
    from training.optim import recompute_bn_stats

    recompute_bn_stats(a, x)
    assert evaluate(at0, x, small.y_train) == evaluate(a, x, small.y_train)
    assert json.dumps(evaluate(mid, x, small.y_train))


# --- outcomes and the range check -----------------------------------------------------------

def test_chance_levels_are_the_majority_class_and_the_mean_target():
    y = torch.tensor([3, 3, 3, 1])
    assert chance(Dataset("t", torch.zeros(4, 1), y, torch.zeros(1, 1), y[:1]), "cross-entropy") == {"train_error": 0.25}
    t = torch.tensor([[1.0], [3.0]])
    assert chance(Dataset("t", torch.zeros(2, 1), t, t, t, num_classes=0), "mse") == {"train_loss": 0.5}


def test_progress_needs_a_checkpoint_clearly_below_chance():
    level = {"train_error": 0.9}
    at = [{"epoch": 0, "train_error": 0.1}, {"epoch": 1, "train_error": 0.9 - NO_PROGRESS_MARGIN}]
    assert made_progress(at, level) is False  # epoch 0 does not count; the margin is strict
    assert made_progress(at + [{"epoch": 2, "train_error": 0.5}], level) is True
    assert made_progress(at[:1], level) is None
    assert made_progress([{"epoch": 1, "train_loss": 0.4}], {"train_loss": 0.5}) is True


def test_a_run_that_learns_nothing_ends_no_progress_not_done(small, tmp_path):
    r = train(_model(), small, TrainConfig(epochs=1, lr=1e-9, batch=50), tmp_path, progress=False)
    assert r.status == "no progress" and "chance" in r.message
    assert read_index(tmp_path)["status"] == "no progress"


def test_range_is_recorded_per_layer_and_warns_once_for_polynomials(small, tmp_path):
    torch.manual_seed(0)
    model = AllConvNet([0.0, 0.5, 0.25], widths=(4, 4, 6, 8), radius=0.5)
    with pytest.warns(RangeWarning, match="outside \\[-0.5, 0.5\\]") as caught:
        train(model, small, TrainConfig(epochs=2, batch=50), tmp_path, progress=False)
    assert sum(issubclass(w.category, RangeWarning) for w in caught) == 1
    index = read_index(tmp_path)
    assert "layer" in index["range_warning"]
    for c in index["checkpoints"]:
        assert len(c["outside_radius"]) == 4 and all(0.2 < f < 0.9 for f in c["outside_radius"])
        assert all(p > 0.5 for p in c["peak_input"])
    torch.manual_seed(0)
    relu = AllConvNet("relu", widths=(4, 4, 6, 8), radius=0.5)  # measured, but ReLU has no interval: no warning
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", RangeWarning)
        train(relu, small, TrainConfig(epochs=1, batch=50), tmp_path / "relu", progress=False)


# --- concurrent use and damaged files ---------------------------------------------------------

def test_a_folder_being_trained_is_refused(small, tmp_path):
    import fcntl

    from training.trajectories import LOCK

    tmp_path.mkdir(exist_ok=True)
    with open(tmp_path / LOCK, "a+") as held:  # another process's training call
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(RunError, match="another process"):
            train(_model(), small, TrainConfig(epochs=1, batch=50), tmp_path, progress=False)
    assert not (tmp_path / "index.json").exists()


def test_a_damaged_last_checkpoint_falls_back_to_the_one_before(small, tmp_path):
    cfg = TrainConfig(epochs=3, batch=40, lr=0.05)
    whole = _model()
    train(whole, small, cfg, tmp_path / "whole", progress=False)
    part = _model()
    train(part, small, cfg, tmp_path / "part", progress=False, stop_after=2)
    damaged = tmp_path / "part" / "epoch_0002.pt"
    damaged.write_bytes(damaged.read_bytes()[:100])  # truncated, as by a failing disk
    resumed = _model()
    with pytest.warns(RuntimeWarning, match="epoch_0002.pt is damaged.*resuming from epoch 1"):
        r = train(resumed, small, cfg, tmp_path / "part", progress=False)
    assert r.status == "done" and [c["epoch"] for c in read_index(tmp_path / "part")["checkpoints"]] == [0, 1, 2, 3]
    assert torch.equal(_params(resumed), _params(whole))  # bit-identical to the uninterrupted run


def test_a_checkpoint_that_cannot_be_written_is_one_os_error(tmp_path, monkeypatch, capsys):
    # torch's zip writer reports a file-size limit (ulimit -f) or a full disk as a RuntimeError
    # from C++; the command line printed its 30-line traceback
    import torch

    from bridge.cli import main
    from training.trajectories import save_tensors

    def full(obj, path):
        raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 3392 vs 3286")

    monkeypatch.setattr(torch, "save", full)
    with pytest.raises(OSError, match="could not write the tensors"):
        save_tensors({"w": torch.zeros(2)}, tmp_path / "a.pt")
    code = main(["train", "--n-train", "100", "--epochs", "1", "--width-mult", "0.25", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code != 0 and "could not write the tensors" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
