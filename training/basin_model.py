"""The paper's basin model (section 5, appendix C) as a runnable landscape.

``Landscape`` is a loss on R^D built from flat-bottomed basins, a torch function, so the
training backend's optimizers, perturbation and interpolation run on it unchanged
(``LandscapeModel`` is an nn.Module whose one parameter is the point w):

- ``basins``: K basins. Basin k's bottom is a flat disk B_k = {c_k + U_k a : ||a|| <= R}
  of dimension m (U_k: D x m orthonormal): a degenerate zero-loss set, as the algebra finds
  for overparametrized networks. L(w) = min_k dist(w, B_k)^2. Walls: where two basins meet
  the loss rises to about (distance between bottoms / 2)^2. No spurious local minimum: each
  dist^2 to a convex set is convex with minimum 0, and a local minimum of a minimum of such
  functions is a local minimum of one of them, hence a zero.
- ``basin-fractal``: the same with hierarchical centres: K clusters, each with K
  sub-clusters, ... over ``levels`` levels; the leaves carry the bottoms. Walls then exist
  between models at every level of loss: low ones between leaves of one cluster, high ones
  between clusters.
- ``rugged`` eps > 0 multiplies by (1 + eps g(w)), g a random cosine field with |g| <= 1
  and correlation length ell (|grad g| <= 1 / ell): the bottoms stay zero, and the radial
  derivative stays positive, so no local minimum appears, within distance
  2 (1 - eps) ell / eps of the bottoms (``safe_distance``); beyond it the guarantee is gone.

Stochastic gradients: the "data" are N numbers eta_i in [-1/2, 1/2] with mean exactly 0
and the per-point loss is (1 + eta_i) L(w): minibatch gradients are noisy, the full-batch
loss is exactly L, and every point has zero loss on the bottoms (the interpolation regime).

Parameters in the paper's picture: D the number of weights; m = D - N the dimension of the
degenerate minima; K the number of basins (distinct solutions up to symmetry); spread the
distance between basins (so the height of walls); ratio how much smaller each nested level is.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

VARIANTS = ("basins", "basin-fractal")


MAX_BYTES = 2 * 2**30  # the landscape's centres and bottom bases


@dataclass
class BasinConfig:
    variant: str = "basins"        # basins | basin-fractal
    dim: int = 50                  # D: weights
    basins: int = 6                # K: basins (per level for basin-fractal)
    bottom_dim: int = 10           # m: dimension of each flat bottom (degenerate minima)
    bottom_radius: float = 1.0     # R: the bottoms are m-dimensional disks of this radius
    spread: float = 8.0            # typical distance between basin centres (walls ~ (spread/2)^2)
    levels: int = 2                # basin-fractal: nesting depth
    ratio: float = 0.25            # basin-fractal: each level's spread is the previous one times this
    rugged: float = 0.0            # eps: loss times (1 + eps g), g a cosine field in [-1, 1]
    correlation: float = 1.0       # ell: correlation length of g
    points: int = 200              # N "data points" for stochastic gradients
    seed: int = 0

    def __post_init__(self):
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, got {self.variant!r}")
        if self.dim < 2:
            raise ValueError(f"dimension must be >= 2, got {self.dim}")
        if not 0 <= self.bottom_dim < self.dim:
            raise ValueError(f"bottom dimension must be in 0..D-1 = 0..{self.dim - 1}, got {self.bottom_dim}")
        if self.basins < 1:
            raise ValueError(f"basins must be >= 1, got {self.basins}")
        leaves = self.basins ** (self.levels if self.variant == "basin-fractal" else 1)
        need = leaves * self.dim * (max(self.bottom_dim, 1) + 1) * 8  # centres and bottom bases, float64
        if need > MAX_BYTES:
            raise ValueError(f"{leaves:,} basins in dimension {self.dim} with {self.bottom_dim}-dimensional bottoms "
                             f"need {need / 2**30:.1f} GiB, above the budget of {MAX_BYTES / 2**30:g} GiB; raise "
                             "training.basin_model.MAX_BYTES to go further")
        if not 0 <= self.rugged < 1:
            raise ValueError(f"rugged must be in [0, 1), got {self.rugged}")
        if self.correlation <= 0 or self.bottom_radius < 0 or self.spread <= 0:
            raise ValueError("correlation and spread must be > 0, bottom radius >= 0")
        leaves = self.basins ** (self.levels if self.variant == "basin-fractal" else 1)
        if leaves > 4096:
            raise ValueError(f"{leaves} leaf basins is too many (limit 4096): lower --basins or levels")


class Landscape:
    """L(w) for points w of shape (..., D), float64."""

    def __init__(self, cfg: BasinConfig):
        self.cfg = cfg
        g = torch.Generator().manual_seed(cfg.seed)
        d = cfg.dim
        scale = cfg.spread / math.sqrt(2 * d)  # per-coordinate std giving centre distances ~ spread
        centres = torch.randn(cfg.basins, d, generator=g, dtype=torch.float64) * scale
        parent = torch.arange(cfg.basins)
        if cfg.variant == "basin-fractal":
            for _ in range(cfg.levels - 1):
                scale *= cfg.ratio
                kids = centres[:, None, :] + torch.randn(len(centres), cfg.basins, d, generator=g,
                                                         dtype=torch.float64) * scale
                parent = parent[:, None].expand(-1, cfg.basins).reshape(-1)
                centres = kids.reshape(-1, d)
        self.centres = centres
        self.cluster = parent  # top-level basin of every leaf
        q = torch.linalg.qr(torch.randn(len(centres), d, max(cfg.bottom_dim, 1), generator=g,
                                        dtype=torch.float64))[0]
        self.bottoms = q[:, :, :cfg.bottom_dim]  # (K, D, m)
        j = 64
        u = torch.randn(j, d, generator=g, dtype=torch.float64)
        self.freq = u / u.norm(dim=1, keepdim=True) / cfg.correlation
        self.phase = torch.rand(j, generator=g, dtype=torch.float64) * 2 * math.pi

    @property
    def n_basins(self) -> int:
        return len(self.centres)

    def distances2(self, w: torch.Tensor) -> torch.Tensor:
        """Squared distance of each point to each bottom: (..., K)."""
        v = w[..., None, :] - self.centres                       # (..., K, D)
        a = torch.einsum("...kd,kdm->...km", v, self.bottoms)    # coordinates in the bottom's plane
        if self.cfg.bottom_dim:
            norm = a.norm(dim=-1, keepdim=True)
            a = a * torch.clamp(self.cfg.bottom_radius / norm.clamp_min(1e-300), max=1.0)
        r = v - torch.einsum("...km,kdm->...kd", a, self.bottoms)
        return (r * r).sum(dim=-1)

    def ruggedness(self, w: torch.Tensor) -> torch.Tensor:
        return torch.cos(w @ self.freq.T + self.phase).mean(dim=-1)

    def loss(self, w: torch.Tensor) -> torch.Tensor:
        base = self.distances2(w).min(dim=-1).values
        if self.cfg.rugged:
            base = base * (1 + self.cfg.rugged * self.ruggedness(w))
        return base

    def basin_of(self, w: torch.Tensor) -> torch.Tensor:
        return self.distances2(w).argmin(dim=-1)

    def safe_distance(self) -> float:
        """Distance from the bottoms within which ruggedness provably adds no local minimum."""
        eps = self.cfg.rugged
        return math.inf if eps == 0 else 2 * (1 - eps) * self.cfg.correlation / eps

    def bottom_point(self, k: int, generator: torch.Generator) -> torch.Tensor:
        """A random point of bottom k (inside its disk)."""
        m = self.cfg.bottom_dim
        if m == 0:
            return self.centres[k].clone()
        a = torch.randn(m, generator=generator, dtype=torch.float64)
        a = a / a.norm() * self.cfg.bottom_radius * torch.rand(1, generator=generator, dtype=torch.float64) ** (1 / m)
        return self.centres[k] + self.bottoms[k] @ a

    def normal_direction(self, k: int, generator: torch.Generator) -> torch.Tensor:
        """A random unit vector orthogonal to bottom k's plane."""
        v = torch.randn(self.cfg.dim, generator=generator, dtype=torch.float64)
        u = self.bottoms[k]
        v = v - u @ (u.T @ v)
        return v / v.norm()


