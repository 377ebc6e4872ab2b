"""`landscape solve` and `landscape witness`: counts and witness sets of a file's or a network's system."""
from __future__ import annotations

import os
import time
from pathlib import Path

from bridge.commands.common import (MAX_PATH_COUNT, NETWORK_SYSTEM_OPTIONS, WORKERS, SpecError, StatusLine,
                                    add_cluster_options, add_data_options, add_fix_option, add_network_options,
                                    add_output_options, add_slice_option, build_system, emit, integer, network_from,
                                    add_budget_option, budget_applies, checkpoint_for, number, remote,
                                    units_runner)


STALL_DEFAULT = 5  # algebra.continuation.monodromy.STALL (not imported here: the parser stays light)
STALL_PATHS = 2_000  # algebra.continuation.monodromy.STALL_PATHS, for the help text


def system_from(args):
    """The system a solve/witness command works on: a PHCpack file, or a network's system.
    Returns (system, description for the result, network or None, its data or None)."""
    if args.file:
        from algebra.phcfile import read_phc

        given = [f"--{dest.replace('_', '-')}" for dest in NETWORK_SYSTEM_OPTIONS
                 if getattr(args, dest, None) != args.defaults.get(dest)]
        if given:
            raise SpecError(f"{' '.join(given)} describe{'s' if len(given) == 1 else ''} a network's system; with a "
                            f"file the system is the file's (edit the file, or drop the file to use a network)")
        system = read_phc(args.file)
        return system, {"file": os.path.abspath(args.file)}, None, None
    net = network_from(args)
    system, data = build_system(net, args, gauge=getattr(args, "gauge", False))
    return system, {**net.describe(), "system": args.system, "data": data.n_points,
                    "complex_data": args.complex_data, "l2": args.l2, "fix": args.fix,
                    "gauge": system.info.get("gauge"), "unfixed_symmetries": _unfixed(net, system, args.seed),
                    "slice": args.slice}, net, data


def _unfixed(net, system, seed: int) -> int | None:
    """Continuous symmetries beyond the rescalings, on a gauge-fixed system."""
    if not system.info.get("gauge"):
        return None
    from algebra.dimension import symmetries

    return symmetries(net, seed)["group"]


def _gauge_lines(r: dict) -> list[str]:
    fixed = (r.get("config") or {}).get("gauge")
    if not fixed:
        return []
    lines = [f"gauge fixed: {', '.join(fixed)} = 1, one weight per rescaling (--no-gauge keeps them free); "
             "critical points where one of them is 0 are not on this slice"]
    group = (r.get("config") or {}).get("unfixed_symmetries")
    if group:
        lines.append(f"  the network has {group} further continuous symmetries (changes of basis, orthogonal "
                     "groups) that fixing weights does not remove: its critical points stay positive-dimensional")
    return lines


