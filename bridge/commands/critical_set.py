"""`landscape critical-set`: the paper's Proposition 1 on a network, by the eps -> 0 method."""
from __future__ import annotations

import time

from bridge.commands.common import (MAX_PATH_COUNT, SpecError, add_budget_option, add_data_points,
                                    add_network_options, add_output_options, budget_applies, checkpoint_for, emit,
                                    integer, network_from, parse_counts, status_line)
from bridge.commands.solve import STALL_DEFAULT, STALL_PATHS


def _text(out: dict, net, n: int) -> str:
    from algebra.solve import VERDICT_WORDS

    reg, lim, prop = out["regularized"], out["limits"], out["proposition_1"]
    found = reg.get("solutions") if reg.get("method") == "monodromy" else reg.get("distinct", reg.get("solutions"))
    lines = [f"critical set of the loss: {net.kind} network, W = {net.n_weights}, N = {n}",
             f"  method: {out['method']}",
             f"  regularized (random lambda): {found} critical points, "
             + (VERDICT_WORDS["certified"] if reg.get("certified") else
                VERDICT_WORDS.get(reg.get("verdict"), VERDICT_WORDS["lower-bound"]))
             + (f" (trace test {reg['completeness']['verdict']}, defect {reg['completeness']['defect']})"
                if reg.get("completeness") else "")
             + (f" ({reg['twisted_loops']} of its {reg['loops']} loops twisted by the sign flips the lambdas keep)"
                if reg.get("symmetries") else ""),
             "  eps -> 0: " + ", ".join(f"{k} {v}" for k, v in lim.items())]
    z = out["zero_loss"]
    if z and z.get("empty"):
        lines.append(f"  zero-loss set: empty ({z['why']})")
    elif z:
        part = [f"dimension {z['dimension']} (W - N = {z['predicted']})" if "dimension" in z
                else "dimension not measured",
                f"Hessian nullity {z['hessian_nullity']}" if "hessian_nullity" in z else None,
                (f"degree {z['degree']} ({'complete by the trace test' if z['degree_certified'] else 'not certified'})"
                 if "degree" in z else None)]
        lines.append("  zero-loss set: " + ", ".join(p for p in part if p))
    values = out["critical_values"]
    lines.append(f"  critical values of non-zero loss: {len(values)} ({len(out['isolated'])} distinct limits; kinds "
                 "of the real ones across their critical manifold, modulo the symmetries)")
    for v in values[:20]:
        loss = f"{v['loss']:.6g}" if not isinstance(v["loss"], list) else f"{complex(*v['loss']):.4g}"
        lines.append(f"    loss {loss:>12}  {v['limits']} limits ({v['real']} real, {v['paths']} paths)"
                     + (": " + ", ".join(v["kinds"]) if v["kinds"] else ""))
    no_min = sum(1 for p in out["isolated"] if p["lower_nearby"])
    if no_min:
        lines.append(f"    ({no_min} degenerate point{'s' if no_min > 1 else ''} with no negative eigenvalue: a lower "
                     "loss close by, so no minimum)")
    verdict = {True: "holds", False: "FAILS", None: "undecided"}[prop["holds"]]
    lines.append(f"  Proposition 1: {prop['nonzero_loss_minima']} local minima of non-zero loss (non-degenerate across "
                 "their critical manifold), "
                 f"{prop['degenerate_minimum_candidates']} degenerate points that may be minima: {verdict} "
                 f"({prop['why']})")
    lines += [f"  note: {n}" for n in out["notes"]]
    return "\n".join(lines)


def cmd_critical_set(args) -> None:
    from algebra.critical_set import MAX_PATHS, critical_set
    from algebra.systems import make_data
    from bridge.provenance import provenance

    net = network_from(args)
    counts = parse_counts(args.data)
    if len(counts) != 1:
        raise SpecError("critical-set takes one number of data points (--data N)")
    if args.method == "total-degree" and (args.stall != STALL_DEFAULT or not args.completeness):
        raise SpecError("--stall and --no-completeness apply to --method monodromy")
    budget_applies(args)
    data = make_data(net, counts[0], args.seed, "complex" if args.complex_data else "real")
    max_paths = MAX_PATHS if args.max_paths is None else args.max_paths
    began = time.perf_counter()
    with status_line("regularized critical points by monodromy", args.method == "monodromy") as status:
        result = critical_set(net, data, seed=args.seed, method=args.method, max_paths=max_paths, stall=args.stall,
                              verify=True, degree=not args.no_degree, completeness=args.completeness,
                              progress=status, checkpoint=checkpoint_for(args), budget=args.budget)
    out = result.as_dict()
    out["seconds"] = round(time.perf_counter() - began, 1)
    config = {"command": "critical-set", **net.describe(), "data": counts[0], "method": args.method,
              "max_paths": max_paths, "stall": args.stall, "degree": not args.no_degree,
              "completeness": args.completeness,
              "field": "complex" if args.complex_data else "real"}
    out.update(provenance(config, args.seed))
    emit(out, args, _text(out, net, counts[0]))


def add_parser(sub) -> None:
    c = sub.add_parser("critical-set", help="the critical set of the loss: zero-loss part and isolated critical "
                                            "points of non-zero loss (Proposition 1)")
    add_network_options(c)
    add_data_points(c, default="1")
    c.add_argument("--method", choices=("total-degree", "monodromy"), default="total-degree",
                   help="how the regularized critical points are found: every total-degree path (default) or "
                        "monodromy loops, their points proved and the set proved complete by the trace test (for "
                        "larger systems)")
    c.add_argument("--max-paths", type=MAX_PATH_COUNT, default=None,
                   help="total-degree: refuse more paths (default 5000)")
    c.add_argument("--stall", type=integer(1, 1000), default=STALL_DEFAULT,
                   help=f"monodromy: stop after this many loops without a new solution (default {STALL_DEFAULT}; "
                        f"more for a small set: loops enough to carry {STALL_PATHS:,} paths)")
    c.add_argument("--no-completeness", dest="completeness", action="store_false",
                   help="monodromy: skip the trace test (then the regularized count is a lower bound)")
    add_budget_option(c)
    c.add_argument("--no-degree", action="store_true", help="skip the zero-loss set's degree (a witness set)")
    add_output_options(c)
    c.set_defaults(func=cmd_critical_set)
