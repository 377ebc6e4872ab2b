"""The `landscape` command line.

Conventions (DESIGN.md): every command takes --json (one JSON object on stdout, nothing
else there) and --out (result.json with the configuration, seed, versions and git
commit); bad input is one line on stderr and exit status 2, never a traceback. The
argparse namespace stays here: library code receives typed values.
"""
from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from typing import Sequence

from algebra.activation import DEFAULT_RADIUS, SpecError
from bridge.options import SEED, WORKERS, integer, number

EXIT_USAGE = 2
EXIT_FAILURE = 1

# limits of the options (bridge.options): what each protects is in its message
UNITS = integer(1, 32, "the exact systems and Jacobians grow with units^depth; 32 units is W = 384")
DEPTH = integer(1, 6, "a depth-L tree has 2^L inputs and 2^L - 1 nodes")
EPOCHS = integer(1, 100_000)
LR = number(0, 10, open_lo=True)
BATCH = integer(1, 1_000_000)
MOMENTUM = number(0, 1, open_hi=True)
CLIP = number(0, None, open_lo=True)
WIDTH_MULT = number(0, 16, open_lo=True, why="the paper network's parameters grow like its square")
N_TRAIN = integer(1, 10_000_000)
DEGREE = integer(1, 400, "beyond it the Remez iteration and its working precision take hours")
MAX_PATH_COUNT = integer(1, 10 ** 9)
MAX_DATA = 10 ** 8     # data points: 10^8 points of 4 inputs are 3 GB as float64
MAX_COUNTS = 10_000    # values in one --data A:B
MAX_DIMENSION_DATA = 10_000
BASIN_DIM = integer(2, 100_000, "memory grows like dim x basins")
SEEDS = integer(1, 100, "each seed trains every activation")
DPS = integer(15, 5_000, "precision costs grow like its square")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2, as for every other bad input
        command = self.prog.removeprefix("landscape").strip()
        raise SpecError(f"{command}: {message}" if command else message)


# --- shared options ------------------------------------------------------------------

def add_network_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("network")
    g.add_argument("--network", choices=("tree", "dense"), default="tree",
                   help="the canonical tree network (default) or a dense network")
    g.add_argument("--units", type=UNITS, default=1, help="tree: hidden units r per node (default 1)")
    g.add_argument("--depth", type=DEPTH, default=2, help="tree: depth L, 2^L inputs (default 2)")
    g.add_argument("--shared", action="store_true", help="tree: nodes of a level share weights")
    g.add_argument("--widths", default="2,3,1", help="dense: widths d0,...,dL (default 2,3,1)")
    g.add_argument("--activation", default="poly:0.1,0.5,0.3",
                   help="activation spec, e.g. poly:0.1,0.5,0.3, monomial:2, linear (default poly:0.1,0.5,0.3)")
    g.add_argument("--radius", default=None, metavar="R",
                   help=f"interval [-R, R] of relu-* approximants without @R (default {DEFAULT_RADIUS:g})")
    g.add_argument("--no-bias", action="store_true", help="networks without biases")


def add_data_options(p: argparse.ArgumentParser, many: bool = False) -> None:
    g = p.add_argument_group("data and system")
    g.add_argument("--data", default="4", metavar="N" + (" | A:B | N1,N2,..." if many else ""),
                   help="number of data points" + (" or several (default 4)" if many else " (default 4)"))
    g.add_argument("--seed", type=SEED, default=0, help="seed of the data and every random draw (default 0)")
    g.add_argument("--complex-data", action="store_true", help="complex generic data instead of real Gaussian")
    g.add_argument("--system", choices=("zero-loss", "critical"), default="zero-loss",
                   help="zero-loss equations f(x_i) = y_i, or grad L = 0 (default zero-loss)")
    g.add_argument("--l2", default=None, metavar="random|VALUES",
                   help="critical system: generalized L2 term with random (seeded) or given lambda")


def add_fix_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fix", action="append", default=[], metavar="NAME=VALUE",
                   help="fix a weight (gauge fixing); repeat for several")


def add_slice_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--slice", nargs="?", const="square", default=None, metavar="K",
                   help="add K random affine slices (no K: as many as make the system square)")


def add_output_options(p: argparse.ArgumentParser, out_help: str = "folder for result.json") -> None:
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.add_argument("--out", default=None, help=out_help)


def network_from(args):
    from algebra.activation import parse_activation
    from algebra.networks import DenseNetwork, TreeNetwork

    from algebra.activation import check_radius

    radius = None if args.radius is None else check_radius(args.radius, "--radius")
    activation = parse_activation(args.activation, radius=radius)
    if args.network == "tree":
        return TreeNetwork(units=args.units, activation=activation, bias=not args.no_bias,
                           shared=args.shared, depth=args.depth)
    return DenseNetwork(widths=args.widths, activation=activation, bias=not args.no_bias)


def parse_counts(text: str) -> list[int]:
    """'4' -> [4]; '1:3' -> [1, 2, 3]; '1,50000' -> [1, 50000].

    >>> parse_counts("2:4"), parse_counts("1,50000")
    ([2, 3, 4], [1, 50000])
    """
    try:
        if ":" in text:
            lo, hi = (int(t) for t in text.split(":"))
        else:
            values = [int(t) for t in text.split(",")]
    except ValueError:
        raise SpecError(f"--data {text!r} does not parse: give N, A:B or N1,N2,...") from None
    if ":" in text:
        if hi - lo >= MAX_COUNTS:
            raise SpecError(f"--data {text!r} asks for {hi - lo + 1:,} values; at most {MAX_COUNTS:,} at once")
        values = list(range(lo, hi + 1))
    if not values or min(values) < 1:
        raise SpecError(f"--data {text!r}: the number of data points must be >= 1")
    if max(values) > MAX_DATA:
        raise SpecError(f"--data {text!r}: at most {MAX_DATA:,} data points (the data alone would not fit in memory "
                        "beyond it)")
    return values


def _progress(items: list, what: str):
    """A progress bar on stderr for multi-item work (silent when stderr is not a terminal)."""
    from tqdm import tqdm

    return tqdm(items, desc=what, unit="item", disable=None if len(items) > 1 else True, leave=False)


