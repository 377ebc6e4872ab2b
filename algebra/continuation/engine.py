"""``solve`` with our engine: start system, every path tracked as arrays, endpoints checked.

One run tracks every path of the gamma homotopy in a random projective chart (both
drawn from the seed and the run number) and classifies its end (``paths.run_paths``).
Regular endpoints that coincide (unless Krawczyk's test proves them apart) mean a path
jumped: those paths are tracked again with stricter options, and any still coinciding are
counted as failed, never as solutions. ``solve_with_engine`` hands each run's endpoints to
``algebra.endpoints`` and the runs to ``verdict.settle``, which gives the verdict.
"""
from __future__ import annotations

import functools
import math
import time

import numpy as np

from algebra.continuation.backend import backend
from algebra.continuation.homotopy import StraightLineHomotopy, chart_for, gamma_for
from algebra.continuation.paths import PathSet, retrack, run_paths
from algebra.continuation.precise import PreciseOptions
from algebra.continuation.result import SAME_POINT, STATUSES, Path, SolveResult, coinciding, groups, relative_residual
from algebra.continuation.start import (Member, StartSystem, check_mixed_volume, from_member, multihomogeneous,
                                       polyhedral, refuse_paths, total_degree)
from algebra.continuation.tracker import TrackerOptions
from algebra.continuation.verdict import settle
from algebra.errors import SpecError
from algebra.phc import MixedVolumeDisagreement, SolverError
from algebra.polys import PolySystem

UNIT_PATHS = 1024   # paths tracked together as one array (and one unit of work on a cluster):
                    # bounds the memory; smaller chunks cost more (256: 1.4-2x the time of one
                    # chunk of 1,024 on cyclic6, game5two), larger ones gain under 10%


AUTO_SMALL = 64     # auto start: up to this total degree, no mixed volume is worth computing
AUTO_SECONDS_PER_PATH = 0.003  # our total-degree paths, per path on one core (the compiled tracker:
                               # katsura-10 3.3 ms, katsura-8 1.6 ms, wood's paths to infinity 3.3 ms)
AUTO_MIN_SECONDS = 3.0  # paths to infinity of high winding number cost far more than that: the
                        # canonical tree's 81 paths (9 to infinity, winding number 9) took 180 s
                        # and missed a solution once its cells (MixedVol 0.03 s, DEMiCs 3 s) ran
                        # past a 2 s budget; a budget that runs out where the mixed volume equals
                        # the total degree wastes at most this much
AUTO_SHARE = 0.9    # auto start: polyhedral when its paths are at most this share of the total
                    # degree: its start system costs a toric path per solution (about what a
                    # total-degree path costs), but a path to infinity costs us 5 to 10 finite
                    # ones (the tree network: 72 of 81, 0.8 s polyhedral against 2 to 10 s
                    # total degree)


def choose_start(system: PolySystem, start: str, seed: int, max_paths: int,
                 partition: list[list[str]] | None = None, member: Member | None = None
                 ) -> tuple[StartSystem, str]:
    """The start system and why it was chosen; refuses more than ``max_paths`` paths before
    any tracking starts. Every start system here reaches all isolated solutions in C^n."""
    from algebra.bounds import partition_indices

    if member is not None:
        st = from_member(member, system)
        refuse_paths(st.count, "parameter", max_paths)
        proved = (f"; {member.bound:,} bounds the isolated solutions of every system with its supports"
                  if member.bound is not None else "; no proved bound came with it")
        return st, (f"a solved member of the system's family, whose supports contain the system's: its "
                    f"{st.count:,} regular solutions start a parameter homotopy{proved}")
    td = math.prod(system.degrees)
    if start == "multihomogeneous":
        st = multihomogeneous(system, partition_indices(system.variables, partition), seed, max_paths)
        return st, (f"asked for, with {len(partition)} groups: {st.count:,} paths (total degree {td:,})")
    if start == "total-degree" or (start == "auto" and td <= AUTO_SMALL):
        refuse_paths(td, "total-degree", max_paths)
        why = "asked for" if start != "auto" else (f"the total degree {td:,} is small: every path is "
                                                   "cheaper than a mixed volume")
        return total_degree(system), why
    limit = max_paths if start == "polyhedral" else min(max_paths, int(td * AUTO_SHARE))
    if start == "auto":
        # the mixed cells can cost more than every total-degree path (katsura-10: 15 s by
        # MixedVol against 3 s): they get as long as those paths are expected to take
        budget = max(AUTO_MIN_SECONDS, td * AUTO_SECONDS_PER_PATH)
        try:
            check, st = polyhedral(system, seed, limit, timeout=budget)
        except MixedVolumeDisagreement as e:
            refuse_paths(td, "total-degree", max_paths)
            out = total_degree(system)
            out.mixed_volume_check = e.check.as_dict()
            return out, (f"the mixed volume is unchecked ({e.check.why}): the {td:,} total-degree paths "
                         "need none")
        except SolverError as e:
            refuse_paths(td, "total-degree", max_paths)
            return total_degree(system), (f"PHCpack's mixed cells did not come within {budget:.0f} s, "
                                          f"the time the {td:,} total-degree paths take ({e})")
    else:
        check, st = polyhedral(system, seed, limit)
    mv = check.value
    check_mixed_volume(mv, td)
    if st is None and start == "auto" and mv > td * AUTO_SHARE:
        refuse_paths(td, "total-degree", max_paths)
        out = total_degree(system)
        out.mixed_volume, out.mixed_volume_check = mv, check.as_dict()
        return out, (f"the BKK bound {mv:,} (the mixed volume of the supports with the origin added) is not far "
                     f"below the total degree {td:,}: total-degree paths need no start system to be solved")
    refuse_paths(mv, "polyhedral", max_paths)
    if st.count != mv:
        raise SolverError(f"the polyhedral start system has {st.count} solutions for a mixed "
                          f"volume of {mv}: refusing to count from it; use start='total-degree'")
    why = (f"asked for: the BKK bound {mv:,}" if start == "polyhedral"
           else f"the BKK bound {mv:,} is below {AUTO_SHARE:.0%} of the total degree {td:,}")
    checked = ("MixedVol's count, checked by DEMiCs" if check.agreed
               else f"MixedVol's count alone, UNCHECKED: {check.why}")
    return st, (why + " (the mixed volume of the supports with the origin added: the paths reach every isolated "
                + f"solution in C^n; {checked}); " + st.how)


