"""The paper's landscape experiments (section 4, appendices B, D, E) as named, resumable runs.

Each experiment is a config dataclass with scale presets: ``micro`` (seconds, for tests),
``tiny`` (minutes on 2 CPU cores, digits), ``paper`` (the paper's protocol: CIFAR-10, a GPU).
``run_experiment`` writes data files into the output folder, one per unit of work
(a stage, a width, or the state after each epoch), each written atomically and skipped when
present, so an interrupted run resumes; then ``summary.json`` with the quantitative summary.
Computing writes data; ``training.plots`` reads it.

Outcomes (summary "status"): "done"; "diverged" when a loss becomes inf or nan (the
message says where; no barrier or distance is reported from non-finite weights); "no
progress" when the final training error of every unit stayed within NO_PROGRESS_MARGIN of
chance (the numbers are kept: they are what such networks measure).

Experiments:
- ``sgd-stages``: stages of K parallel SGD trajectories; trajectories 1..K/2 start from the
  final model of trajectory 1 of the previous stage, K/2+1..K from a copy perturbed by noise
  ``noise`` x each tensor's std. Weights recorded every epoch; MDS of all of them, per layer,
  and of the late stages alone.
- ``gd-branches``: full-batch GD; at the branch epochs, perturbed branches (noise levels),
  trained by GD alongside; main and branch averaged epoch by epoch and evaluated.
- ``perturb-retrain``: SGD then GD; models at chosen SGD epochs perturbed (large and small
  noise, several times) and retrained by GD, against the unperturbed GD from the same point.
- ``random-labels``: ``sgd-stages`` on permuted labels.
- ``overparam``: a width sweep, train and test error against parameter count.
"""
from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from training.catalog import EXPERIMENTS, SCALES
from training.data import load_dataset
from training.models import AllConvNet
from training.mds import classical_mds
from training.optim import (MultiSGD, NonFiniteLoss, TrainConfig, evaluate, gd_step, make_optimizer,
                            recompute_bn_stats)
from training.trajectories import NO_PROGRESS_MARGIN, atomic_write_bytes, chance, interpolate, metrics, perturb



@dataclass
class Common:
    data: str = "digits"            # digits | synthetic | cifar10
    root: str | None = None         # cifar10 folder
    n_train: int | None = None      # first n training points (None: all)
    width_mult: float = 1.0         # the paper network's widths times this
    activation: str | list = "relu"
    radius: float | None = None     # interval of the activation (range check; clamp)
    clamp: bool = False             # evaluate a polynomial at clip(z, -radius, radius)
    lr: float = 0.01                # the paper's SGD learning rate
    batch: int = 100                # the paper's batch size
    gd_lr: float = 0.1              # full-batch GD step
    seed: int = 0
    random_labels: bool = False


@dataclass
class SgdStages(Common):
    stages: int = 12
    trajectories: int = 8           # K, even: half from the model, half from its perturbed copy
    epochs: int = 10                # per stage
    noise: float = 0.01             # x each tensor's std, for the second half
    late_from: int = 5              # the paper redoes the MDS for stages 5..12


@dataclass
class GdBranches(Common):
    epochs: int = 400
    branch_at: tuple = (0, 10, 50, 200)
    noises: tuple = (0.25, 0.5, 1.0)


@dataclass
class PerturbRetrain(Common):
    sgd_epochs: int = 60
    gd_epochs: int = 400
    perturb_at: tuple = (5, 30)     # plus the final SGD model
    noise: float = 0.25
    small_noise: float = 0.01       # appendix E's smaller perturbation
    repeats: int = 3


@dataclass
class Overparam(Common):
    width_mults: tuple = (0.125, 0.25, 0.5, 1.0, 2.0)
    epochs: int = 60


KINDS = {"sgd-stages": SgdStages, "gd-branches": GdBranches, "perturb-retrain": PerturbRetrain,
         "random-labels": SgdStages, "overparam": Overparam}
assert tuple(KINDS) == EXPERIMENTS

