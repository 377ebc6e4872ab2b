"""Our homotopy engine (algebra.continuation): bad input, tiny exact cases (a double root,
a triple root, a solution at infinity), the evaluator against finite differences, path
accounting, standard systems with known counts, the tree network's 72, the torch backend,
and PHCpack as the independent cross-check on the same systems."""
import numpy as np
import pytest
import sympy
from hypothesis import given, strategies as st
from scipy import sparse

from algebra.activation import SpecError, parse_activation
from algebra.continuation.backend import backend
from algebra.continuation.evaluate import MonomialEvaluator
from algebra.continuation.start import roots_of_unity
from algebra.examples import cyclic, katsura
from algebra.networks import TreeNetwork
from algebra.polys import PolySystem
from algebra.solve import check_mixed_volume, solve
from algebra.systems import from_sympy, make_data, random_slices, zero_loss_system

x, y = sympy.symbols("x y")


def _system(eqs, names=("x", "y")):
    return from_sympy(eqs, list(names))


def _sorted(points):
    pts = np.round(np.asarray(points), 6)
    return pts[np.lexsort(np.vstack([pts.imag.T, pts.real.T])[::-1])]


# --- bad input ---------------------------------------------------------------------------

def test_a_start_system_over_max_paths_is_refused_with_its_count():
    s = PolySystem(("x",), np.array([[10 ** 6], [0]]), np.array([[1.0, -1.0]]))
    with pytest.raises(SpecError, match="1,000,000 paths"):
        solve(s, start="total-degree", max_paths=1000)


@pytest.mark.parametrize("kw, fragment", [({"engine": "bertini"}, "engine"), ({"device": "tpu"}, "device"),
                                          ({"max_paths": 0}, "max_paths"), ({"max_runs": 0}, "max_runs")])
def test_bad_engine_options_name_themselves(kw, fragment):
    with pytest.raises(SpecError, match=fragment):
        solve(_system([x ** 2 - 1, y - 1]), **kw)


def test_a_device_with_the_phcpack_engine_is_refused():
    with pytest.raises(SpecError, match="our engine"):
        solve(_system([x ** 2 - 1, y - 1]), engine="phcpack", device="cpu")


@pytest.mark.parametrize("mv", [-74, 10 ** 9])
def test_an_incredible_mixed_volume_is_never_counted_from(mv):
    from algebra.phc import SolverError

    with pytest.raises(SolverError, match="not credible"):
        check_mixed_volume(mv, 1000)


# --- tiny exact cases ----------------------------------------------------------------------

def test_two_roots_attain_the_root_count():
    r = solve(_system([x ** 2 - 1], ("x",)))
    assert (r.npaths, r.nsolutions, r.nreal) == (2, 2, 2)
    assert r.certified and r.verification["method"] == "root-count-attained"
    assert np.allclose(np.sort(r.solutions().real.ravel()), [-1, 1])


def test_triangular_system():
    r = solve(_system([x ** 2 - 3 * x + 2, x * y - 4]))
    assert r.nsolutions == 2 and r.verdict == "probability-one"
    assert np.allclose(_sorted(r.solutions()), [[1, 4], [2, 2]])


def test_a_double_root_is_one_singular_point_of_multiplicity_two():
    r = solve(_system([(x - 2) ** 2 * (x + 3), y - 3]))
    assert (r.npaths, r.nfinite, r.singular_paths, r.nat_infinity, r.nfailed) == (3, 1, 2, 0, 0)
    assert (r.nsolutions, r.nregular, r.nsingular, sorted(r.multiplicities())) == (2, 1, 1, [1, 2])
    double = [p for p in r.paths if p.status == "singular"]
    assert all(p.multiplicity == 2 and p.winding == 2 for p in double)
    assert all(np.allclose(p.solution, [2, 3], atol=1e-8) for p in double)
    assert np.allclose(r.solutions(only_nonsingular=True), [[-3, 3]])
    assert r.verdict == "probability-one"


def test_a_triple_root_has_winding_number_three():
    r = solve(_system([(x - 2) ** 3, y ** 2 - 2]))
    assert (r.singular_paths, r.nsolutions, r.nsingular, r.multiplicities()) == (6, 2, 2, [3, 3])
    assert {(p.multiplicity, p.winding) for p in r.paths} == {(3, 3)}


