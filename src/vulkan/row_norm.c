/* vdk_layer_norm and vdk_rms_norm on Vulkan: one dispatch of
 * shaders/layer_norm.comp or rms_norm.comp (shaders/common/row_norm.glsl).
 *
 * Short rows go one per subgroup (no barriers; a workgroup takes rpw rows),
 * longer ones one per workgroup; either way each invocation keeps its NV
 * vectors of the row in registers when NV * VEC <= 32, and reads the row once
 * per pass otherwise (NV = 0). */
#include "ops.h"

#include <string.h>

/* Registers per invocation for the row (row_norm.glsl's keep[]). */
#define ROW_KEEP 32

vdk_status vdk_vk_row_norm(vdk_context *ctx, const char *op, const char *const names[3],
                           vdk_shader_id f32, float eps, const vdk_tensor *x,
                           const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y)
{
    vdk_vk *vk = ctx->vk;
    if (!vk->caps.subgroup_arith)
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: Vulkan device '%s' lacks arithmetic subgroup "
                        "operations in compute shaders, which the shader uses",
                        op, vk->caps.name);
    struct {
        uint32_t shape[4], xs[4], ys[4], xoff, yoff, goff, boff, C, rows, rpw;
        float eps;
        uint32_t affine;
    } push;
    _Static_assert(sizeof push <= VDK_VK_PUSH_BYTES, "row_norm push constants");
    vdk_vk_view5 vx, vy, vg = {0}, vb = {0};
    const bool rms = f32 == VDK_SHADER_rms_norm_f32; /* binds no beta */
    vdk_vk_dispatch d = {
        .nbuf = rms ? 3 : 4,
        .buf = {x->storage, y->storage, gamma ? gamma->storage : x->storage,
                beta ? beta->storage : x->storage},
        .writes = {false, true},
    };
    vdk_status st;
    if ((st = vdk_vk_variant(ctx, op, x->dtype, f32, &d.shader)) ||
        (st = vdk_vk_view(ctx, op, "x", x, NULL, &vx)) ||
        (st = vdk_vk_view(ctx, op, "y", y, NULL, &vy)) ||
        (gamma && (st = vdk_vk_view(ctx, op, "gamma", gamma, NULL, &vg))) ||
        (beta && (st = vdk_vk_view(ctx, op, "beta", beta, NULL, &vb))))
        return st;
    memset(&push, 0, sizeof push);
    memcpy(push.shape, vx.shape, sizeof push.shape);
    memcpy(push.xs, vx.stride, sizeof push.xs);
    memcpy(push.ys, vy.stride, sizeof push.ys);
    push.xoff = vx.offset;
    push.yoff = vy.offset;
    push.goff = vg.offset;
    push.boff = vb.offset;
    push.C = vx.shape[4];
    push.rows = (uint32_t)(vdk_numel_of(x->rank, x->shape) / push.C);
    push.eps = eps;
    push.affine = (gamma ? 1u : 0u) | (beta ? 2u : 0u);

    const vdk_vk_view5 *views[4] = {&vx, &vy, &vg, &vb};
    const uint32_t vec = vdk_vk_vector_width(x->dtype == VDK_F32 ? 4 : 8, push.C, views, 4);
    const uint32_t cv = push.C / vec, keep = ROW_KEEP / vec;
    const uint32_t smin = vk->caps.min_subgroup ? vk->caps.min_subgroup : 1;
    uint32_t wg, nv;
    bool sub = (cv + smin - 1) / smin <= keep;
    if (sub) {
        /* nv for the smallest subgroup the device may run; a larger one leaves
         * the last vectors of its lanes empty. */
        wg = vdk_vk_group_size(vk, 256);
        nv = (cv + smin - 1) / smin;
        uint32_t sg = vk->caps.subgroup_size ? vk->caps.subgroup_size : 1;
        push.rpw = wg / sg ? wg / sg : 1;
        d.groups = (push.rows + push.rpw - 1) / push.rpw;
    } else {
        wg = vdk_vk_group_size(vk, 64);
        while ((cv + wg - 1) / wg > keep && wg < vdk_vk_group_size(vk, 256))
            wg *= 2;
        nv = (cv + wg - 1) / wg <= keep ? (cv + wg - 1) / wg : 0;
        d.groups = push.rows;
    }
    d.spec[0] = wg;
    d.spec[1] = vec;
    d.spec[2] = sub;
    d.spec[3] = nv;
    return vdk_vk_launch(ctx, &d, &push, sizeof push, vdk_vk_kernel_name(names, x->dtype));
}
