"""Test-session set-up that must run before anything imports SciPy.

scikit-learn runs its array API estimator checks (``check_array_api_input``)
only when ``SCIPY_ARRAY_API=1`` is set, and SciPy reads the variable once, at
import. This file is the first conftest pytest loads (it sits at the rootdir),
so setting it here, ahead of every test module, turns those checks on.
"""

import importlib.util
import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# The doctest of sklearn_l2.onnx.register runs skl2onnx and onnxruntime (the
# onnx extra); environments without them (the core-only CI runs) leave that
# module's doctests out.
if not all(importlib.util.find_spec(name) for name in ("onnxruntime", "skl2onnx")):
    collect_ignore = ["sklearn_l2/_onnx.py"]
