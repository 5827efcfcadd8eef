/* The arithmetic of sklearn_l2: a vector's norm and its scaling, in one canonical order
 * (docs/user_guide/exactness.rst). The term |x / d|^p of position i goes to lane i mod 8; lanes add
 * in increasing position by TwoSum (errors in a second float64); one fixed tree adds the eight lanes
 * into a double-double per block of L2_BLOCK positions, blocks in order. A missing position adds
 * +0, which changes no lane: dense, CSR and CSC give the same bits. d = 1 for l1, l2 whose sum lies
 * in [L2_FAST_MIN, L2_FAST_MAX]; else d = 2^E set by the largest entry (or that entry, large p).
 * NaN makes a major vector's fast sum NaN; other sums skip it. Loops are written once on vector
 * types and compiled for three instruction sets doing the same IEEE operations; build with
 * -ffp-contract=off (no fused multiply-add). */
#ifndef SKLEARN_L2_VECTOR_H
#define SKLEARN_L2_VECTOR_H
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#if !defined(__GNUC__) && !defined(__clang__)
#error "sklearn_l2 needs GCC or Clang (vector extensions)"
#endif

typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4l __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));
typedef double v4d_u __attribute__((vector_size(32), aligned(8), may_alias));
typedef float v4f_u __attribute__((vector_size(16), aligned(4), may_alias));
typedef int64_t v4l_u __attribute__((vector_size(32), aligned(8), may_alias));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef int32_t v8i_u __attribute__((vector_size(32), aligned(4), may_alias));
enum { L2_L1 = 1, L2_L2, L2_LP, L2_MAX, L2_LP_LARGE }; /* kinds of norm */
enum { L2_MAJOR = 1, L2_MINOR, L2_HAS_INF, L2_SCALE }; /* operations */
#define L2_INFINITY 1 /* what an operation returns when it meets infinity */
#define L2_BLOCK ((int64_t)1 << 20)
#define L2_FAST_MIN 0x1p-960
#define L2_FAST_MAX 0x1p1000
#define L2_EMPTY INT64_MIN /* E of a vector without a non-zero entry */
#define L2_CHUNK 256       /* at most, minor vectors of one dense minor span */
#define L2_SPAN (1 << 14)  /* minor vectors of one sparse minor span: lanes in cache */
#define L2_INLINE static inline __attribute__((always_inline))
/* Knuth's TwoSum, for doubles and vectors: s + e = a + b exactly. L2_PLAIN,
 * for benchmarks/plain_kernel.c only, makes it a plain sum (no errors). */
#ifndef L2_PLAIN
#define TWO_SUM(a, b, s, e) do { __typeof__(a) s_ = (a) + (b), b_ = s_ - (a); \
        (e) = ((a) - (s_ - b_)) + ((b) - b_); (s) = s_; } while (0)
#else
#define TWO_SUM(a, b, s, e) do { (e) = (a) - (a); (s) = (a) + (b); } while (0)
#endif

L2_INLINE v4d l2_all(double x) { return (v4d){x, x, x, x}; }
L2_INLINE v4d l2_select(v4l m, v4d a, v4d b) { return (v4d)((m & (v4l)a) | (~m & (v4l)b)); }
/* |v| lane by lane (one AND; GCC 12 crashes on an explicit mask here). */
L2_INLINE v4d l2_abs(v4d v) { for (int i = 0; i < 4; i++) v[i] = __builtin_fabs(v[i]); return v; }
/* Four floats by elements: one conversion (GCC 12 splits a vector's). */
L2_INLINE v4d l2_load(const void *x, int is64) {
    const float *f = x;
    return is64 ? (v4d)*(const v4d_u *)x : (v4d){f[0], f[1], f[2], f[3]};
}
L2_INLINE void l2_store(void *out, int is64, v4d v) { if (is64) *(v4d_u *)out = v; else *(v4f_u *)out = __builtin_convertvector(v, v4f); }
L2_INLINE double l2_at(const void *x, int is64, int64_t i) { return is64 ? ((const double *)x)[i] : ((const float *)x)[i]; }
L2_INLINE void l2_put(void *x, int is64, int64_t i, double v) { if (is64) ((double *)x)[i] = v; else ((float *)x)[i] = (float)v; }
L2_INLINE int64_t l2_index(const void *idx, int idx64, int64_t q) { return idx64 ? ((const int64_t *)idx)[q] : ((const int32_t *)idx)[q]; }
L2_INLINE v4d l2_load_n(const void *x, int is64, int64_t n) { /* n < 4 entries, zeros after */
    v4d v = {0};
    for (int i = 0; i < (n & 3); i++) v[i] = l2_at(x, is64, i);
    return v;
}

