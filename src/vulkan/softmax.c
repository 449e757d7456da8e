/* vdk_softmax on Vulkan: one workgroup per row (shaders/softmax.comp). */
#include "ops.h"

#include <string.h>

vdk_status vdk_vk_softmax(vdk_context *ctx, const vdk_softmax_params *p, const vdk_tensor *x,
                          vdk_tensor *y)
{
    static const char op[] = "vdk_softmax";
    static const char *const names[3] = {"vulkan.softmax.f32", "vulkan.softmax.f16",
                                         "vulkan.softmax.bf16"};
    if (!ctx->vk->caps.subgroup_arith)
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: Vulkan device '%s' lacks arithmetic subgroup "
                        "operations in compute "
                        "shaders, which the softmax shader uses",
                        op, ctx->vk->caps.name);
    struct {
        uint32_t shape[5], xs[5], ys[5], xoff, yoff, rows;
        float scale;
    } push;
    vdk_vk_view5 vx, vy;
    vdk_vk_dispatch d = {.nbuf = 2, .buf = {x->storage, y->storage}, .writes = {false, true}};
    vdk_status st;
    if ((st = vdk_vk_variant(ctx, op, x->dtype, VDK_SHADER_softmax_f32, &d.shader)) ||
        (st = vdk_vk_view(ctx, op, "x", x, NULL, &vx)) ||
        (st = vdk_vk_view(ctx, op, "y", y, NULL, &vy)))
        return st;
    memcpy(push.shape, vx.shape, sizeof push.shape);
    memcpy(push.xs, vx.stride, sizeof push.xs);
    memcpy(push.ys, vy.stride, sizeof push.ys);
    push.xoff = vx.offset;
    push.yoff = vy.offset;
    const uint32_t C = vx.shape[4];
    push.rows = (uint32_t)(vdk_numel_of(x->rank, x->shape) / C);
    push.scale = p->scale != 0 ? p->scale : 1.0f;
    /* One workgroup per row, sized to the row (the subgroup reduction takes any
     * size). */
    d.spec[0] = vdk_vk_group_size(ctx->vk, C <= 64 ? 64 : C <= 1024 ? 128 : 256);
    d.groups = push.rows;
    return vdk_vk_launch(ctx, &d, &push, sizeof push, vdk_vk_kernel_name(names, x->dtype));
}
