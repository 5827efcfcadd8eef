/* The per-vector arithmetic of sklearn_l2, for the Cython module _kernels.pyx.
 *
 * A vector's norm is kept as its *parts* (E, hi, lo):
 *   p in {1, 2}:      sum |x|^p = 2^(p E) (hi + lo), hi in [1, 2^p)
 *   other p and max:  norm      = 2^E hi,              hi in [1, 2), lo = 0
 * and a zero (or empty, or all-missing) vector has hi = lo = 0, E = L2_EMPTY.
 * The integer exponent keeps norms beyond the float64 range exact.
 *
 * Power sums are accumulated with compensation (TwoSum) in float64. The
 * rounded sum is then checked against the error bound of that accumulation:
 * when it is provably the correctly rounded value of the exact sum of the
 * terms, it is kept, otherwise the sum is redone exactly (Shewchuk's
 * expansions, as in Python's math.fsum). So every result is the correctly
 * rounded sum whatever the order of the terms, the lanes, the instruction
 * set or the container: the reason results are bitwise reproducible.
 *
 * Build with -ffp-contract=off: a fused multiply-add where none is written
 * would change the rounding that the error analysis relies on.
 */
#ifndef SKLEARN_L2_VECTOR_H
#define SKLEARN_L2_VECTOR_H

#include <float.h>
#include <math.h>
#include <stdint.h>

#define L2_EMPTY (-(INT64_C(1) << 40))
#define L2_OK 0
#define L2_INFINITY 1
/* Parts not yet canonical: E = 0 and hi = s, the correctly rounded power
 * sum, a normal number (l1, l2 only). */
#define L2_FAST 2

/* Norm kinds. */
#define L2_L1 1
#define L2_L2 2
#define L2_LP 3
#define L2_MAX 4

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define L2_X86_DISPATCH 1
#include <immintrin.h>
#define L2_TARGET_AVX2 __attribute__((target("avx2,fma")))
#else
#define L2_X86_DISPATCH 0
#define L2_TARGET_AVX2
#endif

#if defined(__aarch64__) || defined(__FMA__)
#define L2_NATIVE_FMA 1
#else
#define L2_NATIVE_FMA 0
#endif

#ifdef _OPENMP
#include <omp.h>
static inline int l2_max_threads(void) { return omp_get_max_threads(); }
#else
static inline int l2_max_threads(void) { return 1; }
#endif

#define L2_LANES 8
#define L2_U 1.1102230246251565e-16 /* 2^-53 */

#include <string.h>