def test_a_solution_at_infinity_is_classified_there():
    r = solve(_system([x * y - 1, x - 2]))
    assert (r.npaths, r.nsolutions, r.nat_infinity, r.nfailed) == (2, 1, 1, 0)
    assert r.verdict == "probability-one" and np.allclose(r.solutions()[0], [2, 0.5])


def test_loop_samples_tell_a_vanishing_homogenizing_coordinate_from_a_finite_one():
    from algebra.continuation.endgame import EndgameOptions, vanishes

    # c = 9 loops of 4 samples: w = r^(1/9) e^(2 pi i n / 36); h0 = w (1 + w) vanishes with
    # valuation 1/9, h0 = 0.3 + 0.1 w does not
    c, m, r = 9, 4, 1e-5
    w = r ** (1 / c) * np.exp(2j * np.pi * np.arange(c * m) / (c * m))
    samples = np.zeros((3, 16 * m), dtype=complex)
    samples[0, : c * m] = w * (1 + w)
    samples[1, : c * m] = 0.3 + 0.1 * w
    samples[2, : c * m] = w * (1 + w)
    loops = np.array([c, c, c])
    walk = np.array([0.08, 0.0, 0.5])  # the third: the walk's valuation disagrees, no decision
    assert vanishes(samples, loops, m, walk, EndgameOptions()).tolist() == [True, False, False]


def test_counts_always_add_up_to_the_paths():
    for eqs in ([x ** 2 + y ** 2 - 4, x * y - 1], [(x - 2) ** 2 * (x + 3), y - 3], [x * y - 1, x - 2],
                [x ** 3 * y - 1, x * y ** 2 - 2]):
        r = solve(_system(eqs), verify=False)
        assert r.nfinite + r.singular_paths + r.nat_infinity + r.nfailed == r.npaths
        a = r.accounting
        assert a["balanced"] and sum(r.multiplicities()) == a["multiplicity"]
        assert a["multiplicity"] + a["positive_dimensional"] + a["undecided"] + a["infinity"] + a["failed"] == r.npaths


def test_roots_of_unity_in_chunks_are_the_start_solutions():
    deg = [3, 2, 2]
    every = roots_of_unity(deg, np.arange(12))
    assert np.allclose(every ** np.array(deg), 1)
    assert len({tuple(np.round(r, 9)) for r in every}) == 12
    assert np.allclose(roots_of_unity(deg, np.arange(5, 9)), every[5:9])


# --- properties ------------------------------------------------------------------------------

@given(st.integers(1, 3), st.integers(0, 10 ** 6))
def test_evaluator_jacobian_matches_finite_differences(n, seed):
    rng = np.random.default_rng(seed)
    mons = rng.integers(0, 4, size=(6, n))
    coef = rng.standard_normal((n, 6)) + 1j * rng.standard_normal((n, 6))
    ev = MonomialEvaluator(mons, sparse.csr_array(coef), backend())
    z = rng.standard_normal((3, n)) + 1j * rng.standard_normal((3, n))
    vals, jac = ev.evaluate(z)
    direct = np.array([[sum(c * np.prod(p ** m) for c, m in zip(row, mons)) for row in coef] for p in z])
    assert np.allclose(vals, direct)
    h = 1e-6
    for k in range(n):
        e = np.zeros(n)
        e[k] = h
        fd = (ev.evaluate(z + e)[0] - ev.evaluate(z - e)[0]) / (2 * h)
        assert np.allclose(jac[:, :, k], fd, atol=1e-5 * (1 + np.abs(fd).max()))


@given(st.integers(1, 4), st.integers(0, 10 ** 6))
def test_the_product_chain_builds_each_monomial_from_one_already_built(n, seed):
    from algebra.continuation.evaluate import product_chain

    rng = np.random.default_rng(seed)
    basis = np.unique(rng.integers(0, 6, size=(8, n)), axis=0)
    extra, steps = product_chain(basis)
    rows = np.vstack([basis, extra])
    built = set(np.flatnonzero(~rows.any(axis=1)))
    for targets, parents, unknowns in steps:
        assert set(parents) <= built  # built at an earlier step
        assert np.array_equal(rows[targets], rows[parents] + np.eye(n, dtype=int)[unknowns])
        built |= set(targets)
    assert built == set(range(len(rows)))


