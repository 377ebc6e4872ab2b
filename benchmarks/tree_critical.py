"""Critical points of the canonical tree network (r = 1, poly:0.1,0.5,0.3, biases) with a
random L2 term, by monodromy within a time budget: counts no table has.

The critical system grad L + lambda w = 0 has 12 equations of degree 17 (total degree
17^11 * 14, about 4.8e14 paths: beyond any total-degree homotopy). The random lambda
breaks the tree's continuous symmetries (its outputs have functional dimension 10 of 12
weights), so the regularized critical points are isolated and no gauge needs fixing.
Monodromy (free constant terms) runs for each N in --data and each seed for at most
--budget seconds; each run reports its count (a lower bound: "stalled" when the stall
rule stopped it, "budget" when time ran out) of the generic member of the family with free
constant terms (no final homotopy to the system itself: its endgame would evaluate the
31,341 monomials), paths, seconds, and the growth curve
([paths tracked, solutions known] after each round), saved with --json; --plot draws the
curves. Whether the counts agree across seeds is the evidence the issue asks for.

    .venv/bin/python benchmarks/tree_critical.py [--data 1,2] [--seeds 3] [--first-seed 0] [--data-seed 0]
        [--budget 600] [--json F] [--plot F]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from algebra.activation import parse_activation  # noqa: E402
from algebra.continuation.backend import backend  # noqa: E402
from algebra.continuation.monodromy import monodromy_solve  # noqa: E402
from algebra.continuation.network_equations import CriticalEquations  # noqa: E402
from algebra.networks import TreeNetwork  # noqa: E402
from algebra.systems import critical_system, l2_weights, make_data  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="1,2")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--first-seed", type=int, default=0, help="monodromy seeds from this one (default 0)")
    ap.add_argument("--data-seed", type=int, default=0, help="seed of the data points (default 0)")
    ap.add_argument("--budget", type=float, default=600.0, help="seconds per monodromy run")
    ap.add_argument("--json", default=None)
    ap.add_argument("--plot", default=None, help="a PNG of the growth curves")
    args = ap.parse_args()
    net = TreeNetwork(units=1, activation=parse_activation("poly:0.1,0.5,0.3"), bias=True)
    rows = []
    print(f"{'N':>2} {'seed':>4} {'count':>7} {'how':>8} {'paths':>9} {'seconds':>8}")
    for n in (int(v) for v in args.data.split(",")):
        data, lam = make_data(net, n, args.data_seed), l2_weights(net, "random", 0)
        system = critical_system(net, data, lam)
        # the loops through the network's forward pass: 31,341 monomials take 750x longer
        equations = CriticalEquations.of(net, data, lam, system, backend())
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            began = time.perf_counter()
            # the generic member's count; the final homotopy to the system itself would run
            # on the monomials (its endgame needs them): left out
            r = monodromy_solve(system, seed=seed, max_seconds=args.budget, equations=equations, final=False)
            seconds = time.perf_counter() - began
            how = "budget" if r.stopped.startswith("stopped at the time budget") else "stalled"
            rows.append({"data": n, "data_seed": args.data_seed, "seed": seed, "generic": r.count, "how": how,
                         "stopped": r.stopped, "paths": r.paths, "seconds": seconds, "growth": r.growth,
                         "total_degree": math.prod(system.degrees)})
            print(f"{n:>2} {seed:>4} {r.count:>7,} {how:>8} {r.paths:>9,} {seconds:>8.0f}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"network": net.describe(), "l2": "random, seed 0",
                                               "data_seed": args.data_seed,
                                               "budget_s": args.budget, "runs": rows}, indent=1))
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        for row in rows:
            paths, known = zip(*row["growth"]) if row["growth"] else ((), ())
            ax.step(paths, known, where="post", label=f"N = {row['data']}, seed {row['seed']} ({row['how']})")
        ax.set(xlabel="paths tracked", ylabel="critical points known",
               title="canonical tree, random L2: monodromy growth")
        ax.legend(fontsize=7)
        fig.savefig(args.plot, dpi=120, bbox_inches="tight")


if __name__ == "__main__":
    main()
