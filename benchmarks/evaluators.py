"""Cost of one evaluation (values and Jacobian of a homotopy) by each of the toolkit's
evaluators, on network systems of three sizes.

- monomials, array: ``MonomialEvaluator`` on numpy (the product chain, sparse products),
  batched over P points, as the array tracker and the torch path use it;
- monomials, compiled: the same program in the compiled kernel (``kernel._homotopy``),
  one point at a time, as the compiled tracker uses it;
- forward pass: ``network_homotopy.equations`` (the network's forward pass with first- or
  second-order jets), homogenized, batched over P points, as monodromy uses it above
  ``equations.COMPILED_PRODUCTS``.

Each figure is the median over --repeat timings of a loop of calls (microseconds per point);
the ratios are against the array monomials at the same P, measured in the same run.

    .venv/bin/python benchmarks/evaluators.py [--points 1,50,200] [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from algebra.activation import parse_activation  # noqa: E402
from algebra.continuation import kernel  # noqa: E402
from algebra.continuation.backend import backend  # noqa: E402
from algebra.continuation.family import ConstantFamily, SegmentsHomotopy  # noqa: E402
from algebra.continuation.homotopy import chart_for  # noqa: E402
from algebra.network_homotopy.equations import forward_pass, monomial_products  # noqa: E402
from algebra.networks import DenseNetwork, TreeNetwork  # noqa: E402
from algebra.systems import critical_system, l2_weights, make_data, random_slices, zero_loss_system  # noqa: E402


def systems():
    tree = TreeNetwork(units=1, activation=parse_activation("poly:0.1,0.5,0.3"))
    dense = DenseNetwork((2, 2, 1), "monomial:2", bias=False)
    data2, data1 = make_data(tree, 2, 0), make_data(tree, 1, 0)
    ddata = make_data(dense, 2, 0)
    return [("tree r=1 zero-loss N=2 sliced", tree, data2,
             random_slices(zero_loss_system(tree, data2), tree.n_weights - 2, 0)),
            ("dense (2,2,1) z^2 critical N=2", dense, ddata,
             critical_system(dense, ddata, l2_weights(dense, "random", 0))),
            ("tree r=1 critical N=1", tree, data1, critical_system(tree, data1, l2_weights(tree, "random", 0)))]


def _time(fn, repeat: int, budget: float = 0.3) -> float:
    """Median seconds of one call (each timing a loop of calls lasting about ``budget``)."""
    fn()
    calls, began = 0, time.perf_counter()
    while time.perf_counter() - began < budget / 3 or calls < 1:
        fn()
        calls += 1
    loop = max(1, int(calls * 3))
    out = []
    for _ in range(repeat):
        began = time.perf_counter()
        for _ in range(loop):
            fn()
        out.append((time.perf_counter() - began) / loop)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", default="1,50,200")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sizes = [int(v) for v in args.points.split(",")]
    be = backend()
    rng = np.random.default_rng(0)
    print(f"{'system':<32} {'products':>9} {'P':>4} | {'array us/pt':>11} | {'compiled us/pt':>14} {'ratio':>6} | "
          f"{'forward us/pt':>13} {'ratio':>6}")
    for name, net, data, system in systems():
        family = ConstantFamily.of(system)
        n = system.n_variables
        chart = chart_for(n + 1, 0)
        mono = SegmentsHomotopy.of(family, be, chart)
        equations = forward_pass(net, data, system, be)
        jets = SegmentsHomotopy.of(family, be, chart, equations) if equations is not None else None
        form = mono.on(np.zeros((1, n), complex), np.zeros((1, n), complex), np.ones(1, complex)).compiled(1)
        z1 = rng.standard_normal(n + 1) + 1j * rng.standard_normal(n + 1)
        kernel = _kernel_loop(form, z1)
        t_kernel = _time(kernel, args.repeat) / 100
        for p in sizes:
            z = rng.standard_normal((p, n + 1)) + 1j * rng.standard_normal((p, n + 1))
            t_array = _time(lambda: mono.evaluator.evaluate(z), args.repeat) / p
            t_jets = _time(lambda: jets.evaluator.evaluate(z), args.repeat) / p if jets is not None else float("nan")
            print(f"{name:<32} {monomial_products(system):>9,} {p:>4} | {t_array * 1e6:11.2f} | "
                  f"{t_kernel * 1e6:14.2f} {t_array / t_kernel:6.1f} | {t_jets * 1e6:13.2f} {t_array / t_jets:6.1f}",
                  flush=True)


def _kernel_loop(form, z):
    """100 evaluations of the compiled homotopy at one point (its per-point cost, no overhead
    of a Python call per evaluation)."""
    import numba

    program, arrays = form.program.arrays, form.arrays()
    m = len(z)
    top = int(max(form.degrees))

    @numba.njit
    def loop(z, program, arrays, n_mono, top):
        mono = np.empty(n_mono, np.complex128)
        powers = np.empty(top + 1, np.complex128)
        hv = np.empty(m, np.complex128)
        hs = np.empty(m, np.complex128)
        hz = np.empty((m, m), np.complex128)
        for _ in range(100):
            kernel._homotopy(z, 0.5 + 0.1j, program, arrays, 0, mono, powers, hv, hz, hs)
        return hv

    return lambda: loop(z, program, arrays, form.program.n_monomials, top)


if __name__ == "__main__":
    main()
