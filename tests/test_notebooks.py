"""Every notebook in examples/ runs top to bottom, offline, within its time.

The notebooks check their own conclusions with assertions, so a re-run that
changes a number the prose relies on fails here. Needs the ``examples`` extra
and ``examples/install_data.sh``.
"""

import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("[0-9][0-9]_*.ipynb"))
# Seconds per notebook on the 2-core CI machine; together under 10 minutes.
TIME_LIMIT = 180


def test_every_script_has_its_notebook():
    scripts = {p.stem for p in EXAMPLES.glob("[0-9][0-9]_*.py")}
    assert scripts
    assert scripts == {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path):
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0]
    assert first.cell_type == "code" and "%matplotlib inline" in first.source
    assert any(cell.get("outputs") for cell in notebook.cells), "saved without outputs"
    client = nbclient.NotebookClient(
        notebook,
        timeout=TIME_LIMIT,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_LIMIT, f"{path.name} took {elapsed:.0f} s"
    images = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    assert images, f"{path.name} drew no inline figure (MPLBACKEND set?)"
