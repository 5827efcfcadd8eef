"""Test-session set-up that must run before anything imports SciPy.

scikit-learn runs its array API estimator checks (``check_array_api_input``)
only when ``SCIPY_ARRAY_API=1`` is set, and SciPy reads the variable once, at
import. This file is the first conftest pytest loads (it sits at the rootdir),
so setting it here, ahead of every test module, turns those checks on.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)
