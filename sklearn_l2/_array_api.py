"""Normalization kernels for arrays of any array API namespace.

PyTorch (CPU or GPU), CuPy, ``array_api_strict``… arrays are normalized in
their own namespace and on their own device; nothing is copied to the host
but per-vector results needed by a fitted estimator. :func:`check_input`
validates the input (an estimator is only handed on to scikit-learn's
validation); everything else works on validated 2-D float arrays.

Norms are computed in the widest float dtype the device offers (float64
unless the device has none), so float32 data are accumulated in float64.
As in the compiled kernels (``_vector.h``), a **fast path** sums ``|x|**p``
directly,
and the vectors whose sum overflows, may have underflowed, or holds a missing
value take a **careful path**: the vector is divided by its largest entry
``m``, so its power sum lies in ``[1, n]`` and can neither overflow nor
underflow, and its norm is ``m * (sum |x/m|**p)**(1/p)``. The standard has
no ``frexp``, hence a division by ``m`` rather than an exact power-of-two
scaling: it costs one rounding per entry of the power sum.

The output is scaled as by the NumPy kernels: each norm is written as
``2**F * mu`` with ``mu`` in ``[0.5, 1)`` (an ``frexp`` built from ``log2``
and exact powers of two), the target (1, or ``max_norm``) as ``2**Ft * mt``,
and every vector is multiplied by ``g * 2**(Ft - F)`` with ``g = mt / mu``:
in one multiplication where that factor is a normal number, otherwise by
the power of two and ``g`` in turn. No quotient of two far-apart magnitudes
is ever formed, so nothing that NumPy gets right is zeroed or made infinite.
Where every norm and every multiplier is a normal float, the multiplier is
the plain quotient ``T / norm``, rounded the same way, and the ``frexp`` is
skipped.

NaN is a missing value: ignored by the norms, kept in the output.
"""

import math

import numpy as np
from sklearn.utils._array_api import _convert_to_numpy, device, get_namespace
from sklearn.utils.validation import check_array, validate_data

try:
    from sklearn.utils._array_api import move_to
except ImportError:  # pragma: no cover - scikit-learn < 1.8
    move_to = None

# Overflow and underflow are expected and handled here (they flag a vector
# for the careful path, or are the correctly rounded result); NumPy-backed
# namespaces such as array_api_strict would otherwise warn.
_quiet = np.errstate(over="ignore", under="ignore")


def check_input(X, estimator=None, reset=True):
    """Validate an array of this namespace: a 2-D float array, NaN allowed.

    Float dtypes are kept as the device offers them, half precision
    (float16, torch's bfloat16) too, as float16 is in the NumPy path: the
    kernels compute in the compute dtype and round the output once, back to
    the input's dtype. With an ``estimator``, scikit-learn's
    ``validate_data`` also checks (or, with ``reset``, records) the feature
    count and names. Infinity is a ``ValueError``.
    """
    xp = get_namespace(X)[0]
    if xp.isdtype(X.dtype, "complex floating"):
        raise ValueError(f"Complex data not supported\n{X}\n")
    wide = compute_dtype(xp, device(X))
    kept = (wide,) if wide == xp.float32 else (xp.float64, xp.float32)
    if _is_half_float(xp, X):
        kept = (*kept, X.dtype)
    params = {"dtype": kept, "ensure_all_finite": "allow-nan"}
    # The finiteness check sums the array first: finite values near the
    # largest float may overflow in a NumPy-backed namespace.
    with np.errstate(over="ignore", invalid="ignore"):
        if estimator is None:
            return check_array(X, **params)
        return validate_data(estimator, X, reset=reset, **params)


def _is_half_float(xp, X):
    """Whether ``X`` holds 16-bit floats (float16, bfloat16)."""
    dtype = getattr(X, "dtype", None)
    if dtype is None:
        return False
    try:
        return xp.isdtype(dtype, "real floating") and xp.finfo(dtype).bits == 16
    except (TypeError, ValueError):  # pragma: no cover - not a dtype of xp
        return False


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
        # Below this, terms lost to underflow could matter (as in _vector.h);
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


