"""The :class:`L2Normalizer` estimator."""

from typing import Any, Literal

from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils.metaestimators import available_if

try:  # scikit-learn >= 1.9
    from sklearn.utils._array_api import check_same_namespace
except ImportError:  # pragma: no cover - older scikit-learn has no such check
    check_same_namespace = None
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._normalize import (
    AXIS_CONSTRAINT,
    EPS_CONSTRAINT,
    MAX_NORM_CONSTRAINT,
    NORM_CONSTRAINT,
    check_eps_max_norm,
    for_estimator,
)


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
        If False, ``transform`` normalizes its input in place when it can,
        as :func:`normalize` does (read-only input is normalized into a new
        array).

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
    Every vector's power sum :math:`s = \\sum_i |x_i|^p` is added in one
    canonical order: the term at position ``i`` goes to lane ``i mod 8``,
    each lane adds its terms in order of position with TwoSum (the rounding
    errors kept in a second float64), and one fixed tree adds the eight
    lanes into a double-double. A missing position adds nothing, so the
    result depends neither on the container (dense, CSR, CSC) nor on the
    number of threads. The l1 norm is that sum rounded once; the l2 norm is
    its square root corrected once from the double-double, so both are
    within one ulp (faithful). Where the sum would overflow or underflow,
    and for other ``p``, the terms are taken in units of an exact power of
    two :math:`2^e` set by :math:`m = \\max_i |x_i|` (of :math:`m` itself
    for very large ``p``):

    .. math:: \\|x\\|_p = 2^e \\Big(\\sum_i |x_i 2^{-e}|^p\\Big)^{1/p},

    which no ``p`` can overflow (other ``p`` are within four ulp). The output
    is ``x`` times the reciprocal of the norm, taken apart into a power of
    two and a factor where it is not a normal number. See the exactness page
    of the user guide for the error bounds.

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

    def __init__(
        self,
        norm: Literal["l1", "l2", "max"] | float = "l2",
        *,
        axis: int = 1,
        eps: float = 0.0,
        max_norm: float | None = None,
        copy: bool = True,
    ) -> None:
        self.norm = norm
        self.axis = axis
        self.eps = eps
        self.max_norm = max_norm
        self.copy = copy

    def _reset(self):
        fitted = ("norms_", "scale_", "n_samples_seen_", "_parts", "_learned")
        for name in (*fitted, "_scaling"):
            if hasattr(self, name):
                delattr(self, name)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: None = None) -> "L2Normalizer":
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
        self._apply(X, reset=True, fit=True)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X: Any, y: None = None) -> "L2Normalizer":
        """Learn from one more batch of ``X`` (``axis=0``: update the norms).

        With ``axis=1`` this only checks ``X``, like :meth:`fit`. The norms
        learned from batches are those of all their rows together (see the
        user guide on exactness); ``norm`` cannot change between batches.

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
        self._apply(X, reset=not hasattr(self, "n_features_in_"), fit=True)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X: Any, y: None = None) -> Any:
        """Fit to ``X`` and return it transformed.

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
        return self._apply(X, reset=True, fit=True, transform=True)

    def _apply(self, X, *, reset, fit=False, transform=False, copy=None, inverse=False):
        """The one call of every method into the function layer: checks
        that the parameters and the fitted state apply, and keeps what
        ``axis=0`` learns."""
        check_eps_max_norm(self.eps, self.max_norm)
        columns = scaling = None
        if fit and not reset and self.axis == 0:
            if not hasattr(self, "_parts"):
                raise NotFittedError(
                    "This L2Normalizer was fitted with axis=1, which learns no "
                    "feature norms; call fit to learn them with axis=0."
                )
            columns = (self._learned[0], self._parts, self.n_samples_seen_)
        elif transform and not fit and self.axis == 0:
            self._check_columns(X, "inverse_transform" if inverse else "transform")
            k, g = scaling = self._scaling
            if inverse:
                scaling = (-k, 1.0 / g)
        state, result = for_estimator(
            X,
            self,
            reset=reset,
            fit=fit,
            transform=transform,
            copy=self.copy if copy is None else copy,
            columns=columns,
            scaling=scaling,
        )
        if state is not None:
            self._parts, self._scaling = state.parts, state.scaling
            self._learned = (self.norm, self.eps, self.max_norm)
            self.norms_, self.scale_ = state.norms, state.scale
            self.n_samples_seen_ = state.n_samples_seen
        return result

    def _check_columns(self, X, method):
        """Whether the learned column scaling applies to ``X`` and the
        current parameters (``axis=0``)."""
        check_is_fitted(self)
        if not hasattr(self, "_parts"):
            raise NotFittedError(
                "This L2Normalizer was fitted with axis=1, which learns no "
                "feature norms; call fit again now that axis=0."
            )
        if (self.norm, self.eps, self.max_norm) != self._learned:
            raise ValueError(
                "norm, eps or max_norm changed since fit (norm={!r}, eps={!r}, "
                "max_norm={!r} then); call fit again.".format(*self._learned)
            )
        if check_same_namespace is not None:
            # Fitted norms live in fit's namespace and device.
            check_same_namespace(X, self, attribute="norms_", method=method)

    def transform(self, X: Any, copy: bool | None = None) -> Any:
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
        return self._apply(X, reset=False, transform=True, copy=copy)

    def _inverse_available(self):
        return self.axis == 0

    @available_if(_inverse_available)
    def inverse_transform(self, X: Any, copy: bool | None = None) -> Any:
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
        return self._apply(X, reset=False, transform=True, copy=copy, inverse=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = True
        tags.requires_fit = self.axis == 0
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.array_api_support = True
        return tags
