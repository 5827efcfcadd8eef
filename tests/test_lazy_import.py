"""``import sklearn_l2`` leaves the comparison's heavy imports for later."""

import json
import subprocess
import sys

HEAVY = [
    "sklearn.svm",
    "sklearn.neighbors",
    "sklearn.model_selection",
    "scipy.stats",
    "pandas",
    "matplotlib",
]


def loaded_after(statement):
    """The HEAVY modules in sys.modules of a fresh interpreter after ``statement``."""
    code = (
        f"import json, sys\n{statement}\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout))


def test_import_loads_no_model_or_cross_validation_module():
    loaded = loaded_after("import sklearn_l2")
    for module in ("sklearn.svm", "sklearn.neighbors", "sklearn.model_selection"):
        assert module not in loaded
    assert "matplotlib" not in loaded


def test_import_adds_no_heavy_module_to_what_scikit_learn_itself_loads():
    # scikit-learn's base module already imports scipy.stats (and pandas when
    # it is installed, through sklearn.utils.fixes); sklearn_l2 must add none.
    baseline = loaded_after("import sklearn.base, sklearn.utils.validation")
    assert loaded_after("import sklearn_l2") <= baseline


def test_compare_scalers_loads_on_first_use():
    loaded = loaded_after("import sklearn_l2; sklearn_l2.compare_scalers")
    assert "sklearn.model_selection" in loaded


def test_unknown_attribute_is_an_attribute_error():
    import pytest

    import sklearn_l2

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sklearn_l2.nope  # noqa: B018


def test_compare_scalers_is_listed():
    import sklearn_l2

    assert "compare_scalers" in dir(sklearn_l2)
    assert "compare_scalers" in sklearn_l2.__all__
