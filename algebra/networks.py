"""Network specs with named, ordered weights, evaluated in any commutative ring.

One forward pass per architecture, written once against ``+`` and ``*`` only, serves
every use: exact polynomials (python-flint), sympy expressions for display, numpy
float64/complex128 outputs vectorized over data points, and the Jacobian with
respect to the weights (forward-mode jets).

The canonical network is the paper's four-input tree (DESIGN.md):

    g_k(x) = sum_j a_kj s(u_kj x_(2k-1) + v_kj x_(2k) + b_kj)       k = 1, 2
    f(x)   = sum_j c_j  s(s_j g_1(x) + t_j g_2(x) + e_j)

Weight names carry the node label of the paper (h11, h12, h2), then the unit:
``u11_1`` is u of node h11, unit 1; ``s2_1`` is s of the top node h2. With shared
weights the nodes of one level share one set, labelled by the level alone (``u1_1``).
Dense layers use ``w{layer}_{out}_{in}`` and ``b{layer}_{out}``, all 1-based.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from algebra.activation import Activation, SpecError, parse_activation

DEFAULT_ACTIVATION = "poly:0.1,0.5,0.3"
MAX_WEIGHTS = 1_000  # variables of a dense network's exact systems (the canonical tree has 12)
MAX_OUTPUT_TERMS = 2_000_000  # terms of one exact output polynomial (about 1 GB to work with)
# exponent table entries (terms x variables, int64) of one output: wide networks get fewer terms
MAX_EXPONENT_ENTRIES = 150_000_000


class SystemTooLarge(SpecError):
    """An exact polynomial would not fit in memory on this machine."""


def _describe(activation: Activation | tuple[Activation, ...]) -> dict:
    if isinstance(activation, tuple):  # one per hidden layer: each spec carries its own interval
        return {"activation": [a.spec for a in activation]}
    out = {"activation": activation.spec}
    if activation.radius != 1.0:
        out["radius"] = activation.radius
    return out


def _activation(value) -> Activation:
    if isinstance(value, Activation):
        return value
    if not isinstance(value, str):
        raise SpecError(f"activation {value!r}: give a spec such as 'poly:0.1,0.5,0.3', 'monomial:2' or 'linear' "
                        "(a list is one spec per hidden layer)")
    return parse_activation(value)


def _activations(value, layers: int) -> Activation | tuple[Activation, ...]:
    """One activation for every hidden layer, or a list with one per hidden layer (tree:
    per level); a list whose entries are all equal is one activation, so that the same
    network has one description.

    >>> _activations(["monomial:2", "monomial:2"], 2).spec
    'monomial:2'
    >>> [a.spec for a in _activations(["monomial:2", "linear"], 2)]
    ['monomial:2', 'linear']
    """
    if not isinstance(value, (list, tuple)):
        return _activation(value)
    acts = tuple(_activation(v) for v in value)
    if not acts:
        raise SpecError("no activation spec given")
    if len(acts) != layers:
        raise SpecError(f"{len(acts)} activation specs for {layers} hidden layer{'s' if layers != 1 else ''}: "
                        "give one for every hidden layer, or one for all")
    return acts[0] if all(a == acts[0] for a in acts) else acts


class _NamedWeights:
    """Weights are the concatenation of the groups (nodes or layers), in order."""

    @property
    def activations(self) -> tuple[Activation, ...]:
        """The activation of each hidden layer (tree: of each level), input side first."""
        a = self.activation
        return a if isinstance(a, tuple) else (a,) * self.activation_layers

    def layer_activation(self, layer: int) -> Activation:
        """The activation after hidden layer ``layer`` (1-based; tree: level)."""
        a = self.activation
        return a[layer - 1] if isinstance(a, tuple) else a

    @property
    def activation_spec(self) -> str:
        """The activation as one phrase: its spec, or the per-layer specs joined by ' then '."""
        a = self.activation
        return " then ".join(x.spec for x in a) if isinstance(a, tuple) else a.spec

    @functools.cached_property
    def weight_names(self) -> tuple[str, ...]:
        return tuple(name for group in self.groups.values() for name in group)

    @property
    def n_weights(self) -> int:
        return len(self.weight_names)


@dataclass(frozen=True)
class TreeNetwork(_NamedWeights):
    """Binary tree of shallow networks: depth 2 is the canonical four-input network.

    >>> net = TreeNetwork(units=1)
    >>> net.n_weights, net.weight_names[:4]
    (12, ('u11_1', 'v11_1', 'b11_1', 'a11_1'))
    >>> TreeNetwork(units=2, bias=False, shared=True).n_weights
    12
    """

    units: int = 1
    activation: Activation | str | tuple = DEFAULT_ACTIVATION  # one, or one per hidden layer
    bias: bool = True
    shared: bool = False
    depth: int = 2

    def __post_init__(self):
        if not isinstance(self.units, int) or self.units < 1:
            raise SpecError(f"units must be an integer >= 1, got {self.units!r}")
        if not isinstance(self.depth, int) or not 1 <= self.depth <= 9:
            raise SpecError(f"tree depth must be an integer in 1..9, got {self.depth!r}")
        object.__setattr__(self, "activation", _activations(self.activation, self.depth))

    kind = "tree"

    @property
    def n_inputs(self) -> int:
        return 2 ** self.depth

    n_outputs = 1

    @property
    def activation_layers(self) -> int:
        """Compositions of the activation along any input-output path (the L of d^(L N))."""
        return self.depth

    def _label(self, level: int, position: int) -> str:
        count = 2 ** (self.depth - level)
        if self.shared or count == 1:
            return str(level)
        return f"{level}{position + 1:0{len(str(count))}d}"

    def _letters(self, level: int) -> str:
        letters = "uvba" if level == 1 else "stec"
        return letters if self.bias else letters.replace(letters[2], "")

    @functools.cached_property
    def groups(self) -> dict[str, tuple[str, ...]]:
        """Default multihomogeneous partition: one group per node (per level when shared)."""
        out: dict[str, list[str]] = {}
        for level in range(1, self.depth + 1):
            for position in range(2 ** (self.depth - level)):
                label = self._label(level, position)
                if label in out:
                    continue
                out[label] = [f"{letter}{label}_{j}" for j in range(1, self.units + 1)
                              for letter in self._letters(level)]
        return {f"h{k}": tuple(v) for k, v in out.items()}

    def forward(self, x: Sequence, w: Mapping[str, Any], const: Callable[[Fraction], Any]) -> list:
        values = list(x)
        for level in range(1, self.depth + 1):
            letters = self._letters(level)
            nodes = []
            for position in range(len(values) // 2):
                label = self._label(level, position)
                z1, z2 = values[2 * position], values[2 * position + 1]
                out = None
                for j in range(1, self.units + 1):
                    p = [w[f"{letter}{label}_{j}"] for letter in letters]
                    arg = p[0] * z1 + p[1] * z2
                    if self.bias:
                        arg = arg + p[2]
                    term = p[-1] * self.layer_activation(level).evaluate(arg, const)
                    out = term if out is None else out + term
                nodes.append(out)
            values = nodes
        return values

    def describe(self) -> dict:
        return {"network": "tree", "units": self.units, **_describe(self.activation),
                "bias": self.bias, "shared": self.shared, "depth": self.depth,
                "weights": self.n_weights}


def parse_widths(text: str | Sequence[int]) -> tuple[int, ...]:
    """Parse dense widths such as "2,3,1".

    >>> parse_widths("2,3,1")
    (2, 3, 1)
    """
    if isinstance(text, str):
        try:
            widths = tuple(int(t) for t in text.split(","))
        except ValueError:
            raise SpecError(f"widths {text!r} do not parse: give integers such as 2,3,1") from None
    else:
        # whole numbers only: int() made a width of 1.5 a width of 1 without a word
        try:
            whole = all(not isinstance(t, bool) and float(t).is_integer() for t in text)
        except (TypeError, ValueError):
            whole = False
        if not whole:
            raise SpecError(f"widths {tuple(text)!r}: every width must be a whole number")
        widths = tuple(int(t) for t in text)
    if len(widths) < 2 or any(k < 1 for k in widths):
        raise SpecError(f"widths {text!r}: need at least two layers, each of width >= 1")
    weights = sum(a * b + b for a, b in zip(widths, widths[1:]))
    if weights > MAX_WEIGHTS:
        raise SpecError(f"widths {text!r} give {weights:,} weights; at most {MAX_WEIGHTS:,} (every weight is a "
                        "variable of the exact systems; raise algebra.networks.MAX_WEIGHTS)")
    return widths


@dataclass(frozen=True)
class DenseNetwork(_NamedWeights):
    """Fully connected network d0 -> d1 -> ... -> dL, activation after every hidden layer.

    >>> net = DenseNetwork((2, 3, 1), "linear", bias=False)
    >>> net.n_weights, net.weight_names[:2]
    (9, ('w1_1_1', 'w1_1_2'))
    """

    widths: tuple[int, ...] | str = (2, 3, 1)
    activation: Activation | str | tuple = DEFAULT_ACTIVATION  # one, or one per hidden layer
    bias: bool = True

    def __post_init__(self):
        object.__setattr__(self, "widths", parse_widths(self.widths))
        object.__setattr__(self, "activation", _activations(self.activation, len(self.widths) - 2))

    kind = "dense"

    @property
    def n_inputs(self) -> int:
        return self.widths[0]

    @property
    def n_outputs(self) -> int:
        return self.widths[-1]

    @property
    def activation_layers(self) -> int:
        return len(self.widths) - 2

    @functools.cached_property
    def groups(self) -> dict[str, tuple[str, ...]]:
        """Default multihomogeneous partition: one group per layer."""
        out = {}
        for layer in range(1, len(self.widths)):
            names = []
            for i in range(1, self.widths[layer] + 1):
                names += [f"w{layer}_{i}_{j}" for j in range(1, self.widths[layer - 1] + 1)]
                if self.bias:
                    names.append(f"b{layer}_{i}")
            out[f"layer{layer}"] = tuple(names)
        return out

    def forward(self, x: Sequence, w: Mapping[str, Any], const: Callable[[Fraction], Any]) -> list:
        values = list(x)
        last = len(self.widths) - 1
        for layer in range(1, last + 1):
            nxt = []
            for i in range(1, self.widths[layer] + 1):
                z = None
                for j, a in enumerate(values, start=1):
                    term = w[f"w{layer}_{i}_{j}"] * a
                    z = term if z is None else z + term
                if self.bias:
                    z = z + w[f"b{layer}_{i}"]
                nxt.append(self.layer_activation(layer).evaluate(z, const) if layer < last else z)
            values = nxt
        return values

    def describe(self) -> dict:
        return {"network": "dense", "widths": list(self.widths), **_describe(self.activation),
                "bias": self.bias, "weights": self.n_weights}


Network = TreeNetwork | DenseNetwork


# --- numeric evaluation -------------------------------------------------------------

def _check_numeric(net: Network, x, w) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x)
    w = np.asarray(w)
    if x.ndim != 2 or x.shape[1] != net.n_inputs:
        raise SpecError(f"data must have shape (N, {net.n_inputs}), got {x.shape}")
    if w.shape != (net.n_weights,):
        raise SpecError(f"weights must have shape ({net.n_weights},), got {w.shape}")
    return x, w


def _numeric_const(c: Fraction) -> float:
    return c.numerator / c.denominator


def evaluate(net: Network, x, w) -> np.ndarray:
    """Outputs f(x_i; w), shape (N, n_outputs); float64 or complex128 as the inputs are.

    >>> net = DenseNetwork((1, 1), "linear", bias=True)
    >>> evaluate(net, [[2.0], [3.0]], [0.5, 1.0])[:, 0]
    array([2. , 2.5])
    """
    x, w = _check_numeric(net, x, w)
    names = dict(zip(net.weight_names, w))
    outs = net.forward([x[:, k] for k in range(net.n_inputs)], names, _numeric_const)
    return np.stack([np.broadcast_to(o, (x.shape[0],)) for o in outs], axis=1)


class _Jet:
    """A value with its gradient with respect to the weights (forward mode)."""

    __slots__ = ("v", "d")

    def __init__(self, v, d):
        self.v, self.d = v, d

    def __add__(self, other):
        if isinstance(other, _Jet):
            return _Jet(self.v + other.v, self.d + other.d)
        return _Jet(self.v + other, self.d)

    __radd__ = __add__

    def __mul__(self, other):
        if isinstance(other, _Jet):
            return _Jet(self.v * other.v, self.d * _column(other.v) + _column(self.v) * other.d)
        return _Jet(self.v * other, self.d * _column(other))

    __rmul__ = __mul__


def _column(v):
    """v with a trailing axis for the gradient (scalars stay scalars): numpy or torch."""
    return v[..., None] if getattr(v, "ndim", 0) else v


def jacobian(net: Network, x, w) -> tuple[np.ndarray, np.ndarray]:
    """Outputs (N, n_outputs) and their Jacobian (N, n_outputs, W) with respect to the weights.

    >>> net = DenseNetwork((1, 1), "linear", bias=True)
    >>> jacobian(net, [[2.0]], [0.5, 1.0])[1]
    array([[[2., 1.]]])
    """
    x, w = _check_numeric(net, x, w)
    eye = np.eye(net.n_weights, dtype=np.result_type(w, x, float))
    jets = {name: _Jet(w[k], eye[k]) for k, name in enumerate(net.weight_names)}
    outs = net.forward([x[:, k] for k in range(net.n_inputs)], jets, _numeric_const)
    n = x.shape[0]
    values = np.stack([np.broadcast_to(o.v, (n,)) for o in outs], axis=1)
    grads = np.stack([np.broadcast_to(o.d, (n, net.n_weights)) for o in outs], axis=1)
    return values, grads


# --- exact and symbolic forms ---------------------------------------------------------

def input_names(net: Network) -> tuple[str, ...]:
    return tuple(f"x{k}" for k in range(1, net.n_inputs + 1))


def symbolic(net: Network, x=None) -> list:
    """sympy outputs in the weight symbols; inputs symbolic x1.. unless a data row is given.

    >>> import sympy
    >>> net = DenseNetwork((1, 1), "linear", bias=True)
    >>> symbolic(net)
    [b1_1 + w1_1_1*x1]
    """
    import sympy

    w = {name: sympy.Symbol(name) for name in net.weight_names}
    if x is None:
        xs = [sympy.Symbol(name) for name in input_names(net)]
    else:
        xs = [sympy.nsimplify(v, rational=True) if isinstance(v, Fraction) else sympy.sympify(v)
              for v in x]
    return [sympy.expand(o) for o in net.forward(xs, w, sympy.Rational)]


@functools.cache
def exact_outputs(net: Network):
    """Outputs as exact polynomials (flint fmpq_mpoly) in x1..xn followed by the weights.

    Returns (context, [output polynomials]). Cached: the networks are immutable.

    >>> ctx, (f,) = exact_outputs(DenseNetwork((1, 1), "monomial:2"))
    >>> str(f)
    'x1*w1_1_1 + b1_1'
    """
    import flint

    names = input_names(net) + net.weight_names
    ctx = flint.fmpq_mpoly_ctx.get(names, "degrevlex")
    gens = {n: _Capped(g, net) for n, g in zip(names, ctx.gens())}
    outs = net.forward([gens[n] for n in input_names(net)], {n: gens[n] for n in net.weight_names},
                       lambda c: flint.fmpq(c.numerator, c.denominator))
    return ctx, [o.poly for o in outs]


def output_term_limit(net: Network) -> int:
    """Terms an exact output may have: MAX_OUTPUT_TERMS, fewer when each term has many
    variables (its exponent table is terms x variables).

    >>> output_term_limit(TreeNetwork()), output_term_limit(DenseNetwork((30, 30, 1)))  # 30 inputs, 961 weights
    (2000000, 151362)
    """
    return min(MAX_OUTPUT_TERMS, MAX_EXPONENT_ENTRIES // (net.n_inputs + net.n_weights))


def capped_product(a, b, limit: int):
    """a * b for flint polynomials, or None when it has more than ``limit`` terms.

    The product has at most len(a) * len(b) terms; when that bound is far past the limit
    the product is not even attempted (it could exhaust memory on its own)."""
    bound = len(a) * len(b)
    if bound <= limit:
        return a * b
    if bound > 50 * limit:
        return None
    product = a * b
    return product if len(product) <= limit else None


class _Capped:
    """A flint polynomial whose sums and products refuse to grow past ``output_term_limit``
    terms, so that an oversized network is a clear error instead of the machine running out
    of memory."""

    __slots__ = ("poly", "net")

    def __init__(self, poly, net):
        self.poly, self.net = poly, net

    def _too_large(self, limit: int) -> SystemTooLarge:
        return SystemTooLarge(
            f"the output polynomial of this {self.net.kind} network ({self.net.n_weights:,} weights, "
            f"activation {self.net.activation_spec}) exceeds {limit:,} terms: "
            "use fewer units or a lower activation degree, or raise algebra.networks.MAX_OUTPUT_TERMS "
            "and MAX_EXPONENT_ENTRIES (memory grows with them)")

    def __add__(self, other):
        total = self.poly + (other.poly if isinstance(other, _Capped) else other)
        limit = output_term_limit(self.net)
        if len(total) > limit:
            raise self._too_large(limit)
        return _Capped(total, self.net)

    __radd__ = __add__

    def __mul__(self, other):
        other = other.poly if isinstance(other, _Capped) else other
        if not hasattr(other, "context"):
            return _Capped(self.poly * other, self.net)
        limit = output_term_limit(self.net)
        product = capped_product(self.poly, other, limit)
        if product is None:
            raise self._too_large(limit)
        return _Capped(product, self.net)

    __rmul__ = __mul__
