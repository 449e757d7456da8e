/* vdk_conv3d: argument checks, then the backend. */
#include "../internal.h"

static const char *const axis_names[3] = {"T", "H", "W"};

vdk_status vdk_conv3d(vdk_context *ctx, const vdk_conv3d_params *p, const vdk_tensor *x,
                      const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                      vdk_tensor *y)
{
    vdk_check c = {ctx, "vdk_conv3d"};
    vdk_status st;
    if ((st = vdk_check_context(&c)) || (st = vdk_check_params(&c, p)) ||
        (st = vdk_check_tensor(&c, x, "x")) || (st = vdk_check_tensor(&c, w, "w")) ||
        (st = vdk_check_optional(&c, bias, "bias")) ||
        (st = vdk_check_optional(&c, residual, "residual")) ||
        (st = vdk_check_tensor(&c, y, "y")) || (st = vdk_check_rank(&c, x, "x", 5)) ||
        (st = vdk_check_rank(&c, w, "w", 5)) ||
        (bias && (st = vdk_check_rank(&c, bias, "bias", 1))) ||
        (residual && (st = vdk_check_rank(&c, residual, "residual", 5))) ||
        (st = vdk_check_rank(&c, y, "y", 5)) ||
        (st = vdk_check_same_dtype(&c, w, "w", x, "x")) ||
        (st = vdk_check_same_dtype(&c, bias, "bias", x, "x")) ||
        (st = vdk_check_same_dtype(&c, residual, "residual", x, "x")) ||
        (st = vdk_check_same_dtype(&c, y, "y", x, "x")))
        return st;

    /* Parameter values. A padding is bounded by its kernel size, so w's shape
     * (its rank is checked above) is read here already. */
    for (int i = 0; i < 3; i++)
        if (p->stride[i] < 0)
            return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                            "vdk_conv3d: p->stride[%d] is %d; expected >= 1 (or 0 for the "
                            "default 1)",
                            i, p->stride[i]);
    for (int i = 0; i < 3; i++) {
        int64_t k = w->shape[1 + i];
        if (p->padding[i] < 0 || p->padding[i] > k - 1)
            return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                            "vdk_conv3d: p->padding[%d] is %d; expected 0 to %lld (kernel size "
                            "minus 1, from w.shape[%d] = %lld)",
                            i, p->padding[i], (long long)(k - 1), 1 + i, (long long)k);
    }
    if (p->act != VDK_ACT_NONE && p->act != VDK_ACT_SILU && p->act != VDK_ACT_GELU)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_conv3d: p->act is %d; expected VDK_ACT_NONE, VDK_ACT_SILU or "
                        "VDK_ACT_GELU",
                        (int)p->act);

    /* Shapes. */
    const int64_t Cin = x->shape[4], Cout = w->shape[0];
    if (w->shape[4] != Cin) {
        char s[160];
        return vdk_fail(ctx, VDK_ERROR_SHAPE,
                        "vdk_conv3d: tensor 'w' has shape %s; expected w.shape[4] = Cin = "
                        "x.shape[4] = %lld",
                        vdk_format_shape(s, sizeof s, w->rank, w->shape), (long long)Cin);
    }
    int64_t out[5] = {x->shape[0], 0, 0, 0, Cout};
    for (int i = 0; i < 3; i++) {
        const int64_t size = x->shape[1 + i], k = w->shape[1 + i];
        const int64_t stride = p->stride[i] ? p->stride[i] : 1;
        int64_t padded;
        char s[160];
        if (__builtin_add_overflow(size, 2 * (int64_t)p->padding[i], &padded))
            return vdk_fail(ctx, VDK_ERROR_OVERFLOW,
                            "vdk_conv3d: tensor 'x' has shape %s; its axis %s plus twice "
                            "p->padding[%d] = %d does not fit in 64 bits",
                            vdk_format_shape(s, sizeof s, x->rank, x->shape), axis_names[i], i,
                            p->padding[i]);
        if (padded < k)
            return vdk_fail(ctx, VDK_ERROR_SHAPE,
                            "vdk_conv3d: tensor 'x' has shape %s; its axis %s padded by "
                            "p->padding[%d] = %d on each side is %lld, smaller than the kernel "
                            "size %lld = w.shape[%d] (the output would be empty)",
                            vdk_format_shape(s, sizeof s, x->rank, x->shape), axis_names[i], i,
                            p->padding[i], (long long)padded, (long long)k, 1 + i);
        out[1 + i] = (padded - k) / stride + 1;
    }
    int64_t numel;
    size_t bytes;
    if ((st = vdk_checked_size(ctx, "vdk_conv3d: output 'y'", 5, out, vdk_dtype_size(x->dtype),
                               &numel, &bytes)))
        return st;
    static const char expect[] = "[N, To, Ho, Wo, Cout] from x, w and p (To = (T + "
                                 "2*padding[0] - kt) / stride[0] + 1, likewise Ho and Wo; "
                                 "Cout = w.shape[0])";
    if ((bias &&
         (st = vdk_check_shape(&c, bias, "bias", 1, &Cout, "[Cout] with Cout = w.shape[0]"))) ||
        (residual && (st = vdk_check_shape(&c, residual, "residual", 5, out, expect))) ||
        (st = vdk_check_shape(&c, y, "y", 5, out, expect)))
        return st;

    /* Aliasing: a kernel may read residual[i] just before it writes y[i], which is
     * safe for the very same view and for nothing else. */
    if ((st = vdk_check_no_overlap(&c, y, "y", x, "x")) ||
        (st = vdk_check_no_overlap(&c, y, "y", w, "w")) ||
        (st = vdk_check_no_overlap(&c, y, "y", bias, "bias")) ||
        (st = vdk_check_inplace_or_disjoint(&c, y, "y", residual, "residual")) ||
        (st = vdk_check_implemented(&c, ctx->ops->conv3d)))
        return st;
    const int64_t t0 = vdk_profile_start(ctx);
    return vdk_profile_stop(ctx, t0, ctx->ops->conv3d(ctx, p, x, w, bias, residual, y));
}
