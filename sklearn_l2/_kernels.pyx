# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The NumPy/SciPy adapter over the compiled kernels of ``_vector.h``.

``normalize``, ``norms``, ``column_parts`` and ``scale_columns`` are those of
:mod:`sklearn_l2._dask` and :mod:`sklearn_l2._array_api`. Containers become
*major* vectors (rows of a C-ordered array, CSR rows, CSC columns) or *minor*
ones (the others); float16 is computed in float32. Input is validated. A
norm travels as mergeable *parts* ``(E, hi, lo)``.
"""

import os
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from cython.parallel cimport prange
from libc.stdint cimport int64_t, uintptr_t
from libc.string cimport memset

cdef extern from "_vector.h" nogil:
    enum:
        L2_MAJOR, L2_MINOR, L2_HAS_INF, L2_SCALE, L2_L2, L2_MAX, L2_CHUNK, L2_SPAN
    int64_t L2_EMPTY
    ctypedef struct l2_target:
        pass
    ctypedef struct l2_ref:
        int64_t E
        double s1, s2
    ctypedef struct l2_job:  # see _vector.h
        int op, kind, is64, idx64, max_only
        double p
        const void *x
        const void *idx
        const void *ptr
        int64_t length, n_major, n_minor
        void *out
        l2_target target
        int64_t *E
        double *hi
        double *lo
        double *norms
        const double *s1
        const double *s2
        int by_major
        const int64_t *k
        const double *g
    int l2_kind(double p)
    int64_t l2_grid(double p)
    int l2_select_isa(int limit)
    int l2_max_threads()
    int l2_run(const l2_job *j, int64_t first, int64_t last)
    l2_target l2_make_target(double eps, double max_norm)
    l2_ref l2_reference(int kind, double p, double m)
    void l2_finish_parts(int kind, double m, const l2_ref *r, int64_t *E, double *H, double *L)
    void l2_renormalize(double *H, double *L)
    int l2_in_fast_range(double H)
    void l2_norms_of(int kind, double p, int64_t n, const int64_t *E, const double *h,
                     const double *l, double *out)
    void l2_factors_of(int kind, double p, int64_t n, const int64_t *E, const double *h,
                       const double *l, double eps, double max_norm, int64_t *k, double *g)
    void l2_merge_all(int kind, double p, int64_t n, int64_t *E, double *h, double *l,
                      const int64_t *E2, const double *h2, const double *l2)

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


def kind_of(p):
    return l2_kind(float(p))


def grid(double p):
    return l2_grid(p)


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
        E, hi, lo = self.E.copy(), self.hi.copy(), self.lo.copy()
        l2_merge_all(l2_kind(self.p), self.p, E.size, <int64_t *>_at(E), <double *>_at(hi),
                     <double *>_at(lo), <int64_t *>_at(other.E), <double *>_at(other.hi),
                     <double *>_at(other.lo))
        return self._replace(E=E, hi=hi, lo=lo)

    def norms(self):
        """Float64 norms (inf only where the norm exceeds the float64 range)."""
        out = np.empty(self.E.size)
        l2_norms_of(l2_kind(self.p), self.p, out.size, <int64_t *>_at(self.E),
                    <double *>_at(self.hi), <double *>_at(self.lo), <double *>_at(out))
        return out

    def scaling(self, eps, max_norm):
        """Multipliers ``(k, g)``: a vector is scaled by ``2**k * g``."""
        k, g = np.empty(self.E.size, np.int64), np.empty(self.E.size)
        l2_factors_of(l2_kind(self.p), self.p, k.size, <int64_t *>_at(self.E),
                      <double *>_at(self.hi), <double *>_at(self.lo), eps, max_norm or 0.0,
                      <int64_t *>_at(k), <double *>_at(g))
        return k, g


# ---------------------------------------------------------------------------
# Containers as vectors.

def _kernel_form(X):
    """``X`` as the kernels read it: float32 for float16, contiguous arrays,
    one index dtype (a new array only where it must change)."""
    if X.dtype == np.float16:
        X = X.astype(np.float32)
    if not sp.issparse(X):
        return X if X.flags.c_contiguous or X.flags.f_contiguous else np.ascontiguousarray(X)
    index = np.result_type(X.indices, X.indptr)
    if X.indices.dtype == X.indptr.dtype and all(
            a.flags.c_contiguous for a in (X.data, X.indices, X.indptr)):
        return X
    arrays = (np.ascontiguousarray(X.data), X.indices.astype(index), X.indptr.astype(index))
    return type(X)(arrays, shape=X.shape)


def _layout(X, axis):
    """``(data, indices, indptr, length, n_major, n_minor), major``: the
    vectors along ``axis`` are the major ones, or the minor ones."""
    if sp.issparse(X):
        n_major, n_minor = X.shape if X.format == "csr" else X.shape[::-1]
        return (X.data, X.indices, X.indptr, 0, n_major, n_minor), (X.format == "csr") == (axis == 1)
    rows = X if X.flags.c_contiguous else X.T
    return (rows.reshape(-1), None, None, rows.shape[1], *rows.shape), (axis == 1) == (rows is X)


def _output(X, Y, in_place):
    """Where the kernels write, reading ``Y`` (``X`` in kernel form)."""
    if Y is not X or in_place:
        return Y
    if sp.issparse(X):
        return type(X)((np.empty_like(X.data), X.indices.copy(), X.indptr.copy()), shape=X.shape)
    return np.empty_like(X, order="K")


def _delivered(X, out, in_place):
    """The result in ``X``'s dtype: ``X`` itself when in place."""
    if out is X:
        return X
    if in_place:  # computed on a converted copy: written back
        (X.data if sp.issparse(X) else X)[...] = out.data if sp.issparse(X) else out
        return X
    return out if out.dtype == X.dtype else out.astype(X.dtype)


