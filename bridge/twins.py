"""One network in both worlds: algebra weight vectors and torch twins, both ways.

The torch twins (training.models.TreeNet, DenseNet) hold one flat weight vector with the
algebra's names in the algebra's order, so conversion is by position; the names are
checked, never assumed.
"""
from __future__ import annotations

import numpy as np
import torch

from algebra.errors import SpecError
from algebra.networks import DenseNetwork, Network, TreeNetwork


def training_activation(spec: str, radius: float | None = None):
    """A DESIGN.md activation spec as the training backend takes it: "relu" or p0..pd
    (bridge.activation_specs.resolve has the interval too).

    >>> training_activation("relu"), training_activation("poly:0.1,0.5,0.3")
    ('relu', [0.1, 0.5, 0.3])
    """
    from bridge.activation_specs import resolve

    return resolve(spec, radius).backend


def torch_twin(net: Network, weights=None, dtype=torch.float64):
    """The torch module computing the same function as ``net`` (weights: algebra order).

    >>> from algebra.networks import TreeNetwork
    >>> twin = torch_twin(TreeNetwork(units=1), np.arange(12.0))
    >>> twin.names[:3], get_weights(twin)[2]
    (('u11_1', 'v11_1', 'b11_1'), np.float64(2.0))
    """
    from training.models import DenseNet, TreeNet

    acts = [a.float_coefficients() for a in net.activations]
    coefficients = acts if isinstance(net.activation, tuple) else net.activation.float_coefficients()
    if isinstance(net, TreeNetwork):
        twin = TreeNet(units=net.units, activation=coefficients, bias=net.bias, shared=net.shared,
                       depth=net.depth, dtype=dtype)
    elif isinstance(net, DenseNetwork):
        twin = DenseNet(widths=net.widths, activation=coefficients, bias=net.bias, dtype=dtype)
    else:
        raise SpecError(f"no torch twin for {type(net).__name__}")
    if twin.names != net.weight_names:
        raise AssertionError("the torch twin's weight names differ from the algebra's")
    if weights is not None:
        set_weights(twin, weights)
    return twin


def set_weights(twin, weights) -> None:
    w = np.asarray(weights)
    if np.iscomplexobj(w):
        if np.abs(w.imag).max(initial=0.0) > 1e-8 * (1 + np.abs(w).max(initial=0.0)):
            raise SpecError("complex weights have no torch twin: only real solutions can be loaded")
        w = w.real
    if w.shape != (len(twin.names),):
        raise SpecError(f"weights must have shape ({len(twin.names)},), got {w.shape}")
    with torch.no_grad():
        twin.weights.copy_(torch.as_tensor(w, dtype=twin.weights.dtype))


def get_weights(twin) -> np.ndarray:
    """The twin's weights as an algebra weight vector (float64, algebra order)."""
    return twin.weights.detach().cpu().double().numpy().copy()


def torch_derivatives(twin, x, y, l2=None) -> dict:
    """Loss, gradient and Hessian of the twin's loss at its weights (torch.func)."""
    from torch.func import grad, jacrev  # reverse over reverse: torch's forward mode warns on 2.14

    w0 = twin.weights.detach().clone()

    def f(w):
        return twin_loss(twin, w, x, y, l2)

    return {"loss": float(f(w0)), "gradient": grad(f)(w0).numpy(), "hessian": jacrev(grad(f))(w0).numpy()}


def twin_loss(twin, w, x, y, l2=None):
    """The algebra's loss 1/2 sum_i ||f(x_i) - y_i||^2 (+ 1/2 sum_k l2_k w_k^2) of the twin at
    weights ``w`` (a tensor: differentiable in w, the module's own weights untouched)."""
    from torch.func import functional_call

    xt = torch.as_tensor(np.asarray(x), dtype=w.dtype)
    yt = torch.as_tensor(np.asarray(y), dtype=w.dtype)
    out = functional_call(twin, {"weights": w}, (xt,))
    loss = 0.5 * ((out - yt) ** 2).sum()
    if l2 is not None:
        loss = loss + 0.5 * (torch.as_tensor(np.asarray(l2), dtype=w.dtype) * w ** 2).sum()
    return loss