def _solve_text(r: dict, what: str) -> str:
    from algebra.solve import VERDICT_WORDS, counts_sentence

    lines = _gauge_lines(r) + [f"{what}: {r['paths']} paths from the {r['start']['kind']} start system "
                               f"({r['start']['why']})",
             f"  {counts_sentence(r)}",
             f"  {VERDICT_WORDS[r['verdict']]}: {r['verification'].get('why', '')}"]
    if r.get("positive_dimensional"):
        lines.append(f"  a solution set of positive dimension is there ({r['positive_dimensional']} paths end on it): "
                     "`landscape witness` describes it")
    b = r["bounds"]
    lines.append("  bounds: total degree {:,}".format(b["total_degree"])
                 + (f", multihomogeneous {b['multihomogeneous']:,}" if "multihomogeneous" in b else "")
                 + (f", mixed volume {b['mixed_volume']:,} (torus)" if b.get("mixed_volume") is not None else "")
                 + (f", BKK bound {b['bkk_bound']:,} (C^n)" if b.get("bkk_bound") is not None else ""))
    checks = b.get("mixed_volume_check") or {}
    if checks.get("mixed_volume") == checks.get("bkk_bound"):  # every equation has a constant term: one count
        checks = {"bkk_bound": checks.get("bkk_bound")}
    for key, what in (("mixed_volume", "mixed volume"), ("bkk_bound", "BKK bound")):
        c = checks.get(key)
        if c and not c["agreed"]:
            lines.append(f"  {what} unchecked: {c['why']}" + (": not reported" if c["demics"] is not None else ""))
    if "krawczyk" in r["verification"]:
        k = r["verification"]["krawczyk"]
        lines.append(f"  Krawczyk: {k['certified']} of {k['solutions']} regular solutions proved, "
                     f"{k['distinct']} distinct, {k['real']} proved real")
    sym = r["verification"].get("symmetry")
    if sym and sym["acts"]:
        lines.append(f"  symmetries ({len(sym['generators'])} generators: unit swaps and sign flips): "
                     f"{sym['solutions']} solutions in {sym['orbits']} orbits"
                     + (f", {sym['added']} images reached by no path" if sym["added"] else ""))
    if "exact" in r["verification"]:
        e = r["verification"]["exact"]
        lines.append(f"  msolve's exact count of distinct real solutions {e['msolve_real']}, this solve's "
                     f"{e['ours_real']}: " + ("agree" if e["agree"] else "DISAGREE"))
    lines += [f"  note: {n}" for n in r["notes"]]
    lines.append(f"  {r['seconds']:.2f} s, seed {r['seed']}")
    return "\n".join(lines)


def _monodromy_text(r: dict, what: str) -> str:
    final = r["final"]
    trace = r.get("trace_test")
    lines = _gauge_lines(r) + [f"{what}: monodromy in the family with free constant terms",
             f"  generic member: {r['generic_count']} solutions after {r['loops']} loops "
             + (f"({r['twisted_loops']} twisted by the symmetries {', '.join(r['symmetries'])}, one edge each) "
                if r.get("symmetries") else "")
             + f"({r['paths_tracked']:,} paths; {r['stopped']})",
             f"  this system: {final.get('distinct', 0)} distinct regular solutions (finite {final.get('finite', 0)}, "
             f"singular {final.get('singular', 0)}, at infinity {final.get('infinity', 0)}, "
             f"failed {final.get('failed', 0)} of the {r['generic_count']} paths from the generic member"
             + (f"; {final['images_added']} more as images of those under the symmetries"
                if final.get("images_added") else "") + ")",
             *(["  trace test of the witness set: " + trace["why"]] if trace is not None else []),
             *([f"  completeness: {r['completeness']['verdict']}: {r['completeness']['why']}"
                + (f" ({r['completeness']['rounds']} more rounds of loops)" if r['completeness'].get('rounds') else "")]
               if r.get("completeness") else []),
             f"  proofs: {r['proofs']['base_proved']} of the {r['generic_count']} solutions of the generic member "
             f"proved (Krawczyk), {r['proofs']['base_distinct']} distinct"
             + (f"; {r['proofs']['unproven']} points the test could not prove left out (condition numbers up to "
                f"{r['proofs']['unproven_conditions'][0]:.1e})" if r['proofs']['unproven'] else "")
             + (f"; this system's: {r['proofs']['final']['certified']} proved, {r['proofs']['final']['distinct']} "
                f"distinct" if "final" in r["proofs"] else ""),
             f"  {'certified' if r['certified'] else 'NOT certified'}: {r['why']}"]
    sym = r.get("symmetry")
    if sym and sym["acts"]:
        lines.append(f"  symmetries: {sym['solutions']} solutions in {sym['orbits']} orbits"
                     + (f" ({sym['added']} images no path reached: this system has at least {sym['solutions']})"
                        if sym["added"] else ""))
    lines.append(f"  {r['seconds']:.2f} s, seed {r['seed']}")
    return "\n".join(lines)


