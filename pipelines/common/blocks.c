/* diffusers' video blocks as sequences of vdk calls. Sources: PIPELINES.md §1.3
 * and §1.4, and the diffusers modules named there (resnet.py, attention.py,
 * transformers/transformer_temporal.py). */
#include "common/blocks.h"

#include <stdio.h>
#include <stdlib.h>

typedef char name_t[VDK_PARAM_NAME_MAX];

static const int one[3] = {1, 1, 1};

vdk_tensor *vdk_block_conv3x3(vdk_net *n, const char *prefix, const vdk_tensor *x,
                              const vdk_tensor *residual)
{
    static const int pad[3] = {0, 1, 1};
    return vdk_nn_conv(n, prefix, x, one, pad, VDK_ACT_NONE, residual);
}

/* The two resblocks differ in the norm scope, the conv's padding and the
 * shortcut; `pad` is the conv padding (t, h, w). */
static vdk_tensor *resnet(vdk_net *n, const char *prefix, const vdk_tensor *x,
                          const vdk_tensor *temb, int groups, float eps, vdk_norm_scope scope,
                          const int pad[3])
{
    name_t m;
    vdk_tensor *h = vdk_nn_group_norm(n, vdk_net_join(n, m, prefix, "norm1"), x, groups, eps, scope,
                                      VDK_ACT_SILU);
    vdk_tensor *h1 =
        vdk_nn_conv(n, vdk_net_join(n, m, prefix, "conv1"), h, one, pad, VDK_ACT_NONE, NULL);
    vdk_net_drop(n, h);
    if (temb) {
        vdk_tensor *t =
            vdk_nn_linear(n, vdk_net_join(n, m, prefix, "time_emb_proj"), temb, VDK_ACT_NONE, NULL);
        vdk_nn_add_to(n, h1, t);
        vdk_net_drop(n, t);
    }
    h = vdk_nn_group_norm(n, vdk_net_join(n, m, prefix, "norm2"), h1, groups, eps, scope,
                          VDK_ACT_SILU);
    vdk_net_drop(n, h1);
    vdk_tensor *shortcut = NULL;
    if (vdk_net_weight(n, vdk_net_join(n, m, prefix, "conv_shortcut"), "weight", false)) {
        static const int none[3] = {0, 0, 0};
        shortcut = vdk_nn_conv(n, m, x, one, none, VDK_ACT_NONE, NULL);
    }
    vdk_tensor *y = vdk_nn_conv(n, vdk_net_join(n, m, prefix, "conv2"), h, one, pad, VDK_ACT_NONE,
                                shortcut ? shortcut : x);
    vdk_net_drop(n, h);
    vdk_net_drop(n, shortcut);
    return y;
}

vdk_tensor *vdk_block_resnet(vdk_net *n, const char *prefix, const vdk_tensor *x,
                             const vdk_tensor *temb, int groups, float eps)
{
    static const int pad[3] = {0, 1, 1};
    return resnet(n, prefix, x, temb, groups, eps, VDK_NORM_PER_FRAME, pad);
}

vdk_tensor *vdk_block_temporal_resnet(vdk_net *n, const char *prefix, const vdk_tensor *x,
                                      const vdk_tensor *temb, int groups, float eps)
{
    name_t m;
    const vdk_tensor *w = vdk_net_weight(n, vdk_net_join(n, m, prefix, "conv1"), "weight", true);
    if (!w)
        return NULL;
    /* "same" padding in time for the odd kernel diffusers uses. */
    const int pad[3] = {(int)(vdk_tensor_dim(w, 1) / 2), 0, 0};
    return resnet(n, prefix, x, temb, groups, eps, VDK_NORM_PER_CLIP, pad);
}

vdk_tensor *vdk_block_spatio_temporal_res(vdk_net *n, const char *prefix, const vdk_tensor *x,
                                          const vdk_tensor *temb, const vdk_resblock_args *a)
{
    name_t m;
    vdk_tensor *s = vdk_block_resnet(n, vdk_net_join(n, m, prefix, "spatial_res_block"), x, temb,
                                     a->groups, a->eps);
    vdk_tensor *t = vdk_block_temporal_resnet(n, vdk_net_join(n, m, prefix, "temporal_res_block"),
                                              s, temb, a->groups, a->temporal_eps);
    /* alpha*spatial + (1-alpha)*temporal, or the other way round when switched. */
    if (a->switch_mix)
        vdk_nn_blend_into(n, vdk_net_join(n, m, prefix, "time_mixer"), t, s);
    else
        vdk_nn_blend_into(n, vdk_net_join(n, m, prefix, "time_mixer"), s, t);
    if (a->switch_mix) {
        vdk_net_drop(n, t);
        return s;
    }
    vdk_net_drop(n, s);
    return t;
}

