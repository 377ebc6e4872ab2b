"""Training runs as trajectories in a run folder, and the moves made on them.

A run folder holds ``index.json`` (the configuration, the status, and one entry per
checkpoint with its metrics) and one file per checkpoint (``epoch_0003.pt``: weights,
batch-norm statistics, optimizer state, the batch-order generator's state, the config).
Every file is written to a temporary name and renamed, so an interrupted run leaves the
last complete checkpoint; ``train(..., resume=True)`` continues from it and reaches the
same final weights as an uninterrupted run.

Moves on weights: ``perturb`` (Gaussian noise of std alpha times each parameter tensor's
own std, seeded) and ``interpolate`` (weighted averages of models). After either, the
batch-norm statistics are recomputed on the training data: evaluation always uses the
statistics that belong to the weights being evaluated.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import torch

from training.optim import (NonFiniteLoss, TrainConfig, evaluate, gd_step, make_optimizer,
                            recompute_bn_stats, sgd_epoch)

INDEX = "index.json"


class RunError(ValueError):
    """A run folder cannot be used as asked (another configuration, unreadable files)."""


def atomic_write_bytes(path: Path, write: Callable[[str], None]) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    write(tmp)
    os.replace(tmp, path)


def _write_json(path: Path, obj: dict) -> None:
    def write(tmp):
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=1)
    atomic_write_bytes(path, write)


def metrics(model, data, cfg: TrainConfig) -> dict:
    """Train and test loss (and error) on the full sets, statistics recomputed first."""
    recompute_bn_stats(model, data.x_train, cfg.chunk)
    train = evaluate(model, data.x_train, data.y_train, cfg.loss, cfg.chunk)
    test = evaluate(model, data.x_test, data.y_test, cfg.loss, cfg.chunk)
    out = {"train_loss": train["loss"], "test_loss": test["loss"]}
    if "error" in train:
        out.update(train_error=train["error"], test_error=test["error"])
    return out


@dataclass
class RunResult:
    run_dir: str
    epochs: int                 # epochs completed
    status: str                 # "done" or "non-finite"
    message: str | None
    last: dict                  # metrics of the last checkpoint
    seconds: float


def _checkpoint_name(epoch: int) -> str:
    return f"epoch_{epoch:04d}.pt"


def _save(run_dir: Path, index: dict, model, opt, generator, epoch: int, record: dict) -> None:
    state = {"epoch": epoch, "model": model.state_dict(), "optimizer": opt.state_dict(),
             "generator": generator.get_state(), "config": index["config"]}
    atomic_write_bytes(run_dir / _checkpoint_name(epoch), lambda tmp: torch.save(state, tmp))
    index["checkpoints"].append({"epoch": epoch, "file": _checkpoint_name(epoch), **record})
    _write_json(run_dir / INDEX, index)


def load_checkpoint(run_dir: str | Path, epoch: int | None = None) -> dict:
    """A checkpoint's saved state (the last one by default)."""
    run_dir = Path(run_dir)
    index = read_index(run_dir)
    if not index["checkpoints"]:
        raise RunError(f"{run_dir} has no checkpoint")
    entry = index["checkpoints"][-1] if epoch is None else next(
        (c for c in index["checkpoints"] if c["epoch"] == epoch), None)
    if entry is None:
        raise RunError(f"{run_dir} has no checkpoint for epoch {epoch}")
    return torch.load(run_dir / entry["file"], map_location="cpu", weights_only=False)


def read_index(run_dir: str | Path) -> dict:
    path = Path(run_dir) / INDEX
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise RunError(f"{run_dir} is not a run folder (no {INDEX})") from None
    except json.JSONDecodeError as exc:
        raise RunError(f"{path} is damaged: {exc}") from None


