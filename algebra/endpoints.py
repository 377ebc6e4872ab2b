"""From the endpoints of one homotopy run to distinct solutions with their multiplicities.

Every path of a generic homotopy (total degree, multihomogeneous, polyhedral with the origin
added) that converges to an isolated solution of multiplicity m is one of exactly m paths
converging there (Morgan and Sommese; HomotopyContinuation.jl's ``multiplicity``, PHCpack's
root accounting). So the endpoints of one run are grouped:

- regular finite endpoints: one path each, one solution each (multiplicity 1);
- singular finite endpoints that coincide (relative distance ``SAME_SINGULAR``): one candidate
  point reached by c paths. ``local_dimension`` decides, from Macaulay's dual space at the
  point and the bound c: isolated of multiplicity c (counted once, with multiplicity c), on a
  component of positive dimension (not counted: the paths are reported with the component),
  or undecided (not counted: the count becomes a lower bound);
- endpoints at infinity and failed paths, as the tracker classified them.

So that every path is accounted for, always:

    sum of multiplicities + on components + undecided + at infinity + failed = paths.

>>> import numpy as np
>>> from algebra.polys import PolySystem
>>> from algebra.continuation.result import Path
>>> s = PolySystem(("x",), np.array([[3], [2], [1], [0]]), np.array([[1.0, -4.0, 5.0, -2.0]]))  # (x-1)^2 (x-2)
>>> ends = [Path(0, np.array([2 + 0j]), "finite", 0.0, 3.0, 1, 1, "d"),
...         Path(1, np.array([1 + 1e-9j]), "singular", 0.0, np.inf, 1, 1, "d", winding=2),
...         Path(2, np.array([1 - 1e-9j]), "singular", 0.0, np.inf, 1, 1, "d", winding=2)]
>>> a = account(s, ends)
>>> [(p.status, p.multiplicity) for p in a.solutions], a.counts()
([('finite', 1), ('singular', 2)], {'paths': 3, 'regular': 1, 'singular': 1, 'multiplicity': 3, 'positive_dimensional': 0, 'undecided': 0, 'infinity': 0, 'failed': 0})
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

# singular endpoints closer than SAME_SINGULAR (relative; the engine's grouping) are one point:
# Cauchy estimates of one multiple root agree to 1e-8 or better; two different singular
# solutions that close would make the local test undecided (it sees the wrong number of paths),
# never a wrong count
from algebra.continuation.result import SAME_SINGULAR
from algebra.local_dimension import LocalDimension, local_dimension

#: A point's relative error is at least this for the local dimension test's rank threshold ...
MIN_ACCURACY = 1e-12
#: ... and at most this: coinciding endpoints that agree less well are not known well enough
#: for ranks to mean anything (the test's threshold would hide the singular directions).
MAX_ACCURACY = 1e-6


@dataclass
class Accounting:
    """The distinct solutions of one run and where every other path went."""

    solutions: list                        # Path records: one per distinct solution, multiplicity set
    paths: int
    positive_dimensional: list = field(default_factory=list)  # per point on a component: (point, paths)
    undecided: list = field(default_factory=list)             # per undecided point: (point, paths, reason)
    infinity: int = 0
    failed: int = 0
    tests: list = field(default_factory=list)                 # per singular point: the local test's dict

    def counts(self) -> dict:
        sing = [p for p in self.solutions if p.status == "singular"]
        return {"paths": self.paths, "regular": len(self.solutions) - len(sing), "singular": len(sing),
                "multiplicity": sum(p.multiplicity for p in self.solutions),
                "positive_dimensional": sum(c for _, c in self.positive_dimensional),
                "undecided": sum(c for _, c, _ in self.undecided), "infinity": self.infinity, "failed": self.failed}

    @property
    def balanced(self) -> bool:
        c = self.counts()
        return (c["multiplicity"] + c["positive_dimensional"] + c["undecided"] + c["infinity"] + c["failed"]
                == c["paths"])


def account(system, paths: list) -> Accounting:
    """Group the classified endpoints of one run (``Path`` records of ``system``'s affine
    points) into distinct solutions with multiplicities; see the module's doc."""
    from algebra.certify import certify
    from algebra.continuation.result import groups

    regular = [replace(p, multiplicity=1) for p in paths if p.status == "finite"]
    singular = [p for p in paths if p.status == "singular"]
    out = Accounting(regular, len(paths), infinity=sum(p.status == "infinity" for p in paths),
                     failed=sum(p.status == "failed" for p in paths))
    if not singular:
        return out
    # a path the endgame could not finish (winding number 0: it stopped near a singular point
    # without two agreeing estimates) gives no accurate point to test: around a root of high
    # multiplicity, double precision leaves a cloud of such ends, each near no solution at all
    stuck = [p for p in singular if p.winding == 0]
    if stuck:
        out.undecided += [(p.solution, 1, "the endgame stopped near a singular point without converging") for p in stuck]
        singular = [p for p in singular if p.winding != 0]
        if not singular:
            return out
    pts = np.array([p.solution for p in singular])
    for group in groups(pts, SAME_SINGULAR):
        members = pts[group]
        center = members.mean(axis=0)
        scale = 1 + np.max(np.abs(center))
        spread = float(np.max(np.abs(members - center), initial=0.0)) / scale
        if spread > MAX_ACCURACY:
            test = LocalDimension("undecided", None, [], f"its {len(group)} endpoints agree only to {spread:.1e}")
        else:
            test = local_dimension(system, center, len(group), accuracy=max(spread, MIN_ACCURACY), lost=out.failed)
        if test.verdict == "isolated" and test.multiplicity == 1:
            # full rank at a point one path reached: a regular solution if Krawczyk's test proves
            # one there, else a poor endpoint near something singular (PHCpack's slow paths)
            proof = certify(system, center[None])
            if proof.ncertified:
                out.solutions.append(replace(singular[group[0]], status="finite", multiplicity=1,
                                             solution=proof.certificates[0].midpoint))
                continue
            test = LocalDimension("undecided", None, test.hilbert,
                                  "full rank at a point one path reached, but no regular solution proved there")
        out.tests.append({"point": center, "paths": len(group), "verdict": test.verdict,
                          "multiplicity": test.multiplicity, "hilbert": test.hilbert, "reason": test.reason})
        if test.verdict == "isolated":
            first = singular[group[0]]
            out.solutions.append(replace(first, solution=center, multiplicity=len(group),
                                         winding=max(singular[g].winding for g in group)))
        elif test.verdict == "positive-dimensional":
            out.positive_dimensional.append((center, len(group)))
        else:
            out.undecided.append((center, len(group), test.reason))
    return out
