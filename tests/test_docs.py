"""The documentation: API reference coverage, docstrings, doctests, build.

The fast checks run in the default suite. The full Sphinx build is marked
``docs`` and runs on its own (it needs the ``docs`` extra)::

    python -m pytest -m docs tests/test_docs.py
"""

import doctest
import inspect
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sklearn_l2

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_tools"))

from numpydoc_config import failures  # noqa: E402

PUBLIC = sorted(name for name in sklearn_l2.__all__ if name != "__version__")


def documented_objects():
    """Dotted names of every public function, class and method of ours.

    Methods inherited from scikit-learn's mixins carry scikit-learn's
    docstrings and are not checked here.
    """
    names = []
    for name in PUBLIC:
        obj = getattr(sklearn_l2, name)
        names.append(f"sklearn_l2.{name}")
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                # available_if wraps a method in a descriptor holding it as fn.
                if not attr.startswith("_") and callable(getattr(member, "fn", member)):
                    names.append(f"sklearn_l2.{name}.{attr}")
    return names


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_in_api_reference(name):
    api = (DOCS / "api.rst").read_text(encoding="utf-8")
    entries = {line.strip() for line in api.splitlines()}
    assert name in entries, f"{name} is public but not listed in docs/api.rst"


def test_documented_objects_include_methods():
    names = documented_objects()
    for method in ("fit", "partial_fit", "transform", "inverse_transform"):
        assert f"sklearn_l2.L2Normalizer.{method}" in names


@pytest.mark.parametrize("name", documented_objects())
def test_numpydoc_validation(name):
    validate = pytest.importorskip("numpydoc.validate").validate
    report = validate(name)
    problems = failures(report)
    assert not problems, "\n".join(f"{name}: {code} {msg}" for code, msg in problems)


DOCTEST_PAGES = sorted(
    p.relative_to(DOCS) for p in DOCS.rglob("*.rst") if "_build" not in p.parts
)


@pytest.mark.parametrize("page", DOCTEST_PAGES, ids=str)
def test_page_examples(page):
    result = doctest.testfile(
        str(DOCS / page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        verbose=False,
    )
    assert result.failed == 0


def test_page_examples_found():
    # The pages that promise runnable examples really contain some.
    for page in ("getting_started.rst", "user_guide/normalization.rst"):
        text = (DOCS / page).read_text(encoding="utf-8")
        assert text.count(">>> ") >= 5, page


@pytest.mark.docs
def test_docs_build_with_gallery(tmp_path):
    """The README's docs command, on a copy of the docs, with a notebook."""
    examples = tmp_path / "examples"
    examples.mkdir()
    shutil.copy(DOCS / "_test_notebook" / "sample.ipynb", examples / "sample.ipynb")
    out = tmp_path / "html"
    env = {
        **os.environ,
        "SKLEARN_L2_DOCS_EXAMPLES": str(examples),
        "SKLEARN_L2_DOCS_INTERSPHINX": "0",
    }
    # Build from a copy so that the generated pages do not touch the checkout.
    src = tmp_path / "repo"
    shutil.copytree(
        DOCS, src / "docs", ignore=shutil.ignore_patterns("_build", "generated")
    )
    for name in ("README.md", "CHANGELOG.md", "pyproject.toml"):
        shutil.copy(ROOT / name, src / name)
    if (ROOT / "benchmarks").is_dir():
        shutil.copytree(ROOT / "benchmarks", src / "benchmarks")
    completed = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", "docs", str(out)],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-5000:]
    gallery = (out / "gallery" / "index.html").read_text(encoding="utf-8")
    assert "sample.html" in gallery
    page = (out / "gallery" / "sample.html").read_text(encoding="utf-8")
    assert "<img" in page, "the notebook's plot is missing from its page"
    api = (out / "generated" / "sklearn_l2.L2Normalizer.html").read_text(
        encoding="utf-8"
    )
    for method in ("fit", "partial_fit", "transform", "inverse_transform"):
        assert f'id="sklearn_l2.L2Normalizer.{method}"' in api
    exactness = (out / "user_guide" / "exactness.html").read_text(encoding="utf-8")
    assert "zeros" in exactness and "unchanged" in exactness


def test_sample_notebook_is_executed():
    """The notebook the build test uses has stored outputs, a plot among them."""
    notebook = json.loads((DOCS / "_test_notebook" / "sample.ipynb").read_text())
    outputs = [o for c in notebook["cells"] for o in c.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs)


def test_benchmarks_page_picks_up_results(tmp_path):
    from build_pages import write_benchmarks

    (tmp_path / "README.md").write_text(
        "# pkg\n\n## Speed\n\nMeasured on a laptop.\n\n| case | ratio |\n"
        "| --- | --- |\n| dense | 3.1 |\n\n### Detail\n\nmore\n\n## Other\n\nno\n"
    )
    bench = tmp_path / "benchmarks"
    bench.mkdir()
    (bench / "results.json").write_text("{}")
    (bench / "results.png").write_bytes(b"\x89PNG\r\n")
    generated = tmp_path / "_generated"
    generated.mkdir()
    write_benchmarks(generated, tmp_path)
    page = (generated / "benchmarks.md").read_text()
    assert "| dense | 3.1 |" in page and "### Detail" in page
    assert "no\n" not in page  # the next section of the README stays out
    assert "/_generated/benchmarks/results.png" in page
    assert "/_generated/benchmarks/results.json" in page
    assert (generated / "benchmarks" / "results.png").exists()


def test_benchmarks_page_without_results(tmp_path):
    from build_pages import BENCH_COMMAND, write_benchmarks

    (tmp_path / "README.md").write_text("# pkg\n\nNo speed section.\n")
    generated = tmp_path / "_generated"
    generated.mkdir()
    write_benchmarks(generated, tmp_path)
    page = (generated / "benchmarks.md").read_text()
    assert BENCH_COMMAND in page and "no speed table yet" in page


def test_gallery_summary_and_setup_cells():
    from build_pages import hide_setup_cells, notebook_summary

    notebook = json.loads((DOCS / "_test_notebook" / "sample.ipynb").read_text())
    title, description, thumbnail = notebook_summary(notebook)
    assert title == "Sample notebook for the docs build test"
    assert description.startswith("A tiny executed notebook")
    assert thumbnail.startswith(b"\x89PNG")
    magic = {"cell_type": "code", "source": "%matplotlib inline\n", "outputs": []}
    hide_setup_cells({"cells": [magic]})
    assert magic["metadata"]["tags"] == ["remove-cell"]
