"""Normalization kernels for arrays of any array API namespace.

PyTorch (CPU or GPU), CuPy, ``array_api_strict``… arrays are normalized in
their own namespace and on their own device; nothing is copied to the host
but per-vector results needed by a fitted estimator. Everything here works on
validated 2-D float arrays and knows nothing of estimators.

Norms are computed in the widest float dtype the device offers (float64
unless the device has none), so float32 data are accumulated in float64.
As in :mod:`sklearn_l2._segments`, a **fast path** sums ``|x|**p`` directly,
and the vectors whose sum overflows, may have underflowed, or holds a missing
value take a **careful path**: the vector is divided by its largest entry
``m``, so its power sum lies in ``[1, n]`` and can neither overflow nor
underflow, and its norm is ``m * (sum |x/m|**p)**(1/p)``. The output is
computed as ``(x / m) / ns`` so that no intermediate leaves the float range.
The standard has no ``frexp``, hence a division by ``m`` rather than an
exact power-of-two scaling: it costs one rounding per entry.

NaN is a missing value: ignored by the norms, kept in the output.
"""

import numpy as np
from sklearn.utils._array_api import (
    _convert_to_numpy,
    _is_numpy_namespace,
    device,
    get_namespace,
)

try:
    from sklearn.utils._array_api import move_to
except ImportError:  # pragma: no cover - scikit-learn < 1.8
    move_to = None

# Overflow and underflow are expected and handled here (they flag a vector
# for the careful path, or are the correctly rounded result); NumPy-backed
# namespaces such as array_api_strict would otherwise warn.
_quiet = np.errstate(over="ignore", under="ignore")


def namespace_of(X):
    """The array namespace of ``X`` if it is a non-NumPy array to dispatch.

    None for NumPy arrays, SciPy sparse matrices and every input when
    scikit-learn's ``array_api_dispatch`` is off: those take the NumPy path.
    """
    xp, is_array_api = get_namespace(X)
    if not is_array_api or _is_numpy_namespace(xp):
        return None
    return xp


def float_dtypes(X):
    """The float dtypes validation should keep for ``X``, widest first."""
    xp = namespace_of(X)
    if xp is None:
        return None
    wide = compute_dtype(xp, device(X))
    return (wide,) if wide == xp.float32 else (xp.float64, xp.float32)


def compute_dtype(xp, dev):
    """float64 where the device has it (Apple's MPS has not), else float32."""
    try:
        available = xp.__array_namespace_info__().dtypes(
            device=dev, kind="real floating"
        )
    except (AttributeError, TypeError):  # pragma: no cover - older libraries
        return xp.float64
    return xp.float64 if "float64" in available else xp.float32


def _reduce(xp, values, p, axis):
    """``sum |v|**p`` (``max |v|`` for ``p=inf``) along ``axis``, keepdims."""
    if p == float("inf"):
        return xp.max(values, axis=axis, keepdims=True)
    if p == 2:
        return xp.sum(values * values, axis=axis, keepdims=True)
    if p == 1:
        return xp.sum(values, axis=axis, keepdims=True)
    return xp.sum(values**p, axis=axis, keepdims=True)


def _root(xp, sums, p):
    if p in (1, float("inf")):
        return sums
    if p == 2:
        return xp.sqrt(sums)
    return sums ** (1.0 / p)


@_quiet
def vector_parts(X, p, axis):
    """Return ``(m, s)``: every vector along ``axis`` is ``m`` times one of sum ``s``.

    ``s`` is the power sum of the vector divided by ``m`` (``m = 1`` where
    the fast path could be trusted, else the largest absolute entry). Both
    have the reduced axis kept (size 1) and the compute dtype. A zero
    vector, or one with only missing values, has ``s = 0``.
    """
    xp = get_namespace(X)[0]
    dtype = compute_dtype(xp, device(X))
    magnitudes = xp.abs(xp.astype(X, dtype))
    missing = xp.isnan(magnitudes)
    has_missing = bool(xp.any(missing))
    if has_missing:
        magnitudes = xp.where(missing, xp.zeros_like(magnitudes), magnitudes)
    if p == float("inf"):
        # The largest entry is the norm, exactly.
        largest = _reduce(xp, magnitudes, p, axis)
        return xp.ones_like(largest), largest
    sums = None
    if p in (1, 2):
        sums = _reduce(xp, magnitudes, p, axis)
        info = xp.finfo(dtype)
        # Below this, terms lost to underflow could matter (see _segments);
        # a sum of 0 may hide a tiny vector whose squares all underflowed.
        # l1 sums of absolute values do not underflow: only 0 is checked.
        tiny = info.smallest_normal * 2.0**62 if p == 2 else info.smallest_normal
        unsafe = xp.isinf(sums) | (sums < tiny)
        if not bool(xp.any(unsafe)):
            return xp.ones_like(sums), sums
    largest = xp.max(magnitudes, axis=axis, keepdims=True)
    zero = largest == 0
    divisor = xp.where(zero, xp.ones_like(largest), largest)
    careful = _reduce(xp, magnitudes / divisor, p, axis)
    if sums is None:
        return divisor, careful
    # Vectors that were safe keep their fast sum; the others the careful one.
    scale = xp.where(unsafe, divisor, xp.ones_like(divisor))
    return scale, xp.where(unsafe, careful, sums)


