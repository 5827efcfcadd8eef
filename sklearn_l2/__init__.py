"""Exact, fast L2 (and l1, max, p) normalization for scikit-learn."""

from ._compare import compare_scalers
from ._normalize import normalize, norms
from ._normalizer import L2Normalizer

__version__ = "0.1.0"

__all__ = ["L2Normalizer", "__version__", "compare_scalers", "normalize", "norms"]
