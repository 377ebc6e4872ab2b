"""What a user waits for before a small solve: the command line's wall time from start to exit.

    python benchmarks/startup.py [--repeats 7] [--json FILE]

For four small suite files (2 to 11 solutions), the median wall time of
`landscape solve FILE` in a new process each time, with the tracking kernel compiled ahead of
time (the default after `make setup`) and without it (LANDSCAPE_NO_AOT=1: numba's JIT, loaded
from its on-disk cache: the named baseline), each also with `--threads 1`, and `phc -b -t1` on
the same file where phc is installed. Then, in one process, the first solve against a warm
second one (what start-up adds inside Python). Prints medians and the ratios to the JIT
baseline; the machine is noisy, so the runs of each configuration are interleaved.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = ["wood.phc", "lorentz.phc", "rediff3.phc", "gaukwa2.phc"]  # 9, 11, 8 and 2 solutions
CONFIGS = {
    "ahead of time": ({}, []),
    "ahead of time, --threads 1": ({}, ["--threads", "1"]),
    "JIT (baseline)": ({"LANDSCAPE_NO_AOT": "1"}, []),
    "JIT, --threads 1": ({"LANDSCAPE_NO_AOT": "1"}, ["--threads", "1"]),
}


def _wall(cmd: list[str], env: dict, cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    return time.perf_counter() - t


def _in_process(path: Path) -> dict:
    code = (
        "import time, json, sys\n"
        "t0 = time.perf_counter()\n"
        "from algebra.phcfile import parse_phc\nfrom algebra.solve import solve\n"
        f"s = parse_phc(open({str(path)!r}).read())\n"
        "t1 = time.perf_counter(); solve(s); t2 = time.perf_counter(); solve(s); t3 = time.perf_counter()\n"
        "print(json.dumps({'import': t1 - t0, 'first': t2 - t1, 'warm': t3 - t2, 'numba': 'numba' in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    cli = [sys.executable, "-m", "bridge.cli", "solve"]
    phc = shutil.which("phc")
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in FILES:
            path = ROOT / "benchmarks" / "suite" / name
            times = {c: [] for c in CONFIGS}
            if phc:
                times["phc -b -t1"] = []
            for _ in range(a.repeats):
                for c, (env, extra) in CONFIGS.items():
                    times[c].append(_wall(cli + [str(path), *extra], env, ROOT))
                if phc:
                    shutil.copy(path, Path(tmp) / "in.phc")
                    times["phc -b -t1"].append(_wall([phc, "-b", "-t1", "in.phc", "out.phc"], {}, Path(tmp)))
            rows[name] = {c: statistics.median(v) for c, v in times.items()}
    inproc = [_in_process(ROOT / "benchmarks" / "suite" / n) for n in FILES for _ in range(3)]
    print(f"CLI wall time, median of {a.repeats} (s); ratio to the JIT baseline in brackets")
    header = list(rows[FILES[0]])
    print(f"{'file':<14}" + "".join(f"{h:>30}" for h in header))
    for name, r in rows.items():
        base = r["JIT (baseline)"]
        print(f"{name:<14}" + "".join(f"{r[h]:>22.3f} ({r[h] / base:4.2f})" for h in header))
    first = statistics.median(x["first"] for x in inproc)
    warm = statistics.median(x["warm"] for x in inproc)
    imp = statistics.median(x["import"] for x in inproc)
    print(f"in one process (median over {len(inproc)}): import {imp:.3f} s, first solve {first:.3f} s, "
          f"warm solve {warm:.3f} s (first - warm {first - warm:.3f} s); numba imported: "
          f"{sorted({x['numba'] for x in inproc})}")
    if a.json:
        a.json.write_text(json.dumps({"cli": rows, "in_process": inproc}, indent=1) + "\n")


if __name__ == "__main__":
    main()