class LandscapeModel(nn.Module):
    """An nn.Module whose parameter is the point w; forward(eta) = (1 + eta) L(w), (B, 1)."""

    def __init__(self, landscape: Landscape, w0: torch.Tensor):
        super().__init__()
        self.landscape = landscape
        self.w = nn.Parameter(w0.clone().to(torch.float64))

    def forward(self, eta: torch.Tensor) -> torch.Tensor:
        return ((1 + eta.reshape(-1)) * self.landscape.loss(self.w)).reshape(-1, 1)


def landscape_data(cfg: BasinConfig):
    """The eta_i as a training Dataset (mean exactly 0)."""
    from training.data import Dataset

    g = torch.Generator().manual_seed(cfg.seed + 1)
    eta = torch.rand(cfg.points, 1, generator=g, dtype=torch.float64) - 0.5
    eta = eta - eta.mean()
    zeros = torch.zeros(cfg.points, dtype=torch.int64)
    return Dataset("landscape", eta, zeros, eta, zeros, num_classes=0)


# --- the hypervolume argument ---------------------------------------------------------------

def descent_probability_exact(d: int, sigma: float, rho: float) -> float:
    """P(||v + n|| < ||v||) for ||v|| = rho and n ~ N(0, sigma^2 I_d), exactly.

    With Z the component of n / sigma along v and Q ~ chi^2_(d-1) the rest, descent is
    sigma Z^2 + 2 rho Z + sigma Q < 0: Z between the roots when rho^2 > sigma^2 Q.

    >>> round(descent_probability_exact(1, 1.0, 1e9), 6)  # tiny steps in 1-D: half the directions
    0.5
    """
    from scipy import integrate, special

    def given(q):
        disc = rho * rho - sigma * sigma * q
        if disc <= 0:
            return 0.0
        r = math.sqrt(disc)
        return float(special.ndtr((-rho + r) / sigma) - special.ndtr((-rho - r) / sigma))

    if d == 1:
        return float(given(0.0))
    k = (d - 1) / 2  # chi^2_(d-1) density written out: scipy.stats' frozen pdf costs 50 us a call inside quad
    log_norm = k * math.log(2) + special.gammaln(k)

    def density(q):
        return math.exp((k - 1) * math.log(q) - q / 2 - log_norm) if q > 0 else (0.5 if k == 1 else 0.0)

    upper = min((rho / sigma) ** 2, special.chdtri(d - 1, 1e-15))  # beyond: chi^2 mass below 1e-15
    value, _ = integrate.quad(lambda q: given(q) * density(q), 0, upper, limit=200)
    return float(value)


