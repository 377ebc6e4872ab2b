import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from algebra.activation import SpecError
from algebra.certify import Certificate, CertificationResult, certify
from algebra.examples import katsura
from algebra.polys import PolySystem


def univariate(*coefficients) -> PolySystem:
    """c0 x^d + ... + cd in one unknown x."""
    d = len(coefficients) - 1
    return PolySystem(("x",), np.arange(d, -1, -1)[:, None], np.array([coefficients]))


def circle_hyperbola() -> PolySystem:
    # x^2 + y^2 - 4 = 0, x y - 1 = 0
    return PolySystem(("x", "y"), np.array([[2, 0], [0, 2], [1, 1], [0, 0]]),
                      np.array([[1.0, 1.0, 0.0, -4.0], [0.0, 0.0, 1.0, -1.0]]))


# --- errors ---

def test_non_square_system_is_refused():
    s = PolySystem(("x", "y"), np.array([[1, 0], [0, 1]]), np.array([[1.0, 1.0]]))
    with pytest.raises(SpecError, match="square"):
        certify(s, np.zeros((1, 2)))


@pytest.mark.parametrize("shape", [(2,), (1, 2), (3, 1, 1)])
def test_points_of_the_wrong_shape_are_refused(shape):
    with pytest.raises(SpecError, match="shape"):
        certify(univariate(1.0, 0.0, -4.0), np.zeros(shape))


def test_bad_options_are_refused():
    with pytest.raises(SpecError, match="max_precision"):
        certify(univariate(1.0, 0.0, -4.0), np.zeros((1, 1)), max_precision=10)
    with pytest.raises(SpecError, match="max_move"):
        certify(univariate(1.0, 0.0, -4.0), np.zeros((1, 1)), max_move=0)


# --- exact tiny cases ---

def test_square_roots_of_four():
    import flint

    before = flint.ctx.prec
    res = certify(univariate(1.0, 0.0, -4.0), np.array([[2.0], [-2.0], [2.3]]))
    assert isinstance(res, CertificationResult)
    a, b, c = res.certificates
    assert isinstance(a, Certificate)
    assert a.certified and b.certified and a.real is True and b.real is True
    assert a.precision == 106 and a.reason == ""
    assert abs(a.midpoint[0] - 2) <= a.error < 1e-15 and 0 < a.radius < 1e-10
    assert not c.certified and c.real is None and "moved" in c.reason
    assert res.ncertified == 2 and res.distinct == 2 and res.nreal_certified == 2
    assert res.classes == [0, 1, -1] or res.classes == [1, 0, -1]
    assert flint.ctx.prec == before                          # working precision is scoped


def test_two_copies_of_one_root_are_duplicates():
    res = certify(univariate(1.0, 0.0, -4.0), np.array([[2.0], [2.0 + 1e-10j], [2.0]]))
    assert res.ncertified == 3 and res.distinct == 1 and res.nreal_certified == 1
    assert res.duplicates == [(0, 1), (0, 2), (1, 2)] and res.undecided == []
    d = res.as_dict()
    assert d["certified"] == 3 and d["distinct"] == 1 and len(d["certificates"]) == 3


def test_double_root_is_not_certified():
    s = univariate(1.0, -2.0, 1.0)                            # (x - 1)^2
    res = certify(s, np.array([[1.0], [1.0 + 1e-9]]), max_precision=256)
    assert res.ncertified == 0 and res.distinct == 0
    assert all(not c.certified and c.reason for c in res.certificates)


def test_roots_of_minus_one_are_proved_non_real():
    res = certify(univariate(1.0, 0.0, 1.0), np.array([[1j], [-1j + 1e-12]]))
    assert [c.real for c in res.certificates] == [False, False]
    assert res.distinct == 2 and res.nreal_certified == 0 and res.nnonreal_certified == 2


def test_complex_coefficients_certify_but_cannot_prove_realness():
    # (x - i)(x - 2) = x^2 - (2 + i) x + 2i
    res = certify(univariate(1.0 + 0j, -2.0 - 1j, 2j), np.array([[1j], [2.0]]))
    assert res.ncertified == 2 and res.distinct == 2
    assert [c.real for c in res.certificates] == [False, None]


def test_tiny_and_close_roots_are_separated():
    # x^2 - 2^-200: roots +-2^-100, far closer than the default box radius
    res = certify(univariate(1.0, 0.0, 2.0 ** -200), np.array([[2.0 ** -100 * 1j], [-(2.0 ** -100) * 1j]]))
    assert res.ncertified == 2 and res.distinct == 2
    assert all(c.radius < 2.0 ** -100 for c in res.certificates)
    # (x - 1)(x - 1 - 2^-40): two real roots 1e-12 apart
    d = 2.0 ** -40
    res = certify(univariate(1.0, -(2.0 + d), 1.0 + d), np.array([[1.0], [1.0 + d]]))
    assert res.ncertified == 2 and res.distinct == 2 and res.nreal_certified == 2


def test_circle_and_hyperbola_four_real():
    xs = [s * np.sqrt(2 + t * np.sqrt(3)) for s in (1, -1) for t in (1, -1)]
    pts = np.array([[x, 1 / x] for x in xs], dtype=complex)
    res = certify(circle_hyperbola(), pts + 1e-9)
    assert res.ncertified == 4 and res.distinct == 4 and res.nreal_certified == 4
    assert all(c.real is True for c in res.certificates)
    assert np.abs(np.array([c.midpoint for c in res.certificates]) - pts).max() < 1e-14


