"""scikit-learn's estimator checks, in every configuration of L2Normalizer."""

import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_l2 import L2Normalizer

CONFIGURATIONS = [
    L2Normalizer(),
    L2Normalizer(norm="l1"),
    L2Normalizer(norm="max"),
    L2Normalizer(norm=3),
    L2Normalizer(norm=np.inf),
    L2Normalizer(axis=0),
    L2Normalizer(norm="l1", axis=0),
    L2Normalizer(max_norm=1.5),
    L2Normalizer(axis=0, max_norm=0.5),
    L2Normalizer(eps=1e-3),
]


# The one failure scikit-learn declares for its own Normalizer: transform does
# not reject input from another array namespace than fit's (it normalizes it).
EXPECTED_FAILED_CHECKS = {
    "check_array_api_same_namespace": "transform accepts any namespace, "
    "as scikit-learn's Normalizer does",
}


@parametrize_with_checks(
    CONFIGURATIONS, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
