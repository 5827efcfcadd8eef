"""The public functions :func:`normalize` and :func:`norms`.

This module turns user input into the validated arrays the kernels expect
(containers, dtypes, sparse formats, copies) and dispatches to the dense and
sparse kernels. :class:`~sklearn_l2.L2Normalizer` reuses the same helpers.
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import assert_all_finite
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import FLOAT_DTYPES, check_array, validate_data

from . import _array_api, _dask, _dense, _sparse
from ._segments import raise_infinity, root, true_norms

# Other sparse formats are converted to CSR (the first one) by validation.
SPARSE_FORMATS = ("csr", "csc")

NORM_CONSTRAINT = [
    StrOptions({"l1", "l2", "max"}),
    Interval(Real, 1, None, closed="both"),
]
AXIS_CONSTRAINT = [Interval(Integral, 0, 1, closed="both")]
EPS_CONSTRAINT = [Interval(Real, 0, None, closed="left")]
MAX_NORM_CONSTRAINT = [Interval(Real, 0, None, closed="neither"), None]


def resolve_p(norm):
    """The exponent ``p`` of a ``norm`` parameter (``inf`` for ``"max"``)."""
    named = {"l1": 1, "l2": 2, "max": np.inf}
    if isinstance(norm, str):
        return named[norm]
    p = float(norm)
    return int(p) if p in (1.0, 2.0) else p


def check_eps_max_norm(eps, max_norm):
    """Reject the one combination of valid parameters that makes no sense."""
    if max_norm is not None and eps > 0:
        raise ValueError(
            f"eps={eps!r} has no effect when max_norm={max_norm!r} is set: eps "
            "bounds the divisor of unit normalization, and max_norm only "
            "shortens vectors longer than max_norm. Set eps=0 or max_norm=None."
        )


def check_input(X, *, estimator=None, reset=True, kernels_find_infinity=False):
    """Validate ``X`` like scikit-learn's scalers: floats kept, NaN allowed.

    With an ``estimator``, scikit-learn's ``validate_data`` also checks (or,
    with ``reset``, records) the feature count and names. Infinity is
    rejected with a ``ValueError``. With ``kernels_find_infinity``, NumPy
    arrays and canonical sparse matrices are not scanned for it here: the
    kernels meet every infinite entry while they compute the norms and raise
    the same error, which saves a whole pass over the data. Callers pass it
    only where no data can be overwritten before the norms are known (see
    :func:`prepare`). Every other kind of input is checked here.
    """
    if _dask.is_dask_array(X):
        if estimator is not None:
            # Check names and width only: converting would compute the array.
            validate_data(estimator, X, reset=reset, skip_check_array=True)
        return _dask.check_input(X)
    params = {
        "accept_sparse": SPARSE_FORMATS,
        "dtype": _array_api.float_dtypes(X) or FLOAT_DTYPES,
        "ensure_all_finite": False if kernels_find_infinity else "allow-nan",
    }
    with quiet_finiteness_check():
        if estimator is None:
            validated = check_array(X, **params)
        else:
            validated = validate_data(estimator, X, reset=reset, **params)
    if kernels_find_infinity and not _kernels_meet_every_value(validated):
        _reject_infinity(validated)
    return validated


def quiet_finiteness_check():
    """Silence NumPy while scikit-learn checks that the input is finite.

    The check first sums the whole array; finite values near the largest
    float can add up to ``inf - inf`` (as can ``inf`` and ``-inf``), which
    NumPy reports as an invalid operation before the exact entry-by-entry
    check decides.
    """
    return np.errstate(over="ignore", invalid="ignore")


def _reject_infinity(X):
    """scikit-learn's finiteness check (NaN allowed), without NumPy's noise."""
    with quiet_finiteness_check():
        assert_all_finite(X, allow_nan=True)


def _kernels_meet_every_value(X):
    """Whether the NumPy/SciPy kernels read every value of validated ``X``.

    Not so for other array libraries (their kernels are their own), nor for
    a sparse matrix with duplicate entries: summing ``inf`` and ``-inf``
    duplicates would make a missing value of them.
    """
    if sp.issparse(X):
        return X.has_canonical_format
    return isinstance(X, np.ndarray)


def _written_while_reading(X, axis):
    """Whether the kernels write vectors out before reading all of ``X``.

    The major vectors of a CSR or CSC matrix are scaled block by block as
    their norms become known. Dense rows normalized in place are all read
    before the first is written (:func:`_dense.normalize_rows`), and the
    other axis needs every norm first.
    """
    return sp.issparse(X) and _row_kernels(X, axis)


def shares_data(validated, original):
    """Whether validated data may share memory with the user's input."""
    if sp.issparse(validated):
        # An empty data array shares no memory with anything, so the matrix
        # that validation handed back as it was is recognized by identity.
        return (
            sp.issparse(original)
            and original.format in SPARSE_FORMATS
            and (
                validated is original
                or np.may_share_memory(validated.data, original.data)
            )
        )
    if isinstance(original, np.ndarray):
        return np.may_share_memory(validated, original)
    # Lists own nothing; other containers (DataFrames, array-likes) may hand
    # out views of their memory.
    return not isinstance(original, (list, tuple))


