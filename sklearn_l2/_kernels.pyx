# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The NumPy/SciPy adapter (the protocol of :mod:`sklearn_l2._dask`) over
``_vector.h``: containers become *major* vectors (rows of a C-ordered array,
CSR rows, CSC columns) or *minor* ones; float16 is computed in float32; a
norm travels as mergeable *parts* ``(E, hi, lo)``. Input is validated."""

import os
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from cython.parallel cimport prange
from libc.stdint cimport int64_t, uintptr_t
from libc.string cimport memset

cdef extern from "_vector.h" nogil:
    enum:
        L2_MAJOR, L2_MINOR, L2_HAS_INF, L2_SCALE, L2_L2, L2_LP, L2_CHUNK, L2_SPAN
    int64_t L2_EMPTY
    double L2_FAST_MIN, L2_FAST_MAX
    ctypedef struct l2_target:
        pass
    ctypedef struct l2_job:  # see _vector.h
        int op, kind, is64, idx64
        double p
        const void *x
        const void *idx
        const void *ptr
        int64_t length, n_major, n_minor, span
        void *out
        l2_target target
        int64_t *E
        double *hi
        double *lo
        double *norms
        const double *largest
        int by_major
        const int64_t *k
        const double *g
    int l2_kind(double p)
    int64_t l2_grid(double p)
    int l2_select_isa(int limit)
    int l2_max_threads()
    int (*l2_run)(const l2_job *j, int64_t first, int64_t last)
    l2_target l2_make_target(double eps, double max_norm)
    void l2_parts(int kind, double p, int64_t n, int64_t *E, double *h, double *l, const int64_t *E2,
                  const double *h2, const double *l2, const l2_target *t, double *norms, int64_t *k, double *g)

# SKLEARN_L2_CPU=baseline or avx2 lowers the instruction set (same bits).
_ISAS = ("baseline", "avx2", "avx512")
_cap = os.environ.get("SKLEARN_L2_CPU") or "avx512"
if _cap not in _ISAS:
    raise ImportError(f"SKLEARN_L2_CPU={_cap!r} is not one of {', '.join(_ISAS)}.")
ISA = _ISAS[l2_select_isa(_ISAS.index(_cap))]
EMPTY = L2_EMPTY
# Entries a thread takes at a time; smaller calls stay on one thread.
cdef int64_t PIECE = 1 << 16
PARALLEL = 1 << 20

def grid(double p):
    """The grid of exponents of moderate p's parts (0: l1, l2, max, large p)."""
    return l2_grid(p) if l2_kind(p) == L2_LP else 0

def n_threads(n_entries):
    """OpenMP's limit (threadpoolctl, joblib) capped by this process's CPUs."""
    if n_entries < PARALLEL:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cpus or 1, l2_max_threads()))

cdef void *_at(a):
    return <void *><uintptr_t>a.__array_interface__["data"][0] if a is not None else NULL

cdef l2_job _job(int op, x, idx=None, ptr=None, int kind=0, double p=0.0, out=None):
    cdef l2_job j
    memset(&j, 0, sizeof(j))
    j.op, j.kind, j.p, j.is64 = op, kind, p, x.dtype == np.float64
    j.x, j.idx, j.ptr, j.out = _at(x), _at(idx), _at(ptr), _at(out)
    j.idx64 = ptr is not None and ptr.dtype == np.int64
    return j

cdef _run(l2_job *j, int64_t n, int64_t per, int threads):
    """Run ``j`` over [0, n) in pieces of ``per`` on up to ``threads``."""
    cdef int64_t b, pieces = (n + per - 1) // per
    cdef int bad = 0
    if pieces <= 1 or threads <= 1:
        with nogil:
            bad = l2_run(j, 0, n) if n > 0 else 0
    else:
        for b in prange(pieces, nogil=True, num_threads=threads, schedule="dynamic"):
            bad |= l2_run(j, b * per, min((b + 1) * per, n))
    if bad & 2:
        raise MemoryError("no memory for the sparse accumulators")
    if bad:
        dtype = np.dtype(np.float64 if j.is64 else np.float32)
        raise ValueError(f"Input contains infinity or a value too large for {dtype!r}.")

class Parts(NamedTuple):
    """The norms of some vectors as mergeable parts ``(E, hi, lo)``."""

    p: float
    E: np.ndarray
    hi: np.ndarray
    lo: np.ndarray

    def merged(self, other):
        """The parts of both sets of entries together (same vectors)."""
        both = self._replace(E=self.E.copy(), hi=self.hi.copy(), lo=self.lo.copy())
        _each(both, other)
        return both

    def norms(self):
        """Float64 norms (inf only where the norm exceeds the float64 range)."""
        out = np.empty(self.E.size)
        _each(self, norms=out)
        return out

    def scaling(self, eps, max_norm):
        """Multipliers ``(k, g)``: a vector is scaled by ``2**k * g``."""
        k, g = np.empty(self.E.size, np.int64), np.empty(self.E.size)
        _each(self, k=k, g=g, eps=eps, max_norm=max_norm)
        return k, g

