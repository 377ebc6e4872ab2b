"""Output folders: checked before the work, one command and configuration each, locked."""
import json
import os

import pytest

from bridge.cli import main
from bridge.outputs import LOCK, MARKER, FolderBusy, claim


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_file_or_an_unwritable_place_is_refused_before_any_work(capsys, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    code, out, err = run(capsys, "bounds", "--out", str(target))
    assert code == 2 and "is a file" in err and out == ""
    code, out, err = run(capsys, "bounds", "--out", str(target / "below"))
    assert code == 2 and "is a file" in err
    code, out, err = run(capsys, "export", "--out", str(tmp_path))
    assert code == 2 and "export writes one file" in err


def test_an_unwritable_parent_is_refused(capsys, tmp_path, monkeypatch):
    import bridge.outputs

    # root writes anywhere, so the permission is simulated where the check reads it
    monkeypatch.setattr(bridge.outputs.os, "access", lambda path, mode: False)
    code, out, err = run(capsys, "bounds", "--out", str(tmp_path / "x"))
    assert code == 2 and "not writable" in err and not (tmp_path / "x").exists()


def test_one_folder_holds_one_command_and_one_configuration(capsys, tmp_path):
    out = str(tmp_path / "o")
    assert run(capsys, "bounds", "--data", "2", "--out", out)[0] == 0
    assert run(capsys, "bounds", "--data", "2", "--out", out, "--json")[0] == 0  # the same again: fine
    code, _, err = run(capsys, "bounds", "--data", "3", "--out", out)
    assert code == 2 and "another configuration" in err and "--data '2' there, '3' now" in err
    code, _, err = run(capsys, "approx", "--degree", "2", "--out", out)
    assert code == 2 and "holds the result of `landscape bounds`" in err
    assert json.loads((tmp_path / "o" / MARKER).read_text())["command"] == "bounds"


def test_bad_input_found_inside_a_command_leaves_nothing_behind(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--activation", "relu", "--clamp", "--out", str(tmp_path / "t"))
    assert code == 2 and "not to relu" in err
    assert not (tmp_path / "t").exists()


def test_a_held_folder_is_refused_with_who_holds_it(capsys, tmp_path):
    with claim(tmp_path / "o", "compare", {"seeds": 1}):
        (tmp_path / "o" / MARKER).unlink()  # held by a run whose arguments this test does not spell out
        code, out, err = run(capsys, "compare", "--seeds", "1", "--out", str(tmp_path / "o"))
        assert code == 2 and f"in use by landscape compare (pid {os.getpid()})" in err
        with pytest.raises(FolderBusy):
            with claim(tmp_path / "o", "compare", {"seeds": 1}):
                pass
    assert (tmp_path / "o" / LOCK).exists()
    with claim(tmp_path / "o", "compare", {"seeds": 1}):  # released: free again
        pass


def test_a_result_of_unknown_origin_is_not_overwritten(capsys, tmp_path):
    (tmp_path / "result.json").write_text("{}")
    code, _, err = run(capsys, "bounds", "--out", str(tmp_path))
    assert code == 2 and "unknown origin" in err


# --- numbers out of range, sizes without limit: one line, exit 2, fast, nothing written ----------

BAD = [
    (["bounds", "--data", "12345678901234567890"], "at most"),
    (["bounds", "--data", "1:100000000000"], "at most 10,000 at once"),
    (["bounds", "--seed", "-1"], "--seed: must be an integer in [0, 4,294,967,295]"),
    (["bounds", "--units", "1000"], "--units: must be an integer in [1, 32]"),
    (["bounds", "--units", "1000000"], "units"),
    (["bounds", "--depth", "40"], "--depth"),
    (["bounds", "--network", "dense", "--widths", "1000000,1000000,1"], "at most 1,000 (every weight"),
    (["bounds", "--network", "dense", "--widths", "2," * 1000 + "1"], "raise algebra.networks.MAX_WEIGHTS"),
    (["bounds", "--activation", "poly:0,1e300"], "larger than 1e+100"),
    (["bounds", "--activation", "monomial:100000"], "degree at most 400"),
    (["bounds", "--activation", "relu-minimax:10000"], "degree at most 60"),
    (["bounds", "--activation", "relu-minimax:3", "--radius", "1e-308"], "--radius must be"),
    (["train", "--radius", "inf"], "--radius must be"),
    (["train", "--momentum", "-1"], "--momentum: must be a finite number in [0, 1)"),
    (["train", "--momentum", "nan"], "--momentum"),
    (["train", "--lr", "inf"], "--lr: must be a finite number"),
    (["train", "--epochs", "0"], "--epochs: must be an integer in [1, 100,000]"),
    (["train", "--width-mult", "1000"], "grow like its square"),
    (["train", "--clip", "0"], "--clip"),
    (["train", "--n-train", "1000000"], "n_train 1,000,000: digits has 1,437 training points"),
    (["compare", "--n-train", "5000"], "digits has 1,437 training points"),
    (["approx", "--degree", "10000"], "--degree: must be an integer in [1, 60]"),
    (["approx", "--degree", "3", "--dps", "100000000"], "--dps"),
    (["dimension", "--data", "100000"], "exceeds 10,000 points"),
    (["basin-model", "--dim", "10000000"], "memory grows like dim x basins"),
    (["basin-model", "--rugged", "1"], "--rugged"),
    (["compare", "--seeds", "1000000000"], "each seed trains every activation"),
    (["solve", "--max-paths", "0"], "--max-paths"),
    (["critical", "--workers", "0"], "--workers"),
]


@pytest.mark.parametrize("argv, fragment", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_numbers_and_sizes_give_one_line_and_exit_2(capsys, tmp_path, argv, fragment):
    import time

    began = time.perf_counter()
    code, out, err = run(capsys, *argv, "--out", str(tmp_path / "o"))
    assert code == 2 and fragment in err, err
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert time.perf_counter() - began < 5
    assert not (tmp_path / "o").exists()


# --- what result files record ---------------------------------------------------------------

def test_json_on_stdout_is_strict_and_says_what_was_not_finite(capsys):
    from bridge.provenance import to_json

    text = to_json({"barrier": float("inf"), "rows": [{"loss": float("nan")}, {"loss": 1.5}]})
    parsed = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in JSON output"))
    assert parsed["barrier"] is None and parsed["rows"][0]["loss"] is None and parsed["rows"][1]["loss"] == 1.5
    assert parsed["non_finite"] == {"barrier": "inf", "rows[0].loss": "nan"}


def test_provenance_records_phcpy_linked_from_debian(phc_ready):
    from bridge.provenance import versions

    assert versions()["PHCpy"] is not None


# --- flags that would be silently ignored, values that would be silently wrong ----------------

IGNORED = [
    (["solve", "FILE", "--fix", "x=1"], "--fix describes a network's system"),
    (["solve", "FILE", "--slice", "1"], "--slice"),
    (["solve", "FILE", "--network", "dense", "--data", "3"], "--network --data describe"),
    (["witness", "FILE", "--activation", "monomial:2"], "--activation"),
    (["compare", "--network", "tree", "--data", "synthetic", "--out", "OUT/c"], "--data: the tree network trains on"),
    (["compare", "--network", "tree", "--width-mult", "0.5", "--out", "OUT/c"], "--width-mult"),
    (["export", "--fix", "a11_1=nan", "--out", "OUT/e.phc"], "finite number"),
    (["bounds", "--network", "dense", "--units", "2"], "--units applies to the tree network, not to --network dense"),
    (["solve", "--network", "dense", "--depth", "3", "--shared"], "--depth --shared apply to the tree network"),
    (["bounds", "--widths", "3,3,1"], "--widths applies to the dense network, not to --network tree"),
    (["bounds", "--l2", "random"], "--l2 applies to the critical system only (add --system critical)"),
    (["train", "--optimizer", "gd", "--batch", "50"], "--batch applies to --optimizer sgd"),
    (["approx", "--degree", "4", "--degrees", "2:6"], "give --degree D or --degrees A:B, not both"),
]


@pytest.mark.parametrize("argv, fragment", IGNORED, ids=[" ".join(a) for a, _ in IGNORED])
def test_options_that_cannot_apply_are_refused_not_ignored(capsys, tmp_path, argv, fragment):
    system = tmp_path / "f.phc"
    system.write_text("2\nx^2 - 1;\ny^2 - 4;\n")
    argv = [str(system) if a == "FILE" else a.replace("OUT", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and fragment in err and out == "", err
    assert not (tmp_path / "e.phc").exists() and not (tmp_path / "c").exists()


def test_basin_model_default_bottom_fits_a_small_dimension(capsys, tmp_path):
    code, out, err = run(capsys, "basin-model", "--dim", "6", "--pairs", "1", "--steps", "21", "--out", str(tmp_path), "--json")
    assert code == 0, err
    assert json.loads(out)["config"]["bottom_dim"] == 5


def test_bad_input_found_inside_a_command_leaves_no_folder_behind(capsys, tmp_path):
    (tmp_path / "afile").write_text("not an experiment")
    code, out, err = run(capsys, "basin-model", "--compare", str(tmp_path / "afile"), "--pairs", "1",
                         "--out", str(tmp_path / "a" / "b" / "c"))
    assert code == 2 and "--compare" in err and "give an experiment's folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]  # not even a/ or a/b/


@pytest.mark.parametrize("method, fragment", [("slice", "13 paths, more than the limit of 10"),
                                              ("cascade", "81 paths, over the limit of 10")])
def test_witness_refuses_more_paths_than_max_paths(capsys, tmp_path, method, fragment):
    system = tmp_path / "f.phc"
    system.write_text("2\nx^5*y^4 - 2*z;\nx^4*y^5 - 3;\n")
    code, out, err = run(capsys, "witness", str(system), "--method", method, "--max-paths", "10")
    assert code == 2 and fragment in err and out == "", err


def test_a_killed_writers_temporaries_are_removed_when_the_folder_is_claimed_again(tmp_path):
    from bridge.outputs import claim

    with claim(tmp_path / "r", "bounds", {"data": "1"}):
        pass
    stale = [tmp_path / "r" / ".result.json.k3j2l1ab.tmp", tmp_path / "r" / "run" / ".epoch_0000.pt.x9y8_7zq.tmp"]
    stale[1].parent.mkdir()
    for f in stale:
        f.write_text("torn")
    kept = [tmp_path / "r" / "notes.tmp", tmp_path / "r" / ".mine.tmp"]  # not atomic writes' temporaries
    for f in kept:
        f.write_text("mine")
    with claim(tmp_path / "r", "bounds", {"data": "1"}):
        assert not any(f.exists() for f in stale) and all(f.exists() for f in kept)
    (tmp_path / "mine").mkdir()  # a folder no command of ours wrote: nothing in it is touched
    (tmp_path / "mine" / ".x.abcdefgh.tmp").write_text("theirs")
    with claim(tmp_path / "mine", "bounds", {"data": "1"}):
        assert (tmp_path / "mine" / ".x.abcdefgh.tmp").exists()
