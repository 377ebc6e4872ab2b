"""Discrete symmetries of a network and their orbits on solution sets.

Hidden units of one layer (a dense layer, or the units of one tree node) can be permuted:
their incoming weights (and biases) and their outgoing weights move together, and the
outputs do not change. An even activation (sigma(-z) = sigma(z), e.g. z^2) adds a sign flip
of a unit's incoming weights; an odd one (e.g. z, z^3) a flip of its incoming and outgoing
weights. Each such map is a signed permutation of the weight vector, w -> g w with
(g w)_k = sign_k w_source(k); the group they generate acts on every system built from the
network's outputs and data alone (its zero-loss and critical systems), as long as nothing
breaks it: random L2 weights, slices or fixed weights usually do, which ``acts_on`` checks.

On a system it acts on, solution sets are unions of orbits: ``orbit_closure`` adds the
images of known solutions (each checked to solve the system), which both completes a count
that missed some and counts the orbits.

Rescalings (w_k -> t^lam_k w_k: a tree node's output against its consumer's weights, a
homogeneous unit's input against its output) are continuous: they make every critical point
of the unregularized loss a curve of them. ``gauge_weights`` picks one weight per rescaling
to fix at 1, and ``gauge_fixed_critical_system`` is the gradient of the loss on that slice:
its solutions are isolated where the orbits were curves.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from algebra.networks import DenseNetwork, Network, TreeNetwork, evaluate
from algebra.polys import PolySystem


@dataclass(frozen=True)
class SignedPermutation:
    """(g w)_k = sign[k] w[source[k]]; ``name`` says which units it moves."""

    source: np.ndarray
    sign: np.ndarray
    name: str

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return np.asarray(w)[..., self.source] * self.sign

    def after(self, other: "SignedPermutation") -> "SignedPermutation":
        """self o other: w -> self(other(w)).

        >>> f = SignedPermutation(np.array([1, 0]), np.array([1.0, -1.0]), "f")
        >>> f.after(f)(np.array([2.0, 3.0])).tolist()
        [-2.0, -3.0]
        """
        return SignedPermutation(other.source[self.source], self.sign * other.sign[self.source],
                                 f"{self.name} after {other.name}")

    def key(self) -> tuple:
        return tuple(self.source.tolist()), tuple(self.sign.tolist())


def group_elements(gens: list[SignedPermutation], limit: int = 1_000) -> list[SignedPermutation] | None:
    """Every element of the group the generators generate but the identity, or None where
    there are more than ``limit``.

    >>> flips = [SignedPermutation(np.array([0, 1]), np.array([-1.0, 1.0]), "a"),
    ...          SignedPermutation(np.array([0, 1]), np.array([1.0, -1.0]), "b")]
    >>> sorted(g.sign.tolist() for g in group_elements(flips))
    [[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]]
    """
    if not gens:
        return []
    n = len(gens[0].source)
    identity = SignedPermutation(np.arange(n), np.ones(n), "identity")
    seen = {identity.key(): identity}
    queue = [identity]
    while queue:
        h = queue.pop()
        for g in gens:
            e = g.after(h)
            if e.key() not in seen:
                if len(seen) > limit:
                    return None
                seen[e.key()] = e
                queue.append(e)
    return [e for k, e in seen.items() if k != identity.key()]


def _units(net: Network) -> list[tuple[str, list[tuple[list[str], list[str]]], object]]:
    """Groups of interchangeable hidden units: (where, [(incoming names, outgoing names)],
    their activation)."""
    out = []
    if isinstance(net, DenseNetwork):
        for layer in range(1, len(net.widths) - 1):
            units = []
            for i in range(1, net.widths[layer] + 1):
                incoming = [f"w{layer}_{i}_{j}" for j in range(1, net.widths[layer - 1] + 1)]
                incoming += [f"b{layer}_{i}"] if net.bias else []
                outgoing = [f"w{layer + 1}_{k}_{i}" for k in range(1, net.widths[layer + 1] + 1)]
                units.append((incoming, outgoing))
            out.append((f"layer {layer}", units, net.layer_activation(layer)))
    elif isinstance(net, TreeNetwork):
        seen = set()
        for level in range(1, net.depth + 1):
            letters = net._letters(level)
            for position in range(2 ** (net.depth - level)):
                label = net._label(level, position)
                if label in seen:  # shared weights: one group per level
                    continue
                seen.add(label)
                units = [([f"{c}{label}_{j}" for c in letters[:-1]], [f"{letters[-1]}{label}_{j}"])
                         for j in range(1, net.units + 1)]
                out.append((f"node {label}", units, net.layer_activation(level)))
    return out


def _parity(activation) -> int:
    """+1 for an even activation, -1 for an odd one, 0 for neither."""
    c = activation.coefficients
    if all(v == 0 for k, v in enumerate(c) if k % 2 == 1):
        return 1
    if all(v == 0 for k, v in enumerate(c) if k % 2 == 0):
        return -1
    return 0


def generators(net: Network) -> list[SignedPermutation]:
    """Generators of the network's discrete symmetry group: swaps of neighbouring units of a
    layer (or tree node), and a sign flip of each unit where the activation is even or odd.

    >>> [g.name for g in generators(DenseNetwork((1, 2, 1), "monomial:2", bias=False))]
    ['layer 1: swap units 1 and 2', 'layer 1: flip unit 1', 'layer 1: flip unit 2']
    """
    index = {n: k for k, n in enumerate(net.weight_names)}
    out = []

    def make(moves: dict[str, str], flips: set[str], name: str) -> SignedPermutation:
        source = np.arange(net.n_weights)
        sign = np.ones(net.n_weights)
        for target, origin in moves.items():
            source[index[target]] = index[origin]
        for n in flips:
            sign[index[n]] = -1.0
        return SignedPermutation(source, sign, name)

    for where, units, activation in _units(net):
        parity = _parity(activation)
        for i in range(len(units) - 1):
            (a_in, a_out), (b_in, b_out) = units[i], units[i + 1]
            moves = {**dict(zip(a_in + a_out, b_in + b_out)), **dict(zip(b_in + b_out, a_in + a_out))}
            out.append(make(moves, set(), f"{where}: swap units {i + 1} and {i + 2}"))
        if parity:
            for i, (incoming, outgoing) in enumerate(units):
                flips = set(incoming) | (set(outgoing) if parity < 0 else set())
                out.append(make({}, flips, f"{where}: flip unit {i + 1}"))
    return out


def check_generators(net: Network, gens: list[SignedPermutation], seed: int = 0) -> None:
    """Every generator leaves the outputs unchanged at random complex inputs and weights."""
    rng = np.random.default_rng([seed, 29])
    x = rng.standard_normal((3, net.n_inputs)) + 1j * rng.standard_normal((3, net.n_inputs))
    w = rng.standard_normal(net.n_weights) + 1j * rng.standard_normal(net.n_weights)
    f = evaluate(net, x, w)
    for g in gens:
        moved = evaluate(net, x, g(w))
        if np.max(np.abs(moved - f)) > 1e-9 * (1 + np.max(np.abs(f))):
            raise AssertionError(f"{g.name} moves the outputs")


def acts_on(system: PolySystem, gens: list[SignedPermutation], seed: int = 0) -> bool:
    """Whether each generator maps the system's solution set to itself: F(g w) equals F(w)
    up to a signed permutation of the equations, at two random points."""
    return bool(gens) and all(equation_action(system, g, seed) is not None for g in gens)


def equation_action(system: PolySystem, g: SignedPermutation, seed: int = 0) -> SignedPermutation | None:
    """The signed permutation P of the equations with F(g w) = P F(w), found at two random
    points, or None where some equation has no partner (g does not act on the system).

    >>> flip = SignedPermutation(np.array([0, 1]), np.array([-1.0, 1.0]), "flip a")
    >>> s = PolySystem(("a", "b"), np.array([[1, 1], [2, 0], [0, 0]]), np.array([[1.0, 0, 0], [0, 1.0, -2]]))
    >>> p = equation_action(s, flip)
    >>> p.source.tolist(), p.sign.tolist()
    ([0, 1], [-1.0, 1.0])
    """
    n = system.n_variables
    if len(g.source) != n:
        return None
    rng = np.random.default_rng([seed, 31])
    points = rng.standard_normal((2, n)) + 1j * rng.standard_normal((2, n))
    before = system.evaluate(points)           # (2, R)
    after = system.evaluate(g(points))
    scale = 1e-8 * (1 + np.max(np.abs(before)))
    source, sign = np.zeros(system.n_equations, np.int64), np.ones(system.n_equations)
    for i in range(system.n_equations):
        same = np.flatnonzero(np.all(np.abs(after[:, i:i + 1] - before) <= scale, axis=0))
        opposite = np.flatnonzero(np.all(np.abs(after[:, i:i + 1] + before) <= scale, axis=0))
        if len(same):
            source[i] = same[0]
        elif len(opposite):
            source[i], sign[i] = opposite[0], -1.0
        else:
            return None
    return SignedPermutation(source, sign, f"{g.name} on the equations")


def acting_generators(net: Network, system: PolySystem, seed: int = 0) -> list[SignedPermutation]:
    """The network's symmetry generators that act on ``system`` (random L2 weights keep the
    sign flips of an even or odd activation and break the unit swaps)."""
    return [g for g in generators(net) if equation_action(system, g, seed) is not None]


@dataclass
class Orbits:
    points: np.ndarray          # (K, n) the known solutions and their images, distinct
    orbit: np.ndarray           # (K,) the orbit of each point
    added: int                  # images that were not among the known solutions

    @property
    def count(self) -> int:
        return int(self.orbit.max()) + 1 if len(self.orbit) else 0

    def sizes(self) -> list[int]:
        return np.bincount(self.orbit).tolist() if len(self.orbit) else []


def orbit_closure(system: PolySystem, points: np.ndarray, gens: list[SignedPermutation],
                  tol: float = 1e-8) -> Orbits:
    """The known solutions with every image under the group, each image checked to solve
    the system (relative residual below ``tol``: an AssertionError otherwise, since the
    caller checked ``acts_on``), grouped into orbits.

    >>> s = PolySystem(("a", "b"), np.array([[2, 0], [0, 2], [0, 0]]), np.array([[1.0, 0, -1], [0, 1.0, -4]]))
    >>> flip = SignedPermutation(np.array([0, 1]), np.array([-1.0, 1.0]), "flip a")
    >>> o = orbit_closure(s, np.array([[1.0, 2.0]]), [flip])
    >>> o.points.real.tolist(), o.count, o.added
    ([[1.0, 2.0], [-1.0, 2.0]], 1, 1)
    """
    from algebra.solve import SAME_POINT, relative_residual

    n = system.n_variables
    known = np.array(points, dtype=complex).reshape(-1, n)
    size = len(known)
    parent = list(range(size))

    def find(z) -> int:
        gap = np.max(np.abs(known[:size] - z), axis=1)
        hit = np.flatnonzero(gap <= SAME_POINT * (1 + np.max(np.abs(z))))
        return int(hit[0]) if len(hit) else -1

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    # known points that are images of each other join one orbit; missing images are added
    added = 0
    queue = list(range(size))
    while queue:
        k = queue.pop()
        for g in gens:
            z = g(known[k])
            j = find(z)
            if j < 0:
                if relative_residual(system, z) > tol:
                    raise AssertionError(f"{g.name} maps a solution to a non-solution: the group does not act")
                if size == len(known):
                    known = np.vstack([known, np.empty_like(known[:max(size, 1)])])
                known[size] = z
                parent.append(size)
                j = size
                size += 1
                queue.append(j)
                added += 1
            parent[root(j)] = root(k)
    _, labels = np.unique([root(k) for k in range(size)], return_inverse=True)
    return Orbits(known[:size], labels.reshape(-1), added)


def symmetry_report(net: Network, system: PolySystem, solutions: np.ndarray, seed: int = 0
                    ) -> tuple[dict, np.ndarray]:
    """What the network's discrete symmetries say about a solution set of its system: the
    group's generators, whether they act on this system, and if they do, the orbits of the
    solutions and the images that were missing (returned with the known ones)."""
    gens = generators(net)
    names = [g.name for g in gens]
    solutions = np.asarray(solutions, dtype=complex).reshape(-1, system.n_variables)
    if not gens:
        return {"acts": False, "generators": [], "why": "no two units share a layer or node and the activation is "
                                                      "neither even nor odd: no discrete symmetry"}, solutions
    check_generators(net, gens, seed)
    if not acts_on(system, gens, seed):
        return {"acts": False, "generators": names,
                "why": "the system breaks the network's symmetries (random L2 weights, slices or fixed weights)"}, \
            solutions
    orbits = orbit_closure(system, solutions, gens)
    sizes = np.bincount(orbits.sizes()) if orbits.count else np.zeros(0, int)
    return {"acts": True, "generators": names, "orbits": orbits.count, "solutions": len(orbits.points),
            "orbit_sizes": {int(k): int(v) for k, v in enumerate(sizes) if v}, "added": orbits.added}, orbits.points


def check_orbits(net: Network, system: PolySystem, result, seed: int = 0) -> dict:
    """The network's symmetries on a ``SolveResult`` of its system: the report goes into
    ``result.verification["symmetry"]``; images that no path reached mean the count missed
    solutions, so it is no longer certified (and says why)."""
    report, _ = symmetry_report(net, system, result.solutions(only_nonsingular=True), seed)
    result.verification["symmetry"] = report
    if report.get("added"):
        result.verification.update(certified=False, verdict="lower-bound")
        result.verification["why"] = (f"{report['added']} images of its solutions under the network's symmetries "
                                      "were reached by no path: the count is a lower bound")
    return report


def gauge_weights(net: Network, seed: int = 0) -> list[str]:
    """One weight per independent rescaling, the first in weight order that the rescalings
    move independently (their exponents on the chosen weights have full rank): fixed at 1,
    they meet every orbit whose chosen weights are nonzero in finitely many points.

    >>> gauge_weights(DenseNetwork((1, 2, 1), "monomial:2", bias=False))
    ['w1_1_1', 'w1_2_1']
    >>> gauge_weights(TreeNetwork(units=1, activation="poly:0.1,0.5,0.3"))
    ['a11_1', 'a12_1']
    """
    from algebra.dimension import _rescaling_fit

    lam = _rescaling_fit(net, seed)[3]  # orthonormal rows: an absolute tolerance is a relative one
    chosen: list[int] = []
    for k in range(net.n_weights):
        if len(chosen) == len(lam):
            break
        if np.linalg.matrix_rank(lam[:, chosen + [k]], tol=1e-8) == len(chosen) + 1:
            chosen.append(k)
    return [net.weight_names[k] for k in chosen]


def gauge_fixed_critical_system(net: Network, data, fixed: list[str]) -> PolySystem:
    """grad L = 0 of the unregularized loss on the slice where the ``fixed`` weights are 1:
    W - r equations in the other weights. Critical points of L on the slice are critical
    points of L (the rescalings' identities sum_k lam_k w_k dL/dw_k = 0 give the fixed
    weights' equations), one or more per orbit whose fixed weights are nonzero."""
    from algebra.systems import gradient, loss_polynomial

    loss = loss_polynomial(net, data).substitute({name: 1.0 for name in fixed})
    grad = gradient(loss)
    return PolySystem(grad.variables, grad.monomials, grad.coefficients, "critical",
                      dict(grad.info, gauge=list(fixed)))
