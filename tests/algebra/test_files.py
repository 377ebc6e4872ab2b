"""Writes that never replace what is not a regular file: FIFOs and folders refused, symlinks followed."""
import os

import matplotlib.pyplot as plt
import pytest

from algebra.files import NotRegularFile, atomic_write_bytes, write_text_atomic
from training.plots import save_figure


def _write(path, text="new"):
    return atomic_write_bytes(path, lambda tmp: open(tmp, "w").write(text))


def test_a_fifo_or_a_folder_is_refused_and_left_as_it_was(tmp_path):
    fifo = tmp_path / "f.phc"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile, match="FIFO"):
        _write(fifo)
    assert fifo.is_fifo() and list(tmp_path.iterdir()) == [fifo]  # no temporary left
    with pytest.raises(NotRegularFile, match="folder"):
        write_text_atomic(tmp_path, "x")
    fig = plt.figure()
    with pytest.raises(NotRegularFile, match="FIFO"):  # a plot too, which would otherwise block on the FIFO
        save_figure(fig, fifo)
    assert fifo.is_fifo() and not plt.get_fignums()


def test_a_symlink_stays_a_link_and_its_target_gets_the_new_content(tmp_path):
    real = tmp_path / "real.phc"
    real.write_text("old")
    link = tmp_path / "link.phc"
    link.symlink_to(real)
    assert _write(link) == real
    assert link.is_symlink() and real.read_text() == "new"
    dangling = tmp_path / "to-be.json"
    (tmp_path / "dangling").symlink_to(dangling)
    _write(tmp_path / "dangling")
    assert (tmp_path / "dangling").is_symlink() and dangling.read_text() == "new"
    save_figure(plt.figure(), tmp_path / "plot.png")
    assert (tmp_path / "plot.png").read_bytes()[:4] == b"\x89PNG"
