"""The verdict on a count: certified, complete with probability one, or a lower bound.

``settle`` takes a solve's first run (every path accounted for in ``algebra.endpoints``) and
runs more with new gamma constants where the first cannot decide:

- certified: every path of a total-degree or multihomogeneous start system (bounds computed
  exactly) ended at a distinct regular finite solution, each proved by Krawczyk's test
  (``algebra.certify``): the root count is attained, so no isolated solution is missing;
- complete with probability one: every path accounted for, and a second run with a new gamma
  and chart found the same solutions with the same multiplicities (or an unproved bound, a
  mixed volume computed by MixedVol and checked by DEMiCs, attained);
- a lower bound otherwise.
"""
from __future__ import annotations

import numpy as np

from algebra.continuation.result import SAME_POINT, SAME_SINGULAR, Path, SolveResult, relative_embedding
from algebra.nearest import Points
from algebra.polys import PolySystem

EXACT_BOUNDS = ("total-degree", "multihomogeneous")
PROOF_LIMIT = 5_000   # regular solutions Krawczyk's test proves by default when they attain a root bound


TORUS_ONLY = ("polyhedral paths reach the solutions with no zero coordinate, and some equation "
               "has no constant term, so solutions with zero coordinates may be missing: "
               "use start='total-degree' for a complete count")


def constant_terms(system: PolySystem) -> bool:
    """Whether every equation has a constant term: then the mixed volume bounds every
    isolated solution, zero coordinates included (Li and Wang, 1996)."""
    zero = np.flatnonzero(~system.monomials.any(axis=1))
    return all(np.isin(zero, system.coefficients.indices[system._row(i)]).any()
               for i in range(system.n_equations))


def settle(system: PolySystem, acc, paths: list[Path], first: dict, run, start: dict, verify, max_runs: int,
           progress=None) -> tuple[list[Path], list[dict], dict]:
    """The distinct solutions, the runs and the verdict of a solve whose first run gave ``paths``
    (accounted for in ``acc``); ``run(k)`` makes run k (a new gamma and chart) the same way.

    - certified: every path ended at a distinct regular finite solution of a total-degree or
      multihomogeneous start system (bounds this module computes exactly), and Krawczyk's test
      proved every one of them, all distinct: the count attains a root bound;
    - complete with probability one: every path of the first run accounted for (no failed path,
      no singular point left undecided) and, with ``verify``, a second run with a new gamma and
      chart found the same solutions with the same multiplicities;
    - a lower bound otherwise."""
    counts = first["accounting"] = acc.counts()
    runs = [first]
    infinite = [p for p in paths if p.status == "infinity"]
    accounted = counts["failed"] == 0 and counts["undecided"] == 0
    verdict = _root_count(system, acc, start) if accounted else None
    if verdict is not None:
        return acc.solutions + infinite, runs, verdict
    if accounted and (not verify or max_runs == 1):
        return acc.solutions + infinite, runs, {"method": "one-run", "verdict": "probability-one", "certified": False,
                                                "why": "every path of the run is accounted for (no second run)"}
    why = _unaccounted(counts)
    found = acc.solutions
    for k in range(1, max_runs if verify else 1):
        if progress:
            progress(k, max_runs)
        _, more, info = run(k)
        info["accounting"] = more.counts()
        new, missed = _compare(found, more.solutions)
        info["new"], info["missed"] = len(new), len(missed)
        runs.append(info)
        found = found + new
        more_accounted = info["accounting"]["failed"] == 0 and info["accounting"]["undecided"] == 0
        # one run that accounts for every path is the homotopy theorem's evidence; the other
        # found exactly the same solutions (its failed or undecided paths are no evidence
        # against a run that accounted for every one of its own)
        if not new and not missed and (accounted or more_accounted):
            if accounted:
                why = (f"every path of run 1 accounted for, and run {k + 1}, with a new gamma and chart, found the "
                       f"same {len(found)} solutions with the same multiplicities")
            else:
                why = (f"every path of run {k + 1} accounted for, and it found the same {len(found)} solutions with "
                       f"the same multiplicities as run{'s 1 to' if k > 1 else ''} {k}"
                       f"{' together' if k > 1 else ''}, with a new gamma and chart")
            return found + infinite, runs, {"method": "independent-runs", "verdict": "probability-one",
                                            "certified": False, "why": why}
        accounted = accounted and not new
        why = (f"after {k + 1} runs the solutions still changed from run to run or paths failed or singular points "
               "stayed undecided")
    return found + infinite, runs, {"method": "independent-runs" if verify else "one-run", "verdict": "lower-bound",
                          "certified": False, "why": why + ": the count is a lower bound"}


def _unaccounted(counts: dict) -> str:
    parts = [f"{counts['failed']} paths failed"] if counts["failed"] else []
    if counts["undecided"]:
        parts.append(f"{counts['undecided']} paths ended at singular points whose local dimension was not decided")
    return "; ".join(parts)


