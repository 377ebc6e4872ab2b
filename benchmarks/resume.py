"""A monodromy count killed with SIGKILL at random moments and started again ends as one never stopped.

    python benchmarks/resume.py [--kills 5] [--seed 0] [--json FILE]

Runs `landscape solve --system critical --network dense --widths 2,2,1 --activation monomial:2
--no-bias --data 2 --l2 random --method monodromy --out DIR` once without interruption (folder
A), then in folder B kills it with SIGKILL at a random moment of each start (uniform from 1.5 s
to 0.9 of A's wall time after it starts, drawn from --seed) --kills times, and lets the last
start finish.
Prints, for A and B: the count, whether it is certified, the growth curve's digest (every
round's [paths, solutions]), the loops and paths, the wall seconds of all B's starts together
against A's (the ratio: what the kills cost, up to 30 s of lost work each plus start-up).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = ["solve", "--system", "critical", "--network", "dense", "--widths", "2,2,1", "--activation", "monomial:2",
           "--no-bias", "--data", "2", "--l2", "random", "--method", "monodromy", "--json"]


def _start(out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bridge.cli", *COMMAND, "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _summary(result: dict) -> dict:
    growth = json.dumps(result["growth"]).encode()
    return {"count": result["generic_count"], "certified": result["certified"], "loops": result["loops"],
            "paths": result["paths_tracked"], "growth_digest": hashlib.sha256(growth).hexdigest()[:16]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="resume-"))
    try:
        began = time.perf_counter()
        whole = _start(work / "a")
        a = json.loads(whole.communicate()[0])
        a_seconds = time.perf_counter() - began
        b_seconds, kills = 0.0, []
        for _ in range(args.kills):
            wait = rng.uniform(1.5, max(2.0, 0.9 * a_seconds))  # inside the run (start-up is about 1.5 s)
            began = time.perf_counter()
            proc = _start(work / "b")
            try:
                proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills.append(round(wait, 1))
            b_seconds += time.perf_counter() - began
            if proc.returncode == 0:
                break
        began = time.perf_counter()
        last = _start(work / "b")
        b = json.loads(last.communicate()[0])
        b_seconds += time.perf_counter() - began
        rows = {"uninterrupted": {**_summary(a), "seconds": round(a_seconds, 1)},
                "killed": {**_summary(b), "seconds": round(b_seconds, 1), "kills_after_s": kills}}
        same = all(rows["uninterrupted"][k] == rows["killed"][k] for k in ("count", "certified", "loops", "paths",
                                                                          "growth_digest"))
        for name, row in rows.items():
            print(f"{name:14} {json.dumps(row)}")
        print(f"same count, growth and paths: {same}; wall time killed / uninterrupted: "
              f"{b_seconds / a_seconds:.2f}x ({len(kills)} kills)")
        if args.json:
            Path(args.json).write_text(json.dumps({"rows": rows, "same": same}, indent=1))
        return 0 if same else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
