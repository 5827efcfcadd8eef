# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled kernels: the parts of every vector of an array, and its scaling.

A *major* vector is contiguous in memory: a row of a C-ordered array, a CSR
row, a CSC column. A *minor* vector is spread across the major ones: a column
of a C-ordered array, a CSC row, a CSR column. The arithmetic of one vector
lives in ``_vector.h``; this module runs it over containers and threads.
It validates nothing: callers pass canonical, finite-checked-by-us arrays of
float32 or float64 and say how many threads to use.
"""

import numpy as np

from cython cimport floating
from libc.stdint cimport int32_t
from cython.parallel cimport parallel, prange, threadid
from libc.stdint cimport int64_t

ctypedef fused integral:
    int32_t
    int64_t


cdef extern from "_vector.h" nogil:
    int64_t L2_EMPTY
    int L2_INFINITY
    ctypedef struct l2_target:
        pass
    l2_target l2_make_target(double eps, double max_norm)
    void l2_factor(int kind, const l2_target *t, int64_t E, double hi,
                   double lo, int64_t *k, double *g)
    double l2_norm(int kind, int64_t E, double hi, double lo)
    void l2_merge(int kind, double p, int64_t *Ea, double *ha, double *la,
                  int64_t Eb, double hb, double lb)
    void l2_scale_f32(const float *x, float *out, int64_t n, int64_t k, double g)
    void l2_scale_f64(const double *x, double *out, int64_t n, int64_t k, double g)
    void l2_stream_fence()
    void l2_add_f32(int kind, float x, double *hi, double *lo, double *mx)
    void l2_add_f64(int kind, double x, double *hi, double *lo, double *mx)
    ctypedef void (*l2_row_add_fn)(const void *, int64_t, double *, double *,
                                   double *)
    l2_row_add_fn l2_row_add_for(int kind, int is64)
    int l2_finish_minor(int kind, int is64, double h, double l, double mx,
                        int64_t n, int64_t *E, double *hi, double *lo)
    int l2_max_threads()
    int l2_has_inf_f32(const float *x, int64_t n)
    int l2_has_inf_f64(const double *x, int64_t n)
    int l2_block_f32(const float *data, const void *indptr, int idx64,
                     int64_t length, int64_t first, int64_t last, int kind,
                     double p, const l2_target *t, float *out, int stream,
                     int64_t *Es, double *his, double *los, double *norms,
                     int64_t *ks, double *gs)
    int l2_block_f64(const double *data, const void *indptr, int idx64,
                     int64_t length, int64_t first, int64_t last, int kind,
                     double p, const l2_target *t, double *out, int stream,
                     int64_t *Es, double *his, double *los, double *norms,
                     int64_t *ks, double *gs)
    void l2_apply_f32(const float *data, const void *indptr, int idx64,
                      int64_t length, int64_t first, int64_t last, float *out,
                      int stream, const int64_t *ks, const double *gs)
    void l2_apply_f64(const double *data, const void *indptr, int idx64,
                      int64_t length, int64_t first, int64_t last, double *out,
                      int stream, const int64_t *ks, const double *gs)




def kind_of(p):
    """The kernel's code for the exponent ``p`` (1, 2, other, or inf)."""
    if p == 1:
        return 1
    if p == 2:
        return 2
    if p == np.inf:
        return 4
    return 3


def max_threads():
    """OpenMP's current thread limit (1 without OpenMP)."""
    return l2_max_threads()


cdef inline void _scale(const floating *x, floating *out, int64_t n, int64_t k,
                        double g) noexcept nogil:
    if floating is float:
        l2_scale_f32(x, out, n, k, g)
    else:
        l2_scale_f64(x, out, n, k, g)


cdef inline void _add(int kind, floating x, double *hi, double *lo,
                      double *mx) noexcept nogil:
    if floating is float:
        l2_add_f32(kind, x, hi, lo, mx)
    else:
        l2_add_f64(kind, x, hi, lo, mx)


