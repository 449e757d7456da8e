/* The walk over the STUNet's modules that names every parameter: one function
 * per module of tools/lumiere_torch.py, each adding its tensors under its own
 * prefix in the order its forward() uses them. docs/pipelines.md ("Lumiere")
 * gives each module's forward op by op. */
#include "lumiere/params.h"

typedef char name_t[VDK_PARAM_NAME_MAX];

/* ResBlock(cin -> cout): norm1 (GroupNorm cin), conv1 (k x k), time_emb_proj
 * (time_embed_dim -> 2*cout: scale, then shift), norm2, conv2, and a 1x1
 * conv_shortcut when the width changes. */
static void resnet(vdk_param_table *t, const char *p, const vdk_lumiere_config *c, int cin,
                   int cout)
{
    const int k = c->spatial_kernel_size;
    name_t n;
    vdk_param_norm(t, vdk_param_join(t, n, p, "norm1"), cin);
    vdk_param_conv2d(t, vdk_param_join(t, n, p, "conv1"), cin, cout, k, k);
    vdk_param_linear(t, vdk_param_join(t, n, p, "time_emb_proj"), c->time_embed_dim, 2 * cout, 1);
    vdk_param_norm(t, vdk_param_join(t, n, p, "norm2"), cout);
    vdk_param_conv2d(t, vdk_param_join(t, n, p, "conv2"), cout, cout, k, k);
    if (cin != cout)
        vdk_param_conv2d(t, vdk_param_join(t, n, p, "conv_shortcut"), cin, cout, 1, 1);
}

/* Multi-head attention without biases: to_q (c -> inner), to_k and to_v
 * (kv -> inner), to_out (inner -> c). kv = c for self-attention. */
static void attention(vdk_param_table *t, const char *p, int c, int kv, int inner)
{
    name_t n;
    vdk_param_linear(t, vdk_param_join(t, n, p, "to_q"), c, inner, 0);
    vdk_param_linear(t, vdk_param_join(t, n, p, "to_k"), kv, inner, 0);
    vdk_param_linear(t, vdk_param_join(t, n, p, "to_v"), kv, inner, 0);
    vdk_param_linear(t, vdk_param_join(t, n, p, "to_out"), inner, c, 0);
}

/* Spatial transformer: LayerNorm, self-attention over each frame's pixels
 * (norm1, attn1: absent when cross_only), LayerNorm, cross-attention to the
 * text, LayerNorm, FF (proj_in, GELU, proj_out; no biases). */
static void transformer(vdk_param_table *t, const char *p, const vdk_lumiere_config *c, int ch,
                        int cross_only)
{
    const int inner = c->attention_heads * c->attention_head_dim;
    name_t n;
    if (!cross_only) {
        vdk_param_norm(t, vdk_param_join(t, n, p, "norm1"), ch);
        attention(t, vdk_param_join(t, n, p, "attn1"), ch, ch, inner);
    }
    vdk_param_norm(t, vdk_param_join(t, n, p, "norm2"), ch);
    attention(t, vdk_param_join(t, n, p, "attn2"), ch, c->cross_attention_dim, inner);
    vdk_param_norm(t, vdk_param_join(t, n, p, "norm3"), ch);
    vdk_param_linear(t, vdk_param_join(t, n, p, "ff.proj_in"), ch, c->ff_mult * ch, 0);
    vdk_param_linear(t, vdk_param_join(t, n, p, "ff.proj_out"), c->ff_mult * ch, ch, 0);
}

/* (2+1)D conv inflation: spatial_conv (k x k), spatial_norm (RMS), temporal_conv
 * (kt,1,1), temporal_norm (RMS), proj_out (a C -> C linear, i.e. a 1x1 conv). */
static void conv_inflation(vdk_param_table *t, const char *p, const vdk_lumiere_config *c, int ch)
{
    const int k = c->spatial_kernel_size;
    name_t n;
    vdk_param_conv2d(t, vdk_param_join(t, n, p, "spatial_conv"), ch, ch, k, k);
    vdk_param_rms_norm(t, vdk_param_join(t, n, p, "spatial_norm"), ch);
    vdk_param_conv3d(t, vdk_param_join(t, n, p, "temporal_conv"), ch, ch, c->temporal_kernel_size,
                     1, 1);
    vdk_param_rms_norm(t, vdk_param_join(t, n, p, "temporal_norm"), ch);
    vdk_param_linear(t, vdk_param_join(t, n, p, "proj_out"), ch, ch, 1);
}

/* Temporal attention inflation: per layer an RMSNorm and a bias-free attention
 * over the frames of each pixel, then proj_out (C -> C with bias). */
