"""Write a PolySystem for other tools: PHCpack, Bertini, Macaulay2, HomotopyContinuation.jl, JSON.

Coefficients are written as the shortest decimals that read back as the same doubles; PHCpack 2.4.86 mis-parses rational coefficients such as ``164*w^2/5``, so no
fractions are ever written. PHCpack files state the number of variables next to the
number of equations when they differ, since its symbol count goes wrong otherwise.
Macaulay2 identifiers cannot contain ``_``: its script uses indexed variables w_0.. and
lists the names in a comment.
"""
from __future__ import annotations

import json
from typing import Callable

import numpy as np

from algebra.errors import SpecError
from algebra.polys import PolySystem

FORMATS = ("phc", "bertini", "m2", "hc", "json")


def _real(x: float) -> str:
    """Shortest text that reads back as the same double (Python's repr), with a decimal
    point always, since the readers differ on forms such as 1e-05.

    >>> _real(0.1), _real(2.0), _real(1e-05), _real(-1.2345678901234567e+200)
    ('0.1', '2.0', '1.0e-05', '-1.2345678901234567e+200')
    """
    text = repr(float(x))
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa and mantissa not in ("inf", "-inf", "nan"):
        mantissa += ".0"
    return mantissa + e + exponent


def _number(c: complex, imag_unit: str) -> str:
    c = complex(c)
    if c.imag == 0:
        return _real(c.real)
    return f"({_real(c.real)} + {_real(c.imag)}*{imag_unit})"


def _polynomial(monomials: np.ndarray, coeffs: np.ndarray, names: list[str],
                imag_unit: str, power: str = "^") -> str:
    if len(coeffs) == 0:
        return "0"
    terms = []
    for mon, c in zip(monomials, coeffs):
        factors = [n if e == 1 else f"{n}{power}{int(e)}" for n, e in zip(names, mon) if e]
        terms.append("*".join([_number(c, imag_unit)] + factors))
    return " + ".join(terms).replace("+ -", "- ")


def polynomial_strings(system: PolySystem, names: list[str] | None = None,
                       imag_unit: str = "i", power: str = "^") -> list[str]:
    """Each equation as a string, zero coefficients dropped.

    >>> s = PolySystem(("x", "y"), np.array([[2, 0], [0, 1]]), np.array([[1.5, -2.0]]))
    >>> polynomial_strings(s)
    ['1.5*x^2 - 2.0*y']
    """
    names = list(names or system.variables)
    return [_polynomial(*system.equation(i), names, imag_unit, power) for i in range(system.n_equations)]


def phc_names(variables) -> list[str]:
    """Names PHCpack 2.4.86 parses: a symbol starting with e, E, i or I right after a
    coefficient is read as an exponent or the imaginary unit (``(1+2*i)*e2_1`` yields a
    variable ``_1``), so such names get a ``w`` in front.

    >>> phc_names(["u11_1", "e2_1", "i"])
    ['u11_1', 'we2_1', 'wi']
    """
    out = [("w" + n) if n[:1] in "eEiI" else n for n in variables]
    if len(set(out)) != len(out):
        raise SpecError("variable names collide once made safe for PHCpack: " + ", ".join(variables))
    return out


def _in_written_order(system: PolySystem) -> bool:
    """Whether the written polynomials meet every variable, first in the system's order.

    PHCpack (and algebra.phcfile) number the unknowns by first appearance; the terms are
    written in the sorted monomial basis, which often meets the last variable first.
    """
    w = system.n_variables
    coef = system.coefficients
    never = np.iinfo(np.int64).max
    position = np.full(system.monomials.shape[0], never)  # first place each monomial is written
    np.minimum.at(position, coef.indices, np.arange(coef.nnz))
    first = np.where(system.monomials > 0, position[:, None], never).min(axis=0, initial=never)
    order = np.argsort(first, kind="stable")  # variables of one term: written in index order
    return bool(np.all(first < never) and np.array_equal(order, np.arange(w)))


