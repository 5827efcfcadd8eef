"""Overflow-safe vector norms of contiguous segments of a 1-D array.

This module is the arithmetic core of the package and knows nothing of
estimators, containers or validation. A *segment* is a run of consecutive
entries of a flat ``values`` array: a dense row, a CSR row or a CSC column.
``starts`` holds the offset of every segment; each segment ends where the
next one starts, the last one at the end of ``values``. Every segment must be
non-empty (callers drop empty rows first).

Two paths compute a norm:

* the **fast path** sums ``|x|**p`` directly in float64 (float32 data are
  accumulated in float64, never in float32) with NumPy's pairwise summation;
* the **careful path** first scales each segment by a power of two chosen from
  its largest entry, so that the largest scaled entry lies in ``[0.5, 1)``;
  the power sum of the scaled segment can then neither overflow nor lose
  precision to underflow, and scaling by a power of two is exact. The true
  norm is ``2**e * ns``. This is the idea behind the reference BLAS ``nrm2``
  and LAPACK ``lassq``.

The fast path is tried first; only the segments whose result is unsafe
(overflow, possible underflow, a missing value, or a scaling factor that is
not a normal number in the output dtype) take the careful path.

NaN is treated as a missing value: it is ignored when a norm is computed.
Infinity is an error, raised by the careful path (:func:`careful_parts`),
which every vector holding an infinite entry reaches.
"""

import functools
import threading

import numpy as np

from ._parallel import run_tasks

# A float64 sum of squares below this may have lost relative accuracy to
# underflow of its terms (each lost term is below 2**-1074; a segment would
# need more than 2**60 entries for their sum to matter above this bound).
_SUMSQ_TINY = 2.0**-960
# Norms below this take the careful path so that their reciprocal is finite.
_NORM_TINY = 2.0**-1000

# Overflow and underflow are expected and handled in this module: they flag a
# vector for the careful path, or are the correctly rounded result.
_quiet = np.errstate(over="ignore", under="ignore")


# Entries per chunk when one segment is too long to be processed at once.
LONG_CHUNK = 1 << 17

_scratch = threading.local()


def scratch_buffer(n_entries, dtype=np.float64, minimum=1 << 17):
    """A per-thread buffer of ``n_entries`` of ``dtype``, reused between calls.

    Block kernels write their squares here instead of allocating (and
    page-faulting) a fresh block-sized array every time.
    """
    dtype = np.dtype(dtype)
    buffers = getattr(_scratch, "buffers", None)
    if buffers is None:
        buffers = _scratch.buffers = {}
    buffer = buffers.get(dtype)
    if buffer is None or buffer.shape[0] < n_entries:
        buffer = buffers[dtype] = np.empty(max(n_entries, minimum), dtype=dtype)
    return buffer[:n_entries]


def exponent_of(a):
    """Return ``e`` with ``a = m * 2**e``, ``0.5 <= m < 1`` (``e = 0`` for 0)."""
    return np.frexp(a)[1]


def segment_lengths(starts, size):
    """Lengths of the segments that begin at ``starts`` in an array of ``size``."""
    return np.diff(starts, append=size)


@_quiet
def entry_powers(values, p):
    """``|x|**p`` of every entry in float64, for ``p`` in ``{1, 2}``."""
    if p == 2:
        return np.square(values, dtype=np.float64)
    return np.abs(values).astype(np.float64)


@_quiet
def fast_power_sums(values, starts, p):
    """Return ``sum(|x|**p)`` (``max |x|`` for ``p=inf``) of every segment.

    The result is float64 whatever the dtype of ``values``. It can be inf,
    NaN (a missing value in the segment) or inaccurate through underflow:
    :func:`unsafe_fast_sums` tells which segments need the careful path.
    Only ``p`` in ``{1, 2, inf}`` is supported here.
    """
    if p == 2:
        squares = np.square(values, dtype=np.float64)
        return np.add.reduceat(squares, starts)
    if p == 1:
        return np.add.reduceat(np.abs(values), starts, dtype=np.float64)
    # np.maximum propagates NaN, which flags the segment as unsafe.
    return np.maximum.reduceat(np.abs(values), starts).astype(np.float64)


