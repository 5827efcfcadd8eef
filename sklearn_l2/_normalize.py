"""The public functions :func:`normalize` and :func:`norms`, and the one
entry of :class:`~sklearn_l2.L2Normalizer` into them.

This module is the one dispatch point. It picks the adapter of the input's
kind before anything reads it (:func:`adapter_of`), validates NumPy and
SciPy input itself (containers, dtypes, sparse formats, copies) and hands
the data to that adapter. All three speak one protocol, with the same
arguments and returns (``normalize``, ``norms``, ``column_parts``,
``scale_columns``): :mod:`sklearn_l2._kernels` (NumPy and SciPy, the
compiled kernels), :mod:`sklearn_l2._dask` and :mod:`sklearn_l2._array_api`;
the last two validate their own input (``check_input``).
:class:`~sklearn_l2.L2Normalizer` calls the functions here and nothing below
them.
"""

import sys
from numbers import Integral, Real
from typing import Any, Literal, NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.utils import assert_all_finite
from sklearn.utils._array_api import _is_numpy_namespace, get_namespace
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


def adapter_of(X):
    """The adapter of user input ``X``, chosen from its type before anything
    reads it: :mod:`._dask` for a Dask array, :mod:`._array_api` for an array
    of another namespace than NumPy while scikit-learn's
    ``array_api_dispatch`` is on, else the compiled kernels (NumPy, SciPy,
    lists, data frames).
    """
    # Dask is never imported here: a Dask array exists only once it was.
    dask_array = sys.modules.get("dask.array")
    if dask_array is not None and isinstance(X, dask_array.Array):
        return _dask
    xp, is_array_api = get_namespace(X)
    if is_array_api and not _is_numpy_namespace(xp):
        return _array_api
    return _kernels


def prepared(
    X, adapter, *, copy, estimator=None, reset=True, kernels_find_infinity=True
):
    """Validate user input ``X`` for its ``adapter``; return ``(X, in_place)``.

    Floats are kept, NaN is allowed and infinity is a ``ValueError``, as in
    scikit-learn's scalers. With an ``estimator``, scikit-learn's
    ``validate_data`` also checks (or, with ``reset``, records) the feature
    count and names. Dask and array API input is validated by its adapter;
    NumPy and SciPy input here. With ``kernels_find_infinity``, NumPy arrays
    and canonical sparse matrices are not scanned for infinity here: the
    compiled kernels meet every entry while they compute the norms, and
    raise the same error before they write anything. ``in_place`` says that
    the kernels may overwrite the data of the returned ``X``.
    """
    X = without_history(X)  # before anything reads it, NumPy included
    if adapter is _kernels:
        params = {
            "accept_sparse": SPARSE_FORMATS,
            "dtype": _frame_float32(X) or FLOAT_DTYPES,
            "ensure_all_finite": False if kernels_find_infinity else "allow-nan",
        }
        with _quiet_finiteness_check():
            if estimator is None:
                validated = check_array(X, **params)
            else:
                validated = validate_data(estimator, X, reset=reset, **params)
        in_place = writable_in_place(validated, X, copy)
        if not sp.issparse(validated):
            return validated, in_place
        if kernels_find_infinity and not validated.has_canonical_format:
            # Adding inf and -inf duplicates would make a missing value of
            # them: the kernels would not see them (compressed checks sums).
            with _quiet_finiteness_check():
                assert_all_finite(validated, allow_nan=True)
        return compressed(validated, in_place)
    return adapter.check_input(X, estimator, reset), False


def without_history(X):
    """``X`` without autograd history: a tensor that requires grad, detached.

    The results carry no autograd graph, whatever the input: NumPy cannot
    read such a tensor, the array API kernels' careful path creates many
    temporaries that autograd would keep alive for as long as the output
    lives, fitted statistics must not hold a graph, and whether validation
    hands the graph on has changed between PyTorch versions (2.13 warns that
    ``torch.asarray`` now keeps ``requires_grad``). Data are shared, not
    copied.
    """
    if getattr(X, "requires_grad", False) and callable(getattr(X, "detach", None)):
        return X.detach()
    return X


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
    """Whether the kernels may overwrite validated NumPy or SciPy data.

    As in scikit-learn: a fresh conversion always; the user's own memory only
    with ``copy=False``, and only if it is writable (read-only input, such as
    a memory map handed to a joblib worker, is normalized into a copy).
    """
    if not shares_data(validated, original):
        return True
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


