"""compare_scalers: the table it returns, the decisions and the paired tests."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_iris, load_wine, make_circles, make_classification
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sklearn_l2 import L2Normalizer, compare_scalers
from sklearn_l2.compare import default_grids, default_models, default_scalers
from sklearn_l2.compare._decision import paired as _paired
from sklearn_l2.compare._splits import _scorer_names

pytest.importorskip("pandas")

KNN = {"k-NN": KNeighborsClassifier()}
FAST = {"cv": 3, "n_repeats": 1}


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def direction_data():
    # The class is in each sample's direction; its length (1 to 1000) is
    # noise that dominates euclidean distances unless it is divided out.
    rng = np.random.default_rng(0)
    n = 300
    y = rng.integers(0, 2, n)
    angle = np.where(y == 1, 0.7, 0.8) + rng.normal(0, 0.02, n)
    length = rng.uniform(1, 1000, n)
    return np.c_[np.cos(angle), np.sin(angle)] * length[:, None], y


@pytest.fixture(scope="module")
def direction_result(direction_data):
    X, y = direction_data
    return compare_scalers(
        X,
        y,
        scalers={"none": "passthrough", "std": StandardScaler(), "L2": L2Normalizer()},
        models={"k-NN": KNeighborsClassifier(n_neighbors=15)},
        cv=5,
        n_repeats=3,
    )


def test_defaults_give_every_scaler_model_pair(iris):
    X, y = iris
    result = compare_scalers(X, y, **FAST)
    assert len(result) == 5 * 3
    assert list(dict.fromkeys(result["scaler"])) == list(default_scalers())
    assert set(result["model"]) == {"linear SVM", "RBF SVM", "k-NN"}
    for scores in result["fold_scores"]:
        assert scores.shape == (3,)
    assert np.allclose(result["mean"], [s.mean() for s in result["fold_scores"]])
    assert (result["fit_time"] > 0).all()
    assert result.attrs["n_splits"] == 3
    assert result.attrs["task"] == "classification"
    assert result.attrs["scoring"] == "accuracy"


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


def test_chance_is_the_majority_share_on_the_same_folds():
    X, y = make_classification(n_samples=90, weights=[0.7], random_state=0)
    result = compare_scalers(X, y, scalers={"std": StandardScaler()}, models=KNN)
    chance = result.attrs["chance"]
    assert chance["name"] == "DummyClassifier(strategy='prior')"
    assert len(chance["fold_scores"]) == result.attrs["n_splits"]
    # Stratified folds keep the class shares, so every fold scores about
    # the majority share.
    majority = np.bincount(y).max() / len(y)
    np.testing.assert_allclose(chance["fold_scores"], majority, atol=0.05)
    assert (result["chance"] == chance["mean"]).all()


def test_verdict_better_when_only_the_direction_matters(
    direction_data, direction_result
):
    result = direction_result
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


def test_one_clear_best_is_recommended_alone(direction_result):
    by_name = direction_result.set_index("scaler")
    assert by_name.loc["L2", "rank"] == 1
    assert list(by_name.index[by_name["tied_with_best"]]) == ["L2"]
    assert set(direction_result["recommendation"]) == {"use L2"}
    assert direction_result.attrs["recommendations"] == {"k-NN": "use L2"}


def test_ranks_follow_the_means(direction_result):
    order = direction_result.sort_values("mean", ascending=False)["scaler"]
    ranked = direction_result.sort_values("rank")["scaler"]
    assert list(order) == list(ranked)
    assert sorted(direction_result["rank"]) == [1, 2, 3]


def test_differences_to_the_best_are_paired(direction_result):
    by_name = direction_result.set_index("scaler")
    diffs = by_name.loc["none", "fold_scores"] - by_name.loc["L2", "fold_scores"]
    assert by_name.loc["none", "diff_to_best"] == pytest.approx(diffs.mean())
    n_train = direction_result.attrs["n_train"]
    n_test = direction_result.attrs["n_test"]
    assert by_name.loc["none", "p_value_vs_best"] == pytest.approx(
        _paired(diffs, n_train, n_test)[2]
    )
    assert by_name.loc["L2", "diff_to_best"] == 0.0
    assert by_name.loc["L2", "p_value_vs_best"] == 1.0


def test_equal_scores_are_all_tied_not_a_winner():
    # Two well separated blobs: every scaler scores 1.0 on every fold.
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 0.1, (30, 2)), rng.normal(10, 0.1, (30, 2))]
    y = np.repeat([0, 1], 30)
    result = compare_scalers(
        X,
        y,
        scalers={
            "none": "passthrough",
            "minmax": MinMaxScaler(),
            "std": StandardScaler(),
        },
        models=KNN,
        **FAST,
    )
    assert (result["mean"] == 1.0).all()
    assert result["tied_with_best"].all()
    assert result.loc[0, "recommendation"] == "any of none, minmax, std (tied)"


def test_chance_level_pipelines_are_flagged():
    # Two rings: a linear model cannot beat guessing, whatever the scaler.
    from sklearn.svm import LinearSVC

    X, y = make_circles(n_samples=200, factor=0.5, noise=0.05, random_state=0)
    result = compare_scalers(
        X,
        y,
        scalers={"none": "passthrough", "L2": L2Normalizer()},
        models={"linear SVM": LinearSVC(random_state=0)},
        **FAST,
    )
    assert not result["beats_chance"].any()
    assert "beat chance" in result.loc[0, "recommendation"]
    assert not result.attrs["best"]["beats_chance"]


def test_good_pipelines_beat_chance(iris):
    X, y = iris
    result = compare_scalers(X, y, scalers={"std": StandardScaler()}, models=KNN)
    assert result["beats_chance"].all()
    assert "chance" not in result.loc[0, "recommendation"]


def test_best_pipeline_is_the_highest_mean(iris):
    X, y = iris
    result = compare_scalers(X, y, **FAST)
    assert result["best_pipeline"].sum() == 1
    best = result[result["best_pipeline"]].iloc[0]
    assert best["mean"] == result["mean"].max()
    assert result.attrs["best"]["scaler"] == best["scaler"]
    assert result.attrs["best"]["model"] == best["model"]
    for scaler, model in result.attrs["best"]["tied"]:
        assert (scaler, model) != (best["scaler"], best["model"])


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
    assert result["tied_with_best"].all()


def test_no_baseline_leaves_the_l2_columns_empty(iris):
    X, y = iris
    result = compare_scalers(
        X,
        y,
        scalers={"L2": L2Normalizer(), "L2 again": L2Normalizer()},
        models=KNN,
        cv=3,
    )
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
    result = compare_scalers(container(X), y, **FAST)
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


def test_list_arguments_with_equal_names_are_refused(iris):
    X, y = iris
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
    assert result.attrs["scoring"] == "balanced_accuracy"


def test_progress_counts_every_pipeline_and_fold(iris):
    X, y = iris
    calls = []
    compare_scalers(
        X,
        y,
        scalers={"L2": L2Normalizer(), "std": StandardScaler()},
        models=KNN,
        cv=3,
        n_repeats=2,
        progress=lambda done, total: calls.append((done, total)),
    )
    # The chance baseline and the two pipelines, six folds each: one call as
    # each (pipeline, fold) finishes.
    assert calls == [(done, 18) for done in range(1, 19)]


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
        **FAST,
    )
    assert any("ConvergenceWarning" in w for w in result.attrs["warnings"])


def test_scoring_warnings_are_collected_not_raised(iris):
    from sklearn.dummy import DummyClassifier

    # Predicting one class leaves the others' precision undefined.
    X, y = iris
    result = compare_scalers(
        X,
        y,
        scalers={"none": "passthrough"},
        models={"constant": DummyClassifier(strategy="most_frequent")},
        scoring="precision_macro",
        **FAST,
    )
    assert any("UndefinedMetricWarning" in w for w in result.attrs["warnings"])


def test_continuous_target_runs_as_regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(0, 0.1, 60)
    result = compare_scalers(X, y, scalers={"std": StandardScaler()}, **FAST)
    assert result.attrs["task"] == "regression"
    assert result.attrs["scoring"] == "r2"
    assert list(result["model"]) == ["linear SVR", "RBF SVR", "k-NN"]
    assert result.attrs["chance"]["name"] == "DummyRegressor(strategy='mean')"
    assert any("regression mode" in note for note in result.attrs["notes"])
    assert result.set_index("model").loc["linear SVR", "mean"] > 0.9


def test_whole_number_quantity_runs_as_regression():
    # A price in whole units: integers, but nearly all different.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.round(1000 + 100 * X[:, 0]).astype(int)
    result = compare_scalers(
        X, y, scalers={"std": StandardScaler()}, models=KNN, **FAST
    )
    assert result.attrs["task"] == "regression"


def test_task_regression_overrides_classes():
    from sklearn.neighbors import KNeighborsRegressor

    X, y = load_iris(return_X_y=True)
    result = compare_scalers(
        X,
        y,
        scalers={"std": StandardScaler()},
        models={"k-NN": KNeighborsRegressor()},
        task="regression",
        **FAST,
    )
    assert result.attrs["task"] == "regression"
    assert result.attrs["scoring"] == "r2"


def test_task_classification_on_a_quantity_says_what_to_do():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.round(rng.normal(0, 3, 40), 2)
    with pytest.raises(ValueError, match=r"class -?\d+\.\d+ has 1 sample.*regression"):
        compare_scalers(X, y, models=KNN, task="classification")


def test_unknown_task_is_refused(iris):
    X, y = iris
    with pytest.raises(ValueError, match="task must be one of"):
        compare_scalers(X, y, task="ranking")


def test_regression_needs_numbers():
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = np.repeat(["a", "b"], 10)
    with pytest.raises(ValueError, match=r"numeric target.*'a'"):
        compare_scalers(X, y, task="regression")


def test_unknown_scoring_lists_valid_names_sorted_and_grouped(iris):
    X, y = iris
    with pytest.raises(ValueError, match="unknown scoring 'nonsense'") as info:
        compare_scalers(X, y, models=KNN, scoring="nonsense")
    message = str(info.value)
    classification = message.split("for classification: ")[1].split(" (for ")[0]
    regression = message.split("for regression: ")[1].rstrip(")")
    for names in (classification.split(", "), regression.split(", ")):
        assert names == sorted(names)
    assert "accuracy" in classification
    assert "r2" in regression
    assert "r2" not in classification.split(", ")


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_scorer_groups_leave_out_clustering_and_multilabel(task):
    names = _scorer_names(task)
    assert "adjusted_rand_score" not in names
    assert "f1_samples" not in names


def test_regression_scoring_for_classes_is_refused(iris):
    X, y = iris
    with pytest.raises(ValueError, match="'r2' is not a classification score"):
        compare_scalers(X, y, models=KNN, scoring="r2")


def test_probability_scoring_without_predict_proba_is_refused(iris):
    X, y = iris
    with pytest.raises(ValueError, match="'neg_log_loss' needs predict_proba"):
        compare_scalers(X, y, scoring="neg_log_loss")


@pytest.mark.parametrize(
    ("scoring", "instead"), [("roc_auc", "roc_auc_ovr"), ("f1", "f1_macro")]
)
def test_binary_scoring_on_three_classes_is_refused(iris, scoring, instead):
    X, y = iris
    with pytest.raises(
        ValueError, match=rf"'{scoring}' is for two classes.*has 3: use {instead}"
    ):
        compare_scalers(X, y, models=KNN, scoring=scoring)


def test_f1_on_yes_no_labels_asks_for_the_positive_class():
    X, y = make_classification(n_samples=40, random_state=0)
    labels = np.where(y == 1, "yes", "no")
    with pytest.raises(ValueError, match=r"positive class.*'no', 'yes'.*f1_macro"):
        compare_scalers(X, labels, models=KNN, scoring="f1")


def test_roc_auc_on_two_classes_works():
    X, y = make_classification(n_samples=60, random_state=0)
    result = compare_scalers(
        X, y, scalers={"std": StandardScaler()}, scoring="roc_auc", **FAST
    )
    assert (result["mean"] > 0.5).all()
    assert result.attrs["chance"]["mean"] == 0.5


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


def test_rare_class_is_named_as_written():
    X = np.random.default_rng(0).normal(size=(22, 3))
    y = np.r_[np.full(20, 1.5), np.full(2, -3.77)]
    with pytest.raises(ValueError, match=r"class -3\.77 has 2"):
        compare_scalers(X, y, task="classification")


def test_missing_values_are_refused(iris):
    X, y = iris
    X = X.copy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        compare_scalers(X, y)


def test_default_models_are_tuned_on_their_grids(iris):
    X, y = iris
    result = compare_scalers(X, y, **FAST)
    assert result.attrs["tuned"]
    assert result.attrs["grids"] == default_grids()
    knn = result.set_index(["scaler", "model"]).loc[("none", "k-NN"), "params"]
    assert knn.startswith("n_neighbors=")
    assert knn.endswith("(3/3)")


def test_tuned_scores_are_nested_cross_validation(iris):
    from sklearn.model_selection import (
        GridSearchCV,
        RepeatedStratifiedKFold,
        StratifiedKFold,
        cross_val_score,
    )
    from sklearn.pipeline import Pipeline

    X, y = iris
    grid = {"n_neighbors": [1, 15, 40], "weights": ["uniform", "distance"]}
    result = compare_scalers(
        X,
        y,
        scalers={"L2": L2Normalizer()},
        models=KNN,
        param_grids={"k-NN": grid},
        cv=4,
        n_repeats=2,
    )
    search = GridSearchCV(
        Pipeline([("scaler", L2Normalizer()), ("model", KNeighborsClassifier())]),
        {f"model__{k}": v for k, v in grid.items()},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    )
    outer = RepeatedStratifiedKFold(n_splits=4, n_repeats=2, random_state=0)
    expected = cross_val_score(search, X, y, cv=outer)
    np.testing.assert_allclose(result.loc[0, "fold_scores"], expected)


def test_tuning_narrows_the_gap_an_untuned_model_shows():
    # Wine's RBF SVM without scaling: gamma="scale" is set by proline, in
    # the hundreds; tuning its multiple and C recovers most of the gap.
    X, y = load_wine(return_X_y=True)
    kwargs = dict(
        scalers={"none": "passthrough", "std": StandardScaler()},
        models={"RBF SVM": default_models()["RBF SVM"]},
        param_grids={"RBF SVM": default_grids()["RBF SVM"]},
        cv=3,
        n_repeats=1,
    )
    untuned = compare_scalers(X, y, tune=False, **kwargs).set_index("scaler")
    tuned = compare_scalers(X, y, **kwargs).set_index("scaler")
    gap = tuned.loc["std", "mean"] - tuned.loc["none", "mean"]
    untuned_gap = untuned.loc["std", "mean"] - untuned.loc["none", "mean"]
    assert gap < untuned_gap / 2


def test_no_tune_fits_the_defaults_and_says_so(iris):
    X, y = iris
    result = compare_scalers(X, y, tune=False, **FAST)
    assert not result.attrs["tuned"]
    assert result.attrs["grids"] == {}
    assert (result["params"] == "").all()


def test_models_without_a_grid_are_not_tuned(iris):
    X, y = iris
    result = compare_scalers(X, y, scalers={"L2": L2Normalizer()}, models=KNN)
    assert not result.attrs["tuned"]


@pytest.mark.parametrize(
    "grids, message",
    [
        ({"SVM": {"C": [1]}}, r"param_grids names model\(s\) 'SVM' that are not"),
        ({"k-NN": {"C": [1]}}, "KNeighborsClassifier has no parameter 'C'"),
    ],
)
def test_bad_param_grids_are_refused(iris, grids, message):
    X, y = iris
    with pytest.raises(ValueError, match=message):
        compare_scalers(X, y, models=KNN, param_grids=grids)


def test_large_input_is_subsampled_with_a_note():
    from sklearn.naive_bayes import GaussianNB

    # Too many rows for the estimated time of a tuned comparison; a cheap
    # model keeps the test quick once subsampled.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60_000, 20))
    y = (X[:, 0] > 0).astype(int)
    result = compare_scalers(
        X,
        y,
        scalers={"none": "passthrough"},
        models={"NB": GaussianNB()},
        param_grids={"NB": {"var_smoothing": [1e-9, 1e-6]}},
        cv=3,
        n_repeats=1,
    )
    kept = result.attrs["n_samples"]
    assert kept < 60_000
    assert any(
        note.startswith(f"compared on a stratified random subsample of {kept} of")
        and "max_samples='all'" in note
        for note in result.attrs["notes"]
    )


def test_max_samples_keeps_the_class_shares(iris):
    X, y = iris
    result = compare_scalers(X, y, models=KNN, max_samples=60, **FAST)
    assert result.attrs["n_samples"] == 60
    assert result.attrs["n_train"] + result.attrs["n_test"] == 60


def test_max_samples_all_uses_every_row(iris):
    X, y = iris
    result = compare_scalers(X, y, models=KNN, max_samples="all", **FAST)
    assert result.attrs["n_samples"] == 150
    assert result.attrs["notes"] == []


@pytest.mark.parametrize("value", ["most", 1])
def test_bad_max_samples_is_refused(iris, value):
    X, y = iris
    with pytest.raises(ValueError, match="max_samples must be"):
        compare_scalers(X, y, models=KNN, max_samples=value)


def test_integer_looking_float_label_is_shown_as_an_integer():
    X = np.arange(40.0).reshape(20, 2)
    y = np.r_[np.zeros(18), [138.0, 138.0]]
    with pytest.raises(ValueError, match=r"class 138 has 2 sample\(s\)"):
        compare_scalers(X, y, task="classification", models=KNN)


def test_task_note_uses_the_python_arguments():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    result = compare_scalers(X, X[:, 0] * 3.1, models=KNN, cv=3, n_repeats=1)
    (note,) = result.attrs["notes"]
    assert note.endswith("override with task='classification'")
