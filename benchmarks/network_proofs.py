"""Krawczyk's test on a network's critical points: through its forward pass in ball arithmetic
(``network_homotopy.balls``) against the baseline, the system's monomials
(``certify.BallEvaluator``), on the same points in the same run.

The points: solutions of a member of the critical system's constant-term family (the member
through random complex points, so every point is a solution), as monodromy's gate proves
them. Prints set-up and per-point seconds (medians over the points) and their ratio.

    .venv/bin/python benchmarks/network_proofs.py [--points 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algebra.certify import Prover  # noqa: E402
from algebra.continuation.backend import backend  # noqa: E402
from algebra.continuation.family import ConstantFamily  # noqa: E402
from algebra.network_homotopy.balls import NetworkBalls  # noqa: E402
from algebra.network_homotopy.equations import forward_pass  # noqa: E402
from algebra.networks import DenseNetwork, TreeNetwork  # noqa: E402
from algebra.systems import critical_system, make_data  # noqa: E402

CASES = [("canonical tree, N = 1", TreeNetwork(), 1), ("canonical tree, N = 2", TreeNetwork(), 2),
         ("dense (2,3,1) poly, N = 2", DenseNetwork((2, 3, 1), "poly:0.1,0.5,0.3"), 2)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=5)
    args = ap.parse_args()
    for name, net, n_data in CASES:
        data = make_data(net, n_data, 0)
        system = critical_system(net, data, l2="random")
        family = ConstantFamily.of(system)
        rng = np.random.default_rng(0)
        z = (rng.standard_normal((args.points, net.n_weights)) + 1j * rng.standard_normal((args.points, net.n_weights)))
        timings = {}
        for label in ("forward pass", "monomials"):
            per_point, setup, proved = [], 0.0, 0
            for x in z:
                member = family.member(family.through(x))
                began = time.perf_counter()
                ev = NetworkBalls.of(forward_pass(net, data, system, backend()), member) if label == "forward pass" \
                    else None
                prover = Prover(member, max_precision=424, evaluator=ev)
                setup += time.perf_counter() - began
                began = time.perf_counter()
                proved += prover.certificates(x[None, :])[0].certified
                per_point.append(time.perf_counter() - began)
            timings[label] = (setup / len(z), statistics.median(per_point), proved)
        (fs, fp, fok), (ms, mp, mok) = timings["forward pass"], timings["monomials"]
        print(f"{name:>20} ({len(system.monomials):,} monomials): forward pass {fp * 1e3:7.1f} ms a point "
              f"(+{fs * 1e3:.0f} ms set-up, {fok}/{len(z)} proved); monomials {mp * 1e3:7.1f} ms "
              f"(+{ms * 1e3:.0f} ms, {mok}/{len(z)}); ratio {mp / fp:5.0f}x a point, "
              f"{(mp + ms) / (fp + fs):4.0f}x with set-up", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
