from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from algebra.activation import DEFAULT_RADIUS, SpecError, parse_activation


@pytest.mark.parametrize("spec, fragment", [
    ("", "empty"),
    ("foo", "unknown activation"),
    ("poly:", "non-constant"),
    ("poly:1", "non-constant"),
    ("poly:1,0,0", "non-constant"),
    ("poly:1,x", "not a number"),
    ("monomial:0", ">= 1"),
    ("monomial:two", "not an integer"),
    ("relu", "not a polynomial"),
    ("relu-chebyshev:0", ">= 1"),
])
def test_bad_specs_name_the_problem(spec, fragment):
    with pytest.raises(SpecError, match=fragment):
        parse_activation(spec)


def test_exact_decimal_coefficients():
    a = parse_activation("poly:0.1,0.5,0.3")
    assert a.coefficients == (Fraction(1, 10), Fraction(1, 2), Fraction(3, 10))
    assert a.degree == 2 and not a.is_homogeneous
    assert a.float_coefficients() == [0.1, 0.5, 0.3]


def test_trailing_zeros_do_not_raise_the_degree():
    assert parse_activation("poly:0,1,2,0,0").degree == 2


def test_linear_and_monomial():
    assert parse_activation("linear").coefficients == (0, 1)
    m = parse_activation("monomial:3")
    assert m.degree == 3 and m.is_homogeneous


@given(st.lists(st.fractions(max_denominator=50), min_size=2, max_size=6).filter(lambda c: any(c[1:])),
       st.fractions(max_denominator=20))
def test_horner_matches_power_sum(coeffs, z):
    spec = "poly:" + ",".join(f"{c.numerator}/{c.denominator}" for c in coeffs)
    a = parse_activation(spec)
    assert a.evaluate(z) == sum(c * z ** k for k, c in enumerate(coeffs))


# --- the interval of relu-* approximants -----------------------------------------------------

@pytest.mark.parametrize("spec, radius, fragment", [
    ("relu-minimax:4@0", None, "radius after @"),
    ("relu-minimax:4@inf", None, "radius after @"),
    ("relu-minimax:4@nan", None, "radius after @"),
    ("relu-minimax:4@1e-308", None, "radius after @"),
    ("relu-minimax:4@x", None, "must be a number"),
    ("relu-minimax:4", float("inf"), "radius must be"),
    ("relu-minimax:4", 0.0, "radius must be"),
    ("relu-minimax:4@3", 2.0, "give one of them"),
    ("monomial:2@3", None, "not an integer"),
    ("linear@3", None, "only relu-. approximants"),
])
def test_bad_radii_name_the_problem(spec, radius, fragment):
    with pytest.raises(SpecError, match=fragment):
        parse_activation(spec, radius=radius)


def test_the_interval_is_part_of_the_spec():
    default = parse_activation("relu-chebyshev:4")
    assert default.radius == DEFAULT_RADIUS and default.spec == f"relu-chebyshev:4@{DEFAULT_RADIUS:g}"
    assert parse_activation(default.spec) == default  # the canonical spec reads back to the same polynomial
    assert parse_activation("relu-chebyshev:4@3") == parse_activation("relu-chebyshev:4", radius=3)
    assert parse_activation("relu-chebyshev:4@3", radius=3.0).radius == 3.0  # agreeing values are fine
    assert parse_activation("relu-chebyshev:4@3").coefficients != default.coefficients


def test_no_import_circle_between_activation_and_approximants():
    import subprocess
    import sys

    code = ("import sys, algebra.approximants; "
            "assert 'algebra.activation' not in sys.modules, 'approximants imports activation'")
    subprocess.run([sys.executable, "-c", code], check=True)
