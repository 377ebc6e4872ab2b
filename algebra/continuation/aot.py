"""The path-tracking kernel compiled ahead of time, so that a process's first solve costs no numba.

numba's import and its first dispatch (the CPU target's registries, the cache's index) cost
some 0.7 s in every new process, ten times the tracking of a small system: a first solve of
8 paths took 0.55 s where the same solve in a warm process took 0.01 s. ``make setup`` builds
``kernel.track_paths`` once with ``numba.pycc`` into a C extension next to this file; a
process that finds it loads it in a few milliseconds and never imports numba unless it
tracks on several threads (the extension holds the GIL, so blocks on threads go to the JIT).

The extension's name carries a hash of ``kernel.py``, the Python and numpy it was built for,
so an edited kernel, or another interpreter, simply does not find it and the JIT serves: the
two run the same code (generic x86-64 for the extension, no fast-math for either) and a test
checks that their results agree bit for bit. ``LANDSCAPE_NO_AOT=1`` turns the extension off.

Build: ``python -m algebra.continuation.aot`` (idempotent; about 10 s).
"""
from __future__ import annotations

import functools
import hashlib
import importlib
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
KERNEL = HERE / "kernel.py"
PREFIX = "_kernel_"
OFF_ENV = "LANDSCAPE_NO_AOT"


def module_name() -> str:
    """The extension's module name for this kernel source, interpreter and numpy."""
    h = hashlib.sha256(KERNEL.read_bytes())
    h.update(f"{sys.version_info[:2]} {np.__version__} {platform.machine()}".encode())
    return PREFIX + h.hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def track_paths():
    """``kernel.track_paths`` from the extension, or None where it is not built for this
    kernel (or turned off): then the JIT's."""
    if os.environ.get(OFF_ENV, "") not in ("", "0"):
        return None
    try:
        return importlib.import_module(f"{__package__}.{module_name()}").track_paths
    except ImportError:
        return None


def signature():
    """The one signature the extension is compiled for: the arrays ``compiled.track`` passes."""
    from numba import types as T

    i1, c1, f1 = T.int64[::1], T.complex128[::1], T.float64[::1]
    i2, c2, f2 = T.int64[:, ::1], T.complex128[:, ::1], T.float64[:, ::1]
    program = T.Tuple((i1, i1, i1, i1, i1, i1, c1, i1, i1, c1))  # compiled.Program.arrays
    form = T.Tuple((T.int64, T.int64, c1, c2, c2, i1, c1, i1, i2, c1, f2))  # compiled.Form.arrays
    result = T.Tuple((c2, f1, i1, i1, f1, i1))
    return result(c2, c1, c1, f1, program, form, T.int64, f1, T.int64)


def build(folder: Path = HERE) -> Path:
    """Compile the extension into ``folder`` (nothing to do where it is there already) and
    remove the extensions of other kernels; returns its path."""
    name = module_name()
    for f in folder.glob(PREFIX + "*"):
        if f.name.startswith(name + "."):
            return f
    from numba.pycc import CC

    from algebra.continuation import kernel

    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        cc = CC(name)
        cc.output_dir = tmp
        cc.target_cpu = ""  # generic for the architecture: a venv may move to another machine
        cc.verbose = False
        cc.export("track_paths", signature())(kernel.track_paths.py_func)
        cc.compile()
        (built,) = Path(tmp).glob(name + ".*")
        target = folder / built.name
        os.replace(built, target)  # whole or absent, never half a file under the importable name
    for f in folder.glob(PREFIX + "*"):
        if f != target:
            f.unlink(missing_ok=True) if f.is_file() else shutil.rmtree(f, ignore_errors=True)
    return target


if __name__ == "__main__":
    print(build())