def fast_norms(sums, p):
    """Turn the power sums of :func:`fast_power_sums` into norms."""
    return np.sqrt(sums) if p == 2 else sums


@functools.cache
def safe_sum_range(squares_dtype, dtype):
    """Sums of squares whose fast norm and reciprocal are both trustworthy.

    ``squares_dtype`` is the dtype the squares were formed in, ``dtype``
    the output's (both ``np.dtype``). No square may have lost accuracy to
    underflow: float64 squares are trusted from ``_SUMSQ_TINY``. float32
    squares lose accuracy below ``2**-126``, by at most ``2**-150`` each;
    from ``2**-100`` a row of at most ``2**18`` entries (a dense block)
    cannot lose more than ``2**-32`` of its sum that way. The sum must be
    finite, and ``1 / sqrt(sum)`` must be a normal number of ``dtype``.
    Returns ``(low, high)``: a sum ``s`` is safe if ``low <= s <= high``.
    """
    underflow = _SUMSQ_TINY if squares_dtype == np.float64 else 2.0**-100
    if dtype == np.float64:  # any such sum has a normal reciprocal root
        return underflow, float(np.finfo(np.float64).max)
    info = np.finfo(dtype)
    return max(underflow, float(info.max) ** -2), float(info.tiny) ** -2


def unsafe_fast_sums(sums, p):
    """Mask of the segments whose fast power sum cannot be trusted.

    NaN compares False, so segments with a missing value are flagged too.
    """
    if p == 2:
        return ~((sums >= _SUMSQ_TINY) & (sums < np.inf))
    # l1 and max sums do not lose accuracy to underflow, but a subnormal norm
    # has no finite reciprocal; an exact zero is a zero vector.
    return ~((sums >= _NORM_TINY) & (sums < np.inf)) & (sums != 0)


def raise_infinity(dtype):
    """Reject infinite input, in the words of scikit-learn's validation."""
    raise ValueError(
        f"Input contains infinity or a value too large for {np.dtype(dtype)!r}."
    )


@_quiet
def careful_parts(values, starts, p):
    """Return ``(e, scaled_sums)`` of every segment, safely.

    ``scaled_sums`` is ``sum(|x * 2**-e|**p)`` (``max`` for ``p=inf``) where
    ``2**(e-1) <= max|x| < 2**e``; missing values (NaN) are ignored. A segment
    with no non-zero entry gets ``e = 0`` and a sum of 0.

    Every segment with an infinite entry fails the fast path's checks and
    comes here, so this is where infinity is caught: a ``ValueError``.
    """
    magnitudes = np.abs(values).astype(np.float64)
    # fmax ignores NaN unless the whole segment is NaN; such a segment has no
    # observed value and counts as a zero vector.
    largest = np.fmax.reduceat(magnitudes, starts)
    if np.isinf(largest).any():
        raise_infinity(values.dtype)
    largest[np.isnan(largest)] = 0.0
    exponents = exponent_of(largest)
    lengths = segment_lengths(starts, values.shape[0])
    scaled = np.ldexp(magnitudes, np.repeat(-exponents, lengths), out=magnitudes)
    np.fmax(scaled, 0.0, out=scaled)  # NaN -> 0: missing values do not count
    if p == np.inf:
        return exponents, np.maximum.reduceat(scaled, starts)
    if p != 1:
        np.power(scaled, p, out=scaled)
    return exponents, np.add.reduceat(scaled, starts)


@_quiet
def true_norms(exponents, scaled_norms):
    """``2**e * ns``: inf where the norm exceeds the float64 range."""
    return np.ldexp(scaled_norms, exponents)


def root(scaled_sums, p):
    """The ``p``-th root that turns a scaled power sum into a scaled norm."""
    if p == np.inf or p == 1:
        return scaled_sums
    if p == 2:
        return np.sqrt(scaled_sums)
    return scaled_sums ** (1.0 / p)


