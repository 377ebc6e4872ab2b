"""Files that are whole or absent: the one atomic write that every result, checkpoint and
unit of work goes through: the engine's checkpoints, training's trajectories, the command
line's results. Here, under everything, because every layer writes files."""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Callable


class NotRegularFile(OSError):
    """A write aimed at something a result must never replace (a FIFO, a device, a folder)."""


def writable_target(path: str | os.PathLike) -> Path:
    """The file a write to ``path`` replaces: ``path`` itself, or a symlink's target (the link
    stays a link and its target gets the new content); refused (``NotRegularFile``) where that
    exists and is not a regular file: renaming over /dev/null would replace the machine's
    /dev/null, and a FIFO would become a file its reader never sees.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> writable_target(d / "new.json").name
    'new.json'
    >>> writable_target(d)
    Traceback (most recent call last):
    ...
    algebra.files.NotRegularFile: [Errno 17] not a regular file but a folder: a result never replaces one: '...'
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    if path.exists() and not path.is_file():
        mode = path.stat().st_mode
        kind = ("folder" if stat.S_ISDIR(mode) else "FIFO" if stat.S_ISFIFO(mode) else
                "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "socket")
        raise NotRegularFile(errno.EEXIST, f"not a regular file but a {kind}: a result never replaces one", str(path))
    return path


def atomic_write_bytes(path: str | os.PathLike, write: Callable[[str], None]) -> Path:
    """``write(tmp)`` fills a new file next to ``path``; it is flushed to the disk and then
    renamed over ``path``: a crash leaves the old file or the new one, never a torn one.
    The temporary name is unique (O_EXCL), also between hosts on a shared file system.
    A symlink is followed, and anything but a regular file refused (``writable_target``).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write_bytes(p, lambda tmp: pathlib.Path(tmp).write_text("whole")).read_text()
    'whole'
    """
    path = writable_target(path)
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
