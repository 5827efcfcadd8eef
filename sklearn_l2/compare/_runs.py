"""The fits: every (pipeline, outer fold), tuned inside its training rows.

Each job is one pipeline on one outer fold: a ``GridSearchCV`` over the
model's grid on the fold's training rows (the inner cross-validation), then
the pipeline with the chosen values fitted on those rows and scored on the
fold's test rows. Every job of every pipeline goes to one
``joblib.Parallel(return_as="generator_unordered")``, so the progress
counts fits as they finish and no core waits for a pipeline's last fold.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline


@dataclass
class FoldRun:
    """What one (pipeline, outer fold) job returns."""

    pipeline: int
    fold: int
    score: float = np.nan
    params: dict = field(default_factory=dict)
    warnings: set = field(default_factory=set)
    failure: str = ""
    fit_time: float = 0.0
    converged: bool = True


def make_pipeline(scaler, model):
    """``scaler`` then ``model``, with the step names the grids refer to."""
    return Pipeline(
        [("scaler", "passthrough" if scaler is None else scaler), ("model", model)]
    )


def _first_line(exc):
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def _tuned(pipeline, grid, X, y, scorer, inner_cv):
    """The pipeline with the values the inner search chose, and those values."""
    search = GridSearchCV(
        pipeline,
        {f"model__{name}": values for name, values in grid.items()},
        scoring=scorer,
        cv=inner_cv,
        refit=False,
        error_score=np.nan,
    )
    # Candidates that do not converge, or fail, only lose the search; what
    # counts is the chosen pipeline's own fit, below.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    if np.isnan(search.cv_results_["mean_test_score"]).all():
        raise ValueError("every candidate of the tuning grid failed")
    chosen = {
        name.removeprefix("model__"): value
        for name, value in search.best_params_.items()
    }
    return clone(pipeline).set_params(**search.best_params_), chosen


def fit_and_score(index, fold, pipeline, grid, X, y, train, test, scorer, inner_cv):
    """One job: tune (when ``grid``), fit on ``train``, score on ``test``."""
    run = FoldRun(index, fold)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if grid:
                pipeline, run.params = _tuned(
                    pipeline, grid, X[train], y[train], scorer, inner_cv
                )
            start = time.perf_counter()
            pipeline.fit(X[train], y[train])
            run.fit_time = time.perf_counter() - start
            run.score = float(scorer(pipeline, X[test], y[test]))
        except Exception as exc:  # reported as the pipeline's failure
            run.failure = _first_line(exc)
    run.warnings = {f"{w.category.__name__}: {w.message}" for w in caught}
    run.converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    if not np.isfinite(run.score) and not run.failure:
        run.failure = f"non-finite score {run.score}"
    return run


def run_all(jobs, X, y, splits, scorer, inner_cv, n_jobs, progress):
    """Run ``jobs`` (``(index, pipeline, grid)``) on every fold, in parallel.

    Returns the :class:`FoldRun` of every job, in no particular order.
    ``progress(done, total)`` is called as each one finishes.
    """
    tasks = [
        delayed(fit_and_score)(
            index, fold, clone(pipeline), grid, X, y, train, test, scorer, inner_cv
        )
        for index, pipeline, grid in jobs
        for fold, (train, test) in enumerate(splits)
    ]
    runs = []
    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    for run in parallel(tasks):
        runs.append(run)
        if progress is not None:
            progress(len(runs), len(tasks))
    return runs
