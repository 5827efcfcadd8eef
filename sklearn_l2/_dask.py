"""Lazy normalization of ``dask.array.Array`` data.

Every function here returns Dask arrays and computes nothing: the work is
done block by block by the NumPy kernels when the result is computed, so
data larger than memory are normalized in bounded memory. Everything here
works on 2-D arrays and knows nothing of estimators; Dask is imported only
when a Dask array is seen.

* ``axis=1``: each row must sit in one block, so the columns are gathered
  into one block (``rechunk``) when they are split, then every row block is
  normalized independently (``map_blocks``).
* ``axis=0``: the overflow-safe power sums ``(e, s)`` of every column (see
  :mod:`sklearn_l2._segments`) are computed per row block and merged by one
  tree reduction (``dask.array.reduction``), without materializing ``X``;
  every block is then scaled by the merged column scaling.
"""

import sys
from functools import partial

import numpy as np
from sklearn.utils.validation import FLOAT_DTYPES, check_array

from . import _dense
from ._segments import combine_parts, root, scale_parts, true_norms

# One record per column: its power sum ``2**(p*e) * s`` and how many of its
# entries are observed (not NaN).
PARTS_DTYPE = np.dtype([("e", np.int64), ("s", np.float64), ("n", np.int64)])


def is_dask_array(X):
    """Whether ``X`` is a ``dask.array.Array`` (without importing Dask)."""
    if "dask.array" not in sys.modules:
        return False
    import dask.array as da

    return isinstance(X, da.Array)


handles = is_dask_array


def validated_dtype(dtype):
    """The dtype that validation gives a NumPy array of ``dtype``.

    The NumPy path keeps native float64, float32 and float16 and makes
    float64 of everything else: other byte orders, long double, integers and
    booleans. Asking scikit-learn's ``check_array`` about a one-entry array
    keeps the Dask path in step with it without computing anything.
    """
    return check_array(np.zeros((1, 1), dtype=dtype), dtype=FLOAT_DTYPES).dtype


def check_input(X):
    """Check a Dask array lazily: 2-D, known width, numbers made float.

    Infinite values can only be found when the data are read: the block
    kernels raise the usual ``ValueError`` then.
    """
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-D Dask array, got {X.ndim}-D with shape {X.shape}."
        )
    if np.isnan(X.shape[1]):
        raise ValueError(
            "The number of columns of the Dask array is unknown; call "
            "X.compute_chunk_sizes() first."
        )
    if X.shape[0] == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
            "of 1 is required."
        )
    if X.shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum "
            "of 1 is required."
        )
    if X.dtype.kind in "biuf":
        dtype = validated_dtype(X.dtype)
        return X if dtype == X.dtype else X.astype(dtype)
    raise ValueError(
        f"Dask array of dtype {X.dtype} cannot be normalized: expected "
        "numbers (float, integer or boolean)."
    )


def _checked_block(block):
    """A float32/float64 NumPy block, after the finiteness check."""
    if np.isinf(block).any():
        raise ValueError("Input contains infinity or a value too large.")
    if block.dtype == np.float16:
        return block.astype(np.float32)
    return block


def _one_column_block(X):
    return X.rechunk({1: -1}) if X.numblocks[1] > 1 else X


def _normalize_rows_block(block, p, eps, max_norm):
    from ._normalize import transform_validated  # imports this module

    result, _ = transform_validated(
        _checked_block(block),
        p=p,
        axis=1,
        eps=eps,
        max_norm=max_norm,
        in_place=False,
        with_norms=False,
    )
    return result.astype(block.dtype, copy=False)


def _row_norms_block(block, p):
    from ._normalize import norms_validated  # imports this module

    return norms_validated(_checked_block(block), p, 1)


def _parts_chunk(block, axis, keepdims, p):
    """The ``(e, s, n)`` record of every column of one row block."""
    data = _checked_block(block)
    parts = np.zeros((1, data.shape[1]), dtype=PARTS_DTYPE)
    if data.shape[0]:
        parts["e"][0], parts["s"][0] = _dense.column_parts(data, p)
        parts["n"][0] = data.shape[0] - np.isnan(data).sum(axis=0)
    return parts if keepdims else parts[0]


