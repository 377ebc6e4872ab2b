"""What every result file records: configuration, seed, package versions, git commit.

Results are written atomically (temporary file in the same folder, then rename), so an
interrupted run never leaves a half-written result.json.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

PACKAGES = ("numpy", "scipy", "sympy", "mpmath", "python-flint", "torch", "torchvision",
            "scikit-learn", "matplotlib", "PHCpy")
ROOT = Path(__file__).resolve().parent.parent


def versions() -> dict[str, str | None]:
    """Installed versions, read from package metadata (nothing heavy is imported)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = _linked_version(name)
    return out


def _linked_version(name: str) -> str | None:
    """The version of a package linked into the venv from Debian's dist-packages (phcpy):
    its egg-info sits next to the package's real folder, not on the venv's path."""
    import importlib.util

    spec = importlib.util.find_spec(name.lower())
    if spec is None or not spec.origin:
        return None
    real = Path(os.path.realpath(Path(spec.origin).parent))
    for info in sorted(real.parent.glob(f"{name}-*.egg-info")) + sorted(real.parent.glob(f"{name}-*.dist-info")):
        try:
            return metadata.Distribution.at(info).version
        except (OSError, ValueError):
            continue
    return None


def git_commit() -> str | None:
    """HEAD of the checkout this code runs from, with '+dirty' when it has local changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.TimeoutExpired):
        return None


def provenance(config: dict, seed: int | None) -> dict:
    return {"config": config, "seed": seed, "versions": versions(), "git_commit": git_commit(),
            "command": [Path(sys.argv[0]).name] + sys.argv[1:],
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def write_atomic(path: str | os.PathLike, text: str) -> Path:
    """``text`` as the whole of ``path``, never a torn file (algebra.files)."""
    from algebra.files import write_text_atomic

    return write_text_atomic(path, text)


def to_json(obj, indent: int | None = 1) -> str:
    """Strict JSON text of a result, numpy scalars and arrays included: NaN and infinities
    (which JSON does not have) become null, and a top-level "non_finite" lists where they
    were and what they were.

    >>> to_json({"a": [1.0, float("nan")], "b": float("-inf")}, indent=None)
    '{"a": [1.0, null], "b": null, "non_finite": {"a[1]": "nan", "b": "-inf"}}'
    """
    found: dict[str, str] = {}
    clean = _finite(obj, "", found)
    if found and isinstance(clean, dict):
        clean = {**clean, "non_finite": found}
    return json.dumps(clean, indent=indent, allow_nan=False)


def _finite(obj, path: str, found: dict):
    """A copy of obj with plain JSON types only, non-finite floats replaced by None."""
    import math

    import numpy as np

    if isinstance(obj, dict):
        return {str(k): _finite(v, f"{path}.{k}" if path else str(k), found) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v, f"{path}[{i}]", found) for i, v in enumerate(obj)]
    if isinstance(obj, np.ndarray):
        return _finite(obj.tolist(), path, found)
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        if not math.isfinite(value):
            found[path] = repr(value)
            return None
        return value
    if obj is None or isinstance(obj, str):
        return obj
    return _default(obj)


def write_result(out_dir: str | os.PathLike, result: dict, name: str = "result.json") -> Path:
    return write_atomic(Path(out_dir) / name, to_json(result) + "\n")


def _default(obj):
    import numpy as np

    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")
