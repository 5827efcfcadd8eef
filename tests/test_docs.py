"""The documentation: API reference coverage, docstrings, doctests, build.

The fast checks run in the default suite. The full Sphinx build is marked
``docs`` and runs on its own (it needs the ``docs`` extra)::

    python -m pytest -m docs tests/test_docs.py
"""

import doctest
import inspect
import io
import json
import os
import re
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

# A page's examples that need optional libraries follow a comment naming
# them, ``.. doctest-requires: pandas polars``, which holds until the next
# such comment. Each part runs as a doctest of its own, skipped when one of
# its libraries is missing, so that the other parts still run.
REQUIRES = re.compile(r"^\.\. doctest-requires:(.*)$", re.MULTILINE)


def doctest_parts(page):
    """``(id, modules, first_line, text)`` of every part of a page."""
    text = (DOCS / page).read_text(encoding="utf-8")
    starts = [(0, "")] + [(m.start(), m.group(1)) for m in REQUIRES.finditer(text)]
    ends = [start for start, _ in starts[1:]] + [len(text)]
    parts = []
    for (start, names), end in zip(starts, ends, strict=True):
        modules = tuple(names.split())
        if ">>> " not in text[start:end]:
            continue
        part_id = f"{page}:{len(parts)}" + (f"[{'+'.join(modules)}]" if modules else "")
        parts.append((part_id, modules, text.count("\n", 0, start), text[start:end]))
    return parts


DOCTEST_PARTS = [part for page in DOCTEST_PAGES for part in doctest_parts(page)]


@pytest.mark.parametrize(
    ("part_id", "modules", "first_line", "text"),
    DOCTEST_PARTS,
    ids=[part[0] for part in DOCTEST_PARTS],
)
def test_page_examples(part_id, modules, first_line, text, tmp_path, monkeypatch):
    for module in modules:
        pytest.importorskip(module)
    # Examples may write files (a saved model): into a fresh folder.
    monkeypatch.chdir(tmp_path)
    page = part_id.partition(":")[0]
    test = doctest.DocTestParser().get_doctest(
        text, {"__name__": "__main__"}, part_id, str(DOCS / page), first_line
    )
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    report = io.StringIO()
    result = runner.run(test, out=report.write)
    assert result.failed == 0, report.getvalue()


def test_page_examples_found():
    # The pages that promise runnable examples really contain some.
    for page in (
        "getting_started.rst",
        "user_guide/normalization.rst",
        "user_guide/integrations.rst",
    ):
        text = (DOCS / page).read_text(encoding="utf-8")
        assert text.count(">>> ") >= 5, page


def test_integrations_examples_need_their_libraries():
    # Every integration's examples sit in parts that name their libraries,
    # so that a missing optional dependency skips them instead of failing.
    parts = doctest_parts(Path("user_guide/integrations.rst"))
    required = {module for _, modules, _, _ in parts for module in modules}
    assert {"pandas", "polars", "array_api_strict", "torch", "dask"} <= required
    assert {"distributed", "joblib", "skops"} <= required
    assert all(modules for _, modules, _, _ in parts)


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
    # Math renders from the copy of MathJax shipped with the pages, not a CDN.
    normalization = (out / "user_guide" / "normalization.html").read_text(
        encoding="utf-8"
    )
    assert "_static/mathjax/tex-chtml.js" in normalization
    assert "cdn.jsdelivr" not in normalization
    assert (out / "_static" / "mathjax" / "tex-chtml.js").stat().st_size > 100_000
    assert list((out / "_static" / "mathjax" / "output" / "chtml").rglob("*.woff"))
    # No page talks about the project's issue tracker.
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\bissues? #?\d", text), page
    reliability = (out / "reliability.html").read_text(encoding="utf-8")
    assert "norm=&#x27;l3&#x27;" in reliability or "norm='l3'" in reliability
    assert "\u2019l3" not in reliability


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
    # Where benchmarks/bench_normalize.py writes by default.
    results = tmp_path / "benchmarks" / "results"
    results.mkdir(parents=True)
    (results / "bench_normalize.json").write_text("{}")
    (results / "bench_normalize.png").write_bytes(b"\x89PNG\r\n")
    generated = tmp_path / "_generated"
    generated.mkdir()
    write_benchmarks(generated, tmp_path)
    page = (generated / "benchmarks.md").read_text()
    assert "| dense | 3.1 |" in page and "### Detail" in page
    assert "no\n" not in page  # the next section of the README stays out
    assert "/_generated/benchmarks/bench_normalize.png" in page
    assert "/_generated/benchmarks/bench_normalize.json" in page
    assert (generated / "benchmarks" / "bench_normalize.png").exists()


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


@pytest.mark.parametrize("axis", [0, 1])
def test_fitted_attributes_are_documented_as_scikit_learn_checks(axis):
    """The rule of scikit-learn's ``test_fit_docstring_attributes``.

    A documented attribute missing after ``fit`` on a plain array must say
    "only " in its description; every public fitted attribute is documented.
    """
    import numpy as np

    ClassDoc = pytest.importorskip("numpydoc.docscrape").ClassDoc
    attributes = ClassDoc(sklearn_l2.L2Normalizer)["Attributes"]
    est = sklearn_l2.L2Normalizer(axis=axis).fit(np.array([[3.0, 4.0], [1.0, 0.0]]))
    for attr in attributes:
        if "only " not in " ".join(attr.desc).lower():
            assert hasattr(est, attr.name), attr.name
    fitted = {name for name in vars(est) if name.endswith("_") and name[0] != "_"}
    assert fitted <= {attr.name for attr in attributes}


def test_benchmarks_page_leaves_out_internal_text():
    from build_pages import drop_internal_text

    text = (
        "Speed figures.\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n"
        "Targets of issue 3 against this run:\n\n| target | result |\n"
        "| --- | --- |\n| x | met |\n\nWhat limits it."
    )
    kept = drop_internal_text(text)
    assert "| 1 | 2 |" in kept and "What limits it." in kept
    assert "issue" not in kept and "| x | met |" not in kept


def test_bad_inputs_table_keeps_straight_quotes():
    from build_pages import bad_inputs_table

    table = bad_inputs_table(
        [
            {
                "case": "bad norm",
                "call": "normalize(X, norm='l3')",
                "error": "ValueError",
                "message": "'norm' parameter",
            }
        ]
    )
    assert "``normalize(X, norm='l3')``" in table
    assert "``'norm' parameter``" in table
    assert ":widths:" in table


def test_changelog_is_release_notes():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings[0] == "Unreleased" and "0.1.0" in headings
    assert not re.search(r"#\d|\bissue", text)


def test_docs_need_no_cdn():
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert 'or "mathjax/tex-chtml.js"' in conf
    assert "jsdelivr" not in conf and "cdnjs" not in conf
