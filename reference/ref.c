/* The reference backend's table and its load/store helpers. */
#include "ref.h"

#include <stdio.h>

double *vdk_ref_alloc(int64_t n, bool *ok)
{
    double *p = calloc((size_t)n, sizeof *p);
    if (!p)
        *ok = false;
    return p;
}

double *vdk_ref_load(const vdk_tensor *t, bool *ok)
{
    if (!t)
        return NULL;
    int64_t n = vdk_numel_of(t->rank, t->shape);
    double *p = vdk_ref_alloc(n, ok);
    if (!p)
        return NULL;
    if (vdk_tensor_read(t, VDK_F64, p, n) != VDK_OK)
        *ok = false;
    return p;
}

void vdk_ref_store(vdk_tensor *t, const double *src)
{
    vdk_tensor_write(t, VDK_F64, src, vdk_numel_of(t->rank, t->shape));
}

vdk_status vdk_ref_finish(vdk_context *ctx, const char *op, const char *kernel, bool ok)
{
    ctx->last_kernel = kernel;
    if (!ok)
        return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY,
                        "%s: out of host memory for the reference's double buffers", op);
    return VDK_OK;
}

static const vdk_backend_ops reference_ops = {
    .name = "reference",
    .takes_f64 = true,
    .group_norm = vdk_ref_group_norm,
    .conv3d = vdk_ref_conv3d,
    .attention = vdk_ref_attention,
    .linear = vdk_ref_linear,
    .layer_norm = vdk_ref_layer_norm,
    .rms_norm = vdk_ref_rms_norm,
    .softmax = vdk_ref_softmax,
    .unary = vdk_ref_unary,
    .binary = vdk_ref_binary,
    .blend = vdk_ref_blend,
    .upsample = vdk_ref_upsample,
    .timestep_embedding = vdk_ref_timestep_embedding,
    .concat = vdk_ref_concat,
};

const vdk_backend_ops *vdk_reference_backend(void) { return &reference_ops; }
