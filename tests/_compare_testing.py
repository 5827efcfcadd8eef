"""Helpers for the compare tests: scalers and models that misbehave on cue."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler


class NonConvergingScaler(StandardScaler):
    """``StandardScaler`` that reports a ConvergenceWarning on every fit."""

    def fit(self, X, y=None, sample_weight=None):
        warnings.warn("did not converge (on purpose)", ConvergenceWarning, stacklevel=2)
        return super().fit(X, y, sample_weight)


class FailsWithRow(TransformerMixin, BaseEstimator):
    """Passes rows through; its fit raises when the training set holds the
    row whose last column is ``marker``, so it fails on every fold but those
    that test that row."""

    def __init__(self, marker=-1.0):
        self.marker = marker

    def fit(self, X, y=None):
        if np.any(np.asarray(X)[:, -1] == self.marker):
            raise ValueError("cannot fit with this row (on purpose)")
        return self

    def transform(self, X):
        return X


class DriftsOnOneFold(TransformerMixin, BaseEstimator):
    """Passes training rows through; shifts test rows by ``shift`` when its
    training set lacked the row whose last column is 0: a pipeline that goes
    wrong on the folds holding that row out, and only on those."""

    def __init__(self, shift=2.0):
        self.shift = shift

    def fit(self, X, y=None):
        self.drifts_ = not np.any(np.asarray(X)[:, -1] == 0)
        return self

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform_training(X)

    def transform_training(self, X):
        return np.asarray(X)

    def transform(self, X):
        return np.asarray(X) + (self.shift if self.drifts_ else 0.0)


def linear_regression_data(n=120, seed=0):
    """A noisy linear target; the last column numbers the rows (0 marks one)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = X @ [1.0, 2.0, -1.0] + rng.normal(0, 0.3, n)
    return np.c_[X, np.arange(n)], y
