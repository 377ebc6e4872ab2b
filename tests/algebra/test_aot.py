"""The kernel compiled ahead of time (algebra.continuation.aot): built by ``make setup`` for
this very kernel, the JIT's results bit for bit on every form it tracks (straight-line,
family, toric), and a process that solves a small system without importing numba."""
import subprocess
import sys

import numpy as np
import pytest

from algebra.continuation import aot, compiled
from algebra.examples import katsura
from algebra.solve import solve

SYSTEM = "3\nx^2 + y^2 + z^2 - 3;\nx*y - z + 0.5;\nx - y*z + 0.25;\n"


@pytest.fixture
def spy(monkeypatch):
    """The extension's calls, counted, with any refusal of its arrays (a TypeError would send
    the block to the JIT and make a comparison of the two compare the JIT with itself)."""
    kernel, calls = aot.track_paths(), []

    def counted(*args):
        try:
            out = kernel(*args)
        except TypeError as e:
            calls.append(e)
            raise
        calls.append(None)
        return out

    monkeypatch.setattr(compiled.aot, "track_paths", lambda: counted)
    return calls


def test_the_extension_of_this_kernel_is_built():
    # make setup builds it (python -m algebra.continuation.aot); an edited kernel.py retires it
    assert aot.track_paths() is not None, \
        f"no {aot.module_name()} next to kernel.py: run `make setup` (or python -m algebra.continuation.aot)"


def test_another_kernel_source_names_another_module(monkeypatch, tmp_path):
    edited = tmp_path / "kernel.py"
    edited.write_bytes(aot.KERNEL.read_bytes() + b"\n# edited\n")
    name = aot.module_name()
    monkeypatch.setattr(aot, "KERNEL", edited)
    assert aot.module_name() != name and aot.module_name().startswith(aot.PREFIX)


def test_the_switch_turns_it_off(monkeypatch):
    aot.track_paths.cache_clear()
    monkeypatch.setenv(aot.OFF_ENV, "1")
    try:
        assert aot.track_paths() is None
    finally:
        monkeypatch.delenv(aot.OFF_ENV)
        aot.track_paths.cache_clear()


def _solutions(system, **kw):
    r = solve(system, verify=False, seed=3, **kw)
    return r.summary(), np.array([p.solution for p in r.paths])


@pytest.mark.parametrize("start", ["total-degree", "polyhedral"])
def test_ahead_of_time_and_jit_agree_bit_for_bit(start, monkeypatch, spy):
    # one block (few paths, or one thread) goes to the extension; both compile kernel.py's code
    from algebra.continuation.tracker import limit_threads

    system = katsura(4)
    with limit_threads(1):
        summary, ahead = _solutions(system, start=start)
        monkeypatch.setattr(compiled.aot, "track_paths", lambda: None)
        summary_jit, jit = _solutions(system, start=start)
    assert summary == summary_jit and summary["solutions"] == 16
    assert spy and not any(spy), spy
    assert ahead.tobytes() == jit.tobytes()


def test_family_segments_agree_bit_for_bit(monkeypatch, spy):
    # monodromy's segments of the constant-term family (a Form with g_rows 0 and a, b rows)
    from algebra.continuation.monodromy import monodromy_solve
    from algebra.continuation.tracker import limit_threads

    with limit_threads(1):
        a = monodromy_solve(katsura(3), seed=1, progress=False)
        monkeypatch.setattr(compiled.aot, "track_paths", lambda: None)
        b = monodromy_solve(katsura(3), seed=1, progress=False)
    assert len(a.solutions) == len(b.solutions) == 8
    assert spy and not any(spy), spy
    assert a.base_solutions.tobytes() == b.base_solutions.tobytes() and a.solutions.tobytes() == b.solutions.tobytes()


def test_a_small_solve_in_a_new_process_never_imports_numba(tmp_path):
    path = tmp_path / "small.phc"
    path.write_text(SYSTEM)
    code = ("import sys\nfrom algebra.phcfile import parse_phc\nfrom algebra.solve import solve\n"
            f"r = solve(parse_phc(open({str(path)!r}).read()))\n"
            "print(r.nsolutions, 'numba' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["6", "False", "False"]


def test_one_thread_units_never_import_torch_for_their_thread_count():
    # bridge.cluster set torch's threads in every unit with a thread count: 1.6 s of import for
    # a path-tracking unit that never touches torch
    code = ("import sys\nfrom bridge.cluster import Runner\n"
            "print(Runner(progress=False, threads=1)(abs, [-2]), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[2]", "False"]
