/* Our dense row loops with the exactness taken out, for the benchmark's
 * "vs plain" column: TwoSum becomes a plain sum (L2_PLAIN) and no scan for
 * infinity runs before an in-place call. The tree, short-row batching,
 * scaling and threading are those of the shipped kernel. */
#define L2_PLAIN
#include "../sklearn_l2/_vector.h"

#define PLAIN_PIECE ((int64_t)1 << 16) /* entries per task, as _kernels.pyx */

int plain_normalize(const void *x, void *out, int is64, int64_t rows, int64_t cols, int threads) {
    l2_job j;
    memset(&j, 0, sizeof(j));
    j.op = L2_MAJOR, j.kind = L2_L2, j.p = 2.0, j.is64 = is64;
    j.x = x, j.out = out, j.length = cols, j.n_major = rows;
    j.target = l2_make_target(0.0, 0.0);
    l2_select_isa(2);
    int64_t per = PLAIN_PIECE * rows / (rows * cols > 0 ? rows * cols : 1) / 4 * 4;
    per = per < 4 ? 4 : per;
    int64_t pieces = (rows + per - 1) / per;
    int bad = 0;
#pragma omp parallel for num_threads(threads) schedule(dynamic) reduction(| : bad)
    for (int64_t b = 0; b < pieces; b++)
        bad |= l2_run(&j, b * per, (b + 1) * per < rows ? (b + 1) * per : rows);
    return bad;
}
