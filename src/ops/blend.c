/* vdk_blend: argument checks, then the backend. */
#include "broadcast.h"

#include <math.h>

vdk_status vdk_blend(vdk_context *ctx, const vdk_blend_params *p, const vdk_tensor *a,
                     const vdk_tensor *b, const vdk_tensor *alpha, vdk_tensor *y)
{
    vdk_check c = {ctx, "vdk_blend"};
    vdk_status st;
    if ((st = vdk_check_context(&c)) || (st = vdk_check_params(&c, p)) ||
        (st = vdk_check_tensor(&c, a, "a")) || (st = vdk_check_tensor(&c, b, "b")) ||
        (st = vdk_check_optional(&c, alpha, "alpha")) || (st = vdk_check_tensor(&c, y, "y")) ||
        (alpha && (st = vdk_check_broadcast_rank(&c, alpha, "alpha", a, "a"))) ||
        (st = vdk_check_same_dtype(&c, b, "b", a, "a")) ||
        (st = vdk_check_same_dtype(&c, alpha, "alpha", a, "a")) ||
        (st = vdk_check_same_dtype(&c, y, "y", a, "a")))
        return st;

    /* p->alpha is read only without an alpha tensor. A sigmoid asked for without
     * one is almost surely a logit passed as p->alpha, so it is refused rather
     * than ignored. */
    if (!alpha && p->sigmoid)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_blend: p->sigmoid is set but the alpha tensor is NULL; pass the "
                        "logit as a tensor, or pass sigmoid(logit) as p->alpha with sigmoid 0");
    if (!alpha && !isfinite(p->alpha))
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_blend: p->alpha is %g; expected a finite value (it is the blend "
                        "factor when the alpha tensor is NULL)",
                        (double)p->alpha);

    if ((st = vdk_check_shape(&c, b, "b", a->rank, a->shape, "a.shape")) ||
        (alpha && (st = vdk_check_broadcast_shape(&c, alpha, "alpha", a, "a"))) ||
        (st = vdk_check_shape(&c, y, "y", a->rank, a->shape, "a.shape")) ||
        (st = vdk_check_inplace_or_disjoint(&c, y, "y", a, "a")) ||
        (st = vdk_check_inplace_or_disjoint(&c, y, "y", b, "b")) ||
        (st = vdk_check_no_overlap(&c, y, "y", alpha, "alpha")) ||
        (st = vdk_check_implemented(&c, ctx->ops->blend)))
        return st;
    const int64_t t0 = vdk_profile_start(ctx);
    return vdk_profile_stop(ctx, t0, ctx->ops->blend(ctx, p, a, b, alpha, y));
}
