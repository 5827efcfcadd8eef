import os

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


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