def _exponent_range(info):
    """Exponents of the smallest subnormal and of the largest power of two."""
    lowest = math.frexp(float(info.smallest_normal) * float(info.eps))[1] - 1
    return lowest, math.frexp(float(info.max))[1] - 1


@_quiet
def _power_of_two_by_bits(xp, k, like):
    """``2**k`` as the product of ``2**(±2**bit)`` over the bits of ``|k|``.

    Every partial product is a power of two between 1 and ``2**k``, hence
    exact.
    """
    lowest, highest = _exponent_range(xp.finfo(like.dtype))
    magnitude = xp.abs(k)
    negative = k < 0
    result = xp.ones_like(like)
    for bit in range(max(-lowest, highest).bit_length()):
        step = 2**bit
        up = math.ldexp(1.0, step) if step <= highest else math.inf
        factor = xp.where(
            negative,
            xp.full_like(like, math.ldexp(1.0, -step)),
            xp.full_like(like, up),
        )
        odd = xp.remainder(xp.floor(magnitude / step), 2.0) == 1
        result = xp.where(odd, result * factor, result)
    return result


_exact_pow = {}


@_quiet
def _pow_is_exact(xp, like):
    """Whether ``xp.pow(2, k)`` is exact at every integer ``k`` of the range.

    Checked once per namespace, device and dtype against the product of
    bits: libraries that compute ``pow`` through ``exp`` and ``log`` (some
    GPU math libraries) may be a rounding off.
    """
    dev = device(like)
    key = (getattr(xp, "__name__", repr(xp)), str(dev), str(like.dtype))
    if key not in _exact_pow:
        lowest, highest = _exponent_range(xp.finfo(like.dtype))
        k = xp.arange(lowest, highest + 1, dtype=like.dtype, device=dev)
        by_pow = xp.pow(xp.full_like(k, 2.0), k)
        _exact_pow[key] = bool(xp.all(by_pow == _power_of_two_by_bits(xp, k, k)))
    return _exact_pow[key]


def _power_of_two(xp, k, like):
    """``2**k`` for integer-valued float array ``k``, exactly.

    ``k`` must lie between the exponents of the smallest subnormal and of the
    largest float of ``like``'s dtype.
    """
    if _pow_is_exact(xp, like):
        return xp.pow(xp.full_like(k, 2.0), k)
    return _power_of_two_by_bits(xp, k, like)


@_quiet
def _frexp(xp, v):
    """``(m, e)`` with ``v = m * 2**e`` and ``0.5 <= m < 1``; ``(0, 0)`` for 0.

    ``v`` is a finite non-negative float array, subnormal numbers included;
    ``e`` comes back as integer-valued floats of ``v``'s dtype. The standard
    has no ``frexp``: ``log2`` gives the exponent to within one, and an exact
    scaling by powers of two (in two halves, so that neither leaves the float
    range) corrects it.
    """
    zero = v == 0
    safe = xp.where(zero, xp.ones_like(v), v)
    exponent = xp.floor(xp.log2(safe)) + 1.0
    if bool(xp.all(safe >= xp.finfo(v.dtype).smallest_normal)):
        # 2**-exponent is then a float (a subnormal one at most) and the
        # product, in [0.25, 2), is exact: one power of two is enough.
        m = safe * _power_of_two(xp, -exponent, v)
    else:
        m = _times_power_of_two(xp, safe, -exponent)
    high = m >= 1.0
    m = xp.where(high, m * 0.5, m)
    exponent = xp.where(high, exponent + 1.0, exponent)
    low = m < 0.5
    m = xp.where(low, m * 2.0, m)
    exponent = xp.where(low, exponent - 1.0, exponent)
    return xp.where(zero, xp.zeros_like(v), m), xp.where(
        zero, xp.zeros_like(v), exponent
    )


def _halves(xp, k):
    first = xp.floor(k / 2.0)
    return first, k - first


