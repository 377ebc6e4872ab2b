"""Activation specs resolved for training: the same polynomial, and the same interval, in
every command (train, experiment, compare, study).

``resolve`` turns a DESIGN.md spec into what the training backend takes (``"relu"`` or
p0..pd), the interval [-R, R] whose outside the models count (an approximant's own interval;
DEFAULT_RADIUS as the reference interval of the other activations) and whether to clamp.
``radius="auto"`` chooses R from the inputs the activation sees: the largest |z| over the
training set of the ReLU network with the same initialization, times AUTO_MARGIN, rounded up
to a half.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from algebra.activation import DEFAULT_RADIUS, RELU_APPROXIMANTS, SpecError, check_radius, parse_activation

AUTO_MARGIN = 1.25


@dataclass(frozen=True)
class TrainingActivation:
    """An activation as trained: the canonical spec (with @R for approximants), the
    backend's coefficients, the interval, and clamping.

    >>> a = resolve("relu-chebyshev:2", radius=2)
    >>> a.spec, a.radius, [round(c, 4) for c in a.coefficients]
    ('relu-chebyshev:2@2', 2.0, [0.0, 0.5, 0.2887])
    >>> resolve("relu").describe()
    {'spec': 'relu', 'radius': 8.0, 'interval': 'reference', 'clamp': False}
    """

    spec: str
    coefficients: str | tuple[float, ...]
    radius: float
    approximant: bool
    clamp: bool = False

    @property
    def backend(self) -> str | list[float]:
        return self.coefficients if isinstance(self.coefficients, str) else list(self.coefficients)

    def model_options(self) -> dict:
        """Keyword arguments of training.models.AllConvNet and TreeNet."""
        return {"activation": self.backend, "radius": self.radius, "clamp": self.clamp}

    def describe(self) -> dict:
        return {"spec": self.spec, "radius": self.radius,
                "interval": "approximation" if self.approximant else "reference", "clamp": self.clamp}


def is_approximant(spec: str) -> bool:
    return spec.strip().lower().partition(":")[0] in RELU_APPROXIMANTS


def resolve(spec: str, radius: float | str | None = None, clamp: bool = False) -> TrainingActivation:
    """The training form of ``spec``; ``radius`` a number, None (the spec's @R or
    DEFAULT_RADIUS) or a number already chosen by ``auto_radius``."""
    if isinstance(radius, str) and radius.strip().lower() == "auto":
        raise SpecError("radius 'auto' is resolved by auto_radius before resolve")
    if spec.strip().lower() == "relu":
        if clamp:
            raise SpecError("--clamp applies to polynomial activations, not to relu")
        return TrainingActivation("relu", "relu", DEFAULT_RADIUS if radius is None else check_radius(radius), False)
    act = parse_activation(spec, radius=radius)
    approximant = is_approximant(spec)
    interval = act.radius if approximant else (DEFAULT_RADIUS if radius is None else check_radius(radius))
    return TrainingActivation(act.spec, tuple(act.float_coefficients()), interval, approximant, clamp)


def parse_radius(text: str | None) -> float | str | None:
    """The --radius option: a number, "auto", or None (not given).

    >>> parse_radius("auto"), parse_radius("2.5"), parse_radius(None)
    ('auto', 2.5, None)
    """
    if text is None:
        return None
    if str(text).strip().lower() == "auto":
        return "auto"
    return check_radius(text, "--radius")


def auto_radius(model_factory, data, chunk: int = 1000) -> float:
    """R from the observed range: ``model_factory(radius)`` builds the ReLU network with the
    run's initialization (and a range monitor of that radius); its activation inputs over
    the training set at initialization give max |z|."""
    from training.optim import TrainConfig
    from training.trajectories import metrics

    model = model_factory(DEFAULT_RADIUS)
    record = metrics(model, data, TrainConfig(chunk=chunk, loss="mse" if data.num_classes == 0 else "cross-entropy"))
    peak = max(record["peak_input"])
    if not math.isfinite(peak) or peak <= 0:
        raise SpecError(f"--radius auto: the activation inputs at initialization have max |z| = {peak}")
    return check_radius(math.ceil(2 * AUTO_MARGIN * peak) / 2, "--radius auto")


def auto_radius_allconv(data, seed: int = 0, width_mult: float = 1.0, device: str = "cpu") -> float:
    """``auto_radius`` of the paper network initialized from ``seed`` (as train and compare
    initialize it) on ``data``."""
    import torch

    from training.models import AllConvNet

    def relu_model(radius):
        torch.manual_seed(seed)
        return AllConvNet("relu", width_mult=width_mult, radius=radius).to(device)
    return auto_radius(relu_model, data)