/* ---- Terms, in units of a reference: x s1 s2 (two exact powers of two), or x / s1 for large p. */
typedef struct { int64_t E; double s1, s2; } l2_ref;
static const l2_ref l2_unit = {0, 1.0, 1.0};
/* Moderate p: exponents on a grid of l2_grid(p) (1.5: 2), so merges scale exactly by 2^(p dE). */
static inline int64_t l2_grid(double p) {
    for (int64_t g = 1; g <= 64; g *= 2) if (p * g == floor(p * g)) return g;
    return 1;
}
static inline int l2_kind(double p) {
    return p == 1.0 || p == 2.0 ? (int)p : isinf(p) ? L2_MAX : p * l2_grid(p) < 960.0 ? L2_LP : L2_LP_LARGE;
}
static inline l2_ref l2_reference(int kind, double p, double m) {
    l2_ref r = {0, m, 1.0};
    int e;
    int64_t g = kind == L2_LP ? l2_grid(p) : 1, a;
    frexp(m, &e);
    r.E = e - 1 >= 0 ? (e - 1) / g * g : -((g - e) / g * g); /* floor to the grid */
    if (kind == L2_LP_LARGE) return r;
    a = -r.E > 1023 ? 1023 : -r.E;
    r.s1 = ldexp(1.0, (int)a), r.s2 = ldexp(1.0, (int)(-r.E - a));
    return r;
}
L2_INLINE v4d l2_term(v4d x, int kind, double p, const l2_ref *r, int missing) {
    v4d a = kind == L2_L2 ? x : l2_abs(x); /* a square needs no sign */
    if (kind == L2_LP_LARGE) a = a / r->s1;
    else a = (a * r->s1) * r->s2;
    if (kind == L2_L2) a = a * a;
    if (kind == L2_LP || kind == L2_LP_LARGE)
        for (int i = 0; i < 4; i++) a[i] = pow(a[i], p);
    return missing ? l2_select(x == x, a, (v4d){0}) : a;
}
L2_INLINE v4d l2_fast_term(v4d x, int kind) { return l2_term(x, kind, 2.0, &l2_unit, 0); }

/* ---- Lanes and the tree. Lane j of four vectors is h[j], l[j]. */
L2_INLINE void l2_add(v4d *h, v4d *l, v4d t) { v4d e; TWO_SUM(*h, t, *h, e); *l += e; }
L2_INLINE void l2_tree(v4d h[8], v4d l[8], v4d *H, v4d *L) {
#pragma GCC unroll 4
    for (int w = 4; w >= 1; w /= 2)
#pragma GCC unroll 4
        for (int j = 0; j < w; j++) {
            v4d e;
            TWO_SUM(h[j], h[j + w], h[j], e);
            l[j] = (l[j] + l[j + w]) + e;
        }
    *H = h[0], *L = l[0];
}
/* Blocks are added in order: (H, L) += (h, l). */
L2_INLINE void l2_combine(v4d *H, v4d *L, v4d h, v4d l) { v4d e; TWO_SUM(*H, h, *H, e); *L = (*L + l) + e; }
L2_INLINE void l2_transpose(v4d m[4]) { /* m[r][j] becomes m[j][r] */
    v4d a = __builtin_shufflevector(m[0], m[1], 0, 4, 2, 6);
    v4d b = __builtin_shufflevector(m[0], m[1], 1, 5, 3, 7);
    v4d c = __builtin_shufflevector(m[2], m[3], 0, 4, 2, 6);
    v4d d = __builtin_shufflevector(m[2], m[3], 1, 5, 3, 7);
    m[0] = __builtin_shufflevector(a, c, 0, 1, 4, 5);
    m[1] = __builtin_shufflevector(b, d, 0, 1, 4, 5);
    m[2] = __builtin_shufflevector(a, c, 2, 3, 6, 7);
    m[3] = __builtin_shufflevector(b, d, 2, 3, 6, 7);
}
/* The tree over four vectors' lanes a[r] = {lanes 0-3, 4-7, their errors}. */
L2_INLINE void l2_tree4(v4d a[4][4], v4d *H, v4d *L) {
    v4d h[8], l[8];
    for (int r = 0; r < 4; r++)
        h[r] = a[r][0], h[r + 4] = a[r][1], l[r] = a[r][2], l[r + 4] = a[r][3];
    l2_transpose(h), l2_transpose(h + 4), l2_transpose(l), l2_transpose(l + 4);
    l2_tree(h, l, H, L);
}
/* Lanes of n <= 4 vectors (lane j of vector c at h[j stride + c]; one vector: stride 1, 12
 * entries) into H[c], L[c]; cleared. */
