"""What the default proofs cost beside the solve: Krawczyk's test on every solution of a
count that attains its total-degree root bound (the only counts `solve` calls certified).

For each system: seconds of the whole `solve` (default options, one thread), of which the
proof's (``verification["krawczyk"]["seconds"]``), and their ratio; medians over --repeats.

    python benchmarks/proof_cost.py [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from algebra.continuation.tracker import limit_threads  # noqa: E402
from algebra.examples import katsura  # noqa: E402
from algebra.phcfile import read_phc  # noqa: E402
from algebra.solve import solve  # noqa: E402


def systems():
    yield from ((f"katsura{n}", katsura(n)) for n in (5, 6, 7, 8, 9))
    for name in ("span12_5", "h_triple_pair"):
        yield name, read_phc(os.path.join(ROOT, "benchmarks", "multiple", f"{name}.phc"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    print(f"{'system':<16} {'paths':>6} {'verdict':<16} {'solve s':>8} {'proof s':>8} {'proof/solve':>11}")
    with limit_threads(1):
        for name, system in systems():
            total, proof = [], []
            for _ in range(args.repeats):
                began = time.perf_counter()
                r = solve(system, seed=0)
                total.append(time.perf_counter() - began)
                proof.append(r.verification.get("krawczyk", {}).get("seconds", 0.0))
            t, p = statistics.median(total), statistics.median(proof)
            print(f"{name:<16} {r.npaths:>6} {r.verdict:<16} {t:8.2f} {p:8.2f} {p / t:11.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
