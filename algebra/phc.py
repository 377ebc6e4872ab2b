"""The one door to phcpy (PHCpack 2.4.86, Debian's python3-phcpy).

Every call runs in its own worker process (``python -m algebra.phc``), because on this phcpy malformed
input can abort or segfault the interpreter and repeated calls in one process leak
state between them; a crash becomes a ``SolverError``, not a dead session. PHCpack's
Ada code writes to file descriptor 1 directly (its banner on import, its progress),
which would corrupt ``--json`` output, so the worker points fd 1 at /dev/null.

Higher modules (bounds, solve) pass plain polynomial strings in PHCpack syntax and get
plain Python values back.
"""
from __future__ import annotations

import functools
import itertools
import json
import os
import subprocess
import sys

from algebra.errors import SpecError  # the worker imports no numpy: 0.23 s of every PHCpack call here

DEBIAN_DIR = "/usr/lib/python3/dist-packages"
INSTALL_HINT = ("phcpy is not importable: install Debian's python3-phcpy "
                "(apt-get install python3-phcpy) and run `make` again, which links it into .venv")


class SolverError(RuntimeError):
    """phcpy failed, crashed, or is missing."""


class SolverMissing(SolverError, SpecError):
    """phcpy cannot be imported (a set-up problem the user fixes: exit status 2)."""


def _import_phcpy():
    try:
        import phcpy  # noqa: F401
    except ImportError:
        # the Makefile links phcpy into the venv; a plain interpreter may still find Debian's copy
        if os.path.isdir(os.path.join(DEBIAN_DIR, "phcpy")) and DEBIAN_DIR not in sys.path:
            sys.path.append(DEBIAN_DIR)
            import phcpy  # noqa: F401
        else:
            raise


def _mixed_volume(polys: list[str]) -> int:
    from phcpy.solver import mixed_volume

    return int(mixed_volume(polys, stable=False, checkin=False))


def _variables(polys: list[str]) -> list[str]:
    from phcpy.solver import names_of_variables

    return names_of_variables(polys)


def _read_file(path: str) -> list[str]:
    from phcpy.interface import read_standard_system

    polys = read_standard_system(path)
    if polys is None:
        raise SolverError(f"PHCpack could not read {path}")
    return polys


def _blackbox(polys: list[str]) -> list[str]:
    """PHCpack's blackbox solver; solution strings as PHCpack writes them.

    verbose=True because verbose=False returns no solutions on 2.4.86 (fixed upstream
    later); its chatter goes to the silenced fd 1."""
    from phcpy.solver import solve

    return list(solve(polys, verbose=True, tasks=0, precision="d", checkin=False))


def _set_seed(seed: int) -> None:
    """Seed PHCpack's generator from ours. Not directly: PHCpack's generator seeded with 0
    gives equal "random" coefficients (every one -1 in a polyhedral start system), and
    the mixed volume of cyclic-5 then came out 60 instead of 70."""
    import random

    from phcpy.phcpy2c3 import py2c_set_seed

    py2c_set_seed(random.Random(f"phcpack {seed}").randrange(1_000_003, 2**31 - 1))


def force_order(polys: list[str], names: list[str]) -> list[str]:
    """The same system with PHCpack's symbol table forced to ``names``' order.

    PHCpack numbers variables by first appearance and loads solutions by position, so a
    start system written in another order than its target silently permutes coordinates
    (seen: a polyhedral start system for katsura-6, every path "converged" elsewhere).
    Writing x - x + y - y ... in front of the first polynomial fixes the order, as phcpy's
    own is_member does.

    >>> force_order(["-2.0*y + 1.0*x", "y"], ["x", "y"])
    ['x - x + y - y - 2.0*y + 1.0*x', 'y']
    """
    first = polys[0].lstrip()
    prefix = " + ".join(f"{n} - {n}" for n in names)
    rest = " - " + first[1:].lstrip() if first.startswith("-") else " + " + first.lstrip("+ ")
    return [prefix + rest] + list(polys[1:])


def _parse(sols: list[str], names: list[str]) -> list[dict]:
    """PHCpack solution strings as plain numbers: coordinates in the caller's variable order
    (PHCpack orders its symbol table by first appearance, which need not be ours), rounded
    to doubles also when tracked in double double or quad double."""
    from phcpy.solutions import strsol2dict

    out = []
    for text in sols:
        d = strsol2dict(text)
        out.append({"x": [[d[n].real, d[n].imag] for n in names], "t": [d["t"].real, d["t"].imag],
                    "m": int(d["m"]), "err": float(d["err"]), "rco": float(d["rco"]),
                    "res": float(d["res"])})
    return out