def _raise_infinity(dtype):
    raise ValueError(
        f"Input contains infinity or a value too large for {np.dtype(dtype)!r}."
    )


# --------------------------------------------------------------------------
# Major vectors. Dense rows are the rows of a C-ordered 2-D array (``indptr``
# empty, every vector ``length`` long); sparse ones are
# ``data[indptr[i]:indptr[i + 1]]``. Threads take blocks of vectors.

# Entries in a block of vectors handed to one thread at a time.
cdef int64_t BLOCK_ENTRIES = 1 << 15


cdef int _block(const floating *data, const void *indptr, int idx64,
                int64_t length, int64_t first, int64_t last, int kind, double p,
                const l2_target *t, floating *out, int stream, int64_t *Es,
                double *his, double *los, double *norms, int64_t *ks,
                double *gs) noexcept nogil:
    if floating is float:
        return l2_block_f32(data, indptr, idx64, length, first, last, kind, p, t,
                            out, stream, Es, his, los, norms, ks, gs)
    else:
        return l2_block_f64(data, indptr, idx64, length, first, last, kind, p, t,
                            out, stream, Es, his, los, norms, ks, gs)


cdef int _has_inf(const floating *x, int64_t n) noexcept nogil:
    if floating is float:
        return l2_has_inf_f32(x, n)
    else:
        return l2_has_inf_f64(x, n)


cdef void _apply(const floating *data, const void *indptr, int idx64,
                 int64_t length, int64_t first, int64_t last, floating *out,
                 int stream, const int64_t *ks, const double *gs) noexcept nogil:
    if floating is float:
        l2_apply_f32(data, indptr, idx64, length, first, last, out, stream, ks, gs)
    else:
        l2_apply_f64(data, indptr, idx64, length, first, last, out, stream, ks, gs)


cdef class _Vectors:
    """Where the major vectors are, and how they are split into blocks."""
    cdef const void *indptr
    cdef int idx64
    cdef int64_t length, n, per_block, n_blocks

    def __init__(self, Py_ssize_t data_size, indptr, int64_t length):
        cdef const int64_t[::1] i64
        cdef const int32_t[::1] i32
        self.length = length
        self.indptr = NULL
        self.idx64 = 0
        if indptr.shape[0] == 0:
            self.n = data_size // length if length else 0
        else:
            self.n = indptr.shape[0] - 1
            if indptr.dtype == np.int64:
                i64 = indptr
                self.indptr = &i64[0]
                self.idx64 = 1
            else:
                i32 = indptr
                self.indptr = &i32[0]
        average = data_size / self.n if self.n else 1.0
        self.per_block = max(1, int(BLOCK_ENTRIES / max(average, 1.0)))
        self.n_blocks = (self.n + self.per_block - 1) // self.per_block


def major_parts(const floating[::1] data, indptr, int64_t length, int kind,
                double p, int n_threads):
    """Parts ``(E, hi, lo)`` of every major vector."""
    cdef _Vectors v = _Vectors(data.shape[0], indptr, length)
    E_ = np.empty(v.n, np.int64)
    hi_ = np.empty(v.n, np.float64)
    lo_ = np.empty(v.n, np.float64)
    cdef int64_t[::1] E = E_
    cdef double[::1] hi = hi_, lo = lo_
    cdef const floating *x = &data[0] if data.shape[0] else NULL
    cdef int64_t b, first
    cdef int bad = 0
    if v.n:
        for b in prange(v.n_blocks, nogil=True, num_threads=n_threads,
                        schedule="dynamic"):
            first = b * v.per_block
            bad += _block(x, v.indptr, v.idx64, v.length, first,
                          min(first + v.per_block, v.n), kind, p, NULL, NULL, 0,
                          &E[0], &hi[0], &lo[0], NULL, NULL, NULL)
    if bad:
        _raise_infinity(np.float32 if floating is float else np.float64)
    return E_, hi_, lo_


