"""Scaling by powers of two: exact, invariant under the input's units."""
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st
from scipy import sparse

from algebra.phcfile import parse_phc
from algebra.polys import PolySystem
from algebra.scaling import identity, scaling_of
from algebra.solve import solve


def _rescaled(s: PolySystem, k, j) -> PolySystem:
    """Equation i times 10^k_i, unknown x_l replaced by 10^j_l x_l."""
    coef = s.coefficients.tocoo()
    data = coef.data * 10.0 ** np.asarray(k)[coef.row] * 10.0 ** (s.monomials[coef.col] @ np.asarray(j))
    return PolySystem(s.variables, s.monomials, sparse.csr_array((data, (coef.row, coef.col)), shape=coef.shape))


def test_scale_must_be_a_bool():
    import pytest

    from algebra.activation import SpecError

    with pytest.raises(SpecError, match="scale must be True or False"):
        solve(parse_phc("1\nx - 1;\n"), scale="yes")


def test_a_system_near_size_one_is_left_alone():
    s = parse_phc("2\nx^2 + y^2 - 4;\nx*y - 1;\n")
    assert scaling_of(s).is_identity and scaling_of(s).apply(s) is s


def test_scaling_is_exact_and_maps_solutions_back_exactly():
    s = _rescaled(parse_phc("2\nx^2 + y^2 - 4;\nx*y - 1;\n"), [13, -9], [5, -3])
    sc = scaling_of(s)
    assert not sc.is_identity
    scaled = sc.apply(s)
    # every coefficient is the stored one times a power of two
    ratio = scaled.coefficients.toarray()[s.coefficients.toarray() != 0] / s.coefficients.toarray()[
        s.coefficients.toarray() != 0]
    assert np.all(np.log2(np.abs(ratio)) == np.round(np.log2(np.abs(ratio))))
    y = np.array([[1.5 + 0.25j, -3.0]])
    assert np.array_equal(sc.to_scaled(sc.to_original(y)), y)
    assert identity(s).is_identity


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(-15, 15), min_size=3, max_size=3), st.lists(st.integers(-6, 6), min_size=3, max_size=3),
       st.integers(0, 3))
def test_equations_and_unknowns_scaled_by_powers_of_ten_give_the_same_count_and_verdict(k, j, seed):
    base = parse_phc("3\nx^2 + y^2 + z^2 - 3;\nx*y - 2*z + 1;\nx + y - z^2;\n")
    ref = solve(base, seed=seed)
    r = solve(_rescaled(base, k, j), seed=seed)
    assert (r.nsolutions, r.nreal, r.verdict) == (ref.nsolutions, ref.nreal, ref.verdict) == (8, r.nreal, "certified")
    # the solutions are the original unknowns' (x = 10^-j x')
    back = r.solutions() * 10.0 ** np.asarray(j)[None, :]
    assert np.max(np.abs(base.evaluate(back))) < 1e-6 * (1 + np.max(np.abs(back)))


def test_a_power_flow_like_system_with_coefficients_to_1e13_is_solved():
    s = _rescaled(parse_phc("2\nx^2 + y^2 - 5;\nx*y - 2;\n"), [13, -11], [0, 0])
    r = solve(s, seed=0)
    assert (r.nsolutions, r.verdict) == (4, "certified")
    assert not solve(s, seed=0, scale=False).start["scaling"]["identity"] is False
