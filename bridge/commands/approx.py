"""`landscape approx`: polynomial approximants of ReLU."""
from __future__ import annotations

import sys

from bridge.commands.common import (DEFAULT_RADIUS, DEGREE, DPS, add_output_options, emit, parse_counts, progress_bar,
                                    SpecError)


def _approx_samples(approximants: dict, target: str, radius: float, degree: int, points: int = 401) -> dict:
    import numpy as np

    xs = np.linspace(-radius, radius, points)
    f = (lambda v: max(v, 0.0)) if target == "relu" else abs
    return {"degree": degree, "x": xs.tolist(), "target": [float(f(v)) for v in xs],
            "approximants": {k: [float(a(v)) for v in xs] for k, a in approximants.items()}}


def cmd_approx(args) -> None:
    from algebra.activation import check_radius

    args.radius = DEFAULT_RADIUS if args.radius is None else check_radius(args.radius, "--radius")
    import warnings

    from algebra.approximants import KINDS, approximate, decay_rate
    from bridge.plots import approximant_plots
    from bridge.provenance import provenance

    if (args.degree is None) == (args.degrees is None):
        raise SpecError("give --degree D or --degrees A:B" + ("" if args.degree is None else ", not both"))
    config = {"command": "approx", "kind": args.kind, "target": args.target, "radius": args.radius,
              "dps": args.dps, "degree": args.degree, "degrees": args.degrees}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if args.degrees is None:
            a = approximate(args.kind, args.degree, args.radius, args.target, args.dps)
            result = a.as_dict()
            shown = {args.kind: a}
            text = _approx_text(result)
        else:
            degrees = parse_counts(args.degrees)
            from algebra.approximants import MAX_DEGREE

            if max(degrees) > MAX_DEGREE:
                raise SpecError(f"--degrees {args.degrees}: degrees at most {MAX_DEGREE} (the fit's cost grows like "
                                "the cube of the degree)")
            table, shown = {kind: [] for kind in KINDS}, {}
            for kind, d in progress_bar([(k, d) for k in KINDS for d in degrees], "approximants"):
                a = approximate(kind, d, args.radius, args.target, args.dps)
                table[kind].append({"degree": d, "sup_error": float(a.sup_error), "l2_error": float(a.l2_error)})
                shown[kind] = a
            result = {"target": args.target, "radius": args.radius, "degrees": degrees, "table": table,
                      "decay_rate": {k: (decay_rate(degrees, [r["sup_error"] for r in rows])
                                         if len(degrees) > 1 else None) for k, rows in table.items()}}
            text = _approx_table(result)
    result["warnings"] = sorted({str(w.message) for w in caught})
    result.update(provenance(config, None))
    drawings = []
    if args.out:
        result["samples"] = _approx_samples(shown, args.target, args.radius, max(a.degree for a in shown.values()))
        drawings.append(lambda: approximant_plots(result, args.out))
    for w in result["warnings"]:
        print(f"landscape: warning: {w}", file=sys.stderr)
    emit(result, args, text, drawings)


def _approx_text(r: dict) -> str:
    coeffs = ", ".join(f"{c:.6g}" for c in r["coefficients"][:8]) + (" ..." if len(r["coefficients"]) > 8 else "")
    lines = [f"{r['kind']} approximant of {r['target']} on [-{r['radius']:g}, {r['radius']:g}], degree {r['degree']}",
             f"  sup error  {r['sup_error']:.6e}  (at x = {r['sup_error_at']:.6g})",
             f"  L2 error   {r['l2_error']:.6e}",
             f"  sup error of the float64 monomial form a network evaluates  {r['monomial_sup_error']:.6e}",
             f"  monomial coefficients p0..: {coeffs}",
             f"  monomial condition {r['monomial_condition']:.2e}"]
    if r["equioscillation"]:
        lines.append(f"  equioscillation: {len(r['equioscillation'])} alternating extrema "
                     f"(d + 2 = {r['degree'] + 2})")
    return "\n".join(lines)


def _approx_table(r: dict) -> str:
    kinds = list(r["table"])
    lines = [f"sup error of {r['target']} approximants on [-{r['radius']:g}, {r['radius']:g}]",
             "degree  " + "  ".join(f"{k:>16}" for k in kinds)]
    for i, d in enumerate(r["degrees"]):
        lines.append(f"{d:>6}  " + "  ".join(f"{r['table'][k][i]['sup_error']:>16.6e}" for k in kinds))
    if len(r["degrees"]) > 1:
        lines.append("slope   " + "  ".join(f"{r['decay_rate'][k]:>16.3f}" for k in kinds)
                     + "   (fit of sup error ~ C d^slope)")
    return "\n".join(lines)


def add_parser(sub) -> None:
    from algebra.approximants import KINDS

    a = sub.add_parser("approx", help="polynomial approximants of ReLU: Chebyshev, Legendre, minimax")
    a.add_argument("--kind", choices=KINDS,
                   default="minimax", help="default minimax (best uniform, Remez)")
    a.add_argument("--degree", type=DEGREE, default=None, help="degree d >= 1")
    a.add_argument("--degrees", default=None, metavar="A:B", help="table of every kind over these degrees")
    a.add_argument("--radius", default=None, metavar="R",
                   help=f"interval [-R, R] (default {DEFAULT_RADIUS:g}, as for every relu-* spec)")
    a.add_argument("--dps", type=DPS, default=None, help="working precision in digits (default from the degree)")
    a.add_argument("--target", choices=("relu", "abs"), default="relu")
    add_output_options(a, "folder for result.json and the plots (PNG)")
    a.set_defaults(func=cmd_approx)
