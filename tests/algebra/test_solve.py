"""Homotopy continuation: bad input, exact small cases, standard systems with known counts,
reproducibility, path accounting, and msolve as the independent real count."""
import numpy as np
import pytest

from algebra.activation import SpecError, parse_activation
from algebra.examples import cyclic, katsura
from algebra.msolve import parse_output, real_solutions, to_msolve
from algebra.networks import TreeNetwork
from algebra.polys import PolySystem
from algebra.solve import (Path, SolveResult, classify, distinct, relative_residual, solve,
                          system_mixed_volume)
from algebra.systems import from_sympy, make_data, random_slices, zero_loss_system


def _circle_hyperbola():
    import sympy

    x, y = sympy.symbols("x y")
    return from_sympy([x ** 2 + y ** 2 - 4, x * y - 1], ["x", "y"])


# --- bad input ---------------------------------------------------------------------------

def test_non_square_system_is_refused_with_the_way_out():
    s = PolySystem(("x", "y"), np.array([[1, 0], [0, 0]]), np.array([[1.0, -1.0]]))
    with pytest.raises(SpecError, match="--slice.*witness"):
        solve(s)


@pytest.mark.parametrize("kw, fragment", [({"start": "linear"}, "start"), ({"precision": "x"}, "precision"),
                                          ({"workers": 0}, "workers"), ({"verify": "maybe"}, "verify")])
def test_bad_options_name_themselves(kw, fragment):
    with pytest.raises(SpecError, match=fragment):
        solve(_circle_hyperbola(), **kw)


def test_msolve_refuses_complex_coefficients():
    s = PolySystem(("x",), np.array([[1], [0]]), np.array([[1.0, 1j]]))
    with pytest.raises(SpecError, match="complex"):
        to_msolve(s)


# --- exact small cases ----------------------------------------------------------------

def test_classification_of_endpoints():
    s = PolySystem(("x",), np.array([[2], [0]]), np.array([[1.0, -4.0]]))
    assert classify(s, np.array([2.0 + 0j]), 1.0, 0.5, 1)[0] == "finite"
    assert classify(s, np.array([2.0 + 0j]), 1.0, 1e-12, 1)[0] == "singular"
    assert classify(s, np.array([3.0 + 0j]), 1.0, 0.5, 1)[0] == "failed"      # not a solution
    assert classify(s, np.array([2.0 + 0j]), 0.5, 0.5, 1)[0] == "failed"      # stopped early
    assert classify(s, np.array([5e3 + 0j]), 0.999, 0.5, 1)[0] == "infinity"  # stopped, blowing up
    assert classify(s, np.array([1e9 + 0j]), 1.0, 0.5, 1)[0] == "infinity"


def test_residual_is_scale_free_and_survives_zero_coordinates():
    s = PolySystem(("x", "y"), np.array([[1, 1], [0, 1]]), np.array([[1.0, 1.0]]))  # xy + y
    assert relative_residual(s, np.array([5.0, 1e-33])) < 1e-30
    t = PolySystem(s.variables, s.monomials, s.coefficients * 1e6)
    x = np.array([0.3, 0.2])
    assert relative_residual(s, x) == pytest.approx(relative_residual(t, x))


def test_failed_paths_are_counted_and_the_identity_holds():
    paths = [Path(i, np.array([1.0 + 0j]), st, 0.0, 1.0, 1, 1.0, "d")
             for i, st in enumerate(["finite", "failed", "infinity", "singular", "failed"])]
    r = SolveResult(("x",), paths, paths[:1], {"kind": "total-degree"}, 0, "d", [], {}, 0.0)
    assert (r.nfinite, r.nfailed, r.nat_infinity, r.singular_paths) == (1, 2, 1, 1)
    assert r.nfinite + r.nfailed + r.nat_infinity + r.singular_paths == r.npaths
    assert not r.certified


def test_circle_and_hyperbola_four_real_solutions(phc_ready):
    r = solve(_circle_hyperbola(), start="total-degree", verify=False)
    assert (r.npaths, r.nsolutions, r.nreal, r.nfailed) == (4, 4, 4, 0)
    assert r.certified and r.verification["method"] == "root-count-attained"
    for x in r.real_solutions():
        assert x[0] ** 2 + x[1] ** 2 == pytest.approx(4) and x[0] * x[1] == pytest.approx(1)


