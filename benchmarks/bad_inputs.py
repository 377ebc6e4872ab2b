"""Bad input, as a new user types it: every `landscape` command fed a table of bad inputs.

The promise measured (README, "Tour of the commands"): bad input gives ONE line on stderr and
exit status 2, before any work starts; never a Python traceback, never a hang, never a silently
wrong answer. Each case runs `.venv/bin/landscape ARGV` as a subprocess in a fresh scratch
folder (its working directory, with the case's files made first), stdin closed, under a
timeout and an address-space limit, and its outcome is classified:

    refused                 exit 2, exactly one non-empty stderr line, no traceback
    refused, not one line   exit 2 with no or several stderr lines
    traceback               'Traceback' anywhere on stderr
    hang                    still running at --timeout (killed with its process group)
    other exit              any other status (1, 134, -9, ...)
    answered                exit 0

A case expects "refused" or "answer" (exit 0 is correct, e.g. a value at the edge of its
range). A case that answered where a refusal was expected is a possible silent wrong answer,
listed for review. Input classes: number (every numeric option of every command at -1, 0,
10^12, a 20-digit integer, nan, +-inf, 1e-308, 1e300), size, edge (the largest sizes the
limits admit), spec (activation specs), value (malformed option texts), flag (options that do
not apply), phc file, scheduler, folder, usage.

    .venv/bin/python benchmarks/bad_inputs.py [--jobs 1] [--timeout 60] [--only SUBSTRING]
        [--json FILE] [--recheck FILE] [--memory 8] [--keep] [--list] [--verbose]

``--recheck FILE`` runs again only the cases that a previous ``--json FILE`` shows not cleanly
refused (any other outcome, or a refusal that left files behind).

Runs as root make the read-only-folder cases (chmod 500) moot: root writes there anyway;
the cases under /proc are unwritable for everyone.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shlex
import shutil
import signal
import stat
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LANDSCAPE = ROOT / ".venv" / "bin" / "landscape"
SCHEDULER_ENV = "LANDSCAPE_SCHEDULER"  # cleared for every case, so that only a case's own value counts

REFUSED, ANSWER = "refused", "answer"
OUTCOMES = ("refused", "refused, not one line", "traceback", "hang", "other exit", "answered")


class Folder:
    """A folder to make in the scratch folder (``mode``: its permissions, set last)."""

    def __init__(self, mode: int | None = None):
        self.mode = mode


FOLDER, READ_ONLY = Folder(), Folder(0o500)


@dataclass
class Case:
    name: str                                   # "class: command, what is wrong"
    argv: list[str]                             # after `landscape`
    expect: str = REFUSED                       # REFUSED or ANSWER
    files: dict = field(default_factory=dict)   # path in the scratch folder -> str | bytes | Folder;
                                                # "chmod PATH" -> mode, set after every file is made
    env: dict = field(default_factory=dict)     # added to the environment

    @property
    def kind(self) -> str:
        return self.name.partition(":")[0]


# ---------------------------------------------------------------------------------------------
# the files cases start from

SQUARE = "2\n x^2 + y^2 - 5;\n x*y - 2;\n"      # 4 regular solutions
CURVE = "1 2\n x^2 + y^2 - 1;\n"                # a circle: dimension 1, degree 2

PHC_FILES = {  # name -> (content, expected of solve, expected of witness)
    "valid square system": (SQUARE, ANSWER, ANSWER),
    "valid, CRLF line ends": (SQUARE.replace("\n", "\r\n"), ANSWER, ANSWER),
    "header 2, 3 polynomials given": ("2\n x^2 - 1;\n y^2 - 1;\n x + y;\n", REFUSED, REFUSED),
    "header 3, 2 polynomials given": ("3\n x^2 - 1;\n y^2 - 1;\n", REFUSED, REFUSED),
    "header only": ("2\n", REFUSED, REFUSED),
    "header not a number": ("two\n x^2 - 1;\n y - 1;\n", REFUSED, REFUSED),
    "header negative": ("-2\n x^2 - 1;\n y - 1;\n", REFUSED, REFUSED),
    "header 20 digits": ("12345678901234567890\n x^2 - 1;\n y - 1;\n", REFUSED, REFUSED),
    "unparsable coefficient 1.2.3": ("2\n 1.2.3*x^2 - 1;\n y - 1;\n", REFUSED, REFUSED),
    "nan coefficient": ("2\n nan*x^2 - 1;\n y - 1;\n", REFUSED, REFUSED),
    "inf coefficient": ("2\n inf*x^2 - 1;\n y - 1;\n", REFUSED, REFUSED),
    "coefficient 1e400": ("2\n 1e400*x^2 - 1;\n y - 1;\n", REFUSED, REFUSED),
    "coefficient of 100,000 digits": ("2\n " + "9" * 100_000 + "*x^2 - 1;\n y - 1;\n", REFUSED, REFUSED),
    "no semicolons": ("2\n x^2 - 1\n y - 1\n", REFUSED, REFUSED),
    "negative exponent": ("2\n x^-1 - 2;\n y - 1;\n", REFUSED, REFUSED),
    "fractional exponent": ("2\n x^0.5 - 2;\n y - 1;\n", REFUSED, REFUSED),
    "unicode superscript": ("2\n x\u00b2 - 1;\n y - 1;\n", REFUSED, REFUSED),
    "empty file": ("", REFUSED, REFUSED),
    "binary garbage": (bytes(range(256)) * 16, REFUSED, REFUSED),
    "invalid UTF-8": (b"2\n x^2 - \xff\xfe1;\n y - 1;\n", REFUSED, REFUSED),
    "parentheses 100,000 deep": ("1\n " + "(" * 100_000 + "x" + ")" * 100_000 + " - 1;\n", REFUSED, REFUSED),
    "(x+y+1)^2000 expands to 2 million terms": ("2\n (x + y + 1)^2000 - 1;\n x - y;\n", REFUSED, REFUSED),
    "degree 10^6 (10^6 paths)": ("1\n x^1000000 - 1;\n", REFUSED, REFUSED),
    "exponent 10^30": ("1\n x^1000000000000000000000000000000 - 1;\n", REFUSED, REFUSED),
    "2 equations in 3 unknowns": ("2\n x + y + z - 1;\n x - y;\n", REFUSED, ANSWER),
}

SPECS = [  # malformed activation specs: (spec, what a polynomial command should do, what training should do)
    ("poly:", REFUSED, REFUSED),
    ("poly:a,b", REFUSED, REFUSED),
    ("poly:1e400", REFUSED, REFUSED),
    ("poly:0,1e400", REFUSED, REFUSED),
    ("poly:nan,1", REFUSED, REFUSED),
    ("poly:0,inf", REFUSED, REFUSED),
    ("poly:1", REFUSED, REFUSED),
    ("poly:0.1,0.5,0.3@2", REFUSED, REFUSED),
    ("monomial:0", REFUSED, REFUSED),
    ("monomial:-2", REFUSED, REFUSED),
    ("monomial:1e3", REFUSED, REFUSED),
    ("relu-chebyshev:0", REFUSED, REFUSED),
    ("relu-chebyshev:-3", REFUSED, REFUSED),
    ("relu-legendre:4.5", REFUSED, REFUSED),
    ("relu-minimax:4@-1", REFUSED, REFUSED),
    ("relu-minimax:4@0", REFUSED, REFUSED),
    ("relu-minimax:4@inf", REFUSED, REFUSED),
    ("relu-minimax:4@nan", REFUSED, REFUSED),
    ("relu-minimax:4@1e-308", REFUSED, REFUSED),
    ("relu-minimax:4@2@3", REFUSED, REFUSED),
    ("relu-minimax:10000", REFUSED, REFUSED),
    ("relu-minimax", REFUSED, REFUSED),
    ("sigmoid", REFUSED, REFUSED),
    ("tanh:3", REFUSED, REFUSED),
    ("", REFUSED, REFUSED),
    ("relu", REFUSED, ANSWER),                # not a polynomial: fine for training only
    ("poly:0,1e-400", ANSWER, REFUSED),       # exact in the algebra; float64 rounds it to 0: constant activation
]


def out_of_another_command(command: str) -> dict:
    """A folder that holds `landscape COMMAND`'s result (its marker and result.json)."""
    return {"other/.landscape.json": json.dumps({"command": command, "arguments": {}}),
            "other/result.json": json.dumps({"command": command})}


