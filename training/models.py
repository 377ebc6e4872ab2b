"""The paper's all-convolutional network, and torch twins of the algebra's networks.

AllConvNet: five 3x3 convolutions with stride 2 and padding 1 (32 -> 16 -> 8 -> 4 -> 2 -> 1),
batch norm without affine parameters after each of the four hidden convolutions, then the
activation; no pooling; the last convolution maps to the 10 classes. The paper gives the
parameter count (188,810) but not the widths; the default widths (64, 64, 80, 128) with
biases give 188,698, 0.06% below it. ``width_mult`` scales every hidden width.

``radius`` R (the interval of the activation, see training.activations) adds a
``RangeMonitor`` (``model.range``) counting the activation inputs outside [-R, R] per layer;
``clamp`` evaluates the activation at clip(z, -R, R).

Batch norm (``BatchStatNorm``) uses the batch's statistics in training mode and, in
evaluation mode, the exact statistics of the whole training set stored by
``optim.recompute_bn_stats``: never running averages. Perturbed and interpolated models
therefore get statistics that belong to their own weights (the policy of the issue; wrong
statistics are the classic source of wrong landscape plots).

TreeNet and DenseNet hold one flat weight vector with the algebra's names and order
(``names``), so ``bridge`` converts weights both ways by position.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from training.activations import RangeMonitor, describe, make_activation

PAPER_WIDTHS = (64, 64, 80, 128)
PAPER_PARAMETERS = 188_810
BN_EPS = 1e-5


class BatchStatNorm(nn.Module):
    """Batch norm without affine parameters (see the module docstring for the statistics)."""

    def __init__(self, channels: int, eps: float = BN_EPS):
        super().__init__()
        self.eps = eps
        self.register_buffer("mean", torch.zeros(channels))
        self.register_buffer("var", torch.ones(channels))

    def forward(self, z: torch.Tensor, stats: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
        if stats is not None:
            mean, var = stats
        elif self.training:
            mean, var = z.mean(dim=(0, 2, 3)), z.var(dim=(0, 2, 3), unbiased=False)
        else:
            mean, var = self.mean, self.var
        return (z - mean[None, :, None, None]) * torch.rsqrt(var + self.eps)[None, :, None, None]


class AllConvNet(nn.Module):
    """The paper's CIFAR-10 network.

    >>> AllConvNet().n_parameters
    188698
    >>> AllConvNet(widths=(8, 8, 8, 8))(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    """

    def __init__(self, activation: str | Sequence[float] = "relu", widths: Sequence[int] = PAPER_WIDTHS,
                 width_mult: float = 1.0, num_classes: int = 10, in_channels: int = 3,
                 radius: float | None = None, clamp: bool = False):
        super().__init__()
        if width_mult <= 0:
            raise ValueError(f"width multiplier must be > 0, got {width_mult}")
        self.widths = tuple(max(1, round(w * width_mult)) for w in widths)
        if len(self.widths) != 4:
            raise ValueError(f"the all-conv network has 4 hidden layers, got widths {widths}")
        chans = (in_channels,) + self.widths
        self.hidden = nn.ModuleList(nn.Conv2d(chans[k], chans[k + 1], 3, stride=2, padding=1)
                                    for k in range(4))
        self.norms = nn.ModuleList(BatchStatNorm(c) for c in self.widths)
        self.head = nn.Conv2d(self.widths[-1], num_classes, 3, stride=2, padding=1)
        self.act, self.range = _activation_and_monitor(activation, radius, clamp, layers=4)
        self.config = {"model": "allconv", "activation": describe(activation), "widths": list(self.widths),
                       "width_mult": width_mult, "num_classes": num_classes, "in_channels": in_channels,
                       "radius": radius, "clamp": clamp}

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def pre_norm(self, x: torch.Tensor, layer: int, stats: Sequence) -> torch.Tensor:
        """Input of norm ``layer`` (0-based), the earlier layers normalized with ``stats``."""
        for k in range(layer):
            x = self.act(self.norms[k](self.hidden[k](x), stats[k]))
        return self.hidden[layer](x)

    def forward(self, x: torch.Tensor, stats: Sequence | None = None) -> torch.Tensor:
        for k, (conv, norm) in enumerate(zip(self.hidden, self.norms)):
            z = norm(conv(x), None if stats is None else stats[k])
            if self.range is not None:
                self.range.observe(k, z)
            x = self.act(z)
        return self.head(x).flatten(1)


def _activation_and_monitor(activation, radius: float | None, clamp: bool, layers: int):
    if clamp and radius is None:
        raise ValueError("clamping needs the activation's radius")
    monitor = None if radius is None else RangeMonitor(radius, layers)
    return make_activation(activation, radius if clamp else None), monitor


# --- twins of the algebra's networks --------------------------------------------------------

def tree_nodes(depth: int = 2, shared: bool = False, bias: bool = True):
    """(level, position, label, letters) of every node of a tree, in the algebra's order;
    with shared weights the nodes of a level repeat one label.

    >>> [n[2] for n in tree_nodes()], list(tree_nodes(bias=False))[0][3]
    (['11', '12', '2'], 'uva')
    """
    for level in range(1, depth + 1):
        count = 2 ** (depth - level)
        letters = ("uvba" if level == 1 else "stec") if bias else ("uva" if level == 1 else "stc")
        for position in range(count):
            label = str(level) if shared or count == 1 else f"{level}{position + 1:0{len(str(count))}d}"
            yield level, position, label, letters


def tree_names(units: int, bias: bool = True, shared: bool = False, depth: int = 2) -> list[str]:
    """The algebra's weight names for a tree network, in its order.

    >>> tree_names(1)[:4], len(tree_names(2, bias=False, shared=True))
    (['u11_1', 'v11_1', 'b11_1', 'a11_1'], 12)
    """
    names, seen = [], set()
    for _, _, label, letters in tree_nodes(depth, shared, bias):
        if label not in seen:
            seen.add(label)
            names += [f"{letter}{label}_{j}" for j in range(1, units + 1) for letter in letters]
    return names


def dense_names(widths: Sequence[int], bias: bool = True) -> list[str]:
    """The algebra's weight names for a dense network, in its order.

    >>> dense_names((2, 1))
    ['w1_1_1', 'w1_1_2', 'b1_1']
    """
    names = []
    for layer in range(1, len(widths)):
        for i in range(1, widths[layer] + 1):
            names += [f"w{layer}_{i}_{j}" for j in range(1, widths[layer - 1] + 1)]
            names += [f"b{layer}_{i}"] if bias else []
    return names


def per_layer(activation) -> bool:
    """Whether ``activation`` is a list with one activation per hidden layer (each "relu" or
    coefficients), not one activation's coefficients.

    >>> per_layer([0.1, 0.5]), per_layer([[0.0, 0.0, 1.0], [0.0, 1.0]]), per_layer("relu")
    (False, True, False)
    """
    return isinstance(activation, (list, tuple)) and bool(activation) and all(
        isinstance(a, (str, list, tuple)) for a in activation)


def _describe_activations(activation):
    return [describe(a) for a in activation] if per_layer(activation) else describe(activation)


class _FlatWeights(nn.Module):
    def __init__(self, names: list[str], activation, dtype, generator: torch.Generator | None,
                 radius: float | None = None, clamp: bool = False, layers: int = 0):
        super().__init__()
        self.names = tuple(names)
        self.weights = nn.Parameter(torch.randn(len(names), dtype=dtype, generator=generator))
        if per_layer(activation):  # one per hidden layer (tree: per level)
            acts = [_activation_and_monitor(a, radius, clamp, layers) for a in activation]
            self.act, self.acts, self.range = None, nn.ModuleList([a for a, _ in acts]), acts[0][1]
        else:  # one module ``act``, as the checkpoints of one activation have always had it
            self.act, self.range = _activation_and_monitor(activation, radius, clamp, layers)
        self.index = {n: k for k, n in enumerate(names)}

    def act_of(self, layer: int) -> nn.Module:
        """The activation after hidden layer ``layer`` (1-based; tree: level)."""
        return self.act if self.act is not None else self.acts[layer - 1]

    def _indices(self, names) -> torch.Tensor:
        """Positions of a table of weight names in the flat vector (built once, at init)."""
        return torch.tensor([[self.index[n] for n in row] for row in names])

    def _gather(self, idx: torch.Tensor) -> torch.Tensor:
        return self.weights[idx.to(self.weights.device)]


class TreeNet(_FlatWeights):
    """Torch twin of ``algebra.networks.TreeNetwork``: f(x) for x of shape (B, 2^depth) -> (B, 1).

    >>> net = TreeNet(units=1, activation=[0.0, 1.0], dtype=torch.float64)
    >>> net.names[:2], net(torch.zeros(3, 4)).shape
    (('u11_1', 'v11_1'), torch.Size([3, 1]))
    """

    def __init__(self, units: int = 1, activation: str | Sequence[float] = (0.1, 0.5, 0.3), bias: bool = True,
                 shared: bool = False, depth: int = 2, dtype=torch.float32, generator=None,
                 radius: float | None = None, clamp: bool = False):
        super().__init__(tree_names(units, bias, shared, depth), activation, dtype, generator, radius, clamp, depth)
        self.units, self.bias, self.shared, self.depth = units, bias, shared, depth
        self._nodes = [(level, position, self._indices([[f"{c}{label}_{j}" for c in letters]
                                                        for j in range(1, units + 1)]))
                       for level, position, label, letters in tree_nodes(depth, shared, bias)]
        self.config = {"model": "tree", "units": units, "activation": _describe_activations(activation), "bias": bias,
                       "shared": shared, "depth": depth, "radius": radius, "clamp": clamp}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        values, level_outs, level = x, [], 1
        for node_level, position, idx in self._nodes:
            if node_level != level:  # the previous level is complete: it feeds this one
                values, level_outs, level = torch.stack(level_outs, dim=1), [], node_level
            p = self._gather(idx)  # (units, letters)
            z = p[:, 0] * values[:, 2 * position, None] + p[:, 1] * values[:, 2 * position + 1, None]
            if self.bias:
                z = z + p[:, 2]
            if self.range is not None:
                self.range.observe(level - 1, z)
            level_outs.append((self.act_of(level)(z) * p[:, -1]).sum(dim=1))
        return torch.stack(level_outs, dim=1)


class DenseNet(_FlatWeights):
    """Torch twin of ``algebra.networks.DenseNetwork`` (activation after every hidden layer).

    >>> DenseNet((2, 3, 1), "relu").names[-1]
    'b2_1'
    """

    def __init__(self, widths: Sequence[int] = (2, 3, 1), activation: str | Sequence[float] = (0.1, 0.5, 0.3),
                 bias: bool = True, dtype=torch.float32, generator=None):
        super().__init__(dense_names(widths, bias), activation, dtype, generator)
        self.widths, self.bias = tuple(widths), bias
        self._layers = []
        for layer in range(1, len(self.widths)):
            d_in, d = self.widths[layer - 1], self.widths[layer]
            w_idx = self._indices([[f"w{layer}_{i}_{j}" for j in range(1, d_in + 1)] for i in range(1, d + 1)])
            b_idx = self._indices([[f"b{layer}_{i}" for i in range(1, d + 1)]]) if bias else None
            self._layers.append((w_idx, b_idx))
        self.config = {"model": "dense", "widths": list(widths), "activation": _describe_activations(activation),
                       "bias": bias}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer, (w_idx, b_idx) in enumerate(self._layers, start=1):
            x = x @ self._gather(w_idx).T
            if b_idx is not None:
                x = x + self._gather(b_idx)[0]
            if layer < len(self._layers):
                x = self.act_of(layer)(x)
        return x
