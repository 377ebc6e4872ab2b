"""PHCpack's worker processes die with the process that started them (issue 38)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] not in ("Z", "X")
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("dies_with_parent", [True, False])
def test_a_worker_killed_parent_leaves_no_worker_behind(dies_with_parent):
    """A parent starts a child the way the worker starts (``_die_with_parent`` first, with the
    parent's pid in the environment), then is killed with SIGKILL: the child goes with it.
    Without the call (the control) the child outlives its parent, as workers used to."""
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux's")
    first = "from algebra.phc import _die_with_parent; _die_with_parent(); " if dies_with_parent else ""
    parent = ("import os, subprocess, sys, time\n"
              "from algebra.phc import PARENT_ENV\n"
              "env = {**os.environ, PARENT_ENV: str(os.getpid())}\n"
              f"c = subprocess.Popen([sys.executable, '-c', {first + 'import time; time.sleep(60)'!r}], env=env)\n"
              "print(c.pid, flush=True)\n"
              "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    child = int(proc.stdout.readline())
    try:
        time.sleep(1.0)
        assert _alive(child)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for _ in range(50):
            if not _alive(child):
                break
            time.sleep(0.05)
        assert _alive(child) is not dies_with_parent
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)


def test_workers_know_their_parent():
    from algebra.phc import PARENT_ENV, _worker_env

    assert _worker_env()[PARENT_ENV] == str(os.getpid())
