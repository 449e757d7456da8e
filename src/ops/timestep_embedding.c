/* vdk_timestep_embedding: argument checks, defaults, then the backend. The
 * backend gets a copy of the parameters with the defaults filled in (scale 0 ->
 * 1, max_period 0 -> 10000), so no backend resolves them again. */
#include "../internal.h"

#include <math.h>

vdk_status vdk_timestep_embedding(vdk_context *ctx, const vdk_timestep_embedding_params *p,
                                  const vdk_tensor *t, vdk_tensor *y)
{
    vdk_check c = {ctx, "vdk_timestep_embedding"};
    vdk_status st;
    if ((st = vdk_check_context(&c)) || (st = vdk_check_params(&c, p)) ||
        (st = vdk_check_tensor(&c, t, "t")) || (st = vdk_check_tensor(&c, y, "y")) ||
        (st = vdk_check_rank(&c, t, "t", 1)) || (st = vdk_check_rank(&c, y, "y", 2)) ||
        (st = vdk_check_same_dtype(&c, y, "y", t, "t")))
        return st;

    vdk_timestep_embedding_params q = *p;
    if (q.dim < 2)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE, "vdk_timestep_embedding: p->dim is %d; "
                        "expected at least 2 (one sine and one cosine)", q.dim);
    if (!isfinite(q.scale))
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_timestep_embedding: p->scale is %g; expected a finite value (0 = 1)",
                        (double)q.scale);
    if (q.scale == 0)
        q.scale = 1;
    if (q.max_period == 0)
        q.max_period = 10000;
    if (!(q.max_period > 0) || isinf(q.max_period))
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_timestep_embedding: p->max_period is %g; expected a finite value > "
                        "0 (0 = 10000)",
                        (double)p->max_period);
    const int half = q.dim / 2;
    if (!isfinite(q.downscale_freq_shift) || (double)half - q.downscale_freq_shift == 0)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_timestep_embedding: p->downscale_freq_shift is %g; expected a "
                        "finite value other than half = p->dim / 2 = %d (the exponent divides "
                        "by half - shift)",
                        (double)q.downscale_freq_shift, half);

    const int64_t want[2] = {t->shape[0], q.dim};
    if ((st = vdk_check_shape(&c, y, "y", 2, want, "[N, p->dim] with N = t.shape[0]")) ||
        (st = vdk_check_no_overlap(&c, y, "y", t, "t")) ||
        (st = vdk_check_implemented(&c, ctx->ops->timestep_embedding)))
        return st;
    const int64_t t0 = vdk_profile_start(ctx);
    return vdk_profile_stop(ctx, t0, ctx->ops->timestep_embedding(ctx, &q, t, y));
}
