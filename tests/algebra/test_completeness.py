"""The trace test on an augmented system: refusals, tiny families with known counts, a set
with a solution dropped (incomplete), a lost path (inconclusive), the augmented systems by
hand, and Krawczyk's test at the door of a monodromy solution set."""
import numpy as np
import pytest

from algebra.activation import SpecError
from algebra.continuation import completeness as cm
from algebra.continuation.completeness import augment, complete, trace_test
from algebra.continuation.monodromy import MonodromyResult, _Gate, finish, monodromy_solve, refine_at_end
from algebra.polys import PolySystem


def _cubic() -> PolySystem:
    return PolySystem(("x",), np.array([[3], [0]]), np.array([[1.0, -2.0]]))


def _conic_pair() -> PolySystem:
    # x^2 + y^2 = 3, x y = 1: 4 solutions, as in the family with free constants
    return PolySystem(("x", "y"), np.array([[2, 0], [0, 2], [1, 1], [0, 0]]),
                      np.array([[1.0, 1.0, 0.0, -3.0], [0.0, 0.0, 1.0, -1.0]]))


# --- refused ------------------------------------------------------------------------------

def test_points_of_the_wrong_shape_are_refused():
    with pytest.raises(SpecError, match="shape"):
        trace_test(_cubic(), np.zeros((2, 2), complex), np.array([1.0]))
    with pytest.raises(SpecError, match="shape"):
        trace_test(_cubic(), np.zeros((0, 1), complex), np.array([1.0]))
    with pytest.raises(SpecError, match="constants"):
        trace_test(_cubic(), np.ones((1, 1), complex), np.array([1.0, 2.0]))


# --- tiny exact cases ---------------------------------------------------------------------

def test_the_augmented_systems_by_hand():
    s = _cubic()
    aug = augment(s, np.array([-2.0 + 0j]), np.array([3.0 + 0j]), np.array([0.5 + 0j, 0.25 + 0j]))
    x, lam = 1.3 + 0.2j, -0.7 + 0.1j
    form = x / 2 + lam / 4
    # T: x^3 - 2 + 3 lambda, l - 1 ; G: x^3 - 2 + 3 lambda, (l - 1) lambda, with l = x/2 + lambda/4
    assert np.allclose(aug.extra.evaluate(np.array([x, lam])), [x**3 - 2 + 3 * lam, form - 1])
    assert np.allclose(aug.pencil.evaluate(np.array([x, lam])), [x**3 - 2 + 3 * lam, (form - 1) * lam])
    assert aug.lam == "lambda_trace" and augment(
        PolySystem(("lambda_trace",), np.array([[2], [0]]), np.array([[1.0, -1.0]])),
        np.array([-1.0 + 0j]), np.array([1.0 + 0j]), np.array([1.0 + 0j, 0j])).lam == "lambda_trace_"


def test_the_forward_pass_form_agrees_with_the_polynomials():
    from algebra.continuation.backend import backend
    from algebra.continuation.completeness import AugmentedEquations
    from algebra.network_homotopy.equations import forward_pass
    from algebra.networks import DenseNetwork
    from algebra.systems import critical_system, make_data

    net = DenseNetwork((1, 2, 1), "monomial:2", bias=False)
    data = make_data(net, 2, 0)
    system = critical_system(net, data, l2="random", seed=0)
    be = backend()
    affine = forward_pass(net, data, system, be)
    rng = np.random.default_rng(0)
    n = system.n_variables
    v, a = rng.standard_normal(n) + 0j, rng.standard_normal(n + 1) + 1j
    c0 = rng.standard_normal(n) + 0j
    aug = augment(system, c0, v, a)
    w = rng.standard_normal((3, n + 1)) + 1j * rng.standard_normal((3, n + 1))
    for pencil, poly in ((False, aug.extra), (True, aug.pencil)):
        vals, jac = AugmentedEquations(affine, v, a, pencil, be).evaluate(w)
        offset = AugmentedEquations(affine, v, a, pencil, be).evaluate(0 * w)[0]
        constants = poly.evaluate(0 * w[0])
        assert np.allclose(vals - offset, poly.evaluate(w) - constants)
        assert np.allclose(jac, np.stack([poly.jacobian(p) for p in w]))


