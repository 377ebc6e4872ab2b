import json
import re

import numpy as np
import pytest
import sympy

from algebra.activation import SpecError
from algebra.exports import FORMATS, export, from_json_dict, phc_names, to_json_dict, to_phc
from algebra.networks import DenseNetwork, TreeNetwork
from algebra.systems import critical_system, make_data, random_slices, zero_loss_system


def _system(complex_=False, slices=True):
    net = TreeNetwork(units=1)
    s = zero_loss_system(net, make_data(net, 3, seed=2, field="complex" if complex_ else "real"))
    return random_slices(s, 9, seed=2) if slices else s


def test_unknown_format_is_refused():
    with pytest.raises(SpecError, match="unknown export format"):
        export(_system(), "maple")


def test_names_that_phc_misreads_are_renamed():
    assert phc_names(["u11_1", "e2_1", "Ix", "c"]) == ["u11_1", "we2_1", "wIx", "c"]
    with pytest.raises(SpecError, match="collide"):
        phc_names(["e1", "we1"])


def test_no_fractions_and_full_precision():
    text = to_phc(_system())
    body = text.split("renamed")[0]
    assert not re.search(r"\d/\d", body)
    coeffs = re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", body)
    assert max(len(c.lstrip("-").split("e")[0]) for c in coeffs) >= 17


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_names_every_variable_and_equation(fmt):
    s = _system(complex_=True)
    text = export(s, fmt)
    if fmt == "m2":
        assert "R = CC_53[w_0..w_11]" in text and text.count("ii") > 0
    else:
        for name in (phc_names(s.variables) if fmt == "phc" else s.variables):
            assert name in text
    if fmt == "bertini":
        assert f"function {','.join(f'f{i + 1}' for i in range(12))};" in text
    if fmt == "phc":
        assert text.splitlines()[0] == "12"


def test_json_round_trip_is_exact():
    s = _system(complex_=True)
    back = from_json_dict(json.loads(json.dumps(to_json_dict(s))))
    assert back.variables == s.variables and np.array_equal(back.monomials, s.monomials)
    assert (back.coefficients != s.coefficients).nnz == 0


def test_non_square_phc_header_states_the_variables():
    assert to_phc(_system(slices=False)).splitlines()[0] == "3 12"


def _parse_phc_strings(polys, names):
    syms = {n: sympy.Symbol(n) for n in names}
    syms["i"] = sympy.I
    return [sympy.sympify(p.strip().rstrip(";"), locals=syms) for p in polys]


@pytest.mark.parametrize("complex_", [False, True])
def test_phc_reads_the_exported_file(phc_ready, tmp_path, complex_):
    s = _system(complex_)
    path = tmp_path / "tree.phc"
    path.write_text(to_phc(s))
    polys = phc_ready.run("read_file", str(path))
    assert len(polys) == s.n_equations
    names = phc_names(s.variables)
    exprs = _parse_phc_strings(polys, names)
    rng = np.random.default_rng(0)
    point = rng.standard_normal(12) + 1j * rng.standard_normal(12)
    subs = dict(zip(sympy.symbols(names), point))
    ours = s.evaluate(point)
    theirs = np.array([complex(e.evalf(30, subs=subs)) for e in exprs])
    np.testing.assert_allclose(theirs, ours, rtol=1e-12, atol=1e-12 * np.abs(ours).max())


def test_phc_solves_an_exported_critical_system(phc_ready, tmp_path):
    # f = w2 w1 x with L2 weights: the origin and 4 nonzero critical points, derived by
    # hand (w1 = k w2, k^2 = l2/l1, then w2^2 = (Sxy - l1 k) / (k Sxx)): 5 in all
    net = DenseNetwork((1, 1, 1), "linear", bias=False)
    s = critical_system(net, make_data(net, 4, seed=3), l2=[0.3, 0.7])
    path = tmp_path / "linear.phc"
    path.write_text(to_phc(s))
    sols = phc_ready.run("blackbox", phc_ready.run("read_file", str(path)))
    assert len(sols) == 5
    points = []
    for sol in sols:  # PHCpack's solution text: "name :  re  im" per coordinate
        coords = dict((m[0], complex(float(m[1]), float(m[2])))
                      for m in re.findall(r"^ (\S+) :\s+(\S+)\s+(\S+)$", sol, re.M))
        point = np.array([coords[n] for n in s.variables])
        assert np.abs(s.evaluate(point)).max() < 1e-10
        points.append(point)
    assert len({tuple(np.round(p, 8)) for p in points}) == 5  # distinct
