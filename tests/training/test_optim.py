"""Full-batch gradient, K models at once, and the optimizer config."""
import copy

import pytest
import torch

from training.data import load_dataset
from training.models import AllConvNet
from training.optim import (MultiSGD, TrainConfig, evaluate, full_batch_loss, full_set_stats,
                            make_optimizer, point_losses, recompute_bn_stats, sgd_epoch)


@pytest.fixture(scope="module")
def digits64():
    return load_dataset("digits", dtype=torch.float64)


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="optimizer"):
        TrainConfig(optimizer="adam")
    with pytest.raises(ValueError, match="lr"):
        TrainConfig(lr=0)
    with pytest.raises(ValueError, match="batch"):
        TrainConfig(batch=0)


@pytest.mark.parametrize("activation", ["relu", [0.1, 0.5, 0.3]])
def test_chunked_full_batch_gradient_equals_one_big_batch(digits64, activation):
    torch.manual_seed(1)
    model = AllConvNet(activation, widths=(4, 6, 6, 8)).double().train()
    x, y = digits64.x_train[:53], digits64.y_train[:53]
    big = point_losses(model(x), y, "cross-entropy").mean()  # batch statistics of all 53
    g_big = torch.autograd.grad(big, list(model.parameters()))
    chunked = full_batch_loss(model, x, y, "cross-entropy", chunk=10)
    g_chunk = torch.autograd.grad(chunked, list(model.parameters()))
    assert abs(big.item() - chunked.item()) < 1e-12
    scale = max(g.abs().max().item() for g in g_big)
    assert max((a - b).abs().max().item() for a, b in zip(g_big, g_chunk)) < 1e-6 * scale


def test_statistics_are_those_of_the_whole_set(digits64):
    torch.manual_seed(2)
    model = AllConvNet("relu", widths=(3, 3, 3, 3)).double()
    x = digits64.x_train[:40]
    stats = full_set_stats(model, x, chunk=9)
    z = model.hidden[0](x)
    assert torch.allclose(stats[0][0], z.mean(dim=(0, 2, 3)))
    assert torch.allclose(stats[0][1], z.var(dim=(0, 2, 3), unbiased=False))
    recompute_bn_stats(model, x, chunk=9)
    model.eval()
    train_mode = copy.deepcopy(model).train()
    assert torch.allclose(model(x), train_mode(x))  # stored stats = the set's batch stats


@pytest.mark.parametrize("momentum,clip", [(0.0, None), (0.9, 0.5)])
def test_k_models_at_once_equal_one_by_one(digits64, momentum, clip):
    cfg = TrainConfig(lr=0.05, batch=16, momentum=momentum, clip=clip)
    torch.manual_seed(3)
    models = [AllConvNet([0.0, 1.0, 0.5], widths=(3, 4, 4, 5)).double() for _ in range(3)]
    singles = [copy.deepcopy(m) for m in models]
    x, y = digits64.x_train[:80], digits64.y_train[:80]
    multi = MultiSGD(models, cfg, seeds=[7, 8, 9])
    for epoch in range(2):
        multi.epoch(x, y, epoch)
    multi.write_back()
    for model, single, seed in zip(models, singles, [7, 8, 9]):
        g = torch.Generator().manual_seed(seed)
        opt = make_optimizer(single, cfg)
        for epoch in range(2):
            sgd_epoch(single, opt, x, y, cfg, g, epoch)
        diff = max((a - b).abs().max().item() for a, b in zip(model.parameters(), single.parameters()))
        assert diff < 1e-10
    assert max((a - b).abs().max().item() for a, b in zip(models[0].parameters(), models[1].parameters())) > 1e-3


def test_sgd_learns_digits():
    data = load_dataset("digits")
    torch.manual_seed(0)
    model = AllConvNet("relu", widths=(16, 16, 32, 32))
    cfg = TrainConfig(lr=0.05, batch=50)
    opt, g = make_optimizer(model, cfg), torch.Generator().manual_seed(0)
    for epoch in range(3):
        sgd_epoch(model, opt, data.x_train, data.y_train, cfg, g, epoch)
    recompute_bn_stats(model, data.x_train)
    assert evaluate(model, data.x_test, data.y_test)["error"] < 0.25


@pytest.mark.parametrize("activation", ["relu", [0.1, 0.5, 0.3]])
def test_keeping_activations_gives_bitwise_the_same_statistics(digits64, activation, monkeypatch):
    import training.optim as optim

    torch.manual_seed(0)
    model = AllConvNet(activation, widths=(4, 5, 6, 7)).double()
    kept = full_set_stats(model, digits64.x_train, chunk=24)
    monkeypatch.setattr(optim, "KEEP_BYTES", 0)  # too small: every layer recomputed from the input
    recomputed = full_set_stats(model, digits64.x_train, chunk=24)
    for (m1, v1), (m2, v2) in zip(kept, recomputed):
        assert torch.equal(m1, m2) and torch.equal(v1, v2)