def descent_probability_approx(d: int, sigma: float, rho: float) -> float:
    """The issue's high-dimensional form Phi(-d sigma / (2 rho))."""
    from scipy import stats

    return float(stats.norm.cdf(-d * sigma / (2 * rho)))


def measure_descent(landscape: Landscape, sigma: float, rho: float, samples: int, seed: int) -> dict:
    """Fraction of random perturbations N(0, sigma^2 I) that lower the loss at a point at
    distance rho from a bottom (along a normal direction), with its standard error."""
    g = torch.Generator().manual_seed(seed)
    k = int(torch.randint(landscape.n_basins, (1,), generator=g))
    w = landscape.bottom_point(k, g) + rho * landscape.normal_direction(k, g)
    base = landscape.loss(w)
    noise = torch.randn(samples, landscape.cfg.dim, generator=g, dtype=torch.float64) * sigma
    p = float((landscape.loss(w + noise) < base).double().mean())
    return {"sigma": sigma, "rho": rho, "measured": p, "stderr": math.sqrt(max(p * (1 - p), 1e-12) / samples),
            "samples": samples}


def descent_by_dimension(cfg: BasinConfig, dims=(10, 30, 100, 300), sigmas=(0.01, 0.03, 0.1, 0.3),
                         rho: float = 1.0, samples: int = 4000) -> list[dict]:
    """P(descent) measured on landscapes of several D (bottom dimension scaled with D, as
    W - N is), with the exact bowl value for the effective dimension D - m."""
    rows = []
    for d in dims:
        m = round(cfg.bottom_dim * d / cfg.dim)
        land = Landscape(BasinConfig(**{**asdict(cfg), "dim": d, "bottom_dim": min(m, d - 1)}))
        for sigma in sigmas:
            row = measure_descent(land, sigma, rho, samples, cfg.seed)
            d_eff = d - land.cfg.bottom_dim
            rows.append({**row, "dim": d, "effective_dimension": d_eff,
                         "predicted": descent_probability_exact(d_eff, sigma, rho),
                         "predicted_high_dim": descent_probability_approx(d_eff, sigma, rho)})
    return rows


# --- the paper's protocols on the landscape -------------------------------------------------

