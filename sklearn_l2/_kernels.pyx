# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""The compiled kernels: norms, parts and scaling of the vectors of an array.

The arithmetic lives in ``_vector.h``; this module hands it arrays and
threads. A *major* vector is contiguous (a row of a C-ordered array, a CSR
row, a CSC column), a *minor* one is spread over the major ones. Inputs are
validated by the caller: contiguous float32/float64 data, canonical sparse
indices. A vector's norm travels as its *parts* ``(E, hi, lo)``, which
merge across batches and chunks (see ``_vector.h``).
"""

import os

import numpy as np

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
    void l2_finish_parts(int kind, double m, const l2_ref *r, int64_t *E,
                         double *H, double *L)
    void l2_renormalize(double *H, double *L)
    int l2_in_fast_range(double H)
    void l2_combine1(double *H, double *L, double h, double l)
    double l2_norm(int kind, double p, int64_t E, double h, double l)
    void l2_factor(const l2_target *t, int kind, double p, int64_t E, double h,
                   double l, int64_t *k, double *g)
    void l2_merge(int kind, double p, int64_t *Ea, double *ha, double *la,
                  int64_t Eb, double hb, double lb)

EMPTY = L2_EMPTY
# Entries a thread takes at a time.
cdef int64_t PER_BLOCK = 1 << 16
ISA = l2_select_isa({"baseline": 0, "avx2": 1}.get(os.environ.get("SKLEARN_L2_CPU"), 2))


def kind_of(p):
    """The kernel's code for the exponent ``p``."""
    return l2_kind(float(p))


def grid(double p):
    """Exponents of the parts of other p are multiples of this power of two
    (so that parts scale exactly by ``2**(p * E)``)."""
    return l2_grid(p)


def max_threads():
    """OpenMP's current thread limit (1 without OpenMP)."""
    return l2_max_threads()


cdef const void *_at(a):
    return <const void *><uintptr_t>a.__array_interface__["data"][0] if a is not None else NULL


cdef l2_job _job(int op, x, idx=None, ptr=None, int kind=0, double p=0.0):
    cdef l2_job j
    memset(&j, 0, sizeof(j))
    j.op, j.kind, j.p = op, kind, p
    j.x, j.idx, j.ptr = _at(x), _at(idx), _at(ptr)
    j.is64 = x.dtype == np.float64
    j.idx64 = (idx if idx is not None else ptr) is not None and (
        (idx if idx is not None else ptr).dtype == np.int64)
    return j


cdef _run(l2_job *j, int64_t n, int64_t per, int threads, dtype):
    """Run ``j`` over [0, n) in pieces of ``per``, on up to ``threads``."""
    cdef int64_t b, pieces = (n + per - 1) // per if per > 0 else 0
    cdef int bad = 0
    if pieces <= 1 or threads <= 1:
        with nogil:
            bad = l2_run(j, 0, n) if n > 0 else 0
    else:
        for b in prange(pieces, nogil=True, num_threads=threads, schedule="dynamic"):
            bad |= l2_run(j, b * per, min((b + 1) * per, n))
    if bad & 2 or bad < 0:
        raise MemoryError("no memory for the sparse accumulators")
    if bad:
        raise ValueError(
            f"Input contains infinity or a value too large for {np.dtype(dtype)!r}."
        )


