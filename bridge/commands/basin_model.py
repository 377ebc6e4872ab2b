"""`landscape basin-model`: the paper's basin model as a simulated landscape."""
from __future__ import annotations

import os

from bridge.commands.common import BASIN_DIM, SEED, add_output_options, emit, integer, number, progress_bar, SpecError


def cmd_basin_model(args) -> None:
    from training.basin_model import (BasinConfig, ProtocolConfig, compare_with_network, network_summary,
                                      run_protocols)
    from training.plots import plot_basin_model
    from bridge.provenance import provenance

    if args.bottom_dim is None:
        args.bottom_dim = min(10, args.dim - 1)
    try:
        net = network_summary(args.compare) if args.compare else None
    except ValueError as exc:
        raise SpecError(f"--compare {exc}") from None
    variants = [args.variant] + ([v for v in ("basins", "basin-fractal") if v != args.variant] if args.compare else [])
    try:
        configs = [BasinConfig(variant=v, dim=args.dim, basins=args.basins, bottom_dim=args.bottom_dim,
                               rugged=args.rugged, seed=args.seed) for v in variants]
        proto = ProtocolConfig(pairs=args.pairs, steps=args.steps)
    except ValueError as exc:
        raise SpecError(str(exc)) from None
    bar = progress_bar(list(range(len(configs) * proto.pairs)), "basin model")
    runs = []
    for cfg in configs:
        runs.append(run_protocols(cfg, proto, progress=lambda *_: bar.update(1)))
    bar.close()
    main = runs[0]
    result = {**{k: v for k, v in main.items() if k not in ("config", "protocol")}, "runs": runs}
    result["descent_probability"] = {str(r["sigma"]): r["measured"] for r in main["descent_probability"]}
    if args.compare:
        result["comparison"] = compare_with_network(runs, net, args.compare)
    out_dir = args.out or os.path.join("runs", f"basin-model-{args.variant}-d{args.dim}")
    result["plots"] = [str(p) for p in plot_basin_model(result, out_dir)]
    result.update(provenance({"command": "basin-model", "variants": variants, "dim": args.dim,
                              "basins": args.basins, "bottom_dim": args.bottom_dim, "rugged": args.rugged,
                              "pairs": args.pairs, "steps": args.steps, "compare": args.compare}, args.seed))
    args.out = out_dir
    lines = [f"{args.variant}: D = {args.dim}, {main['basins']} basins with flat bottoms of dimension "
             f"{args.bottom_dim} (effective D for descent {main['effective_dimension']})"]
    for r in main["descent_probability"]:
        lines.append(f"  sigma {r['sigma']:<6g} P(descent) {r['measured']:.4f} +- {r['stderr']:.4f}   "
                     f"exact bowl {r['predicted']:.4f}   Phi(-D sigma/2rho) {r['predicted_high_dim']:.4f}")
    lines.append(f"  barrier near {main['interpolation_barrier_near']:.3g}, far {main['interpolation_barrier_far']:.3g}, "
                 f"within one basin {main['interpolation_barrier_within_basin']:.3g}; walls on "
                 f"{main['walls_found']} of {main['pairs']} far pairs")
    lines.append(f"  perturbation lowered the loss: {main['perturbation_lowered_loss']}; branch distance by "
                 f"branch epoch {dict(zip(main['branch_at'], [round(d, 3) for d in main['branch_distance']]))}")
    if args.compare:
        c = result["comparison"]
        for row in c["rows"]:
            ratio = "n/a" if row["near_over_far"] is None else f"{row['near_over_far']:.3f}"
            lines.append(f"  {row['source']:>13}: near {row['barrier_near']:.3g}, far {row['barrier_far']:.3g}, "
                         f"near/far {ratio}")
        lines.append(f"  the network resembles: {c['resembles']}")
    emit(result, args, "\n".join(lines + [f"  plot {p}" for p in result["plots"]]))


def add_parser(sub) -> None:
    bm = sub.add_parser("basin-model", help="the paper's basin model as a simulated landscape")
    bm.add_argument("--variant", choices=("basins", "basin-fractal"), default="basins")
    bm.add_argument("--dim", type=BASIN_DIM, default=50, help="dimension D (weights) (default 50)")
    bm.add_argument("--basins", type=integer(1, 10_000), default=6,
                    help="basins K (per level for basin-fractal) (default 6)")
    bm.add_argument("--bottom-dim", type=integer(0, 100_000), default=None,
                    help="dimension of the flat bottoms (default 10, or D - 1 when D <= 10)")
    bm.add_argument("--rugged", type=number(0, 1, open_hi=True), default=0.0,
                    help="small-scale ruggedness eps in [0, 1) (default 0)")
    bm.add_argument("--pairs", type=integer(1, 10_000), default=6, help="trajectory pairs per protocol (default 6)")
    bm.add_argument("--steps", type=integer(21, 10_000), default=60,
                    help="SGD epochs per trajectory, more than the last branch epoch 20 (default 60)")
    bm.add_argument("--seed", type=SEED, default=0)
    bm.add_argument("--compare", default=None, metavar="RUN_DIR",
                    help="side by side with a network experiment's results (runs both variants)")
    add_output_options(bm, "folder for result.json and the plots (default runs/basin-model-...)")
    bm.set_defaults(func=cmd_basin_model)