class ColumnState(NamedTuple):
    """What ``axis=0`` has learned from every batch so far.

    ``parts`` are every column's norm as parts ``(E, hi, lo)``, host arrays
    that merge with those of later batches; ``scaling`` is ``(k, g)``: column
    ``j`` is scaled by ``2**k[j] * g[j]``. ``norms``, ``scale`` and
    ``n_samples_seen`` (the count of observed, non-NaN, values of every
    column) are the public fitted arrays, in the namespace and on the device
    of the input.
    """

    parts: tuple
    scaling: tuple
    norms: Any
    scale: Any
    n_samples_seen: Any


def for_estimator(X, estimator, *, reset, fit, transform, copy, columns, scaling):
    """What one method of :class:`~sklearn_l2.L2Normalizer` does with ``X``.

    ``X`` is validated for ``estimator`` (with ``reset``, its feature count
    and names are recorded), whose checked ``norm``, ``axis``, ``eps`` and
    ``max_norm`` apply. With ``fit`` and ``axis=0``, the column norms of
    ``X`` are learned, merged with ``columns``, the ``(norm, parts,
    n_samples_seen)`` of earlier batches, if any. With ``transform``, every
    sample is normalized (``axis=1``), or column ``j`` multiplied by
    ``2**k[j] * g[j]`` (``axis=0``), ``(k, g)`` being ``scaling`` or the
    scaling just learned; ``copy`` as in :func:`normalize`. Returns
    ``(ColumnState or None, result or None)``.
    """
    norm, axis = estimator.norm, estimator.axis
    eps, max_norm = estimator.eps, estimator.max_norm
    p, learn = resolve_p(norm), fit and axis == 0
    # The kernels find infinity where they read all of X before they write:
    # the column norms, or the row norms of axis=1. What is only learned
    # from is never written to.
    adapter = adapter_of(X)
    X, in_place = prepared(
        X,
        adapter,
        copy=copy or not transform,
        estimator=estimator,
        reset=reset,
        kernels_find_infinity=learn or (transform and axis == 1),
    )
    state = result = None
    if learn:
        parts, observed = adapter.column_parts(X, p)
        if columns is not None:
            before, earlier, seen = columns
            if resolve_p(before) != p:
                raise ValueError(
                    f"norm={norm!r} differs from norm={before!r}, with which "
                    "the column norms so far were learned. Call fit to start "
                    "again with the new norm."
                )
            parts = _kernels.Parts(p, *earlier).merged(parts)
            observed = observed + _array_api.to_host(seen)
        k, g = scaling = parts.scaling(eps, max_norm)
        with np.errstate(over="ignore"):
            scale = np.ldexp(1.0 / g, -k)
        state = ColumnState(
            (parts.E, parts.hi, parts.lo), scaling, parts.norms(), scale, observed
        )
    if transform and axis == 1:
        result, _ = adapter.normalize(X, p, 1, eps, max_norm, in_place, False)
    elif transform:
        result = adapter.scale_columns(X, scaling, in_place)
    if state is not None and adapter is _array_api:
        # Public fitted arrays follow X (namespace, device); the private
        # state used by transform stays on the host.
        public = ("norms", "scale", "n_samples_seen")
        state = state._replace(
            **{name: adapter.to_device(X, getattr(state, name)) for name in public}
        )
    return state, result


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
    adapter = adapter_of(X)
    X, in_place = prepared(X, adapter, copy=copy)
    p = resolve_p(norm)
    result, norms_ = adapter.normalize(X, p, axis, eps, max_norm, in_place, return_norm)
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
    adapter = adapter_of(X)
    X, _ = prepared(X, adapter, copy=True)
    return adapter.norms(X, resolve_p(norm), axis)