def _compare(known: list[Path], found: list[Path]) -> tuple[list[Path], list[Path]]:
    """Solutions of ``found`` not in ``known`` (new), and of ``known`` not in ``found`` (missed):
    the same point with the same multiplicity."""
    def index(a: list[Path], b: list[Path]) -> list[bool]:
        if not a:
            return []
        if not b:
            return [False] * len(a)
        points = Points(relative_embedding(np.array([p.solution for p in b])))
        out = []
        for p in a:
            tol = SAME_SINGULAR if p.status == "singular" else SAME_POINT
            near = points.ball(relative_embedding(p.solution[None])[0], tol * np.sqrt(2 * len(p.solution)))
            out.append(any(b[j].multiplicity == p.multiplicity for j in near))
        return out

    new = [p for p, hit in zip(found, index(found, known)) if not hit]
    missed = [p for p, hit in zip(known, index(known, found)) if not hit]
    return new, missed


def _root_count(system: PolySystem, acc, start: dict) -> dict | None:
    """The verdict when the first run's solutions attain the start system's root count with
    their multiplicities (every path at a finite isolated solution); None otherwise."""
    c = acc.counts()
    if c["infinity"] or c["positive_dimensional"] or c["multiplicity"] != start["paths"] or not c["paths"]:
        return None
    attained = (f"all {start['paths']:,} paths of the {start['kind']} start system ended at "
                f"{len(acc.solutions):,} distinct isolated finite solutions"
                + (f" ({c['singular']} singular, multiplicities counted)" if c["singular"] else ""))
    if start["kind"] == "polyhedral" and not start.get("origin_added") and not constant_terms(system):
        return None
    if start["kind"] == "parameter" and start.get("bound") != start["paths"]:
        return None       # a member's count bounds its family's only when it came with a proof
    if start["kind"] not in EXACT_BOUNDS:
        bound = _mixed_volume_words(start) if start["kind"] == "polyhedral" else "the solved member's count"
        return {"method": "root-count-attained", "verdict": "probability-one", "certified": False,
                "why": f"{attained}: {bound} is attained, which proves nothing unless that bound is proved"}
    if c["singular"]:
        return {"method": "root-count-attained", "verdict": "probability-one", "certified": False,
                "why": (f"{attained}, so the root count is attained; a multiple root cannot be proved in floating point "
                        "(exact arithmetic can: --verify exact compares msolve's count)")}
    if len(acc.solutions) > PROOF_LIMIT:
        return {"method": "root-count-attained", "verdict": "probability-one", "certified": False,
                "why": f"{attained}; over {PROOF_LIMIT:,} solutions: not proved by default (--certify proves them)"}
    from algebra.certify import certify

    proof = certify(system, np.array([p.solution for p in acc.solutions]))
    info = {"solutions": len(acc.solutions), "certified": proof.ncertified, "distinct": proof.distinct,
            "real": proof.nreal_certified, "seconds": round(proof.seconds, 3)}
    if proof.ncertified == proof.distinct == len(acc.solutions):
        return {"method": "root-count-attained", "verdict": "certified", "certified": True, "krawczyk": info,
                "why": (f"{attained}, and Krawczyk's test proved each a regular solution, all distinct: the "
                        f"{start['kind']} root count {start['paths']:,} is attained, so no other isolated solution exists")}
    return {"method": "root-count-attained", "verdict": "probability-one", "certified": False, "krawczyk": info,
            "why": (f"{attained}, but Krawczyk's test proved {proof.ncertified} of them ({proof.distinct} distinct): "
                    "not a proof")}


def _mixed_volume_words(start: dict) -> str:
    """What the polyhedral start's mixed volume rests on: never more than a computation (two
    floating-point algorithms that agree prove nothing), and less where DEMiCs did not check it."""
    check = start.get("mixed_volume_check") or {}
    what = "the BKK bound" if start.get("origin_added") else "the mixed volume"
    if check.get("agreed"):
        return f"{what} (MixedVol's, and DEMiCs' agrees: computed, not proved)"
    return f"{what} (MixedVol's alone, unchecked: {check.get('why', 'no second algorithm ran')})"


def certify_result(system: PolySystem, result: SolveResult) -> None:
    """Krawczyk's test on every regular finite solution (of ``system``, the one the result's
    points solve); a count whose regular solutions attain an exact root bound becomes certified
    when every one of them is proved, with pairwise disjoint boxes."""
    from algebra.certify import certify

    regular = result.solutions(only_nonsingular=True)
    proof = certify(system, regular)
    info = {"solutions": len(regular), "certified": proof.ncertified, "distinct": proof.distinct,
            "real": proof.nreal_certified, "seconds": round(proof.seconds, 3)}
    result.verification["krawczyk"] = info
    v = result.verification
    if (v.get("method") == "root-count-attained" and result.start["kind"] in EXACT_BOUNDS and not result.nsingular
            and proof.ncertified == proof.distinct == len(regular) == result.start["paths"]
            and v.get("verdict") == "probability-one"):
        # the start system's root count bounds the isolated solutions, and that many distinct
        # regular solutions are proved to exist: the count is a theorem, not an estimate
        v.update(verdict="certified", certified=True,
                 why=v["why"].split(";")[0] + "; Krawczyk's test proved each a regular solution, all distinct")
    if proof.ncertified < len(regular) or proof.distinct < len(regular):
        result.notes.append(f"Krawczyk's test proved {proof.ncertified} of {len(regular)} regular solutions "
                            f"({proof.distinct} distinct)")
