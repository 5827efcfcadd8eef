# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""NumPy arrays and SciPy sparse matrices, normalized by the compiled kernels.

This is the NumPy/SciPy adapter: ``normalize``, ``norms``, ``column_parts``
and ``scale_columns`` take and return what those of :mod:`sklearn_l2._dask`
and :mod:`sklearn_l2._array_api` do. The arithmetic lives in ``_vector.h``;
here each container is mapped onto its *major* vectors (contiguous: rows of
a C-ordered array, CSR rows, CSC columns) and *minor* ones (the others),
float16 is computed in float32, and the work is spread over OpenMP threads.
Input is validated: float16/32/64, CSR or CSC in canonical form. A vector's
norm travels as its *parts* ``(E, hi, lo)``, which merge across batches.
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
        L2_MAJOR, L2_MINOR_DENSE, L2_MINOR_SPARSE, L2_SCALE_MAJOR, L2_SCALE_DENSE
        L2_SCALE_SPARSE, L2_HAS_INF, L2_L2, L2_MAX, L2_CHUNK, L2_SPAN
    int64_t L2_EMPTY, L2_BLOCK
    ctypedef struct l2_target:
        pass
    ctypedef struct l2_ref:
        int64_t E
        double s1, s2
    ctypedef struct l2_job:
        int op, kind, is64, idx64, max_only, shifted
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
        const int64_t *k
        const double *g
        const double *s1
        const double *s2
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
    void l2_combine1(double *H, double *L, double h, double l)
    double l2_norm(int kind, double p, int64_t E, double h, double l)
    void l2_factor(const l2_target *t, int kind, double p, int64_t E, double h, double l,
                   int64_t *k, double *g)
    void l2_merge(int kind, double p, int64_t *Ea, double *ha, double *la, int64_t Eb,
                  double hb, double lb)

# SKLEARN_L2_CPU=baseline or avx2 lowers the instruction set (same bits).
ISA = ("baseline", "avx2", "avx512")[
    l2_select_isa({"baseline": 0, "avx2": 1}.get(os.environ.get("SKLEARN_L2_CPU"), 2))
]
# Entries a thread takes at a time; calls below PARALLEL stay on one thread.
cdef int64_t PIECE = 1 << 16
PARALLEL = 1 << 20


def kind_of(p):
    return l2_kind(float(p))


def n_threads(n_entries):
    """OpenMP's limit (OMP_NUM_THREADS, threadpoolctl, joblib's workers),
    capped by the CPUs this process may use; 1 for small calls."""
    if n_entries < PARALLEL:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cpus or 1, l2_max_threads()))


cdef const void *_at(a):
    return <const void *><uintptr_t>a.__array_interface__["data"][0] if a is not None else NULL


cdef l2_job _job(int op, x, idx=None, ptr=None, int kind=0, double p=0.0, out=None):
    cdef l2_job j
    memset(&j, 0, sizeof(j))
    j.op, j.kind, j.p, j.is64 = op, kind, p, x.dtype == np.float64
    j.x, j.idx, j.ptr, j.out = _at(x), _at(idx), _at(ptr), <void *>_at(out)
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
        dtype = np.float64 if j.is64 else np.float32
        raise ValueError(f"Input contains infinity or a value too large for {np.dtype(dtype)!r}.")


class Parts(NamedTuple):
    """The norms of a set of vectors as mergeable parts ``(E, hi, lo)``."""

    p: float
    E: np.ndarray
    hi: np.ndarray
    lo: np.ndarray

    def merged(self, other):
        """The parts of both sets of entries together (same vectors)."""
        E, hi, lo = self.E.copy(), self.hi.copy(), self.lo.copy()
        _merge(l2_kind(self.p), self.p, E, hi, lo, other.E, other.hi, other.lo)
        return self._replace(E=E, hi=hi, lo=lo)

    def norms(self):
        """Float64 norms (inf only where the norm exceeds the float64 range)."""
        return _norms(l2_kind(self.p), self.p, self.E, self.hi, self.lo)

    def scaling(self, eps, max_norm):
        """Multipliers ``(k, g)``: a vector is scaled by ``2**k * g``."""
        return _factors(l2_kind(self.p), self.p, self.E, self.hi, self.lo, eps, max_norm or 0.0)

    @classmethod
    def from_scaled_sums(cls, p, e, s):
        """Parts of vectors whose power sum is ``2**(p * e) * s`` (l1, l2) or
        whose norm is ``2**e * s`` (other p, taken as a vector's one entry:
        the p-norm of ``(norm(a), norm(b))`` is that of ``a`` and ``b``)."""
        E, hi = np.asarray(e, np.int64), np.asarray(s, np.float64)
        if p not in (1, 2):
            mantissa, shift = np.frexp(hi)
            E, hi = E + shift - 1, 2.0 * mantissa  # 2**E <= norm < 2**(E + 1)
            if p != np.inf and l2_kind(p) == l2_kind(3):
                step = l2_grid(p)
                E, hi = E - E % step, (hi * 2.0 ** (E % step)) ** p
        E = np.where(hi > 0, E, L2_EMPTY)
        return cls(float(p), E, np.where(hi > 0, hi, 0.0), np.zeros_like(hi))