_SMALL = dict(data="digits", width_mult=0.25, lr=0.05, batch=50, gd_lr=0.5)
PRESETS = {
    ("sgd-stages", "micro"): dict(_SMALL, n_train=120, stages=2, trajectories=2, epochs=1, late_from=2),
    ("sgd-stages", "tiny"): dict(_SMALL, n_train=600, stages=6, trajectories=4, epochs=3, late_from=3),
    ("sgd-stages", "paper"): dict(data="cifar10"),
    ("gd-branches", "micro"): dict(_SMALL, n_train=120, epochs=3, branch_at=(0, 2), noises=(0.25, 1.0)),
    ("gd-branches", "tiny"): dict(_SMALL, n_train=500, epochs=20, branch_at=(0, 5, 10), noises=(0.25, 0.5, 1.0)),
    ("gd-branches", "paper"): dict(data="cifar10"),
    ("perturb-retrain", "micro"): dict(_SMALL, n_train=120, sgd_epochs=2, gd_epochs=2, perturb_at=(1,), repeats=1),
    ("perturb-retrain", "tiny"): dict(_SMALL, n_train=500, sgd_epochs=6, gd_epochs=10, perturb_at=(1, 3),
                                      repeats=2),
    ("perturb-retrain", "paper"): dict(data="cifar10"),
    ("overparam", "micro"): dict(_SMALL, n_train=120, width_mults=(0.0625, 0.125), epochs=1),
    ("overparam", "tiny"): dict(_SMALL, n_train=800, width_mults=(0.0625, 0.125, 0.25, 0.5), epochs=4),
    ("overparam", "paper"): dict(data="cifar10"),
}
for _scale in SCALES:
    PRESETS[("random-labels", _scale)] = dict(PRESETS[("sgd-stages", _scale)], random_labels=True)


def make_config(name: str, scale: str = "tiny", **overrides):
    """The config of experiment ``name`` at ``scale``, with overrides (None values ignored)."""
    if name not in KINDS:
        raise ValueError(f"unknown experiment {name!r}: one of {', '.join(KINDS)}")
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: one of {', '.join(SCALES)}")
    values = {**PRESETS[(name, scale)], **{k: v for k, v in overrides.items() if v is not None}}
    cfg = KINDS[name](**values)
    if isinstance(cfg, SgdStages) and (cfg.trajectories < 2 or cfg.trajectories % 2):
        raise ValueError(f"trajectories must be even and >= 2, got {cfg.trajectories}")
    return cfg


# --- shared pieces ------------------------------------------------------------------------

def _model(cfg: Common, device, width_mult: float | None = None, seed: int | None = None) -> AllConvNet:
    torch.manual_seed(cfg.seed if seed is None else seed)
    return AllConvNet(cfg.activation, width_mult=cfg.width_mult if width_mult is None else width_mult,
                      radius=cfg.radius, clamp=cfg.clamp).to(device)


def flat(model) -> np.ndarray:
    return torch.nn.utils.parameters_to_vector(model.parameters()).detach().cpu().numpy().astype(np.float32)


def set_flat(model, vector: np.ndarray, x_train=None):
    with torch.no_grad():
        ref = next(model.parameters())
        torch.nn.utils.vector_to_parameters(torch.as_tensor(vector, dtype=ref.dtype, device=ref.device),
                                            model.parameters())
    if x_train is not None:
        recompute_bn_stats(model, x_train)
    return model


def layer_slices(model) -> dict[str, tuple[int, int]]:
    """Offsets of each convolution's weight tensor in the flat vector (the MDS layers)."""
    out, start = {}, 0
    for name, p in model.named_parameters():
        if name.endswith("weight"):
            out[name.removesuffix(".weight")] = (start, start + p.numel())
        start += p.numel()
    return out


def _errors(model, data, where: str = "evaluation") -> tuple[float, float, float]:
    """Train error, test error, train loss, with the model's own statistics; a non-finite
    loss is divergence (NonFiniteLoss), not a number to average."""
    m = metrics(model, data, TrainConfig())
    if not (np.isfinite(m["train_loss"]) and np.isfinite(m["test_loss"])):
        raise NonFiniteLoss(None, None, m["train_loss"], where=where)
    return m["train_error"], m["test_error"], m["train_loss"]


def interpolation_curve(a, b, data, points: int = 11) -> list[float]:
    """Training error along (1 - t) a + t b, statistics recomputed at every t."""
    out = []
    for t in np.linspace(0.0, 1.0, points):
        m = interpolate([a, b], [1 - t, t], x_train=data.x_train)
        out.append(evaluate(m, data.x_train, data.y_train)["error"])
    return out


def barrier(curve: list[float]) -> float:
    """Max error along the path minus the mean of the endpoints' errors."""
    return float(max(curve) - (curve[0] + curve[-1]) / 2)


