"""Normalization kernels for dense NumPy arrays.

The data are streamed in blocks of rows small enough to stay in cache: the
norms of a block are computed, then the same block is scaled straight into
the output, so no temporary is ever as large as the input. Everything here
works on validated 2-D float32 or float64 arrays of any memory layout and
knows nothing of estimators.
"""

import numpy as np

from ._parallel import run_tasks
from ._segments import (
    _SUMSQ_TINY,
    _quiet,
    careful_parts,
    combine_parts,
    float64_scratch,
    fold_factors,
    long_segment_parts,
    pairwise_sum_axis0,
    rescale_unfolded,
    root,
    scale_long_segment,
    scale_parts,
    segment_scaling,
    true_norm_of,
    unsafe_fast_sums,
)

# Number of entries processed at once: 128k entries (1 MiB of float64
# squares) stay near the 1 MiB L2 cache of the development machine and are
# large enough that the ~15 NumPy calls per block cost little. Measured there
# (single thread): 8k-32k blocks were 1.2-3x slower, 64k about the same.
BLOCK_ENTRIES = 1 << 17

# Inputs with fewer entries than this are processed by the calling thread
# alone: starting threads would cost more than it saves.
PARALLEL_MIN_ENTRIES = 1 << 20

# Rows narrower than this are scaled through a repeated factor array: NumPy's
# broadcast multiply pays a loop call per row, which dominates on short rows.
NARROW_ROW = 128

# Any summation order of k positive float64 terms errs by at most (k-1) units
# of rounding; up to this many terms per sum that stays within the float64
# guarantee, so a BLAS matrix-vector product may add them.
FREE_ORDER_TERMS = 32

