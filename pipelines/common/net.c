/* A forward pass's sticky status, its tensors, and module calls on named weights. */
#include "common/net.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vdk_net_init(vdk_net *n, vdk_context *ctx, const vdk_weights *w, vdk_dtype dtype)
{
    memset(n, 0, sizeof *n);
    n->ctx = ctx;
    n->w = w;
    n->dtype = dtype;
}

void vdk_net_fail(vdk_net *n, vdk_status st, const char *fmt, ...)
{
    if (n->status != VDK_OK)
        return;
    n->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->error, sizeof n->error, fmt, ap);
    va_end(ap);
}

bool vdk_net_check(vdk_net *n, vdk_status st, const char *what)
{
    if (st != VDK_OK)
        vdk_net_fail(n, st, "%s: %s", what, vdk_last_error(n->ctx));
    return st == VDK_OK;
}

vdk_status vdk_net_finish(vdk_net *n, vdk_net_stats *stats, char *msg, size_t msg_size)
{
    if (n->status == VDK_OK && n->ctx)
        vdk_net_check(n, vdk_sync(n->ctx), "vdk_sync");
    if (stats) {
        stats->peak_activation_bytes = n->peak_bytes;
        stats->flops = n->flops;
    }
    if (msg && msg_size)
        snprintf(msg, msg_size, "%s", n->error);
    return n->status;
}

static int64_t bytes_of(const vdk_net *n, const vdk_tensor *t)
{
    return vdk_tensor_numel(t) * (int64_t)vdk_dtype_size(n->dtype);
}

static void count(vdk_net *n, const vdk_tensor *t)
{
    n->live_bytes += bytes_of(n, t);
    if (n->live_bytes > n->peak_bytes)
        n->peak_bytes = n->live_bytes;
}

vdk_tensor *vdk_net_new(vdk_net *n, int rank, const int64_t *shape)
{
    if (n->status != VDK_OK)
        return NULL;
    vdk_tensor *t = NULL;
    if (!vdk_net_check(n, vdk_tensor_create(n->ctx, n->dtype, rank, shape, &t),
                       "activation tensor"))
        return NULL;
    count(n, t);
    return t;
}

vdk_tensor *vdk_net_new_like(vdk_net *n, const vdk_tensor *x, int64_t last)
{
    if (n->status != VDK_OK || !x)
        return NULL;
    int64_t shape[VDK_MAX_RANK];
    const int rank = vdk_tensor_rank(x);
    for (int i = 0; i < rank; i++)
        shape[i] = vdk_tensor_dim(x, i);
    shape[rank - 1] = last;
    return vdk_net_new(n, rank, shape);
}

void vdk_net_drop(vdk_net *n, vdk_tensor *t)
{
    if (!t)
        return;
    n->live_bytes -= bytes_of(n, t);
    vdk_tensor_destroy(t);
}

vdk_tensor *vdk_net_view(vdk_net *n, vdk_tensor *t, int rank, const int64_t *shape)
{
    if (n->status != VDK_OK || !t)
        return NULL;
    vdk_tensor *v = NULL;
    vdk_net_check(n, vdk_tensor_reshape(t, rank, shape, &v), "reshape");
    return v;
}

const char *vdk_net_join(vdk_net *n, char *out, const char *a, const char *b)
{
    const int len = snprintf(out, VDK_PARAM_NAME_MAX, "%s.%s", a, b);
    if (len < 0 || len >= VDK_PARAM_NAME_MAX)
        vdk_net_fail(n, VDK_ERROR_OVERFLOW, "module name '%s.%s' is too long", a, b);
    return out;
}

void vdk_net_push_skip(vdk_net *n, vdk_net_skips *s, vdk_tensor *t)
{
    if (s->count == VDK_NET_MAX_SKIPS)
        vdk_net_fail(n, VDK_ERROR_INTERNAL, "more than %d skip connections", VDK_NET_MAX_SKIPS);
    else
        s->t[s->count++] = t;
}

vdk_tensor *vdk_net_concat_skip(vdk_net *n, vdk_net_skips *s, vdk_tensor *h)
{
    if (s->count == 0) {
        vdk_net_fail(n, VDK_ERROR_INTERNAL, "the up path has no skip connection left");
        vdk_net_drop(n, h);
        return NULL;
    }
    vdk_tensor *skip = s->t[--s->count];
    vdk_tensor *cat = vdk_nn_concat(n, h, skip);
    vdk_net_drop(n, h);
    vdk_net_drop(n, skip);
    return cat;
}

