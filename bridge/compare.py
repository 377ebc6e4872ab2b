"""Polynomial against ReLU: the same architecture, data, seeds and optimizer.

``compare`` trains one network per (activation, seed) through the training backend
(resumable run folders under ``out``), collects training and test curves by epoch, and
tabulates the final numbers (mean and std over seeds) against the first activation (the
reference, usually relu). A difference "exceeds the seed-to-seed spread" when
|mean_a - mean_ref| > 2 sqrt(std_a^2 / n + std_ref^2 / n) (about a 95% two-sample bound);
with one seed there is no spread and nothing is claimed.

Networks: ``dcnn`` is the paper's all-conv network on images (error and loss);
``tree`` is the canonical four-input tree network's torch twin trained by SGD on a
regression task whose targets come from a fixed ReLU teacher tree (loss only).

Outcomes: only runs that ended "done" enter the means, spreads and verdicts; "diverged"
and "no progress" runs are counted apart per activation (training.trajectories). Range:
per activation, the fraction of activation inputs outside its interval [-R, R], per layer,
at the start and the end (mean over the runs that have it).

Presets (``PRESETS``): ``default``, and ``figure2``, the paper's Figure 2 comparison: ReLU
against low-degree polynomials and ReLU approximants of degree 4 and 8 on the paper network
at full width, the paper's SGD (lr 0.01, batch 100), same seeds and schedule. With
``data="cifar10"`` and a GPU it is the paper's experiment; on the embedded data (digits, or
the CIFAR-shaped ``synthetic`` set) it runs on a CPU in minutes.
"""
from __future__ import annotations

import functools
import json
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from bridge.activation_specs import resolve
from bridge.provenance import write_atomic
from training.data import Dataset, cached_dataset, load_dataset
from training.models import AllConvNet, TreeNet
from training.optim import TrainConfig
from training.trajectories import RangeWarning, read_index, train

NETWORKS = ("dcnn", "tree")
PRESETS = {
    "default": dict(network="dcnn", activations=("relu", "relu-minimax:4", "relu-chebyshev:4", "poly:0,0.5,0.5"),
                    seeds=3, epochs=5, width_mult=0.5),
    "figure2": dict(network="dcnn", activations=("relu", "poly:0,0.5,0.5", "poly:0,1,0.1", "relu-chebyshev:4",
                                                 "relu-minimax:4", "relu-chebyshev:8"),
                    seeds=3, epochs=10, width_mult=1.0, lr=0.01, batch=100),
}