def _start_system(polys: list[str], kind: str, seed: int, names: list[str], parsed: bool = False,
                  limit: int | None = None) -> dict:
    """A start system with its solutions: total degree (prod d_i paths), or polyhedral
    (a random-coefficient system with the same supports, solved by polyhedral homotopies:
    mixed volume paths, which reach the solutions with all coordinates nonzero; the
    stable variant of 2.4.86 gave wrong path counts, 904 on katsura-6). A polyhedral start
    system whose mixed volume exceeds ``limit`` is not solved: only the volume returns."""
    _set_seed(seed)
    polys = force_order(polys, names)
    if kind == "total-degree":
        from phcpy.solver import total_degree_start_system

        start, sols = total_degree_start_system(polys, checkin=False)
        return {"start": start, "solutions": sols, "mixed_volume": None}
    from phcpy.solver import mixed_volume, random_coefficient_system

    mv = mixed_volume(polys, stable=False, checkin=False)
    if limit is not None and not 0 <= mv <= limit:
        return {"start": None, "solutions": None, "mixed_volume": int(mv)}
    start, sols = random_coefficient_system(verbose=False)
    out = {"start": start, "solutions": sols, "mixed_volume": int(mv)}
    if parsed:  # coordinates in names' order, for a tracker other than PHCpack's
        out["coordinates"] = _parse(sols, names)
    return out


def _c2phc():
    """PHCpack's C gateway (``_ada_use_c2phc4c(job, a, b, c, verbose)``) in the loaded phcpy
    library: phcpy 2.4.86 computes mixed cells but has no Python call that returns them."""
    import ctypes

    from phcpy import phcpy2c3

    gateway = ctypes.CDLL(phcpy2c3.__file__)._ada_use_c2phc4c
    ints, reals = ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_double)
    gateway.argtypes = [ctypes.c_int, ints, ints, reals, ctypes.c_int]

    def job(number: int, a, b, c) -> None:
        if gateway(number, a, b, c, 0) != 0:
            raise RuntimeError(f"PHCpack's cells container failed on job {number}")
    return job


def _mixed_cells(polys: list[str], seed: int, names: list[str], limit: int | None, method: str) -> dict:
    """The mixed volume by MixedVol or DEMiCs (``method`` "mixedvol" or "demics") and, when
    it is at most ``limit``, its mixed-cell configuration: the type of mixture (how many
    equations share each support), each lifted support (exponents and lifting value; points
    that lie in no cell dropped), and each cell's points (indices into the supports, per
    support) and inner normal (alpha, 1)."""
    import ctypes

    from phcpy.solver import mixed_volume, mixed_volume_by_demics

    _set_seed(seed)
    volume = mixed_volume_by_demics if method == "demics" else mixed_volume
    mv = int(volume(force_order(polys, names), stable=False, checkin=False))
    if mv < 0 or (limit is not None and mv > limit):
        return {"mixed_volume": mv}
    job = _c2phc()
    n = len(names)
    r = (ctypes.c_int * 1)()
    mixture = (ctypes.c_int * n)()
    lengths = (ctypes.c_int * n)()
    real = (ctypes.c_double * (n + 1))()
    job(84, r, mixture, real)
    job(85, r, lengths, real)
    groups = r[0]
    supports = []
    for g in range(groups):
        rows = []
        for j in range(lengths[g]):
            job(86, ctypes.byref(ctypes.c_int(g + 1)), ctypes.byref(ctypes.c_int(j + 1)), real)
            rows.append(list(real))
        supports.append(rows)
    count = ctypes.c_int()
    job(82, ctypes.byref(count), None, real)
    labels = (ctypes.c_int * (1 + 2 * groups + 2 * n))()
    cells = []
    for k in range(count.value):
        job(95, ctypes.byref(ctypes.c_int(k + 1)), labels, real)
        sizes = list(labels[1:1 + groups])
        flat = list(labels[1 + groups:1 + groups + sum(sizes)])
        cut = [0] + list(itertools.accumulate(sizes))
        cells.append({"points": [[i - 1 for i in flat[a:b]] for a, b in zip(cut, cut[1:])],
                      "normal": list(real)})
    return {"mixed_volume": mv, "mixture": list(mixture[:groups]), "supports": supports, "cells": cells}


def _track(target: list[str], start: list[str], sols: list[str], gamma: list[float],
           precision: str, tasks: int, names: list[str], seed: int) -> list[dict]:
    """Track the paths of (1-t) gamma start + t target from the given start solutions
    (PHCpack strings, or coordinates in ``names``' order)."""
    from phcpy import trackers

    _set_seed(seed)
    if sols and not isinstance(sols[0], str):  # coordinates [[re, im], ...] in names' order
        from phcpy.solutions import make_solution

        sols = [make_solution(names, [complex(*c) for c in x]) for x in sols]
    track = {"d": trackers.standard_double_track, "dd": trackers.double_double_track,
             "qd": trackers.quad_double_track}[precision]
    ends = track(force_order(target, names), force_order(start, names), sols, gamma=complex(*gamma),
                 tasks=tasks)
    if len(ends) != len(sols):
        raise RuntimeError(f"{len(sols)} paths started but {len(ends)} ended")
    return _parse(ends, names)


