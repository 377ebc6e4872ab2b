"""Classical (strain) MDS of recorded weights with one-minus-cosine dissimilarity.

What is embedded: for unit vectors u, v, ||u - v||^2 = 2 (1 - cos(u, v)), so with
``kind="chord"`` (default) the distances sqrt(2 (1 - cos)) are Euclidean: classical MDS is
then exactly PCA of the weight vectors scaled to unit length, every eigenvalue of the
doubly centred matrix is >= 0 up to rounding, and the picture is a projection.
``kind="one-minus-cos"`` embeds 1 - cos itself as a distance, as one may read the paper;
that is not a Euclidean distance (it violates the triangle inequality), the doubly centred
matrix then has negative eigenvalues, which are reported (count and their share of the
absolute spectrum) and left out of the coordinates.

The coordinates come from scikit-learn's ClassicalMDS; the full eigenvalue spectrum (which
it does not keep) is computed here from the same doubly centred matrix, and the share of
variance the 2-D picture keeps is lambda_1 + lambda_2 over the sum of positive eigenvalues.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = ("chord", "one-minus-cos")


def cosine_dissimilarity(w: np.ndarray) -> np.ndarray:
    """1 - cos between the rows of w (rows of zeros are refused)."""
    w = np.asarray(w, dtype=np.float64)
    norms = np.linalg.norm(w, axis=1)
    if np.any(norms == 0):
        raise ValueError("a weight vector is zero: its cosine is undefined")
    u = w / norms[:, None]
    cos = np.clip(u @ u.T, -1.0, 1.0)
    d = 1.0 - cos
    np.fill_diagonal(d, 0.0)
    return d


@dataclass
class Embedding:
    coordinates: np.ndarray     # (n, k)
    eigenvalues: np.ndarray     # full spectrum of the doubly centred matrix, descending
    kind: str

    @property
    def negative(self) -> int:
        tol = 1e-10 * max(abs(self.eigenvalues).max(initial=0.0), 1e-300)
        return int(np.sum(self.eigenvalues < -tol))

    @property
    def negative_share(self) -> float:
        total = np.abs(self.eigenvalues).sum()
        return float(np.abs(self.eigenvalues[self.eigenvalues < 0]).sum() / total) if total else 0.0

    @property
    def kept_share(self) -> float:
        pos = self.eigenvalues[self.eigenvalues > 0]
        k = self.coordinates.shape[1]
        return float(pos[:k].sum() / pos.sum()) if pos.size else 0.0

    def summary(self) -> dict:
        return {"kind": self.kind, "points": len(self.coordinates), "kept_share": self.kept_share,
                "negative_eigenvalues": self.negative, "negative_share": self.negative_share,
                "top_eigenvalues": self.eigenvalues[:6].tolist()}


def classical_mds(w: np.ndarray, kind: str = "chord", n_components: int = 2) -> Embedding:
    """Embed the rows of w (one recorded weight vector per row) in n_components dimensions.

    >>> square = np.array([[1.0, 0], [0, 1], [-1, 0], [0, -1]])
    >>> e = classical_mds(square)
    >>> round(e.kept_share, 12), e.negative
    (1.0, 0)
    """
    from sklearn.manifold import ClassicalMDS

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    d = cosine_dissimilarity(w)
    dist = np.sqrt(2.0 * d) if kind == "chord" else d
    b = -0.5 * _double_centre(dist ** 2)
    eig = np.linalg.eigvalsh(b)[::-1]
    k = min(n_components, len(w))
    if np.sum(eig[:k] > 0) < k:  # sklearn would take square roots of negatives
        coords = np.zeros((len(w), k))
        vals, vecs = np.linalg.eigh(b)
        vals, vecs = vals[::-1][:k], vecs[:, ::-1][:, :k]
        coords = vecs * np.sqrt(np.clip(vals, 0, None))
    else:
        coords = ClassicalMDS(n_components=k, metric="precomputed").fit_transform(dist)
    return Embedding(coords, eig, kind)


def _double_centre(m: np.ndarray) -> np.ndarray:
    m = m - m.mean(axis=0, keepdims=True)
    return m - m.mean(axis=1, keepdims=True)
