"""What the range remedies do for a polynomial activation that sees inputs outside its interval.

The case of issue 16: the paper network at full width on digits, relu-chebyshev:4 on [-1, 1]
(every batch-norm output beyond 1, a third of them, lands where the polynomial grows like z^4),
3 epochs of the paper's SGD, seed 0. Each remedy is one option of `landscape train`; the
baseline, ReLU, runs in the same script with the same initialization and batch order.

    .venv/bin/python benchmarks/range_remedies.py [--epochs 3] [--spec relu-chebyshev:4] [--seed 0]

``--sweep`` instead trains each of ``--specs`` at each of ``--radii`` (5 epochs by default): the
measurement behind DEFAULT_RADIUS = 8 (algebra/activation.py), with the batch-norm outputs' range.

    .venv/bin/python benchmarks/range_remedies.py --sweep --epochs 5 \
        --specs relu-chebyshev:4,relu-minimax:4,relu-chebyshev:8,relu-minimax:8,relu-chebyshev:16 --radii 1,2,3,4,6,8

Columns: the run's outcome, final train and test error, the largest per-layer fraction of
activation inputs outside [-R, R] at the end, and seconds.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bridge.activation_specs import auto_radius_allconv, resolve  # noqa: E402
from training.data import load_dataset  # noqa: E402
from training.models import AllConvNet  # noqa: E402
from training.optim import TrainConfig  # noqa: E402
from training.trajectories import RangeWarning, train  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--spec", default="relu-chebyshev:4")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-train", type=int, default=None)
    parser.add_argument("--sweep", action="store_true", help="specs x radii instead of the remedies")
    parser.add_argument("--specs", default="relu-chebyshev:4,relu-minimax:4,relu-chebyshev:8")
    parser.add_argument("--radii", default="1,2,3,4,6,8")
    args = parser.parse_args()
    data = load_dataset("digits", n_train=args.n_train)
    if args.sweep:
        return sweep(args, data)

    auto = auto_radius_allconv(data, args.seed)
    rows = [("relu (baseline)", resolve("relu", 1.0), {}),
            (f"{args.spec} at R = 1 (the issue's case)", resolve(args.spec, 1.0), {}),
            ("  + --clamp (no longer polynomial)", resolve(args.spec, 1.0, clamp=True), {}),
            ("  + --lr 0.001", resolve(args.spec, 1.0), {"lr": 0.001}),
            ("  + --clip 1", resolve(args.spec, 1.0), {"clip": 1.0}),
            (f"  --radius auto (R = {auto:g})", resolve(args.spec, auto), {}),
            ("  default radius", resolve(args.spec), {})]
    print(f"digits, paper network at full width, {args.epochs} epochs of SGD (lr 0.01, batch 100), seed {args.seed}")
    print(f"{'remedy':<44} {'spec':<22} {'outcome':<12} {'train err':>9} {'test err':>9} {'outside':>8} {'s':>6}")
    for label, act, options in rows:
        torch.manual_seed(args.seed)
        model = AllConvNet(**act.model_options())
        cfg = TrainConfig(epochs=args.epochs, seed=args.seed, **options)
        began = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
            warnings.simplefilter("ignore", RangeWarning)
            r = train(model, data, cfg, folder, progress=False)
        outside = max(f for f in r.last["outside_radius"] if f is not None)
        print(f"{label:<44} {act.spec + (' clamp' if act.clamp else ''):<22} {r.status:<12} "
              f"{r.last['train_error']:9.4f} {r.last['test_error']:9.4f} {100 * outside:7.3g}% "
              f"{time.perf_counter() - began:6.1f}", flush=True)


def sweep(args, data) -> None:
    """Every spec at every radius: outcome and errors after the same budget, and the largest
    batch-norm output the ReLU network sees (the range an interval has to cover)."""
    from bridge.commands.common import split_specs

    torch.manual_seed(args.seed)
    relu = AllConvNet("relu", radius=1.0)
    with tempfile.TemporaryDirectory() as folder:
        r = train(relu, data, TrainConfig(epochs=args.epochs, seed=args.seed), folder, progress=False)
    print(f"relu after {args.epochs} epochs: train error {r.last['train_error']:.4f}; max |z| per layer "
          + ", ".join(f"{p:.2f}" for p in r.last["peak_input"]))
    print(f"{'spec':<24} {'outcome':<12} {'train err':>9} {'test err':>9} {'outside':>8}")
    for spec in split_specs(args.specs):
        for radius in [float(x) for x in args.radii.split(",")]:
            act = resolve(spec, radius)
            torch.manual_seed(args.seed)
            model = AllConvNet(**act.model_options())
            with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
                warnings.simplefilter("ignore", RangeWarning)
                r = train(model, data, TrainConfig(epochs=args.epochs, seed=args.seed), folder, progress=False)
            outside = max(f for f in r.last["outside_radius"] if f is not None)
            print(f"{act.spec:<24} {r.status:<12} {r.last['train_error']:9.4f} {r.last['test_error']:9.4f} "
                  f"{100 * outside:7.3g}%", flush=True)


if __name__ == "__main__":
    main()
