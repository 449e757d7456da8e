/* The tiled GEMM that vdk_linear and vdk_conv3d share on Vulkan
 * (shaders/common/gemm.glsl; src/vulkan/gemm.c): the tile shapes and one call. */
#ifndef VDK_VULKAN_GEMM_H
#define VDK_VULKAN_GEMM_H

#include "ops.h"

/* Workgroup tiles, best first (gemm.c): 128x128 (8x8 outputs per invocation),
 * 128x64 (8x4), 64x64 (4x4), 64x64 (8x4, 128 invocations). Operators name their
 * kernels per tile and dtype in this order. */
#define VDK_VK_GEMM_TILES 4

/* One call: linear is the one-tap case (k, stride 1, pad 0; x of any rank, its
 * leading axes padded to four), conv3d sets the kernel geometry. */
typedef struct vdk_vk_gemm_args {
    const char *op;       /* "vdk_linear": for messages */
    vdk_shader_id shader; /* the f32 variant */
    const vdk_tensor *x, *w, *bias, *residual;
    vdk_tensor *y;
    vdk_activation act;
    bool conv;
    uint32_t k[3], stride[3], pad[3]; /* conv only */
} vdk_vk_gemm_args;

/* Records the dispatch; *tile gets the index of the tile shape it ran. */
vdk_status vdk_vk_gemm(vdk_context *ctx, const vdk_vk_gemm_args *g, int *tile);

#endif