def _norms(int kind, double p, const int64_t[::1] E, const double[::1] hi, const double[::1] lo):
    out_ = np.empty(E.shape[0])
    cdef double[::1] out = out_
    cdef Py_ssize_t i
    for i in range(E.shape[0]):
        out[i] = l2_norm(kind, p, E[i], hi[i], lo[i])
    return out_


def _factors(int kind, double p, const int64_t[::1] E, const double[::1] hi,
             const double[::1] lo, double eps, double max_norm):
    k_, g_ = np.empty(E.shape[0], np.int64), np.empty(E.shape[0])
    cdef int64_t[::1] k = k_
    cdef double[::1] g = g_
    cdef l2_target t = l2_make_target(eps, max_norm)
    cdef Py_ssize_t i
    for i in range(E.shape[0]):
        l2_factor(&t, kind, p, E[i], hi[i], lo[i], &k[i], &g[i])
    return k_, g_


def _merge(int kind, double p, int64_t[::1] E, double[::1] hi, double[::1] lo,
           const int64_t[::1] E2, const double[::1] hi2, const double[::1] lo2):
    cdef Py_ssize_t i
    for i in range(E.shape[0]):
        l2_merge(kind, p, &E[i], &hi[i], &lo[i], E2[i], hi2[i], lo2[i])


# ---------------------------------------------------------------------------
# Containers as vectors.

def _kernel_form(X):
    """``X`` as the kernels read it (new only where it must change): float32
    for float16, contiguous arrays, one index dtype."""
    if X.dtype == np.float16:
        X = X.astype(np.float32)
    if not sp.issparse(X):
        return X if X.flags.c_contiguous or X.flags.f_contiguous else np.ascontiguousarray(X)
    index = np.result_type(X.indices.dtype, X.indptr.dtype)
    if all(a.flags.c_contiguous for a in (X.data, X.indices, X.indptr)) and (
            X.indices.dtype == X.indptr.dtype):
        return X
    arrays = (np.ascontiguousarray(X.data), X.indices.astype(index), X.indptr.astype(index))
    return type(X)(arrays, shape=X.shape)


def _layout(X, axis):
    """``(data, indices, indptr, length, n_major, n_minor), major``: the
    vectors of ``X`` along ``axis`` are its major ones or its minor ones."""
    if sp.issparse(X):
        n_major, n_minor = X.shape if X.format == "csr" else X.shape[::-1]
        return (X.data, X.indices, X.indptr, 0, n_major, n_minor), (X.format == "csr") == (axis == 1)
    rows = X if X.flags.c_contiguous else X.T
    return (rows.reshape(-1), None, None, rows.shape[1], *rows.shape), (axis == 1) == (rows is X)


def _data(X):
    return X.data if sp.issparse(X) else (X if X.flags.c_contiguous else X.T).reshape(-1)


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


