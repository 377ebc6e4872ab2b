"""The bad-input harness: every typed numeric option of every command, fed values outside
its range (drawn by hypothesis), must give exit status 2 and one line on stderr, fast,
with nothing on stdout and nothing written. `make fuzz` runs it with 200 values per option.
Then the environment: variables (numba's, matplotlib's, the locale's), a closed or early-closed
stdout and a file-size limit give the result or one line, never a traceback. The Python API's
harness is tests/algebra/test_api_harness.py."""
import math
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bridge.cli import main, make_parser


def typed_options():
    """(command, option, bounds) for every option whose type is one of bridge.options'."""
    parser = make_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    out = []
    for command, p in sub.choices.items():
        for action in p._actions:
            bounds = getattr(action.type, "bounds", None)
            if bounds is not None and action.option_strings:
                out.append((command, action.option_strings[0], bounds))
    return out


OPTIONS = typed_options()
REQUIRED = {"experiment": ["sgd-stages"]}  # positional arguments a command needs before its options


def test_the_harness_sees_every_numeric_option():
    commands = {c for c, _, _ in OPTIONS}
    assert {"bounds", "solve", "train", "compare", "approx", "basin-model", "dimension", "critical"} <= commands
    assert len(OPTIONS) >= 40
    parser = make_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    untyped = [(c, a.option_strings[0]) for c, p in sub.choices.items() for a in p._actions
               if a.type in (int, float) and a.option_strings]
    assert untyped == []  # a plain int/float option would accept 20-digit or infinite values


def bad_values(bounds):
    lo, hi, open_lo, open_hi = bounds
    values = [st.sampled_from(["nan", "inf", "-inf", "x", "", "1e999"])]
    if lo is not None:
        edge = st.just(str(lo)) if open_lo else st.nothing()
        values += [edge, st.integers(-10 ** 30, math.floor(lo) - 1).map(str)]
    if hi is not None:
        edge = st.just(str(hi)) if open_hi else st.nothing()
        values += [edge, st.integers(math.floor(hi) + 1, 10 ** 30).map(str)]
    return st.one_of(values)


@pytest.mark.parametrize("command, option, bounds", OPTIONS, ids=[f"{c} {o}" for c, o, _ in OPTIONS])
@settings(max_examples=int(os.environ.get("LANDSCAPE_FUZZ_EXAMPLES", "4")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_out_of_range_values_are_refused(capsys, tmp_path, command, option, bounds, data):
    value = data.draw(bad_values(bounds), label="value")
    began = time.perf_counter()
    code = main([command, *REQUIRED.get(command, []), f"{option}={value}", "--out", str(tmp_path / "o")])
    out, err = capsys.readouterr()
    assert code == 2, (value, err)
    assert out == "" and err.count("\n") == 1 and option in err and "Traceback" not in err
    assert time.perf_counter() - began < 5
    assert not (tmp_path / "o").exists()


# --- the environment: variables, limits and streams a command may meet -------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FOUR = "2\nx^2 - 1;\ny^2 - 4;\n"
ENVIRONMENTS = [
    # (environment variables, shell prefix, shell suffix, --out or not, whether the command must succeed)
    ({"NUMBA_NUM_THREADS": "0"}, "", "", True, True),
    ({"NUMBA_NUM_THREADS": "abc"}, "", "", True, True),
    ({"MPLBACKEND": "nonsense"}, "", "", True, True),
    ({"LANG": "C", "PYTHONIOENCODING": "ascii"}, "", "", True, True),
    ({"LANDSCAPE_NO_AOT": "1"}, "", "", True, True),
    ({}, "", " | head -c 10 >/dev/null", False, True),     # a reader that stops early: a quiet exit
    ({}, "", " >&-", True, True),                           # stdout closed, the result in --out
    ({}, "", " >&-", False, False),                         # stdout closed, nowhere to put it: one line
    ({}, "ulimit -f 1; ", "", True, False),                 # a file-size limit: one line, never a traceback
]


@pytest.mark.parametrize("env, prefix, suffix, with_out, ok", ENVIRONMENTS,
                         ids=[f"{i}" for i in range(len(ENVIRONMENTS))])
def test_an_unusual_environment_gives_a_result_or_one_line(tmp_path, env, prefix, suffix, with_out, ok):
    system = tmp_path / "four.phc"
    system.write_text(FOUR)
    out = tmp_path / "o"
    cmd = f"{prefix}{sys.executable} -m bridge.cli solve {system}{f' --out {out}' if with_out else ''}{suffix}"
    proc = subprocess.run(["bash", "-c", cmd], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    if ok:
        assert proc.returncode == 0 and (not with_out or (out / "result.json").exists()), proc.stderr[-2000:]
    else:
        assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr[-2000:]
