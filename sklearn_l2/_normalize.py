"""The public functions :func:`normalize` and :func:`norms`.

This module is the one dispatch point: it validates user input (containers,
dtypes, sparse formats, copies) and hands it to the adapter of its kind, all
three with the same protocol: :mod:`sklearn_l2._kernels` (NumPy and SciPy,
the compiled kernels), :mod:`sklearn_l2._dask` and
:mod:`sklearn_l2._array_api`. :class:`~sklearn_l2.L2Normalizer` calls the
functions here and nothing below them.
"""

from numbers import Integral, Real
from typing import Any, Literal, NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.utils import assert_all_finite
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import FLOAT_DTYPES, check_array, validate_data

from . import _array_api, _dask, _kernels

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
    compiled kernels meet every entry while they compute the norms, and raise
    the same error before they write anything.
    """
    # A tensor that requires grad is detached before anything reads it (the
    # results carry no autograd history; see _array_api.without_history).
    X = _array_api.without_history(X)
    if _dask.is_dask_array(X):
        if estimator is not None:
            # Check names and width only: converting would compute the array.
            validate_data(estimator, X, reset=reset, skip_check_array=True)
        return _dask.check_input(X)
    params = {
        "accept_sparse": SPARSE_FORMATS,
        "dtype": _array_api.float_dtypes(X) or _frame_float32(X) or FLOAT_DTYPES,
        "ensure_all_finite": False if kernels_find_infinity else "allow-nan",
    }
    with _quiet_finiteness_check():
        if estimator is None:
            validated = check_array(X, **params)
        else:
            validated = validate_data(estimator, X, reset=reset, **params)
    if kernels_find_infinity and not _compiled_kernels_read(validated):
        with _quiet_finiteness_check():
            assert_all_finite(validated, allow_nan=True)
    return validated


def _frame_float32(X):
    """float32 for a polars frame of Float32 columns, which scikit-learn's
    validation would make float64 (it keeps float32 for pandas)."""
    schema = getattr(X, "schema", None)
    if type(X).__module__.split(".")[0] == "polars" and schema:
        if {str(dtype) for dtype in schema.values()} == {"Float32"}:
            return np.float32
    return None


def _quiet_finiteness_check():
    """Silence NumPy while scikit-learn checks that the input is finite.

    The check first sums the whole array; finite values near the largest
    float can add up to ``inf - inf``, which NumPy reports as an invalid
    operation before the exact entry-by-entry check decides.
    """
    return np.errstate(over="ignore", invalid="ignore")


def _compiled_kernels_read(X):
    """Whether the compiled kernels read every value of validated ``X``.

    Not so for other array libraries, nor for a sparse matrix with duplicate
    entries: adding ``inf`` and ``-inf`` duplicates would make a missing
    value of them (:func:`compressed` checks those).
    """
    if sp.issparse(X):
        return X.has_canonical_format
    return isinstance(X, np.ndarray)


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


def writable_in_place(validated, original, copy):
    """Whether the kernels may overwrite ``validated``.

    As in scikit-learn: a fresh conversion always; the user's own memory only
    with ``copy=False``, and only if it is writable (read-only input, such as
    a memory map handed to a joblib worker, is normalized into a copy).
    """
    if not shares_data(validated, original):
        return True
    if not (sp.issparse(validated) or isinstance(validated, np.ndarray)):
        return False  # other array libraries: their kernels make new arrays
    data = validated.data if sp.issparse(validated) else validated
    return not copy and data.flags.writeable


def compressed(X, owned):
    """Validated CSR or CSC ``X`` made canonical; a copy unless ``owned``."""
    if not X.has_canonical_format:
        # Summed in a copy, so that an overflow leaves the input as it was.
        canonical = X.copy()
        canonical.sum_duplicates()
        if np.isinf(canonical.data).any():
            wider = (
                ", or convert it to float64"
                if X.dtype.itemsize < np.dtype(np.float64).itemsize
                else ""
            )
            raise ValueError(
                "Input contains infinity once its duplicate entries are added "
                f"up: their sum exceeds the largest {X.dtype} value. Rescale "
                f"the data{wider} before normalizing."
            )
        if owned:  # the caller's matrix itself becomes canonical
            X.data, X.indices, X.indptr = (
                canonical.data,
                canonical.indices,
                canonical.indptr,
            )
            X.has_canonical_format = True
            return X, True
        return canonical, True
    return X, owned


def adapter_of(X):
    """The adapter of validated ``X``: Dask, the array API, or NumPy/SciPy.

    All three offer ``normalize``, ``norms``, ``column_parts`` and
    ``scale_columns`` with the same arguments and returns.
    """
    for adapter in (_dask, _array_api):
        if adapter.handles(X):
            return adapter
    return _kernels


def _canonical(X, in_place):
    """Validated ``X`` as the adapters take it: CSR/CSC summed up."""
    if sp.issparse(X):
        return compressed(X, in_place)
    return X, in_place


def normalize_validated(X, *, p, axis, eps, max_norm, in_place, with_norms):
    """Normalize validated ``X`` along ``axis``; return ``(result, norms)``.

    ``in_place`` says that the data of ``X`` may be overwritten.
    """
    X, in_place = _canonical(X, in_place)
    return adapter_of(X).normalize(X, p, axis, eps, max_norm, in_place, with_norms)


class ColumnNorms(NamedTuple):
    """What ``axis=0`` learns: every column's norm as parts ``(E, hi, lo)``
    (plain arrays that merge with those of later batches), its count of
    observed (non-NaN) values, and the norms themselves."""

    parts: tuple
    n_observed: Any
    norms: np.ndarray


def learn_columns(X, norm, previous=None):
    """The :class:`ColumnNorms` of validated ``X``; with ``previous``, the
    ``(norm, parts, n_observed)`` of earlier batches, of all of them."""
    p = resolve_p(norm)
    X, _ = _canonical(X, False)
    parts, observed = adapter_of(X).column_parts(X, p)
    if previous is not None:
        before, earlier, seen = previous
        if resolve_p(before) != p:
            raise ValueError(
                f"norm={norm!r} differs from norm={before!r}, with which the "
                "column norms so far were learned. Call fit to start again "
                "with the new norm."
            )
        parts = _kernels.Parts(p, *earlier).merged(parts)
        observed = observed + seen
    return ColumnNorms((parts.E, parts.hi, parts.lo), observed, parts.norms())


def column_scaling(norm, parts, eps, max_norm):
    """Multipliers ``(k, g)`` of learned parts: column ``j`` is scaled by
    ``2**k[j] * g[j]``."""
    return _kernels.Parts(resolve_p(norm), *parts).scaling(eps, max_norm)


def scale_columns(X, scaling, in_place):
    """Validated ``X`` with column ``j`` times ``2**k[j] * g[j]``."""
    X, in_place = _canonical(X, in_place)
    return adapter_of(X).scale_columns(X, scaling, in_place)


def prepare(X, copy, validate=check_input):
    """Validate user input; return ``(X, in_place)`` for the kernels."""
    validated = validate(X, kernels_find_infinity=True)
    return validated, writable_in_place(validated, X, copy)


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
    X: Any,
    norm: Literal["l1", "l2", "max"] | float = "l2",
    *,
    axis: int = 1,
    eps: float = 0.0,
    max_norm: float | None = None,
    copy: bool = True,
    return_norm: bool = False,
) -> Any:
    """Scale every sample (or feature) to unit norm, exactly at any magnitude.

    A drop-in for :func:`sklearn.preprocessing.normalize` that never returns
    zeros for rows whose sum of squares overflows, keeps its accuracy on
    subnormal and long rows, passes missing values through, accepts every
    scipy.sparse format and can also cap norms instead of fixing them.

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
        If False, the input is normalized in place when it can be, as in
        scikit-learn: a writable float array, or the data of a CSR or CSC
        matrix. Read-only input, and input that must be converted first, is
        normalized into a new array.
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
    X_valid, in_place = prepare(X, copy)
    result, norms_ = normalize_validated(
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
def norms(
    X: Any, norm: Literal["l1", "l2", "max"] | float = "l2", *, axis: int = 1
) -> np.ndarray:
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
        Float64 norms: for ``"l1"`` and ``"l2"`` faithfully rounded (less
        than one unit in the last place from the exact norm), for other norms
        within a few units. Zero for a zero vector; inf only where the true
        norm exceeds the float64 range.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_l2 import norms
    >>> norms([[3.0, 4.0], [1e200, 1e200]])
    array([5.00000000e+000, 1.41421356e+200])
    >>> norms(np.array([[1.0, -2.0, np.nan]]), norm="l1")
    array([3.])
    """
    X, _ = _canonical(check_input(X, kernels_find_infinity=True), False)
    return adapter_of(X).norms(X, resolve_p(norm), axis)
