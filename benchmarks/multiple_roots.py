"""Run `landscape solve` (and `phc -b`, when phc is on PATH) on the systems of
benchmarks/multiple/: multiple (singular isolated) roots, huge or tiny solutions, badly scaled
coefficients, each with exact counts computed by computer algebra (systems.json, README.md).

    python benchmarks/multiple_roots.py [NAME ...] [--timeout S] [--json FILE] [--no-phc]
                                        [--landscape PATH] [--solve-args "ARGS"] [--list]

One row per system:
  exact      distinct isolated solutions in C^n (systems.json "distinct")
  ours       `solutions` of `landscape solve FILE --json`
  verdict    its `verdict` ("certified", "probability-one", "lower-bound"); where the JSON has
             no such key, the old boolean: "certified=True" / "certified=False"
  mult       "yes" when the multiplicities of its `points` whose status is "finite" or
             "singular" add up to systems.json "with_multiplicity", "no" when not; without
             `points` in the JSON, `accounting.multiplicity` (else `regular` + the sum of
             `multiplicities`) stands in for that sum (the row's "mult_source" says which);
             "?" when none of these is there
  ours_s     wall seconds around the subprocess (CLI start-up included)
  phc, sing  `phc -b -t1`: regular solutions (benchmarks.suite.suite.phc_blackbox's count) and,
             from the same run, the paths it classed singular; phc_s its seconds
Totals: right counts of ours and of phc (its regular count against the exact distinct count;
on a system with multiple roots phc's regular count leaves out the singular ones, so the
totals also say how often it equals the number of simple roots), and the wrong counts of ours
that were labelled certified. A key missing from the JSON (the schema is in flux) prints "?".
`--json FILE` writes the rows. Standard library only (numpy not needed).
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FOLDER = os.path.join(HERE, "multiple")
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def load_systems() -> list[dict]:
    with open(os.path.join(FOLDER, "systems.json")) as f:
        return json.load(f)


def default_landscape() -> str:
    venv = os.path.join(ROOT, ".venv", "bin", "landscape")
    return venv if os.path.exists(venv) else (shutil.which("landscape") or "landscape")


def _last_json(text: str):
    """The last line of stdout that parses as a JSON object (warnings may precede it)."""
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    try:
        return json.loads(text)
    except ValueError:
        return None


def run_ours(landscape: str, path: str, timeout: float, extra: list[str]) -> dict:
    cmd = [landscape, "solve", path, "--json", *extra]
    began = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, cwd=ROOT)
        seconds = time.perf_counter() - began
    except subprocess.TimeoutExpired:
        return {"seconds": time.perf_counter() - began, "error": f"timeout {timeout:g} s"}
    except OSError as e:
        return {"seconds": time.perf_counter() - began, "error": str(e)}
    result = _last_json(proc.stdout)
    if not isinstance(result, dict):
        tail = (proc.stderr.strip().splitlines() or ["no JSON on stdout"])[-1]
        return {"seconds": seconds, "error": f"rc {proc.returncode}: {tail[:200]}"}
    return {"seconds": seconds, "result": result, "returncode": proc.returncode}


def summarize_ours(run: dict, exact: dict) -> dict:
    out = {"ours": "?", "verdict": "?", "mult_sum": "?", "mult": "?",
           "ours_s": run.get("seconds"), "ours_error": run.get("error")}
    r = run.get("result")
    if not isinstance(r, dict):
        out["verdict"] = "error"
        return out
    sols = r.get("solutions")
    if isinstance(sols, list):  # a list of solutions rather than a count
        sols = len(sols)
    out["ours"] = sols if isinstance(sols, int) and not isinstance(sols, bool) else "?"
    if isinstance(r.get("verdict"), str):
        out["verdict"] = r["verdict"]
    elif isinstance(r.get("certified"), bool):
        out["verdict"] = f"certified={r['certified']}"
    points = r.get("points")
    if not isinstance(points, list):  # --json without points: the path accounting's sum
        total, source = _mult_fallback(r)
        if total is not None:
            out["mult_sum"], out["mult_source"] = total, source
            want = exact.get("with_multiplicity")
            if isinstance(want, int):
                out["mult"] = "yes" if total == want else "no"
    if isinstance(points, list):
        out["mult_source"] = "points"
        total, seen = 0, False
        for p in points:
            if not isinstance(p, dict) or p.get("status") not in ("finite", "singular"):
                continue
            m = p.get("multiplicity")
            if isinstance(m, (int, float)) and not isinstance(m, bool):
                total += m
                seen = True
            else:  # a finite point without a multiplicity: the sum is unknown
                seen = False
                break
        if seen or not [p for p in points if isinstance(p, dict)
                        and p.get("status") in ("finite", "singular")]:
            out["mult_sum"] = int(total) if float(total).is_integer() else total
            want = exact.get("with_multiplicity")
            if isinstance(want, int):
                out["mult"] = "yes" if out["mult_sum"] == want else "no"
    return out


def _number(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _mult_fallback(r: dict):
    """Sum of multiplicities of the finite isolated solutions when the JSON has no `points`:
    `accounting.multiplicity`, else `regular` + the sum of the list `multiplicities` (the
    singular points'); (None, None) when neither is there."""
    acc = r.get("accounting")
    if isinstance(acc, dict) and _number(acc.get("multiplicity")) is not None:
        return acc["multiplicity"], "accounting.multiplicity"
    ms, reg = r.get("multiplicities"), _number(r.get("regular"))
    if reg is not None and isinstance(ms, list) and all(_number(m) is not None for m in ms):
        return reg + sum(ms), "regular+multiplicities"
    return None, None


def labelled_certified(row: dict) -> bool:
    return row["verdict"] in ("certified", "certified=True")


def run_phc(path: str, timeout: float) -> dict:
    from benchmarks.suite import suite

    try:
        if hasattr(suite, "phc_run"):  # one run gives phc_blackbox's count and the singular paths
            r = suite.phc_run(path, 1, timeout)
            return {"phc": r["regular"], "phc_sing": r.get("singular", "?"), "phc_s": r["seconds"]}
        seconds, count = suite.phc_blackbox(path, 1, timeout)
        return {"phc": count, "phc_sing": "?", "phc_s": seconds}
    except Exception as e:  # noqa: BLE001 - a benchmark row, not a crash
        return {"phc": "?", "phc_sing": "?", "phc_s": None, "phc_error": str(e)[:200]}


def fmt(v, width: int, digits: int = 1) -> str:
    if v is None:
        v = "?"
    if isinstance(v, float):
        v = f"{v:.{digits}f}"
    return f"{str(v):>{width}}"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="systems to run (default: all in systems.json)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per solver run (default 300)")
    ap.add_argument("--json", metavar="FILE", help="write the rows to FILE")
    ap.add_argument("--no-phc", action="store_true", help="do not run phc even when it is on PATH")
    ap.add_argument("--landscape", default=default_landscape(), help="the landscape executable")
    ap.add_argument("--solve-args", default="", help="extra arguments of `landscape solve`, quoted")
    ap.add_argument("--list", action="store_true", help="list the systems and their exact counts")
    args = ap.parse_args(argv)

    systems = load_systems()
    by_name = {s["name"]: s for s in systems}
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        print(f"unknown system(s): {', '.join(unknown)}; known: {', '.join(by_name)}", file=sys.stderr)
        return 2
    chosen = [by_name[n] for n in args.names] if args.names else systems

    if args.list:
        print(f"{'system':<22} {'n':>2} {'deg':>5} {'dist':>5} {'mult':>5} {'real':>5}  multiplicities")
        for s in chosen:
            ms = s.get("multiplicities")
            short = "?" if ms is None else (str(ms) if len(ms) <= 12 else f"{ms[:12]}... ({len(ms)})")
            print(f"{s['name']:<22} {s['n']:>2} {s['total_degree']:>5} {s['distinct']:>5} "
                  f"{s['with_multiplicity']:>5} {str(s.get('real_distinct', '?')):>5}  {short}")
        return 0

    use_phc = not args.no_phc and shutil.which("phc") is not None
    extra = shlex.split(args.solve_args)
    head = (f"{'system':<22} {'exact':>5} {'ours':>5} {'verdict':<16} {'mult':>4} {'ours_s':>7}"
            + (f" {'phc':>5} {'sing':>5} {'phc_s':>7}" if use_phc else ""))
    print(head)
    if not use_phc and not args.no_phc:
        print("(phc not on PATH: phc columns left out)")
    rows = []
    for s in chosen:
        path = os.path.join(FOLDER, s["file"])
        row = {"name": s["name"], "n": s["n"], "exact": s["distinct"],
               "with_multiplicity": s["with_multiplicity"]}
        row.update(summarize_ours(run_ours(args.landscape, path, args.timeout, extra), s))
        if use_phc:
            row.update(run_phc(path, args.timeout))
        rows.append(row)
        line = (f"{s['name']:<22} {fmt(row['exact'], 5)} {fmt(row['ours'], 5)} "
                f"{str(row['verdict']):<16} {fmt(row['mult'], 4)} {fmt(row['ours_s'], 7)}")
        if use_phc:
            line += f" {fmt(row['phc'], 5)} {fmt(row['phc_sing'], 5)} {fmt(row['phc_s'], 7)}"
        if row.get("ours_error"):
            line += f"   ours: {row['ours_error']}"
        print(line, flush=True)

    ours_right = sum(1 for r in rows if r["ours"] == r["exact"])
    mult_right = sum(1 for r in rows if r["mult"] == "yes")
    wrong_cert = [r["name"] for r in rows if r["ours"] != r["exact"] and labelled_certified(r)]
    print(f"\nours: {ours_right}/{len(rows)} right distinct counts, {mult_right}/{len(rows)} right "
          f"sums of multiplicities; wrong counts labelled certified: {len(wrong_cert)}"
          + (f" ({', '.join(wrong_cert)})" if wrong_cert else ""))
    if use_phc:
        phc_right = sum(1 for r in rows if r.get("phc") == r["exact"])
        simple = 0
        for r in rows:
            ms = by_name[r["name"]].get("multiplicities")
            if ms is not None and r.get("phc") == sum(1 for m in ms if m == 1):
                simple += 1
        print(f"phc:  {phc_right}/{len(rows)} regular counts equal to the exact distinct count; "
              f"{simple}/{len(rows)} equal to the number of simple roots")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
