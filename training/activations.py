"""Activations for the training backend: ReLU, or a polynomial from plain coefficients.

Specs (DESIGN.md) are resolved to coefficient lists by ``bridge``; this package takes
``"relu"`` or a sequence p0..pd and never parses polynomial specs itself (no sympy here).
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn


class Polynomial(nn.Module):
    """s(z) = p0 + p1 z + ... + pd z^d by Horner's rule (coefficients are a buffer: they
    follow the module's device and dtype and are saved with it, but are not trained).

    >>> Polynomial([0.0, 1.0, 0.5])(torch.tensor([2.0])).tolist()
    [4.0]
    """

    def __init__(self, coefficients: Sequence[float]):
        super().__init__()
        coefficients = [float(c) for c in coefficients]
        if len(coefficients) < 2 or all(c == 0 for c in coefficients[1:]):
            raise ValueError(f"a polynomial activation needs p0, p1, ... with some p_k != 0 for k >= 1, "
                             f"got {coefficients}")
        self.register_buffer("coefficients", torch.tensor(coefficients, dtype=torch.float64))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        c = self.coefficients.to(z.dtype)
        out = torch.full_like(z, 0.0) + c[-1]
        for k in range(len(c) - 2, -1, -1):
            out = out * z + c[k]
        return out

    def extra_repr(self) -> str:
        return "p=" + ",".join(f"{c:g}" for c in self.coefficients.tolist())


def make_activation(activation: str | Sequence[float]) -> nn.Module:
    """``"relu"`` or coefficients p0..pd.

    >>> make_activation("relu")
    ReLU()
    >>> make_activation([0.1, 0.5, 0.3])
    Polynomial(p=0.1,0.5,0.3)
    """
    if isinstance(activation, str):
        if activation.strip().lower() == "relu":
            return nn.ReLU()
        raise ValueError(f"activation {activation!r}: the training backend takes 'relu' or a list of "
                         "polynomial coefficients (bridge resolves specs such as poly:... or relu-minimax:4)")
    return Polynomial(activation)


def describe(activation: str | Sequence[float]) -> str | list[float]:
    return activation if isinstance(activation, str) else [float(c) for c in activation]
