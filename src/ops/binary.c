/* vdk_binary: argument checks, then the backend. */
#include "broadcast.h"

vdk_status vdk_binary(vdk_context *ctx, const vdk_binary_params *p, const vdk_tensor *a,
                      const vdk_tensor *b, vdk_tensor *y)
{
    vdk_check c = {ctx, "vdk_binary"};
    vdk_status st;
    if ((st = vdk_check_context(&c)) || (st = vdk_check_params(&c, p)) ||
        (st = vdk_check_tensor(&c, a, "a")) || (st = vdk_check_tensor(&c, b, "b")) ||
        (st = vdk_check_tensor(&c, y, "y")) ||
        (st = vdk_check_broadcast_rank(&c, b, "b", a, "a")) ||
        (st = vdk_check_same_dtype(&c, b, "b", a, "a")) ||
        (st = vdk_check_same_dtype(&c, y, "y", a, "a")))
        return st;

    if ((int)p->op < 0 || (int)p->op >= VDK_BINARY_COUNT)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_binary: p->op is %d; expected VDK_BINARY_ADD, VDK_BINARY_SUB or "
                        "VDK_BINARY_MUL",
                        (int)p->op);

    /* vdk.h allows y == a only: a broadcast b that shared memory with y would be
     * read again after y had overwritten it. */
    if ((st = vdk_check_broadcast_shape(&c, b, "b", a, "a")) ||
        (st = vdk_check_shape(&c, y, "y", a->rank, a->shape, "a.shape")) ||
        (st = vdk_check_inplace_or_disjoint(&c, y, "y", a, "a")) ||
        (st = vdk_check_no_overlap(&c, y, "y", b, "b")) ||
        (st = vdk_check_implemented(&c, ctx->ops->binary)))
        return st;
    const int64_t t0 = vdk_profile_start(ctx);
    return vdk_profile_stop(ctx, t0, ctx->ops->binary(ctx, p, a, b, y));
}
