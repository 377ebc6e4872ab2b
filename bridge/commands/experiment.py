"""`landscape experiment` and `landscape plot`: the paper's landscape experiments."""
from __future__ import annotations

import os
import sys

from bridge.commands.common import (SEED, Failed, integer, SpecError, add_cluster_options, add_range_options, emit, pick_device,
                                    remote, units_runner)


def cmd_experiment(args) -> None:
    from bridge.provenance import provenance, write_result
    from training.experiments import make_config, run_experiment
    from training.plots import plot_run

    device = pick_device(args.device, remote(args))
    from bridge.activation_specs import parse_radius, resolve

    radius = parse_radius(args.radius)
    if radius == "auto":
        raise SpecError("experiment: --radius auto is not offered here; give R (train --radius auto prints one)")
    if args.activation is not None and not args.activation.strip():
        raise SpecError("--activation is empty: give relu or a polynomial spec")
    act = resolve(args.activation or "relu", radius, args.clamp)
    if args.group is not None and args.name not in ("sgd-stages", "random-labels"):
        raise SpecError("--group applies to sgd-stages and random-labels (their trajectories)")
    try:
        cfg = make_config(args.name, args.scale, data=args.data, root=args.root, seed=args.seed, group=args.group,
                          activation=act.backend if args.activation else None, radius=act.radius,
                          clamp=act.clamp or None)
    except (TypeError, ValueError) as exc:
        raise SpecError(str(exc)) from None
    out = args.out or os.path.join("runs", f"{args.name}-{args.scale}")
    if os.path.exists(os.path.join(out, "experiment.json")) and not args.resume:
        raise SpecError(f"{out} already holds experiment data: add --resume to continue it, or use a new --out")
    try:
        with units_runner(args, device) as runner:
            summary = run_experiment(args.name, cfg, out, device=device, runner=runner)
            threads = runner.threads
    except ValueError as exc:  # data errors, another configuration in the folder
        raise SpecError(str(exc)) from None
    plots = [str(p) for p in plot_run(out)] if summary["status"] != "diverged" else []
    from dataclasses import asdict

    result = {**summary, "plots": plots, "run_dir": out,
              **provenance({"experiment": args.name, "scale": args.scale, **asdict(cfg), "device": device,
                            "threads": threads},
                           cfg.seed)}
    write_result(out, result)
    lines = [f"{args.name} ({args.scale}) in {out}: {summary['status']}"]
    for key in ("final_train_error", "interpolation_barrier_near", "interpolation_barrier_far",
                "perturbation_lowered_loss", "retrained_below_reference"):
        if key in summary:
            value = summary[key]
            lines.append(f"  {key}: {value[-1] if isinstance(value, list) else value}")
    lines += [f"  plot {p}" for p in plots]
    args.out = None  # result.json is already in the run folder
    emit(result, args, "\n".join(lines))
    if summary["status"] != "done":
        print(f"landscape: {summary['message']}", file=sys.stderr)
        raise Failed()


def cmd_plot(args) -> None:
    from training.plots import plot_run

    if not os.path.isdir(args.run_dir):
        raise SpecError(f"{args.run_dir} is not a folder")
    try:
        written = plot_run(args.run_dir)
    except FileNotFoundError as exc:
        raise SpecError(str(exc)) from None
    except (ValueError, KeyError, UnicodeDecodeError, EOFError, OSError) as exc:  # JSONDecodeError is a ValueError
        raise SpecError(f"{args.run_dir}: a data file is damaged or not an experiment's "
                        f"({type(exc).__name__}: {str(exc).splitlines()[0][:120]})") from None
    print("\n".join(str(p) for p in written))


def add_parser(sub) -> None:
    x = sub.add_parser("experiment", help="the paper's landscape experiments (stages, branches, MDS, ...)")
    from training.catalog import EXPERIMENTS, SCALES

    x.add_argument("name", choices=list(EXPERIMENTS), help="which experiment")
    x.add_argument("--scale", choices=SCALES, default="tiny",
                   help="micro (seconds), tiny (minutes, 2 CPU cores, default), paper (GPU, CIFAR-10)")
    x.add_argument("--data", choices=("digits", "synthetic", "cifar10"), default=None,
                   help="override the scale's data set")
    x.add_argument("--root", default=None, help="folder holding cifar-10-batches-py/")
    x.add_argument("--activation", default=None, help="relu (default) or a polynomial spec")
    add_range_options(x)
    x.add_argument("--device", default=None, help="cpu, cuda, ... (default: cuda when present)")
    x.add_argument("--seed", type=SEED, default=None, help="seed (default 0)")
    x.add_argument("--resume", action="store_true", help="continue the experiment in --out")
    x.add_argument("--group", type=integer(1, 1000), default=None,
                   help="sgd-stages: trajectories trained together (vmapped) in one unit of work; divides half "
                        "the trajectories (default: half). 1 gives a cluster one unit per trajectory; the numbers "
                        "depend on it (vmapping changes rounding)")
    add_cluster_options(x, "experiment's units (trajectory groups, branches, retrainings, widths)")
    x.add_argument("--json", action="store_true", help="one JSON object on stdout")
    x.add_argument("--out", default=None, help="experiment folder (default runs/NAME-SCALE)")
    x.set_defaults(func=cmd_experiment)

    pl = sub.add_parser("plot", help="redraw an experiment's pictures from its data files")
    pl.add_argument("run_dir", help="an experiment folder")
    pl.set_defaults(func=cmd_plot)
