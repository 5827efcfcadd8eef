"""Every notebook in examples/ runs top to bottom, offline.

The notebooks check their own conclusions with assertions, so a re-run that
changes a number the prose relies on fails here. Needs the ``examples`` extra
and ``examples/install_data.sh``.

Nothing here is timed: how long a notebook takes depends on the machine and on
what else runs on it. The kernel timeout below only stops a notebook that
hangs; it is far above any run seen (see the README for typical times).
"""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("[0-9][0-9]_*.ipynb"))
# A hang guard, in seconds per cell: not a performance target.
HANG_GUARD = 1800


def test_every_script_has_its_notebook():
    scripts = {p.stem for p in EXAMPLES.glob("[0-9][0-9]_*.py")}
    assert scripts
    assert scripts == {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_script_and_notebook_agree(path):
    # The .py script (what reviewers read) and the .ipynb (what runs and is
    # rendered) hold the same cells, tags included.
    jupytext = pytest.importorskip("jupytext")

    def cells(notebook):
        return [
            (cell.cell_type, cell.source.strip(), cell.metadata.get("tags", []))
            for cell in notebook.cells
        ]

    script = jupytext.read(path.with_suffix(".py"))
    assert cells(script) == cells(nbformat.read(path, as_version=4))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_executed(path):
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0]
    assert first.cell_type == "code" and "%matplotlib inline" in first.source
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code if cell.source.strip()]
    assert None not in counts, f"{path.name} has cells saved without running"
    assert counts == sorted(counts), f"{path.name} was not run top to bottom"
    errors = [
        output
        for cell in code
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors, f"{path.name} was saved with an error"


def _is_check_cell(cell):
    """A code cell with a top-level ``assert``: it checks the prose's claims.

    An indented ``assert`` is a guard inside a loop that computes something
    shown on the page, and its cell stays visible.
    """
    if cell.cell_type != "code":
        return False
    return any(line.startswith("assert ") for line in cell.source.splitlines())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_assertion_cells_hidden_from_pages(path):
    # The cells that check the prose stay in the notebook, and run, but the
    # rendered page does not show them (myst-nb drops cells tagged so).
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if _is_check_cell(cell):
            tags = cell.get("metadata", {}).get("tags", [])
            assert "remove-cell" in tags, (path.name, cell.source[:80])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch):
    # No kernel may reach the network: the model of example 06 loads from its
    # wheel, and the hub client is told so.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    # Fewer cross-validation repeats where a notebook offers it (06): every
    # cell still runs and every assertion is still checked.
    monkeypatch.setenv("SKLEARN_L2_EXAMPLES_QUICK", "1")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=HANG_GUARD,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()
    images = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    assert images, f"{path.name} drew no inline figure (MPLBACKEND set?)"
    checks = [cell for cell in notebook.cells if _is_check_cell(cell)]
    assert checks, f"{path.name} checks none of its claims"


def test_check_cell_detection():
    # The helper the two tests above rely on sees assertions and only them.
    cell = nbformat.v4.new_code_cell("x = 1\nassert x == 1\n")
    assert _is_check_cell(cell)
    assert not _is_check_cell(nbformat.v4.new_code_cell("x = 1\n"))
    assert not _is_check_cell(nbformat.v4.new_code_cell("for x in y:\n    assert x\n"))
    assert not _is_check_cell(nbformat.v4.new_markdown_cell("assert nothing"))
