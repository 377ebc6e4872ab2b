import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from algebra.activation import SpecError, parse_activation
from algebra.exports import export, phc_names, to_phc
from algebra.networks import DenseNetwork, TreeNetwork
from algebra.phcfile import parse_phc, read_phc
from algebra.polys import PolySystem, combine
from algebra.systems import critical_system, make_data, random_slices, zero_loss_system

# --- errors: one line naming the source, the line and the cause ----------------------------

_SUMS = "(" + " + ".join(f"a{k}" for k in range(4000)) + ")*(" + " + ".join(f"b{k}" for k in range(4000)) + ")"

BAD = [
    ("two\nx;\n", "<text> line 1: expected the number of polynomials"),
    ("0\nx;\n", "positive integers"),
    ("1 2 3\nx;\n", "one or two"),
    ("2 -1\nx;\n", "line 1"),
    ("", "empty"),
    ("\n  \n", "empty"),
    ("2\nx - 1;\n", "<text>: 2 polynomials announced, 1 found (each must end in ';')"),
    ("3\nx;\ny;\n\nTHE SOLUTIONS :\n", "3 polynomials announced, 2 found"),
    ("1\nx - 1\n", "1 polynomials announced, 0 found"),
    ("2\nx - 1;\n(1 + 1)\n", "2 polynomials announced, 1 found"),
    ("2\nx - 1;\ny - 1;\n\nx + y;\n", "line 5: 2 polynomials announced, more found"),
    ("1 3\nx - y;\n", "line 1: 3 unknowns announced, 2 found (x, y)"),
    ("1\n3;\n", "no unknowns"),
    ("1\nx +* 1;\n", "line 2: unexpected '*'"),
    ("2\nx^2 + y^2 - 4;\nx*y - $1;\n", "line 3: cannot read '$1'"),
    ("2\nx +\n y;\nx*\n\n #;\n", "line 6: cannot read '#'"),
    ("1\n2x + 1;\n", "cannot read '2x'"),
    ("1\n3e*x;\n", "cannot read '3e'"),
    ("1\n1.2.3*x;\n", "cannot read '1.2.3'"),
    ("1\n(x + 1;\n", "unexpected ';' where ')'"),
    ("1\nx y;\n", "unexpected 'y'"),
    ("1\n1e400*x;\n", "'1e400' is not a finite double"),
    ("1\ninf*x;\n", "'inf' is not a finite coefficient"),
    ("1\nx + NaN;\n", "'NaN' is not a finite coefficient"),
    ("1\n1e300*1e300*x;\n", "line 2: a coefficient overflows"),
    ("1\n1e308*x\n + 1e308*x\n + y;\n", "line 4: a coefficient overflows"),
    ("1\n(1e200*x + 1)^2;\n", "overflows"),
    ("1\n(2*x)^2000;\n", "overflows"),
    ("1\n(x + 1)^1100;\n", "overflows"),
    ("1\nx/1e-310;\n", "overflows"),
    ("1\nx^-1;\n", "negative exponent"),
    ("1\nx^2.5;\n", "non-negative integer, got '2.5'"),
    ("1\nx^1e3;\n", "non-negative integer"),
    ("1\nx^y;\n", "non-negative integer, got 'y'"),
    ("1\nx^10000000000000;\n", "more than 1,000,000,000,000"),
    ("1\n(x^1000000000000)^2;\n", "an exponent reaches 2,000,000,000,000"),
    ("1\nx/0;\n", "division by zero"),
    ("1\nx/(y - y);\n", "division by zero"),
    ("1\nx/y;\n", "not a constant"),
    ("1\n(x1 + x2 + x3 + x4 + x5 + x6)^100;\n", "more than 1,000,000 terms"),
    ("1\n(x + 1)^2000000;\n", "more than 1,000,000 terms"),
    ("1\n" + _SUMS + ";\n", "more than 10,000,000 multiplications"),
    ("1\n" + "(" * 150 + "x" + ")" * 150 + ";\n", "nested more than 100 deep"),
]


@pytest.mark.parametrize("text, fragment", BAD, ids=range(len(BAD)))
def test_bad_input_is_refused_in_one_line_naming_the_cause(text, fragment):
    with pytest.raises(SpecError, match=re.escape(fragment)) as err:
        parse_phc(text)
    assert "\n" not in str(err.value)


def test_a_system_too_large_to_store_densely_is_refused(monkeypatch):
    import algebra.phcfile as phcfile

    monkeypatch.setattr(phcfile, "MAX_CELLS", 5)
    with pytest.raises(SpecError, match="3 terms in 2 unknowns make an exponent matrix of 6 entries"):
        parse_phc("1\nx + y + 1;\n")


def test_errors_name_the_file(tmp_path):
    f = tmp_path / "f.phc"
    f.write_text("3\nx - 1;\ny - 1;\n")
    with pytest.raises(SpecError, match=re.escape(f"{f}: 3 polynomials announced, 2 found")):
        read_phc(str(f))