def _train(model: LandscapeModel, data, steps: int, lr: float, optimizer: str, seed: int) -> LandscapeModel:
    from training.optim import TrainConfig, gd_step, make_optimizer, sgd_epoch

    cfg = TrainConfig(optimizer=optimizer, lr=lr, batch=20, loss="value", seed=seed)
    opt = make_optimizer(model, cfg)
    g = torch.Generator().manual_seed(seed)
    for step in range(1, steps + 1):
        if optimizer == "sgd":
            sgd_epoch(model, opt, data.x_train, data.y_train, cfg, g, step)
        else:
            gd_step(model, opt, data.x_train, data.y_train, cfg, step)
    return model


def path_barrier(landscape: Landscape, a: torch.Tensor, b: torch.Tensor, points: int = 41) -> float:
    """Max loss along the straight path minus the mean of the endpoints' losses."""
    t = torch.linspace(0, 1, points, dtype=torch.float64)[:, None]
    losses = landscape.loss((1 - t) * a + t * b)
    return float(losses.max() - (losses[0] + losses[-1]) / 2)


def within_basin_barrier(land: Landscape, pairs: int = 6, seed: int = 0) -> float:
    """Mean barrier between two zero-loss points of one top-level basin: two points of one
    bottom for ``basins`` (0: the bottom is convex), two different leaves of one cluster
    for ``basin-fractal`` (the walls inside a basin)."""
    g = torch.Generator().manual_seed(seed + 3)
    out = []
    for _ in range(pairs):
        k = int(torch.randint(land.n_basins, (1,), generator=g))
        same = (land.cluster == land.cluster[k]).nonzero().flatten()
        others = [int(j) for j in same if int(j) != k]
        j = others[int(torch.randint(len(others), (1,), generator=g))] if others else k
        out.append(path_barrier(land, land.bottom_point(k, g), land.bottom_point(j, g)))
    return float(np.mean(out))


@dataclass
class ProtocolConfig:
    sigmas: tuple = (0.01, 0.03, 0.1, 0.3)   # perturbation sizes for the descent probability
    rho: float = 1.0                          # distance from the bottom where it is measured
    samples: int = 4000
    pairs: int = 6                            # trajectory pairs for the interpolation protocols
    steps: int = 60                           # SGD epochs per trajectory
    lr: float = 0.05
    branch_at: tuple = (0, 5, 20)             # epochs at which branches split off the main run
    perturb: float = 0.5                      # branch perturbation, x std of w

    def __post_init__(self):
        if self.pairs < 1:
            raise ValueError(f"pairs must be >= 1, got {self.pairs}")
        if self.branch_at and self.steps <= max(self.branch_at):
            raise ValueError(f"steps must exceed the last branch epoch {max(self.branch_at)}, got {self.steps}")