# ---------------------------------------------------------------------------------------------
# cheap, valid bases: an option's value appended to one of them is the only thing wrong (argparse
# takes the last occurrence), and a value in range answers in seconds

BASES = {
    "bounds": ["bounds", "--data", "2"],
    "export": ["export", "--data", "2", "--out", "system.txt"],
    "solve": ["solve", "--activation", "monomial:2", "--no-bias", "--data", "2", "--slice"],
    "solve FILE": ["solve", "square.phc"],
    "witness": ["witness", "--activation", "monomial:2", "--no-bias", "--data", "2"],
    "witness FILE": ["witness", "curve.phc"],
    "witness cascade": ["witness", "curve.phc", "--method", "cascade"],
    "dimension": ["dimension", "--data", "2", "--starts", "2"],
    "critical": ["critical", "--network", "dense", "--widths", "2,2,1", "--activation", "linear", "--no-bias",
                 "--data", "2", "--l2", "random"],
    "train": ["train", "--n-train", "500", "--width-mult", "0.25", "--epochs", "2", "--batch", "50", "--lr", "0.05",
              "--out", "run"],
    "experiment": ["experiment", "sgd-stages", "--scale", "micro", "--out", "experiment"],
    "basin-model": ["basin-model", "--dim", "10", "--basins", "2", "--pairs", "1", "--out", "basins"],
    "compare": ["compare", "--activations", "relu,monomial:2", "--seeds", "1", "--epochs", "1", "--n-train", "200",
                "--width-mult", "0.25", "--out", "compare"],
    "study": ["study", "--quick", "--out", "study"],
    "approx": ["approx", "--degree", "4"],
    "critical-set": ["critical-set", "--network", "dense", "--widths", "1,1,1", "--activation", "linear", "--no-bias",
                     "--no-degree"],
    "critical-set monodromy": ["critical-set", "--network", "dense", "--widths", "1,1,1", "--activation", "linear",
                               "--no-bias", "--no-degree", "--method", "monodromy"],
}
BASE_FILES = {"solve FILE": {"square.phc": SQUARE}, "witness FILE": {"curve.phc": CURVE},
              "witness cascade": {"curve.phc": CURVE}}
ALGEBRA = ("bounds", "export", "solve", "witness", "dimension", "critical", "critical-set")
DENSE = ("critical", "critical-set")  # bases on a dense network: the tree's --units and --depth do not apply
TRAINING = ("train", "experiment", "compare")
WITH_OUT = ("bounds", "solve", "witness", "dimension", "critical", "critical-set", "train", "experiment", "basin-model",
            "compare", "study", "approx")


