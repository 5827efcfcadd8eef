"""Cross-validated comparison of scalers ahead of SVMs and k-NN.

:func:`compare_scalers` answers the question "should I put an
:class:`~sklearn_l2.L2Normalizer` in front of my model, or a MinMax or a
standard scaler?" for one data set, with a paired test that only calls a
winner when the difference is larger than the fold-to-fold noise.
"""

import time
import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from scipy import stats
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.utils.validation import check_X_y

from ._normalizer import L2Normalizer

#: Confidence level of the paired test behind the ``verdict`` column.
CONFIDENCE = 0.95


def default_scalers(sparse=False):
    """The scalers :func:`compare_scalers` tries when none are given.

    Dense input: no scaling, ``MinMaxScaler``, ``StandardScaler``,
    ``L2Normalizer`` and ``StandardScaler`` followed by ``L2Normalizer``.
    Sparse input: ``MinMaxScaler`` and a centring ``StandardScaler`` would
    destroy sparsity (scikit-learn refuses both), so ``MaxAbsScaler`` and
    ``StandardScaler(with_mean=False)`` take their places.
    """
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


def default_models(random_state=0):
    """The classifiers :func:`compare_scalers` tries when none are given.

    A linear SVM (``LinearSVC``: liblinear, much faster than ``SVC`` with a
    linear kernel on unscaled data), an RBF ``SVC`` and a 5-nearest-neighbours
    classifier with the euclidean metric.
    """
    return {
        "linear SVM": LinearSVC(random_state=random_state),
        "RBF SVM": SVC(kernel="rbf"),
        "k-NN": KNeighborsClassifier(n_neighbors=5, metric="euclidean"),
    }


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