def _each(a, other=None, norms=None, k=None, g=None, eps=0.0, max_norm=None):
    """What is given: parts ``other`` merged into parts ``a``, then the
    ``norms`` and the multipliers ``k, g`` of ``a`` written."""
    cdef l2_target t = l2_make_target(eps, max_norm or 0.0)
    E2, h2, l2 = (None, None, None) if other is None else other[1:]
    l2_parts(l2_kind(a.p), a.p, a.E.size, <int64_t *>_at(a.E), <double *>_at(a.hi), <double *>_at(a.lo),
             <int64_t *>_at(E2), <double *>_at(h2), <double *>_at(l2), &t, <double *>_at(norms),
             <int64_t *>_at(k), <double *>_at(g))

def _kernel_form(X):
    """``X`` as the kernels read it: float32 for float16, contiguous arrays,
    one index dtype (a new array only where it must change)."""
    if X.dtype == np.float16:
        X = X.astype(np.float32)
    if not sp.issparse(X):
        return X if X.flags.c_contiguous or X.flags.f_contiguous else np.ascontiguousarray(X)
    if X.indices.dtype != X.indptr.dtype or not all(
            a.flags.c_contiguous for a in (X.data, X.indices, X.indptr)):
        index = np.result_type(X.indices, X.indptr)
        X = type(X)((np.ascontiguousarray(X.data), X.indices.astype(index), X.indptr.astype(index)), shape=X.shape)
    return X

def _layout(X, axis):
    """``(data, indices, indptr, length, n_major, n_minor), major``: the
    vectors along ``axis`` are the major ones, or the minor ones."""
    if sp.issparse(X):
        n_major, n_minor = X.shape if X.format == "csr" else X.shape[::-1]
        return (X.data, X.indices, X.indptr, 0, n_major, n_minor), (X.format == "csr") == (axis == 1)
    rows = X if X.flags.c_contiguous else X.T
    return (rows.reshape(-1), None, None, rows.shape[1], *rows.shape), (axis == 1) == (rows is X)

def _written(X, in_place, fill):
    """``(result, extra)``: ``extra = fill(Y, out)`` writes ``out`` from ``Y``
    (``X`` in kernel form); ``result`` is ``out`` in ``X``'s dtype, or ``X``
    itself when ``in_place`` (a converted copy is written back)."""
    out = Y = _kernel_form(X)
    if Y is X and not in_place:  # new memory beside the input
        out = (type(X)((np.empty_like(X.data), X.indices.copy(), X.indptr.copy()), shape=X.shape)
               if sp.issparse(X) else np.empty_like(X, order="K"))
    extra = fill(Y, out)
    if out is not X and in_place:
        (X.data if sp.issparse(X) else X)[...] = out.data if sp.issparse(X) else out
    return (X if in_place else out if out.dtype == X.dtype else out.astype(X.dtype)), extra