@_quiet
def _times_power_of_two(xp, x, k):
    """``x * 2**k`` by two exact powers of two (``k`` integer-valued floats)."""
    first, second = _halves(xp, k)
    return (x * _power_of_two(xp, first, k)) * _power_of_two(xp, second, k)


@_quiet
def norm_parts(xp, scale, scaled_norms):
    """``(mu, F)``: every norm ``scale * scaled_norms`` is ``2**F * mu``.

    ``mu`` lies in ``[0.5, 1)``, or is 0 for a zero vector; ``F`` holds
    integer-valued floats. Nothing overflows, even where the norm itself
    exceeds the float range.
    """
    norms = scale * scaled_norms  # one rounding, as mu below
    info = xp.finfo(norms.dtype)
    representable = (norms >= info.smallest_normal) & (norms <= info.max)
    if bool(xp.all(representable | (scaled_norms == 0))):
        return _frexp(xp, norms)  # the usual case: every norm is a float
    m_scale, e_scale = _frexp(xp, scale)
    m_norm, e_norm = _frexp(xp, scaled_norms)
    mu = m_scale * m_norm  # in [0.25, 1): one rounding
    low = (mu < 0.5) & (mu > 0)
    mu = xp.where(low, mu * 2.0, mu)
    exponents = e_scale + e_norm
    return mu, xp.where(low, exponents - 1.0, exponents)


def _greater(m1, e1, m2, e2):
    """``2**e1 * m1 > 2**e2 * m2`` for mantissas in ``[0.5, 1)`` (or 0)."""
    return (e1 > e2) | ((e1 == e2) & (m1 > m2))


@_quiet
def multipliers(xp, mu, exponents, eps, max_norm):
    """Return ``(g, k)``: every vector is to be multiplied by ``g * 2**k``.

    The norm of each vector is ``2**F * mu`` (:func:`norm_parts`). Unit mode
    divides it by ``max(norm, eps)``, ``max_norm`` shortens vectors longer
    than ``max_norm`` to it. With the target (1 or ``max_norm``) written as
    ``2**Ft * mt`` and the divisor as ``2**F * mu``, ``g = mt / mu`` lies in
    ``(0.5, 2)`` and ``k = Ft - F``: no quotient of two far-apart magnitudes
    is ever formed. Vectors left as they are get ``g = 1, k = 0``.
    """
    ones, zeros = xp.ones_like(mu), xp.zeros_like(mu)
    nonzero = mu > 0
    if max_norm is None:
        m_target, e_target = 0.5, 1.0  # 1 = 2**1 * 0.5
        if eps > 0:
            m_eps, e_eps = math.frexp(float(eps))
            below = _greater(
                xp.full_like(mu, m_eps), xp.full_like(mu, float(e_eps)), mu, exponents
            )
            mu = xp.where(below, xp.full_like(mu, m_eps), mu)
            exponents = xp.where(below, xp.full_like(mu, float(e_eps)), exponents)
        active = nonzero
    else:
        m_target, e_target = math.frexp(float(max_norm))
        active = nonzero & _greater(
            mu, exponents, xp.full_like(mu, m_target), xp.full_like(mu, float(e_target))
        )
    safe_mu = xp.where(active, mu, ones)
    g = xp.where(active, m_target / safe_mu, ones)
    k = xp.where(active, float(e_target) - exponents, zeros)
    return g, k


