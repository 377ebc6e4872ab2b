"""Pictures of the experiments, drawn from their saved data files only."""
from __future__ import annotations

import json
import os
from pathlib import Path

# files only, whatever the environment asks: matplotlib validates MPLBACKEND when it is imported,
# and MPLBACKEND=nonsense made every command that draws end in its traceback
os.environ["MPLBACKEND"] = "Agg"
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def save_figure(fig, path: str | Path, dpi: int = 110) -> Path:
    """Lay out, write (creating the folder) and close a figure; every plot ends here."""
    from algebra.files import atomic_write_bytes

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    try:  # whole or absent, and never over a FIFO or a device, as every result file
        return atomic_write_bytes(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".") or "png"))
    finally:
        plt.close(fig)


def plot_stages(run_dir: Path) -> list[Path]:
    """MDS of recorded weights per layer: colour = stage, one line per trajectory, marker
    size = training error; one figure for all stages, one for the late stages."""
    data = np.load(run_dir / "mds.npz")
    labels, errors = data["labels"], data["errors"]
    summary = json.loads((run_dir / "summary.json").read_text())
    written = []
    for tag in ("all", "late"):
        keys = [k for k in data.files if k.startswith(tag + "__")]
        if not keys:
            continue
        fig, axes = plt.subplots(1, len(keys), figsize=(3.6 * len(keys), 3.6), squeeze=False)
        for ax, key in zip(axes[0], keys):
            coords = data[key]
            rows = labels if len(coords) == len(labels) else labels[-len(coords):]
            errs = errors if len(coords) == len(labels) else errors[-len(coords):]
            stages = rows[:, 0]
            cmap = plt.get_cmap("viridis")
            span = max(stages.max() - stages.min(), 1)
            for s in np.unique(stages):
                for j in np.unique(rows[:, 1]):
                    sel = (stages == s) & (rows[:, 1] == j)
                    c = cmap((s - stages.min()) / span)
                    ax.plot(coords[sel, 0], coords[sel, 1], "-", color=c, lw=0.6, alpha=0.7)
                    ax.scatter(coords[sel, 0], coords[sel, 1], s=4 + 60 * errs[sel], color=c, alpha=0.8)
            layer = key.split("__", 1)[1]
            kept = summary["mds"][f"{tag}/{layer}"]["kept_share"]
            ax.set(title=f"{layer} ({100 * kept:.0f}% kept)", xticks=[], yticks=[])
        fig.suptitle(f"MDS of weights, {tag} stages (colour: stage, size: training error)", fontsize=9)
        written.append(save_figure(fig, run_dir / f"mds_{tag}.png"))
    return written


def plot_interpolation(run_dir: Path) -> list[Path]:
    s = json.loads((run_dir / "summary.json").read_text())
    written = []
    if "interpolation_near" in s:
        fig, ax = plt.subplots(figsize=(5, 3.5))
        t = np.linspace(0, 1, len(s["interpolation_near"]))
        ax.plot(t, s["interpolation_near"], "o-", label=f"siblings (barrier {s['interpolation_barrier_near']:.3f})")
        ax.plot(t, s["interpolation_far"], "s-", label=f"stage 1 to last (barrier {s['interpolation_barrier_far']:.3f})")
        ax.set(xlabel="t", ylabel="training error", title="error along (1 - t) a + t b")
        ax.legend(fontsize=8)
        written.append(save_figure(fig, run_dir / "interpolation.png"))
    if (run_dir / "branches.json").exists():
        b = json.loads((run_dir / "branches.json").read_text())
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(b["main"], "k-", lw=2, label="main (GD)")
        for r in b["branches"]:
            x = np.arange(r["at"], r["at"] + len(r["error"]))
            line, = ax.plot(x, r["error"], "-", lw=0.8, label=f"branch at {r['at']}, noise {r['noise']:g}")
            ax.plot(x, r["average_error"], ":", color=line.get_color(), lw=1.2)
        ax.set(xlabel="epoch", ylabel="training error", title="branches (solid) and their averages with main (dotted)")
        ax.legend(fontsize=6)
        written.append(save_figure(fig, run_dir / "branches.png"))
    return written


