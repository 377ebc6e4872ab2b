"""Critical points of the dense (2, 2, 1) z^2 network (no bias, N = 2, random L2): monodromy
against every path of the total-degree homotopy (15,625) and against `phc -b -t1`.

The system is grad L + lambda w = 0 (6 equations of degree 5). Baselines measured in the
same run: our total-degree homotopy (one run, and its count), and PHCpack's blackbox
solver on the exported file (Debian package phcpack; its count of regular solutions read
over all its lists). Monodromy runs from --seeds seeds, as `critical-set --method monodromy`
runs it (twisted loops by the two sign flips the random lambdas keep) and, unless
--skip-plain, with plain loops only; the table gives each count, the paths it tracked, its
seconds, and the ratios phc / monodromy and total-degree / monodromy (above 1: monodromy is
faster), medians over the seeds.

    .venv/bin/python benchmarks/dense_critical.py [--seeds 3] [--data 2] [--skip-phc] [--skip-total-degree]
                                                  [--skip-plain] [--corners 2] [--threads 1] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "suite"))

from algebra.continuation.monodromy import monodromy_solve  # noqa: E402
from algebra.exports import to_phc  # noqa: E402
from algebra.networks import DenseNetwork  # noqa: E402
from algebra.solve import solve  # noqa: E402
from algebra.symmetry import acting_generators  # noqa: E402
from algebra.systems import critical_system, l2_weights, make_data  # noqa: E402
from suite import phc_run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--data", type=int, default=2)
    ap.add_argument("--skip-phc", action="store_true")
    ap.add_argument("--skip-total-degree", action="store_true",
                    help="leave out our total-degree run (about 7 minutes on one thread)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--skip-plain", action="store_true", help="leave out the runs with plain loops only")
    ap.add_argument("--corners", type=int, default=None,
                    help="corners of a monodromy loop (default: monodromy.CORNERS; 3 were triangles)")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads of our compiled tracker (default 1: the baseline is phc -b -t1)")
    args = ap.parse_args()
    from algebra.continuation import monodromy
    from algebra.continuation.tracker import limit_threads

    if args.corners is not None:
        monodromy.CORNERS = args.corners

    with limit_threads(args.threads):
        run(args)


def run(args) -> None:
    net = DenseNetwork((2, 2, 1), "monomial:2", bias=False)
    system = critical_system(net, make_data(net, args.data, 0), l2_weights(net, "random", 0))
    total = math.prod(system.degrees)
    row = {"network": "dense (2, 2, 1) z^2, no bias", "data": args.data, "l2": "random, seed 0",
           "total_degree": total}
    flips = acting_generators(net, system)
    medians = {}
    for kind, symmetries in (("twisted", flips), ("plain", None)):
        if kind == "plain" and args.skip_plain:
            continue
        runs = []
        for seed in range(args.seeds):
            began = time.perf_counter()
            r = monodromy_solve(system, seed=seed, symmetries=symmetries)
            runs.append({"seed": seed, "generic": r.count, "count": len(r.solutions), "paths": r.paths,
                         "loops": r.loops, "twisted": r.twisted, "seconds": time.perf_counter() - began,
                         "stopped": r.stopped})
            print(f"monodromy ({kind}) seed {seed}: {r.count} generic, {len(r.solutions)} of this system, "
                  f"{r.paths:,} paths, {r.loops} loops ({r.twisted} twisted), {runs[-1]['seconds']:.1f} s", flush=True)
        row["monodromy" if kind == "twisted" else "monodromy_plain"] = runs
        medians[kind] = statistics.median(r["seconds"] for r in runs)
    row["symmetries"] = [g.name for g in flips]
    mono_s = medians["twisted"]
    if not args.skip_phc:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "critical.phc")
            Path(path).write_text(to_phc(system))
            r = phc_run(path, 1, timeout=3600)
        row["phc"] = {"count": r["regular"], "seconds": r["seconds"], "singular": r["singular"],
                      "failures": r["failures"], "returncode": r["returncode"], "crashed": r["crashed"]}
        print(f"phc -b -t1: {r['regular']} regular ({r['singular']} singular, {r['failures']} failures), "
              f"{r['seconds']:.1f} s, exit {r['returncode']}"
              + (f" (after {len(r['crashed'])} run(s) that exited 1 early: {r['crashed']} s)" if r["crashed"] else ""),
              flush=True)
        ours = row["monodromy"][0]["count"] if row["monodromy"] else None
        if r["returncode"] != 0 or r["regular"] != ours:
            print(f"phc -b did not finish cleanly or found another count ({r['regular']} against {ours}): "
                  "its time is no baseline", flush=True)
            row["phc_not_a_baseline"] = row.pop("phc")
        if args.json:  # the slowest part comes next: what is measured so far is kept
            Path(args.json).write_text(json.dumps(row, indent=1))
    summary = "\n".join(f"monodromy ({kind}) median {m:.1f} s" + (f"; phc -b / monodromy = "
                                                                  f"{row['phc']['seconds'] / m:.1f}x" if "phc" in row
                                                                  else "") for kind, m in medians.items())
    if args.skip_total_degree:
        print("\n" + summary)
        return
    began = time.perf_counter()
    td = solve(system, start="total-degree", projective=True, seed=0, verify=False)
    row["total_degree_run"] = {"count": td.nsolutions, "seconds": time.perf_counter() - began,
                               "finite": td.nfinite, "singular": td.nsingular, "infinity": td.nat_infinity,
                               "failed": td.nfailed}
    print(f"total degree (ours): {td.nsolutions} of {total:,} paths, {row['total_degree_run']['seconds']:.1f} s "
          f"(finite {td.nfinite}, singular {td.nsingular}, infinity {td.nat_infinity}, failed {td.nfailed})",
          flush=True)
    print("\n" + summary + f"\ntotal degree / monodromy (twisted) = {row['total_degree_run']['seconds'] / mono_s:.1f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(row, indent=1))


if __name__ == "__main__":
    main()
