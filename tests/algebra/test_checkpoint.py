"""Monodromy counts that go on where a killed run stopped: the same solutions, bit for bit."""
import numpy as np
import pytest

from algebra.continuation.checkpoint import Checkpoint, CheckpointError
from algebra.continuation.completeness import certified_monodromy
from algebra.continuation.monodromy import monodromy_solve
from algebra.errors import SpecError
from algebra.examples import katsura


class Killed(Exception):
    pass


def _killer(after: int):
    calls = [0]

    def progress(*_):
        calls[0] += 1
        if calls[0] == after:
            raise Killed

    return progress


def test_a_damaged_or_foreign_state_is_refused(tmp_path):
    (tmp_path / "loops.npz").write_bytes(b"not a state")
    with pytest.raises(CheckpointError, match="damaged"):
        monodromy_solve(katsura(2), checkpoint=Checkpoint(tmp_path))
    Checkpoint(tmp_path).save("loops", {"known": np.zeros((2, 2), complex)}, {"proved": True})
    with pytest.raises(SpecError, match="another system"):
        monodromy_solve(katsura(3), checkpoint=Checkpoint(tmp_path))
    c = Checkpoint(tmp_path / "other")
    c.save("loops", {}, {})
    np.savez(tmp_path / "other" / "loops.npz", _meta=np.array('{"format": 0}'))
    with pytest.raises(CheckpointError, match="another layout"):
        c.load("loops")


def test_a_count_killed_at_any_round_ends_as_one_never_stopped(tmp_path):
    """katsura(4): 16 solutions, certified; killed inside the loops, inside the trace test's
    extra witnesses and between stages, then started again each time from what was saved."""
    system = katsura(4)
    ref, test = certified_monodromy(system, seed=1)
    assert (ref.count, test.verdict) == (16, "complete")
    killed = 0
    for after in (2, 5, 11, 23, 47):
        try:
            certified_monodromy(system, seed=1, progress=_killer(after), checkpoint=Checkpoint(tmp_path, every=0))
        except Killed:
            killed += 1
    assert killed >= 4
    again, test = certified_monodromy(system, seed=1, checkpoint=Checkpoint(tmp_path, every=0))
    assert test.verdict == "complete" and again.proved
    assert np.array_equal(again.base_solutions, ref.base_solutions) and np.array_equal(again.solutions, ref.solutions)
    assert (again.paths, again.loops, again.growth) == (ref.paths, ref.loops, ref.growth)
    # a finished count read back runs no loop again
    calls = []
    certified_monodromy(system, seed=1, checkpoint=Checkpoint(tmp_path), progress=lambda s, *_: calls.append(s))
    assert calls == ["paths to the system (complete)"]


def test_a_budget_stops_the_loops_unfinished_and_the_next_call_goes_on(tmp_path):
    """A budget too small for the loops: a lower bound that says why, its state saved as
    running; calls with budgets go on from it until the count ends as one never stopped."""
    from algebra.continuation.completeness import count_verdict

    system = katsura(4)
    ref, _ = certified_monodromy(system, seed=1)
    short, test = certified_monodromy(system, seed=1, checkpoint=Checkpoint(tmp_path, every=0), budget=1e-9)
    certified, why = count_verdict(short, test)
    assert short.out_of_time and not certified and "time budget" in why and short.count < ref.count
    for _ in range(200):
        again, test = certified_monodromy(system, seed=1, checkpoint=Checkpoint(tmp_path, every=0), budget=0.05)
        if test is not None and test.verdict == "complete":
            break
    assert np.array_equal(again.base_solutions, ref.base_solutions) and count_verdict(again, test)[0]
