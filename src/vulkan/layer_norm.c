/* vdk_layer_norm on Vulkan: src/vulkan/row_norm.c. */
#include "ops.h"

vdk_status vdk_vk_layer_norm(vdk_context *ctx, const vdk_layer_norm_params *p, const vdk_tensor *x,
                             const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y)
{
    static const char *const names[3] = {"vulkan.layer_norm.f32", "vulkan.layer_norm.f16",
                                         "vulkan.layer_norm.bf16"};
    return vdk_vk_row_norm(ctx, "vdk_layer_norm", names, VDK_SHADER_layer_norm_f32, p->eps, x,
                           gamma, beta, y);
}
