"""The scalers, models and tuning grids that :func:`compare_scalers` tries."""

import numpy as np
import scipy.sparse as sp
from sklearn.compose import TransformedTargetRegressor
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler
from sklearn.svm import SVC, SVR, LinearSVC, LinearSVR

from .._normalizer import L2Normalizer

# Small on purpose: every candidate is fitted on every inner fold of every
# outer fold of every pipeline (see the README's timings).
_C = [0.1, 1.0, 10.0, 100.0, 1000.0]
_LINEAR_C = [0.01, 0.1, 1.0, 10.0, 100.0]
_GAMMA_FACTORS = [0.1, 1.0, 10.0, 100.0]
_NEIGHBORS = [1, 5, 15]
_WEIGHTS = ["uniform", "distance"]


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
    >>> from sklearn_l2.compare import default_scalers
    >>> list(default_scalers(sparse=True))[:3]
    ['none', 'MaxAbsScaler', 'StandardScaler(with_mean=False)']
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


def scale_gamma(X):
    """The gamma that libsvm's wrapper uses for ``gamma="scale"`` on ``X``."""
    if sp.issparse(X):
        variance = X.multiply(X).mean() - X.mean() ** 2
    else:
        variance = np.asarray(X, dtype=float).var()
    return 1.0 / (X.shape[1] * variance) if variance != 0 else 1.0


class _ScaledGamma:
    """The ``gamma_factor`` parameter shared by the two SVMs below."""

    def __init__(self, *, C=1.0, gamma_factor=1.0):
        super().__init__(C=C)
        self.gamma_factor = gamma_factor

    def fit(self, X, y, sample_weight=None):
        """Fit the SVM with gamma set from ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        self : object
            The fitted SVM.
        """
        self.gamma = (
            "scale" if self.gamma_factor == 1 else self.gamma_factor * scale_gamma(X)
        )
        return super().fit(X, y, sample_weight)


class ScaledGammaSVC(_ScaledGamma, SVC):
    """An RBF ``SVC`` whose gamma is ``gamma_factor`` times ``gamma="scale"``.

    A grid of absolute gammas suits one scaler and misses the others by
    orders of magnitude (unscaled wine has a variance near 10⁵, L2-normalized
    rows near 10⁻²), so the grid is over multiples of the value scikit-learn
    picks for the data after the scaler. With ``gamma_factor=1`` scikit-learn
    computes the gamma itself.

    Parameters
    ----------
    C : float, default=1.0
        Regularization, as in ``SVC``.
    gamma_factor : float, default=1.0
        Multiple of the ``gamma="scale"`` value.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_l2.compare import ScaledGammaSVC
    >>> X, y = load_iris(return_X_y=True)
    >>> round(ScaledGammaSVC(gamma_factor=0.1).fit(X, y).score(X, y), 2)
    0.94
    """


class ScaledGammaSVR(_ScaledGamma, SVR):
    """An RBF ``SVR`` whose gamma is ``gamma_factor`` times ``gamma="scale"``.

    See :class:`ScaledGammaSVC`.

    Parameters
    ----------
    C : float, default=1.0
        Regularization, as in ``SVR``.
    gamma_factor : float, default=1.0
        Multiple of the ``gamma="scale"`` value.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn_l2.compare import ScaledGammaSVR
    >>> X, y = load_diabetes(return_X_y=True)
    >>> ScaledGammaSVR(C=10).fit(X, y / y.std()).gamma
    'scale'
    """


def default_models(task="classification", *, random_state=0, gram_rbf=False):
    """The models :func:`compare_scalers` tries when none are given.

    Classification: a linear SVM (``LinearSVC``: liblinear, much faster than
    ``SVC`` with a linear kernel on unscaled data), an RBF SVM
    (:class:`ScaledGammaSVC`, ``gamma="scale"`` until tuned) and a
    nearest-neighbours classifier with the euclidean metric. Regression:
    ``LinearSVR``, an RBF SVR and a nearest-neighbours regressor, each fitted
    on the standardized target (``TransformedTargetRegressor``) so that the
    SVR's ``epsilon`` and ``C`` suit any unit of the target.

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
    >>> from sklearn_l2.compare import default_models
    >>> list(default_models("regression"))
    ['linear SVR', 'RBF SVR', 'k-NN']
    """
    from ._gram_svm import GramRBFSVC, GramRBFSVR

    if task == "classification":
        return {
            "linear SVM": LinearSVC(random_state=random_state),
            "RBF SVM": GramRBFSVC() if gram_rbf else ScaledGammaSVC(),
            "k-NN": KNeighborsClassifier(
                n_neighbors=5, metric="euclidean", algorithm="brute"
            ),
        }

    def on_standard_target(regressor):
        return TransformedTargetRegressor(
            regressor=regressor, transformer=StandardScaler()
        )

    return {
        "linear SVR": on_standard_target(LinearSVR(random_state=random_state)),
        "RBF SVR": on_standard_target(GramRBFSVR() if gram_rbf else ScaledGammaSVR()),
        "k-NN": on_standard_target(
            KNeighborsRegressor(n_neighbors=5, metric="euclidean", algorithm="brute")
        ),
    }


def default_grids(task="classification"):
    """The values :func:`compare_scalers` tunes each default model over.

    Parameters
    ----------
    task : {"classification", "regression"}, default="classification"
        The kind of target.

    Returns
    -------
    grids : dict of {str: dict of {str: list}}
        Per model name of :func:`default_models`, a ``GridSearchCV``
        parameter grid on that model.

    Examples
    --------
    >>> from sklearn_l2.compare import default_grids
    >>> default_grids()["linear SVM"]
    {'C': [0.01, 0.1, 1.0, 10.0, 100.0]}
    >>> sorted(default_grids("regression")["RBF SVR"])
    ['regressor__C', 'regressor__gamma_factor']
    """
    grids = {
        "linear SVM": {"C": _LINEAR_C},
        "RBF SVM": {"C": _C, "gamma_factor": _GAMMA_FACTORS},
        "k-NN": {"n_neighbors": _NEIGHBORS, "weights": _WEIGHTS},
    }
    if task == "classification":
        return grids
    names = ["linear SVR", "RBF SVR", "k-NN"]
    return {
        name: {f"regressor__{k}": v for k, v in grid.items()}
        for name, grid in zip(names, grids.values(), strict=True)
    }


def uses_l2(step):
    """Whether a scaler is, or contains, an :class:`L2Normalizer`."""
    if isinstance(step, L2Normalizer):
        return True
    if isinstance(step, str) or not hasattr(step, "get_params"):
        return False
    return any(isinstance(v, L2Normalizer) for v in step.get_params(deep=True).values())
