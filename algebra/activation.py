"""Activation specs: the one syntax shared by the API, the CLI, configs and result files.

    poly:0.1,0.5,0.3     s(z) = 0.1 + 0.5 z + 0.3 z^2   (p0 first)
    monomial:2           s(z) = z^2
    linear               s(z) = z
    relu                 training only: the algebra refuses it
    relu-chebyshev:4     polynomial approximants of ReLU on [-R, R] (algebra.approximants);
    relu-legendre:4@3    ``@R`` names the interval, else R = ``--radius``, else DEFAULT_RADIUS
    relu-minimax:4

The interval is part of the activation: ``Activation.spec`` of an approximant always carries
it (``relu-minimax:4@8``), so a result file names the same polynomial in every command.
DEFAULT_RADIUS = 8 was chosen from the inputs the polynomial sees in the paper's network: the
batch-norm outputs of every layer (digits, full width, at initialization and after 5 epochs)
have max |z| between 4.5 and 7.1, with 0.1-1.2% of them beyond 3 and 0.05-0.2% beyond 4. Beyond
the interval an approximant of degree d grows like (z/R)^d: degree 4 trains at R >= 3, degree 8
at R >= 6, degree 16 at R >= 8, and all fail at R = 1 (train error at chance; the measurements
are in issue 16's note). R = 8 is the smallest of those radii that trains all of them.

Coefficients are kept as exact fractions of the decimal strings the user wrote,
so ``poly:0.1`` means 1/10, not the binary float nearest to it; every polynomial
the algebra builds from them is exact until data enters.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from algebra.errors import SpecError  # noqa: F401  (re-exported: most modules import it from here)

RELU_APPROXIMANTS = ("relu-chebyshev", "relu-legendre", "relu-minimax")
DEFAULT_RADIUS = 8.0
RADIUS_RANGE = (1e-6, 1e6)  # beyond it the approximant's coefficients under- or overflow
MAX_DEGREE = 400
MAX_COEFFICIENT = Fraction(10) ** 100


@dataclass(frozen=True)
class Activation:
    """A polynomial activation s(z) = p0 + p1 z + ... + pd z^d, with the spec it came from.

    >>> a = parse_activation("poly:0.1,0.5,0.3")
    >>> a.degree, a.coefficients[0]
    (2, Fraction(1, 10))
    >>> a.evaluate(Fraction(1))
    Fraction(9, 10)
    """

    spec: str
    coefficients: tuple[Fraction, ...]
    radius: float = 1.0  # interval [-R, R] of a relu-* approximant (in its spec); 1 for the others

    @property
    def degree(self) -> int:
        return len(self.coefficients) - 1

    @property
    def is_homogeneous(self) -> bool:
        """True for s(z) = p z^k: then s(t z) = t^k s(z), which adds rescaling symmetries."""
        return sum(1 for c in self.coefficients if c != 0) == 1

    def evaluate(self, z, const=lambda c: c):
        """Horner's rule in whatever ring z lives in; ``const`` maps a Fraction into that ring."""
        out = const(self.coefficients[-1])
        for c in reversed(self.coefficients[:-1]):
            out = out * z
            if c != 0:
                out = out + const(c)
        return out

    def float_coefficients(self) -> list[float]:
        """The plain coefficient list p0..pd the training backend consumes."""
        return [float(c) for c in self.coefficients]


def _parse_number(text: str, spec: str) -> Fraction:
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise SpecError(f"activation spec {spec!r}: {text.strip()!r} is not a number") from None
    if abs(value) > MAX_COEFFICIENT:
        raise SpecError(f"activation spec {spec!r}: coefficient {text.strip()} is larger than "
                        f"{float(MAX_COEFFICIENT):g} "
                        "in size (float64 evaluation and training overflow)")
    if value and abs(value) < 1 / MAX_COEFFICIENT:
        raise SpecError(f"activation spec {spec!r}: coefficient {text.strip()} is smaller than "
                        f"{float(1 / MAX_COEFFICIENT):g} in size (float64 evaluation would round terms to 0); "
                        "write 0 for a missing term")
    return value


