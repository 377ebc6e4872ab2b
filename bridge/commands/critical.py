"""`landscape critical`: isolated critical points of the loss, classified."""
from __future__ import annotations

from bridge.commands.common import (MAX_PATH_COUNT, WORKERS, SpecError, add_data_points, add_network_options,
                                    add_budget_option, add_output_options, budget_applies, checkpoint_for, emit,
                                    network_from, parse_counts, status_line)
from bridge.options import integer


def _how(solve: dict) -> str:
    if solve.get("method") != "monodromy":
        return "every path of the total-degree homotopy"
    test = solve.get("completeness")
    return (f"monodromy: {solve['generic_count']:,} solutions of the generic member after {solve['loops']} loops"
            + (f", trace test {test['verdict']} (defect {test['defect']})" if test else ", no completeness test"))


def cmd_critical(args) -> None:
    from algebra.critical import critical_points
    from algebra.solve import VERDICT_WORDS
    from algebra.systems import make_data
    from bridge.provenance import provenance

    net = network_from(args)
    counts = parse_counts(args.data)
    if len(counts) != 1:
        raise SpecError("critical takes one number of data points (--data N)")
    data = make_data(net, counts[0], args.seed, "complex" if args.complex_data else "real")
    from algebra.critical import MAX_PATHS

    max_paths = MAX_PATHS if args.max_paths is None else args.max_paths
    if max_paths < 1:
        raise SpecError(f"--max-paths must be >= 1, got {max_paths}")
    budget_applies(args)
    if args.method == "monodromy":
        given = [o for o, v in (("--max-paths", args.max_paths is not None), ("--verify", args.verify != "runs"),
                                ("--workers", args.workers is not None)) if v]
        if given:
            raise SpecError(f"{', '.join(given)}: {'apply' if len(given) > 1 else 'applies'} to --method homotopy "
                            "(monodromy tracks no start system and certifies by the trace test)")
    elif args.stall is not None or not args.completeness:
        raise SpecError("--stall and --no-completeness apply to --method monodromy")
    with status_line("critical points by monodromy", args.method == "monodromy") as status:
        result = critical_points(net, data, l2=args.l2, seed=args.seed, max_paths=max_paths,
                                 workers=args.workers, verify=args.verify == "runs", gauge=args.gauge,
                                 method=args.method, stall=args.stall, completeness=args.completeness,
                                 progress=status, checkpoint=checkpoint_for(args), budget=args.budget)
    out = result.as_dict()
    config = {"command": "critical", **net.describe(), "data": counts[0], "l2": args.l2, "gauge": args.gauge,
              "max_paths": max_paths, "verify": args.verify, "method": args.method, "stall": args.stall,
              "completeness": args.completeness, "field": "complex" if args.complex_data else "real"}
    out.update(provenance(config, args.seed))
    lines = [f"critical points of the loss: {net.kind} network, W = {net.n_weights}, N = {counts[0]}"
             + (f", L2 {args.l2}" if args.l2 else ""),
             f"  complex nonsingular {out['complex_nonsingular']}, real {out['real']}: "
             f"{out['minima']} minima, {out['saddles']} saddles, {out['maxima']} maxima, "
             f"{out['degenerate']} degenerate",
             f"  paths {out['solve']['paths']:,} ({_how(out['solve'])}; total degree {out['bounds']['total_degree']:,}, "
             f"multihomogeneous {out['bounds']['multihomogeneous']:,}), singular {out['solve']['singular']}, "
             f"on components {out['solve'].get('positive_dimensional', 0)}, "
             f"at infinity {out['solve']['at_infinity']}, failed {out['solve']['failed']}",
             f"  {VERDICT_WORDS[out['solve'].get('verdict', 'lower-bound')]}"
             + (f": {out['solve']['why']}" if out["solve"].get("why") else "")]
    sym = out["symmetry"]
    if sym["acts"]:
        lines.append(f"  symmetries ({len(sym['generators'])} generators: unit swaps and sign flips): "
                     f"{sym['solutions']} complex critical points in {sym['orbits']} orbits"
                     + (f", {sym['added']} added as images" if sym["added"] else ""))
    elif sym["generators"]:
        lines.append(f"  symmetries: {sym['why']}")
    for p in out["points"][:10]:
        lines.append(f"  {p['kind']:>12}  loss {p['loss']:.6g}  nullity {p['nullity']}")
    if out["zero_loss"]:
        z = out["zero_loss"]
        lines.append(f"  zero-loss set: dimension {z['dimension']} (W - N = {z['predicted']}), Hessian "
                     f"nullity {z['hessian_nullity']}: {'degenerate' if z['degenerate'] else 'not degenerate'}")
    lines += [f"  note: {n}" for n in out["notes"]]
    emit(out, args, "\n".join(lines))


def add_parser(sub) -> None:
    c = sub.add_parser("critical", help="isolated critical points of the loss, classified by Hessian inertia")
    add_network_options(c)
    add_data_points(c, default="2")
    c.add_argument("--l2", default=None, metavar="random|VALUES",
                   help="generalized L2 term 1/2 sum l_k w_k^2: random (seeded) or given lambda")
    c.add_argument("--max-paths", type=MAX_PATH_COUNT, default=None,
                   help="refuse solves with more total-degree paths (default 5000)")
    c.add_argument("--verify", choices=("none", "runs"), default="runs",
                   help="runs: independent runs until the count stops growing (default)")
    c.add_argument("--no-gauge", dest="gauge", action="store_false",
                   help="without --l2: keep every weight free (by default one weight per rescaling is fixed at 1, "
                        "so that critical points are isolated)")
    c.add_argument("--method", choices=("homotopy", "monodromy"), default="homotopy",
                   help="homotopy: every total-degree path (default); monodromy: loops in the family with free "
                        "constant terms, every point proved and the set proved complete by the trace test "
                        "(networks beyond the total-degree limit)")
    c.add_argument("--stall", type=integer(1, 1000), default=None,
                   help="monodromy: loops without a new solution before the trace test (default 5)")
    c.add_argument("--no-completeness", dest="completeness", action="store_false",
                   help="monodromy: skip the trace test (then the count is a lower bound)")
    add_budget_option(c)
    c.add_argument("--workers", type=WORKERS, default=None,
                   help="threads of our tracker (with --l2) or PHCpack's worker processes (without: its "
                        "trackers finish the positive-dimensional zero-loss sets' paths); default: every core")
    add_output_options(c)
    c.set_defaults(func=cmd_critical)