@_quiet
def combine_parts(exponents, scaled_sums, p):
    """Merge partial ``(e, s)`` pairs along axis 0 into one pair per column.

    Used to add up the power sums of several row blocks (or batches of
    ``partial_fit``) without overflow. The partial sums are added pairwise so
    that the rounding error grows with the logarithm of their number.
    """
    exponents = np.asarray(exponents)
    scaled_sums = np.asarray(scaled_sums, dtype=np.float64)
    top = exponents.max(axis=0)
    shift = exponents - top
    if p == np.inf:
        return top, (np.ldexp(scaled_sums, shift)).max(axis=0)
    if p in (1, 2):
        rescaled = np.ldexp(scaled_sums, shift * int(p))
    else:
        rescaled = scaled_sums * np.exp2(shift * float(p))
    return top, pairwise_sum_axis0(rescaled)


def pairwise_sum_axis0(a):
    """Sum a 2-D float array over axis 0 by pairwise (tree) summation.

    ``a.sum(axis=0)`` on a C-ordered array adds the rows one after the other,
    so its rounding error grows linearly with the number of rows; halving the
    array repeatedly keeps it logarithmic. ``a`` is overwritten.
    """
    n = a.shape[0]
    if n == 0:
        return np.zeros(a.shape[1:], dtype=a.dtype)
    while n > 1:
        half = n // 2
        a[:half] += a[half : 2 * half]
        if n % 2:
            a[half] = a[n - 1]
            n = half + 1
        else:
            n = half
    return a[0].copy()


@_quiet
def scale_parts(exponents, scaled_norms, eps, max_norm):
    """Return ``(e, g)`` so that ``x * 2**-e * g`` is the rescaled vector.

    ``exponents`` and ``scaled_norms`` describe each vector's norm as
    ``2**e * ns``. In unit mode the vector is divided by ``max(norm, eps)``;
    with ``max_norm`` only vectors longer than ``max_norm`` are shortened to
    it. Vectors left as they are (zero vectors, short vectors under
    ``max_norm``) get ``e = 0`` and ``g = 1``.

    Norms, ``eps`` and ``max_norm`` are compared and divided as mantissas in
    ``[0.5, 1)`` and exponents, exactly: no quotient of two far-apart
    magnitudes is ever formed in float64, where it could overflow or lose its
    precision as a subnormal number. The gains lie in ``(0.5, 2]``.
    """
    mantissas, shifts = np.frexp(np.asarray(scaled_norms, dtype=np.float64))
    exponents = np.asarray(exponents, dtype=np.int64) + shifts
    nonzero = mantissas > 0
    gains = np.ones_like(mantissas)
    if max_norm is None:
        gains[nonzero] = 1.0 / mantissas[nonzero]
        if eps > 0:
            m_eps, e_eps = np.frexp(float(eps))
            by_eps = nonzero & _greater(m_eps, e_eps, mantissas, exponents)
            exponents[by_eps] = e_eps
            gains[by_eps] = 1.0 / m_eps
        active = nonzero
    else:
        m_max, e_max = np.frexp(float(max_norm))
        active = nonzero & _greater(mantissas, exponents, m_max, e_max)
        gains[active] = m_max / mantissas[active]
        exponents[active] -= e_max
    exponents[~active] = 0
    return exponents, gains


def _greater(m1, e1, m2, e2):
    """``m1 * 2**e1 > m2 * 2**e2`` for mantissas in ``[0.5, 1)`` (or 0)."""
    return (e1 > e2) | ((e1 == e2) & (m1 > m2))


@_quiet
def fold_factors(exponents, gains, dtype):
    """Fold ``2**-e * g`` into one multiplier where that is exact enough.

    Returns ``(factors, unfolded)``: ``factors`` (float64) is the multiplier of
    every vector, and ``unfolded`` is the mask of vectors whose multiplier is
    not a normal number of ``dtype`` (it would overflow, or lose precision as
    a subnormal); those must be computed as ``(x * 2**-e) * g`` in float64.
    Their entry in ``factors`` is a harmless 1.
    """
    factors = np.ldexp(gains, -np.asarray(exponents))
    info = np.finfo(dtype)
    unfolded = ~((factors >= info.tiny) & (factors <= info.max))
    factors[unfolded] = 1.0
    return factors, unfolded


