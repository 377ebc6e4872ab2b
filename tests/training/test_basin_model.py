"""The basin model: closed form, zero bottoms, no spurious minima, fractal walls, seeds."""
import math

import numpy as np
import pytest
import torch

from training.basin_model import (BasinConfig, Landscape, LandscapeModel, ProtocolConfig,
                                  descent_probability_approx, descent_probability_exact, landscape_data,
                                  measure_descent, path_barrier, run_protocols, within_basin_barrier)
from training.optim import TrainConfig, gd_step, make_optimizer


def test_bad_configs_are_refused():
    with pytest.raises(ValueError, match="variant"):
        BasinConfig(variant="valleys")
    with pytest.raises(ValueError, match="bottom dimension"):
        BasinConfig(dim=5, bottom_dim=5)
    with pytest.raises(ValueError, match="rugged"):
        BasinConfig(rugged=1.5)
    with pytest.raises(ValueError, match="too many"):
        BasinConfig(variant="basin-fractal", basins=20, levels=3)


def test_exact_descent_probability_limits():
    assert descent_probability_exact(1, 1e-6, 1.0) == pytest.approx(0.5, abs=1e-6)
    assert descent_probability_exact(50, 1.0, 1.0) < 1e-20  # sigma^2 chi^2 > rho^2 almost surely
    # high dimension: the Phi(-D sigma / (2 rho))
    assert descent_probability_exact(2000, 0.001, 1.0) == pytest.approx(descent_probability_approx(2000, 0.001, 1.0),
                                                                        abs=0.01)


@pytest.mark.parametrize("d,sigma", [(5, 0.3), (20, 0.05), (100, 0.02), (400, 0.004)])
def test_closed_form_matched_by_simulation_on_a_quadratic_bowl(d, sigma):
    # a bowl: one basin whose bottom is a point (m = 0), loss ||w - c||^2
    land = Landscape(BasinConfig(dim=d, basins=1, bottom_dim=0, seed=d))
    row = measure_descent(land, sigma, rho=1.0, samples=20000, seed=1)
    exact = descent_probability_exact(d, sigma, 1.0)
    assert abs(row["measured"] - exact) < 4 * row["stderr"] + 1e-3


def test_bottoms_have_zero_loss_and_positive_loss_off_them():
    land = Landscape(BasinConfig(dim=20, basins=5, bottom_dim=4, rugged=0.3, seed=2))
    g = torch.Generator().manual_seed(0)
    for k in range(land.n_basins):
        p = land.bottom_point(k, g)
        assert float(land.loss(p)) == pytest.approx(0.0, abs=1e-24)
        assert float(land.loss(p + 0.1 * land.normal_direction(k, g))) > 0


@pytest.mark.parametrize("variant,rugged", [("basins", 0.0), ("basins", 0.2), ("basin-fractal", 0.0)])
def test_gradient_descent_from_many_starts_finds_no_local_minimum(variant, rugged):
    cfg = BasinConfig(variant=variant, dim=15, basins=4, bottom_dim=3, rugged=rugged, correlation=2.0, seed=3)
    land = Landscape(cfg)
    data = landscape_data(cfg)
    g = torch.Generator().manual_seed(5)
    tc = TrainConfig(optimizer="gd", lr=0.1, loss="value")
    scale = cfg.spread / math.sqrt(2 * cfg.dim)
    for start in range(12):
        w0 = land.centres[start % land.n_basins] + torch.randn(cfg.dim, generator=g, dtype=torch.float64) * scale
        if rugged:  # stay where the construction guarantees no spurious minimum
            d0 = math.sqrt(float(land.distances2(w0).min()))
            assert d0 < land.safe_distance()
        model = LandscapeModel(land, w0)
        opt = make_optimizer(model, tc)
        for step in range(400):
            gd_step(model, opt, data.x_train, data.y_train, tc, step)
        assert float(land.loss(model.w.detach())) < 1e-8, start


def test_fractal_has_walls_inside_a_basin_where_plain_basins_have_none():
    plain = Landscape(BasinConfig(variant="basins", dim=20, basins=4, bottom_dim=4, seed=1))
    fractal = Landscape(BasinConfig(variant="basin-fractal", dim=20, basins=4, bottom_dim=4, seed=1))
    assert within_basin_barrier(plain, pairs=5) == pytest.approx(0.0, abs=1e-12)
    assert within_basin_barrier(fractal, pairs=5) > 0.05
    # and between basins both have walls
    g = torch.Generator().manual_seed(0)
    assert path_barrier(plain, plain.bottom_point(0, g), plain.bottom_point(1, g)) > 0.5


def test_protocols_are_seeded_and_report_the_summary():
    proto = ProtocolConfig(sigmas=(0.05,), samples=500, pairs=2, steps=10, branch_at=(0, 5))
    cfg = BasinConfig(dim=12, basins=3, bottom_dim=3, seed=4)
    a, b = run_protocols(cfg, proto), run_protocols(cfg, proto)
    assert a == b
    for key in ("descent_probability", "interpolation_barrier_near", "interpolation_barrier_far", "walls_found",
                "perturbation_lowered_loss", "branch_distance", "descent_by_dimension"):
        assert key in a
    assert a["perturbation_lowered_loss"] is False  # at a zero-loss point nothing is lower
    assert not np.isnan(a["interpolation_barrier_far"])
