"""Build time of the critical-point system: moments (ours) against naive sympy expansion.

The naive baseline expands 1/2 sum_i (f(x_i; w) - y_i)^2 point by point in sympy and
differentiates (algebra.systems.naive_critical_system); ours contracts the exact F^2 with
data moments (algebra.systems.critical_system). Both run in this process on the same
data; the baseline runs only at sizes its time budget allows (its cost grows linearly in N,
so the next size is skipped when the last one predicts overrunning the budget). Medians of
--repeat runs for ours; one run of the baseline.

    .venv/bin/python benchmarks/critical_build.py [--budget SECONDS] [--repeat K]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algebra.networks import TreeNetwork  # noqa: E402
from algebra.systems import critical_system, make_data, naive_critical_system  # noqa: E402

SIZES = (1, 2, 10, 100, 1_000, 10_000, 50_000)


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(net: TreeNetwork, budget: float, repeat: int) -> None:
    print(f"\n{net.describe()}")
    print(f"{'N':>7} {'moments (s)':>12} {'naive sympy (s)':>16} {'naive / moments':>16}")
    spent, per_point = 0.0, None
    for n in SIZES:
        data = make_data(net, n, seed=0)
        ours = median_time(lambda: critical_system(net, data), repeat)
        naive = None
        if per_point is None or spent + per_point * n <= budget:
            start = time.perf_counter()
            reference = naive_critical_system(net, data)
            naive = time.perf_counter() - start
            spent += naive
            per_point = naive / n
            assert reference.monomials.shape == critical_system(net, data).monomials.shape
        ratio = f"{naive / ours:16.0f}" if naive is not None else f"{'(skipped)':>16}"
        naive_s = f"{naive:16.2f}" if naive is not None else f"{'-':>16}"
        print(f"{n:>7} {ours:12.3f} {naive_s} {ratio}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=300.0,
                        help="seconds the naive baseline may take per network (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours per size (median)")
    args = parser.parse_args()
    run(TreeNetwork(units=1, activation="monomial:2", bias=False), args.budget, args.repeat)
    run(TreeNetwork(units=1), args.budget, args.repeat)


if __name__ == "__main__":
    main()
