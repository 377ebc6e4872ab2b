"""The canonical tree r = 1, N = 2, sliced: its zero-loss set's degree 72 by monodromy, the
way `landscape solve --network tree --data 2 --slice --method monodromy --seed S` runs it
(the trace test asked after every loop that added nothing, then resumed loops if it finds
the set incomplete), on one thread, for several seeds: count, certificate, loops, paths (the
trace tests' included) and seconds. Baseline: the same runs without the trace test inside
the loops (the stall rule of 5 loops, then one trace test), in the same process.

    .venv/bin/python benchmarks/tree_monodromy.py [--seeds 4] [--threads 1]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algebra.continuation.monodromy import complete_witness_set, monodromy_solve, witness_check  # noqa: E402
from algebra.continuation.tracker import limit_threads  # noqa: E402
from bridge.cli import make_parser  # noqa: E402
from bridge.commands.solve import system_from  # noqa: E402


def one(seed: int, inside: bool) -> dict:
    args = make_parser().parse_args(f"solve --network tree --data 2 --slice --seed {seed}".split())
    system = system_from(args)[0]
    slices = system.info["slices"]["count"]
    began = time.perf_counter()
    check = witness_check(system, slices, seed=seed) if inside else None
    result = monodromy_solve(system, seed=seed, complete=check)
    result, trace = complete_witness_set(system, result, slices, seed=seed)
    return {"seed": seed, "count": result.count, "certified": trace["complete"] is True, "loops": result.loops,
            "paths": result.paths, "seconds": time.perf_counter() - began}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    with limit_threads(args.threads):
        one(0, True)  # loads the kernel and the imports: not in the table
        rows = {True: [], False: []}
        print(f"{'seed':>4} {'stop':<12} {'count':>5} {'cert':>5} {'loops':>5} {'paths':>6} {'seconds':>8}")
        for seed in range(args.seeds):
            for inside in (True, False):
                r = one(seed, inside)
                rows[inside].append(r)
                print(f"{seed:>4} {'trace test' if inside else 'stall rule':<12} {r['count']:>5} "
                      f"{str(r['certified']):>5} {r['loops']:>5} {r['paths']:>6,} {r['seconds']:>8.1f}", flush=True)
    a = statistics.median(r["seconds"] for r in rows[True])
    b = statistics.median(r["seconds"] for r in rows[False])
    print(f"\nmedian: trace test inside the loops {a:.1f} s, stall rule first {b:.1f} s (ratio {a / b:.2f})")


if __name__ == "__main__":
    main()
