"""Lazy normalization of ``dask.array.Array`` data.

Every function here returns Dask arrays and computes nothing: the work is
done block by block by the NumPy kernels when the result is computed, so
data larger than memory are normalized in bounded memory. Everything here
works on 2-D arrays (an estimator is only handed on to scikit-learn's
validation); Dask is imported only when a Dask array is seen.

* ``axis=1``: each row must sit in one block, so the columns are gathered
  into one block (``rechunk``) when they are split, then every row block is
  normalized independently (``map_blocks``).
* ``axis=0``: the parts of every column's norm (see
  :class:`sklearn_l2._kernels.Parts`) are computed per row block by the
  compiled kernels and merged in double-double by one tree reduction
  (``dask.array.reduction``), without materializing ``X``; every block is
  then scaled by the merged column scaling.

It speaks the adapters' protocol (``check_input``, ``normalize``,
``norms``, ``column_parts``, ``scale_columns``) through
:mod:`sklearn_l2._kernels`, block by block.
"""

from functools import partial

import numpy as np
from sklearn.utils.validation import FLOAT_DTYPES, check_array, validate_data

from . import _kernels

# One record per column: the parts of its norm and how many of its entries
# are observed (not NaN).
PARTS_DTYPE = np.dtype(
    [("E", np.int64), ("hi", np.float64), ("lo", np.float64), ("n", np.int64)]
)


def validated_dtype(dtype):
    """The dtype that validation gives a NumPy array of ``dtype``.

    The NumPy path keeps native float64, float32 and float16 and makes
    float64 of everything else: other byte orders, long double, integers and
    booleans. Asking scikit-learn's ``check_array`` about a one-entry array
    keeps the Dask path in step with it without computing anything.
    """
    return check_array(np.zeros((1, 1), dtype=dtype), dtype=FLOAT_DTYPES).dtype


def check_input(X, estimator=None, reset=True):
    """Check a Dask array lazily: 2-D, known width, numbers made float.

    With an ``estimator``, scikit-learn's ``validate_data`` checks (or, with
    ``reset``, records) the feature count and names. Infinite values can
    only be found when the data are read: the block kernels raise the usual
    ``ValueError`` then.
    """
    if estimator is not None:
        # Names and width only: converting would compute the array.
        validate_data(estimator, X, reset=reset, skip_check_array=True)
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


def _one_column_block(X):
    return X.rechunk({1: -1}) if X.numblocks[1] > 1 else X


def _normalize_rows_block(block, p, eps, max_norm):
    result, _ = _kernels.normalize(block, p, 1, eps, max_norm, False, False)
    return result


def _row_norms_block(block, p):
    return _kernels.norms(block, p, 1)


def _as_records(parts, observed):
    records = np.empty((1, parts.E.size), PARTS_DTYPE)
    records["E"][0], records["hi"][0], records["lo"][0] = parts.E, parts.hi, parts.lo
    records["n"][0] = observed
    return records


def _parts_of(records, p):
    fields = (np.ascontiguousarray(records[name]) for name in ("E", "hi", "lo"))
    return _kernels.Parts(float(p), *fields)


def _parts_block(block, largest=None, *, p):
    parts, observed = _kernels.column_parts(
        np.ascontiguousarray(block), p, None if largest is None else largest[0]
    )
    return _as_records(parts, observed)


def _parts_kept(records, axis, keepdims):
    return records if keepdims else records[0]


def _parts_combine(parts, axis, keepdims, p):
    if isinstance(parts, list):  # dask hands over a list when concatenate=False
        parts = np.concatenate(parts, axis=0)
    merged = _parts_of(parts[0], p)
    for row in parts[1:]:
        merged = merged.merged(_parts_of(row, p))
    records = _as_records(merged, parts["n"].sum(axis=0))
    return records if keepdims else records[0]