def _major(args, p, eps=0.0, max_norm=None, out=None, wanted="parts", threads=1, largest=None):
    """The major vectors' ``wanted`` ("parts", "norms" or None), scaled into
    ``out``, which may be the data: infinity then raises before anything is
    written. ``largest``: each vector's largest entry, for other p."""
    data, indices, indptr, length, n_major, _ = args
    cdef l2_job j = _job(L2_MAJOR, data, indices, indptr, l2_kind(p), p, out)
    j.length, j.n_major, j.target = length, n_major, l2_make_target(eps, max_norm or 0.0)
    if out is not None and _at(out) == _at(data):
        scan = _job(L2_HAS_INF, data)
        _run(&scan, data.size, PIECE, threads)
    # Only what is asked for: a row of 8 floats is 32 bytes.
    norms = np.empty(n_major) if wanted == "norms" else None
    E, hi, lo = (np.empty(n_major, np.int64), np.empty(n_major), np.empty(n_major)) if wanted == "parts" else [None] * 3
    largest = None if largest is None else np.ascontiguousarray(largest, np.float64)
    j.norms, j.E, j.hi, j.lo = <double *>_at(norms), <int64_t *>_at(E), <double *>_at(hi), <double *>_at(lo)
    j.largest = <double *>_at(largest)
    _run(&j, n_major, max(4, PIECE * n_major // max(data.size, 1) // 4 * 4), threads)
    return Parts(p, E, hi, lo) if wanted == "parts" else norms

def _parts(X, p, axis, largest=None):
    """Parts of the vectors along ``axis``. Minor ones get fast l1 and l2
    sums; those these do not settle (all, for other p) are copied into major
    vectors (dense ones a few at a time): the same bits. ``largest``: as
    ``_major``'s."""
    if sp.issparse(X) and not X.has_sorted_indices:  # the canonical order
        X = X.sorted_indices()
    args, major = _layout(X, axis)
    data, indices, indptr, _, n_major, n = args
    threads = n_threads(data.size)
    if major:
        return _major(args, p, threads=threads, largest=largest)
    cdef l2_job j = _job(L2_MINOR, data, indices, indptr, l2_kind(p), p)
    parts = Parts(p, np.zeros(n, np.int64), np.zeros(n), np.zeros(n))
    careful = np.arange(n)
    if j.kind <= L2_L2:
        j.n_major, j.n_minor, j.hi, j.lo = n_major, n, <double *>_at(parts.hi), <double *>_at(parts.lo)
        # Dense spans are narrower where there are few columns, so that every thread takes some.
        j.span = L2_SPAN if j.idx else max(16, min(L2_CHUNK, ((n + threads - 1) // threads + 15) // 16 * 16))
        spans = (n + j.span - 1) // j.span
        _run(&j, spans, (spans + threads - 1) // threads, threads)
        careful = np.flatnonzero(~((parts.hi >= L2_FAST_MIN) & (parts.hi <= L2_FAST_MAX)))
    rows = X if axis == 1 else X.T  # its rows: the vectors
    # Dense: a few at a time; sparse: all at once (a selection reads every entry).
    per = max(1, careful.size if sp.issparse(X) else PARALLEL // max(n_major, 1))
    for some in (careful[a:a + per] for a in range(0, careful.size, per)):
        Y = _kernel_form(rows[some].tocsr()) if sp.issparse(X) else np.ascontiguousarray(rows[some])
        got = _major(_layout(Y, 1)[0], p, threads=n_threads(Y.size),
                     largest=None if largest is None else largest[some])
        parts.E[some], parts.hi[some], parts.lo[some] = got.E, got.hi, got.lo
    return parts

def normalize(X, p, axis, eps, max_norm, in_place, with_norms):
    """``(result, norms)``: every vector along ``axis`` scaled; ``X`` itself
    when ``in_place`` (infinity raises before anything is written)."""
    def fill(Y, out):
        args, major = _layout(Y, axis)
        if major:
            wanted = "norms" if with_norms else None
            return _major(args, p, eps, max_norm, _layout(out, axis)[0][0], wanted, n_threads(Y.size))
        parts = _parts(Y, p, axis)
        _scale(Y, axis, parts.scaling(eps, max_norm), out)
        return parts.norms() if with_norms else None
    return _written(X, in_place, fill)

def _scale(Y, axis, scaling, out):
    """``out``: the vectors of ``Y`` along ``axis`` times their multipliers."""
    k, g = scaling
    args, major = _layout(Y, axis)
    cdef l2_job j = _job(L2_SCALE, args[0], args[1], args[2], 0, 0.0, _layout(out, axis)[0][0])
    j.length, j.by_major = args[3], major
    k, g = np.ascontiguousarray(k, np.int64), np.ascontiguousarray(g, np.float64)
    k = k if k.any() else None  # no vector beyond the range of g alone
    j.k, j.g = <int64_t *>_at(k), <double *>_at(g)
    _run(&j, args[4], max(4, PIECE * args[4] // max(args[0].size, 1)), n_threads(args[0].size))

def norms(X, p, axis):
    """Float64 norms of the rows (``axis=1``) or columns of validated ``X``."""
    return _parts(_kernel_form(X), p, axis).norms()

def column_parts(X, p, largest=None):
    """``(parts, n_observed)`` of the columns; ``n_observed`` counts each
    one's non-missing entries (an int if none is missing). ``largest``: each
    whole column's largest entry, when ``X`` is a chunk of rows (Dask)."""
    Y = _kernel_form(X)
    values, observed = (Y.data if sp.issparse(Y) else Y), Y.shape[0]
    if values.size and np.isnan(values.min()):  # NaN if any entry is: a mask only then
        if not sp.issparse(Y):
            observed = observed - np.isnan(Y).sum(axis=0)
        else:
            columns = Y.indices if Y.format == "csr" else np.repeat(np.arange(Y.shape[1]), np.diff(Y.indptr))
            observed = observed - np.bincount(columns[np.isnan(Y.data)], minlength=Y.shape[1])
    return _parts(Y, p, 0, largest), observed

def scale_columns(X, scaling, in_place):
    """Validated ``X`` with column ``j`` times ``2**k[j] * g[j]``."""
    return _written(X, in_place, lambda Y, out: _scale(Y, 0, scaling, out))[0]