def base(command: str, *more: str, name: str, expect: str = REFUSED, files: dict | None = None,
         env: dict | None = None) -> Case:
    """A case: ``command``'s base with ``more`` appended; ``name`` is "class: what", and the
    case's name "class: command what"."""
    kind, _, what = name.partition(": ")
    return Case(f"{kind}: {command} {what}", BASES[command] + list(more), expect,
                {**BASE_FILES.get(command, {}), **(files or {})}, env or {})


@dataclass(frozen=True)
class Range:
    """The documented range of a numeric option, to tell values in range (ANSWER) from bad ones."""
    lo: float | None
    hi: float | None
    integer: bool = True
    open_lo: bool = False
    open_hi: bool = False

    def admits(self, text: str) -> bool:
        try:
            value = int(text) if self.integer else float(text)
        except ValueError:
            return False
        if value != value or value in (float("inf"), float("-inf")):
            return False
        if self.lo is not None and (value <= self.lo if self.open_lo else value < self.lo):
            return False
        return self.hi is None or (value < self.hi if self.open_hi else value <= self.hi)


def I(lo, hi) -> Range:  # noqa: E743
    return Range(lo, hi)


def F(lo, hi, open_lo=False, open_hi=False) -> Range:
    return Range(lo, hi, False, open_lo, open_hi)


BAD_NUMBERS = ("-1", "0", "1000000000000", "12345678901234567890", "nan", "inf", "-inf", "1e-308", "1e300")
SEED, WORKERS, RADIUS, EPOCHS, N_TRAIN = I(0, 2 ** 32 - 1), I(1, 256), F(1e-6, 1e6), I(1, 100_000), I(1, 10 ** 7)
LR, WIDTH_MULT = F(0, 10, open_lo=True), F(0, 16, open_lo=True)
NETWORK_NUMBERS = [("--units", I(1, 32)), ("--depth", I(1, 6)), ("--radius", RADIUS), ("--seed", SEED)]
NUMERIC = [  # (base, option, range)
    *[(c, o, r) for c in ALGEBRA for o, r in NETWORK_NUMBERS if c not in DENSE or o not in ("--units", "--depth")],
    *[(c, "--data", I(1, 10 ** 4 if c == "dimension" else 10 ** 8)) for c in ALGEBRA],
    ("export", "--slice", I(0, 12)),       # W = 12 unknowns: more slices than unknowns make no sense
    ("solve", "--slice", I(7, 7)),         # W - N = 9 - 2: only 7 slices make the system square
    ("solve FILE", "--seed", SEED), ("solve FILE", "--max-runs", I(1, 100)),
    ("solve FILE", "--max-paths", I(1, 10 ** 9)), ("solve FILE", "--workers", WORKERS),
    ("witness FILE", "--seed", SEED), ("witness FILE", "--loops", I(0, 100_000)),
    ("witness FILE", "--workers", WORKERS), ("witness cascade", "--top", I(0, 10_000)),
    ("dimension", "--starts", I(1, 500)), ("dimension", "--workers", WORKERS),
    ("critical", "--max-paths", I(1, 10 ** 9)), ("critical", "--workers", WORKERS),
    ("critical-set", "--max-paths", I(9, 10 ** 9)),  # the regularized system has 9 total-degree paths
    ("critical-set monodromy", "--stall", I(1, 1000)), ("witness FILE", "--max-paths", I(2, 10 ** 9)),
    ("basin-model", "--steps", I(21, 10_000)),
    ("train", "--epochs", EPOCHS), ("train", "--lr", LR), ("train", "--batch", I(1, 10 ** 6)),
    ("train", "--momentum", F(0, 1, open_hi=True)), ("train", "--clip", F(0, None, open_lo=True)),
    ("train", "--chunk", I(1, 10 ** 6)), ("train", "--width-mult", WIDTH_MULT), ("train", "--seed", SEED),
    ("train", "--n-train", N_TRAIN), ("train", "--radius", RADIUS),
    ("experiment", "--seed", SEED), ("experiment", "--group", I(1, 1000)), ("experiment", "--workers", WORKERS),
    ("experiment", "--radius", RADIUS),
    ("basin-model", "--dim", I(2, 10 ** 5)), ("basin-model", "--basins", I(1, 10 ** 4)),
    ("basin-model", "--bottom-dim", I(0, 9)), ("basin-model", "--rugged", F(0, 1, open_hi=True)),
    ("basin-model", "--pairs", I(1, 10 ** 4)), ("basin-model", "--seed", SEED),
    ("compare", "--seeds", I(1, 100)), ("compare", "--epochs", EPOCHS), ("compare", "--lr", LR),
    ("compare", "--width-mult", WIDTH_MULT), ("compare", "--n-train", N_TRAIN), ("compare", "--workers", WORKERS),
    ("compare", "--radius", RADIUS),
    ("study", "--seed", SEED), ("study", "--workers", WORKERS),
    ("approx", "--degree", I(1, 60)), ("approx", "--degrees", I(1, 60)), ("approx", "--radius", RADIUS),
    ("approx", "--dps", I(15, 1000)),
]


def number_cases() -> list[Case]:
    return [base(command, f"{option}={value}", name=f"number: {option}={value}",
                 expect=ANSWER if rng.admits(value) else REFUSED)
            for command, option, rng in NUMERIC for value in BAD_NUMBERS]


