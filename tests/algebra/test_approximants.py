import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, strategies as st

from algebra.activation import SpecError, parse_activation
from algebra.approximants import (KINDS, ApproximationWarning, Target, approximate, decay_rate, min_degree, required_dps)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        yield


# --- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize("args, fragment", [
    (("minimax", 0), ">= 1"), (("minimax", 2.5), ">= 1"), (("legendre", 3, 0.0), "radius"),
    (("legendre", 3, -2.0), "radius"), (("taylor", 3), "unknown approximation kind"),
    (("minimax", 3, math.inf), "finite"), (("minimax", 3, math.nan), "finite"), (("minimax", 3, None), "finite"),
    (("minimax", 61), "raise algebra.approximants.MAX_DEGREE"),
])
def test_bad_arguments(args, fragment):
    with pytest.raises(SpecError, match=fragment):
        approximate(*args)


def test_precision_too_low_for_the_degree():
    with pytest.raises(SpecError, match="needs at least 36 digits"):
        approximate("minimax", 50, dps=30)
    with pytest.raises(SpecError, match="raise algebra.approximants.MAX_DPS"):
        approximate("minimax", 4, dps=10**8)
    with pytest.raises(SpecError, match="unknown target"):
        approximate("minimax", 3, target="sigmoid")
    with pytest.raises(SpecError, match="tolerance"):
        min_degree(0.0)


# --- exact small cases ------------------------------------------------------------------

def test_minimax_quadratic_by_hand():
    # best quadratic to |x| on [-1, 1] is x^2 + 1/8 (error 1/8); ReLU: x/2 + (x^2 + 1/8)/2
    a = approximate("minimax", 2)
    assert float(a.sup_error) == pytest.approx(1 / 16, rel=1e-12)
    np.testing.assert_allclose([float(c) for c in a.monomial], [1 / 16, 1 / 2, 1 / 2], atol=1e-12)
    assert float(approximate("minimax", 2, target="abs").sup_error) == pytest.approx(1 / 8, rel=1e-12)


def test_legendre_closed_form_by_hand():
    # projection of ReLU onto degree 2: 1/4 P0 + 1/2 P1 + 5/16 P2 = 3/32 + x/2 + 15/32 x^2
    a = approximate("legendre", 2)
    np.testing.assert_allclose([float(c) for c in a.monomial], [3 / 32, 1 / 2, 15 / 32], atol=1e-15)


@pytest.mark.parametrize("kind", ["chebyshev-series", "legendre"])
def test_closed_forms_equal_quadrature(kind):
    """The exact formulas against the generic quadrature path, on the same function."""
    relu_by_callable = Target("relu-as-callable", lambda x: x if x > 0 else mpmath.mpf(0), (0,))
    for d in (3, 8):
        exact, quad = approximate(kind, d), approximate(kind, d, target=relu_by_callable)
        np.testing.assert_allclose([float(c) for c in exact.chebyshev], [float(c) for c in quad.chebyshev],
                                   atol=1e-13)


def test_chebyshev_interpolant_matches_numpy_in_float64():
    for d in (2, 5, 9):
        a = approximate("chebyshev", d)
        ours = np.array([float(c) for c in a.chebyshev])
        theirs = np.polynomial.chebyshev.chebinterpolate(lambda x: np.maximum(x, 0), d)
        np.testing.assert_allclose(ours, theirs, atol=1e-13)


# --- properties -----------------------------------------------------------------------------

@pytest.mark.parametrize("d", [3, 8, 21])
def test_minimax_equioscillates(d):
    a = approximate("minimax", d)
    pts = a.extrema
    assert len(pts) == d + 2
    signs = [mpmath.sign(e) for _, e in pts]
    assert all(s1 == -s2 for s1, s2 in zip(signs, signs[1:]))
    sizes = [float(abs(e)) for _, e in pts]
    assert max(sizes) - min(sizes) <= 1e-10 * max(sizes)
    assert max(sizes) == pytest.approx(float(a.sup_error), rel=1e-10)


@pytest.mark.parametrize("d", [2, 5, 10, 16])
def test_minimax_is_best_and_chebyshev_within_lebesgue_bound(d):
    errs = {k: float(approximate(k, d).sup_error) for k in KINDS}
    assert all(errs["minimax"] <= e * (1 + 1e-12) for e in errs.values())
    lebesgue = 2 / math.pi * math.log(d + 1) + 1  # bound for Chebyshev points of the first kind
    assert errs["chebyshev"] <= (1 + lebesgue) * errs["minimax"]