static inline uint64_t l2_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline double l2_from_bits(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* 2^k for k in [-1022, 1023]. */
static inline double l2_pow2(int k)
{
    return l2_from_bits((uint64_t)(k + 1023) << 52);
}

/* floor(log2 x) for a positive normal x. */
static inline int l2_exponent(double x)
{
    return (int)((l2_bits(x) >> 52) & 0x7ff) - 1023;
}

/* x 2^k for any k (the result rounded once if it is subnormal). */
static inline double l2_shift(double x, int64_t k)
{
    if (k >= -1022 && k <= 1023) return x * l2_pow2((int)k);
    if (k > 2200) k = 2200;
    if (k < -2200) k = -2200;
    return ldexp(ldexp(x, (int)(k / 2)), (int)(k - k / 2));
}

/* a + b = s + e exactly (Knuth). */
#define L2_TWO_SUM(a, b, s, e)                                               \
    do {                                                                     \
        double s_ = (a) + (b);                                               \
        double bp_ = s_ - (a);                                               \
        (e) = ((a) - (s_ - bp_)) + ((b) - bp_);                              \
        (s) = s_;                                                            \
    } while (0)

/* v * v = h + l exactly (barring underflow), without a fused multiply-add:
 * Dekker's product with Veltkamp's split. */
#define L2_TWO_SQUARE_DEKKER(v, h, l)                                        \
    do {                                                                     \
        double c_ = 134217729.0 * (v);                                       \
        double vh_ = c_ - (c_ - (v));                                        \
        double vl_ = (v) - vh_;                                              \
        (h) = (v) * (v);                                                     \
        (l) = ((vh_ * vh_ - (h)) + 2.0 * vh_ * vl_) + vl_ * vl_;             \
    } while (0)

#define L2_TWO_SQUARE_FMA(v, h, l)                                           \
    do {                                                                     \
        (h) = (v) * (v);                                                     \
        (l) = __builtin_fma((v), (v), -(h));                                 \
    } while (0)

#if L2_NATIVE_FMA
#define L2_TWO_SQUARE_PLAIN L2_TWO_SQUARE_FMA
#else
#define L2_TWO_SQUARE_PLAIN L2_TWO_SQUARE_DEKKER
#endif

/* Terms of one entry v (a double; NaN contributes nothing). SQ64 is the only
 * kind whose terms are not exact doubles: the square's low part goes to lo. */
#define L2_TERM_ABS(v, t, tl, SQ)                                            \
    do {                                                                     \
        (t) = ((v) == (v)) ? fabs(v) : 0.0;                                  \
        (tl) = 0.0;                                                          \
    } while (0)
#define L2_TERM_SQ32(v, t, tl, SQ)                                           \
    do {                                                                     \
        (t) = ((v) == (v)) ? (v) * (v) : 0.0;                                \
        (tl) = 0.0;                                                          \
    } while (0)
#define L2_TERM_SQ64(v, t, tl, SQ)                                           \
    do {                                                                     \
        double w_ = ((v) == (v)) ? (v) : 0.0;                                \
        SQ(w_, t, tl);                                                       \
    } while (0)

/* Compensated sum of the terms of x[0:n], each entry first multiplied by
 * s1 then s2 when SCALED (exact powers of two). */
typedef float l2_f32;
typedef double l2_f64;

#define L2_DEFINE_SUM_SCALAR(NAME, T, TERM, SQ, SCALED, ATTR)                \
    ATTR static void NAME(const l2_##T *x, int64_t n, double s1, double s2,  \
                          double *out_hi, double *out_lo)                    \
    {                                                                        \
        double hi[4] = {0}, lo[4] = {0};                                     \
        int64_t i = 0;                                                       \
        int k;                                                               \
        (void)s1;                                                            \
        (void)s2;                                                            \
        for (; i + 4 <= n; i += 4) {                                         \
            for (k = 0; k < 4; k++) {                                        \
                double v = (double)x[i + k], t, tl, e;                       \
                if (SCALED) v = (v * s1) * s2;                               \
                L2_##TERM(v, t, tl, SQ);                                     \
                L2_TWO_SUM(hi[k], t, hi[k], e);                              \
                lo[k] += e + tl;                                             \
            }                                                                \
        }                                                                    \
        for (k = 0; i < n; i++, k++) {                                       \
            double v = (double)x[i], t, tl, e;                               \
            if (SCALED) v = (v * s1) * s2;                                   \
            L2_##TERM(v, t, tl, SQ);                                         \
            L2_TWO_SUM(hi[k], t, hi[k], e);                                  \
            lo[k] += e + tl;                                                 \
        }                                                                    \
        {                                                                    \
            double h = hi[0], l = lo[0];                                     \
            for (k = 1; k < 4; k++) {                                        \
                double e;                                                    \
                L2_TWO_SUM(h, hi[k], h, e);                                  \
                l += e + lo[k];                                              \
            }                                                                \
            *out_hi = h;                                                     \
            *out_lo = l;                                                     \
        }                                                                    \
    }

#if defined(__GNUC__) || defined(__clang__)
/* The same with GCC/Clang vector types: two accumulators of four lanes. */
#define L2_VECTOR_SUMS 1
typedef double l2_v4d __attribute__((vector_size(32)));
typedef int64_t l2_v4i __attribute__((vector_size(32)));
typedef float l2_v4f __attribute__((vector_size(16)));
typedef double l2_v2d __attribute__((vector_size(16)));

static inline l2_v4d l2_load4_f64(const double *x)
{
    l2_v4d v;
    memcpy(&v, x, sizeof v);
    return v;
}

static inline l2_v4d l2_load4_f32(const float *x)
{
    l2_v4f v;
    memcpy(&v, x, sizeof v);
    return __builtin_convertvector(v, l2_v4d);
}

#define L2_V_TWO_SUM(a, b, s, e)                                             \
    do {                                                                     \
        __typeof__(a) s_ = (a) + (b);                                        \
        __typeof__(a) bp_ = s_ - (a);                                        \
        (e) = ((a) - (s_ - bp_)) + ((b) - bp_);                              \
        (s) = s_;                                                            \
    } while (0)

/* NaN contributes nothing: its lanes are masked to +0. */
#define L2_V_KEEP(v, t) ((l2_v4d)((l2_v4i)(t) & ((v) == (v))))
#define L2_V_TERM_ABS(v, t, tl, VSQ)                                         \
    do {                                                                     \
        (t) = L2_V_KEEP(v, (l2_v4d)((l2_v4i)(v) & INT64_MAX));               \
        (tl) = (l2_v4d){0, 0, 0, 0};                                         \
    } while (0)
#define L2_V_TERM_SQ32(v, t, tl, VSQ)                                        \
    do {                                                                     \
        (t) = L2_V_KEEP(v, (v) * (v));                                       \
        (tl) = (l2_v4d){0, 0, 0, 0};                                         \
    } while (0)
#define L2_V_TERM_SQ64(v, t, tl, VSQ)                                        \
    do {                                                                     \
        l2_v4d w_ = L2_V_KEEP(v, v);                                         \
        VSQ(w_, t, tl);                                                      \
    } while (0)
#define L2_V_SQUARE_DEKKER(v, h, l)                                          \
    do {                                                                     \
        l2_v4d c_ = 134217729.0 * (v);                                       \
        l2_v4d vh_ = c_ - (c_ - (v));                                        \
        l2_v4d vl_ = (v) - vh_;                                              \
        (h) = (v) * (v);                                                     \
        (l) = ((vh_ * vh_ - (h)) + 2.0 * vh_ * vl_) + vl_ * vl_;             \
    } while (0)
#if L2_X86_DISPATCH
#define L2_V_SQUARE_FMA(v, h, l)                                             \
    do {                                                                     \
        (h) = (v) * (v);                                                     \
        (l) = (l2_v4d)_mm256_fmsub_pd((__m256d)(v), (__m256d)(v),            \
                                      (__m256d)(h));                         \
    } while (0)
#endif

#define L2_DEFINE_SUM(NAME, T, TERM, VSQ, SSQ, SCALED, ATTR)                \
    L2_DEFINE_SUM_SCALAR(NAME##_short, T, TERM, SSQ, SCALED, ATTR)           \
    ATTR static inline void NAME(const l2_##T *x, int64_t n, double s1,      \
                                 double s2, double *out_hi, double *out_lo)  \
    {                                                                        \
        l2_v4d h0 = {0, 0, 0, 0}, h1 = h0, l0 = h0, l1 = h0;                 \
        int64_t i = 0;                                                       \
        if (n < 4) {                                                         \
            NAME##_short(x, n, s1, s2, out_hi, out_lo);                      \
            return;                                                          \
        }                                                                    \
        if (n >= 16) {                                                       \
            for (; i + 8 <= n; i += 8) {                                     \
                l2_v4d a = l2_load4_##T(x + i), b = l2_load4_##T(x + i + 4); \
                l2_v4d ta, tla, tb, tlb, ea, eb;                             \
                if (SCALED) {                                                \
                    a = (a * s1) * s2;                                       \
                    b = (b * s1) * s2;                                       \
                }                                                            \
                L2_V_##TERM(a, ta, tla, VSQ);                                \
                L2_V_##TERM(b, tb, tlb, VSQ);                                \
                L2_V_TWO_SUM(h0, ta, h0, ea);                                \
                L2_V_TWO_SUM(h1, tb, h1, eb);                                \
                l0 += ea + tla;                                              \
                l1 += eb + tlb;                                              \
            }                                                                \
        }                                                                    \
        for (; i + 4 <= n; i += 4) {                                         \
            l2_v4d a = l2_load4_##T(x + i), ta, tla, ea;                     \
            if (SCALED) a = (a * s1) * s2;                                   \
            L2_V_##TERM(a, ta, tla, VSQ);                                    \
            L2_V_TWO_SUM(h0, ta, h0, ea);                                    \
            l0 += ea + tla;                                                  \
        }                                                                    \
        if (n >= 16) { /* the two accumulators into one */                  \
            l2_v4d e4;                                                       \
            L2_V_TWO_SUM(h0, h1, h0, e4);                                    \
            l0 += l1 + e4;                                                   \
        }                                                                    \
        {                                                                    \
            /* Four lanes into two, then one. */                             \
            l2_v2d ha = {h0[0], h0[1]}, hb = {h0[2], h0[3]}, e2, l2v;        \
            double h, l, e;                                                  \
            L2_V_TWO_SUM(ha, hb, ha, e2);                                    \
            l2v = (l2_v2d){l0[0], l0[1]} + (l2_v2d){l0[2], l0[3]} + e2;      \
            L2_TWO_SUM(ha[0], ha[1], h, e);                                  \
            l = (l2v[0] + l2v[1]) + e;                                       \
            if (i < n) {                                                     \
                double rh, rl;                                               \
                NAME##_short(x + i, n - i, s1, s2, &rh, &rl);                \
                L2_TWO_SUM(h, rh, h, e);                                     \
                l += e + rl;                                                 \
            }                                                                \
            *out_hi = h;                                                     \
            *out_lo = l;                                                     \
        }                                                                    \
    }
#else
#define L2_DEFINE_SUM(NAME, T, TERM, VSQ, SSQ, SCALED, ATTR)                \
    L2_DEFINE_SUM_SCALAR(NAME, T, TERM, SSQ, SCALED, ATTR)
#endif

#define L2_DEFINE_SUMS(SUFFIX, VSQ, SSQ, ATTR)                               \
    L2_DEFINE_SUM(l2_abs32_##SUFFIX, f32, TERM_ABS, VSQ, SSQ, 0, ATTR)       \
    L2_DEFINE_SUM(l2_abs64_##SUFFIX, f64, TERM_ABS, VSQ, SSQ, 0, ATTR)       \
    L2_DEFINE_SUM(l2_sq32_##SUFFIX, f32, TERM_SQ32, VSQ, SSQ, 0, ATTR)       \
    L2_DEFINE_SUM(l2_sq64_##SUFFIX, f64, TERM_SQ64, VSQ, SSQ, 0, ATTR)       \
    L2_DEFINE_SUM(l2_abs32s_##SUFFIX, f32, TERM_ABS, VSQ, SSQ, 1, ATTR)      \
    L2_DEFINE_SUM(l2_abs64s_##SUFFIX, f64, TERM_ABS, VSQ, SSQ, 1, ATTR)      \
    L2_DEFINE_SUM(l2_sq32s_##SUFFIX, f32, TERM_SQ32, VSQ, SSQ, 1, ATTR)      \
    L2_DEFINE_SUM(l2_sq64s_##SUFFIX, f64, TERM_SQ64, VSQ, SSQ, 1, ATTR)

L2_DEFINE_SUMS(plain, L2_V_SQUARE_DEKKER, L2_TWO_SQUARE_PLAIN, )
#if L2_X86_DISPATCH
L2_DEFINE_SUMS(avx2, L2_V_SQUARE_FMA, L2_TWO_SQUARE_FMA, L2_TARGET_AVX2)
#endif

static int l2_fast_cpu = -1;

/* Whether the CPU has AVX2 and FMA (x86-64; checked once). */
static inline int l2_use_avx2(void)
{
#if L2_X86_DISPATCH
    if (l2_fast_cpu < 0) {
        __builtin_cpu_init();
        l2_fast_cpu = __builtin_cpu_supports("avx2") &&
                      __builtin_cpu_supports("fma");
    }
    return l2_fast_cpu;
#else
    return 0;
#endif
}

/* ------------------------------------------------------------------------ */
/* Correct rounding. */

/* Whether s = fl(hi + lo), with residual r = hi + lo - s, is the correctly
 * rounded value of every real within err of hi + lo. */
static inline int l2_rounding_is_certain(double s, double r, double err)
{
    double ulp, below;
    if (s >= 0x1p-960) {
        /* The common case in a few operations: the bound of a sum of fewer
         * than 2^20 terms is below ulp/512, and ulp/2 <= below. */
        ulp = l2_pow2(l2_exponent(s) - 52);
        if (err < ulp * 0x1p-9 && fabs(r) < 0.24 * ulp) return 1;
    }
    if (s == 0.0) return r == 0.0 && err == 0.0;
    if (s < 0x1p-960) {
        int ex;
        double f = frexp(s, &ex);
        ulp = ldexp(1.0, ex - 53 < -1074 ? -1074 : ex - 53);
        below = (f == 0.5 && ex - 54 >= -1074) ? ulp * 0.5 : ulp;
    } else {
        uint64_t b = l2_bits(s);
        ulp = l2_pow2(l2_exponent(s) - 52);
        below = ((b & ((UINT64_C(1) << 52) - 1)) == 0) ? ulp * 0.5 : ulp;
    }
    return (r + err < 0.5 * ulp) && (r - err > -0.5 * below);
}

/* A bound on |hi + lo - exact sum| for n entries accumulated as above
 * (Ogita, Rump and Oishi's bound for Sum2, with room for the eight lanes, the
 * low parts of float64 squares and underflow in them). */
static inline double l2_error_bound(double s, int64_t n)
{
    /* gamma_N = N u / (1 - N u) <= 1.001 N u while N u <= 1e-3. */
    double g = (double)(n + 2 * L2_LANES + 4) * (1.001 * L2_U);
    if (g >= 1e-3) return INFINITY;
    return 2.0 * g * (g + 2.0 * L2_U) * fabs(s) +
           (double)(4 * n + 64) * 4.9406564584124654e-324;
}

/* Exact summation: x is added to the nonoverlapping expansion partials. */
#define L2_MAX_PARTIALS 128
typedef struct {
    double p[L2_MAX_PARTIALS];
    int n;
} l2_expansion;

static inline void l2_expansion_add(l2_expansion *ex, double x)
{
    int i, j = 0;
    for (i = 0; i < ex->n; i++) {
        double y = ex->p[i], hi, lo;
        if (fabs(x) < fabs(y)) {
            double t = x;
            x = y;
            y = t;
        }
        hi = x + y;
        lo = y - (hi - x);
        if (lo != 0.0) ex->p[j++] = lo;
        x = hi;
    }
    if (j < L2_MAX_PARTIALS) ex->p[j++] = x;
    ex->n = j;
}

/* The correctly rounded value of an expansion (the last step of
 * math.fsum), and the rounded remainder. */
static inline double l2_expansion_round(const l2_expansion *ex, double *rest)
{
    int n = ex->n, i;
    double hi, lo = 0.0, r;
    *rest = 0.0;
    if (n == 0) return 0.0;
    hi = ex->p[--n];
    while (n > 0) {
        double x = hi, y = ex->p[--n], yr;
        hi = x + y;
        yr = hi - x;
        lo = y - yr;
        if (lo != 0.0) break;
    }
    r = lo;
    /* Half-way between two doubles: the partials below decide. */
    if (n > 0 && ((lo < 0.0 && ex->p[n - 1] < 0.0) ||
                  (lo > 0.0 && ex->p[n - 1] > 0.0))) {
        double y = lo * 2.0, x = hi + y, yr = x - hi;
        if (y == yr) {
            hi = x;
            r = -lo;
        }
    }
    for (i = n - 1; i >= 0; i--) r += ex->p[i];
    *rest = r;
    return hi;
}

/* ------------------------------------------------------------------------ */
/* The parts of one vector. */

/* Bring parts of kind L1/L2 (hi > 0, normal) to hi in [1, 2^p): an exact
 * power-of-two shift. */
static inline void l2_canonical(int kind, int64_t *E, double *hi, double *lo)
{
    int e = l2_exponent(*hi), k;
    k = (kind == L2_L2) ? (e >> 1) : e; /* floor(e / 2) */
    *E += k;
    *hi *= l2_pow2(-kind * k);
    *lo *= l2_pow2(-kind * k);
}

#define L2_SET_EMPTY(E, hi, lo)                                              \
    do {                                                                     \
        *(E) = L2_EMPTY;                                                     \
        *(hi) = 0.0;                                                         \
        *(lo) = 0.0;                                                         \
    } while (0)

#define L2_DEFINE_HELPERS(SUFFIX, T)                                    \
    /* Whether the compensated sum s of x[0:n] was computed exactly, so     \
     * that s, its rounding to nearest even, is correctly rounded even at a \
     * tie. Every term is an integer multiple of q, set by the smallest    \
     * non-zero entry (exact squares of p-bit significands); additions of   \
     * such multiples below 2^53 q are exact, and the low accumulator never \
     * exceeds (n + 24) u s. */                                             \
    static int l2_sum_is_exact_##SUFFIX(const T *x, int64_t n, int kind,     \
                                        double s)                            \
    {                                                                        \
        double mn = INFINITY, q;                                             \
        int64_t i;                                                           \
        int e;                                                               \
        for (i = 0; i < n; i++) {                                            \
            double a = fabs((double)x[i]);                                   \
            mn = (a > 0.0 && a < mn) ? a : mn;                               \
        }                                                                    \
        if (!(mn < 0x1p1000) || mn < 0x1p-1000) return 0;                    \
        e = l2_exponent(mn) - (sizeof(T) == 4 ? 23 : 52);                    \
        if (kind * e < -1070) return 0;                                      \
        q = ldexp(1.0, kind * e);                                            \
        return (double)(n + 24) * (1.01 * L2_U) * s < 0x1p53 * q;            \
    }                                                                        \
                                                                             \
    static inline double l2_max_abs_##SUFFIX(const T *x, int64_t n)          \
    {                                                                        \
        double m = 0.0;                                                      \
        int64_t i;                                                           \
        for (i = 0; i < n; i++) {                                            \
            double a = fabs((double)x[i]);                                   \
            m = (a > m) ? a : m;                                             \
        }                                                                    \
        return m;                                                            \
    }                                                                        \
                                                                             \
    /* Correctly rounded sum of |x 2^-E|^p (L1, L2) or of the rounded       \
     * (|x| / m)^p (LP), from an exact expansion. */                         \
    static double l2_exact_sum_##SUFFIX(const T *x, int64_t n, int kind,     \
                                        double p, int64_t E, double m,      \
                                        double *rest)                        \
    {                                                                        \
        l2_expansion ex;                                                     \
        int64_t i;                                                           \
        ex.n = 0;                                                            \
        for (i = 0; i < n; i++) {                                            \
            double v = (double)x[i], h, l;                                   \
            if (v != v) continue;                                            \
            v = fabs(v);                                                     \
            if (kind == L2_LP) {                                             \
                l2_expansion_add(&ex, pow(v / m, p));                        \
                continue;                                                    \
            }                                                                \
            v = l2_shift(v, -E);                                             \
            if (kind == L2_L1) {                                             \
                l2_expansion_add(&ex, v);                                    \
                continue;                                                    \
            }                                                                \
            L2_TWO_SQUARE_DEKKER(v, h, l);                                   \
            l2_expansion_add(&ex, h);                                        \
            l2_expansion_add(&ex, l);                                        \
        }                                                                    \
        return l2_expansion_round(&ex, rest);                                \
    }                                                                        \

L2_DEFINE_HELPERS(f32, float)
L2_DEFINE_HELPERS(f64, double)

#define L2_DEFINE_PARTS(SUFFIX, T, IS64, BITS, TGT, ATTR)                   \
    /* Canonical parts (E, hi, lo) of x[0:n]; L2_INFINITY for an infinite   \
     * entry. */                                                             \
    ATTR static inline int l2_parts_##SUFFIX##_##TGT(                        \
        const T *x, int64_t n, int kind, double p, int64_t *E, double *hi,   \
        double *lo)                                                          \
    {                                                                        \
        double s, r, h, l, m;                                                \
        int e;                                                               \
        if (kind == L2_L1 || kind == L2_L2) {                                \
            int usable;                                                      \
            if (kind == L2_L2)                                               \
                l2_sq##BITS##_##TGT(x, n, 1.0, 1.0, &h, &l);                 \
            else                                                             \
                l2_abs##BITS##_##TGT(x, n, 1.0, 1.0, &h, &l);                \
            L2_TWO_SUM(h, l, s, r);                                          \
            usable = s == s && s < 0x1p1000;                                 \
            /* float64 squares below 2^-960 may have lost bits to underflow  \
             * (a zero sum too); float32 squares and l1 terms cannot. */     \
            if (IS64 && kind == L2_L2 && s < 0x1p-960) usable = 0;           \
            if (usable && s == 0.0) {                                        \
                L2_SET_EMPTY(E, hi, lo);                                     \
                return L2_OK;                                                \
            }                                                                \
            if (usable && s >= 0x1p-960 &&                                   \
                (l2_rounding_is_certain(s, r, l2_error_bound(s, n)) ||       \
                 l2_sum_is_exact_##SUFFIX(x, n, kind, s))) {                 \
                *E = 0;                                                      \
                *hi = s;                                                     \
                *lo = r;                                                     \
                return L2_FAST;                                              \
            }                                                                \
        }                                                                    \
        /* The careful path: scaled by the power of two of the largest      \
         * entry, which is exact, so nothing can overflow or underflow. */   \
        m = l2_max_abs_##SUFFIX(x, n);                                       \
        if (isinf(m)) return L2_INFINITY;                                    \
        if (m == 0.0) {                                                      \
            L2_SET_EMPTY(E, hi, lo);                                         \
            return L2_OK;                                                    \
        }                                                                    \
        frexp(m, &e);                                                        \
        *E = e - 1; /* 2^E <= m < 2^(E+1) */                                 \
        if (kind == L2_MAX) {                                                \
            *hi = l2_shift(m, -*E);                                          \
            *lo = 0.0;                                                       \
            return L2_OK;                                                    \
        }                                                                    \
        if (kind == L2_LP) {                                                 \
            /* Terms scaled by m itself: the largest is exactly 1, so no p   \
             * overflows or underflows the sum, and the rounding of each     \
             * ratio (p units in its term) is divided by p in the root. */   \
            double a = 0.0, b = 0.0;                                         \
            int64_t i;                                                       \
            for (i = 0; i < n; i++) {                                        \
                double v = (double)x[i], t, err;                             \
                if (v != v) continue;                                        \
                t = pow(fabs(v) / m, p);                                     \
                L2_TWO_SUM(a, t, a, err);                                    \
                b += err;                                                    \
            }                                                                \
            L2_TWO_SUM(a, b, s, r);                                          \
            if (!l2_rounding_is_certain(s, r, l2_error_bound(s, n)))         \
                s = l2_exact_sum_##SUFFIX(x, n, kind, p, 0, m, &r);          \
            h = l2_shift(m, -*E) * pow(s, 1.0 / p); /* norm = 2^E h */       \
            e = l2_exponent(h);                                              \
            *E += e;                                                         \
            *hi = h * l2_pow2(-e);                                           \
            *lo = 0.0;                                                       \
            return L2_OK;                                                    \
        }                                                                    \
        {                                                                    \
            /* 2^-E may lie beyond the doubles (E < -1023): two steps. */    \
            int64_t e1 = -*E > 1000 ? 1000 : -*E, Et = *E;                   \
            double s1 = l2_shift(1.0, e1), s2 = l2_shift(1.0, -*E - e1);     \
            if (kind == L2_L2)                                               \
                l2_sq##BITS##s_##TGT(x, n, s1, s2, &h, &l);                  \
            else                                                             \
                l2_abs##BITS##s_##TGT(x, n, s1, s2, &h, &l);                 \
            L2_TWO_SUM(h, l, s, r);                                          \
            if (!l2_rounding_is_certain(s, r, l2_error_bound(s, n)))         \
                s = l2_exact_sum_##SUFFIX(x, n, kind, p, *E, m, &r);         \
            /* s sums |x 2^-E|^p: the parts of x are those of s, shifted. */ \
            *E = 0;                                                          \
            *hi = s;                                                         \
            *lo = r;                                                         \
            l2_canonical(kind, E, hi, lo);                                   \
            *E += Et;                                                        \
        }                                                                    \
        return L2_OK;                                                        \
    }


/* Merge parts b into a (same kind): for p in {1, 2} an exact power-of-two
 * alignment and a double-double addition (each merge may lose about 2^-106
 * relative); otherwise at the root level. */
static inline void l2_merge(int kind, double p, int64_t *Ea, double *ha,
                            double *la, int64_t Eb, double hb, double lb)
{
    int64_t d;
    if (hb == 0.0) return;
    if (*ha == 0.0 || Eb > *Ea) {
        int64_t Et = *Ea;
        double ht = *ha, lt = *la;
        *Ea = Eb;
        *ha = hb;
        *la = lb;
        Eb = Et;
        hb = ht;
        lb = lt;
        if (hb == 0.0) return;
    }
    d = Eb - *Ea; /* <= 0 */
    if (kind == L2_L1 || kind == L2_L2) {
        double s, e, x = l2_shift(hb, d * kind), y = l2_shift(lb, d * kind);
        L2_TWO_SUM(*ha, x, s, e);
        *la = *la + (e + y);
        L2_TWO_SUM(s, *la, *ha, *la);
        l2_canonical(kind, Ea, ha, la);
        return;
    }
    {
        double qb = l2_shift(hb, d), big = *ha > qb ? *ha : qb;
        double small = *ha > qb ? qb : *ha, q;
        int e;
        q = (kind == L2_MAX) ? big
                             : big * pow(1.0 + pow(small / big, p), 1.0 / p);
        e = l2_exponent(q);
        *Ea += e;
        *ha = q * l2_pow2(-e);
        *la = 0.0;
    }
}

/* r in [1, 2) with norm = 2^E r, for canonical parts with hi > 0. */
static inline double l2_root(int kind, double hi, double lo)
{
    /* hi is the correctly rounded sum (fl(hi + lo) = hi): lo, itself
     * rounded, must not round it a second time. */
    (void)lo;
    if (kind == L2_L2) return sqrt(hi);
    return hi;
}

static inline double l2_norm(int kind, int64_t E, double hi, double lo)
{
    if (hi == 0.0) return 0.0;
    return l2_shift(l2_root(kind, hi, lo), E);
}

/* What a vector is scaled to: unit norm (dividing by max(norm, eps)), or
 * max_norm for the vectors longer than it. */
typedef struct {
    int clip;   /* 1: max_norm */
    double mt;  /* target 2^ft mt, mt in [0.5, 1) */
    int64_t ft;
    double me;  /* eps = 2^fe me (me = 0: no eps) */
    int64_t fe;
} l2_target;

static inline l2_target l2_make_target(double eps, double max_norm)
{
    l2_target t;
    int e = 0;
    t.clip = max_norm > 0.0;
    t.mt = t.clip ? frexp(max_norm, &e) : 0.5;
    t.ft = t.clip ? e : 1;
    t.me = eps > 0.0 ? frexp(eps, &e) : 0.0;
    t.fe = eps > 0.0 ? e : 0;
    return t;
}

/* The multiplier (k, g) of a vector with canonical parts: out = (x 2^k) g,
 * with k = 0 whenever the multiplier is a normal double. */
static inline void l2_factor(int kind, const l2_target *t, int64_t E,
                             double hi, double lo, int64_t *k, double *g)
{
    double mu, g0;
    int64_t F, K;
    *k = 0;
    *g = 1.0;
    if (hi == 0.0) return; /* zero stays zero, missing stays missing */
    mu = 0.5 * l2_root(kind, hi, lo); /* norm = 2^F mu, mu in [0.5, 1) */
    F = E + 1;
    if (mu >= 1.0) {
        mu *= 0.5;
        F += 1;
    }
    if (t->clip) {
        if (F < t->ft || (F == t->ft && mu <= t->mt)) return;
    } else if (t->me > 0.0 && (F < t->fe || (F == t->fe && mu < t->me))) {
        F = t->fe;
        mu = t->me;
    }
    g0 = t->mt / mu; /* in (0.5, 2) */
    K = t->ft - F;
    if (K > -1000 && K < 1000) {
        *g = g0 * l2_pow2((int)K);
    } else {
        *k = K;
        *g = g0;
    }
}

/* out[0:n] = x[0:n] times the multiplier (k, g). */
#define L2_DEFINE_SCALE(SUFFIX, T)                                           \
    static inline void l2_scale_##SUFFIX(const T *x, T *out, int64_t n,      \
                                         int64_t k, double g)                \
    {                                                                        \
        int64_t i;                                                           \
        if (k == 0) {                                                        \
            i = 0;                                                           \
            L2_SCALE_VECTOR_##SUFFIX(x, out, n, g, i);                       \
            for (; i < n; i++) out[i] = (T)((double)x[i] * g);               \
        } else {                                                             \
            /* Shifted first, so that a tiny entry keeps its precision;     \
             * scaled first where the shift alone would overflow (an       \
             * inverse scaling of a norm beyond the float64 range). */      \
            for (i = 0; i < n; i++) {                                        \
                double y = l2_shift((double)x[i], k);                        \
                y = isinf(y) ? l2_shift((double)x[i] * g, k) : y * g;        \
                out[i] = (T)y;                                               \
            }                                                                \
        }                                                                    \
    }

#if defined(L2_VECTOR_SUMS)
/* Four entries at a time (the compiler's own loop checks for overlap and
 * peels for alignment, which costs more than a short vector takes). */
#define L2_SCALE_VECTOR_f64(x, out, n, g, i)                                 \
    for (; (i) + 4 <= (n); (i) += 4) {                                       \
        l2_v4d v_ = l2_load4_f64((x) + (i)) * (g);                           \
        memcpy((out) + (i), &v_, sizeof v_);                                 \
    }
#define L2_SCALE_VECTOR_f32(x, out, n, g, i)                                 \
    for (; (i) + 4 <= (n); (i) += 4) {                                       \
        l2_v4f v_ = __builtin_convertvector(l2_load4_f32((x) + (i)) * (g),   \
                                            l2_v4f);                         \
        memcpy((out) + (i), &v_, sizeof v_);                                 \
    }
#else
#define L2_SCALE_VECTOR_f64(x, out, n, g, i)
#define L2_SCALE_VECTOR_f32(x, out, n, g, i)
#endif

L2_DEFINE_SCALE(f32, float)
L2_DEFINE_SCALE(f64, double)

/* Streaming (non-temporal) variant for fresh dense outputs: the output is
 * not read back, so it need not displace the input from the caches. */
#if L2_X86_DISPATCH
static inline void l2_scale_stream_f64(const double *x, double *out,
                                       int64_t n, double g)
{
    int64_t i = 0;
    if (((uintptr_t)out & 15) != 0 && n > 0) {
        out[0] = x[0] * g;
        i = 1;
    }
    __m128d gv = _mm_set1_pd(g);
    for (; i + 2 <= n; i += 2)
        _mm_stream_pd(out + i, _mm_mul_pd(_mm_loadu_pd(x + i), gv));
    for (; i < n; i++) out[i] = x[i] * g;
}

static inline void l2_scale_stream_f32(const float *x, float *out, int64_t n,
                                       double g)
{
    int64_t i = 0;
    while (i < n && ((uintptr_t)(out + i) & 15) != 0) {
        out[i] = (float)((double)x[i] * g);
        i++;
    }
    __m128d gv = _mm_set1_pd(g);
    for (; i + 4 <= n; i += 4) {
        __m128 v = _mm_loadu_ps(x + i);
        __m128d lo = _mm_mul_pd(_mm_cvtps_pd(v), gv);
        __m128d hi = _mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(v, v)), gv);
        __m128 r = _mm_movelh_ps(_mm_cvtpd_ps(lo), _mm_cvtpd_ps(hi));
        _mm_stream_ps(out + i, r);
    }
    for (; i < n; i++) out[i] = (float)((double)x[i] * g);
}

static inline void l2_stream_fence(void) { _mm_sfence(); }
#else
static inline void l2_scale_stream_f64(const double *x, double *out,
                                       int64_t n, double g)
{
    l2_scale_f64(x, out, n, 0, g);
}
static inline void l2_scale_stream_f32(const float *x, float *out, int64_t n,
                                       double g)
{
    l2_scale_f32(x, out, n, 0, g);
}
static inline void l2_stream_fence(void) {}
#endif

/* ------------------------------------------------------------------------ */
/* Runs of major vectors: vector i is data[a:b] with a = i * length (dense
 * rows, indptr NULL) or indptr[i], b = indptr[i + 1]. One function per
 * instruction set, with the sums, the factor and the scaling inlined. */

#define L2_BOUNDS(indptr, idx64, length, i, a, b)                            \
    do {                                                                     \
        if ((indptr) == NULL) {                                              \
            (a) = (i) * (length);                                            \
            (b) = (a) + (length);                                            \
        } else if (idx64) {                                                  \
            (a) = ((const int64_t *)(indptr))[i];                            \
            (b) = ((const int64_t *)(indptr))[(i) + 1];                      \
        } else {                                                             \
            (a) = ((const int32_t *)(indptr))[i];                            \
            (b) = ((const int32_t *)(indptr))[(i) + 1];                      \
        }                                                                    \
    } while (0)

/* Parts, norms and multipliers of vectors first..last-1 (each output may be
 * NULL); with out, the vectors are scaled into it at once. Returns
 * L2_INFINITY at the first infinite entry. */
#define L2_DEFINE_BLOCK(SUFFIX, T, TGT, ATTR)                                \
    ATTR static int l2_block_##SUFFIX##_##TGT(                               \
        const T *data, const void *indptr, int idx64, int64_t length,        \
        int64_t first, int64_t last, int kind, double p, const l2_target *t, \
        T *out, int stream, int64_t *Es, double *his, double *los,           \
        double *norms, int64_t *ks, double *gs)                              \
    {                                                                        \
        int64_t i, a, b, E, k;                                               \
        double hi, lo, g;                                                    \
        int status;                                                          \
        /* Unit norm with neither eps nor max_norm. */                       \
        int unit = t != NULL && !t->clip && t->me == 0.0;                    \
        for (i = first; i < last; i++) {                                     \
            L2_BOUNDS(indptr, idx64, length, i, a, b);                       \
            status = l2_parts_##SUFFIX##_##TGT(data + a, b - a, kind, p, &E, \
                                               &hi, &lo);                    \
            if (status == L2_INFINITY) return L2_INFINITY;                   \
            if (status == L2_FAST && unit && out != NULL && !Es && !norms) { \
                /* 1 / sqrt(s) (or 1 / s): the bits of the multiplier that   \
                 * the canonical parts give, since s and the root scale     \
                 * exactly by powers of two. */                              \
                g = 1.0 / (kind == L2_L2 ? sqrt(hi) : hi);             \
                if (stream)                                                  \
                    l2_scale_stream_##SUFFIX(data + a, out + a, b - a, g);   \
                else                                                         \
                    l2_scale_##SUFFIX(data + a, out + a, b - a, 0, g);       \
                continue;                                                    \
            }                                                                \
            if (status == L2_FAST) l2_canonical(kind, &E, &hi, &lo);         \
            if (Es) {                                                        \
                Es[i] = E;                                                   \
                his[i] = hi;                                                 \
                los[i] = lo;                                                 \
            }                                                                \
            if (norms) norms[i] = l2_norm(kind, E, hi, lo);                  \
            if (t == NULL) continue;                                         \
            l2_factor(kind, t, E, hi, lo, &k, &g);                           \
            if (out == NULL) {                                               \
                ks[i] = k;                                                   \
                gs[i] = g;                                                   \
            } else if (stream && k == 0) {                                   \
                l2_scale_stream_##SUFFIX(data + a, out + a, b - a, g);       \
            } else {                                                         \
                l2_scale_##SUFFIX(data + a, out + a, b - a, k, g);           \
            }                                                                \
        }                                                                    \
        return L2_OK;                                                        \
    }                                                                        \
                                                                             \
    /* out = vectors first..last-1 times their multipliers. */               \
    ATTR static void l2_apply_##SUFFIX##_##TGT(                              \
        const T *data, const void *indptr, int idx64, int64_t length,        \
        int64_t first, int64_t last, T *out, int stream, const int64_t *ks,  \
        const double *gs)                                                    \
    {                                                                        \
        int64_t i, a, b;                                                     \
        for (i = first; i < last; i++) {                                     \
            L2_BOUNDS(indptr, idx64, length, i, a, b);                       \
            if (stream && ks[i] == 0)                                        \
                l2_scale_stream_##SUFFIX(data + a, out + a, b - a, gs[i]);   \
            else                                                             \
                l2_scale_##SUFFIX(data + a, out + a, b - a, ks[i], gs[i]);   \
        }                                                                    \
    }

#define L2_DEFINE_TARGET(TGT, ATTR)                                          \
    L2_DEFINE_PARTS(f32, float, 0, 32, TGT, ATTR)                            \
    L2_DEFINE_PARTS(f64, double, 1, 64, TGT, ATTR)                           \
    L2_DEFINE_BLOCK(f32, float, TGT, ATTR)                                   \
    L2_DEFINE_BLOCK(f64, double, TGT, ATTR)

L2_DEFINE_TARGET(plain, )
#if L2_X86_DISPATCH
L2_DEFINE_TARGET(avx2, L2_TARGET_AVX2)
#define L2_DISPATCH(NAME, ...)                                               \
    (l2_use_avx2() ? NAME##_avx2(__VA_ARGS__) : NAME##_plain(__VA_ARGS__))
#else
#define L2_DISPATCH(NAME, ...) NAME##_plain(__VA_ARGS__)
#endif

#define L2_DEFINE_DISPATCH(SUFFIX, T)                                        \
    static int l2_block_##SUFFIX(                                            \
        const T *data, const void *indptr, int idx64, int64_t length,        \
        int64_t first, int64_t last, int kind, double p, const l2_target *t, \
        T *out, int stream, int64_t *Es, double *his, double *los,           \
        double *norms, int64_t *ks, double *gs)                              \
    {                                                                        \
        return L2_DISPATCH(l2_block_##SUFFIX, data, indptr, idx64, length,   \
                           first, last, kind, p, t, out, stream, Es, his,    \
                           los, norms, ks, gs);                              \
    }                                                                        \
    static void l2_apply_##SUFFIX(const T *data, const void *indptr,         \
                                  int idx64, int64_t length, int64_t first,  \
                                  int64_t last, T *out, int stream,          \
                                  const int64_t *ks, const double *gs)       \
    {                                                                        \
        L2_DISPATCH(l2_apply_##SUFFIX, data, indptr, idx64, length, first,   \
                    last, out, stream, ks, gs);                              \
    }

L2_DEFINE_DISPATCH(f32, float)
L2_DEFINE_DISPATCH(f64, double)

/* Whether x[0:n] holds an infinite entry (NaN is not): the bits of |x|
 * compared with those of infinity, eight or four at a time. */
#if defined(L2_VECTOR_SUMS)
/* 16-byte vectors: native to every x86-64 (and arm64) target. */
typedef int32_t l2_v4i32 __attribute__((vector_size(16)));
typedef int64_t l2_v2i64 __attribute__((vector_size(16)));
#define L2_DEFINE_HAS_INF(SUFFIX, T, U, V, ABS, INF, W)                      \
    static int l2_has_inf_##SUFFIX(const T *x, int64_t n)                    \
    {                                                                        \
        V found = {0}, v;                                                    \
        int64_t i = 0;                                                       \
        U bits;                                                              \
        for (; i + W <= n; i += W) {                                         \
            memcpy(&v, x + i, sizeof v);                                     \
            found |= (v & ABS) == INF;                                       \
        }                                                                    \
        for (int k = 0; k < W; k++)                                          \
            if (found[k]) return 1;                                          \
        for (; i < n; i++) {                                                 \
            memcpy(&bits, x + i, sizeof bits);                               \
            if ((bits & ABS) == INF) return 1;                               \
        }                                                                    \
        return 0;                                                            \
    }
L2_DEFINE_HAS_INF(f32, float, uint32_t, l2_v4i32, 0x7fffffff, 0x7f800000, 4)
L2_DEFINE_HAS_INF(f64, double, uint64_t, l2_v2i64, INT64_MAX,
                  INT64_C(0x7ff0000000000000), 2)
#else
#define L2_DEFINE_HAS_INF(SUFFIX, T)                                         \
    static int l2_has_inf_##SUFFIX(const T *x, int64_t n)                    \
    {                                                                        \
        int64_t i;                                                           \
        for (i = 0; i < n; i++)                                              \
            if (fabs((double)x[i]) > DBL_MAX) return 1;                      \
        return 0;                                                            \
    }
L2_DEFINE_HAS_INF(f32, float)
L2_DEFINE_HAS_INF(f64, double)
#endif

/* ------------------------------------------------------------------------ */
/* Minor vectors (dense columns of a C-ordered array, CSC rows, CSR columns):
 * one entry at a time into per-vector accumulators. */

#define L2_DEFINE_ADD(SUFFIX, T, IS64)                                       \
    static inline void l2_add_##SUFFIX(int kind, T xv, double *hi,           \
                                       double *lo, double *mx)               \
    {                                                                        \
        double v = (double)xv, t, tl = 0.0, e, a;                            \
        if (v != v) return;                                                  \
        a = fabs(v);                                                         \
        if (a > *mx) *mx = a;                                                \
        if (kind == L2_L1) {                                                 \
            t = a;                                                           \
        } else if (IS64) {                                                   \
            L2_TWO_SQUARE_PLAIN(v, t, tl);                                   \
        } else {                                                             \
            t = v * v;                                                       \
        }                                                                    \
        L2_TWO_SUM(*hi, t, *hi, e);                                          \
        *lo += e + tl;                                                       \
    }

