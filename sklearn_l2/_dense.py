"""Normalization kernels for dense NumPy arrays.

The data are streamed in blocks of rows small enough to stay in cache: the
norms of a block are computed, then the same block is scaled straight into
the output, so no temporary is ever as large as the input. Everything here
works on validated 2-D float32 or float64 arrays of any memory layout and
knows nothing of estimators.
"""

import numpy as np

from ._segments import (
    careful_parts,
    combine_parts,
    fold_factors,
    rescale_unfolded,
    root,
    scale_parts,
    segment_scaling,
)

# Number of entries processed at once: 128k entries is 1 MiB of float64,
# which keeps a block and its float64 squares inside a typical L2 cache.
BLOCK_ENTRIES = 1 << 17


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
    np.multiply(block, factors.astype(block.dtype)[:, None], out=out_block)
    rows = np.flatnonzero(unfolded)
    if rows.size:
        out_block[rows] = rescale_unfolded(
            block[rows], exponents[rows][:, None], gains[rows][:, None]
        )


def normalize_rows(X, out, p, eps, max_norm, with_norms):
    """Scale every row of ``X`` into ``out`` (which may be ``X`` itself).

    Returns the float64 norms of the rows when ``with_norms``, else None.
    """
    n_samples, n_features = X.shape
    norms = np.empty(n_samples) if with_norms else None
    for rows in _row_blocks(n_samples, n_features):
        block = X[rows]
        n_rows = block.shape[0]
        starts = np.arange(0, n_rows * n_features, n_features)
        exponents, gains, block_norms = segment_scaling(
            _flat(block), starts, p, eps, max_norm, with_norms=with_norms
        )
        _apply_row_scaling(block, out[rows], exponents, gains)
        if with_norms:
            norms[rows] = block_norms
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


def column_parts(X, p):
    """Overflow-safe ``(e, s)`` power sums of every column of ``X``.

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
    for rows in _row_blocks(*X.shape):
        np.multiply(X[rows], factors, out=out[rows])
        if columns.size:
            out[rows, columns] = rescale_unfolded(
                X[rows][:, columns], exponents[columns], gains[columns]
            )


def inverse_scale_columns(X, out, exponents, gains):
    """Undo :func:`scale_columns`: column ``j`` times ``2**e[j] / g[j]``."""
    scale_columns(X, out, -np.asarray(exponents), 1.0 / np.asarray(gains))


def column_scaling(exponents, sums, p, eps, max_norm):
    """``(e, g)`` that rescale columns whose power sums are ``(e, s)``."""
    return scale_parts(exponents, root(sums, p), eps, max_norm)