def size_cases() -> list[Case]:
    """Sizes a user may ask for that no machine can serve: each must name its limit."""
    cases = [base(c, f"--units={n}", name=f"size: --units={n}") for c in ALGEBRA for n in (1000, 10_000, 1_000_000)]
    cases += [base("approx", v, name=f"size: {v}") for v in
              ("--degree=10000", "--degrees=2:10000", "--degrees=1000000", "--dps=100000000")]
    cases += [base("approx", "--dps=100000000", "--degree=2", name="size: --dps=100000000 --degree=2")]
    cases += [base(c, "--activation=relu-minimax:10000", name="size: --activation=relu-minimax:10000")
              for c in (*ALGEBRA, "train", "experiment")]
    cases += [base("compare", "--activations=relu,relu-minimax:10000",
                   name="size: --activations=relu,relu-minimax:10000"),
              base("dimension", "--data=100000", name="size: --data=100000"),
              base("dimension", "--data=1:100000", name="size: --data=1:100000"),
              base("bounds", "--data=1:1000000", name="size: --data=1:1000000"),
              base("basin-model", "--dim=10000000", name="size: --dim=10000000"),
              base("basin-model", "--basins=10000", name="size: --basins=10000 (10,000 basins in D = 10)"),
              base("basin-model", "--variant=basin-fractal", "--basins=100", name="size: basin-fractal --basins=100"),
              base("compare", "--seeds=1000000000", name="size: --seeds=1000000000"),
              base("bounds", "--network=dense", "--widths=1000000,1000000,1",
                   name="size: --network=dense --widths=1000000,1000000,1"),
              base("bounds", "--network=dense", "--widths=" + ",".join(["2"] * 40 + ["1"]),
                   name="size: --network=dense --widths=2,2,...,2,1 (40 layers)"),
              base("export", "--slice=1000000000", name="size: --slice=1000000000"),
              base("critical", "--network=tree", "--activation=poly:0.1,0.5,0.3", "--l2=random",
                   "--max-paths=1000000000", name="size: tree critical system, --max-paths=1000000000 (9^12 paths)")]
    return cases  # not --workers=256, which the limit admits: 256 Dask worker processes would swamp a shared machine


def edge_cases() -> list[Case]:
    """The largest sizes the limits admit: exit 0 (in the timeout) shows the limit protects."""
    return [base("bounds", "--units=32", expect=ANSWER, name="edge: --units=32"),
            base("bounds", "--depth=6", expect=ANSWER, name="edge: --depth=6"),
            base("bounds", "--data=100000000", expect=ANSWER, name="edge: --data=100000000"),
            base("bounds", "--activation=relu-minimax:60", expect=ANSWER, name="edge: --activation=relu-minimax:60"),
            base("bounds", "--activation=monomial:400", expect=ANSWER, name="edge: --activation=monomial:400"),
            base("approx", "--degree=60", expect=ANSWER, name="edge: --degree=60"),
            base("approx", "--dps=1000", expect=ANSWER, name="edge: --dps=1000"),
            base("basin-model", "--dim=100000", "--basins=4096", expect=ANSWER,
                 name="edge: --dim=100000 --basins=4096 (3.3 GB of centres)"),
            base("solve FILE", "--max-paths=1000000000", expect=ANSWER, name="edge: --max-paths=1000000000"),
            base("critical", "--max-paths=1000000000", expect=ANSWER, name="edge: --max-paths=1000000000"),
            base("train", "--seed=4294967295", expect=ANSWER, name="edge: --seed=4294967295"),
            base("train", "--batch=1000000", expect=ANSWER, name="edge: --batch=1000000"),
            base("witness FILE", "--loops=100000", expect=ANSWER, name="edge: --loops=100000"),
            base("dimension", "--starts=500", expect=ANSWER, name="edge: --starts=500")]


def spec_cases() -> list[Case]:
    cases = []
    for spec, algebra, training in SPECS:
        for command in ALGEBRA:
            cases.append(base(command, f"--activation={spec}", expect=algebra, name=f"spec: --activation={spec}"))
        for command in ("train", "experiment"):
            cases.append(base(command, f"--activation={spec}", expect=training, name=f"spec: --activation={spec}"))
        cases.append(base("compare", f"--activations={spec}", expect=training, name=f"spec: --activations={spec}"))
    cases.append(base("compare", "--activations=relu,poly:a,b", name="spec: --activations=relu,poly:a,b"))
    cases.append(base("compare", "--activations=,", name="spec: --activations=,"))
    for spec in ("RELU-MINIMAX:4", " poly:0,1 ", "relu-minimax:4@1e6", "relu-minimax:4@2"):
        cases.append(base("bounds", f"--activation={spec}", expect=ANSWER, name=f"spec: --activation={spec}"))
    cases.append(base("bounds", "--activation=relu-minimax:4@2", "--radius=3",
                      name="spec: --activation=relu-minimax:4@2 --radius=3 (two radii)"))
    return cases


