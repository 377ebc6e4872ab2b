"""Our engine against PHCpack's blackbox `phc -b -t1` on the same files, in one run.

For every system of the suite (benchmarks/suite/, public systems with published counts)
plus katsura-8/10 and the tree network's sliced zero-loss systems: the published
number of isolated solutions, `phc -b -t1` (Debian package phcpack) on the file (its
count and seconds), and `landscape`'s `solve` with our engine, one run (verify=False, as
phc -b does one) and verified (the CLI default). Reported: counts, seconds, the ratio
ours / phc -b (below 1: faster), and the total-time ratio over the whole suite, which is
the figure of merit (medians over --repeats).

    python benchmarks/engine_vs_phc.py [--quick] [--repeats 1] [--only NAME,...] [--json FILE]

A second table times the tracker alone on katsura-10 (1,024 paths) with numpy and with
torch on the CPU (and CUDA when present), in paths per second by batch size.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
sys.path.insert(0, os.path.join(ROOT, "benchmarks", "suite"))

from algebra.activation import parse_activation  # noqa: E402
from algebra.examples import cyclic, katsura  # noqa: E402
from algebra.exports import to_phc  # noqa: E402
from algebra.networks import TreeNetwork  # noqa: E402
from algebra.solve import PRECISE_STEPS, solve  # noqa: E402
from algebra.systems import make_data, random_slices, zero_loss_system  # noqa: E402
from suite import phc_blackbox  # noqa: E402  (counts regular solutions over all of phc's lists)


def phc_on(system, path: str | None) -> tuple[float, int]:
    """`phc -b -t1` on the suite's own file, or on our export of a generated system."""
    if path is not None:
        return phc_blackbox(path, 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "system.phc")
        with open(path, "w") as f:
            f.write(to_phc(system))
        return phc_blackbox(path, 1)


def tree(seed: int, field: str = "real"):
    net = TreeNetwork(units=1, activation=parse_activation("monomial:2"), bias=False)
    return random_slices(zero_loss_system(net, make_data(net, 2, seed, field)), net.n_weights - 2, seed)


def tree_from_member(seeds) -> dict:
    """The tree's seeds by a parameter homotopy from one generic member (complex data,
    seed 100) solved once by the polyhedral start: its cost, then each seed's (verified, as
    the CLI's default)."""
    from algebra.continuation.start import Member, proved_bound

    began = time.perf_counter()
    g = tree(100, "complex")
    gm = solve(g, start="polyhedral", seed=0, verify=False)
    once = time.perf_counter() - began
    member = Member(g, gm.solutions(), proved_bound(gm.start, gm.verification))
    print(f"\ntree r=1 N=2 by a parameter homotopy from one generic member (solved once: {gm.nsolutions} "
          f"solutions, bound {member.bound}, {once:.2f} s):", flush=True)
    rows = []
    for seed in seeds:
        began = time.perf_counter()
        r = solve(tree(seed), member=member, seed=seed)
        seconds = time.perf_counter() - began
        rows.append({"seed": seed, "count": r.nsolutions, "verdict": r.verdict,
                     "method": r.verification.get("method"), "seconds": round(seconds, 3)})
        print(f"  seed {seed}: {r.nsolutions} solutions, {r.verdict} "
              f"({r.verification.get('method')}), {seconds:.2f} s", flush=True)
    return {"member_seconds": round(once, 3), "member_count": gm.nsolutions, "bound": member.bound, "seeds": rows}


def generated() -> list[tuple[str, object, int | None, str, None]]:
    """(name, system, published count, source, no file) of the systems built here."""
    out = [(f"katsura-{n}", katsura(n), 2 ** n, "2^n (Katsura); algebra/examples.py", None)
           for n in (6, 8, 10)]
    out += [(f"tree r=1 N=2 seed {s}", tree(s), 72, "degree of the zero-loss set, Groebner basis over QQ",
             None) for s in range(8)]
    return out


