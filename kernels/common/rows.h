/* Helpers of the kernels that work row by row over the last axis (layer_norm,
 * rms_norm, softmax): a row's address, the lane mask of a partial vector, and
 * a prefetch of the next row. */
#ifndef VDK_KERNELS_ROWS_H
#define VDK_KERNELS_ROWS_H

#include "vmath.h"

/* Lanes [0, n) set, n in [0, VW]: where a partial vector's padding must not
 * enter a reduction (its lanes load as 0, which is not neutral for max, or for
 * a sum of (x - mean)^2). */
VDK_INLINE vm rows_lanes_below(int n)
{
    static const float iota[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    _Static_assert(VW <= 16, "rows_lanes_below: iota too short for VW");
    return vf_lt(vf_load(iota), vf_set1((float)n));
}

/* The distance between consecutive rows of t when every row is that far from
 * the one before (the outer axes collapse, as in a dense tensor or a slice of
 * the last axis), else -1. Axes of extent 1 contribute nothing, whatever
 * their stride. */
static inline int64_t rows_stride(const vdk_tensor *t)
{
    if (t->rank < 2)
        return 0;
    const int64_t rs = t->stride[t->rank - 2];
    int64_t rows_inside = t->shape[t->rank - 2]; /* rows one step of axis a spans */
    for (int a = t->rank - 3; a >= 0; a--) {
        if (t->shape[a] > 1 && t->stride[a] != rows_inside * rs)
            return -1;
        rows_inside *= t->shape[a];
    }
    return rs;
}

/* Element offset of row r of t, `rs` being rows_stride(t): no division per row
 * where the rows are evenly spaced. */
static inline int64_t rows_offset(const vdk_tensor *t, int64_t rs, int64_t r)
{
    return rs >= 0 ? r * rs : vdk_cpu_row_offset(t, r);
}

/* Asks for the cache lines of [p, p + bytes) ahead of use (a hint; no
 * instruction-set intrinsic: the compiler's builtin exists on every target). */
VDK_INLINE void rows_prefetch(const void *p, int64_t bytes)
{
    for (int64_t b = 0; b < bytes; b += 64)
        __builtin_prefetch((const char *)p + b);
}

#endif
