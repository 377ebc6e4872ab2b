"""The paper's landscape experiments (section 4, appendices B, D, E) as named, resumable runs.

Each experiment is a config dataclass with scale presets: ``micro`` (seconds, for tests),
``tiny`` (minutes on 2 CPU cores, digits), ``paper`` (the paper's protocol: CIFAR-10, a GPU).
``run_experiment`` runs an experiment as waves of units of work (a group of a stage's
trajectories, the main GD run, a GD branch point, the SGD run, one retraining, a width, the
summary), through a ``runner`` that may send them to worker processes (bridge.cluster). Each
unit writes its data file atomically and returns at once when it is present, so an
interrupted run resumes and a killed worker loses one unit; the numbers do not depend on
where the units ran. Then ``summary.json`` with the quantitative summary. Computing writes
data; ``training.plots`` reads it.

Outcomes (summary "status"): "done"; "diverged" when a loss becomes inf or nan (the
message says where; no barrier or distance is reported from non-finite weights); "no
progress" when the final training error of every unit stayed within NO_PROGRESS_MARGIN of
chance (the numbers are kept: they are what such networks measure).

Experiments:
- ``sgd-stages``: stages of K parallel SGD trajectories; trajectories 1..K/2 start from the
  final model of trajectory 1 of the previous stage, K/2+1..K from a copy perturbed by noise
  ``noise`` x each tensor's std. Weights recorded every epoch; MDS of all of them, per layer,
  and of the late stages alone.
- ``gd-branches``: full-batch GD; at the branch epochs, perturbed branches (noise levels) of
  the model after that many steps, trained by GD alongside; main and branch averaged epoch by
  epoch and evaluated.
- ``perturb-retrain``: SGD then GD; models at chosen SGD epochs perturbed (large and small
  noise, several times) and retrained by GD, against the unperturbed GD from the same point.
- ``random-labels``: ``sgd-stages`` on permuted labels.
- ``overparam``: a width sweep, train and test error against parameter count.
"""
from __future__ import annotations

import copy
import functools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from training.catalog import EXPERIMENTS, SCALES
from training.data import cached_dataset
from training.models import AllConvNet
from training.mds import classical_mds
from training.optim import (MultiSGD, NonFiniteLoss, TrainConfig, evaluate, gd_step, make_optimizer,
                            recompute_bn_stats)