def suite() -> list[tuple[str, object, int | None, str, str]]:
    """The public systems of benchmarks/suite/, read by our PHCpack-format reader."""
    import suite as bench_suite
    from algebra.phcfile import read_phc

    folder = os.path.join(ROOT, "benchmarks", "suite")
    out = []
    for e in bench_suite.entries():
        path = os.path.join(folder, e.file)
        out.append((e.name, read_phc(path), e.published, e.source, path))
    return out


def ours(system, verify: bool, precise_steps: int = PRECISE_STEPS) -> tuple[float, object]:
    began = time.perf_counter()
    r = solve(system, verify=verify, seed=0, precise_steps=precise_steps)
    return time.perf_counter() - began, r


def tracker_throughput(devices: list[str | None]) -> list[dict]:
    """Paths per second of one run on katsura-10 by tracker, backend and batch size: the
    compiled kernel (numpy only), the array tracker on numpy and on torch."""
    from algebra.continuation.backend import backend
    from algebra.continuation.engine import choose_start, one_run
    from algebra.continuation.tracker import TrackerOptions, limit_threads

    s = katsura(10)
    st, _ = choose_start(s, "total-degree", 0, 10 ** 6)
    rows = []
    cores = len(os.sched_getaffinity(0))
    runs = [("compiled", None, True, 1)] + ([("compiled", None, True, cores)] if cores > 1 else []) \
        + [("array", device, False, 1) for device in devices]
    for tracker, device, kernel, threads in runs:
        for batch in (128, 1024):
            began = time.perf_counter()
            with limit_threads(threads):
                ends, info = one_run(s, st, backend(device), 0, 0, options=TrackerOptions(compiled=kernel),
                                     unit=batch)
            seconds = time.perf_counter() - began
            rows.append({"tracker": tracker, "threads": threads, "backend": device or "numpy", "batch": batch,
                         "paths": st.count, "finite": info["finite"], "seconds": round(seconds, 3),
                         "paths_per_second": round(st.count / seconds, 1)})
            print(f"  {tracker:<8} {threads} thr {device or 'numpy':<6} batch {batch:>5}: {st.count} paths, "
                  f"{info['finite']} finite, {seconds:7.2f} s, {st.count / seconds:8.1f} paths/s", flush=True)
    return rows


def _match(published: int | None, result) -> str:
    """'equal' when the distinct isolated solutions are the published count; 'multiplicity'
    when their multiplicities add up to it (a source that counts a double root twice: rose);
    otherwise 'differs'."""
    if published is None or result.nsolutions == published:
        return "equal"
    if sum(result.multiplicities()) == published:
        return "multiplicity"
    return "differs"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the generated systems only, smallest sizes")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--only", default=None, help="comma-separated names")
    ap.add_argument("--json", default=None, help="also write the rows to this file")
    ap.add_argument("--no-throughput", action="store_true")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads of our compiled tracker (default 1: the baseline is phc -b -t1)")
    args = ap.parse_args()
    if shutil.which("phc") is None:
        print("phc not found: apt-get install phcpack (the baseline of this benchmark)", file=sys.stderr)
        return 2
    from algebra.continuation.tracker import limit_threads

    with limit_threads(args.threads):
        return _run(args)


