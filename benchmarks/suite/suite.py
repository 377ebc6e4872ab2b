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
                  positive-dimensional system, so the count could not be checked exactly,
                  or stated by nothing but the source's own solution list;
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
    # --- added: 52 more systems of the PHCpack demo database (see README.md, "The added systems")
    _e("mickey", 4, f"{_DEMO}mickey: solution list '4 2'; {_TABLE}: 4", 2, 4),
    _e("cyclic3", 6, f"{_DEMO}cyclic3: solution list '6 3' (mixed volume 6)", 3, 6, "medium",
       "stated only by the solution list"),
    _e("redeco5", 8, f"{_DEMO}redeco5: solution list '8 5'; {_TABLE}: 8", 5, 8,
       note="total degree = number of solutions"),
    _e("lumped", 4, f"{_DEMO}lumped: solution list '4 4'; {_TABLE}: 4", 4, 16,
       note="deficient: mixed volume 7"),
    _e("quadfor2", 2, f"{_DEMO}quadfor2: 1 generating solution, orbit of 2; {_TABLE}: 2", 4, 24),
    _e("redeco6", 16, f"{_DEMO}redeco6: solution list '16 6'; {_TABLE}: 16", 6, 16,
       note="total degree = number of solutions"),
    _e("chandra4", 8, f"{_DEMO}chandra4: solution list '8 4'; {_PTS} chandra(n): mixed volume 2^(n-1)",
       4, 16),
    _e("katsura9", 512, f"{_DEMO}katsura9: solution list '512 10'; 2^N statement in katsura5",
       10, 512),
    _e("solotarev", 6, f"{_DEMO}solotarev: solution list '6 4' (mixed volume 6); {_TABLE}: 6", 4, 36,
       "low", "counted with multiplicity: GB/Q gives 6 with multiplicity but only 4 distinct "
       "solutions (computed here); the file's list holds two pairs of near-duplicates "
       "(x=-1,a=5,b=3,y=-1 and x=5/3,a=5,b=-47/27,y=-1, each twice, 1e-7 apart), i.e. 2 double roots"),
    _e("redcyc5", 14, f"{_DEMO}redcyc5: 7 generating solutions, orbits of 2 -> 14; {_TABLE}: 14 (in C*)",
       4, 24, "low", "the source counts C* only: GB/Q gives 18 solutions counted with multiplicity, "
       "14 in the torus and 2 double points with zero coordinates, (0,-1,0,0) and (0,0,-1,0), "
       "so 16 distinct in C^4 (computed here; no source states 16)"),
    _e("game4two", 9, f"{_DEMO}game4two: 'has 3 real and 6 conjugated complex solutions'; "
       "solution list '9 4'", 4, 81),
    _e("eco5", 8, f"{_DEMO}eco5: solution list '8 5'; {_TABLE}: 8", 5, 54),
    _e("wright", 32, f"{_DEMO}wright: 6 generating solutions, orbits 1+1+5+5+10+10 = 32; "
       f"{_TABLE}: 32", 5, 32, note="total degree = number of solutions"),
    _e("chandra5", 16, f"{_DEMO}chandra5: solution list '16 5'; {_PTS} chandra(n): mixed volume 2^(n-1)",
       5, 32),
    _e("conform1", 16, f"{_DEMO}conform1: solution list '16 3' (mixed volume 16); {_TABLE}: 16", 3, 64),
    _e("utbikker", 36, f"{_DEMO}utbikker: solution list '36 4' ('all solutions have a good "
       "conditioning'; mixed volume 36)", 4, 36, "medium", "stated only by the solution list"),
    _e("pb601", 18, f"{_DEMO}pb601: 'The scaled system has 18 finite solutions.'; solution lists "
       "of pb601es and pb601vs '18 3'", 3, 60,
       note="badly scaled: coefficient magnitudes 1 .. 1.11e16, span 10^16.05; GB/Q 18 (computed "
            "here); the file's own list has 15 ('3 solutions fail' after de-scaling, says the file)"),
    _e("pb601es", 18, f"{_DEMO}pb601es (pb601, each equation divided by its average coefficient): "
       "solution list '18 3'; pb601: 'The scaled system has 18 finite solutions.'", 3, 60,
       note="badly scaled: magnitudes 2.4e-16 .. 8, span 10^16.52 (the tiny constants are pb601's "
            "divided by ~1e16)"),
    _e("pb601vs", 18, f"{_DEMO}pb601vs (pb601 after variable scaling): solution list '18 3'; "
       "pb601: 'The scaled system has 18 finite solutions.'", 3, 60,
       note="badly scaled: magnitudes 8.7e-6 .. 327, span 10^7.57; listed solutions up to 5e5"),
    _e("tangents2", 24, f"{_DEMO}tangents2: '12 real lines tangent to four given spheres' (title), "
       "solution list '24 6'", 6, 64, note="24 solutions = 12 lines, each as (t,m) and (-t,-m)"),
    _e("redeco8", 64, f"{_DEMO}redeco8: solution list '64 8'; {_TABLE}: 64", 8, 64,
       note="total degree = number of solutions"),
    _e("comb3000", 16, f"{_DEMO}comb3000: solution list '16 10' (mixed volume 16); {_TABLE}: 16",
       10, 96, note="badly scaled: magnitudes 7.8e-16 .. 2, span 10^15.41 (Morgan's Model A "
       "combustion at 3000 K); all 16 listed solutions have rco < 1e-8 in these coordinates; "
       "comb3000s is the same system scaled"),
    _e("comb3000s", 16, f"{_DEMO}comb3000s (comb3000 after PHCpack's scaling): solution list "
       f"'16 10'; {_TABLE} (comb3000): 16", 10, 96, note="span 10^3.90 (0.0025 .. 20)"),
    _e("chemequ", 16, f"{_DEMO}chemequ: 'there are only 4 real and 12 complex solutions'; "
       f"{_TABLE}: 16", 5, 108,
       note="badly scaled: magnitudes 4.5e-7 .. 40, span 10^7.95 (Meintjes-Morgan equilibrium "
            "constants); chemequs is the same system scaled"),
    _e("chemequs", 16, f"{_DEMO}chemequs (chemequ after PHCpack's scaling): solution list '16 5'; "
       "chemequ: '4 real and 12 complex solutions'", 5, 108,
       note="span 10^5.69 (0.042 .. 2.0e4), below the 6-order mark; listed solutions up to 1.9e4"),
    _e("quadgrid", 5, f"{_DEMO}quadgrid: 'There are 4 complex and one real solution.'; {_TABLE}: 5",
       5, 120, note="the file calls the system ill-conditioned; mixed volume 10"),
    _e("redcyc6", 26, f"{_DEMO}redcyc6: 13 generating solutions, orbits of 2 -> 26; {_TABLE}: 26",
       5, 120, "medium", "the source counts C* only; outside the torus the solution set is "
       "positive-dimensional (each slice y_i = 0 is, by GB/Q computed here)"),
    _e("proddeco", 6, f"{_DEMO}proddeco: solution list '6 4'; {_TABLE}: 6", 4, 256, "medium",
       "positive-dimensional (its Groebner basis over Q is not zero-dimensional, computed here); "
       "6 isolated solutions besides, by the table and the list; mixed volume 26"),
    _e("camera1s", 20, f"{_DEMO}camera1s: solution list '20 6' (2-homogeneous Bezout bound = mixed "
       f"volume = 20); {_TABLE}: 20", 6, 64,
       note="2 of the 20 listed solutions have rco < 1e-8; span 10^4.76"),
    _e("fbrfive4", 36, f"{_DEMO}fbrfive4: solution list '36 4' (mixed volume 36); {_TABLE}: 36", 4, 256,
       note="span 10^4.26 (1.4e-5 .. 0.25); the file says it 'should be scaled before solving'"),
    _e("discret3s", 128, f"{_DEMO}discret3s: solution list '128 8' (mixed volume 128); {_TABLE}: 128",
       8, 256, note="14 of the 128 listed have rco < 1e-8; listed coordinates up to 1.2e5"),
    _e("ku10", 2, f"{_DEMO}ku10: solution list '2 10'; {_TABLE}: 2", 10, 1024,
       note="mixed volume 2: 1022 total-degree paths diverge"),
    _e("des22_24", 42, f"{_DEMO}des22_24: 'There are 10 real and 32 conjugate complex solutions.'; "
       f"{_TABLE}: 42", 10, 256,
       note="'four of [the 10 real] are ill-conditioned' (the file); listed coordinates up to 6.7e5"),
    _e("chemkin", 40, f"{_DEMO}chemkin: solution list '40 10' (total degree = mixed volume = 128)",
       10, 128, "medium", "stated only by the solution list"),
    _e("eco8", 64, f"{_DEMO}eco8: solution list '64 8'; {_TABLE}: 64", 8, 1458),
    _e("extcyc5", 70, f"{_DEMO}extcyc5: 7 generating solutions, orbits of 10 -> 70 (mixed volume "
       f"'70 = 14*5 = 7*10'); {_TABLE}: 70", 5, 120),
    _e("rbpl24", 40, f"{_DEMO}rbpl24: solution list '40 9' (mixed volume 80; title 'parallel robot "
       f"with 24 real solutions'); {_TABLE}: 40", 9, 576,
       note="badly scaled: magnitudes 625 .. 1.2e15, span 10^12.29; rbpl24es/rbpl24s are scaled copies "
            "from the same database"),
    _e("rbpl24es", 40, f"{_DEMO}rbpl24es (rbpl24 after equation scaling): solution list '40 9'; "
       f"{_TABLE} (rbpl24): 40", 9, 576, note="span 10^3.91"),
    _e("rbpl24s", 40, f"{_DEMO}rbpl24s (rbpl24 after variable scaling): solution list '40 9'; "
       f"{_TABLE} (rbpl24): 40", 9, 576, note="span 10^3.93"),
    _e("cpdm5", 157, f"{_DEMO}cpdm5: '16 generating regular solutions: 1*30 + 2*20 + 6*10 + 5*5 + "
       f"2*1 = 157'; {_TABLE}: 157", 5, 243, "low",
       "a count of regular solutions: the file's list of 70 generating solutions holds 54 "
       "more (53 with m : 1, one with m : 2) that the count leaves out; phc -b 2.4.86 finds "
       "159 to 164 regular solutions (3 runs), more than 157, so the count is in doubt; "
       "mixed volume 242"),
    _e("gaukwa3", 6, f"{_DEMO}gaukwa3: 1 generating solution, orbit of 6; {_TABLE}: 6", 6, 720,
       note="deficient: mixed volume 49"),
    _e("speer", 43, f"{_DEMO}speer: 'The system has 43 regular solutions.  Seven paths converged to "
       f"highly singular solutions with zero components.'; {_TABLE}: 43", 4, 625, "medium",
       "the list '50 4' holds the 7 singular ones too; whether they are isolated is not stated"),
    _e("extcyc6", 156, f"{_DEMO}extcyc6: 13 generating solutions, orbits of 12 -> 156 (mixed volume "
       f"156); {_TABLE}: 156", 6, 720),
    _e("redcyc7", 132, f"{_DEMO}redcyc7: 66 generating solutions, orbits of 2 -> 132; {_TABLE}: 132",
       6, 720, note="some solutions are large (coordinates ~70, rco ~1e-7)"),
    _e("robspat", 40, f"{_DEMO}robspat: solution list '40 9'; 'the polynomial continuation is hard "
       "because 152 paths diverge' (of mixed volume 192)", 9, 1152),
    _e("kotsireas", 84, f"{_DEMO}kotsireas: solution list '84 6'", 6, 1000, "medium",
       "stated only by the solution list; mixed volume 126"),
    _e("katsura10", 1024, f"{_DEMO}katsura10: solution list '1024 11'; 2^N statement in katsura5",
       11, 1024),
    _e("cohn3", 102, f"{_DEMO}cohn3: 'From the 213 solution paths, 110 converged to finite "
       "solutions. There are eight highly singular solutons with zero components that are "
       f"probably not isolated.' (110 - 8 = 102); {_TABLE}: 102", 4, 1080, "low",
       "positive-dimensional (probably, says the file); badly scaled: magnitudes 1 .. 3.0e6, span "
       "10^6.48; 17 of the 110 listed have rco < 1e-8; phc -b 2.4.86 finds 120-122 regular "
       "solutions (3 runs), more than 102, so the published count is in doubt"),
    _e("stewgou40", 40, f"{_DEMO}stewgou40: '1536-40 paths are running off to infinity' "
       "(Dietmaier 1998: 40 real postures); solution list '40 9'", 9, 4096,
       note="deficient: mixed volume 1536"),
    _e("fbrfive12", 36, f"{_DEMO}fbrfive12: solution list '36 12' (mixed volume 36); {_TABLE}: 36",
       12, 4096),
    _e("kin1", 48, f"{_DEMO}kin1: solution list '48 12'; {_TABLE}: 48", 12, 4608,
       note="mixed volume 192"),
    _e("butcher8b", 16, f"{_DEMO}butcher8b: 'The system has 16 regular solutions.  Four paths "
       "converged to highly singular solutions' (list '20 8'); the READ_ME table's butcher8 row "
       "(#sols 16, mv 26) has butcher8b's root counts", 8, 4608,
       note="probably positive-dimensional ('an infinite component', says the file), like butcher"),
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