def _save_npz(path: Path, **arrays) -> None:
    def write(tmp):
        with open(tmp, "wb") as f:  # a file object: np.savez would add .npz to a temporary name
            np.savez(f, **arrays)
    atomic_write_bytes(path, write)


def _save_json(path: Path, obj) -> None:
    atomic_write_bytes(path, lambda tmp: Path(tmp).write_text(json.dumps(obj, indent=1, default=float)))


def _bar(items, desc, progress):
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="unit", disable=None if progress else True, leave=False)


# --- sgd-stages / random-labels -------------------------------------------------------------

def run_sgd_stages(cfg: SgdStages, out: Path, data, device, progress=True) -> dict:
    k, half = cfg.trajectories, cfg.trajectories // 2
    start = _model(cfg, device)
    recompute_bn_stats(start, data.x_train)
    prev = start
    for s in _bar(range(1, cfg.stages + 1), "stages", progress):
        path = out / f"stage_{s:02d}.npz"
        if path.exists():
            prev = set_flat(copy.deepcopy(start), np.load(path)["weights"][0, -1])
            continue
        base = copy.deepcopy(prev)
        shaken = perturb(copy.deepcopy(prev), cfg.noise, seed=cfg.seed * 1000 + s)
        models = [copy.deepcopy(base) for _ in range(half)] + [copy.deepcopy(shaken) for _ in range(half)]
        multi = MultiSGD(models, TrainConfig(lr=cfg.lr, batch=cfg.batch),
                         seeds=[cfg.seed * 100_000 + s * 100 + j for j in range(k)])
        weights = np.zeros((k, cfg.epochs + 1, len(flat(start))), dtype=np.float32)
        errs = np.zeros((3, k, cfg.epochs + 1))
        for e in range(cfg.epochs + 1):
            if e:
                multi.epoch(data.x_train, data.y_train, e)
                multi.write_back()
            for j, m in enumerate(models):
                weights[j, e] = flat(m)
                errs[:, j, e] = _errors(m, data, f"stage {s}, trajectory {j + 1}, epoch {e}")
        _save_npz(path, weights=weights, train_error=errs[0], test_error=errs[1], train_loss=errs[2])
        prev = models[0]
    return summarize_stages(cfg, out, data, device)


def _load_stages(out: Path, stages: int):
    files = [np.load(out / f"stage_{s:02d}.npz") for s in range(1, stages + 1)]
    return files


def summarize_stages(cfg: SgdStages, out: Path, data, device) -> dict:
    stages = _load_stages(out, cfg.stages)
    template = _model(cfg, device)
    last = stages[-1]
    finals = last["weights"][:, -1].astype(np.float64)
    half = cfg.trajectories // 2

    def pair_stats(i, j):
        u, v = finals[i], finals[j]
        return 1 - u @ v / (np.linalg.norm(u) * np.linalg.norm(v)), float(np.linalg.norm(u - v))

    same = [pair_stats(i, j) for i in range(half) for j in range(i + 1, half)]
    across = [pair_stats(i, j) for i in range(half) for j in range(half, cfg.trajectories)]
    a = set_flat(copy.deepcopy(template), last["weights"][0, -1], data.x_train)
    b = set_flat(copy.deepcopy(template), last["weights"][1, -1], data.x_train)
    far = set_flat(copy.deepcopy(template), stages[0]["weights"][0, -1], data.x_train)
    near_curve, far_curve = interpolation_curve(a, b, data), interpolation_curve(far, a, data)
    # MDS of every recorded model, per layer, and of the late stages alone
    allw = np.concatenate([f["weights"].reshape(-1, f["weights"].shape[-1]) for f in stages])
    labels = np.array([(s, j, e) for s, f in enumerate(stages, 1) for j in range(f["weights"].shape[0])
                       for e in range(f["weights"].shape[1])])
    errors = np.concatenate([f["train_error"].reshape(-1) for f in stages])
    mds, spectra = {}, {}
    for layer, (lo, hi) in {**layer_slices(template), "all": (0, allw.shape[1])}.items():
        for tag, mask in (("all", np.ones(len(labels), bool)), ("late", labels[:, 0] >= cfg.late_from)):
            if mask.sum() < 3:
                continue
            emb = classical_mds(allw[mask, lo:hi])
            mds[f"{tag}/{layer}"] = emb.coordinates
            spectra[f"{tag}/{layer}"] = emb.summary()
    _save_npz(out / "mds.npz", labels=labels, errors=errors,
              **{k.replace("/", "__"): v for k, v in mds.items()})
    return {"final_train_error": [float(f["train_error"][:, -1].mean()) for f in stages],
            "final_test_error": [float(f["test_error"][:, -1].mean()) for f in stages],
            "sibling_distance_same_start": _mean_pairs(same), "sibling_distance_perturbed_start": _mean_pairs(across),
            "interpolation_near": near_curve, "interpolation_far": far_curve,
            "interpolation_barrier_near": barrier(near_curve), "interpolation_barrier_far": barrier(far_curve),
            "mds": spectra}


