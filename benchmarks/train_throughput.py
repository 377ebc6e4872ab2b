"""Images per second of one SGD epoch of the paper's network, and K models at once.

Ours: ``training.optim.sgd_epoch`` with the whole data set on the device and batches by
index permutation (optionally channels_last, bf16 autocast, torch.compile). Baseline, same
run: the plain PyTorch loop, a DataLoader over a CPU TensorDataset (shuffle, batch 100,
no workers) moving each batch to the device. Second comparison: K = 8 models trained at
once (``MultiSGD``, vmap) against the same 8 trained one after the other. Third: polynomial
activations (``--activations``, DESIGN.md specs at the default radius) next to ReLU, the same
loop, ratio against ReLU measured in the same run.

    .venv/bin/python benchmarks/train_throughput.py [--device cuda] [--repeat 3] [--k 8]
        [--channels-last] [--bf16] [--compile] [--n 2000] [--activations relu,relu-chebyshev:4,...]

Timing: CUDA events on a GPU (after a warm-up epoch), perf_counter on the CPU; medians.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.data import load_dataset  # noqa: E402
from training.models import AllConvNet  # noqa: E402
from training.optim import MultiSGD, TrainConfig, make_optimizer, point_losses, sgd_epoch  # noqa: E402


def timed(fn, device: str) -> float:
    if device.startswith("cuda"):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        return start.elapsed_time(end) / 1000
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def median_time(fn, device: str, repeat: int) -> float:
    fn()  # warm-up (and compilation)
    return statistics.median(timed(fn, device) for _ in range(repeat))


def dataloader_epoch(model, opt, x_cpu, y_cpu, device, cfg):
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_cpu, y_cpu), batch_size=cfg.batch,
                                         shuffle=True, num_workers=0)
    model.train()
    for xb, yb in loader:
        xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
        opt.zero_grad(set_to_none=True)
        point_losses(model(xb), yb, cfg.loss).mean().backward()
        opt.step()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--k", type=int, default=8, help="models at once (0 skips)")
    parser.add_argument("--n", type=int, default=2000, help="synthetic training images")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--bf16", action="store_true", help="bf16 autocast")
    parser.add_argument("--compile", action="store_true", help="torch.compile the model")
    parser.add_argument("--activations", default="relu,poly:0,0.5,0.5,relu-chebyshev:4,relu-chebyshev:8",
                        help="activations timed next to relu ('' skips)")
    args = parser.parse_args()
    device = args.device
    torch.manual_seed(0)
    data = load_dataset("synthetic", n_train=args.n, device=device)
    cfg = TrainConfig(lr=0.01, batch=100)
    x_cpu, y_cpu = data.x_train.cpu(), data.y_train.cpu()
    print(f"device {device}, {args.n} images 3x32x32, batch {cfg.batch}, torch {torch.__version__}, "
          f"threads {torch.get_num_threads()}")

    base = AllConvNet("relu").to(device)
    model = copy.deepcopy(base)
    opt = make_optimizer(model, cfg)
    t_loader = median_time(lambda: dataloader_epoch(model, opt, x_cpu, y_cpu, device, cfg), device, args.repeat)

    ours = copy.deepcopy(base)
    x = data.x_train
    if args.channels_last:
        ours = ours.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    runner = torch.compile(ours) if args.compile else ours
    opt2 = make_optimizer(ours, cfg)
    g = torch.Generator().manual_seed(0)
    autocast = (torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16)
                if args.bf16 else contextlib.nullcontext())

    def our_epoch():
        with autocast:
            sgd_epoch(runner, opt2, x, data.y_train, cfg, g, 0)

    t_ours = median_time(our_epoch, device, args.repeat)
    options = [o for o, on in (("channels_last", args.channels_last), ("bf16", args.bf16),
                               ("compile", args.compile)) if on] or ["plain"]
    print(f"{'loop':<36} {'s/epoch':>8} {'images/s':>10} {'ratio':>7}")
    print(f"{'DataLoader baseline':<36} {t_loader:8.3f} {args.n / t_loader:10.0f} {1.0:7.2f}")
    print(f"{'on-device permutation (' + '+'.join(options) + ')':<36} {t_ours:8.3f} {args.n / t_ours:10.0f} "
          f"{t_loader / t_ours:7.2f}")

    if args.activations:
        activation_table(args, data, cfg, device)

    if args.k:
        models = [AllConvNet("relu").to(device) for _ in range(args.k)]
        seq = [copy.deepcopy(m) for m in models]

        def sequential():
            for k, m in enumerate(seq):
                sgd_epoch(m, make_optimizer(m, cfg), data.x_train, data.y_train, cfg,
                          torch.Generator().manual_seed(k), 0)

        multi = MultiSGD(models, cfg, seeds=list(range(args.k)))
        t_seq = median_time(sequential, device, args.repeat)
        t_multi = median_time(lambda: multi.epoch(data.x_train, data.y_train, 0), device, args.repeat)
        print(f"{args.k} models one after another: {t_seq:.3f} s/epoch; at once (vmap): {t_multi:.3f} s/epoch; "
              f"ratio sequential / at once {t_seq / t_multi:.2f}")


def activation_table(args, data, cfg, device) -> None:
    """One SGD epoch per activation, the same loop and initialization; ratio to ReLU."""
    from bridge.activation_specs import resolve
    from bridge.commands.common import split_specs

    specs = split_specs(args.activations)
    if specs[0] != "relu":
        specs = ["relu"] + [s for s in specs if s != "relu"]
    print(f"\n{'activation (on-device loop)':<36} {'s/epoch':>8} {'images/s':>10} {'/ relu':>7}")
    reference = None
    for spec in specs:
        torch.manual_seed(0)
        model = AllConvNet(**resolve(spec).model_options()).to(device)
        opt = make_optimizer(model, cfg)
        g = torch.Generator().manual_seed(0)
        t = median_time(lambda: sgd_epoch(model, opt, data.x_train, data.y_train, cfg, g, 0), device, args.repeat)
        reference = reference or t
        print(f"{resolve(spec).spec:<36} {t:8.3f} {args.n / t:10.0f} {t / reference:7.2f}")


if __name__ == "__main__":
    main()