from training.trajectories import (NO_PROGRESS_MARGIN, atomic_write_bytes, chance, interpolate, metrics, perturb,
                                   save_tensors)



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
    group: int | None = None        # trajectories vmapped together in one unit of work (divides K/2;
                                    # None: K/2); part of the numbers, as vmapping changes rounding


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
    if isinstance(cfg, SgdStages) and cfg.group is not None and not (
            isinstance(cfg.group, int) and cfg.group >= 1 and (cfg.trajectories // 2) % cfg.group == 0):
        raise ValueError(f"group must divide half the trajectories ({cfg.trajectories // 2}), got {cfg.group}")
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


# --- units of work --------------------------------------------------------------------------
# An experiment runs as waves of units through ``runner(fn, items)`` (in-process by default;
# bridge.cluster runs them as Dask tasks). A unit rebuilds what it needs from the config and
# the run folder, writes its result atomically into out/units/, and returns at once when that
# result is there: a unit killed mid-way is simply run again, a finished one never.

def _data(cfg: Common, device):
    """The experiment's data set, loaded once per process (units of one worker share it)."""
    return cached_dataset(cfg.data, cfg.root, str(device), cfg.random_labels, cfg.seed, cfg.n_train)


def _chance_unit(cfg: Common, device, _=None) -> float:
    """Loads the data (a missing data set fails here, before the folder is claimed); returns
    the chance training error that "no progress" is measured against."""
    return chance(_data(cfg, device), "cross-entropy")["train_error"]


def _units_dir(out) -> Path:
    path = Path(out) / "units"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _save_checkpoint(path: Path, epoch: int, nets: list, opts: list, record) -> None:
    state = {"epoch": epoch, "nets": [n.state_dict() for n in nets], "opts": [o.state_dict() for o in opts],
             "record": record}
    atomic_write_bytes(path, lambda tmp: save_tensors(state, tmp))


def _load_checkpoint(path: Path, nets: list, opts: list, device):
    """(epoch, record) of a unit's checkpoint, its nets and optimizers restored; None if absent."""
    if not path.exists():
        return None
    state = torch.load(path, map_location=device, weights_only=False)
    for net, sd in zip(nets, state["nets"]):
        net.load_state_dict(sd)
    for opt, sd in zip(opts, state["opts"]):
        opt.load_state_dict(sd)
    return state["epoch"], state["record"]


# --- sgd-stages / random-labels -------------------------------------------------------------

def _group_size(cfg: SgdStages) -> int:
    return cfg.group or cfg.trajectories // 2


def _stage_path(out, s: int) -> Path:
    return Path(out) / f"stage_{s:02d}.npz"


def _stage_group(cfg: SgdStages, out, device, job: tuple[int, int]) -> None:
    """Trajectories g*size .. (g+1)*size - 1 of stage s, vmapped together (one MultiSGD)."""
    s, g = job
    path = _units_dir(out) / f"stage_{s:02d}_group_{g}.npz"
    if path.exists() or _stage_path(out, s).exists():
        return
    data = _data(cfg, device)
    prev = _model(cfg, device)
    recompute_bn_stats(prev, data.x_train)
    if s > 1:  # trajectory 1 of the previous stage, on the start's statistics
        set_flat(prev, np.load(_stage_path(out, s - 1))["weights"][0, -1])
    size, half = _group_size(cfg), cfg.trajectories // 2
    members = range(g * size, (g + 1) * size)
    source = prev if members[0] < half else perturb(copy.deepcopy(prev), cfg.noise, seed=cfg.seed * 1000 + s)
    models = [copy.deepcopy(source) for _ in members]
    multi = MultiSGD(models, TrainConfig(lr=cfg.lr, batch=cfg.batch),
                     seeds=[cfg.seed * 100_000 + s * 100 + j for j in members])
    weights = np.zeros((size, cfg.epochs + 1, len(flat(prev))), dtype=np.float32)
    errs = np.zeros((3, size, cfg.epochs + 1))
    for e in range(cfg.epochs + 1):
        if e:
            multi.epoch(data.x_train, data.y_train, e)
            multi.write_back()
        for i, (j, m) in enumerate(zip(members, models)):
            weights[i, e] = flat(m)
            errs[:, i, e] = _errors(m, data, f"stage {s}, trajectory {j + 1}, epoch {e}")
    _save_npz(path, weights=weights, train_error=errs[0], test_error=errs[1], train_loss=errs[2])


def _join_stage(cfg: SgdStages, out: Path, s: int) -> None:
    """The stage file from its groups' files (which then go)."""
    parts = [_units_dir(out) / f"stage_{s:02d}_group_{g}.npz" for g in range(cfg.trajectories // _group_size(cfg))]
    files = [np.load(p) for p in parts]
    _save_npz(_stage_path(out, s), **{key: np.concatenate([f[key] for f in files])
                                      for key in ("weights", "train_error", "test_error", "train_loss")})
    for p in parts:
        p.unlink()


def run_sgd_stages(cfg: SgdStages, out: Path, device, runner) -> dict:
    groups = cfg.trajectories // _group_size(cfg)
    for s in range(1, cfg.stages + 1):
        if not _stage_path(out, s).exists():
            runner(functools.partial(_stage_group, cfg, out, device), [(s, g) for g in range(groups)])
            _join_stage(cfg, out, s)
    return runner(functools.partial(_stages_summary, cfg, out, device), [None])[0]


def _load_stages(out: Path, stages: int):
    return [np.load(_stage_path(out, s)) for s in range(1, stages + 1)]


def _stages_summary(cfg: SgdStages, out: Path, device, _=None) -> dict:
    data = _data(cfg, device)
    stages = _load_stages(out, cfg.stages)
    template = _model(cfg, device)
    last = stages[-1]
    finals = last["weights"][:, -1].astype(np.float64)
    half = cfg.trajectories // 2

    def pair_stats(i, j):
        # numpy's pairwise sums, not BLAS: a BLAS dot's last bits follow the arrays' alignment
        u, v = finals[i], finals[j]
        return (1 - (u * v).sum() / np.sqrt((u * u).sum() * (v * v).sum()),
                float(np.sqrt(((u - v) ** 2).sum())))

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

def _gd_config(cfg: GdBranches) -> TrainConfig:
    return TrainConfig(optimizer="gd", lr=cfg.gd_lr, chunk=1000)


def _gd_main(cfg: GdBranches, out, device, _=None) -> list[float]:
    """The main GD run; its state (weights and optimizer) saved at every branch epoch."""
    units, tc = _units_dir(out), _gd_config(cfg)
    data, main = _data(cfg, device), _model(cfg, device)
    opt = make_optimizer(main, tc)
    resumed = _load_checkpoint(units / "gd_main.pt", [main], [opt], device)
    start, curve = (resumed[0] + 1, resumed[1]) if resumed else (0, [])
    for e in range(start, cfg.epochs + 1):
        if e:
            gd_step(main, opt, data.x_train, data.y_train, tc, e)
        curve.append(_errors(main, data, f"main GD, epoch {e}")[0])
        if e in cfg.branch_at:
            _save_checkpoint(units / f"gd_at_{e}.pt", e, [main], [opt], None)
        _save_checkpoint(units / "gd_main.pt", e, [main], [opt], curve)
    return curve


def _gd_branch_point(cfg: GdBranches, out, device, at: int) -> list[dict]:
    """The branches of epoch ``at`` (one per noise level, from main after ``at`` steps),
    trained by GD beside a replay of main (GD is deterministic: the same main) so that
    their averages with main are evaluated epoch by epoch."""
    units, tc = _units_dir(out), _gd_config(cfg)
    done = units / f"gd_branches_{at}.json"
    if done.exists():
        return json.loads(done.read_text())
    data, main = _data(cfg, device), _model(cfg, device)
    main_opt = make_optimizer(main, tc)
    _load_checkpoint(units / f"gd_at_{at}.pt", [main], [main_opt], device)
    nets = [perturb(copy.deepcopy(main), noise, seed=cfg.seed * 1000 + at * 10 + j)
            for j, noise in enumerate(cfg.noises)]
    opts = [make_optimizer(n, tc) for n in nets]
    resumed = _load_checkpoint(units / f"gd_branches_{at}.pt", [main, *nets], [main_opt, *opts], device)
    start, rows = (resumed[0] + 1, resumed[1]) if resumed else (
        at, [{"at": at, "noise": noise, "error": [], "average_error": []} for noise in cfg.noises])
    for e in range(start, cfg.epochs + 1):
        if e > at:
            for net, opt in zip([main, *nets], [main_opt, *opts]):
                gd_step(net, opt, data.x_train, data.y_train, tc, e)
        for row, net in zip(rows, nets):
            row["error"].append(_errors(net, data, f"branch at {at}, noise {row['noise']:g}, epoch {e}")[0])
            avg = interpolate([main, net], [0.5, 0.5], x_train=data.x_train)
            row["average_error"].append(evaluate(avg, data.x_train, data.y_train)["error"])
        _save_checkpoint(units / f"gd_branches_{at}.pt", e, [main, *nets], [main_opt, *opts], rows)
    _save_json(done, rows)
    (units / f"gd_branches_{at}.pt").unlink()  # the rows say it all now
    return rows


def run_gd_branches(cfg: GdBranches, out: Path, device, runner) -> dict:
    curve = runner(functools.partial(_gd_main, cfg, out, device), [None])[0]
    points = [at for at in dict.fromkeys(cfg.branch_at) if 0 <= at <= cfg.epochs]
    rows = [r for part in runner(functools.partial(_gd_branch_point, cfg, out, device), points) for r in part]
    for r in rows:
        gap = [avg - (m + br) / 2 for avg, m, br in zip(r["average_error"], curve[r["at"]:], r["error"])]
        r["barrier"] = float(max(gap))
    _save_json(out / "branches.json", {"main": curve, "branches": rows})
    near = [r["barrier"] for r in rows if r["noise"] == min(cfg.noises)]
    far = [r["barrier"] for r in rows if r["noise"] == max(cfg.noises)]
    return {"final_train_error": curve[-1], "branches": [{k: r[k] for k in ("at", "noise", "barrier")} for r in rows],
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


def _perturb_epochs(cfg: PerturbRetrain) -> list[int]:
    return sorted({e for e in cfg.perturb_at if 1 <= e <= cfg.sgd_epochs} | {cfg.sgd_epochs})


def _sgd_points(cfg: PerturbRetrain, out, device, _=None) -> None:
    """The SGD run; the model (statistics recomputed) at every perturbation epoch."""
    from training.optim import sgd_epoch

    units = _units_dir(out)
    if (units / "sgd_points.pt").exists():
        return
    data, model = _data(cfg, device), _model(cfg, device)
    tc = TrainConfig(lr=cfg.lr, batch=cfg.batch)
    opt, g = make_optimizer(model, tc), torch.Generator().manual_seed(cfg.seed)
    resumed = _load_checkpoint(units / "sgd.pt", [model], [opt], device)
    start, points = 1, {}
    if resumed:
        start, points = resumed[0] + 1, resumed[1]["points"]
        g.set_state(resumed[1]["generator"])
    for e in range(start, cfg.sgd_epochs + 1):
        sgd_epoch(model, opt, data.x_train, data.y_train, tc, g, e)
        if e in _perturb_epochs(cfg):
            recompute_bn_stats(model, data.x_train)
            points[e] = copy.deepcopy(model.state_dict())
        _save_checkpoint(units / "sgd.pt", e, [model], [opt], {"points": points, "generator": g.get_state()})
    atomic_write_bytes(units / "sgd_points.pt", lambda tmp: save_tensors(points, tmp))
    (units / "sgd.pt").unlink(missing_ok=True)


def _retrain(cfg: PerturbRetrain, out, device, job: tuple) -> list[float]:
    """GD from the SGD model of epoch e: unperturbed (noise None), or perturbed (noise, repeat)."""
    e, noise, r = job
    done = _units_dir(out) / f"retrain_{e}_{noise}_{r}.json"
    if done.exists():
        return json.loads(done.read_text())
    data, model = _data(cfg, device), _model(cfg, device)
    model.load_state_dict(torch.load(Path(out) / "units" / "sgd_points.pt", map_location=device,
                                     weights_only=False)[e])
    if noise is not None:
        perturb(model, noise, seed=cfg.seed * 10_000 + e * 100 + r * 10 + int(noise * 1000), x_train=data.x_train)
    curve = _gd_curve(model, data, cfg.gd_epochs, cfg.gd_lr)
    _save_json(done, curve)
    return curve


def run_perturb_retrain(cfg: PerturbRetrain, out: Path, device, runner) -> dict:
    path = out / "retrain.json"
    if path.exists():
        rows = json.loads(path.read_text())
    else:
        runner(functools.partial(_sgd_points, cfg, out, device), [None])
        epochs = _perturb_epochs(cfg)
        jobs = [(e, alpha, r) for e in epochs for alpha in (cfg.noise, cfg.small_noise) for r in range(cfg.repeats)]
        curves = runner(functools.partial(_retrain, cfg, out, device), [(e, None, 0) for e in epochs] + jobs)
        refs = dict(zip(epochs, curves))
        rows = [{"epoch": e, "noise": alpha, "repeat": r, "reference": refs[e], "curve": curve}
                for (e, alpha, r), curve in zip(jobs, curves[len(epochs):])]
        _save_json(path, rows)
    lowered_now = [r for r in rows if r["curve"][0] < r["reference"][0]]
    lowered_end = [r for r in rows if r["curve"][-1] < r["reference"][-1]]
    return {"runs": len(rows),
            "perturbation_lowered_loss": bool(lowered_now),
            "perturbations_lowering_loss": len(lowered_now),
            "retrained_below_reference": len(lowered_end),
            "final_train_loss": {f"epoch {r['epoch']}": r["reference"][-1] for r in rows}}


# --- overparam ------------------------------------------------------------------------------

def _width(cfg: Overparam, out, device, mult: float) -> dict:
    """One width trained into its own resumable run folder (training.trajectories.train)."""
    from training.trajectories import train

    model = _model(cfg, device, width_mult=mult)
    tc = TrainConfig(epochs=cfg.epochs, lr=cfg.lr, batch=cfg.batch, seed=cfg.seed)
    r = train(model, _data(cfg, device), tc, Path(out) / f"width_{mult:g}", config={"width_mult": mult},
              progress=False)
    return {"width_mult": mult, "parameters": model.n_parameters, "train_error": r.last["train_error"],
            "test_error": r.last["test_error"], "status": r.status}


def run_overparam(cfg: Overparam, out: Path, device, runner) -> dict:
    rows = runner(functools.partial(_width, cfg, out, device), list(cfg.width_mults))
    _save_json(out / "overparam.json", rows)
    return {"widths": rows, "final_train_error": rows[-1]["train_error"]}


RUNNERS = {"sgd-stages": run_sgd_stages, "random-labels": run_sgd_stages, "gd-branches": run_gd_branches,
           "perturb-retrain": run_perturb_retrain, "overparam": run_overparam}


def run_experiment(name: str, cfg, out: str | Path, device: str = "cpu", progress: bool = True,
                   runner=None) -> dict:
    """Run (or resume) experiment ``name`` into ``out``; returns the summary (also in summary.json).
    ``runner(fn, items)``: where its units run (default: here, one after another; see
    bridge.cluster); the results are the same wherever they run."""
    out = Path(out)
    described = {"experiment": name, **asdict(cfg)}
    cfg_path = out / "experiment.json"
    if cfg_path.exists() and json.loads(cfg_path.read_text()) != json.loads(json.dumps(described)):
        raise ValueError(f"{out} holds experiment data of another configuration; use a new --out folder")
    if runner is None:
        def runner(fn, items):
            return [fn(x) for x in _bar(list(items), name, progress)]
    # data first: a missing data set must not leave a folder that claims an experiment
    level = runner(functools.partial(_chance_unit, cfg, device), [None])[0]
    out.mkdir(parents=True, exist_ok=True)
    if not cfg_path.exists():
        _save_json(cfg_path, described)
    try:
        summary = {"status": "done", "message": None, **RUNNERS[name](cfg, out, device, runner)}
    except NonFiniteLoss as exc:
        summary = {"status": "diverged", "message": str(exc)}
    finals = summary.get("final_train_error")
    finals = finals if isinstance(finals, list) else [finals] if finals is not None else []
    if summary["status"] == "done" and finals and min(finals) >= level - NO_PROGRESS_MARGIN:
        summary.update(status="no progress", message=f"no progress: final training errors {min(finals):.3g} and "
                       f"above, chance is {level:.3g}")
    summary = {"experiment": name, **summary}
    _save_json(out / "summary.json", summary)
    return summary