def major_normalize(const floating[::1] data, indptr, int64_t length,
                    floating[::1] out, int kind, double p, double eps,
                    double max_norm, bint with_norms, bint stream,
                    int n_threads):
    """Normalize every major vector of ``data`` into ``out``; their norms.

    Each vector is scaled while it is still in cache. ``out`` may be
    ``data`` itself: then the data are first scanned for infinity, so that
    nothing is written unless all of it can be.
    """
    cdef _Vectors v = _Vectors(data.shape[0], indptr, length)
    if not data.shape[0]:  # only empty vectors: nothing to scale
        return np.zeros(v.n) if with_norms else None
    cdef bint in_place = &out[0] == &data[0]
    norms_ = np.empty(v.n if with_norms else 0, np.float64)
    cdef double[::1] norms = norms_
    cdef l2_target target = l2_make_target(eps, max_norm)
    cdef const floating *x = &data[0]
    cdef floating *y = &out[0]
    cdef double *norms_p = &norms[0] if with_norms and v.n else NULL
    cdef int64_t b, first, n_entries = data.shape[0]
    cdef int64_t chunk = BLOCK_ENTRIES * 8
    cdef int bad = 0
    # In place, long vectors: every multiplier first, then one scaling pass
    # (the multipliers are few). Short ones: a scan for infinity, then the
    # same single pass as a copy (a multiplier per short vector would be a
    # large share of the traffic).
    cdef bint two_passes = in_place and n_entries >= 256 * v.n
    k_ = np.empty(v.n if two_passes else 0, np.int64)
    g_ = np.empty(v.n if two_passes else 0, np.float64)
    cdef int64_t[::1] k = k_
    cdef double[::1] g = g_
    cdef int64_t *k_p = &k[0] if two_passes else NULL
    cdef double *g_p = &g[0] if two_passes else NULL
    if two_passes:
        y = NULL
    elif in_place:
        for b in prange((n_entries + chunk - 1) // chunk, nogil=True,
                        num_threads=n_threads, schedule="static"):
            first = b * chunk
            bad += _has_inf(x + first, min(chunk, n_entries - first))
        if bad:
            _raise_infinity(np.float32 if floating is float else np.float64)
    if v.n:
        with nogil, parallel(num_threads=n_threads):
            for b in prange(v.n_blocks, schedule="dynamic"):
                first = b * v.per_block
                bad += _block(x, v.indptr, v.idx64, v.length, first,
                              min(first + v.per_block, v.n), kind, p, &target,
                              y, stream, NULL, NULL, NULL, norms_p, k_p, g_p)
            if stream:
                l2_stream_fence()
    if bad:
        _raise_infinity(np.float32 if floating is float else np.float64)
    if two_passes:
        major_scale(data, indptr, length, out, k_, g_, False, n_threads)
    return norms_ if with_norms else None


def major_scale(const floating[::1] data, indptr, int64_t length,
                floating[::1] out, const int64_t[::1] k, const double[::1] g,
                bint stream, int n_threads):
    """``out`` = every major vector of ``data`` times its multiplier."""
    cdef _Vectors v = _Vectors(data.shape[0], indptr, length)
    cdef int64_t b, first
    if not v.n or not data.shape[0]:
        return
    with nogil, parallel(num_threads=n_threads):
        for b in prange(v.n_blocks, schedule="dynamic"):
            first = b * v.per_block
            _apply(&data[0], v.indptr, v.idx64, v.length, first,
                   min(first + v.per_block, v.n), &out[0], stream, &k[0], &g[0])
        if stream:
            l2_stream_fence()


# --------------------------------------------------------------------------
# Minor vectors: accumulated one entry at a time, a set of accumulators per
# thread, added up at the end. A vector whose fast sum is not certain comes
# back flagged (status 0) for its caller to redo as a major vector.


