/* vdk_group_norm: argument checks, then the backend. */
#include "../internal.h"

vdk_status vdk_group_norm(vdk_context *ctx, const vdk_group_norm_params *p, const vdk_tensor *x,
                          const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y)
{
    vdk_check c = {ctx, "vdk_group_norm"};
    vdk_status st;
    if ((st = vdk_check_context(&c)) || (st = vdk_check_params(&c, p)) ||
        (st = vdk_check_tensor(&c, x, "x")) || (st = vdk_check_optional(&c, gamma, "gamma")) ||
        (st = vdk_check_optional(&c, beta, "beta")) || (st = vdk_check_tensor(&c, y, "y")) ||
        (st = vdk_check_rank(&c, x, "x", 5)) ||
        (st = vdk_check_same_dtype(&c, gamma, "gamma", x, "x")) ||
        (st = vdk_check_same_dtype(&c, beta, "beta", x, "x")) ||
        (st = vdk_check_same_dtype(&c, y, "y", x, "x")))
        return st;

    int64_t C = x->shape[4];
    if (p->groups < 1 || C % p->groups != 0)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_group_norm: p->groups is %d; expected a divisor of C = x.shape[4] = "
                        "%lld",
                        p->groups, (long long)C);
    if ((st = vdk_check_positive_eps(&c, p->eps, "eps")))
        return st;
    if (p->scope != VDK_NORM_PER_FRAME && p->scope != VDK_NORM_PER_CLIP)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_group_norm: p->scope is %d; expected VDK_NORM_PER_FRAME or "
                        "VDK_NORM_PER_CLIP",
                        (int)p->scope);
    if (p->act != VDK_ACT_NONE && p->act != VDK_ACT_SILU)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_group_norm: p->act is %d; expected VDK_ACT_NONE or VDK_ACT_SILU",
                        (int)p->act);

    if ((gamma && (st = vdk_check_shape(&c, gamma, "gamma", 1, &C, "[C] with C = x.shape[4]"))) ||
        (beta && (st = vdk_check_shape(&c, beta, "beta", 1, &C, "[C] with C = x.shape[4]"))) ||
        (st = vdk_check_shape(&c, y, "y", 5, x->shape, "x.shape")) ||
        (st = vdk_check_inplace_or_disjoint(&c, y, "y", x, "x")) ||
        (st = vdk_check_no_overlap(&c, y, "y", gamma, "gamma")) ||
        (st = vdk_check_no_overlap(&c, y, "y", beta, "beta")) ||
        (st = vdk_check_implemented(&c, ctx->ops->group_norm)))
        return st;
    const int64_t t0 = vdk_profile_start(ctx);
    return vdk_profile_stop(ctx, t0, ctx->ops->group_norm(ctx, p, x, gamma, beta, y));
}