def test_errors_decrease_with_degree():
    minimax = [float(approximate("minimax", d).sup_error) for d in range(1, 13)]
    assert all(b <= a * (1 + 1e-12) for a, b in zip(minimax, minimax[1:]))
    for kind in ("chebyshev", "chebyshev-series", "legendre"):
        even = [float(approximate(kind, d).sup_error) for d in range(2, 15, 2)]
        assert all(b < a for a, b in zip(even, even[1:]))
    degrees = [4, 8, 16, 32]
    slope = decay_rate(degrees, [float(approximate("minimax", d).sup_error) for d in degrees])
    assert slope == pytest.approx(-1, abs=0.05)  # the kink: error ~ C / d


def test_bernstein_constant():
    # 2n E_2n(|x|) -> 0.2801694990... (Bernstein); already close at 2n = 40
    e = float(approximate("minimax", 40, target="abs").sup_error)
    assert 40 * e == pytest.approx(0.2801694990, rel=5e-3)


@given(st.integers(1, 14), st.sampled_from(KINDS), st.floats(0.25, 4.0))
def test_monomial_and_chebyshev_forms_agree(d, kind, radius):
    a = approximate(kind, d, radius)
    with mpmath.workdps(a.dps):
        for x in np.linspace(-radius, radius, 7):
            x = mpmath.mpf(x)
            mono = mpmath.fsum(c * x ** k for k, c in enumerate(a.monomial))
            assert abs(mono - a(x)) <= mpmath.mpf(10) ** (-20) * radius


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("radius", [0.5, 3.0])
def test_error_scales_with_radius(kind, radius):
    one, scaled = approximate(kind, 7), approximate(kind, 7, radius)
    assert float(scaled.sup_error) == pytest.approx(radius * float(one.sup_error), rel=1e-9)
    assert float(scaled.l2_error) == pytest.approx(radius ** 1.5 * float(one.l2_error), rel=1e-9)


def test_user_callable_minimax():
    exp = Target("exp", mpmath.exp)
    a = approximate("minimax", 4, target=exp)
    assert len(a.extrema) == 6
    assert float(a.sup_error) < float(approximate("chebyshev", 4, target=exp).sup_error)
    # exp is entire: E_n(exp) ~ 1 / (2^n (n + 1)!), 5.2e-4 at n = 4 (5.47e-4 exactly)
    assert float(a.sup_error) == pytest.approx(1 / (2 ** 4 * math.factorial(5)), rel=0.1)


def test_min_degree():
    assert min_degree(0.07) == 2
    assert min_degree(0.0625 * (1 + 1e-9)) == 2
    d = min_degree(0.01)
    assert float(approximate("minimax", d).sup_error) <= 0.01 < float(approximate("minimax", d - 1).sup_error)
    assert min_degree(0.05, "chebyshev") == 6


def test_ill_conditioned_monomials_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ApproximationWarning)
        with pytest.raises(ApproximationWarning, match="ill-conditioned"):
            approximate("minimax", 40)
        approximate("minimax", 6)  # condition about 5: no warning


def test_required_precision_grows_with_degree():
    assert required_dps(1) < required_dps(50) < required_dps(200)


# --- the activation specs that use them ---------------------------------------------------

def test_relu_specs_resolve_to_approximants():
    act = parse_activation("relu-minimax:4", radius=1)
    assert act.degree == 4 and act.spec == "relu-minimax:4@1"
    np.testing.assert_allclose([float(c) for c in act.coefficients],
                               [float(c) for c in approximate("minimax", 4).monomial], rtol=1e-15)
    wide = parse_activation("relu-chebyshev:3", radius=2.0)
    assert wide.radius == 2.0
    np.testing.assert_allclose([float(c) for c in wide.coefficients],
                               [float(c) for c in approximate("chebyshev", 3, 2.0).monomial], rtol=1e-15)
    with pytest.raises(SpecError, match="radius"):
        parse_activation("relu-legendre:3", radius=0)


def test_the_command_line_budgets_are_the_library_budgets():
    from algebra.approximants import MAX_DEGREE, MAX_DPS
    from bridge.commands.common import DEGREE, DPS

    assert DEGREE.bounds[1] == MAX_DEGREE and DPS.bounds[1] == MAX_DPS


def test_the_error_of_what_a_network_evaluates_is_printed_beside_the_exact_one():
    """The float64 monomial form of the degree-40 minimax approximant errs more than its exact
    sup error (its condition is 4e12); at low degree the two agree."""
    p = approximate("minimax", 40)
    assert float(p.sup_error) < p.monomial_sup_error < 1.1 * float(p.sup_error)
    q = approximate("minimax", 4)
    assert abs(q.monomial_sup_error - float(q.sup_error)) < 1e-6 * float(q.sup_error) + 1e-12
