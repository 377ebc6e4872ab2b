"""Certified monodromy counts: the trace test of the augmented system (completeness) and
Krawczyk's proofs, on critical systems of small networks with random L2 terms.

For each case and data seed: the count, the verdict (certified or a lower bound), the trace
defect, the rounds of more loops the test asked for, and where the seconds went: the loops,
the completeness test (its extra witnesses' loops, its moves and rounds), Krawczyk's proofs;
beside them the count of our polyhedral/total-degree homotopy (`solve`, one run) where it
is cheap, or the exact count over QQ where one is known (--exact-only skips the homotopy).

    .venv/bin/python benchmarks/completeness.py [--seeds 0:10] [--cases dense221,...] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from algebra.continuation.backend import backend  # noqa: E402
from algebra.continuation.completeness import complete, verdict  # noqa: E402
from algebra.continuation.monodromy import finish, monodromy_solve  # noqa: E402
from algebra.network_homotopy.equations import network_evaluator  # noqa: E402
from algebra.continuation.tracker import limit_threads  # noqa: E402
from algebra.networks import DenseNetwork  # noqa: E402
from algebra.symmetry import acting_generators  # noqa: E402
from algebra.systems import critical_system, make_data  # noqa: E402

# name: (widths, activation, bias, data points, exact count over QQ where known (source),
#        whether our homotopy solve is cheap enough to run beside it)
CASES = {
    "dense221": ((2, 2, 1), "monomial:2", False, 2, (353, "issue 34: exact over QQ, data seeds 0-5"), False),
    "dense131": ((1, 3, 1), "monomial:2", False, 2, None, False),
    "dense121poly": ((1, 2, 1), "poly:0.1,0.5,0.3", True, 2, None, False),
    "linear123": ((1, 2, 3), "linear", False, 1, None, True),
    "linear133": ((1, 3, 3), "linear", False, 1, None, False),
    "linear1221": ((1, 2, 2, 1), "linear", False, 1, None, False),
}


def run_case(name: str, seed: int, homotopy: bool) -> dict:
    widths, act, bias, points, exact, cheap = CASES[name]
    net = DenseNetwork(widths, act, bias=bias)
    data = make_data(net, points, seed)
    system = critical_system(net, data, l2="random", seed=seed)
    equations = network_evaluator(net, data, system, backend(None))
    symmetries = acting_generators(net, system, seed)
    began = time.perf_counter()
    result = monodromy_solve(system, seed=seed, equations=equations, symmetries=symmetries, final=False)
    loops = time.perf_counter() - began
    proofs_in_loops = result.proof_seconds
    result, test = complete(system, result, seed=seed, equations=equations, symmetries=symmetries)
    tested = time.perf_counter() - began - loops
    result = finish(system, result, seed=seed, equations=equations, symmetries=symmetries)
    total = time.perf_counter() - began
    certified, why = verdict(result, test.complete, "the trace test")
    row = {"case": name, "seed": seed, "unknowns": system.n_variables, "count": result.final.get("distinct"),
           "generic": result.count, "certified": certified, "verdict": test.verdict, "defect": test.defect,
           "rounds": test.rounds, "extra_witnesses": test.extra, "paths": result.paths, "seconds": round(total, 2),
           "loops_seconds": round(loops - proofs_in_loops, 2), "test_seconds": round(tested, 2),
           "proof_seconds": round(result.proof_seconds + (result.final_proofs or {}).get("seconds", 0.0), 2),
           "unproven": len(result.unproven), "why": why}
    if exact is not None:
        row["exact"], row["exact_source"] = exact
    if homotopy and cheap:
        from algebra.solve import solve

        t0 = time.perf_counter()
        h = solve(system, seed=seed, verify=False)
        row.update(homotopy=h.nsolutions, homotopy_verdict=h.verdict, homotopy_seconds=round(time.perf_counter() - t0, 2))
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="0:3", help="data seeds A:B (default 0:3)")
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated, from: " + ", ".join(CASES))
    ap.add_argument("--exact-only", action="store_true", help="no homotopy solve beside monodromy")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    a, b = (int(v) for v in args.seeds.split(":"))
    rows = []
    print(f"{'case':<13} {'seed':>4} {'count':>6} {'check':>10} {'certified':>9} {'defect':>8} {'rounds':>6} "
          f"{'paths':>8} {'s':>7} {'loops':>6} {'test':>6} {'proofs':>6}", flush=True)
    with limit_threads(args.threads):
        for name in args.cases.split(","):
            for seed in range(a, b):
                r = run_case(name, seed, not args.exact_only)
                rows.append(r)
                check = r.get("exact", r.get("homotopy", "-"))
                print(f"{name:<13} {seed:>4} {r['count']:>6} {check!s:>10} {r['certified']!s:>9} "
                      f"{(r['defect'] if r['defect'] is not None else float('nan')):8.1e} {r['rounds']:>6} "
                      f"{r['paths']:>8,} {r['seconds']:7.1f} {r['loops_seconds']:6.1f} {r['test_seconds']:6.1f} "
                      f"{r['proof_seconds']:6.1f}", flush=True)
    wrong = [r for r in rows if r["certified"] and r.get("exact", r.get("homotopy", r["count"])) != r["count"]]
    print(f"certified {sum(r['certified'] for r in rows)} of {len(rows)}; certified but disagreeing with the "
          f"check: {len(wrong)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"threads": args.threads, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
