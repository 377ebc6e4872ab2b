"""`landscape export`: a network's system written for phc, Bertini, Macaulay2, HC.jl or JSON."""
from __future__ import annotations

import math
from typing import Sequence

from bridge.commands.common import (add_data_options, add_fix_option, add_network_options, add_slice_option,
                                    network_from, parse_counts, SpecError)


def parse_fix(items: Sequence[str]) -> dict[str, complex]:
    """['a11_1=1', 'c2_1=0.5'] -> {'a11_1': 1.0, 'c2_1': 0.5}.

    >>> parse_fix(["a11_1=1", "c2_1=0.5"])
    {'a11_1': 1.0, 'c2_1': 0.5}
    """
    out = {}
    for item in items:
        name, eq, value = item.partition("=")
        try:
            v = complex(value.replace("i", "j"))
        except ValueError:
            raise SpecError(f"--fix {item!r}: write NAME=VALUE with a number") from None
        if not eq or not name:
            raise SpecError(f"--fix {item!r}: write NAME=VALUE")
        if not (math.isfinite(v.real) and math.isfinite(v.imag)):
            raise SpecError(f"--fix {item!r}: the value must be a finite number")
        out[name.strip()] = v.real if v.imag == 0 else v
    return out


def build_system(net, args):
    """The system a command asks for: zero-loss or critical, then fixed weights, then slices."""
    from algebra.systems import critical_system, make_data, random_slices, zero_loss_system

    counts = parse_counts(args.data)
    if len(counts) != 1:
        raise SpecError("--data: this command takes a single number of data points")
    data = make_data(net, counts[0], args.seed, "complex" if args.complex_data else "real")
    if args.system == "zero-loss":
        if args.l2 is not None:
            raise SpecError("--l2 applies to the critical system only")
        system = zero_loss_system(net, data)
    else:
        system = critical_system(net, data, l2=args.l2, seed=args.seed)
    if args.fix:
        system = system.substitute(parse_fix(args.fix))
    if args.slice is not None:
        count = system.n_variables - system.n_equations if args.slice == "square" else _int(args.slice)
        if count < 0:
            raise SpecError(f"--slice: the system has {system.n_equations} equations in "
                            f"{system.n_variables} unknowns already; slicing cannot square it")
        system = random_slices(system, count, args.seed)
    return system, data


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SpecError(f"--slice {text!r}: give a number of slices, or no value to square the system") from None


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