def _fit_and_score(scaler, model, X, y, train, test, scorer):
    """One fold of one pipeline: score, timings and the warnings raised."""
    pipeline = make_pipeline(
        "passthrough" if scaler in (None, "passthrough") else clone(scaler),
        clone(model),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        pipeline.fit(X[train], y[train])
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        score = scorer(pipeline, X[test], y[test])
        score_time = time.perf_counter() - start
    messages = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    return score, fit_time, score_time, messages


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


def compare_scalers(
    X,
    y,
    *,
    scalers=None,
    models=None,
    cv=5,
    scoring="accuracy",
    n_jobs=None,
    random_state=0,
    n_repeats=3,
    progress=None,
):
    """Cross-validate every scaler × model pipeline and compare them.

    Every scaler is put in front of every model and scored by repeated
    stratified k-fold cross-validation on the same folds. Each scaler that
    uses an :class:`L2Normalizer` is then compared, fold by fold, with the
    best scaler that does not (the best baseline) for the same model, and a
    verdict is only given when the difference is larger than the noise.

    Requires pandas (``pip install "sklearn-l2[examples]"``).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Numeric features, without missing values.
    y : array-like of shape (n_samples,)
        Class labels.
    scalers : dict of {str: transformer or "passthrough"} or list, default=None
        The scalers to compare; a list is named after the classes. ``None``
        uses :func:`default_scalers`: no scaling, ``MinMaxScaler``,
        ``StandardScaler``, ``L2Normalizer()`` and ``StandardScaler`` then
        ``L2Normalizer``. For sparse ``X``, which ``MinMaxScaler`` and a
        centring ``StandardScaler`` refuse, ``MaxAbsScaler`` and
        ``StandardScaler(with_mean=False)`` replace them, and a note in
        ``result.attrs["notes"]`` says so.
    models : dict of {str: classifier} or list, default=None
        The models. ``None``: ``LinearSVC``, RBF ``SVC`` and euclidean
        ``KNeighborsClassifier`` (:func:`default_models`).
    cv : int >= 2 or cross-validation splitter, default=5
        Number of stratified folds per repetition, or a splitter (then
        ``n_repeats`` and ``random_state`` are not used for the splits).
    scoring : str or callable, default="accuracy"
        A scikit-learn scorer; greater is better.
    n_jobs : int, default=None
        Number of parallel jobs (joblib) over pipelines and folds.
    random_state : int, default=0
        Seed of the fold assignment; the same folds are used for every
        pipeline, which is what makes the comparison paired.
    n_repeats : int >= 1, default=3
        Number of repetitions of the k-fold split, each shuffled differently.
    progress : callable, default=None
        Called as ``progress(n_done, n_total)`` after every fitted fold.

    Returns
    -------
    result : pandas.DataFrame
        One row per (scaler, model), in the order given, with columns
        ``scaler``, ``model``, ``mean``, ``std`` (across folds),
        ``fold_scores`` (array of every fold's score), ``fit_time`` and
        ``score_time`` (mean seconds per fold), ``uses_l2``, ``baseline``
        (the best scaler without ``L2Normalizer`` for that model),
        ``diff_mean`` and ``diff_std`` (paired difference to the baseline
        across folds), ``p_value`` (corrected resampled t-test) and
        ``verdict``: ``"baseline"`` for the best baseline itself,
        ``"better"`` or ``"worse"`` when ``p_value < 0.05``, else ``"tie"``
        (empty for the other baselines). ``result.attrs`` holds ``notes``
        (list of str) and ``warnings`` (the warnings raised while fitting,
        e.g. convergence warnings, once each).

    Notes
    -----
    With ``k`` folds in total, fold differences ``d_i``, mean ``d`` and
    sample variance ``s²``, the statistic is
    ``t = d / sqrt((1/k + n_test/n_train) s²)`` with ``k - 1`` degrees of
    freedom (Nadeau & Bengio, 2003): folds share training samples, and the
    plain ``1/k`` would call winners that are noise.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn_l2 import L2Normalizer, compare_scalers
    >>> X, y = load_iris(return_X_y=True)
    >>> result = compare_scalers(
    ...     X, y, scalers={"none": "passthrough", "L2": L2Normalizer()},
    ...     models={"k-NN": KNeighborsClassifier()}, cv=3, n_repeats=2)
    >>> result[["scaler", "model", "verdict"]].to_string(index=False).split("\\n")[0]
    'scaler model  verdict'
    >>> len(result.loc[0, "fold_scores"])
    6
    """
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "compare_scalers needs pandas: pip install 'sklearn-l2[examples]'"
        ) from exc

    X, y = check_X_y(X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32])
    sparse = sp.issparse(X)
    notes = []
    if scalers is None:
        scalers = default_scalers(sparse)
        if sparse:
            notes.append(
                "sparse input: MaxAbsScaler and StandardScaler(with_mean=False) "
                "replace MinMaxScaler and StandardScaler, which would densify it"
            )
    scalers = _named(scalers, "scalers")
    models = _named(
        default_models(random_state) if models is None else models, "models"
    )

    if isinstance(cv, Integral):
        if cv < 2:
            raise ValueError(f"cv must be at least 2, got {cv}")
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            raise ValueError("y has a single class: there is nothing to classify")
        if counts.min() < cv:
            rare = classes[np.argmin(counts)]
            raise ValueError(
                f"too few samples per class for {cv}-fold stratified "
                f"cross-validation: class {rare!r} has {counts.min()} "
                f"sample(s); every class needs at least {cv} (lower cv)"
            )
        splitter = RepeatedStratifiedKFold(
            n_splits=cv, n_repeats=n_repeats, random_state=random_state
        )
    else:
        splitter = cv
    splits = list(splitter.split(X, y))
    scorer = check_scoring(models[next(iter(models))], scoring=scoring)

    tasks = [
        (scaler_name, model_name, split)
        for scaler_name in scalers
        for model_name in models
        for split in range(len(splits))
    ]
    jobs = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_fit_and_score)(
            scalers[s], models[m], X, y, splits[i][0], splits[i][1], scorer
        )
        for s, m, i in tasks
    )
    results = {}
    caught = set()
    for done, (task, outcome) in enumerate(zip(tasks, jobs, strict=True), start=1):
        results[task] = outcome
        caught.update(f"{task[0]} + {task[1]}: {m}" for m in outcome[3])
        if progress is not None:
            progress(done, len(tasks))

    n_train = np.mean([len(train) for train, _ in splits])
    n_test = np.mean([len(test) for _, test in splits])
    rows = []
    for scaler_name, scaler in scalers.items():
        for model_name in models:
            outcomes = [results[scaler_name, model_name, i] for i in range(len(splits))]
            scores = np.array([o[0] for o in outcomes], dtype=float)
            rows.append(
                {
                    "scaler": scaler_name,
                    "model": model_name,
                    "mean": scores.mean(),
                    "std": scores.std(ddof=1) if len(scores) > 1 else 0.0,
                    "fold_scores": scores,
                    "fit_time": np.mean([o[1] for o in outcomes]),
                    "score_time": np.mean([o[2] for o in outcomes]),
                    "uses_l2": _uses_l2(scaler),
                }
            )
    result = pd.DataFrame(rows)
    result["baseline"] = None
    result["diff_mean"] = np.nan
    result["diff_std"] = np.nan
    result["p_value"] = np.nan
    result["verdict"] = ""
    for model_name in models:
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
            if p_value < 1 - CONFIDENCE:
                verdict = "better" if mean > 0 else "worse"
            else:
                verdict = "tie"
            result.at[row, "diff_mean"] = mean
            result.at[row, "diff_std"] = std
            result.at[row, "p_value"] = p_value
            result.at[row, "verdict"] = verdict
    result.attrs["notes"] = notes
    result.attrs["warnings"] = sorted(caught)
    result.attrs["n_splits"] = len(splits)
    return result