def _writable(X):
    return (X.data if sp.issparse(X) else X).flags.writeable


def compressed(X, owned):
    """Validated CSR or CSC ``X`` made canonical; a copy unless ``owned``."""
    if not X.has_canonical_format:
        if not owned:
            X = X.copy()
        X.sum_duplicates()
        if np.isinf(X.data).any():
            raise ValueError(
                "Input contains infinity once its duplicate entries are added "
                f"up: their sum exceeds the largest {X.dtype} value. Rescale "
                "the data, or convert it to float64 before normalizing."
            )
        return X, True
    return X, owned


def _row_kernels(X, axis):
    """Whether the kernel's vectors are ``X``'s major ones, for sparse ``X``."""
    return (X.format == "csr") == (axis == 1)


def transform_validated(X, *, p, axis, eps, max_norm, in_place, with_norms):
    """Normalize validated ``X`` along ``axis``; return ``(result, norms)``.

    ``in_place`` says that the data of ``X`` may be overwritten.
    """
    # Dask and non-NumPy arrays (array API dispatch) have kernels of their own.
    for kernels in (_dask, _array_api):
        if kernels.handles(X):
            return kernels.normalize(X, p, axis, eps, max_norm, with_norms)
    if X.dtype == np.float16:
        result, norms = transform_validated(
            X.astype(np.float32),
            p=p,
            axis=axis,
            eps=eps,
            max_norm=max_norm,
            in_place=True,
            with_norms=with_norms,
        )
        return result.astype(np.float16), norms
    if sp.issparse(X):
        return _transform_sparse(X, p, axis, eps, max_norm, in_place, with_norms)
    out = X if in_place else np.empty_like(X)
    if axis == 1:
        norms = _dense.normalize_rows(X, out, p, eps, max_norm, with_norms)
        return out, norms
    exponents, sums = _dense.column_parts(X, p)
    scale_e, scale_g = _dense.column_scaling(exponents, sums, p, eps, max_norm)
    _dense.scale_columns(X, out, scale_e, scale_g)
    norms = true_norms(exponents, root(sums, p)) if with_norms else None
    return out, norms


def _transform_sparse(X, p, axis, eps, max_norm, in_place, with_norms):
    X, owned = compressed(X, in_place)
    out = X if owned else _sparse.empty_data_like(X)
    if _row_kernels(X, axis):
        norms = _sparse.normalize_major(X, out.data, p, eps, max_norm, with_norms)
    else:
        norms = _sparse.normalize_minor(X, out.data, p, eps, max_norm, with_norms)
    return out, norms


def norms_validated(X, p, axis):
    """Float64 norms of the rows (``axis=1``) or columns of validated ``X``."""
    for kernels in (_dask, _array_api):
        if kernels.handles(X):
            return kernels.norms(X, p, axis)
    if sp.issparse(X):
        X, _ = compressed(X, owned=False)
        if _row_kernels(X, axis):
            return _sparse.major_norms(X, p)
        return _sparse.minor_norms(X, p)
    if axis == 1:
        return _dense.row_norms(X, p)
    exponents, sums = _dense.column_parts(X, p)
    return true_norms(exponents, root(sums, p))


def prepare(X, copy, axis, validate=check_input):
    """Validate user input; return ``(X, in_place)`` for the kernels.

    ``in_place`` is True when the validated array may be overwritten: it is a
    fresh conversion, or ``copy=False`` and the input itself can take it.
    Infinity is left for the kernels to find unless they would overwrite the
    user's data before meeting it (see :func:`_written_while_reading`).
    """
    validated = validate(X, kernels_find_infinity=True)
    in_place = writable_in_place(validated, X, copy)
    if (
        in_place
        and shares_data(validated, X)
        and _written_while_reading(validated, axis)
    ):
        if _dense.contains_infinity(validated.data[:, None]):
            raise_infinity(validated.dtype)
    return validated, in_place


