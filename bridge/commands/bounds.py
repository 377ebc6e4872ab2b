"""`landscape bounds`: Bezout, multihomogeneous and BKK bounds of a network's system."""
from __future__ import annotations

from bridge.commands.common import (SpecError, add_data_options, add_network_options, add_output_options, emit,
                                    network_from, parse_counts, progress_bar)


def _fmt_count(exact, log10: float | None) -> str:
    if exact is not None:
        return f"{exact:,}" if exact < 10 ** 15 else f"10^{log10:.2f}"
    return "n/a" if log10 is None else f"10^{log10:.2f}"


def _short(how: str) -> str:
    words = how.split()
    if words[0] == "square":
        return "square"
    return f"+{words[0]} slices" if "slices" in how else f"{words[0]} combos"


def _mixed_count(r: dict, key: str) -> str:
    """A mixed volume as the table shows it: "?" where MixedVol and DEMiCs disagree (a note
    names both), "-" where not computed."""
    if r.get(key) is not None:
        return f"{r[key]:,}"
    check = (r.get("mixed_volume_check") or {}).get(key)
    return "?" if isinstance(check, dict) and check.get("demics") is not None else "-"


def _bounds_table(rows: list[dict], network: dict, system: str) -> str:
    head = (f"{system} system of the {network['network']} network "
            f"({', '.join(f'{k}={v}' for k, v in network.items() if k != 'network')})")
    mixed = any(r.get("mixed_volume_check") for r in rows)  # --mixed-volume: torus, C^n and stable columns
    cols = ["N", "equations", "degree", "squared by", "total degree", "multihomog.", "mixed volume",
            *(["BKK (C^n)", "stable MV"] if mixed else []), "paper d^(LN)", "real (sqrt)", "symmetries"]
    body = []
    for r in rows:
        counts = [_mixed_count(r, key) for key in
                  (("mixed_volume", "bkk_bound", "stable_mixed_volume") if mixed else ("mixed_volume",))]
        body.append([str(r["data"]), str(r["equations"]), str(max(d for d, _ in r["degrees"])), _short(r["squared_by"]),
                     _fmt_count(r["total_degree"], r["log10_total_degree"]),
                     _fmt_count(r["multihomogeneous"], r["log10_multihomogeneous"]), *counts,
                     "n/a" if r["log10_paper_bound"] is None else f"10^{r['log10_paper_bound']:.2f}",
                     f"10^{r['log10_real_estimate']:.2f}", str(r["torus_symmetries"])])
    widths = [max(len(c), *(len(b[i]) for b in body)) for i, c in enumerate(cols)]
    lines = [head, "  ".join(c.rjust(w) for c, w in zip(cols, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.rjust(w) for v, w in zip(b, widths)) for b in body]
    lines.append("squared by: +K slices = K generic affine slices added (bounds the degree of the "
                 "solution set); K combos = K generic combinations of the equations")
    lines.append("multihomogeneous partition: " + " | ".join(",".join(g) for g in rows[0]["partition"]))
    for note in dict.fromkeys(n for r in rows for n in r["notes"]):
        lines.append("note: " + note)
    return "\n".join(lines)


def cmd_bounds(args) -> None:
    from algebra.bounds import network_bounds, parse_partition
    from bridge.provenance import provenance

    net = network_from(args)
    if args.l2 is not None and args.system != "critical":
        raise SpecError("--l2 applies to the critical system only (add --system critical)")
    counts = parse_counts(args.data)
    partition = parse_partition(args.partition) if args.partition else None
    rows = []
    for n in progress_bar(counts, "bounds"):
        report = network_bounds(net, n, args.system, partition=partition,
                                with_mixed_volume=args.mixed_volume, l2=args.l2, seed=args.seed)
        rows.append({"data": n, **report.as_dict()})
    config = {"command": "bounds", **net.describe(), "system": args.system, "data": counts,
              "l2": args.l2, "mixed_volume": args.mixed_volume, "partition": args.partition}
    result = {**(rows[0] if len(rows) == 1 else {"rows": rows}), "system": args.system,
              "network": net.describe(), **provenance(config, args.seed)}
    text = _bounds_table(rows, net.describe(), args.system)
    drawings = []
    if args.out and len(rows) > 1:
        from bridge.plots import bounds_plot

        drawings.append(lambda: bounds_plot(result, args.out))
    emit(result, args, text, drawings)


def add_parser(sub) -> None:
    b = sub.add_parser("bounds", help="Bezout, multihomogeneous and BKK bounds of a network's system")
    add_network_options(b)
    add_data_options(b, many=True)
    b.add_argument("--mixed-volume", action="store_true",
                   help="also the mixed volumes (phcpy's MixedVol, checked by DEMiCs; slow): of the supports (torus), "
                        "with the origin added (the BKK bound for C^n) and the stable one")
    b.add_argument("--partition", default=None, metavar="'a,b;c,...'",
                   help="variable groups for the multihomogeneous bound (default: one per node/layer)")
    add_output_options(b)
    b.set_defaults(func=cmd_bounds)