@pytest.mark.parametrize("system, count", [(_cubic(), 3), (_conic_pair(), 4)])
def test_a_complete_set_passes_and_a_set_short_of_one_fails(system, count):
    r = monodromy_solve(system, seed=1, final=False)
    assert r.count == count and r.proved
    full = trace_test(system, r.base_solutions, r.base_constants, seed=4)
    assert full.verdict == "complete" and full.complete is True and full.defect < 1e-12
    short = trace_test(system, r.base_solutions[1:], r.base_constants, seed=4)
    assert short.verdict == "incomplete" and short.complete is False and short.defect > 1e-6
    assert full.as_dict()["extra_witnesses"] == full.extra > 0


def test_complete_loops_on_from_an_incomplete_set_until_the_test_passes():
    s = _conic_pair()
    r = monodromy_solve(s, seed=2, final=False)
    r.base_solutions, r.proofs = r.base_solutions[:2], r.proofs[:2]
    r, test = complete(s, r, seed=2)
    assert test.verdict == "complete" and test.rounds >= 1 and r.count == 4 and r.proved
    r = finish(s, r, seed=2)
    assert len(r.solutions) == 4 and r.final_proofs["certified"] == r.final_proofs["distinct"] == 4


def _lose_pencil_paths(monkeypatch, losing_arcs: int | None) -> dict:
    """The augmented pencil's moves lose one path on their first ``losing_arcs`` arcs (None:
    on every arc), the endgame's retrack failing too; returns the count of arcs tried."""
    import algebra.continuation.monodromy as mono

    real_carry, real_track = mono._carry, mono._track
    calls = {"arcs": 0}

    def losing(hom, points, a, b, gamma, options, *rest):
        out = real_carry(hom, points, a, b, gamma, options, *rest)
        if points.shape[1] == 3 and len(points) > 1:  # the pencil's moves (3 unknowns with lambda)
            calls["arcs"] += 1
            if losing_arcs is None or calls["arcs"] <= losing_arcs:
                out[0] = np.nan
        return out

    class Failed:
        status = np.array(["failed"])
        winding = np.array([0])
        affine = np.full((1, 3), np.nan + 0j)

    def track(*a, **k):
        return Failed() if losing_arcs is None or calls["arcs"] <= losing_arcs else real_track(*a, **k)

    monkeypatch.setattr(mono, "_carry", losing)
    monkeypatch.setattr(mono, "_track", track)
    return calls


def test_a_lost_path_gives_no_verdict(monkeypatch):
    s = _conic_pair()
    r = monodromy_solve(s, seed=3, final=False)
    _lose_pencil_paths(monkeypatch, None)
    test = trace_test(s, r.base_solutions, r.base_constants, seed=3)
    assert test.verdict == "inconclusive" and test.complete is None and test.defect is None
    assert "did not arrive regular" in test.why


def test_the_trace_test_agrees_with_total_degree_counts_on_random_deficient_systems():
    from algebra.continuation.family import ConstantFamily
    from algebra.solve import solve

    rng = np.random.default_rng(7)
    mons = np.array([[0, 0], [2, 1], [1, 1], [0, 2], [1, 0]])
    for seed in range(3):
        s = PolySystem(("x", "y"), mons, rng.standard_normal((2, 5)) + 1j * rng.standard_normal((2, 5)))
        r = monodromy_solve(s, seed=seed, final=False)
        test = trace_test(s, r.base_solutions, r.base_constants, seed=seed)
        exact = solve(ConstantFamily.of(s).member(r.base_constants), seed=1)
        assert (test.verdict, r.count) == ("complete", exact.nsolutions)


# --- Krawczyk at the door -----------------------------------------------------------------

