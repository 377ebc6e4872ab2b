"""In-process against ``--workers N`` (a Dask LocalCluster): wall times and the cost per unit.

Three measurements, each against the in-process run of the same work in the same script:
1. an experiment (default: sgd-stages at the tiny scale, one unit per trajectory);
2. a path-heavy solve (default: cyclic-7 from total degree, 5,040 paths in 5 units of 1,008);
3. the overhead of one unit of work: ``--units`` trivial units through the runner.
Both sides run each unit with ``--threads`` torch/BLAS threads (default 1), so the results
are compared for identity (the experiment's summary, the path ends); the experiment is also
timed in-process with the process's own threads (what `landscape experiment` does by
default). The cluster's start-up (worker processes starting) is timed apart.

    .venv/bin/python benchmarks/cluster.py [--workers 2] [--name sgd-stages] [--scale tiny]
        [--system cyclic7] [--units 200] [--threads 1] [--skip experiment,solve,overhead]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bridge.cluster import Runner, cluster  # noqa: E402

SUITE = Path(__file__).resolve().parent / "suite"


def timed(fn):
    began = time.perf_counter()
    out = fn()
    return time.perf_counter() - began, out


def experiment(name: str, scale: str, runner, folder: Path):
    from training.experiments import make_config, run_experiment

    overrides = {"group": 1} if name in ("sgd-stages", "random-labels") else {}
    cfg = make_config(name, scale, **overrides)
    return timed(lambda: run_experiment(name, cfg, folder, progress=False, runner=runner))


def track(system_name: str, runner):
    from algebra.continuation.backend import backend
    from algebra.continuation.engine import choose_start, one_run
    from algebra.phcfile import read_phc

    system = read_phc(SUITE / f"{system_name}.phc")
    st, _ = choose_start(system, "total-degree", 0, 10**7)
    return timed(lambda: one_run(system, st, backend(), 0, 0, runner=runner))


def square(x):
    return x * x


def overhead(runner, units: int) -> float:
    runner(square, range(4))  # warm: the function shipped once
    return statistics.median(timed(lambda: runner(square, range(units)))[0] for _ in range(3))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--name", default="sgd-stages")
    ap.add_argument("--scale", default="tiny")
    ap.add_argument("--system", default="cyclic7")
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--skip", default="", help="comma-separated: experiment, solve, overhead")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch and BLAS threads per unit, in-process and on the workers (default 1)")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    here = Runner(progress=False, threads=args.threads)
    default = Runner(progress=False)  # as `landscape experiment` runs today: the process's threads
    scratch = Path(tempfile.mkdtemp(prefix="landscape-cluster-bench-"))
    rows = []
    try:
        if "experiment" not in skip:
            t_default, _ = experiment(args.name, args.scale, default, scratch / "default")
            t_here, s_here = experiment(args.name, args.scale, here, scratch / "here")
        if "solve" not in skip:
            p_here, (ends_here, _) = track(args.system, here)
        if "overhead" not in skip:
            o_here = overhead(here, args.units)
        cm = cluster(workers=args.workers, progress=False, threads=args.threads)
        t_start, runner = timed(cm.__enter__)
        try:
            if "experiment" not in skip:
                t_there, s_there = experiment(args.name, args.scale, runner, scratch / "there")
                same = json.dumps(s_here, sort_keys=True, default=float) == json.dumps(s_there, sort_keys=True,
                                                                                       default=float)
                rows.append((f"experiment {args.name} ({args.scale}, one unit per trajectory)", t_here, t_there,
                             f"summary identical: {same}; in-process with the process's threads "
                             f"{t_default:.2f} s (ratio {t_there / t_default:.2f})"))
            if "solve" not in skip:
                p_there, (ends_there, _) = track(args.system, runner)
                same = np.array_equal(ends_here.chart, ends_there.chart, equal_nan=True)
                rows.append((f"solve {args.system} (total degree, {len(ends_here.status):,} paths)", p_here, p_there,
                             f"path ends identical: {same}"))
            if "overhead" not in skip:
                o_there = overhead(runner, args.units)
                rows.append((f"{args.units} trivial units (median of 3)", o_here, o_there,
                             f"{1000 * (o_there - o_here) / args.units:.2f} ms per unit on the cluster"))
        finally:
            cm.__exit__(None, None, None)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"LocalCluster of {args.workers} worker processes, {args.threads} thread(s) per unit here and there: "
          f"start-up {t_start:.1f} s (not in the times below)")
    print(f"{'work':<58} {'in-process':>10} {'workers':>9} {'ratio':>7}  check")
    for what, a, b, note in rows:
        print(f"{what:<58} {a:>9.2f}s {b:>8.2f}s {b / a:>7.2f}  {note}")


if __name__ == "__main__":
    main()
