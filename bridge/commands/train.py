"""`landscape train`: the paper's all-conv network trained with ReLU or a polynomial."""
from __future__ import annotations

import os
import sys

from bridge.commands.common import (BATCH_DEFAULT, Failed, SpecError, add_training_options, emit, pick_device,
                                    warnings_on_stderr)


def cmd_train(args) -> None:
    import hashlib
    import json

    import torch

    from bridge.provenance import provenance
    from training.data import load_dataset
    from training.models import AllConvNet
    from training.optim import TrainConfig
    from training.trajectories import train

    from bridge.activation_specs import auto_radius_allconv, parse_radius, resolve

    if args.optimizer == "gd" and args.batch != BATCH_DEFAULT:
        raise SpecError("--batch applies to --optimizer sgd; gd takes the whole training set every step "
                        "(--chunk sets how much of it is in memory at once)")
    radius = parse_radius(args.radius)
    # a bad spec is refused before the data is loaded; auto resolves it again once R is measured
    act = resolve(args.activation, None if radius == "auto" else radius, args.clamp)
    device = pick_device(args.device)
    try:
        cfg = TrainConfig(optimizer=args.optimizer, epochs=args.epochs, lr=args.lr, batch=args.batch,
                          momentum=args.momentum, clip=args.clip, chunk=args.chunk, seed=args.seed)
        data = load_dataset(args.data, args.root, device, args.random_labels, args.seed, n_train=args.n_train)
        if radius == "auto":
            act = resolve(args.activation, auto_radius_allconv(data, args.seed, args.width_mult, device), args.clamp)
        torch.manual_seed(args.seed)
        model = AllConvNet(**act.model_options(), width_mult=args.width_mult).to(device)
    except ValueError as exc:  # DataError and bad values are ValueErrors: one line, exit 2
        raise SpecError(str(exc)) from None
    config = {"model": model.config, "data": {**data.describe(), "root": args.root, "seed": args.seed},
              "activation_spec": act.spec, "activation": act.describe(), "seed": args.seed}
    keyed = {"train": {k: v for k, v in cfg.as_dict().items() if k != "epochs"}, **config}
    key = hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest()[:10]
    run_dir = args.out or os.path.join("runs", f"train-{key}")
    from training.trajectories import RunError

    try:
        with warnings_on_stderr():
            result = train(model, data, cfg, run_dir, config=config,
                           provenance={**provenance(config, args.seed), "device": device})
    except RunError as exc:
        raise SpecError(str(exc)) from None
    from training.trajectories import read_index

    index = read_index(run_dir)
    out = {"parameters": model.n_parameters, "epochs": result.epochs, "status": result.status,
           "message": result.message, "activation": act.describe(),
           "outside_radius": {"start": index["checkpoints"][0].get("outside_radius"),
                              "end": result.last.get("outside_radius")},
           "range_warning": index.get("range_warning"), "train_error": result.last.get("train_error"),
           "test_error": result.last.get("test_error"), "train_loss": result.last["train_loss"],
           "test_loss": result.last["test_loss"], "seconds": round(result.seconds, 3), "run_dir": run_dir,
           "device": device, **provenance({"train": cfg.as_dict(), **config}, args.seed)}
    if result.message:
        print(f"landscape: {result.message}", file=sys.stderr)
    outside = out["outside_radius"]["end"] or []
    text = (f"{model.n_parameters:,} parameters, {act.spec}{' clamped' if act.clamp else ''}, {args.optimizer}, "
            f"{result.epochs} epochs on {data.describe()['name']} ({device}): {result.status}; train error "
            f"{out['train_error']:.4f}, test error {out['test_error']:.4f}, train loss {out['train_loss']:.4g}, "
            f"{out['seconds']:.1f} s\noutside [-{act.radius:g}, {act.radius:g}] by layer: "
            + ", ".join("n/a" if f is None else f"{100 * f:.3g}%" for f in outside) + f"\nrun folder {run_dir}")
    args.out = None  # the run folder is the output; result.json goes there below
    from bridge.provenance import write_result

    write_result(run_dir, out)
    emit(out, args, text)
    if result.status in ("diverged", "no progress"):
        raise Failed()


def add_parser(sub) -> None:
    t = sub.add_parser("train", help="train the paper's all-conv network (ReLU or polynomial)")
    add_training_options(t)
    t.add_argument("--json", action="store_true", help="one JSON object on stdout")
    t.add_argument("--out", default=None,
                   help="run folder (default runs/train-<config hash>); the same command resumes it")
    t.set_defaults(func=cmd_train)