def test_krawczyk_refuses_a_near_singular_point_the_corner_test_accepted():
    # x^2 = 0 (a double root) and y = 1: Newton from x = 1e-12 halves x, a step below the
    # corner test's 1e-10, so the corner test took it; no box proves a regular root there
    from algebra.continuation.backend import backend
    from algebra.continuation.family import ConstantFamily, SegmentsHomotopy

    s = PolySystem(("x", "y"), np.array([[2, 0], [0, 1], [0, 0]]), np.array([[1.0, 0.0, 0.0], [0.0, 1.0, -1.0]]))
    fam = ConstantFamily.of(s)
    hom = SegmentsHomotopy.of(fam, backend(), np.array([1.0 + 0j, 0.3, 0.2]))
    c = fam.given[None, :]
    at_end = hom.on(c, c, np.ones(1, complex))
    _, ok, _ = refine_at_end(at_end, hom.lift(np.array([[1e-12 + 0j, 1.0]])))
    assert ok.all()
    result = MonodromyResult(s.variables, fam.given, np.zeros((0, 2), complex))
    gate = _Gate(s, result)
    assert len(gate.admit(np.array([[1e-12 + 0j, 1.0]]))) == 0
    assert len(result.unproven) == 1 and result.unproven[0] > 1e10
    # the same point is not tried again
    assert len(gate.admit(np.array([[1e-12 + 0j, 1.0]]))) == 0 and len(result.unproven) == 1
    # a regular point passes, as its refined midpoint
    assert len(gate.admit(np.array([[1.0 + 0j, 1.0 + 1e-9]]))) == 0  # x = 1 is no root of x^2
    s2 = PolySystem(("x", "y"), np.array([[2, 0], [0, 1], [0, 0]]), np.array([[1.0, 0.0, -4.0], [0.0, 1.0, -1.0]]))
    assert np.allclose(_Gate(s2, result).admit(np.array([[2.0 + 1e-9j, 1.0]])), [[2.0, 1.0]], atol=1e-15)


def test_monodromy_points_are_proved_and_distinct():
    r = monodromy_solve(_conic_pair(), seed=5)
    summary = r.proof_summary()
    assert r.proved and summary["base_proved"] == summary["base_distinct"] == 4 and summary["unproven"] == 0
    assert r.final_proofs["certified"] == 4 and r.as_dict()["proofs"]["final"]["distinct"] == 4
    unproved = monodromy_solve(_conic_pair(), seed=5, prove=False)
    assert unproved.proofs == [] and not unproved.proved and unproved.count == 4


def test_a_system_whose_solutions_are_double_is_not_certified():
    # x^2 + y^2 = 2, x y = 1: (x - y)^2 = 0, two double solutions; the generic member's 4
    # are proved and complete, but the paths to this system end singular
    from algebra.continuation.completeness import verdict as monodromy_verdict

    s = PolySystem(("x", "y"), np.array([[2, 0], [0, 2], [1, 1], [0, 0]]),
                   np.array([[1.0, 1.0, 0.0, -2.0], [0.0, 0.0, 1.0, -1.0]]))
    r = monodromy_solve(s, seed=2, final=False)
    r, test = complete(s, r, seed=2)
    r = finish(s, r, seed=2)
    assert test.verdict == "complete" and r.count == 4 and r.final["singular"] == 4
    certified, why = monodromy_verdict(r, test.complete, "the trace test")
    assert not certified and "4 ended singular" in why
    assert monodromy_verdict(r, None, "the trace test")[0] is False
    assert "incomplete" in monodromy_verdict(r, False, "the trace test")[1]


def test_inaccurate_points_give_no_verdict_rather_than_a_loose_pass(monkeypatch):
    # error estimates so large that a missing point's defect would hide in them
    s = _conic_pair()
    r = monodromy_solve(s, seed=1, final=False)
    real_move = cm._move

    def noisy(*args):
        moved, errors, tracked, why = real_move(*args)
        return moved, None if errors is None else errors + 1.0, tracked, why

    monkeypatch.setattr(cm, "_move", noisy)
    test = trace_test(s, r.base_solutions[1:], r.base_constants, seed=4)
    assert test.verdict == "inconclusive" and "too inaccurate" in test.why and test.allowed > cm.MAX_ALLOWED


def test_progress_is_told_every_stage():
    from algebra.continuation.completeness import certified_monodromy

    told = []
    result, test = certified_monodromy(_conic_pair(), seed=1, progress=lambda *a: told.append(a))
    stages = [stage for stage, _, _ in told]
    assert stages[0] == "loops" and "trace test: extra witnesses" in stages
    assert stages[-1] == f"paths to the system ({test.verdict})" and told[-1][2] == result.count
    assert all(isinstance(loops, int) and isinstance(points, int) for _, loops, points in told)


def test_a_point_lost_at_one_t_is_tried_at_another(monkeypatch):
    s = _conic_pair()
    r = monodromy_solve(s, seed=3, final=False)
    calls = _lose_pencil_paths(monkeypatch, 3)  # every arc to the first t loses one path
    test = trace_test(s, r.base_solutions, r.base_constants, seed=3)
    assert test.verdict == "complete" and calls["arcs"] >= 5
