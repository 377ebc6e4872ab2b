"""Polyhedral homotopies tracked by ours (algebra.continuation.polyhedral): the checks that
refuse bad cells, binomial systems solved exactly, start equations matched to the
target's supports, the toric kernel against the array tracker, and start systems whose
solution counts equal their mixed volumes (cyclic-5, katsura-5, a reordered semi-mixed
system), with PHCpack's own solver as the fallback."""
from dataclasses import replace

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

from algebra.continuation import polyhedral as toric, start as starts
from algebra.continuation.backend import backend
from algebra.continuation.compiled import Terms
from algebra.continuation.tracker import DONE, TrackerOptions, track
from algebra.examples import cyclic, katsura
from algebra.polys import PolySystem
from algebra.solve import solve
from algebra.systems import from_sympy

x, y, z = sympy.symbols("x y z")
# two equations share a support, and PHCpack groups equal supports: [B, A, B] comes back as [A, B, B]
SEMI_MIXED = from_sympy([3 * x ** 2 + y ** 2 + z ** 2 - 1, x * y * z + 2 * x - 1, x ** 2 + 5 * y ** 2 + 7 * z ** 2 - 2],
                        ["x", "y", "z"])


def _supports_fit(start: PolySystem, target: PolySystem) -> bool:
    for i in range(target.n_equations):
        theirs = {tuple(m) for m in target.equation(i)[0]} | {(0,) * target.n_variables}
        if not {tuple(m) for m in start.equation(i)[0]} <= theirs:
            return False
    return True


# --- refusals --------------------------------------------------------------------------------

def test_a_support_that_fits_no_free_equation_is_refused():
    t = PolySystem(("x", "y"), np.array([[2, 0], [1, 1], [0, 0]]), np.array([[1.0, 0, 1], [0, 1.0, 1]]))
    with pytest.raises(toric.CellError, match="fits no free target equation"):
        toric.assign([np.array([[2, 0]]), np.array([[2, 0]])], t)


def test_dependent_edges_are_refused():
    with pytest.raises(toric.CellError, match="linearly dependent"):
        toric.binomial(np.array([[1, 2], [2, 4]]), np.array([1.0 + 0j, 1.0]))


def _cells_of(system, seed=1):
    check, cells = toric.mixed_cells(system, seed, None, 120)
    return cells


def test_a_cell_that_is_not_a_lower_facet_is_refused(phc_ready):
    cells = _cells_of(cyclic(5))
    bent = replace(cells, normals=cells.normals + 0.5)
    with pytest.raises(toric.CellError, match="not a lower facet"):
        bent.exponents(0)


def test_cells_whose_volumes_miss_the_mixed_volume_are_refused(phc_ready):
    cells = _cells_of(cyclic(5))
    short = replace(cells, points=cells.points[1:], normals=cells.normals[1:])
    with pytest.raises(toric.CellError, match="add up to"):
        toric.solve_random_system(short, cyclic(5), 0)


# --- binomial systems ----------------------------------------------------------------------

def test_a_binomial_system_by_hand():
    # x^2 y = 1, y^3 = 8: y a cube root of 8, x = +-1/sqrt(y): 6 solutions
    sols = toric.binomial(np.array([[2, 1], [0, 3]]), np.array([1.0 + 0j, 8.0]))
    assert len(sols) == 6
    np.testing.assert_allclose(sols[:, 0] ** 2 * sols[:, 1], 1, atol=1e-12)
    np.testing.assert_allclose(sols[:, 1] ** 3, 8, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(0, 10 ** 6))
def test_binomial_systems_have_det_many_distinct_solutions(n, seed):
    rng = np.random.default_rng(seed)
    edges = rng.integers(-3, 4, (n, n))
    det = round(abs(np.linalg.det(edges)))
    if det == 0:
        return
    b = np.exp(rng.standard_normal(n) + 2j * np.pi * rng.random(n))
    sols = toric.binomial(edges, b)
    assert len(sols) == det
    values = np.prod(sols[:, None, :] ** edges[None, :, :], axis=2)
    np.testing.assert_allclose(values, np.broadcast_to(b, values.shape), rtol=1e-9)
    gaps = np.abs(sols[:, None, :] - sols[None, :, :]).max(axis=2) + np.eye(len(sols))
    assert gaps.min() > 1e-6


