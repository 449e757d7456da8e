/* vdk_concat on the CPU: pure data movement, bit-exact. Seen in row-major
 * order, y is `outer` blocks (the product of the sizes before the axis), block
 * o being block o of a followed by block o of b. y splits along the axis into
 * two views, y[..., :La, ...] and y[..., La:, ...]; a is copied into the first
 * and b into the second, each through the nest of ewise.h, which merges the
 * axes both sides step through alike (contiguous tensors joined on axis 0 are
 * one run per input; on the channel axis, one run of C_a or C_b per row). The
 * threads share y's elements in block order, so y is written front to back;
 * a y larger than the cache is written with streaming stores. */
#include "ewise.h"

enum { DST, SRC };

typedef struct part {
    vdk_ew e;
    vdk_ew_pos p;
    char *dst;
    const char *src;
} part;

/* Copies the next n elements of the part, in its order, and moves past them. */
static void copy_next(part *q, int64_t n, int64_t es, bool stream)
{
    while (n > 0) {
        const int64_t k = q->e.len - q->p.col < n ? q->e.len - q->p.col : n;
        char *d = q->dst + vdk_ew_at(&q->e, &q->p, DST) * es;
        const char *s = q->src + vdk_ew_at(&q->e, &q->p, SRC) * es;
        if (stream)
            vf_stream_copy(d, s, (size_t)(k * es));
        else
            memcpy(d, s, (size_t)(k * es));
        n -= k;
        q->p.col += k;
        if (q->p.col == q->e.len)
            vdk_ew_next_row(&q->e, &q->p);
    }
}

/* Elements [begin, end) of y in block order: block o holds la of a, then lb of b. */
static void copy_range(const part *pa, const part *pb, int64_t la, int64_t lb, int64_t es,
                       bool stream, int64_t begin, int64_t end)
{
    if (begin >= end)
        return;
    part a = *pa, b = *pb;
    const int64_t o = begin / (la + lb), r = begin % (la + lb);
    vdk_ew_seek(&a.e, &a.p, o * la + (r < la ? r : la));
    vdk_ew_seek(&b.e, &b.p, o * lb + (r < la ? 0 : r - la));
    for (int64_t pos = begin, in = r; pos < end;) {
        if (in < la) {
            const int64_t k = la - in < end - pos ? la - in : end - pos;
            copy_next(&a, k, es, stream);
            pos += k, in += k;
        } else {
            const int64_t k = la + lb - in < end - pos ? la + lb - in : end - pos;
            copy_next(&b, k, es, stream);
            pos += k, in += k;
            if (in == la + lb)
                in = 0;
        }
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
    part pa = {.dst = vdk_cpu_data(&ya), .src = vdk_cpu_data(a)};
    part pb = {.dst = vdk_cpu_data(&yb), .src = vdk_cpu_data(b)};
    vdk_ew_init(&pa.e, a->rank, a->shape, 2, (const vdk_tensor *const[]){&ya, a});
    vdk_ew_init(&pb.e, b->rank, b->shape, 2, (const vdk_tensor *const[]){&yb, b});
    int64_t outer = 1;
    for (int k = 0; k < axis; k++)
        outer *= a->shape[k];
    const int64_t la = pa.e.numel / outer, lb = pb.e.numel / outer, total = pa.e.numel + pb.e.numel;
    const int team = vdk_cpu_team_for(ctx, 2 * total * es);
    const bool stream = vdk_cpu_stream(ctx, total * es);
#pragma omp parallel num_threads(team)
    {
        /* cut at multiples of 64 elements, as vdk_ew_range */
        int64_t begin, end;
        vdk_cpu_split((total + 63) / 64, vdk_cpu_team_size(), vdk_cpu_thread_id(), &begin, &end);
        begin *= 64;
        end = end * 64 < total ? end * 64 : total;
        copy_range(&pa, &pb, la, lb, es, stream, begin, end);
        if (stream)
            vf_stream_fence();
    }
    ctx->last_kernel = names[a->dtype];
    return VDK_OK;
}
