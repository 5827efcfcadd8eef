"""Cross-validated comparison of scalers ahead of SVMs and k-NN.

:func:`compare_scalers` answers the question "which scaler should I put in
front of my SVM or k-NN: none, MinMax, standard, or
:class:`~sklearn_l2.L2Normalizer`?" for one data set, in three steps: the
folds and rows (:mod:`._splits`), the tuned fits (:mod:`._runs`) and the
decision (:mod:`._decision`).
"""

import numpy as np
import scipy.sparse as sp
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.metrics import check_scoring
from sklearn.utils.validation import check_X_y

from . import _splits
from ._decision import chosen_values, decide, failures, versus_best_baseline
from ._models import default_grids, default_models, default_scalers, uses_l2
from ._runs import make_pipeline, run_all

#: Sparse inputs up to this many samples get the Gram-matrix RBF SVM.
_GRAM_MAX_SAMPLES = 10_000


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
    tune=True,
    param_grids=None,
    max_samples="auto",
):
    """Cross-validate every scaler × model pipeline and say which scaler to use.

    Every scaler is put in front of every model and scored on one fixed set
    of outer folds (repeated k-fold, stratified for classification),
    together with a chance baseline (``DummyClassifier`` or
    ``DummyRegressor``) on the same folds. With ``tune=True`` (the default)
    each model's parameters are chosen inside every outer training set by
    ``GridSearchCV`` (nested cross-validation), so that every scaler is
    compared at its best. For each model the scalers are ranked by mean
    score, and every scaler the paired test cannot tell apart from the best
    one is recommended with it. A pipeline that failed (a fit raised, did
    not converge or scored far below chance in some fold) is never
    recommended.

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
        The models. ``None``: ``LinearSVC``, an RBF SVM and euclidean k-NN
        for classification, their regression counterparts for regression
        (:func:`default_models`).
    cv : int >= 2 or cross-validation splitter, default=5
        Number of outer folds per repetition, or a splitter (then
        ``n_repeats`` and ``random_state`` are not used for the splits). The
        folds are drawn once and used for every pipeline.
    scoring : str or callable, default=None
        A scikit-learn scorer; greater is better. ``None``: ``"accuracy"``
        for classification, ``"r2"`` for regression. A name that does not
        suit the task, the models or the labels is refused with the names
        that do. The tuning search uses the same scorer.
    n_jobs : int, default=None
        Number of (pipeline, fold) jobs run in parallel; -1 uses every core.
    random_state : int, default=0
        Seed of the fold assignment, the inner folds and the subsample; the
        same folds are used for every pipeline, which is what makes the
        comparison paired.
    n_repeats : int >= 1, default=3
        Number of repetitions of the k-fold split, each shuffled differently.
    progress : callable, default=None
        Called as ``progress(n_done, n_total)`` (counting (pipeline, outer
        fold) jobs, the chance baseline's included) as each job finishes.
    task : {"auto", "classification", "regression"}, default="auto"
        ``"auto"``: regression when ``y`` is continuous (as
        :func:`~sklearn.utils.multiclass.type_of_target` says), or numeric
        with more than 10 distinct values of which most occur fewer than 5
        times; classification otherwise. A note in ``result.attrs["notes"]``
        says when regression was chosen.
    tune : bool, default=True
        Tune each model by ``GridSearchCV`` (3 inner folds) inside every
        outer training set. ``False`` fits every model with its fixed
        defaults: faster, and the gaps between scalers are then those of
        untuned models, often much wider.
    param_grids : dict of {str: dict}, default=None
        Per model name, a parameter grid on the model (e.g.
        ``{"k-NN": {"n_neighbors": [5, 15]}}``). ``None``: the grids of
        :func:`default_grids` for the default models, no tuning for other
        models.
    max_samples : "auto", int or "all", default="auto"
        Rows to compare on. ``"auto"``: every row, unless the estimated run
        time exceeds a few minutes, then a subsample (stratified for
        classification) small enough to fit in them, with a note that says
        so. An int: at most that many rows. ``"all"``: every row.

    Returns
    -------
    result : pandas.DataFrame
        One row per (scaler, model), in the order given. Scores:
        ``scaler``, ``model``, ``mean``, ``std`` (across folds),
        ``fold_scores`` (array of every fold's score), ``fit_time`` (mean
        seconds of the final fit per fold), ``uses_l2``, ``params`` (the
        tuned values chosen most often over the outer folds, and in how many
        folds; empty when not tuned) and ``failure`` (empty, or why the
        pipeline cannot be recommended, with the number of folds).

        The decision, per model: ``rank`` (1 is the highest mean; equal
        means share a rank), ``diff_to_best`` and ``p_value_vs_best`` (mean
        paired difference to the model's best scaler that did not fail, and
        the corrected resampled t-test's p-value), ``tied_with_best`` (True
        for the best scaler and every scaler that did not fail with
        ``p_value_vs_best >= 0.05``: these are the recommended ones),
        ``recommendation`` (``"use X"`` or ``"any of X, Y (tied)"``, with a
        warning appended when even the best scaler does not beat chance, and
        the excluded scalers with their reasons); ``chance`` (mean score of
        the chance baseline) and ``beats_chance`` (the pipeline is better
        than chance, ``p < 0.05``); ``best_pipeline`` (True on the row with
        the highest mean of those that did not fail).

        L2 against the rest, per model: ``baseline`` (the best scaler
        without ``L2Normalizer``), ``diff_mean`` and ``diff_std`` (paired
        difference to it), ``p_value`` and ``verdict``: ``"baseline"`` for
        that scaler itself, ``"better"`` or ``"worse"`` when
        ``p_value < 0.05``, ``"failed"`` for a failed L2 pipeline, else
        ``"tie"`` (empty for the other scalers).

        ``result.attrs`` holds ``task``, ``scoring`` (its name, or the
        callable), ``tuned`` (bool), ``grids`` (per model, the grid
        searched), ``chance`` (dict: ``name``, ``mean``, ``std``,
        ``fold_scores``), ``recommendations`` (dict: model name to its
        recommendation), ``best`` (dict: ``scaler``, ``model``, ``mean``,
        ``std``, ``beats_chance`` and ``tied``, the list of (scaler, model)
        pipelines tied with it; None when every pipeline failed), ``notes``
        (list of str), ``warnings`` (the warnings raised while fitting the
        chosen pipelines, once each), ``n_samples`` (rows compared),
        ``n_splits``, ``n_train`` and ``n_test`` (mean fold sizes).

    See Also
    --------
    sklearn_l2.compare.default_scalers : The scalers compared by default.
    sklearn_l2.compare.default_models : The models compared by default.
    sklearn_l2.compare.default_grids : The grids the default models are tuned on.

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
    ...     models={"k-NN": KNeighborsClassifier()},
    ...     param_grids={"k-NN": {"n_neighbors": [5, 15]}}, cv=3, n_repeats=2)
    >>> list(result["scaler"])
    ['none', 'L2']
    >>> len(result.loc[0, "fold_scores"])
    6
    >>> result.attrs["grids"]
    {'k-NN': {'n_neighbors': [5, 15]}}
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
    task, task_note = _splits.resolve_task(y, task)
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
        # The RBF SVM's kind depends on the rows kept: placeholders until then.
        if param_grids is None:
            param_grids = default_grids(task)
        names = default_models(task)
    else:
        names = _named(models, "models")
    grids = _grids(names, param_grids, tune)
    X, y, sample_note = _rows(
        X,
        y,
        task,
        cv,
        n_repeats,
        len(scalers),
        grids,
        max_samples,
        n_jobs,
        random_state,
    )
    if sample_note:
        notes.append(sample_note)
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
        _splits.check_scoring_name(scoring, task, y, models)
    scorer = check_scoring(next(iter(models.values())), scoring=scoring)
    # Drawn once: every pipeline and the chance baseline see the same folds.
    splits = _splits.outer_splits(X, y, task, cv, n_repeats, random_state)
    n_train = float(np.mean([len(train) for train, _ in splits]))
    n_test = float(np.mean([len(test) for _, test in splits]))

    pairs = [(s, m) for s in scalers for m in models]
    chance_model = (
        DummyClassifier(strategy="prior")
        if task == "classification"
        else DummyRegressor(strategy="mean")
    )
    jobs = [(-1, make_pipeline(None, chance_model), {})] + [
        (i, make_pipeline(scalers[s], models[m]), grids.get(m, {}))
        for i, (s, m) in enumerate(pairs)
    ]
    runs = run_all(
        jobs,
        X,
        y,
        splits,
        scorer,
        _splits.inner_splitter(task, random_state),
        n_jobs,
        progress,
    )
    by_pipeline = {i: [] for i in range(-1, len(pairs))}
    for run in sorted(runs, key=lambda r: r.fold):
        by_pipeline[run.pipeline].append(run)
    chance_runs = by_pipeline.pop(-1)
    chance_scores = np.array([r.score for r in chance_runs])
    if chance_runs[0].failure:
        raise ValueError(f"the chance baseline failed: {chance_runs[0].failure}")

    rows = []
    caught = set()
    for i, (scaler_name, model_name) in enumerate(pairs):
        fold_runs = by_pipeline[i]
        scores = np.array([r.score for r in fold_runs])
        finite = scores[np.isfinite(scores)]
        for run in fold_runs:
            caught.update(f"{scaler_name} + {model_name}: {m}" for m in run.warnings)
        rows.append(
            {
                "scaler": scaler_name,
                "model": model_name,
                "mean": finite.mean() if len(finite) else np.nan,
                "std": finite.std(ddof=1) if len(finite) > 1 else 0.0,
                "fold_scores": scores,
                "fit_time": float(np.mean([r.fit_time for r in fold_runs])),
                "uses_l2": uses_l2(scalers[scaler_name]),
                "params": chosen_values([r.params for r in fold_runs]),
            }
        )
    result = pd.DataFrame(rows)
    result["failure"] = failures(result, by_pipeline, chance_scores)
    versus_best_baseline(result, n_train, n_test)
    recommendations, best = decide(result, chance_scores, n_train, n_test)
    result.attrs["task"] = task
    result.attrs["scoring"] = scoring
    result.attrs["tuned"] = bool(grids)
    result.attrs["grids"] = grids
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
    result.attrs["n_samples"] = X.shape[0]
    result.attrs["n_splits"] = len(splits)
    result.attrs["n_train"] = n_train
    result.attrs["n_test"] = n_test
    return result


def _grids(models, param_grids, tune):
    """Per model name, the grid to search (none when not tuning)."""
    if not tune or not param_grids:
        return {}
    unknown = sorted(set(param_grids) - set(models))
    if unknown:
        raise ValueError(
            f"param_grids names model(s) {', '.join(map(repr, unknown))} that "
            f"are not compared; the models are: {', '.join(map(repr, models))}"
        )
    grids = {}
    for name, grid in param_grids.items():
        valid = models[name].get_params()
        for parameter in grid:
            if parameter not in valid:
                raise ValueError(
                    f"param_grids[{name!r}]: {type(models[name]).__name__} has no "
                    f"parameter {parameter!r}"
                )
        grids[name] = {k: list(v) for k, v in grid.items()}
    return grids


def _rows(X, y, task, cv, n_repeats, n_scalers, grids, max_samples, n_jobs, seed):
    """``X, y`` or a subsample of them, and the note that says why."""
    n = X.shape[0]
    if isinstance(max_samples, str) and max_samples == "all":
        return X, y, None
    n_folds = (cv if isinstance(cv, int) else 5) * n_repeats
    n_fits = 1 + sum(
        int(np.prod([len(v) for v in grid.values()])) * _splits.INNER_CV
        for grid in grids.values()
    )
    n_fits = max(n_fits, 1 + len(grids))
    if isinstance(max_samples, str):
        if max_samples != "auto":
            raise ValueError(
                f"max_samples must be 'auto', 'all' or an int; got {max_samples!r}"
            )
        import joblib

        cores = joblib.effective_n_jobs(n_jobs)
        seconds = _splits.estimated_seconds(X, n_scalers * n_folds, n_fits, cores)
        if seconds <= _splits.BUDGET_SECONDS:
            return X, y, None
        keep = int(n * np.sqrt(_splits.BUDGET_SECONDS / seconds))
        keep = max(keep, 1000)
        if keep >= n:
            return X, y, None
        reason = f"about {seconds / 60:.0f} min estimated on all {n} rows"
    else:
        if max_samples < 2:
            raise ValueError(f"max_samples must be at least 2, got {max_samples}")
        if max_samples >= n:
            return X, y, None
        keep, reason = int(max_samples), f"max_samples={max_samples}"
    X, y = _splits.subsample(X, y, task, keep, seed)
    how = "stratified " if task == "classification" else ""
    note = (
        f"compared on a {how}random subsample of {keep} of the {n} rows "
        f"({reason}); use every row with max_samples='all'"
    )
    return X, y, note
