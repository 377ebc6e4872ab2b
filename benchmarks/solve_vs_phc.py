"""Our `solve` against PHCpack's blackbox `phc -b` on the same input files, in one run.

Baseline: `phc -b` (Debian package phcpack, PHCpack 2.4.86) run directly on a copy of
each file, timed wall-clock; its count is the number of solutions it writes. Ours:
`algebra.solve.solve` with start="auto", verify=False (one run, as phc -b does one) and
with verify=True (what the CLI does by default). Reported per system: counts, seconds,
and the ratio ours / phc -b (below 1: faster). Medians over --repeats runs.

    python benchmarks/solve_vs_phc.py [--quick] [--repeats 3] [--workers 2]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from algebra.activation import parse_activation  # noqa: E402
from algebra.examples import cyclic, katsura  # noqa: E402
from algebra.exports import to_phc  # noqa: E402
from algebra.networks import TreeNetwork  # noqa: E402
from algebra.solve import solve  # noqa: E402
from algebra.systems import make_data, random_slices, zero_loss_system  # noqa: E402


def tree(units: int):
    net = TreeNetwork(units=units, activation=parse_activation("poly:0.1,0.5,0.3"))
    return random_slices(zero_loss_system(net, make_data(net, 2, 0)), net.n_weights - 2, 0)


def phc_blackbox(system, tasks: int) -> tuple[float, int]:
    """Seconds and number of solutions of `phc -b` on a fresh copy of the system's file."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in.phc"), os.path.join(tmp, "out.phc")
        with open(src, "w") as f:
            f.write(to_phc(system))
        cmd = ["phc", "-b"] + ([f"-t{tasks}"] if tasks > 1 else []) + [src, out]
        began = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, timeout=3600)
        seconds = time.perf_counter() - began
        with open(out) as f:
            text = f.read()
    # the last solution list in the output file: "THE SOLUTIONS :" then "<count> <dim>"
    found = re.findall(r"THE SOLUTIONS :\s*\n\s*(\d+)\s+\d+", text)
    return seconds, int(found[-1]) if found else -1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small systems only (a minute)")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    if shutil.which("phc") is None:
        print("phc not found: apt-get install phcpack (the baseline of this benchmark)", file=sys.stderr)
        return 2
    systems = [("katsura-6", katsura(6)), ("cyclic-5", cyclic(5)), ("tree r=1 N=2", tree(1))]
    if not args.quick:
        systems = [(f"katsura-{n}", katsura(n)) for n in range(6, 11)] + \
                  [(f"cyclic-{n}", cyclic(n)) for n in (5, 6, 7)] + [("tree r=1 N=2", tree(1)),
                                                                    ("tree r=2 N=2", tree(2))]
    print(f"{'system':<14} {'phc -b':>8} {'count':>6} | {'ours':>8} {'count':>6} {'start':>13} "
          f"{'ratio':>6} | {'verified':>8} {'count':>6} {'ratio':>6}")
    for name, system in systems:
        base, ours, ver = [], [], []
        for _ in range(args.repeats):
            t, n_phc = phc_blackbox(system, args.workers)
            base.append(t)
            began = time.perf_counter()
            r = solve(system, workers=args.workers, verify=False)
            ours.append(time.perf_counter() - began)
            began = time.perf_counter()
            v = solve(system, workers=args.workers, verify=True)
            ver.append(time.perf_counter() - began)
        b, o, w = (statistics.median(x) for x in (base, ours, ver))
        print(f"{name:<14} {b:8.2f} {n_phc:6d} | {o:8.2f} {r.nsolutions:6d} {r.start['kind']:>13} "
              f"{o / b:6.2f} | {w:8.2f} {v.nsolutions:6d} {w / b:6.2f}"
              + ("" if v.certified else "  (not certified)"), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
