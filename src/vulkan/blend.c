/* vdk_blend on Vulkan (shaders/blend.comp): one dispatch over the rows x run
 * layout of a, b, alpha and y with their common axes merged, so contiguous
 * tensors (with a scalar or per-frame alpha) are one long run. */
#include "ops.h"

#include <string.h>

vdk_status vdk_vk_blend(vdk_context *ctx, const vdk_blend_params *p, const vdk_tensor *a,
                        const vdk_tensor *b, const vdk_tensor *alpha, vdk_tensor *y)
{
    static const char op[] = "vdk_blend";
    static const char *const names[3] = {"vulkan.blend.f32", "vulkan.blend.f16",
                                         "vulkan.blend.bf16"};
    struct {
        uint32_t shape[5], st[4][5], off[4], tiling;
        float alpha;
    } push;
    _Static_assert(sizeof push <= VDK_VK_PUSH_BYTES, "blend push constants");
    vdk_vk_view5 v[4] = {0};
    vdk_vk_dispatch d = {.nbuf = 4,
                         /* without an alpha tensor, binding 2 (never read) is a again */
                         .buf = {a->storage, b->storage, (alpha ? alpha : a)->storage, y->storage},
                         .writes = {false, false, false, true}};
    vdk_status st;
    if ((st = vdk_vk_variant(ctx, op, a->dtype, VDK_SHADER_blend_f32, &d.shader)) ||
        (st = vdk_vk_view(ctx, op, "a", a, NULL, &v[0])) ||
        (st = vdk_vk_view(ctx, op, "b", b, a, &v[1])) ||
        (alpha && (st = vdk_vk_view(ctx, op, "alpha", alpha, a, &v[2]))) ||
        (st = vdk_vk_view(ctx, op, "y", y, a, &v[3])))
        return st;
    if (!alpha) /* stride 0 everywhere: merges with anything */
        memcpy(v[2].shape, v[0].shape, sizeof v[2].shape);
    vdk_vk_rows r;
    vdk_vk_rows_merge(&r, 4, v, -1, NULL);
    memcpy(push.shape, r.shape, sizeof push.shape);
    memcpy(push.st, r.stride, sizeof push.st);
    memcpy(push.off, r.offset, sizeof push.off);
    push.alpha = p->alpha;
    const uint32_t mode = !alpha ? 0 : r.stride[2][4] == 0 || r.run == 1 ? 1 : 2;
    d.spec[0] = vdk_vk_group_size(ctx->vk, 256);
    d.spec[1] = (uint32_t)r.dims;
    d.spec[2] = 4;
    d.spec[3] = mode;
    d.spec[4] = mode != 0 && p->sigmoid;
    d.groups = vdk_vk_rows_tiling(r.rows, r.run, d.spec[0], d.spec[2],
                                  (uint32_t)vdk_dtype_size(a->dtype), &push.tiling);
    return vdk_vk_launch(ctx, &d, &push, sizeof push, vdk_vk_kernel_name(names, a->dtype));
}
