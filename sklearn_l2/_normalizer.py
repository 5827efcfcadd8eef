"""The :class:`L2Normalizer` estimator."""

from functools import partial

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from . import _array_api, _dask, _dense, _sparse
from ._normalize import (
    AXIS_CONSTRAINT,
    EPS_CONSTRAINT,
    MAX_NORM_CONSTRAINT,
    NORM_CONSTRAINT,
    check_eps_max_norm,
    check_input,
    compressed,
    prepare,
    resolve_p,
    transform_validated,
    writable_in_place,
)
from ._segments import combine_parts, root, scale_parts, true_norms


def _column_statistics(X, p):
    """``(e, s, n_observed)`` of every column of validated ``X``, on the host."""
    for kernels in (_dask, _array_api):
        if kernels.handles(X):
            return kernels.column_statistics(X, p)
    return (*_column_parts(X, p), _observed_counts(X))


def _column_parts(X, p):
    """Overflow-safe ``(e, s)`` power sums of every column of validated ``X``."""
    if not sp.issparse(X):
        return _dense.column_parts(X, p)
    X, _ = compressed(X.tocsc(), owned=False)  # fit never writes to the data
    return _sparse.major_parts(X, p)


def _observed_counts(X):
    """Number of non-missing entries in every column of validated ``X``."""
    n_samples = X.shape[0]
    if sp.issparse(X):
        if not np.isnan(X.data).any():
            return n_samples
        coo = X.tocoo()
        missing = np.isnan(coo.data)
        return n_samples - np.bincount(coo.col[missing], minlength=X.shape[1])
    missing = np.isnan(X)
    if not missing.any():
        return n_samples
    return n_samples - missing.sum(axis=0)


