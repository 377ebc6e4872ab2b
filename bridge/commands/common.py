"""What every command shares: option groups, the typed limits, output and errors."""
from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import sys
from typing import Sequence

from algebra.activation import DEFAULT_RADIUS, SpecError
from bridge.options import SEED, WORKERS, integer, number  # noqa: F401  (WORKERS: for the command modules)

THREADS = integer(1, 1024)


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
# algebra.approximants.MAX_DEGREE and MAX_DPS (not imported: the parser stays light; a test keeps them equal)
DEGREE = integer(1, 60, "a minimax fit of degree 60 takes about half a minute on 2 cores, 100 about 2 minutes")
MAX_PATH_COUNT = integer(1, 10 ** 9)
MAX_DATA = 10 ** 8     # data points: 10^8 points of 4 inputs are 3 GB as float64
MAX_COUNTS = 10_000    # values in one --data A:B
MAX_DIMENSION_DATA = 10_000
BASIN_DIM = integer(2, 100_000, "memory grows like dim x basins")
SEEDS = integer(1, 100, "each seed trains every activation")
DPS = integer(15, 1_000, "precision costs grow like its square: 1,000 digits take 14 s at degree 4")


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2, as for every other bad input
        command = self.prog.removeprefix("landscape").strip()
        raise SpecError(f"{command}: {message}" if command else message)


TREE_DEFAULTS = {"units": 1, "depth": 2, "shared": False}
DENSE_DEFAULTS = {"widths": "2,3,1"}


def add_network_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("network")
    g.add_argument("--network", choices=("tree", "dense"), default="tree",
                   help="the canonical tree network (default) or a dense network")
    g.add_argument("--units", type=UNITS, default=TREE_DEFAULTS["units"],
                   help="tree: hidden units r per node (default 1)")
    g.add_argument("--depth", type=DEPTH, default=TREE_DEFAULTS["depth"], help="tree: depth L, 2^L inputs (default 2)")
    g.add_argument("--shared", action="store_true", help="tree: nodes of a level share weights")
    g.add_argument("--widths", default=DENSE_DEFAULTS["widths"], help="dense: widths d0,...,dL (default 2,3,1)")
    g.add_argument("--activation", action="append", default=None, metavar="SPEC",
                   help="activation spec, e.g. poly:0.1,0.5,0.3, monomial:2, linear (default poly:0.1,0.5,0.3); "
                        "give it once per hidden layer (tree: per level) for layer-dependent activations, "
                        "e.g. --activation monomial:2 --activation linear")
    g.add_argument("--radius", default=None, metavar="R",
                   help=f"interval [-R, R] of relu-* approximants without @R (default {DEFAULT_RADIUS:g})")
    g.add_argument("--no-bias", action="store_true", help="networks without biases")


def add_data_points(p: argparse.ArgumentParser, default: str = "4", many: bool = False, complex_data: bool = True):
    """--data, --seed (and --complex-data) in a "data" group; returns the group."""
    g = p.add_argument_group("data")
    g.add_argument("--data", default=default, metavar="N" + (" | A:B | N1,N2,..." if many else ""),
                   help="number of data points" + (" or several" if many else "") + f" (default {default})")
    g.add_argument("--seed", type=SEED, default=0, help="seed of the data and every random draw (default 0)")
    if complex_data:
        g.add_argument("--complex-data", action="store_true", help="complex generic data instead of real Gaussian")
    return g


def add_data_options(p: argparse.ArgumentParser, many: bool = False) -> None:
    g = add_data_points(p, many=many)
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
    from algebra.networks import DEFAULT_ACTIVATION, DenseNetwork, TreeNetwork

    from algebra.activation import check_radius

    other = DENSE_DEFAULTS if args.network == "tree" else TREE_DEFAULTS
    given = [f"--{k}" for k, v in other.items() if getattr(args, k) != v]
    if given:
        raise SpecError(f"{' '.join(given)} appl{'ies' if len(given) == 1 else 'y'} to the "
                        f"{'dense' if args.network == 'tree' else 'tree'} network, not to --network {args.network}")
    radius = None if args.radius is None else check_radius(args.radius, "--radius")
    acts = [parse_activation(spec, radius=radius) for spec in (args.activation or [DEFAULT_ACTIVATION])]
    activation = acts[0] if len(acts) == 1 else acts  # several: one per hidden layer, checked by the network
    if args.network == "tree":
        return TreeNetwork(units=args.units, activation=activation, bias=not args.no_bias,
                           shared=args.shared, depth=args.depth)
    return DenseNetwork(widths=args.widths, activation=activation, bias=not args.no_bias)


