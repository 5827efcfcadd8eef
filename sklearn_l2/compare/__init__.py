"""The ``compare`` tool: which scaler to put ahead of SVMs and k-NN.

:func:`compare_scalers` is the Python entry point (also importable as
``sklearn_l2.compare_scalers``); ``python -m sklearn_l2 compare`` is the
command line, whose loading, report and chart live here too. Importing
:mod:`sklearn_l2` does not import this subpackage.
"""

from ._api import compare_scalers
from ._models import (
    ScaledGammaSVC,
    ScaledGammaSVR,
    default_grids,
    default_models,
    default_scalers,
)

__all__ = [
    "ScaledGammaSVC",
    "ScaledGammaSVR",
    "compare_scalers",
    "default_grids",
    "default_models",
    "default_scalers",
]