def _track_chunk(system: PolySystem, start: PolySystem, gamma: complex, chart: np.ndarray, device: str | None,
                 options: TrackerOptions, precise: PreciseOptions | None, starts: np.ndarray) -> PathSet:
    """A unit of work: the paths from ``starts`` (the homotopy rebuilt where the unit runs)."""
    return run_paths(StraightLineHomotopy(system, start, gamma, chart, backend(device)), starts, options,
                     precise=precise)


def chunk_size(count: int, unit: int = UNIT_PATHS) -> int:
    """Paths per unit of work: ``count`` split into equal chunks of at most ``unit``. The
    chunks depend on the count only, never on where they run, so every path is tracked in
    the same arrays (the same rounding) in one process or on a cluster.

    >>> chunk_size(1000), chunk_size(1025), chunk_size(5040)
    (1000, 513, 1008)
    """
    return math.ceil(count / math.ceil(count / unit)) if count else unit


def one_run(system: PolySystem, st: StartSystem, be, seed: int, run: int,
            options: TrackerOptions = TrackerOptions(), unit: int = UNIT_PATHS,
            runner=None, precise: PreciseOptions | None = PreciseOptions()) -> tuple[PathSet, dict]:
    """Every path of one homotopy, classified; path jumping repaired or counted as failure.
    ``runner(fn, items)`` (bridge.cluster) tracks the chunks of paths (``chunk_size``) as
    units of work; by default they are tracked here, in turn, with the same ends. Paths that
    fail in double precision are retracked with ``precise`` (None: they stay failed)."""
    began = time.perf_counter()
    gamma = gamma_for(seed, run)
    chart = chart_for(system.n_variables + 1, seed + 7919 * run)
    hom = StraightLineHomotopy(system, st.system, gamma, chart, be)
    chunks = st.chunks(chunk_size(st.count, unit))
    if runner is None:
        sets = [run_paths(hom, st.at(idx), options, precise=precise) for idx in chunks]
    else:
        device = None if be.name == "numpy" else str(be.device)
        sets = runner(functools.partial(_track_chunk, system, st.system, gamma, chart, device, options, precise),
                      [st.at(idx) for idx in chunks])
    ends = PathSet.concat(sets)
    jumped = _collisions(ends, hom)
    retracked = len(jumped)
    if len(jumped):
        ends.replace(jumped, retrack(hom, st.at(jumped), options.stricter()))
        still = _collisions(ends, hom)
        ends.status[still] = "failed"
        for i in still:
            ends.why[i] = "ended on another path's regular solution (path jumping) after a stricter retrack"
    counts = ends.counts()
    higher = ends.bits > 53  # ends the higher-precision retrack gave
    if higher.any():
        counts["precise"] = {"bits": int(ends.bits.max()), "paths": int(higher.sum()),
                             **{s: int(np.sum(ends.status[higher] == s)) for s in STATUSES}}
    if ends.extended.any():  # paths whose Newton residual went to double-double (kernel.track_paths)
        counts["extended"] = {"paths": int(np.count_nonzero(ends.extended)), "steps": int(ends.extended.sum())}
    return ends, {"gamma": [gamma.real, gamma.imag], **counts, "retracked": retracked,
                  "steps": int(ends.steps.sum()), "seconds": round(time.perf_counter() - began, 3)}