def cmd_monodromy(args, system, described, net, data) -> None:
    from algebra.continuation.completeness import certified_monodromy, count_verdict, verdict
    from algebra.continuation.monodromy import complete_witness_set, monodromy_solve, witness_check
    from algebra.solve import MAX_PATHS, PRECISE_STEPS
    from bridge.provenance import provenance

    forbidden = [o for o, v in (("--start", args.start != "auto"), ("--engine", args.engine != "ours"),
                                ("--partition", args.partition), ("--certify", args.certify),
                                ("--verify", args.verify != "runs"), ("--max-runs", args.max_runs != 4),
                                ("--precision", args.precision != "d"), ("--max-paths", args.max_paths != MAX_PATHS),
                                ("--precise-steps", args.precise_steps != PRECISE_STEPS),
                                ("--no-scale", not args.scale),
                                ("--workers", args.workers), ("--scheduler", remote(args)),
                                ("--threads", args.threads), ("--start-from", args.start_from)) if v]
    if forbidden:
        raise SpecError(f"{', '.join(forbidden)}: {'apply' if len(forbidden) > 1 else 'applies'} to --method "
                        "homotopy; monodromy needs no start system and runs in this process")
    if not system.is_square:
        raise SpecError(f"the system has {system.n_equations} equations in {system.n_variables} unknowns: "
                        "monodromy counts square systems (add --slice)")
    equations = None
    if net is not None:
        from algebra.continuation.backend import backend
        from algebra.network_homotopy.equations import network_evaluator

        equations = network_evaluator(net, data, system, backend(args.device))
    slices = (system.info.get("slices") or {}).get("count", 0)
    check = witness_check(system, slices, seed=args.seed, device=args.device, equations=equations) if slices else None
    symmetries = None
    if net is not None and check is None:  # slices break the symmetries; the trace test runs without
        from algebra.symmetry import acting_generators

        symmetries = acting_generators(net, system, args.seed)
    trace = completeness = None
    if slices:
        result = monodromy_solve(system, seed=args.seed, stall=args.stall, target=args.target, device=args.device,
                                 equations=equations, complete=check, checkpoint=checkpoint_for(args),
                                 deadline=None if args.budget is None else time.perf_counter() + args.budget)
        result, trace = complete_witness_set(system, result, slices, seed=args.seed, stall=args.stall,
                                             device=args.device, equations=equations)
    else:
        with StatusLine("monodromy") as status:
            result, completeness = certified_monodromy(system, seed=args.seed, stall=args.stall, target=args.target,
                                                       device=args.device, equations=equations, symmetries=symmetries,
                                                       completeness=args.completeness, progress=status,
                                                       checkpoint=checkpoint_for(args), budget=args.budget)
    out = result.as_dict()
    out["evaluation"] = "the network's forward pass" if equations is not None else "monomials"
    if completeness is not None:
        out["completeness"] = completeness.as_dict()
        out.update(zip(("certified", "why"), count_verdict(result, completeness)))
    elif not args.completeness:
        out["completeness"] = {"verdict": "not run", "why": "--no-completeness"}
    if trace is not None:
        out["trace_test"] = trace
        if trace["complete"]:
            extra = trace["resumed"]
            certified, why = verdict(result, True, "the trace test of the witness set")
            out.update(certified=certified,
                       why=why if not certified else
                       f"the {result.count} witness points are proved and pass the trace test ({result.stopped}"
                       + (f"; after {extra} more rounds of loops, the trace test having found the set incomplete)"
                          if extra else ")"))
    if net is not None and result.solutions is not None:
        from algebra.symmetry import symmetry_report

        # without slices the certificate is never given: images of the solutions complete
        # a count that stopped short, and say by how many
        out["symmetry"], _ = symmetry_report(net, system, result.solutions, args.seed)
    out["seed"] = args.seed
    config = {"command": "solve", **described, "method": "monodromy", "stall": args.stall, "target": args.target,
              "completeness": args.completeness, "device": args.device}
    out.update(provenance(config, args.seed))
    drawings = []
    if args.out:
        from bridge.plots import growth_plot

        out["plot"] = str(Path(args.out) / "monodromy.png")
        drawings.append(lambda: growth_plot(result.growth, args.out))
    emit(out, args, _monodromy_text(out, f"{system.kind} system, {system.n_equations} equations"), drawings)


