"""Failed pipelines are marked and never recommended, whatever their scores."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_l2 import L2Normalizer, compare_scalers
from tests._compare_testing import (
    DriftsOnOneFold,
    FailsWithRow,
    NonConvergingScaler,
    linear_regression_data,
)

pytest.importorskip("pandas")

KNN = {"k-NN": KNeighborsClassifier()}


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def drifting():
    # Identical pipelines but for three folds where "drifting" scores far
    # below chance: too few to make the paired test reject a tie.
    X, y = linear_regression_data()
    return compare_scalers(
        X,
        y,
        scalers={"none": "passthrough", "drifting": DriftsOnOneFold()},
        models={"OLS": LinearRegression()},
    )


@pytest.fixture(scope="module")
def not_converging(iris):
    X, y = iris
    return compare_scalers(
        X,
        y,
        scalers={"std": StandardScaler(), "warns": NonConvergingScaler()},
        models=KNN,
        cv=3,
        n_repeats=2,
    )


def test_diverged_folds_are_named_with_their_count(drifting):
    failure = drifting.set_index("scaler").loc["drifting", "failure"]
    assert failure.startswith("far below chance in 3 of 15 folds")


def test_diverged_pipeline_is_not_tied_with_the_best(drifting):
    by_scaler = drifting.set_index("scaler")
    assert not by_scaler.loc["drifting", "tied_with_best"]
    assert drifting.attrs["recommendations"]["OLS"].startswith("use none;")


def test_recommendation_says_what_was_excluded_and_why(drifting):
    text = drifting.attrs["recommendations"]["OLS"]
    assert "excluded: drifting (far below chance in 3 of 15 folds" in text


def test_non_converging_pipeline_is_not_recommended(not_converging):
    # Same scores as plain standard scaling, so otherwise tied with it.
    by_scaler = not_converging.set_index("scaler")
    np.testing.assert_array_equal(
        by_scaler.loc["warns", "fold_scores"], by_scaler.loc["std", "fold_scores"]
    )
    assert by_scaler.loc["warns", "failure"] == "ConvergenceWarning in 6 of 6 folds"
    assert not by_scaler.loc["warns", "tied_with_best"]
    assert by_scaler.loc["std", "tied_with_best"]


def test_failed_pipeline_is_never_the_best_pipeline(not_converging):
    assert not_converging.attrs["best"]["scaler"] == "std"
    assert not_converging.attrs["best"]["tied"] == []


def test_failed_fit_is_marked_not_raised(iris):
    X, y = iris
    X = np.c_[X, np.where(np.arange(len(y)) == 0, -1.0, 0.0)]
    result = compare_scalers(
        X,
        y,
        scalers={"L2": L2Normalizer(), "fails": FailsWithRow()},
        models=KNN,
        cv=5,
        n_repeats=1,
    )
    failure = result.set_index("scaler").loc["fails", "failure"]
    assert failure.startswith("fit failed in 4 of 5 folds: ValueError: cannot fit")


def test_failed_l2_pipeline_gets_no_verdict(iris):
    X, y = iris
    result = compare_scalers(
        X,
        y,
        scalers={
            "std": StandardScaler(),
            "L2": make_pipeline(NonConvergingScaler(), L2Normalizer()),
        },
        models=KNN,
        cv=3,
        n_repeats=1,
    )
    assert result.set_index("scaler").loc["L2", "verdict"] == "failed"


def test_every_pipeline_failing_recommends_none(iris):
    X, y = iris
    result = compare_scalers(
        X, y, scalers={"warns": NonConvergingScaler()}, models=KNN, cv=3, n_repeats=1
    )
    assert result.attrs["recommendations"]["k-NN"].startswith(
        "none: every scaler failed"
    )
    assert result.attrs["best"] is None