def value_cases() -> list[Case]:
    """Malformed texts of the options that are not plain numbers."""
    cases = [base("bounds", f"--data={v}", name=f"value: --data={v}") for v in
             ("", "5:1", "1,,2", "1:", ":3", "a", "1.5", "2e3", "1:2:3", "0:3", "-3:2")]
    cases += [base("bounds", f"--data={v}", expect=ANSWER, name=f"value: --data={v}") for v in ("1_000", " 3", "1:3")]
    cases += [base("critical", "--data=1:3", name="value: --data=1:3 (one N only)"),
              base("solve", "--data=2,3", name="value: --data=2,3 (one N only)")]
    cases += [base("bounds", "--network=dense", f"--widths={v}", name=f"value: --network=dense --widths={v}")
              for v in ("0,1", "2,,1", "-1,2", "2", "x", "2,0,1", "", "2.5,1", "2,1e400,1")]
    cases += [base("bounds", f"--partition={v}", name=f"value: --partition={v}")
              for v in (";", "nosuch", "a11_1;a11_1")]
    cases += [base("export", f"--fix={v}", name=f"value: --fix={v}") for v in
              ("a11_1=nan", "a11_1=", "=1", "a11_1", "nosuch=1", "a11_1=1e400", "a11_1=inf", "a11_1=1=2")]
    cases += [base("export", "--fix=a11_1=1", "--fix=a11_1=2", name="value: --fix=a11_1=1 --fix=a11_1=2")]
    cases += [base("export", "--fix=a11_1=1+2i", expect=ANSWER, name="value: --fix=a11_1=1+2i")]
    cases += [base("export", f"--slice={v}", name=f"value: --slice={v}") for v in ("x", "-1", "1.5")]
    cases += [base("critical", f"--l2={v}", name=f"value: --l2={v}") for v in ("nan", "1,2", "x", "inf", "")]
    # the critical system is defined for every lambda: 0 is the unregularized loss, a negative one a
    # (strange) valid question; both are answered on purpose
    cases += [base("critical", f"--l2={v}", expect=ANSWER, name=f"value: --l2={v}") for v in ("-1", "0")]
    cases += [base("bounds", "--system=critical", "--l2=nan", name="value: --system=critical --l2=nan")]
    cases += [base("solve FILE", "--start=multihomogeneous", f"--partition={v}",
                   name=f"value: --start=multihomogeneous --partition={v}") for v in ("x;z", "x", ";", "x;y;x")]
    cases += [base("solve FILE", "--start=multihomogeneous", "--partition=x;y", expect=ANSWER,
                   name="value: --start=multihomogeneous --partition=x;y"),
              base("solve FILE", "--start=multihomogeneous", name="value: --start=multihomogeneous (no --partition)")]
    cases += [base(c, f"--device={d}", name=f"value: --device={d}") for c in ("solve FILE", "train", "compare")
              for d in ("banana", "cuda", "cuda:99", "")]
    cases += [base("experiment", "--device=banana", name="value: --device=banana"),
              base("study", "--device=banana", name="value: --device=banana")]
    cases += [base(c, "--radius=auto", expect=ANSWER if c in ("train", "compare") else REFUSED,
                   name="value: --radius=auto") for c in ("bounds", "approx", "train", "compare", "experiment")]
    cases += [base(c, f"--radius={v}", name=f"value: --radius={v}") for c in ("train", "bounds") for v in ("", "x")]
    for c in TRAINING:
        cases += [base(c, "--data=cifar10", f"--root={r}", name=f"value: --data=cifar10 --root={r}",
                       files={"empty/": FOLDER, "afile": "text\n"}) for r in ("missing", "empty", "afile")]
    cases += [base("train", "--data=cifar10", name="value: --data=cifar10 (no --root)")]
    cases += [base("basin-model", "--dim=10", "--bottom-dim=10", name="value: --dim=10 --bottom-dim=10"),
              base("basin-model", "--dim=2", "--bottom-dim=5", name="value: --dim=2 --bottom-dim=5")]
    cases += [base("basin-model", f"--compare={r}", name=f"value: --compare={r}",
                   files={"empty/": FOLDER, "afile": "x\n"}) for r in ("missing", "empty", "afile")]
    cases += [base("approx", f"--degrees={v}", name=f"value: --degrees={v}") for v in ("5:2", "0:3", "", "x")]
    cases += [base("approx", "--radius=", name="value: --radius=")]
    cases += [base("train", "--n-train=1000000", name="value: --n-train=1000000 (digits has 1,437 training points)"),
              base("compare", "--n-train=1000000", name="value: --n-train=1000000 (digits has 1,437 training points)")]
    cases += [base("experiment", "--group=3", name="value: --group=3 (does not divide the trajectories)")]
    return cases


def flag_cases() -> list[Case]:
    """Options that do not apply where they are given."""
    cases = [base("solve FILE", *more, name=f"flag: {' '.join(more)}") for more in
              (["--fix", "x=1"], ["--slice"], ["--slice", "3"], ["--units", "2"], ["--activation", "linear"],
               ["--network", "dense"], ["--l2", "random"], ["--complex-data"],
               ["--engine", "phcpack", "--scheduler", "tcp://127.0.0.1:1"])]
    cases += [base("solve FILE", *more, name=f"flag: {' '.join(more)} (the default value, given)") for more in
              (["--network", "tree"], ["--units", "1"], ["--data", "4"])]
    cases += [base("witness FILE", *more, name=f"flag: {' '.join(more)}") for more in
              (["--fix", "x=1"], ["--units", "2"], ["--top", "1"])]
    cases += [base("compare", *more, name=f"flag: {' '.join(more)}") for more in
              (["--network", "tree", "--data", "digits"], ["--network", "tree", "--width-mult", "0.5"],
               ["--network", "tree", "--root", "/tmp"])]
    cases += [Case(f"flag: experiment {name} --group 2", ["experiment", name, "--scale", "micro", "--group", "2"])
              for name in ("gd-branches", "perturb-retrain", "overparam")]
    cases += [base("bounds", "--l2=random", name="flag: --l2=random (zero-loss system)"),
              base("export", "--l2=random", name="flag: --l2=random (zero-loss system)"),
              base("bounds", "--units=4", "--network=dense", name="flag: --network=dense --units=4"),
              base("bounds", "--widths=3,3,1", name="flag: --widths=3,3,1 (tree network)"),
              base("bounds", "--depth=3", "--network=dense", name="flag: --network=dense --depth=3"),
              base("train", "--optimizer=gd", "--batch=10", name="flag: --optimizer=gd --batch=10"),
              base("train", "--clamp", name="flag: --clamp (relu)"),
              base("approx", "--degrees=2:5", name="flag: --degree 4 --degrees=2:5 (both)"),
              base("witness FILE", "--method=cascade", "--loops=3", expect=ANSWER,
                   name="flag: --method=cascade --loops=3"),
              base("solve FILE", "--workers=2", "--scheduler=tcp://127.0.0.1:1",
                   name="flag: --workers=2 --scheduler=tcp://127.0.0.1:1 (both)"),
              base("experiment", "--resume", expect=ANSWER, name="flag: --resume (nothing to resume)")]
    return cases