def test_the_evaluator_gives_the_same_values_with_and_without_the_product_chain(monkeypatch):
    import algebra.continuation.evaluate as evaluate

    rng = np.random.default_rng(5)
    mons = rng.integers(0, 7, size=(12, 3))
    coef = sparse.csr_array(rng.standard_normal((3, 12)) + 1j * rng.standard_normal((3, 12)))
    z = rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3))
    chained = MonomialEvaluator(mons, coef, backend())
    monkeypatch.setattr(evaluate, "product_chain", lambda basis: None)
    plain = MonomialEvaluator(mons, coef, backend())
    assert chained._chain is not None and plain._chain is None
    for a, b in zip(chained.evaluate(z), plain.evaluate(z)):
        assert np.allclose(a, b, rtol=1e-12)


# --- standard systems with known counts ------------------------------------------------------

def test_katsura_6_has_64_solutions_32_real():
    r = solve(katsura(6), seed=3)
    assert (r.nsolutions, r.nreal, r.nfailed) == (64, 32, 0) and r.certified


def test_cyclic_5_has_70_solutions_and_50_paths_at_infinity():
    r = solve(cyclic(5), start="total-degree")
    assert (r.npaths, r.nsolutions, r.nat_infinity, r.nfailed) == (120, 70, 50, 0)
    assert r.verdict == "probability-one"


@pytest.mark.parametrize("seed,start,kind", [(0, "auto", "polyhedral"), (7, "total-degree", "total-degree")])
def test_the_tree_network_slice_has_degree_72(phc_ready, seed, start, kind):
    # seed 7 is the one PHCpack's trackers counted 70 "certified" on; its 81 total-degree
    # paths include 9 to infinity with winding number 9; auto takes the 72 polyhedral paths
    net = TreeNetwork(units=1, activation=parse_activation("monomial:2"), bias=False)
    s = random_slices(zero_loss_system(net, make_data(net, 2, seed)), net.n_weights - 2, seed)
    r = solve(s, seed=seed, start=start)
    assert r.start["kind"] == kind
    assert r.nsolutions == 72 and r.verdict == "probability-one" and r.nfailed == 0


def test_the_torch_backend_finds_the_same_solutions():
    a = solve(katsura(4), verify=False)
    b = solve(katsura(4), verify=False, device="cpu")
    assert a.nsolutions == b.nsolutions == 16
    assert np.allclose(_sorted(a.solutions()), _sorted(b.solutions()), atol=1e-8)


def test_same_seed_same_solutions_and_new_seed_same_set():
    a, b = solve(katsura(5), seed=4, verify=False), solve(katsura(5), seed=4, verify=False)
    assert np.array_equal(a.solutions(), b.solutions())
    c = solve(katsura(5), seed=5, verify=False)
    assert np.allclose(_sorted(a.solutions()), _sorted(c.solutions()), atol=1e-8)


# --- the cross-check: PHCpack on the same systems ---------------------------------------------

def test_our_solutions_are_phcpacks(phc_ready):
    for system in (katsura(4), _system([x ** 2 + y ** 2 - 4, x * y - 1])):
        ours = solve(system, verify=False)
        theirs = solve(system, engine="phcpack", start="total-degree", verify=False)
        assert ours.nsolutions == theirs.nsolutions
        assert np.allclose(_sorted(ours.solutions()), _sorted(theirs.solutions()), atol=1e-7)


def test_polyhedral_start_from_phcpack_tracked_by_ours(phc_ready):
    r = solve(cyclic(5), start="polyhedral", verify=False)
    assert (r.npaths, r.nsolutions) == (70, 70)
    # root count attained, but the mixed volume is computed (MixedVol's, checked by DEMiCs), not proved
    assert r.start["bkk_bound"] == 70 and r.start["mixed_volume_check"]["agreed"] and r.verdict == "probability-one"


def test_polyhedral_paths_reach_solutions_with_zero_coordinates(phc_ready):
    # katsura-5: the torus mixed volume (PHCpack's engine) misses the solutions with zero
    # coordinates; with the origin in every support all 32 are reached, and the count is proved
    s = katsura(5)
    r = solve(s, start="polyhedral", verify=False)
    assert (r.npaths, r.nsolutions, r.nfailed) == (32, 32, 0) and r.verdict == "probability-one"
    zeros = int(np.sum(np.any(np.abs(r.solutions()) < 1e-12, axis=1)))
    torus = solve(s, engine="phcpack", start="polyhedral", verify=False)
    assert zeros > 0 and torus.nsolutions == 32 - zeros and not torus.certified


