"""PolySystem's own checks: what it refuses before any solver sees it."""
import numpy as np
import pytest

from algebra.errors import SpecError
from algebra.polys import PolySystem


# --- the API refuses what the command line refuses -------------------------------------

@pytest.mark.parametrize("exponents, fragment", [
    ([[1.5], [0]], "whole numbers >= 0, got 1.5"),          # x^1.5 was solved as x
    ([[-1], [0]], "whole numbers >= 0, got -1"),
    (np.array([[2 ** 70], [0]], dtype=object), "too large"),
])
def test_exponents_that_are_not_whole_numbers_are_refused(exponents, fragment):
    with pytest.raises(SpecError, match=fragment):
        PolySystem(("x",), np.array(exponents), np.array([[1.0, -1.0]]))


@pytest.mark.parametrize("bad", [np.nan, np.inf, complex(0, np.inf)])
def test_non_finite_coefficients_are_refused(bad):
    with pytest.raises(SpecError, match="non-finite"):
        PolySystem(("x",), np.array([[1], [0]]), np.array([[bad, -1.0]]))
