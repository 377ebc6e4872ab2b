"""What a solve returns: each path's end (``Path``), the distinct solutions and the verdict
(``SolveResult``), and the rules that make endpoints one solution or several.

HomotopyContinuation.jl's ``Result`` is the model: small accessors (``npaths``,
``nsolutions``, ``nreal``, ``nsingular``, ...), one filter (``solutions(only_real=...,
only_nonsingular=..., only_finite=...)``) and a one-line summary where a notebook shows it.
Nothing here tracks a path or knows a network: the engine fills these in, ``algebra.solve``
hands them to users.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from algebra.nearest import Points
from algebra.polys import PolySystem, monomial_values

RESIDUAL_TOL = 1e-8        # relative residual a regular endpoint must reach
SINGULAR_RESIDUAL_TOL = 1e-6  # singular endpoints converge slowly: a looser bar
REAL_TOL = 1e-8            # |imaginary part| / (1 + |x|) below this: real
SAME_POINT = 1e-6          # relative distance under which two endpoints are one solution
SAME_SINGULAR = 1e-5       # singular endpoints this close (relative) are one point of some multiplicity
STATUSES = ("finite", "singular", "infinity", "failed")


@dataclass
class Path:
    """One path of a homotopy, from start solution ``index`` to its endpoint."""

    index: int
    solution: np.ndarray       # complex coordinates, in the system's variable order
    status: str                # one of STATUSES
    residual: float            # max relative residual |f_i(x)| / sum_t |c_it x^m_t|
    condition: float           # PHCpack's estimate, 1 / rco
    multiplicity: int
    t: complex
    precision: str             # precision of the track that produced this endpoint
    winding: int = 1           # loops around s = 1 before the path closed up (endgame)

    @property
    def is_real(self) -> bool:
        return is_real(self.solution)


def is_real(x: np.ndarray, tol: float = REAL_TOL) -> bool:
    """Whether every coordinate's imaginary part is negligible.

    >>> is_real(np.array([1 + 1e-12j, -2.0])), is_real(np.array([1 + 1e-3j]))
    (True, False)
    """
    return bool(np.all(np.abs(np.imag(x)) <= tol * (1 + np.abs(x))))


def relative_residual(system: PolySystem, x: np.ndarray) -> float:
    """max_i |f_i(x)| / (||c_i||_1 max(1, ||x||_inf)^d_i): a residual blind to the scale of
    each equation and of x, with no blow-up where terms cancel at tiny coordinates.

    >>> s = PolySystem(("x",), np.array([[2], [0]]), np.array([[1.0, -4.0]]))
    >>> relative_residual(s, np.array([2.0 + 0j])), relative_residual(s, np.array([1.0 + 0j]))
    (0.0, 0.6)
    """
    x = np.asarray(x)
    vals = monomial_values(system.monomials, x[None])[0]
    num = np.abs(system.coefficients @ vals)
    norms = np.abs(system.coefficients).sum(axis=1)
    scale = max(1.0, float(np.max(np.abs(x), initial=0.0))) ** np.array(system.degrees, dtype=float)
    return float(np.max(num / np.maximum(norms * scale, np.finfo(float).tiny), initial=0.0))


def relative_embedding(points: np.ndarray) -> np.ndarray:
    """Complex points (P, n) as real points (P, 2n) divided by 1 + max |x_k|: Euclidean
    distances between them are the relative distances ``distinct`` compares with SAME_POINT."""
    points = np.asarray(points)
    return np.hstack([points.real, points.imag]) / (1 + np.max(np.abs(points), axis=1))[:, None]


def distinct(points: list[np.ndarray], tol: float = SAME_POINT) -> list[int]:
    """Indices of the first of each group of (relatively) coincident points.

    >>> distinct([np.array([1.0]), np.array([1.0 + 1e-9]), np.array([2.0])])
    [0, 2]
    """
    if not points:
        return []
    emb = relative_embedding(np.array(points))
    near = Points(emb)
    keep, taken = [], np.zeros(len(points), bool)
    for i in range(len(points)):
        if taken[i]:
            continue
        keep.append(i)
        taken[near.ball(emb[i], tol)] = True
    return keep


VERDICTS = ("certified", "probability-one", "lower-bound")
VERDICT_WORDS = {"certified": "certified", "probability-one": "complete with probability one",
                 "lower-bound": "a lower bound"}


def counts_sentence(c: dict) -> str:
    """The solutions and the other paths of a ``SolveResult.summary()`` (or its JSON) in words.

    >>> counts_sentence({"solutions": 2, "regular": 1, "singular": 1, "multiplicities": [2], "real": 2,
    ...                  "at_infinity": 0, "failed": 0, "positive_dimensional": 0, "undecided": 0})
    '2 solutions (1 regular, 1 singular of multiplicity 2), 2 real; 0 at infinity; 0 failed'
    """
    counts: dict[int, int] = {}
    for m in c.get("multiplicities") or []:
        counts[m] = counts.get(m, 0) + 1
    sing = (" of multiplicity " + ", ".join(f"{m}" + (f" (x{k})" if k > 1 else "") for m, k in counts.items())
            if counts else "")
    extra = "".join(f"; {c[k]} {w}" for k, w in (("positive_dimensional", "on positive-dimensional components"),
                                                 ("undecided", "at singular points not decided")) if c.get(k))
    return (f"{c['solutions']} solution{'s' * (c['solutions'] != 1)} ({c['regular']} regular, {c['singular']} "
            f"singular{sing}), {c['real']} real; {c['at_infinity']} at infinity; {c['failed']} failed{extra}")


@dataclass
class SolveResult:
    """Every path of a homotopy run, and the distinct solutions merged over verification runs.

    A solution is a distinct isolated point, regular or singular; a singular one carries its
    multiplicity (the paths that end there). ``verification["verdict"]`` is one of VERDICTS,
    with its reason in ``verification["why"]``."""

    variables: tuple[str, ...]
    paths: list[Path]                      # the first run, after retries
    points: list[Path]                     # distinct solutions over all runs, then the first run's ends at infinity
    start: dict                            # kind, paths, why, total_degree, mixed_volume
    seed: int
    precision: str
    runs: list[dict]                       # per run: gamma, counts, new solutions
    verification: dict
    seconds: float
    notes: list[str] = field(default_factory=list)
    accounting: dict = field(default_factory=dict)  # the first run's paths, by where they went

    # --- counts of the first run's paths ---
    @property
    def npaths(self) -> int:
        return len(self.paths)

    def _count(self, status: str) -> int:
        return sum(p.status == status for p in self.paths)

    @property
    def nfinite(self) -> int:
        """Paths that ended at a regular finite solution."""
        return self._count("finite")

    @property
    def singular_paths(self) -> int:
        """Paths that ended at a singular point (isolated multiple roots and components alike)."""
        return self._count("singular")

    @property
    def nat_infinity(self) -> int:
        return self._count("infinity")

    @property
    def nfailed(self) -> int:
        return self._count("failed")

    # --- distinct solutions over all runs ---
    @property
    def nsolutions(self) -> int:
        """Distinct isolated finite solutions, regular and singular."""
        return len(self.solutions())

    @property
    def nregular(self) -> int:
        return len(self.solutions(only_nonsingular=True))

    @property
    def nsingular(self) -> int:
        """Distinct isolated singular solutions (each of multiplicity 2 or more)."""
        return self.nsolutions - self.nregular

    @property
    def nreal(self) -> int:
        """Distinct real isolated finite solutions."""
        return len(self.solutions(only_real=True))

    @property
    def verdict(self) -> str:
        return self.verification.get("verdict", "certified" if self.verification.get("certified") else "lower-bound")

    @property
    def certified(self) -> bool:
        return self.verdict == "certified"

    def multiplicities(self) -> list[int]:
        """The multiplicity of each distinct isolated solution (1 for regular ones)."""
        return [p.multiplicity for p in self.points if p.status in ("finite", "singular")]

    def solutions(self, only_real: bool = False, only_nonsingular: bool = False,
                  only_finite: bool = True) -> np.ndarray:
        """The distinct solutions as rows (complex), filtered."""
        keep = [p.solution for p in self.points
                if (not only_real or p.is_real)
                and (not only_nonsingular or p.status != "singular")
                and (not only_finite or p.status != "infinity")]
        return np.array(keep, dtype=complex).reshape(len(keep), len(self.variables))

    def real_solutions(self) -> np.ndarray:
        """Real parts of the real isolated finite solutions."""
        return self.solutions(only_real=True).real

    def summary(self) -> dict:
        mult = sorted((m for m in self.multiplicities() if m > 1), reverse=True)
        return {"paths": self.npaths, "solutions": self.nsolutions, "regular": self.nregular,
                "singular": self.nsingular, "multiplicities": mult, "real": self.nreal,
                "finite": self.nfinite, "at_infinity": self.nat_infinity, "failed": self.nfailed,
                "positive_dimensional": self.accounting.get("positive_dimensional", 0),
                "undecided": self.accounting.get("undecided", 0),
                "verdict": self.verdict, "certified": self.certified}

    def summary_line(self) -> str:
        """One sentence: paths, solutions with multiplicities, and the verdict."""
        return f"{self.npaths} paths: {counts_sentence(self.summary())}; {VERDICT_WORDS[self.verdict]}"

    def __repr__(self) -> str:
        return f"<SolveResult {self.summary_line()}>"

    def _repr_pretty_(self, p, cycle) -> None:  # IPython and notebooks
        p.text(repr(self))

    def as_dict(self, with_solutions: bool = True) -> dict:
        out = {**self.summary(), "variables": list(self.variables), "start": self.start,
               "seed": self.seed, "precision": self.precision, "runs": self.runs,
               "verification": self.verification, "accounting": self.accounting,
               "seconds": round(self.seconds, 3), "notes": self.notes}
        if with_solutions:
            out["points"] = [{"coordinates": [[z.real, z.imag] for z in p.solution],
                                 "status": p.status, "real": p.is_real,
                                 "residual": p.residual, "condition": p.condition,
                                 "multiplicity": p.multiplicity} for p in self.points]
        return out


def groups(points: np.ndarray, tol: float) -> list[list[int]]:
    """Clusters of points within ``tol`` (relative, max norm) of each other."""
    if len(points) == 0:
        return []
    emb = relative_embedding(points)
    points_near = Points(emb)
    seen = np.zeros(len(points), bool)
    out = []
    for i in range(len(points)):
        if seen[i]:
            continue
        near = [j for j in points_near.ball(emb[i], tol, p=np.inf) if not seen[j]]
        seen[near] = True
        out.append(near)
    return out


def coinciding(points: np.ndarray) -> np.ndarray:
    """For each singular endpoint (P, n), how many of them lie within SAME_SINGULAR of its group."""
    out = np.ones(len(points), dtype=np.int64)
    for g in groups(points, SAME_SINGULAR):
        out[g] = len(g)
    return out
