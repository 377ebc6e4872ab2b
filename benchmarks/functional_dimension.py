"""Functional dimension by a numpy forward-mode Jacobian against a sympy Jacobian.

F is the generic rank of d/dw (f(x_i; w))_i over W + 8 generic points
(algebra.dimension.functional_dimension). Ours: forward-mode jets in numpy
(algebra.networks.jacobian). Baseline, same run, same points and weights: the output
expanded by sympy with symbolic inputs and weights, differentiated, compiled by lambdify,
evaluated at the points, and ranked by the same singular-value gap. The baseline runs while its --budget lasts; both ranks must agree.

    .venv/bin/python benchmarks/functional_dimension.py [--budget 300] [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algebra.dimension import EXTRA_POINTS, functional_dimension, numerical_rank  # noqa: E402
from algebra.networks import DenseNetwork  # noqa: E402

SIZES = [(2, 2, 2, 1), (2, 3, 3, 1), (3, 4, 4, 1), (4, 6, 6, 1), (8, 12, 12, 1), (12, 16, 16, 1)]


def sympy_rank(net: DenseNetwork, x: np.ndarray, w: np.ndarray) -> int:
    """The Jacobian built symbolically once (inputs and weights as symbols), compiled by
    lambdify, evaluated at every point: the fair way to use sympy for this."""
    import sympy

    from algebra.networks import input_names, symbolic

    (out,) = symbolic(net)
    ws = [sympy.Symbol(n) for n in net.weight_names]
    xs = [sympy.Symbol(n) for n in input_names(net)]
    grad = sympy.lambdify(xs + ws, [sympy.diff(out, s) for s in ws], "numpy")
    rows = [np.broadcast_to(np.asarray(g, dtype=float), (x.shape[0],))
            for g in grad(*[x[:, k] for k in range(x.shape[1])], *w)]
    return numerical_rank(np.stack(rows, axis=1)).rank


def ours(net: DenseNetwork) -> tuple[int, np.ndarray, np.ndarray]:
    # the same draws functional_dimension makes (seed 0, first trial)
    rng = np.random.default_rng([0, 41])
    x = rng.standard_normal((net.n_weights + EXTRA_POINTS, net.n_inputs))
    w = rng.standard_normal(net.n_weights)
    return functional_dimension(net, trials=1).dimension, x, w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=300.0, help="seconds the sympy baseline may take in all")
    parser.add_argument("--repeat", type=int, default=3, help="timings per size (median)")
    args = parser.parse_args()
    print(f"{'widths':>16} {'W':>5} {'F':>5} {'numpy (s)':>10} {'sympy (s)':>10} {'sympy F':>8} {'ratio':>8}")
    spent = 0.0
    for widths in SIZES:
        net = DenseNetwork(widths, "poly:0.1,0.5,0.3")
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            f, x, w = ours(net)
            times.append(time.perf_counter() - start)
        t_ours = statistics.median(times)
        t_sympy = f_sympy = None
        if spent < args.budget:
            start = time.perf_counter()
            try:
                f_sympy = sympy_rank(net, x, w)
            except RecursionError:  # lambdify cannot compile expressions this large
                print(f"{str(widths):>16}  sympy baseline: RecursionError in lambdify; no baseline from here on")
                spent = args.budget
            t_sympy = time.perf_counter() - start
            spent += t_sympy
            if f_sympy is not None and f_sympy != f:
                raise SystemExit(f"ranks disagree at {widths}: numpy {f}, sympy {f_sympy}")
        if f_sympy is None:
            t_sympy = None
        ratio = f"{t_sympy / t_ours:8.0f}" if t_sympy else f"{'-':>8}"
        print(f"{str(widths):>16} {net.n_weights:>5} {f:>5} {t_ours:>10.3f} "
              f"{(f'{t_sympy:.2f}' if t_sympy else '-'):>10} {str(f_sympy or '-'):>8} {ratio}")


if __name__ == "__main__":
    main()