# --- the toric homotopy ----------------------------------------------------------------------

def test_the_kernel_takes_the_array_trackers_steps_on_toric_paths(phc_ready):
    s = cyclic(5)
    cells = _cells_of(s)
    rows, points, exps, coefs, group_of_row = toric.random_system(cells, s, 0)
    z0, weights, s0 = toric.start_paths(cells, rows, points, coefs, group_of_row)
    hom = toric.ToricHomotopy(Terms(rows, exps, coefs, weights), backend())
    fast = track(hom, z0, s0.astype(complex), 0j)
    slow = track(hom, z0, s0.astype(complex), 0j, TrackerOptions(compiled=False))
    assert (fast.status == DONE).all() and (slow.status == DONE).all()
    np.testing.assert_allclose(fast.z, slow.z, atol=1e-9)
    assert abs(int(fast.steps.sum()) - int(slow.steps.sum())) <= 0.01 * slow.steps.sum() + 2
    h, _, _ = hom.evaluate(np.asarray(fast.z), np.zeros(len(z0), complex))  # s = 0: G itself
    assert np.abs(h).max() < 1e-10


@pytest.mark.parametrize("system,mv", [(cyclic(5), 70), (katsura(5), 32), (SEMI_MIXED, 12)])
def test_the_start_system_has_mixed_volume_many_distinct_solutions(phc_ready, system, mv):
    check, st_ = starts.polyhedral(system, 3)
    assert check.value == st_.count == mv and "ours" not in st_.how and "our polyhedral homotopy" in st_.how
    assert check.agreed and st_.mixed_volume_check == check.as_dict()
    sols = st_.solutions
    assert np.abs(st_.system.evaluate(sols)).max() < 1e-10
    gaps = np.abs(sols[:, None, :] - sols[None, :, :]).max(axis=2) + np.eye(len(sols))
    assert gaps.min() > 1e-6
    assert _supports_fit(st_.system, system)


def test_phcpacks_start_system_is_matched_to_the_target_equations(phc_ready):
    st_ = starts.phcpack_polyhedral(SEMI_MIXED, 1)
    assert st_.count == 12 and _supports_fit(st_.system, SEMI_MIXED)
    assert np.abs(st_.system.evaluate(st_.solutions)).max() < 1e-8


def test_a_failed_check_falls_back_on_phcpacks_solver_and_says_so(phc_ready, monkeypatch):
    def refuse(*args, **kw):
        raise toric.CellError("refused by the test")

    monkeypatch.setattr(toric, "solve_random_system", refuse)
    r = solve(SEMI_MIXED, start="polyhedral", verify=False)
    assert "PHCpack's polyhedral homotopy (ours failed: refused by the test)" in r.start["why"]
    assert (r.npaths, r.nsolutions) == (12, 12) and r.verdict == "probability-one"


# --- the mixed volume, computed twice ---------------------------------------------------------

class _Says:
    """A worker stand-in that answers ``value`` (or raises it, an exception)."""

    def __init__(self, value, seconds=0.01):
        self.value, self.seconds, self.began = value, seconds, 0.0

    def result(self, timeout):
        if isinstance(self.value, Exception):
            raise self.value
        return self.value

    def cancel(self):
        pass


def _demics_says(monkeypatch, value):
    """DEMiCs' worker replaced by one that answers ``value``; MixedVol's runs for real."""
    from algebra import phc

    real = phc.start

    def start(task, *args, **kw):
        if task == "mixed_volume" and args[3] == "demics":
            return _Says(value)
        return real(task, *args, **kw)

    monkeypatch.setattr(phc, "start", start)


