/* The loop nest of an elementwise operator: operands of the output's shape or
 * broadcast onto it NumPy-style (vdk_binary's b, vdk_blend's alpha), each a
 * strided view, walked as rows of one contiguous inner run.
 *
 * Axes of size 1 carry no index and are dropped; neighbouring axes merge where
 * every operand steps through them as through one axis (stride[k] =
 * stride[k+1] * shape[k+1], a broadcast axis being stride 0). So a dense pair
 * is one flat run, a per-channel [C] is [rows, C], a per-frame [N, T, 1, 1, C]
 * onto [N, T, H, W, C] is [N*T, H*W, C] and a scalar is a flat run with stride
 * 0. In the inner run every operand has stride 1 or, broadcast along it, 0, so
 * a kernel needs two span shapes per operand; where a dropped size-1 last axis
 * would leave another stride there, a size-1 inner run is kept instead.
 *
 * Threads take near-equal flat ranges of elements (vdk_ew_range), which may
 * begin and end inside a row: a few long rows split as evenly as many short
 * ones. */
#ifndef VDK_KERNELS_EWISE_H
#define VDK_KERNELS_EWISE_H

#include "vdt.h"

#define VDK_EW_MAX_OPS 4

/* Bytes of output a kernel computes into an L1 buffer before it streams them
 * to an output written with streaming stores (vdk_cpu_stream). */
#define VDK_EW_STAGE_BYTES (8 * 1024)

/* One axis more than a tensor has, for the size-1 inner run (only ever added
 * after a size-1 axis was dropped, but the bound does not rest on that). */
#define VDK_EW_MAX_RANK (VDK_MAX_RANK + 1)

typedef struct vdk_ew {
    int rank; /* >= 1 */
    int64_t shape[VDK_EW_MAX_RANK];
    int64_t stride[VDK_EW_MAX_OPS][VDK_EW_MAX_RANK]; /* elements; 0 along broadcast axes */
    int64_t len, numel;                           /* inner run, all elements */
} vdk_ew;

/* The nest of `rank`/`shape` (the output's) over ops[0..nops): each of that
 * shape or broadcasting onto it; a NULL op, and those past nops, read as a
 * scalar broadcast everywhere (stride 0). The walking functions below go over
 * all VDK_EW_MAX_OPS operands, a constant count the compiler unrolls. */
static inline void vdk_ew_init(vdk_ew *e, int rank, const int64_t *shape, int nops,
                               const vdk_tensor *const *ops)
{
    int r = 0;
    for (int k = 0; k < rank; k++) {
        if (shape[k] == 1)
            continue;
        e->shape[r] = shape[k];
        for (int i = 0; i < VDK_EW_MAX_OPS; i++) {
            const vdk_tensor *t = i < nops ? ops[i] : NULL;
            const int kt = t ? k - (rank - t->rank) : -1;
            e->stride[i][r] = kt >= 0 && t->shape[kt] != 1 ? t->stride[kt] : 0;
        }
        r++;
    }
    bool unit = r > 0;
    for (int i = 0; unit && i < VDK_EW_MAX_OPS; i++)
        unit = e->stride[i][r - 1] == 0 || e->stride[i][r - 1] == 1;
    if (!unit) { /* every element alone: one index, stride 0 */
        e->shape[r] = 1;
        for (int i = 0; i < VDK_EW_MAX_OPS; i++)
            e->stride[i][r] = 0;
        r++;
    }
    int m = 0;
    for (int k = 0; k < r; k++) {
        bool merge = m > 0;
        for (int i = 0; merge && i < VDK_EW_MAX_OPS; i++)
            merge = e->stride[i][m - 1] == e->stride[i][k] * e->shape[k];
        if (merge) {
            e->shape[m - 1] *= e->shape[k];
            for (int i = 0; i < VDK_EW_MAX_OPS; i++)
                e->stride[i][m - 1] = e->stride[i][k];
        } else {
            e->shape[m] = e->shape[k];
            for (int i = 0; i < VDK_EW_MAX_OPS; i++)
                e->stride[i][m] = e->stride[i][k];
            m++;
        }
    }
    e->rank = m;
    e->len = e->shape[m - 1];
    e->numel = vdk_numel_of(m, e->shape);
}

/* Stride of operand i along the inner run: 1, or 0 where it is broadcast. */
VDK_INLINE int64_t vdk_ew_inner(const vdk_ew *e, int i) { return e->stride[i][e->rank - 1]; }

/* A position in the nest: the row's index along each outer axis, each
 * operand's element offset at the row's start, and the column. */
typedef struct vdk_ew_pos {
    int64_t idx[VDK_EW_MAX_RANK];
    int64_t off[VDK_EW_MAX_OPS];
    int64_t col;
} vdk_ew_pos;

static inline void vdk_ew_seek(const vdk_ew *e, vdk_ew_pos *p, int64_t flat)
{
    int64_t row = flat / e->len;
    p->col = flat % e->len;
    for (int i = 0; i < VDK_EW_MAX_OPS; i++)
        p->off[i] = 0;
    for (int k = e->rank - 2; k >= 0; k--) {
        p->idx[k] = row % e->shape[k];
        row /= e->shape[k];
        for (int i = 0; i < VDK_EW_MAX_OPS; i++)
            p->off[i] += p->idx[k] * e->stride[i][k];
    }
}

/* To column 0 of the next row (an odometer over the outer axes). */
VDK_INLINE void vdk_ew_next_row(const vdk_ew *e, vdk_ew_pos *p)
{
    p->col = 0;
    for (int k = e->rank - 2; k >= 0; k--) {
        for (int i = 0; i < VDK_EW_MAX_OPS; i++)
            p->off[i] += e->stride[i][k];
        if (++p->idx[k] < e->shape[k])
            return;
        for (int i = 0; i < VDK_EW_MAX_OPS; i++)
            p->off[i] -= e->stride[i][k] * e->shape[k];
        p->idx[k] = 0;
    }
}

/* Element offset of operand i at the position. */
VDK_INLINE int64_t vdk_ew_at(const vdk_ew *e, const vdk_ew_pos *p, int i)
{
    return p->off[i] + p->col * vdk_ew_inner(e, i);
}

/* This thread's [begin, end) of the nest's elements: near-equal parts cut at
 * multiples of 64 elements, so threads share no cache line of a dense output. */
static inline void vdk_ew_range(const vdk_ew *e, int64_t *begin, int64_t *end)
{
    const int64_t q = 64;
    vdk_cpu_split((e->numel + q - 1) / q, vdk_cpu_team_size(), vdk_cpu_thread_id(), begin, end);
    *begin *= q;
    *end = *end * q < e->numel ? *end * q : e->numel;
}

#endif