def _collisions(ends: PathSet, homotopy=None) -> np.ndarray:
    """Indices of finite regular endpoints that coincide with another one. Endpoints closer
    than SAME_POINT (relative to the chart point's size) that Krawczyk's test proves to be
    different solutions do not coincide: solutions whose coordinates span 1e-13 to 1e13 differ
    in coordinates far below the largest one ((1e13, 1e-13, +-3e6) and (-2, -0.5, +-1.4i))."""
    # only finite regular solutions: points at infinity are often singular with a
    # small-looking condition number (a vanishing gradient at h0 = 1e-10)
    regular = np.flatnonzero((ends.status == "finite") & (ends.winding == 1))
    if len(regular) < 2:
        return np.zeros(0, dtype=np.int64)
    pts = ends.chart[regular]
    close = [g for g in groups(pts, SAME_POINT) if len(g) > 1]
    out = []
    for g in close:
        apart = _proved_apart(homotopy, pts[g]) if homotopy is not None else None
        if apart is None or not apart:
            out.extend(regular[g])
    return np.array(sorted(out), dtype=np.int64)


def _proved_apart(homotopy, points: np.ndarray) -> bool | None:
    """Whether Krawczyk's test on the target in its chart proves the points regular solutions,
    pairwise different (None where the homotopy has no polynomial form to test)."""
    from algebra.continuation.paths import chart_certificates

    proof = chart_certificates(homotopy, points)
    return None if proof is None else proof.ncertified == proof.distinct == len(points)


def to_paths(system: PolySystem, ends: PathSet) -> list:
    """The engine's arrays as the ``Path`` records ``SolveResult`` holds; singular endpoints
    that coincide share their multiplicity (the number of paths ending there)."""
    x = ends.affine
    mult = np.ones(len(x), dtype=np.int64)
    sing = np.flatnonzero(ends.status == "singular")
    mult[sing] = coinciding(x[sing])
    out = []
    for i in range(len(x)):
        st = ends.status[i]
        res = relative_residual(system, x[i]) if st in ("finite", "singular") else math.inf
        out.append(Path(i, x[i] if st != "infinity" else ends.chart[i], st, res, float(ends.condition[i]),
                        int(mult[i]), 1.0 + 0j, "d", int(ends.winding[i])))
    return out


LONE_PROOFS = 64        # singular endpoints reached by one path that Krawczyk's test tries to prove, a run
LONE_PRECISION = 212    # bits: a condition number of 1e16 needs more than double's 53, not more than this


def prove_lone(system: PolySystem, paths: list, notes: list) -> int:
    """Endpoints classified singular that one path reached with winding number 1 (no other
    path ends there): an isolated solution reached by one path has multiplicity 1, so it is
    regular however ill-conditioned, unless the point lies on a positive-dimensional set.
    Krawczyk's test decides: those it proves regular are counted as finite solutions (the
    tree network, seed 7: a solution of condition 1e16 that two runs both called singular,
    and a count one short passed as certified)."""
    from dataclasses import replace

    from algebra.certify import certify

    lone = [k for k, p in enumerate(paths) if p.status == "singular" and p.multiplicity == 1 and p.winding == 1]
    if not lone:
        return 0
    proof = certify(system, np.array([paths[k].solution for k in lone[:LONE_PROOFS]]), max_precision=LONE_PRECISION)
    proved = 0
    for k, c in zip(lone, proof.certificates):
        if c.certified:
            paths[k] = replace(paths[k], status="finite", solution=c.midpoint)
            proved += 1
    if proved:
        notes.append(f"{proved} endpoint{'s' * (proved != 1)} called singular (one path each) "
                     f"{'were' if proved != 1 else 'was'} proved regular by Krawczyk's test and "
                     f"{'are' if proved != 1 else 'is'} counted as {'solutions' if proved != 1 else 'a solution'}")
    if len(lone) > LONE_PROOFS:
        notes.append(f"{len(lone) - LONE_PROOFS} more singular endpoints reached by one path each were not tried by "
                     f"Krawczyk's test (it tries {LONE_PROOFS} a run): some may be regular solutions left uncounted")
    return proved