def add_range_options(g) -> None:
    """--radius and --clamp of the training commands (train, experiment, compare)."""
    g.add_argument("--radius", default=None, metavar="R|auto",
                   help=f"interval [-R, R] of relu-* approximants without @R, and of the range check of every "
                        f"activation (default {DEFAULT_RADIUS:g}); auto: {AUTO_HELP}")
    g.add_argument("--clamp", action="store_true",
                   help="evaluate polynomial activations at clip(z, -R, R): bounded, but the network is then "
                        "no longer polynomial")


AUTO_HELP = "from the largest activation input of the ReLU network at initialization, with a 25%% margin"


def resolve_training_activation(spec: str, args, relu_model=None, data=None):
    """The spec as trained (bridge.activation_specs), with --radius auto measured on
    ``relu_model(radius)`` over ``data``."""
    from bridge.activation_specs import auto_radius, parse_radius, resolve

    radius = parse_radius(args.radius)
    if radius == "auto":
        if relu_model is None:
            raise SpecError("--radius auto needs a network and data to measure")
        radius = auto_radius(relu_model, data)
    return resolve(spec, radius, args.clamp)


@contextlib.contextmanager
def warnings_on_stderr():
    """Warnings of library code as one line each on stderr (never on stdout: --json)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"landscape: warning: {message}", file=sys.stderr)


def _emit(result: dict, args, text: str) -> None:
    from bridge.provenance import to_json, write_result

    if args.out:
        write_result(args.out, result)
    if args.json:
        print(to_json(result, indent=None))
    else:
        print(text)
        if args.out:
            print(f"wrote {args.out}/result.json")


# --- bounds --------------------------------------------------------------------------

def _fmt_count(exact, log10: float | None) -> str:
    if exact is not None:
        return f"{exact:,}" if exact < 10 ** 15 else f"10^{log10:.2f}"
    return "n/a" if log10 is None else f"10^{log10:.2f}"


def _short(how: str) -> str:
    words = how.split()
    if words[0] == "square":
        return "square"
    return f"+{words[0]} slices" if "slices" in how else f"{words[0]} combos"


def _bounds_table(rows: list[dict], network: dict, system: str) -> str:
    head = (f"{system} system of the {network['network']} network "
            f"({', '.join(f'{k}={v}' for k, v in network.items() if k != 'network')})")
    cols = ["N", "equations", "degree", "squared by", "total degree", "multihomog.", "mixed volume",
            "paper d^(LN)", "real (sqrt)", "symmetries"]
    body = []
    for r in rows:
        body.append([str(r["data"]), str(r["equations"]), str(max(r["degrees"])), _short(r["squared_by"]),
                     _fmt_count(r["total_degree"], r["log10_total_degree"]),
                     _fmt_count(r["multihomogeneous"], r["log10_multihomogeneous"]),
                     "-" if r["mixed_volume"] is None else f"{r['mixed_volume']:,}",
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
    counts = parse_counts(args.data)
    partition = parse_partition(args.partition) if args.partition else None
    rows = []
    for n in _progress(counts, "bounds"):
        report = network_bounds(net, n, args.system, partition=partition,
                                with_mixed_volume=args.mixed_volume, l2=args.l2, seed=args.seed)
        rows.append({"data": n, **report.as_dict()})
    config = {"command": "bounds", **net.describe(), "system": args.system, "data": counts,
              "l2": args.l2, "mixed_volume": args.mixed_volume, "partition": args.partition}
    result = {**(rows[0] if len(rows) == 1 else {"rows": rows}), "system": args.system,
              "network": net.describe(), **provenance(config, args.seed)}
    text = _bounds_table(rows, net.describe(), args.system)
    if args.out and len(rows) > 1:
        from bridge.plots import bounds_plot

        text += f"\nwrote {bounds_plot(result, args.out)}"
    _emit(result, args, text)


# --- export --------------------------------------------------------------------------

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


# --- solve and witness ---------------------------------------------------------------

def system_from(args):
    """The system a solve/witness command works on: a PHCpack file, or a network's system.
    Returns (system, description for the result, network or None)."""
    if args.file:
        from algebra.phcfile import read_phc

        given = [f"--{dest.replace('_', '-')}" for dest in NETWORK_SYSTEM_OPTIONS
                 if getattr(args, dest, None) != args.defaults.get(dest)]
        if given:
            raise SpecError(f"{' '.join(given)} describe{'s' if len(given) == 1 else ''} a network's system; with a "
                            f"file the system is the file's (edit the file, or drop the file to use a network)")
        system = read_phc(args.file)
        return system, {"file": os.path.abspath(args.file)}, None
    net = network_from(args)
    system, data = build_system(net, args)
    return system, {**net.describe(), "system": args.system, "data": data.n_points,
                    "complex_data": args.complex_data, "l2": args.l2, "fix": args.fix,
                    "slice": args.slice}, net


def _solve_text(r: dict, what: str) -> str:
    lines = [f"{what}: {r['paths']} paths from the {r['start']['kind']} start system "
             f"({r['start']['why']})",
             f"  finite {r['finite']}, singular {r['singular']}, at infinity {r['at_infinity']}, "
             f"failed {r['failed']}",
             f"  distinct solutions {r['solutions']} (real {r['real']}), "
             f"{'certified' if r['certified'] else 'NOT certified'}: {r['verification'].get('why', '')}"]
    b = r["bounds"]
    lines.append("  bounds: total degree {:,}".format(b["total_degree"])
                 + (f", multihomogeneous {b['multihomogeneous']:,}" if "multihomogeneous" in b else "")
                 + (f", mixed volume {b['mixed_volume']:,}" if b.get("mixed_volume") is not None else ""))
    if "krawczyk" in r["verification"]:
        k = r["verification"]["krawczyk"]
        lines.append(f"  Krawczyk: {k['certified']} of {k['solutions']} regular solutions proved, "
                     f"{k['distinct']} distinct, {k['real']} proved real")
    if "exact" in r["verification"]:
        e = r["verification"]["exact"]
        lines.append(f"  msolve real solutions {e['msolve_real']}, phcpy {e['phc_real']}: "
                     + ("agree" if e["agree"] else "DISAGREE"))
    lines += [f"  note: {n}" for n in r["notes"]]
    lines.append(f"  {r['seconds']:.2f} s, seed {r['seed']}")
    return "\n".join(lines)


def cmd_solve(args) -> None:
    from algebra.bounds import parse_partition
    from algebra.solve import network_partition, solve, solve_bounds
    from bridge.provenance import provenance

    system, described, net = system_from(args)
    verify = {"none": False, "runs": True, "exact": "exact"}[args.verify]
    partition = parse_partition(args.partition) if args.partition else None
    if partition is None and args.start == "multihomogeneous" and net is not None:
        partition = network_partition(system, net)
    if partition is None and args.start == "multihomogeneous":
        raise SpecError("--start multihomogeneous on a file needs --partition 'x,y;z,...'")
    result = solve(system, start=args.start, precision=args.precision, workers=args.workers,
                   seed=args.seed, verify=verify, max_runs=args.max_runs, engine=args.engine,
                   device=args.device, max_paths=args.max_paths, certify=args.certify,
                   partition=partition)
    out = result.as_dict(with_solutions=bool(args.out))
    out["bounds"] = solve_bounds(system, net, result.start.get("mixed_volume"))
    config = {"command": "solve", **described, "start": args.start, "precision": args.precision,
              "verify": args.verify, "max_runs": args.max_runs, "engine": args.engine,
              "device": args.device, "max_paths": args.max_paths, "certify": args.certify,
              "partition": partition}
    out.update(provenance(config, args.seed))
    _emit(out, args, _solve_text(out, f"{system.kind} system, {system.n_equations} equations"))


def cmd_witness(args) -> None:
    from algebra.witness import cascade, witness
    from bridge.provenance import provenance

    system, described, _ = system_from(args)
    if args.method == "cascade":
        result = cascade(system, top=args.top, seed=args.seed, loops=args.loops)
    else:
        if args.top is not None:
            raise SpecError("--top applies to --method cascade only")
        result = witness(system, seed=args.seed, loops=args.loops, workers=args.workers)
    out = result.as_dict()
    config = {"command": "witness", **described, "method": args.method, "loops": args.loops,
              "top": args.top}
    out.update(provenance(config, args.seed))
    lines = [f"{system.kind} system: {system.n_equations} equations in {system.n_variables} unknowns, "
             f"solution set of dimension {out['dimension']} ({args.method})"]
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
    _emit(out, args, "\n".join(lines))


# --- dimension and critical ------------------------------------------------------------

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
    report = dimension_report(net, counts, seed=args.seed, starts=args.starts,
                              with_witness=args.witness, workers=args.workers,
                              progress=lambda items: _progress(items, "dimension"))
    first = report["table"][0]
    flat = {k: first[k] for k in ("data", "predicted", "expected", "measured", "regime", "smooth",
                                  "singular_value_gap", "consistent")} if len(counts) == 1 else {}
    config = {"command": "dimension", **net.describe(), "data": counts, "starts": args.starts,
              "witness": args.witness}
    result = {**report, **flat, "consistent": report["consistent"], **provenance(config, args.seed)}
    text = _dimension_text(result)
    if args.out and len(counts) > 1:
        from bridge.plots import dimension_plot

        text += f"\nwrote {dimension_plot(result, args.out)}"
    _emit(result, args, text)


def _dimension_text(r: dict) -> str:
    sym = r["symmetries"]
    lines = [f"{r['network']['network']} network, W = {r['weights']} weights, functional dimension "
             f"F = {r['functional_dimension']} (polynomial space {r['polynomial_space_dimension']}), "
             f"gap {r['functional_gap']['gap']:.1e}",
             f"fibre W - F = {r['fibre_dimension']}: {sym['rescalings']} rescalings + {sym['group']} "
             f"other symmetry directions, {r['unexplained']} unexplained"]
    lines.append(f"{'N':>5} {'regime':>11} {'W-N':>5} {'expected':>9} {'measured':>9} {'field':>8}"
                 + (" witness" if r["table"] and "witness" in r["table"][0] else "") + "  ok")
    for row in r["table"]:
        fmt = lambda v: "-" if v is None else str(v)  # noqa: E731
        line = (f"{row['data']:>5} {row['regime']:>11} {row['predicted']:>5} {fmt(row['expected']):>9} "
                f"{fmt(row['measured']):>9} {fmt(row['field']):>8}")
        if "witness" in row:
            line += f" {fmt(row['witness']['dimension']):>7}"
        lines.append(line + ("  yes" if row["consistent"] else "  NO"))
    lines.append("consistent with the prediction" if r["consistent"] else
                 "NOT consistent everywhere: see the rows marked NO")
    return "\n".join(lines)


def cmd_critical(args) -> None:
    from algebra.critical import critical_points
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
    result = critical_points(net, data, l2=args.l2, seed=args.seed, max_paths=max_paths,
                             workers=args.workers, verify=args.verify == "runs")
    out = result.as_dict()
    config = {"command": "critical", **net.describe(), "data": counts[0], "l2": args.l2,
              "max_paths": max_paths, "verify": args.verify,
              "field": "complex" if args.complex_data else "real"}
    out.update(provenance(config, args.seed))
    lines = [f"critical points of the loss: {net.kind} network, W = {net.n_weights}, N = {counts[0]}"
             + (f", L2 {args.l2}" if args.l2 else ""),
             f"  complex nonsingular {out['complex_nonsingular']}, real {out['real']}: "
             f"{out['minima']} minima, {out['saddles']} saddles, {out['maxima']} maxima, "
             f"{out['degenerate']} degenerate",
             f"  paths {out['solve']['paths']} (total degree {out['bounds']['total_degree']}, "
             f"multihomogeneous {out['bounds']['multihomogeneous']}), singular {out['solve']['singular']}, "
             f"at infinity {out['solve']['at_infinity']}, failed {out['solve']['failed']}, "
             f"certified {out['solve']['certified']}"]
    for p in out["points"][:10]:
        lines.append(f"  {p['kind']:>12}  loss {p['loss']:.6g}  nullity {p['nullity']}")
    if out["zero_loss"]:
        z = out["zero_loss"]
        lines.append(f"  zero-loss set: dimension {z['dimension']} (W - N = {z['predicted']}), Hessian "
                     f"nullity {z['hessian_nullity']}: {'degenerate' if z['degenerate'] else 'not degenerate'}")
    lines += [f"  note: {n}" for n in out["notes"]]
    _emit(out, args, "\n".join(lines))


# --- train ---------------------------------------------------------------------------

def pick_device(name: str | None) -> str:
    import torch

    if name is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        device = torch.device(name)
    except RuntimeError:
        raise SpecError(f"--device {name!r} is not a torch device (cpu, cuda, cuda:1, ...)") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SpecError(f"--device {name}: this machine has no CUDA device")
    return name


def add_training_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("training")
    g.add_argument("--activation", default="relu",
                   help="relu, or a polynomial spec: poly:..., monomial:k, relu-minimax:4, ... (default relu)")
    add_range_options(g)
    g.add_argument("--optimizer", choices=("sgd", "gd"), default="sgd",
                   help="sgd (minibatches) or gd (full batch, exact gradient) (default sgd)")
    g.add_argument("--epochs", type=EPOCHS, default=10, help="epochs; for gd, steps (default 10)")
    g.add_argument("--lr", type=LR, default=0.01, help="learning rate (default 0.01, the paper's)")
    g.add_argument("--batch", type=BATCH, default=100, help="sgd batch size (default 100, the paper's)")
    g.add_argument("--momentum", type=MOMENTUM, default=0.0, help="sgd momentum (default 0)")
    g.add_argument("--clip", type=CLIP, default=None, help="clip the gradient norm at this value")
    g.add_argument("--chunk", type=BATCH, default=1000, help="images per chunk in full-set passes")
    g.add_argument("--width-mult", type=WIDTH_MULT, default=1.0, help="scale every hidden width (default 1)")
    g.add_argument("--device", default=None, help="cpu, cuda, ... (default: cuda when present)")
    g.add_argument("--seed", type=SEED, default=0, help="seed of initialization and batch order (default 0)")
    d = p.add_argument_group("data")
    d.add_argument("--data", choices=("digits", "synthetic", "cifar10"), default="digits",
                   help="digits (embedded, default), synthetic, or cifar10 from --root")
    d.add_argument("--root", default=None, help="folder holding cifar-10-batches-py/")
    d.add_argument("--random-labels", action="store_true", help="permute the training labels (seeded)")
    d.add_argument("--n-train", type=N_TRAIN, default=None, help="use the first N training points")


def cmd_train(args) -> None:
    import hashlib
    import json

    import torch

    from bridge.provenance import provenance
    from training.data import load_dataset
    from training.models import AllConvNet
    from training.optim import TrainConfig
    from training.trajectories import train

    from bridge.activation_specs import parse_radius, resolve

    resolve(args.activation, None if parse_radius(args.radius) == "auto" else parse_radius(args.radius),
            args.clamp)  # a bad spec is refused before the data is loaded
    device = pick_device(args.device)
    try:
        cfg = TrainConfig(optimizer=args.optimizer, epochs=args.epochs, lr=args.lr, batch=args.batch,
                          momentum=args.momentum, clip=args.clip, chunk=args.chunk, seed=args.seed)
        data = load_dataset(args.data, args.root, device, args.random_labels, args.seed, n_train=args.n_train)

        def relu_model(radius):
            torch.manual_seed(args.seed)
            return AllConvNet("relu", width_mult=args.width_mult, radius=radius).to(device)

        act = resolve_training_activation(args.activation, args, relu_model, data)
        torch.manual_seed(args.seed)
        model = AllConvNet(**act.model_options(), width_mult=args.width_mult).to(device)
    except ValueError as exc:  # DataError and bad values are ValueErrors: one line, exit 2
        raise SpecError(str(exc)) from None
    config = {"model": model.config, "data": {**data.describe(), "root": args.root, "seed": args.seed},
              "activation_spec": act.spec, "activation": act.describe(), "seed": args.seed}
    keyed = {"train": {k: v for k, v in cfg.as_dict().items() if k != "epochs"}, **config}
    key = hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest()[:10]
    run_dir = args.out or os.path.join("runs", f"train-{key}")
    from training.trajectories import RunError

    try:
        with warnings_on_stderr():
            result = train(model, data, cfg, run_dir, config=config,
                           provenance={**provenance(config, args.seed), "device": device})
    except RunError as exc:
        raise SpecError(str(exc)) from None
    from training.trajectories import read_index

    index = read_index(run_dir)
    out = {"parameters": model.n_parameters, "epochs": result.epochs, "status": result.status,
           "message": result.message, "activation": act.describe(),
           "outside_radius": {"start": index["checkpoints"][0].get("outside_radius"),
                              "end": result.last.get("outside_radius")},
           "range_warning": index.get("range_warning"), "train_error": result.last.get("train_error"),
           "test_error": result.last.get("test_error"), "train_loss": result.last["train_loss"],
           "test_loss": result.last["test_loss"], "seconds": round(result.seconds, 3), "run_dir": run_dir,
           "device": device, **provenance({"train": cfg.as_dict(), **config}, args.seed)}
    if result.message:
        print(f"landscape: {result.message}", file=sys.stderr)
    outside = out["outside_radius"]["end"] or []
    text = (f"{model.n_parameters:,} parameters, {act.spec}{' clamped' if act.clamp else ''}, {args.optimizer}, "
            f"{result.epochs} epochs on {data.describe()['name']} ({device}): {result.status}; train error "
            f"{out['train_error']:.4f}, test error {out['test_error']:.4f}, train loss {out['train_loss']:.4g}, "
            f"{out['seconds']:.1f} s\noutside [-{act.radius:g}, {act.radius:g}] by layer: "
            + ", ".join("n/a" if f is None else f"{100 * f:.3g}%" for f in outside) + f"\nrun folder {run_dir}")
    args.out = None  # the run folder is the output; result.json goes there below
    from bridge.provenance import write_result

    write_result(run_dir, out)
    _emit(out, args, text)
    if result.status in ("diverged", "no progress"):
        raise _Failed()


class _Failed(Exception):
    """The command ran and reported a failure (its message is already on stderr)."""


# --- experiments ---------------------------------------------------------------------

def cmd_experiment(args) -> None:
    from bridge.provenance import provenance, write_result
    from training.experiments import make_config, run_experiment
    from training.plots import plot_run

    device = pick_device(args.device)
    from bridge.activation_specs import parse_radius

    if parse_radius(args.radius) == "auto":
        raise SpecError("experiment: --radius auto is not offered here; give R (train --radius auto prints one)")
    act = resolve_training_activation(args.activation or "relu", args)
    try:
        cfg = make_config(args.name, args.scale, data=args.data, root=args.root, seed=args.seed,
                          activation=act.backend if args.activation else None, radius=act.radius,
                          clamp=act.clamp or None)
    except (TypeError, ValueError) as exc:
        raise SpecError(str(exc)) from None
    out = args.out or os.path.join("runs", f"{args.name}-{args.scale}")
    if os.path.exists(os.path.join(out, "experiment.json")) and not args.resume:
        raise SpecError(f"{out} already holds experiment data: add --resume to continue it, or use a new --out")
    try:
        summary = run_experiment(args.name, cfg, out, device=device)
    except ValueError as exc:  # data errors, another configuration in the folder
        raise SpecError(str(exc)) from None
    plots = [str(p) for p in plot_run(out)] if summary["status"] != "diverged" else []
    from dataclasses import asdict

    result = {**summary, "plots": plots, "run_dir": out,
              **provenance({"experiment": args.name, "scale": args.scale, **asdict(cfg), "device": device},
                           cfg.seed)}
    write_result(out, result)
    lines = [f"{args.name} ({args.scale}) in {out}: {summary['status']}"]
    for key in ("final_train_error", "interpolation_barrier_near", "interpolation_barrier_far",
                "perturbation_lowered_loss", "retrained_below_reference"):
        if key in summary:
            value = summary[key]
            lines.append(f"  {key}: {value[-1] if isinstance(value, list) else value}")
    lines += [f"  plot {p}" for p in plots]
    args.out = None  # result.json is already in the run folder
    _emit(result, args, "\n".join(lines))
    if summary["status"] != "done":
        print(f"landscape: {summary['message']}", file=sys.stderr)
        raise _Failed()


def cmd_plot(args) -> None:
    from training.plots import plot_run

    if not os.path.isdir(args.run_dir):
        raise SpecError(f"{args.run_dir} is not a folder")
    try:
        written = plot_run(args.run_dir)
    except FileNotFoundError as exc:
        raise SpecError(str(exc)) from None
    print("\n".join(str(p) for p in written))


# --- basin model -----------------------------------------------------------------------

def cmd_basin_model(args) -> None:
    from training.basin_model import (BasinConfig, ProtocolConfig, compare_with_network, network_summary,
                                      run_protocols)
    from training.plots import plot_basin_model
    from bridge.provenance import provenance

    if args.bottom_dim is None:
        args.bottom_dim = min(10, args.dim - 1)
    try:
        net = network_summary(args.compare) if args.compare else None
    except ValueError as exc:
        raise SpecError(f"--compare {exc}") from None
    variants = [args.variant] + ([v for v in ("basins", "basin-fractal") if v != args.variant] if args.compare else [])
    try:
        configs = [BasinConfig(variant=v, dim=args.dim, basins=args.basins, bottom_dim=args.bottom_dim,
                               rugged=args.rugged, seed=args.seed) for v in variants]
        proto = ProtocolConfig(pairs=args.pairs)
    except ValueError as exc:
        raise SpecError(str(exc)) from None
    bar = _progress(list(range(len(configs) * proto.pairs)), "basin model")
    runs = []
    for cfg in configs:
        runs.append(run_protocols(cfg, proto, progress=lambda *_: bar.update(1)))
    bar.close()
    main = runs[0]
    result = {**{k: v for k, v in main.items() if k not in ("config", "protocol")}, "runs": runs}
    result["descent_probability"] = {str(r["sigma"]): r["measured"] for r in main["descent_probability"]}
    if args.compare:
        result["comparison"] = compare_with_network(runs, net, args.compare)
    out_dir = args.out or os.path.join("runs", f"basin-model-{args.variant}-d{args.dim}")
    result["plots"] = [str(p) for p in plot_basin_model(result, out_dir)]
    result.update(provenance({"command": "basin-model", "variants": variants, "dim": args.dim,
                              "basins": args.basins, "bottom_dim": args.bottom_dim, "rugged": args.rugged,
                              "pairs": args.pairs, "compare": args.compare}, args.seed))
    args.out = out_dir
    lines = [f"{args.variant}: D = {args.dim}, {main['basins']} basins with flat bottoms of dimension "
             f"{args.bottom_dim} (effective D for descent {main['effective_dimension']})"]
    for r in main["descent_probability"]:
        lines.append(f"  sigma {r['sigma']:<6g} P(descent) {r['measured']:.4f} +- {r['stderr']:.4f}   "
                     f"exact bowl {r['predicted']:.4f}   Phi(-D sigma/2rho) {r['predicted_high_dim']:.4f}")
    lines.append(f"  barrier near {main['interpolation_barrier_near']:.3g}, far {main['interpolation_barrier_far']:.3g}, "
                 f"within one basin {main['interpolation_barrier_within_basin']:.3g}; walls on "
                 f"{main['walls_found']} of {main['pairs']} far pairs")
    lines.append(f"  perturbation lowered the loss: {main['perturbation_lowered_loss']}; branch distance by "
                 f"branch epoch {dict(zip(main['branch_at'], [round(d, 3) for d in main['branch_distance']]))}")
    if args.compare:
        c = result["comparison"]
        for row in c["rows"]:
            ratio = "n/a" if row["near_over_far"] is None else f"{row['near_over_far']:.3f}"
            lines.append(f"  {row['source']:>13}: near {row['barrier_near']:.3g}, far {row['barrier_far']:.3g}, "
                         f"near/far {ratio}")
        lines.append(f"  the network resembles: {c['resembles']}")
    _emit(result, args, "\n".join(lines + [f"  plot {p}" for p in result["plots"]]))


# --- compare and study -------------------------------------------------------------------

def cmd_compare(args) -> None:
    from bridge.activation_specs import parse_radius
    from bridge.compare import compare, compare_auto_radius, preset
    from bridge.plots import compare_plot
    from bridge.provenance import provenance
    from training.trajectories import RANGE_WARN

    device = pick_device(args.device)
    try:
        settings = preset(args.preset, network=args.network, seeds=args.seeds, epochs=args.epochs, lr=args.lr,
                          width_mult=args.width_mult,
                          activations=_split_specs(args.activations) if args.activations else None)
    except ValueError as exc:
        raise SpecError(str(exc)) from None
    activations = list(settings.pop("activations"))
    if settings["network"] == "tree":
        given = [o for o, v in (("--data", args.data), ("--root", args.root), ("--width-mult", args.width_mult)) if v]
        if given:
            raise SpecError(f"{', '.join(given)}: the tree network trains on its ReLU-teacher data, not on images; "
                            "these options apply to --network dcnn")
        settings.pop("width_mult", None)
    data = args.data or "digits"
    radius = parse_radius(args.radius)
    if radius == "auto":
        try:
            radius = compare_auto_radius(settings["network"], data=data, root=args.root, device=device,
                                         n_train=args.n_train, width_mult=settings.get("width_mult", 1.0))
        except ValueError as exc:
            raise SpecError(str(exc)) from None
    try:
        result = compare(activations=activations, out=args.out, data=data, root=args.root, device=device,
                         n_train=args.n_train, radius=radius, clamp=args.clamp,
                         progress=lambda jobs: _progress(jobs, "compare"), **settings)
    except ValueError as exc:
        raise SpecError(str(exc)) from None
    result["plot"] = str(compare_plot(result, args.out))
    result["preset"] = args.preset
    result.update(provenance({"command": "compare", "preset": args.preset, **settings, "activations": activations,
                              "data": data if settings["network"] == "dcnn" else "relu-teacher",
                              "n_train": args.n_train, "radius": radius, "clamp": args.clamp,
                              "device": device}, 0))
    lines = [f"{result['network']} ({args.preset}): {result['metric']} after {result['epochs']} epochs, "
             f"{result['seeds']} seeds; mean +- std over the runs that ended done"]
    for spec, row in result["table"].items():
        m = row[result["metric"]]
        verdict = result["differences"].get(spec)
        note = "reference" if verdict is None else {None: verdict.get("why", "no spread to compare"),
                                                    True: "exceeds the seed spread",
                                                    False: "within the seed spread"}[verdict["exceeds_spread"]]
        mean = "-" if m["mean"] is None else f"{m['mean']:.4g}"
        std = "" if m["std"] is None else f" +- {m['std']:.2g}"
        apart = ", ".join(f"{row[k]} {k.replace('_', ' ')}" for k in ("diverged", "no_progress") if row[k])
        end = (row.get("outside_radius") or {}).get("end") or []
        outside = max((f for f in end if f is not None), default=None)
        lines.append(f"  {row['activation']['spec']:>22}: {mean}{std}  ({note}{'; ' + apart if apart else ''})"
                     + ("" if outside is None else f"  outside [-R, R] up to {100 * outside:.2g}%"))
        if outside is not None and outside > RANGE_WARN and row["activation"]["interval"] == "approximation" \
                and not row["activation"]["clamp"]:
            print(f"landscape: warning: {spec}: {100 * outside:.2g}% of the activation inputs of a layer lie outside "
                  f"[-{row['activation']['radius']:g}, {row['activation']['radius']:g}] at the end: a larger --radius, "
                  "--radius auto or --clamp may help", file=sys.stderr)
    _emit(result, args, "\n".join(lines))


def _split_specs(text: str) -> list[str]:
    """Split 'relu,relu-chebyshev:4,poly:0,0,1' at commas that start a new spec.

    >>> _split_specs("relu,relu-chebyshev:4,poly:0,0,1")
    ['relu', 'relu-chebyshev:4', 'poly:0,0,1']
    """
    out: list[str] = []
    for part in text.split(","):
        part = part.strip()
        if out and (part[:1].isdigit() or part[:1] in "-+."):
            out[-1] += "," + part  # a coefficient of the previous poly: spec
        elif part:
            out.append(part)
    if not out:
        raise SpecError("--activations is empty")
    return out


def cmd_study(args) -> None:
    from bridge.provenance import provenance, write_result
    from bridge.study import StudyConfig, run_study, terminal_summary

    cfg = (StudyConfig.quick if args.quick else StudyConfig)(seed=args.seed, device=pick_device(args.device))
    result = run_study(cfg, args.out, progress=lambda items: _progress(items, "study"))
    result.update(provenance({"command": "study", "quick": args.quick, **result["config"]}, args.seed))
    write_result(args.out, result)
    report = os.path.join(args.out, "report.md")
    args.out = None  # result.json is written above, with the report
    _emit(result, args, terminal_summary(result) + f"\nreport: {report}")


# --- approx --------------------------------------------------------------------------

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

    if args.degree is None and args.degrees is None:
        raise SpecError("give --degree D or --degrees A:B")
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
            table, shown = {kind: [] for kind in KINDS}, {}
            for kind, d in _progress([(k, d) for k in KINDS for d in degrees], "approximants"):
                a = approximate(kind, d, args.radius, args.target, args.dps)
                table[kind].append({"degree": d, "sup_error": float(a.sup_error), "l2_error": float(a.l2_error)})
                shown[kind] = a
            result = {"target": args.target, "radius": args.radius, "degrees": degrees, "table": table,
                      "decay_rate": {k: (decay_rate(degrees, [r["sup_error"] for r in rows])
                                         if len(degrees) > 1 else None) for k, rows in table.items()}}
            text = _approx_table(result)
    result["warnings"] = sorted({str(w.message) for w in caught})
    result.update(provenance(config, None))
    if args.out:
        result["samples"] = _approx_samples(shown, args.target, args.radius, max(a.degree for a in shown.values()))
        for path in approximant_plots(result, args.out):
            text += f"\nwrote {path}"
    for w in result["warnings"]:
        print(f"landscape: warning: {w}", file=sys.stderr)
    _emit(result, args, text)


def _approx_text(r: dict) -> str:
    coeffs = ", ".join(f"{c:.6g}" for c in r["coefficients"][:8]) + (" ..." if len(r["coefficients"]) > 8 else "")
    lines = [f"{r['kind']} approximant of {r['target']} on [-{r['radius']:g}, {r['radius']:g}], degree {r['degree']}",
             f"  sup error  {r['sup_error']:.6e}  (at x = {r['sup_error_at']:.6g})",
             f"  L2 error   {r['l2_error']:.6e}",
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


# --- entry point ---------------------------------------------------------------------

def make_parser() -> argparse.ArgumentParser:
    from algebra.approximants import KINDS
    from algebra.exports import FORMATS
    from algebra.solve import ENGINES, MAX_PATHS, PRECISIONS, STARTS

    parser = _Parser(prog="landscape", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    sub.required = True

    b = sub.add_parser("bounds", help="Bezout, multihomogeneous and BKK bounds of a network's system")
    add_network_options(b)
    add_data_options(b, many=True)
    b.add_argument("--mixed-volume", action="store_true", help="also the BKK mixed volume (phcpy; slow)")
    b.add_argument("--partition", default=None, metavar="'a,b;c,...'",
                   help="variable groups for the multihomogeneous bound (default: one per node/layer)")
    add_output_options(b)
    b.set_defaults(func=cmd_bounds)

    e = sub.add_parser("export", help="write a network's system for phc, Bertini, Macaulay2, HC.jl or JSON")
    add_network_options(e)
    add_data_options(e)
    add_fix_option(e)
    add_slice_option(e)
    e.add_argument("--format", choices=FORMATS, default="phc")
    e.add_argument("--json", action="store_true", help="one JSON summary on stdout")
    e.add_argument("--out", required=True, help="file to write")
    e.set_defaults(func=cmd_export)

    for name, helptext in (("solve", "count the solutions of a square system by homotopy continuation"),
                           ("witness", "dimension, degree and factors of a solution set (witness sets)")):
        c = sub.add_parser(name, help=helptext)
        c.add_argument("file", nargs="?", default=None,
                       help="a system in PHCpack format (otherwise the network's system)")
        add_network_options(c)
        add_data_options(c)
        add_fix_option(c)
        c.add_argument("--workers", type=WORKERS, default=None,
                       help="worker processes tracking paths (default: CPU count)")
        if name == "solve":
            add_slice_option(c)
            c.add_argument("--start", choices=STARTS, default="auto",
                           help="start system (default auto: chosen from the bounds)")
            c.add_argument("--precision", choices=PRECISIONS, default="d",
                           help="precision of the first track; failed paths go higher (default d)")
            c.add_argument("--verify", choices=("none", "runs", "exact"), default="runs",
                           help="runs: independent runs until the count stops growing (default); "
                                "exact: also msolve's real count")
            c.add_argument("--max-runs", type=integer(1, 100), default=4, help="most runs for --verify (default 4)")
            c.add_argument("--engine", choices=ENGINES, default="ours",
                           help="ours: every path at once as arrays (default); phcpack: PHCpack's trackers")
            c.add_argument("--device", default=None, metavar="cpu|cuda",
                           help="track with torch on this device (engine ours; default numpy on the CPU)")
            c.add_argument("--max-paths", type=MAX_PATH_COUNT, default=MAX_PATHS,
                           help=f"refuse start systems with more paths (default {MAX_PATHS:,})")
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
        add_output_options(c)
        c.set_defaults(defaults={a.dest: a.default for a in c._actions})  # to tell given options from defaults

    d = sub.add_parser("dimension", help="dimension of zero-loss sets against W - N, functional dimension")
    add_network_options(d)
    g = d.add_argument_group("data")
    g.add_argument("--data", default="4", metavar="N | A:B | N1,N2,...", help="data points (default 4)")
    g.add_argument("--seed", type=SEED, default=0, help="seed of the data and every random draw (default 0)")
    d.add_argument("--starts", type=integer(1, 10_000), default=8, help="Levenberg-Marquardt starts per N (default 8)")
    d.add_argument("--witness", action="store_true",
                   help="also the witness-set dimension (homotopy continuation; small networks)")
    d.add_argument("--workers", type=WORKERS, default=None, help="worker processes for --witness")
    add_output_options(d, "folder for result.json and, for several N, dimension.png")
    d.set_defaults(func=cmd_dimension)

    c = sub.add_parser("critical", help="isolated critical points of the loss, classified by Hessian inertia")
    add_network_options(c)
    g = c.add_argument_group("data")
    g.add_argument("--data", default="2", metavar="N", help="data points (default 2)")
    g.add_argument("--seed", type=SEED, default=0, help="seed of the data and every random draw (default 0)")
    g.add_argument("--complex-data", action="store_true", help="complex generic data instead of real Gaussian")
    c.add_argument("--l2", default=None, metavar="random|VALUES",
                   help="generalized L2 term 1/2 sum l_k w_k^2: random (seeded) or given lambda")
    c.add_argument("--max-paths", type=MAX_PATH_COUNT, default=None,
                   help="refuse solves with more total-degree paths (default 5000)")
    c.add_argument("--verify", choices=("none", "runs"), default="runs",
                   help="runs: independent runs until the count stops growing (default)")
    c.add_argument("--workers", type=WORKERS, default=None, help="worker processes tracking paths")
    add_output_options(c)
    c.set_defaults(func=cmd_critical)

    t = sub.add_parser("train", help="train the paper's all-conv network (ReLU or polynomial)")
    add_training_options(t)
    t.add_argument("--json", action="store_true", help="one JSON object on stdout")
    t.add_argument("--out", default=None,
                   help="run folder (default runs/train-<config hash>); the same command resumes it")
    t.set_defaults(func=cmd_train)

    x = sub.add_parser("experiment", help="the paper's landscape experiments (stages, branches, MDS, ...)")
    from training.catalog import EXPERIMENTS, SCALES

    x.add_argument("name", choices=list(EXPERIMENTS), help="which experiment")
    x.add_argument("--scale", choices=SCALES, default="tiny",
                   help="micro (seconds), tiny (minutes, 2 CPU cores, default), paper (GPU, CIFAR-10)")
    x.add_argument("--data", choices=("digits", "synthetic", "cifar10"), default=None,
                   help="override the scale's data set")
    x.add_argument("--root", default=None, help="folder holding cifar-10-batches-py/")
    x.add_argument("--activation", default=None, help="relu (default) or a polynomial spec")
    add_range_options(x)
    x.add_argument("--device", default=None, help="cpu, cuda, ... (default: cuda when present)")
    x.add_argument("--seed", type=SEED, default=None, help="seed (default 0)")
    x.add_argument("--resume", action="store_true", help="continue the experiment in --out")
    x.add_argument("--json", action="store_true", help="one JSON object on stdout")
    x.add_argument("--out", default=None, help="experiment folder (default runs/NAME-SCALE)")
    x.set_defaults(func=cmd_experiment)

    pl = sub.add_parser("plot", help="redraw an experiment's pictures from its data files")
    pl.add_argument("run_dir", help="an experiment folder")
    pl.set_defaults(func=cmd_plot)

    bm = sub.add_parser("basin-model", help="the paper's basin model as a simulated landscape")
    bm.add_argument("--variant", choices=("basins", "basin-fractal"), default="basins")
    bm.add_argument("--dim", type=BASIN_DIM, default=50, help="dimension D (weights) (default 50)")
    bm.add_argument("--basins", type=integer(1, 10_000), default=6,
                    help="basins K (per level for basin-fractal) (default 6)")
    bm.add_argument("--bottom-dim", type=integer(0, 100_000), default=None,
                    help="dimension of the flat bottoms (default 10, or D - 1 when D <= 10)")
    bm.add_argument("--rugged", type=number(0, 1, open_hi=True), default=0.0,
                    help="small-scale ruggedness eps in [0, 1) (default 0)")
    bm.add_argument("--pairs", type=integer(1, 10_000), default=6, help="trajectory pairs per protocol (default 6)")
    bm.add_argument("--seed", type=SEED, default=0)
    bm.add_argument("--compare", default=None, metavar="RUN_DIR",
                    help="side by side with a network experiment's results (runs both variants)")
    add_output_options(bm, "folder for result.json and the plots (default runs/basin-model-...)")
    bm.set_defaults(func=cmd_basin_model)

    cp = sub.add_parser("compare", help="polynomial against ReLU activations: same network, data, seeds")
    cp.add_argument("--preset", choices=("default", "figure2"), default="default",
                    help="default: 4 activations, width x0.5, 5 epochs; figure2: the paper's Figure 2 comparison "
                         "(relu, two quadratics, relu-chebyshev:4, relu-minimax:4, relu-chebyshev:8; full width, "
                         "10 epochs, 3 seeds); the options below override it")
    cp.add_argument("--network", choices=("dcnn", "tree"), default=None,
                    help="dcnn: the paper's all-conv network on images; tree: the canonical tree on a ReLU teacher")
    cp.add_argument("--activations", default=None,
                    help="comma-separated specs, the first is the reference (default: the preset's)")
    add_range_options(cp)
    cp.add_argument("--seeds", type=SEEDS, default=None, help="seeds per activation (default: the preset's, 3)")
    cp.add_argument("--data", choices=("digits", "synthetic", "cifar10"), default=None,
                    help="dcnn's images (default digits)")
    cp.add_argument("--root", default=None, help="folder holding cifar-10-batches-py/")
    cp.add_argument("--epochs", type=EPOCHS, default=None, help="epochs (default: the preset's)")
    cp.add_argument("--lr", type=LR, default=None, help="learning rate (default 0.01)")
    cp.add_argument("--width-mult", type=WIDTH_MULT, default=None, help="dcnn width multiplier (default: the preset's)")
    cp.add_argument("--n-train", type=N_TRAIN, default=None, help="first N training points")
    cp.add_argument("--device", default=None)
    cp.add_argument("--json", action="store_true", help="one JSON object on stdout")
    cp.add_argument("--out", required=True, help="folder for the runs, curves.json, compare.png, result.json")
    cp.set_defaults(func=cmd_compare)

    st = sub.add_parser("study", help="the main job: bounds, counts, dimensions, critical points, "
                                      "trained solutions, polynomial vs ReLU; report.md")
    st.add_argument("--out", default="results/study", help="folder for report.md, figures, result.json")
    st.add_argument("--quick", action="store_true", help="smallest sizes (seconds): a smoke test")
    st.add_argument("--seed", type=SEED, default=0)
    st.add_argument("--device", default=None)
    st.add_argument("--json", action="store_true", help="one JSON object on stdout")
    st.set_defaults(func=cmd_study)

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
    return parser


NOT_CONFIGURATION = ("func", "out", "json", "workers", "resume", "command", "defaults")  # never change a result
NETWORK_SYSTEM_OPTIONS = ("network", "units", "depth", "shared", "widths", "activation", "radius", "no_bias", "data",
                          "complex_data", "system", "l2", "fix", "slice")
EXTENDABLE = ("epochs",)  # train and compare continue their runs to a larger --epochs in the same folder


def claimed_output(args):
    """The --out folder checked and held before the command works (bridge.outputs); export
    writes one file, whose folder is checked."""
    from pathlib import Path

    from bridge.outputs import check_writable, claim

    out = getattr(args, "out", None)
    if args.command == "experiment":
        out = out or os.path.join("runs", f"{args.name}-{args.scale}")
    elif args.command == "basin-model":
        out = out or os.path.join("runs", f"basin-model-{args.variant}-d{args.dim}")
    if out is None:
        return contextlib.nullcontext()
    if args.command == "export":
        if Path(out).is_dir():
            raise SpecError(f"--out {out} is a folder; export writes one file")
        check_writable(Path(out).parent)
        return contextlib.nullcontext()
    ignored = NOT_CONFIGURATION + (EXTENDABLE if args.command in ("train", "compare") else ())
    arguments = {k: v for k, v in vars(args).items() if k not in ignored}
    return claim(out, args.command, arguments)


def main(argv: Sequence[str] | None = None) -> int:
    from algebra.phc import SolverError

    try:
        args = make_parser().parse_args(argv)
        with claimed_output(args):
            args.func(args)
    except SpecError as exc:
        print(f"landscape: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SolverError as exc:
        print(f"landscape: solver failure: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as exc:
        print(f"landscape: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `landscape ... --json | head`: the reader left, nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except _Failed:
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("landscape: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
