/* What the Vulkan operators (src/vulkan/<op>.c) share: views as the shaders
 * take them, variant choice, and the operator entry points the table in ops.c
 * lists. */
#ifndef VDK_VULKAN_OPS_H
#define VDK_VULKAN_OPS_H

#include "vk.h"

/* A view as the shaders take it (shaders/common/index.glsl): shape padded to
 * rank 5 with leading 1s, strides (0 on padded and broadcast axes), offset. */
typedef struct vdk_vk_view5 {
  uint32_t shape[5], stride[5], offset;
} vdk_vk_view5;

/* The view of t, or of t broadcast onto `onto` when onto is not NULL. Fails
 * (VDK_ERROR_UNSUPPORTED naming op and tensor) when an element offset would
 * not fit the shaders' 32-bit indices. */
vdk_status vdk_vk_view(vdk_context *ctx, const char *op, const char *name,
                       const vdk_tensor *t, const vdk_tensor *onto,
                       vdk_vk_view5 *v);
/* The shader variant of a storage dtype (the f32 variant's id + 0, 1, 2 for
 * f32, f16, bf16), or VDK_ERROR_DTYPE naming the dtype when the device lacks
 * 16-bit storage. */
vdk_status vdk_vk_variant(vdk_context *ctx, const char *op, vdk_dtype dt,
                          vdk_shader_id f32, vdk_shader_id *out);
/* want, capped at the device's maxComputeWorkGroupInvocations. */
uint32_t vdk_vk_group_size(const vdk_vk *vk, uint32_t want);
/* names[0..2] for f32, f16, bf16. */
const char *vdk_vk_kernel_name(const char *const names[3], vdk_dtype dt);

vdk_status vdk_vk_unary(vdk_context *ctx, const vdk_unary_params *p,
                        const vdk_tensor *x, vdk_tensor *y);
vdk_status vdk_vk_binary(vdk_context *ctx, const vdk_binary_params *p,
                         const vdk_tensor *a, const vdk_tensor *b,
                         vdk_tensor *y);
vdk_status vdk_vk_linear(vdk_context *ctx, const vdk_linear_params *p,
                         const vdk_tensor *x, const vdk_tensor *w,
                         const vdk_tensor *bias, const vdk_tensor *residual,
                         vdk_tensor *y);
vdk_status vdk_vk_conv3d(vdk_context *ctx, const vdk_conv3d_params *p,
                         const vdk_tensor *x, const vdk_tensor *w,
                         const vdk_tensor *bias, const vdk_tensor *residual,
                         vdk_tensor *y);
vdk_status vdk_vk_softmax(vdk_context *ctx, const vdk_softmax_params *p,
                          const vdk_tensor *x, vdk_tensor *y);

#endif