def preset(name: str, **overrides) -> dict:
    """A preset's settings with the given overrides (None values ignored).

    >>> preset("figure2", seeds=2)["seeds"], preset("figure2")["width_mult"]
    (2, 1.0)
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}: one of {', '.join(PRESETS)}")
    return {**PRESETS[name], **{k: v for k, v in overrides.items() if v is not None}}


def slug(spec: str) -> str:
    """A folder name for an activation spec.

    >>> slug("poly:0,0.5,1"), slug("relu-minimax:4")
    ('poly_0_0.5_1', 'relu-minimax_4')
    """
    return re.sub(r"[^A-Za-z0-9.\-]+", "_", spec).strip("_")


def teacher_data(n_train: int = 400, n_test: int = 400, seed: int = 0, units: int = 2) -> Dataset:
    """Gaussian inputs in R^4, targets from a fixed ReLU tree (seeded): realizable by ReLU.
    The targets are standardized by their training mean and spread, which needs two points."""
    if n_train < 2:
        raise ValueError(f"n_train = {n_train}: the targets are standardized by their spread over the training "
                         "points, which needs at least 2")
    g = torch.Generator().manual_seed(10_000 + seed)
    teacher = TreeNet(units=units, activation="relu", dtype=torch.float64, generator=g)
    x = torch.randn(n_train + n_test, 4, generator=g, dtype=torch.float64)
    with torch.no_grad():
        y = teacher(x)
    y = (y - y[:n_train].mean()) / y[:n_train].std()
    return Dataset("relu-teacher", x[:n_train], y[:n_train], x[n_train:], y[n_train:], num_classes=0)


def compare_auto_radius(network: str, *, data: str = "digits", root: str | None = None, device: str = "cpu",
                        n_train: int | None = None, width_mult: float = 0.5, units: int = 2) -> float:
    """``radius="auto"`` for a comparison: measured on the ReLU network of seed 0 (the paper
    network on its images, or the tree on its teacher data), as compare initializes them."""
    from bridge.activation_specs import auto_radius, auto_radius_allconv

    if network == "dcnn":
        return auto_radius_allconv(load_dataset(data, root, device, n_train=n_train), 0, width_mult, device)

    def relu_model(radius):
        model = TreeNet(units=units, activation="relu", dtype=torch.float64, radius=radius,
                        generator=torch.Generator().manual_seed(0))
        model.weights.data.mul_(0.5)
        return model
    return auto_radius(relu_model, teacher_data(n_train or 400))


def _curves(run_dir: Path) -> dict:
    index = read_index(run_dir)
    keys = [k for k in ("train_error", "test_error", "train_loss", "test_loss", "outside_radius")
            if k in index["checkpoints"][0]]
    out = {k: [c[k] for c in index["checkpoints"]] for k in keys}
    out["epoch"] = [c["epoch"] for c in index["checkpoints"]]
    out["status"], out["message"] = index["status"], index.get("message")
    return out


@dataclass(frozen=True)
class _Setting:
    """What every run of one comparison shares (sent with each unit of work)."""
    network: str
    out: Path
    data: str
    root: str | None
    n_train: int | None
    device: str
    epochs: int
    lr: float
    batch: int
    width_mult: float
    units: int


def _dataset(network: str, data: str, root, device: str, n_train):
    if network == "dcnn":
        return cached_dataset(data, root, device, n_train=n_train)
    return teacher_data(n_train or 400)  # a few hundred Gaussian points: nothing to cache


def _train_one(setting: _Setting, job: tuple) -> dict:
    """One (activation, seed) run, trained into its resumable folder (a unit of work: run
    again, a finished run is read back, not retrained); its curves."""
    spec, act, s = job
    torch.manual_seed(s)
    options = act.model_options()
    if setting.network == "dcnn":
        model = AllConvNet(**options, width_mult=setting.width_mult).to(setting.device)
        loss = "cross-entropy"
    else:
        model = TreeNet(units=setting.units, dtype=torch.float64, generator=torch.Generator().manual_seed(s),
                        **options)
        model.weights.data.mul_(0.5)
        loss = "mse"
    dataset = _dataset(setting.network, setting.data, setting.root, setting.device, setting.n_train)
    cfg = TrainConfig(epochs=setting.epochs, lr=setting.lr, batch=setting.batch, seed=s, loss=loss)
    run_dir = setting.out / slug(spec) / f"seed_{s}"
    with warnings.catch_warnings():  # the table reports the range of every activation
        warnings.simplefilter("ignore", RangeWarning)
        train(model, dataset, cfg, run_dir, config={"network": setting.network, "activation": act.describe(),
                                                    "seed": s, "data": dataset.describe()}, progress=False)
    return {"seed": s, **_curves(run_dir)}


def compare(network: str, activations: list[str], seeds: int, out: str | Path, *, data: str = "digits",
            root: str | None = None, epochs: int = 5, device: str = "cpu", lr: float | None = None,
            batch: int | None = None, width_mult: float = 0.5, n_train: int | None = None, units: int = 2,
            radius: float | None = None, clamp: bool = False, runner=None) -> dict:
    """Train every activation from every seed; return the table and where the curves are.
    ``radius``: the interval of approximants without @R and the reference interval of the
    range check (None: DEFAULT_RADIUS); ``clamp`` applies to the polynomial activations.
    ``runner(fn, items)``: where the (activation, seed) runs go (default: here, in turn;
    bridge.cluster); the numbers do not depend on it."""
    if network not in NETWORKS:
        raise ValueError(f"network must be one of {', '.join(NETWORKS)}, got {network!r}")
    if not activations:
        raise ValueError("give at least one activation")
    if seeds < 1:
        raise ValueError(f"seeds must be >= 1, got {seeds}")
    out = Path(out)
    resolved = {spec: resolve(spec, radius, clamp and spec.strip().lower() != "relu") for spec in activations}
    if network == "dcnn":
        lr, batch = lr or 0.01, batch or 100
    else:
        lr, batch = lr or 0.05, batch or 20
    # a missing data set fails here, before any training; on the CPU, as the runs may be on a cluster's GPUs
    dataset = _dataset(network, data, root, "cpu", n_train)
    setting = _Setting(network, out, data, root, n_train, device, epochs, lr, batch, width_mult, units)
    jobs = [(spec, resolved[spec], s) for spec in activations for s in range(seeds)]
    runs = (runner or (lambda fn, items: [fn(x) for x in items]))(functools.partial(_train_one, setting), jobs)
    curves: dict[str, list[dict]] = {spec: [] for spec in activations}
    for (spec, _, _), run in zip(jobs, runs):
        curves[spec].append(run)
    metric = "test_error" if network == "dcnn" else "test_loss"
    table = {spec: {**_final(curves[spec]), "activation": resolved[spec].describe()} for spec in activations}
    reference = activations[0]
    verdicts = {spec: _verdict(table[spec], table[reference], metric) for spec in activations[1:]}
    write_atomic(out / "curves.json", json.dumps(curves, indent=1))
    return {"network": network, "data": dataset.describe(), "epochs": epochs, "seeds": seeds, "metric": metric,
            "lr": lr, "batch": batch, "width_mult": width_mult if network == "dcnn" else None,
            "reference": reference, "table": table, "differences": verdicts, "curves": str(out / "curves.json")}


def _final(runs: list[dict]) -> dict:
    """Mean and spread of the final numbers over the runs that ended "done"; the others
    counted by outcome; the range check at the start and the end."""
    done = [r for r in runs if r["status"] == "done"]
    out = {"runs": len(runs), "done": len(done),
           "diverged": sum(r["status"] == "diverged" for r in runs),
           "no_progress": sum(r["status"] == "no progress" for r in runs)}
    for key in ("train_error", "test_error", "train_loss", "test_loss"):
        if any(key in r for r in runs):
            values = [r[key][-1] for r in done if key in r]
            out[key] = {"mean": float(np.mean(values)) if values else None,
                        "std": float(np.std(values, ddof=1)) if len(values) > 1 else None}
    ranged = [r["outside_radius"] for r in runs if r.get("outside_radius")]
    if ranged:
        out["outside_radius"] = {"start": _layer_means([x[0] for x in ranged]),
                                 "end": _layer_means([x[-1] for x in ranged])}
    return out


def _layer_means(rows: list[list]) -> list[float | None]:
    columns = zip(*rows)
    return [float(np.mean(vals)) if (vals := [v for v in col if v is not None]) else None for col in columns]


def _verdict(a: dict, ref: dict, metric: str) -> dict:
    ma, mr = a[metric]["mean"], ref[metric]["mean"]
    if ma is None or mr is None:
        return {"difference": None, "exceeds_spread": None,
                "why": "no run of the reference ended done" if mr is None else "no run ended done"}
    na, nr = a["done"], ref["done"]
    if min(na, nr) < 2:
        return {"difference": ma - mr, "exceeds_spread": None, "why": "fewer than two done runs: no spread"}
    bound = 2 * math.sqrt((a[metric]["std"] or 0) ** 2 / na + (ref[metric]["std"] or 0) ** 2 / nr)
    return {"difference": ma - mr, "spread_bound": bound, "exceeds_spread": bool(abs(ma - mr) > bound)}
