/* vdk_binary on Vulkan: one invocation per element, b broadcast onto a
 * (shaders/binary.comp). */
#include "ops.h"

#include <string.h>

vdk_status vdk_vk_binary(vdk_context *ctx, const vdk_binary_params *p, const vdk_tensor *a,
                         const vdk_tensor *b, vdk_tensor *y)
{
    static const char op[] = "vdk_binary";
    static const char *const names[3] = {"vulkan.binary.f32", "vulkan.binary.f16",
                                         "vulkan.binary.bf16"};
    struct {
        uint32_t shape[5], as[5], bs[5], ys[5], aoff, boff, yoff, n;
    } push;
    vdk_vk_view5 va, vb, vy;
    vdk_vk_dispatch d = {
        .nbuf = 3, .buf = {a->storage, b->storage, y->storage}, .writes = {false, false, true}};
    vdk_status st;
    if ((st = vdk_vk_variant(ctx, op, a->dtype, VDK_SHADER_binary_f32, &d.shader)) ||
        (st = vdk_vk_view(ctx, op, "a", a, NULL, &va)) ||
        (st = vdk_vk_view(ctx, op, "b", b, a, &vb)) ||
        (st = vdk_vk_view(ctx, op, "y", y, NULL, &vy)))
        return st;
    memcpy(push.shape, va.shape, sizeof push.shape);
    memcpy(push.as, va.stride, sizeof push.as);
    memcpy(push.bs, vb.stride, sizeof push.bs);
    memcpy(push.ys, vy.stride, sizeof push.ys);
    push.aoff = va.offset;
    push.boff = vb.offset;
    push.yoff = vy.offset;
    push.n = (uint32_t)vdk_numel_of(a->rank, a->shape);
    d.spec[0] = vdk_vk_group_size(ctx->vk, 256);
    d.spec[1] = (uint32_t)p->op;
    d.groups = (push.n + d.spec[0] - 1) / d.spec[0];
    return vdk_vk_launch(ctx, &d, &push, sizeof push, vdk_vk_kernel_name(names, a->dtype));
}