def _run(args) -> int:
    systems = generated() if args.quick else suite() + generated()
    if args.quick:
        systems = [s for s in systems if s[0] in ("katsura-6", "tree r=1 N=2 seed 0")]
    if args.only:
        keep = set(args.only.split(","))
        systems = [s for s in systems if s[0] in keep]
    print(f"{'system':<22} {'start':<5} {'paths':>6} {'published':>9} | {'phc -b':>8} {'count':>6} | {'ours':>7} "
          f"{'count':>6} {'ratio':>6} | {'verified':>8} {'count':>6} {'sing':>5} {'cert':>5} {'ratio':>6}", flush=True)
    rows, base_total, ours_total, ver_total, double_total = [], 0.0, 0.0, 0.0, 0.0
    began = time.perf_counter()
    solve(katsura(2), verify=False, seed=0)  # loads (or compiles) the tracker's kernel: once per process
    print(f"(kernel loaded in {time.perf_counter() - began:.2f} s, once per process, not in the rows)", flush=True)
    for name, system, published, source, path in systems:
        base, one, ver, dbl = [], [], [], []
        for _ in range(args.repeats):
            t, n_phc = phc_on(system, path)
            base.append(t)
            t, r = ours(system, False)
            one.append(t)
            # the same run without the higher-precision retrack, where it had paths to retrack
            t, d = ours(system, False, 0) if "precise" in r.runs[0] else (t, r)
            dbl.append(t)
            t, v = ours(system, True)
            ver.append(t)
        b, o, w, o2 = (statistics.median(x) for x in (base, one, ver, dbl))
        base_total, ours_total, ver_total, double_total = base_total + b, ours_total + o, ver_total + w, double_total + o2
        precise = r.runs[0].get("precise", {})
        row = {"system": name, "paths": r.npaths, "published": published, "source": source,
               "phc_seconds": round(b, 3), "phc_count": n_phc, "ours_seconds": round(o, 3),
               "ours_count": r.nsolutions, "verified_seconds": round(w, 3), "verified_count": v.nsolutions,
               "verdict": v.verdict, "failed": v.nfailed, "singular_paths": v.singular_paths,
               "start": v.start["kind"], "match": _match(published, v),
               "ours_failed": r.nfailed, "precise_paths": precise.get("paths", 0),
               "precise_failed": precise.get("failed", 0),
               "double_only_seconds": round(o2, 3), "double_only_failed": d.nfailed}
        rows.append(row)
        mark = {"equal": "", "multiplicity": "  = published with multiplicity (regular + singular paths)",
                "differs": "  != published"}[row["match"]]
        print(f"{name:<22} {v.start['kind'][:5]:<5} {r.npaths:>6} {published if published is not None else '-':>9} | "
              f"{b:8.2f} {n_phc:>6} | {o:7.2f} {r.nsolutions:>6} {o / b:6.2f} | {w:8.2f} {v.nsolutions:>6} "
              f"{v.singular_paths:>5} {v.verdict[:5]:>5} {w / b:6.2f}{mark}"
              + (f"  [{precise['paths']} paths retracked in {precise['bits']} bits, {precise['failed']} failed again; "
                 f"double only {o2:.2f} s, {d.nfailed} failed]" if precise else ""), flush=True)
    equal = sum(1 for r in rows if r["match"] != "differs")
    print(f"\ntotal: phc -b {base_total:.2f} s, ours {ours_total:.2f} s (ratio {ours_total / base_total:.3f}; "
          f"double only {double_total:.2f} s, ratio {double_total / base_total:.3f}; failed paths "
          f"{sum(r['ours_failed'] for r in rows)} against {sum(r['double_only_failed'] for r in rows)}), "
          f"verified {ver_total:.2f} s (ratio {ver_total / base_total:.3f}); counts equal to the published "
          f"ones: {equal} of {len(rows)}; phc -b equal: "
          f"{sum(1 for r in rows if r['published'] is None or r['phc_count'] == r['published'])} of {len(rows)}")
    from_member = tree_from_member(range(8)) if not args.quick and not args.only else None
    throughput = []
    if not args.no_throughput:
        print("\ntracker throughput, katsura-10 (one run, no verification):")
        devices = [None, "cpu"]
        try:
            import torch

            if torch.cuda.is_available():
                devices.append("cuda")
        except ImportError:
            devices = [None]
        throughput = tracker_throughput(devices)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "throughput": throughput, "tree_from_member": from_member,
                       "totals": {"phc": base_total, "ours": ours_total, "verified": ver_total,
                                  "ours_double_only": double_total}}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
