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


@parametrize_with_checks(CONFIGURATIONS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