def parse_counts(text: str) -> list[int]:
    """'4' -> [4]; '1:3' -> [1, 2, 3]; '1,50000' -> [1, 50000].

    >>> parse_counts("2:4"), parse_counts("1,50000")
    ([2, 3, 4], [1, 50000])
    """
    def whole(t: str) -> int:  # plain ASCII digits, as the typed options take (int() takes '1_0' and '３')
        if not re.fullmatch(r"[0-9]+", t):
            raise ValueError(t)
        return int(t)

    try:
        if ":" in text:
            lo, hi = (whole(t) for t in text.split(":"))
        else:
            values = [whole(t) for t in text.split(",")]
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


def progress_bar(items: list, what: str):
    """A progress bar on stderr for multi-item work (silent when stderr is not a terminal)."""
    from tqdm import tqdm

    return tqdm(items, desc=what, unit="item", disable=None if len(items) > 1 else True, leave=False)


class StatusLine:
    """A one-line status on stderr for work whose end is not known in advance (monodromy's
    loops): ``progress(stage, loops, points)`` rewrites it; silent when stderr is not a
    terminal. A context manager: the line is cleared at the end."""

    def __init__(self, what: str):
        from tqdm import tqdm

        self.what = what
        self.bar = tqdm(total=None, bar_format="{desc} [{elapsed}]", disable=None, leave=False)

    def __call__(self, stage: str, loops: int, points: int) -> None:
        self.bar.set_description_str(f"{self.what}: {stage}: {loops:,} loops, {points:,} points", refresh=True)

    def __enter__(self) -> "StatusLine":
        return self

    def __exit__(self, *exc) -> None:
        self.bar.close()


def add_budget_option(p) -> None:
    p.add_argument("--budget", type=number(0, open_lo=True), default=None, metavar="SECONDS",
                   help="monodromy: stop the loops after this many seconds with a lower bound (with --out, the "
                        "same command goes on from there)")


def budget_applies(args) -> None:
    """--budget limits monodromy's loops; with another method it would change nothing."""
    if args.budget is not None and args.method != "monodromy":
        raise SpecError("--budget applies to --method monodromy")


def checkpoint_for(args):
    """Where a monodromy count run with ``--out`` keeps its stages' states (``checkpoint``):
    the same command again goes on from them; None without ``--out``."""
    if not getattr(args, "out", None):
        return None
    from algebra.continuation.checkpoint import Checkpoint

    return Checkpoint(os.path.join(args.out, "checkpoint"))


def status_line(what: str, active: bool = True):
    """``StatusLine(what)``, or a context that gives None when ``active`` is false."""
    from contextlib import nullcontext

    return StatusLine(what) if active else nullcontext(None)


def add_cluster_options(p, what: str = "units of work") -> None:
    """--workers and --scheduler: where a long command's units of work run (bridge.cluster)."""
    from bridge.cluster import SCHEDULER_ENV

    g = p.add_argument_group("cluster")
    g.add_argument("--workers", type=WORKERS, default=None,
                   help=f"run the {what} on a Dask cluster of N worker processes on this machine "
                        "(default: in this process)")
    g.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help=f"run the {what} on a running Dask cluster (tcp://host:8786; default ${SCHEDULER_ENV})")
    g.add_argument("--threads", type=THREADS, default=None,
                   help="torch and BLAS threads per unit; the last bits of CPU results depend on it, so a run is "
                        "bit-identical to any run with the same --threads, in-process or on any cluster "
                        "(default 1 everywhere: the defaults give the same numbers in every mode)")


def units_runner(args, device: str | None = None):
    """The runner (context manager) for the command's --workers/--scheduler; GPU units when
    ``device`` is a CUDA device."""
    from bridge.cluster import cluster

    gpu = device is not None and str(device).startswith("cuda")
    return cluster(args.workers, args.scheduler, gpu=gpu, threads=args.threads)


def remote(args) -> bool:
    """Whether the command's work runs on a running cluster (not on this machine)."""
    import os

    from bridge.cluster import SCHEDULER_ENV

    return bool(getattr(args, "scheduler", None) or os.environ.get(SCHEDULER_ENV)) and args.workers is None


def add_range_options(g) -> None:
    """--radius and --clamp of the training commands (train, experiment, compare)."""
    g.add_argument("--radius", default=None, metavar="R|auto",
                   help=f"interval [-R, R] of relu-* approximants without @R, and of the range check of every "
                        f"activation (default {DEFAULT_RADIUS:g}); auto: {AUTO_HELP}")
    g.add_argument("--clamp", action="store_true",
                   help="evaluate polynomial activations at clip(z, -R, R): bounded, but the network is then "
                        "no longer polynomial")


AUTO_HELP = "from the largest activation input of the ReLU network at initialization, with a 25%% margin"


