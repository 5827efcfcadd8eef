"""Sphinx configuration of the sklearn-l2 documentation.

Build (from the repository root, after ``pip install -e ".[docs]"``)::

    python -m sphinx -W -b html docs docs/_build/html

Environment variables:

``SKLEARN_L2_DOCS_INTERSPHINX``
    ``1`` links to the Python, NumPy, SciPy and scikit-learn docs through
    intersphinx (needs the network), ``0`` turns it off. Unset: on only if
    docs.python.org can be reached within two seconds, so an offline build
    neither waits nor warns.
``SKLEARN_L2_DOCS_MATHJAX``
    A URL to load MathJax from instead of the copy shipped with the pages.
    By default the build copies MathJax 3 from the PyPI package
    ``django-static-mathjax`` (part of the ``docs`` extra; Apache-2.0, no
    Django needed) into ``_static/mathjax/``, so formulas render with no
    network and no CDN.
``SKLEARN_L2_DOCS_EXAMPLES``
    The folder whose ``*.ipynb`` notebooks make the gallery (default: the
    repository's ``examples/``).
"""

import importlib.util
import os
import shutil
import socket
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_tools"))

from build_pages import generate_pages  # noqa: E402
from numpydoc_config import ignored_checks, overrides  # noqa: E402

import sklearn_l2  # noqa: E402  (the installed package, as the notebooks see it)

project = "sklearn-l2"
author = "the sklearn-l2 developers"
copyright = "the sklearn-l2 developers"
release = sklearn_l2.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "_tools",
    "_generated",
    "_test_notebook",
    "**.ipynb_checkpoints",
]
templates_path = ["_templates"]

# -- API reference ---------------------------------------------------------
autosummary_generate = True
numpydoc_show_class_members = True
numpydoc_show_inherited_class_members = True
numpydoc_class_members_toctree = False
# "fit()" rather than "L2Normalizer.fit()" in the page's table of contents.
toc_object_entries_show_parents = "hide"
# The same checks as tests/test_docs.py, read from pyproject.toml: a
# docstring that fails them is a warning, hence an error under -W.
numpydoc_validation_checks = {"all", *ignored_checks()}
numpydoc_validation_overrides = overrides()
numpydoc_validation_exclude = {
    # Inherited from scikit-learn's mixins; their docstrings are not ours.
    r"\.fit_transform$",
    r"\.get_feature_names_out$",
    r"\.set_output$",
    r"\.get_params$",
    r"\.set_params$",
    r"\.get_metadata_routing$",
    r"\.set_\w+_request$",
}

# -- Notebooks (myst-nb) ---------------------------------------------------
# The notebooks are stored executed; the docs show their saved outputs and
# never re-run a model.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# -- Cross-links to other projects ------------------------------------------


def _intersphinx_wanted():
    setting = os.environ.get("SKLEARN_L2_DOCS_INTERSPHINX", "").strip().lower()
    if setting in {"1", "true", "yes", "on"}:
        return True
    if setting in {"0", "false", "no", "off"}:
        return False
    try:
        socket.create_connection(("docs.python.org", 443), timeout=2).close()
    except OSError:
        return False
    return True


intersphinx_mapping = {}
if _intersphinx_wanted():
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "scipy": ("https://docs.scipy.org/doc/scipy", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
    }
intersphinx_timeout = 10

# -- Math, rendered offline ---------------------------------------------------
# MathJax 3 ships with the pages (copied at the end of the build from the
# django-static-mathjax wheel: only the TeX input, the CommonHTML output with
# its fonts, and the components these load on demand).
MATHJAX_PARTS = (
    "tex-chtml.js",
    "output/chtml.js",
    "output/chtml",
    "input",
    "ui",
    "a11y",
    "sre",
)


def _mathjax_source():
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "MathJax is missing: pip install django-static-mathjax "
            '(part of pip install -e ".[docs]"), or set SKLEARN_L2_DOCS_MATHJAX'
        )
    package = Path(next(iter(spec.submodule_search_locations)))
    return package / "static" / "mathjax" / "es5"


mathjax_path = os.environ.get("SKLEARN_L2_DOCS_MATHJAX") or "mathjax/tex-chtml.js"

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-l2 {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
# Pages without sub-pages need no left-hand navigation column.
html_sidebars = {
    page: [] for page in ("index", "getting_started", "benchmarks", "changelog")
}


def _generate(app):
    examples = os.environ.get("SKLEARN_L2_DOCS_EXAMPLES")
    generate_pages(
        docs=Path(app.srcdir),
        repo=Path(app.srcdir).parent,
        examples=Path(examples) if examples else None,
    )


def _quiet_inherited_refs(app, env, node, contnode):
    """Show labels of scikit-learn's own docs as plain text when unresolved.

    Methods inherited from scikit-learn's mixins (``set_output``, ...) carry
    ``:ref:`` links into scikit-learn's user guide. With intersphinx they
    resolve; offline they would be warnings, so they become plain text.
    References in this project's own pages and docstrings are left alone.
    """
    source = node.source or ""
    if node.get("reftype") == "ref" and "docstring of sklearn." in source:
        return contnode
    return None


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    if os.environ.get("SKLEARN_L2_DOCS_MATHJAX"):
        return
    source = _mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)


def setup(app):
    app.connect("build-finished", _copy_mathjax)
    app.connect("missing-reference", _quiet_inherited_refs)
    # Before Sphinx looks for source files: the gallery, the benchmarks page
    # and the exactness table are written from the repository's current
    # notebooks, benchmark results and code.
    app.connect("builder-inited", _generate)
