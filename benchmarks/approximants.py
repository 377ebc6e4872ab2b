"""Minimax (Remez) cost against the Chebyshev interpolant, and a float64 cross-check.

1. Time of ``approximate("minimax", d)`` at d = 10, 40, 100 against
   ``approximate("chebyshev", d)`` (same precision rule, same error search), median of
   --repeat runs, ratio printed.
2. Sup error of our Chebyshev interpolant against numpy.polynomial.chebyshev.chebinterpolate
   in float64 (its coefficients, measured by the same refined extrema search): they must
   agree to 1e-12 at low degree.

    .venv/bin/python benchmarks/approximants.py [--repeat K]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import mpmath
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algebra import approximants  # noqa: E402
from algebra.approximants import (ApproximationWarning, approximate, clenshaw,  # noqa: E402
                                  sup_norm)


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ApproximationWarning)
    approximants.MAX_DEGREE = 100  # the measurement goes past the command's budget (60), as its message says to

    print(f"{'degree':>6} {'chebyshev (s)':>14} {'minimax (s)':>12} {'ratio':>7} {'minimax sup error':>18}")
    for d in (10, 40, 100):
        t_cheb, _ = median_time(lambda: approximate("chebyshev", d), args.repeat)
        t_mm, mm = median_time(lambda: approximate("minimax", d), args.repeat)
        print(f"{d:>6} {t_cheb:14.3f} {t_mm:12.3f} {t_mm / t_cheb:7.1f} {float(mm.sup_error):18.6e}", flush=True)

    print(f"\n{'degree':>6} {'ours (mp)':>22} {'numpy float64':>22} {'|difference|':>14}")
    worst = 0.0
    for d in (2, 3, 5, 8, 12, 16):
        ours = approximate("chebyshev", d)
        coeffs = np.polynomial.chebyshev.chebinterpolate(lambda x: np.maximum(x, 0.0), d)
        with mpmath.workdps(30):
            theirs, _ = sup_norm(lambda x: max(x, 0) - clenshaw([mpmath.mpf(c) for c in coeffs], x),
                                 -1, 1, (0,))
        diff = abs(float(ours.sup_error) - float(theirs))
        worst = max(worst, diff)
        print(f"{d:>6} {float(ours.sup_error):22.16e} {float(theirs):22.16e} {diff:14.2e}")
    print(f"agreement {'OK' if worst <= 1e-12 else 'FAILED'}: largest difference {worst:.1e} (limit 1e-12)")


if __name__ == "__main__":
    main()
