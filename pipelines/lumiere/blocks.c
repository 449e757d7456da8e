/* The STUNet's blocks as vdk calls, module by module as tools/lumiere_torch.py
 * runs them (the golden's source, so the order of every add and norm here is
 * its order). */
#include "lumiere/blocks.h"

#include "common/blocks.h"

#include <stdio.h>

typedef char name_t[VDK_PARAM_NAME_MAX];

/* The kernel's extent on `axis` of the conv weight [Cout, kt, kh, kw, Cin]
 * "<prefix>.weight", or 0 after a failure. */
static int kernel_extent(vdk_net *n, const char *prefix, int axis)
{
    const vdk_tensor *w = vdk_net_weight(n, prefix, "weight", true);
    return w ? (int)vdk_tensor_dim(w, axis) : 0;
}

vdk_tensor *vdk_lumiere_conv_frames(vdk_net *n, const char *prefix, const vdk_tensor *x, int stride,
                                    const vdk_tensor *residual)
{
    const int k = kernel_extent(n, prefix, 2);
    const int s[3] = {1, stride, stride}, pad[3] = {0, k / 2, k / 2};
    return k ? vdk_nn_conv(n, prefix, x, s, pad, VDK_ACT_NONE, residual) : NULL;
}

vdk_tensor *vdk_lumiere_conv_time(vdk_net *n, const char *prefix, const vdk_tensor *x, int stride)
{
    const int kt = kernel_extent(n, prefix, 1);
    const int s[3] = {stride, 1, 1}, pad[3] = {kt / 2, 0, 0};
    return kt ? vdk_nn_conv(n, prefix, x, s, pad, VDK_ACT_NONE, NULL) : NULL;
}

/* Rows [start, start + count) of the linear "<prefix>" applied to x [N, Cin]:
 * one half of a Linear whose output the PyTorch module chunks. The weight's
 * and bias's row slices are contiguous views. */
static vdk_tensor *linear_rows(vdk_net *n, const char *prefix, const vdk_tensor *x, int64_t start,
                               int64_t count)
{
    const vdk_tensor *w = vdk_net_weight(n, prefix, "weight", true);
    const vdk_tensor *b = vdk_net_weight(n, prefix, "bias", true);
    if (n->status != VDK_OK || !x)
        return NULL;
    vdk_tensor *ws = NULL, *bs = NULL, *y = NULL;
    if (vdk_net_check(n, vdk_tensor_slice((vdk_tensor *)w, 0, start, count, &ws), prefix) &&
        vdk_net_check(n, vdk_tensor_slice((vdk_tensor *)b, 0, start, count, &bs), prefix) &&
        (y = vdk_net_new_like(n, x, count)) != NULL) {
        const vdk_linear_params p = {.act = VDK_ACT_NONE};
        if (vdk_net_check(n, vdk_linear(n->ctx, &p, x, ws, bs, NULL, y), prefix)) {
            n->flops += 2.0 * (double)vdk_tensor_dim(x, 0) * (double)vdk_tensor_numel(ws);
        } else {
            vdk_net_drop(n, y);
            y = NULL;
        }
    }
    vdk_tensor_destroy(ws);
    vdk_tensor_destroy(bs);
    return y;
}

