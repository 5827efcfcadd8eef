"""Normalization kernels for CSR and CSC matrices.

A compressed matrix stores its *major* vectors (CSR rows, CSC columns) as
contiguous runs of ``data``; the other axis is its *minor* axis. Scaling the
major vectors uses the segment kernels directly, block by block. Scaling along
the minor axis (the rows of a CSC matrix) gathers one factor per stored entry.
Only ``data`` is ever written: the sparsity structure is kept as it is,
explicit zeros included. Inputs must be canonical (no duplicate entries).
"""

import numpy as np

from ._segments import (
    careful_parts,
    entry_powers,
    fast_norms,
    fold_factors,
    gather_segments,
    rescale_unfolded,
    root,
    scale_parts,
    segment_scaling,
    true_norms,
    unsafe_fast_sums,
)

# Stored entries processed at once (1 MiB of float64).
BLOCK_ENTRIES = 1 << 17

# A minor-axis sum is accumulated in storage order by ``np.bincount``; its
# rounding error grows with the number of terms, so vectors with more stored
# entries than this are recomputed with pairwise summation.
MINOR_SEQUENTIAL_MAX = 64


def _major_blocks(indptr):
    """Blocks of major vectors holding about ``BLOCK_ENTRIES`` entries each.

    Yields ``(rows, lo, hi, starts, lengths)``: the indices of the non-empty
    major vectors of the block, the block's range of ``data``, and the start
    (relative to ``lo``) and length of each of those vectors.
    """
    n_major = indptr.shape[0] - 1
    first = 0
    while first < n_major:
        target = indptr[first] + BLOCK_ENTRIES
        last = int(np.searchsorted(indptr, target, side="right")) - 1
        last = min(max(last, first + 1), n_major)
        lo, hi = indptr[first], indptr[last]
        counts = np.diff(indptr[first : last + 1])
        nonempty = np.flatnonzero(counts)
        if nonempty.size:
            starts = indptr[first:last][nonempty] - lo
            yield first + nonempty, lo, hi, starts, counts[nonempty]
        first = last


def _scale_segments_into(values, out, starts, lengths, exponents, gains):
    """Write each segment of ``values`` times ``2**-e * g`` into ``out``."""
    factors, unfolded = fold_factors(exponents, gains, values.dtype)
    np.multiply(values, np.repeat(factors.astype(values.dtype), lengths), out=out)
    chosen = np.flatnonzero(unfolded)
    if chosen.size:
        positions, _ = gather_segments(starts, values.shape[0], chosen)
        kept = lengths[chosen]
        out[positions] = rescale_unfolded(
            values[positions],
            np.repeat(exponents[chosen], kept),
            np.repeat(gains[chosen], kept),
        )


def normalize_major(X, out_data, p, eps, max_norm, with_norms):
    """Scale every major vector of ``X`` to unit norm into ``out_data``."""
    indptr, data = X.indptr, X.data
    n_major = indptr.shape[0] - 1
    norms = np.zeros(n_major) if with_norms else None
    for rows, lo, hi, starts, lengths in _major_blocks(indptr):
        values = data[lo:hi]
        exponents, gains, block_norms = segment_scaling(
            values, starts, p, eps, max_norm, with_norms=with_norms
        )
        _scale_segments_into(
            values, out_data[lo:hi], starts, lengths, exponents, gains
        )
        if with_norms:
            norms[rows] = block_norms
    return norms


def major_parts(X, p):
    """Overflow-safe ``(e, s)`` power sums of every major vector of ``X``."""
    indptr = X.indptr
    n_major = indptr.shape[0] - 1
    exponents = np.zeros(n_major, dtype=np.int64)
    sums = np.zeros(n_major)
    nonempty = np.flatnonzero(np.diff(indptr))
    if nonempty.size:
        lo = indptr[nonempty[0]]
        starts = indptr[nonempty] - lo
        values = X.data[lo : indptr[-1]]
        exponents[nonempty], sums[nonempty] = careful_parts(values, starts, p)
    return exponents, sums