def phc_cases() -> list[Case]:
    cases = []
    for what, (content, solve, witness) in PHC_FILES.items():
        cases.append(Case(f"phc file: solve, {what}", ["solve", "system.phc"], solve, {"system.phc": content}))
        cases.append(Case(f"phc file: witness, {what}", ["witness", "system.phc"], witness, {"system.phc": content}))
    for command in ("solve", "witness"):
        cases += [Case(f"phc file: {command}, a directory", [command, "folder.phc"], files={"folder.phc/": FOLDER}),
                  Case(f"phc file: {command}, a missing file", [command, "missing.phc"]),
                  Case(f"phc file: {command}, /dev/zero", [command, "/dev/zero"]),
                  Case(f"phc file: {command}, an unreadable file (chmod 000)", [command, "secret.phc"],
                       files={"secret.phc": SQUARE, "chmod secret.phc": 0o000})]
    return cases


def scheduler_cases() -> list[Case]:
    addresses = ("bad address!", "tcp://host", "foo://x:1", "tcp://127.0.0.1:1", "tcp://127.0.0.1:99999", "")
    cases = [base(c, f"--scheduler={a}", name=f"scheduler: --scheduler={a!r}")
             for c in ("solve FILE", "experiment", "compare", "study") for a in addresses]
    cases += [base(c, name=f"scheduler: ${SCHEDULER_ENV}='bad address!'", env={SCHEDULER_ENV: "bad address!"})
              for c in ("solve FILE", "experiment")]
    return cases


def folder_cases() -> list[Case]:
    """Output folders the command must refuse before it works, and plot's input folders."""
    cases = []
    for c in WITH_OUT:
        other = out_of_another_command("approx" if c == "bounds" else "bounds")
        cases += [base(c, "--out=afile", name="folder: --out=afile (a regular file)", files={"afile": "text\n"}),
                  base(c, "--out=afile/sub", name="folder: --out=afile/sub (below a file)", files={"afile": "text\n"}),
                  base(c, "--out=ro/out", name="folder: --out=ro/out (ro is chmod 500)", files={"ro/": READ_ONLY}),
                  base(c, "--out=ro", name="folder: --out=ro (chmod 500, empty)", files={"ro/": READ_ONLY}),
                  base(c, "--out=other", name="folder: --out=other (another command's result.json)", files=other),
                  base(c, "--out=unknown", name="folder: --out=unknown (a result.json of unknown origin)",
                       files={"unknown/result.json": "{}\n"}),
                  base(c, "--out=damaged", name="folder: --out=damaged (.landscape.json is not JSON)",
                       files={"damaged/.landscape.json": "{not json"})]
    cases += [base(c, "--out=/proc/landscape-bad-inputs", name="folder: --out=/proc/landscape-bad-inputs (unwritable)")
              for c in ("bounds", "train", "approx", "study")]
    cases += [base("approx", "--out=same", name="folder: --out=same (approx --degree 5 there)",
                   files={"same/.landscape.json": json.dumps(
                       {"command": "approx", "arguments": {"kind": "minimax", "degree": 5}})})]
    cases += [base("export", "--out=folder", name="folder: --out=folder (a folder)", files={"folder/": FOLDER}),
              base("export", "--out=ro/system.txt", name="folder: --out=ro/system.txt (chmod 500)",
                   files={"ro/": READ_ONLY}),
              base("export", "--out=afile/system.txt", name="folder: --out=afile/system.txt (below a file)",
                   files={"afile": "x\n"}),
              base("export", "--out=/proc/landscape-bad-inputs.txt", name="folder: --out=/proc/... (unwritable)"),
              base("export", "--out=afile", expect=ANSWER, name="folder: --out=afile (an existing file: overwritten)",
                   files={"afile": "x\n"})]
    plot_folders = {
        "an empty folder": {"run/": FOLDER},
        "a folder of unrelated files": {"run/notes.txt": "hello\n", "run/data.csv": "1,2\n"},
        "a folder holding bounds' result.json": out_of_another_command("bounds"),
        "experiment.json alone": {"run/experiment.json": json.dumps({"name": "sgd-stages"})},
        "summary.json not JSON": {"run/summary.json": "{not json"},
        "summary.json {}, no data files": {"run/summary.json": "{}"},
        "summary.json a list": {"run/summary.json": "[1, 2]"},
        "binary summary.json": {"run/summary.json": bytes(range(256))},
        "summary.json {} and a garbage mds.npz": {"run/summary.json": "{}", "run/mds.npz": b"not a zip file"},
        "summary.json {} and a garbage retrain.json": {"run/summary.json": "{}", "run/retrain.json": "{"},
        "a regular file": {"run": "text\n"},
        "a chmod 000 folder": {"run/summary.json": "{}", "chmod run": 0o000},
    }
    for what, files in plot_folders.items():
        target = "other" if "bounds" in what else "run"
        cases.append(Case(f"folder: plot on {what}", ["plot", target], files=files))
    cases += [Case("folder: plot on a missing folder", ["plot", "missing"]),
              Case("folder: plot on /proc", ["plot", "/proc"])]
    return cases


