"""SGD and exact full-batch gradient descent, for one model or K models at once.

Full-batch GD is gradient descent on the loss of the whole training set with batch-norm
statistics over the whole set, as if the set were one batch, computed in chunks so memory
stays bounded: the statistics of layer l are sums over chunks of functions of the weights
(and of the statistics of the layers below), and every chunk's computation is wrapped in
``torch.utils.checkpoint``, so autograd keeps only the small sums and recomputes a chunk's
activations during the backward pass. The gradient is the exact one of the one-big-batch
loss, including the dependence of the statistics on the weights (tested to 1e-6).
Cost: about (L + 1) / 2 + 1 forward passes per step for L normalized layers, plus backward.

K models at once (``MultiSGD``) stack their parameters (torch.func.stack_module_state)
and take vmapped gradients, each model with its own batch order, and match K separate runs.
"""
from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, field
from typing import Sequence

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

OPTIMIZERS = ("sgd", "gd")
LOSSES = ("cross-entropy", "mse", "value")


@dataclass
class TrainConfig:
    optimizer: str = "sgd"            # "sgd" (minibatches) or "gd" (full batch, exact gradient)
    epochs: int = 10
    lr: float = 0.01                  # the paper's SGD learning rate
    batch: int = 100                  # the paper's batch size (sgd)
    momentum: float = 0.0             # the paper's plain SGD
    clip: float | None = None         # max global gradient norm; None: no clipping
    chunk: int = 1000                 # images per chunk in full-set passes (memory bound)
    loss: str = "cross-entropy"       # "mse": 1/2 ||f - y||^2 averaged over points (twins);
    #                                   "value": the model's output is the point's loss (landscapes)
    seed: int = 0                     # batch order (and, in callers, initialization)
    checkpoint_every: int = 1         # epochs between checkpoints

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {self.loss!r}")
        for name in ("epochs", "batch", "chunk", "checkpoint_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < (0 if name == "epochs" else 1):
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if self.clip is not None and not self.clip > 0:
            raise ValueError(f"clip must be > 0, got {self.clip}")

    def as_dict(self) -> dict:
        return asdict(self)


class NonFiniteLoss(FloatingPointError):
    """The loss became inf or nan (polynomial networks can blow up)."""

    def __init__(self, epoch: int | None, step: int | None, value: float, where: str | None = None):
        where = where or (f"epoch {epoch}" + ("" if step is None else f", step {step}"))
        super().__init__(f"non-finite loss ({value}) in {where}: training stopped; "
                         "lower --lr, add --clip, or use a lower-degree activation")
        self.epoch, self.step, self.value, self.where = epoch, step, value, where

    def __reduce__(self):  # units of work raise it in worker processes: it must cross back intact
        return type(self), (self.epoch, self.step, self.value, self.where)


def point_losses(output: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    """Per-point losses: cross-entropy, 1/2 ||f(x) - y||^2, or the output itself ("value")."""
    if kind == "cross-entropy":
        return F.cross_entropy(output, target, reduction="none")
    if kind == "value":
        return output.reshape(len(output), -1)[:, 0]
    return 0.5 * ((output - target.reshape(output.shape)) ** 2).sum(dim=1)


def _chunks(n: int, size: int) -> list[slice]:
    return [slice(s, min(s + size, n)) for s in range(0, n, size)]


def _norm_layers(model) -> int:
    return len(getattr(model, "norms", ()))


def _stat_sums(model, layer: int, x: torch.Tensor, *flat: torch.Tensor) -> torch.Tensor:
    stats = list(zip(flat[0::2], flat[1::2]))
    z = model.pre_norm(x, layer, stats)
    return torch.stack([z.sum(dim=(0, 2, 3)), (z * z).sum(dim=(0, 2, 3))])


KEEP_BYTES = 1 << 30  # whole-set activations kept between layers up to this size (else recomputed)


def _layer_bytes(model, x: torch.Tensor) -> int | None:
    """Bytes of the largest (input, output) pair of a normalized layer over the whole set,
    for models built as hidden convolutions, norms and one activation (else None)."""
    if not all(hasattr(model, a) for a in ("hidden", "norms", "act")):
        return None
    with torch.no_grad():
        h, worst = x[:1], 0
        for conv, norm in zip(model.hidden, model.norms):
            z = conv(h)
            worst = max(worst, h.numel() + z.numel())
            h = model.act(norm(z, (z.mean(dim=(0, 2, 3)), z.var(dim=(0, 2, 3), unbiased=False))))
    return worst * x.element_size() * len(x)


@torch.no_grad()
def _stats_keeping_activations(model, x: torch.Tensor, chunk: int) -> list:
    """``full_set_stats`` (the same operations in the same order: bitwise the same result)
    with each layer's outputs kept for the next layer instead of recomputed from the input:
    one forward pass instead of L(L+1)/2 layer passes."""
    inputs, stats = [x[s] for s in _chunks(len(x), chunk)], []
    for layer, (conv, norm) in enumerate(zip(model.hidden, model.norms)):
        zs = [conv(h) for h in inputs]
        total = None
        for z in zs:
            part = torch.stack([z.sum(dim=(0, 2, 3)), (z * z).sum(dim=(0, 2, 3))])
            total = part if total is None else total + part
        count = len(x) * math.prod(zs[0].shape[2:])
        mean = total[0] / count
        var = (total[1] / count - mean * mean).clamp_min(0)
        stats.append((mean, var))
        if layer + 1 < len(model.hidden):
            inputs = [model.act(norm(z, (mean, var))) for z in zs]
    return stats


def full_set_stats(model, x: torch.Tensor, chunk: int, differentiable: bool = False) -> list:
    """Per norm layer (mean, biased variance) over the whole set, layer by layer."""
    if not differentiable and (size := _layer_bytes(model, x)) is not None and size <= KEEP_BYTES:
        return _stats_keeping_activations(model, x, chunk)
    stats, flat = [], []
    for layer in range(_norm_layers(model)):
        total, count = None, 0
        for s in _chunks(len(x), chunk):
            if differentiable:
                part = checkpoint(_stat_sums, model, layer, x[s], *flat, use_reentrant=False)
            else:
                with torch.no_grad():
                    part = _stat_sums(model, layer, x[s], *flat)
            total = part if total is None else total + part
        with torch.no_grad():
            spatial = model.pre_norm(x[:1], layer, stats).shape[2:]
        count = len(x) * math.prod(spatial)
        mean = total[0] / count
        var = (total[1] / count - mean * mean).clamp_min(0)
        stats.append((mean, var))
        flat += [mean, var]
    return stats


@torch.no_grad()
def recompute_bn_stats(model, x: torch.Tensor, chunk: int = 1000) -> None:
    """Store the exact whole-training-set statistics in every norm layer (evaluation mode
    uses them). Called after every update that is not a training step: perturbation,
    interpolation, loading, and before every evaluation."""
    for norm, (mean, var) in zip(getattr(model, "norms", ()), full_set_stats(model, x, chunk)):
        norm.mean.copy_(mean)
        norm.var.copy_(var)


def _chunk_loss(model, kind: str, x: torch.Tensor, y: torch.Tensor, *flat: torch.Tensor) -> torch.Tensor:
    stats = list(zip(flat[0::2], flat[1::2])) if flat else None
    out = model(x, stats) if stats is not None else model(x)
    return point_losses(out, y, kind).sum()


def full_batch_loss(model, x: torch.Tensor, y: torch.Tensor, kind: str, chunk: int) -> torch.Tensor:
    """The whole-set training loss (mean over points, batch statistics of the whole set),
    differentiable in the weights, built chunk by chunk."""
    stats = full_set_stats(model, x, chunk, differentiable=True)
    flat = [t for pair in stats for t in pair]
    if len(x) <= chunk:  # one chunk: recomputing it in the backward pass would save no memory
        return _chunk_loss(model, kind, x, y, *flat) / len(x)
    total = None
    for s in _chunks(len(x), chunk):
        part = checkpoint(_chunk_loss, model, kind, x[s], y[s], *flat, use_reentrant=False)
        total = part if total is None else total + part
    return total / len(x)


@torch.no_grad()
def evaluate(model, x: torch.Tensor, y: torch.Tensor, kind: str = "cross-entropy", chunk: int = 1000) -> dict:
    """Loss and error (classification) of the model in evaluation mode on a whole set."""
    was = model.training
    model.eval()
    loss, wrong = 0.0, 0
    for s in _chunks(len(x), chunk):
        out = model(x[s])
        loss += point_losses(out, y[s], kind).sum().item()
        if kind == "cross-entropy":
            wrong += (out.argmax(dim=1) != y[s]).sum().item()
    model.train(was)
    result = {"loss": loss / len(x)}
    if kind == "cross-entropy":
        result["error"] = wrong / len(x)
    return result


def _clip_(params: Sequence[torch.Tensor], clip: float | None) -> None:
    if clip is not None:
        torch.nn.utils.clip_grad_norm_(params, clip)


def permutation(n: int, generator: torch.Generator, device) -> torch.Tensor:
    """A batch order from a CPU generator: the same order on every device."""
    return torch.randperm(n, generator=generator).to(device)


def sgd_epoch(model, opt: torch.optim.Optimizer, x, y, cfg: TrainConfig, generator: torch.Generator,
              epoch: int) -> float:
    """One epoch of minibatch SGD in index-permutation order; returns the mean batch loss."""
    model.train()
    order = permutation(len(x), generator, x.device)
    params = [p for p in model.parameters() if p.requires_grad]
    total, steps = torch.zeros((), device=x.device), 0
    for start in range(0, len(x), cfg.batch):
        idx = order[start:start + cfg.batch]
        opt.zero_grad(set_to_none=True)
        loss = point_losses(model(x[idx]), y[idx], cfg.loss).mean()
        loss.backward()
        _clip_(params, cfg.clip)
        opt.step()
        total = total + loss.detach()  # no host sync per step: checked once per epoch
        steps += 1
    mean = total.item() / max(steps, 1)
    if not math.isfinite(mean):
        raise NonFiniteLoss(epoch, None, mean)
    return mean


def gd_step(model, opt: torch.optim.Optimizer, x, y, cfg: TrainConfig, epoch: int) -> float:
    """One step of full-batch gradient descent (an epoch of GD is one step)."""
    model.train()
    opt.zero_grad(set_to_none=True)
    loss = full_batch_loss(model, x, y, cfg.loss, cfg.chunk)
    if not torch.isfinite(loss):
        raise NonFiniteLoss(epoch, 0, loss.item())
    loss.backward()
    _clip_([p for p in model.parameters() if p.requires_grad], cfg.clip)
    opt.step()
    return loss.item()


def make_optimizer(model, cfg: TrainConfig) -> torch.optim.Optimizer:
    return torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)


# --- K models at once ---------------------------------------------------------------------

@dataclass
class MultiSGD:
    """K copies of one architecture trained together by vmapped minibatch SGD.

    Each model k has its own generator (seed ``seeds[k]``) for its batch order; the update
    is SGD with the config's lr, momentum and per-model gradient clipping, as
    ``torch.optim.SGD`` and ``clip_grad_norm_`` do it for one model.
    """

    models: list
    cfg: TrainConfig
    seeds: Sequence[int]
    params: dict = field(init=False)
    buffers: dict = field(init=False)
    velocity: dict | None = field(init=False, default=None)

    def __post_init__(self):
        from torch.func import stack_module_state

        if len(self.models) != len(self.seeds):
            raise ValueError("one seed per model")
        self.params, self.buffers = stack_module_state(self.models)
        self.generators = [torch.Generator().manual_seed(int(s)) for s in self.seeds]
        self._base = copy.deepcopy(self.models[0]).to("meta")
        self._base.train()

    def _loss(self, params, buffers, x, y):
        from torch.func import functional_call

        out = functional_call(self._base, (params, buffers), (x,))
        return point_losses(out, y, self.cfg.loss).mean()

    def epoch(self, x: torch.Tensor, y: torch.Tensor, epoch: int) -> torch.Tensor:
        """One epoch for all K models; returns their mean batch losses (K,)."""
        from torch.func import grad_and_value, vmap

        cfg = self.cfg
        orders = torch.stack([permutation(len(x), g, x.device) for g in self.generators])
        step_fn = vmap(grad_and_value(self._loss))
        totals = torch.zeros(len(self.models), dtype=torch.float64, device=x.device)
        steps = 0
        for start in range(0, len(x), cfg.batch):
            idx = orders[:, start:start + cfg.batch]
            grads, losses = step_fn(self.params, self.buffers, x[idx], y[idx])
            if cfg.clip is not None:
                norms = torch.sqrt(sum((g.flatten(1) ** 2).sum(dim=1) for g in grads.values()))
                coef = torch.clamp(cfg.clip / (norms + 1e-6), max=1.0)
                grads = {k: g * coef.reshape((-1,) + (1,) * (g.dim() - 1)) for k, g in grads.items()}
            if cfg.momentum:
                if self.velocity is None:
                    self.velocity = {k: g.clone() for k, g in grads.items()}
                else:
                    self.velocity = {k: cfg.momentum * self.velocity[k] + grads[k] for k in grads}
                grads = self.velocity
            with torch.no_grad():
                for k in self.params:
                    self.params[k] -= cfg.lr * grads[k]
            totals = totals + losses.detach().double()  # checked once per epoch, not per step
            steps += 1
        totals = totals.cpu() / max(steps, 1)
        if not torch.all(torch.isfinite(totals)):
            bad = int((~torch.isfinite(totals)).nonzero()[0])
            raise NonFiniteLoss(epoch, None, float(totals[bad]))
        return totals

    def write_back(self) -> list:
        """Copy the stacked parameters into the K modules and return them."""
        with torch.no_grad():
            for k, model in enumerate(self.models):
                for name, p in model.named_parameters():
                    p.copy_(self.params[name][k])
        return self.models
