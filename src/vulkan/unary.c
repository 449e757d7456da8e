/* vdk_unary on Vulkan: one invocation per element (shaders/unary.comp). */
#include "ops.h"

#include <string.h>

vdk_status vdk_vk_unary(vdk_context *ctx, const vdk_unary_params *p, const vdk_tensor *x,
                        vdk_tensor *y)
{
    static const char op[] = "vdk_unary";
    static const char *const names[3] = {"vulkan.unary.f32", "vulkan.unary.f16",
                                         "vulkan.unary.bf16"};
    struct {
        uint32_t shape[5], xs[5], ys[5], xoff, yoff, n;
        float alpha, beta;
    } push;
    vdk_vk_view5 vx, vy;
    vdk_vk_dispatch d = {.nbuf = 2, .buf = {x->storage, y->storage}, .writes = {false, true}};
    vdk_status st;
    if ((st = vdk_vk_variant(ctx, op, x->dtype, VDK_SHADER_unary_f32, &d.shader)) ||
        (st = vdk_vk_view(ctx, op, "x", x, NULL, &vx)) ||
        (st = vdk_vk_view(ctx, op, "y", y, NULL, &vy)))
        return st;
    memcpy(push.shape, vx.shape, sizeof push.shape);
    memcpy(push.xs, vx.stride, sizeof push.xs);
    memcpy(push.ys, vy.stride, sizeof push.ys);
    push.xoff = vx.offset;
    push.yoff = vy.offset;
    push.n = (uint32_t)vdk_numel_of(x->rank, x->shape);
    push.alpha = p->alpha;
    push.beta = p->beta;
    d.spec[0] = vdk_vk_group_size(ctx->vk, 256);
    d.spec[1] = (uint32_t)p->op;
    d.groups = (push.n + d.spec[0] - 1) / d.spec[0];
    return vdk_vk_launch(ctx, &d, &push, sizeof push, vdk_vk_kernel_name(names, x->dtype));
}