def solve_with_engine(system: PolySystem, start: str, seed: int, verify, max_runs: int,
                      device: str | None, max_paths: int, progress=None, partition=None, runner=None,
                      member: Member | None = None, precise: PreciseOptions | None = PreciseOptions()):
    from algebra.endpoints import account

    if not isinstance(max_runs, int) or max_runs < 1:
        raise SpecError(f"max_runs must be a positive integer, got {max_runs!r}")
    began = time.perf_counter()
    be = backend(device)
    st, why = choose_start(system, start, seed, max_paths, partition, member)
    # bkk_bound: the mixed volume of the supports with the origin added (Li and Wang's bound for
    # C^n, what the polyhedral start tracks); "mixed_volume" elsewhere is the torus count
    start_info = {"kind": st.kind, "paths": st.count, "why": why, "total_degree": math.prod(system.degrees),
                  "bkk_bound": st.mixed_volume if st.kind != "parameter" else None,
                  "mixed_volume_check": st.mixed_volume_check,
                  "bound": st.mixed_volume if st.kind == "parameter" else None, "projective": True, "engine": "ours",
                  "device": device or "numpy", "origin_added": st.kind == "polyhedral"}
    notes = []

    helped = [True]   # whether the higher-precision retrack of run 1 ended most of its paths
    other = [None]    # the start system of the verification runs where it is not run 1's

    def run(k: int):
        # where 160 bits ended fewer than half the failed paths of run 1, the other runs do
        # without them: the same system's paths fail there the same way, at up to the whole
        # budget each (an expanded (x + y + 1)^50: 1 of 47, 50 s a run)
        start_k = other[0] if k > 0 and other[0] is not None else st
        ends, info = one_run(system, start_k, be, seed, k, runner=runner, precise=precise if helped[0] else None)
        if start_k is not st:
            info["start"] = start_k.kind
        if k == 0 and "precise" in info:
            helped[0] = 2 * info["precise"]["failed"] <= info["precise"]["paths"]
        paths = to_paths(system, ends)
        if prove_lone(system, paths, notes if k == 0 else []):
            info.update(finite=sum(p.status == "finite" for p in paths),
                        singular=sum(p.status == "singular" for p in paths))
        if k == 0:
            _note_precise(info, notes)
            _note_failures(ends, notes)
        return paths, account(system, paths), info

    paths, acc, first = run(0)
    if verify and max_runs > 1:
        other[0] = _independent_start(system, st, acc, seed, max_paths, notes)
    points, runs, verification = settle(system, acc, paths, first, run, start_info, verify, max_runs, progress)
    if other[0] is not None and verification.get("method") == "independent-runs":
        verification["why"] += f" (runs after the first from the {other[0].kind} start system)"
    result = SolveResult(system.variables, paths, points, start_info, seed, "d", runs, verification,
                         time.perf_counter() - began, notes, accounting_of(acc))
    return result


def _independent_start(system: PolySystem, st: StartSystem, acc, seed: int, max_paths: int,
                       notes: list) -> StartSystem | None:
    """The polyhedral start system for the verification runs of a total-degree or
    multihomogeneous run whose paths went to infinity while it found fewer solutions than the
    BKK bound: a second run of the same homotopy with a new gamma repeats its systematic
    errors (pb601, PHCpack's demo, scaled: paths of three regular solutions at |y| ~ 2e6
    joined the 42 that go to infinity, in every run, and 15 of 18 came out complete with
    probability one); paths of another geometry do not. None where that does not apply, or
    where the mixed cells fail (the runs then keep run 1's start)."""
    c = acc.counts()
    if st.kind not in ("total-degree", "multihomogeneous") or not c["infinity"]:
        return None
    try:
        check, poly = polyhedral(system, seed + 1, limit=min(st.count, max_paths))
    except (MixedVolumeDisagreement, SolverError) as e:
        notes.append(f"the verification runs keep the {st.kind} start: no polyhedral one ({e})")
        return None
    if poly is None or check.value <= c["multiplicity"]:
        return None
    return poly


def accounting_of(acc) -> dict:
    """The first run's paths by where they went, and the local tests of its singular points."""
    return {**acc.counts(), "balanced": acc.balanced,
            "singular_points": [{"paths": t["paths"], "verdict": t["verdict"], "multiplicity": t["multiplicity"],
                                 "hilbert": t["hilbert"], "reason": t["reason"],
                                 "point": [[complex(z).real, complex(z).imag] for z in t["point"]]}
                                for t in acc.tests]}


def _note_precise(run: dict, notes: list) -> None:
    if "precise" in run:
        p = run["precise"]
        ended = ", ".join(f"{p[s]} {s}" for s in STATUSES if s != "failed" and p[s])
        notes.append(f"{p['paths']} paths that failed in double precision were tracked again in {p['bits']}-bit "
                     f"arithmetic: {ended or 'none'} ended there" + (f", {p['failed']} failed again" if p["failed"] else ""))


def _note_failures(ends: PathSet, notes: list) -> None:
    failed = np.flatnonzero(ends.status == "failed")
    if len(failed):
        reasons = {}
        for i in failed:
            reasons[ends.why[i]] = reasons.get(ends.why[i], 0) + 1
        notes.append(f"{len(failed)} paths failed: " + "; ".join(f"{n} {w}" for w, n in reasons.items()))
