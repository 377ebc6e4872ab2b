import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.cli import main, parse_counts, parse_fix

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- bad input: one line on stderr, exit 2, no traceback ------------------------------

@pytest.mark.parametrize("argv, fragment", [
    (["bounds", "--activation", "relu"], "not a polynomial"),
    (["bounds", "--activation", "poly:1,x"], "not a number"),
    (["bounds", "--activation", "poly:0,1e-400"], "smaller than 1e-100"),
    (["bounds", "--system", "critical", "--l2", "nan"], "finite"),
    (["export", "--data", "2", "--slice", "1000000000000", "--out", "x.phc"], "more slices than unknowns"),
    (["export", "--data", "2", "--fix", "a11_1=1", "--fix", "a11_1=2", "--out", "x.phc"], "fixed twice"),
    (["solve", "/dev/zero"], "not a regular file"),
    (["bounds", "--units", "0"], "units"),
    (["bounds", "--data", "0"], ">= 1"),
    (["bounds", "--data", "a:b"], "does not parse"),
    (["bounds", "--network", "dense", "--widths", "2,,1"], "widths"),
    (["bounds", "--partition", "u11_1,v11_1"], "misses variable"),
    (["bounds", "--units", "two"], "--units: must be an integer"),
    (["bounds", "--system", "hessian"], "invalid choice"),
    (["nonsense"], "invalid choice"),
    (["export", "--format", "phc"], "required: --out"),
    (["export", "--out", "x.phc", "--fix", "zz=1"], "zz"),
    (["export", "--out", "x.phc", "--fix", "u11_1"], "NAME=VALUE"),
    (["export", "--out", "x.phc", "--data", "13", "--slice"], "cannot square"),
    (["export", "--out", "x.phc", "--l2", "random"], "critical system only"),
    (["export", "--out", "x.phc", "--system", "critical", "--units", "3"], "too large"),
    (["dimension", "--data", "0"], ">= 1"),
    (["dimension", "--activation", "relu"], "not a polynomial"),
    (["dimension", "--network", "dense", "--widths", "2,0,1"], "widths"),
    (["dimension", "--starts", "0"], "--starts"),
    (["critical", "--data", "2"], "above the limit"),
    (["critical", "--data", "1,2"], "one number"),
    (["critical", "--network", "dense", "--widths", "1,1,1", "--activation", "linear", "--l2", "x"], "--l2"),
    (["critical", "--max-paths", "0"], "--max-paths"),
    (["train", "--data", "cifar10", "--root", "/nonexistent"], "CIFAR-10 not found"),
    (["train", "--data", "cifar10"], "--root"),
    (["train", "--activation", "tanh"], "unknown activation"),
    (["train", "--lr", "0"], "--lr: must be a finite number in (0, 10]"),
    (["train", "--optimizer", "adam"], "invalid choice"),
    (["train", "--width-mult", "-1"], "--width-mult: must be a finite number in (0, 16]"),
    (["train", "--device", "cuda:0"], "no CUDA device"),
    (["train", "--device", "gpu!"], "not a torch device"),
    (["solve", "--data", "2"], "--slice"),
    (["solve", "missing.phc"], "No such file"),
    (["solve", "--start", "linear"], "invalid choice"),
    (["witness", "--top", "3"], "--method cascade"),
    (["compare", "--network", "tree", "--n-train", "1", "--out", "c"], "at least 2"),
])
def test_bad_input_is_one_line_and_status_2(capsys, tmp_path, monkeypatch, argv, fragment):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and fragment in err and "Traceback" not in err


def test_parsers():
    assert parse_counts("3") == [3] and parse_counts("1:3") == [1, 2, 3]
    assert parse_fix(["a=1", "b=0.5+1i"]) == {"a": 1.0, "b": 0.5 + 1j}


# --- bounds ----------------------------------------------------------------------------

def test_bounds_json_has_the_promised_fields(capsys):
    code, out, err = run(capsys, "bounds", "--network", "tree", "--units", "1", "--activation",
                         "poly:0.1,0.5,0.3", "--data", "4", "--json")
    assert code == 0
    r = json.loads(out)
    for key in ("weights", "equations", "degrees", "total_degree", "log10_total_degree",
                "multihomogeneous", "mixed_volume", "bkk_bound", "stable_mixed_volume", "log10_paper_bound",
                "config", "seed", "versions", "git_commit"):
        assert key in r
    assert (r["weights"], r["equations"], r["degrees"], r["total_degree"]) == (12, 4, [[9, 4]], 9 ** 4)
    assert r["mixed_volume"] is None and r["bkk_bound"] is None


def test_oversized_network_is_refused_not_swapped(capsys):
    code, _, err = run(capsys, "bounds", "--activation", "monomial:3", "--units", "30")
    assert code == 2 and "exceeds 412,087 terms" in err  # 150,000,000 exponent entries / (4 inputs + 360 weights)


def test_bounds_mixed_volume_keeps_stdout_pure_json(capsys):
    code, out, _ = run(capsys, "bounds", "--network", "dense", "--widths", "2,2,1", "--activation",
                       "linear", "--no-bias", "--system", "critical", "--l2", "random",
                       "--data", "3", "--mixed-volume", "--json")
    r = json.loads(out)  # PHCpack's banner would break this
    assert code == 0 and 0 < r["mixed_volume"] <= r["multihomogeneous"] <= r["total_degree"]


# dense (1,1,1) linear network, one data point (x, y), critical system of
# 1/2 (w2 w1 x - y)^2 [+ 1/2 (l1 w1^2 + l2 w2^2)]: supports
#   no L2:   {w1 w2^2, w2} and {w1^2 w2, w1}: two parallel segments, mixed volume 0 in the torus
#            (the rescaling w1 -> t w1, w2 -> w2 / t); with the origin added, triangles T1, T2 of
#            area 1/2 each whose sum, hull (0,0),(1,0),(2,1),(3,3),(1,2),(0,1), has area 4: 4 - 1/2 - 1/2 = 3
#   with L2: {w1 w2^2, w2, w1} and {w1^2 w2, w1, w2}: triangles of area 1 each, their sum (2,0),(3,1),
#            (3,3),(1,3),(0,2) of area 6: 6 - 1 - 1 = 4 in the torus; with the origin added areas 3/2
#            and a sum (0,0),(2,0),(3,1),(3,3),(1,3),(0,2) of area 8: 8 - 3/2 - 3/2 = 5 (the fifth: w = 0)
@pytest.mark.parametrize("l2, torus, bkk", [([], 0, 3), (["--l2", "random"], 4, 5)])
def test_bounds_reports_the_torus_mixed_volume_and_the_bkk_bound_apart(capsys, phc_ready, l2, torus, bkk):
    code, out, _ = run(capsys, "bounds", "--network", "dense", "--widths", "1,1,1", "--activation", "linear",
                       "--no-bias", "--system", "critical", *l2, "--data", "1", "--mixed-volume", "--json")
    r = json.loads(out)
    assert code == 0 and (r["mixed_volume"], r["bkk_bound"]) == (torus, bkk)
    assert torus <= r["stable_mixed_volume"] <= bkk
    checks = r["mixed_volume_check"]
    assert checks["mixed_volume"]["agreed"] and checks["bkk_bound"]["demics"] == bkk
    assert any("torus" in n and "origin added" in n for n in r["notes"])
    code, out, _ = run(capsys, "bounds", "--network", "dense", "--widths", "1,1,1", "--activation", "linear",
                       "--no-bias", "--system", "critical", *l2, "--data", "1", "--mixed-volume")
    assert code == 0 and "BKK (C^n)" in out and "stable MV" in out