def test_mixedvol_and_demics_both_run_and_their_agreement_is_recorded(phc_ready):
    # both algorithms for real: katsura-5 (a constant term only in its linear equation) has
    # 32 solutions, the mixed volume of its supports with the origin added
    check, cells = toric.mixed_cells(katsura(5), 0, None, 120)
    assert (check.mixedvol, check.demics, check.agreed) == (32, 32, True) and check.why == "MixedVol and DEMiCs agree"
    assert int(cells.volumes().sum()) == 32
    r = solve(katsura(5), start="polyhedral", verify=False)
    c = r.start["mixed_volume_check"]
    assert (c["mixedvol"], c["demics"], c["agreed"], c["seed"]) == (32, 32, True, 0) and r.start["bkk_bound"] == 32
    assert "checked by DEMiCs" in r.start["why"] and "DEMiCs' agrees" in r.verification["why"]


def test_a_disagreement_is_refused_naming_both_counts(phc_ready, monkeypatch):
    from algebra import phc

    _demics_says(monkeypatch, {"mixed_volume": 31})
    with pytest.raises(phc.MixedVolumeDisagreement) as e:
        solve(katsura(5), start="polyhedral", verify=False)
    assert str(e.value) == ("mixed volume: MixedVol gave 32, DEMiCs gave 31 (seed 0): not tracking from an unchecked "
                            "count; use --start total-degree or --method monodromy")
    assert isinstance(e.value, phc.SolverError) and e.value.check.as_dict()["agreed"] is False
    # PHCpack's engine tracks the supports as they are: the torus count, 30
    with pytest.raises(phc.MixedVolumeDisagreement, match="MixedVol gave 30, DEMiCs gave 31"):
        solve(katsura(5), engine="phcpack", start="polyhedral", verify=False)


def test_auto_takes_the_total_degree_where_the_counts_disagree_and_says_why(phc_ready, monkeypatch):
    from algebra.continuation import engine

    monkeypatch.setattr(engine, "AUTO_SMALL", 16)
    _demics_says(monkeypatch, {"mixed_volume": 31})
    r = solve(katsura(5), verify=False)
    assert r.start["kind"] == "total-degree" and r.npaths == 32 and r.nsolutions == 32
    assert "MixedVol gave 32, DEMiCs gave 31 (seed 0)" in r.start["why"]
    assert r.start["mixed_volume_check"]["demics"] == 31 and r.start["bkk_bound"] is None


def test_demics_that_does_not_finish_leaves_mixedvols_count_unchecked(phc_ready, monkeypatch):
    from algebra import phc
    from algebra.continuation.start import proved_bound

    _demics_says(monkeypatch, phc.SolverTimeout("phcpy mixed_volume did not finish within 10 s"))
    check, cells = toric.mixed_cells(cyclic(5), 2, None, 120)
    assert (check.mixedvol, check.demics, check.agreed, check.disagreed) == (70, None, False, False)
    assert check.why.startswith("DEMiCs did not finish in") and int(cells.volumes().sum()) == 70
    r = solve(SEMI_MIXED, start="polyhedral", verify=False)
    assert (r.npaths, r.nsolutions) == (12, 12) and r.verdict == "probability-one"
    assert r.start["mixed_volume_check"]["demics"] is None and "UNCHECKED" in r.start["why"]
    assert "MixedVol's alone, unchecked" in r.verification["why"]
    # a count attained from an unchecked mixed volume bounds nothing for a parameter homotopy
    assert r.verification["method"] == "root-count-attained" and proved_bound(r.start, r.verification) is None


def test_mixedvol_that_does_not_finish_is_a_failure_whatever_demics_says(phc_ready, monkeypatch):
    from algebra import phc

    _demics_says(monkeypatch, {"mixed_volume": 70})
    with pytest.raises(phc.SolverError, match="MixedVol failed .*did not finish.*DEMiCs' count is not used"):
        toric.mixed_cells(cyclic(5), 2, None, 0.001)