static void l2_flush(double *h, double *l, int64_t stride, int64_t n, double *H, double *L) {
    v4d hv[8], lv[8], bh, bl, aH = {0}, aL = {0};
    size_t bytes = (size_t)(n < 4 ? n : 4) * 8;
    for (int j = 0; j < 8; j++) memcpy(&hv[j], h + j * stride, 32), memcpy(&lv[j], l + j * stride, 32);
    for (int j = 0; j < 8; j++) memset(h + j * stride, 0, 32), memset(l + j * stride, 0, 32);
    l2_tree(hv, lv, &bh, &bl);
    memcpy(&aH, H, bytes), memcpy(&aL, L, bytes);
    l2_combine(&aH, &aL, bh, bl);
    memcpy(H, &aH, bytes), memcpy(L, &aL, bytes);
}
static inline void l2_renormalize(double *H, double *L) { double s = *H + *L; *L = *L - (s - *H), *H = s; }

/* ---- The root of a power sum H + L: l1, itself; l2, its square root corrected once from the
 * double-double (q q = P + Q exactly, Dekker's product), within half a unit. */
L2_INLINE v4d l2_root(v4d H, v4d L, int kind) {
    v4d s = H + L, r = L - (s - H), q, c, qh, ql, P, Q;
    if (kind == L2_L1) return s;
    for (int i = 0; i < 4; i++) q[i] = __builtin_sqrt(s[i]);
    c = q * 134217729.0, qh = c - (c - q), ql = q - qh;
    P = q * q, Q = ((qh * qh - P) + 2.0 * qh * ql) + ql * ql;
    return q + (((s - P) - Q) + r) * (0.5 / q);
}
/* Unit norm (divided by max(norm, eps)), or max_norm for longer vectors: 2^ft mt, eps 2^fe me. */
typedef struct { int clip; double eps, max_norm, mt, me; int64_t ft, fe; } l2_target;
static inline l2_target l2_make_target(double eps, double max_norm) {
    l2_target t = {max_norm > 0.0, eps, max_norm, 0.5, 0.0, 1, 0};
    int e = 1, f = 0;
    t.mt = t.clip ? frexp(max_norm, &e) : 0.5, t.me = eps > 0.0 ? frexp(eps, &f) : 0.0;
    return t.ft = e, t.fe = f, t;
}
/* Multipliers of norms in the normal range: as l2_factor's there. */
L2_INLINE v4d l2_gain(v4d norm, const l2_target *t) {
    if (t->clip) return l2_select(norm > t->max_norm, t->max_norm / norm, l2_all(1.0));
    return 1.0 / l2_select(norm < t->eps, l2_all(t->eps), norm);
}
/* The norm of parts (E, h, l) as 2^F mu, mu in [0.5, 1) (0: empty). */
static double l2_split_norm(int kind, double p, int64_t E, double h, double l, int64_t *F) {
    double root = kind <= L2_L2 ? l2_root((v4d){h}, (v4d){l}, kind)[0]
                : kind == L2_LP ? pow(h + l, 1.0 / p)
                : kind == L2_MAX ? h : h * exp(log1p(l) / p); /* large p */
    int e;
    root = frexp(root, &e);
    *F = E + e;
    return E == L2_EMPTY ? 0.0 : root;
}
static double l2_norm(int kind, double p, int64_t E, double h, double l) {
    int64_t F;
    double mu = l2_split_norm(kind, p, E, h, l, &F);
    return mu == 0.0 ? 0.0 : F > 1100 ? INFINITY : ldexp(mu, (int)(F < -1100 ? -1100 : F));
}
/* The multiplier 2^k g (k = 0 unless g alone leaves the normal range); zero stays zero. */
static void l2_factor(const l2_target *t, int kind, double p, int64_t E, double h, double l,
                      int64_t *k, double *g) {
    int64_t F, K;
    double mu = l2_split_norm(kind, p, E, h, l, &F);
    *k = 0, *g = 1.0;
    if (mu == 0.0 || (t->clip && (F < t->ft || (F == t->ft && mu <= t->mt)))) return;
    if (!t->clip && t->me > 0.0 && (F < t->fe || (F == t->fe && mu < t->me)))
        F = t->fe, mu = t->me;
    K = t->ft - F;
    if (K > -1000 && K < 1000) *g = ldexp(t->mt / mu, (int)K);
    else *k = K, *g = t->mt / mu;
}
/* x 2^k g: shifted first (a tiny x keeps its bits), scaled first where the shift overflows. */
static inline double l2_shift_scale(double x, int64_t k, double g) {
    int kk = (int)(k > 4000 ? 4000 : k < -4000 ? -4000 : k);
    return isinf(ldexp(x, kk)) ? ldexp(x * g, kk) : ldexp(x, kk) * g;
}
/* Merge parts b into a (other entries of the same vectors): the smaller aligned by 2^(p dE) (exact
 * when p dE is an integer), added in double-double; max: the larger; large p: the smaller times
 * the p-th power of the ratio of the largest entries. */
