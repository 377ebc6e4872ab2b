"""The bad-input harness: every typed numeric option of every command, fed values outside
its range (drawn by hypothesis), must give exit status 2 and one line on stderr, fast,
with nothing on stdout and nothing written. `make fuzz` runs it with 200 values per option."""
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