def test_auto_takes_polyhedral_where_the_mixed_volume_is_far_below_the_total_degree(phc_ready):
    # binomials: the mixed volume is |det| of the exponent vectors
    s = _system([x ** 3 * y - 1, x * y ** 3 - 1])
    r = solve(s)
    assert r.start["kind"] == "total-degree"  # 16 paths: small, no mixed volume computed
    assert r.nsolutions == 8 and r.verdict == "probability-one"
    big = _system([x ** 5 * y ** 4 - 2, x ** 4 * y ** 5 - 3])
    r = solve(big, verify=False)
    assert r.start["kind"] == "polyhedral" and r.npaths == r.start["bkk_bound"] == 9
    assert r.nsolutions == 9 and r.verdict == "probability-one"


# --- multihomogeneous start ------------------------------------------------------------------

def test_the_multihomogeneous_start_needs_a_partition_and_only_it_takes_one():
    s = _system([x * y - 1, x - 2])
    with pytest.raises(SpecError, match="partition"):
        solve(s, start="multihomogeneous")
    with pytest.raises(SpecError, match="partition"):
        solve(s, partition=[["x"], ["y"]])
    with pytest.raises(SpecError, match="our engine"):
        solve(s, engine="phcpack", start="multihomogeneous", partition=[["x"], ["y"]])


def test_a_bilinear_system_has_its_two_homogeneous_bezout_number_of_paths():
    # total degree 4, 2-homogeneous Bezout number 2 for {x} | {y}: both solutions, no path lost
    s = _system([x * y - 2 * x + y - 1, 3 * x * y + x - y - 2])
    r = solve(s, start="multihomogeneous", partition=[["x"], ["y"]])
    full = solve(s, start="total-degree")
    assert r.npaths == 2 < full.npaths == 4
    assert r.nsolutions == full.nsolutions == 2 and r.certified
    assert np.allclose(_sorted(r.solutions()), _sorted(full.solutions()), atol=1e-9)


def test_deep_linear_critical_points_from_fewer_paths_than_the_total_degree():
    from algebra.networks import DenseNetwork
    from algebra.systems import critical_system

    net = DenseNetwork((1, 2, 1), "linear", bias=False)
    g = critical_system(net, make_data(net, 1, seed=1), "random", seed=1)
    groups = [list(grp) for grp in net.groups.values()]
    r = solve(g, start="multihomogeneous", partition=groups)
    assert (r.npaths, r.nsolutions, r.nfailed) == (33, 9, 0) and r.verdict == "probability-one"
    assert r.start["total_degree"] == 81


def test_auto_falls_back_on_total_degree_when_the_mixed_volume_takes_too_long(phc_ready, monkeypatch):
    from algebra.continuation import engine

    monkeypatch.setattr(engine, "AUTO_MIN_SECONDS", 0.01)
    monkeypatch.setattr(engine, "AUTO_SECONDS_PER_PATH", 0.0)
    monkeypatch.setattr(engine, "AUTO_SMALL", 16)
    r = solve(_system([x ** 3 * y ** 2 - 2, x ** 2 * y ** 3 - 3]), verify=False)
    assert r.start["kind"] == "total-degree" and "did not come within" in r.start["why"]
    assert r.nsolutions == 5 and r.npaths == 25


def test_points_at_infinity_of_high_multiplicity_end_classified():
    """x^5 y^4 = 2, x^4 y^5 = 3: 9 finite solutions; the other 72 paths go to [1:0:0] and
    [0:1:0], where their loops close only after more than 16 turns (27 of them failed at 16)."""
    r = solve(_system([x ** 5 * y ** 4 - 2, x ** 4 * y ** 5 - 3]), start="total-degree", verify=False)
    assert (r.nsolutions, r.runs[0]["infinity"], r.runs[0]["failed"]) == (9, 72, 0)


# --- parameter homotopies from a solved member ------------------------------------------------

def test_a_member_of_another_family_is_refused():
    from algebra.continuation.start import Member

    g = _system([x ** 2 - 2, y - 1])
    sols = np.array([[np.sqrt(2), 1.0], [-np.sqrt(2), 1.0]])
    with pytest.raises(SpecError, match="monomials the start member's lacks"):
        solve(_system([x ** 2 - 3, x * y - 1]), member=Member(g, sols))
    with pytest.raises(SpecError, match="another family"):
        solve(_system([x ** 2 - 3, x - 1], names=("x", "z")), member=Member(g, sols))
    with pytest.raises(SpecError, match="do not solve it"):
        solve(_system([x ** 2 - 3, y - 2]), member=Member(g, sols + 0.1))
    with pytest.raises(SpecError, match="start system of its own"):
        solve(_system([x ** 2 - 3, y - 2]), member=Member(g, sols), engine="phcpack")


