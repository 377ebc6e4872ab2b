"""Failed paths tracked again in higher precision (algebra.continuation.precise): refusals and
budgets first, then a cusp whose multiple point double precision must call singular, the
precise tracker against double precision on paths both can finish, and paths that only the
higher precision finishes."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from algebra.activation import SpecError
from algebra.continuation.backend import backend
from algebra.continuation.engine import choose_start
from algebra.continuation.homotopy import StraightLineHomotopy, chart_for
from algebra.continuation.paths import STATUSES, precise_ends, run_paths
from algebra.continuation.precise import PreciseHomotopy, PreciseOptions
from algebra.continuation.tracker import TrackerOptions
from algebra.phcfile import parse_phc
from algebra.solve import gamma_for, solve

# x (resp. y, z) times the unit sphere, with isolated points off it: 4 isolated solutions, a
# surface that takes 44 of the 48 paths, and (at seed 0) 5 paths whose endgame fails in double
SPHERE = "3\nx*(x^2+y^2+z^2-1);\ny*(x^2+y^2+z^2-1)*(y-2);\nz*(x^2+y^2+z^2-1)*(z+3);\n"
# Plain double precision: these tests are about what the 160-bit retrack does with paths that
# fail there; with the kernel's double-double residual (on by default) the sphere's paths
# all end in double (test_double_double_finishes_the_paths_the_retrack_was_for)
DOUBLE = TrackerOptions(extended=False)
# six points of multiplicity 8: one of its 48 paths fails in double-double too at seed 0
SIX = "2\n(x^2 + y^2 - 5)^2;\n((y - 1)*(y + 1)*(x - 1))^4;\n"
# the origin is a point of multiplicity 7, reached by 7 paths in one cycle of winding number 7
CUSP = "2\nx^3 - y^2;\nx^2*y - y^3 + x^4;\n"


def _homotopy(text: str, seed: int = 0):
    system = parse_phc(text)
    st_, _ = choose_start(system, "total-degree", seed, 10 ** 6)
    hom = StraightLineHomotopy(system, st_.system, gamma_for(seed, 0), chart_for(system.n_variables + 1, seed),
                               backend())
    return hom, st_.at(np.arange(st_.count))


# --- refusals and budgets --------------------------------------------------------------------

def test_our_engine_refuses_phcpacks_precision_names_and_a_negative_budget():
    s = parse_phc(CUSP)
    with pytest.raises(SpecError, match="precision dd is PHCpack's"):
        solve(s, precision="dd", verify=False)
    with pytest.raises(SpecError, match="precise_steps must be a whole number of steps >= 0"):
        solve(s, precise_steps=-1, verify=False)
    with pytest.raises(SpecError, match="precise_steps"):
        solve(s, precise_steps=True, verify=False)
    with pytest.raises(SpecError, match="precise_steps"):
        solve(s, precise_steps=2.5, verify=False)


def test_homotopies_without_a_precise_form_have_none():
    assert PreciseHomotopy.of(object()) is None
    hom, _ = _homotopy(CUSP)
    assert isinstance(PreciseHomotopy.of(hom), PreciseHomotopy)


def test_a_spent_budget_leaves_every_path_failed_and_says_why():
    hom, starts = _homotopy(CUSP)
    for options in (PreciseOptions(path_steps=0), PreciseOptions(run_work=1)):
        out = precise_ends(hom, hom.lift(starts[:3]), options)
        assert list(out.status) == ["failed"] * 3
        assert all("budget was spent" in w for w in out.why)
    out = precise_ends(hom, hom.lift(starts[:3]), PreciseOptions(path_steps=2))
    assert all("steps ran out" in w or "underflow" in w for w in out.why)
    assert np.all(out.bits == 160)


# --- tiny exact cases -------------------------------------------------------------------------

def test_a_cusp_point_reached_by_a_cycle_of_paths_is_singular_with_its_winding_number():
    # every gradient term vanishes with the point: its rows, normalized, look well-conditioned,
    # and the limit of a 7-cycle used to be called a failure ("loops enclosed a branch point")
    r = solve(parse_phc(CUSP), verify=False, seed=0, precise_steps=0)
    assert (r.nfinite, r.singular_paths, r.nat_infinity, r.nfailed) == (2, 7, 3, 0)
    assert (r.nsolutions, r.nsingular, r.multiplicities()) == (3, 1, [1, 1, 7])
    singular = [p for p in r.paths if p.status == "singular"]
    assert {p.winding for p in singular} == {7}
    assert max(np.max(np.abs(p.solution)) for p in singular) < 1e-8
    assert {p.multiplicity for p in singular} == {7}


# --- cross-checks -----------------------------------------------------------------------------

def test_the_precise_tracker_ends_paths_where_double_precision_ends_them():
    # 3 regular solutions and one at infinity: the same classes, the same points
    hom, starts = _homotopy("2\nx^2 - y;\nx*y - 2;\n")
    double = run_paths(hom, starts, DOUBLE, precise=None)
    precise = precise_ends(hom, hom.lift(starts), PreciseOptions())
    assert list(precise.status) == list(double.status)
    assert sorted(double.status) == ["finite"] * 3 + ["infinity"]
    finite = double.status == "finite"
    assert np.allclose(precise.affine[finite], double.affine[finite], atol=1e-10)
    x = precise.affine[finite]
    assert np.allclose(x[:, 0] ** 2, x[:, 1]) and np.allclose(x[:, 0] * x[:, 1], 2)


def test_paths_that_fail_in_double_precision_end_in_higher_precision():
    hom, starts = _homotopy(SPHERE)
    double = run_paths(hom, starts, DOUBLE, precise=None)
    failed = np.flatnonzero(double.status == "failed")
    assert len(failed) > 0, "the case no longer fails in double precision: pick another"
    both = run_paths(hom, starts, DOUBLE)
    assert both.counts()["failed"] == 0
    assert sum(both.counts().values()) == len(starts)
    assert set(np.flatnonzero(both.bits == 160)) == set(failed)
    assert set(both.status[failed]) == {"singular"}  # on the sphere
    # the double ends are untouched
    rest = np.setdiff1d(np.arange(len(starts)), failed)
    assert list(both.status[rest]) == list(double.status[rest])
    r = solve(parse_phc(SIX), verify=False, seed=0)
    assert r.nfailed == 0 and r.multiplicities() == [8] * 6
    assert any("1 paths that failed in double precision were tracked again in 160-bit" in n for n in r.notes)


def test_double_double_finishes_the_paths_the_retrack_was_for():
    hom, starts = _homotopy(SPHERE)
    ends = run_paths(hom, starts, precise=None)
    assert ends.counts()["failed"] == 0 and ends.extended.any()


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 300), st.integers(0, 100_000))
def test_whatever_the_budget_every_path_ends_in_one_class_and_failures_say_why(steps, work):
    hom, starts = _homotopy(SPHERE)
    out = run_paths(hom, starts, DOUBLE, precise=PreciseOptions(path_steps=steps, run_work=work))
    counts = out.counts()
    assert set(counts) == set(STATUSES) and sum(counts.values()) == len(starts)
    assert all(out.why[i] for i in np.flatnonzero(out.status == "failed"))


def test_lone_singular_endpoints_beyond_krawczyks_share_are_named(monkeypatch):
    # three endpoints called singular, each reached by one path, at the regular roots of
    # x^2 - 2: the test proves the first two (its share, patched to 2) and says the third
    # was not tried, instead of leaving it silently singular
    from algebra.continuation import engine
    from algebra.solve import Path

    monkeypatch.setattr(engine, "LONE_PROOFS", 2)
    r = np.sqrt(2.0)
    paths = [Path(k, np.array([v + 0j]), "singular", 0.0, 1e13, 1, 1.0 + 0j, "d") for k, v in enumerate((r, -r, r))]
    notes = []
    assert engine.prove_lone(parse_phc("1\nx^2 - 2;\n"), paths, notes) == 2
    assert [p.status for p in paths] == ["finite", "finite", "singular"]
    assert any("1 more singular endpoints reached by one path each were not tried" in n for n in notes)


def test_forked_processes_end_every_path_as_one_process_does():
    from algebra.continuation.tracker import limit_threads

    hom, starts = _homotopy(SPHERE)
    double = run_paths(hom, starts, DOUBLE, precise=None)
    failed = np.flatnonzero(double.status == "failed")
    z0 = hom.lift(starts[failed])
    ends = []
    for threads in (1, 2):
        with limit_threads(threads):
            ends.append(precise_ends(hom, z0, PreciseOptions(), resume=double.resume[failed],
                                     resume_tau=double.resume_tau[failed]))
    one, two = ends
    assert list(one.status) == list(two.status) and list(one.winding) == list(two.winding)
    assert list(one.steps) == list(two.steps)
    np.testing.assert_array_equal(one.chart, two.chart)


def test_the_retrack_budget_is_the_same_on_one_core_and_on_two():
    # budgets in steps, spent by fixed blocks of paths: neither load nor cores change a result
    from algebra.continuation.tracker import limit_threads

    hom, starts = _homotopy(SPHERE)
    ends = []
    for threads in (1, 2):
        with limit_threads(threads):
            ends.append(run_paths(hom, starts, DOUBLE, precise=PreciseOptions(run_work=20_000)))
    a, b = ends
    assert list(a.status) == list(b.status) and np.array_equal(a.steps, b.steps) and a.why == b.why