def usage_cases() -> list[Case]:
    cases = [Case(f"usage: {shlex.join(argv) or '(no arguments)'}", argv) for argv in
             ([], ["nosuch"], ["bounds", "--nosuch"], ["bounds", "--data"], ["export"], ["compare"], ["plot"],
              ["experiment"], ["experiment", "nosuch"], ["approx"], ["--version"], ["bounds", "extra"],
              ["bounds", "--network", "nosuch"], ["solve", "a.phc", "b.phc"], ["train", "--optimizer", "adam"],
              ["experiment", "sgd-stages", "--scale", "huge"], ["approx", "--degree", "4", "--kind", "pade"])]
    cases += [Case(f"usage: {shlex.join(argv)}", argv, ANSWER) for argv in (["--help"], ["bounds", "--help"])]
    return cases


def all_cases() -> list[Case]:
    return (number_cases() + size_cases() + edge_cases() + spec_cases() + value_cases() + flag_cases()
            + phc_cases() + scheduler_cases() + folder_cases() + usage_cases())


# ---------------------------------------------------------------------------------------------
# running one case

# sets the address-space limit, then becomes `landscape` (a runaway allocation fails in the case's
# process instead of waking the OOM killer on a shared machine)
LIMITED = ("import os, resource, sys; n = int(sys.argv[1]); "
           "n > 0 and resource.setrlimit(resource.RLIMIT_AS, (n, n)); os.execv(sys.argv[2], sys.argv[2:])")


def make_files(folder: Path, files: dict) -> None:
    modes = []
    for name, content in files.items():
        if name.startswith("chmod "):
            modes.append((folder / name.removeprefix("chmod "), content))
            continue
        path = folder / name
        if isinstance(content, Folder):
            path.mkdir(parents=True, exist_ok=True)
            if content.mode is not None:
                modes.append((path, content.mode))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    for path, mode in modes:  # last, so that files can be made inside first
        path.chmod(mode)


def listing(folder: Path) -> set[str]:
    out = set()
    for parent, dirs, files in os.walk(folder):
        for name in dirs + files:
            out.add(os.path.relpath(os.path.join(parent, name), folder))
    return out


def remove(folder: Path) -> None:
    for parent, dirs, _ in os.walk(folder):
        for name in dirs:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(parent, name), stat.S_IRWXU)
    shutil.rmtree(folder, ignore_errors=True)


def classify(code: int | None, err: str, timed_out: bool) -> str:
    if timed_out:
        return "hang"
    if "Traceback" in err:
        return "traceback"
    if code == 0:
        return "answered"
    if code == 2:
        return "refused" if len([line for line in err.splitlines() if line.strip()]) == 1 else "refused, not one line"
    return "other exit"


def run_case(index: int, case: Case, scratch: Path, timeout: float, memory: int, keep: bool) -> dict:
    folder = scratch / f"{index:04d}"
    folder.mkdir()
    make_files(folder, case.files)
    before = listing(folder)
    env = {k: v for k, v in os.environ.items() if k != SCHEDULER_ENV}
    env.update(case.env)
    command = [sys.executable, "-c", LIMITED, str(memory), str(LANDSCAPE), *case.argv]
    began = time.perf_counter()
    proc = subprocess.Popen(command, cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, start_new_session=True)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = proc.poll() is None  # else: it ended, and something it started holds its pipes
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    seconds = time.perf_counter() - began
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever it left running (Dask workers, ...)
    err_text = err.decode(errors="replace")
    lines = [line for line in err_text.splitlines() if line.strip()]
    outcome = classify(proc.returncode, err_text, timed_out)
    new = sorted(listing(folder) - before)
    if not keep:
        remove(folder)
    return {"name": case.name, "kind": case.kind, "argv": case.argv, "expect": case.expect, "outcome": outcome,
            "exit": None if timed_out else proc.returncode, "seconds": round(seconds, 3),
            "stderr_lines": len(lines), "first_line": lines[0] if lines else "",
            "last_line": lines[-1] if lines else "", "stderr_tail": err_text[-3000:],
            "stdout_bytes": len(out), "new_files": new[:20], "new_file_count": len(new),
            "scratch": str(folder) if keep else None}


# ---------------------------------------------------------------------------------------------
# the summary

def command_line(argv: list[str]) -> str:
    return "landscape " + shlex.join(argv) if argv else "landscape"


