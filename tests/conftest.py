import os

import numpy as np
import pytest
import scipy.sparse as sp

SPARSE_CONTAINERS = [
    getattr(sp, f"{fmt}_{kind}")
    for fmt in ("csr", "csc", "coo", "bsr", "lil", "dok", "dia")
    for kind in ("matrix", "array")
]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def sparse_random(rng, shape, density=0.3, dtype=np.float64):
    """A random CSR matrix with some empty rows and negative values."""
    X = sp.random(*shape, density=density, format="csr", dtype=dtype, random_state=rng)
    X.data -= 0.5
    return X


# Hypothesis profiles for the property-based tests (tests/test_fuzz.py and
# tests/test_properties.py): "ci" by default, "long" for a fuzzing session of
# minutes with HYPOTHESIS_PROFILE=long.
try:
    from hypothesis import HealthCheck, settings
except ImportError:  # the test extra is not installed
    pass
else:
    _slow_data = [HealthCheck.too_slow, HealthCheck.data_too_large]
    settings.register_profile(
        "ci", max_examples=60, deadline=None, suppress_health_check=_slow_data
    )
    settings.register_profile(
        "long", max_examples=4000, deadline=None, suppress_health_check=_slow_data
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