cdef _finish(int kind, bint is64, double[:, :] hi, double[:, :] lo,
             double[:, :] mx, int64_t n_terms):
    cdef Py_ssize_t m = hi.shape[1], t, j, nt = hi.shape[0]
    E_ = np.empty(m, np.int64)
    H_ = np.empty(m, np.float64)
    L_ = np.empty(m, np.float64)
    status_ = np.empty(m, np.int8)
    cdef int64_t[::1] E = E_
    cdef double[::1] H = H_, L = L_
    cdef signed char[::1] status = status_
    cdef double h, l, x, e, s, best
    with nogil:
        for j in range(m):
            h = hi[0, j]
            l = lo[0, j]
            best = mx[0, j]
            for t in range(1, nt):
                x = hi[t, j]
                s = h + x
                e = (h - (s - (s - h))) + (x - (s - h))
                h = s
                l = l + (e + lo[t, j])
                if mx[t, j] > best:
                    best = mx[t, j]
            status[j] = l2_finish_minor(kind, is64, h, l, best,
                                        n_terms + 2 * nt, &E[j], &H[j], &L[j])
    if (status_ > 1).any():
        return None
    return E_, H_, L_, status_


def minor_parts_sparse(const floating[::1] data, const integral[::1] indices,
                       const integral[::1] indptr, Py_ssize_t n_minor, int kind,
                       int n_threads):
    """Parts and status of every minor vector of a canonical CSR/CSC matrix.

    Returns None if an entry is infinite.
    """
    cdef Py_ssize_t n_major = indptr.shape[0] - 1, c, t
    cdef int nt = max(1, n_threads)
    # (hi, lo, max) side by side: each scattered update touches one line.
    acc_ = np.zeros((nt, n_minor, 3), np.float64)
    cdef double[:, :, ::1] acc = acc_
    cdef int64_t q, j
    with nogil, parallel(num_threads=nt):
        t = threadid()
        for c in prange(n_major, schedule="dynamic", chunksize=256):
            for q in range(indptr[c], indptr[c + 1]):
                j = indices[q]
                _add(kind, data[q], &acc[t, j, 0], &acc[t, j, 1], &acc[t, j, 2])
    return _finish(
        kind, floating is double, acc_[:, :, 0], acc_[:, :, 1], acc_[:, :, 2],
        n_major,
    )


def minor_parts_dense(const floating[:, ::1] X, int kind, int n_threads):
    """Parts and status of every column of a C-ordered array (None: inf)."""
    cdef Py_ssize_t n_rows = X.shape[0], m = X.shape[1], i, t
    cdef int nt = max(1, n_threads)
    hi_ = np.zeros((nt, m), np.float64)
    lo_ = np.zeros((nt, m), np.float64)
    mx_ = np.zeros((nt, m), np.float64)
    cdef double[:, ::1] hi = hi_, lo = lo_, mx = mx_
    cdef l2_row_add_fn add = l2_row_add_for(kind, floating is double)
    if m:
        with nogil, parallel(num_threads=nt):
            t = threadid()
            for i in prange(n_rows, schedule="dynamic", chunksize=64):
                add(&X[i, 0], m, &hi[t, 0], &lo[t, 0], &mx[t, 0])
    return _finish(kind, floating is double, hi_, lo_, mx_, n_rows)


def minor_scale_sparse(const floating[::1] data, const integral[::1] indices,
                       floating[::1] out, const int64_t[::1] k,
                       const double[::1] g,
                       int n_threads):
    """``out[q] = data[q]`` times the multiplier of minor vector ``indices[q]``."""
    cdef Py_ssize_t n = data.shape[0], q
    cdef bint shifted = (np.asarray(k) != 0).any()
    cdef int64_t j
    for q in prange(n, nogil=True, num_threads=n_threads, schedule="dynamic",
                    chunksize=4096):
        j = indices[q]
        if shifted and k[j] != 0:
            _scale(&data[q], &out[q], 1, k[j], g[j])
        else:
            out[q] = <floating>(<double>data[q] * g[j])