def _mean_pairs(pairs):
    if not pairs:
        return None
    return {"one_minus_cos": float(np.mean([p[0] for p in pairs])), "l2": float(np.mean([p[1] for p in pairs]))}


# --- gd-branches ----------------------------------------------------------------------------

def run_gd_branches(cfg: GdBranches, out: Path, data, device, progress=True) -> dict:
    tc = TrainConfig(optimizer="gd", lr=cfg.gd_lr, chunk=1000)
    state_path = out / "state.pt"
    main = _model(cfg, device)
    branches: list[dict] = []
    curves = {"main": []}
    start = 0
    if state_path.exists():
        state = torch.load(state_path, map_location=device, weights_only=False)
        main.load_state_dict(state["main"])
        for b in state["branches"]:
            m = _model(cfg, device)
            m.load_state_dict(b.pop("model"))
            branches.append({**b, "net": m})
        curves, start = state["curves"], state["epoch"] + 1
    opts = {}
    for e in _bar(range(start, cfg.epochs + 1), "gd epochs", progress):
        for at in cfg.branch_at:
            if at == e:
                for j, noise in enumerate(cfg.noises):
                    net = perturb(copy.deepcopy(main), noise, seed=cfg.seed * 1000 + at * 10 + j)
                    branches.append({"at": at, "noise": noise, "net": net, "error": [], "average_error": []})
        if e:
            for key, net in [("main", main)] + [(id(b), b["net"]) for b in branches if b["at"] < e]:
                opt = opts.setdefault(key, make_optimizer(net, tc))
                gd_step(net, opt, data.x_train, data.y_train, tc, e)
        curves["main"].append(_errors(main, data)[0])
        for b in branches:
            b["error"].append(_errors(b["net"], data)[0])
            avg = interpolate([main, b["net"]], [0.5, 0.5], x_train=data.x_train)
            b["average_error"].append(evaluate(avg, data.x_train, data.y_train)["error"])
        state = {"main": main.state_dict(), "epoch": e, "curves": curves,
                 "branches": [{k: v for k, v in b.items() if k != "net"} | {"model": b["net"].state_dict()}
                              for b in branches]}
        atomic_write_bytes(state_path, lambda tmp: torch.save(state, tmp))
    rows = []
    for b in branches:
        main_part = curves["main"][b["at"]:]
        gap = [avg - (m + br) / 2 for avg, m, br in zip(b["average_error"], main_part, b["error"])]
        rows.append({"at": b["at"], "noise": b["noise"], "error": b["error"], "average_error": b["average_error"],
                     "barrier": float(max(gap))})
    _save_json(out / "branches.json", {"main": curves["main"], "branches": rows})
    near = [r["barrier"] for r in rows if r["noise"] == min(cfg.noises)]
    far = [r["barrier"] for r in rows if r["noise"] == max(cfg.noises)]
    return {"final_train_error": curves["main"][-1], "branches": [{k: r[k] for k in ("at", "noise", "barrier")}
                                                                   for r in rows],
            "interpolation_barrier_near": float(np.mean(near)) if near else None,
            "interpolation_barrier_far": float(np.mean(far)) if far else None}


# --- perturb-retrain ------------------------------------------------------------------------

def _gd_curve(model, data, epochs: int, lr: float) -> list[float]:
    tc = TrainConfig(optimizer="gd", lr=lr)
    opt = make_optimizer(model, tc)
    curve = [_errors(model, data)[2]]
    for e in range(1, epochs + 1):
        gd_step(model, opt, data.x_train, data.y_train, tc, e)
        curve.append(_errors(model, data)[2])
    return curve


