/* The state of one forward pass, and the operator calls a forward pass makes
 * with a module's weights found by name. A forward pass is hundreds of calls;
 * the first failure is kept (status + message naming the module) and every
 * later call returns at once, so block code reads as the model does and checks
 * once at the end. Every tensor made here is contiguous, in the pass's dtype,
 * and counted, so a runner can report the peak of live activation bytes. */
#ifndef VDK_PIPELINES_NET_H
#define VDK_PIPELINES_NET_H

#include "common/weights.h"

#include <stdbool.h>

typedef struct vdk_net {
    vdk_context *ctx;
    const vdk_weights *w;
    vdk_dtype dtype;
    vdk_status status;
    char error[512];
    int64_t live_bytes, peak_bytes; /* activations made here and not yet dropped */
    double flops;                   /* of the convs, linears and attentions called (an FMA is 2) */
} vdk_net;

void vdk_net_init(vdk_net *n, vdk_context *ctx, const vdk_weights *w, vdk_dtype dtype);
/* Records the first failure; later ones are dropped. */
void vdk_net_fail(vdk_net *n, vdk_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records a failed vdk call as "<what>: <vdk_last_error>"; returns st == VDK_OK. */
bool vdk_net_check(vdk_net *n, vdk_status st, const char *what);

/* What a finished pass reports. */
typedef struct vdk_net_stats {
    int64_t peak_activation_bytes; /* the most activation bytes alive at once */
    double flops;                  /* of the GEMM-like calls: convs, linears, attentions */
} vdk_net_stats;

/* The end of a pass: waits for its work (when nothing failed), fills *stats
 * (may be NULL) and msg, and returns the pass's status. */
vdk_status vdk_net_finish(vdk_net *n, vdk_net_stats *stats, char *msg, size_t msg_size);

/* A new contiguous tensor, or NULL after any failure. */
vdk_tensor *vdk_net_new(vdk_net *n, int rank, const int64_t *shape);
/* A new tensor with x's shape but `last` as the last extent. */
vdk_tensor *vdk_net_new_like(vdk_net *n, const vdk_tensor *x, int64_t last);
/* Destroys a tensor made by vdk_net_new (NULL is a no-op). */
void vdk_net_drop(vdk_net *n, vdk_tensor *t);
/* A reshaped view of a contiguous tensor; drop it with vdk_tensor_destroy (views
 * are not counted: they share the storage). */
vdk_tensor *vdk_net_view(vdk_net *n, vdk_tensor *t, int rank, const int64_t *shape);

/* "<a>.<b>" into out (VDK_PARAM_NAME_MAX bytes), returned; a module name too
 * long for a checkpoint key fails the pass. */
const char *vdk_net_join(vdk_net *n, char *out, const char *a, const char *b);

/* A U-Net's skip connections: the down path pushes its outputs, the up path
 * concatenates them back in reverse order. */
#define VDK_NET_MAX_SKIPS 1024
typedef struct vdk_net_skips {
    vdk_tensor *t[VDK_NET_MAX_SKIPS];
    int count;
} vdk_net_skips;
void vdk_net_push_skip(vdk_net *n, vdk_net_skips *s, vdk_tensor *t);
/* [h, the last skip pushed] on the channel axis; drops h and that skip. NULL,
 * failing the pass, when none is left. */
vdk_tensor *vdk_net_concat_skip(vdk_net *n, vdk_net_skips *s, vdk_tensor *h);
/* Drops the skips left (after a failure the up path stops early). */
void vdk_net_drop_skips(vdk_net *n, vdk_net_skips *s);

/* The weight "<prefix>.<field>"; a missing one fails the pass when required. */
const vdk_tensor *vdk_net_weight(vdk_net *n, const char *prefix, const char *field, bool required);

/* ---- a module's call: weights "<prefix>.weight" / "<prefix>.bias" ---- */

/* Conv (kt, kh, kw from the weight) of x [N, T, H, W, Cin] with the given strides
 * and paddings (t, h, w), then act, then + residual (may be NULL). */
vdk_tensor *vdk_nn_conv(vdk_net *n, const char *prefix, const vdk_tensor *x, const int stride[3],
                        const int padding[3], vdk_activation act, const vdk_tensor *residual);
/* The same into an existing y. */
void vdk_nn_conv_into(vdk_net *n, const char *prefix, const vdk_tensor *x, const int stride[3],
                      const int padding[3], vdk_activation act, const vdk_tensor *residual,
                      vdk_tensor *y);
/* x W^T + b over the last axis (bias optional in the checkpoint), act, + residual. */
vdk_tensor *vdk_nn_linear(vdk_net *n, const char *prefix, const vdk_tensor *x, vdk_activation act,
                          const vdk_tensor *residual);
/* x W^T with a W that is an activation, not a weight: [..., Cin] x [Cout, Cin]. */
vdk_tensor *vdk_nn_linear_with(vdk_net *n, const char *what, const vdk_tensor *x,
                               const vdk_tensor *w);
/* GroupNorm with the module's affine parameters; act NONE or SILU. */
vdk_tensor *vdk_nn_group_norm(vdk_net *n, const char *prefix, const vdk_tensor *x, int groups,
                              float eps, vdk_norm_scope scope, vdk_activation act);
vdk_tensor *vdk_nn_layer_norm(vdk_net *n, const char *prefix, const vdk_tensor *x, float eps);
/* RMSNorm with the module's weight ("<prefix>.weight", no bias). */
vdk_tensor *vdk_nn_rms_norm(vdk_net *n, const char *prefix, const vdk_tensor *x, float eps);

/* ---- calls without weights ---- */

vdk_tensor *vdk_nn_attention(vdk_net *n, vdk_attention_axes axes, int heads, const vdk_tensor *q,
                             const vdk_tensor *k, const vdk_tensor *v);
/* a + b with b broadcast (vdk_binary ADD), written over a. */
void vdk_nn_add_to(vdk_net *n, vdk_tensor *a, const vdk_tensor *b);
/* SiLU in place. */
void vdk_nn_silu(vdk_net *n, vdk_tensor *x);
/* Concatenation on the channel axis: [a, b]. */
vdk_tensor *vdk_nn_concat(vdk_net *n, const vdk_tensor *a, const vdk_tensor *b);
/* Nearest up-sampling by (ft, fh, fw). */
vdk_tensor *vdk_nn_upsample(vdk_net *n, const vdk_tensor *x, int ft, int fh, int fw);
/* AlphaBlender: alpha = sigmoid("<prefix>.mix_factor"), writes alpha*a + (1-alpha)*b
 * over b. */
void vdk_nn_blend_into(vdk_net *n, const char *prefix, const vdk_tensor *a, vdk_tensor *b);
/* diffusers' Timesteps(dim, flip_sin_to_cos=True, downscale_freq_shift=0) of the m
 * host values t, as [m, dim]. Computed in f32 (f64 in an f64 pass) and then
 * converted, as diffusers computes it in f32 and casts: timesteps such as a
 * motion bucket of 127 or 0.25 ln(sigma) are not rounded to f16 first. Integers
 * the pass dtype holds exactly (frame indices) skip the conversion, so that a
 * Vulkan pass does not stop for them. */
vdk_tensor *vdk_nn_sinusoid(vdk_net *n, const double *t, int64_t m, int dim);
/* The same with every field of the embedding given (p->dim is the width). */
vdk_tensor *vdk_nn_sinusoid_with(vdk_net *n, const double *t, int64_t m,
                                 const vdk_timestep_embedding_params *p);

#endif