def _major(args, p, eps=0.0, max_norm=0.0, out=None, bint with_norms=False,
           bint with_parts=False, threads=1):
    """Norms, parts and scaling (into ``out``) of every major vector. ``out``
    may be the data: infinity then raises before anything is written."""
    data, indices, indptr, length, n_major, _ = args
    cdef l2_job j = _job(L2_MAJOR, data, indices, indptr, l2_kind(p), p, out)
    j.length, j.n_major, j.target = length, n_major, l2_make_target(eps, max_norm or 0.0)
    if out is not None and _at(out) == _at(data):
        scan = _job(L2_HAS_INF, data)
        _run(&scan, data.size, PIECE, threads)
    norms, E, hi, lo = np.empty(n_major), np.empty(n_major, np.int64), np.empty(n_major), np.empty(n_major)
    if with_norms:
        j.norms = <double *>_at(norms)
    if with_parts:
        j.E, j.hi, j.lo = <int64_t *>_at(E), <double *>_at(hi), <double *>_at(lo)
    _run(&j, n_major, max(4, PIECE * n_major // max(data.size, 1) // 4 * 4), threads)
    return norms if with_norms else Parts(p, E, hi, lo)


cdef _minor_pass(l2_job *j, double[::1] H, double[::1] L, int threads):
    """One pass of the minor vectors' sums (or largest entries) into H, L."""
    cdef int64_t b, c, n_minor = j.n_minor
    cdef int64_t blocks = max(1, (j.n_major + L2_BLOCK - 1) // L2_BLOCK)
    if j.op == L2_MINOR_SPARSE:
        spans = (n_minor + L2_SPAN - 1) // L2_SPAN
        threads = max(1, min(threads, spans))
        j.hi, j.lo = &H[0], &L[0]
        _run(j, spans, (spans + threads - 1) // threads, threads)
        return
    bh, bl = np.zeros((blocks, n_minor)), np.zeros((blocks, n_minor))
    cdef double[:, ::1] BH = bh, BL = bl
    j.hi, j.lo = &BH[0, 0], &BL[0, 0]
    _run(j, blocks * ((n_minor + L2_CHUNK - 1) // L2_CHUNK), 1, threads)
    if j.max_only:
        np.asarray(H)[:n_minor] = bh.max(axis=0)
        return
    for c in range(n_minor):  # blocks in order
        H[c] = L[c] = 0.0
        for b in range(blocks):
            l2_combine1(&H[c], &L[c], BH[b, c], BL[b, c])


def _minor(args, p, threads=1, largest=None):
    """Parts of every minor vector. Those the fast sum does not settle get
    their largest entry (``largest``: that of the whole vector, when this is
    a chunk of it), then their sum in its units."""
    data, indices, indptr, _, n_major, n_minor = args
    cdef int kind = l2_kind(p)
    cdef l2_job j = _job(L2_MINOR_SPARSE if indices is not None else L2_MINOR_DENSE, data,
                         indices, indptr, kind, p)
    cdef int64_t c, m = n_minor + 8  # padded: the dense kernel reads by fours
    cdef l2_ref r
    j.n_major, j.n_minor = n_major, n_minor
    E_, H_, L_, M_ = np.zeros(n_minor, np.int64), np.zeros(m), np.zeros(m), np.zeros(m)
    S1_, S2_, h2_, l2_ = np.ones(m), np.ones(m), np.zeros(m), np.zeros(m)
    cdef int64_t[::1] E = E_
    cdef double[::1] H = H_, L = L_, M = M_, S1 = S1_, S2 = S2_, h2 = h2_, l2 = l2_
    careful_ = np.ones(n_minor, np.uint8)
    cdef unsigned char[::1] careful = careful_
    if kind <= L2_L2:
        _minor_pass(&j, H, L, threads)
        for c in range(n_minor):
            l2_renormalize(&H[c], &L[c])
            careful[c] = not l2_in_fast_range(H[c])
    if careful_.any():
        if largest is None:
            j.max_only = 1
            _minor_pass(&j, M, np.zeros(m), threads)
        else:
            M_[:n_minor] = largest
        if np.isinf(M_).any():
            raise ValueError(f"Input contains infinity or a value too large for {data.dtype!r}.")
        for c in range(n_minor):
            if careful[c]:
                r = l2_reference(kind, p, M[c] if M[c] > 0 else 1.0)
                E[c], S1[c], S2[c] = r.E, r.s1, r.s2
        j.max_only, j.s1, j.s2 = 0, &S1[0], &S2[0]
        if kind != L2_MAX:
            _minor_pass(&j, h2, l2, threads)
        for c in range(n_minor):
            if careful[c]:
                r.E, r.s1, r.s2, H[c], L[c] = E[c], S1[c], S2[c], h2[c], l2[c]
                l2_finish_parts(kind, M[c], &r, &E[c], &H[c], &L[c])
    return Parts(p, E_, H_[:n_minor].copy(), L_[:n_minor].copy())


def _scale(args, scaling, out, bint major, threads=1):
    """``out``: the vectors (major, or minor) times ``2**k * g``."""
    data, indices, indptr, length, n_major, n_minor = args
    k, g = (np.ascontiguousarray(a) for a in scaling)
    cdef int op = L2_SCALE_MAJOR if major else L2_SCALE_SPARSE if indices is not None else L2_SCALE_DENSE
    cdef l2_job j = _job(op, data, indices, indptr, 0, 0.0, out)
    j.length, j.n_major, j.n_minor, j.shifted = length, n_major, n_minor, bool((k != 0).any())
    j.k, j.g = <const int64_t *>_at(k), <const double *>_at(g)
    n = data.size if op == L2_SCALE_SPARSE else n_major
    _run(&j, n, max(1, PIECE * n // max(data.size, 1)), threads)


def _parts(X, p, axis, largest=None):
    args, major = _layout(X, axis)
    threads = n_threads(args[0].size)
    if largest is not None and major:  # a chunk of longer vectors: minor ones
        args, major = _layout(np.ascontiguousarray(X) if not sp.issparse(X) else X.asformat(
            "csr" if axis == 0 else "csc"), axis)
    return _major(args, p, with_parts=True, threads=threads) if major else _minor(
        args, p, threads, largest)


# ---------------------------------------------------------------------------
# The adapter protocol.

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
        norms = _major(args, p, eps, max_norm, _data(out), True, threads=threads)
    else:
        parts = _minor(args, p, threads)
        _scale(args, parts.scaling(eps, max_norm), _data(out), False, threads)
        norms = parts.norms()
    return _delivered(X, out, in_place), norms if with_norms else None


def norms(X, p, axis):
    """Float64 norms of the rows (``axis=1``) or columns of validated ``X``."""
    return _parts(_kernel_form(X), p, axis).norms()


def column_parts(X, p, largest=None):
    """``(parts, n_observed)`` of every column of validated ``X``:
    ``n_observed`` counts each column's non-missing entries (an int if none
    is missing); ``largest``: each whole column's largest absolute entry,
    when ``X`` holds some of its rows only (a Dask chunk)."""
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
    args, major = _layout(Y, 0)
    _scale(args, scaling, _data(out), major, n_threads(args[0].size))
    return _delivered(X, out, in_place)