static void l2_merge(int kind, double p, int64_t *Ea, double *ha, double *la, int64_t Eb,
                     double hb, double lb) {
    double s, e, f;
    if (Eb == L2_EMPTY) return;
    if (*Ea == L2_EMPTY || Eb > *Ea || (Eb == *Ea && hb > *ha)) { /* b: the smaller */
        int64_t E = *Ea;
        double h = *ha, l = *la;
        *Ea = Eb, *ha = hb, *la = lb, Eb = E, hb = h, lb = l;
        if (Eb == L2_EMPTY) return;
    }
    f = Eb - *Ea < -4000 ? -4000.0 : (double)(Eb - *Ea); /* <= 0 */
    if (kind == L2_LP_LARGE) *la += (1.0 + lb) * pow(hb / *ha * ldexp(1.0, (int)f), p);
    if (kind == L2_MAX || kind == L2_LP_LARGE) return;
    f = p * f == floor(p * f) ? ldexp(1.0, (int)(p * f)) : exp2(p * f);
    TWO_SUM(*ha, hb * f, s, e);
    *ha = s, *la = (*la + lb * f) + e;
    l2_renormalize(ha, la);
}

/* Parts (E, h, l) of n vectors: merged with (E2, h2, l2) if given, then their norms or multipliers. */
static void l2_parts(int kind, double p, int64_t n, int64_t *E, double *h, double *l, const int64_t *E2,
                     const double *h2, const double *l2, const l2_target *t, double *norms, int64_t *k, double *g) {
    for (int64_t i = 0; i < n; i++) {
        if (E2) l2_merge(kind, p, &E[i], &h[i], &l[i], E2[i], h2[i], l2[i]);
        if (norms) norms[i] = l2_norm(kind, p, E[i], h[i], l[i]);
        if (g) l2_factor(t, kind, p, E[i], h[i], l[i], &k[i], &g[i]);
    }
}

/* ---- Operations: a job describes the data and outputs; l2_run does [first, last) of it. */
typedef struct {
    int op, kind, is64, idx64;
    double p;
    const void *x, *idx, *ptr;        /* values; sparse positions and bounds */
    int64_t length, n_major, n_minor; /* dense: entries per major vector */
    int64_t span;                     /* L2_MINOR: minor vectors a task takes */
    void *out;                        /* scaled values, or NULL */
    l2_target target;
    int64_t *E;                       /* per-vector outputs (may be NULL) */
    double *hi, *lo, *norms;
    const double *largest;            /* L2_MAJOR, other p: each vector's largest entry, or NULL */
    int by_major;                     /* L2_SCALE: multipliers 2^k g of major vectors, or minor */
    const int64_t *k;
    const double *g;
} l2_job;
typedef struct { const void *x, *idx; int64_t n, at; } l2_vec; /* a major vector */

/* Major vector i: of a dense array (ptr NULL: x, n entries of w bytes each), or of a sparse one. */
L2_INLINE l2_vec l2_major_vector(const l2_job *j, const void *ptr, const char *x, int64_t n, int64_t w, int64_t i) {
    if (!ptr) return (l2_vec){x + i * n * w, NULL, n, i * n};
    l2_vec v = {x, NULL, 0, l2_index(ptr, j->idx64, i)};
    v.n = l2_index(ptr, j->idx64, i + 1) - v.at, v.x = x + v.at * w;
    if (j->idx) v.idx = (const char *)j->idx + v.at * (j->idx64 ? 8 : 4);
    return v;
}
/* Lanes of up to L2_BLOCK dense entries (fast terms): 0-3 in a[0], 4-7 in a[1], errors a[2], a[3]. */
L2_INLINE void l2_dense_lanes(const void *x, int is64, int64_t n, int kind, v4d a[4]) {
    v4d h0 = {0}, h1 = {0}, l0 = {0}, l1 = {0}; /* in registers: x may alias a */
    const char *c = x;
    int64_t i = 0, w = is64 ? 8 : 4;
    for (; i + 16 <= n; i += 16) {
        __builtin_prefetch(c + (i + 256) * w);
        l2_add(&h0, &l0, l2_fast_term(l2_load(c + i * w, is64), kind));
        l2_add(&h1, &l1, l2_fast_term(l2_load(c + (i + 4) * w, is64), kind));
        l2_add(&h0, &l0, l2_fast_term(l2_load(c + (i + 8) * w, is64), kind));
        l2_add(&h1, &l1, l2_fast_term(l2_load(c + (i + 12) * w, is64), kind));
    }
    for (; i < n; i += 4) { /* the tail, zero-padded */
        v4d t = l2_fast_term(i + 4 <= n ? l2_load(c + i * w, is64) : l2_load_n(c + i * w, is64, n - i), kind);
        if (i & 4) l2_add(&h1, &l1, t); else l2_add(&h0, &l0, t);
    }
    a[0] = h0, a[1] = h1, a[2] = l0, a[3] = l1;
}
/* The tree of four dense rows of n <= 4 blocks entries (row r at x + r n): lane j holds positions
 * j and j + 8 only, so the lanes are the columns, read four rows at once (TwoSum(0, t) = (t, 0)). */
