"""`landscape export`: a network's system written for phc, Bertini, Macaulay2, HC.jl or JSON."""
from __future__ import annotations

from bridge.commands.common import (add_data_options, add_fix_option, add_network_options, add_slice_option,
                                    build_system, network_from)


def cmd_export(args) -> None:
    from algebra.exports import export
    from bridge.provenance import provenance, to_json, write_atomic

    net = network_from(args)
    system, data = build_system(net, args)
    text = export(system, args.format)
    write_atomic(args.out, text)
    config = {"command": "export", **net.describe(), "system": args.system, "data": data.n_points,
              "complex_data": args.complex_data, "l2": args.l2, "fix": args.fix,
              "slice": args.slice, "format": args.format}
    summary = {"file": args.out, "format": args.format, "kind": system.kind,
               "equations": system.n_equations, "variables": list(system.variables),
               "degrees": system.degrees, "square": system.is_square,
               "terms": int(system.coefficients.nnz), **provenance(config, args.seed)}
    if args.json:
        print(to_json(summary, indent=None))
    else:
        print(f"wrote {args.out}: {system.n_equations} equations in {system.n_variables} unknowns, "
              f"degrees {_runs(system.degrees)}, {system.coefficients.nnz:,} terms ({args.format})")


def _runs(values: list[int]) -> str:
    """Compact list: [9, 9, 9, 1] -> '9 x3, 1'."""
    out, i = [], 0
    while i < len(values):
        j = i
        while j < len(values) and values[j] == values[i]:
            j += 1
        out.append(f"{values[i]}" + (f" x{j - i}" if j - i > 1 else ""))
        i = j
    return ", ".join(out)


def add_parser(sub) -> None:
    from algebra.exports import FORMATS

    e = sub.add_parser("export", help="write a network's system for phc, Bertini, Macaulay2, HC.jl or JSON")
    add_network_options(e)
    add_data_options(e)
    add_fix_option(e)
    add_slice_option(e)
    e.add_argument("--format", choices=FORMATS, default="phc")
    e.add_argument("--json", action="store_true", help="one JSON summary on stdout")
    e.add_argument("--out", required=True, help="file to write")
    e.set_defaults(func=cmd_export)