def test_a_solved_member_starts_every_other_member_of_its_family(phc_ready):
    """The tree network's generic member (complex data) solved once by the polyhedral start
    carries its proved root count: each seed's system then needs its 72 paths only, and is
    certified by attaining that bound (seed 7 has a solution of condition 1e16 that the
    paths call singular; Krawczyk's test proves it regular)."""
    from algebra.continuation.start import Member

    net = TreeNetwork(units=1, activation=parse_activation("monomial:2"), bias=False)

    def tree(seed, field="real"):
        return random_slices(zero_loss_system(net, make_data(net, 2, seed, field)), net.n_weights - 2, seed)

    g = tree(100, "complex")
    gm = solve(g, start="polyhedral", seed=0, verify=False)
    assert gm.verdict == "probability-one" and gm.verification["method"] == "root-count-attained" and gm.nsolutions == 72
    member = Member(g, gm.solutions(), gm.start["paths"])
    for seed in (0, 7):
        r = solve(tree(seed), member=member, seed=seed, verify=False)
        assert (r.start["kind"], r.start["bound"], r.npaths) == ("parameter", 72, 72)
        assert r.nsolutions == 72 and r.verdict == "probability-one" and r.verification["method"] == "root-count-attained"
    # without the bound, the same paths are certified only by a second run
    r = solve(tree(3), member=Member(g, gm.solutions()), seed=3)
    assert r.nsolutions == 72 and r.verification["method"] == "independent-runs"


def test_a_small_gradient_row_at_a_large_solution_is_not_a_vanishing_gradient():
    # cohn2 has a regular solution with |x| ~ 1e3 (condition ~1e4); in the chart of seed 0 one
    # row of its Jacobian is 3e-13 of that equation's coefficients' norm, which the old
    # vanishing-gradient rule called singular (the solution was then missing from the count);
    # against the sum of the row's terms in absolute value it is 0.2
    from pathlib import Path

    from algebra.continuation.homotopy import StraightLineHomotopy, chart_for
    from algebra.continuation.paths import ROW_FLOOR, refine
    from algebra.continuation.start import total_degree
    from algebra.phcfile import read_phc
    from algebra.solve import gamma_for

    s = read_phc(str(Path(__file__).parents[2] / "benchmarks" / "suite" / "cohn2.phc"))
    hom = StraightLineHomotopy(s, total_degree(s).system, gamma_for(0, 0), chart_for(5, 0), backend())
    x = np.array([[602.64876406 + 810.92245138j, 1.17711982 - 0.97123963j] * 2])
    z, last, cond = refine(hom, hom.lift(x))
    assert last[0] < 1e-14 and cond[0] < 1e5
    _, jac = hom.target(z)
    rows = np.linalg.norm(jac[0, :4], axis=1)
    old_scale = hom._norms * max(1.0, np.max(np.abs(z))) ** (np.asarray(hom.degrees) - 1)
    assert (rows / old_scale).min() < ROW_FLOOR < (rows / hom.row_scales(z)[0, :4]).min()


def test_a_double_root_still_has_a_vanishing_gradient():
    from algebra.continuation.homotopy import StraightLineHomotopy, chart_for
    from algebra.continuation.paths import refine
    from algebra.continuation.start import total_degree

    s = _system([x ** 2 - 2 * x + 1, y - 3])
    hom = StraightLineHomotopy(s, total_degree(s).system, 0.6 + 0.8j, chart_for(3, 1), backend())
    _, _, cond = refine(hom, hom.lift(np.array([[1.0 + 0j, 3.0]])))
    assert cond[0] == np.inf


def test_a_singular_limit_with_tiny_h0_is_at_infinity_by_its_valuation_not_its_size():
    from algebra.continuation.paths import _at_infinity

    chart = np.array([[1e-9, 1.0, 0.5], [1e-9, 1.0, 0.5], [1e-9, 1.0, 0.5], [0.3, 1.0, 0.5]], dtype=complex)
    status = np.array(["singular"] * 4, dtype=object)
    _at_infinity(chart, status, None, np.array([0.002, 0.5, np.nan, 0.5]))
    # h0 tends to a nonzero value (valuation 0): a finite singular solution near 1e9; a positive
    # valuation or none read: at infinity; h0 not small: finite, whatever the valuation
    assert list(status) == ["singular", "infinity", "infinity", "singular"]