static void attn_inflation(vdk_param_table *t, const char *p, const vdk_lumiere_config *c, int ch)
{
    const int inner = c->temporal_attention_heads * c->temporal_attention_head_dim;
    name_t l, n;
    for (int k = 0; k < c->temporal_attention_depth; k++) {
        vdk_param_join_index(t, l, p, "layers", k);
        vdk_param_rms_norm(t, vdk_param_join(t, n, l, "norm"), ch);
        attention(t, vdk_param_join(t, n, l, "attn"), ch, ch, inner);
    }
    vdk_param_linear(t, vdk_param_join(t, n, p, "proj_out"), ch, ch, 1);
}

/* One layer of a block at `level`: resblock, the spatial transformer when
 * `attn` (the level's attention, or 0), then the level's temporal block. */
static void layer(vdk_param_table *t, const char *p, const vdk_lumiere_config *c, int cin, int cout,
                  int attn, int level)
{
    const vdk_lumiere_temporal temporal = c->temporal_block[level];
    name_t n;
    resnet(t, vdk_param_join(t, n, p, "resnet"), c, cin, cout);
    if (attn)
        transformer(t, vdk_param_join(t, n, p, "attention"), c, cout,
                    c->cross_attention_only[level]);
    if (temporal == VDK_LUMIERE_TEMPORAL_ATTENTION)
        attn_inflation(t, vdk_param_join(t, n, p, "attn_inflation"), c, cout);
    else
        conv_inflation(t, vdk_param_join(t, n, p, "conv_inflation"), c, cout);
}

vdk_status vdk_lumiere_params(const vdk_lumiere_config *c, vdk_param_table *t)
{
    if (!c || !t)
        return VDK_ERROR_NULL_POINTER;
    if (t->status != VDK_OK)
        return t->status;
    if (vdk_lumiere_config_check(c, t->error, sizeof t->error) != VDK_OK) {
        t->status = VDK_ERROR_INVALID_VALUE;
        return t->status;
    }
    const int L = c->levels, k = c->spatial_kernel_size, kt = c->temporal_kernel_size;
    const int *ch = c->block_out_channels;
    name_t blk, n;

    vdk_param_linear(t, "time_embedding.linear_1", c->time_sinusoid_dim, c->time_embed_dim, 1);
    vdk_param_linear(t, "time_embedding.linear_2", c->time_embed_dim, c->time_embed_dim, 1);
    vdk_param_conv2d(t, "conv_in", c->in_channels, ch[0], k, k);

    /* Down path. `skips` holds the width of every tensor pushed for the up path
     * (conv_in's output, each layer's output, each level's resampled output). */
    int skips[1 + VDK_LUMIERE_MAX_LEVELS * (VDK_LUMIERE_MAX_RES_BLOCKS + 1)];
    int nskips = 0, cur = ch[0];
    skips[nskips++] = cur;
    for (int l = 0; l < L; l++) {
        vdk_param_join_index(t, blk, "", "down_blocks", l);
        for (int j = 0; j < c->num_res_blocks[l]; j++) {
            layer(t, vdk_param_join_index(t, n, blk, "layers", j), c, cur, ch[l], c->attention[l],
                  l);
            cur = ch[l];
            skips[nskips++] = cur;
        }
        if (l < L - 1) {
            vdk_param_conv2d(t, vdk_param_join(t, n, blk, "downsample.conv"), cur, cur, k, k);
            if (c->temporal_resample[l])
                vdk_param_conv3d(t, vdk_param_join(t, n, blk, "temporal_downsample.conv"), cur, cur,
                                 kt, 1, 1);
            skips[nskips++] = cur;
        }
    }

    /* Mid, at the coarsest level: [resblock, transformer, temporal block], then
     * [resblock, temporal block]. */
    layer(t, "mid_block.layers.0", c, cur, cur, c->attention[L - 1], L - 1);
    layer(t, "mid_block.layers.1", c, cur, cur, 0, L - 1);

    /* Up path: block i works at level L-1-i with num_res_blocks + 1 layers, each
     * on the concatenation [current, popped skip]; then the resampling back to
     * the level above (spatial first, then temporal, as on the way down). */
    for (int i = 0; i < L; i++) {
        const int level = L - 1 - i;
        vdk_param_join_index(t, blk, "", "up_blocks", i);
        for (int j = 0; j < c->num_res_blocks[level] + 1; j++) {
            const int skip = skips[--nskips];
            layer(t, vdk_param_join_index(t, n, blk, "layers", j), c, cur + skip, ch[level],
                  c->attention[level], level);
            cur = ch[level];
        }
        if (level > 0) {
            vdk_param_conv2d(t, vdk_param_join(t, n, blk, "upsample.conv"), cur, cur, k, k);
            if (c->temporal_resample[level - 1])
                vdk_param_conv3d(t, vdk_param_join(t, n, blk, "temporal_upsample.conv"), cur, cur,
                                 kt, 1, 1);
        }
    }
    if (nskips != 0)
        vdk_param_table_fail(t, VDK_ERROR_INTERNAL, "%d skip connections left unused", nskips);

    vdk_param_norm(t, "norm_out", ch[0]);
    vdk_param_conv2d(t, "conv_out", ch[0], c->out_channels, k, k);
    return t->status;
}
