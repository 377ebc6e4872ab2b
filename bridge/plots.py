"""Pictures drawn from result dictionaries (computing and plotting stay apart)."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

os.environ["MPLBACKEND"] = "Agg"  # files only, whatever the environment asks (training.plots says why)
import matplotlib  # noqa: E402

matplotlib.use("Agg")  # files only: no display on these machines
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from training.plots import save_figure  # noqa: E402


def approximant_plots(result: dict, out_dir: str | Path) -> list[Path]:
    """ReLU against its approximants, their error curves and, for a degree range, sup error by degree."""
    out_dir = Path(out_dir)
    samples = result["samples"]
    x = samples["x"]
    written = []

    fig, (ax, ax_err) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax.plot(x, samples["target"], color="black", lw=2.2, label=result["target"])
    for kind, ys in samples["approximants"].items():
        ax.plot(x, ys, lw=1.2, label=f"{kind} (d={samples['degree']})")
        ax_err.plot(x, [t - y for t, y in zip(samples["target"], ys)], lw=1.0, label=kind)
    ax.set(title=f"{result['target']} on [-{result['radius']:g}, {result['radius']:g}] and its approximants",
           xlabel="x")
    ax_err.axhline(0, color="grey", lw=0.6)
    ax_err.set(title="error f - p", xlabel="x")
    ax.legend(fontsize=8)
    ax_err.legend(fontsize=8)
    written.append(save_figure(fig, out_dir / "approximants.png", dpi=120))

    if "table" in result:
        fig, ax = plt.subplots(figsize=(6, 4.2))
        for kind, rows in result["table"].items():
            ax.loglog([r["degree"] for r in rows], [r["sup_error"] for r in rows], "o-", ms=3,
                      label=f"{kind} (slope {result['decay_rate'][kind]:.2f})")
        ax.set(title="sup error by degree", xlabel="degree d", ylabel="max |f - p|")
        ax.legend(fontsize=8)
        written.append(save_figure(fig, out_dir / "sup_error_by_degree.png", dpi=120))
    return written


def bounds_plot(result: dict, out_dir: str | Path) -> Path:
    """log10 of every bound against the number of data points N (several N in one result)."""
    rows = result["rows"]
    n = [r["data"] for r in rows]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    ax.plot(n, [r["log10_total_degree"] for r in rows], "o-", ms=3, label="total degree (Bezout)")
    ax.plot(n, [r["log10_multihomogeneous"] for r in rows], "s-", ms=3, label="multihomogeneous")
    if all(r["log10_paper_bound"] is not None for r in rows):
        ax.plot(n, [r["log10_paper_bound"] for r in rows], "--", label="paper d^(L N)")
    ax.plot(n, [r["log10_real_estimate"] for r in rows], ":", label="real roots (sqrt estimate)")
    mv = [(r["data"], r["mixed_volume"]) for r in rows if r["mixed_volume"]]
    if mv:
        ax.plot([m[0] for m in mv], [math.log10(m[1]) for m in mv], "^", label="mixed volume")
    w = rows[0]["weights"]
    if n[0] <= w <= n[-1]:
        ax.axvline(w, color="grey", lw=0.8)
        ax.text(w, ax.get_ylim()[1], " N = W", va="top", fontsize=8, color="grey")
    net = result["network"]
    ax.set(title=f"{result['system']} system, {net['network']} network, W = {w}",
           xlabel="data points N", ylabel="log10 of the bound")
    ax.legend(fontsize=8)
    return save_figure(fig, Path(out_dir) / "bounds.png", dpi=120)


def dimension_plot(result: dict, out_dir: str | Path) -> Path:
    """Predicted (W - N) and measured dimension of the zero-loss set against N, F marked."""
    rows = result["table"]
    n = [r["data"] for r in rows]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    ax.plot(n, [r["predicted"] for r in rows], "--", color="grey", label="W - N (paper)")
    ax.plot(n, [r["expected"] if r["expected"] is not None else math.nan for r in rows], "-",
            lw=2.5, alpha=0.4, label="expected (W - N while N <= F, else empty)")
    measured = [(r["data"], r["measured"]) for r in rows if r["measured"] is not None]
    if measured:
        ax.plot(*zip(*measured), "o", ms=5, label="measured at a zero-loss point")
    witnessed = [(r["data"], r["witness"]["dimension"]) for r in rows
                 if r.get("witness") and r["witness"]["dimension"] is not None]
    if witnessed:
        ax.plot(*zip(*witnessed), "x", ms=8, label="witness set")
    empty = [r["data"] for r in rows if r["measured"] is None]
    if empty:
        ax.plot(empty, [0] * len(empty), "v", color="red", ms=5, label="no zero-loss point found")
    f = result["functional_dimension"]
    ax.axvline(f, color="black", lw=0.8)
    ax.text(f, ax.get_ylim()[1], " N = F", va="top", fontsize=8)
    net = result["network"]
    act = net["activation"] if isinstance(net["activation"], str) else " then ".join(net["activation"])
    ax.set(title=f"zero-loss set, {net['network']} network ({act}), W = {result['weights']}, F = {f}",
           xlabel="data points N", ylabel="dimension")
    ax.legend(fontsize=8)
    return save_figure(fig, Path(out_dir) / "dimension.png", dpi=120)


def compare_plot(result: dict, out_dir: str | Path, name: str = "compare.png") -> Path:
    """Mean training and test curves (error and loss) by epoch per activation over the runs
    that ended done (shaded: min to max over them; the legend counts the others apart)."""
    curves = json.loads(Path(result["curves"]).read_text())
    keys = ("train_loss", "test_loss")
    if result["metric"] == "test_error":
        keys = ("train_error", "test_error") + keys
    fig, axes = plt.subplots(len(keys) // 2, 2, figsize=(10, 3.8 * len(keys) // 2), squeeze=False)
    axes = axes.ravel()
    for spec, all_runs in curves.items():
        runs = [r for r in all_runs if r.get("status", "done") == "done"]
        if not runs:
            continue
        label = spec if len(runs) == len(all_runs) else f"{spec} ({len(runs)} of {len(all_runs)} done)"
        for ax, key in zip(axes, keys):
            values = [r[key] for r in runs]
            n = min(len(v) for v in values)
            arr = np.array([v[:n] for v in values], dtype=float)  # inf and nan: not drawn
            arr[~np.isfinite(arr)] = np.nan
            epochs = runs[0]["epoch"][:n]
            line, = ax.plot(epochs, np.nanmean(arr, axis=0), "-", label=label)
            ax.fill_between(epochs, np.nanmin(arr, axis=0), np.nanmax(arr, axis=0), color=line.get_color(), alpha=0.15)
    for ax, key in zip(axes, keys):
        ax.set(xlabel="epoch", ylabel=key.replace("_", " "), title=f"{result['network']}: {key.replace('_', ' ')}")
        if "loss" in key:
            ax.set_yscale("log")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
        else:
            ax.text(0.5, 0.5, "no run ended done", transform=ax.transAxes, ha="center")
    return save_figure(fig, Path(out_dir) / name)


def growth_plot(growth: list[list[int]], out_dir: str | Path) -> Path:
    """Known solutions against paths tracked ([paths, known] after each round of monodromy):
    the curve flattens when the set is whole."""
    fig, ax = plt.subplots(figsize=(5, 3.5))
    paths, known = zip(*growth) if growth else ((), ())
    ax.step(paths, known, where="post")
    ax.set(xlabel="paths tracked", ylabel="solutions known", title="monodromy: growth of the solution set")
    return save_figure(fig, Path(out_dir) / "monodromy.png", dpi=120)


def tree_proposition_plot(saved: dict, out_dir: str | Path) -> Path:
    """The canonical tree's critical set (a saved ``critical-set`` result): where the eps-paths
    end, and the real critical points of non-zero loss by loss value and Hessian index."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8), gridspec_kw={"width_ratios": [1, 2]})
    limits = saved["limits"]
    bars = left.barh(range(len(limits)), list(limits.values()), color="tab:blue")
    left.bar_label(bars, labels=[f"{v:,}" for v in limits.values()], fontsize=8, padding=2)
    left.set(yticks=range(len(limits)), yticklabels=list(limits), xlabel="eps-paths",
             title=f"{sum(limits.values()):,} regularized critical points")
    left.set_xlim(0, 1.2 * max(max(limits.values()), 1))
    left.invert_yaxis()
    real = [p for p in saved["isolated"] if p["real"] and p["index"] is not None]
    for regular, marker, label in ((True, "o", "regular (isolated, non-degenerate)"),
                                   (False, "x", "singular (degenerate or on a component)")):
        pts = [p for p in real if p["regular"] == regular]
        if not pts:
            continue
        right.scatter([p["loss"] for p in pts], [p["index"] for p in pts], marker=marker, label=label)
        spots: dict = {}
        for p in pts:  # points that coincide on the plot: how many
            key = (round(p["loss"], 6), p["index"])
            spots[key] = spots.get(key, 0) + 1
        for (loss, index), k in spots.items():
            if k > 1:
                right.annotate(f"x{k}", (loss, index), textcoords="offset points", xytext=(6, 6), fontsize=8)
    top = max([p["index"] for p in real], default=0)
    right.set(xlabel="loss", ylabel="Hessian index (negative eigenvalues)", yticks=range(0, top + 2),
              ylim=(-0.5, top + 1.5), title="real critical points of non-zero loss")
    if real:
        right.legend(fontsize=7)
    fig.tight_layout()
    return save_figure(fig, Path(out_dir) / "tree_critical_set.png", dpi=120)


def critical_set_plot(rows: list[dict], out_dir: str | Path) -> Path:
    """Where the eps-paths of the critical set end, by N: zero-loss set, non-zero-loss critical
    points (regular and singular), infinity, failed; one stacked bar per N."""
    fig, ax = plt.subplots(figsize=(6, 3.8))
    ns = [r["data"] for r in rows]
    bottom = [0] * len(rows)
    for cls in rows[0]["limits"]:
        heights = [r["limits"][cls] for r in rows]
        ax.bar(ns, heights, bottom=bottom, label=cls)
        bottom = [b + h for b, h in zip(bottom, heights)]
    ax.set(xlabel="data points N", ylabel="regularized critical points", xticks=ns,
           title="limits as the L2 term goes to 0")
    ax.legend(fontsize=7)
    return save_figure(fig, Path(out_dir) / "critical_set.png", dpi=120)
