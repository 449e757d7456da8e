/* vdk_unary: argument checks, then the backend. */
#include "../internal.h"

#include <math.h>

vdk_status vdk_unary(vdk_context *ctx, const vdk_unary_params *p, const vdk_tensor *x,
                     vdk_tensor *y)
{
    vdk_check c = {ctx, "vdk_unary"};
    vdk_status st;
    if ((st = vdk_check_context(&c)) || (st = vdk_check_params(&c, p)) ||
        (st = vdk_check_tensor(&c, x, "x")) || (st = vdk_check_tensor(&c, y, "y")) ||
        (st = vdk_check_same_dtype(&c, y, "y", x, "x")))
        return st;

    if ((int)p->op < 0 || (int)p->op >= VDK_UNARY_COUNT)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_unary: p->op is %d; expected VDK_UNARY_SILU, VDK_UNARY_GELU, "
                        "VDK_UNARY_SIGMOID or VDK_UNARY_AFFINE",
                        (int)p->op);
    /* alpha and beta mean something to AFFINE only; other ops ignore them. */
    if (p->op == VDK_UNARY_AFFINE && !isfinite(p->alpha))
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_unary: p->alpha is %g; expected a finite value for VDK_UNARY_AFFINE",
                        (double)p->alpha);
    if (p->op == VDK_UNARY_AFFINE && !isfinite(p->beta))
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_unary: p->beta is %g; expected a finite value for VDK_UNARY_AFFINE",
                        (double)p->beta);

    if ((st = vdk_check_shape(&c, y, "y", x->rank, x->shape, "x.shape")) ||
        (st = vdk_check_inplace_or_disjoint(&c, y, "y", x, "x")) ||
        (st = vdk_check_implemented(&c, ctx->ops->unary)))
        return st;
    const int64_t t0 = vdk_profile_start(ctx);
    return vdk_profile_stop(ctx, t0, ctx->ops->unary(ctx, p, x, y));
}
