"""`landscape dimension`: dimension of zero-loss sets against W - N."""
from __future__ import annotations

import sys

from bridge.commands.common import (MAX_DIMENSION_DATA, WORKERS, SpecError, add_data_points, add_network_options,
                                    add_output_options, emit, integer, network_from, parse_counts, progress_bar)


def cmd_dimension(args) -> None:
    from algebra.dimension import dimension_report
    from bridge.provenance import provenance

    net = network_from(args)
    counts = parse_counts(args.data)
    if max(counts) > MAX_DIMENSION_DATA:
        raise SpecError(f"dimension: --data {max(counts):,} exceeds {MAX_DIMENSION_DATA:,} points (the fit takes about "
                        "6 ms per point per start here: a minute at the limit)")
    if args.starts < 1:
        raise SpecError(f"--starts must be >= 1, got {args.starts}")
    import warnings

    # float64 overflows at high degrees (a dense net of monomial:2 layers: degree 2^L); the exact
    # column stands, and the user gets one line a kind, not numpy's warnings with their sources
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        report = dimension_report(net, counts, seed=args.seed, starts=args.starts,
                                  with_witness=args.witness, workers=args.workers,
                                  progress=lambda items: progress_bar(items, "dimension"))
    kinds = sorted({str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)})
    for kind in kinds:
        print(f"landscape: warning: float64 arithmetic: {kind} (the exact column is not affected)", file=sys.stderr)
    first = report["table"][0]
    flat = {k: first[k] for k in ("data", "predicted", "expected", "measured", "regime", "smooth",
                                  "singular_value_gap", "consistent")} if len(counts) == 1 else {}
    config = {"command": "dimension", **net.describe(), "data": counts, "starts": args.starts,
              "witness": args.witness}
    result = {**report, **flat, "consistent": report["consistent"], "warnings": kinds, **provenance(config, args.seed)}
    text = _dimension_text(result)
    drawings = []
    if args.out and len(counts) > 1:
        from bridge.plots import dimension_plot

        drawings.append(lambda: dimension_plot(result, args.out))
    emit(result, args, text, drawings)


def _dimension_text(r: dict) -> str:
    sym, fd, gap = r["symmetries"], r["functional"], r["functional_gap"]
    lines = [f"{r['network']['network']} network, W = {r['weights']} weights, functional dimension "
             f"F = {r['functional_dimension']} (polynomial space {r['polynomial_space_dimension']}), {fd['method']}"]
    if gap is None:
        lines.append("  the float64 Jacobian overflowed: no float cross-check")
    elif not fd["float_agrees"]:
        lines.append(f"  the float64 rank says {fd['float_rank']} (singular-value gap {gap['gap']:.1e}"
                     f"{'' if gap['confident'] else ', not confident'}): wrong; the exact rank is used")
    elif not gap["confident"]:
        lines.append(f"  the float64 rank agrees but is not confident (gap {gap['gap']:.1e})")
    lines.append(f"fibre W - F = {r['fibre_dimension']}: {sym['rescalings']} rescalings + {sym['group']} "
                 f"other symmetry directions, {r['unexplained']} unexplained")
    lines.append(f"{'N':>5} {'regime':>11} {'W-N':>5} {'expected':>9} {'exact':>6} {'measured':>9} {'field':>8}"
                 + (" witness" if r["table"] and "witness" in r["table"][0] else "") + "  ok")
    for row in r["table"]:
        fmt = lambda v: "-" if v is None else str(v)  # noqa: E731
        measured = fmt(row["measured"]) + ("?" if row["measured_confident"] is False else "")
        line = (f"{row['data']:>5} {row['regime']:>11} {row['predicted']:>5} {fmt(row['expected']):>9} "
                f"{fmt(row['exact']):>6} {measured:>9} {fmt(row['field']):>8}")
        if "witness" in row:
            line += f" {fmt(row['witness']['dimension']):>7}"
        lines.append(line + ("  yes" if row["consistent"] else "  NO"))
    lines.append("exact: W - N when the Jacobian of N random points has rank N mod p, '-' when below N; "
                 "measured: W - rank J at a zero-loss point (float64)")
    if r.get("unfound"):
        lines.append(f"- no zero-loss point found at N = {', '.join(map(str, r['unfound']))} from "
                     f"{r['table'][0]['starts']} Levenberg-Marquardt starts (more --starts may find one): no evidence "
                     "either way; those rows rest on the exact rank")
    if r["unconfident"]:
        lines.append(f"? the float64 rank at N = {', '.join(map(str, r['unconfident']))} is not confident "
                     "(small singular-value gap): no evidence either way; those rows rest on the exact rank")
    lines.append("consistent with the prediction (exact ranks mod p)" if r["consistent"] else
                 "NOT consistent everywhere: see the rows marked NO")
    return "\n".join(lines)


def add_parser(sub) -> None:
    d = sub.add_parser("dimension", help="dimension of zero-loss sets against W - N, functional dimension")
    add_network_options(d)
    add_data_points(d, many=True, complex_data=False)
    d.add_argument("--starts", type=integer(1, 500, "each start is a Levenberg-Marquardt run: 1,000 took 51 s on "
                                                      "2 cores"),
                   default=8, help="Levenberg-Marquardt starts per N (default 8, at most 500)")
    d.add_argument("--witness", action="store_true",
                   help="also the witness-set dimension (homotopy continuation; small networks)")
    d.add_argument("--workers", type=WORKERS, default=None, help="worker processes for --witness")
    add_output_options(d, "folder for result.json and, for several N, dimension.png")
    d.set_defaults(func=cmd_dimension)
