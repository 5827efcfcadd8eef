"""NumPy arrays and SciPy sparse matrices as vectors for the compiled kernels.

A *major* vector is contiguous in memory (a row of a C-ordered array, a CSR
row, a CSC column); a *minor* one is spread over the major ones (a column of
a C-ordered array, a CSC row, a CSR column). This module picks which one the
vectors along ``axis`` are and calls :mod:`sklearn_l2._kernels`. Its input
is already validated: float32 or float64, sparse matrices canonical.

A vector's norm travels as its *parts* ``(E, hi, lo)`` (see ``_vector.h``),
which can be merged (``partial_fit``, Dask chunks) before the norm
or the scaling is taken from them.
"""

import os
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from . import _kernels

# Below this many entries a call stays on one thread: waking the others (and,
# on a busy machine, waiting for them at the end of a parallel loop) costs
# more than it saves.
PARALLEL_MIN_ENTRIES = 1 << 22
# Fresh dense outputs at least this large are written with streaming stores.
STREAM_MIN_ENTRIES = 1 << 18

_NO_INDPTR = np.empty(0, np.int64)


def n_threads(n_entries):
    """Threads for a call on ``n_entries``: OpenMP's limit, capped by the CPUs.

    The limit follows ``OMP_NUM_THREADS``, ``threadpoolctl.threadpool_limits``
    and the limits joblib sets in its workers.
    """
    if n_entries < PARALLEL_MIN_ENTRIES:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _kernels.max_threads()))


class Parts(NamedTuple):
    """The norms of a set of vectors as mergeable parts (one entry each)."""

    kind: int
    p: float
    E: np.ndarray
    hi: np.ndarray
    lo: np.ndarray

    @classmethod
    def from_scaled_sums(cls, p, e, s):
        """Parts of vectors whose power sum is ``2**(p*e) * s`` (p in {1, 2})
        or whose norm is ``2**e * s`` (other p, max): what the array API
        path computes."""
        kind = _kernels.kind_of(p)
        E, hi, lo = _kernels.from_scaled_sums(
            kind,
            float(p),
            np.ascontiguousarray(e, dtype=np.int64),
            np.ascontiguousarray(s, dtype=np.float64),
        )
        return cls(kind, float(p), E, hi, lo)

    def merged(self, other):
        """The parts of both sets of values together (same vectors)."""
        E, hi, lo = self.E.copy(), self.hi.copy(), self.lo.copy()
        _kernels.merge(self.kind, self.p, E, hi, lo, other.E, other.hi, other.lo)
        return self._replace(E=E, hi=hi, lo=lo)

    def norms(self):
        """Float64 norms (inf only where the norm exceeds the float64 range)."""
        return _kernels.norms_of(self.kind, self.E, self.hi, self.lo)

    def scaling(self, eps, max_norm):
        """Multipliers ``(k, g)``: a vector is scaled by ``2**k * g``."""
        return _kernels.factors(
            self.kind, self.E, self.hi, self.lo, eps, max_norm or 0.0
        )


def _major(X, axis):
    """Whether the vectors along ``axis`` are the major ones of sparse ``X``."""
    return (X.format == "csr") == (axis == 1)


def _rows_view(X, axis):
    """``(A, major)``: a C-ordered 2-D view of dense ``X`` and whether the
    vectors along ``axis`` are its rows; None if ``X`` is not contiguous."""
    if X.flags.c_contiguous:
        return X, axis == 1
    if X.flags.f_contiguous:
        return X.T, axis == 0
    return None


def _contiguous(X):
    """Whether the arrays of sparse ``X`` are contiguous, as kernels need."""
    return all(a.flags.c_contiguous for a in (X.data, X.indices, X.indptr))


def parts(X, p, axis):
    """The parts of every vector of validated ``X`` along ``axis``."""
    kind = _kernels.kind_of(p)
    if sp.issparse(X) and not _contiguous(X):
        X = X.copy()  # copies are contiguous
    if sp.issparse(X):
        if _major(X, axis):
            return Parts(kind, p, *_major_parts(X.data, X.indptr, 0, kind, p))
        return Parts(kind, p, *_sparse_minor_parts(X, kind, p))
    view = _rows_view(X, axis)
    if view is None:
        return parts(np.ascontiguousarray(X), p, axis)
    A, major = view
    if major:
        return Parts(
            kind, p, *_major_parts(A.reshape(-1), _NO_INDPTR, A.shape[1], kind, p)
        )
    return Parts(kind, p, *_dense_minor_parts(A, kind, p))


def _major_parts(data, indptr, length, kind, p):
    return _kernels.major_parts(data, indptr, length, kind, p, n_threads(data.size))


def _dense_minor_parts(A, kind, p):
    """Parts of the columns of C-ordered ``A``."""
    if kind > 2:  # other p and max: as rows of the transpose
        At = np.ascontiguousarray(A.T)
        return _major_parts(At.reshape(-1), _NO_INDPTR, At.shape[1], kind, p)
    result = _kernels.minor_parts_dense(A, kind, n_threads(A.size))
    if result is None:
        _raise_infinity(A.dtype)
    E, hi, lo, status = result
    redo = np.flatnonzero(status == 0)
    if redo.size:
        columns = np.ascontiguousarray(A[:, redo].T)
        E[redo], hi[redo], lo[redo] = _kernels.major_parts(
            columns.reshape(-1), _NO_INDPTR, columns.shape[1], kind, p, 1
        )
    return E, hi, lo