def train(model, data, cfg: TrainConfig, run_dir: str | Path, config: dict | None = None,
          resume: bool = True, progress: bool | None = None, stop_after: int | None = None,
          provenance: dict | None = None) -> RunResult:
    """Train ``model`` on ``data`` with ``cfg``, checkpointing into ``run_dir``.

    config: the full description stored with the run (model, data, seeds); a resumed run
    must have the same. provenance: versions, commit, command of each call (appended);
    resume: continue a run folder holding the same config from its last checkpoint.
    stop_after: stop after this many epochs of this call (tests use it to interrupt).
    """
    from tqdm import tqdm

    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    full = {"train": cfg.as_dict(), **(config or {})}
    opt = make_optimizer(model, cfg)
    generator = torch.Generator().manual_seed(cfg.seed)
    began = time.perf_counter()
    start = 0
    if (run_dir / INDEX).exists():
        index = read_index(run_dir)
        if _without_epochs(index.get("config")) != _without_epochs(json.loads(json.dumps(full))):
            raise RunError(f"{run_dir} holds a run with another configuration; use a new --out folder")
        index["config"]["train"]["epochs"] = cfg.epochs  # more epochs extend the run
        if not resume:
            raise RunError(f"{run_dir} already holds this run; resume it or use a new --out folder")
        if index["checkpoints"]:
            state = load_checkpoint(run_dir)
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["optimizer"])
            generator.set_state(state["generator"])
            start = state["epoch"]
    else:
        index = {"config": json.loads(json.dumps(full)), "status": "running", "message": None,
                 "checkpoints": [], "provenance": []}
    if provenance is not None:
        index.setdefault("provenance", []).append(json.loads(json.dumps(provenance, default=str)))
    if not index["checkpoints"]:
        _save(run_dir, index, model, opt, generator, 0, {**metrics(model, data, cfg), "seconds": 0.0})
    last = index["checkpoints"][-1]
    status, message = "done", None
    epochs = range(start + 1, cfg.epochs + 1)
    if stop_after is not None:
        epochs = epochs[:stop_after]
    bar = tqdm(epochs, desc=f"{cfg.optimizer} training", unit="epoch", disable=progress is False or None)
    try:
        for epoch in bar:
            if cfg.optimizer == "sgd":
                sgd_epoch(model, opt, data.x_train, data.y_train, cfg, generator, epoch)
            else:
                gd_step(model, opt, data.x_train, data.y_train, cfg, epoch)
            if epoch % cfg.checkpoint_every == 0 or epoch == cfg.epochs:
                record = {**metrics(model, data, cfg), "seconds": round(time.perf_counter() - began, 3)}
                if not all(map(_finite, record.values())):
                    raise NonFiniteLoss(epoch, None, record["train_loss"])
                _save(run_dir, index, model, opt, generator, epoch, record)
                last = index["checkpoints"][-1]
                bar.set_postfix(train_loss=f"{record['train_loss']:.4g}")
    except NonFiniteLoss as exc:
        status, message = "non-finite", str(exc)
        state = load_checkpoint(run_dir)  # the last good weights go back into the model
        model.load_state_dict(state["model"])
    done_epochs = index["checkpoints"][-1]["epoch"]
    index.update(status=status if (status != "done" or done_epochs == cfg.epochs) else "interrupted",
                 message=message)
    _write_json(run_dir / INDEX, index)
    return RunResult(str(run_dir), done_epochs, index["status"], message, last, time.perf_counter() - began)


def _without_epochs(config: dict | None) -> dict | None:
    if not config:
        return config
    return {**config, "train": {k: v for k, v in config.get("train", {}).items() if k != "epochs"}}


def _finite(v) -> bool:
    return not isinstance(v, float) or (v == v and abs(v) != float("inf"))


# --- moves on weights ----------------------------------------------------------------------

@torch.no_grad()
def perturb(model, alpha: float, seed: int, x_train: torch.Tensor | None = None, chunk: int = 1000):
    """Add N(0, (alpha * std(W))^2) noise to every parameter tensor W (its own std; seeded),
    then recompute batch-norm statistics on ``x_train`` when given. Returns the model."""
    if alpha < 0:
        raise ValueError(f"perturbation size must be >= 0, got {alpha}")
    g = torch.Generator().manual_seed(int(seed))
    for p in model.parameters():
        scale = alpha * (p.std() if p.numel() > 1 else p.abs())
        noise = torch.randn(p.shape, generator=g, dtype=p.dtype).to(p.device)
        p.add_(noise * scale)
    if x_train is not None:
        recompute_bn_stats(model, x_train, chunk)
    return model


@torch.no_grad()
def interpolate(models: Sequence, weights: Sequence[float], into=None, x_train: torch.Tensor | None = None,
                chunk: int = 1000):
    """The weighted average sum_k weights_k * models_k of the parameters, written into
    ``into`` (default: a copy of the first model), statistics recomputed on ``x_train``."""
    import copy

    if len(models) != len(weights) or not models:
        raise ValueError("one weight per model, and at least one model")
    out = copy.deepcopy(models[0]) if into is None else into
    for name, p in out.named_parameters():
        p.copy_(sum(float(c) * dict(m.named_parameters())[name] for c, m in zip(weights, models)))
    if x_train is not None:
        recompute_bn_stats(out, x_train, chunk)
    return out
