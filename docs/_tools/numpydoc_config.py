"""The numpydoc validation settings of this project, read from pyproject.toml.

``[tool.numpydoc_validation]`` uses the format of numpydoc's own ``numpydoc
lint`` command: ``checks`` lists ``"all"`` followed by the codes to skip, and
``override_<CODE>`` lists regular expressions; a docstring matching one of
them is exempt from that check. The docs build (``conf.py``) and
``tests/test_docs.py`` both read the settings through this module.
"""

import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: numpydoc depends on tomli there
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _settings(pyproject):
    with open(pyproject, "rb") as f:
        return tomllib.load(f)["tool"]["numpydoc_validation"]


def ignored_checks(pyproject=PYPROJECT):
    """The set of numpydoc check codes (such as ``"ES01"``) that are skipped."""
    checks = _settings(pyproject)["checks"]
    if checks[:1] != ["all"]:
        raise ValueError(
            "[tool.numpydoc_validation] checks must start with 'all' and list "
            "the checks to skip after it."
        )
    return set(checks[1:])


def overrides(pyproject=PYPROJECT):
    """``{code: [pattern, ...]}``: docstrings exempt from one check."""
    return {
        key.removeprefix("override_").upper(): list(patterns)
        for key, patterns in _settings(pyproject).items()
        if key.startswith("override_")
    }


def failures(report, pyproject=PYPROJECT):
    """The ``(code, message)`` pairs of a ``numpydoc.validate.validate`` report
    that this project's settings do not excuse."""
    skipped = ignored_checks(pyproject)
    exempt = overrides(pyproject)
    docstring = report.get("docstring") or ""
    return [
        (code, message)
        for code, message in report["errors"]
        if code not in skipped
        and not any(re.search(p, docstring) for p in exempt.get(code, ()))
    ]
