"""The cycle endgame: the permutation one loop makes, its cycles, and the Cauchy estimate."""
import numpy as np

from algebra.continuation.cycle_endgame import cycles, estimate, permutation


def test_a_loop_that_lands_nowhere_or_on_two_points_matches_nothing():
    starts = np.exp(2j * np.pi * np.arange(5) / 5)[:, None] * np.array([[1.0, 0.5]])
    ends = np.roll(starts, -1, axis=0) * (1 + 1e-12)
    assert permutation(ends, starts, np.ones(5, bool)).tolist() == [1, 2, 3, 4, 0]
    ends[2] = 7.0                                        # off every start
    ends[3] = ends[4]                                    # two ends on one start
    ok = np.ones(5, bool)
    ok[0] = False                                        # a loop that failed
    assert permutation(ends, starts, ok).tolist() == [-1, 2, -1, -1, -1]


def test_cycles_are_the_closed_orbits_of_a_partial_permutation():
    assert [c.tolist() for c in cycles(np.array([1, 0, 3, 4, 2, -1, 5]))] == [[0, 1], [2, 3, 4]]


def test_the_estimate_is_the_limit_finite_or_at_infinity_whatever_the_chart():
    """Samples of x(t) = t (a finite limit, x -> 0) and of x(t) = 1 / t (at infinity) on
    |t| = 0.9, in a chart a . (h0, x) = 1 whose h0 has a pole inside the circle: the mean of
    the chart's coordinates would put the finite limit at infinity."""
    t = 0.9 * np.exp(2j * np.pi * np.arange(40) / 40)
    chart = np.array([0.3, 1.0 + 0.5j])                  # a0 + a1 x = 0 at |x| = 0.27 < 0.9
    for x, h0_limit in ((t, 1 / 0.3), (1 / t, 0.0)):
        v = np.stack([np.ones_like(x), x], axis=1)
        samples = v / (v @ chart)[:, None]
        est = estimate(samples, chart)
        assert abs(est[0] - h0_limit) < 1e-9 and abs(est @ chart - 1) < 1e-12
