"""Normalization kernels for CSR and CSC matrices.

A compressed matrix stores its *major* vectors (CSR rows, CSC columns) as
contiguous runs of ``data``; the other axis is its *minor* axis. Scaling the
major vectors uses the segment kernels directly, block by block. Scaling along
the minor axis (the rows of a CSC matrix) gathers one factor per stored entry.
Only ``data`` is ever written: the sparsity structure is kept as it is,
explicit zeros included. Inputs must be canonical (no duplicate entries).
"""

import numpy as np

from ._parallel import run_tasks
from ._segments import (
    _quiet,
    careful_parts,
    combine_parts,
    entry_powers,
    fast_norms,
    fold_factors,
    gather_segments,
    long_segment_parts,
    rescale_unfolded,
    root,
    safe_sum_range,
    scale_long_segment,
    scale_parts,
    scratch_buffer,
    segment_scaling,
    true_norm_of,
    true_norms,
    unsafe_fast_sums,
)

# Stored entries processed at once (2 MiB of float64), as for dense rows;
# measured on a CSR matrix of 5e7 entries with 2 threads: 128k-entry blocks
# were 1.1x slower.
BLOCK_ENTRIES = 1 << 18

# Matrices with fewer stored entries than this are processed by the calling
# thread alone.
PARALLEL_MIN_ENTRIES = 1 << 20

# Stored entries per task when a minor-axis sum is accumulated by
# ``np.bincount``: each task adds a whole ``n_minor``-sized partial, so tasks
# must be much larger than the minor axis is long.
MINOR_TASK_ENTRIES = 1 << 22

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


def empty_data_like(X):
    """A matrix with ``X``'s structure (copied) and uninitialized ``data``.

    For a normalized copy the kernels write every stored entry, so copying
    ``X.data`` first would be a wasted pass over the largest array.
    """
    out = X.__class__(
        (np.empty_like(X.data), X.indices.copy(), X.indptr.copy()), shape=X.shape
    )
    out.has_canonical_format = X.has_canonical_format
    return out


def _block_bounds(indptr):
    """First major vector of every block of about ``BLOCK_ENTRIES`` entries."""
    n_major = indptr.shape[0] - 1
    targets = np.arange(indptr[0], indptr[-1], BLOCK_ENTRIES)
    firsts = np.searchsorted(indptr, targets, side="right") - 1
    bounds = np.unique(np.concatenate(([0], firsts.clip(0, n_major), [n_major])))
    return bounds


def _threads_for(n_entries):
    return 1 if n_entries < PARALLEL_MIN_ENTRIES else None


@_quiet
def normalize_major(X, out_data, p, eps, max_norm, with_norms):
    """Scale every major vector of ``X`` to unit norm into ``out_data``.

    Blocks of major vectors are independent tasks run on the thread pool.
    For the l2 norm in unit mode the squares of a block are summed pairwise
    (``np.add.reduceat``) and the block is scaled by the reciprocals straight
    away; blocks with a vector that is unsafe for that fast path go through
    :func:`segment_scaling`.
    """
    indptr, data = X.indptr, X.data
    n_major = indptr.shape[0] - 1
    norms = np.zeros(n_major) if with_norms else None
    bounds = _block_bounds(indptr)
    fast = p == 2 and eps == 0 and max_norm is None and data.dtype.kind == "f"

    def task(b):
        first, last = bounds[b], bounds[b + 1]
        lo, hi = indptr[first], indptr[last]
        if hi == lo:
            return
        values = data[lo:hi]
        if last - first == 1 and hi - lo > BLOCK_ENTRIES:
            _normalize_long(values, out_data[lo:hi], p, eps, max_norm, norms, first)
            return
        counts = np.diff(indptr[first : last + 1])
        if fast and _fast_l2_block(
            values, out_data[lo:hi], indptr[first:last] - lo, counts, norms, first, last
        ):
            return
        nonempty = np.flatnonzero(counts)
        starts = indptr[first:last][nonempty] - lo
        lengths = counts[nonempty]
        exponents, gains, block_norms = segment_scaling(
            values, starts, p, eps, max_norm, with_norms=with_norms
        )
        _scale_segments_into(values, out_data[lo:hi], starts, lengths, exponents, gains)
        if with_norms:
            norms[first + nonempty] = block_norms

    run_tasks(task, bounds.shape[0] - 1, _threads_for(data.shape[0]))
    return norms


def _normalize_long(values, out, p, eps, max_norm, norms, i):
    """One major vector too long for a block, chunk by chunk."""
    e, s = long_segment_parts(values, p)
    exponents, gains = scale_parts(e[None], root(s, p)[None], eps, max_norm)
    scale_long_segment(values, out, exponents[0], gains[0])
    if norms is not None:
        norms[i] = true_norm_of(e, s, p)


def _fast_l2_block(values, out, starts, counts, norms, first, last):
    """Unit-l2 scaling of one block if every vector is safe; False otherwise.

    Empty vectors are skipped by ``reduceat`` through their repeated start
    (their sum is discarded: ``np.repeat`` gives them no entry).
    """
    squares = scratch_buffer(values.shape[0])
    np.square(values, out=squares, dtype=np.float64)
    nonempty = counts > 0
    all_nonempty = nonempty.all()
    if not all_nonempty:
        starts = starts[nonempty]
        counts = counts[nonempty]
    sums = np.add.reduceat(squares, starts)
    low, high = safe_sum_range(np.dtype(np.float64), values.dtype)
    if not (sums.min() >= low and sums.max() <= high):  # NaN fails too
        return False
    block_norms = np.sqrt(sums, out=sums)
    if norms is not None:
        if all_nonempty:
            norms[first:last] = block_norms
        else:
            norms[first + np.flatnonzero(nonempty)] = block_norms
    factors = np.divide(1.0, block_norms, out=block_norms)
    np.multiply(
        values, np.repeat(factors.astype(values.dtype, copy=False), counts), out=out
    )
    return True


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