def major(data, indices, indptr, int64_t length, int64_t n_major, int kind, double p,
          double eps=0.0, double max_norm=0.0, out=None, bint with_norms=False,
          bint with_parts=False, int threads=1):
    """Norms, parts and scaling (into ``out``) of every major vector.

    Dense rows have ``length`` entries (``indptr`` None); sparse vector ``i``
    is ``data[indptr[i]:indptr[i + 1]]``. ``out`` may be ``data``: infinity
    then raises before anything is written. Returns ``(norms, parts)``.
    """
    cdef l2_job j = _job(L2_MAJOR, data, indices, indptr, kind, p)
    cdef int64_t n = data.shape[0]
    j.length, j.n_major = length, n_major
    j.target = l2_make_target(eps, max_norm)
    if out is not None and _at(out) == _at(data):
        scan = _job(L2_HAS_INF, data)
        _run(&scan, n, PER_BLOCK, threads, data.dtype)
    norms = np.empty(n_major if with_norms else 0)
    E, hi, lo = np.empty(n_major, np.int64), np.empty(n_major), np.empty(n_major)
    j.out = <void *>_at(out)
    j.norms = <double *>_at(norms) if with_norms else NULL
    if with_parts:
        j.E, j.hi, j.lo = <int64_t *>_at(E), <double *>_at(hi), <double *>_at(lo)
    average = n / n_major if n_major else 1.0
    per = max(8, int(PER_BLOCK / max(average, 1.0)) // 8 * 8)
    _run(&j, n_major, per, threads, data.dtype)
    return (norms if with_norms else None), ((E, hi, lo) if with_parts else None)


cdef _minor_pass(l2_job *j, int64_t n_major, int64_t n_minor, int threads,
                 double[::1] H, double[::1] L, dtype):
    """One pass of the minor vectors' sums (or largest entries) into H, L."""
    cdef int64_t b, c, n_blocks, tasks, spans, t
    if j.op == L2_MINOR_SPARSE:
        spans = (n_minor + L2_SPAN - 1) // L2_SPAN
        j.hi, j.lo = &H[0], &L[0]
        threads = max(1, min(threads, spans))
        _run(j, spans, (spans + threads - 1) // threads, threads, dtype)
        return
    n_blocks = max(1, (n_major + L2_BLOCK - 1) // L2_BLOCK)
    tasks = n_blocks * ((n_minor + L2_CHUNK - 1) // L2_CHUNK)
    bh, bl = np.zeros((n_blocks, n_minor)), np.zeros((n_blocks, n_minor))
    cdef double[:, ::1] BH = bh, BL = bl
    j.hi, j.lo = &BH[0, 0], &BL[0, 0]
    _run(j, tasks, 1, threads, dtype)
    if j.max_only:
        np.asarray(H)[:n_minor] = bh.max(axis=0)
        return
    with nogil:
        for c in range(n_minor):
            H[c] = L[c] = 0.0
            for b in range(n_blocks):
                l2_combine1(&H[c], &L[c], BH[b, c], BL[b, c])


def minor_parts(data, indices, indptr, int64_t n_major, int64_t n_minor, int kind,
                double p, int threads=1, largest=None):
    """Parts of every minor vector: C-ordered rows (``indices`` None) or the
    major vectors of a CSR/CSC matrix. The vectors the fast sum cannot
    settle get their largest entry (or ``largest``, that of the whole
    vector when this is a chunk of it), then their sum in its units."""
    cdef l2_job j = _job(
        L2_MINOR_SPARSE if indices is not None else L2_MINOR_DENSE, data, indices,
        indptr, kind, p)
    cdef int64_t c, m = n_minor + 8
    j.n_major, j.n_minor = n_major, n_minor
    E_, H_, L_ = np.zeros(n_minor, np.int64), np.zeros(m), np.zeros(m)
    cdef int64_t[::1] E = E_
    cdef double[::1] H = H_, L = L_
    flagged_ = np.ones(n_minor, np.uint8)
    cdef unsigned char[::1] flagged = flagged_
    if kind <= L2_L2:
        _minor_pass(&j, n_major, n_minor, threads, H, L, data.dtype)
        for c in range(n_minor):
            l2_renormalize(&H[c], &L[c])
            flagged[c] = not l2_in_fast_range(H[c])
    if not flagged_.any():
        return E_, H_[:n_minor].copy(), L_[:n_minor].copy()
    M_, S1_, S2_, h2_, l2_ = np.zeros(m), np.ones(m), np.ones(m), np.zeros(m), np.zeros(m)
    cdef double[::1] M = M_, S1 = S1_, S2 = S2_, h2 = h2_, l2 = l2_
    cdef l2_ref r
    if largest is None:
        j.max_only = 1
        _minor_pass(&j, n_major, n_minor, threads, M, np.zeros(m), data.dtype)
    else:
        M_[:n_minor] = largest
    if np.isinf(M_).any():
        raise ValueError(
            f"Input contains infinity or a value too large for {data.dtype!r}."
        )
    for c in range(n_minor):
        if flagged[c]:
            r = l2_reference(kind, p, M[c] if M[c] > 0 else 1.0)
            E[c], S1[c], S2[c] = r.E, r.s1, r.s2
    j.max_only, j.s1, j.s2 = 0, &S1[0], &S2[0]
    if kind != L2_MAX:
        _minor_pass(&j, n_major, n_minor, threads, h2, l2, data.dtype)
    for c in range(n_minor):
        if flagged[c]:
            r.E, r.s1, r.s2 = E[c], S1[c], S2[c]
            H[c], L[c] = h2[c], l2[c]
            l2_finish_parts(kind, M[c], &r, &E[c], &H[c], &L[c])
    return E_, H_[:n_minor].copy(), L_[:n_minor].copy()


def scale(data, indices, indptr, int64_t length, int64_t n_major, int64_t n_minor,
          k, g, out, bint major, int threads=1):
    """``out``: the vectors of ``data`` times their multipliers ``2**k * g``:
    the major vectors (as in :func:`major`), or the minor ones."""
    cdef int op = (L2_SCALE_MAJOR if major else
                   L2_SCALE_SPARSE if indices is not None else L2_SCALE_DENSE)
    cdef l2_job j = _job(op, data, indices, indptr)
    j.length, j.n_major, j.n_minor = length, n_major, n_minor
    j.out, j.k, j.g = <void *>_at(out), <const int64_t *>_at(k), <const double *>_at(g)
    j.shifted = bool((k != 0).any())
    if op == L2_SCALE_DENSE:
        _run(&j, n_major, max(1, PER_BLOCK // max(n_minor, 1)), threads, data.dtype)
    elif op == L2_SCALE_SPARSE:
        _run(&j, data.shape[0], PER_BLOCK, threads, data.dtype)
    else:
        per = max(1, int(PER_BLOCK * n_major / max(data.shape[0], 1)))
        _run(&j, n_major, per, threads, data.dtype)


def norms_of(int kind, double p, const int64_t[::1] E, const double[::1] hi,
             const double[::1] lo):
    """Float64 norms of parts (inf only beyond the float64 range)."""
    out_ = np.empty(E.shape[0])
    cdef double[::1] out = out_
    cdef Py_ssize_t i
    with nogil:
        for i in range(E.shape[0]):
            out[i] = l2_norm(kind, p, E[i], hi[i], lo[i])
    return out_


def factors(int kind, double p, const int64_t[::1] E, const double[::1] hi,
            const double[::1] lo, double eps, double max_norm):
    """Multipliers ``(k, g)`` of parts: a vector is scaled by ``2**k * g``."""
    k_, g_ = np.empty(E.shape[0], np.int64), np.empty(E.shape[0])
    cdef int64_t[::1] k = k_
    cdef double[::1] g = g_
    cdef l2_target t = l2_make_target(eps, max_norm)
    cdef Py_ssize_t i
    with nogil:
        for i in range(E.shape[0]):
            l2_factor(&t, kind, p, E[i], hi[i], lo[i], &k[i], &g[i])
    return k_, g_


def merge(int kind, double p, int64_t[::1] E, double[::1] hi, double[::1] lo,
          const int64_t[::1] E2, const double[::1] hi2, const double[::1] lo2):
    """Merge the second parts into the first, in place."""
    cdef Py_ssize_t i
    with nogil:
        for i in range(E.shape[0]):
            l2_merge(kind, p, &E[i], &hi[i], &lo[i], E2[i], hi2[i], lo2[i])
