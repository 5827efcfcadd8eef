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
    A URL to load MathJax from instead of its CDN, e.g. a local copy for
    reading the pages offline:
    ``file:///usr/share/javascript/mathjax/MathJax.js?config=TeX-AMS_CHTML``
    (Debian's ``libjs-mathjax``).
``SKLEARN_L2_DOCS_EXAMPLES``
    The folder whose ``*.ipynb`` notebooks make the gallery (default: the
    repository's ``examples/``).
"""

import os
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

if os.environ.get("SKLEARN_L2_DOCS_MATHJAX"):
    mathjax_path = os.environ["SKLEARN_L2_DOCS_MATHJAX"]

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


def setup(app):
    app.connect("missing-reference", _quiet_inherited_refs)
    # Before Sphinx looks for source files: the gallery, the benchmarks page
    # and the exactness table are written from the repository's current
    # notebooks, benchmark results and code.
    app.connect("builder-inited", _generate)
