"""Cross-validated comparison of scalers ahead of SVMs and k-NN.

:func:`compare_scalers` answers the question "which scaler should I put in
front of my SVM or k-NN: none, MinMax, standard, or
:class:`~sklearn_l2.L2Normalizer`?" for one data set. Every scaler × model
pipeline is scored with :func:`sklearn.model_selection.cross_validate` on
the same folds; per model, the scalers are ranked and those the paired test
cannot tell apart from the best are reported together, next to a chance
baseline.
"""

import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from scipy import stats
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.metrics import check_scoring, get_scorer, get_scorer_names
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold
from sklearn.model_selection import cross_validate as _cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_X_y

from ._normalizer import L2Normalizer

#: Confidence level of the paired tests behind ``tied_with_best``,
#: ``beats_chance`` and ``verdict``.
CONFIDENCE = 0.95

#: Sparse inputs up to this many samples get the Gram-matrix RBF SVM.
_GRAM_MAX_SAMPLES = 10_000

_TASKS = ("auto", "classification", "regression")

# Scorers for two classes only, with what to use instead on more classes.
_FOR_MORE_CLASSES = {
    "f1": "f1_macro or f1_weighted",
    "precision": "precision_macro or precision_weighted",
    "recall": "recall_macro or recall_weighted",
    "jaccard": "jaccard_macro or jaccard_weighted",
    "roc_auc": "roc_auc_ovr (needs predict_proba) or balanced_accuracy",
    "average_precision": "balanced_accuracy",
    "positive_likelihood_ratio": "balanced_accuracy",
    "neg_negative_likelihood_ratio": "balanced_accuracy",
}
# Of those, the ones that take class 1 as the positive class, with a score
# that needs no positive class.
_WITHOUT_POS_LABEL = {
    "f1": "f1_macro",
    "precision": "precision_macro",
    "recall": "recall_macro",
    "jaccard": "jaccard_macro",
    "average_precision": "roc_auc",
    "positive_likelihood_ratio": "balanced_accuracy",
    "neg_negative_likelihood_ratio": "balanced_accuracy",
}


def default_scalers(sparse=False):
    """The scalers :func:`compare_scalers` tries when none are given.

    Dense input: no scaling, ``MinMaxScaler``, ``StandardScaler``,
    ``L2Normalizer`` and ``StandardScaler`` followed by ``L2Normalizer``.
    Sparse input: ``MinMaxScaler`` and a centring ``StandardScaler`` would
    destroy sparsity (scikit-learn refuses both), so ``MaxAbsScaler`` and
    ``StandardScaler(with_mean=False)`` take their places.

    Parameters
    ----------
    sparse : bool, default=False
        Whether the scalers are for a sparse matrix.

    Returns
    -------
    scalers : dict of {str: transformer or "passthrough"}
        The scalers, by name, in the order of the report.

    Examples
    --------
    >>> from sklearn_l2._compare import default_scalers
    >>> list(default_scalers())
    ['none', 'MinMaxScaler', 'StandardScaler', 'L2Normalizer', 'StandardScaler+L2Normalizer']
    """  # noqa: E501
    if sparse:
        return {
            "none": "passthrough",
            "MaxAbsScaler": MaxAbsScaler(),
            "StandardScaler(with_mean=False)": StandardScaler(with_mean=False),
            "L2Normalizer": L2Normalizer(),
            "StandardScaler(with_mean=False)+L2Normalizer": make_pipeline(
                StandardScaler(with_mean=False), L2Normalizer()
            ),
        }
    return {
        "none": "passthrough",
        "MinMaxScaler": MinMaxScaler(),
        "StandardScaler": StandardScaler(),
        "L2Normalizer": L2Normalizer(),
        "StandardScaler+L2Normalizer": make_pipeline(StandardScaler(), L2Normalizer()),
    }