class L2Normalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Scale samples to unit norm, exactly at any magnitude.

    A drop-in replacement for :class:`sklearn.preprocessing.Normalizer`. With
    the default ``axis=1`` every sample (row) is divided by its own norm, so
    that only its direction is kept; this is the usual preparation for
    cosine similarity, text vectors (TF-IDF), histograms and embeddings ahead
    of a linear model, an SVM or a k-nearest-neighbours model. With ``axis=0``
    every feature (column) is divided by its norm learned on the training
    data.

    Unlike scikit-learn's normalizer, every finite input, from subnormal
    numbers to the largest floats, gives vectors of norm 1 to within a few
    rounding units: no row whose sum of squares overflows comes back as
    zeros, and long float32 rows keep float32 accuracy.

    Parameters
    ----------
    norm : {"l2", "l1", "max"} or float >= 1, default="l2"
        The norm. A number ``p`` means the p-norm ``(sum |x|**p)**(1/p)``;
        ``numpy.inf`` is the same as ``"max"``.
    axis : {0, 1}, default=1
        1: every sample is scaled by its own norm; the estimator is stateless
        and ``fit`` only checks the input. 0: every feature is scaled by its
        norm over the training data, learned by ``fit`` or ``partial_fit``.
    eps : float >= 0, default=0.0
        Every vector is divided by ``max(norm, eps)``; a zero vector stays
        zero. A positive ``eps`` keeps vectors shorter than ``eps`` short
        instead of blowing them up to norm 1.
    max_norm : float > 0, default=None
        If set, the estimator applies a max-norm constraint instead: vectors
        longer than ``max_norm`` are shortened to norm ``max_norm``, and
        shorter ones are left as they are. Cannot be combined with
        ``eps > 0``.
    copy : bool, default=True
        If False, ``transform`` normalizes a writable float32 or float64
        array, or a CSR or CSC matrix with float data, in place and returns
        it. Read-only input is then an error.

    Attributes
    ----------
    norms_ : ndarray of shape (n_features,)
        The norm of every feature over the data seen so far (float64; inf
        only where it exceeds the float64 range). Defined only when
        ``axis=0``.
    scale_ : ndarray of shape (n_features,)
        What each feature is divided by: ``max(norms_, eps)``; with
        ``max_norm``, ``norms_ / max_norm`` for the features longer than
        ``max_norm`` and 1 for the others. 1 for zero features. Defined only
        when ``axis=0``.
    n_samples_seen_ : int or ndarray of shape (n_features,)
        The number of samples seen by ``fit`` and ``partial_fit``; an array
        counting the non-missing values of each feature if any is missing,
        as in :class:`~sklearn.preprocessing.StandardScaler`. Defined only
        when ``axis=0``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``. Defined only when ``X`` has
        feature names that are all strings.

    See Also
    --------
    normalize : The same as a function.
    norms : The norms alone.
    sklearn.preprocessing.Normalizer : The normalizer of scikit-learn.

    Notes
    -----
    For ``p`` in ``{1, 2}`` the power sum :math:`s = \\sum_i |x_i|^p` is first
    accumulated directly: dense l2 rows add their squares in groups of at
    most 16 (float32) or 32 (float64) terms and the group sums in float64,
    everything else adds in float64 with pairwise summation. Where it
    overflows, may have lost accuracy to underflow, or holds a missing value
    (infinity is an error), the vector is
    scaled by the power of two :math:`2^{-e}` with
    :math:`2^{e-1} \\le \\max_i |x_i| < 2^e`, which is exact, and

    .. math:: \\|x\\|_p = 2^e \\Big(\\sum_i |x_i 2^{-e}|^p\\Big)^{1/p}

    can then neither overflow nor underflow. Other ``p`` always take that
    careful path. The output is ``x`` times the reciprocal of the norm when
    that reciprocal is a normal number of the output dtype, and
    :math:`(x 2^{-e}) / (\\|x\\|_p 2^{-e})` in float64 otherwise.

    Examples
    --------
    >>> from sklearn_l2 import L2Normalizer
    >>> X = [[3.0, 4.0], [1.0, 0.0], [0.0, 0.0]]
    >>> L2Normalizer().fit_transform(X)
    array([[0.6, 0.8],
           [1. , 0. ],
           [0. , 0. ]])
    >>> L2Normalizer(norm="l1").fit_transform(X)
    array([[0.42857143, 0.57142857],
           [1.        , 0.        ],
           [0.        , 0.        ]])

    With ``axis=0`` the feature norms are learned and can be undone:

    >>> scaler = L2Normalizer(axis=0).fit(X)
    >>> scaler.norms_
    array([3.16227766, 4.        ])
    >>> scaler.inverse_transform(scaler.transform(X))
    array([[3., 4.],
           [1., 0.],
           [0., 0.]])
    """

    _parameter_constraints: dict = {
        "norm": NORM_CONSTRAINT,
        "axis": AXIS_CONSTRAINT,
        "eps": EPS_CONSTRAINT,
        "max_norm": MAX_NORM_CONSTRAINT,
        "copy": ["boolean"],
    }

    def __init__(self, norm="l2", *, axis=1, eps=0.0, max_norm=None, copy=True):
        self.norm = norm
        self.axis = axis
        self.eps = eps
        self.max_norm = max_norm
        self.copy = copy

    def _reset(self):
        for name in ("norms_", "scale_", "n_samples_seen_", "_state", "_scaling"):
            if hasattr(self, name):
                delattr(self, name)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check ``X``; with ``axis=0``, learn the norm of every feature.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._reset()
        return self._partial_fit(X, reset=True)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Learn from one more batch of ``X`` (``axis=0``: update the norms).

        With ``axis=1`` this only checks ``X``, like :meth:`fit`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._partial_fit(X, reset=not hasattr(self, "n_features_in_"))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit to ``X`` and return it transformed, validating ``X`` only once.

        The result is that of ``fit(X).transform(X)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training data.
        y : None
            Ignored.

        Returns
        -------
        X_tr : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The normalized data, of the input's float dtype.
        """
        self._reset()
        check_eps_max_norm(self.eps, self.max_norm)
        validate = partial(check_input, estimator=self, reset=True)
        if self.axis == 1:
            return self._normalize_samples(*prepare(X, self.copy, 1, validate))
        # The column norms are computed before anything is written, so the
        # kernels may be the ones to find infinity.
        X_valid = validate(X, kernels_find_infinity=True)
        self._learn_norms(X_valid)
        in_place = writable_in_place(X_valid, X, self.copy)
        return self._scale_features(X_valid, in_place, *self._scaling)

    def _partial_fit(self, X, reset):
        check_eps_max_norm(self.eps, self.max_norm)
        # With axis=0 the column norms are computed before anything else,
        # so the kernels may be the ones to find infinity.
        X = check_input(
            X, estimator=self, reset=reset, kernels_find_infinity=self.axis == 0
        )
        if self.axis == 0:
            self._learn_norms(X)
        return self

    def _learn_norms(self, X):
        """Add validated ``X`` to the column norms (``axis=0``)."""
        p = resolve_p(self.norm)
        exponents, sums, seen = _column_statistics(X, p)
        if hasattr(self, "_state"):
            old_e, old_s = self._state
            exponents, sums = combine_parts(
                np.stack([old_e, exponents]), np.stack([old_s, sums]), p
            )
            seen = seen + _array_api.to_host(self.n_samples_seen_)
        self._state = (exponents, sums)
        self.n_samples_seen_ = seen
        scaled_norms = root(sums, p)
        self.norms_ = true_norms(exponents, scaled_norms)
        self._scaling = scale_parts(exponents, scaled_norms, self.eps, self.max_norm)
        scale_e, scale_g = self._scaling
        self.scale_ = true_norms(scale_e, 1.0 / scale_g)
        if _array_api.handles(X):
            # Public fitted arrays follow X (namespace, device); the private
            # state used by transform stays on the host.
            for name in ("norms_", "scale_", "n_samples_seen_"):
                setattr(self, name, _array_api.to_device(X, getattr(self, name)))

    def _prepared(self, X, copy):
        check_eps_max_norm(self.eps, self.max_norm)
        if self.axis == 0:
            check_is_fitted(self)
        copy = self.copy if copy is None else copy
        if self.axis == 1:
            return prepare(
                X, copy, 1, partial(check_input, estimator=self, reset=False)
            )
        # Features are scaled by learned norms: no kernel looks for infinity.
        validated = check_input(X, estimator=self, reset=False)
        return validated, writable_in_place(validated, X, copy)

    def transform(self, X, copy=None):
        """Scale every sample (``axis=1``) or feature (``axis=0``) of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data. CSR and CSC matrices keep their format, other sparse
            formats come back as CSR.
        copy : bool, default=None
            Overrides the ``copy`` parameter for this call.

        Returns
        -------
        X_tr : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The normalized data, of the input's float dtype.
        """
        X, in_place = self._prepared(X, copy)
        if self.axis == 1:
            return self._normalize_samples(X, in_place)
        return self._scale_features(X, in_place, *self._scaling)

    def _normalize_samples(self, X, in_place):
        """Every sample of validated ``X`` scaled to unit norm (``axis=1``)."""
        result, _ = transform_validated(
            X,
            p=resolve_p(self.norm),
            axis=1,
            eps=self.eps,
            max_norm=self.max_norm,
            in_place=in_place,
            with_norms=False,
        )
        return result

    def _inverse_available(self):
        return self.axis == 0

    @available_if(_inverse_available)
    def inverse_transform(self, X, copy=None):
        """Multiply every feature back by what ``transform`` divided it by.

        Only available with ``axis=0``: with ``axis=1`` the norm of each
        sample is not kept.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data in the normalized space.
        copy : bool, default=None
            Overrides the ``copy`` parameter for this call.

        Returns
        -------
        X_original : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The data in the original space.
        """
        X, in_place = self._prepared(X, copy)
        scale_e, scale_g = self._scaling
        return self._scale_features(X, in_place, -scale_e, 1.0 / scale_g)

    @staticmethod
    def _scale_features(X, in_place, exponents, gains):
        for kernels in (_dask, _array_api):
            if kernels.handles(X):
                return kernels.scale_columns(X, exponents, gains)
        if X.dtype == np.float16:
            result = L2Normalizer._scale_features(
                X.astype(np.float32), True, exponents, gains
            )
            return result.astype(np.float16)
        if not sp.issparse(X):
            out = X if in_place else np.empty_like(X)
            _dense.scale_columns(X, out, exponents, gains)
            return out
        X, owned = compressed(X, in_place)
        out = X if owned else _sparse.empty_data_like(X)
        if X.format == "csc":
            _sparse.scale_major(X, out.data, exponents, gains)
        else:
            _sparse.scale_minor(X, out.data, exponents, gains)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = True
        tags.requires_fit = self.axis == 0
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.array_api_support = True
        return tags