def test_filter_and_accessors_agree(phc_ready):
    import sympy

    x, y = sympy.symbols("x y")
    s = from_sympy([x ** 2 + 1, y ** 2 - 1], ["x", "y"])  # 4 solutions, none real
    r = solve(s, verify=False)
    assert r.nsolutions == 4 and r.nreal == 0 and len(r.solutions(only_real=True)) == 0
    assert r.solutions().shape == (4, 2)


def test_at_infinity_paths_are_reported(phc_ready):
    import sympy

    x, y = sympy.symbols("x y")
    s = from_sympy([x * y - 1, x - 2], ["x", "y"])  # total degree 2, one finite solution
    r = solve(s, start="total-degree", verify=True)
    assert (r.npaths, r.nsolutions, r.nat_infinity) == (2, 1, 1)
    assert r.verdict == "probability-one" and r.verification["method"] == "independent-runs"
    assert np.allclose(r.solutions()[0], [2, 0.5])


def test_distinct_merges_close_points():
    pts = [np.array([1.0, 2.0]), np.array([1.0 + 1e-10, 2.0]), np.array([1.0, 2.1])]
    assert distinct(pts) == [0, 2]


# --- standard systems with known counts ----------------------------------------------------

def test_katsura_6_has_64_solutions_32_real(phc_ready):
    r = solve(katsura(6), seed=3)
    assert r.nsolutions == 64 and r.nreal == 32 and r.certified
    assert r.start["kind"] == "total-degree"  # mixed volume = total degree: auto picks the cheap start


def test_cyclic_5_has_70_solutions(phc_ready):
    r = solve(cyclic(5), start="total-degree")
    assert (r.npaths, r.nsolutions, r.nat_infinity) == (120, 70, 50)
    assert r.verdict == "probability-one"
    p = solve(cyclic(5), engine="phcpack", start="polyhedral", verify=False)
    assert (p.npaths, p.nsolutions) == (70, 70)
    # no constant term in four equations: PHCpack's torus-only polyhedral paths cannot
    # certify completeness (ours add the origin to every support, and can)
    assert not p.certified


def test_polyhedral_count_of_katsura_misses_zero_coordinates_and_says_so(phc_ready):
    r = solve(katsura(6), engine="phcpack", start="polyhedral")
    assert r.nsolutions == 54 < 64 and not r.certified
    assert "zero coordinate" in r.verification["why"]
    ours = solve(katsura(6), start="polyhedral")
    assert ours.npaths == ours.nsolutions == 64 and ours.verdict == "probability-one"


def test_same_seed_same_result_and_seed_recorded(phc_ready):
    a = solve(katsura(4), start="polyhedral", seed=5, verify=False)
    b = solve(katsura(4), start="polyhedral", seed=5, verify=False)
    assert a.seed == 5 and a.runs[0]["gamma"] == b.runs[0]["gamma"]
    assert np.array_equal(a.solutions(), b.solutions())


def test_workers_split_paths_without_changing_them(phc_ready):
    one = solve(katsura(5), engine="phcpack", start="total-degree", workers=1, verify=False)
    two = solve(katsura(5), engine="phcpack", start="total-degree", workers=2, verify=False)
    assert np.allclose(one.solutions(), two.solutions(), atol=1e-10)


def test_toy_tree_network_count_is_the_same_from_two_seeds(phc_ready):
    net = TreeNetwork(units=1, activation=parse_activation("monomial:2"), bias=False)
    s = random_slices(zero_loss_system(net, make_data(net, 2, 0)), net.n_weights - 2, 0)
    counts = [solve(s, seed=seed) for seed in (0, 1)]
    assert [r.nsolutions for r in counts] == [72, 72]
    assert all(r.verdict == "probability-one" for r in counts)
    bkk = system_mixed_volume(s, origin=True)
    assert bkk.agreed and counts[0].nsolutions <= bkk.value <= counts[0].start["total_degree"]