vdk_tensor *vdk_lumiere_resnet(vdk_net *n, const char *prefix, const vdk_lumiere_config *c,
                               const vdk_tensor *x, const vdk_tensor *temb_act)
{
    if (n->status != VDK_OK || !x || !temb_act)
        return NULL;
    name_t m;
    const int groups = c->norm_num_groups;
    const float eps = c->resnet_eps;
    vdk_tensor *a = vdk_nn_group_norm(n, vdk_net_join(n, m, prefix, "norm1"), x, groups, eps,
                                      VDK_NORM_PER_FRAME, VDK_ACT_SILU);
    vdk_tensor *h = vdk_lumiere_conv_frames(n, vdk_net_join(n, m, prefix, "conv1"), a, 1, NULL);
    vdk_net_drop(n, a);

    /* [scale, shift] = time_emb_proj(temb_act).chunk(2), each seen as
     * [N, 1, 1, 1, cout] to broadcast over the clip's frames and pixels. */
    const int64_t batch = vdk_tensor_dim(x, 0), cout = h ? vdk_tensor_dim(h, 4) : 0;
    vdk_net_join(n, m, prefix, "time_emb_proj");
    vdk_tensor *scale = linear_rows(n, m, temb_act, 0, cout);
    vdk_tensor *shift = linear_rows(n, m, temb_act, cout, cout);
    if (n->status == VDK_OK) {
        const vdk_unary_params one_plus = {.op = VDK_UNARY_AFFINE, .alpha = 1, .beta = 1};
        vdk_net_check(n, vdk_unary(n->ctx, &one_plus, scale, scale), m);
    }
    const int64_t per_clip[5] = {batch, 1, 1, 1, cout};
    vdk_tensor *scale5 = vdk_net_view(n, scale, 5, per_clip);
    vdk_tensor *shift5 = vdk_net_view(n, shift, 5, per_clip);

    a = vdk_nn_group_norm(n, vdk_net_join(n, m, prefix, "norm2"), h, groups, eps,
                          VDK_NORM_PER_FRAME, VDK_ACT_NONE);
    vdk_net_drop(n, h);
    if (n->status == VDK_OK) {
        const vdk_binary_params mul = {.op = VDK_BINARY_MUL};
        vdk_net_check(n, vdk_binary(n->ctx, &mul, a, scale5, a), "scale");
    }
    vdk_nn_add_to(n, a, shift5);
    vdk_nn_silu(n, a);
    vdk_tensor_destroy(scale5);
    vdk_tensor_destroy(shift5);
    vdk_net_drop(n, scale);
    vdk_net_drop(n, shift);

    vdk_tensor *shortcut = NULL;
    if (vdk_net_weight(n, vdk_net_join(n, m, prefix, "conv_shortcut"), "weight", false)) {
        static const int one[3] = {1, 1, 1}, none[3] = {0, 0, 0};
        shortcut = vdk_nn_conv(n, m, x, one, none, VDK_ACT_NONE, NULL);
    }
    vdk_tensor *y = vdk_lumiere_conv_frames(n, vdk_net_join(n, m, prefix, "conv2"), a, 1,
                                            shortcut ? shortcut : x);
    vdk_net_drop(n, a);
    vdk_net_drop(n, shortcut);
    return y;
}

/* Bias-free attention "<prefix>" with its output projection named "to_out". */
static vdk_tensor *attention(vdk_net *n, const char *prefix, const vdk_tensor *x,
                             const vdk_tensor *kv, vdk_attention_axes axes, int heads,
                             const vdk_tensor *residual)
{
    return vdk_block_attention_proj(n, prefix, "to_out", x, kv, axes, heads, residual);
}

vdk_tensor *vdk_lumiere_transformer(vdk_net *n, const char *prefix, const vdk_lumiere_config *c,
                                    const vdk_tensor *x, const vdk_tensor *context, int cross_only)
{
    name_t m;
    const float eps = c->layer_norm_eps;
    const int heads = c->attention_heads;
    vdk_tensor *h = NULL, *x1 = NULL;
    if (!cross_only) {
        h = vdk_nn_layer_norm(n, vdk_net_join(n, m, prefix, "norm1"), x, eps);
        x1 = attention(n, vdk_net_join(n, m, prefix, "attn1"), h, h, VDK_AXES_SPATIAL, heads, x);
        vdk_net_drop(n, h);
    }
    /* x1 is x itself without self-attention: only read, never dropped. */
    const vdk_tensor *in = cross_only ? x : x1;
    /* Cross-attention: every pixel of every frame of clip i attends to the
     * tokens of context[i] (with a [N, L, C] key the grouping does not matter). */
    h = vdk_nn_layer_norm(n, vdk_net_join(n, m, prefix, "norm2"), in, eps);
    vdk_tensor *x2 =
        attention(n, vdk_net_join(n, m, prefix, "attn2"), h, context, VDK_AXES_SPATIAL, heads, in);
    vdk_net_drop(n, h);
    vdk_net_drop(n, x1);
    h = vdk_nn_layer_norm(n, vdk_net_join(n, m, prefix, "norm3"), x2, eps);
    vdk_tensor *f =
        vdk_nn_linear(n, vdk_net_join(n, m, prefix, "ff.proj_in"), h, VDK_ACT_GELU, NULL);
    vdk_net_drop(n, h);
    vdk_tensor *y =
        vdk_nn_linear(n, vdk_net_join(n, m, prefix, "ff.proj_out"), f, VDK_ACT_NONE, x2);
    vdk_net_drop(n, f);
    vdk_net_drop(n, x2);
    return y;
}