def _witness(polys: list[str], n_vars: int, top: int, names: list[str], seed: int,
             loops: int) -> dict:
    """Cascade of homotopies, then monodromy factoring unless ``loops`` is 0 (verbose=True:
    the quiet variant drops the witness points on 2.4.86; its chatter goes to the
    silenced fd 1)."""
    from phcpy.cascades import run_cascade
    from phcpy.factor import decompose

    _set_seed(seed)
    deco = run_cascade(n_vars, top, force_order(polys, names), verbose=True)
    if loops > 0:
        deco = decompose(deco, verbose=True, nbloops=loops)
    out = {}
    for dim, item in deco.items():
        entry = {"embedded": item[0], "points": item[1],
                 "coordinates": _parse(item[1], names) if item[1] else []}
        if dim > 0 and loops > 0:
            entry["factors"] = [[list(f[0]), float(f[1])] for f in item[2]]
        out[str(dim)] = entry
    return out


def _member(embedded: list[str], points: list[str], dim: int, point: dict, seed: int) -> bool:
    """PHCpack's homotopy membership test of one point {name: [re, im]} in a witness set.

    membertest reads the coordinates (slack variables left out) in the symbol order of
    the embedded system, fixed here to the point's order."""
    from phcpy.sets import membertest

    _set_seed(seed)
    system = force_order(embedded, list(point))
    flat = [v for n in point for v in point[n]]
    answer = membertest(system, points, dim, flat, verbose=True)
    if answer is None:
        raise RuntimeError("membership test refused its input")
    return bool(answer)


def _tracks_in(precision: str) -> bool:
    """Whether PHCpack's tracker in this precision moves a path at all: (x^2 - 1, y^2 - 1)
    to (x^2 - 4, y^2 - 9) from (1, 1) must end at t = 1 on (+-2, +-3). (2.4.86's double
    double and quad double trackers return the start solutions of a system in two or more
    unknowns untracked, at t = 0; in one unknown they track.)"""
    ends = _track(["x^2 - 4;", "y^2 - 9;"], ["x^2 - 1;", "y^2 - 1;"], [[[1.0, 0.0], [1.0, 0.0]]], [0.6, 0.8],
                  precision, 0, ["x", "y"], 0)
    x, y = (complex(*c) for c in ends[0]["x"])
    return abs(complex(*ends[0]["t"]) - 1) < 1e-12 and abs(abs(x) - 2) < 1e-8 and abs(abs(y) - 3) < 1e-8


_TASKS = {"blackbox": _blackbox, "mixed_volume": _mixed_volume, "variables": _variables,
          "read_file": _read_file, "start_system": _start_system, "track": _track,
          "witness": _witness, "member": _member, "tracks_in": _tracks_in,
          "mixed_cells": _mixed_cells}


def _worker_main() -> int:
    """Entry point of the worker: request JSON on stdin, reply JSON on the original stdout."""
    reply_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    request = json.load(sys.stdin)
    try:
        _import_phcpy()
        reply = ["ok", _TASKS[request["task"]](*request["args"])]
    except ImportError:
        reply = ["missing", INSTALL_HINT]
    except Exception as exc:  # reported to the caller with its type, never swallowed
        reply = ["error", f"{type(exc).__name__}: {exc}"]
    with os.fdopen(reply_fd, "w") as out:
        json.dump(reply, out)
    return 0


def available() -> bool:
    """True when phcpy can be imported (checked in a worker, so the banner stays off stdout)."""
    try:
        run("variables", ["x;"], timeout=120)
        return True
    except SolverMissing:
        return False


@functools.lru_cache(maxsize=None)
def tracks_in(precision: str) -> bool:
    """Whether PHCpack's path tracker works in ``precision`` here (asked once a session)."""
    return precision == "d" or bool(run("tracks_in", precision, timeout=120))


def run(task: str, *args, timeout: float = 600):
    """Run one phcpy task in a fresh worker process and return its result."""
    request = json.dumps({"task": task, "args": args})
    try:
        proc = subprocess.run([sys.executable, "-m", "algebra.phc"], input=request, text=True,
                              capture_output=True, timeout=timeout, env=_worker_env())
    except subprocess.TimeoutExpired:
        raise SolverError(f"phcpy {task} did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0 or not proc.stdout:
        how = (f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit code {proc.returncode}")
        tail = proc.stderr.strip().splitlines()[-1:] if proc.stderr.strip() else []
        raise SolverError(f"phcpy {task} crashed ({how}){': ' + tail[0] if tail else ''}")
    status, value = json.loads(proc.stdout)
    if status == "missing":
        raise SolverMissing(value)
    if status == "error":
        raise SolverError(f"phcpy {task}: {value}")
    return value


def _worker_env() -> dict:
    """The worker must import this very package, wherever the caller imported it from."""
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


if __name__ == "__main__":
    sys.exit(_worker_main())
