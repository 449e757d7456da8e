/* vdk_concat: argument checks, then the backend. */
#include "../internal.h"

#include <stdio.h>

vdk_status vdk_concat(vdk_context *ctx, const vdk_concat_params *p, const vdk_tensor *a,
                      const vdk_tensor *b, vdk_tensor *y)
{
    vdk_check c = {ctx, "vdk_concat"};
    vdk_status st;
    if ((st = vdk_check_context(&c)) || (st = vdk_check_params(&c, p)) ||
        (st = vdk_check_tensor(&c, a, "a")) || (st = vdk_check_tensor(&c, b, "b")) ||
        (st = vdk_check_tensor(&c, y, "y")) || (st = vdk_check_rank(&c, b, "b", a->rank)) ||
        (st = vdk_check_rank(&c, y, "y", a->rank)) ||
        (st = vdk_check_same_dtype(&c, b, "b", a, "a")) ||
        (st = vdk_check_same_dtype(&c, y, "y", a, "a")))
        return st;

    const int rank = a->rank;
    if (p->axis < -rank || p->axis >= rank)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_concat: p->axis is %d; expected -%d to %d for rank-%d tensors",
                        p->axis, rank, rank - 1, rank);
    const int axis = p->axis < 0 ? p->axis + rank : p->axis;

    for (int i = 0; i < rank; i++)
        if (i != axis && b->shape[i] != a->shape[i]) {
            char sa[160], sb[160];
            return vdk_fail(ctx, VDK_ERROR_SHAPE,
                            "vdk_concat: tensor 'b' has shape %s; expected the shape of 'a' %s "
                            "on every axis but the concatenation axis %d (b.shape[%d] = %lld, "
                            "a.shape[%d] = %lld)",
                            vdk_format_shape(sb, sizeof sb, rank, b->shape),
                            vdk_format_shape(sa, sizeof sa, rank, a->shape), axis, i,
                            (long long)b->shape[i], i, (long long)a->shape[i]);
        }
    int64_t out[VDK_MAX_RANK];
    for (int i = 0; i < rank; i++)
        out[i] = a->shape[i];
    if (__builtin_add_overflow(a->shape[axis], b->shape[axis], &out[axis]))
        return vdk_fail(ctx, VDK_ERROR_OVERFLOW,
                        "vdk_concat: a.shape[%d] + b.shape[%d] = %lld + %lld does not fit in 64 "
                        "bits",
                        axis, axis, (long long)a->shape[axis], (long long)b->shape[axis]);
    int64_t numel;
    size_t bytes;
    char expect[96];
    snprintf(expect, sizeof expect, "a.shape with axis %d the sum a.shape[%d] + b.shape[%d]",
             axis, axis, axis);
    if ((st = vdk_checked_size(ctx, "vdk_concat: output 'y'", rank, out,
                               vdk_dtype_size(a->dtype), &numel, &bytes)) ||
        (st = vdk_check_shape(&c, y, "y", rank, out, expect)) ||
        (st = vdk_check_no_overlap(&c, y, "y", a, "a")) ||
        (st = vdk_check_no_overlap(&c, y, "y", b, "b")) ||
        (st = vdk_check_implemented(&c, ctx->ops->concat)))
        return st;
    const int64_t t0 = vdk_profile_start(ctx);
    return vdk_profile_stop(ctx, t0, ctx->ops->concat(ctx, p, a, b, y));
}
