"""compare_scalers: the table it returns and the paired verdicts."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_iris, load_wine, make_classification
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_l2 import L2Normalizer, compare_scalers
from sklearn_l2._compare import _paired, default_scalers

pytest.importorskip("pandas")

KNN = {"k-NN": KNeighborsClassifier()}


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def test_defaults_give_every_scaler_model_pair(iris):
    X, y = iris
    result = compare_scalers(X, y, cv=3, n_repeats=1)
    assert len(result) == 5 * 3
    assert list(dict.fromkeys(result["scaler"])) == list(default_scalers())
    assert set(result["model"]) == {"linear SVM", "RBF SVM", "k-NN"}
    for scores in result["fold_scores"]:
        assert scores.shape == (3,)
    assert np.allclose(result["mean"], [s.mean() for s in result["fold_scores"]])
    assert (result["fit_time"] > 0).all()
    assert result.attrs["n_splits"] == 3


def test_scores_match_cross_val_score(iris):
    from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    X, y = iris
    result = compare_scalers(
        X, y, scalers={"L2": L2Normalizer()}, models=KNN, cv=4, n_repeats=2
    )
    splitter = RepeatedStratifiedKFold(n_splits=4, n_repeats=2, random_state=0)
    expected = cross_val_score(
        make_pipeline(L2Normalizer(), KNeighborsClassifier()), X, y, cv=splitter
    )
    np.testing.assert_allclose(result.loc[0, "fold_scores"], expected)


def test_verdict_better_when_only_the_direction_matters():
    # The class is in each sample's direction; its length (1 to 1000) is
    # noise that dominates euclidean distances unless it is divided out.
    rng = np.random.default_rng(0)
    n = 300
    y = rng.integers(0, 2, n)
    angle = np.where(y == 1, 0.7, 0.8) + rng.normal(0, 0.02, n)
    length = rng.uniform(1, 1000, n)
    X = np.c_[np.cos(angle), np.sin(angle)] * length[:, None]
    result = compare_scalers(
        X,
        y,
        scalers={"none": "passthrough", "std": StandardScaler(), "L2": L2Normalizer()},
        models={"k-NN": KNeighborsClassifier(n_neighbors=15)},
        cv=5,
        n_repeats=3,
    )
    by_name = result.set_index("scaler")
    assert by_name.loc["L2", "uses_l2"]
    assert not by_name.loc["std", "uses_l2"]
    best = by_name.loc[["none", "std"], "mean"].idxmax()
    assert by_name.loc[best, "verdict"] == "baseline"
    assert by_name.loc["L2", "baseline"] == best
    assert by_name.loc["L2", "verdict"] == "better"
    assert by_name.loc["L2", "p_value"] < 0.05
    diffs = by_name.loc["L2", "fold_scores"] - by_name.loc[best, "fold_scores"]
    assert by_name.loc["L2", "diff_mean"] == pytest.approx(diffs.mean())
    assert by_name.loc["L2", "diff_std"] == pytest.approx(diffs.std(ddof=1))


def test_verdict_worse_when_magnitude_matters():
    # Wine's features have units (proline in the hundreds, hue near 1): the
    # row norm is mostly proline, and dividing by it loses the class signal.
    X, y = load_wine(return_X_y=True)
    result = compare_scalers(
        X,
        y,
        scalers={"std": StandardScaler(), "L2": L2Normalizer()},
        models=KNN,
    )
    by_name = result.set_index("scaler")
    assert by_name.loc["L2", "verdict"] == "worse"
    assert by_name.loc["L2", "diff_mean"] < -0.05


def test_identical_pipelines_tie(iris):
    X, y = iris
    result = compare_scalers(
        X,
        y,
        scalers={"std": StandardScaler(), "std again + L2": StandardScaler()},
        models=KNN,
        cv=3,
    )
    # The second one does not use L2, so both are baselines and no verdict.
    assert list(result["verdict"]) == ["baseline", ""]
    result = compare_scalers(
        X,
        y,
        scalers={"L2": L2Normalizer(), "L2 again": L2Normalizer()},
        models=KNN,
        cv=3,
    )
    # No baseline at all: nothing to compare with.
    assert result["baseline"].isna().all()
    assert result["p_value"].isna().all()


def test_paired_test_needs_more_than_noise():
    # Same mean difference, small vs. large spread.
    steady = np.full(15, 0.02) + np.linspace(-1e-3, 1e-3, 15)
    noisy = np.full(15, 0.02) + np.linspace(-0.2, 0.2, 15)
    assert _paired(steady, 120, 30)[2] < 0.05
    assert _paired(noisy, 120, 30)[2] > 0.05
    assert _paired(np.zeros(10), 120, 30) == (0.0, 0.0, 1.0)
    assert _paired(np.full(10, 0.1), 120, 30)[2] == 0.0


def test_corrected_test_is_more_conservative_than_plain_t_test():
    from scipy import stats

    diffs = np.random.default_rng(1).normal(0.01, 0.02, 15)
    plain = stats.ttest_1samp(diffs, 0.0).pvalue
    assert _paired(diffs, 120, 30)[2] > plain


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array])
def test_sparse_input_picks_sparse_scalers(container):
    X, y = make_classification(n_samples=80, n_features=30, random_state=0)
    X[np.abs(X) < 1] = 0
    result = compare_scalers(container(X), y, cv=3, n_repeats=1)
    assert "MinMaxScaler" not in set(result["scaler"])
    assert {"MaxAbsScaler", "StandardScaler(with_mean=False)"} <= set(result["scaler"])
    assert any("sparse" in note for note in result.attrs["notes"])
    assert np.isfinite(result["mean"]).all()


def test_list_arguments_are_named_after_classes(iris):
    X, y = iris
    result = compare_scalers(
        X, y, scalers=[StandardScaler(), L2Normalizer()], models=KNN, cv=3
    )
    assert list(result["scaler"]) == ["StandardScaler", "L2Normalizer"]
    with pytest.raises(ValueError, match="both named"):
        compare_scalers(X, y, scalers=[L2Normalizer(), L2Normalizer()], models=KNN)


def test_cv_splitter_and_scoring(iris):
    X, y = iris
    result = compare_scalers(
        X,
        y,
        scalers={"L2": L2Normalizer()},
        models=KNN,
        cv=StratifiedKFold(4),
        scoring="balanced_accuracy",
    )
    assert result.loc[0, "fold_scores"].shape == (4,)


def test_progress_is_reported(iris):
    X, y = iris
    calls = []
    compare_scalers(
        X,
        y,
        scalers={"L2": L2Normalizer()},
        models=KNN,
        cv=3,
        n_repeats=2,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(i, 6) for i in range(1, 7)]


def test_parallel_gives_the_same_scores(iris):
    X, y = iris
    kwargs = dict(scalers={"L2": L2Normalizer()}, models=KNN, cv=3)
    serial = compare_scalers(X, y, **kwargs)
    parallel = compare_scalers(X, y, n_jobs=2, **kwargs)
    np.testing.assert_array_equal(
        serial.loc[0, "fold_scores"], parallel.loc[0, "fold_scores"]
    )


def test_fit_warnings_are_collected_not_raised():
    from sklearn.svm import LinearSVC

    X, y = make_classification(n_samples=60, random_state=0)
    result = compare_scalers(
        X * 1e3,
        y,
        scalers={"none": "passthrough"},
        models={"lsvc": LinearSVC(max_iter=1, random_state=0)},
        cv=3,
        n_repeats=1,
    )
    assert any("ConvergenceWarning" in w for w in result.attrs["warnings"])


@pytest.mark.parametrize(
    ("y", "cv", "message"),
    [
        (np.r_[np.zeros(20), np.ones(2)], 5, "too few samples per class"),
        (np.zeros(22), 5, "single class"),
        (np.r_[np.zeros(11), np.ones(11)], 1, "at least 2"),
    ],
)
def test_bad_labels(y, cv, message):
    X = np.random.default_rng(0).normal(size=(22, 3))
    with pytest.raises(ValueError, match=message):
        compare_scalers(X, y, cv=cv)


def test_missing_values_are_refused(iris):
    X, y = iris
    X = X.copy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        compare_scalers(X, y)