# --- tiny exact cases --------------------------------------------------------------------

def _terms(s: PolySystem, i: int = 0) -> dict:
    mon, coef = s.equation(i)
    return {tuple(int(e) for e in m): c for m, c in zip(mon, coef)}


def test_a_variable_in_two_terms():  # the reproducer
    s = parse_phc("1\nx^2 + x - 2;\n")
    assert s.variables == ("x",) and s.kind == "file"
    assert s.monomials.tolist() == [[0], [1], [2]]
    assert s.coefficients.toarray().tolist() == [[-2.0, 1.0, 1.0]]
    assert s.coefficients.dtype == np.float64


def test_repeated_monomials_and_variables_are_merged():
    s = parse_phc("1\nx**3 - 2*x^3 + x*x*x*y - y*x^3 + x;\n")
    assert _terms(s) == {(1, 0): 1.0, (3, 0): -1.0}


def test_imaginary_unit_standalone_only():
    s = parse_phc("1\ni*x + I - (0.5 - 1.5*I)*i1 + ix;\n")
    assert s.variables == ("x", "i1", "ix") and s.coefficients.dtype == np.complex128
    assert _terms(s) == {(0, 0, 0): 1j, (1, 0, 0): 1j, (0, 1, 0): -0.5 + 1.5j, (0, 0, 1): 1.0}


def test_scientific_notation_reads_exact_doubles():
    s = parse_phc("1\n1.2E-3*x + 1.e+5 - 3e2*x^2 + 1.0E+00*x^3 + .5e-1*x^4;\n")
    assert _terms(s) == {(0,): 1e5, (1,): float("1.2E-3"), (2,): -300.0, (3,): 1.0, (4,): 0.05}


def test_continuation_lines_crlf_and_blank_lines():
    s = parse_phc("\n2\r\n x^2 +\r\n\r\n   y^2\n - 4;\n x*y\n - 1;\n")
    assert s.variables == ("x", "y") and s.n_equations == 2
    assert _terms(s, 0) == {(0, 0): -4.0, (0, 2): 1.0, (2, 0): 1.0}
    assert _terms(s, 1) == {(0, 0): -1.0, (1, 1): 1.0}


def test_several_polynomials_on_one_line():
    s = parse_phc("2\nx - 1; y - 2;\n")
    assert s.n_equations == 2 and _terms(s, 1) == {(0, 0): -2.0, (0, 1): 1.0}


def test_header_with_equations_and_unknowns():
    s = parse_phc("1 3\nx*y*z - 1;\n")
    assert s.variables == ("x", "y", "z") and not s.is_square


def test_unknowns_numbered_by_first_appearance_and_exponent_zero_counts():
    s = parse_phc("2\ny + x^0;\nz*x;\n")
    assert s.variables == ("y", "x", "z")


def test_trailing_solution_list_is_ignored():
    text = """2
 x^2 + y^2 - 4;
 x*y - 1;

THE SOLUTIONS :
2 2
===========================================================================
solution 1 : start residual :  0.000E+00   #iterations : 1   success
t :  1.00000000000000E+00   0.00000000000000E+00
m : 1
the solution for t :
 x :  1.93185165257814E+00  -1.23259516440783E-32
 y :  5.17638090205041E-01   4.93038065763132E-32
== err :  3.688E-16 = rco :  2.265E-01 = res :  4.441E-16 = real regular ==
solution 2 : ...;
TIMING INFORMATION; total degree : 4;
"""
    s = parse_phc(text)
    assert s.variables == ("x", "y") and s.n_equations == 2


def test_trailing_text_in_unknown_names_or_with_words_is_not_a_polynomial():
    assert parse_phc("1\nx - 1;\ny - 1;\n").n_equations == 1  # y is not an unknown: a title
    assert parse_phc("1\nx - 1;\nx is the unknown;\n").n_equations == 1


def test_parentheses_powers_and_division_by_constants():
    s = parse_phc("2\n(x - 1)*(y + 2)^2;\n(x + y)/2 - x/4 + 1/2*y - -(3)^2;\n")
    assert _terms(s, 0) == {(0, 0): -4.0, (0, 1): -4.0, (0, 2): -1.0,
                            (1, 0): 4.0, (1, 1): 4.0, (1, 2): 1.0}
    assert _terms(s, 1) == {(0, 0): 9.0, (0, 1): 1.0, (1, 0): 0.25}


def test_variable_names():
    s = parse_phc("1\nx1*I2 + ix_3 + _a + e1 - 3e1*E2 + i1;\n")
    assert s.variables == ("x1", "I2", "ix_3", "_a", "e1", "E2", "i1")
    assert _terms(s)[(0, 0, 0, 0, 0, 1, 0)] == -30.0


def test_identically_zero_polynomial_is_an_equation_without_terms():
    s = parse_phc("2\nx - x + (y + 1)^2 - y^2 - 2*y - 1;\ny - 1;\n")
    assert s.n_equations == 2 and _terms(s, 0) == {} and s.variables == ("x", "y")
    s = parse_phc("1\nx - x;\n")
    assert s.n_equations == 1 and s.coefficients.nnz == 0 and s.monomials.shape == (0, 1)


