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

Across data: --carry-to 1,2 carries the largest set found (for each N) to a generic member
of the family on those data seeds' points, along one arc of data (``network_homotopy.data``: the
regular, distinct arrivals are a lower bound there, however slow that data's own loops
are), then loops on from them there for --carry-budget seconds (0: none). --save F.npz
keeps each N's largest set (its points and base constants); --load F.npz starts from one
saved: each seed's loops go on from the largest set so far (``resume``; --seeds 0: none, only
the carries), so a long count can be run in pieces.

    .venv/bin/python benchmarks/tree_critical.py [--data 1,2] [--seeds 3] [--first-seed 0] [--data-seed 0]
        [--budget 600] [--carry-to 1,2] [--carry-budget 0] [--save F.npz] [--load F.npz] [--json F] [--plot F]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from algebra.activation import parse_activation  # noqa: E402
from algebra.continuation.backend import backend  # noqa: E402
from algebra.network_homotopy.data import carry_to_data  # noqa: E402
from algebra.continuation.monodromy import MonodromyResult, monodromy_solve  # noqa: E402
from algebra.network_homotopy.equations import CriticalEquations, DataPath  # noqa: E402
from algebra.networks import TreeNetwork  # noqa: E402
from algebra.systems import critical_system, l2_weights, make_data  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="1,2")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--first-seed", type=int, default=0, help="monodromy seeds from this one (default 0)")
    ap.add_argument("--data-seed", type=int, default=0, help="seed of the data points (default 0)")
    ap.add_argument("--budget", type=float, default=600.0, help="seconds per monodromy run")
    ap.add_argument("--carry-to", default="", help="data seeds to carry the largest set to (comma-separated)")
    ap.add_argument("--carry-budget", type=float, default=0.0, help="seconds of loops after each carry")
    ap.add_argument("--save", default=None, help="an .npz of each N's largest set")
    ap.add_argument("--load", default=None,
                    help="an .npz from --save: start from its sets (--seeds loops go on from them; 0: none)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--plot", default=None, help="a PNG of the growth curves")
    args = ap.parse_args()
    net = TreeNetwork(units=1, activation=parse_activation("poly:0.1,0.5,0.3"), bias=True)
    rows = []
    print(f"{'N':>2} {'seed':>4} {'count':>7} {'how':>8} {'paths':>9} {'seconds':>8}")
    saved = dict(np.load(args.load)) if args.load else {}
    best = {}
    for n in (int(v) for v in args.data.split(",")):
        data, lam = make_data(net, n, args.data_seed), l2_weights(net, "random", 0)
        system = critical_system(net, data, lam)
        # the loops through the network's forward pass: 31,341 monomials take 750x longer
        equations = CriticalEquations.of(net, data, lam, system, backend())
        if f"points_{n}" in saved:
            best[n] = MonodromyResult(system.variables, saved[f"constants_{n}"], saved[f"points_{n}"])
            print(f"{n:>2} {'load':>4} {best[n].count:>7,} {'saved':>8}", flush=True)
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            began = time.perf_counter()
            # the generic member's count; the final homotopy to the system itself would run
            # on the monomials (its endgame needs them): left out
            r = monodromy_solve(system, seed=seed, max_seconds=args.budget, equations=equations, final=False,
                                resume=best.get(n) if args.load else None)  # independent seeds unless loaded
            seconds = time.perf_counter() - began
            how = "budget" if r.stopped.startswith("stopped at the time budget") else "stalled"
            rows.append({"data": n, "data_seed": args.data_seed, "seed": seed, "generic": r.count, "how": how,
                         "stopped": r.stopped, "paths": r.paths, "seconds": seconds, "growth": r.growth,
                         "total_degree": math.prod(system.degrees)})
            print(f"{n:>2} {seed:>4} {r.count:>7,} {how:>8} {r.paths:>9,} {seconds:>8.0f}", flush=True)
            if n not in best or r.count > best[n].count:
                best[n] = r
        if args.save:  # before the carries: a long count is kept however the rest goes
            np.savez(args.save, **{f"{k}_{m}": v for m, r in best.items()
                                   for k, v in (("points", r.base_solutions), ("constants", r.base_constants))})
        for target_seed in (int(v) for v in args.carry_to.split(",") if v):
            rows.append(carry(net, lam, n, data, system, best[n], target_seed, args))
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
            if "growth" not in row:  # a carry without loops after it
                continue
            paths, known = zip(*row["growth"]) if row["growth"] else ((), ())
            run = (f"seed {row['seed']}" if "seed" in row else
                   f"data seed {row['data_seed']} from {row['carried']:,} carried")
            ax.step(paths, known, where="post", label=f"N = {row['data']}, {run} ({row['how']})")
        ax.set(xlabel="paths tracked", ylabel="critical points known",
               title="canonical tree, random L2: monodromy growth")
        ax.legend(fontsize=7)
        fig.savefig(args.plot, dpi=120, bbox_inches="tight")


def carry(net, lam, n: int, start, system, found, target_seed: int, args) -> dict:
    """``found`` (a set of the family on --data-seed's points ``start``) carried to the
    family on ``target_seed``'s points, then loops on from it there for --carry-budget
    seconds."""
    data = make_data(net, n, target_seed)
    target = critical_system(net, data, lam)
    target_equations = CriticalEquations.of(net, data, lam, target, backend())
    path = DataPath(net, (start.x, start.y), (data.x, data.y), lam, backend())
    began = time.perf_counter()
    moved = carry_to_data(found, system, target, path, seed=target_seed)
    row = {"data": n, "data_seed": target_seed, "carried_from": args.data_seed, "carried": found.count,
           "arrived": moved.count, "failed": moved.failed, "carry_seconds": time.perf_counter() - began}
    print(f"{n:>2} carry data seed {args.data_seed} -> {target_seed}: {found.count:,} carried, {moved.count:,} arrived "
          f"regular and distinct, {moved.failed} along no arc, {found.count - moved.failed - moved.count} onto "
          f"another's end, {row['carry_seconds']:.0f} s", flush=True)
    if args.carry_budget > 0:
        began = time.perf_counter()
        more = monodromy_solve(target, seed=target_seed, resume=moved, equations=target_equations,
                               max_seconds=args.carry_budget, final=False)
        row.update(generic=more.count, paths=more.paths, loops=more.loops, stopped=more.stopped,
                   growth=more.growth, seconds=time.perf_counter() - began,
                   how="budget" if more.stopped.startswith("stopped at the time budget") else "stalled")
        print(f"{n:>2} loops on data seed {target_seed} from there: {more.count:,} ({row['how']}: {more.stopped}), "
              f"{more.paths:,} paths, {row['seconds']:.0f} s", flush=True)
    return row


if __name__ == "__main__":
    main()
