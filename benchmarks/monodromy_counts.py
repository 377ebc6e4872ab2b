"""Monodromy against the total-degree homotopy on deep linear critical systems with random L2.

For each network and N, the count of the total-degree homotopy (our engine, certified by a
second run) is the baseline; monodromy (free constant terms, the library's stall rule: 5
loops, or loops enough to carry 2,000 paths for a small set) runs from --seeds seeds,
and the table gives its counts (their range past 5 seeds), how many runs stopped short of the
total-degree count ("short"), the paths each tracked (the final homotopy included) against
the total degree, and the seconds of both, measured in the same run. With --symmetries the
runs use the network's sign flips (those the random L2 weights keep) for twisted loops.

    .venv/bin/python benchmarks/monodromy_counts.py [--seeds 3] [--data 1,2] [--symmetries] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algebra.continuation.monodromy import monodromy_solve  # noqa: E402
from algebra.networks import DenseNetwork  # noqa: E402
from algebra.solve import solve  # noqa: E402
from algebra.symmetry import acting_generators  # noqa: E402
from algebra.systems import critical_system, l2_weights, make_data  # noqa: E402

NETWORKS = [(1, 1, 1), (1, 2, 1), (2, 1, 2), (1, 1, 1, 1), (2, 2, 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--data", default="1,2")
    ap.add_argument("--json", default=None)
    ap.add_argument("--symmetries", action="store_true",
                    help="twisted loops by the network's symmetries that act on the system")
    args = ap.parse_args()
    rows = []
    print(f"{'widths':>12} {'N':>2} {'total deg':>9} {'count':>5} {'cert':>4} {'td s':>6} | "
          f"{'monodromy counts':>16} {'short':>7} {'paths (median)':>14} {'s (median)':>10} {'paths/td':>8}")
    for widths in NETWORKS:
        net = DenseNetwork(widths, "linear", bias=False)
        for n in (int(v) for v in args.data.split(",")):
            system = critical_system(net, make_data(net, n, 0), l2_weights(net, "random", 0))
            td = math.prod(system.degrees)
            began = time.perf_counter()
            baseline = solve(system, start="total-degree", projective=True, seed=0)
            td_seconds = time.perf_counter() - began
            runs = []
            symmetries = acting_generators(net, system) if args.symmetries else None
            for seed in range(args.seeds):
                began = time.perf_counter()
                r = monodromy_solve(system, seed=seed, symmetries=symmetries)
                runs.append({"seed": seed, "count": len(r.solutions), "generic": r.count, "paths": r.paths,
                             "seconds": time.perf_counter() - began})
            paths = statistics.median(r["paths"] for r in runs)
            seconds = statistics.median(r["seconds"] for r in runs)
            row = {"widths": list(widths), "data": n, "total_degree": td, "count": baseline.nsolutions,
                   "certified": bool(baseline.certified), "total_degree_seconds": td_seconds, "monodromy": runs}
            rows.append(row)
            short = sum(r["count"] < baseline.nsolutions for r in runs)
            row["short"] = short
            counts = ",".join(str(r["count"]) for r in runs) if len(runs) <= 5 else \
                f"{min(r['count'] for r in runs)}-{max(r['count'] for r in runs)}"
            print(f"{str(widths):>12} {n:>2} {td:>9,} {baseline.nsolutions:>5} {str(baseline.certified)[0]:>4} "
                  f"{td_seconds:>6.1f} | {counts:>16} {short:>3}/{len(runs):<3} {paths:>14,.0f} {seconds:>10.1f} "
                  f"{paths / td:>8.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