void vdk_net_drop_skips(vdk_net *n, vdk_net_skips *s)
{
    while (s->count)
        vdk_net_drop(n, s->t[--s->count]);
}

const vdk_tensor *vdk_net_weight(vdk_net *n, const char *prefix, const char *field, bool required)
{
    char name[VDK_PARAM_NAME_MAX];
    snprintf(name, sizeof name, "%s.%s", prefix, field);
    const vdk_tensor *t = vdk_weights_get(n->w, name);
    if (!t && required)
        vdk_net_fail(n, VDK_ERROR_INVALID_VALUE, "the weights have no tensor '%s'", name);
    return t;
}

void vdk_nn_conv_into(vdk_net *n, const char *prefix, const vdk_tensor *x, const int stride[3],
                      const int padding[3], vdk_activation act, const vdk_tensor *residual,
                      vdk_tensor *y)
{
    const vdk_tensor *w = vdk_net_weight(n, prefix, "weight", true);
    const vdk_tensor *b = vdk_net_weight(n, prefix, "bias", false);
    if (n->status != VDK_OK)
        return;
    vdk_conv3d_params p = {.act = act};
    memcpy(p.stride, stride, sizeof p.stride);
    memcpy(p.padding, padding, sizeof p.padding);
    if (vdk_net_check(n, vdk_conv3d(n->ctx, &p, x, w, b, residual, y), prefix))
        n->flops += 2.0 * (double)vdk_tensor_numel(y) *
                    (double)(vdk_tensor_numel(w) / vdk_tensor_dim(w, 0));
}

vdk_tensor *vdk_nn_conv(vdk_net *n, const char *prefix, const vdk_tensor *x, const int stride[3],
                        const int padding[3], vdk_activation act, const vdk_tensor *residual)
{
    const vdk_tensor *w = vdk_net_weight(n, prefix, "weight", true);
    if (n->status != VDK_OK || !x)
        return NULL;
    int64_t shape[5] = {vdk_tensor_dim(x, 0), 0, 0, 0, vdk_tensor_dim(w, 0)};
    for (int i = 0; i < 3; i++)
        shape[1 + i] =
            (vdk_tensor_dim(x, 1 + i) + 2 * padding[i] - vdk_tensor_dim(w, 1 + i)) / stride[i] + 1;
    vdk_tensor *y = vdk_net_new(n, 5, shape);
    vdk_nn_conv_into(n, prefix, x, stride, padding, act, residual, y);
    if (n->status != VDK_OK) {
        vdk_net_drop(n, y);
        return NULL;
    }
    return y;
}

vdk_tensor *vdk_nn_linear(vdk_net *n, const char *prefix, const vdk_tensor *x, vdk_activation act,
                          const vdk_tensor *residual)
{
    const vdk_tensor *w = vdk_net_weight(n, prefix, "weight", true);
    const vdk_tensor *b = vdk_net_weight(n, prefix, "bias", false);
    if (n->status != VDK_OK || !x)
        return NULL;
    const int64_t out = vdk_tensor_dim(w, 0) / (act == VDK_ACT_GEGLU ? 2 : 1);
    vdk_tensor *y = vdk_net_new_like(n, x, out);
    if (!y)
        return NULL;
    const vdk_linear_params p = {.act = act};
    if (!vdk_net_check(n, vdk_linear(n->ctx, &p, x, w, b, residual, y), prefix)) {
        vdk_net_drop(n, y);
        return NULL;
    }
    n->flops +=
        2.0 * (double)(vdk_tensor_numel(x) / vdk_tensor_dim(x, -1)) * (double)vdk_tensor_numel(w);
    return y;
}

vdk_tensor *vdk_nn_linear_with(vdk_net *n, const char *what, const vdk_tensor *x,
                               const vdk_tensor *w)
{
    vdk_tensor *y = x && w ? vdk_net_new_like(n, x, vdk_tensor_dim(w, 0)) : NULL;
    if (!y)
        return NULL;
    const vdk_linear_params p = {.act = VDK_ACT_NONE};
    if (!vdk_net_check(n, vdk_linear(n->ctx, &p, x, w, NULL, NULL, y), what)) {
        vdk_net_drop(n, y);
        return NULL;
    }
    n->flops +=
        2.0 * (double)(vdk_tensor_numel(x) / vdk_tensor_dim(x, -1)) * (double)vdk_tensor_numel(w);
    return y;
}

