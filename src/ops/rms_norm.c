/* vdk_rms_norm: argument checks, then the backend. */
#include "../internal.h"

#include <stdio.h>

vdk_status vdk_rms_norm(vdk_context *ctx, const vdk_rms_norm_params *p, const vdk_tensor *x,
                        const vdk_tensor *gamma, vdk_tensor *y)
{
    vdk_check c = {ctx, "vdk_rms_norm"};
    vdk_status st;
    /* x's rank needs no check: every tensor has rank 1 to VDK_MAX_RANK. */
    if ((st = vdk_check_context(&c)) || (st = vdk_check_params(&c, p)) ||
        (st = vdk_check_tensor(&c, x, "x")) || (st = vdk_check_optional(&c, gamma, "gamma")) ||
        (st = vdk_check_tensor(&c, y, "y")) ||
        (gamma && (st = vdk_check_rank(&c, gamma, "gamma", 1))) ||
        (st = vdk_check_rank(&c, y, "y", x->rank)) ||
        (st = vdk_check_same_dtype(&c, gamma, "gamma", x, "x")) ||
        (st = vdk_check_same_dtype(&c, y, "y", x, "x")) ||
        (st = vdk_check_positive_eps(&c, p->eps, "eps")))
        return st;

    const int64_t C = x->shape[x->rank - 1];
    char where[64];
    snprintf(where, sizeof where, "[C] with C = x.shape[%d]", x->rank - 1);
    if ((gamma && (st = vdk_check_shape(&c, gamma, "gamma", 1, &C, where))) ||
        (st = vdk_check_shape(&c, y, "y", x->rank, x->shape, "x.shape")) ||
        (st = vdk_check_inplace_or_disjoint(&c, y, "y", x, "x")) ||
        (st = vdk_check_no_overlap(&c, y, "y", gamma, "gamma")) ||
        (st = vdk_check_implemented(&c, ctx->ops->rms_norm)))
        return st;
    const int64_t t0 = vdk_profile_start(ctx);
    return vdk_profile_stop(ctx, t0, ctx->ops->rms_norm(ctx, p, x, gamma, y));
}
