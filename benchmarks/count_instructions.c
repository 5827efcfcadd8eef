/* Instructions an entry of the row kernels, for the README's counts under
 * valgrind --tool=callgrind (see benchmarks/README.md). One call over rows of
 * random normal data (a fixed generator), the AVX2 build (valgrind does not
 * run AVX-512): argv: 32 or 64, rows, entries a row, copy | inplace. Built
 * with -DL2_PLAIN, the same loops with plain sums (and no scan: "plain"). */
#include "../sklearn_l2/_vector.h"
#include <stdio.h>

static double normal(uint64_t *s) { /* Box-Muller on a 64-bit LCG */
    double u[2];
    for (int i = 0; i < 2; i++) *s = *s * 6364136223846793005ULL + 1442695040888963407ULL,
                                u[i] = ((*s >> 11) + 0.5) * 0x1p-53;
    return sqrt(-2.0 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

__attribute__((noinline)) int count_call(l2_job *j, int scan, int64_t size) {
    l2_job s = *j;
    s.op = L2_HAS_INF;
    if (scan && l2_run(&s, 0, size)) return 1;
    return l2_run(j, 0, j->n_major);
}

int main(int argc, char **argv) {
    int is64 = argc > 4 && atoi(argv[1]) == 64, in_place = argc > 4 && argv[4][0] == 'i';
    int64_t rows = argc > 4 ? atoll(argv[2]) : 1000, cols = argc > 4 ? atoll(argv[3]) : 64, size = rows * cols;
    uint64_t seed = 1;
    char *x = malloc((size_t)size * 8), *out = in_place ? x : malloc((size_t)size * 8);
    for (int64_t i = 0; i < size; i++) l2_put(x, is64, i, normal(&seed));
    l2_job j;
    memset(&j, 0, sizeof(j));
    j.op = L2_MAJOR, j.kind = L2_L2, j.p = 2.0, j.is64 = is64, j.x = x, j.out = out;
    j.length = cols, j.n_major = rows, j.target = l2_make_target(0.0, 0.0);
    int isa = l2_select_isa(1);
#ifdef L2_PLAIN
    in_place = 0;
#endif
    int bad = count_call(&j, in_place, size);
    printf("%s rows=%lld cols=%lld %s isa=%d bad=%d out[0]=%g\n", is64 ? "float64" : "float32", (long long)rows,
           (long long)cols, in_place ? "inplace" : "copy", isa, bad, l2_at(out, is64, 0));
    return bad;
}