def _major(args, p, eps=0.0, max_norm=None, out=None, wanted="parts", threads=1):
    """The major vectors' ``wanted`` ("parts", "norms" or None), scaled into
    ``out``, which may be the data: infinity then raises before anything is
    written."""
    data, indices, indptr, length, n_major, _ = args
    cdef l2_job j = _job(L2_MAJOR, data, indices, indptr, l2_kind(p), p, out)
    j.length, j.n_major, j.target = length, n_major, l2_make_target(eps, max_norm or 0.0)
    if out is not None and _at(out) == _at(data):
        scan = _job(L2_HAS_INF, data)
        _run(&scan, data.size, PIECE, threads)
    norms = E = hi = lo = None  # only what is asked for: a row of 8 floats is 32 bytes
    if wanted == "norms":
        norms = np.empty(n_major)
    elif wanted == "parts":
        E, hi, lo = np.empty(n_major, np.int64), np.empty(n_major), np.empty(n_major)
    j.norms, j.E, j.hi, j.lo = <double *>_at(norms), <int64_t *>_at(E), <double *>_at(hi), <double *>_at(lo)
    _run(&j, n_major, max(4, PIECE * n_major // max(data.size, 1) // 4 * 4), threads)
    return Parts(p, E, hi, lo) if wanted == "parts" else norms


def _minor(args, p, threads=1, largest=None):
    """Parts of the minor vectors. Those their fast sum does not settle get
    their largest entry (or ``largest``, the whole vector's), then their sum
    in its units."""
    data, indices, indptr, _, n_major, n = args
    cdef int kind = l2_kind(p)
    cdef l2_job j = _job(L2_MINOR, data, indices, indptr, kind, p)
    cdef int64_t c
    cdef l2_ref r
    j.n_major, j.n_minor = n_major, n
    E_, M_, S1_, S2_ = np.zeros(n, np.int64), np.zeros(n + 4), np.ones(n + 4), np.ones(n + 4)
    H_, L_, h2_, l2_ = np.zeros(n + 4), np.zeros(n + 4), np.zeros(n + 4), np.zeros(n + 4)  # read four at a time
    careful_ = np.ones(n, np.uint8)
    cdef int64_t[::1] E = E_
    cdef double[::1] H = H_, L = L_, M = M_, S1 = S1_, S2 = S2_, h2 = h2_, l2 = l2_
    cdef unsigned char[::1] careful = careful_
    if kind <= L2_L2:
        _minor_pass(&j, H_, L_, threads)
        for c in range(n):
            l2_renormalize(&H[c], &L[c])
            careful[c] = not l2_in_fast_range(H[c])
    if careful_.any():
        if largest is None:
            j.max_only = 1
            _minor_pass(&j, M_, np.zeros(n + 4), threads)
        else:
            M_[:n] = largest
        if np.isinf(M_).any():
            raise ValueError(f"Input contains infinity or a value too large for {data.dtype!r}.")
        for c in range(n):
            if careful[c]:
                r = l2_reference(kind, p, M[c] if M[c] > 0 else 1.0)
                E[c], S1[c], S2[c] = r.E, r.s1, r.s2
        j.max_only, j.s1, j.s2 = 0, &S1[0], &S2[0]
        if kind != L2_MAX:
            _minor_pass(&j, h2_, l2_, threads)
        for c in range(n):
            if careful[c]:
                r.E, r.s1, r.s2, H[c], L[c] = E[c], S1[c], S2[c], h2[c], l2[c]
                l2_finish_parts(kind, M[c], &r, &E[c], &H[c], &L[c])
    return Parts(p, E_, H_[:n].copy(), L_[:n].copy())


cdef _minor_pass(l2_job *j, H, L, int threads):
    """One pass of the minor vectors' sums (or largest entries) into H, L;
    a thread takes its spans in a row (a sparse one's cursors carry on)."""
    j.hi, j.lo = <double *>_at(H), <double *>_at(L)
    cdef int64_t span = L2_SPAN if j.idx else L2_CHUNK, spans = (j.n_minor + span - 1) // span
    _run(j, spans, (spans + threads - 1) // threads, threads)


def _parts(X, p, axis, largest=None):
    if largest is not None and _layout(X, axis)[1]:  # a chunk of longer vectors: the minor ones
        X = X.asformat("csr" if axis == 0 else "csc") if sp.issparse(X) else np.ascontiguousarray(X)
    if sp.issparse(X) and not X.has_sorted_indices:  # the sparse minor kernel's cursors
        X = X.sorted_indices()
    args, major = _layout(X, axis)
    threads = n_threads(args[0].size)
    return _major(args, p, threads=threads) if major else _minor(args, p, threads, largest)


# ---------------------------------------------------------------------------
# The adapter protocol.

def normalize(X, p, axis, eps, max_norm, in_place, with_norms):
    """``(result, norms)``: every vector along ``axis`` scaled; ``X`` itself
    when ``in_place`` (infinity raises before anything is written)."""
    Y = _kernel_form(X)
    out = _output(X, Y, in_place)
    args, major = _layout(Y, axis)
    if major:
        wanted = "norms" if with_norms else None
        norms = _major(args, p, eps, max_norm, _layout(out, axis)[0][0], wanted, n_threads(Y.size))
        return _delivered(X, out, in_place), norms
    parts = _parts(Y, p, axis)
    _scale(Y, axis, parts.scaling(eps, max_norm), out)
    return _delivered(X, out, in_place), parts.norms() if with_norms else None


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
    missing = np.isnan(Y.data if sp.issparse(Y) else Y)
    if not missing.any():
        observed = Y.shape[0]
    elif not sp.issparse(Y):
        observed = Y.shape[0] - missing.sum(axis=0)
    else:
        columns = Y.indices if Y.format == "csr" else np.repeat(np.arange(Y.shape[1]), np.diff(Y.indptr))
        observed = Y.shape[0] - np.bincount(columns[missing], minlength=Y.shape[1])
    return _parts(Y, p, 0, largest), observed


def scale_columns(X, scaling, in_place):
    """Validated ``X`` with column ``j`` times ``2**k[j] * g[j]``."""
    Y = _kernel_form(X)
    out = _output(X, Y, in_place)
    _scale(Y, 0, scaling, out)
    return _delivered(X, out, in_place)
