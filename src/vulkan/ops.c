/* The Vulkan backend's operator table. Each operator lives in its own file
 * (src/vulkan/<op>.c: push constants and one or more dispatches); this file
 * holds what they share. The operators without a shader yet stay NULL, which
 * the front end reports as VDK_ERROR_UNSUPPORTED naming the operator and this
 * backend. */
#include "ops.h"

#include <string.h>

vdk_status vdk_vk_view(vdk_context *ctx, const char *op, const char *name, const vdk_tensor *t,
                       const vdk_tensor *onto, vdk_vk_view5 *v)
{
    const vdk_tensor *s = onto ? onto : t;
    int64_t last = t->offset;
    for (int i = 0; i < t->rank; i++)
        last += (t->shape[i] - 1) * t->stride[i];
    if (last > (int64_t)UINT32_MAX || vdk_numel_of(s->rank, s->shape) > (int64_t)UINT32_MAX)
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: tensor '%s' spans %lld elements; the Vulkan shaders index at most "
                        "2^32",
                        op, name, (long long)last + 1);
    for (int d = 0; d < 5; d++) {
        int si = s->rank - 5 + d, ti = t->rank - 5 + d;
        v->shape[d] = si >= 0 ? (uint32_t)s->shape[si] : 1;
        v->stride[d] = ti >= 0 && t->shape[ti] != 1 ? (uint32_t)t->stride[ti] : 0;
    }
    v->offset = (uint32_t)t->offset;
    return VDK_OK;
}

vdk_status vdk_vk_variant(vdk_context *ctx, const char *op, vdk_dtype dt, vdk_shader_id f32,
                          vdk_shader_id *out)
{
    if (dt != VDK_F32 && !ctx->vk->caps.storage16)
        return vdk_fail(ctx, VDK_ERROR_DTYPE,
                        "%s: %s tensors need 16-bit storage buffers, which Vulkan device '%s' "
                        "lacks",
                        op, vdk_dtype_name(dt), ctx->vk->caps.name);
    /* The variants of one operator follow each other in the table: f32, f16,
     * bf16. */
    *out = (vdk_shader_id)(f32 + (dt == VDK_F16 ? 1 : dt == VDK_BF16 ? 2 : 0));
    return VDK_OK;
}

uint32_t vdk_vk_group_size(const vdk_vk *vk, uint32_t want)
{
    return want < vk->caps.max_invocations ? want : vk->caps.max_invocations;
}

vdk_status vdk_vk_launch(vdk_context *ctx, vdk_vk_dispatch *d, const void *push, uint32_t bytes,
                         const char *kernel)
{
    d->push = push;
    d->push_bytes = bytes;
    vdk_status st = vdk_vk_record(ctx, ctx->vk, d);
    if (!st)
        ctx->last_kernel = kernel;
    return st;
}

const char *vdk_vk_kernel_name(const char *const names[3], vdk_dtype dt)
{
    return names[dt == VDK_F16 ? 1 : dt == VDK_BF16 ? 2 : 0];
}

uint32_t vdk_vk_vector_width(uint32_t max, uint32_t C, const vdk_vk_view5 *const *views, int n)
{
    uint32_t w = max;
    for (; w > 1; w /= 2) {
        bool ok = C % w == 0;
        for (int i = 0; i < n && ok; i++) {
            ok = views[i]->offset % w == 0;
            for (int d = 0; d < 4; d++)
                ok = ok && views[i]->stride[d] % w == 0;
        }
        if (ok)
            break;
    }
    return w;
}

static const vdk_backend_ops vk_ops = {
    .name = "vulkan",
    .unary = vdk_vk_unary,
    .binary = vdk_vk_binary,
    .softmax = vdk_vk_softmax,
    .group_norm = vdk_vk_group_norm,
    .layer_norm = vdk_vk_layer_norm,
    .rms_norm = vdk_vk_rms_norm,
    .blend = vdk_vk_blend,
    .upsample = vdk_vk_upsample,
    .concat = vdk_vk_concat,
    .timestep_embedding = vdk_vk_timestep_embedding,
    .attention = vdk_vk_attention,
    .linear = vdk_vk_linear,
    .conv3d = vdk_vk_conv3d,
};

const vdk_backend_ops *vdk_vk_backend(void) { return &vk_ops; }