@_quiet
def segment_scaling(values, starts, p, eps, max_norm, *, with_norms=False):
    """Return ``(e, g, norms)`` for every segment of ``values``.

    ``e`` and ``g`` are as in :func:`scale_parts`; ``norms`` (float64, or
    None unless ``with_norms``) are the true norms, inf only where the true
    norm exceeds the float64 range. The fast path serves every segment it can;
    only unsafe segments are recomputed with :func:`careful_parts`.
    """
    n_segments = starts.shape[0]
    exponents = np.zeros(n_segments, dtype=np.int64)
    if p in (1, 2, np.inf):
        sums = fast_power_sums(values, starts, p)
        scaled_norms = fast_norms(sums, p)
        careful = np.flatnonzero(unsafe_fast_sums(sums, p))
    else:
        scaled_norms = np.empty(n_segments)
        careful = np.arange(n_segments)
    if careful.size:
        positions, local_starts = gather_segments(starts, values.shape[0], careful)
        e_c, s_c = careful_parts(values[positions], local_starts, p)
        exponents[careful] = e_c
        scaled_norms[careful] = root(s_c, p)
    norms = true_norms(exponents, scaled_norms) if with_norms else None
    exponents, gains = scale_parts(exponents, scaled_norms, eps, max_norm)
    return exponents, gains, norms


def gather_segments(starts, size, chosen):
    """Flat positions of the chosen segments, and their starts once gathered."""
    lengths = segment_lengths(starts, size)[chosen]
    local_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    offsets = np.repeat(starts[chosen] - local_starts, lengths)
    return offsets + np.arange(offsets.shape[0]), local_starts


@_quiet
def rescale_unfolded(values, exponents, gains):
    """``(x * 2**-e) * g`` in float64 for segments laid out as ``values``.

    ``exponents`` and ``gains`` are already repeated to ``values``' length.
    """
    out = np.ldexp(values.astype(np.float64), -exponents)
    out *= gains
    return out


def true_norm_of(exponent, scaled_sum, p):
    """The float64 norm ``2**e * root(s)`` of one vector."""
    with np.errstate(over="ignore"):
        return float(np.ldexp(root(np.float64(scaled_sum), p), exponent))


def _chunks(n_entries):
    n_chunks = -(-n_entries // LONG_CHUNK)
    return n_chunks, [
        slice(i * LONG_CHUNK, min((i + 1) * LONG_CHUNK, n_entries))
        for i in range(n_chunks)
    ]


@_quiet
def long_segment_parts(row, p):
    """``(e, s)`` of one long row, chunk by chunk: no row-sized temporary.

    The fast path adds each chunk's squares pairwise and then the chunk sums
    pairwise, so the rounding error grows with the logarithm of the length.
    """
    n_chunks, chunks = _chunks(row.shape[0])
    if p == 2:
        sums = np.empty(n_chunks)

        def fast(i):
            squares = scratch_buffer(chunks[i].stop - chunks[i].start)
            np.square(row[chunks[i]], out=squares, dtype=np.float64)
            sums[i] = np.add.reduce(squares)

        run_tasks(fast, n_chunks)
        total = np.add.reduce(sums)
        if _SUMSQ_TINY <= total < np.inf:
            return np.int64(0), total
    exponents = np.zeros(n_chunks, dtype=np.int64)
    parts = np.zeros(n_chunks)

    def careful(i):
        e, s = careful_parts(np.ascontiguousarray(row[chunks[i]]), np.zeros(1, int), p)
        exponents[i], parts[i] = e[0], s[0]

    run_tasks(careful, n_chunks)
    nonzero = parts > 0
    if not nonzero.any():
        return np.int64(0), 0.0
    e, s = combine_parts(exponents[nonzero, None], parts[nonzero, None], p)
    return e[0], s[0]


def scale_long_segment(row, out_row, exponent, gain):
    factors, unfolded = fold_factors(np.array([exponent]), np.array([gain]), row.dtype)
    _, chunks = _chunks(row.shape[0])

    def scale(i):
        part = chunks[i]
        if unfolded[0]:
            out_row[part] = rescale_unfolded(row[part], exponent, gain)
        else:
            np.multiply(row[part], factors.astype(row.dtype)[0], out=out_row[part])

    run_tasks(scale, len(chunks))