# --- msolve, the exact cross-check ----------------------------------------------------------

def test_msolve_output_parser():
    assert parse_output("[0, [1,\n[]\n]]:")["count"] == 0
    assert parse_output("[1, 3, -1, []]:")["dimension"] == 1
    with pytest.raises(Exception, match="unexpected"):
        parse_output("import os")


def test_exact_real_count_agrees_with_msolve(phc_ready):
    r = solve(katsura(4), verify="exact")
    e = r.verification["exact"]
    assert e["agree"] and e["msolve_real"] == r.nreal == 12


def test_msolve_on_a_curve_says_positive_dimension():
    from algebra.examples import twisted_cubic

    assert real_solutions(twisted_cubic())["dimension"] == 1


def test_projective_chart_turns_diverging_paths_into_endpoints(phc_ready):
    # deep linear critical system: PHCpack's affine tracker loses paths that diverge slowly;
    # in its projective chart every path reaches t = 1, and our engine (always in a chart)
    # ends every path; the regular solutions are the same three ways
    from algebra.networks import DenseNetwork
    from algebra.systems import critical_system, make_data

    net = DenseNetwork((1, 2, 1), "linear", bias=False)
    g = critical_system(net, make_data(net, 2, seed=1), "random", seed=1)
    affine = solve(g, engine="phcpack", start="total-degree", verify=False, seed=1)
    chart = solve(g, engine="phcpack", start="total-degree", projective=True, verify=False, seed=1)
    ours = solve(g, start="total-degree", verify=False, seed=1)
    assert chart.npaths == affine.npaths == ours.npaths == 81
    assert all(abs(p.t - 1) < 1e-8 for p in chart.paths)
    assert chart.nfailed < affine.nfailed and ours.nfailed == 0
    assert chart.nsolutions == affine.nsolutions == ours.nsolutions == 9
    for other in (chart, ours):
        a, b = affine.solutions(), other.solutions()
        gaps = np.abs(a[:, None, :] - b[None, :, :]).max(axis=2).min(axis=1)
        assert gaps.max() < 1e-8


def test_projective_needs_total_degree():
    from algebra.examples import katsura

    with pytest.raises(SpecError, match="total-degree"):
        solve(katsura(3), engine="phcpack", start="polyhedral", projective=True)


@pytest.mark.parametrize("precision", ["dd", "qd"])
def test_a_phcpack_precision_whose_tracker_does_not_track_is_refused(phc_ready, precision):
    # phcpy 2.4.86's double double and quad double trackers hand back the start solutions of
    # a system in two or more unknowns untracked (t = 0): every path came out "failed"
    from algebra.examples import katsura

    if phc_ready.tracks_in(precision):
        r = solve(katsura(3), engine="phcpack", precision=precision, verify=False)
        assert r.nsolutions == 8 and r.nfailed == 0
    else:
        with pytest.raises(SpecError, match=f"precision {precision}: .* untracked"):
            solve(katsura(3), engine="phcpack", precision=precision)


# --- solutions with multiplicities, components and verdicts (issue 37) ---------------------------

@pytest.mark.parametrize("text, solutions, multiplicities", [
    ("1\nx^2;\n", 1, [2]),
    ("2\n(x-1)^2*(x-2);\ny - 1;\n", 2, [1, 2]),
    ("1\n(x^2+1)^3*(x-5);\n", 3, [1, 3, 3]),
    ("2\n(x-1)^3;\ny - x;\n", 1, [3]),
    ("2\n(x-1)^2;\n(y-1)^2;\n", 1, [4]),
    ("2\n(x+y+1)^12;\ny - 2;\n", 1, [12]),
    ("2\nx^3 - 3*x*y^2;\n3*x^2*y - y^3;\n", 1, [9]),
    # winding numbers past the Cauchy endgame's loops (16): the cycle endgame, one loop a path
    # (x^20 was "0 solutions, 20 at infinity, complete with probability one")
    ("1\nx^20;\n", 1, [20]),
    ("2\nx^18;\ny^2 - 3*y + 2;\n", 2, [18, 18]),
    # (x - 2^27)^2 (x - 1), y - 1: a double root near 1.3e8 beside a simple one at 1
    ("2\nx^3 - 268435457*x^2 + 18014398777917440*x - 18014398509481984;\ny - 1;\n", 2, [1, 2]),
])
def test_multiple_roots_are_counted_once_with_their_multiplicity(text, solutions, multiplicities):
    from algebra.phcfile import parse_phc

    r = solve(parse_phc(text), seed=0)
    assert r.nsolutions == solutions and sorted(r.multiplicities()) == multiplicities
    assert r.verdict == "probability-one" and not r.certified    # a multiple root is not proved in floats
    a = r.accounting
    assert a["balanced"] and a["multiplicity"] + a["infinity"] + a["failed"] + a["positive_dimensional"] \
        + a["undecided"] == r.npaths


