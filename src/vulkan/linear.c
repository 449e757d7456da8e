/* vdk_linear on Vulkan: the tiled GEMM (gemm.c, shaders/linear.comp) with bias,
 * activation or GEGLU, and residual in its epilogue. */
#include "gemm.h"

vdk_status vdk_vk_linear(vdk_context *ctx, const vdk_linear_params *p, const vdk_tensor *x,
                         const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                         vdk_tensor *y)
{
    static const char *const names[VDK_VK_GEMM_TILES][3] = {
        {"vulkan.linear.128x128.f32", "vulkan.linear.128x128.f16", "vulkan.linear.128x128.bf16"},
        {"vulkan.linear.128x64.f32", "vulkan.linear.128x64.f16", "vulkan.linear.128x64.bf16"},
        {"vulkan.linear.64x64.f32", "vulkan.linear.64x64.f16", "vulkan.linear.64x64.bf16"},
        {"vulkan.linear.64x64.8x4.f32", "vulkan.linear.64x64.8x4.f16",
         "vulkan.linear.64x64.8x4.bf16"},
    };
    const vdk_vk_gemm_args g = {
        .op = "vdk_linear",
        .shader = VDK_SHADER_linear_f32,
        .x = x,
        .w = w,
        .bias = bias,
        .residual = residual,
        .y = y,
        .act = p->act,
    };
    int tile;
    vdk_status st = vdk_vk_gemm(ctx, &g, &tile);
    if (st == VDK_OK)
        ctx->last_kernel = vdk_vk_kernel_name(names[tile], x->dtype);
    return st;
}