def _sparse_minor_parts(X, kind, p):
    """Parts of the minor vectors (CSC rows, CSR columns) of canonical ``X``."""
    other = "csc" if X.format == "csr" else "csr"
    if kind > 2:
        T = X.asformat(other)
        return _major_parts(T.data, T.indptr, 0, kind, p)
    n_minor = X.shape[1] if X.format == "csr" else X.shape[0]
    result = _kernels.minor_parts_sparse(
        X.data, X.indices, X.indptr, n_minor, kind, n_threads(X.data.size)
    )
    if result is None:
        _raise_infinity(X.dtype)
    E, hi, lo, status = result
    redo = np.flatnonzero(status == 0)
    if redo.size:
        sub = (X[:, redo] if X.format == "csr" else X[redo, :]).asformat(other)
        E[redo], hi[redo], lo[redo] = _kernels.major_parts(
            sub.data, sub.indptr, 0, kind, p, 1
        )
    return E, hi, lo


def _raise_infinity(dtype):
    raise ValueError(
        f"Input contains infinity or a value too large for {np.dtype(dtype)!r}."
    )


def empty_like(X):
    """A sparse matrix with the structure of ``X`` and uninitialized data."""
    return type(X)(
        (np.empty_like(X.data), X.indices.copy(), X.indptr.copy()),
        shape=X.shape,
        copy=False,
    )


def normalize(X, p, axis, eps, max_norm, in_place, with_norms):
    """Scale every vector of validated ``X`` along ``axis``; ``(result, norms)``.

    ``in_place`` says that ``X`` may be overwritten. Infinity raises before
    anything is written to ``X``.
    """
    kind = _kernels.kind_of(p)
    if sp.issparse(X) and not _contiguous(X):
        result, norms = normalize(X.copy(), p, axis, eps, max_norm, True, with_norms)
        if in_place:
            X.data[...] = result.data
            result = X
        return result, norms
    if sp.issparse(X):
        out = X if in_place else empty_like(X)
        if _major(X, axis):
            norms = _kernels.major_normalize(
                X.data,
                X.indptr,
                0,
                out.data,
                kind,
                p,
                eps,
                max_norm or 0.0,
                with_norms,
                False,
                n_threads(X.data.size),
            )
            return out, norms
        vector_parts = Parts(kind, p, *_sparse_minor_parts(X, kind, p))
        _scale_sparse_minor(X, out, vector_parts.scaling(eps, max_norm))
        return out, vector_parts.norms() if with_norms else None
    view = _rows_view(X, axis)
    if view is None:
        result, norms = normalize(
            np.ascontiguousarray(X), p, axis, eps, max_norm, True, with_norms
        )
        if in_place:
            X[...] = result
            result = X
        return result, norms
    out = X if in_place else np.empty_like(X)
    A, major = view
    out_A = out.T if A is not X else out
    if major:
        norms = _kernels.major_normalize(
            A.reshape(-1),
            _NO_INDPTR,
            A.shape[1],
            out_A.reshape(-1),
            kind,
            p,
            eps,
            max_norm or 0.0,
            with_norms,
            not in_place and A.size >= STREAM_MIN_ENTRIES,
            n_threads(A.size),
        )
        return out, norms
    vector_parts = Parts(kind, p, *_dense_minor_parts(A, kind, p))
    k, g = vector_parts.scaling(eps, max_norm)
    _kernels.minor_scale_dense(A, out_A, k, g, n_threads(A.size))
    return out, vector_parts.norms() if with_norms else None


def _scale_sparse_minor(X, out, scaling):
    k, g = scaling
    _kernels.minor_scale_sparse(
        X.data, X.indices, out.data, k, g, n_threads(X.data.size)
    )


def scale(X, scaling, axis, in_place):
    """Validated ``X`` with every vector along ``axis`` times its multiplier."""
    k, g = scaling
    if sp.issparse(X) and not _contiguous(X):
        result = scale(X.copy(), scaling, axis, True)
        if in_place:
            X.data[...] = result.data
            result = X
        return result
    if sp.issparse(X):
        out = X if in_place else empty_like(X)
        if _major(X, axis):
            _kernels.major_scale(
                X.data, X.indptr, 0, out.data, k, g, False, n_threads(X.data.size)
            )
        else:
            _scale_sparse_minor(X, out, scaling)
        return out
    view = _rows_view(X, axis)
    if view is None:
        result = scale(np.ascontiguousarray(X), scaling, axis, True)
        if in_place:
            X[...] = result
            result = X
        return result
    out = X if in_place else np.empty_like(X)
    A, major = view
    out_A = out.T if A is not X else out
    if major:
        _kernels.major_scale(
            A.reshape(-1),
            _NO_INDPTR,
            A.shape[1],
            out_A.reshape(-1),
            k,
            g,
            not in_place and A.size >= STREAM_MIN_ENTRIES,
            n_threads(A.size),
        )
    else:
        _kernels.minor_scale_dense(A, out_A, k, g, n_threads(A.size))
    return out
