"""Exact, fast L2 (and l1, max, p) normalization for scikit-learn."""

from ._normalize import normalize, norms
from ._normalizer import L2Normalizer

__version__ = "0.1.0"

__all__ = ["L2Normalizer", "__version__", "compare_scalers", "normalize", "norms"]


def __getattr__(name):
    # compare_scalers lives in the sklearn_l2.compare subpackage, which needs
    # sklearn.svm, sklearn.neighbors and sklearn.model_selection: imported on
    # first use only, so that `import sklearn_l2` stays light.
    if name == "compare_scalers":
        from .compare import compare_scalers

        return compare_scalers
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"compare_scalers"})
