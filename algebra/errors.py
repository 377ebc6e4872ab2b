"""The error of bad user input, shared by every module of algebra/ (and re-exported by
algebra.activation, where it began): the command line turns it into one line and exit 2."""
from __future__ import annotations


class SpecError(ValueError):
    """A user-supplied specification (activation, network, partition...) is malformed."""


def check_seed(seed, what: str = "seed") -> int:
    """A seed is a whole number >= 0 (numpy's generators take no other; a bool is not one).

    >>> check_seed(3)
    3
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    algebra.errors.SpecError: seed must be a whole number >= 0, got -1
    """
    import numbers

    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise SpecError(f"{what} must be a whole number >= 0, got {seed!r}")
    return int(seed)