def run_perturb_retrain(cfg: PerturbRetrain, out: Path, data, device, progress=True) -> dict:
    path = out / "retrain.json"
    if path.exists():
        rows = json.loads(path.read_text())
    else:
        model = _model(cfg, device)
        tc = TrainConfig(lr=cfg.lr, batch=cfg.batch)
        opt, g = make_optimizer(model, tc), torch.Generator().manual_seed(cfg.seed)
        from training.optim import sgd_epoch

        points = {}
        for e in _bar(range(1, cfg.sgd_epochs + 1), "sgd epochs", progress):
            sgd_epoch(model, opt, data.x_train, data.y_train, tc, g, e)
            if e in cfg.perturb_at or e == cfg.sgd_epochs:
                recompute_bn_stats(model, data.x_train)
                points[e] = copy.deepcopy(model)
        rows = []
        jobs = [(e, alpha, r) for e in points for alpha in (cfg.noise, cfg.small_noise) for r in range(cfg.repeats)]
        refs = {e: _gd_curve(copy.deepcopy(m), data, cfg.gd_epochs, cfg.gd_lr) for e, m in points.items()}
        for e, alpha, r in _bar(jobs, "retrain", progress):
            m = perturb(copy.deepcopy(points[e]), alpha, seed=cfg.seed * 10_000 + e * 100 + r * 10 + int(alpha * 1000),
                        x_train=data.x_train)
            rows.append({"epoch": e, "noise": alpha, "repeat": r, "reference": refs[e],
                         "curve": _gd_curve(m, data, cfg.gd_epochs, cfg.gd_lr)})
        _save_json(path, rows)
    lowered_now = [r for r in rows if r["curve"][0] < r["reference"][0]]
    lowered_end = [r for r in rows if r["curve"][-1] < r["reference"][-1]]
    return {"runs": len(rows),
            "perturbation_lowered_loss": bool(lowered_now),
            "perturbations_lowering_loss": len(lowered_now),
            "retrained_below_reference": len(lowered_end),
            "final_train_loss": {f"epoch {r['epoch']}": r["reference"][-1] for r in rows}}


# --- overparam ------------------------------------------------------------------------------

def run_overparam(cfg: Overparam, out: Path, data, device, progress=True) -> dict:
    from training.trajectories import train

    rows = []
    for mult in _bar(cfg.width_mults, "widths", progress):
        model = _model(cfg, device, width_mult=mult)
        tc = TrainConfig(epochs=cfg.epochs, lr=cfg.lr, batch=cfg.batch, seed=cfg.seed)
        r = train(model, data, tc, out / f"width_{mult:g}", config={"width_mult": mult}, progress=False)
        rows.append({"width_mult": mult, "parameters": model.n_parameters, "train_error": r.last["train_error"],
                     "test_error": r.last["test_error"], "status": r.status})
    _save_json(out / "overparam.json", rows)
    return {"widths": rows, "final_train_error": rows[-1]["train_error"]}


RUNNERS = {"sgd-stages": run_sgd_stages, "random-labels": run_sgd_stages, "gd-branches": run_gd_branches,
           "perturb-retrain": run_perturb_retrain, "overparam": run_overparam}


def run_experiment(name: str, cfg, out: str | Path, device: str = "cpu", progress: bool = True) -> dict:
    """Run (or resume) experiment ``name`` into ``out``; returns the summary (also in summary.json)."""
    out = Path(out)
    described = {"experiment": name, **asdict(cfg)}
    cfg_path = out / "experiment.json"
    if cfg_path.exists() and json.loads(cfg_path.read_text()) != json.loads(json.dumps(described)):
        raise ValueError(f"{out} holds experiment data of another configuration; use a new --out folder")
    # data first: a missing data set must not leave a folder that claims an experiment
    data = load_dataset(cfg.data, cfg.root, device, cfg.random_labels, cfg.seed, n_train=cfg.n_train)
    out.mkdir(parents=True, exist_ok=True)
    if not cfg_path.exists():
        _save_json(cfg_path, described)
    try:
        summary = {"status": "done", "message": None, **RUNNERS[name](cfg, out, data, device, progress)}
    except NonFiniteLoss as exc:
        summary = {"status": "diverged", "message": str(exc)}
    level = chance(data, "cross-entropy")["train_error"]
    finals = summary.get("final_train_error")
    finals = finals if isinstance(finals, list) else [finals] if finals is not None else []
    if summary["status"] == "done" and finals and min(finals) >= level - NO_PROGRESS_MARGIN:
        summary.update(status="no progress", message=f"no progress: final training errors {min(finals):.3g} and "
                       f"above, chance is {level:.3g}")
    summary = {"experiment": name, **summary}
    _save_json(out / "summary.json", summary)
    return summary