vdk_tensor *vdk_nn_group_norm(vdk_net *n, const char *prefix, const vdk_tensor *x, int groups,
                              float eps, vdk_norm_scope scope, vdk_activation act)
{
    const vdk_tensor *g = vdk_net_weight(n, prefix, "weight", true);
    const vdk_tensor *b = vdk_net_weight(n, prefix, "bias", true);
    vdk_tensor *y = x ? vdk_net_new_like(n, x, vdk_tensor_dim(x, -1)) : NULL;
    if (!y)
        return NULL;
    const vdk_group_norm_params p = {.groups = groups, .eps = eps, .scope = scope, .act = act};
    if (!vdk_net_check(n, vdk_group_norm(n->ctx, &p, x, g, b, y), prefix)) {
        vdk_net_drop(n, y);
        return NULL;
    }
    return y;
}

vdk_tensor *vdk_nn_layer_norm(vdk_net *n, const char *prefix, const vdk_tensor *x, float eps)
{
    const vdk_tensor *g = vdk_net_weight(n, prefix, "weight", true);
    const vdk_tensor *b = vdk_net_weight(n, prefix, "bias", true);
    vdk_tensor *y = x ? vdk_net_new_like(n, x, vdk_tensor_dim(x, -1)) : NULL;
    if (!y)
        return NULL;
    const vdk_layer_norm_params p = {.eps = eps};
    if (!vdk_net_check(n, vdk_layer_norm(n->ctx, &p, x, g, b, y), prefix)) {
        vdk_net_drop(n, y);
        return NULL;
    }
    return y;
}

vdk_tensor *vdk_nn_rms_norm(vdk_net *n, const char *prefix, const vdk_tensor *x, float eps)
{
    const vdk_tensor *g = vdk_net_weight(n, prefix, "weight", true);
    vdk_tensor *y = x ? vdk_net_new_like(n, x, vdk_tensor_dim(x, -1)) : NULL;
    if (!y)
        return NULL;
    const vdk_rms_norm_params p = {.eps = eps};
    if (!vdk_net_check(n, vdk_rms_norm(n->ctx, &p, x, g, y), prefix)) {
        vdk_net_drop(n, y);
        return NULL;
    }
    return y;
}

vdk_tensor *vdk_nn_attention(vdk_net *n, vdk_attention_axes axes, int heads, const vdk_tensor *q,
                             const vdk_tensor *k, const vdk_tensor *v)
{
    vdk_tensor *o = q ? vdk_net_new_like(n, q, vdk_tensor_dim(q, -1)) : NULL;
    if (!o)
        return NULL;
    const vdk_attention_params p = {.axes = axes, .heads = heads};
    if (!vdk_net_check(n, vdk_attention(n->ctx, &p, q, k, v, o), "attention")) {
        vdk_net_drop(n, o);
        return NULL;
    }
    /* q k^T and p v: 4 flops per query, key and channel. */
    int64_t keys = vdk_tensor_dim(k, 1); /* cross-attention: L */
    if (vdk_tensor_rank(k) == 5)
        keys = axes == VDK_AXES_SPATIAL ? vdk_tensor_dim(k, 2) * vdk_tensor_dim(k, 3)
               : axes == VDK_AXES_TEMPORAL
                   ? vdk_tensor_dim(k, 1)
                   : vdk_tensor_numel(k) / vdk_tensor_dim(k, 0) / vdk_tensor_dim(k, 4);
    n->flops += 4.0 * (double)vdk_tensor_numel(q) * (double)keys;
    return o;
}

void vdk_nn_add_to(vdk_net *n, vdk_tensor *a, const vdk_tensor *b)
{
    if (n->status != VDK_OK)
        return;
    const vdk_binary_params p = {.op = VDK_BINARY_ADD};
    vdk_net_check(n, vdk_binary(n->ctx, &p, a, b, a), "add");
}

void vdk_nn_silu(vdk_net *n, vdk_tensor *x)
{
    if (n->status != VDK_OK)
        return;
    const vdk_unary_params p = {.op = VDK_UNARY_SILU};
    vdk_net_check(n, vdk_unary(n->ctx, &p, x, x), "silu");
}

vdk_tensor *vdk_nn_concat(vdk_net *n, const vdk_tensor *a, const vdk_tensor *b)
{
    if (n->status != VDK_OK || !a || !b)
        return NULL;
    vdk_tensor *y = vdk_net_new_like(n, a, vdk_tensor_dim(a, -1) + vdk_tensor_dim(b, -1));
    if (!y)
        return NULL;
    const vdk_concat_params p = {.axis = -1};
    if (!vdk_net_check(n, vdk_concat(n->ctx, &p, a, b, y), "concat")) {
        vdk_net_drop(n, y);
        return NULL;
    }
    return y;
}