def _demics_says(monkeypatch, count):
    from algebra import phc

    class Says:
        seconds, began = 0.01, 0.0

        def result(self, timeout):
            return {"mixed_volume": count}

        def cancel(self):
            pass

    real = phc.start
    monkeypatch.setattr(phc, "start", lambda task, *a, **kw: Says() if task == "mixed_volume" and a[3] == "demics"
                        else real(task, *a, **kw))


def test_a_mixed_volume_the_two_algorithms_disagree_on_is_refused_in_one_line(capsys, phc_ready, monkeypatch):
    _demics_says(monkeypatch, 7)
    code, out, err = run(capsys, "solve", "--network", "dense", "--widths", "1,1,1", "--activation", "linear",
                         "--no-bias", "--system", "critical", "--l2", "random", "--data", "1", "--start", "polyhedral")
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert ("solver failure: mixed volume: MixedVol gave 5, DEMiCs gave 7 (seed 0): not tracking from an unchecked "
            "count; use --start total-degree or --method monodromy") in err
    # bounds shows neither count as a bound: "?" in the table, both numbers in a note
    code, out, _ = run(capsys, "bounds", "--network", "dense", "--widths", "1,1,1", "--activation", "linear",
                       "--no-bias", "--system", "critical", "--l2", "random", "--data", "1", "--mixed-volume", "--json")
    r = json.loads(out)
    assert code == 0 and r["mixed_volume"] is None and r["bkk_bound"] is None and r["stable_mixed_volume"] is None
    assert r["mixed_volume_check"]["bkk_bound"] == {**r["mixed_volume_check"]["bkk_bound"], "mixedvol": 5, "demics": 7,
                                                    "agreed": False}
    assert "BKK bound not reported: MixedVol gave 5, DEMiCs gave 7 (seed 0)" in " ".join(r["notes"])


