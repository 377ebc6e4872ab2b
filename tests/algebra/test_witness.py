"""Witness sets: bad input, the twisted cubic (dimension 1, degree 3, irreducible), a union
of components, membership, and a network's zero-loss set against an independent count."""
import numpy as np
import pytest

from algebra.activation import SpecError, parse_activation
from algebra.examples import twisted_cubic
from algebra.networks import DenseNetwork
from algebra.polys import PolySystem
from algebra.systems import from_sympy, make_data, zero_loss_system
from algebra.witness import cascade, is_member, trace_difference, witness


def test_more_equations_than_unknowns_are_sliced_by_their_rank():
    # x - 1 and x + 1: rank 1, one combination has a root, which solves neither: empty
    s = PolySystem(("x",), np.array([[1], [0]]), np.array([[1.0, -1.0], [1.0, 1.0]]))
    w = witness(s)
    assert w.dimension == -1 and any("do not solve the given equations" in n for n in w.notes)
    with pytest.raises(SpecError, match="every equation is constant"):
        witness(PolySystem(("x",), np.array([[0]]), np.array([[1.0]])))


def test_cascade_top_dimension_is_checked():
    with pytest.raises(SpecError, match="top dimension"):
        cascade(twisted_cubic(), top=5)


def test_trace_difference_detects_nonlinearity():
    shifts = np.array([0.0, 1.0, 2.0])
    assert trace_difference(shifts, np.array([[0.0], [1.0], [2.0]])) == 0.0
    assert trace_difference(shifts, np.array([[0.0], [1.0], [4.0]])) > 0.1


def test_twisted_cubic_dimension_1_degree_3_irreducible(phc_ready):
    w = witness(twisted_cubic(), seed=2)
    (c,) = w.components
    assert (w.dimension, c.dimension, c.degree, c.factors) == (1, 1, 3, [3])
    assert c.complete and c.factors_certified


def test_cascade_agrees_on_the_twisted_cubic(phc_ready):
    w = cascade(twisted_cubic())
    assert [(c.dimension, c.degree) for c in w.components] == [(1, 3)]


def test_union_of_two_lines_has_two_factors(phc_ready):
    import sympy

    x, y, z = sympy.symbols("x y z")
    # (x y = 0, z = x + y): the two lines x = 0, z = y and y = 0, z = x
    w = witness(from_sympy([x * y, z - x - y], ["x", "y", "z"]), seed=1)
    (c,) = w.components
    assert (c.dimension, c.degree, c.factors) == (1, 2, [1, 1]) and c.factors_certified


def test_membership(phc_ready):
    w = witness(twisted_cubic())
    assert is_member(w, [1.5, 2.25, 3.375])
    assert not is_member(w, [1.5, 2.25, 3.0])


def test_network_with_small_functional_dimension(phc_ready):
    # f(x) = (a1 w1^2 + a2 w2^2) x^2: one datum fixes a quadric (dimension 3, degree 3
    # counted by total degree 3); two generic data leave nothing (functional dimension 1 < N).
    net = DenseNetwork(widths=(1, 2, 1), activation=parse_activation("monomial:2"), bias=False)
    one = witness(zero_loss_system(net, make_data(net, 1, 0)))
    assert [(c.dimension, c.degree) for c in one.components] == [(3, 3)]
    two = witness(zero_loss_system(net, make_data(net, 2, 0)))
    assert two.dimension == -1 and not two.components


def _system(text):
    from algebra.phcfile import parse_phc

    return parse_phc(text)


def test_dependent_equations_give_the_dimension_of_their_rank_not_of_their_number():
    """Issue 33: xy - 1 given twice is a curve of degree 2 (it used to answer dimension -1);
    a sphere given twice in three unknowns a surface of degree 2; x, y and x + y - 1 (more
    equations than unknowns, rank 2) have no solution; x, y and x + y (rank 2) the origin."""
    w = witness(_system("2\nx*y - 1;\nx*y - 1;\n"))
    assert (w.dimension, [c.degree for c in w.components]) == (1, [2]) and "rank 1" in w.notes[0]
    w = witness(_system("2 3\nx^2 + y^2 + z^2 - 1;\nx^2 + y^2 + z^2 - 1;\n"))
    assert (w.dimension, [c.degree for c in w.components]) == (2, [2])
    assert witness(_system("3 2\nx;\ny;\nx + y - 1;\n")).dimension == -1
    w = witness(_system("3 2\nx;\ny;\nx + y;\n"))
    assert (w.dimension, w.isolated) == (0, 1)


def test_membership_far_from_the_origin_and_coordinate_by_coordinate():
    # points of norm 1e9 were 'at infinity' by PHCpack's norm and the test raised; a point off
    # the curve by 1e-5 in one coordinate is within 1e-6 of it relative to the largest one
    from algebra.examples import twisted_cubic

    w = witness(twisted_cubic())
    assert is_member(w, [1e3, 1e6, 1e9]) and is_member(w, [1e-6, 1e-12, 1e-18]) and is_member(w, [0.0, 0.0, 0.0])
    assert not is_member(w, [1e3, 1e6, 1e9 + 1e4]) and not is_member(w, [0.0, 0.0, 1e-9])
    # where no path reaches the point and some stop short, it says so instead of answering
    with pytest.raises(SpecError, match="membership undecided"):
        is_member(w, [1e6, 1e12, 1e18])