def test_high_degrees_are_the_counters_business():
    s = parse_phc("1\nx^1000000000 - 1;\n")
    assert s.degrees == [10**9]
    assert parse_phc("1\n(x^1000000 + 2*y)^2;\n").degrees == [2 * 10**6]


def test_read_phc_accepts_a_title_in_another_encoding(tmp_path):
    f = tmp_path / "s.phc"
    f.write_bytes(b"1\nx^2 - 2;\n\nSyst\xe8me de d\xe9part\n")
    assert read_phc(str(f)).variables == ("x",)


# --- round trips of our own exports ---------------------------------------------------------

def _assert_same(back: PolySystem, s: PolySystem):
    assert back.variables == s.variables and back.n_equations == s.n_equations
    for i in range(s.n_equations):
        mon_b, coef_b = back.equation(i)
        mon_s, coef_s = s.equation(i)
        assert np.array_equal(mon_b, mon_s)
        assert np.array_equal(coef_b, coef_s)  # exactly: repr-exact doubles are written
    assert back.is_complex == bool(np.any(s.coefficients.data.imag != 0))


def test_read_phc_round_trips_an_export(tmp_path):  # moved from test_exports.py
    s = PolySystem(("x", "y"), np.array([[2, 0], [0, 1], [0, 0]]), np.array([[1.5, -2.0, 0.25]]))
    f = tmp_path / "s.phc"
    f.write_text(to_phc(s))
    back = read_phc(str(f))
    assert back.variables == ("x", "y")
    assert np.allclose(back.evaluate([0.3, 0.7]), s.evaluate([0.3, 0.7]))


def test_renamed_variables_are_restored():
    mon, coef = combine(np.array([[1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 2]]), np.array([[1.0, 2 + 3j, -1.0]]))
    s = PolySystem(("e1", "i", "I", "x"), mon, coef)
    text = to_phc(s)
    assert "renamed for PHCpack: e1 -> we1" in text
    _assert_same(parse_phc(text), s)


_NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,4}", fullmatch=True).filter(
    lambda n: n.lower() not in ("inf", "nan", "infinity"))
_FLOAT = st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                   st.sampled_from([5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1e-300]))


@st.composite
def _systems(draw):
    names = draw(st.lists(_NAME, min_size=1, max_size=4, unique=True))
    try:
        phc_names(names)
    except SpecError:
        assume(False)
    complex_ = draw(st.booleans())
    number = st.builds(complex, _FLOAT, _FLOAT) if complex_ else _FLOAT
    monomial = st.tuples(*[st.integers(0, 5)] * len(names))
    equations = draw(st.lists(st.dictionaries(monomial, number, max_size=5), min_size=1, max_size=3))
    mons = [m for eq in equations for m in eq]
    coef = np.zeros((len(equations), len(mons)), dtype=complex if complex_ else float)
    col = 0
    for i, eq in enumerate(equations):
        for c in eq.values():
            coef[i, col] = c
            col += 1
    mon = np.array(mons, dtype=np.int64).reshape(len(mons), len(names))
    if mons:  # combine cannot reshape an empty basis
        mon, coef = combine(mon, coef)
    return PolySystem(tuple(names), mon, coef, "file")


@settings(max_examples=60, deadline=None)
@given(_systems())
def test_to_phc_reads_back_exactly(s):
    _assert_same(parse_phc(to_phc(s)), s)


def _network_systems():
    tree = TreeNetwork(units=1, activation=parse_activation("poly:0.1,0.5,0.3"))
    zero = zero_loss_system(tree, make_data(tree, 2, 0))
    dense = DenseNetwork((1, 2, 1), "linear", bias=False)
    return [zero, random_slices(zero, zero.n_variables - zero.n_equations, seed=1),
            critical_system(dense, make_data(dense, 3, 0)),
            critical_system(dense, make_data(dense, 3, 0), l2="random", seed=2)]


def test_exported_network_systems_read_back_equal(tmp_path):
    for k, s in enumerate(_network_systems()):
        f = tmp_path / f"s{k}.phc"
        f.write_text(export(s, "phc"))
        back = read_phc(str(f))
        _assert_same(back, s)
        assert back.info["source"] == str(f)


def test_a_byte_order_mark_is_not_part_of_the_system(tmp_path):
    path = tmp_path / "bom.phc"
    path.write_bytes(b"\xef\xbb\xbf2\nx - 1;\ny - 2;\n")
    s = read_phc(str(path))
    assert s.variables == ("x", "y") and s.n_equations == 2


def test_a_file_past_the_size_budget_is_refused_before_it_is_read(tmp_path):
    from algebra.phcfile import MAX_FILE_BYTES, read_phc

    big = tmp_path / "big.phc"
    with open(big, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no time spent writing it
    with pytest.raises(SpecError, match="above the budget of 20,000,000"):
        read_phc(str(big))