/* RMSNorm then SiLU, in a new tensor. */
static vdk_tensor *rms_silu(vdk_net *n, const char *prefix, const vdk_tensor *x, float eps)
{
    vdk_tensor *y = vdk_nn_rms_norm(n, prefix, x, eps);
    vdk_nn_silu(n, y);
    return y;
}

vdk_tensor *vdk_lumiere_conv_inflation(vdk_net *n, const char *prefix, const vdk_lumiere_config *c,
                                       const vdk_tensor *x)
{
    name_t m;
    vdk_tensor *a =
        vdk_lumiere_conv_frames(n, vdk_net_join(n, m, prefix, "spatial_conv"), x, 1, NULL);
    vdk_tensor *b = rms_silu(n, vdk_net_join(n, m, prefix, "spatial_norm"), a, c->rms_norm_eps);
    vdk_net_drop(n, a);
    a = vdk_lumiere_conv_time(n, vdk_net_join(n, m, prefix, "temporal_conv"), b, 1);
    vdk_net_drop(n, b);
    b = rms_silu(n, vdk_net_join(n, m, prefix, "temporal_norm"), a, c->rms_norm_eps);
    vdk_net_drop(n, a);
    vdk_tensor *y = vdk_nn_linear(n, vdk_net_join(n, m, prefix, "proj_out"), b, VDK_ACT_NONE, x);
    vdk_net_drop(n, b);
    return y;
}

vdk_tensor *vdk_lumiere_attn_inflation(vdk_net *n, const char *prefix, const vdk_lumiere_config *c,
                                       const vdk_tensor *x)
{
    name_t m, layer;
    /* g starts as x itself (not a copy): it is only ever read as a residual. */
    const vdk_tensor *g = x;
    vdk_tensor *owned = NULL;
    for (int k = 0; k < c->temporal_attention_depth && n->status == VDK_OK; k++) {
        snprintf(layer, sizeof layer, "%s.layers.%d", prefix, k);
        vdk_tensor *h = vdk_nn_rms_norm(n, vdk_net_join(n, m, layer, "norm"), g, c->rms_norm_eps);
        vdk_tensor *next = attention(n, vdk_net_join(n, m, layer, "attn"), h, h, VDK_AXES_TEMPORAL,
                                     c->temporal_attention_heads, g);
        vdk_net_drop(n, h);
        vdk_net_drop(n, owned);
        g = owned = next;
    }
    vdk_tensor *y = vdk_nn_linear(n, vdk_net_join(n, m, prefix, "proj_out"), g, VDK_ACT_NONE, x);
    vdk_net_drop(n, owned);
    return y;
}

vdk_tensor *vdk_lumiere_layer(vdk_net *n, const char *prefix, const vdk_lumiere_config *c,
                              const vdk_tensor *x, const vdk_tensor *temb_act,
                              const vdk_tensor *context, int attention_on, int level)
{
    name_t m;
    const vdk_lumiere_temporal temporal = c->temporal_block[level];
    vdk_tensor *h = vdk_lumiere_resnet(n, vdk_net_join(n, m, prefix, "resnet"), c, x, temb_act);
    if (attention_on) {
        vdk_tensor *t = vdk_lumiere_transformer(n, vdk_net_join(n, m, prefix, "attention"), c, h,
                                                context, c->cross_attention_only[level]);
        vdk_net_drop(n, h);
        h = t;
    }
    vdk_tensor *y =
        temporal == VDK_LUMIERE_TEMPORAL_ATTENTION
            ? vdk_lumiere_attn_inflation(n, vdk_net_join(n, m, prefix, "attn_inflation"), c, h)
            : vdk_lumiere_conv_inflation(n, vdk_net_join(n, m, prefix, "conv_inflation"), c, h);
    vdk_net_drop(n, h);
    return y;
}
