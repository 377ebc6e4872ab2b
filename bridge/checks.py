"""Each world checks the other.

- ``trained_solutions``: a network with a polynomial activation trained in torch (float64,
  L-BFGS) to zero loss from many seeds; every solution is checked by the algebra: residual
  of the zero-loss system, local dimension (W - N expected when N <= F), Hessian nullity
  from the algebra's critical system, and witness-set membership when a witness set is
  asked for; distances between the solutions of different seeds.
- ``algebra_solutions``: real critical points found by homotopy continuation loaded into
  the torch twin; the loss, gradient norm and Hessian eigenvalues computed by autograd are
  compared with the algebra's.
"""
from __future__ import annotations

import numpy as np
import torch

from algebra.critical import critical_points, inertia
from algebra.dimension import functional_dimension, local_dimension
from algebra.networks import Network
from algebra.solve import relative_residual
from algebra.systems import Data, critical_system, l2_weights, zero_loss_system
from bridge.twins import get_weights, torch_derivatives, torch_twin, twin_loss

ZERO = 1e-10  # relative residual of an accepted trained zero-loss point


def train_to_zero_loss(net: Network, data: Data, seed: int, max_iter: int = 400) -> tuple[np.ndarray, float]:
    """L-BFGS (strong Wolfe) on 1/2 sum (f(x_i) - y_i)^2 in float64 from a seeded Gaussian start."""
    g = torch.Generator().manual_seed(seed)
    twin = torch_twin(net, torch.randn(net.n_weights, generator=g, dtype=torch.float64).numpy())
    opt = torch.optim.LBFGS([twin.weights], lr=1.0, max_iter=max_iter, tolerance_grad=1e-15,
                            tolerance_change=1e-30, history_size=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = twin_loss(twin, twin.weights, data.x, data.y)
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        loss = float(twin_loss(twin, twin.weights, data.x, data.y))
    return get_weights(twin), loss


def _member(wit, w: np.ndarray, seed: int, tries: int = 3) -> bool | None:
    """Witness-set membership; a membership homotopy can lose a path, so a few seeds are
    tried; None when every try lost one (reported, never guessed)."""
    from algebra.errors import SpecError
    from algebra.witness import is_member

    for k in range(tries):
        try:
            return is_member(wit, w, seed=seed + k)
        except SpecError:
            continue
    return None


def trained_solutions(net: Network, data: Data, seeds, with_witness: bool = False, seed: int = 0) -> dict:
    """Train from every seed, keep the zero-loss solutions, check each with the algebra."""
    system = zero_loss_system(net, data)
    grad = critical_system(net, data)
    f = functional_dimension(net, seed=seed).dimension
    n = data.n_points * net.n_outputs
    predicted = net.n_weights - n
    wit = None
    if with_witness:
        from algebra.witness import witness

        wit = witness(system, seed=seed, loops=0)
    rows, points = [], []
    for s in seeds:
        w, loss = train_to_zero_loss(net, data, s)
        residual = relative_residual(system, w.astype(complex))
        row = {"seed": int(s), "loss": loss, "residual": residual, "zero_loss": bool(residual < ZERO)}
        if row["zero_loss"]:
            local = local_dimension(net, data, w)
            _, nullity, index, rank = inertia(grad.jacobian(w))
            decided = n <= f and local.rank.confident  # a float rank with a small gap is no evidence
            row.update(local_dimension=local.dimension, smooth=local.smooth, hessian_nullity=nullity,
                       hessian_index=index, rank_confident=local.rank.confident,
                       consistent=(local.dimension == predicted == nullity) if decided else None)
            if wit is not None and wit.components:
                row["witness_member"] = _member(wit, w, seed)
            points.append(w)
        rows.append(row)
    distances = [float(np.linalg.norm(a - b)) for i, a in enumerate(points) for b in points[i + 1:]]
    return {"network": net.describe(), "data": data.n_points, "weights": net.n_weights,
            "functional_dimension": f, "predicted_dimension": predicted, "seeds": len(rows),
            "solutions": len(points), "rows": rows,
            "witness_degree": None if wit is None else sum(c.degree for c in wit.components),
            "distance_min": min(distances) if distances else None,
            "distance_max": max(distances) if distances else None,
            "all_consistent": all(r.get("consistent", True) is not False for r in rows if r["zero_loss"]),
            "undecided": sum(1 for r in rows if r["zero_loss"] and r.get("rank_confident") is False)}


def algebra_solutions(net: Network, data: Data, l2=None, seed: int = 0, result=None) -> dict:
    """Real critical points from the algebra, evaluated again by the torch twin."""
    lam = l2_weights(net, l2, seed)
    result = result if result is not None else critical_points(net, data, l2=lam, seed=seed)
    rows = []
    for p in result.points:
        d = torch_derivatives(torch_twin(net, p.weights), data.x, data.y, lam)
        ev = np.linalg.eigvalsh((d["hessian"] + d["hessian"].T) / 2)
        scale = max(np.abs(p.eigenvalues).max(), 1.0)
        rows.append({"kind": p.kind, "algebra_loss": p.loss, "torch_loss": d["loss"],
                     "loss_difference": abs(p.loss - d["loss"]),
                     "torch_gradient_norm": float(np.linalg.norm(d["gradient"])),
                     "eigenvalue_difference": float(np.abs(np.sort(ev) - np.sort(p.eigenvalues)).max() / scale)})
    worst = lambda key: max((r[key] for r in rows), default=0.0)  # noqa: E731
    return {"points": len(rows), "complex_nonsingular": result.complex_nonsingular, "rows": rows,
            "max_loss_difference": worst("loss_difference"),
            "max_gradient_norm": worst("torch_gradient_norm"),
            "max_eigenvalue_difference": worst("eigenvalue_difference"),
            "agree": bool(rows) and worst("loss_difference") < 1e-9 and worst("torch_gradient_norm") < 1e-7
            and worst("eigenvalue_difference") < 1e-7}
