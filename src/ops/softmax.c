/* vdk_softmax: argument checks, then the backend. */
#include "../internal.h"

#include <math.h>

vdk_status vdk_softmax(vdk_context *ctx, const vdk_softmax_params *p, const vdk_tensor *x,
                       vdk_tensor *y)
{
    vdk_check c = {ctx, "vdk_softmax"};
    vdk_status st;
    if ((st = vdk_check_context(&c)) || (st = vdk_check_params(&c, p)) ||
        (st = vdk_check_tensor(&c, x, "x")) || (st = vdk_check_tensor(&c, y, "y")) ||
        (st = vdk_check_rank_range(&c, x, "x", 1, VDK_MAX_RANK)) ||
        (st = vdk_check_rank(&c, y, "y", x->rank)) ||
        (st = vdk_check_same_dtype(&c, y, "y", x, "x")))
        return st;
    if (!isfinite(p->scale))
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_softmax: p->scale is %g; expected a finite value (0 = 1)",
                        (double)p->scale);
    if ((st = vdk_check_shape(&c, y, "y", x->rank, x->shape, "x.shape")) ||
        (st = vdk_check_inplace_or_disjoint(&c, y, "y", x, "x")) ||
        (st = vdk_check_implemented(&c, ctx->ops->softmax)))
        return st;
    const int64_t t0 = vdk_profile_start(ctx);
    return vdk_profile_stop(ctx, t0, ctx->ops->softmax(ctx, p, x, y));
}
