/* vdk_linear: argument checks, then the backend. */
#include "../internal.h"

#include <stdio.h>
#include <string.h>

vdk_status vdk_linear(vdk_context *ctx, const vdk_linear_params *p, const vdk_tensor *x,
                      const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                      vdk_tensor *y)
{
    vdk_check c = {ctx, "vdk_linear"};
    vdk_status st;
    /* x's rank needs no check: every tensor has rank 1 to VDK_MAX_RANK. */
    if ((st = vdk_check_context(&c)) || (st = vdk_check_params(&c, p)) ||
        (st = vdk_check_tensor(&c, x, "x")) || (st = vdk_check_tensor(&c, w, "w")) ||
        (st = vdk_check_optional(&c, bias, "bias")) ||
        (st = vdk_check_optional(&c, residual, "residual")) ||
        (st = vdk_check_tensor(&c, y, "y")) || (st = vdk_check_rank(&c, w, "w", 2)) ||
        (bias && (st = vdk_check_rank(&c, bias, "bias", 1))) ||
        (residual && (st = vdk_check_rank(&c, residual, "residual", x->rank))) ||
        (st = vdk_check_rank(&c, y, "y", x->rank)) ||
        (st = vdk_check_same_dtype(&c, w, "w", x, "x")) ||
        (st = vdk_check_same_dtype(&c, bias, "bias", x, "x")) ||
        (st = vdk_check_same_dtype(&c, residual, "residual", x, "x")) ||
        (st = vdk_check_same_dtype(&c, y, "y", x, "x")))
        return st;

    if ((int)p->act < 0 || p->act >= VDK_ACT_COUNT)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_linear: p->act is %d; expected VDK_ACT_NONE, VDK_ACT_SILU, "
                        "VDK_ACT_GELU or VDK_ACT_GEGLU",
                        (int)p->act);

    const int r = x->rank;
    const int64_t Cin = x->shape[r - 1], Cout = w->shape[0];
    char where[96];
    snprintf(where, sizeof where, "[Cout, Cin] with Cin = x.shape[%d]", r - 1);
    if ((st = vdk_check_shape(&c, w, "w", 2, (const int64_t[]){Cout, Cin}, where)))
        return st;
    if (p->act == VDK_ACT_GEGLU && Cout % 2 != 0) {
        char s[160];
        return vdk_fail(ctx, VDK_ERROR_SHAPE,
                        "vdk_linear: tensor 'w' has shape %s; expected an even Cout = w.shape[0] "
                        "for VDK_ACT_GEGLU (y gets Cout/2 channels)",
                        vdk_format_shape(s, sizeof s, w->rank, w->shape));
    }
    const int64_t Cy = p->act == VDK_ACT_GEGLU ? Cout / 2 : Cout;
    int64_t yshape[VDK_MAX_RANK];
    memcpy(yshape, x->shape, sizeof yshape);
    yshape[r - 1] = Cy;
    snprintf(where, sizeof where, "x.shape[:%d] + [%s] with Cout = w.shape[0]", r - 1,
             p->act == VDK_ACT_GEGLU ? "Cout/2" : "Cout");
    if ((bias && (st = vdk_check_shape(&c, bias, "bias", 1, &Cout, "[Cout] with Cout = w.shape[0]"))) ||
        (st = vdk_check_shape(&c, y, "y", r, yshape, where)) ||
        (residual && (st = vdk_check_shape(&c, residual, "residual", r, yshape, where))) ||
        (st = vdk_check_no_overlap(&c, y, "y", x, "x")) ||
        (st = vdk_check_no_overlap(&c, y, "y", w, "w")) ||
        (st = vdk_check_no_overlap(&c, y, "y", bias, "bias")) ||
        (st = vdk_check_inplace_or_disjoint(&c, y, "y", residual, "residual")) ||
        (st = vdk_check_implemented(&c, ctx->ops->linear)))
        return st;
    const int64_t t0 = vdk_profile_start(ctx);
    return vdk_profile_stop(ctx, t0, ctx->ops->linear(ctx, p, x, w, bias, residual, y));
}
