"""NumPy arrays and SciPy sparse matrices: the adapter of the compiled kernels.

It offers the adapter protocol that :mod:`sklearn_l2._dask` and
:mod:`sklearn_l2._array_api` offer too: ``normalize``, ``norms``,
``column_parts`` and ``scale_columns``, with the same arguments and
returns. Input is validated: float16, float32 or float64, CSR or CSC in
canonical form. Here each container is mapped onto the kernels' *major*
vectors (contiguous: rows of a C-ordered array, CSR rows, CSC columns) and
*minor* ones (the others); float16 is computed in float32, once, here.
"""

import os
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from . import _kernels

# Below this many entries a call stays on one thread: waking the others
# costs more than it saves.
PARALLEL_MIN_ENTRIES = 1 << 20


def n_threads(n_entries):
    """OpenMP's thread limit (``OMP_NUM_THREADS``, threadpoolctl, joblib's
    workers) capped by the CPUs this process may use; 1 for small calls."""
    if n_entries < PARALLEL_MIN_ENTRIES:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _kernels.max_threads()))


class Parts(NamedTuple):
    """The norms of a set of vectors as mergeable parts ``(E, hi, lo)``."""

    p: float
    E: np.ndarray
    hi: np.ndarray
    lo: np.ndarray

    @property
    def kind(self):
        return _kernels.kind_of(self.p)

    def merged(self, other):
        """The parts of both sets of entries together (same vectors)."""
        E, hi, lo = self.E.copy(), self.hi.copy(), self.lo.copy()
        _kernels.merge(self.kind, self.p, E, hi, lo, other.E, other.hi, other.lo)
        return self._replace(E=E, hi=hi, lo=lo)

    def norms(self):
        """Float64 norms (inf only where the norm exceeds the float64 range)."""
        return _kernels.norms_of(self.kind, self.p, self.E, self.hi, self.lo)

    def scaling(self, eps, max_norm):
        """Multipliers ``(k, g)``: a vector is scaled by ``2**k * g``."""
        return _kernels.factors(
            self.kind, self.p, self.E, self.hi, self.lo, eps, max_norm or 0.0
        )

    @classmethod
    def from_scaled_sums(cls, p, e, s):
        """Parts of vectors whose power sum is ``2**(p * e) * s`` (l1, l2) or
        whose norm is ``2**e * s`` (other p), as other libraries give them.

        A norm is taken as the one entry of a vector: the p-norm of
        ``(norm(a), norm(b))`` is that of ``a`` and ``b`` together.
        """
        e, s = np.asarray(e, np.int64), np.asarray(s, np.float64)
        E, hi, lo = e.copy(), s.copy(), np.zeros_like(s)
        if p not in (1, 2):
            mantissa, shift = np.frexp(s)
            E = e + shift - 1  # 2**E <= norm < 2**(E + 1)
            hi = 2.0 * mantissa
            if p != np.inf and _kernels.kind_of(p) == _kernels.kind_of(3):
                step = _kernels.grid(p)
                E, hi = E - E % step, (hi * 2.0 ** (E % step)) ** p
        empty = ~(s > 0)
        E[empty], hi[empty] = _kernels.EMPTY, 0.0
        return cls(float(p), E, hi, lo)


def _kernel_form(X):
    """``X`` as the kernels read it (a new array where it must change):
    float32 for float16, contiguous arrays, one index dtype."""
    if X.dtype == np.float16:
        X = X.astype(np.float32)
    if sp.issparse(X):
        arrays = (X.data, X.indices, X.indptr)
        if X.indices.dtype != X.indptr.dtype or not all(
            a.flags.c_contiguous for a in arrays
        ):
            index = np.int64 if np.int64 in (X.indices.dtype, X.indptr.dtype) else None
            X = type(X)(
                (
                    X.data.copy(),
                    X.indices.astype(index or np.int32),
                    X.indptr.astype(index or np.int32),
                ),
                shape=X.shape,
            )
        return X
    if not (X.flags.c_contiguous or X.flags.f_contiguous):
        return np.ascontiguousarray(X)
    return X


def _layout(X, axis):
    """``(kernel arguments, major)`` for the vectors of ``X`` along ``axis``."""
    if sp.issparse(X):
        n_major, n_minor = X.shape if X.format == "csr" else X.shape[::-1]
        args = (X.data, X.indices, X.indptr, 0, n_major, n_minor)
        return args, (X.format == "csr") == (axis == 1)
    rows = X if X.flags.c_contiguous else X.T
    args = (rows.reshape(-1), None, None, rows.shape[1], *rows.shape)
    return args, (axis == 1) == (rows is X)


