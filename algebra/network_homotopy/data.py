"""Critical points of a network carried from one data set to another, inside the network family.

The regularized critical system E(w; d) = grad L + lambda w is polynomial in the data d =
(inputs, targets), so along d(t) = d0 + t (d1 - d0) with constants c(t) = c0 + t (c1 - c0)
every H(w, t) = E(w; d(t)) + c(t) is a member of the family with free constant terms of
the same network on some data: the generic members' solutions stay regular and finite
except at finitely many t of the complex line, and an arc from 0 to 1 that avoids them (a
random one: t(s) = s / (s + gamma (1 - s)), the gamma trick) carries the solutions of one
generic member onto those of another, one to one. A straight line between the two systems'
coefficients would leave the family (its members are no network's systems and may have
more solutions), and paths could go off to infinity on it.

Regular ends of distinct paths are distinct solutions, so what arrives is a lower bound of
the other data's generic count, whatever the loops on that data would cost
(``benchmarks/tree_critical.py --carry-to``); monodromy can loop on from it
(``monodromy_solve(resume=...)``).
"""
from __future__ import annotations

import time

import numpy as np

from algebra.continuation.family import ConstantFamily
from algebra.continuation.homotopy import chart_for, lift_to_chart, with_chart_row
from algebra.continuation.monodromy import MonodromyResult, refine_at_end
from algebra.continuation.evaluate import homogenized
from algebra.network_homotopy.equations import DataPath
from algebra.continuation.tracker import DONE, TrackerOptions, track
from algebra.errors import SpecError
from algebra.polys import PolySystem


SAME_ARC = 1  # passes along the first arc again, each with stricter steps than the last, before new arcs:
              # on the canonical tree (N = 1, data seed 0 -> 1) 57 of 2,505 paths failed on the first arc;
              # one stricter pass took back 13, a second and third 8 and more in over 10 minutes (a
              # throwaway script); a new arc took all 44 left in the benchmark's run (its ends not
              # one to one with the first arc's: 41 were points already found)


class DataHomotopy:
    """H(z, s) = h0^d (E(w; d(t)) + c(t)) at chart points z = (h0, w h0), t = t(s) on the arc
    of ``gamma``, with the chart's affine row: the tracker's homotopy (array tracker)."""

    def __init__(self, path: DataPath, degrees, chart: np.ndarray, c0: np.ndarray, c1: np.ndarray, gamma: complex):
        be = path.be
        self.path, self.be, self.gamma = path, be, complex(gamma)
        self.n = len(degrees)
        self.chart = be.asarray(np.asarray(chart, dtype=complex))
        self.chart_host = np.asarray(chart, dtype=complex)
        self.c0, self.dc = be.asarray(c0), be.asarray(np.asarray(c1) - np.asarray(c0))
        self._deg = be.asarray(np.asarray(degrees), be.real_dtype())

    @property
    def n_unknowns(self) -> int:
        return self.n + 1

    def select(self, rows) -> "DataHomotopy":
        return self  # every path on the same arc

    def lift(self, x: np.ndarray) -> np.ndarray:
        return lift_to_chart(x, self.chart_host)

    def evaluate(self, z, s):
        s = self.be.asarray(s)
        g = self.gamma
        den = s + g * (1 - s)
        t, dt_ds = s / den, g / den ** 2
        h0 = z[:, :1]
        x = z[:, 1:] / h0
        vals, jac, dt = self.path.evaluate(x, t)
        vals = vals + self.c0[None, :] + t[:, None] * self.dc[None, :]
        dt = dt + self.dc[None, :]
        xp = self.be.xp
        h, hz = homogenized(xp, h0, x, vals, jac, self._deg)
        hs = h0 ** self._deg[None, :] * dt * dt_ds[:, None]   # h0^d dE/dt dt/ds
        return with_chart_row(xp, z, self.chart, h, hz, hs)


def carry_to_data(result: MonodromyResult, system: PolySystem, target: PolySystem, path: DataPath,
                  seed: int = 0, options: TrackerOptions = TrackerOptions(),
                  batch: int = 1_024, tries: int = 3) -> MonodromyResult:
    """The base solutions of a monodromy ``result`` of ``system`` (the network's regularized
    critical system on the data where ``path`` starts) carried to a random member of
    ``target``'s constant-term family (the same network on the data where it ends). Returns
    the result of ``target`` they make, before any loop: its count, the regular distinct
    arrivals, is a lower bound of the target's generic count. The points whose paths fail go
    again along the same arc with stricter steps, then along new arcs (whose ends need not
    be one to one with the first's: kept where they are new), ``tries`` passes in all;
    ``failed`` counts those that arrived in none."""
    if tuple(target.variables) != tuple(system.variables) or list(target.degrees) != list(system.degrees):
        raise SpecError("carry_to_data: the target system needs the same unknowns and equation degrees")
    from algebra.continuation.result import distinct

    began = time.perf_counter()
    be = path.be  # the data path's backend (numpy, or torch with its device)
    rng = np.random.default_rng([seed, 43])
    n = system.n_variables
    source, family = ConstantFamily.of(system), ConstantFamily.of(target)
    base = result.base_constants
    scale = max(1.0, float(np.sqrt(np.mean(np.abs(base) ** 2))))  # the target member's constants: as large
    end = scale * (rng.standard_normal(n) + 1j * rng.standard_normal(n)) / np.sqrt(2)
    chart = chart_for(n + 1, int(rng.integers(2**31)))
    left = result.base_solutions
    arrived, paths, passes = [], 0, 0
    hom = None
    while len(left) and passes < tries:
        # the first arc again with stricter steps (the same arc keeps the ends one to one), then new arcs
        again = 1 <= passes <= SAME_ARC
        if not again:
            # E(w; d) holds each system's own constant terms; the members' constants are those plus c(t)
            hom = DataHomotopy(path, system.degrees, chart, base - source.given, end - family.given,
                               np.exp(2j * np.pi * rng.uniform()))
        failed = []
        for lo in range(0, len(left), batch):
            z = hom.lift(left[lo:lo + batch])
            # the tracker's tight tolerances (not the loops' loose ones): a path that jumps onto
            # another's loses a solution here, where no later loop would bring it back for free
            strict = options
            for _ in range(passes if again else 0):
                strict = strict.stricter()
            res = track(hom, be.asarray(z), be.asarray(np.zeros(len(z), complex)), 1.0, strict)
            done = np.flatnonzero(be.to_numpy(res.status) == DONE)
            ends, ok, _ = refine_at_end(hom, be.to_numpy(res.z)[done])
            arrived.append(ends[ok, 1:] / ends[ok, :1])
            missed = np.ones(len(z), bool)
            missed[done[ok]] = False
            failed.append(left[lo:lo + batch][missed])
        paths += len(left)
        passes += 1
        left = np.vstack(failed)
    arrived = np.vstack(arrived) if arrived else np.zeros((0, n), complex)
    kept = arrived[distinct(list(arrived))] if len(arrived) else arrived
    p = len(result.base_solutions)
    out = MonodromyResult(target.variables, end, kept, paths=paths, failed=len(left))
    out.growth = [[paths, len(kept)]]
    out.stopped = (f"carried {p:,} solutions from the family on other data in {passes} pass{'es' * (passes > 1)} "
                   "(an arc, the same with stricter steps, new arcs): "
                   f"{len(kept):,} arrived regular and distinct, {len(left)} along none"
                   + (f", {len(arrived) - len(kept)} onto another's end" if len(arrived) > len(kept) else ""))
    out.seconds = time.perf_counter() - began
    return out