def default_models(task="classification", *, random_state=0, gram_rbf=False):
    """The models :func:`compare_scalers` tries when none are given.

    Classification: a linear SVM (``LinearSVC``: liblinear, much faster than
    ``SVC`` with a linear kernel on unscaled data), an RBF ``SVC`` and a
    5-nearest-neighbours classifier with the euclidean metric. Regression:
    ``LinearSVR``, an RBF ``SVR`` and a 5-nearest-neighbours regressor, each
    fitted on the standardized target (``TransformedTargetRegressor``) so
    that the SVR's ``epsilon`` and ``C`` suit any unit of the target.

    Parameters
    ----------
    task : {"classification", "regression"}, default="classification"
        The kind of target.
    random_state : int, default=0
        Seed of the linear SVM's coordinate descent.
    gram_rbf : bool, default=False
        Fit the RBF SVM on a precomputed Gram matrix: the same model, several
        times faster on sparse input, at the cost of an
        ``n_train × n_train`` matrix in memory.

    Returns
    -------
    models : dict of {str: estimator}
        The models, by name, in the order of the report.

    Examples
    --------
    >>> from sklearn_l2._compare import default_models
    >>> list(default_models("regression"))
    ['linear SVR', 'RBF SVR', 'k-NN']
    """
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.svm import SVC, SVR, LinearSVC, LinearSVR

    from ._gram_svm import GramRBFSVC, GramRBFSVR

    if task == "classification":
        return {
            "linear SVM": LinearSVC(random_state=random_state),
            "RBF SVM": GramRBFSVC() if gram_rbf else SVC(kernel="rbf"),
            "k-NN": KNeighborsClassifier(n_neighbors=5, metric="euclidean"),
        }
    from sklearn.compose import TransformedTargetRegressor

    def on_standard_target(regressor):
        return TransformedTargetRegressor(
            regressor=regressor, transformer=StandardScaler()
        )

    return {
        "linear SVR": on_standard_target(LinearSVR(random_state=random_state)),
        "RBF SVR": on_standard_target(GramRBFSVR() if gram_rbf else SVR()),
        "k-NN": on_standard_target(
            KNeighborsRegressor(n_neighbors=5, metric="euclidean")
        ),
    }


def _messages(caught):
    return {f"{w.category.__name__}: {w.message}" for w in caught}


class _WarningRecordingPipeline(Pipeline):
    """A pipeline that keeps the warnings its fit raises instead of showing them.

    Fits run in joblib workers, where a warning would be printed on the
    worker's stderr (or raised, under ``-W error``) once per fold; kept on
    the fitted pipeline, they come back with ``return_estimator=True`` and
    are reported once each.
    """

    def fit(self, X, y=None, **params):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            super().fit(X, y, **params)
        self.warnings_ = _messages(caught)
        return self