vdk_tensor *vdk_block_attention_proj(vdk_net *n, const char *prefix, const char *out_proj,
                                     const vdk_tensor *x, const vdk_tensor *context,
                                     vdk_attention_axes axes, int heads, const vdk_tensor *residual)
{
    name_t m;
    const vdk_tensor *kv = context ? context : x;
    vdk_tensor *q = vdk_nn_linear(n, vdk_net_join(n, m, prefix, "to_q"), x, VDK_ACT_NONE, NULL);
    vdk_tensor *k = vdk_nn_linear(n, vdk_net_join(n, m, prefix, "to_k"), kv, VDK_ACT_NONE, NULL);
    vdk_tensor *v = vdk_nn_linear(n, vdk_net_join(n, m, prefix, "to_v"), kv, VDK_ACT_NONE, NULL);
    vdk_tensor *o = vdk_nn_attention(n, axes, heads, q, k, v);
    vdk_net_drop(n, q);
    vdk_net_drop(n, k);
    vdk_net_drop(n, v);
    vdk_tensor *y =
        vdk_nn_linear(n, vdk_net_join(n, m, prefix, out_proj), o, VDK_ACT_NONE, residual);
    vdk_net_drop(n, o);
    return y;
}

vdk_tensor *vdk_block_attention(vdk_net *n, const char *prefix, const vdk_tensor *x,
                                const vdk_tensor *context, vdk_attention_axes axes, int heads,
                                const vdk_tensor *residual)
{
    return vdk_block_attention_proj(n, prefix, "to_out.0", x, context, axes, heads, residual);
}

vdk_tensor *vdk_block_feed_forward(vdk_net *n, const char *prefix, const vdk_tensor *x,
                                   const vdk_tensor *residual)
{
    name_t m;
    vdk_tensor *h =
        vdk_nn_linear(n, vdk_net_join(n, m, prefix, "net.0.proj"), x, VDK_ACT_GEGLU, NULL);
    vdk_tensor *y =
        vdk_nn_linear(n, vdk_net_join(n, m, prefix, "net.2"), h, VDK_ACT_NONE, residual);
    vdk_net_drop(n, h);
    return y;
}

vdk_tensor *vdk_block_timestep_mlp(vdk_net *n, const char *prefix, const vdk_tensor *x,
                                   const vdk_tensor *residual)
{
    name_t m;
    vdk_tensor *h = vdk_nn_linear(n, vdk_net_join(n, m, prefix, "linear_1"), x, VDK_ACT_SILU, NULL);
    vdk_tensor *y =
        vdk_nn_linear(n, vdk_net_join(n, m, prefix, "linear_2"), h, VDK_ACT_NONE, residual);
    vdk_net_drop(n, h);
    return y;
}

/* Pre-norm attention: y = attn(LN(x), context) + x. */
static vdk_tensor *norm_attention(vdk_net *n, const char *prefix, const char *norm,
                                  const char *attn, const vdk_tensor *x, const vdk_tensor *context,
                                  vdk_attention_axes axes, int heads, float eps)
{
    name_t m;
    vdk_tensor *h = vdk_nn_layer_norm(n, vdk_net_join(n, m, prefix, norm), x, eps);
    vdk_tensor *y =
        vdk_block_attention(n, vdk_net_join(n, m, prefix, attn), h, context, axes, heads, x);
    vdk_net_drop(n, h);
    return y;
}

/* Pre-norm feed-forward: y = ff(LN(x)) + x. */
static vdk_tensor *norm_feed_forward(vdk_net *n, const char *prefix, const char *norm,
                                     const char *ff, const vdk_tensor *x, float eps)
{
    name_t m;
    vdk_tensor *h = vdk_nn_layer_norm(n, vdk_net_join(n, m, prefix, norm), x, eps);
    vdk_tensor *y = vdk_block_feed_forward(n, vdk_net_join(n, m, prefix, ff), h, x);
    vdk_net_drop(n, h);
    return y;
}

/* Cross-attention to a one-token context as diffusers pairs it in its temporal
 * blocks: pixel p of clip b attends to context row c = (b*H*W + p) mod N. With
 * one key the softmax is exactly 1, so the output is to_out(to_v(context[c]))
 * for every frame, whatever the query: y = residual + P (V Wout^T + bout) with
 * P the one-hot [N*H*W, N] pairing, as three linears and a broadcast add. */