def writable_in_place(validated, original, copy):
    """Whether the kernels may overwrite ``validated`` (see :func:`prepare`)."""
    if not shares_data(validated, original):
        return True
    if copy:
        return False
    if not (sp.issparse(original) or isinstance(original, np.ndarray)):
        # A DataFrame or another container cannot be returned normalized in
        # place: its data are copied, as they would be for integer input.
        return False
    if not _writable(validated):
        raise ValueError(
            "copy=False asks to normalize the input in place, but it is "
            "read-only. Pass copy=True to get a normalized copy, or make the "
            "array writable (for example with np.array(X))."
        )
    return True


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "norm": NORM_CONSTRAINT,
        "axis": AXIS_CONSTRAINT,
        "eps": EPS_CONSTRAINT,
        "max_norm": MAX_NORM_CONSTRAINT,
        "copy": ["boolean"],
        "return_norm": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def normalize(
    X, norm="l2", *, axis=1, eps=0.0, max_norm=None, copy=True, return_norm=False
):
    """Scale every sample (or feature) to unit norm, exactly at any magnitude.

    A drop-in for :func:`sklearn.preprocessing.normalize` that never returns
    zeros for rows whose sum of squares overflows, keeps its accuracy on
    subnormal and long float32 rows, passes missing values through, accepts
    every scipy.sparse format and can also cap norms instead of fixing them.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data. NaN marks a missing value: it is ignored when a norm is
        computed and stays NaN in the output. Sparse CSR and CSC input keeps
        its format; other sparse formats come back as CSR.
    norm : {"l2", "l1", "max"} or float >= 1, default="l2"
        The norm. A number ``p`` means the p-norm ``(sum |x|**p)**(1/p)``;
        ``numpy.inf`` is the same as ``"max"``.
    axis : {0, 1}, default=1
        1 scales every sample (row), 0 every feature (column).
    eps : float >= 0, default=0.0
        Every vector is divided by ``max(norm, eps)``: vectors shorter than
        ``eps`` are scaled by ``1 / eps`` instead of reaching norm 1. A zero
        vector stays zero.
    max_norm : float > 0, default=None
        If set, vectors longer than ``max_norm`` are shortened to norm
        ``max_norm`` and shorter vectors are left as they are (a max-norm
        constraint). Cannot be combined with ``eps > 0``.
    copy : bool, default=True
        If False, a writable float32 or float64 dense array, or a CSR or CSC
        matrix with float data, is normalized in place and returned.
    return_norm : bool, default=False
        Also return the norms of the input vectors.

    Returns
    -------
    X_normalized : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The normalized data, of the input's float dtype (float64 for integer
        and boolean input).
    norms : ndarray of shape (n_samples,) or (n_features,)
        The float64 norms along ``axis``, only if ``return_norm`` is True.
        Zero for a zero vector; inf only where the true norm exceeds the
        float64 range.

    See Also
    --------
    L2Normalizer : The same as an estimator, for pipelines.
    norms : The norms alone.

    Examples
    --------
    >>> from sklearn_l2 import normalize
    >>> normalize([[3.0, 4.0], [1e300, 1e300]])
    array([[0.6       , 0.8       ],
           [0.70710678, 0.70710678]])
    >>> normalize([[3.0, 4.0]], max_norm=2.5, return_norm=True)
    (array([[1.5, 2. ]]), array([5.]))
    """
    check_eps_max_norm(eps, max_norm)
    X_valid, in_place = prepare(X, copy, axis)
    result, norms_ = transform_validated(
        X_valid,
        p=resolve_p(norm),
        axis=axis,
        eps=eps,
        max_norm=max_norm,
        in_place=in_place,
        with_norms=return_norm,
    )
    return (result, norms_) if return_norm else result


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "norm": NORM_CONSTRAINT,
        "axis": AXIS_CONSTRAINT,
    },
    prefer_skip_nested_validation=True,
)
def norms(X, norm="l2", *, axis=1):
    """The norm of every sample (or feature), without overflow or underflow.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data; NaN entries are ignored.
    norm : {"l2", "l1", "max"} or float >= 1, default="l2"
        The norm, as in :func:`normalize`.
    axis : {0, 1}, default=1
        1 gives the norm of every row, 0 of every column.

    Returns
    -------
    norms : ndarray of shape (n_samples,) or (n_features,)
        Float64 norms, exact to a few rounding units. Zero for a zero vector;
        inf only where the true norm exceeds the float64 range.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_l2 import norms
    >>> norms([[3.0, 4.0], [1e200, 1e200]])
    array([5.00000000e+000, 1.41421356e+200])
    >>> norms(np.array([[1.0, -2.0, np.nan]]), norm="l1")
    array([3.])
    """
    return norms_validated(
        check_input(X, kernels_find_infinity=True), resolve_p(norm), axis
    )