def to_phc(system: PolySystem) -> str:
    """PHCpack input format: counts on the first line, then one polynomial per line ending in ';'.
    When the terms would meet the variables in another order than the system's, the first
    polynomial starts with x - x + y - y ..., so that PHCpack numbers them as we do.

    >>> s = PolySystem(("x",), np.array([[2], [0]]), np.array([[1.0, -4.0]]))
    >>> print(to_phc(s))
    1
    1.0*x^2 - 4.0;
    <BLANKLINE>
    >>> print(to_phc(PolySystem(("x", "y"), np.array([[0, 1], [1, 0]]), np.array([[-2.0, 1.0]]))))
    1 2
    x - x + y - y - 2.0*y + 1.0*x;
    <BLANKLINE>
    """
    head = (f"{system.n_equations}" if system.is_square
            else f"{system.n_equations} {system.n_variables}")
    names = phc_names(system.variables)
    polys = polynomial_strings(system, names, imag_unit="i")
    if polys and not _in_written_order(system):
        from algebra.phc import force_order

        polys = force_order(polys, names)
    text = head + "\n" + "".join(p + ";\n" for p in polys)
    renamed = [f"{a} -> {b}" for a, b in zip(system.variables, names) if a != b]
    if renamed:  # PHCpack ignores what follows the polynomials
        text += "\nrenamed for PHCpack: " + ", ".join(renamed) + "\n"
    return text


def to_bertini(system: PolySystem) -> str:
    lines = ["% written by landscape: " + system.kind, "CONFIG", "END;", "INPUT",
             "variable_group " + ",".join(system.variables) + ";"]
    fnames = [f"f{i + 1}" for i in range(system.n_equations)]
    lines.append("function " + ",".join(fnames) + ";")
    for name, poly in zip(fnames, polynomial_strings(system, imag_unit="I")):
        lines.append(f"{name} = {poly};")
    lines.append("END;")
    return "\n".join(lines) + "\n"


def to_macaulay2(system: PolySystem) -> str:
    w = system.n_variables
    names = [f"w_{k}" for k in range(w)]
    ring = "CC" if system.is_complex else "RR"
    lines = [f"-- written by landscape: {system.kind} system, {system.n_equations} equations",
             "-- variables: " + ", ".join(f"w_{k} = {n}" for k, n in enumerate(system.variables)),
             f"R = {ring}_53[w_0..w_{w - 1}];",
             "F = {"]
    polys = polynomial_strings(system, names, imag_unit="ii")
    lines += [f"  {p}" + ("," if i < len(polys) - 1 else "") for i, p in enumerate(polys)]
    lines += ["};", "-- e.g. needsPackage \"NumericalAlgebraicGeometry\"; sols = solveSystem F"]
    return "\n".join(lines) + "\n"


def to_homotopycontinuation(system: PolySystem) -> str:
    lines = [f"# written by landscape: {system.kind} system", "using HomotopyContinuation",
             "@var " + " ".join(system.variables),
             "F = System(["]
    polys = polynomial_strings(system, imag_unit="im")
    lines += [f"    {p}," for p in polys]
    lines += [f"], variables = [{', '.join(system.variables)}])",
              "# result = solve(F)"]
    return "\n".join(lines) + "\n"


def to_json_dict(system: PolySystem) -> dict:
    coef = system.coefficients.tocoo()
    out = {"kind": system.kind, "variables": list(system.variables),
           "equations": system.n_equations, "degrees": system.degrees,
           "monomials": system.monomials.tolist(),
           "terms": {"equation": coef.row.tolist(), "monomial": coef.col.tolist(),
                     "real": np.real(coef.data).tolist(), "imag": np.imag(coef.data).tolist()},
           "info": system.info}
    return out


def from_json_dict(d: dict) -> PolySystem:
    from scipy import sparse

    t = d["terms"]
    values = np.array(t["real"]) + 1j * np.array(t["imag"])
    if not np.any(values.imag):
        values = values.real
    mon = np.array(d["monomials"], dtype=np.int64).reshape(-1, len(d["variables"]))
    coef = sparse.csr_array((values, (t["equation"], t["monomial"])), shape=(d["equations"], len(mon)))
    return PolySystem(tuple(d["variables"]), mon, coef, d["kind"], d.get("info", {}))


def to_json(system: PolySystem) -> str:
    return json.dumps(to_json_dict(system), indent=1) + "\n"


WRITERS: dict[str, Callable[[PolySystem], str]] = {
    "phc": to_phc, "bertini": to_bertini, "m2": to_macaulay2,
    "hc": to_homotopycontinuation, "json": to_json,
}


def export(system: PolySystem, fmt: str) -> str:
    """The system as the text of a file in the given format (one of FORMATS)."""
    try:
        return WRITERS[fmt](system)
    except KeyError:
        raise SpecError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}") from None
