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
vdk_status vdk_vk_view(vdk_context *ctx, const char *op, const char *name, const vdk_tensor *t,
                       const vdk_tensor *onto, vdk_vk_view5 *v);
/* The shader variant of a storage dtype (the f32 variant's id + 0, 1, 2 for
 * f32, f16, bf16), or VDK_ERROR_DTYPE naming the dtype when the device lacks
 * 16-bit storage. */
vdk_status vdk_vk_variant(vdk_context *ctx, const char *op, vdk_dtype dt, vdk_shader_id f32,
                          vdk_shader_id *out);
/* want, capped at the device's maxComputeWorkGroupInvocations. */
uint32_t vdk_vk_group_size(const vdk_vk *vk, uint32_t want);
/* Records d with `push` as its push constants and, when that succeeds, names
 * `kernel` as the one that ran (vdk_last_kernel). */
vdk_status vdk_vk_launch(vdk_context *ctx, vdk_vk_dispatch *d, const void *push, uint32_t bytes,
                         const char *kernel);
/* names[0..2] for f32, f16, bf16. */
const char *vdk_vk_kernel_name(const char *const names[3], vdk_dtype dt);
/* The widest vector of channels, at most `max` (a power of 2), that divides
 * C and every view's offset and outer strides: the width at which a shader
 * may load and store all n views C-contiguous in aligned vectors. */
uint32_t vdk_vk_vector_width(uint32_t max, uint32_t C, const vdk_vk_view5 *const *views, int n);

/* The rows x run layout of the bandwidth-bound operators (rows.c,
 * shaders/common/rows.glsl): up to VDK_VK_ROWS_MAX operands stepping over one
 * index space (views from vdk_vk_view onto it, the first giving the shape),
 * with axes of extent 1 dropped and each axis merged into the one inside it
 * where every operand steps over the two as over one. The `dims` axes left sit
 * in shape[5 - dims .. 4]; shape[4] is the run. */
#define VDK_VK_ROWS_MAX 4
typedef struct vdk_vk_rows {
    int n, dims;
    uint32_t shape[5], stride[VDK_VK_ROWS_MAX][5], offset[VDK_VK_ROWS_MAX];
    uint32_t rows, run;
    int split_dim; /* where the split axis ended up (vdk_vk_rows_merge) */
} vdk_vk_rows;
/* Merges n views. `split` (-1: none) is an axis (0..4 of the padded shape)
 * that may merge with the axes inside it but no axis outside it may join
 * (concat's axis, whose index picks the source); split_free[i] (or NULL) says
 * operand i's stride on it is never used (it spans one index there). */
void vdk_vk_rows_merge(vdk_vk_rows *r, int n, const vdk_vk_view5 *v, int split,
                       const bool *split_free);
/* The widest copy unit (16, 8 or 4 bytes, else es) that every operand's
 * offset, row strides and run are whole multiples of, with contiguous runs. */
uint32_t vdk_vk_rows_unit(const vdk_vk_rows *r, uint32_t es);
/* The tiling of rows x run for workgroups of `group` invocations taking v run
 * elements of `unit` bytes each, packed as rows.glsl reads it; returns the
 * workgroup count. */
uint64_t vdk_vk_rows_tiling(uint32_t rows, uint32_t run, uint32_t group, uint32_t v, uint32_t unit,
                            uint32_t *tiling);

vdk_status vdk_vk_unary(vdk_context *ctx, const vdk_unary_params *p, const vdk_tensor *x,
                        vdk_tensor *y);
vdk_status vdk_vk_binary(vdk_context *ctx, const vdk_binary_params *p, const vdk_tensor *a,
                         const vdk_tensor *b, vdk_tensor *y);
vdk_status vdk_vk_softmax(vdk_context *ctx, const vdk_softmax_params *p, const vdk_tensor *x,
                          vdk_tensor *y);
vdk_status vdk_vk_group_norm(vdk_context *ctx, const vdk_group_norm_params *p, const vdk_tensor *x,
                             const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y);
vdk_status vdk_vk_layer_norm(vdk_context *ctx, const vdk_layer_norm_params *p, const vdk_tensor *x,
                             const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y);
vdk_status vdk_vk_rms_norm(vdk_context *ctx, const vdk_rms_norm_params *p, const vdk_tensor *x,
                           const vdk_tensor *gamma, vdk_tensor *y);
/* layer_norm and rms_norm (src/vulkan/row_norm.c): one row of the last axis
 * per subgroup or workgroup; beta NULL for rms_norm. */
vdk_status vdk_vk_row_norm(vdk_context *ctx, const char *op, const char *const names[3],
                           vdk_shader_id f32, float eps, const vdk_tensor *x,
                           const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y);
vdk_status vdk_vk_blend(vdk_context *ctx, const vdk_blend_params *p, const vdk_tensor *a,
                        const vdk_tensor *b, const vdk_tensor *alpha, vdk_tensor *y);
vdk_status vdk_vk_upsample(vdk_context *ctx, const vdk_upsample_params *p, const vdk_tensor *x,
                           vdk_tensor *y);
vdk_status vdk_vk_concat(vdk_context *ctx, const vdk_concat_params *p, const vdk_tensor *a,
                         const vdk_tensor *b, vdk_tensor *y);
vdk_status vdk_vk_timestep_embedding(vdk_context *ctx, const vdk_timestep_embedding_params *p,
                                     const vdk_tensor *t, vdk_tensor *y);
vdk_status vdk_vk_attention(vdk_context *ctx, const vdk_attention_params *p, const vdk_tensor *q,
                            const vdk_tensor *k, const vdk_tensor *v, vdk_tensor *o);
vdk_status vdk_vk_linear(vdk_context *ctx, const vdk_linear_params *p, const vdk_tensor *x,
                         const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                         vdk_tensor *y);
vdk_status vdk_vk_conv3d(vdk_context *ctx, const vdk_conv3d_params *p, const vdk_tensor *x,
                         const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                         vdk_tensor *y);

#endif