def clip(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def tree_state() -> str:
    """The repository's commit, with -dirty when the working tree differs from it: the code measured."""
    try:
        return subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                              text=True, timeout=30).stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def summarize(records: list[dict], seconds: float, args, trees: tuple[str, str]) -> dict:
    counts = {o: sum(r["outcome"] == o for r in records) for o in OUTCOMES}
    refusals = [r for r in records if r["outcome"] == "refused"]
    slowest = max(refusals, key=lambda r: r["seconds"], default=None)
    review = [r for r in records if r["outcome"] == "answered" and r["expect"] == REFUSED]
    valid_refused = [r for r in records if r["outcome"].startswith("refused") and r["expect"] == ANSWER]
    wrote = [r for r in records if r["outcome"].startswith("refused") and r["new_file_count"]]
    stdout = [r for r in records if r["outcome"].startswith("refused") and r["stdout_bytes"]]

    limit = f", address space {args.memory:g} GiB per case" if args.memory else ""
    print(f"bad inputs: {len(records)} tried in {seconds:.0f} s (jobs {args.jobs}, timeout {args.timeout:g} s{limit})")
    print(f"code: {trees[0]}" if trees[0] == trees[1] else
          f"code: {trees[0]} at the start, {trees[1]} at the end: the repository changed during the sweep")
    for outcome in OUTCOMES:
        extra = ""
        if outcome == "answered" and counts[outcome]:
            extra = f"   ({counts[outcome] - len(review)} expected, {len(review)} where a refusal was expected)"
        if outcome == "refused" and valid_refused:
            extra = f"   ({len(valid_refused)} of them valid inputs, expected to answer)"
        print(f"  {outcome:<22} {counts[outcome]:>5}{extra}")
    if slowest:
        print(f"slowest refusal: {slowest['seconds']:.2f} s  {slowest['name']}  ({command_line(slowest['argv'])})")
        times = sorted(r["seconds"] for r in refusals)
        print(f"refusal time: median {statistics.median(times):.2f} s, 90th percentile "
              f"{times[math.ceil(0.9 * len(times)) - 1]:.2f} s, over 5 s: {sum(t > 5 for t in times)}")

    kinds = list(dict.fromkeys(r["kind"] for r in records))
    print("\nby input class:")
    print(f"  {'class':<10} {'cases':>5} " + " ".join(f"{o:>{max(len(o), 5)}}" for o in OUTCOMES))
    for kind in kinds:
        rows = [r for r in records if r["kind"] == kind]
        print(f"  {kind:<10} {len(rows):>5} "
              + " ".join(f"{sum(r['outcome'] == o for r in rows):>{max(len(o), 5)}}" for o in OUTCOMES))

    not_refused = [r for r in records if r["outcome"] != "refused"]
    print(f"\nnot refused ({len(not_refused)}): [outcome] exit, seconds, command -> first stderr line"
          " (for tracebacks also the last)")
    for outcome in OUTCOMES[1:]:
        for r in (r for r in not_refused if r["outcome"] == outcome):
            mark = {ANSWER: " (expected)", REFUSED: " (REVIEW: a refusal was expected)"}[r["expect"]] \
                if outcome == "answered" else ""
            last = f" ... {clip(r['last_line'], 120)}" if outcome == "traceback" else ""
            print(f"  [{outcome}] exit {r['exit']}, {r['seconds']:.1f} s{mark}: {r['name']}: "
                  f"{command_line(r['argv'])} -> {clip(r['first_line']) or '(nothing on stderr)'}{last}")
    if valid_refused:
        print(f"\nvalid inputs refused ({len(valid_refused)}):")
        for r in valid_refused:
            print(f"  {r['name']}: {command_line(r['argv'])} -> {clip(r['first_line'])}")
    if wrote or stdout:
        print(f"\nrefusals that left files ({len(wrote)}) or wrote to stdout ({len(stdout)}):")
        for r in wrote:
            print(f"  {r['name']}: {command_line(r['argv'])}: left {', '.join(r['new_files'][:5])}")
        for r in stdout:
            print(f"  {r['name']}: {command_line(r['argv'])}: {r['stdout_bytes']} bytes on stdout")
    return {"tried": len(records), "seconds": round(seconds, 1), "code": list(trees), "counts": counts,
            "slowest_refusal": None if slowest is None else {"seconds": slowest["seconds"], "name": slowest["name"],
                                                              "argv": slowest["argv"]},
            "review": [r["name"] for r in review], "valid_refused": [r["name"] for r in valid_refused]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="cases run at once (default 1)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a case is a hang (default 60)")
    parser.add_argument("--only", default=None, metavar="SUBSTRING", help="the cases whose name contains it")
    parser.add_argument("--json", default=None, metavar="FILE", help="write every case's record here")
    parser.add_argument("--recheck", default=None, metavar="FILE",
                        help="only the cases a previous --json FILE shows not cleanly refused")
    parser.add_argument("--memory", type=float, default=8.0,
                        help="address-space limit of each case in GiB, 0 for none (default 8)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders (their path is in the records)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per case on stderr as it ends")
    args = parser.parse_args()
    if not LANDSCAPE.exists():
        sys.exit(f"{LANDSCAPE} is missing: run `make setup` first")

    cases = [c for c in all_cases() if args.only is None or args.only in c.name]
    if args.recheck:
        again = {r["name"] for r in json.loads(Path(args.recheck).read_text())["cases"]
                 if r["outcome"] != "refused" or r["new_file_count"]}
        cases = [c for c in cases if c.name in again]
    if args.list:
        for c in cases:
            print(f"{c.expect:<8} {c.name}  ({command_line(c.argv)})")
        return
    if not cases:
        sys.exit("no case to run" + (f": no case name contains {args.only!r}" if args.only else ""))
    scratch = Path(tempfile.mkdtemp(prefix="bad_inputs-"))
    tree = tree_state()
    memory = int(args.memory * 2 ** 30)
    began = time.perf_counter()
    records: list[dict | None] = [None] * len(cases)
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {pool.submit(run_case, i, c, scratch, args.timeout, memory, args.keep): i
                       for i, c in enumerate(cases)}
            for done, future in enumerate(as_completed(futures), 1):
                r = records[futures[future]] = future.result()
                if args.verbose or r["outcome"] != "refused":
                    print(f"[{done}/{len(cases)}] {r['outcome']:<9} {r['seconds']:6.1f} s  {r['name']}",
                          file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            remove(scratch)
    summary = summarize(records, time.perf_counter() - began, args, (tree, tree_state()))
    if args.json:
        Path(args.json).write_text(json.dumps({"config": {"jobs": args.jobs, "timeout": args.timeout,
                                                          "memory_gib": args.memory, "only": args.only,
                                                          "recheck": args.recheck,
                                                          "landscape": str(LANDSCAPE)},
                                               "summary": summary, "cases": records}, indent=1) + "\n")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