def minor_scale_dense(const floating[:, ::1] X, floating[:, ::1] out,
                      const int64_t[::1] k, const double[::1] g,
                      int n_threads):
    """``out[i, j] = X[i, j]`` times the multiplier of column ``j``."""
    cdef Py_ssize_t n_rows = X.shape[0], m = X.shape[1], i, j
    cdef bint shifted = (np.asarray(k) != 0).any()
    if not m:
        return
    for i in prange(n_rows, nogil=True, num_threads=n_threads, schedule="dynamic",
                    chunksize=64):
        if shifted:
            for j in range(m):
                _scale(&X[i, j], &out[i, j], 1, k[j], g[j])
        else:
            for j in range(m):
                out[i, j] = <floating>(<double>X[i, j] * g[j])


# --------------------------------------------------------------------------
# Parts as arrays.


def factors(int kind, const int64_t[::1] E, const double[::1] hi,
            const double[::1] lo,
            double eps, double max_norm):
    """The multipliers ``(k, g)`` of vectors with the given parts."""
    cdef Py_ssize_t n = E.shape[0], i
    k_ = np.empty(n, np.int64)
    g_ = np.empty(n, np.float64)
    cdef int64_t[::1] k = k_
    cdef double[::1] g = g_
    cdef l2_target target = l2_make_target(eps, max_norm)
    with nogil:
        for i in range(n):
            l2_factor(kind, &target, E[i], hi[i], lo[i], &k[i], &g[i])
    return k_, g_


def norms_of(int kind, const int64_t[::1] E, const double[::1] hi,
             const double[::1] lo):
    """Float64 norms of vectors with the given parts (inf beyond the range)."""
    cdef Py_ssize_t n = E.shape[0], i
    out_ = np.empty(n, np.float64)
    cdef double[::1] out = out_
    with nogil:
        for i in range(n):
            out[i] = l2_norm(kind, E[i], hi[i], lo[i])
    return out_


def merge(int kind, double p, int64_t[::1] E, double[::1] hi, double[::1] lo,
          const int64_t[::1] E2, const double[::1] hi2,
          const double[::1] lo2):
    """Merge the second parts into the first, in place."""
    cdef Py_ssize_t n = E.shape[0], i
    with nogil:
        for i in range(n):
            l2_merge(kind, p, &E[i], &hi[i], &lo[i], E2[i], hi2[i], lo2[i])


cdef extern from "_vector.h" nogil:
    void l2_canonical(int kind, int64_t *E, double *hi, double *lo)
    int l2_exponent(double x)
    double l2_pow2(int k)


def from_scaled_sums(int kind, double p, const int64_t[::1] e,
                     const double[::1] s):
    """Canonical parts of vectors whose power sum is ``2**(p e) s`` (p in
    {1, 2}) or whose norm is ``2**e s`` (other p, max), as the array API
    path gives them."""
    cdef Py_ssize_t n = e.shape[0], i
    E_ = np.empty(n, np.int64)
    hi_ = np.zeros(n, np.float64)
    lo_ = np.zeros(n, np.float64)
    cdef int64_t[::1] E = E_
    cdef double[::1] hi = hi_, lo = lo_
    cdef double q
    cdef int x
    with nogil:
        for i in range(n):
            if not (s[i] > 0):
                E[i] = L2_EMPTY
                continue
            if kind <= 2:
                E[i] = 0
                hi[i] = s[i]
                l2_canonical(kind, &E[i], &hi[i], &lo[i])
                E[i] += e[i]
            else:
                q = s[i]
                x = l2_exponent(q)
                E[i] = e[i] + x
                hi[i] = q * l2_pow2(-x)
    return E_, hi_, lo_
