"""Typed option values shared by every command: checked where they enter, once.

Each factory returns an argparse ``type``: it turns the text into a number or refuses it with
one line naming the allowed range (argparse adds the option's name; bridge.cli turns it into
exit status 2 before any work starts). Limits that protect memory or time say so and name
what they protect.

>>> integer(1, 10)("3"), number(0, 1, open_lo=True)("0.5")
(3, 0.5)
>>> integer(1, 10)("11")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: must be an integer in [1, 10], got 11
>>> number(0, None, open_lo=True)("inf")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: must be a finite number > 0, got inf
"""
from __future__ import annotations

import argparse
import math
import re

SEED_MAX = 2 ** 32 - 1  # numpy's legacy and torch's seeds both take it; more would be silently folded


def _range_text(lo, hi, open_lo: bool = False, open_hi: bool = False) -> str:
    if lo is not None and hi is not None:
        return f"in {'(' if open_lo else '['}{lo:,}, {hi:,}{')' if open_hi else ']'}"
    if lo is not None:
        return f"{'>' if open_lo else '>='} {lo:g}" if isinstance(lo, float) else f"{'>' if open_lo else '>='} {lo:,}"
    if hi is not None:
        return f"{'<' if open_hi else '<='} {hi:g}"
    return ""


def integer(lo: int | None = None, hi: int | None = None, why: str = ""):
    """An integer in [lo, hi]; ``why`` says what the upper limit protects."""
    def parse(text: str) -> int:
        # plain ASCII digits only: Python's int() also takes "1_0", " 3 " and fullwidth digits
        if not re.fullmatch(r"[+-]?[0-9]+", str(text)):
            raise argparse.ArgumentTypeError(f"must be an integer {_range_text(lo, hi)}, got {text!r}")
        value = int(text)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            tail = f" ({why})" if why and hi is not None and value > hi else ""
            shown = f"{value:,}" if abs(value) < 10 ** 30 else f"a {len(str(abs(value)))}-digit number"
            raise argparse.ArgumentTypeError(f"must be an integer {_range_text(lo, hi)}, got {shown}{tail}")
        return value
    parse.__name__ = "integer"
    parse.bounds = (lo, hi, False, False)  # read by the bad-input harness (tests/bridge/test_harness.py)
    return parse


def number(lo: float | None = None, hi: float | None = None, *, open_lo: bool = False, open_hi: bool = False,
           why: str = ""):
    """A finite float in the interval (closed unless ``open_lo``/``open_hi``)."""
    def parse(text: str) -> float:
        try:
            value = float(str(text).strip())
        except ValueError:
            value = math.nan
        ok = math.isfinite(value)
        ok = ok and (lo is None or (value > lo if open_lo else value >= lo))
        ok = ok and (hi is None or (value < hi if open_hi else value <= hi))
        if not ok:
            tail = f" ({why})" if why else ""
            raise argparse.ArgumentTypeError(
                f"must be a finite number {_range_text(lo, hi, open_lo, open_hi)}, got {text}{tail}")
        return value
    parse.__name__ = "number"
    parse.bounds = (lo, hi, open_lo, open_hi)
    return parse


SEED = integer(0, SEED_MAX)
WORKERS = integer(1, 256)