@_quiet
def apply_multipliers(X, g, powers):
    """``X * (g * 2**k)`` in the compute dtype, returned in ``X``'s dtype.

    ``powers`` are exact powers of two, normal numbers, whose product is
    ``2**k`` and whose exponents share one sign (:func:`power_parts`), so
    that every partial product lies between its first factor and the full
    product. ``g`` lies in ``(0.5, 2)``. Where the multiplier ``g * 2**k`` is
    a normal float it is formed exactly and applied in one multiplication: a
    single rounding, as in the NumPy kernels. Elsewhere it would overflow or
    lose precision as a subnormal number, and the entry is computed as
    ``(x * 2**k) * g``; only where ``x * 2**k`` overflows although the
    result need not (``g < 1``) is ``g`` applied first, to an entry that is
    then far from the subnormal range.
    """
    xp = get_namespace(X)[0]
    values = xp.astype(X, g.dtype)
    info = xp.finfo(g.dtype)
    folded = g
    for power in powers:
        folded = folded * power
    normal = (folded >= info.smallest_normal) & (folded <= info.max)
    if bool(xp.all(normal)):  # the usual case: one pass over the data
        return xp.astype(values * folded, X.dtype)
    direct = values * xp.where(normal, folded, xp.ones_like(folded))
    powers_first, g_first = values, values * g
    for power in powers:
        powers_first = powers_first * power
        g_first = g_first * power
    powers_first = powers_first * g
    spurious = xp.isinf(powers_first) & xp.isfinite(values)
    stepwise = xp.where(spurious, g_first, powers_first)
    return xp.astype(xp.where(normal, direct, stepwise), X.dtype)


# 2**k is applied as a product of this many powers of two, each a normal
# number: enough for every k that a ratio of two float64 magnitudes needs.
_N_POWER_PARTS = 3


def _normal_exponent_range(info):
    """Exponents of the smallest normal float and of the largest power of two."""
    return (
        math.frexp(float(info.smallest_normal))[1] - 1,
        math.frexp(float(info.max))[1] - 1,
    )


def power_parts(xp, k, like):
    """Powers of two, each a normal number, whose product is ``2**k``.

    The first takes as much of ``k`` as the float range allows, the next
    the rest, so that a ``k`` within the range is applied by one exact
    multiplication and the others are 1.
    """
    low, high = _normal_exponent_range(xp.finfo(like.dtype))
    parts = []
    rest = k
    for _ in range(_N_POWER_PARTS - 1):
        part = xp.clip(rest, low, high)
        parts.append(_power_of_two(xp, part, like))
        rest = rest - part
    parts.append(_power_of_two(xp, rest, like))
    return parts


def host_power_parts(k, dtype):
    """:func:`power_parts` for a host integer array ``k`` (NumPy, float64)."""
    low, high = _normal_exponent_range(np.finfo(dtype))
    parts = []
    rest = np.asarray(k, dtype=np.int64)
    for _ in range(_N_POWER_PARTS - 1):
        part = np.clip(rest, low, high)
        parts.append(np.ldexp(1.0, part))
        rest = rest - part
    parts.append(np.ldexp(1.0, rest))
    return parts


@_quiet
def _times_reciprocal(X, scale, scaled_norms, eps, max_norm):
    """The usual case of :func:`normalize`'s scaling, or None if it fails.

    Where every norm and every multiplier (``1 / max(norm, eps)``, or
    ``max_norm / norm``) is a normal float, ``X`` times the multiplier is
    what :func:`apply_multipliers` computes (the quotient of the two
    mantissas is rounded as the quotient of the two numbers), with a few
    operations on the norms instead of their ``frexp``.
    """
    xp = get_namespace(X)[0]
    norms = scale * scaled_norms
    info = xp.finfo(norms.dtype)
    zero = scaled_norms == 0
    if not bool(xp.all(zero | ((norms >= info.smallest_normal) & (norms <= info.max)))):
        return None
    ones = xp.ones_like(norms)
    safe = xp.where(zero, ones, norms)
    if max_norm is None:
        if eps > 0:
            safe = xp.where(safe < eps, xp.full_like(safe, float(eps)), safe)
        factor = xp.where(zero, ones, 1.0 / safe)
    else:
        factor = xp.where(norms > max_norm, float(max_norm) / safe, ones)
    if not bool(xp.all((factor >= info.smallest_normal) & (factor <= info.max))):
        return None
    return xp.astype(xp.astype(X, norms.dtype) * factor, X.dtype)


