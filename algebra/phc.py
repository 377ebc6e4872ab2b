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

import json
import os
import subprocess
import sys

from algebra.activation import SpecError

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


_TASKS = {"blackbox": _blackbox, "mixed_volume": _mixed_volume, "variables": _variables,
          "read_file": _read_file}


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