L2_INLINE void l2_short_rows(const char *x, int is64, int64_t n, int blocks, int kind, v4d *H,
                             v4d *L) {
    v4d col[16], h[8], l[8];
#pragma GCC unroll 4
    for (int c = 0; c < 4 * blocks; c += 4) {
#pragma GCC unroll 4
        for (int r = 0; r < 4; r++) col[c + r] = l2_load(x + (r * n + c) * (is64 ? 8 : 4), is64);
        l2_transpose(col + c);
    }
#pragma GCC unroll 8
    for (int c = 0; c < 8; c++) { /* columns past n are never read */
        h[c] = c < 4 * blocks && c < n ? l2_fast_term(col[c], kind) : (v4d){0};
        l[c] = (v4d){0};
        if (c + 8 < 4 * blocks && c + 8 < n)
            l2_add(&h[c], &l[c], l2_fast_term(col[c + 8], kind));
    }
    l2_tree(h, l, H, L);
}
/* (H, L) of one major vector of any length: fast terms, or in units of r, NaN skipped. */
L2_INLINE void l2_vector_sum(const l2_job *j, const l2_vec *v, int is64, int kind, const l2_ref *r,
                             int fast, double *H, double *L) {
    double hi[12] = {0}, lo[12] = {0}, aH[4] = {0}, aL[4] = {0}, t, e; /* lane j at [j] */
    int64_t next = L2_BLOCK, w = is64 ? 8 : 4;
    for (int64_t q = 0; fast && !v->idx && q < v->n; q += L2_BLOCK) { /* dense: lanes by blocks */
        v4d a[4];
        l2_dense_lanes((const char *)v->x + q * w, is64, v->n - q < L2_BLOCK ? v->n - q : L2_BLOCK, kind, a);
        memcpy(hi, a, 64), memcpy(lo, a + 2, 64), l2_flush(hi, lo, 1, 1, aH, aL);
    }
    const void *x = v->x, *idx = v->idx; /* in registers across the calls below */
    for (int64_t q = 0, n = v->n, idx64 = j->idx64; (idx || !fast) && q < n; q++) {
        int64_t pos = idx ? l2_index(idx, (int)idx64, q) : q;
        if (idx && !(q & 7)) /* the stream ahead, which the CPU alone fetches too late */
            __builtin_prefetch((const char *)x + (q + 256) * w), __builtin_prefetch((const char *)idx + (q + 256) * (idx64 ? 8 : 4));
        if (pos >= next) l2_flush(hi, lo, 1, 1, aH, aL), next = (pos / L2_BLOCK + 1) * L2_BLOCK;
        t = l2_at(x, is64, q); /* a fast term is unmasked: NaN makes the sum NaN */
        t = !fast ? l2_term(l2_all(t), kind, j->p, r, 1)[0] : kind == L2_L1 ? fabs(t) : t * t;
        TWO_SUM(hi[pos & 7], t, hi[pos & 7], e);
        lo[pos & 7] += e;
    }
    if (idx || !fast) l2_flush(hi, lo, 1, 1, aH, aL);
    *H = aH[0], *L = aL[0];
}
static inline int l2_in_fast_range(double H) { return H >= L2_FAST_MIN && H <= L2_FAST_MAX; }
/* The parts (E, H, L) of a major vector its fast sum does not settle (NaN, infinity, extremes,
 * other p): in units of its largest entry m (largest, if >= 0); large p keeps the mantissa of m in
 * H and the sum less 1 in L; max keeps m alone. */
