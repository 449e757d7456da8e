/* vdk_conv3d on Vulkan: an implicit GEMM (gemm.c, shaders/conv3d.comp) that
 * gathers each output position's taps from x as it lies, with bias, activation
 * and residual in its epilogue. */
#include "gemm.h"

vdk_status vdk_vk_conv3d(vdk_context *ctx, const vdk_conv3d_params *p, const vdk_tensor *x,
                         const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                         vdk_tensor *y)
{
    static const char *const names[VDK_VK_GEMM_TILES][3] = {
        {"vulkan.conv3d.128x128.f32", "vulkan.conv3d.128x128.f16", "vulkan.conv3d.128x128.bf16"},
        {"vulkan.conv3d.128x64.f32", "vulkan.conv3d.128x64.f16", "vulkan.conv3d.128x64.bf16"},
        {"vulkan.conv3d.64x64.f32", "vulkan.conv3d.64x64.f16", "vulkan.conv3d.64x64.bf16"},
        {"vulkan.conv3d.64x64.8x4.f32", "vulkan.conv3d.64x64.8x4.f16",
         "vulkan.conv3d.64x64.8x4.bf16"},
    };
    vdk_vk_gemm_args g = {
        .op = "vdk_conv3d",
        .shader = VDK_SHADER_conv3d_f32,
        .x = x,
        .w = w,
        .bias = bias,
        .residual = residual,
        .y = y,
        .act = p->act,
        .conv = true,
    };
    for (int i = 0; i < 3; i++) {
        g.k[i] = (uint32_t)w->shape[1 + i];
        g.stride[i] = p->stride[i] ? (uint32_t)p->stride[i] : 1;
        g.pad[i] = (uint32_t)p->padding[i];
    }
    int tile;
    vdk_status st = vdk_vk_gemm(ctx, &g, &tile);
    if (st == VDK_OK)
        ctx->last_kernel = vdk_vk_kernel_name(names[tile], x->dtype);
    return st;
}
