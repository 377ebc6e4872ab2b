"""Root-count bounds: total degree (Bezout), multihomogeneous Bezout, mixed volumes: of the
supports (the torus count, Bernstein) and with the origin added (the BKK bound for C^n).

All bounds are for square systems. A system with E equations in W unknowns is made
square the way a homotopy solver would see it:

- E < W: W - E generic affine slices are added (degree 1 in every variable), so the
  bound is on the number of points of the slice, i.e. the degree of the solution set;
- E > W: W generic linear combinations of the equations replace them (each with the
  union of all supports), whose isolated solutions contain those of the original system.

The zero-loss equations of one network on generic data all share the support of the
network's output polynomial (the data only change coefficients), so zero-loss bounds
are computed from that support for any N, N = 50,000 included, without building the
system. Exact integers are kept; ``log10`` values are reported for the huge ones.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Sequence

import mpmath
import numpy as np

from algebra.errors import SpecError
from algebra.polys import PolySystem, unique_rows

EXACT_LOG10_LIMIT = 300  # integers above 10^300 are reported as null, with their log10


@dataclass(frozen=True)
class Block:
    """``count`` equations sharing one support (exponent rows over the variables)."""

    support: np.ndarray
    count: int

    @property
    def degree(self) -> int:
        return int(self.support.sum(axis=1).max(initial=0))


def total_degree(degrees: Sequence[int]) -> int:
    """Bezout number: the product of the degrees.

    >>> total_degree([2, 3, 3])
    18
    """
    out = 1
    for d in degrees:
        out *= int(d)
    return out


def log10_int(n: int) -> float:
    """log10 of a positive integer of any size (mpmath for the large ones).

    >>> round(log10_int(7 ** 50000), 3)
    42254.902
    """
    if n <= 0:
        return float("-inf")
    if n < 10 ** 300:
        return math.log10(n)
    return float(mpmath.log10(mpmath.mpf(n)))


def multihomogeneous_bezout(multidegrees: np.ndarray, group_sizes: Sequence[int],
                            counts: Sequence[int] | None = None, max_terms: int = 5_000_000) -> int:
    """m-homogeneous Bezout number: the coefficient of prod_j a_j^(n_j) in prod_i (sum_j d_ij a_j).

    ``multidegrees[i, j]`` is the degree of equation i in group j (of n_j variables);
    ``counts[i]`` repeats row i. The product is expanded exactly in m variables
    (python-flint), so repeated rows cost one power each.

    >>> multihomogeneous_bezout(np.array([[1, 1], [1, 1]]), [1, 1])  # two bilinear equations
    2
    >>> multihomogeneous_bezout(np.array([[2, 0], [0, 3]]), [1, 1])
    6
    """
    import flint

    d = np.asarray(multidegrees, dtype=np.int64)
    sizes = [int(n) for n in group_sizes]
    counts = [1] * d.shape[0] if counts is None else [int(c) for c in counts]
    n_eq = sum(counts)
    if n_eq != sum(sizes):
        raise ValueError(f"{n_eq} equations for {sum(sizes)} variables: not square")
    m = len(sizes)
    if math.comb(n_eq + m - 1, m - 1) > max_terms:
        raise SpecError(f"multihomogeneous bound: {m} groups for {n_eq} equations is too fine a "
                        "partition for the exact count; use fewer groups")
    ctx = flint.fmpz_mpoly_ctx.get([f"a{j}" for j in range(m)], "lex")
    product = ctx.from_dict({(0,) * m: 1})
    for row, count in zip(d, counts):
        linear = ctx.from_dict({tuple(int(k == j) for k in range(m)): int(dj) for j, dj in enumerate(row) if dj})
        product = product * linear ** count
    return int(product[tuple(sizes)])


def partition_indices(variables: Sequence[str], groups: dict[str, Sequence[str]] | Sequence[Sequence[str]]
                      ) -> list[list[int]]:
    """Indices of each group's variables; every variable must be in exactly one group.

    >>> partition_indices(["x", "y", "z"], [["x", "z"], ["y"]])
    [[0, 2], [1]]
    """
    groups = list(groups.values()) if isinstance(groups, dict) else list(groups)
    index = {v: k for k, v in enumerate(variables)}
    seen: dict[str, int] = {}
    out = []
    for g, names in enumerate(groups):
        ids = []
        for n in names:
            if n not in index:
                raise SpecError(f"partition names {n!r}, which is not a variable")
            if n in seen:
                raise SpecError(f"partition puts {n!r} in two groups")
            seen[n] = g
            ids.append(index[n])
        if not ids:
            raise SpecError("partition has an empty group")
        out.append(ids)
    missing = [v for v in variables if v not in seen]
    if missing:
        raise SpecError(f"partition misses variable(s) {', '.join(missing)}")
    return out


def parse_partition(text: str) -> list[list[str]]:
    """'a,b;c' -> [['a', 'b'], ['c']] (groups separated by ';', names by ',').

    >>> parse_partition("u11_1,v11_1; s2_1")
    [['u11_1', 'v11_1'], ['s2_1']]
    """
    groups = [[n.strip() for n in g.split(",") if n.strip()] for g in text.split(";")]
    if not any(groups):
        raise SpecError(f"partition {text!r} does not parse: groups separated by ';', names by ','")
    return groups


def square_blocks(blocks: list[Block], n_vars: int) -> tuple[list[Block], str]:
    """Make a list of equation blocks square as described in the module docstring."""
    n_eq = sum(b.count for b in blocks)
    if n_eq == n_vars:
        return blocks, "square"
    if n_eq < n_vars:
        linear = np.vstack([np.eye(n_vars, dtype=np.int64), np.zeros((1, n_vars), dtype=np.int64)])
        return blocks + [Block(linear, n_vars - n_eq)], f"{n_vars - n_eq} generic affine slices added"
    union, _ = unique_rows(np.vstack([b.support for b in blocks]))
    return [Block(union, n_vars)], f"{n_vars} generic combinations of the {n_eq} equations"


def blocks_of(system: PolySystem) -> list[Block]:
    """One block per distinct equation support, counting the equations that share it."""
    out: dict[tuple, Block] = {}
    for support in system.supports():
        key = (support.shape, support.tobytes())
        seen = out.get(key)
        out[key] = Block(support, 1 if seen is None else seen.count + 1)
    return list(out.values())


def zero_loss_blocks(net, n_data: int) -> list[Block]:
    """Supports of the N zero-loss equations for generic data: each output polynomial's
    weight monomials plus the constant (the target), N times."""
    from algebra.networks import exact_outputs
    from algebra.systems import split_terms

    _, outputs = exact_outputs(net)
    blocks = []
    for poly in outputs:
        _, wexp, _ = split_terms(net, poly)
        support, _ = unique_rows(np.vstack([wexp, np.zeros((1, net.n_weights), dtype=np.int64)]))
        blocks.append(Block(support, n_data))
    return blocks


def network_bounds(net, n_data: int, system: str = "zero-loss", *, partition=None,
                   with_mixed_volume: bool = False, l2=None, seed: int = 0) -> BoundsReport:
    """Bounds of a network's zero-loss or critical-point system on N generic data points.

    >>> from algebra.networks import TreeNetwork
    >>> r = network_bounds(TreeNetwork(units=1), 12)
    >>> r.weights, r.equations, r.degrees, r.total_degree
    (12, 12, [[9, 12]], 282429536481)
    """
    if not isinstance(n_data, (int, np.integer)) or n_data < 1:
        raise SpecError(f"number of data points must be >= 1, got {n_data!r}")
    if system == "zero-loss":
        blocks = zero_loss_blocks(net, n_data)
    elif system == "critical":
        from algebra.systems import critical_system, make_data

        blocks = blocks_of(critical_system(net, make_data(net, n_data, seed), l2=l2, seed=seed))
    else:
        raise SpecError(f"unknown system {system!r}: use zero-loss or critical")
    degrees = [a.degree for a in net.activations]
    return bounds_report(blocks, net.weight_names, partition or net.groups,
                         activation_degree=degrees[0] if degrees else 1,
                         activation_layers=net.activation_layers, n_data=n_data,
                         with_mixed_volume=with_mixed_volume, seed=seed,
                         layer_degrees=degrees if len(set(degrees)) > 1 else None)


def _random_system_strings(blocks: list[Block], n_vars: int, seed: int) -> list[str]:
    """Equations with the given supports and random coefficients, over safe names x1..xW."""
    rng = np.random.default_rng([seed, 5])
    names = [f"x{k + 1}" for k in range(n_vars)]
    out = []
    for b in blocks:
        for _ in range(b.count):
            terms = []
            for mon in b.support:
                c = rng.uniform(0.5, 1.5) * (1 if rng.random() < 0.5 else -1)
                factors = [n if e == 1 else f"{n}^{int(e)}" for n, e in zip(names, mon) if e]
                terms.append("*".join([f"{c:.17g}"] + factors))
            out.append(" + ".join(terms).replace("+ -", "- ") + ";")
    return out


def torus_symmetries(blocks: list[Block], n_vars: int) -> int:
    """Dimension of the torus acting on every equation by a character: n minus the rank of
    all differences of exponents within each equation.

    Each such direction lam rescales the variables, w_k -> t^(lam_k) w_k, and multiplies
    each equation by a power of t: solution sets are unions of orbits, so there are no
    isolated solutions with nonzero coordinates and the mixed volume is 0. The rescaling
    between consecutive layers (s -> t s, a -> a / t) is one.

    >>> torus_symmetries([Block(np.array([[1, 1], [0, 0]]), 2)], 2)  # x*y - c = 0
    1
    """
    import flint

    diffs = [b.support[1:] - b.support[:1] for b in blocks if len(b.support) > 1]
    if not diffs:
        return n_vars
    diffs = np.vstack(diffs)
    low = diffs.min(axis=0)
    lattice, _ = unique_rows(diffs - low)  # shifted to be nonnegative for the fast path
    lattice = (lattice + low).astype(float)
    # rank(D) = rank(D^T D), exactly: the Gram matrix of small integers is exact in float64
    # (entries far below 2^53) and its rank is taken over the integers, not by a tolerance
    gram = np.rint(lattice.T @ lattice).astype(np.int64)
    return n_vars - int(flint.fmpz_mat(gram.tolist()).rank())


def mixed_volume(blocks: list[Block], n_vars: int, seed: int = 0, timeout: float = 600, *,
                 origin: bool = False, stable: bool = False):
    """The mixed volume of a square system with these supports, checked (``phc.MixedVolume``:
    MixedVol's value and DEMiCs' beside it, in two workers at once; a disagreement is
    recorded, not raised): the root count in the torus (C*)^n for generic coefficients.
    ``origin``: each support with the origin added, the BKK bound for C^n (Li and Wang,
    1996), what a polyhedral start tracks; ``stable``: also MixedVol's stable mixed volume
    (Huber and Sturmfels), a count in C^n between the two."""
    from algebra import phc

    if sum(b.count for b in blocks) != n_vars:
        raise ValueError("mixed volume needs a square system")
    if origin:
        zero = np.zeros((1, n_vars), dtype=np.int64)
        blocks = [Block(unique_rows(np.vstack([b.support, zero]))[0], b.count) for b in blocks]
    names = [f"x{k + 1}" for k in range(n_vars)]
    return phc.checked_mixed_volume(_random_system_strings(blocks, n_vars, seed), names, seed, stable=stable,
                                    timeout=timeout)


MIXED_VOLUME_NOTE = ("mixed volume: of the supports as they are, the root count in the torus (C*)^n for generic "
                     "coefficients; BKK (C^n): the mixed volume with the origin added to every support (Li and Wang), "
                     "a bound on the isolated solutions in C^n and the paths of `solve --start polyhedral`; stable "
                     "MV: the stable mixed volume (Huber and Sturmfels), between the two; for generic coefficients "
                     "BKK minus mixed volume bounds the solutions with a zero coordinate")


def checked_mixed_volumes(square: list[Block], n_vars: int, seed: int = 0) -> tuple[dict, list[str]]:
    """``mixed_volume`` (torus), ``bkk_bound`` (origin added) and ``stable_mixed_volume`` of a
    square system, with their checks (``mixed_volume_check``) and notes. A count where
    MixedVol and DEMiCs disagree is None (both numbers in its check and a note); one DEMiCs
    did not check is MixedVol's, said so. The stable mixed volume is MixedVol's alone
    (DEMiCs' stable variant is broken on 2.4.86), kept only between the two checked counts."""
    torus = mixed_volume(square, n_vars, seed, stable=True)
    with_origin = all((b.support == 0).all(axis=1).any() for b in square)  # then the two are one count
    bkk = torus if with_origin else mixed_volume(square, n_vars, seed, origin=True)
    notes = [MIXED_VOLUME_NOTE]
    out = {}
    for key, what, check in (("mixed_volume", "mixed volume", torus), ("bkk_bound", "BKK bound", bkk)):
        out[key] = None if check.disagreed else check.value
        if check.disagreed:
            notes.append(f"{what} not reported: {check.why}: one algorithm alone is not a checked count")
        elif not check.agreed:
            notes.append(f"{what} {check.value:,} is MixedVol's alone, unchecked: {check.why}")
    smv = torus.stable
    if smv is not None and not torus.value <= smv <= bkk.value:
        notes.append(f"MixedVol's stable mixed volume {smv:,} is not between the mixed volume {torus.value:,} and "
                     f"the BKK bound {bkk.value:,}: not reported")
        smv = None
    out["stable_mixed_volume"] = smv if out["mixed_volume"] is not None and out["bkk_bound"] is not None else None
    out["mixed_volume_check"] = {"mixed_volume": torus.as_dict(), "bkk_bound": bkk.as_dict(),
                                 "stable_mixed_volume": "MixedVol's alone (DEMiCs has no working stable variant)"}
    return out, notes


@dataclass
class BoundsReport:
    weights: int
    equations: int
    degrees: list[list[int]]    # [degree, number of equations of that degree], in equation order
    squared_by: str
    total_degree: int | None
    log10_total_degree: float
    partition: list[list[str]]
    multihomogeneous: int | None
    log10_multihomogeneous: float
    mixed_volume: int | None            # torus (C*)^n: the supports' mixed volume
    bkk_bound: int | None               # C^n: the mixed volume with the origin added to every support
    stable_mixed_volume: int | None     # C^n: MixedVol's stable mixed volume, between the two
    mixed_volume_check: dict | None     # MixedVol's and DEMiCs' counts of each (phc.MixedVolume.as_dict)
    log10_paper_bound: float | None
    paper_bound_formula: str
    log10_real_estimate: float
    torus_symmetries: int
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _exact_or_none(n: int) -> int | None:
    return n if log10_int(n) <= EXACT_LOG10_LIMIT else None


def bounds_report(blocks: list[Block], variables: Sequence[str], groups, *,
                  activation_degree: int, activation_layers: int, n_data: int,
                  with_mixed_volume: bool = False, seed: int = 0,
                  layer_degrees: Sequence[int] | None = None) -> BoundsReport:
    """Every bound of one system given by its equation blocks (see ``square_blocks``);
    ``layer_degrees``: the activation degree of each hidden layer, where they differ."""
    n_vars = len(variables)
    n_eq = sum(b.count for b in blocks)
    degrees: list[list[int]] = []  # [degree, equations] runs: N = 10^8 equations are one pair, not a list
    for b in blocks:
        if degrees and degrees[-1][0] == b.degree:
            degrees[-1][1] += b.count
        else:
            degrees.append([b.degree, b.count])
    square, how = square_blocks(blocks, n_vars)
    degs = [b.degree for b in square]
    cnts = [b.count for b in square]
    log_td = sum(c * math.log10(d) if d > 0 else float("-inf") for d, c in zip(degs, cnts))
    td = total_degree(d for d, c in zip(degs, cnts) for _ in range(c)) if log_td <= 4 * EXACT_LOG10_LIMIT else None
    index_groups = partition_indices(variables, groups)
    names = [[variables[k] for k in g] for g in index_groups]
    multideg = np.array([[int(b.support[:, g].sum(axis=1).max(initial=0)) for g in index_groups]
                         for b in square])
    mh = multihomogeneous_bezout(multideg, [len(g) for g in index_groups], cnts)
    notes = []
    mixed = {"mixed_volume": None, "bkk_bound": None, "stable_mixed_volume": None, "mixed_volume_check": None}
    if with_mixed_volume:
        mixed, notes = checked_mixed_volumes(square, n_vars, seed)
    mv = mixed["mixed_volume"]
    sym = torus_symmetries(square, n_vars)
    if sym:
        notes.append(f"the square system is invariant under a {sym}-dimensional torus of rescalings: "
                     "it has no isolated solutions with nonzero coordinates (mixed volume 0); "
                     "fix weights or add slices to count points")
    if td is not None and mh > td:
        notes.append("this partition's multihomogeneous number exceeds the total degree: "
                     "a coarser partition bounds better")
    if layer_degrees:  # one activation per hidden layer: d^L becomes the product of their degrees
        paper = n_data * sum(math.log10(d) for d in layer_degrees)
        formula = f"(d_1 ... d_L)^N = ({'*'.join(map(str, layer_degrees))})^{n_data}"
    elif activation_degree > 1 and activation_layers > 0:
        paper = activation_layers * n_data * math.log10(activation_degree)
        formula = f"d^(L N) = {activation_degree}^({activation_layers}*{n_data})"
    else:
        paper, formula = None, "d^(L N) undefined for a linear activation (d = 1)"
    top = mixed["bkk_bound"] if mixed["bkk_bound"] is not None else mv
    if top is not None and not top <= min(mh, td if td is not None else mh):
        notes.append("a mixed volume exceeds a Bezout number: check the supports")
    return BoundsReport(
        weights=n_vars, equations=n_eq, degrees=degrees, squared_by=how,
        total_degree=None if td is None else _exact_or_none(td), log10_total_degree=log_td,
        partition=names, multihomogeneous=_exact_or_none(mh), log10_multihomogeneous=log10_int(mh),
        **mixed, log10_paper_bound=paper, paper_bound_formula=formula,
        log10_real_estimate=log_td / 2, torus_symmetries=sym, notes=notes)