L2_DEFINE_ADD(f32, float, 0)
L2_DEFINE_ADD(f64, double, 1)

/* A dense row added to the accumulators of every column (vectorizable). */
#define L2_DEFINE_ROW_ADD(NAME, T, TERM, SQ, ATTR)                           \
    ATTR static void NAME(const T *x, int64_t n, double *hi, double *lo,     \
                          double *mx)                                        \
    {                                                                        \
        int64_t j;                                                           \
        for (j = 0; j < n; j++) {                                            \
            double v = (double)x[j], t, tl, e, a;                            \
            a = fabs(v);                                                     \
            mx[j] = (a > mx[j]) ? a : mx[j];                                 \
            TERM(v, t, tl, SQ);                                              \
            L2_TWO_SUM(hi[j], t, hi[j], e);                                  \
            lo[j] += e + tl;                                                 \
        }                                                                    \
    }

#define L2_DEFINE_ROW_ADDS(SUFFIX, SQ, ATTR)                                 \
    L2_DEFINE_ROW_ADD(l2_rowabs32_##SUFFIX, float, L2_TERM_ABS, SQ, ATTR)    \
    L2_DEFINE_ROW_ADD(l2_rowabs64_##SUFFIX, double, L2_TERM_ABS, SQ, ATTR)   \
    L2_DEFINE_ROW_ADD(l2_rowsq32_##SUFFIX, float, L2_TERM_SQ32, SQ, ATTR)    \
    L2_DEFINE_ROW_ADD(l2_rowsq64_##SUFFIX, double, L2_TERM_SQ64, SQ, ATTR)

L2_DEFINE_ROW_ADDS(plain, L2_TWO_SQUARE_PLAIN, )
#if L2_X86_DISPATCH
L2_DEFINE_ROW_ADDS(avx2, L2_TWO_SQUARE_FMA, L2_TARGET_AVX2)
#endif

typedef void (*l2_row_add_fn)(const void *, int64_t, double *, double *,
                              double *);

static inline l2_row_add_fn l2_row_add_for(int kind, int is64)
{
    int idx = (kind == L2_L2) * 2 + is64;
#if L2_X86_DISPATCH
    static const l2_row_add_fn fast[4] = {
        (l2_row_add_fn)l2_rowabs32_avx2, (l2_row_add_fn)l2_rowabs64_avx2,
        (l2_row_add_fn)l2_rowsq32_avx2, (l2_row_add_fn)l2_rowsq64_avx2};
    if (l2_use_avx2()) return fast[idx];
#endif
    static const l2_row_add_fn plain[4] = {
        (l2_row_add_fn)l2_rowabs32_plain, (l2_row_add_fn)l2_rowabs64_plain,
        (l2_row_add_fn)l2_rowsq32_plain, (l2_row_add_fn)l2_rowsq64_plain};
    return plain[idx];
}

/* Finish a minor vector from its accumulators: 1 when its fast sum is
 * certain (parts set), 0 when it must be redone from its entries, and
 * L2_INFINITY + 1 for an infinite entry. n bounds its number of entries. */
static inline int l2_finish_minor(int kind, int is64, double h, double l,
                                  double mx, int64_t n, int64_t *E,
                                  double *hi, double *lo)
{
    double s, r;
    if (isinf(mx)) return L2_INFINITY + 1;
    if (mx == 0.0) {
        *E = L2_EMPTY; *hi = 0.0; *lo = 0.0;
        return 1;
    }
    L2_TWO_SUM(h, l, s, r);
    (void)is64;
    if (!(s == s && s < 0x1p1000)) return 0;
    if (s < 0x1p-960) return 0; /* possible underflow, or a zero sum */
    if (!l2_rounding_is_certain(s, r, l2_error_bound(s, n))) return 0;
    *E = 0; *hi = s; *lo = r;
    l2_canonical(kind, E, hi, lo);
    return 1;
}

#endif /* SKLEARN_L2_VECTOR_H */
