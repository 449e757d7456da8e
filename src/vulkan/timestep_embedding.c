/* vdk_timestep_embedding on Vulkan (shaders/timestep_embedding.comp): one
 * invocation per (row, frequency) writing its sine and cosine. The exponent's
 * factor ln(max_period) / (half - shift) is formed here in double and passed
 * as a double-float, as the shader carries the argument in double-float. */
#include "ops.h"

#include <math.h>
#include <string.h>

vdk_status vdk_vk_timestep_embedding(vdk_context *ctx, const vdk_timestep_embedding_params *p,
                                     const vdk_tensor *t, vdk_tensor *y)
{
    static const char op[] = "vdk_timestep_embedding";
    static const char *const names[3] = {"vulkan.timestep_embedding.f32",
                                         "vulkan.timestep_embedding.f16",
                                         "vulkan.timestep_embedding.bf16"};
    struct {
        uint32_t shape[5], ts[5], ys[5], toff, yoff, half, dim;
        float c_hi, c_lo, scale;
        uint32_t tiling;
    } push;
    _Static_assert(sizeof push <= VDK_VK_PUSH_BYTES, "timestep_embedding push constants");
    vdk_vk_view5 vt, vy;
    vdk_vk_dispatch d = {.nbuf = 2, .buf = {t->storage, y->storage}, .writes = {false, true}};
    vdk_status st;
    if ((st = vdk_vk_variant(ctx, op, y->dtype, VDK_SHADER_timestep_embedding_f32, &d.shader)) ||
        (st = vdk_vk_view(ctx, op, "t", t, NULL, &vt)) ||
        (st = vdk_vk_view(ctx, op, "y", y, NULL, &vy)))
        return st;
    /* The front end has filled in the defaults of scale and max_period. */
    const uint32_t N = (uint32_t)t->shape[0], half = (uint32_t)(p->dim / 2);
    const double c = log((double)p->max_period) / ((double)half - (double)p->downscale_freq_shift);
    memset(&push, 0, sizeof push);
    const uint32_t shape[5] = {1, 1, 1, N, half + (uint32_t)(p->dim % 2)};
    memcpy(push.shape, shape, sizeof shape);
    push.ts[3] = vt.stride[4];
    push.ys[3] = vy.stride[3];
    push.ys[4] = 1;
    push.toff = vt.offset;
    push.yoff = vy.offset;
    push.half = half;
    push.dim = (uint32_t)p->dim;
    push.c_hi = (float)c;
    push.c_lo = (float)(c - (double)push.c_hi);
    push.scale = p->scale;
    d.spec[0] = vdk_vk_group_size(ctx->vk, 256);
    d.spec[1] = 2;
    d.spec[2] = 1; /* a frequency costs some 600 flops: one per invocation */
    d.spec[3] = p->flip_sin_to_cos != 0;
    d.spec[4] = p->interleave != 0;
    d.groups = vdk_vk_rows_tiling(N, shape[4], d.spec[0], d.spec[2],
                                  (uint32_t)vdk_dtype_size(y->dtype), &push.tiling);
    return vdk_vk_launch(ctx, &d, &push, sizeof push, vdk_vk_kernel_name(names, y->dtype));
}
