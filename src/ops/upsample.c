/* vdk_upsample: argument checks, then the backend. */
#include "../internal.h"

vdk_status vdk_upsample(vdk_context *ctx, const vdk_upsample_params *p, const vdk_tensor *x,
                        vdk_tensor *y)
{
    vdk_check c = {ctx, "vdk_upsample"};
    vdk_status st;
    if ((st = vdk_check_context(&c)) || (st = vdk_check_params(&c, p)) ||
        (st = vdk_check_tensor(&c, x, "x")) || (st = vdk_check_tensor(&c, y, "y")) ||
        (st = vdk_check_rank(&c, x, "x", 5)) || (st = vdk_check_rank(&c, y, "y", 5)) ||
        (st = vdk_check_same_dtype(&c, y, "y", x, "x")))
        return st;

    for (int i = 0; i < 3; i++)
        if (p->factor[i] < 0)
            return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                            "vdk_upsample: p->factor[%d] is %d; expected >= 1 (or 0 for the "
                            "default 1)",
                            i, p->factor[i]);

    int64_t out[5] = {x->shape[0], 0, 0, 0, x->shape[4]};
    for (int i = 0; i < 3; i++) {
        const int64_t f = p->factor[i] ? p->factor[i] : 1;
        if (__builtin_mul_overflow(x->shape[1 + i], f, &out[1 + i])) {
            char s[160];
            return vdk_fail(ctx, VDK_ERROR_OVERFLOW,
                            "vdk_upsample: tensor 'x' has shape %s; x.shape[%d] times "
                            "p->factor[%d] = %d does not fit in 64 bits",
                            vdk_format_shape(s, sizeof s, x->rank, x->shape), 1 + i, i,
                            p->factor[i]);
        }
    }
    int64_t numel;
    size_t bytes;
    if ((st = vdk_checked_size(ctx, "vdk_upsample: output 'y'", 5, out,
                               vdk_dtype_size(x->dtype), &numel, &bytes)) ||
        (st = vdk_check_shape(&c, y, "y", 5, out,
                              "[N, T*ft, H*fh, W*fw, C] from x.shape and p->factor")) ||
        (st = vdk_check_no_overlap(&c, y, "y", x, "x")) ||
        (st = vdk_check_implemented(&c, ctx->ops->upsample)))
        return st;
    const int64_t t0 = vdk_profile_start(ctx);
    return vdk_profile_stop(ctx, t0, ctx->ops->upsample(ctx, p, x, y));
}
