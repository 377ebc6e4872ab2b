"""Files that are whole or absent: the one atomic write that every result, checkpoint and
unit of work goes through (torch-free, so that bridge.provenance can use it too)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def atomic_write_bytes(path: str | os.PathLike, write: Callable[[str], None]) -> Path:
    """``write(tmp)`` fills a new file next to ``path``; it is flushed to the disk and then
    renamed over ``path``: a crash leaves the old file or the new one, never a torn one.
    The temporary name is unique (O_EXCL), also between hosts on a shared file system.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write_bytes(p, lambda tmp: pathlib.Path(tmp).write_text("whole")).read_text()
    'whole'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes 0600: results are for others to read too
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """``text`` as the whole of ``path`` (its folder created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_bytes(path, lambda tmp: Path(tmp).write_text(text))
