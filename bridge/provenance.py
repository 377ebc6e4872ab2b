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
import tempfile
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
            out[name] = None
    return out


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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def to_json(obj, indent: int | None = 1) -> str:
    """JSON text of a result, numpy scalars and arrays included."""
    return json.dumps(obj, indent=indent, default=_default)


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
