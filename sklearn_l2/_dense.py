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
    _quiet,
    careful_parts,
    combine_parts,
    fold_factors,
    long_segment_parts,
    pairwise_sum_axis0,
    rescale_unfolded,
    root,
    safe_sum_range,
    scale_long_segment,
    scale_parts,
    scratch_buffer,
    segment_scaling,
    true_norm_of,
    unsafe_fast_sums,
)

# Number of entries processed at once: 256k entries (1 MiB of float32, 2 MiB
# of float64) stay in the shared L3 cache of the development machine, and a
# block is long enough that the Python work between NumPy calls, done under
# the GIL, leaves two threads free to run in parallel. Measured there with 2
# threads (2e6 x 64, 2e4 x 1e4, 1e7 x 8, in place): 128k blocks were 1.0-1.4x
# slower, 512k blocks 1.0-1.4x slower too (their per-block temporaries
# are no longer reused by the allocator), 32k-64k blocks up to 3x slower.
BLOCK_ENTRIES = 1 << 18

# Inputs with fewer entries than this are processed by the calling thread
# alone: starting threads would cost more than it saves.
PARALLEL_MIN_ENTRIES = 1 << 20

# Any summation order of k positive terms errs by at most (k-1) units of
# rounding of the dtype that adds them. Squares are added by BLAS (fast, in
# any order) in the input's dtype, in groups of at most this many terms; the
# group sums are then added in float64. float32 groups of 16 keep a row's sum
# of squares within 16 float32 rounding units and its norm within 8 (the
# guarantee allows 4e-6, about 67), whatever the row's length, without a
# float64 copy of the data. float64 groups of 32 and their pairwise sum keep
# the norm within about 28 units (the guarantee allows 4e-15, about 36).
GROUP_TERMS = {np.dtype(np.float32): 16, np.dtype(np.float64): 32}
# Up to this many float64 group sums are added in any order (a matrix-vector
# product: at most 7 more rounding units); more are added pairwise.
FREE_ORDER_GROUPS = 8
_GROUP_ONES = {dtype: np.ones(terms, dtype) for dtype, terms in GROUP_TERMS.items()}


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
    """``out_block[i] = block[i] * factors[i]`` (factors of the block's dtype).

    A broadcast multiply: on narrow rows ``np.repeat`` of the factors and a
    plain multiply is a little faster in one thread, but ``np.repeat`` holds
    the GIL, and the threads then wait for each other.
    """
    np.multiply(block, factors[:, None], out=out_block)