def scale_major(X, out_data, exponents, gains):
    """Scale major vector ``i`` of ``X`` by ``2**-e[i] * g[i]`` into ``out_data``."""
    indptr = X.indptr
    lengths = np.diff(indptr)
    _scale_segments_into(X.data, out_data, indptr[:-1], lengths, exponents, gains)


def scale_minor(X, out_data, exponents, gains):
    """Scale minor vector ``j`` of ``X`` by ``2**-e[j] * g[j]`` into ``out_data``."""
    factors, unfolded = fold_factors(exponents, gains, X.data.dtype)
    indices = X.indices
    for lo in range(0, indices.shape[0], BLOCK_ENTRIES):
        part = slice(lo, lo + BLOCK_ENTRIES)
        idx = indices[part]
        np.multiply(
            X.data[part], factors.astype(X.data.dtype)[idx], out=out_data[part]
        )
    if unfolded.any():
        hit = np.flatnonzero(unfolded[indices])
        idx = indices[hit]
        out_data[hit] = rescale_unfolded(X.data[hit], exponents[idx], gains[idx])


def _minor_careful_parts(X, chosen, p):
    """Exact ``(e, s)`` of the chosen minor vectors, gathered by a stable sort."""
    selected = np.zeros(_minor_size(X), dtype=bool)
    selected[chosen] = True
    hit = np.flatnonzero(selected[X.indices])
    owners = X.indices[hit]
    order = np.argsort(owners, kind="stable")
    owners = owners[order]
    values = X.data[hit[order]]
    present, starts = np.unique(owners, return_index=True)
    exponents = np.zeros(chosen.shape[0], dtype=np.int64)
    sums = np.zeros(chosen.shape[0])
    if present.size:
        where = np.searchsorted(chosen, present)
        exponents[where], sums[where] = careful_parts(values, starts, p)
    return exponents, sums


def _minor_size(X):
    return X.shape[1] if X.format == "csr" else X.shape[0]


def minor_scaled_norms(X, p):
    """``(e, ns)`` with ``2**e * ns`` the norm of every minor vector of ``X``."""
    n_minor = _minor_size(X)
    indices = X.indices
    exponents = np.zeros(n_minor, dtype=np.int64)
    if p in (1, 2, np.inf):
        if p == np.inf:
            sums = np.zeros(n_minor)
            np.maximum.at(sums, indices, np.abs(X.data))
        else:
            weights = entry_powers(X.data, p)
            sums = np.bincount(indices, weights=weights, minlength=n_minor)
        scaled_norms = fast_norms(sums, p)
        counts = np.bincount(indices, minlength=n_minor)
        unsafe = unsafe_fast_sums(sums, p) & (counts > 0)
        if p != np.inf:
            unsafe |= counts > MINOR_SEQUENTIAL_MAX
        chosen = np.flatnonzero(unsafe)
    else:
        scaled_norms = np.zeros(n_minor)
        chosen = np.arange(n_minor)
    if chosen.size:
        e_c, s_c = _minor_careful_parts(X, chosen, p)
        exponents[chosen] = e_c
        scaled_norms[chosen] = root(s_c, p)
    return exponents, scaled_norms


def normalize_minor(X, out_data, p, eps, max_norm, with_norms):
    """Scale every minor vector of ``X`` (CSC rows) into ``out_data``."""
    exponents, scaled_norms = minor_scaled_norms(X, p)
    norms = true_norms(exponents, scaled_norms) if with_norms else None
    exponents, gains = scale_parts(exponents, scaled_norms, eps, max_norm)
    scale_minor(X, out_data, exponents, gains)
    return norms


def major_norms(X, p):
    """Float64 norm of every major vector of ``X``."""
    indptr = X.indptr
    norms = np.zeros(indptr.shape[0] - 1)
    for rows, lo, hi, starts, _ in _major_blocks(indptr):
        _, _, norms[rows] = segment_scaling(
            X.data[lo:hi], starts, p, 0.0, None, with_norms=True
        )
    return norms


def minor_norms(X, p):
    """Float64 norm of every minor vector of ``X``."""
    exponents, scaled_norms = minor_scaled_norms(X, p)
    return true_norms(exponents, scaled_norms)