static vdk_tensor *diffusers_order_cross_attention(vdk_net *n, const char *prefix,
                                                   const vdk_tensor *context,
                                                   const vdk_tensor *residual)
{
    name_t m;
    const vdk_tensor *wout =
        vdk_net_weight(n, vdk_net_join(n, m, prefix, "to_out.0"), "weight", true);
    const vdk_tensor *bout = vdk_net_weight(n, m, "bias", true);
    if (n->status != VDK_OK)
        return NULL;
    const int64_t batch = vdk_tensor_dim(residual, 0), h = vdk_tensor_dim(residual, 2),
                  w = vdk_tensor_dim(residual, 3), c = vdk_tensor_dim(residual, 4);
    if (vdk_tensor_dim(context, 1) != 1) {
        vdk_net_fail(n, VDK_ERROR_UNSUPPORTED,
                     "%s: diffusers' context order takes a context of 1 token, not %lld", prefix,
                     (long long)vdk_tensor_dim(context, 1));
        return NULL;
    }
    vdk_tensor *v =
        vdk_nn_linear(n, vdk_net_join(n, m, prefix, "to_v"), context, VDK_ACT_NONE, NULL);
    const int64_t vs[2] = {batch, c}, ct[2] = {c, batch}, bs[2] = {c, 1};
    const int64_t ps[2] = {batch * h * w, batch}, out5[5] = {batch, 1, h, w, c};
    vdk_tensor *v2 = vdk_net_view(n, v, 2, vs);
    /* vt = Wout V^T + bout[:, None]: [C, N], the projected context per clip. */
    vdk_tensor *vt = vdk_net_new(n, 2, ct);
    const vdk_linear_params plain = {.act = VDK_ACT_NONE};
    if (n->status == VDK_OK)
        vdk_net_check(n, vdk_linear(n->ctx, &plain, wout, v2, NULL, NULL, vt), prefix);
    vdk_tensor *b2 = vdk_net_view(n, (vdk_tensor *)bout, 2, bs);
    if (n->status == VDK_OK)
        vdk_nn_add_to(n, vt, b2);
    vdk_tensor *pairing = vdk_net_new(n, 2, ps);
    float *onehot = n->status == VDK_OK ? calloc((size_t)(ps[0] * ps[1]), sizeof *onehot) : NULL;
    if (n->status == VDK_OK && !onehot)
        vdk_net_fail(n, VDK_ERROR_OUT_OF_MEMORY, "%s: out of host memory", prefix);
    if (onehot) {
        for (int64_t i = 0; i < ps[0]; i++)
            onehot[i * batch + i % batch] = 1.0f;
        vdk_net_check(n, vdk_tensor_write(pairing, VDK_F32, onehot, ps[0] * ps[1]), prefix);
        free(onehot);
    }
    /* [N*H*W, C] = P vt^T, seen as [N, 1, H, W, C] and added to every frame. */
    vdk_tensor *pix = vdk_nn_linear_with(n, prefix, pairing, vt);
    vdk_tensor *pix5 = vdk_net_view(n, pix, 5, out5);
    vdk_tensor *y = vdk_net_new_like(n, residual, c);
    if (n->status == VDK_OK) {
        const vdk_binary_params add = {.op = VDK_BINARY_ADD};
        vdk_net_check(n, vdk_binary(n->ctx, &add, residual, pix5, y), prefix);
    }
    vdk_tensor_destroy(pix5);
    vdk_net_drop(n, pix);
    vdk_net_drop(n, pairing);
    vdk_tensor_destroy(b2);
    vdk_net_drop(n, vt);
    vdk_tensor_destroy(v2);
    vdk_net_drop(n, v);
    if (n->status != VDK_OK) {
        vdk_net_drop(n, y);
        return NULL;
    }
    return y;
}

/* BasicTransformerBlock (spatial, axes SPATIAL) and the body of the temporal
 * block (axes TEMPORAL): self-attention, cross-attention to context, FF. */
static vdk_tensor *transformer_body(vdk_net *n, const char *prefix, const vdk_tensor *x,
                                    const vdk_tensor *context, vdk_attention_axes axes,
                                    const vdk_transformer_args *a)
{
    vdk_tensor *h1 =
        norm_attention(n, prefix, "norm1", "attn1", x, NULL, axes, a->heads, a->layer_norm_eps);
    vdk_tensor *h2 = NULL;
    if (axes == VDK_AXES_TEMPORAL && a->diffusers_context_order) {
        /* Its LayerNorm and query do not matter: one key takes all the weight. */
        name_t m;
        h2 = diffusers_order_cross_attention(n, vdk_net_join(n, m, prefix, "attn2"), context, h1);
    } else {
        h2 = norm_attention(n, prefix, "norm2", "attn2", h1, context, axes, a->heads,
                            a->layer_norm_eps);
    }
    vdk_net_drop(n, h1);
    vdk_tensor *y = norm_feed_forward(n, prefix, "norm3", "ff", h2, a->layer_norm_eps);
    vdk_net_drop(n, h2);
    return y;
}

/* TemporalBasicTransformerBlock with time_mix_inner_dim == dim (SVD): a residual
 * LN + FF first, then the body over each pixel's frames. */