def plot_retrain(run_dir: Path) -> list[Path]:
    rows = json.loads((run_dir / "retrain.json").read_text())
    fig, ax = plt.subplots(figsize=(6, 4))
    seen = set()
    for r in rows:
        if r["epoch"] not in seen:
            seen.add(r["epoch"])
            ax.plot(r["reference"], "k-", lw=1.8)
        ax.plot(r["curve"], "--" if r["noise"] == max(x["noise"] for x in rows) else ":", lw=0.9,
                label=f"from epoch {r['epoch']}, noise {r['noise']:g}" if r["repeat"] == 0 else None)
    ax.set(yscale="log", xlabel="GD epoch", ylabel="training loss", title="retraining after perturbation (black: unperturbed)")
    ax.legend(fontsize=6)
    return [save_figure(fig, run_dir / "retrain.png")]


def plot_overparam(run_dir: Path) -> list[Path]:
    rows = json.loads((run_dir / "overparam.json").read_text())
    fig, ax = plt.subplots(figsize=(5, 3.5))
    p = [r["parameters"] for r in rows]
    ax.plot(p, [r["train_error"] for r in rows], "o-", label="train")
    ax.plot(p, [r["test_error"] for r in rows], "s-", label="test")
    ax.set(xscale="log", xlabel="parameters", ylabel="error", title="width sweep")
    ax.legend(fontsize=8)
    return [save_figure(fig, run_dir / "overparam.png")]


def plot_run(run_dir: str | Path) -> list[Path]:
    """Every picture an experiment folder's data files support."""
    run_dir = Path(run_dir)
    if not (run_dir / "summary.json").exists():
        raise FileNotFoundError(f"{run_dir} has no summary.json: not a finished experiment folder")
    written = []
    if (run_dir / "mds.npz").exists():
        written += plot_stages(run_dir)
    written += plot_interpolation(run_dir)
    if (run_dir / "retrain.json").exists():
        written += plot_retrain(run_dir)
    if (run_dir / "overparam.json").exists():
        written += plot_overparam(run_dir)
    if not written:
        raise ValueError("no data file there has anything to draw (summary.json, mds.npz, retrain.json, "
                         "overparam.json)")
    return written


def plot_basin_model(result: dict, out_dir: str | Path) -> list[Path]:
    """Descent probability measured against the closed form; branch distances; and, when a
    network experiment is compared, the side-by-side figure."""
    out_dir = Path(out_dir)
    written = []
    fig, (ax, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 3.8))
    rows = result["runs"][0]["descent_by_dimension"]
    for d in sorted({r["dim"] for r in rows}):
        sel = [r for r in rows if r["dim"] == d]
        ax3.errorbar([r["predicted"] for r in sel], [r["measured"] for r in sel],
                     yerr=[2 * r["stderr"] for r in sel], fmt="o", ms=4, capsize=2, label=f"D = {d}")
    ax3.plot([0, 0.5], [0, 0.5], "k:", lw=0.8)
    ax3.set(xlabel="exact bowl P(descent)", ylabel="measured", title="measured against predicted, by D and sigma")
    ax3.legend(fontsize=7)
    for r in result["runs"]:
        rows = r["descent_probability"]
        s = [x["sigma"] for x in rows]
        ax.errorbar(s, [x["measured"] for x in rows], yerr=[2 * x["stderr"] for x in rows], fmt="o",
                    ms=4, capsize=2, label=f"{r['variant']} measured (D_eff = {r['effective_dimension']})")
        ax.plot(s, [x["predicted"] for x in rows], "-", lw=1, label=f"{r['variant']} exact bowl")
        ax.plot(s, [x["predicted_high_dim"] for x in rows], ":", lw=1, label="Phi(-D sigma / 2 rho)")
        ax2.plot(r["branch_at"], r["branch_distance"], "o-", label=r["variant"])
    ax.set(xscale="log", xlabel="perturbation sigma", ylabel="P(loss decreases)",
           title=f"hypervolume argument at rho = {result['runs'][0]['descent_probability'][0]['rho']:g}")
    ax.legend(fontsize=6)
    ax2.set(xlabel="branch epoch", ylabel="distance of branch final to main final",
            title="earlier perturbations end farther away")
    ax2.legend(fontsize=7)
    written.append(save_figure(fig, out_dir / "basin_model.png"))
    if result.get("comparison"):
        rows = result["comparison"]["rows"]
        fig, ax = plt.subplots(figsize=(7, 3.6))
        names = [r["source"] for r in rows]
        x = np.arange(len(names))
        near = [r["near_over_far"] for r in rows]
        ax.bar(x, [0 if v is None else v for v in near], color=["C0" if r["source"] == "network" else "C1"
                                                                 for r in rows])
        ax.set_xticks(x, names, fontsize=8)
        ax.set(ylabel="barrier near / barrier far", title="which landscape does the network resemble?")
        written.append(save_figure(fig, out_dir / "side_by_side.png"))
    return written
