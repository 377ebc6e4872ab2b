"""Output folders claimed before any work starts: one command and one configuration per
folder, one process at a time.

``claim(folder, command, arguments)`` checks that the folder can be written (before the
computation, so a result is never lost at the end), refuses a folder that holds another
command's result or the same command with other arguments (the ones that change results),
and holds an advisory lock (fcntl) for the command's duration, so two processes never write
one folder at once. It records the command and its arguments in ``.landscape.json``; the same
command with the same arguments may rerun or resume. When the command fails on bad input, a
folder it created is removed again: bad input writes nothing.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from pathlib import Path

from algebra.errors import SpecError

MARKER = ".landscape.json"
STALE = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")  # algebra.files' temporary names
LOCK = ".landscape.lock"


class FolderBusy(SpecError):
    """Another process holds the folder's lock."""


def _existing_ancestor(path: Path) -> Path:
    for parent in [path, *path.parents]:
        if parent.exists():
            return parent
    return Path(".")


def check_writable(folder: Path) -> None:
    """One line when ``folder`` cannot become a writable folder."""
    if folder.exists() and not folder.is_dir():
        raise SpecError(f"--out {folder} is a file, not a folder")
    base = _existing_ancestor(folder)
    if not base.is_dir():
        raise SpecError(f"--out {folder}: {base} is a file, not a folder")
    if not os.access(base, os.W_OK | os.X_OK):
        raise SpecError(f"--out {folder}: {base} is not writable")


def _differences(old: dict, new: dict) -> list[str]:
    keys = sorted(set(old) | set(new))
    return [f"--{k.replace('_', '-')} {old.get(k)!r} there, {new.get(k)!r} now" for k in keys
            if old.get(k) != new.get(k)]


def _check_marker(folder: Path, command: str, arguments: dict) -> None:
    marker = folder / MARKER
    if marker.exists():
        try:
            held = json.loads(marker.read_text())
        except (OSError, json.JSONDecodeError):
            raise SpecError(f"--out {folder}: {MARKER} is damaged; use a new --out folder") from None
        if held.get("command") != command:
            raise SpecError(f"--out {folder} holds the result of `landscape {held.get('command')}`; "
                            f"use a new --out folder for `landscape {command}`")
        diff = _differences(held.get("arguments", {}), arguments)
        if diff:
            raise SpecError(f"--out {folder} holds a `landscape {command}` result of another configuration "
                            f"({'; '.join(diff[:3])}); use a new --out folder")
    elif (folder / "result.json").exists():
        raise SpecError(f"--out {folder} already holds a result.json of unknown origin; use a new --out folder")


@contextlib.contextmanager
def claim(folder: str | os.PathLike, command: str, arguments: dict):
    """Hold ``folder`` for one command run (see the module docstring)."""
    folder = Path(folder)
    check_writable(folder)
    arguments = json.loads(json.dumps(arguments, default=str))
    if folder.exists():
        _check_marker(folder, command, arguments)
    created = not folder.exists()
    first_new = next((p for p in reversed([folder, *folder.parents]) if not p.exists()), None)
    folder.mkdir(parents=True, exist_ok=True)
    had_marker = (folder / MARKER).exists()
    lock = open(folder / LOCK, "a+")
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise FolderBusy(f"--out {folder} is in use by {holder}: wait for it, or use a new --out folder") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"landscape {command} (pid {os.getpid()})")
        lock.flush()
        _check_marker(folder, command, arguments)  # again, under the lock: a racing claim may have won
        if had_marker:  # a folder a command of ours wrote before (never a user's folder that merely exists)
            _remove_stale_temporaries(folder)
        if not had_marker:
            (folder / MARKER).write_text(json.dumps({"command": command, "arguments": arguments}, indent=1))
        try:
            yield folder
        except SpecError as exc:
            if not isinstance(exc, FolderBusy):
                _undo(folder, created, had_marker, first_new)
            raise
    finally:
        lock.close()


def _remove_stale_temporaries(folder: Path) -> None:
    """Temporaries of atomic writes (``.NAME.XXXXXXXX.tmp``: mkstemp's eight characters,
    algebra.files) left in the folder by a writer that was killed before its rename: under
    the folder's lock no writer is alive, so none of them will ever be renamed (kill -9 of
    compare left ``.epoch_0000.pt.XXXXXXXX.tmp``)."""
    for tmp in folder.rglob(".*.tmp"):
        if STALE.fullmatch(tmp.name) and tmp.is_file() and not tmp.is_symlink():
            with contextlib.suppress(OSError):
                tmp.unlink()


def _undo(folder: Path, created: bool, had_marker: bool, first_new: Path | None) -> None:
    """Bad input found inside the command: leave the folder (and the folders made for it) as
    they were."""
    if created and all(p.name in (MARKER, LOCK) for p in folder.iterdir()):
        shutil.rmtree(folder, ignore_errors=True)
        for parent in folder.parents:
            if first_new is None or parent == first_new.parent:
                break
            with contextlib.suppress(OSError):  # not empty: something else was written there meanwhile
                parent.rmdir()
    elif not had_marker and not (folder / "result.json").exists():
        (folder / MARKER).unlink(missing_ok=True)