def _parse_degree(text: str, spec: str, limit: int = MAX_DEGREE,
                  why: str = "exact systems do not fit in memory") -> int:
    try:
        degree = int(text)
    except ValueError:
        raise SpecError(f"activation spec {spec!r}: degree {text!r} is not an integer") from None
    if degree < 1:
        raise SpecError(f"activation spec {spec!r}: degree must be >= 1")
    if degree > limit:
        raise SpecError(f"activation spec {spec!r}: degree at most {limit} (beyond it {why})")
    return degree


def check_radius(radius, where: str = "radius") -> float:
    """A finite interval half-width within RADIUS_RANGE.

    >>> check_radius("3")
    3.0
    >>> check_radius(float("inf"))
    Traceback (most recent call last):
    ...
    algebra.errors.SpecError: radius must be a number in [1e-06, 1e+06], got inf
    """
    try:
        value = float(radius)
    except (TypeError, ValueError):
        raise SpecError(f"{where} must be a number, got {radius!r}") from None
    lo, hi = RADIUS_RANGE
    if not lo <= value <= hi:  # also false for nan
        raise SpecError(f"{where} must be a number in [{lo:g}, {hi:g}], got {value:g}")
    return value


def parse_activation(spec: str, radius: float | None = None) -> Activation:
    """Parse an activation spec into exact polynomial coefficients. The interval of a relu-*
    approximant is the spec's ``@R``, else ``radius``, else DEFAULT_RADIUS; a spec's ``@R``
    and a different ``radius`` contradict each other.

    >>> parse_activation("relu-minimax:2@3").radius, parse_activation("relu-minimax:2").spec
    (3.0, 'relu-minimax:2@8')
    >>> parse_activation("monomial:3").coefficients
    (Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(1, 1))
    >>> parse_activation("linear").degree
    1
    >>> parse_activation("relu")
    Traceback (most recent call last):
    ...
    algebra.errors.SpecError: activation 'relu' is not a polynomial: the algebra needs poly:, monomial:, linear or a relu-* approximant
    """
    if not isinstance(spec, str) or not spec.strip():
        raise SpecError("activation spec is empty")
    spec = spec.strip()
    name, _, arg = spec.partition(":")
    name = name.strip().lower()
    if name == "linear" and not arg:
        return Activation(spec, (Fraction(0), Fraction(1)))
    if name == "monomial":
        k = _parse_degree(arg, spec)
        return Activation(spec, tuple([Fraction(0)] * k + [Fraction(1)]))
    if name == "poly":
        coeffs = [_parse_number(t, spec) for t in arg.split(",")] if arg.strip() else []
        while len(coeffs) > 1 and coeffs[-1] == 0:
            coeffs.pop()
        if len(coeffs) < 2 or all(c == 0 for c in coeffs[1:]):
            raise SpecError(f"activation spec {spec!r}: needs a non-constant polynomial p0,p1,...")
        if len(coeffs) - 1 > MAX_DEGREE:
            raise SpecError(f"activation spec {spec!r}: degree at most {MAX_DEGREE}")
        return Activation(spec, tuple(coeffs))
    if name == "relu" and not arg:
        raise SpecError(
            "activation 'relu' is not a polynomial: the algebra needs poly:, monomial:, "
            "linear or a relu-* approximant")
    if name in RELU_APPROXIMANTS:
        from algebra.approximants import MAX_DEGREE as FIT_DEGREE  # light: approximants imports mpmath only

        arg, at, own = arg.partition("@")
        degree = _parse_degree(arg, spec, FIT_DEGREE, "the fit takes more than minutes; raise "
                               "algebra.approximants.MAX_DEGREE")
        if at:
            own = check_radius(own, f"activation spec {spec!r}: the radius after @")
            if radius is not None and check_radius(radius) != own:
                raise SpecError(f"activation spec {spec!r} says radius {own:g} but --radius is {float(radius):g}: "
                                "give one of them")
            radius = own
        radius = DEFAULT_RADIUS if radius is None else check_radius(radius)
        from algebra.approximants import spec_coefficients

        return Activation(f"{name}:{degree}@{radius:g}", spec_coefficients(name, degree, radius), radius=radius)
    if "@" in spec:
        raise SpecError(f"activation spec {spec!r}: only relu-* approximants have an interval @R")
    raise SpecError(
        f"unknown activation spec {spec!r}: use poly:p0,p1,..., monomial:k, linear, relu, "
        "or relu-chebyshev|relu-legendre|relu-minimax:d")