static int l2_careful_parts(const l2_job *j, const l2_vec *v, double largest, int64_t *E, double *H, double *L) {
    double m = largest < 0.0 ? 0.0 : largest, a;
    l2_ref r;
    if (j->kind <= L2_L2) { /* unscaled, NaN skipped: settled in the fast range */
        l2_vector_sum(j, v, j->is64, j->kind, &l2_unit, 0, H, L), l2_renormalize(H, L), *E = 0;
        if (l2_in_fast_range(*H)) return 0;
    }
    for (int64_t q = 0; largest < 0.0 && q < v->n; q++) a = fabs(l2_at(v->x, j->is64, q)), m = a > m ? a : m;
    if (isinf(m)) return L2_INFINITY;
    r = l2_reference(j->kind, j->p, m > 0.0 ? m : 1.0);
    *E = m == 0.0 ? L2_EMPTY : r.E, *H = *L = 0.0;
    if (m == 0.0 || j->kind == L2_MAX) return *H = (m * r.s1) * r.s2, 0;
    l2_vector_sum(j, v, j->is64, j->kind, &r, 0, H, L), l2_renormalize(H, L);
    if (j->kind == L2_LP_LARGE) *L = (*H - 1.0) + *L, *H = ldexp(m, (int)-r.E);
    return 0;
}
/* out = x 2^k g, n entries; whole vectors of four up to span (a constant for short rows). */
L2_INLINE void l2_scale(const void *x, void *out, int is64, int64_t span, int64_t n, int64_t k, double g) {
    int64_t i = 0, w = is64 ? 8 : 4, end = k ? 0 : n / 4 * 4;
#pragma GCC unroll 2
    for (; i < end && i < span; i += 4) l2_store((char *)out + i * w, is64, l2_load((const char *)x + i * w, is64) * g);
    for (; i < n; i++) l2_put(out, is64, i, k ? l2_shift_scale(l2_at(x, is64, i), k, g) : l2_at(x, is64, i) * g);
}
/* Major vectors first..last-1, four at a time: fast sums, tree, roots and multipliers side by side;
 * the vectors a fast sum does not settle, one by one. Each is scaled while in cache. blocks > 0:
 * dense rows of n <= 4 blocks entries (l1, l2), read four rows at once. */
L2_INLINE int l2_major(const l2_job *j, int64_t first, int64_t last, int is64, int kind, int blocks) {
    int64_t w = is64 ? 8 : 4, n = j->length;
    const char *xs = j->x;
    const void *ptr = j->ptr;
    char *out = j->out; /* in locals: a store through them could alias *j */
    double *norms = j->norms, *hi = j->hi, *lo = j->lo;
    int64_t *Es = j->E;
    for (int64_t i0 = first; i0 < last; i0 += 4) {
        int m = (int)(last - i0 < 4 ? last - i0 : 4);
        v4d H = {0}, L = {0}, s, root = {0}, gain = {0};
        if (blocks && m == 4 && (i0 + 5) * n <= j->n_major * n) { /* columns past n stay in the array */
            for (int64_t b = 0; b < 4 * n * w; b += 64) __builtin_prefetch(xs + (i0 + 64) * n * w + b);
            l2_short_rows(xs + i0 * n * w, is64, n, blocks, kind, &H, &L);
        } else if (kind <= L2_L2) {
            v4d a[4][4];
            for (int r = 0; r < 4; r++) {
                l2_vec v = l2_major_vector(j, ptr, xs, n, w, i0 + (r < m ? r : 0));
                if (r < m && !v.idx && v.n <= L2_BLOCK) {
                    l2_dense_lanes(v.x, is64, v.n, kind, a[r]);
                    continue;
                }
                double h = 0.0, l = 0.0; /* sparse or long: summed on its own */
                if (r < m) l2_vector_sum(j, &v, is64, kind, &l2_unit, 1, &h, &l);
                a[r][0] = (v4d){h}, a[r][1] = a[r][3] = (v4d){0}, a[r][2] = (v4d){l};
            }
            l2_tree4(a, &H, &L);
        }
        if (kind <= L2_L2) {
            s = H + L, L = L - (s - H), H = s;
            root = l2_root(H, L, kind), gain = l2_gain(root, &j->target);
            v4l ok = (H >= L2_FAST_MIN) & (H <= L2_FAST_MAX) & (gain >= 0x1p-1022);
            if (m == 4 && (ok[0] & ok[1] & ok[2] & ok[3])) { /* all four settled */
                if (norms) *(v4d_u *)(norms + i0) = root;
                if (Es) *(v4d_u *)(hi + i0) = H, *(v4d_u *)(lo + i0) = L, *(v4l_u *)(Es + i0) = (v4l){0};
                for (int r = 0; out && r < 4; r++) {
                    l2_vec v = l2_major_vector(j, blocks ? NULL : ptr, xs, n, w, i0 + r);
                    l2_scale(v.x, out + v.at * w, is64, blocks ? 4 * blocks : v.n, v.n, 0, gain[r]);
                }
                continue;
            }
        }
        for (int r = 0; r < m; r++) {
            int64_t E = 0, k = 0, i = i0 + r;
            double h = H[r], l = L[r], norm = root[r], g = gain[r];
            l2_vec v = l2_major_vector(j, ptr, xs, n, w, i);
            int settled = kind <= L2_L2 && l2_in_fast_range(h);
            if (!settled && l2_careful_parts(j, &v, j->largest ? j->largest[i] : -1.0, &E, &h, &l))
                return L2_INFINITY;
            if (!settled || !(g >= 0x1p-1022)) { /* g alone would be subnormal */
                norm = l2_norm(j->kind, j->p, E, h, l);
                l2_factor(&j->target, j->kind, j->p, E, h, l, &k, &g);
            }
            if (Es) Es[i] = E, hi[i] = h, lo[i] = l;
            if (norms) norms[i] = norm;
            if (out) l2_scale(v.x, out + v.at * w, is64, v.n, v.n, k, g);
        }
    }
    return 0;
}
/* l1 and l2 by the blocks of four of a short dense row (0: other rows), so each gets its loop. */
L2_INLINE int l2_major_short(const l2_job *j, int64_t first, int64_t last, int is64, int kind) {
    int b = !j->ptr && j->length <= 16 ? (int)(j->length + 3) / 4 : 0;
    return b == 1 ? l2_major(j, first, last, is64, kind, 1) : b == 2 ? l2_major(j, first, last, is64, kind, 2)
         : b == 3 ? l2_major(j, first, last, is64, kind, 3) : b == 4 ? l2_major(j, first, last, is64, kind, 4)
         : l2_major(j, first, last, is64, kind, 0);
}
/* Fast l1, l2 sums (NaN skipped) of minor vectors (columns of a C-ordered array, CSC rows, CSR
 * columns) of spans first..last-1: major vector c adds its entries in the span to lane c & 7
 * (vector m's at ah[(c & 7) span + m - m0]), cache-sized; sparse, through a cursor per major vector
 * (sorted indices). Added to hi, lo (zero on entry), renormalized. */