vdk_tensor *vdk_nn_upsample(vdk_net *n, const vdk_tensor *x, int ft, int fh, int fw)
{
    if (n->status != VDK_OK || !x)
        return NULL;
    const int64_t shape[5] = {vdk_tensor_dim(x, 0), ft * vdk_tensor_dim(x, 1),
                              fh * vdk_tensor_dim(x, 2), fw * vdk_tensor_dim(x, 3),
                              vdk_tensor_dim(x, 4)};
    vdk_tensor *y = vdk_net_new(n, 5, shape);
    if (!y)
        return NULL;
    const vdk_upsample_params p = {.factor = {ft, fh, fw}};
    if (!vdk_net_check(n, vdk_upsample(n->ctx, &p, x, y), "upsample")) {
        vdk_net_drop(n, y);
        return NULL;
    }
    return y;
}

void vdk_nn_blend_into(vdk_net *n, const char *prefix, const vdk_tensor *a, vdk_tensor *b)
{
    const vdk_tensor *mix = vdk_net_weight(n, prefix, "mix_factor", true);
    if (n->status != VDK_OK)
        return;
    const vdk_blend_params p = {.sigmoid = 1};
    vdk_net_check(n, vdk_blend(n->ctx, &p, a, b, mix, b), prefix);
}

/* Whether every t is an integer that dtype stores exactly (its significand
 * holds it: 2^11 for f16, 2^8 for bf16, 2^24 for f32). */
static bool exact_in(vdk_dtype dtype, const double *t, int64_t m)
{
    const double most = dtype == VDK_F16 ? 2048.0 : dtype == VDK_BF16 ? 256.0 : 16777216.0;
    for (int64_t i = 0; i < m; i++)
        if (t[i] != floor(t[i]) || fabs(t[i]) > most)
            return false;
    return true;
}

vdk_tensor *vdk_nn_sinusoid(vdk_net *n, const double *t, int64_t m, int dim)
{
    const vdk_timestep_embedding_params p = {.dim = dim, .flip_sin_to_cos = 1};
    return vdk_nn_sinusoid_with(n, t, m, &p);
}

vdk_tensor *vdk_nn_sinusoid_with(vdk_net *n, const double *t, int64_t m,
                                 const vdk_timestep_embedding_params *p)
{
    if (n->status != VDK_OK)
        return NULL;
    const int dim = p->dim;
    /* Values the pass dtype holds exactly (frame indices) are embedded in it
     * directly: the kernels compute in f32 either way, and on Vulkan the host
     * round trip below would wait for the GPU in the middle of the pass. */
    const vdk_dtype wide = n->dtype == VDK_F64 || exact_in(n->dtype, t, m) ? n->dtype : VDK_F32;
    const int64_t shape[2] = {m, dim};
    vdk_tensor *tt = NULL, *e = NULL, *y = NULL;
    float *host = NULL;
    if (vdk_net_check(n, vdk_tensor_create(n->ctx, wide, 1, &m, &tt), "timestep embedding") &&
        vdk_net_check(n, vdk_tensor_write(tt, VDK_F64, t, m), "timestep embedding") &&
        vdk_net_check(n, vdk_tensor_create(n->ctx, wide, 2, shape, &e), "timestep embedding") &&
        vdk_net_check(n, vdk_timestep_embedding(n->ctx, p, tt, e), "timestep embedding")) {
        if (wide == n->dtype) {
            y = e;
            e = NULL;
            count(n, y);
        } else if ((host = malloc((size_t)(m * dim) * sizeof *host)) == NULL) {
            vdk_net_fail(n, VDK_ERROR_OUT_OF_MEMORY, "timestep embedding: out of host memory");
        } else if (vdk_net_check(n, vdk_tensor_read(e, VDK_F32, host, m * dim),
                                 "timestep embedding") &&
                   (y = vdk_net_new(n, 2, shape)) != NULL &&
                   !vdk_net_check(n, vdk_tensor_write(y, VDK_F32, host, m * dim),
                                  "timestep embedding")) {
            vdk_net_drop(n, y);
            y = NULL;
        }
    }
    free(host);
    vdk_tensor_destroy(e);
    vdk_tensor_destroy(tt);
    return y;
}