def test_bounds_table_and_result_file(capsys, tmp_path):
    code, out, _ = run(capsys, "bounds", "--data", "1:3", "--out", str(tmp_path / "b"))
    assert code == 0 and "total degree" in out and out.count("\n") > 5
    r = json.loads((tmp_path / "b" / "result.json").read_text())
    assert [row["data"] for row in r["rows"]] == [1, 2, 3]
    assert (tmp_path / "b" / "bounds.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert r["config"]["activation"] == "poly:0.1,0.5,0.3" and r["seed"] == 0
    assert r["versions"]["numpy"] and "command" in r


# --- export ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["phc", "bertini", "m2", "hc", "json"])
def test_export_writes_each_format(capsys, tmp_path, fmt):
    path = tmp_path / f"sys.{fmt}"
    code, out, _ = run(capsys, "export", "--data", "3", "--slice", "--format", fmt,
                       "--out", str(path), "--json")
    summary = json.loads(out)
    assert code == 0 and path.exists() and summary["square"] and summary["equations"] == 12
    assert summary["degrees"] == [9, 9, 9] + [1] * 9


def test_export_gauge_fixed_critical_system(capsys, tmp_path):
    path = tmp_path / "crit.json"
    code, out, _ = run(capsys, "export", "--system", "critical", "--data", "2", "--fix", "a11_1=1",
                       "--fix", "a12_1=1", "--format", "json", "--out", str(path))
    d = json.loads(path.read_text())
    assert code == 0 and "a11_1" not in d["variables"] and d["equations"] == 12
    assert d["info"]["fixed"] == {"a11_1": 1.0, "a12_1": 1.0}


def test_console_script_end_to_end(tmp_path):
    """The installed entry point, in a fresh process: stdout is JSON only, errors are one line."""
    exe = Path(sys.executable).parent / "landscape"
    ok = subprocess.run([str(exe), "bounds", "--data", "2", "--json"], capture_output=True, text=True)
    assert ok.returncode == 0 and json.loads(ok.stdout)["equations"] == 2
    bad = subprocess.run([str(exe), "bounds", "--activation", "relu"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1


# --- approx ----------------------------------------------------------------------------

@pytest.mark.parametrize("argv, fragment", [
    (["approx", "--degree", "0"], "--degree: must be an integer in [1, 60]"),
    (["approx", "--degree", "3", "--radius", "0"], "radius"),
    (["approx", "--degree", "3", "--kind", "pade"], "invalid choice"),
    (["approx", "--degrees", "2:10000"], "degrees at most 60"),
    (["approx", "--degree", "50", "--dps", "20"], "needs at least 36 digits"),
    (["approx"], "--degree"),
])
def test_approx_bad_input(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and fragment in err


def test_approx_json_fields(capsys):
    code, out, _ = run(capsys, "approx", "--kind", "legendre", "--degree", "2", "--radius", "2", "--json")
    r = json.loads(out)
    assert code == 0
    for key in ("kind", "degree", "radius", "coefficients", "sup_error", "l2_error", "chebyshev_coefficients",
                "monomial_condition", "config", "versions"):
        assert key in r
    # Legendre projection of ReLU on [-2, 2]: 2 * (3/32 + (x/2)/2 + 15/32 (x/2)^2)
    assert r["coefficients"] == pytest.approx([3 / 16, 1 / 2, 15 / 64])


def test_approx_table_and_plots(capsys, tmp_path):
    code, out, err = run(capsys, "approx", "--degrees", "2:6", "--out", str(tmp_path))
    assert code == 0 and "slope" in out
    r = json.loads((tmp_path / "result.json").read_text())
    assert set(r["table"]) == {"chebyshev", "chebyshev-series", "legendre", "minimax"}
    assert all(r["table"]["minimax"][i]["sup_error"] <= r["table"][k][i]["sup_error"]
               for k in r["table"] for i in range(5))
    for png in ("approximants.png", "sup_error_by_degree.png"):
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_approx_warns_on_stderr_keeps_json_clean(capsys):
    code, out, err = run(capsys, "approx", "--degree", "40", "--json")
    assert code == 0 and json.loads(out)["warnings"] and "ill-conditioned" in err


# --- solve and witness --------------------------------------------------------------------

def test_unparsable_phc_file_names_the_line(capsys, tmp_path):
    f = tmp_path / "bad.phc"
    f.write_text("2\nx^2 + y^2 - 4;\nx*y - $1;\n")
    code, out, err = run(capsys, "solve", str(f))
    assert code == 2 and "line 3" in err and len(err.strip().splitlines()) == 1


def test_solve_file_json_and_input_untouched(capsys, tmp_path, phc_ready):
    f = tmp_path / "sys.phc"
    text = "2\nx^2 + y^2 - 4;\nx*y - 1;\n"
    f.write_text(text)
    code, out, _ = run(capsys, "solve", str(f), "--json")
    r = json.loads(out)
    for key in ("paths", "solutions", "finite", "real", "singular", "at_infinity", "failed",
                "seconds", "seed", "bounds", "certified", "git_commit"):
        assert key in r
    assert code == 0 and (r["paths"], r["solutions"], r["real"]) == (4, 4, 4)
    assert f.read_text() == text  # PHCpack's blackbox would have appended its solutions


def test_solve_network_sliced_against_its_bounds(capsys, tmp_path, phc_ready):
    code, out, _ = run(capsys, "solve", "--network", "dense", "--widths", "1,2,1", "--activation",
                       "poly:0,1,1", "--no-bias", "--data", "2", "--slice", "--json",
                       "--out", str(tmp_path / "s"))
    r = json.loads(out)
    b = r["bounds"]
    assert code == 0 and r["verdict"] == "probability-one"
    assert r["solutions"] <= b["bkk_bound"] <= min(b["multihomogeneous"], b["total_degree"])
    assert b["mixed_volume"] <= b["bkk_bound"] and b["mixed_volume_check"]["bkk_bound"]["agreed"]
    saved = json.loads((tmp_path / "s" / "result.json").read_text())
    assert len(saved["points"]) >= r["solutions"] and saved["solutions"] == r["solutions"]


def test_solve_reads_a_variable_in_two_terms_and_counts_with_our_engine(capsys, tmp_path):
    # the reproducer: the sympy-based reader ended in a traceback here
    f = tmp_path / "f.phc"
    f.write_text("1\nx^2 + x - 2;\n")
    code, out, err = run(capsys, "solve", str(f), "--json")
    r = json.loads(out)
    assert code == 0 and (r["paths"], r["solutions"], r["real"], r["certified"]) == (2, 2, 2, True)
    assert r["start"]["engine"] == "ours" and r["config"]["engine"] == "ours"


def test_solve_by_monodromy_from_the_command_line(capsys, tmp_path):
    f = tmp_path / "f.phc"
    f.write_text("1\nx^3 - 2;\n")
    code, out, err = run(capsys, "solve", str(f), "--method", "monodromy", "--stall", "12", "--json",
                         "--out", str(tmp_path / "run"))
    r = json.loads(out)
    # proved (Krawczyk) and complete (the trace test of the augmented system): certified
    assert code == 0 and (r["generic_count"], r["solutions"], r["certified"]) == (3, 3, True)
    assert r["completeness"]["verdict"] == "complete" and r["proofs"]["base_proved"] == 3
    assert r["growth"][-1][1] == 3 and r["config"]["method"] == "monodromy" and "trace_test" not in r
    assert r["evaluation"] == "monomials" and r["config"]["completeness"] is True
    assert (tmp_path / "run" / "monodromy.png").exists()
    code, out, err = run(capsys, "solve", str(f), "--method", "monodromy", "--no-completeness", "--json")
    r = json.loads(out)
    assert code == 0 and r["certified"] is False and r["completeness"]["verdict"] == "not run"
    code, out, err = run(capsys, "solve", str(f), "--method", "monodromy")
    assert code == 0 and "completeness: complete" in out and "  certified: the generic member's 3" in out
    code, out, err = run(capsys, "solve", str(f), "--no-completeness")
    assert code == 2 and "--no-completeness apply to --method monodromy" in err
    for extra in (["--start", "total-degree"], ["--engine", "phcpack"], ["--workers", "2"], ["--verify", "none"],
                  ["--threads", "1"]):
        code, out, err = run(capsys, "solve", str(f), "--method", "monodromy", *extra)
        assert code == 2 and ("apply to --method homotopy" in err or "applies to --method homotopy" in err)
    code, out, err = run(capsys, "solve", str(f), "--stall", "3")
    assert code == 2 and "--method monodromy" in err


def test_monodromy_on_a_small_network_loops_with_its_compiled_monomials(capsys):
    # v1 (w1 x)^2 + v2 (w2 x)^2 = y, cut by 3 slices: the cubic's 3 witness points, proved
    # complete by the trace test; a system this small is faster as monomials in the compiled
    # tracker than through the forward pass (network_homotopy.equations.COMPILED_PRODUCTS)
    code, out, err = run(capsys, "solve", "--network", "dense", "--widths", "1,2,1", "--activation", "monomial:2",
                         "--no-bias", "--data", "1", "--slice", "--method", "monodromy", "--json")
    r = json.loads(out)
    assert code == 0 and r["evaluation"] == "monomials"
    assert (r["generic_count"], r["solutions"], r["certified"]) == (3, 3, True)
    # with two data points the two equations depend on one function of the weights: refused
    code, out, err = run(capsys, "solve", "--network", "dense", "--widths", "1,2,1", "--activation", "monomial:2",
                         "--no-bias", "--data", "2", "--slice", "--method", "monodromy")
    assert code == 2 and "dependent" in err and out == ""


def test_solve_retracks_failed_paths_in_higher_precision_within_its_budget(capsys, tmp_path):
    # six points of multiplicity 8: 1 of its 48 paths fails at seed 0 in double precision, even
    # with the tracker's double-double residuals
    f = tmp_path / "six.phc"
    f.write_text("2\n(x^2 + y^2 - 5)^2;\n((y - 1)*(y + 1)*(x - 1))^4;\n")
    code, out, err = run(capsys, "solve", str(f), "--verify", "none", "--json")
    r = json.loads(out)
    assert code == 0 and r["failed"] == 0 and r["config"]["precise_steps"] == 3000
    assert any("tracked again in 160-bit arithmetic" in n for n in r["notes"])
    code, out, err = run(capsys, "solve", str(f), "--verify", "none", "--json", "--precise-steps", "0")
    r = json.loads(out)
    assert code == 0 and r["failed"] > 0 and not any("160-bit" in n for n in r["notes"])
    for extra in (["--engine", "phcpack"], ["--method", "monodromy"]):
        code, out, err = run(capsys, "solve", str(f), "--precise-steps", "3", *extra)
        assert code == 2 and "--precise-steps" in err and out == "" and len(err.strip().splitlines()) == 1
    for bad in ("-1", "2.5"):
        code, out, err = run(capsys, "solve", str(f), "--precise-steps", bad)
        assert code == 2 and "--precise-steps" in err


def test_solve_refuses_more_paths_than_allowed_before_any_work(capsys, tmp_path):
    f = tmp_path / "big.phc"
    f.write_text("1\nx^1000000 - 1;\n")
    code, out, err = run(capsys, "solve", str(f), "--start", "total-degree", "--max-paths", "1000")
    assert code == 2 and "1,000,000 paths" in err and out == ""


def test_solve_engines_agree_and_certify_proves_each_solution(capsys, tmp_path, phc_ready):
    f = tmp_path / "sys.phc"
    f.write_text("2\nx^2 + y^2 - 4;\nx*y - 1;\n")
    counts = []
    for engine in ("ours", "phcpack"):
        code, out, _ = run(capsys, "solve", str(f), "--engine", engine, "--certify", "--json")
        r = json.loads(out)
        k = {key: v for key, v in r["verification"]["krawczyk"].items() if key != "seconds"}
        assert code == 0 and k == {"solutions": 4, "certified": 4, "distinct": 4, "real": 4}
        # ours: the total degree 4 attained and proved; PHCpack's: its mixed volume (not proved) attained
        assert r["verdict"] == {"ours": "certified", "phcpack": "probability-one"}[engine]
        counts.append(r["solutions"])
    assert counts == [4, 4]


def test_witness_command_reports_components(capsys, phc_ready):
    code, out, _ = run(capsys, "witness", "--network", "dense", "--widths", "1,2,1", "--activation",
                       "monomial:2", "--no-bias", "--data", "1", "--json")
    r = json.loads(out)
    assert code == 0 and r["dimension"] == 3
    assert r["components"][0]["degree"] == 3 and r["components"][0]["factors"] == [3]


def test_dimension_json_and_plot(capsys, tmp_path):
    code, out, err = run(capsys, "dimension", "--network", "dense", "--widths", "1,2,1", "--activation",
                         "monomial:2", "--no-bias", "--data", "1:3", "--starts", "2", "--json",
                         "--out", str(tmp_path))
    assert code == 0, err
    r = json.loads(out)
    assert (r["weights"], r["functional_dimension"]) == (4, 1)
    assert [row["measured"] for row in r["table"]] == [3, None, None]
    assert [row["predicted"] for row in r["table"]] == [3, 2, 1]
    assert r["consistent"] and r["symmetries"]["total"] == 3
    assert (tmp_path / "dimension.png").stat().st_size > 0
    saved = json.loads((tmp_path / "result.json").read_text())
    assert saved["config"]["command"] == "dimension"


def test_dimension_text_says_the_float_rank_was_wrong(capsys):
    # total degree 32: float64 says F = 32, the exact rank mod p 33 (the space is filled)
    code, out, err = run(capsys, "dimension", "--network", "dense", "--widths", "2,3,3,4,4,2,1", "--activation",
                         "monomial:2", "--no-bias", "--data", "1", "--starts", "1")
    assert code == 0, err
    assert "F = 33" in out and "exact mod p, proven" in out
    assert "the float64 rank says 32" in out and "not confident): wrong; the exact rank is used" in out
    assert out.rstrip().endswith("consistent with the prediction (exact ranks mod p)")


def test_one_activation_per_hidden_layer(capsys):
    code, out, err = run(capsys, "dimension", "--network", "dense", "--widths", "3,3,2,1", "--activation",
                         "linear", "--activation", "monomial:2", "--no-bias", "--data", "1", "--starts", "1", "--json")
    assert code == 0, err
    r = json.loads(out)
    assert r["network"]["activation"] == ["linear", "monomial:2"] and r["functional_dimension"] == 5
    code, out, err = run(capsys, "dimension", "--network", "dense", "--widths", "3,3,2,1", "--activation", "linear",
                         "--activation", "linear", "--activation", "linear", "--data", "1")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "3 activation specs for 2 hidden layers" in err


def test_dimension_single_n_has_flat_fields(capsys):
    code, out, err = run(capsys, "dimension", "--data", "3", "--starts", "2", "--json")
    assert code == 0, err
    r = json.loads(out)
    for key in ("weights", "data", "functional_dimension", "predicted", "measured", "consistent",
                "symmetries", "singular_value_gap"):
        assert key in r
    assert r["predicted"] == r["measured"] == 9


def test_critical_deep_linear_json(capsys, phc_ready):
    code, out, err = run(capsys, "critical", "--network", "dense", "--widths", "1,1,1", "--activation",
                         "linear", "--no-bias", "--data", "1", "--l2", "0.5,0.8", "--json")
    assert code == 0, err
    r = json.loads(out)
    assert r["complex_nonsingular"] == 5
    assert r["minima"] + r["saddles"] + r["maxima"] + r["degenerate"] == r["real"]
    assert r["config"]["l2"] == "0.5,0.8"


def test_train_json_resume_and_result_file(capsys, tmp_path):
    argv = ["train", "--epochs", "1", "--n-train", "120", "--batch", "40", "--out", str(tmp_path / "run"), "--json"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    r = json.loads(out)
    for key in ("parameters", "train_error", "test_error", "train_loss", "seconds", "epochs", "run_dir"):
        assert key in r
    assert r["parameters"] == 188_698 and r["epochs"] == 1 and r["device"] == "cpu"
    saved = json.loads((tmp_path / "run" / "result.json").read_text())
    assert saved["git_commit"] is not None and saved["config"]["train"]["lr"] == 0.01
    code, out, err = run(capsys, *argv[:2], "2", *argv[3:])  # two epochs: the run continues
    assert code == 0 and json.loads(out)["epochs"] == 2


def test_train_polynomial_spec_is_resolved_by_the_bridge(capsys, tmp_path):
    code, out, err = run(capsys, "train", "--activation", "relu-minimax:4", "--epochs", "1", "--n-train", "60",
                         "--width-mult", "0.25", "--out", str(tmp_path), "--json")
    assert code == 0, err
    r = json.loads(out)
    from algebra.activation import parse_activation

    expected = parse_activation("relu-minimax:4").float_coefficients()
    assert r["config"]["model"]["activation"] == expected and len(expected) == 5
    assert expected[1] == pytest.approx(0.5)  # minimax of relu = (|x| + x) / 2: slope 1/2
    assert r["parameters"] < 188_698 / 10


def test_experiment_command_and_plot(capsys, tmp_path):
    out = tmp_path / "exp"
    code, text, err = run(capsys, "experiment", "overparam", "--scale", "micro", "--out", str(out), "--json")
    assert code == 0, err
    r = json.loads(text)
    assert r["plots"] and all(Path(p).exists() for p in r["plots"])
    assert json.loads((out / "result.json").read_text())["config"]["experiment"] == "overparam"
    code, _, err = run(capsys, "experiment", "overparam", "--scale", "micro", "--out", str(out))
    assert code == 2 and "--resume" in err
    code, _, err = run(capsys, "experiment", "overparam", "--scale", "micro", "--out", str(out), "--resume")
    assert code == 0, err
    (out / "overparam.png").unlink()
    code, text, err = run(capsys, "plot", str(out))
    assert code == 0 and (out / "overparam.png").exists()


@pytest.mark.parametrize("argv, fragment", [
    (["experiment", "nonsense"], "invalid choice"),
    (["experiment", "sgd-stages", "--scale", "huge"], "invalid choice"),
    (["experiment", "sgd-stages", "--scale", "micro", "--activation", ""], "--activation is empty"),
    (["experiment", "sgd-stages", "--data", "cifar10", "--root", "/nonexistent", "--scale", "micro"], "CIFAR-10"),
    (["plot", "/nonexistent"], "not a folder"),
])
def test_experiment_bad_input(capsys, tmp_path, argv, fragment):
    code, out, err = run(capsys, *argv, *(["--out", str(tmp_path / "x")] if argv[0] == "experiment" else []))
    assert code == 2 and fragment in err and out == ""


def test_basin_model_command_with_compare(capsys, tmp_path):
    from training.experiments import make_config, run_experiment

    exp = tmp_path / "exp"
    run_experiment("sgd-stages", make_config("sgd-stages", "micro"), exp, progress=False)
    code, out, err = run(capsys, "basin-model", "--dim", "12", "--basins", "3", "--bottom-dim", "3", "--pairs", "1",
                         "--steps", "21", "--compare", str(exp), "--out", str(tmp_path / "bm"), "--json")
    assert code == 0, err
    r = json.loads(out)
    for key in ("descent_probability", "interpolation_barrier_near", "interpolation_barrier_far", "walls_found",
                "plots"):
        assert key in r
    assert [row["source"] for row in r["comparison"]["rows"]] == ["network", "basins", "basin-fractal"]
    assert r["comparison"]["resembles"] in ("basins", "basin-fractal")
    assert all(Path(p).exists() for p in r["plots"])


@pytest.mark.parametrize("argv, fragment", [
    (["basin-model", "--variant", "valleys"], "invalid choice"),
    (["basin-model", "--dim", "1"], "--dim: must be an integer in [2, 100,000]"),
    (["basin-model", "--dim", "100000", "--basins", "4096"], "raise training.basin_model.MAX_BYTES"),
    (["basin-model", "--dim", "5", "--bottom-dim", "5"], "bottom dimension"),
    (["basin-model", "--compare", "/nonexistent"], "no summary.json"),
    (["basin-model", "--steps", "20"], "--steps: must be an integer in [21, 10,000]"),
])
def test_basin_model_bad_input(capsys, tmp_path, argv, fragment):
    code, out, err = run(capsys, *argv, "--pairs", "1", "--out", str(tmp_path))
    assert code == 2 and fragment in err and out == ""


def test_compare_command(capsys, tmp_path):
    code, out, err = run(capsys, "compare", "--network", "tree", "--activations", "relu,poly:0,0.5,0.5",
                         "--seeds", "2", "--epochs", "1", "--out", str(tmp_path), "--json")
    assert code == 0, err
    r = json.loads(out)
    assert list(r["table"]) == ["relu", "poly:0,0.5,0.5"] and Path(r["plot"]).exists()
    assert r["config"]["activations"] == ["relu", "poly:0,0.5,0.5"]


def test_compare_figure2_preset_at_micro_scale(capsys, tmp_path):
    code, out, err = run(capsys, "compare", "--preset", "figure2", "--epochs", "1", "--n-train", "60",
                         "--width-mult", "0.125", "--seeds", "2", "--out", str(tmp_path), "--json")
    assert code == 0, err
    r = json.loads(out)
    from bridge.compare import PRESETS

    assert list(r["table"]) == list(PRESETS["figure2"]["activations"]) and r["preset"] == "figure2"
    assert Path(r["plot"]).exists() and r["width_mult"] == 0.125 and r["seeds"] == 2
    for spec, row in r["table"].items():
        assert row["runs"] == 2 == row["done"] + row["diverged"] + row["no_progress"]
        assert len(row["outside_radius"]["end"]) == 4
        assert row["activation"]["radius"] == 8.0
    assert r["table"]["relu-chebyshev:8"]["activation"]["spec"] == "relu-chebyshev:8@8"


def test_one_spec_means_one_polynomial_in_every_command(capsys, tmp_path):
    from algebra.activation import parse_activation

    spec = "relu-minimax:4"
    algebra = parse_activation(spec).float_coefficients()
    code, out, err = run(capsys, "train", "--activation", spec, "--epochs", "1", "--n-train", "40",
                         "--width-mult", "0.125", "--out", str(tmp_path / "t"), "--json")
    trained = json.loads(out)
    assert trained["config"]["model"]["activation"] == algebra
    assert trained["activation"]["spec"] == "relu-minimax:4@8" and trained["config"]["model"]["radius"] == 8.0
    code, out, err = run(capsys, "experiment", "overparam", "--scale", "micro", "--activation", spec,
                         "--out", str(tmp_path / "x"), "--json")
    experiment = json.loads((tmp_path / "x" / "experiment.json").read_text())
    assert experiment["activation"] == algebra and experiment["radius"] == 8.0
    code, out, err = run(capsys, "export", "--activation", spec, "--out", str(tmp_path / "s.phc"), "--json")
    assert json.loads(out)["config"]["activation"] == "relu-minimax:4@8", out


def test_radius_auto_is_measured_on_the_relu_network_and_recorded(capsys, tmp_path):
    from bridge.activation_specs import AUTO_MARGIN

    code, out, err = run(capsys, "train", "--activation", "relu-chebyshev:4", "--radius", "auto", "--epochs", "1",
                         "--n-train", "60", "--width-mult", "0.125", "--seed", "2", "--out", str(tmp_path / "t"),
                         "--json")
    r = json.loads(out)
    radius = r["activation"]["radius"]
    assert r["activation"]["spec"] == f"relu-chebyshev:4@{radius:g}" and (2 * radius).is_integer()
    # the same initialization, measured directly: the ReLU run's largest activation input at epoch 0
    code, out, err = run(capsys, "train", "--activation", "relu", "--epochs", "1", "--n-train", "60",
                         "--width-mult", "0.125", "--seed", "2", "--out", str(tmp_path / "r"), "--json")
    peak = max(json.loads((tmp_path / "r" / "index.json").read_text())["checkpoints"][0]["peak_input"])
    assert radius - 0.5 < AUTO_MARGIN * peak <= radius


def test_training_commands_report_divergence_and_no_progress(capsys, tmp_path):
    code, out, err = run(capsys, "experiment", "sgd-stages", "--scale", "micro", "--activation", "monomial:40",
                         "--out", str(tmp_path / "x"), "--json")
    assert code == 1 and "non-finite" in err and "Traceback" not in err
    r = json.loads(out)
    assert r["status"] == "diverged" and "interpolation_barrier_near" not in r
    code, out, err = run(capsys, "train", "--activation", "relu-chebyshev:4@1", "--epochs", "1", "--n-train", "100",
                         "--width-mult", "0.25", "--out", str(tmp_path / "t"), "--json")
    r = json.loads(out)
    assert code == 1 and r["status"] == "no progress" and "chance" in err
    assert "outside [-1, 1]" in err and err.count("warning") == 1  # the range warning, once
    assert max(r["outside_radius"]["end"]) > 0.01
    assert json.loads((tmp_path / "t" / "result.json").read_text())["status"] == "no progress"


@pytest.mark.parametrize("argv, fragment", [
    (["train", "--radius", "inf"], "--radius must be"),
    (["train", "--radius", "0"], "--radius must be"),
    (["train", "--activation", "relu", "--clamp"], "not to relu"),
    (["train", "--activation", "relu-minimax:4@3", "--radius", "2"], "give one of them"),
    (["compare", "--preset", "figure3"], "invalid choice"),
    (["compare", "--radius", "nan", "--seeds", "1"], "--radius must be"),
    (["experiment", "sgd-stages", "--radius", "auto"], "not offered"),
    (["approx", "--degree", "3", "--radius", "1e-308"], "--radius must be"),
    (["bounds", "--activation", "relu-minimax:3", "--radius", "-1"], "--radius must be"),
])
def test_radius_and_clamp_bad_input(capsys, tmp_path, argv, fragment):
    code, out, err = run(capsys, *argv, "--out", str(tmp_path / "o"))
    assert code == 2 and fragment in err and out == "" and "Traceback" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv, fragment", [
    (["compare", "--activations", "relu,tanh", "--seeds", "1"], "unknown activation"),
    (["compare", "--seeds", "0"], "--seeds: must be an integer in [1, 100]"),
    (["compare", "--network", "resnet"], "invalid choice"),
    (["compare", "--data", "cifar10", "--root", "/nonexistent", "--seeds", "1"], "CIFAR-10 not found"),
    (["study", "--device", "cuda:3"], "no CUDA device"),
])
def test_compare_and_study_bad_input(capsys, tmp_path, argv, fragment):
    extra = ["--out", str(tmp_path / "o")]
    code, out, err = run(capsys, *argv, *extra)
    assert code == 2 and fragment in err and out == ""


def test_plot_of_a_damaged_folder_is_one_line(capsys, tmp_path):
    (tmp_path / "summary.json").write_text("{not json")
    code, out, err = run(capsys, "plot", str(tmp_path))
    assert code == 2 and "damaged" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_plot_of_a_folder_with_nothing_to_draw_is_one_line(capsys, tmp_path):
    (tmp_path / "summary.json").write_text("{}")
    code, out, err = run(capsys, "plot", str(tmp_path))
    assert code == 2 and "no data file there has anything to draw" in err
    assert out == "" and len(err.strip().splitlines()) == 1


def test_critical_set_command_splits_the_critical_set(capsys, tmp_path):
    code, out, err = run(capsys, "critical-set", "--network", "dense", "--widths", "1,1,1", "--activation", "linear",
                         "--no-bias", "--out", str(tmp_path / "cs"))
    assert code == 0, err
    assert "eps -> 0: zero loss 4, isolated, non-zero loss 1" in out and "saddle-1" in out
    assert "degree 2 (complete by the trace test)" in out and "Proposition 1: 0 local minima of non-zero loss" in out
    r = json.loads((tmp_path / "cs" / "result.json").read_text())
    assert r["proposition_1"]["holds"] is True and r["config"]["method"] == "total-degree"


@pytest.mark.parametrize("argv, fragment", [
    (["--stall", "3"], "--stall and --no-completeness apply to --method monodromy"),
    (["--no-completeness"], "--stall and --no-completeness apply to --method monodromy"),
    (["--data", "1:2"], "one number of data points"),
    (["--max-paths", "10"], "use --method monodromy"),
])
def test_critical_set_bad_input(capsys, argv, fragment):
    code, out, err = run(capsys, "critical-set", *argv)
    assert code == 2 and fragment in err and out == "", err


def test_solve_and_critical_report_the_orbits_of_a_symmetric_loss(capsys):
    # two squared units, L2 weight 0.5 everywhere: unit swaps and sign flips act, 33 critical
    # points in 9 orbits (the origin and 8 of size 4); random L2 weights break them
    net = ["--network", "dense", "--widths", "1,2,1", "--activation", "monomial:2", "--no-bias", "--data", "2"]
    code, out, _ = run(capsys, "solve", *net, "--system", "critical", "--l2", "0.5", "--json")
    sym = json.loads(out)["verification"]["symmetry"]
    assert code == 0 and sym["acts"] and (sym["solutions"], sym["orbits"], sym["added"]) == (33, 9, 0)
    code, out, _ = run(capsys, "solve", *net, "--system", "critical", "--l2", "0.5", "--method", "monodromy")
    assert code == 0 and "33 solutions in 9 orbits" in out
    code, out, _ = run(capsys, "critical", *net, "--l2", "random")
    assert code == 0 and "breaks the network's symmetries" in out
    # the random lambdas keep the sign flips: monodromy twists its loops by them
    code, out, _ = run(capsys, "solve", *net, "--system", "critical", "--l2", "random", "--method", "monodromy",
                       "--json")
    r = json.loads(out)
    assert code == 0 and r["solutions"] == 33 and r["symmetries"] == ["layer 1: flip unit 1", "layer 1: flip unit 2"]
    assert 0 < r["twisted_loops"] < r["loops"] and r["final"]["images_added"] == 0


def test_solve_gauge_fixes_the_unregularized_critical_system_and_says_so(capsys):
    net = ["--network", "dense", "--widths", "1,1,1", "--activation", "monomial:3", "--no-bias", "--data", "1",
           "--system", "critical"]
    code, out, _ = run(capsys, "solve", *net)
    assert code == 0 and out.startswith("gauge fixed: w1_1_1 = 1") and "1 solution (1 regular, 0 singular), 1 real" in out and "\n  certified:" in out
    code, out, _ = run(capsys, "solve", *net, "--no-gauge", "--json")
    r = json.loads(out)
    assert code == 0 and r["config"]["gauge"] is None and r["solutions"] == 0 and r["positive_dimensional"] > 0
    code, out, _ = run(capsys, "solve", *net, "--l2", "random", "--json")  # L2 breaks the rescalings: no gauge
    assert code == 0 and json.loads(out)["config"]["gauge"] is None


def test_solve_starts_from_a_member_an_earlier_solve_wrote(capsys, tmp_path):
    net = ["--network", "dense", "--widths", "1,1,1", "--activation", "monomial:3", "--no-bias", "--data", "1",
           "--system", "critical"]
    code, out, err = run(capsys, "solve", *net, "--start-from", str(tmp_path / "none"))
    assert code == 2 and "no system.phc there" in err and out == ""
    code, _, _ = run(capsys, "solve", *net, "--complex-data", "--seed", "5", "--start", "polyhedral",
                     "--out", str(tmp_path / "member"))
    assert code == 0 and (tmp_path / "member" / "system.phc").is_file()
    code, out, _ = run(capsys, "solve", *net, "--start-from", str(tmp_path / "member"), "--json")
    r = json.loads(out)
    assert code == 0 and r["start"]["kind"] == "parameter" and r["start"]["bound"] == 1
    assert r["solutions"] == 1 and r["verification"]["method"] == "root-count-attained"
    code, out, err = run(capsys, "solve", "--network", "tree", "--data", "2", "--slice",
                         "--start-from", str(tmp_path / "member"))
    assert code == 2 and "another family" in err
    code, out, err = run(capsys, "solve", *net, "--method", "monodromy", "--start-from", str(tmp_path / "member"))
    assert code == 2 and "--start-from: applies to --method homotopy" in err and out == ""


def test_critical_by_monodromy_and_its_refusals(capsys):
    base = ["critical", "--network", "dense", "--widths", "1,2,1", "--activation", "monomial:2", "--no-bias",
            "--data", "2", "--l2", "random"]
    code, out, err = run(capsys, *base, "--method", "monodromy", "--json")
    r = json.loads(out)
    assert code == 0 and r["solve"]["certified"] and r["config"]["method"] == "monodromy"
    assert r["complex_nonsingular"] == r["solve"]["generic_count"] == 33 and r["minima"] >= 1
    for extra in (["--max-paths", "10"], ["--verify", "none"], ["--workers", "1"]):
        code, out, err = run(capsys, *base, "--method", "monodromy", *extra)
        assert code == 2 and "to --method homotopy" in err and out == ""
    for extra in (["--stall", "3"], ["--no-completeness"]):
        code, out, err = run(capsys, *base, *extra)
        assert code == 2 and "apply to --method monodromy" in err


@pytest.mark.parametrize("text", ["1_0", " 3 ", "\uff13", "3.0", "0x3"])
def test_integer_options_take_plain_ascii_digits_only(capsys, text):
    code, out, err = run(capsys, "dimension", "--data", "1", "--starts", text)
    assert code == 2 and out == "" and "must be an integer" in err and len(err.strip().splitlines()) == 1
    # --data's counts too (they went through int(): '1_0' was 10)
    code, out, err = run(capsys, "bounds", "--data", text)
    assert code == 2 and out == "" and "does not parse" in err and len(err.strip().splitlines()) == 1


MONODROMY_CRITICAL = ("solve", "--system", "critical", "--network", "dense", "--widths", "1,2,1", "--activation",
                      "monomial:2", "--no-bias", "--data", "1", "--l2", "random", "--method", "monodromy", "--json")


def test_a_monodromy_count_with_out_goes_on_from_its_saved_stages(capsys, tmp_path):
    """A count killed after its loops (their state saved, the trace test's not) and started
    again with the same command ends as the count that was never stopped; the folder refuses
    another configuration, and a damaged state is one line."""
    code, out, _ = run(capsys, *MONODROMY_CRITICAL, "--out", str(tmp_path / "a"))
    assert code == 0
    whole = json.loads(out)
    saved = sorted(p.name for p in (tmp_path / "a" / "checkpoint").iterdir())
    assert saved == ["extra-0.npz", "loops.npz"] and whole["certified"]
    # as if killed by kill -9 during the trace test: its extra witnesses and the result gone
    (tmp_path / "a" / "checkpoint" / "extra-0.npz").unlink()
    (tmp_path / "a" / "result.json").unlink()
    code, out, _ = run(capsys, *MONODROMY_CRITICAL, "--out", str(tmp_path / "a"))
    again = json.loads(out)
    keys = ("generic_count", "growth", "loops", "paths_tracked", "certified", "completeness")
    assert code == 0 and {k: again[k] for k in keys if k != "completeness"} == {k: whole[k] for k in keys[:-1]}
    assert again["completeness"]["defect"] == whole["completeness"]["defect"]
    code, _, err = run(capsys, *MONODROMY_CRITICAL, "--seed", "1", "--out", str(tmp_path / "a"))
    assert code == 2 and "another configuration" in err and len(err.strip().splitlines()) == 1
    (tmp_path / "a" / "checkpoint" / "loops.npz").write_bytes(b"torn")
    code, _, err = run(capsys, *MONODROMY_CRITICAL, "--out", str(tmp_path / "a"))
    assert code == 2 and "damaged" in err and len(err.strip().splitlines()) == 1


def test_a_monodromy_count_killed_with_sigkill_resumes_to_the_same_count(tmp_path):
    """kill -9 as soon as the loops' state is on disk, then the same command again."""
    import signal
    import time

    argv = [sys.executable, "-m", "bridge.cli", *MONODROMY_CRITICAL]
    whole = json.loads(subprocess.run([*argv, "--out", str(tmp_path / "whole")], capture_output=True, text=True,
                                      check=True, cwd=ROOT).stdout)
    proc = subprocess.Popen([*argv, "--out", str(tmp_path / "k")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=ROOT)
    state = tmp_path / "k" / "checkpoint" / "loops.npz"
    while proc.poll() is None and not state.exists():
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL and state.exists()  # killed before it finished
    again = json.loads(subprocess.run([*argv, "--out", str(tmp_path / "k")], capture_output=True, text=True,
                                      check=True, cwd=ROOT).stdout)
    for key in ("generic_count", "growth", "loops", "paths_tracked", "certified"):
        assert again[key] == whole[key], key


def test_a_budget_applies_to_monodromy_only_and_must_be_positive(capsys):
    for extra, fragment in ((("--budget", "0"), "--budget"), (("--budget", "nan"), "--budget")):
        code, _, err = run(capsys, *MONODROMY_CRITICAL, *extra)
        assert code == 2 and fragment in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "critical-set", "--network", "dense", "--widths", "1,1,1", "--activation", "linear",
                       "--no-bias", "--budget", "10")
    assert code == 2 and "--budget applies to --method monodromy" in err
    code, out, _ = run(capsys, *MONODROMY_CRITICAL, "--budget", "1e-9")
    r = json.loads(out)
    assert code == 0 and not r["certified"] and "time budget" in r["why"]
    small = ("--network", "dense", "--widths", "1,1,1", "--activation", "linear", "--no-bias", "--data", "1",
             "--method", "monodromy", "--budget", "1e-9", "--json")
    code, out, _ = run(capsys, "critical", *small, "--l2", "random")
    assert code == 0 and "time budget" in json.loads(out)["solve"]["why"]
    code, out, _ = run(capsys, "critical-set", *small, "--no-degree")
    r = json.loads(out)
    assert code == 0 and "time budget" in r["regularized"]["why"] and r["proposition_1"]["holds"] is None


def test_export_onto_a_fifo_is_one_line_and_leaves_it(capsys, tmp_path):
    fifo = tmp_path / "f.phc"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "export", "--data", "3", "--slice", "--out", str(fifo))
    assert code == 2 and "not a regular file but a FIFO" in err and len(err.strip().splitlines()) == 1
    assert fifo.is_fifo()


def test_a_reader_that_leaves_early_is_no_error(tmp_path):
    """`landscape bounds ... | true`: the reader is gone before the first line (EPIPE on the
    write); no "Broken pipe" message, no traceback."""
    proc = subprocess.run(f"{sys.executable} -m bridge.cli bounds --data 1:13 | true", shell=True, cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.stderr == ""


def test_sigterm_ends_a_command_with_one_line_and_its_status(tmp_path):
    """As Ctrl-C does: one line on stderr, exit 143, the folder released (the same command
    may run there again at once)."""
    import signal
    import time

    argv = [sys.executable, "-m", "bridge.cli", "critical-set", "--network", "tree", "--method", "monodromy",
            "--data", "1", "--out", str(tmp_path / "t")]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    while proc.poll() is None and not (tmp_path / "t" / ".landscape.lock").exists():
        time.sleep(0.05)
    time.sleep(1.0)  # inside the count
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 143 and err.strip() == "landscape: terminated (SIGTERM)"


def test_witness_of_more_equations_than_unknowns_answers_instead_of_refusing(capsys):
    """f = w x + b through 3 generic points: 3 equations of rank 2 in 2 unknowns, no solution
    (it used to be refused as 'use cascade')."""
    code, out, err = run(capsys, "witness", "--network", "dense", "--widths", "1,1", "--activation", "linear",
                         "--data", "3", "--json")
    r = json.loads(out)
    assert code == 0 and r["dimension"] == -1 and "rank 2" in r["notes"][0]


def test_a_bad_plotting_backend_or_a_closed_stdout_is_handled(tmp_path):
    """MPLBACKEND=nonsense made every command that draws end in matplotlib's traceback; a
    command started with its stdout closed and no --out exited 0 with the result gone."""
    import os as _os

    env = {**_os.environ, "MPLBACKEND": "nonsense"}
    proc = subprocess.run([sys.executable, "-m", "bridge.cli", "bounds", "--data", "1:3", "--out", str(tmp_path / "b")],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr and (tmp_path / "b" / "result.json").exists()
    proc = subprocess.run(f"{sys.executable} -m bridge.cli bounds --data 3 --json >&-", shell=True, cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "standard output is closed" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_terminal_that_cannot_show_a_character_gets_an_escape(tmp_path):
    import os as _os

    env = {**_os.environ, "LANG": "C", "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run([sys.executable, "-m", "bridge.cli", "bounds", "--data", "1:3", "--out", str(tmp_path / "é")],
                          cwd=ROOT, env=env, capture_output=True, text=True, encoding="ascii", errors="replace")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr and "\\xe9" in proc.stdout
    assert (tmp_path / "é" / "result.json").exists()


@pytest.mark.parametrize("argv, plot", [
    (["dimension", "--data", "1:2"], "dimension_plot"),
    (["approx", "--kind", "minimax", "--degree", "4"], "approximant_plots"),
    (["solve", "--network", "dense", "--widths", "1,2,1", "--activation", "monomial:2", "--no-bias", "--data", "1",
      "--slice", "--method", "monodromy"], "growth_plot"),
])
def test_a_plot_that_cannot_be_written_leaves_the_result_written(argv, plot, capsys, tmp_path, monkeypatch):
    # result.json first, the pictures after: a full disk while drawing costs the picture only
    import bridge.plots

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bridge.plots, plot, full)
    code, out, err = run(capsys, *argv, "--out", str(tmp_path / "run"))
    assert code != 0 and "No space left" in err and len(err.strip().splitlines()) == 1
    assert json.loads((tmp_path / "run" / "result.json").read_text())["config"]["command"] == argv[0]


def test_float64_overflow_in_dimension_is_one_line_a_kind(capsys):
    # degree 32 (five monomial:2 layers): numpy's RuntimeWarnings, with their source lines, used
    # to reach the terminal; the exact ranks do not overflow
    code, out, err = run(capsys, "dimension", "--network", "dense", "--widths", "2,3,3,4,4,2,1", "--activation",
                         "monomial:2", "--no-bias", "--data", "33", "--json")
    r = json.loads(out)
    assert code == 0 and r["consistent"] and "RuntimeWarning" not in err
    assert all(line.startswith("landscape: warning: float64 arithmetic:") for line in err.strip().splitlines())
    assert r["warnings"] and all("overflow" in w for w in r["warnings"])