static vdk_tensor *temporal_transformer_block(vdk_net *n, const char *prefix, const vdk_tensor *x,
                                              const vdk_tensor *context,
                                              const vdk_transformer_args *a)
{
    vdk_tensor *h = norm_feed_forward(n, prefix, "norm_in", "ff_in", x, a->layer_norm_eps);
    vdk_tensor *y = transformer_body(n, prefix, h, context, VDK_AXES_TEMPORAL, a);
    vdk_net_drop(n, h);
    return y;
}

/* The frame-position embedding time_pos_embed(sinusoid(0 .. T-1)) as
 * [1, T, 1, 1, C], the same for every clip of the batch. */
static vdk_tensor *frame_embedding(vdk_net *n, const char *prefix, int64_t frames, int64_t c)
{
    if (n->status != VDK_OK)
        return NULL;
    double index[1024];
    if (frames > 1024) {
        vdk_net_fail(n, VDK_ERROR_INVALID_VALUE, "%s: %lld frames (at most 1024)", prefix,
                     (long long)frames);
        return NULL;
    }
    for (int64_t i = 0; i < frames; i++)
        index[i] = (double)i;
    name_t m;
    vdk_tensor *s = vdk_nn_sinusoid(n, index, frames, (int)c);
    vdk_tensor *e =
        vdk_block_timestep_mlp(n, vdk_net_join(n, m, prefix, "time_pos_embed"), s, NULL);
    vdk_net_drop(n, s);
    return e;
}

vdk_tensor *vdk_block_transformer_spatio_temporal(vdk_net *n, const char *prefix,
                                                  const vdk_tensor *x, const vdk_tensor *context,
                                                  const vdk_transformer_args *a)
{
    if (n->status != VDK_OK || !x)
        return NULL;
    name_t m, blk;
    const int64_t frames = vdk_tensor_dim(x, 1), c = vdk_tensor_dim(x, 4);
    vdk_tensor *g = vdk_nn_group_norm(n, vdk_net_join(n, m, prefix, "norm"), x, a->groups,
                                      a->norm_eps, VDK_NORM_PER_FRAME, VDK_ACT_NONE);
    vdk_tensor *h = vdk_nn_linear(n, vdk_net_join(n, m, prefix, "proj_in"), g, VDK_ACT_NONE, NULL);
    vdk_net_drop(n, g);
    vdk_tensor *e = frame_embedding(n, prefix, frames, c);
    const int64_t shape[5] = {1, frames, 1, 1, c};
    vdk_tensor *emb = vdk_net_view(n, e, 5, shape);
    for (int k = 0; k < a->layers && n->status == VDK_OK; k++) {
        snprintf(blk, sizeof blk, "%s.transformer_blocks.%d", prefix, k);
        vdk_tensor *s = transformer_body(n, blk, h, context, VDK_AXES_SPATIAL, a);
        vdk_net_drop(n, h);
        /* The temporal branch sees the spatial output plus the frame position. */
        vdk_tensor *mix = vdk_net_new_like(n, s, c);
        if (mix && n->status == VDK_OK) {
            const vdk_binary_params add = {.op = VDK_BINARY_ADD};
            vdk_net_check(n, vdk_binary(n->ctx, &add, s, emb, mix), "frame position");
        }
        snprintf(blk, sizeof blk, "%s.temporal_transformer_blocks.%d", prefix, k);
        vdk_tensor *t = temporal_transformer_block(n, blk, mix, context, a);
        vdk_net_drop(n, mix);
        vdk_nn_blend_into(n, vdk_net_join(n, m, prefix, "time_mixer"), s, t);
        vdk_net_drop(n, s);
        h = t;
    }
    vdk_tensor_destroy(emb);
    vdk_net_drop(n, e);
    vdk_tensor *y = vdk_nn_linear(n, vdk_net_join(n, m, prefix, "proj_out"), h, VDK_ACT_NONE, x);
    vdk_net_drop(n, h);
    return y;
}

vdk_tensor *vdk_block_downsample(vdk_net *n, const char *prefix, const vdk_tensor *x)
{
    static const int stride[3] = {1, 2, 2}, pad[3] = {0, 1, 1};
    name_t m;
    return vdk_nn_conv(n, vdk_net_join(n, m, prefix, "conv"), x, stride, pad, VDK_ACT_NONE, NULL);
}

vdk_tensor *vdk_block_upsample(vdk_net *n, const char *prefix, const vdk_tensor *x)
{
    name_t m;
    vdk_tensor *u = vdk_nn_upsample(n, x, 1, 2, 2);
    vdk_tensor *y = vdk_block_conv3x3(n, vdk_net_join(n, m, prefix, "conv"), u, NULL);
    vdk_net_drop(n, u);
    return y;
}