def _parts_combine(parts, axis, keepdims, p):
    """Merge the records of several blocks (stacked along axis 0)."""
    parts = parts.reshape(-1, parts.shape[-1])
    merged = np.zeros((1, parts.shape[1]), dtype=PARTS_DTYPE)
    merged["e"][0], merged["s"][0] = combine_parts(parts["e"], parts["s"].copy(), p)
    merged["n"][0] = parts["n"].sum(axis=0)
    return merged if keepdims else merged[0]


def column_parts(X, p):
    """Lazy ``(e, s, n)`` records of every column: one Dask reduction."""
    import dask.array as da

    return da.reduction(
        X,
        chunk=partial(_parts_chunk, p=p),
        combine=partial(_parts_combine, p=p),
        aggregate=partial(_parts_combine, p=p),
        axis=0,
        dtype=PARTS_DTYPE,
        meta=np.empty((0,), dtype=PARTS_DTYPE),
        concatenate=True,
    )


def column_statistics(X, p):
    """Computed ``(e, s, n_observed)`` of every column, as NumPy arrays."""
    parts = column_parts(X, p).compute()
    observed = parts["n"]
    n_samples = X.shape[0]
    if not np.isnan(n_samples) and (observed == n_samples).all():
        observed = int(n_samples)
    return parts["e"], parts["s"], observed


def _scale_block(block, exponents, gains):
    data = _checked_block(block)
    out = np.empty_like(data)
    _dense.scale_columns(data, out, exponents.reshape(-1), gains.reshape(-1))
    return out.astype(block.dtype, copy=False)


def _scaling_from_parts(parts, p, eps, max_norm):
    exponents, gains = scale_parts(parts["e"], root(parts["s"], p), eps, max_norm)
    return exponents, gains


def scale_columns(X, exponents, gains):
    """Lazily scale column ``j`` of ``X`` by ``2**-e[j] * g[j]``."""
    import dask.array as da

    column_chunks = (X.chunks[1],)
    e = da.from_array(np.asarray(exponents), chunks=column_chunks)
    g = da.from_array(np.asarray(gains, dtype=np.float64), chunks=column_chunks)
    return da.map_blocks(
        _scale_block, X, e[None, :], g[None, :], dtype=X.dtype, meta=X._meta
    )


def _scale_block_by_parts(block, parts, p, eps, max_norm):
    exponents, gains = _scaling_from_parts(parts.reshape(-1), p, eps, max_norm)
    return _scale_block(block, exponents, gains)


def normalize(X, p, axis, eps, max_norm, with_norms):
    """Lazy ``(result, norms or None)``, as the NumPy ``transform_validated``."""
    import dask.array as da

    if axis == 1:
        X = _one_column_block(X)
        result = X.map_blocks(
            _normalize_rows_block, p, eps, max_norm, dtype=X.dtype, meta=X._meta
        )
        return result, norms(X, p, axis) if with_norms else None
    parts = column_parts(X, p)
    result = da.map_blocks(
        _scale_block_by_parts,
        X,
        parts[None, :],
        p,
        eps,
        max_norm,
        dtype=X.dtype,
        meta=X._meta,
    )
    return result, _norms_from_parts(parts, p) if with_norms else None


def _norms_from_parts(parts, p):
    return parts.map_blocks(
        lambda block: true_norms(block["e"], root(block["s"], p)),
        dtype=np.float64,
        meta=np.empty((0,), dtype=np.float64),
    )


def norms(X, p, axis):
    """Lazy float64 norms of the rows (``axis=1``) or columns of ``X``."""
    if axis == 0:
        return _norms_from_parts(column_parts(X, p), p)
    X = _one_column_block(X)
    return X.map_blocks(
        _row_norms_block,
        p,
        drop_axis=1,
        dtype=np.float64,
        meta=np.empty((0,), dtype=np.float64),
    )