class _WarningRecordingScorer:
    """A scorer that adds the warnings of scoring (e.g. an ill-defined
    precision) to the fitted pipeline's, instead of showing them."""

    def __init__(self, scorer):
        self.scorer = scorer

    def __call__(self, estimator, X, y, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            score = self.scorer(estimator, X, y, **kwargs)
        estimator.warnings_ = estimator.warnings_ | _messages(caught)
        return score


def _uses_l2(step):
    """Whether a scaler is, or contains, an :class:`L2Normalizer`."""
    if isinstance(step, L2Normalizer):
        return True
    if isinstance(step, str) or not hasattr(step, "get_params"):
        return False
    return any(isinstance(v, L2Normalizer) for v in step.get_params(deep=True).values())


def _named(things, kind):
    """``{name: estimator}`` from a dict or a list of estimators."""
    if isinstance(things, dict):
        named = dict(things)
    else:
        named = {}
        for thing in things:
            name = thing if isinstance(thing, str) else type(thing).__name__
            if name in named:
                raise ValueError(
                    f"two {kind} are both named {name!r}: pass a dict of "
                    f"{{name: {kind[:-1]}}} to tell them apart"
                )
            named[name] = thing
    if not named:
        raise ValueError(f"no {kind} to compare")
    return named


def _paired(diffs, n_train, n_test):
    """Mean and spread of paired fold differences, and a corrected t-test.

    Folds of repeated cross-validation share training data, so their scores
    are correlated and the plain paired t-test is overconfident. The
    variance is inflated by ``1/k + n_test/n_train`` instead of ``1/k``
    (Nadeau and Bengio's corrected resampled t-test).
    """
    k = len(diffs)
    mean = float(np.mean(diffs))
    std = float(np.std(diffs, ddof=1)) if k > 1 else 0.0
    if k < 2:
        return mean, std, np.nan
    scale = np.sqrt((1.0 / k + n_test / n_train) * std**2)
    if scale == 0.0:
        p_value = 1.0 if mean == 0.0 else 0.0
    else:
        p_value = float(2 * stats.t.sf(abs(mean) / scale, df=k - 1))
    return mean, std, p_value


def _label(value):
    """A class label as a user wrote it: ``-3.77``, not ``np.float64(-3.77)``."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _resolve_task(y, task):
    """``"classification"`` or ``"regression"``, and a note when guessed."""
    if task not in _TASKS:
        raise ValueError(f"task must be one of {', '.join(_TASKS)}; got {task!r}")
    kind = type_of_target(y)
    values, counts = np.unique(y, return_counts=True)
    numeric = np.issubdtype(y.dtype, np.number)
    if task == "auto":
        # Continuous, or whole numbers with so many distinct values that most
        # occur fewer than 5 times (a quantity such as a price, not classes).
        quantity = numeric and len(values) > 10 and np.median(counts) < 5
        if kind == "continuous" or quantity:
            note = (
                f"the target has {len(values)} distinct numeric values: "
                "regression mode (linear SVR, RBF SVR, k-NN regressor); "
                "override with task='classification' (--task classification)"
            )
            return "regression", note
        return "classification", None
    if task == "regression" and not numeric:
        raise ValueError(
            f"regression needs a numeric target; it holds {_label(y[0])}: "
            "use task='classification' (--task classification)"
        )
    return task, None


def _scorer_names(task):
    """The scikit-learn scorer names that make sense for ``task``, sorted."""
    names = []
    for name in get_scorer_names():
        module = get_scorer(name)._score_func.__module__
        if ".cluster." in module or name.endswith("_samples"):
            continue  # clustering scores and multilabel averages
        is_regression = module.endswith("._regression")
        if is_regression == (task == "regression"):
            names.append(name)
    return sorted(names)


def _check_scoring_name(scoring, task, y, models):
    """Refuse, in one line, a scorer name that cannot work here."""
    groups = {t: _scorer_names(t) for t in ("classification", "regression")}
    valid = groups[task]
    other = "regression" if task == "classification" else "classification"
    listing = f"for {task}: {', '.join(valid)}"
    if scoring not in get_scorer_names():
        raise ValueError(
            f"unknown scoring {scoring!r}; {listing} "
            f"(for {other}: {', '.join(groups[other])})"
        )
    if scoring not in valid:
        raise ValueError(f"scoring {scoring!r} is not a {task} score; {listing}")
    methods = get_scorer(scoring)._response_method
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    for name, model in models.items():
        if not any(hasattr(model, m) for m in methods):
            raise ValueError(
                f"scoring {scoring!r} needs {' or '.join(methods)}, which model "
                f"{name!r} ({type(model).__name__}) does not have; pick a score "
                "computed from predictions, e.g. accuracy, balanced_accuracy, "
                "f1_macro, or roc_auc for two classes"
            )
    if task == "regression":
        return
    classes = np.unique(y)
    if scoring in _FOR_MORE_CLASSES and len(classes) > 2:
        raise ValueError(
            f"scoring {scoring!r} is for two classes and the target has "
            f"{len(classes)}: use {_FOR_MORE_CLASSES[scoring]}"
        )
    if scoring in _WITHOUT_POS_LABEL and 1 not in classes.tolist():
        shown = ", ".join(_label(c) for c in classes)
        raise ValueError(
            f"scoring {scoring!r} needs to know the positive class, which it "
            f"takes to be 1, and the labels are {shown}: encode the positive "
            f"class as 1 and the other as 0, or use {_WITHOUT_POS_LABEL[scoring]}"
        )


def _check_classes(y, cv):
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise ValueError("y has a single class: there is nothing to classify")
    if counts.min() < cv:
        rare = classes[np.argmin(counts)]
        hint = ""
        if np.issubdtype(y.dtype, np.number) and len(classes) > 20:
            hint = (
                f"; with {len(classes)} distinct numbers, the target may be a "
                "quantity: try task='regression' (--task regression)"
            )
        raise ValueError(
            f"too few samples per class for {cv}-fold stratified "
            f"cross-validation: class {_label(rare)} has {counts.min()} "
            f"sample(s); every class needs at least {cv} (lower cv, or drop "
            f"the rare classes){hint}"
        )


def _decide(result, chance_scores, n_train, n_test, alpha):
    """Add the decision columns: ranks, ties with the best, chance."""
    result["rank"] = (
        result.groupby("model", sort=False)["mean"]
        .rank(method="min", ascending=False)
        .astype(int)
    )
    result["diff_to_best"] = 0.0
    result["p_value_vs_best"] = 1.0
    result["tied_with_best"] = False
    result["recommendation"] = ""
    chance_mean = float(np.mean(chance_scores))
    result["chance"] = chance_mean
    beats = []
    for scores in result["fold_scores"]:
        mean, _, p_value = _paired(scores - chance_scores, n_train, n_test)
        beats.append(bool(mean > 0 and p_value < alpha))
    result["beats_chance"] = beats
    recommendations = {}
    for model, rows in result.groupby("model", sort=False):
        best = rows["mean"].idxmax()
        tied = []
        for row in rows.sort_values("mean", ascending=False, kind="stable").index:
            diffs = result.at[row, "fold_scores"] - result.at[best, "fold_scores"]
            mean, _, p_value = _paired(diffs, n_train, n_test)
            result.at[row, "diff_to_best"] = mean
            result.at[row, "p_value_vs_best"] = 1.0 if row == best else p_value
            if row == best or not p_value < alpha:
                result.at[row, "tied_with_best"] = True
                tied.append(result.at[row, "scaler"])
        if len(tied) == 1:
            text = f"use {tied[0]}"
        else:
            text = f"any of {', '.join(tied)} (tied)"
        if not result.at[best, "beats_chance"]:
            text += f"; but no scaler makes {model} beat chance ({chance_mean:.3f})"
        result.loc[rows.index, "recommendation"] = text
        recommendations[model] = text
    best = result["mean"].idxmax()
    result["best_pipeline"] = result.index == best
    tied_pipelines = []
    for row in result.index:
        diffs = result.at[row, "fold_scores"] - result.at[best, "fold_scores"]
        if row != best and not _paired(diffs, n_train, n_test)[2] < alpha:
            tied_pipelines.append((result.at[row, "scaler"], result.at[row, "model"]))
    return recommendations, {
        "scaler": result.at[best, "scaler"],
        "model": result.at[best, "model"],
        "mean": float(result.at[best, "mean"]),
        "std": float(result.at[best, "std"]),
        "beats_chance": bool(result.at[best, "beats_chance"]),
        "tied": tied_pipelines,
    }


def _versus_best_baseline(result, n_train, n_test, alpha):
    """The ``baseline`` and ``verdict`` columns: each L2 scaler vs the best other."""
    result["baseline"] = None
    result["diff_mean"] = np.nan
    result["diff_std"] = np.nan
    result["p_value"] = np.nan
    result["verdict"] = ""
    for model_name in dict.fromkeys(result["model"]):
        here = result["model"] == model_name
        baselines = result[here & ~result["uses_l2"]]
        if baselines.empty:
            continue
        best = baselines["mean"].idxmax()
        result.loc[here, "baseline"] = result.at[best, "scaler"]
        result.at[best, "verdict"] = "baseline"
        for row in result[here & result["uses_l2"]].index:
            diffs = result.at[row, "fold_scores"] - result.at[best, "fold_scores"]
            mean, std, p_value = _paired(diffs, n_train, n_test)
            if p_value < alpha:
                verdict = "better" if mean > 0 else "worse"
            else:
                verdict = "tie"
            result.at[row, "diff_mean"] = mean
            result.at[row, "diff_std"] = std
            result.at[row, "p_value"] = p_value
            result.at[row, "verdict"] = verdict


def compare_scalers(
    X,
    y,
    *,
    scalers=None,
    models=None,
    cv=5,
    scoring=None,
    n_jobs=None,
    random_state=0,
    n_repeats=3,
    progress=None,
    task="auto",
):
    """Cross-validate every scaler × model pipeline and say which scaler to use.

    Every scaler is put in front of every model and scored by
    :func:`~sklearn.model_selection.cross_validate` on one fixed set of
    folds (repeated k-fold, stratified for classification), together with a
    chance baseline (``DummyClassifier`` or ``DummyRegressor``) on the same
    folds. For each model the scalers are ranked by mean score, and every
    scaler the paired test cannot tell apart from the best one is
    recommended with it.

    Requires pandas (``pip install "sklearn-l2[examples]"``).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Numeric features, without missing values.
    y : array-like of shape (n_samples,)
        Class labels, or a continuous target (regression).
    scalers : dict of {str: transformer or "passthrough"} or list, default=None
        The scalers to compare; a list is named after the classes. ``None``
        uses :func:`default_scalers`: no scaling, ``MinMaxScaler``,
        ``StandardScaler``, ``L2Normalizer()`` and ``StandardScaler`` then
        ``L2Normalizer``. For sparse ``X``, which ``MinMaxScaler`` and a
        centring ``StandardScaler`` refuse, ``MaxAbsScaler`` and
        ``StandardScaler(with_mean=False)`` replace them, and a note in
        ``result.attrs["notes"]`` says so.
    models : dict of {str: estimator} or list, default=None
        The models. ``None``: ``LinearSVC``, RBF ``SVC`` and euclidean
        ``KNeighborsClassifier`` for classification, their regression
        counterparts for regression (:func:`default_models`).
    cv : int >= 2 or cross-validation splitter, default=5
        Number of folds per repetition, or a splitter (then ``n_repeats``
        and ``random_state`` are not used for the splits). The folds are
        drawn once and used for every pipeline.
    scoring : str or callable, default=None
        A scikit-learn scorer; greater is better. ``None``: ``"accuracy"``
        for classification, ``"r2"`` for regression. A name that does not
        suit the task, the models or the labels is refused with the names
        that do.
    n_jobs : int, default=None
        Number of parallel jobs over folds (``cross_validate``'s); -1 uses
        every core.
    random_state : int, default=0
        Seed of the fold assignment; the same folds are used for every
        pipeline, which is what makes the comparison paired.
    n_repeats : int >= 1, default=3
        Number of repetitions of the k-fold split, each shuffled differently.
    progress : callable, default=None
        Called as ``progress(n_done, n_total)`` (counting fitted folds) after
        every pipeline.
    task : {"auto", "classification", "regression"}, default="auto"
        ``"auto"``: regression when ``y`` is continuous (as
        :func:`~sklearn.utils.multiclass.type_of_target` says), or numeric
        with more than 10 distinct values of which most occur fewer than 5
        times; classification otherwise. A note in ``result.attrs["notes"]``
        says when regression was chosen.

    Returns
    -------
    result : pandas.DataFrame
        One row per (scaler, model), in the order given. Scores:
        ``scaler``, ``model``, ``mean``, ``std`` (across folds),
        ``fold_scores`` (array of every fold's score), ``fit_time`` and
        ``score_time`` (mean seconds per fold), ``uses_l2``.

        The decision, per model: ``rank`` (1 is the highest mean; equal
        means share a rank), ``diff_to_best`` and ``p_value_vs_best`` (mean
        paired difference to the model's best scaler, and the corrected
        resampled t-test's p-value), ``tied_with_best`` (True for the best
        scaler and every scaler with ``p_value_vs_best >= 0.05``: these are
        the recommended ones), ``recommendation`` (``"use X"`` or
        ``"any of X, Y (tied)"``, with a warning appended when even the best
        scaler does not beat chance); ``chance`` (mean score of the chance
        baseline) and ``beats_chance`` (the pipeline is better than chance,
        ``p < 0.05``); ``best_pipeline`` (True on the one row with the
        highest mean of all).

        L2 against the rest, per model: ``baseline`` (the best scaler
        without ``L2Normalizer``), ``diff_mean`` and ``diff_std`` (paired
        difference to it), ``p_value`` and ``verdict``: ``"baseline"`` for
        that scaler itself, ``"better"`` or ``"worse"`` when
        ``p_value < 0.05``, else ``"tie"`` (empty for the other scalers).

        ``result.attrs`` holds ``task``, ``scoring`` (its name, or the
        callable), ``chance`` (dict: ``name``, ``mean``, ``std``,
        ``fold_scores``), ``recommendations`` (dict: model name to its
        recommendation), ``best`` (dict: ``scaler``, ``model``, ``mean``,
        ``std``, ``beats_chance`` and ``tied``, the list of (scaler, model)
        pipelines tied with it), ``notes`` (list of str), ``warnings`` (the
        warnings raised while fitting, e.g. convergence warnings, once
        each), ``n_splits``, ``n_train`` and ``n_test`` (mean fold sizes).

    Notes
    -----
    With ``k`` folds in total, fold differences ``d_i``, mean ``d`` and
    sample variance ``s²``, the statistic is
    ``t = d / sqrt((1/k + n_test/n_train) s²)`` with ``k - 1`` degrees of
    freedom (Nadeau & Bengio, 2003): folds share training samples, and the
    plain ``1/k`` would call winners that are noise. Two scalers are
    "tied" when this two-sided test does not reject equal means at the 5 %
    level; a tie means the data cannot tell them apart, not that they are
    equal.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn_l2 import L2Normalizer, compare_scalers
    >>> X, y = load_iris(return_X_y=True)
    >>> result = compare_scalers(
    ...     X, y, scalers={"none": "passthrough", "L2": L2Normalizer()},
    ...     models={"k-NN": KNeighborsClassifier()}, cv=3, n_repeats=2)
    >>> list(result["scaler"])
    ['none', 'L2']
    >>> len(result.loc[0, "fold_scores"])
    6
    >>> result.attrs["chance"]["name"]
    "DummyClassifier(strategy='prior')"
    >>> bool(result["beats_chance"].all())
    True
    """
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "compare_scalers needs pandas: pip install 'sklearn-l2[examples]'"
        ) from exc

    X, y = check_X_y(
        X,
        y,
        accept_sparse=["csr", "csc"],
        dtype=[np.float64, np.float32],
        y_numeric=False,
    )
    task, task_note = _resolve_task(y, task)
    sparse = sp.issparse(X)
    notes = [task_note] if task_note else []
    if scalers is None:
        scalers = default_scalers(sparse)
        if sparse:
            notes.append(
                "sparse input: MaxAbsScaler and StandardScaler(with_mean=False) "
                "replace MinMaxScaler and StandardScaler, which would densify it"
            )
    scalers = _named(scalers, "scalers")
    if models is None:
        models = default_models(
            task,
            random_state=random_state,
            gram_rbf=sparse and X.shape[0] <= _GRAM_MAX_SAMPLES,
        )
    models = _named(models, "models")

    if scoring is None:
        scoring = "accuracy" if task == "classification" else "r2"
    if isinstance(scoring, str):
        _check_scoring_name(scoring, task, y, models)
    if isinstance(cv, Integral):
        if cv < 2:
            raise ValueError(f"cv must be at least 2, got {cv}")
        if task == "classification":
            _check_classes(y, cv)
            splitter = RepeatedStratifiedKFold(
                n_splits=cv, n_repeats=n_repeats, random_state=random_state
            )
        else:
            if X.shape[0] < cv:
                raise ValueError(
                    f"{X.shape[0]} samples are too few for {cv}-fold "
                    "cross-validation (lower cv)"
                )
            splitter = RepeatedKFold(
                n_splits=cv, n_repeats=n_repeats, random_state=random_state
            )
    else:
        splitter = cv
    # Drawn once: every pipeline and the chance baseline see the same folds.
    splits = list(splitter.split(X, y))
    n_train = float(np.mean([len(train) for train, _ in splits]))
    n_test = float(np.mean([len(test) for _, test in splits]))
    scorer = check_scoring(next(iter(models.values())), scoring=scoring)
    alpha = 1 - CONFIDENCE

    pipelines = [(s, m) for s in scalers for m in models]
    total = (len(pipelines) + 1) * len(splits)

    def cross_validate(scaler, model):
        pipeline = _WarningRecordingPipeline(
            [
                ("scaler", scaler if scaler is not None else "passthrough"),
                ("model", model),
            ]
        )
        return _cross_validate(
            pipeline,
            X,
            y,
            cv=splits,
            scoring=_WarningRecordingScorer(scorer),
            n_jobs=n_jobs,
            return_estimator=True,
            error_score="raise",
        )

    chance_model = (
        DummyClassifier(strategy="prior")
        if task == "classification"
        else DummyRegressor(strategy="mean")
    )
    chance = cross_validate("passthrough", chance_model)
    done = len(splits)
    if progress is not None:
        progress(done, total)
    rows = []
    caught = set()
    for scaler_name, model_name in pipelines:
        scaler = scalers[scaler_name]
        cv_result = cross_validate(scaler, models[model_name])
        for fitted in cv_result["estimator"]:
            caught.update(
                f"{scaler_name} + {model_name}: {m}" for m in fitted.warnings_
            )
        scores = np.asarray(cv_result["test_score"], dtype=float)
        rows.append(
            {
                "scaler": scaler_name,
                "model": model_name,
                "mean": scores.mean(),
                "std": scores.std(ddof=1) if len(scores) > 1 else 0.0,
                "fold_scores": scores,
                "fit_time": float(np.mean(cv_result["fit_time"])),
                "score_time": float(np.mean(cv_result["score_time"])),
                "uses_l2": _uses_l2(scaler),
            }
        )
        done += len(splits)
        if progress is not None:
            progress(done, total)
    result = pd.DataFrame(rows)
    _versus_best_baseline(result, n_train, n_test, alpha)
    chance_scores = np.asarray(chance["test_score"], dtype=float)
    recommendations, best = _decide(result, chance_scores, n_train, n_test, alpha)
    result.attrs["task"] = task
    result.attrs["scoring"] = scoring
    result.attrs["chance"] = {
        "name": (
            "DummyClassifier(strategy='prior')"
            if task == "classification"
            else "DummyRegressor(strategy='mean')"
        ),
        "mean": float(chance_scores.mean()),
        "std": float(chance_scores.std(ddof=1)) if len(splits) > 1 else 0.0,
        "fold_scores": chance_scores,
    }
    result.attrs["recommendations"] = recommendations
    result.attrs["best"] = best
    result.attrs["notes"] = notes
    result.attrs["warnings"] = sorted(caught)
    result.attrs["n_splits"] = len(splits)
    result.attrs["n_train"] = n_train
    result.attrs["n_test"] = n_test
    return result