def test_wilkinson20_needs_more_precision():
    # prod (x - k), k = 1..20, with float64 coefficients: the stored roots sit up to 6e-4
    # from the integers, and five of them are too ill-conditioned for 106 bits
    c = np.poly(np.arange(1, 21)).astype(float)
    s = PolySystem(("x",), np.arange(20, -1, -1)[:, None], c[None])
    start = np.arange(1, 21, dtype=complex)[:, None]
    res = certify(s, start, max_move=1e-3)
    assert res.ncertified == 20 and res.distinct == 20 and res.nreal_certified == 20
    assert {c.precision for c in res.certificates} == {106, 212}
    low = certify(s, start, max_move=1e-3, max_precision=106)
    assert low.ncertified == 20 - sum(c.precision > 106 for c in res.certificates)
    assert certify(s, start).ncertified < 20                 # the default max_move refuses the far ones


@pytest.mark.parametrize("setting, mode", [(None, "dense"), (("SPLIT_OVERHEAD", 0), "split"),
                                           (("DENSE_LIMIT", 0), "sparse")])
def test_every_evaluation_mode_agrees(monkeypatch, setting, mode):
    import algebra.certify as module
    from flint import acb

    if setting:
        monkeypatch.setattr(module, *setting)
    system = katsura(3)
    ev = module.BallEvaluator(system)
    assert ev.mode == mode
    x = np.array([0.3 + 0.1j, -0.2, 0.7j, 1.1])
    F, J = ev([acb(complex(z)) for z in x])
    assert np.allclose([complex(z) for z in F.entries()], system.evaluate(x), atol=1e-14)
    assert np.allclose(np.array([complex(z) for z in J.entries()]).reshape(4, 4), system.jacobian(x), atol=1e-14)
    xs = [s * np.sqrt(2 + t * np.sqrt(3)) for s in (1, -1) for t in (1, -1)]
    res = certify(circle_hyperbola(), np.array([[x, 1 / x] for x in xs], dtype=complex))
    assert res.ncertified == 4 and res.distinct == 4 and res.nreal_certified == 4
    res = certify(univariate(1.0 + 0j, -2.0 - 1j, 2j), np.array([[1j], [2.0]]))
    assert [c.real for c in res.certificates] == [False, None]


def test_non_finite_point_is_not_certified():
    res = certify(univariate(1.0, 0.0, -4.0), np.array([[np.nan]]))
    assert not res.certificates[0].certified and "finite" in res.certificates[0].reason


def test_katsura4_all_sixteen_certified(phc_ready):
    from algebra.solve import solve

    system = katsura(4)
    sols = solve(system, verify=False, engine="phcpack", workers=1).solutions()
    assert sols.shape == (16, 5)
    res = certify(system, sols)
    assert res.ncertified == 16 and res.distinct == 16 and not res.duplicates and not res.undecided
    assert res.nreal_certified == 12 and res.nnonreal_certified == 4
    # the same points again are duplicates, not new solutions
    again = certify(system, np.concatenate([sols, sols + 1e-12]))
    assert again.distinct == 16 and len(again.duplicates) == 16


# --- property: triangular chains x_k^2 = c_k + x_(k-1) with all 2^n roots known ---

def chain_system(c: list[float]) -> PolySystem:
    n = len(c)
    mons, rows = [], []
    for k in range(n):
        sq = [0] * n
        sq[k] = 2
        terms = [(sq, 1.0), ([0] * n, -c[k])]
        if k:
            prev = [0] * n
            prev[k - 1] = 1
            terms.append((prev, -1.0))
        rows.append(terms)
    basis = sorted({tuple(e) for terms in rows for e, _ in terms})
    coef = np.zeros((n, len(basis)))
    for i, terms in enumerate(rows):
        for e, v in terms:
            coef[i, basis.index(tuple(e))] += v
    return PolySystem(tuple(f"x{k}" for k in range(n)), np.array(basis), coef)


def chain_roots(c: list[float]) -> tuple[np.ndarray, list[bool], float]:
    """All roots, whether each is real, and the smallest |radicand| met (regularity)."""
    roots, real, smallest = [], [], np.inf
    for signs in itertools.product((1, -1), repeat=len(c)):
        x, prev, is_real = [], 0.0, True
        for k, s in enumerate(signs):
            rad = c[k] + prev
            smallest = min(smallest, abs(rad))
            is_real = is_real and abs(complex(rad).imag) == 0 and complex(rad).real > 0
            prev = s * np.sqrt(complex(rad))
            x.append(prev)
        roots.append(x)
        real.append(is_real)
    return np.array(roots), real, smallest


@settings(max_examples=10)
@given(st.lists(st.integers(-12, 12).filter(bool), min_size=1, max_size=3),
       st.integers(0, 2 ** 32 - 1))
def test_chains_certify_at_perturbed_roots_and_not_far_away(quarters, seed):
    c = [q / 4 for q in quarters]
    roots, real, smallest = chain_roots(c)
    assume(smallest > 0.1)
    rng = np.random.default_rng(seed)
    noisy = roots + 1e-10 * (rng.normal(size=roots.shape) + 1j * rng.normal(size=roots.shape))
    res = certify(chain_system(c), noisy)
    assert res.ncertified == len(roots) and res.distinct == len(roots)
    assert [cert.real for cert in res.certificates] == real
    for cert, root in zip(res.certificates, roots):
        assert np.abs(cert.midpoint - root).max() < 1e-12
    # a point far from every root (Bezout: these are all of them) is never certified
    far = roots[:1] + 0.3137
    assume(np.abs(roots - far).max(axis=1).min() > 1e-3)
    assert certify(chain_system(c), far).ncertified == 0