def cmd_solve(args) -> None:
    from algebra.bounds import parse_partition
    from algebra.solve import PRECISE_STEPS, network_partition, solve, solve_bounds
    from bridge.provenance import provenance

    budget_applies(args)
    system, described, net, data = system_from(args)
    if args.method == "monodromy":
        return cmd_monodromy(args, system, described, net, data)
    if args.stall != STALL_DEFAULT or args.target is not None or not args.completeness:
        raise SpecError("--stall, --target and --no-completeness apply to --method monodromy")
    verify = {"none": False, "runs": True, "exact": "exact"}[args.verify]
    partition = parse_partition(args.partition) if args.partition else None
    if partition is None and args.start == "multihomogeneous" and net is not None:
        partition = network_partition(system, net)
    if partition is None and args.start == "multihomogeneous":
        raise SpecError("--start multihomogeneous on a file needs --partition 'x,y;z,...'")
    member = read_member(args.start_from, system) if args.start_from else None
    options = dict(start=args.start, precision=args.precision, seed=args.seed, verify=verify, max_runs=args.max_runs,
                   engine=args.engine, device=args.device, max_paths=args.max_paths, certify=args.certify,
                   partition=partition, member=member)
    options["scale"] = args.scale
    if args.engine == "ours":
        options["precise_steps"] = args.precise_steps
    elif args.precise_steps != PRECISE_STEPS:
        raise SpecError("--precise-steps applies to our engine; PHCpack's goes up in --precision")
    if args.engine == "phcpack":
        if remote(args):
            raise SpecError("--scheduler applies to our engine; PHCpack's engine runs its own --workers processes")
        result, threads = solve(system, workers=args.workers, **options), None
    else:
        with units_runner(args, args.device) as runner:
            result, threads = solve(system, runner=runner, **options), runner.threads
    if net is not None:
        from algebra.symmetry import check_orbits

        check_orbits(net, system, result, args.seed)
    out = result.as_dict(with_solutions=bool(args.out))
    out["bounds"] = solve_bounds(system, net, result.start)
    config = {"command": "solve", **described, "start": args.start, "precision": args.precision,
              "verify": args.verify, "max_runs": args.max_runs, "engine": args.engine,
              "device": args.device, "max_paths": args.max_paths, "certify": args.certify,
              "partition": partition, "threads": threads, "precise_steps": args.precise_steps,
              "scale": args.scale}
    config["start_from"] = os.path.abspath(args.start_from) if args.start_from else None
    out.update(provenance(config, args.seed))
    if args.out:
        from algebra.exports import to_phc
        from bridge.provenance import write_atomic

        # the system beside its solutions: a later `solve --start-from` starts from this member
        write_atomic(os.path.join(args.out, MEMBER_SYSTEM), to_phc(system))
    emit(out, args, _solve_text(out, f"{system.kind} system, {system.n_equations} equations"))


MEMBER_SYSTEM = "system.phc"