def test_a_90_fold_root_is_never_called_a_component():
    """x^30 - y, y^3: all 90 paths end at the origin in one cycle; its Hilbert function is
    k + 1 up to order 89, like a curve's, and only orders 90 and 91 tell them apart, where the
    Macaulay matrices' ranks are not clear in double precision: undecided, a lower bound
    (it was "90 on positive-dimensional components, complete with probability one")."""
    from algebra.phcfile import parse_phc

    r = solve(parse_phc("2\nx^30 - y;\ny^3;\n"), seed=0, max_runs=1)
    a = r.accounting
    assert a["positive_dimensional"] == 0 and a["undecided"] == 90 and r.verdict == "lower-bound"


def test_a_curve_beside_an_isolated_point_counts_the_point_and_reports_the_curve():
    from algebra.phcfile import parse_phc

    r = solve(parse_phc("2\nx*(x - 2);\nx*(y - 3);\n"), seed=0)
    assert r.nsolutions == 1 and np.allclose(r.solutions()[0], [2, 3])
    assert r.accounting["positive_dimensional"] >= 1 and r.accounting["balanced"]
    assert not r.certified


def test_two_copies_of_a_curve_have_no_isolated_solution():
    from algebra.phcfile import parse_phc

    r = solve(parse_phc("2\nx*y - 1;\nx*y - 1;\n"), seed=0)
    assert r.nsolutions == 0 and r.accounting["positive_dimensional"] == r.npaths and not r.certified


def test_a_huge_but_finite_solution_is_a_solution_not_a_point_at_infinity():
    from algebra.phcfile import parse_phc

    r = solve(parse_phc("2\nx*y - 1;\n10000000000000*y - 1;\n"), seed=0)
    assert r.nsolutions == 1 and abs(r.solutions()[0, 0] - 1e13) < 1e3
    assert r.nat_infinity == 1 and r.verdict == "probability-one"
    # x = 1 and x = 1e13 in one unknown: no scaling brings both near one, the chart's h0 ~ 1e-13 is
    # proved nonzero by Krawczyk's test in 106 bits
    s = parse_phc("2\nx^2 - 10000000000001*x + 10000000000000;\ny - 1;\n")
    for scale in (False, True):
        r = solve(s, seed=0, scale=scale)
        assert r.nsolutions == 2 and r.certified, scale
        assert sorted(r.solutions()[:, 0].real.round()) == [1, 1e13]


def test_a_run_that_misses_solutions_the_same_way_every_time_is_checked_by_another_geometry():
    # pb601 (PHCpack's demo; coefficients 1 to 1.1e16), scaled: three regular solutions (cond 26)
    # at |y| ~ 2e6 whose total-degree paths join those to infinity whatever the gamma, so a
    # second run of that homotopy agreed on 15 of 18; the polyhedral start finds them
    from pathlib import Path

    from algebra.phcfile import parse_phc

    text = (Path(__file__).resolve().parents[2] / "benchmarks" / "suite" / "pb601.phc").read_text()
    r = solve(parse_phc(text), seed=0, start="total-degree")
    assert r.nsolutions == 18 and r.verdict == "probability-one"
    assert r.runs[0].get("start") is None and r.runs[1]["start"] == "polyhedral" and r.runs[1]["new"] == 3
    assert "as runs 1 to 2 together" in r.verification["why"] and "polyhedral start system" in r.verification["why"]
    one = solve(parse_phc(text), seed=0, start="total-degree", verify=False)
    assert one.nsolutions == 15 and "no second run" in one.verification["why"]