def _data(X):
    """The flat values of ``X`` in the order of :func:`_layout`."""
    if sp.issparse(X):
        return X.data
    return (X if X.flags.c_contiguous else X.T).reshape(-1)


def _fresh_like(X):
    if sp.issparse(X):
        return type(X)(
            (np.empty_like(X.data), X.indices.copy(), X.indptr.copy()), shape=X.shape
        )
    return np.empty_like(X, order="K")


def _output(X, Y, in_place):
    """Where the kernels write, reading ``Y`` (``X`` in kernel form)."""
    return Y if (Y is not X or in_place) else _fresh_like(X)


def _delivered(X, out, in_place):
    """The result in ``X``'s dtype: ``X`` itself when in place."""
    if out is X:
        return X
    if in_place:  # computed on a converted copy: written back
        (X.data if sp.issparse(X) else X)[...] = out.data if sp.issparse(X) else out
        return X
    return out if out.dtype == X.dtype else out.astype(X.dtype)


def _minor_parts(args, p, threads, largest=None):
    data, indices, indptr, _, n_major, n_minor = args
    kind = _kernels.kind_of(p)
    return Parts(
        p,
        *_kernels.minor_parts(
            data, indices, indptr, n_major, n_minor, kind, p, threads, largest
        ),
    )


def _parts(Y, p, axis, largest=None):
    args, major = _layout(Y, axis)
    threads = n_threads(args[0].size)
    if not major or largest is not None:
        if major:  # a chunk of a longer vector: read as its minor vectors
            Y = np.ascontiguousarray(Y) if not sp.issparse(Y) else Y.asformat("csr")
            args, _ = _layout(Y, axis)
        return _minor_parts(args, p, threads, largest)
    _, parts = _kernels.major(
        *args[:5], _kernels.kind_of(p), p, with_parts=True, threads=threads
    )
    return Parts(p, *parts)


def normalize(X, p, axis, eps, max_norm, in_place, with_norms):
    """Scale every vector of validated ``X`` along ``axis``: ``(result, norms)``.

    ``in_place`` says that ``X`` may be overwritten; infinity raises before
    anything is written to it.
    """
    Y = _kernel_form(X)
    out = _output(X, Y, in_place)
    args, major = _layout(Y, axis)
    threads = n_threads(args[0].size)
    if major:
        norms, _ = _kernels.major(
            *args[:5],
            _kernels.kind_of(p),
            p,
            eps,
            max_norm or 0.0,
            _data(out),
            with_norms,
            threads=threads,
        )
    else:
        parts = _minor_parts(args, p, threads)
        k, g = parts.scaling(eps, max_norm)
        _kernels.scale(*args, k, g, _data(out), False, threads)
        norms = parts.norms() if with_norms else None
    return _delivered(X, out, in_place), norms


def norms(X, p, axis):
    """Float64 norms of the rows (``axis=1``) or columns of validated ``X``."""
    return _parts(_kernel_form(X), p, axis).norms()


def column_parts(X, p, largest=None):
    """``(parts, n_observed)`` of every column of validated ``X``.

    ``n_observed`` counts the column's non-missing entries (an int if none
    is missing). ``largest``: the largest absolute entry of each whole
    column, when ``X`` holds some of its rows only (a Dask chunk).
    """
    Y = _kernel_form(X)
    return _parts(Y, p, 0, largest), _observed_counts(Y)


def _observed_counts(X):
    n_samples = X.shape[0]
    values = X.data if sp.issparse(X) else X
    missing = np.isnan(values)
    if not missing.any():
        return n_samples
    if not sp.issparse(X):
        return n_samples - missing.sum(axis=0)
    if X.format == "csr":
        columns = X.indices[missing]
    else:
        columns = np.repeat(np.arange(X.shape[1]), np.diff(X.indptr))[missing]
    return n_samples - np.bincount(columns, minlength=X.shape[1])


def scale_columns(X, scaling, in_place):
    """Validated ``X`` with column ``j`` times ``2**k[j] * g[j]``."""
    k, g = (np.ascontiguousarray(a) for a in scaling)
    Y = _kernel_form(X)
    out = _output(X, Y, in_place)
    args, major = _layout(Y, 0)
    _kernels.scale(*args, k, g, _data(out), major, n_threads(args[0].size))
    return _delivered(X, out, in_place)
