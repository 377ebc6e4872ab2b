"""Run folders, resume, seeded determinism, perturbation, interpolation, blow-up."""
import json

import pytest
import torch

from training.data import Dataset, load_dataset
from training.models import AllConvNet, DenseNet
from training.optim import TrainConfig, evaluate
from training.trajectories import (RunError, interpolate, load_checkpoint, perturb, read_index,
                                   train)


@pytest.fixture(scope="module")
def small():
    return load_dataset("digits", n_train=200)


def _model(seed=0, activation="relu"):
    torch.manual_seed(seed)
    return AllConvNet(activation, widths=(4, 4, 6, 8))


def _params(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def test_run_folder_layout(small, tmp_path):
    r = train(_model(), small, TrainConfig(epochs=2, batch=50), tmp_path, progress=False)
    index = read_index(tmp_path)
    assert r.status == "done" and r.epochs == 2
    assert [c["epoch"] for c in index["checkpoints"]] == [0, 1, 2]
    assert {"train_loss", "train_error", "test_loss", "test_error"} <= set(index["checkpoints"][-1])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch_0000.pt", "epoch_0001.pt", "epoch_0002.pt",
                                                          "index.json"]
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
    assert r.status == "non-finite" and "epoch" in r.message and "\n" not in r.message
    index = read_index(tmp_path)
    assert index["status"] == "non-finite" and index["message"] == r.message
    last = load_checkpoint(tmp_path)
    assert torch.equal(last["model"]["weights"], model.weights.detach())
    assert torch.isfinite(model.weights).all()
    clipped = DenseNet((2, 4, 1), activation=[0.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    ok = train(clipped, data, TrainConfig(epochs=3, lr=0.01, batch=16, loss="mse", clip=1.0), tmp_path / "c",
               progress=False)
    assert ok.status == "done"


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
