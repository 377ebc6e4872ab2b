"""Functional dimensions against published ones: the exact rank mod p and the float64 rank.

Each entry of published_dimensions.json is an architecture (dense, z^r, no biases), the
dimension of its neurovariety as published, and the source: the Alexander-Hirschowitz
theorem (shallow networks), Usevich et al. 2025 (pyramidal networks), and the computations
of Dao and Rodriguez 2026 (arXiv:2605.09609; minimal filling architectures, their defective
sub-architectures, total degree up to 256). For every entry and seed this runs
``algebra.dimension.functional_dimension`` (the rank mod p, with the float64 rank as its
cross-check, both in the same call) and prints whether each matches, whether the exact rank
is proven, and the seconds. Baseline: the float64 rank of the same call.

    .venv/bin/python benchmarks/published_dimensions.py [--seeds 0:3] [--max-degree 256] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algebra.dimension import functional_dimension  # noqa: E402
from algebra.networks import DenseNetwork  # noqa: E402

TABLE = Path(__file__).with_name("published_dimensions.json")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="0:3", help="seed range A:B (default 0:3)")
    ap.add_argument("--max-degree", type=int, default=256, help="skip architectures of higher total degree")
    ap.add_argument("--json", help="write the rows here")
    args = ap.parse_args()
    a, b = (int(t) for t in args.seeds.split(":"))
    rows = []
    for entry in json.loads(TABLE.read_text()):
        widths, r = tuple(entry["widths"]), entry["degree"]
        if r ** (len(widths) - 2) > args.max_degree:
            continue
        net = DenseNetwork(widths, f"monomial:{r}", bias=False)
        for seed in range(a, b):
            began = time.perf_counter()
            f = functional_dimension(net, seed=seed)
            seconds = time.perf_counter() - began
            rows.append({"widths": list(widths), "degree": r, "seed": seed, "published": entry["dimension"],
                         "exact": f.dimension, "proven": f.exact.proven, "float": f.rank and f.rank.rank,
                         "float_confident": bool(f.rank and f.rank.confident), "weights": net.n_weights,
                         "seconds": seconds})
            row = rows[-1]
            print(f"{','.join(map(str, widths)):>24} r={r} seed {seed}: published {row['published']:>4}  exact "
                  f"{row['exact']:>4}{' proven' if row['proven'] else '       '}  float {str(row['float']):>4}"
                  f"{'' if row['float_confident'] else '?'}  {seconds:6.2f} s", flush=True)
    exact = sum(r["exact"] == r["published"] for r in rows)
    flt = sum(r["float"] == r["published"] for r in rows)
    unconfident_wrong = sum(r["float"] != r["published"] and not r["float_confident"] for r in rows)
    times = [r["seconds"] for r in rows]
    print(f"\n{len(rows)} runs ({len(rows) // max(b - a, 1)} architectures x {b - a} seeds): exact rank matches "
          f"{exact}, float64 rank matches {flt} ({unconfident_wrong} of its misses flagged not confident); "
          f"proven {sum(r['proven'] for r in rows)}; seconds median {statistics.median(times):.2f}, "
          f"max {max(times):.2f}")
    if args.json:
        Path(args.json).write_text("[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n")
    return 0 if exact == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
