"""Mixed volumes by two algorithms: MixedVol's count checked by DEMiCs, on every system in
benchmarks/suite/, benchmarks/multiple/ and benchmarks/mixed_volume_cases/ (or the files
given). mixed_volume_cases/dense1222_critical.phc is the critical system of the deep linear
network (1,2,2,2) with random L2 (`landscape export --system critical --network dense
--widths 1,2,2,2 --activation linear --no-bias --data 1 --l2 random`), where DEMiCs is wrong.

For each square system: the BKK bound (supports with the origin added, what the polyhedral
start tracks) by ``phc.checked_mixed_volume`` (MixedVol and DEMiCs in two workers at once),
whether they agree, and the wall time against the baseline measured in the same run:
MixedVol alone in one worker (what the solver ran before the check).

    .venv/bin/python benchmarks/mixed_volumes.py [FILES ...] [--json OUT]
"""
from __future__ import annotations

import argparse
import glob
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algebra import phc  # noqa: E402
from algebra.continuation.polyhedral import phc_strings  # noqa: E402
from algebra.phcfile import read_phc  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", help="PHCpack files (default: benchmarks/suite and benchmarks/multiple)")
    ap.add_argument("--json", help="write the rows here")
    args = ap.parse_args()
    files = args.files or sorted(f for d in ("suite", "multiple", "mixed_volume_cases")
                                 for f in glob.glob(str(HERE / d / "*.phc")))
    rows = []
    for f in files:
        system = read_phc(f)
        if not system.is_square:
            continue
        names, polys = phc_strings(system)
        began = time.perf_counter()
        alone = phc.run("mixed_volume", polys, names, 0, "mixedvol", timeout=600)["mixed_volume"]
        baseline = time.perf_counter() - began
        began = time.perf_counter()
        check = phc.checked_mixed_volume(polys, names, 0, timeout=600)
        seconds = time.perf_counter() - began
        rows.append({"file": str(Path(f).relative_to(HERE)) if Path(f).is_relative_to(HERE) else f,
                     "mixedvol": check.mixedvol, "demics": check.demics, "agreed": check.agreed, "why": check.why,
                     "mixedvol_alone": alone, "seconds": round(seconds, 3), "baseline_seconds": round(baseline, 3)})
        r = rows[-1]
        print(f"{r['file']:>34}  MixedVol {r['mixedvol']:>6,}  DEMiCs {str(r['demics']):>6}  "
              f"{'agree' if r['agreed'] else 'UNCHECKED' if r['demics'] is None else 'DISAGREE'}  "
              f"{seconds:6.2f} s  (MixedVol alone {baseline:5.2f} s)", flush=True)
    agreed = sum(r["agreed"] for r in rows)
    disagreed = sum(r["demics"] is not None and not r["agreed"] for r in rows)
    ratios = [r["seconds"] / r["baseline_seconds"] for r in rows]
    print(f"\n{len(rows)} systems: {agreed} agree, {disagreed} disagree, {len(rows) - agreed - disagreed} unchecked "
          f"(DEMiCs did not finish); checked / MixedVol alone: median {statistics.median(ratios):.2f}x, "
          f"max {max(ratios):.1f}x")
    if args.json:
        Path(args.json).write_text("[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