@_quiet
def norms(X, p, axis):
    """Norms along ``axis`` (1-D, compute dtype, on ``X``'s device)."""
    xp = get_namespace(X)[0]
    scale, sums = vector_parts(X, p, axis)
    return xp.reshape(scale * _root(xp, sums, p), (-1,))


@_quiet
def scaling(xp, scale, scaled_norms, eps, max_norm):
    """Return ``(a, b)`` so that each vector ``x`` becomes ``(x / a) / b``.

    ``scale * scaled_norms`` is the norm of each vector. In unit mode the
    vector is divided by ``max(norm, eps)``; with ``max_norm`` only vectors
    longer than ``max_norm`` are shortened to it. Vectors left unchanged get
    ``a = b = 1``.
    """
    ones = xp.ones_like(scaled_norms)
    norm = scale * scaled_norms  # inf only where the true norm exceeds the range
    if max_norm is None:
        zero = scaled_norms == 0
        below_eps = norm < eps  # never true when eps == 0
        a = xp.where(zero, ones, xp.where(below_eps, eps * ones, scale))
        b = xp.where(zero | below_eps, ones, scaled_norms)
        return a, b
    # (x / m) / (ns / max_norm): both steps stay in range.
    longer = norm > max_norm
    a = xp.where(longer, scale, ones)
    b = xp.where(longer, scaled_norms / max_norm, ones)
    return a, b


@_quiet
def apply_scaling(X, a, b):
    """``(X / a) / b`` in the compute dtype, returned in ``X``'s dtype."""
    xp = get_namespace(X)[0]
    dtype = a.dtype
    return xp.astype((xp.astype(X, dtype) / a) / b, X.dtype)


@_quiet
def normalize(X, p, axis, eps, max_norm, with_norms):
    """Normalize ``X`` along ``axis``; return ``(result, norms or None)``."""
    xp = get_namespace(X)[0]
    scale, sums = vector_parts(X, p, axis)
    scaled_norms = _root(xp, sums, p)
    a, b = scaling(xp, scale, scaled_norms, eps, max_norm)
    result = apply_scaling(X, a, b)
    if not with_norms:
        return result, None
    return result, xp.reshape(scale * scaled_norms, (-1,))


@_quiet
def scale_columns(X, exponents, gains):
    """``X`` with column ``j`` multiplied by ``2**-e[j] * g[j]``.

    ``exponents`` and ``gains`` are host NumPy arrays, as kept by a fitted
    estimator. The power of two is applied in two halves so that neither
    factor leaves the float range; multiplying by a power of two is exact
    unless the result is subnormal.
    """
    xp = get_namespace(X)[0]
    dev = device(X)
    dtype = compute_dtype(xp, dev)
    shift = -np.asarray(exponents, dtype=np.int64)
    first = shift // 2

    def row(values):
        return xp.asarray(values[None, :], dtype=dtype, device=dev)

    out = xp.astype(X, dtype) * row(np.ldexp(1.0, first))
    out = out * row(np.ldexp(1.0, shift - first))
    return xp.astype(out * row(np.asarray(gains, dtype=np.float64)), X.dtype)


def column_statistics(X, p):
    """Host ``(e, s, n_observed)`` of every column, as the NumPy kernels give.

    ``2**e * s**(1/p)`` is the norm of each column (``e`` integer, ``s``
    float64, as in :func:`sklearn_l2._segments.careful_parts`) and
    ``n_observed`` counts its non-missing entries (an int if none is missing).
    Only these per-column results leave the device.
    """
    xp = get_namespace(X)[0]
    scale, sums = vector_parts(X, p, axis=0)
    scale, sums = to_host(xp.reshape(scale, (-1,))), to_host(xp.reshape(sums, (-1,)))
    fractions, exponents = np.frexp(scale.astype(np.float64))
    power = 1.0 if p == float("inf") else float(p)
    sums = sums.astype(np.float64) * fractions**power
    missing = xp.sum(xp.astype(xp.isnan(X), xp.int64), axis=0)
    missing = to_host(missing)
    n_samples = X.shape[0]
    observed = n_samples if not missing.any() else n_samples - missing
    return exponents.astype(np.int64), sums, observed


def to_host(a):
    """A NumPy copy of array ``a`` (NumPy arrays and scalars pass through)."""
    if isinstance(a, (int, float, np.ndarray, np.generic)):
        return a
    if move_to is not None:  # scikit-learn >= 1.8 moves from any device
        return move_to(a, xp=np, device="cpu")
    return _convert_to_numpy(a, get_namespace(a)[0])  # pragma: no cover


def to_device(like, a):
    """Host array ``a`` in the namespace and on the device of ``like``."""
    if not isinstance(a, np.ndarray):
        return a
    xp = get_namespace(like)[0]
    dev = device(like)
    if np.issubdtype(a.dtype, np.floating):
        return xp.asarray(a, dtype=compute_dtype(xp, dev), device=dev)
    return xp.asarray(a, device=dev)


def handles(X):
    """Whether ``X`` is to be normalized by this module (see namespace_of)."""
    return namespace_of(X) is not None
