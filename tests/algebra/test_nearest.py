"""algebra.nearest: the direct comparison answers as scipy's cKDTree does (the tree is the
independent computation), on random clouds with repeated points, for every query."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.spatial import cKDTree

from algebra import nearest
from algebra.nearest import Points


def test_no_points_no_answers():
    empty = Points(np.zeros((0, 3)))
    assert empty.data.shape == (0, 3)
    assert empty.ball(np.zeros(3), 1.0) == [] and empty.pairs(1.0).shape == (0, 2)


def test_a_missing_neighbour_is_inf_and_n():
    d, i = Points(np.array([[0.0], [10.0]])).nearest(np.array([[1.0]]), k=3, bound=5.0)
    assert d.tolist() == [[1.0, np.inf, np.inf]] and i.tolist() == [[0, 2, 2]]


clouds = st.tuples(st.integers(1, 40), st.integers(1, 4), st.integers(0, 2**32 - 1))


def _cloud(n, d, seed):
    rng = np.random.default_rng(seed)
    pts = rng.integers(-3, 4, size=(n, d)) / 2.0           # a lattice: ties and repeated points
    return pts, rng.integers(-3, 4, size=(5, d)) / 2.0 + rng.normal(scale=1e-3, size=(5, d))


@settings(max_examples=60, deadline=None)
@given(clouds, st.sampled_from([0.3, 1.0, 2.2]), st.sampled_from([2.0, np.inf]))
def test_direct_answers_are_the_trees(cloud, r, p):
    pts, queries = _cloud(*cloud)
    tree, near = cKDTree(pts), Points(pts)
    assert near._direct(len(pts))
    for q in queries:
        assert near.ball(q, r, p=p) == sorted(tree.query_ball_point(q, r, p=p))
    assert set(map(tuple, near.pairs(r, p=p).tolist())) == tree.query_pairs(r, p=p)
    for k in (1, 2):
        d, i = near.nearest(queries, k=k, bound=r)
        td, ti = tree.query(queries, k=k, distance_upper_bound=r)
        np.testing.assert_allclose(d, td, rtol=1e-12)
        # among equidistant neighbours either index is right: compare the distances they give
        got = np.where(i < len(pts), np.linalg.norm(pts[np.minimum(i, len(pts) - 1)] - queries[:, None] if k > 1
                                                      else pts[np.minimum(i, len(pts) - 1)] - queries, axis=-1), np.inf)
        np.testing.assert_allclose(got, td, rtol=1e-12)


def test_many_points_go_to_the_tree(monkeypatch):
    monkeypatch.setattr(nearest, "DIRECT", 4)
    pts = np.arange(20.0).reshape(10, 2)
    near = Points(pts)
    assert not near._direct(1)
    assert near.ball(pts[3], 3.0) == [2, 3, 4] and near.pairs(1.5).tolist() == []
    assert near._tree is not None