def _rows_per_block(n_features):
    return max(1, BLOCK_ENTRIES // max(n_features, 1))


def _row_blocks(n_samples, n_features):
    step = _rows_per_block(n_features)
    for start in range(0, n_samples, step):
        yield slice(start, min(start + step, n_samples))


def _flat(block):
    """The block's entries row after row, as a 1-D array (a view if possible)."""
    return np.ascontiguousarray(block).reshape(-1)


def _apply_row_scaling(block, out_block, exponents, gains):
    """Write ``block`` scaled row by row by ``2**-e * g`` into ``out_block``."""
    factors, unfolded = fold_factors(exponents, gains, block.dtype)
    _scale_rows(block, out_block, factors.astype(block.dtype))
    rows = np.flatnonzero(unfolded)
    if rows.size:
        out_block[rows] = rescale_unfolded(
            block[rows], exponents[rows][:, None], gains[rows][:, None]
        )


def _scale_rows(block, out_block, factors):
    """``out_block[i] = block[i] * factors[i]`` (factors of the block's dtype)."""
    n_rows, n_features = block.shape
    if n_features < NARROW_ROW:
        expanded = np.repeat(factors, n_features).reshape(n_rows, n_features)
        np.multiply(block, expanded, out=out_block)
    else:
        np.multiply(block, factors[:, None], out=out_block)


def _free_order_chunk(n_features):
    """Largest divisor of ``n_features`` that a free-order sum may add up."""
    if n_features <= FREE_ORDER_TERMS:
        return n_features
    for chunk in range(FREE_ORDER_TERMS, 7, -1):
        if n_features % chunk == 0:
            return chunk
    return None


def _sums_of_squares(block):
    """Float64 sum of squares of every row of a 2-D block (fast path).

    float32 squares are exact in float64 and a float64 sum of them is far
    more accurate than float32 needs in any order, so a BLAS product adds
    them. For float64, BLAS adds at most :data:`FREE_ORDER_TERMS` terms per
    partial sum; the partial sums, or whole rows when no chunk fits, are
    added by NumPy's pairwise summation.
    """
    n_rows, n_features = block.shape
    squares = float64_scratch(n_rows * n_features).reshape(n_rows, n_features)
    np.square(block, out=squares, dtype=np.float64)
    if block.dtype == np.float32:
        return squares @ np.ones(n_features)
    chunk = _free_order_chunk(n_features)
    if chunk is None:
        return np.add.reduce(squares, axis=1)
    partial = squares.reshape(-1, chunk) @ np.ones(chunk)
    if chunk == n_features:
        return partial
    return np.add.reduce(partial.reshape(n_rows, -1), axis=1)


def _safe_sum_range(dtype):
    """Sums of squares whose fast norm and reciprocal are both trustworthy.

    The sum must not have underflowed (``>= _SUMSQ_TINY``) or overflowed, and
    ``1 / sqrt(sum)`` must be a normal number of ``dtype``.
    """
    info = np.finfo(dtype)
    if info.bits == 64:  # any sum in [tiny, max) has a normal reciprocal root
        return _SUMSQ_TINY, float(info.max)
    low = max(_SUMSQ_TINY, (1.0 / float(info.max)) ** 2)
    return low, (1.0 / float(info.tiny)) ** 2


_SAFE_SUMS = {np.dtype(t): _safe_sum_range(t) for t in (np.float32, np.float64)}


def _normalize_block(X, out, rows, p, eps, max_norm, norms):
    """Normalize the rows ``rows`` of ``X`` into ``out`` (one task)."""
    block = X[rows]
    out_block = out[rows]
    if p == 2:
        sums = _sums_of_squares(block)
        low, high = _SAFE_SUMS[block.dtype]
        if sums.min() >= low and sums.max() <= high:  # False for NaN
            block_norms = np.sqrt(sums, out=sums)
            if norms is not None:
                norms[rows] = block_norms
            if eps == 0 and max_norm is None:
                factors = np.divide(1.0, block_norms, out=block_norms)
                factors = factors.astype(block.dtype, copy=False)
                _scale_rows(block, out_block, factors)
                return
            exponents, gains = scale_parts(
                np.zeros(sums.shape[0], dtype=np.int64), block_norms, eps, max_norm
            )
            _apply_row_scaling(block, out_block, exponents, gains)
            return
    n_rows, n_features = block.shape
    starts = np.arange(0, n_rows * n_features, n_features)
    exponents, gains, block_norms = segment_scaling(
        _flat(block), starts, p, eps, max_norm, with_norms=norms is not None
    )
    _apply_row_scaling(block, out_block, exponents, gains)
    if norms is not None:
        norms[rows] = block_norms


def _run_row_blocks(task, n_samples, n_features):
    """Run ``task(rows)`` over row blocks, in parallel for large inputs."""
    step = _rows_per_block(n_features)
    n_blocks = -(-n_samples // step)
    if n_blocks == 1:
        task(slice(0, n_samples))
        return

    def run(i):
        task(slice(i * step, min((i + 1) * step, n_samples)))

    n_threads = 1 if n_samples * n_features < PARALLEL_MIN_ENTRIES else None
    run_tasks(run, n_blocks, n_threads)


@_quiet
def normalize_rows(X, out, p, eps, max_norm, with_norms):
    """Scale every row of ``X`` into ``out`` (which may be ``X`` itself).

    Returns the float64 norms of the rows when ``with_norms``, else None.
    Rows longer than :data:`BLOCK_ENTRIES` are processed chunk by chunk.
    """
    n_samples, n_features = X.shape
    norms = np.empty(n_samples) if with_norms else None
    if n_features > BLOCK_ENTRIES:
        for i in range(n_samples):
            e, s = long_segment_parts(X[i], p)
            exponents, gains = scale_parts(e[None], root(s, p)[None], eps, max_norm)
            scale_long_segment(X[i], out[i], exponents[0], gains[0])
            if with_norms:
                norms[i] = true_norm_of(e, s, p)
        return norms
    _run_row_blocks(
        lambda rows: _normalize_block(X, out, rows, p, eps, max_norm, norms),
        n_samples,
        n_features,
    )
    return norms


def row_norms(X, p):
    """The float64 norm of every row of ``X``."""
    n_samples, n_features = X.shape
    norms = np.empty(n_samples)
    for rows in _row_blocks(n_samples, n_features):
        block = X[rows]
        starts = np.arange(0, block.shape[0] * n_features, n_features)
        _, _, norms[rows] = segment_scaling(
            _flat(block), starts, p, 0.0, None, with_norms=True
        )
    return norms


@_quiet
def column_parts(X, p):
    """Overflow-safe ``(e, s)`` power sums of every column of ``X``.

    For the l2 norm the fast path squares each block of rows in float64 and
    adds the rows pairwise, block by block (on the thread pool), then adds
    the block sums pairwise; only columns whose fast sum is unsafe are
    recomputed by :func:`careful_column_parts`.
    """
    if p != 2:
        return careful_column_parts(X, p)
    n_samples, n_features = X.shape
    step = _rows_per_block(n_features)
    n_blocks = -(-n_samples // step)
    block_sums = np.empty((n_blocks, n_features))

    def task(b):
        block = X[b * step : (b + 1) * step]
        n_rows = block.shape[0]
        squares = float64_scratch(n_rows * n_features).reshape(n_rows, n_features)
        np.square(block, out=squares, dtype=np.float64)
        if block.dtype == np.float32:
            # Exact float32 squares: any float64 summation order is enough.
            block_sums[b] = np.ones(n_rows) @ squares
        else:
            block_sums[b] = pairwise_sum_axis0(squares)

    n_threads = 1 if X.size < PARALLEL_MIN_ENTRIES else None
    run_tasks(task, n_blocks, n_threads)
    sums = pairwise_sum_axis0(block_sums)
    exponents = np.zeros(n_features, dtype=np.int64)
    unsafe = unsafe_fast_sums(sums, 2)
    if X.dtype == np.float32:
        unsafe &= sums != 0  # float32 squares never underflow in float64
    unsafe = np.flatnonzero(unsafe)
    if unsafe.size:
        exponents[unsafe], sums[unsafe] = careful_column_parts(X[:, unsafe], 2)
    return exponents, sums


def careful_column_parts(X, p):
    """Overflow-safe ``(e, s)`` of every column, by the careful path only.

    Each block of rows is transposed into a small contiguous buffer so that
    every column becomes a contiguous segment; the per-block results are then
    merged pairwise (:func:`combine_parts`).
    """
    n_samples, n_features = X.shape
    exponents, sums = [], []
    for rows in _row_blocks(n_samples, n_features):
        columns = np.ascontiguousarray(X[rows].T)
        n_rows = columns.shape[1]
        starts = np.arange(0, n_rows * n_features, n_rows)
        e_block, s_block = careful_parts(columns.reshape(-1), starts, p)
        exponents.append(e_block)
        sums.append(s_block)
    return combine_parts(exponents, sums, p)


def scale_columns(X, out, exponents, gains):
    """Write ``X`` with column ``j`` scaled by ``2**-e[j] * g[j]`` into ``out``."""
    factors, unfolded = fold_factors(exponents, gains, X.dtype)
    factors = factors.astype(X.dtype)
    columns = np.flatnonzero(unfolded)

    def task(rows):
        np.multiply(X[rows], factors, out=out[rows])
        if columns.size:
            out[rows, columns] = rescale_unfolded(
                X[rows][:, columns], exponents[columns], gains[columns]
            )

    _run_row_blocks(task, *X.shape)


def inverse_scale_columns(X, out, exponents, gains):
    """Undo :func:`scale_columns`: column ``j`` times ``2**e[j] / g[j]``."""
    scale_columns(X, out, -np.asarray(exponents), 1.0 / np.asarray(gains))


def column_scaling(exponents, sums, p, eps, max_norm):
    """``(e, g)`` that rescale columns whose power sums are ``(e, s)``."""
    return scale_parts(exponents, root(sums, p), eps, max_norm)
