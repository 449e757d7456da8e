/* vdk_rms_norm on Vulkan: src/vulkan/row_norm.c. */
#include "ops.h"

vdk_status vdk_vk_rms_norm(vdk_context *ctx, const vdk_rms_norm_params *p, const vdk_tensor *x,
                           const vdk_tensor *gamma, vdk_tensor *y)
{
    static const char *const names[3] = {"vulkan.rms_norm.f32", "vulkan.rms_norm.f16",
                                         "vulkan.rms_norm.bf16"};
    return vdk_vk_row_norm(ctx, "vdk_rms_norm", names, VDK_SHADER_rms_norm_f32, p->eps, x, gamma,
                           NULL, y);
}