@contextlib.contextmanager
def warnings_on_stderr():
    """Warnings of library code as one line each on stderr (never on stdout: --json)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"landscape: warning: {message}", file=sys.stderr)


def emit(result: dict, args, text: str, drawings=()) -> None:
    """The result: result.json (with --out), then the text or the JSON on stdout, then the
    ``drawings`` (callables that write plots and return a path or a list of them): a picture is never
    drawn before the numbers it shows are safe (MPLBACKEND=nonsense once lost the result)."""
    from bridge.provenance import to_json, write_result

    if args.out:
        write_result(args.out, result)
    if args.json:
        print(to_json(result, indent=None))
    else:
        print(text)
        if args.out:
            print(f"wrote {args.out}/result.json")
    for draw in drawings:
        written = draw()
        for path in written if isinstance(written, list) else [written]:
            if not args.json:
                print(f"wrote {path}")


def pick_device(name: str | None, remote: bool = False) -> str:
    """The torch device of a training command; ``remote``: the work runs on a cluster's
    workers, which may have a GPU where this machine has none (bridge.cluster checks them)."""
    import torch

    if name is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        device = torch.device(name)
    except RuntimeError:
        raise SpecError(f"--device {name!r} is not a torch device (cpu, cuda, cuda:1, ...)") from None
    if device.type == "cuda" and not remote and not torch.cuda.is_available():
        raise SpecError(f"--device {name}: this machine has no CUDA device")
    return name


BATCH_DEFAULT = 100


def add_training_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("training")
    g.add_argument("--activation", default="relu",
                   help="relu, or a polynomial spec: poly:..., monomial:k, relu-minimax:4, ... (default relu)")
    add_range_options(g)
    g.add_argument("--optimizer", choices=("sgd", "gd"), default="sgd",
                   help="sgd (minibatches) or gd (full batch, exact gradient) (default sgd)")
    g.add_argument("--epochs", type=EPOCHS, default=10, help="epochs; for gd, steps (default 10)")
    g.add_argument("--lr", type=LR, default=0.01, help="learning rate (default 0.01, the paper's)")
    g.add_argument("--batch", type=BATCH, default=BATCH_DEFAULT, help="sgd batch size (default 100, the paper's)")
    g.add_argument("--momentum", type=MOMENTUM, default=0.0, help="momentum of sgd or gd (default 0)")
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


class Failed(Exception):
    """The command ran and reported a failure (its message is already on stderr)."""


def split_specs(text: str) -> list[str]:
    """Split 'relu,relu-chebyshev:4,poly:0,0,1' at commas that start a new spec.

    >>> split_specs("relu,relu-chebyshev:4,poly:0,0,1")
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


NETWORK_SYSTEM_OPTIONS = ("network", "units", "depth", "shared", "widths", "activation", "radius", "no_bias", "data",
                          "complex_data", "system", "l2", "fix", "slice")


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
        if name.strip() in out:
            raise SpecError(f"--fix {item!r}: {name.strip()} is fixed twice")
        out[name.strip()] = v.real if v.imag == 0 else v
    return out


def build_system(net, args, gauge: bool = False):
    """The system a command asks for: zero-loss or critical, then fixed weights, then slices.
    ``gauge``: the unregularized critical system without --fix is gauge-fixed (one weight per
    rescaling set to 1: ``symmetry.gauge_weights``), so that its critical points are isolated."""
    from algebra.systems import critical_system, make_data, random_slices, zero_loss_system

    counts = parse_counts(args.data)
    if len(counts) != 1:
        raise SpecError("--data: this command takes a single number of data points")
    data = make_data(net, counts[0], args.seed, "complex" if args.complex_data else "real")
    if args.system == "zero-loss":
        if args.l2 is not None:
            raise SpecError("--l2 applies to the critical system only (add --system critical)")
        system = zero_loss_system(net, data)
    elif gauge and args.l2 is None and not args.fix:
        from algebra.symmetry import gauge_fixed_critical_system, gauge_weights

        fixed = gauge_weights(net, args.seed)
        system = (gauge_fixed_critical_system(net, data, fixed) if fixed
                  else critical_system(net, data, l2=args.l2, seed=args.seed))
    else:
        system = critical_system(net, data, l2=args.l2, seed=args.seed)
    if args.fix:
        system = system.substitute(parse_fix(args.fix))
    if args.slice is not None:
        count = system.n_variables - system.n_equations if args.slice == "square" else _int(args.slice)
        if count < 0:
            raise SpecError(f"--slice: the system has {system.n_equations} equations in "
                            f"{system.n_variables} unknowns already; slicing cannot square it")
        if count > system.n_variables:
            raise SpecError(f"--slice {count}: the system has {system.n_variables} unknowns; more slices than "
                            "unknowns cut every solution set to nothing")
        system = random_slices(system, count, args.seed)
    return system, data


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SpecError(f"--slice {text!r}: give a number of slices, or no value to square the system") from None
