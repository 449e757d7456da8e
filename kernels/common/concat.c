/* vdk_concat on the CPU: pure data movement, bit-exact. y splits along the axis
 * into two views, y[..., :La, ...] and y[..., La:, ...]; a is copied into the
 * first and b into the second, each through the nest of ewise.h, which merges
 * the axes both sides step through alike: concatenating contiguous tensors
 * along axis 0 is one block per input, along the channel axis one run of
 * C_a (or C_b) elements per row. The threads share the elements of both copies
 * as one range. */
#include "ewise.h"

enum { DST, SRC };

/* Copies elements [begin, end) of the nest e (DST, SRC) of es-byte elements. */
static void copy_range(const vdk_ew *e, char *dst, const char *src, int64_t es, int64_t begin,
                       int64_t end)
{
    if (begin >= end)
        return;
    vdk_ew_pos p;
    vdk_ew_seek(e, &p, begin);
    for (int64_t pos = begin; pos < end;) {
        const int64_t n = e->len - p.col < end - pos ? e->len - p.col : end - pos;
        memcpy(dst + vdk_ew_at(e, &p, DST) * es, src + vdk_ew_at(e, &p, SRC) * es,
               (size_t)(n * es));
        pos += n;
        vdk_ew_next_row(e, &p);
    }
}

vdk_status VDK_K(concat)(vdk_context *ctx, const vdk_concat_params *p, const vdk_tensor *a,
                         const vdk_tensor *b, vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("concat");
    const int axis = p->axis < 0 ? p->axis + a->rank : p->axis;
    const int64_t es = (int64_t)vdk_dtype_size(a->dtype);
    vdk_tensor ya = *y, yb = *y; /* the two halves of y, as views */
    ya.shape[axis] = a->shape[axis];
    yb.shape[axis] = b->shape[axis];
    yb.offset += a->shape[axis] * y->stride[axis];
    vdk_ew ea, eb;
    vdk_ew_init(&ea, a->rank, a->shape, 2, (const vdk_tensor *const[]){&ya, a});
    vdk_ew_init(&eb, b->rank, b->shape, 2, (const vdk_tensor *const[]){&yb, b});
    char *const da = vdk_cpu_data(&ya), *const db = vdk_cpu_data(&yb);
    const char *const sa = vdk_cpu_data(a), *const sb = vdk_cpu_data(b);
    const int64_t total = ea.numel + eb.numel;
    const int team = vdk_cpu_team_for(ctx, 2 * total * es);
#pragma omp parallel num_threads(team)
    {
        /* cut at multiples of 64 elements, as vdk_ew_range */
        int64_t begin, end;
        vdk_cpu_split((total + 63) / 64, vdk_cpu_team_size(), vdk_cpu_thread_id(), &begin, &end);
        begin *= 64;
        end = end * 64 < total ? end * 64 : total;
        copy_range(&ea, da, sa, es, begin, end < ea.numel ? end : ea.numel);
        copy_range(&eb, db, sb, es, (begin > ea.numel ? begin : ea.numel) - ea.numel,
                   end - ea.numel);
    }
    ctx->last_kernel = names[a->dtype];
    return VDK_OK;
}
