"""Macaulay's dual space at a point: isolated of multiplicity c, or on a component."""
import numpy as np
import pytest

from algebra.local_dimension import _on_a_component, local_dimension, taylor
from algebra.phcfile import parse_phc


@pytest.mark.parametrize("text, point, paths, verdict, mult", [
    ("1\nx^2;\n", [0], 2, "isolated", 2),
    ("2\n(x-1)^2;\n(y-1)^2;\n", [1, 1], 4, "isolated", 4),
    ("2\n(x-1)^3;\ny - x;\n", [1, 1], 3, "isolated", 3),
    ("2\nx^2 + y^3;\nx*y;\n", [0, 0], 5, "isolated", 5),          # Dayton and Zeng's breadth-two example
    # the real and imaginary parts of z^3: (u^3, v^3) in u = x + iy, v = x - iy, 9-fold at 0; with
    # multinomial weights put on the Taylor coefficients instead of on the columns, h(4) read 10
    ("2\nx^3 - 3*x*y^2;\n3*x^2*y - y^3;\n", [0, 0], 9, "isolated", 9),
    ("2\nx*y - 1;\nx*y - 1;\n", [2, 0.5], 1, "positive-dimensional", None),
    ("2\nx^2*y;\nx*y^2;\n", [0, 0], 4, "positive-dimensional", None),
    ("2\nx*y;\nx*y;\n", [0, 0], 3, "positive-dimensional", None),
])
def test_hand_worked_points(text, point, paths, verdict, mult):
    r = local_dimension(parse_phc(text), np.array(point, dtype=complex) + 1e-11, paths, accuracy=1e-11)
    assert (r.verdict, r.multiplicity) == (verdict, mult)


def test_a_wrong_number_of_paths_is_undecided_never_a_count():
    r = local_dimension(parse_phc("2\n(x-1)^2;\n(y-1)^2;\n"), np.array([1, 1], dtype=complex), 3)
    assert r.verdict in ("undecided", "positive-dimensional") and r.multiplicity is None
    r = local_dimension(parse_phc("2\n(x-1)^2;\n(y-1)^2;\n"), np.array([1, 1], dtype=complex), 5)
    assert r.verdict == "undecided" and "stops at 4" in r.reason


def test_taylor_coefficients_are_exact_where_double_precision_cancels():
    # (x + y + 1)^6 expanded, at its root line: every coefficient below order 6 is zero exactly
    s = parse_phc("2\n(x + y + 1)^6;\ny - 2;\n")
    basis, coef = taylor(s, np.array([-3.0 + 0j, 2.0 + 0j]), 6)
    low = basis.sum(axis=1) < 6
    assert np.all(coef[0, low] == 0) and np.any(coef[0, ~low] != 0)


def test_failed_paths_make_a_point_past_its_paths_undecided_not_a_component():
    s = parse_phc("2\n(x-1)^2;\n(y-1)^2;\n")
    r = local_dimension(s, np.array([1, 1], dtype=complex), 3, lost=1)     # one of its 4 paths failed
    assert r.verdict == "undecided" and "1 paths failed" in r.reason
    # told 3 paths end at a 4-fold root, h reads it as a component; no solution beside the point
    # (followed out to where a root of multiplicity 3 would leave a residual) says it is not one
    wrong = local_dimension(s, np.array([1, 1], dtype=complex), 3)
    assert wrong.verdict == "undecided" and "no solution was found on a slice" in wrong.reason
    curve = parse_phc("2\nx*y - 1;\nx*y - 1;\n")
    assert local_dimension(curve, np.array([2, 0.5], dtype=complex), 1, lost=1).verdict == "positive-dimensional"


def test_an_expanded_high_multiplicity_root_is_never_called_a_component():
    # (x - 1)^16 expanded: in double precision its 16 paths end in clusters of points good to
    # 1e-2, whose ranks h read as components ('14 on positive-dimensional components')
    import math

    from algebra.solve import solve

    text = "1\n" + " ".join(f"{math.comb(16, k) * (-1) ** (16 - k):+d}*x^{k}" for k in range(17)) + ";\n"
    r = solve(parse_phc(text), verify=False)
    assert r.accounting["positive_dimensional"] == 0 and r.verdict == "lower-bound"
    # a slice beside a point of a curve finds the curve, from a crossing of two lines too
    for text, point in (("2\nx*y - 1;\nx*y - 1;\n", [2, 0.5]), ("2\nx*y;\nx*y;\n", [0, 0])):
        s = parse_phc(text)
        assert _on_a_component(s, np.array(point, dtype=complex), 2.0, 3)
