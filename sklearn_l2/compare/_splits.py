"""Before any fit: the task, the scorer, the folds and the rows to use.

Every check here refuses, in one line, what cannot work and says what to do.
"""

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import (
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    train_test_split,
)
from sklearn.utils.multiclass import type_of_target

TASKS = ("auto", "classification", "regression")

#: Inner folds of the tuning search in each outer training set.
INNER_CV = 3

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


def label(value):
    """A class label as a user wrote it: ``-3.77``, not ``np.float64(-3.77)``."""
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, float) and value.is_integer():
        # Integer labels read into a float column (pandas does that when a
        # column has missing values) are shown as the integers they are.
        value = int(value)
    return repr(value)


def resolve_task(y, task):
    """``"classification"`` or ``"regression"``, and a note when guessed."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}; got {task!r}")
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
                "override with task='classification'"
            )
            return "regression", note
        return "classification", None
    if task == "regression" and not numeric:
        raise ValueError(
            f"regression needs a numeric target; it holds {label(y[0])}: "
            "use task='classification'"
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


def check_scoring_name(scoring, task, y, models):
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
        shown = ", ".join(label(c) for c in classes)
        raise ValueError(
            f"scoring {scoring!r} needs to know the positive class, which it "
            f"takes to be 1, and the labels are {shown}: encode the positive "
            f"class as 1 and the other as 0, or use {_WITHOUT_POS_LABEL[scoring]}"
        )


def check_classes(y, cv):
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise ValueError("y has a single class: there is nothing to classify")
    if counts.min() < cv:
        rare = classes[np.argmin(counts)]
        hint = ""
        if np.issubdtype(y.dtype, np.number) and len(classes) > 20:
            hint = (
                f"; with {len(classes)} distinct numbers, the target may be a "
                "quantity: try task='regression'"
            )
        raise ValueError(
            f"too few samples per class for {cv}-fold stratified "
            f"cross-validation: class {label(rare)} has {counts.min()} "
            f"sample(s); every class needs at least {cv} (lower cv, or drop "
            f"the rare classes){hint}"
        )


def outer_splits(X, y, task, cv, n_repeats, random_state):
    """The outer folds, drawn once: every pipeline is scored on the same ones."""
    if not isinstance(cv, Integral):
        return list(cv.split(X, y))
    if cv < 2:
        raise ValueError(f"cv must be at least 2, got {cv}")
    if task == "classification":
        check_classes(y, cv)
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
    return list(splitter.split(X, y))


def inner_splitter(task, random_state):
    """The folds of the tuning search inside each outer training set."""
    if task == "classification":
        return StratifiedKFold(INNER_CV, shuffle=True, random_state=random_state)
    return KFold(INNER_CV, shuffle=True, random_state=random_state)


# Seconds per unit of estimated work (see estimated_seconds), measured on the
# 2-core machine of the README's timings with the default models and grids
# (digits, and 2,000 rows of 10 features); the per-row overhead of a fit is
# counted as _ROW_OVERHEAD more values per row.
_SECONDS_PER_UNIT = 1.3e-10
_ROW_OVERHEAD = 80
#: Estimated seconds above which ``max_samples="auto"`` subsamples.
BUDGET_SECONDS = 240.0


def _row_width(X):
    """Mean stored values per row: the cost of one distance or dot product."""
    if sp.issparse(X):
        return max(X.nnz / max(X.shape[0], 1), 1.0)
    return float(X.shape[1])


def estimated_seconds(X, n_outer_fits, n_candidates, n_jobs):
    """A rough run time: kernel and distance work grows as rows² × row width.

    ``n_candidates`` is the number of fits per outer fold and model (the
    grid's size times the inner folds, plus the refit), summed over models.
    """
    rows = X.shape[0]
    work = n_outer_fits * n_candidates * rows**2 * (_row_width(X) + _ROW_OVERHEAD)
    return _SECONDS_PER_UNIT * work / max(n_jobs, 1)


def subsample(X, y, task, n_rows, random_state):
    """``n_rows`` of the rows, stratified by class for classification."""
    stratify = y if task == "classification" else None
    index = np.arange(X.shape[0])
    try:
        kept, _ = train_test_split(
            index, train_size=n_rows, stratify=stratify, random_state=random_state
        )
    except ValueError:  # a class too rare to stratify on: draw plainly
        kept, _ = train_test_split(index, train_size=n_rows, random_state=random_state)
    kept = np.sort(kept)
    return X[kept], y[kept]
