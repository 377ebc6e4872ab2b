"""Activations for the training backend: ReLU, or a polynomial from plain coefficients.

Specs (DESIGN.md) are resolved to coefficient lists by ``bridge``; this package takes
``"relu"`` or a sequence p0..pd and never parses polynomial specs itself (no sympy here).

Range: a polynomial approximant of ReLU is only close to ReLU on its interval [-R, R] and
grows like (z/R)^d outside it, so the models count, per layer, the fraction of the
activation's inputs outside [-R, R] (``RangeMonitor``); ``clamp`` evaluates s(clip(z, -R, R))
instead, which keeps values bounded but makes the network no longer polynomial.
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

    def __init__(self, coefficients: Sequence[float], clamp: float | None = None):
        super().__init__()
        coefficients = [float(c) for c in coefficients]
        if len(coefficients) < 2 or all(c == 0 for c in coefficients[1:]):
            raise ValueError(f"a polynomial activation needs p0, p1, ... with some p_k != 0 for k >= 1, "
                             f"got {coefficients}")
        if clamp is not None and not 0 < clamp < float("inf"):
            raise ValueError(f"clamp must be a positive radius, got {clamp}")
        self.register_buffer("coefficients", torch.tensor(coefficients, dtype=torch.float64))
        self.clamp = clamp

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if self.clamp is not None:
            z = z.clamp(-self.clamp, self.clamp)
        c = self.coefficients.to(z.dtype)
        out = torch.full_like(z, 0.0) + c[-1]
        for k in range(len(c) - 2, -1, -1):
            out = out * z + c[k]
        return out

    def extra_repr(self) -> str:
        clamp = "" if self.clamp is None else f", clamp={self.clamp:g}"
        return "p=" + ",".join(f"{c:g}" for c in self.coefficients.tolist()) + clamp


class RangeMonitor:
    """Counts, per layer, the activation inputs z with |z| > radius while ``active``.

    Models call ``observe(layer, z)`` on every activation input; the counts stay on z's
    device (no host synchronization per batch) until ``fractions()`` reads them. Inactive
    during training steps (vmapped and compiled steps must not write Python state).

    >>> m = RangeMonitor(1.0, layers=1)
    >>> with m.counting():
    ...     m.observe(0, torch.tensor([0.5, -2.0, 1.0, 3.0]))
    >>> m.fractions(), m.peaks()
    ([0.5], [3.0])
    """

    def __init__(self, radius: float, layers: int):
        if not 0 < radius < float("inf"):
            raise ValueError(f"radius must be positive and finite, got {radius}")
        self.radius, self.layers, self.active = float(radius), layers, False
        self.reset()

    def reset(self) -> None:
        self._outside = [0] * self.layers
        self._total = [0] * self.layers
        self._peak = [0.0] * self.layers

    def observe(self, layer: int, z: torch.Tensor) -> None:
        if not self.active:
            return
        with torch.no_grad():
            a = z.detach().abs()
            self._outside[layer] = self._outside[layer] + (a > self.radius).sum()
            self._total[layer] += a.numel()
            self._peak[layer] = torch.maximum(torch.as_tensor(self._peak[layer], device=a.device),
                                              a.max() if a.numel() else a.new_zeros(()))

    def counting(self):
        """A block in which inputs are counted (from zero)."""
        import contextlib

        @contextlib.contextmanager
        def block():
            self.reset()
            self.active = True
            try:
                yield self
            finally:
                self.active = False
        return block()

    def fractions(self) -> list[float | None]:
        return [float(o) / t if t else None for o, t in zip(self._outside, self._total)]

    def peaks(self) -> list[float]:
        """max |z| per layer (nan stays nan: a diverged network shows it)."""
        return [float(p) for p in self._peak]


def make_activation(activation: str | Sequence[float], clamp: float | None = None) -> nn.Module:
    """``"relu"`` or coefficients p0..pd (evaluated at clip(z, -clamp, clamp) when given).

    >>> make_activation("relu")
    ReLU()
    >>> make_activation([0.1, 0.5, 0.3])
    Polynomial(p=0.1,0.5,0.3)
    """
    if isinstance(activation, str):
        if activation.strip().lower() == "relu":
            if clamp is not None:
                raise ValueError("clamping applies to polynomial activations, not to relu")
            return nn.ReLU()
        raise ValueError(f"activation {activation!r}: the training backend takes 'relu' or a list of "
                         "polynomial coefficients (bridge resolves specs such as poly:... or relu-minimax:4)")
    return Polynomial(activation, clamp)


def describe(activation: str | Sequence[float]) -> str | list[float]:
    return activation if isinstance(activation, str) else [float(c) for c in activation]
