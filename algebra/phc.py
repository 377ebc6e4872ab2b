"""The one door to phcpy (PHCpack 2.4.86, Debian's python3-phcpy).

Every call runs in its own worker process (``python -m algebra.phc``), because on this phcpy malformed
input can abort or segfault the interpreter and repeated calls in one process leak
state between them; a crash becomes a ``SolverError``, not a dead session. PHCpack's
Ada code writes to file descriptor 1 directly (its banner on import, its progress),
which would corrupt ``--json`` output, so the worker points fd 1 at /dev/null.

Higher modules (bounds, solve) pass plain polynomial strings in PHCpack syntax and get
plain Python values back. A mixed volume is never taken from one algorithm alone:
``checked_mixed_volume`` runs MixedVol and DEMiCs in two workers at once and says whether
they agree (DEMiCs is wrong on some systems, e.g. the deep linear network (1,2,2,2)).
"""
from __future__ import annotations

import functools
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from algebra.errors import SpecError  # the worker imports no numpy: 0.23 s of every PHCpack call here

DEBIAN_DIR = "/usr/lib/python3/dist-packages"
INSTALL_HINT = ("phcpy is not importable: install Debian's python3-phcpy "
                "(apt-get install python3-phcpy) and run `make` again, which links it into .venv")


class SolverError(RuntimeError):
    """phcpy failed, crashed, or is missing."""


class SolverMissing(SolverError, SpecError):
    """phcpy cannot be imported (a set-up problem the user fixes: exit status 2)."""


class SolverTimeout(SolverError):
    """A worker ran past its time and was stopped."""


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


def _mixed_volume(polys: list[str], names: list[str], seed: int, method: str = "mixedvol",
                  stable: bool = False) -> dict:
    """The mixed volume of the supports by MixedVol or DEMiCs (``method`` "mixedvol" or
    "demics"), in ``names``' order from the generator seeded by ``seed`` (DEMiCs' answer
    depends on both); with ``stable`` (MixedVol only: DEMiCs' stable variant returns
    nonsense on 2.4.86, (4, 2) for every system tried) also the stable mixed volume."""
    from phcpy.solver import mixed_volume, mixed_volume_by_demics

    _set_seed(seed)
    polys = force_order(polys, names)
    if method == "demics":
        return {"mixed_volume": int(mixed_volume_by_demics(polys, stable=False, checkin=False))}
    if stable:
        mv, smv = mixed_volume(polys, stable=True, checkin=False)
        return {"mixed_volume": int(mv), "stable": int(smv)}
    return {"mixed_volume": int(mixed_volume(polys, stable=False, checkin=False))}


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


MEMORY_ENV = "LANDSCAPE_PHC_MEMORY"  # a worker's address-space cap in bytes, where one is set
CPU_ENV = "LANDSCAPE_PHC_CPU"        # a worker's CPU-time cap in seconds, where one is set
PARENT_ENV = "LANDSCAPE_PHC_PARENT"  # the pid of the process that started the worker


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the process that started it dies (PR_SET_PDEATHSIG):
    a caller killed by kill -9 used to leave its PHCpack worker running to the end of its
    task. Set here, in the worker, rather than between fork and exec (a preexec_fn is not
    safe beside threads); a parent that died before this ran is seen by the pid it left.
    Elsewhere than Linux nothing is done."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.environ.get(PARENT_ENV) and os.getppid() != int(os.environ[PARENT_ENV]):
        os._exit(1)  # the parent is gone already: nobody reads the answer
MEMORY_MARGIN = 64 * 2**20           # a peak this close to the cap: an allocation may have failed


def _worker_main() -> int:
    """Entry point of the worker: request JSON on stdin, reply JSON on the original stdout.

    Under a memory cap (``MEMORY_ENV``) a task whose peak address space came within
    MEMORY_MARGIN of it is reported as out of memory, whatever it returned: DEMiCs that
    runs out returns a number, not an error (12 for a mixed volume of 78,675,968)."""
    _die_with_parent()
    reply_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    cap = int(os.environ.get(MEMORY_ENV) or 0)
    cpu = int(os.environ.get(CPU_ENV) or 0)
    if cap or cpu:
        import resource

        if cap:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        if cpu:  # SIGXCPU ends the process: seconds of its own work, whatever the machine's load
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    request = json.load(sys.stdin)
    try:
        _import_phcpy()
        reply = ["ok", _TASKS[request["task"]](*request["args"])]
        if cap and _peak_bytes() > cap - MEMORY_MARGIN:
            reply = ["error", f"MemoryError: ran out of its {cap / 2**30:.3g} GiB of memory"]
    except ImportError:
        reply = ["missing", INSTALL_HINT]
    except Exception as exc:  # reported to the caller with its type, never swallowed
        reply = ["error", f"{type(exc).__name__}: {exc}"]
    with os.fdopen(reply_fd, "w") as out:
        json.dump(reply, out)
    return 0