L2_INLINE int l2_minor(const l2_job *j, int64_t first, int64_t last, int is64, int kind) {
    int64_t n = j->n_major, span = j->span, w = is64 ? 8 : 4, m, q, z;
    int64_t *cur = j->idx ? malloc((size_t)(n + 1) * 8) : NULL; /* sparse only */
    double *ah = calloc(16 * span + 8, 8), *al = ah + 8 * span + 8, t, e; /* al: off 4K aliasing */
    if ((j->idx && !cur) || !ah) return free(cur), free(ah), 2;
    for (int64_t c = 0; j->idx && c < n; c++) /* to the first span */
        for (cur[c] = l2_index(j->ptr, j->idx64, c), z = l2_index(j->ptr, j->idx64, c + 1);
             cur[c] < z && l2_index(j->idx, j->idx64, cur[c]) < first * span; cur[c]++) {}
    for (int64_t s = first, m0, m1; s < last; s++) {
        m0 = s * span, m1 = m0 + span < j->n_minor ? m0 + span : j->n_minor;
        double *H = j->hi + m0, *L = j->lo + m0;
        for (int64_t c = 0; c <= n; c++) {
            if (c == n || (c && c % L2_BLOCK == 0)) /* a block ends */
                for (int64_t i = 0; i < m1 - m0; i += 4) l2_flush(ah + i, al + i, span, m1 - m0 - i, H + i, L + i);
            double *h = ah + (c & 7) * span - m0, *l = al + (c & 7) * span - m0;
            const char *row = (const char *)j->x + c * j->n_minor * w;
            for (m = m0; !j->idx && c < n && m < m1; m += 4) { /* dense: four vectors at a time */
                v4d x = m + 4 <= m1 ? l2_load(row + m * w, is64) : l2_load_n(row + m * w, is64, m1 - m), hv, lv;
                memcpy(&hv, h + m, 32), memcpy(&lv, l + m, 32);
                l2_add(&hv, &lv, l2_term(x, kind, 2.0, &l2_unit, 1));
                memcpy(h + m, &hv, 32), memcpy(l + m, &lv, 32);
            }
            if (!j->idx) continue;
            if (c + 16 < n) /* the run of a later vector: memory latency overlapped */
                __builtin_prefetch((const char *)j->idx + cur[c + 16] * (j->idx64 ? 8 : 4)),
                __builtin_prefetch((const char *)j->x + cur[c + 16] * (is64 ? 8 : 4));
            for (q = cur[c], z = c < n ? l2_index(j->ptr, j->idx64, c + 1) : q;
                 q < z && (m = l2_index(j->idx, j->idx64, q)) < m1; q++) {
                t = l2_term(l2_all(l2_at(j->x, is64, q)), kind, 2.0, &l2_unit, 1)[0];
                TWO_SUM(h[m], t, h[m], e);
                l[m] += e;
            }
            if (c < n) cur[c] = q;
        }
        for (m = 0; m < m1 - m0; m++) l2_renormalize(H + m, L + m);
    }
    return free(cur), free(ah), 0;
}
/* Major vectors first..last-1 scaled into out: vector i times 2^k[i] g[i] (by_major), or each
 * entry times its minor vector's multiplier (k NULL: all 0). */
