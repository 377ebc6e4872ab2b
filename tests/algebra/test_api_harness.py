"""The bad-input harness for the Python API, as tests/bridge/test_harness.py is for the command
line: every public entry point, fed wrong values for one argument at a time (drawn by
hypothesis: wrong types, NaN, infinities, negative, fractional and huge numbers, empty and
nested containers), either refuses them with TypeError or SpecError before any work (fast),
or accepts them; never another exception (AttributeError, ZeroDivisionError, OverflowError,
IndexError, numpy's errors: an interface that fails by accident), never a hang."""
import math
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from algebra.errors import SpecError

BAD = st.one_of(
    st.none(), st.booleans(), st.text(max_size=5),
    st.sampled_from([math.nan, math.inf, -math.inf, -1, 0, 0.5, -2.5, 10 ** 30, -(10 ** 30), 1e300]),
    st.integers(-10 ** 6, 10 ** 6), st.lists(st.integers(-3, 3), max_size=3), st.just([[1, 2], [3]]),
    st.just({}), st.just(()), st.just(object()),
)
REFUSED = (TypeError, SpecError)
SECONDS = 20.0  # a refusal comes before any work; an accepted value does a tiny system's work


def _tiny():
    from algebra.polys import PolySystem

    return PolySystem(("x", "y"), np.array([[2, 0], [0, 2], [1, 1], [0, 0]]),
                      np.array([[1.0, 1.0, 0.0, -2.0], [0.0, 0.0, 1.0, -1.0]]))


def _solve(**kw):
    from algebra.solve import solve

    return solve(_tiny(), **kw)


def _tree(**kw):
    from algebra.networks import TreeNetwork

    return TreeNetwork(**kw)


def _dense(**kw):
    from algebra.networks import DenseNetwork

    return DenseNetwork(**{"widths": (1, 2, 1), "activation": "linear", "bias": False, **kw})


def _data(**kw):
    from algebra.networks import DenseNetwork
    from algebra.systems import make_data

    return make_data(**{"net": DenseNetwork((1, 1), "linear"), "n_points": 2, **kw})


def _functional_dimension(**kw):
    from algebra.dimension import functional_dimension
    from algebra.networks import DenseNetwork

    return functional_dimension(**{"net": DenseNetwork((1, 2, 1), "linear", bias=False), **kw})


def _witness(**kw):
    from algebra.polys import PolySystem
    from algebra.witness import witness

    curve = PolySystem(("x", "y"), np.array([[1, 1], [0, 0]]), np.array([[1.0, -1.0]]))
    return witness(curve, **kw)


def _polysystem(**kw):
    from algebra.polys import PolySystem

    return PolySystem(**{"variables": ("x",), "monomials": np.array([[1], [0]]),
                         "coefficients": np.array([[1.0, -1.0]]), **kw})


def _critical_points(**kw):
    from algebra.critical import critical_points
    from algebra.networks import DenseNetwork
    from algebra.systems import make_data

    net = DenseNetwork((1, 1, 1), "linear", bias=False)
    return critical_points(**{"net": net, "data": make_data(net, 1, 0), "l2": "random", **kw})


CALLS = {
    "solve": (_solve, ["start", "seed", "verify", "max_runs", "timeout", "max_paths", "precise_steps", "scale",
                       "engine", "precision", "workers"]),
    "TreeNetwork": (_tree, ["units", "depth", "activation", "bias", "shared"]),
    "DenseNetwork": (_dense, ["widths", "activation", "bias"]),
    "make_data": (_data, ["n_points", "seed", "field", "net"]),
    "functional_dimension": (_functional_dimension, ["seed", "points", "trials", "net"]),
    "witness": (_witness, ["seed", "loops", "timeout", "max_paths", "system"]),
    "PolySystem": (_polysystem, ["variables", "monomials", "coefficients"]),
    "critical_points": (_critical_points, ["l2", "seed", "max_paths", "method", "stall", "verify", "gauge",
                                           "budget", "net", "data"]),
}
CASES = [(name, arg) for name, (_, args) in CALLS.items() for arg in args]


@pytest.mark.parametrize("name, arg", CASES, ids=[f"{n}-{a}" for n, a in CASES])
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=BAD)
def test_a_wrong_argument_is_refused_by_name_or_accepted(name, arg, value):
    call, _ = CALLS[name]
    began = time.perf_counter()
    try:
        call(**{arg: value})
    except REFUSED as e:
        assert str(e).strip(), f"{name}({arg}={value!r}) refused without a message"
    except Exception as e:  # noqa: BLE001 - the point of the harness
        pytest.fail(f"{name}({arg}={value!r}) raised {type(e).__name__}: {e}")
    assert time.perf_counter() - began < SECONDS, f"{name}({arg}={value!r}) took too long"
