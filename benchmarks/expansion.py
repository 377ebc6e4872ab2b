"""Why the exact polynomials are python-flint: expanding F^2 for the canonical tree network.

F(x, w) is the network output as a polynomial in inputs and weights; the critical-point
system needs F^2 (algebra.systems.loss_polynomial). Same product, same run: python-flint
(fmpq_mpoly, the representation algebra/ uses) against sympy's expand (the baseline; kept
for display and exports). sympy runs only while its budget lasts.

    .venv/bin/python benchmarks/expansion.py [--budget SECONDS]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import sympy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algebra.networks import TreeNetwork, exact_outputs, symbolic  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=600.0, help="seconds sympy may take in all")
    args = parser.parse_args()
    print(f"{'units':>5} {'terms of F':>10} {'terms of F^2':>12} {'flint (s)':>10} {'sympy (s)':>10} {'ratio':>8}")
    spent = 0.0
    for r in (1, 2, 3):
        net = TreeNetwork(units=r)
        _, (f,) = exact_outputs(net)
        start = time.perf_counter()
        square = f * f
        t_flint = time.perf_counter() - start
        t_sympy = None
        if spent < args.budget and r <= 2:
            expr = symbolic(net)[0]
            start = time.perf_counter()
            expanded = sympy.expand(expr * expr)
            t_sympy = time.perf_counter() - start
            spent += t_sympy
            assert len(expanded.args) == len(square), "the two expansions disagree"
        ratio = f"{t_sympy / t_flint:8.0f}" if t_sympy else f"{'-':>8}"
        sym = f"{t_sympy:10.2f}" if t_sympy else f"{'(skipped)':>10}"
        print(f"{r:>5} {len(f):>10,} {len(square):>12,} {t_flint:10.3f} {sym} {ratio}", flush=True)


if __name__ == "__main__":
    main()
