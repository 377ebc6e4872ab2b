"""`landscape compare`: polynomial against ReLU activations."""
from __future__ import annotations

import sys

from bridge.commands.common import (EPOCHS, LR, N_TRAIN, SEEDS, WIDTH_MULT, SpecError, add_cluster_options,
                                    add_range_options, emit, pick_device, remote, split_specs, units_runner)


def cmd_compare(args) -> None:
    from bridge.activation_specs import parse_radius
    from bridge.compare import compare, compare_auto_radius, preset
    from bridge.plots import compare_plot
    from bridge.provenance import provenance
    from training.trajectories import RANGE_WARN, outside_message

    device = pick_device(args.device, remote(args))
    try:
        settings = preset(args.preset, network=args.network, seeds=args.seeds, epochs=args.epochs, lr=args.lr,
                          width_mult=args.width_mult,
                          activations=split_specs(args.activations) if args.activations is not None else None)
    except ValueError as exc:
        raise SpecError(str(exc)) from None
    activations = list(settings.pop("activations"))
    if settings["network"] == "tree":
        given = [o for o, v in (("--data", args.data), ("--root", args.root), ("--width-mult", args.width_mult)) if v]
        if given:
            raise SpecError(f"{', '.join(given)}: the tree network trains on its ReLU-teacher data, not on images; "
                            "these options apply to --network dcnn")
        settings.pop("width_mult", None)
        if args.n_train is not None and args.n_train < 2:
            raise SpecError(f"--n-train {args.n_train}: the tree's targets are standardized by their spread over the "
                            "training points, which needs at least 2")
    data = args.data or "digits"
    radius = parse_radius(args.radius)
    if radius == "auto":
        try:
            radius = compare_auto_radius(settings["network"], data=data, root=args.root, device=device,
                                         n_train=args.n_train, width_mult=settings.get("width_mult", 1.0))
        except ValueError as exc:
            raise SpecError(str(exc)) from None
    try:
        with units_runner(args, device) as runner:
            result = compare(activations=activations, out=args.out, data=data, root=args.root, device=device,
                             n_train=args.n_train, radius=radius, clamp=args.clamp, runner=runner, **settings)
            threads = runner.threads
    except ValueError as exc:
        raise SpecError(str(exc)) from None
    result["plot"] = str(compare_plot(result, args.out))
    result["preset"] = args.preset
    result.update(provenance({"command": "compare", "preset": args.preset, **settings, "activations": activations,
                              "data": data if settings["network"] == "dcnn" else "relu-teacher",
                              "n_train": args.n_train, "radius": radius, "clamp": args.clamp,
                              "device": device, "threads": threads}, 0))
    lines = [f"{result['network']} ({args.preset}): {result['metric']} after {result['epochs']} epochs, "
             f"{result['seeds']} seeds; mean +- std over the runs that ended done"]
    for spec, row in result["table"].items():
        m = row[result["metric"]]
        verdict = result["differences"].get(spec)
        note = "reference" if verdict is None else {None: verdict.get("why", "no spread to compare"),
                                                    True: "exceeds the seed spread",
                                                    False: "within the seed spread"}[verdict["exceeds_spread"]]
        mean = "-" if m["mean"] is None else f"{m['mean']:.4g}"
        std = "" if m["std"] is None else f" +- {m['std']:.2g}"
        apart = ", ".join(f"{row[k]} {k.replace('_', ' ')}" for k in ("diverged", "no_progress") if row[k])
        end = (row.get("outside_radius") or {}).get("end") or []
        outside = max((f for f in end if f is not None), default=None)
        lines.append(f"  {row['activation']['spec']:>22}: {mean}{std}  ({note}{'; ' + apart if apart else ''})"
                     + ("" if outside is None else f"  outside [-R, R] up to {100 * outside:.2g}%"))
        if outside is not None and outside > RANGE_WARN and row["activation"]["interval"] == "approximation" \
                and not row["activation"]["clamp"]:
            print("landscape: warning: " + outside_message(outside, row["activation"]["radius"],
                                                           f"a layer of {spec} at the end"), file=sys.stderr)
    emit(result, args, "\n".join(lines))


def add_parser(sub) -> None:
    cp = sub.add_parser("compare", help="polynomial against ReLU activations: same network, data, seeds")
    cp.add_argument("--preset", choices=("default", "figure2"), default="default",
                    help="default: 4 activations, width x0.5, 5 epochs; figure2: the paper's Figure 2 comparison "
                         "(relu, two quadratics, relu-chebyshev:4, relu-minimax:4, relu-chebyshev:8; full width, "
                         "10 epochs, 3 seeds); the options below override it")
    cp.add_argument("--network", choices=("dcnn", "tree"), default=None,
                    help="dcnn: the paper's all-conv network on images; tree: the canonical tree on a ReLU teacher")
    cp.add_argument("--activations", default=None,
                    help="comma-separated specs, the first is the reference (default: the preset's)")
    add_range_options(cp)
    cp.add_argument("--seeds", type=SEEDS, default=None, help="seeds per activation (default: the preset's, 3)")
    cp.add_argument("--data", choices=("digits", "synthetic", "cifar10"), default=None,
                    help="dcnn's images (default digits)")
    cp.add_argument("--root", default=None, help="folder holding cifar-10-batches-py/")
    cp.add_argument("--epochs", type=EPOCHS, default=None, help="epochs (default: the preset's)")
    cp.add_argument("--lr", type=LR, default=None, help="learning rate (default 0.01)")
    cp.add_argument("--width-mult", type=WIDTH_MULT, default=None, help="dcnn width multiplier (default: the preset's)")
    cp.add_argument("--n-train", type=N_TRAIN, default=None, help="first N training points")
    cp.add_argument("--device", default=None)
    add_cluster_options(cp, "(activation, seed) runs")
    cp.add_argument("--json", action="store_true", help="one JSON object on stdout")
    cp.add_argument("--out", required=True, help="folder for the runs, curves.json, compare.png, result.json")
    cp.set_defaults(func=cmd_compare)
