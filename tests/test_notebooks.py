"""The notebooks in examples/ run from top to bottom; a cell that raises fails the test.

Each notebook runs with nbclient on a kernel of this very interpreter (sys.executable: the
venv's python), whatever kernels the machine has: the test writes a kernel spec for it into a
temporary JUPYTER_PATH (ipykernel, nbclient and nbformat come with `pip install -e '.[test]'`,
which `make test` runs). Plots use matplotlib's Agg backend (MPLBACKEND=Agg). The notebooks
are stored without outputs; executing them here never writes them back.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))
KERNEL = "landscape-test"
TIMEOUT = 120  # seconds a cell; each notebook takes well under a minute on 2 cores


@pytest.fixture(scope="module")
def kernel_path(tmp_path_factory):
    from ipykernel.kernelspec import write_kernel_spec

    path = tmp_path_factory.mktemp("jupyter")
    spec = write_kernel_spec(path / "kernels" / KERNEL)  # argv: [sys.executable, -m, ipykernel_launcher, ...]
    assert Path(spec, "kernel.json").read_text().count(sys.executable) == 1
    return path


def test_three_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["01-count-solutions.ipynb", "02-dimension.ipynb", "03-poly-vs-relu.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, kernel_path: Path, tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), \
        f"{path.name}: store notebooks without outputs (they diff better)"
    client = nbclient.NotebookClient(nb, kernel_name=KERNEL, timeout=TIMEOUT,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, naming the cell, when one raises
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "execute_result"]
    assert printed or shown, f"{path.name}: printed nothing"
