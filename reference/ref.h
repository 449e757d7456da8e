/* Helpers for the reference backend: every reference operator loads its inputs
 * into dense double arrays in row-major order of their shape, computes in double,
 * and stores the result back in one step at the end, so the arithmetic reads like
 * the math and an output is never half written. */
#ifndef VDK_REFERENCE_REF_H
#define VDK_REFERENCE_REF_H

#include "../src/internal.h"

#include <math.h>
#include <stdlib.h>

/* A dense double copy of t, or NULL for a NULL t. *ok is cleared on allocation
 * failure (it is never set, so several loads can share one flag). */
double *vdk_ref_load(const vdk_tensor *t, bool *ok);
/* A zeroed dense double array for n elements; clears *ok on failure. */
double *vdk_ref_alloc(int64_t n, bool *ok);
/* Converts the dense array into t's dtype and layout. */
void vdk_ref_store(vdk_tensor *t, const double *src);
/* Sets the context's kernel name ("reference.<op>", static) and, when !ok,
 * the out-of-memory message naming op. */
vdk_status vdk_ref_finish(vdk_context *ctx, const char *op, const char *kernel, bool ok);

static inline double vdk_ref_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
static inline double vdk_ref_silu(double x) { return x * vdk_ref_sigmoid(x); }
static inline double vdk_ref_gelu(double x) { return 0.5 * x * (1.0 + erf(x / sqrt(2.0))); }

/* act for the operators that fuse one (NONE, SILU, GELU). */
static inline double vdk_ref_activate(vdk_activation act, double x)
{
    switch (act) {
    case VDK_ACT_SILU:
        return vdk_ref_silu(x);
    case VDK_ACT_GELU:
        return vdk_ref_gelu(x);
    default:
        return x;
    }
}

/* Reference operators, one per file in reference/. */
vdk_status vdk_ref_group_norm(vdk_context *, const vdk_group_norm_params *, const vdk_tensor *x,
                              const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y);
vdk_status vdk_ref_conv3d(vdk_context *, const vdk_conv3d_params *, const vdk_tensor *x,
                          const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                          vdk_tensor *y);
vdk_status vdk_ref_attention(vdk_context *, const vdk_attention_params *, const vdk_tensor *q,
                             const vdk_tensor *k, const vdk_tensor *v, vdk_tensor *o);
vdk_status vdk_ref_linear(vdk_context *, const vdk_linear_params *, const vdk_tensor *x,
                          const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                          vdk_tensor *y);
vdk_status vdk_ref_layer_norm(vdk_context *, const vdk_layer_norm_params *, const vdk_tensor *x,
                              const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y);
vdk_status vdk_ref_rms_norm(vdk_context *, const vdk_rms_norm_params *, const vdk_tensor *x,
                            const vdk_tensor *gamma, vdk_tensor *y);
vdk_status vdk_ref_softmax(vdk_context *, const vdk_softmax_params *, const vdk_tensor *x,
                           vdk_tensor *y);
vdk_status vdk_ref_unary(vdk_context *, const vdk_unary_params *, const vdk_tensor *x,
                         vdk_tensor *y);
vdk_status vdk_ref_binary(vdk_context *, const vdk_binary_params *, const vdk_tensor *a,
                          const vdk_tensor *b, vdk_tensor *y);
vdk_status vdk_ref_blend(vdk_context *, const vdk_blend_params *, const vdk_tensor *a,
                         const vdk_tensor *b, const vdk_tensor *alpha, vdk_tensor *y);
vdk_status vdk_ref_upsample(vdk_context *, const vdk_upsample_params *, const vdk_tensor *x,
                            vdk_tensor *y);
vdk_status vdk_ref_timestep_embedding(vdk_context *, const vdk_timestep_embedding_params *,
                                      const vdk_tensor *t, vdk_tensor *y);
vdk_status vdk_ref_concat(vdk_context *, const vdk_concat_params *, const vdk_tensor *a,
                          const vdk_tensor *b, vdk_tensor *y);

#endif
