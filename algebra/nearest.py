"""Which points lie near which: a k-d tree for many points, every distance directly for few.

The queries are scipy's ``cKDTree`` ones (a ball around a point, every close pair, the k
nearest within a bound), with the same answers. Importing ``scipy.spatial`` costs 0.1-0.2 s
(it brings scipy.linalg and scipy.special along), more than tracking a small system's
paths, so sets of at most ``DIRECT`` points, the usual case of a small solve, compare every
pair directly and never import it.

>>> near = Points(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.5]]))
>>> near.ball(np.array([0.0, 0.0]), 0.6)
[0, 2]
>>> near.pairs(1.0, p=np.inf).tolist()
[[0, 1], [0, 2], [1, 2]]
>>> d, i = near.nearest(np.array([[0.9, 0.0]]), k=2)
>>> i.tolist(), np.round(d, 6).tolist()
([[1, 0]], [[0.1, 0.9]])
"""
from __future__ import annotations

import numpy as np

DIRECT = 512          # at most this many points: distances directly (a (q, n, d) array at most)
DIRECT_ENTRIES = 4_000_000


class Points:
    """Real points (n, d) to ask about: ``ball``, ``pairs`` and ``nearest`` as ``cKDTree``'s
    ``query_ball_point``, ``query_pairs`` and ``query`` answer them (indices sorted)."""

    def __init__(self, points):
        a = np.asarray(points, dtype=float)
        self.data = a.reshape(len(a), -1) if a.size else a.reshape(len(a), a.shape[-1] if a.ndim > 1 else 0)
        self._tree = None

    def _direct(self, queries: int) -> bool:
        n, d = self.data.shape
        return n <= DIRECT and queries * n * max(d, 1) <= DIRECT_ENTRIES

    @property
    def tree(self):
        if self._tree is None:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(self.data)
        return self._tree

    def _distances(self, queries: np.ndarray, p: float) -> np.ndarray:
        diff = np.abs(queries[:, None, :] - self.data[None, :, :])
        if p == np.inf:
            return diff.max(axis=2, initial=0.0)
        return np.sqrt(np.square(diff).sum(axis=2))

    def ball(self, x, r: float, p: float = 2.0) -> list[int]:
        """Indices of the points within ``r`` of ``x`` (distance <= r), ascending."""
        x = np.asarray(x, dtype=float).reshape(1, -1)
        if self._direct(1):
            return np.flatnonzero(self._distances(x, p)[0] <= r).tolist()
        return sorted(self.tree.query_ball_point(x[0], r, p=p))

    def pairs(self, r: float, p: float = 2.0) -> np.ndarray:
        """Every pair (i, j), i < j, of points within ``r`` of each other, rows ascending."""
        if self._direct(len(self.data)):
            i, j = np.nonzero(np.triu(self._distances(self.data, p) <= r, k=1))
            out = np.stack([i, j], axis=1).astype(np.int64)
        else:
            out = np.asarray(self.tree.query_pairs(r, p=p, output_type="ndarray"), dtype=np.int64).reshape(-1, 2)
        return out[np.lexsort((out[:, 1], out[:, 0]))] if len(out) else out

    def nearest(self, queries, k: int = 1, bound: float = np.inf):
        """Distances and indices of each query's ``k`` nearest points closer than ``bound``;
        a missing neighbour has distance inf and index n. Shapes (q,) for k = 1, else (q, k)."""
        queries = np.asarray(queries, dtype=float).reshape(-1, self.data.shape[1])
        n = len(self.data)
        if not self._direct(len(queries)):
            return self.tree.query(queries, k=k, distance_upper_bound=bound)
        dist = self._distances(queries, 2.0)
        dist = np.where(np.isfinite(dist), dist, np.inf)
        order = np.argsort(dist, axis=1, kind="stable")[:, :k]
        d = np.take_along_axis(dist, order, axis=1)
        miss = ~(d < bound)
        d, idx = np.where(miss, np.inf, d), np.where(miss, n, order)
        if d.shape[1] < k:  # fewer points than k
            pad = k - d.shape[1]
            d = np.hstack([d, np.full((len(d), pad), np.inf)])
            idx = np.hstack([idx, np.full((len(idx), pad), n)])
        return (d[:, 0], idx[:, 0]) if k == 1 else (d, idx)