def test_verify_exact_compares_msolve_with_the_count_it_prints():
    from algebra.phcfile import parse_phc

    r = solve(parse_phc("2\n(x-1)^2*(x-2);\ny - 1;\n"), seed=0, verify="exact")
    e = r.verification["exact"]
    assert (e["msolve_real"], e["ours_real"], e["agree"]) == (2, 2, True) and r.nreal == 2


def test_verify_exact_says_disagree_when_the_printed_count_is_wrong(monkeypatch):
    from algebra import solve as solve_module
    from algebra.phcfile import parse_phc

    real = solve_module._exact_real_count

    def wrong(system, result):
        result.points = result.points[:1]      # a count one short, injected
        return real(system, result)

    monkeypatch.setattr(solve_module, "_exact_real_count", wrong)
    r = solve(parse_phc("2\n(x-1)^2*(x-2);\ny - 1;\n"), seed=0, verify="exact")
    assert r.verdict == "lower-bound" and r.verification["why"].startswith("DISAGREE")


def test_the_summary_line_says_it_all_and_the_repr_is_short():
    from algebra.phcfile import parse_phc

    r = solve(parse_phc("2\n(x-1)^2*(x-2);\ny - 1;\n"), seed=0)
    assert r.summary_line() == ("3 paths: 2 solutions (1 regular, 1 singular of multiplicity 2), 2 real; "
                                "0 at infinity; 0 failed; complete with probability one")
    assert repr(r).count("\n") == 0 and len(repr(r)) < 200


FAST_EXACT = ("decker1", "decker3", "ojika1", "ojika2", "ojika3", "griewank_osborne", "cbms2",
              "regression_degenerate", "huge13", "span12_5", "h_triple_pair")


@pytest.mark.parametrize("name", FAST_EXACT)
def test_counts_and_multiplicities_against_exact_computer_algebra(name):
    """benchmarks/multiple/: counts made apart by Macaulay2, msolve and sympy (systems.json)."""
    import json
    import os

    from algebra.phcfile import read_phc

    folder = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "multiple")
    with open(os.path.join(folder, "systems.json")) as f:
        entry = {e["name"]: e for e in json.load(f)}[name]
    r = solve(read_phc(os.path.join(folder, entry["file"])), seed=0)
    assert r.nsolutions == entry["distinct"] and sorted(r.multiplicities()) == sorted(entry["multiplicities"])
    assert sum(r.multiplicities()) == entry["with_multiplicity"]
    a = r.accounting
    assert a["multiplicity"] + a["positive_dimensional"] + a["undecided"] + a["infinity"] + a["failed"] == r.npaths
    assert r.verdict != "lower-bound"
    assert r.certified == (entry["with_multiplicity"] == entry["distinct"] == r.npaths)


def test_the_api_names_a_wrong_argument_as_the_command_line_does():
    """Issue 38: these raised AttributeError, made a width of 1.5 a width of 1, took a list of
    coefficients for an empty spec, or ignored the timeout."""
    from algebra.dimension import functional_dimension
    from algebra.networks import DenseNetwork, TreeNetwork
    from algebra.witness import witness

    with pytest.raises(TypeError, match="solve needs a PolySystem"):
        solve(None)
    with pytest.raises(TypeError, match="witness needs a PolySystem"):
        witness(None)
    with pytest.raises(TypeError, match="functional_dimension needs a network"):
        functional_dimension("tree")
    with pytest.raises(SpecError, match="whole number"):
        DenseNetwork((2, 1.5, 1), "linear")
    with pytest.raises(SpecError, match="give a spec such as"):
        TreeNetwork(activation=[0.1, 0.5, 0.3])
    for bad in (0, -1, float("nan"), float("inf"), True):
        with pytest.raises(SpecError, match="timeout must be a positive, finite number"):
            solve(katsura(2), timeout=bad)