@_quiet
def normalize(X, p, axis, eps, max_norm, in_place, with_norms):
    """Normalize ``X`` along ``axis``; return ``(result, norms or None)``.

    The result is a new array (``in_place`` is not used: these kernels
    compose array operations).
    """
    xp = get_namespace(X)[0]
    scale, sums = vector_parts(X, p, axis)
    scaled_norms = _root(xp, sums, p)
    result = _times_reciprocal(X, scale, scaled_norms, eps, max_norm)
    if result is None:
        mu, exponents = norm_parts(xp, scale, scaled_norms)
        g, k = multipliers(xp, mu, exponents, eps, max_norm)
        result = apply_multipliers(X, g, power_parts(xp, k, g))
    if not with_norms:
        return result, None
    return result, xp.reshape(scale * scaled_norms, (-1,))


def scale_columns(X, scaling, in_place):
    """``X`` with column ``j`` multiplied by ``2**k[j] * g[j]``.

    ``scaling`` holds host NumPy arrays ``(k, g)``, as kept by a fitted
    estimator; the power of two is split on the host (:func:`power_parts`)
    and applied as :func:`apply_multipliers` does. A new array is returned.
    """
    exponents, gains = -np.asarray(scaling[0]), scaling[1]
    xp = get_namespace(X)[0]
    dev = device(X)
    dtype = compute_dtype(xp, dev)

    def row(values):
        return xp.asarray(values[None, :], dtype=dtype, device=dev)

    host_dtype = np.float64 if dtype == xp.float64 else np.float32
    powers = host_power_parts(-np.asarray(exponents), host_dtype)
    gains = row(np.asarray(gains, dtype=np.float64))
    return apply_multipliers(X, gains, [row(power) for power in powers])


def column_parts(X, p):
    """Host ``(parts, n_observed)`` of every column (the adapters' protocol).

    The compiled kernels' parts are power sums ``2**(p * E) * hi`` for l1
    and l2, which is what :func:`column_statistics` gives. Another p's norm
    ``2**e * s`` is taken as the one entry of a vector (the p-norm of
    ``(norm(a), norm(b))`` is that of ``a`` and ``b`` together): for max and
    large p, ``E`` is its exponent and ``hi`` its mantissa; for moderate p,
    its p-th power with ``E`` on the kernels' grid.
    """
    from ._kernels import EMPTY, Parts, grid

    E, hi, observed = column_statistics(X, p)
    E, hi = np.asarray(E, np.int64), np.asarray(hi, np.float64)
    if p not in (1, 2):
        mantissa, shift = np.frexp(hi)
        E, hi = E + shift - 1, 2.0 * mantissa  # 2**E <= norm < 2**(E + 1)
        step = grid(p)
        if step:
            E, hi = E - E % step, (hi * 2.0 ** (E % step)) ** p
    empty = ~(hi > 0)
    E, hi = np.where(empty, EMPTY, E), np.where(empty, 0.0, hi)
    return Parts(float(p), E, hi, np.zeros_like(hi)), observed


def column_statistics(X, p):
    """Host ``(e, s, n_observed)`` of every column.

    For p in {1, 2}, ``2**e * s**(1/p)`` is the norm of each column; for
    other p and max, ``2**e * s`` is (``e`` integer, ``s`` float64; see
    see :func:`column_parts`), and
    ``n_observed`` counts its non-missing entries (an int if none is missing).
    Only these per-column results leave the device.
    """
    xp = get_namespace(X)[0]
    scale, sums = vector_parts(X, p, axis=0)
    scale, sums = to_host(xp.reshape(scale, (-1,))), to_host(xp.reshape(sums, (-1,)))
    if p == float("inf"):
        # The "sum" is the largest entry itself (the scale is 1): split it
        # exactly, as halving a subnormal maximum would round it (to 0).
        sums, exponents = np.frexp(sums.astype(np.float64) * scale)
    elif p in (1, 2):
        fractions, exponents = np.frexp(scale.astype(np.float64))
        sums = sums.astype(np.float64) * fractions ** float(p)
    else:
        # Other p at the root level (norm = 2**e * s): fraction**p would
        # underflow for a large p.
        fractions, exponents = np.frexp(scale.astype(np.float64))
        sums = fractions * sums.astype(np.float64) ** (1.0 / p)
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
