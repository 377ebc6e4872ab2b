"""Where a long monodromy count keeps its state, so that a killed run goes on where it stopped.

A count runs in stages (the loops, the trace test's extra witnesses, the rounds of loops after
an incomplete verdict), each a ``monodromy_solve``. Each saves its whole state under its own
key: every point known, every loop drawn (corners, gammas, how many points went around it),
the points still on their way, the counters, the random generator's state. A run started
again with the same arguments restores the state and goes on as the killed run would have:
the same draws, the same batches, the same solutions (a run's arithmetic does not depend on
when it was stopped). A finished stage is kept as done and not run again.

States are written whole or not at all (``algebra.files.atomic_write_bytes``), at most every
``every`` seconds while a stage runs and always when it ends: a kill loses that much work. Proofs
are not stored: the points are proved again when a state is read (a file is data, not a proof).
"""
from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np

from algebra.errors import SpecError

EVERY = 30.0  # seconds between the saved states of a running stage (a state of the canonical tree's
              # loops is a few MB: writing it every round would cost more than the rounds)
FORMAT = 1    # the layout of a state; a file of another is refused, never misread


class CheckpointError(SpecError):
    """A state file that cannot be this run's (another format, damaged)."""


class Checkpoint:
    """States of the stages of one count, in ``folder`` (one ``<key>.npz`` each).

    >>> import tempfile
    >>> c = Checkpoint(tempfile.mkdtemp(), every=0)
    >>> c.save("loops", {"known": np.arange(3.0)}, {"since": 2})
    >>> arrays, meta = c.load("loops")
    >>> arrays["known"].tolist(), meta["since"]
    ([0.0, 1.0, 2.0], 2)
    >>> c.load("extra") is None
    True
    """

    def __init__(self, folder, every: float = EVERY):
        self.folder = Path(folder)
        self.every = every
        self._last: dict[str, float] = {}

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.npz"

    def has(self, key: str) -> bool:
        return self._path(key).exists()

    def due(self, key: str) -> bool:
        """Whether a running stage should save now (``every`` seconds after its last save)."""
        return time.monotonic() - self._last.get(key, -np.inf) >= self.every

    def save(self, key: str, arrays: dict, meta: dict) -> None:
        from algebra.files import atomic_write_bytes

        self.folder.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays, _meta=np.array(json.dumps({**meta, "format": FORMAT})))
        atomic_write_bytes(self._path(key), lambda tmp: Path(tmp).write_bytes(buffer.getvalue()))
        self._last[key] = time.monotonic()

    def load(self, key: str) -> tuple[dict, dict] | None:
        path = self._path(key)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as f:
                arrays = {k: f[k] for k in f.files if k != "_meta"}
                meta = json.loads(str(f["_meta"]))
        except (OSError, ValueError, KeyError) as exc:
            raise CheckpointError(f"{path} is damaged ({exc}); remove it to start that stage again") from None
        if meta.get("format") != FORMAT:
            raise CheckpointError(f"{path} was written in another layout (format {meta.get('format')}); "
                                  "use a new folder")
        return arrays, meta
