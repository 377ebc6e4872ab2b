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
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import torch

from bridge.twins import training_activation
from training.data import Dataset, load_dataset
from training.models import AllConvNet, TreeNet
from training.optim import TrainConfig
from training.trajectories import read_index, train

NETWORKS = ("dcnn", "tree")


def slug(spec: str) -> str:
    """A folder name for an activation spec.

    >>> slug("poly:0,0.5,1"), slug("relu-minimax:4")
    ('poly_0_0.5_1', 'relu-minimax_4')
    """
    return re.sub(r"[^A-Za-z0-9.\-]+", "_", spec).strip("_")


def teacher_data(n_train: int = 400, n_test: int = 400, seed: int = 0, units: int = 2) -> Dataset:
    """Gaussian inputs in R^4, targets from a fixed ReLU tree (seeded): realizable by ReLU."""
    g = torch.Generator().manual_seed(10_000 + seed)
    teacher = TreeNet(units=units, activation="relu", dtype=torch.float64, generator=g)
    x = torch.randn(n_train + n_test, 4, generator=g, dtype=torch.float64)
    with torch.no_grad():
        y = teacher(x)
    y = (y - y[:n_train].mean()) / y[:n_train].std()
    return Dataset("relu-teacher", x[:n_train], y[:n_train], x[n_train:], y[n_train:], num_classes=0)


def _curves(run_dir: Path) -> dict:
    index = read_index(run_dir)
    keys = [k for k in ("train_error", "test_error", "train_loss", "test_loss") if k in index["checkpoints"][0]]
    out = {k: [c[k] for c in index["checkpoints"]] for k in keys}
    out["epoch"] = [c["epoch"] for c in index["checkpoints"]]
    out["status"] = index["status"]
    return out


def compare(network: str, activations: list[str], seeds: int, out: str | Path, *, data: str = "digits",
            root: str | None = None, epochs: int = 5, device: str = "cpu", lr: float | None = None,
            batch: int | None = None, width_mult: float = 0.5, n_train: int | None = None, units: int = 2,
            radius: float = 1.0, progress=None) -> dict:
    """Train every activation from every seed; return the table and where the curves are."""
    if network not in NETWORKS:
        raise ValueError(f"network must be one of {', '.join(NETWORKS)}, got {network!r}")
    if not activations:
        raise ValueError("give at least one activation")
    if seeds < 1:
        raise ValueError(f"seeds must be >= 1, got {seeds}")
    out = Path(out)
    resolved = {spec: training_activation(spec, radius) for spec in activations}
    if network == "dcnn":
        dataset = load_dataset(data, root, device, n_train=n_train)
        loss, lr, batch = "cross-entropy", lr or 0.01, batch or 100
    else:
        dataset = teacher_data(n_train or 400)
        loss, lr, batch = "mse", lr or 0.05, batch or 20
    jobs = [(spec, s) for spec in activations for s in range(seeds)]
    curves: dict[str, list[dict]] = {spec: [] for spec in activations}
    for spec, s in (progress(jobs) if progress else jobs):
        torch.manual_seed(s)
        if network == "dcnn":
            model = AllConvNet(resolved[spec], width_mult=width_mult).to(device)
        else:
            model = TreeNet(units=units, activation=resolved[spec], dtype=torch.float64,
                            generator=torch.Generator().manual_seed(s))
            model.weights.data.mul_(0.5)
        cfg = TrainConfig(epochs=epochs, lr=lr, batch=batch, seed=s, loss=loss)
        run_dir = out / slug(spec) / f"seed_{s}"
        train(model, dataset, cfg, run_dir, config={"network": network, "activation": spec, "seed": s,
                                                    "data": dataset.describe()}, progress=False)
        curves[spec].append({"seed": s, **_curves(run_dir)})
    metric = "test_error" if network == "dcnn" else "test_loss"
    table = {spec: _final(curves[spec]) for spec in activations}
    reference = activations[0]
    verdicts = {spec: _verdict(table[spec], table[reference], metric, seeds) for spec in activations[1:]}
    (out / "curves.json").write_text(json.dumps(curves, indent=1))
    return {"network": network, "data": dataset.describe(), "epochs": epochs, "seeds": seeds, "metric": metric,
            "reference": reference, "table": table, "differences": verdicts, "curves": str(out / "curves.json")}


def _final(runs: list[dict]) -> dict:
    out = {}
    for key in ("train_error", "test_error", "train_loss", "test_loss"):
        values = [r[key][-1] for r in runs if key in r]
        if values:
            finite = [v for v in values if math.isfinite(v)]
            out[key] = {"mean": float(np.mean(finite)) if finite else None,
                        "std": float(np.std(finite, ddof=1)) if len(finite) > 1 else None}
    out["diverged"] = sum(r["status"] == "non-finite" for r in runs)
    return out


def _verdict(a: dict, ref: dict, metric: str, n: int) -> dict:
    ma, mr = a[metric]["mean"], ref[metric]["mean"]
    if ma is None or mr is None:
        return {"difference": None, "exceeds_spread": None, "why": "a run diverged"}
    if n < 2:
        return {"difference": ma - mr, "exceeds_spread": None, "why": "one seed: no spread to compare with"}
    bound = 2 * math.sqrt(((a[metric]["std"] or 0) ** 2 + (ref[metric]["std"] or 0) ** 2) / n)
    return {"difference": ma - mr, "spread_bound": bound, "exceeds_spread": bool(abs(ma - mr) > bound)}
