"""A suite of square polynomial systems from public collections, with published root counts.

Every system is a plain PHCpack input file next to this module (first line: the number of
equations, then the polynomials, each ending with `;`). The files are the polynomial parts of
the PHCpack demo database (github.com/janverschelde/PHCpack, folder src/Demo/, the file of
the same name); their headers, root-count notes and solution lists were left out. Each entry
carries the number of isolated solutions in C^n that a public source states, and that source.
See README.md for the table, the sources and phc -b timings.

    from benchmarks.suite.suite import SUITE, entries, load, phc_blackbox
    for e in entries():
        text = load(e.name)               # the PHCpack input, as text
        secs, count = phc_blackbox(path_of(e.name))

`python benchmarks/suite/suite.py` lists the suite; `--phc [NAME ...]` runs `phc -b -t1` on
each named system (all when none is named) and prints seconds and counts.

Standard library only; nothing here depends on the project's engine.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

HERE = os.path.dirname(os.path.abspath(__file__))

_DEMO = "janverschelde/PHCpack src/Demo/"
_TABLE = "src/Demo/READ_ME table (#sols)"
_PTS = "JuliaHomotopyContinuation/PolynomialTestSystems.jl src/systems.jl"


class Entry(NamedTuple):
    """One system of the suite.

    name:         short name (the PHCpack demo file's name)
    file:         file name in this folder
    published:    number of isolated solutions in C^n (affine, distinct) stated by `source`
    source:       where that number is stated
    n:            number of equations = number of unknowns
    total_degree: product of the degrees (number of paths of a total-degree homotopy)
    confidence:   "high": stated, and agrees with the source's solution list and with the
                  Groebner basis count made here where one was made (see README.md);
                  "medium": stated only indirectly (a table entry, a solution list) for a
                  positive-dimensional system, so the count could not be checked exactly;
                  "low": the sources or the checks disagree (see note)
    note:         caveats: positive-dimensional parts, solutions with zero coordinates, ...
    """

    name: str
    file: str
    published: int
    source: str
    n: int
    total_degree: int
    confidence: str = "high"
    note: str = ""


def _e(name, published, source, n, td, confidence="high", note=""):
    return Entry(name, name + ".phc", published, source, n, td, confidence, note)


SUITE: list[Entry] = [
    _e("katsura5", 32, f"{_DEMO}katsura5: 'The number of solutions for a given N is 2^N'; {_TABLE}: 32",
       6, 32, note="katsura-5 (6 unknowns); 1 solution has zero coordinates"),
    _e("katsura6", 64, f"{_DEMO}katsura6: solution list '64 7'; 2^N statement in katsura5",
       7, 64, note="mixed volume 54 < 64: 10 solutions have zero coordinates"),
    _e("katsura7", 128, f"{_DEMO}katsura7: solution list '128 8'; 2^N statement in katsura5",
       8, 128, note="mixed volume 126 < 128: solutions with zero coordinates"),
    _e("katsura8", 256, f"{_DEMO}katsura8: 'There are 84 real and 172 complex solutions, 256 in total.'",
       9, 256, note="solutions with zero coordinates"),
    _e("cyclic5", 70, f"{_DEMO}cyclic5 (mixed volume 70); {_TABLE}: 70", 5, 120),
    _e("cyclic6", 156, f"{_DEMO}cyclic6 (mixed volume 156); {_TABLE}: 156", 6, 720),
    _e("cyclic7", 924, f"{_TABLE}: 924; JuliaHomotopyContinuation/HomotopyContinuation.jl "
       "test/endgame_test.jl: cyclic(7), total degree, nsolutions == 924", 7, 5040,
       note="large: 5040 total-degree paths"),
    _e("noon3", 21, f"{_DEMO}noon3 (orbits 3*(a,a,a) 4*(a,a,b) 1*(a,b,c) -> 21); {_TABLE}: 21", 3, 27),
    _e("noon4", 73, f"{_DEMO}noon4: 'Total number of solutions generated : 73'; {_TABLE}: 73", 4, 81),
    _e("noon5", 233, f"{_DEMO}noon5: 'Total number of generated solutions : 233'; {_TABLE}: 233", 5, 243),
    _e("eco6", 16, f"{_DEMO}eco6: solution list '16 6' (mixed volume 16); {_TABLE}: 16", 6, 162),
    _e("eco7", 32, f"{_DEMO}eco7: solution list '32 7' (mixed volume 32); {_TABLE}: 32", 7, 486),
    _e("redeco7", 32, f"{_DEMO}redeco7: solution list '32 7'; {_TABLE}: 32", 7, 32,
       note="total degree = number of solutions"),
    _e("reimer5", 144, f"{_DEMO}reimer5: 12 generating solutions, orbits totalling 144; {_TABLE}: 144",
       5, 720, note="mixed volume 720: 576 paths diverge"),
    _e("ipp", 48, f"{_DEMO}ipp: solution list '48 8'; {_TABLE}: 48", 8, 256, "low",
       "disputed: the file's NOTE says 16 of the 64 paths diverge and 16 go to 'a connected "
       "component'; a Groebner basis of the file's coefficients read as exact rationals gives 64 "
       "solutions counted with multiplicity (mod 32003 and mod 65521, computed here); phc -b finds "
       "48 regular solutions (16 in one run of 3). PolynomialTestSystems.jl ipp() says 32, but "
       "its transcription flips the signs of five terms of equation 5 (another system)"),
    _e("ipp2", 16, f"{_DEMO}ipp2 (6R inverse position, Wampler-Morgan 1991); {_TABLE}: 16", 11, 1024),
    _e("boon", 8, f"{_DEMO}boon: 'There are only 8 finite solutions for general values of the "
       f"constant terms'; {_TABLE}: 8; {_PTS} boon(): nsolutions=8", 6, 1024),
    _e("butcher", 5, f"{_DEMO}butcher: 'There are 5 regular solutions and two singular solutions "
       f"[on] a manifold of solutions'; {_TABLE}: 5", 7, 4608,
       note="positive-dimensional: besides 5 isolated solutions, a 2-dimensional component "
            "t=-1=w, z=0=y (u, v free)"),
    _e("d1", 48, f"{_DEMO}d1: solution list '48 12'; {_TABLE}: 48; {_PTS} d1(): nsolutions=48",
       12, 4608, note="the demo header says total degree 4068, a typo for 4608"),
    _e("sendra", 46, f"{_DEMO}sendra: solution list '46 2'; {_TABLE}: 46", 2, 49),
    _e("lorentz", 11, f"{_DEMO}lorentz: solution list '11 4'; {_TABLE}: 11", 4, 16,
       note="2 of the 11 have zero coordinates; mixed volume 12"),
    _e("wood", 9, f"{_DEMO}wood: solution list '9 4'; {_TABLE}: 9", 4, 36),
    _e("trinks", 10, f"{_DEMO}trinks: solution list '10 6'; {_TABLE}: 10", 6, 24),
    _e("gaukwa2", 2, f"{_DEMO}gaukwa2: 1 generating solution, orbit of 2; {_TABLE}: 2", 4, 24),
    _e("rose", 136, f"{_DEMO}rose: solution list '136 3'; {_TABLE}: 136", 3, 216),
    _e("chandra6", 32, f"{_DEMO}chandra6: solution list '32 6'; {_PTS} chandra(n): mixed volume 2^(n-1)",
       6, 64),
    _e("heart", 4, f"{_DEMO}heart: solution list '4 8'; {_TABLE}: 4; {_PTS} heart(): nsolutions=4",
       8, 576, note="deficient: mixed volume 121, 117 paths diverge"),
    _e("fourbar", 36, f"{_DEMO}fourbar: 'There are only 36 isolated solutions, instead of 80.'; "
       f"{_TABLE}: 36", 4, 256,
       note="positive-dimensional: lines X1=X2=0, Y1=+-i*Y2 (and X<->Y) lie in the solution set; "
            "36 isolated solutions besides"),
    _e("puma", 16, f"{_DEMO}puma: solution list '16 8'; {_TABLE}: 16", 8, 128),
    _e("rediff3", 8, f"{_DEMO}rediff3: 'For general dimension n, there are 2^n solutions' and "
       f"'the mixed volume does not count the trivial zero solution'; {_TABLE}: 7 (in C*)",
       3, 8, note="8 in C^3 = 7 in the torus + the origin"),
    _e("virasoro", 256, f"{_DEMO}virasoro: orbit table 'Total number of solutions generated : 256'; "
       f"{_TABLE}: 200 (mixed volume, in C*)", 8, 256,
       note="56 solutions have zero coordinates (the origin among them)"),
    _e("cohn2", 18, f"{_DEMO}cohn2: solution list '18 4'; {_TABLE}: 18", 4, 900, "medium",
       "positive-dimensional (its Groebner basis is not zero-dimensional); no sentence states "
       "the count, the table and the list agree, and phc -b finds 18 regular solutions "
       "(13 of the listed 18 have coordinates above 100 in modulus)"),
    _e("s9_1", 10, f"{_DEMO}s9_1: 'There are four real and six complex conjugated solutions.'; "
       f"{_TABLE}: 10", 8, 16),
    _e("des18_3", 46, f"{_DEMO}des18_3: 'There are six real and forty complex conjugated "
       f"solutions.'; {_TABLE}: 46", 8, 324,
       note="3 solutions are badly conditioned (coordinates ~1e3); phc -b classes them singular"),
    _e("game5two", 44, f"{_DEMO}game5two: '10 real and 34 conjugated complex solutions', "
       "generic count = derangements of 5 = 44", 5, 1024),
    _e("tangents0", 24, f"{_DEMO}tangents0: 'There are 8 real and 16 complex solutions to this "
       "problem.'", 6, 64, note="24 solutions = 12 lines, each as (t,m) and (-t,-m)"),
    _e("geneig", 10, f"{_DEMO}geneig: solution list '10 6'; {_TABLE}: 10", 6, 243),
]

_BY_NAME = {e.name: e for e in SUITE}


_RANK = {"low": 0, "medium": 1, "high": 2}


def entries(min_confidence: str = "low") -> list[Entry]:
    """The entries whose confidence is at least `min_confidence`, in suite order."""
    return [e for e in SUITE if _RANK[e.confidence] >= _RANK[min_confidence]]


def entry(name: str) -> Entry:
    """The entry called `name` ('katsura-5' and 'katsura5' both work)."""
    key = name.replace("-", "").replace(".phc", "")
    if key not in _BY_NAME:
        raise KeyError(f"no system {name!r} in the suite; have {', '.join(_BY_NAME)}")
    return _BY_NAME[key]


def path_of(name: str) -> str:
    """Absolute path of the system's PHCpack file."""
    return os.path.join(HERE, entry(name).file)


def load(name: str) -> str:
    """The system's PHCpack input text."""
    with open(path_of(name)) as f:
        return f.read()


_HEADER = re.compile(r"THE SOLUTIONS :\s*\n\s*(\d+)\s+\d+")
_REFINED = re.compile(
    r"A list of (\d+) solutions has been refined :\s*\n"
    r"Number of regular solutions\s*:\s*(\d+)\.\s*\n"
    r"Number of singular solutions\s*:\s*(\d+)\.\s*\n"
    r"Number of real solutions\s*:\s*(\d+)\.\s*\n"
    r"Number of complex solutions\s*:\s*(\d+)\.\s*\n"
    r"Number of clustered solutions\s*:\s*(\d+)\.\s*\n"
    r"Number of solutions at infinity\s*:\s*(\d+)\.\s*\n"
    r"Number of failures\s*:\s*(\d+)\.")


def parse_phc_output(text: str) -> dict:
    """Counts in a `phc -b` output file (PHCpack 2.4.86).

    phc -b may write several solution lists, each followed by a root-refinement summary
    ("A list of N solutions has been refined : Number of regular solutions : R. ..."):
    when the stable mixed volume exceeds the mixed volume, first the solutions with zero
    coordinates, then the solutions in the torus, and last, often, a list of the paths it
    classed singular or failed. Returned:
      regular:     sum of R over all summaries (the count used by phc_blackbox)
      singular, failures, clustered, at_infinity: likewise summed
      lists:       the N of each summary, in order
      last_header: the count after the last "THE SOLUTIONS :" header (the count
                   benchmarks/solve_vs_phc.py uses; misleading when the last list is the
                   singular/failed one or the zero-coordinate list comes first)
    """
    heads = [int(c) for c in _HEADER.findall(text)]
    out = {"lists": [], "regular": 0, "singular": 0, "clustered": 0, "at_infinity": 0,
           "failures": 0, "last_header": heads[-1] if heads else -1}
    for m in _REFINED.finditer(text):
        total, reg, sing, _real, _cplx, clus, infi, fail = (int(g) for g in m.groups())
        out["lists"].append(total)
        out["regular"] += reg
        out["singular"] += sing
        out["clustered"] += clus
        out["at_infinity"] += infi
        out["failures"] += fail
    if not out["lists"]:  # no refinement summary: fall back on the last list's size
        out["regular"] = out["last_header"]
    return out


def phc_run(path: str, tasks: int = 1, timeout: float = 600.0, attempts: int = 3) -> dict:
    """Run `phc -b -t<tasks>` on a temporary copy of `path`; seconds, exit status and counts.

    phc writes next to its input, so it runs in a fresh temporary folder. Wall-clock seconds
    of the phc process. On a timeout, 'returncode' is None and the counts are -1. phc 2.4.86
    sometimes exits with status 1 seconds into a run, its output cut after the first
    solution list (the dense critical system: 65 of 353 in 2.5 s, then 353 in 28 s on the
    next run): such a run is run again, up to ``attempts`` runs in all; 'crashed' lists the
    seconds of those that exited so (the times and counts are the last run's).
    """
    crashed = []
    for _ in range(attempts):
        r = _phc_once(path, tasks, timeout)
        if r["returncode"] in (0, None):
            break
        crashed.append(r["seconds"])
    return {**r, "crashed": crashed}


def _phc_once(path: str, tasks: int, timeout: float) -> dict:
    phc = shutil.which("phc")
    if phc is None:
        raise FileNotFoundError("phc not found (Debian package phcpack)")
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in.phc"), os.path.join(tmp, "out.phc")
        shutil.copyfile(path, src)
        cmd = [phc, "-b", f"-t{tasks}", src, out]
        began = time.perf_counter()
        try:
            proc = subprocess.run(cmd, cwd=tmp, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=timeout)
            code = proc.returncode
        except subprocess.TimeoutExpired:
            code = None
        seconds = time.perf_counter() - began
        text = ""
        if os.path.exists(out):
            with open(out, errors="replace") as f:
                text = f.read()
    counts = parse_phc_output(text) if text else {"lists": [], "regular": -1, "singular": -1,
                                                  "clustered": -1, "at_infinity": -1,
                                                  "failures": -1, "last_header": -1}
    return {"seconds": seconds, "returncode": code, **counts}


def phc_blackbox(path: str, tasks: int = 1, timeout: float = 600.0) -> tuple[float, int]:
    """(seconds, count) of `phc -b -t<tasks>` on a temporary copy of the file at `path`.

    count: the regular solutions phc reports, summed over all its solution lists (see
    parse_phc_output); -1 when phc wrote no output (crash or timeout).
    """
    r = phc_run(path, tasks, timeout)
    return r["seconds"], r["regular"]


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--phc":
        names = argv[1:] or [e.name for e in SUITE]
        print(f"{'system':<10} {'pub':>5} {'regular':>7} {'sing':>5} {'fail':>5} "
              f"{'last':>5} {'lists':<16} {'seconds':>8} rc")
        for name in names:
            e = entry(name)
            r = phc_run(path_of(name))
            print(f"{e.name:<10} {e.published:>5} {r['regular']:>7} {r['singular']:>5} "
                  f"{r['failures']:>5} {r['last_header']:>5} {str(r['lists']):<16} "
                  f"{r['seconds']:>8.2f} {r['returncode']}", flush=True)
        return 0
    print(f"{'system':<10} {'n':>3} {'deg':>5} {'pub':>5} conf    file")
    for e in SUITE:
        print(f"{e.name:<10} {e.n:>3} {e.total_degree:>5} {e.published:>5} {e.confidence:<7} {e.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