def _peak_bytes() -> int:
    """This process's peak address space (VmPeak), 0 where /proc does not say."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
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
    return start(task, *args).result(timeout)


def start(task: str, *args, memory: int | None = None, cpu: int | None = None) -> "Worker":
    """Start one phcpy task in a fresh worker process (``memory``: its address-space cap in
    bytes; ``cpu``: its CPU time in seconds); ``.result(timeout)`` waits for its answer,
    ``.cancel()`` stops it."""
    return Worker(task, args, memory, cpu)


class Worker:
    """One phcpy task running in its own process; a thread feeds it the request and reads
    its answer, so that several run at once and any of them can be stopped."""

    def __init__(self, task: str, args, memory: int | None = None, cpu: int | None = None):
        self.task = task
        env = _worker_env()
        if memory:
            env[MEMORY_ENV] = str(int(memory))
        if cpu:
            env[CPU_ENV] = str(int(cpu))
        self.began = time.perf_counter()
        self.seconds: float | None = None   # how long it ran, once it ended on its own
        self.proc = subprocess.Popen([sys.executable, "-m", "algebra.phc"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self._out = ("", "")
        self._reader = threading.Thread(target=self._talk, args=(json.dumps({"task": task, "args": args}),),
                                        daemon=True)
        self._reader.start()

    def _talk(self, request: str) -> None:
        try:
            self._out = self.proc.communicate(request)
        except (OSError, ValueError) as e:  # a worker that died before reading its request
            self._out = ("", str(e))
            self.proc.wait()
        self.seconds = time.perf_counter() - self.began

    def done(self) -> bool:
        return not self._reader.is_alive()

    def result(self, timeout: float):
        """Its answer, waiting at most ``timeout`` seconds (then it is stopped: SolverTimeout)."""
        try:
            self._reader.join(max(0.0, timeout))
        except BaseException:  # e.g. Ctrl-C: no orphaned worker
            self.cancel()
            raise
        if self._reader.is_alive():
            self.cancel()
            raise SolverTimeout(f"phcpy {self.task} did not finish within {_seconds(timeout)}")
        stdout, stderr = self._out
        code = self.proc.returncode
        if code != 0 or not stdout:
            how = (f"signal {-code}" if code < 0 else f"exit code {code}")
            tail = stderr.strip().splitlines()[-1:] if stderr.strip() else []
            raise SolverError(f"phcpy {self.task} crashed ({how}){': ' + tail[0] if tail else ''}")
        status, value = json.loads(stdout)
        if status == "missing":
            raise SolverMissing(value)
        if status == "error":
            raise SolverError(f"phcpy {self.task}: {value}")
        return value

    def cancel(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self._reader.join()


def _seconds(t: float) -> str:
    return f"{t:.0f} s" if t >= 10 else f"{t:.2g} s"


# --- mixed volumes, computed twice ------------------------------------------------------------

DEMICS_CPU_SECONDS = 8      # DEMiCs, the check, gets this much CPU time: its own work, so the same
                            # systems are checked on an idle and on a busy machine (a wall-clock limit
                            # flipped the tree's check under load). The slowest finish measured: 2.5 s,
                            # the canonical tree's sliced system; where it hangs, e.g. (x + y + 1)^50,
                            # a solve's bounds line waits this long
DEMICS_MEMORY = 2 * 2**30   # and at most this much memory: on the tree's critical system it
                            # grew 200 MB/s and was killed at 20 GB (MixedVol: 155 MB, 41 s)


class MixedVolumeDisagreement(SolverError):
    """MixedVol and DEMiCs gave different mixed volumes: no count is started from either."""

    def __init__(self, check: "MixedVolume"):
        self.check = check
        super().__init__(f"mixed volume: {check.why}: not tracking from an unchecked count; "
                         "use --start total-degree or --method monodromy")


@dataclass(frozen=True)
class MixedVolume:
    """A mixed volume by MixedVol, checked by DEMiCs: PHCpack's two algorithms, run at once.

    MixedVol's is the value (and its cells, in ``reply``, are the ones tracked): on the
    critical system of the deep linear network (1,2,2,2) it gives 23,937 for every seed, the
    published count, where DEMiCs gave 23,401, 24,062, 22,706 and 22,519 for seeds 0 to 3.
    ``demics`` is None where DEMiCs did not finish (``why`` says so): the value is then
    unchecked, not wrong."""

    mixedvol: int
    demics: int | None
    why: str
    seed: int
    seconds: dict
    reply: dict | None = None           # MixedVol's whole answer (cells, a start system)
    stable: int | None = None           # MixedVol's stable mixed volume, where asked

    @property
    def value(self) -> int:
        return self.mixedvol

    @property
    def agreed(self) -> bool:
        return self.demics == self.mixedvol

    @property
    def disagreed(self) -> bool:
        return self.demics is not None and self.demics != self.mixedvol

    def refuse_unless_agreed(self) -> None:
        """Raise MixedVolumeDisagreement where DEMiCs gave another number (not where it did not
        finish: MixedVol's alone is then used, recorded as unchecked)."""
        if self.disagreed:
            raise MixedVolumeDisagreement(self)

    def as_dict(self) -> dict:
        return {"mixedvol": self.mixedvol, "demics": self.demics, "agreed": self.agreed, "why": self.why,
                "seed": self.seed, "seconds": self.seconds}


def checked_mixed_volume(polys: list[str], names: list[str], seed: int, *, task: tuple | None = None,
                         stable: bool = False, timeout: float = 600) -> MixedVolume:
    """The mixed volume of ``polys``' supports by MixedVol and by DEMiCs, in two workers at once.

    ``task``: the MixedVol task to run instead of the bare volume, ("mixed_cells", ...) or
    ("start_system", ...), whose answer has a "mixed_volume" (it is kept in ``reply``);
    ``stable``: also MixedVol's stable mixed volume. MixedVol, the reliable one, gets all of
    ``timeout``; where it fails or runs out, SolverError, whatever DEMiCs said (its number
    is never used alone). DEMiCs gets at most DEMICS_MEMORY and DEMICS_CPU_SECONDS of CPU
    time (and ``timeout`` of wall time); where it fails, the result says so and is
    unchecked. A disagreement is returned, not raised: ``refuse_unless_agreed``."""
    demics = start("mixed_volume", polys, names, seed, "demics", memory=DEMICS_MEMORY, cpu=DEMICS_CPU_SECONDS)
    mixedvol = start(*(task or ("mixed_volume", polys, names, seed, "mixedvol", stable)))
    try:
        reply = mixedvol.result(timeout)
    except SolverMissing:
        demics.cancel()
        raise
    except SolverError as e:
        demics.cancel()
        raise type(e)(f"mixed volume: MixedVol failed ({e}); DEMiCs' count is not used unchecked") from None
    mv = int(reply["mixed_volume"])
    took = {"mixedvol": round(mixedvol.seconds, 3), "demics": None}
    wait = timeout - (time.perf_counter() - demics.began)
    try:
        dm = int(demics.result(wait)["mixed_volume"])
        took["demics"] = round(demics.seconds, 3)
    except SolverTimeout:
        dm, why = None, f"DEMiCs did not finish in {_seconds(demics.seconds or time.perf_counter() - demics.began)}"
    except SolverError as e:
        if demics.proc.returncode == -signal.SIGXCPU:
            dm, why = None, f"DEMiCs did not finish in its {DEMICS_CPU_SECONDS} s of CPU time"
        else:
            dm, why = None, f"DEMiCs failed ({str(e).removeprefix('phcpy mixed_volume: ')})"
    if dm is not None:
        why = ("MixedVol and DEMiCs agree" if dm == mv
               else f"MixedVol gave {mv:,}, DEMiCs gave {dm:,} (seed {seed})")
    return MixedVolume(mv, dm, why, seed, took, reply if task else None, reply.get("stable"))


def _worker_env() -> dict:
    """The worker must import this very package, wherever the caller imported it from."""
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env.pop(MEMORY_ENV, None)
    env.pop(CPU_ENV, None)
    env[PARENT_ENV] = str(os.getpid())
    return env


if __name__ == "__main__":
    sys.exit(_worker_main())
