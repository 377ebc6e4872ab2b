"""Which engine `critical` should track its critical systems with: ours against PHCpack's
trackers on the same total-degree homotopies, with and without an L2 term.

For each network the critical system grad L (+ lambda w) = 0 is solved by
``algebra.solve.solve`` with start "total-degree" and verification by independent runs,
once with our engine and once with PHCpack's (``engine="phcpack"``, in the projective chart,
as `critical` calls it); the table gives seconds, solutions, singular and failed paths and
whether the count was certified. `critical` takes ours where an L2 term makes the critical
points isolated and PHCpack's without one (``algebra.critical.critical_points``).

    .venv/bin/python benchmarks/critical_engines.py [--threads N]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from algebra.networks import DenseNetwork  # noqa: E402
from algebra.solve import solve  # noqa: E402
from algebra.systems import critical_system, l2_weights, make_data  # noqa: E402

CASES = [("dense (1,2,1) z^2, N=2, random L2", DenseNetwork((1, 2, 1), "monomial:2", bias=False), 2, "random"),
         ("dense (2,2,1) linear, N=2, random L2", DenseNetwork((2, 2, 1), "linear", bias=False), 2, "random"),
         ("dense (1,3,1) linear, N=2, L2 0.5", DenseNetwork((1, 3, 1), "linear", bias=False), 2, 0.5),
         ("dense (1,1,1,1) linear, N=1, no L2", DenseNetwork((1, 1, 1, 1), "linear", bias=False), 1, None),
         ("dense (2,2,1) linear, N=2, no L2", DenseNetwork((2, 2, 1), "linear", bias=False), 2, None)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=None,
                    help="threads of our compiled tracker (default: every core, as PHCpack's worker processes)")
    args = ap.parse_args()
    from algebra.continuation.tracker import limit_threads

    solve(critical_system(CASES[3][1], make_data(CASES[3][1], 1, 0)), verify=False)  # loads the kernel
    print(f"{'system':<38} {'engine':<8} {'seconds':>8} {'solutions':>9} {'singular':>8} {'failed':>6} {'certified':>9}")
    for name, net, n, l2 in CASES:
        system = critical_system(net, make_data(net, n, 0), l2_weights(net, l2, 0))
        for engine in ("ours", "phcpack"):
            began = time.perf_counter()
            with limit_threads(args.threads):
                r = solve(system, engine=engine, start="total-degree", projective=True, seed=0, verify=True,
                          timeout=600)
            print(f"{name:<38} {engine:<8} {time.perf_counter() - began:8.2f} {r.nsolutions:>9} {r.nsingular:>8} "
                  f"{r.nfailed:>6} {str(bool(r.certified)):>9}", flush=True)


if __name__ == "__main__":
    main()