def _largest(X, p):
    """Every column's largest absolute entry, lazily, where chunks need it.

    Other p than 1, 2 and max measure every entry in units of its column's
    largest; with the largest of the whole column, every chunk computes the
    terms that one array would, whatever the chunks.
    """
    import dask.array as da

    if p in (1, 2, np.inf):
        return None
    return da.max(da.where(da.isnan(X), 0, da.fabs(X)), axis=0)


def column_records(X, p):
    """Lazy per-column records (``PARTS_DTYPE``): one record per row block,
    merged by one tree reduction."""
    import dask.array as da

    args = [X]
    largest = _largest(X, p)
    if largest is not None:
        args.append(largest.rechunk((X.chunks[1],))[None, :])
    blocks = da.map_blocks(
        partial(_parts_block, p=p),
        *args,
        dtype=PARTS_DTYPE,
        chunks=((1,) * X.numblocks[0], X.chunks[1]),
        meta=np.empty((0, 0), PARTS_DTYPE),
    )
    return da.reduction(
        blocks,
        chunk=_parts_kept,
        combine=partial(_parts_combine, p=p),
        aggregate=partial(_parts_combine, p=p),
        axis=0,
        dtype=PARTS_DTYPE,
        concatenate=True,
        meta=np.empty((0,), PARTS_DTYPE),
    )


def column_parts(X, p):
    """Host ``(parts, n_observed)`` of every column: computes the reduction."""
    records = column_records(X, p).compute()
    observed = records["n"]
    if (observed == X.shape[0]).all():
        observed = X.shape[0]
    return _parts_of(np.ascontiguousarray(records), p), observed


def _scale_block(block, k, g):
    scaling = (np.ascontiguousarray(k.reshape(-1)), np.ascontiguousarray(g.reshape(-1)))
    return _kernels.scale_columns(block, scaling, False)


def scale_columns(X, scaling, in_place):
    """``X`` with column ``j`` multiplied by ``2**k[j] * g[j]``, lazily."""
    import dask.array as da

    chunks = X.chunks[1]
    k = da.from_array(np.asarray(scaling[0], np.int64), chunks=(chunks,))
    g = da.from_array(np.asarray(scaling[1], np.float64), chunks=(chunks,))
    return da.map_blocks(
        _scale_block, X, k[None, :], g[None, :], dtype=X.dtype, meta=X._meta
    )


def _scale_block_by_records(block, records, p, eps, max_norm):
    k, g = _parts_of(np.ascontiguousarray(records.reshape(-1)), p).scaling(
        eps, max_norm
    )
    return _scale_block(block, k, g)


def normalize(X, p, axis, eps, max_norm, in_place, with_norms):
    """Lazy ``(result, norms or None)``: see the module notes."""
    import dask.array as da

    if axis == 1:
        X = _one_column_block(X)
        result = X.map_blocks(
            partial(_normalize_rows_block, p=p, eps=eps, max_norm=max_norm),
            dtype=X.dtype,
            meta=X._meta,
        )
        return result, norms(X, p, axis) if with_norms else None
    records = column_records(X, p)
    result = da.map_blocks(
        partial(_scale_block_by_records, p=p, eps=eps, max_norm=max_norm),
        X,
        records.rechunk((X.chunks[1],))[None, :],
        dtype=X.dtype,
        meta=X._meta,
    )
    return result, _norms_from_records(records, p) if with_norms else None


def _norms_from_records(records, p):
    return records.map_blocks(
        lambda block: _parts_of(np.ascontiguousarray(block), p).norms(),
        dtype=np.float64,
        meta=np.empty((0,), dtype=np.float64),
    )


def norms(X, p, axis):
    """Lazy float64 norms of the rows (``axis=1``) or columns of ``X``."""
    if axis == 0:
        return _norms_from_records(column_records(X, p), p)
    X = _one_column_block(X)
    return X.map_blocks(
        partial(_row_norms_block, p=p),
        drop_axis=1,
        dtype=np.float64,
        meta=np.empty((0,), dtype=np.float64),
    )
