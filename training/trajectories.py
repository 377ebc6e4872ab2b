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

Outcomes (``RunResult.status``, ``index.json``'s "status"): "done"; "diverged" (the loss
became inf or nan: the last finite checkpoint is kept); "no progress" (the whole budget
ran, and the training error never came within NO_PROGRESS_MARGIN below chance, the
error of always answering the most frequent class; for mse, the loss never fell below
NO_PROGRESS_LOSS times that of answering the mean target); "interrupted". Only "done" runs
are results; callers count the others apart.

Range: for a model with a ``RangeMonitor`` every checkpoint records, per layer, the fraction
of the activation's inputs outside [-R, R] over the training set ("outside_radius") and
max |z| ("peak_input"); a polynomial network warns once (RangeWarning) when a fraction
passes RANGE_WARN.
"""
from __future__ import annotations

import contextlib
import errno
import json
import math
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import torch

from algebra.files import atomic_write_bytes
from training.optim import (NonFiniteLoss, TrainConfig, evaluate, gd_step, make_optimizer,
                            recompute_bn_stats, sgd_epoch)

INDEX = "index.json"
LOCK = ".train.lock"
NO_PROGRESS_MARGIN = 0.05   # training error this far below chance counts as progress
NO_PROGRESS_LOSS = 0.95     # mse: this fraction of the loss of answering the mean target
RANGE_WARN = 1e-3           # fraction of activation inputs outside [-R, R] that warns
STATUSES = ("done", "diverged", "no progress", "interrupted")


class RangeWarning(UserWarning):
    """A polynomial activation sees inputs outside the interval it was made for."""


class RunError(ValueError):
    """A run folder cannot be used as asked (another configuration, unreadable files)."""


@contextlib.contextmanager
def _locked(run_dir: Path):
    """An advisory lock on the run folder for one training call: a second process training
    into the same folder is refused instead of interleaving its checkpoints."""
    import fcntl

    with open(run_dir / LOCK, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunError(f"{run_dir} is being trained by another process; wait for it or use a new folder") from None
        yield


def _write_json(path: Path, obj: dict) -> None:
    def write(tmp):
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=1)
    atomic_write_bytes(path, write)


def metrics(model, data, cfg: TrainConfig) -> dict:
    """Train and test loss (and error) on the full sets, statistics recomputed first; with
    a range monitor also the activation inputs outside [-R, R] over the training set."""
    recompute_bn_stats(model, data.x_train, cfg.chunk)
    monitor = getattr(model, "range", None)
    with monitor.counting() if monitor is not None else contextlib.nullcontext():
        train = evaluate(model, data.x_train, data.y_train, cfg.loss, cfg.chunk)
    test = evaluate(model, data.x_test, data.y_test, cfg.loss, cfg.chunk)
    out = {"train_loss": train["loss"], "test_loss": test["loss"]}
    if "error" in train:
        out.update(train_error=train["error"], test_error=test["error"])
    if monitor is not None:
        out.update(outside_radius=monitor.fractions(), peak_input=monitor.peaks())
    return out


def chance(data, kind: str) -> dict:
    """What a network that learned nothing scores on the training set: the error of always
    answering the most frequent class, or the mse loss of always answering the mean target.

    >>> from types import SimpleNamespace as NS
    >>> chance(NS(y_train=torch.tensor([0, 1, 1, 2])), "cross-entropy")
    {'train_error': 0.5}
    """
    y = data.y_train
    if kind == "cross-entropy":
        return {"train_error": 1.0 - torch.bincount(y.flatten().long()).max().item() / len(y)}
    if kind == "mse":
        y = y.double().reshape(len(y), -1)
        return {"train_loss": 0.5 * ((y - y.mean(dim=0)) ** 2).sum(dim=1).mean().item()}
    return {}


def made_progress(checkpoints: list[dict], level: dict) -> bool | None:
    """Whether any checkpoint after epoch 0 beats chance clearly (None: nothing to judge)."""
    later = [c for c in checkpoints if c["epoch"] > 0]
    if not later or not level:
        return None
    if "train_error" in level:
        return min(c["train_error"] for c in later) < level["train_error"] - NO_PROGRESS_MARGIN
    return min(c["train_loss"] for c in later) < NO_PROGRESS_LOSS * level["train_loss"]


def _warn_range(index: dict, model, record: dict) -> str | None:
    """Warn (once per run: the message is kept in the index) when ``record`` passes RANGE_WARN."""
    if index.get("range_warning") is None and (message := _range_warning(model, record)):
        index["range_warning"] = message
        warnings.warn(message, RangeWarning, stacklevel=4)
    return index.get("range_warning")


def _range_warning(model, record: dict) -> str | None:
    from training.activations import Polynomial

    fractions = record.get("outside_radius")
    if not fractions or not isinstance(getattr(model, "act", None), Polynomial) or model.act.clamp is not None:
        return None
    worst = max(range(len(fractions)), key=lambda k: -1 if fractions[k] is None else fractions[k])
    if fractions[worst] is None or not fractions[worst] > RANGE_WARN:
        return None
    return outside_message(fractions[worst], model.range.radius,
                           f"activation layer {worst + 1} (max |z| {record['peak_input'][worst]:.3g})")


def outside_message(fraction: float, radius: float, where: str) -> str:
    """The warning for activation inputs outside the interval (train, experiments, compare).

    >>> outside_message(0.02, 3.0, "layer 1")[:47]
    '2% of the inputs of layer 1 lie outside [-3, 3]'
    """
    return (f"{100 * fraction:.2g}% of the inputs of {where} lie outside [-{radius:g}, {radius:g}]; beyond its "
            "interval a polynomial approximant is not close to ReLU and grows like (z/R)^degree: a larger "
            "--radius (or --radius auto) or --clamp may help")


@dataclass
class RunResult:
    run_dir: str
    epochs: int                 # epochs completed
    status: str                 # one of STATUSES
    message: str | None
    last: dict                  # metrics of the last checkpoint
    seconds: float


def save_tensors(obj, path) -> None:
    """``torch.save`` as a write that can fail like any other: torch's zip writer reports a
    full disk or a file-size limit (ulimit -f) as a RuntimeError from C++ ("enforce fail at
    inline_container.cc ... unexpected pos"), which reached the terminal as a traceback; here it
    is the OSError that every other write gives (one line from the command line)."""
    try:
        torch.save(obj, path)
    except RuntimeError as e:
        raise OSError(errno.EIO, f"could not write the tensors (disk full or a file size limit?): "
                                 f"{str(e).splitlines()[0]}", str(path)) from None


def _checkpoint_name(epoch: int) -> str:
    return f"epoch_{epoch:04d}.pt"


def _save(run_dir: Path, index: dict, model, opt, generator, epoch: int, record: dict) -> None:
    state = {"epoch": epoch, "model": model.state_dict(), "optimizer": opt.state_dict(),
             "generator": generator.get_state(), "config": index["config"]}
    atomic_write_bytes(run_dir / _checkpoint_name(epoch), lambda tmp: save_tensors(state, tmp))
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
    A damaged last checkpoint is dropped with a warning and the run resumes from the one
    before; a folder another process is training into is refused (RunError).
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    with _locked(run_dir):
        return _train(model, data, cfg, run_dir, config, resume, progress, stop_after, provenance)


def _last_good_checkpoint(run_dir: Path, index: dict) -> dict:
    """The state of the last checkpoint that loads; damaged later ones are dropped from the
    index with a warning (the run continues from the good one)."""
    while index["checkpoints"]:
        entry = index["checkpoints"][-1]
        try:
            return torch.load(run_dir / entry["file"], map_location="cpu", weights_only=False)
        except Exception as exc:  # a truncated or corrupted file: torch raises several kinds
            index["checkpoints"].pop()
            earlier = index["checkpoints"][-1]["epoch"] if index["checkpoints"] else None
            warnings.warn(f"{run_dir / entry['file']} is damaged ({type(exc).__name__}); "
                          + (f"resuming from epoch {earlier}" if earlier is not None else "starting again"),
                          RuntimeWarning, stacklevel=3)
    return {}


def _train(model, data, cfg, run_dir, config, resume, progress, stop_after, provenance) -> RunResult:
    from tqdm import tqdm

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
        state = _last_good_checkpoint(run_dir, index)
        if state:
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
    _warn_range(index, model, last)  # already at the start: said before training
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
                _warn_range(index, model, record)
                _save(run_dir, index, model, opt, generator, epoch, record)
                last = index["checkpoints"][-1]
                bar.set_postfix(train_loss=f"{record['train_loss']:.4g}")
    except NonFiniteLoss as exc:
        status, message = "diverged", str(exc)
        state = load_checkpoint(run_dir)  # the last good weights go back into the model
        model.load_state_dict(state["model"])
    done_epochs = index["checkpoints"][-1]["epoch"]
    if status == "done" and done_epochs != cfg.epochs:
        status = "interrupted"
    level = chance(data, cfg.loss)
    if status == "done" and made_progress(index["checkpoints"], level) is False:
        key = next(iter(level))
        best = min(c[key] for c in index["checkpoints"] if c["epoch"] > 0)
        status, message = "no progress", (f"no progress: the best {key.replace('_', ' ')} {best:.4g} never came "
                                          f"clearly below chance ({level[key]:.4g})")
    index.update(status=status, message=message)
    _write_json(run_dir / INDEX, index)
    return RunResult(str(run_dir), done_epochs, index["status"], message, last, time.perf_counter() - began)


def _without_epochs(config: dict | None) -> dict | None:
    if not config:
        return config
    return {**config, "train": {k: v for k, v in config.get("train", {}).items() if k != "epochs"}}


def _finite(v) -> bool:
    return not isinstance(v, float) or math.isfinite(v)


# --- moves on weights ----------------------------------------------------------------------

@torch.no_grad()
def perturb(model, alpha: float, seed: int, x_train: torch.Tensor | None = None, chunk: int = 1000):
    """Add N(0, (alpha * std(W))^2) noise to every parameter tensor W (its own std; seeded),
    then recompute batch-norm statistics on ``x_train`` when given. Returns the model."""
    import math

    if not isinstance(alpha, (int, float)) or not math.isfinite(alpha) or alpha < 0:
        # nan passed ``alpha < 0`` and filled every weight with NaN
        raise ValueError(f"perturbation size must be a finite number >= 0, got {alpha!r}")
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
