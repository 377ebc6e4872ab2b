"""Second-order forward mode through a network, and the loss gradient it gives.

``Jet2`` carries a value with its gradient and Hessian with respect to the weights;
``loss_gradient`` turns the outputs' jets into grad L + lambda w and its Jacobian (the
critical equations). The array library is a parameter (``xp``), so the same code runs on
numpy, torch, and numpy object arrays of flint balls (``balls``).
"""
from __future__ import annotations

from algebra.networks import _column


class Jet2:
    """A value with its gradient and Hessian with respect to the weights (second-order
    forward mode); ``h`` None is a zero Hessian (the weights themselves, data, constants)."""

    __slots__ = ("v", "g", "h")

    def __init__(self, v, g, h=None):
        self.v, self.g, self.h = v, g, h

    def __add__(self, other):
        if isinstance(other, Jet2):
            h = other.h if self.h is None else self.h if other.h is None else self.h + other.h
            return Jet2(self.v + other.v, self.g + other.g, h)
        return Jet2(self.v + other, self.g, self.h)

    __radd__ = __add__

    def __mul__(self, other):
        if isinstance(other, Jet2):
            a, b = self, other
            h = outer(a.g, b.g)
            h = h + outer(b.g, a.g)
            if a.h is not None:
                h = h + a.h * _column(_column(b.v))
            if b.h is not None:
                h = h + _column(_column(a.v)) * b.h
            return Jet2(a.v * b.v, a.g * _column(b.v) + _column(a.v) * b.g, h)
        return Jet2(self.v * other, self.g * _column(other), None if self.h is None else self.h * _column(_column(other)))

    __rmul__ = __mul__


def outer(a, b):
    return a[..., :, None] * b[..., None, :]


def loss_gradient(xp, outs, targets, w, lam, slope=None):
    """grad L + lambda w (P, W) and its Jacobian (P, W, W) from the outputs' second-order jets
    ``outs`` (one per output, over the N points) and the targets (P or 1, N, outputs); with
    ``slope`` (dy/dt, (N, outputs)) the jets also carry t as variable W, and the third value
    is d/dt of grad L (else None)."""
    p, nw = w.shape
    n = targets.shape[1]
    vals = lam[None, :] * w
    jac = xp.broadcast_to(xp.eye(nw, dtype=w.dtype) * lam[None, :], (p, nw, nw))
    dt = None if slope is None else xp.zeros_like(w)
    for o, out in enumerate(outs):
        r = xp.broadcast_to(out.v, (p, n)) - targets[..., o]                 # (P, N) residuals
        g = xp.broadcast_to(out.g, (p, n, out.g.shape[-1]))
        gw = g[..., :nw]
        vals = vals + xp.sum(r[..., None] * gw, axis=1)
        jac = jac + xp.sum(outer(gw, gw), axis=1)
        if slope is not None:
            dt = dt + xp.sum((g[..., nw] - slope[None, :, o])[..., None] * gw, axis=1)  # d residual / dt
        if out.h is not None:
            jac = jac + xp.sum(r[..., None, None] * out.h[..., :nw, :nw], axis=1)
            if slope is not None:
                dt = dt + xp.sum(r[..., None] * out.h[..., :nw, nw], axis=1)
    return vals, jac, dt
