"""The Jacobian mod p of dense networks: back-propagation over Z/p (``dense_jacobian_mod``,
what ``jacobian_mod`` uses for dense networks) against the baseline, forward-mode jets
through the network's forward pass (``forward_jacobian_mod``), on the same points and
weights in the same run; both matrices must be equal. Medians over --repeat.

    .venv/bin/python benchmarks/modular_jacobian.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algebra.modular import PRIMES, dense_jacobian_mod, forward_jacobian_mod  # noqa: E402
from algebra.networks import DenseNetwork  # noqa: E402

WIDTHS = [(2, 3, 3, 4, 4, 2, 1), (2, 8, 8, 8, 8, 8, 8, 1), (4, 20, 20, 1), (10, 30, 20, 1)]


def _median_seconds(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    p = PRIMES[0]
    for widths in WIDTHS:
        net = DenseNetwork(widths, "monomial:2", bias=False)
        rng = np.random.default_rng(0)
        x = rng.integers(0, p, (net.n_weights + 8, net.n_inputs), dtype=np.uint64)
        w = rng.integers(0, p, net.n_weights, dtype=np.uint64)
        ours, a = _median_seconds(lambda: dense_jacobian_mod(net, x, w, p), args.repeat)
        base, b = _median_seconds(lambda: forward_jacobian_mod(net, x, w, p), args.repeat)
        if not (a == b).all():
            print(f"{widths}: the two Jacobians DIFFER")
            return 1
        print(f"{','.join(map(str, widths)):>20}  W = {net.n_weights:4d}, {len(x):4d} points: reverse mode "
              f"{ours:8.4f} s, forward jets {base:8.4f} s: {base / ours:6.0f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