L2_INLINE void l2_scale_vectors(const l2_job *j, int64_t first, int64_t last, int is64) {
    int64_t w = is64 ? 8 : 4, q, m;
    for (int64_t i = first; i < last; i++) {
        l2_vec v = l2_major_vector(j, j->ptr, j->x, j->length, w, i);
        char *out = (char *)j->out + v.at * w;
        if (j->by_major) {
            l2_scale(v.x, out, is64, v.n, v.n, j->k ? j->k[i] : 0, j->g[i]);
            continue;
        }
        for (q = 0; !v.idx && !j->k && q + 4 <= v.n; q += 4)
            l2_store(out + q * w, is64, l2_load((const char *)v.x + q * w, is64) * *(const v4d_u *)(j->g + q));
        for (; q < v.n; q++) {
            double x = l2_at(v.x, is64, q);
            m = v.idx ? l2_index(v.idx, j->idx64, q) : q;
            l2_put(out, is64, q, j->k ? l2_shift_scale(x, j->k[m], j->g[m]) : x * j->g[m]);
        }
    }
}
/* Whether entries first..last-1 hold an infinity: all-ones exponent, zero mantissa, 32 bytes at a time. */
L2_INLINE int l2_has_inf(const l2_job *j, int64_t first, int64_t last, int is64) {
    const char *x = j->x;
    int64_t i = first, step = is64 ? 4 : 8;
    v4l any = {0};
    for (; i + step <= last; i += step)
        any |= is64 ? (*(const v4l_u *)(x + i * 8) & INT64_MAX) == 0x7ff0000000000000
                    : (v4l)((*(const v8i_u *)(x + i * 4) & INT32_MAX) == 0x7f800000);
    for (; i < last; i++) any[0] |= isinf(l2_at(x, is64, i));
    return (any[0] | any[1] | any[2] | any[3]) != 0;
}
/* Each operation, specialized by dtype and, for l1 and l2, kind. */
L2_INLINE int l2_run_any(const l2_job *j, int64_t first, int64_t last) {
    int is64 = j->is64, k = j->kind <= L2_L2 ? j->kind : L2_LP;
    switch (j->op) {
    case L2_MAJOR:
        if (k == L2_LP) return l2_major(j, first, last, is64, L2_LP, 0);
        if (k == L2_L2) return is64 ? l2_major_short(j, first, last, 1, L2_L2) : l2_major_short(j, first, last, 0, L2_L2);
        return is64 ? l2_major_short(j, first, last, 1, L2_L1) : l2_major_short(j, first, last, 0, L2_L1);
    case L2_MINOR:
        if (k == L2_L2) return is64 ? l2_minor(j, first, last, 1, L2_L2) : l2_minor(j, first, last, 0, L2_L2);
        return is64 ? l2_minor(j, first, last, 1, L2_L1) : l2_minor(j, first, last, 0, L2_L1);
    case L2_SCALE:
        return is64 ? l2_scale_vectors(j, first, last, 1) : l2_scale_vectors(j, first, last, 0), 0;
    default: /* L2_HAS_INF */
        return is64 ? l2_has_inf(j, first, last, 1) : l2_has_inf(j, first, last, 0);
    }
}
/* Instruction sets, chosen once (SKLEARN_L2_CPU may lower the choice); all give the same bits. */
#if defined(__x86_64__)
__attribute__((target("arch=x86-64-v4"))) static int l2_run_avx512(const l2_job *j, int64_t a, int64_t b) { return l2_run_any(j, a, b); }
__attribute__((target("arch=x86-64-v3"))) static int l2_run_avx2(const l2_job *j, int64_t a, int64_t b) { return l2_run_any(j, a, b); }
#endif
static int l2_run_baseline(const l2_job *j, int64_t a, int64_t b) { return l2_run_any(j, a, b); }
static int (*l2_run)(const l2_job *j, int64_t first, int64_t last) = l2_run_baseline;
static inline int l2_select_isa(int limit) { /* 0 baseline, 1 AVX2, 2 AVX-512 (at most limit) */
    int best = 0;
#if defined(__x86_64__)
    __builtin_cpu_init();
    best = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    best += best && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
    best = best < limit ? best : limit;
    l2_run = best == 2 ? l2_run_avx512 : best ? l2_run_avx2 : l2_run_baseline;
#endif
    return best;
}
#ifdef _OPENMP
static inline int l2_max_threads(void) { return omp_get_max_threads(); }
#else
static inline int l2_max_threads(void) { return 1; }
#endif
#endif