def read_member(folder: str, target):
    """The solved member an earlier `solve --out FOLDER` left there (system.phc and the finite
    solutions in result.json), in the target's variable order; its proved bound when its count
    was a root count it attained."""
    import json

    import numpy as np

    from algebra.continuation.start import Member, proved_bound
    from algebra.phcfile import read_phc

    path = os.path.join(folder, MEMBER_SYSTEM)
    result_path = os.path.join(folder, "result.json")
    for f in (path, result_path):
        if not os.path.isfile(f):
            raise SpecError(f"--start-from {folder}: no {os.path.basename(f)} there (write one with solve --out)")
    try:
        with open(result_path) as fh:
            r = json.load(fh)
        names = list(r["variables"])
        points = [p for p in r["points"] if p["status"] == "finite"]
        sols = np.array([[complex(a, b) for a, b in p["coordinates"]] for p in points], dtype=complex)
        start, verification = r["start"], r["verification"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SpecError(f"--start-from {folder}: result.json is not a solve result with solutions ({e})") from None
    system = read_phc(path)
    if sorted(names) != sorted(target.variables) or sorted(system.variables) != sorted(target.variables):
        raise SpecError(f"--start-from {folder}: its unknowns are not this system's: a member of another family")
    order = [names.index(v) for v in target.variables]
    sols = sols.reshape(-1, len(names))[:, order]
    system = system.reorder(target.variables) if system.variables != target.variables else system
    return Member(system, sols, proved_bound(start, verification))


def cmd_witness(args) -> None:
    from algebra.witness import cascade, witness
    from bridge.provenance import provenance

    system, described, _, _ = system_from(args)
    if args.method == "cascade":
        result = cascade(system, top=args.top, seed=args.seed, loops=args.loops, max_paths=args.max_paths)
    else:
        if args.top is not None:
            raise SpecError("--top applies to --method cascade only")
        result = witness(system, seed=args.seed, loops=args.loops, workers=args.workers, max_paths=args.max_paths)
    out = result.as_dict()
    config = {"command": "witness", **described, "method": args.method, "loops": args.loops,
              "top": args.top}
    out.update(provenance(config, args.seed))
    lines = [f"{system.kind} system: {system.n_equations} equations in {system.n_variables} unknowns, "
             + (f"no solution ({args.method})" if out["dimension"] == -1 else
                f"solution set of dimension {out['dimension']} ({args.method})" if out["dimension"] is not None else
                f"solution set of dimension above {out['top_dimension']}: {out['higher_paths']} paths end on higher "
                f"components ({args.method}; --method cascade describes them)")]
    for c in out["components"]:
        factors = "not factored" if c["factors"] is None else (
            "factors of degrees " + ", ".join(map(str, c["factors"]))
            + ("" if c["factors_certified"] else " (not certified)"))
        complete = {True: ", complete by the trace test", False: ", INCOMPLETE by the trace test",
                    None: ""}[c.get("complete")]
        lines.append(f"  dimension {c['dimension']}: degree {c['degree']}{complete}, {factors}")
    if out["isolated"]:
        lines.append(f"  isolated solutions: {out['isolated']}")
    lines += [f"  note: {n}" for n in out["notes"]]
    lines.append(f"  {out['seconds']:.2f} s, seed {args.seed}")
    emit(out, args, "\n".join(lines))


def add_parser(sub) -> None:
    from algebra.continuation.engine import UNIT_PATHS
    from algebra.solve import ENGINES, MAX_PATHS, PRECISE_STEPS, PRECISIONS, STARTS

    for name, helptext in (("solve", "count the solutions of a square system by homotopy continuation"),
                           ("witness", "dimension, degree and factors of a solution set (witness sets)")):
        c = sub.add_parser(name, help=helptext)
        c.add_argument("file", nargs="?", default=None,
                       help="a system in PHCpack format (otherwise the network's system)")
        add_network_options(c)
        add_data_options(c)
        add_fix_option(c)
        if name == "witness":
            c.add_argument("--workers", type=WORKERS, default=None,
                           help="PHCpack worker processes tracking paths (default: CPU count)")
        if name == "solve":
            add_cluster_options(c, f"chunks of {UNIT_PATHS:,} paths (with --engine phcpack, --workers N is the "
                                   "number of PHCpack's own processes, default the CPU count)")
            add_slice_option(c)
            c.add_argument("--start-from", default=None, metavar="DIR",
                           help="a parameter homotopy from a solved member of this system's family: the folder an "
                                "earlier `solve --out DIR` wrote (e.g. the same network with --complex-data); its "
                                "solutions are the paths' starts")
            c.add_argument("--no-gauge", dest="gauge", action="store_false",
                           help="--system critical without --l2 or --fix: keep every weight free (by default one "
                                "weight per rescaling is fixed at 1, so that critical points are isolated)")
            c.add_argument("--method", choices=("homotopy", "monodromy"), default="homotopy",
                           help="homotopy: every path of a start system (default); monodromy: loops in the family "
                                "with free constant terms from a solution made up, then one homotopy to this system "
                                "(certified by the trace test when the system is sliced)")
            c.add_argument("--stall", type=integer(1, 1000), default=STALL_DEFAULT,
                           help=f"monodromy: stop after this many loops without a new solution (default "
                                f"{STALL_DEFAULT}; more for a small set: loops enough to carry {STALL_PATHS:,} paths)")
            c.add_argument("--target", type=integer(1, 10**9), default=None,
                           help="monodromy: stop when this many solutions are known")
            add_budget_option(c)
            c.add_argument("--no-completeness", dest="completeness", action="store_false",
                           help="monodromy: skip the trace test that proves the set complete (then the count is a "
                                "lower bound)")
            c.add_argument("--start", choices=STARTS, default="auto",
                           help="start system (default auto: chosen from the bounds)")
            c.add_argument("--precision", choices=PRECISIONS, default="d",
                           help="--engine phcpack: precision of the first track; failed paths go higher (default d)")
            c.add_argument("--precise-steps", type=integer(0, 10**7), default=PRECISE_STEPS, metavar="N",
                           help=f"our engine: paths that fail in double precision are tracked again in 160-bit "
                                f"arithmetic, up to N steps a path (default {PRECISE_STEPS:,}; 0: not); a budget in "
                                "steps, so a busy machine gives the same answer")
            c.add_argument("--no-scale", dest="scale", action="store_false",
                           help="solve the system as given, not scaled by powers of two (equations and unknowns "
                                "near size one; the default, so that the answer does not depend on units)")
            c.add_argument("--verify", choices=("none", "runs", "exact"), default="runs",
                           help="runs: independent runs until the count stops growing (default); "
                                "exact: also msolve's real count")
            c.add_argument("--max-runs", type=integer(1, 100), default=4, help="most runs for --verify (default 4)")
            c.add_argument("--engine", choices=ENGINES, default="ours",
                           help="ours: every path at once as arrays (default); phcpack: PHCpack's trackers")
            c.add_argument("--device", default=None, metavar="cpu|cuda",
                           help="track with torch on this device (engine ours; default numpy on the CPU)")
            c.add_argument("--partition", default=None, metavar="'a,b;c,...'",
                           help="variable groups of --start multihomogeneous (default for a network: "
                                "one per node or layer)")
            c.add_argument("--certify", action="store_true",
                           help="prove each regular solution by Krawczyk's test in ball arithmetic")
            c.set_defaults(func=cmd_solve)
        else:
            c.set_defaults(slice=None)
            c.add_argument("--method", choices=("slice", "cascade"), default="slice",
                           help="slice: W - N random slices, trace test, own monodromy (default); "
                                "cascade: PHCpack's cascade, every dimension (small systems)")
            c.add_argument("--top", type=integer(0, 10_000), default=None,
                           help="cascade: top dimension (default W - 1)")
            c.add_argument("--loops", type=integer(0, 100_000), default=10, help="monodromy loops; 0 skips factoring")
            c.set_defaults(func=cmd_witness)
        c.add_argument("--max-paths", type=MAX_PATH_COUNT, default=MAX_PATHS,
                       help=f"refuse start systems with more paths (default {MAX_PATHS:,})")
        add_output_options(c)
        c.set_defaults(defaults={a.dest: a.default for a in c._actions})  # to tell given options from defaults