# BLAS may turn an infinite square into NaN (inf - inf inside its kernel):
# either way the row fails the safe-range test and takes the careful path.
@np.errstate(over="ignore", under="ignore", invalid="ignore")
def _sums_of_squares(block, squares_dtype):
    """Float64 sum of squares of every row of a 2-D block (fast path).

    The squares are formed in ``squares_dtype`` (the block's dtype, or
    float64 for exact float32 squares) in a per-thread buffer whose
    rows are padded with zeros to a whole number of groups
    (:data:`GROUP_TERMS`); a matrix-vector product adds each group, and the
    group sums are added in float64 (pairwise when there are many). An
    overflowing square or group sum gives inf, and squares that underflow
    give sums below the safe range of :func:`safe_sum_range`: both send the
    row to the careful path.
    """
    n_rows, n_features = block.shape
    ones = _GROUP_ONES[np.dtype(squares_dtype)]
    group = ones.shape[0]
    if n_features <= group:
        squares = scratch_buffer(n_rows * n_features, squares_dtype)
        squares = squares.reshape(n_rows, n_features)
        np.multiply(block, block, out=squares, dtype=squares_dtype)
        return (squares @ ones[:n_features]).astype(np.float64, copy=False)
    n_groups = -(-n_features // group)
    squares = scratch_buffer(n_rows * n_groups * group, squares_dtype)
    squares = squares.reshape(n_rows, n_groups * group)
    squares[:, n_features:] = 0
    np.multiply(block, block, out=squares[:, :n_features], dtype=squares_dtype)
    group_sums = (squares.reshape(-1, group) @ ones).reshape(n_rows, n_groups)
    if squares_dtype == np.float32 or n_groups <= FREE_ORDER_GROUPS:
        # float64 rounding is negligible against float32 group sums; a few
        # float64 group sums may also be added in any order.
        return group_sums @ np.ones(n_groups)
    return np.add.reduce(group_sums, axis=1)  # pairwise along each row


def _block_scaling(block, p, eps, max_norm, norms):
    """How to scale every row of ``block``; reads it, writes nothing.

    Returns ``(None, factors)``, one multiplier per row in the block's dtype,
    in the common case (unit l2 norm, every row safe for the fast path), and
    ``(exponents, gains)`` for :func:`_apply_row_scaling` otherwise. The
    float64 norms of the rows are written into ``norms`` unless it is None.
    An infinite entry raises a ``ValueError`` (from the careful path).
    """
    n_rows, n_features = block.shape
    if p != 2:
        starts = np.arange(0, n_rows * n_features, n_features)
        exponents, gains, block_norms = segment_scaling(
            _flat(block), starts, p, eps, max_norm, with_norms=norms is not None
        )
        if norms is not None:
            norms[:] = block_norms
        return exponents, gains
    # The float32 fast path is accurate to float32 rounding, as the output
    # is; norms returned to the caller are float64, so they get exact squares.
    squares_dtype = block.dtype if norms is None else np.float64
    sums = _sums_of_squares(block, squares_dtype)
    low, high = safe_sum_range(np.dtype(squares_dtype), block.dtype)
    if eps == 0 and max_norm is None and sums.min() >= low and sums.max() <= high:
        # The common case, every row safe (False for NaN): one reciprocal each.
        block_norms = np.sqrt(sums, out=sums)
        if norms is not None:
            norms[:] = block_norms
        factors = np.divide(1.0, block_norms, out=block_norms)
        return None, factors.astype(block.dtype)
    unsafe = np.flatnonzero(~((sums >= low) & (sums <= high)))
    block_norms = np.sqrt(sums, out=sums)
    exponents, gains = scale_parts(
        np.zeros(n_rows, dtype=np.int64), block_norms, eps, max_norm
    )
    if unsafe.size:
        # Only these rows take the careful path.
        starts = np.arange(0, unsafe.size * n_features, n_features)
        exponents[unsafe], gains[unsafe], block_norms[unsafe] = segment_scaling(
            _flat(block[unsafe]), starts, 2, eps, max_norm, with_norms=True
        )
    if norms is not None:
        norms[:] = block_norms
    return exponents, gains


def _scale_block(block, out_block, scaling):
    """Apply what :func:`_block_scaling` returned for ``block``."""
    exponents, gains = scaling
    if exponents is None:
        _scale_rows(block, out_block, gains)
    else:
        _apply_row_scaling(block, out_block, exponents, gains)


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
    Into another array, each block of rows is scaled as soon as its norms
    are known, while it is still in cache. In place, the scaling of every
    row is worked out first and applied in a second pass: an infinite entry
    anywhere raises before any row is written, so the input is never left
    half normalized (this costs no more than a separate scan for infinity).
    """
    n_samples, n_features = X.shape
    norms = np.empty(n_samples) if with_norms else None
    if n_features > BLOCK_ENTRIES:
        parts = [long_segment_parts(X[i], p) for i in range(n_samples)]
        for i, (e, s) in enumerate(parts):
            exponents, gains = scale_parts(e[None], root(s, p)[None], eps, max_norm)
            scale_long_segment(X[i], out[i], exponents[0], gains[0])
            if with_norms:
                norms[i] = true_norm_of(e, s, p)
        return norms

    def norms_of(rows):
        return None if norms is None else norms[rows]

    if out is not X:
        _run_row_blocks(
            lambda rows: _scale_block(
                X[rows],
                out[rows],
                _block_scaling(X[rows], p, eps, max_norm, norms_of(rows)),
            ),
            n_samples,
            n_features,
        )
        return norms
    scalings = {}  # first row of a block -> how to scale the block

    def plan(rows):
        scalings[rows.start] = _block_scaling(X[rows], p, eps, max_norm, norms_of(rows))

    _run_row_blocks(plan, n_samples, n_features)
    _run_row_blocks(
        lambda rows: _scale_block(X[rows], X[rows], scalings[rows.start]),
        n_samples,
        n_features,
    )
    return norms


def contains_infinity(X):
    """Whether the 2-D float array ``X`` holds ``inf`` or ``-inf`` (NaN allowed).

    Row blocks are summed on the thread pool (a sum is finite unless an entry
    is inf or NaN, or it overflows); only blocks whose sum is not finite are
    searched entry by entry.
    """
    found = []

    def task(rows):
        block = X[rows]
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(np.add.reduce(block, axis=None)):
                return
        if np.isinf(block).any():
            found.append(rows)

    _run_row_blocks(task, *X.shape)
    return bool(found)


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
        squares = scratch_buffer(n_rows * n_features).reshape(n_rows, n_features)
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