@_quiet
def scale_minor(X, out_data, exponents, gains):
    """Scale minor vector ``j`` of ``X`` by ``2**-e[j] * g[j]`` into ``out_data``."""
    factors, unfolded = fold_factors(exponents, gains, X.data.dtype)
    factors = factors.astype(X.data.dtype)
    indices, data = X.indices, X.data
    n_blocks = -(-indices.shape[0] // BLOCK_ENTRIES)

    def task(b):
        part = slice(b * BLOCK_ENTRIES, (b + 1) * BLOCK_ENTRIES)
        # np.take releases the GIL, unlike fancy indexing in older NumPy.
        np.multiply(data[part], np.take(factors, indices[part]), out=out_data[part])

    run_tasks(task, n_blocks, _threads_for(indices.shape[0]))
    if unfolded.any():
        hit = np.flatnonzero(unfolded[indices])
        idx = indices[hit]
        out_data[hit] = rescale_unfolded(data[hit], exponents[idx], gains[idx])


def _minor_sums(X, p, with_counts):
    """Fast minor-axis power sums (and entry counts), chunk by chunk.

    Every task adds one chunk of ``data`` into the sums with ``np.bincount``.
    A vector's terms are so added one after another, wherever they lie, so
    a vector of ``k`` stored entries errs by at most ``k - 1`` rounding units
    (the reason :func:`minor_scaled_norms` recomputes long float64 vectors);
    one sums array serves every chunk. No temporary is as large as ``data``.
    """
    n_minor = _minor_size(X)
    indices, data = X.indices, X.data
    n_tasks = max(1, -(-indices.shape[0] // MINOR_TASK_ENTRIES))
    step = -(-indices.shape[0] // n_tasks)
    sums = np.zeros(n_minor)
    counts = np.zeros(n_minor, dtype=np.int64) if with_counts else None

    def task(t):
        part = slice(t * step, (t + 1) * step)
        idx = indices[part]
        if p == np.inf:
            # A missing value makes its vector's maximum NaN: the careful
            # path then recomputes it, so NumPy's warning says nothing new.
            with np.errstate(invalid="ignore"):
                np.maximum.at(sums, idx, np.abs(data[part]))
        else:
            powers = entry_powers(data[part], p)
            np.add(sums, np.bincount(idx, weights=powers, minlength=n_minor), out=sums)
        if with_counts:
            np.add(counts, np.bincount(idx, minlength=n_minor), out=counts)

    # np.bincount holds the GIL, and the tasks share the sums: one thread.
    run_tasks(task, n_tasks, 1)
    return sums, counts


# Exponent given to a (vector, chunk) pair with no non-zero entry, so that it
# never dominates when the chunks of a vector are combined.
_ABSENT = -(1 << 20)


def _minor_careful_parts(X, chosen, p):
    """Exact ``(e, s)`` of the chosen minor vectors, chunk by chunk.

    In every chunk of ``MINOR_TASK_ENTRIES`` stored entries, the entries of
    the chosen vectors are gathered by a stable sort and summed by
    :func:`careful_parts`; the chunks' parts are combined pairwise. No
    temporary is larger than a chunk.
    """
    selected = np.zeros(_minor_size(X), dtype=bool)
    selected[chosen] = True
    indices, data = X.indices, X.data
    n_tasks = max(1, -(-indices.shape[0] // MINOR_TASK_ENTRIES))
    step = -(-indices.shape[0] // n_tasks)
    exponents = np.full((n_tasks, chosen.shape[0]), _ABSENT, dtype=np.int64)
    sums = np.zeros((n_tasks, chosen.shape[0]))
    for t in range(n_tasks):
        part = slice(t * step, (t + 1) * step)
        idx = indices[part]
        hit = np.flatnonzero(selected[idx])
        if not hit.size:
            continue
        owners = idx[hit]
        order = np.argsort(owners, kind="stable")
        owners = owners[order]
        values = data[part][hit[order]]
        present, starts = np.unique(owners, return_index=True)
        where = np.searchsorted(chosen, present)
        e, s = careful_parts(values, starts, p)
        exponents[t, where] = np.where(s > 0, e, _ABSENT)
        sums[t, where] = s
    if n_tasks == 1:
        e, s = exponents[0], sums[0]
    else:
        e, s = combine_parts(exponents, sums, p)
    return np.where(s > 0, e, 0), s


def _minor_size(X):
    return X.shape[1] if X.format == "csr" else X.shape[0]


def minor_scaled_norms(X, p):
    """``(e, ns)`` with ``2**e * ns`` the norm of every minor vector of ``X``."""
    n_minor = _minor_size(X)
    exponents = np.zeros(n_minor, dtype=np.int64)
    if p in (1, 2, np.inf):
        # float32 squares are exact in float64 and their float64 sum, in any
        # order, errs far below float32's rounding: only float64 sums of many
        # terms need the exact recompute.
        sequential_risk = p != np.inf and X.data.dtype.itemsize >= 8
        sums, counts = _minor_sums(X, p, with_counts=sequential_risk)
        scaled_norms = fast_norms(sums, p)
        # A zero sum is a zero vector or an underflow; an underflow is only
        # possible with a non-zero entry, i.e. with a non-zero sum of |x|.
        unsafe = unsafe_fast_sums(sums, p)
        if sequential_risk:
            unsafe &= counts > 0
            unsafe |= counts > MINOR_SEQUENTIAL_MAX
        else:
            # float32 squares cannot underflow in float64: 0 is a zero vector.
            unsafe &= sums != 0
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