def run_protocols(cfg: BasinConfig, proto: ProtocolConfig = ProtocolConfig(), progress=None) -> dict:
    """Descent probabilities, interpolation near/far, perturb-and-retrain, branching."""
    from training.trajectories import perturb

    land = Landscape(cfg)
    data = landscape_data(cfg)
    d_eff = cfg.dim - cfg.bottom_dim  # directions along the bottom do not change the loss
    descent = []
    for sigma in proto.sigmas:
        row = measure_descent(land, sigma, proto.rho, proto.samples, cfg.seed)
        row["predicted"] = descent_probability_exact(d_eff, sigma, proto.rho)
        row["predicted_high_dim"] = descent_probability_approx(d_eff, sigma, proto.rho)
        descent.append(row)
    g = torch.Generator().manual_seed(cfg.seed + 2)
    scale = cfg.spread / math.sqrt(2 * cfg.dim)
    near, far, lowered, walls, distances = [], [], 0, 0, []
    for pair in range(proto.pairs):
        start = torch.randn(cfg.dim, generator=g, dtype=torch.float64) * scale * 1.5
        other = torch.randn(cfg.dim, generator=g, dtype=torch.float64) * scale * 1.5
        a = _train(LandscapeModel(land, start), data, proto.steps, proto.lr, "sgd", seed=100 * pair + 1)
        b = _train(LandscapeModel(land, start), data, proto.steps, proto.lr, "sgd", seed=100 * pair + 2)
        c = _train(LandscapeModel(land, other), data, proto.steps, proto.lr, "sgd", seed=100 * pair + 3)
        near.append(path_barrier(land, a.w.detach(), b.w.detach()))
        far.append(path_barrier(land, a.w.detach(), c.w.detach()))
        walls += far[-1] > 1e-6
        # perturb the converged model: does any perturbation lower the loss?
        before = float(land.loss(a.w.detach()))
        for r in range(3):
            shaken = perturb(LandscapeModel(land, a.w.detach()), proto.perturb, seed=1000 * pair + r)
            lowered += float(land.loss(shaken.w.detach())) < before
        # branching: earlier branches end farther from the main run's final model
        main = LandscapeModel(land, start)
        row = []
        done = 0
        for at in sorted(proto.branch_at):
            _train(main, data, at - done, proto.lr, "sgd", seed=100 * pair + 5 + at)
            done = at
            branch = perturb(LandscapeModel(land, main.w.detach()), proto.perturb, seed=7 * pair + at)
            _train(branch, data, proto.steps - at, proto.lr, "sgd", seed=100 * pair + 6 + at)
            row.append((at, branch.w.detach().clone()))
        _train(main, data, proto.steps - done, proto.lr, "sgd", seed=100 * pair + 9)
        distances.append([float((w - main.w.detach()).norm()) for _, w in row])
        if progress:
            progress(pair + 1, proto.pairs)
    within = within_basin_barrier(land, pairs=proto.pairs, seed=cfg.seed)
    by_dim = descent_by_dimension(cfg, sigmas=proto.sigmas, rho=proto.rho, samples=proto.samples)
    return {"variant": cfg.variant, "config": asdict(cfg), "protocol": asdict(proto),
            "interpolation_barrier_within_basin": within, "descent_by_dimension": by_dim,
            "effective_dimension": d_eff, "descent_probability": descent,
            "interpolation_barrier_near": float(np.mean(near)), "interpolation_barrier_far": float(np.mean(far)),
            "barriers_near": near, "barriers_far": far, "walls_found": int(walls), "pairs": proto.pairs,
            "perturbation_lowered_loss": bool(lowered), "perturbations_lowering_loss": int(lowered),
            "branch_at": list(sorted(proto.branch_at)),
            "branch_distance": [float(np.mean([r[i] for r in distances])) for i in range(len(proto.branch_at))],
            "safe_distance": land.safe_distance(), "basins": land.n_basins}


# --- the model next to a network experiment ----------------------------------------------------

def _ratio(near, far):
    return None if near is None or not far else near / far


def network_summary(run_dir: str) -> dict:
    """A network experiment's summary.json, checked for what the comparison needs
    (ValueError naming the folder otherwise)."""
    import json
    import os

    path = os.path.join(run_dir, "summary.json")
    try:
        with open(path) as f:
            net = json.load(f)
    except FileNotFoundError:
        raise ValueError(f"{run_dir}: no summary.json there (run `landscape experiment` first)") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is damaged: {exc}") from None
    except OSError as exc:
        raise ValueError(f"{run_dir}: cannot read {path} ({exc.strerror}): give an experiment's folder") from None
    if "interpolation_barrier_near" not in net or net.get("interpolation_barrier_near") is None:
        raise ValueError(f"{run_dir}: experiment {net.get('experiment')!r} has no interpolation barriers "
                         "(use sgd-stages, random-labels or gd-branches that ended done)")
    return net


def compare_with_network(runs: list[dict], net: dict, run_dir: str) -> dict:
    """The model's summary numbers next to a network experiment's."""
    rows = [{"source": "network", "experiment": net.get("experiment"),
             "barrier_near": net["interpolation_barrier_near"], "barrier_far": net["interpolation_barrier_far"],
             "near_over_far": _ratio(net["interpolation_barrier_near"], net["interpolation_barrier_far"]),
             "perturbation_lowered_loss": net.get("perturbation_lowered_loss")}]
    for r in runs:
        rows.append({"source": r["variant"], "barrier_near": r["interpolation_barrier_within_basin"],
                     "barrier_far": r["interpolation_barrier_far"],
                     "near_over_far": _ratio(r["interpolation_barrier_within_basin"], r["interpolation_barrier_far"]),
                     "perturbation_lowered_loss": r["perturbation_lowered_loss"]})
    target = rows[0]["near_over_far"]
    closest = None
    if target is not None:
        closest = min(rows[1:], key=lambda r: abs((r["near_over_far"] or 0) - target))["source"]
    return {"network_run": run_dir, "rows": rows, "resembles": closest,
            "rule": "the variant whose within-basin barrier / far barrier is closest to the network's "
                    "near / far barrier (a ratio, so error and loss units cancel)"}
