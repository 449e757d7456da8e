/* The walk over SVD's modules that names every parameter. One function per
 * diffusers module, each adding its tensors under its own prefix in the order
 * its forward() uses them; the block functions call them the way the UNet's and
 * the decoder's forward() call the blocks. Sources: PIPELINES.md §1.3, §1.4, §1.9
 * and the diffusers modules cited there. */
#include "svd/params.h"

typedef char name_t[VDK_PARAM_NAME_MAX];

/* diffusers' TimestepEmbedding(in, hidden, out): linear_1 in -> hidden, SiLU,
 * linear_2 hidden -> out. */
static void timestep_embedding(vdk_param_table *t, const char *p, int cin, int hidden, int cout)
{
    name_t n;
    vdk_param_linear(t, vdk_param_join(t, n, p, "linear_1"), cin, hidden, 1);
    vdk_param_linear(t, vdk_param_join(t, n, p, "linear_2"), hidden, cout, 1);
}

/* SpatioTemporalResBlock(cin -> cout): ResnetBlock2D "spatial_res_block", then
 * TemporalResnetBlock "temporal_res_block" (cout -> cout, (k,1,1) convs), then
 * AlphaBlender "time_mixer". temb = 0 leaves out both time_emb_proj (the decoder). */
static void spatio_temporal_res_block(vdk_param_table *t, const char *p, int cin, int cout,
                                      int temb, int kt)
{
    name_t s, n;
    vdk_param_join(t, s, p, "spatial_res_block");
    vdk_param_norm(t, vdk_param_join(t, n, s, "norm1"), cin);
    vdk_param_conv2d(t, vdk_param_join(t, n, s, "conv1"), cin, cout, 3, 3);
    if (temb)
        vdk_param_linear(t, vdk_param_join(t, n, s, "time_emb_proj"), temb, cout, 1);
    vdk_param_norm(t, vdk_param_join(t, n, s, "norm2"), cout);
    vdk_param_conv2d(t, vdk_param_join(t, n, s, "conv2"), cout, cout, 3, 3);
    if (cin != cout)
        vdk_param_conv2d(t, vdk_param_join(t, n, s, "conv_shortcut"), cin, cout, 1, 1);

    /* cin == cout here always, so the temporal half has no shortcut. */
    vdk_param_join(t, s, p, "temporal_res_block");
    vdk_param_norm(t, vdk_param_join(t, n, s, "norm1"), cout);
    vdk_param_conv3d(t, vdk_param_join(t, n, s, "conv1"), cout, cout, kt, 1, 1);
    if (temb)
        vdk_param_linear(t, vdk_param_join(t, n, s, "time_emb_proj"), temb, cout, 1);
    vdk_param_norm(t, vdk_param_join(t, n, s, "norm2"), cout);
    vdk_param_conv3d(t, vdk_param_join(t, n, s, "conv2"), cout, cout, kt, 1, 1);

    vdk_param_scalar(t, vdk_param_join(t, n, p, "time_mixer"), "mix_factor", VDK_ROLE_MIX_FACTOR);
}

/* diffusers' Attention of the transformer blocks: to_q (c -> c), to_k and to_v
 * (kv -> c) without bias, to_out.0 (c -> c) with bias. kv = c for self-attention,
 * the context width for cross-attention. */
static void attention(vdk_param_table *t, const char *p, int c, int kv)
{
    name_t n;
    vdk_param_linear(t, vdk_param_join(t, n, p, "to_q"), c, c, 0);
    vdk_param_linear(t, vdk_param_join(t, n, p, "to_k"), kv, c, 0);
    vdk_param_linear(t, vdk_param_join(t, n, p, "to_v"), kv, c, 0);
    vdk_param_linear(t, vdk_param_join(t, n, p, "to_out.0"), c, c, 1);
}

/* FeedForward with GEGLU: net.0.proj c -> 2*mult*c (value and gate halves),
 * net.2 mult*c -> c (net.1 is dropout). */
static void feed_forward(vdk_param_table *t, const char *p, int c, int mult)
{
    name_t n;
    vdk_param_linear(t, vdk_param_join(t, n, p, "net.0.proj"), c, 2 * mult * c, 1);
    vdk_param_linear(t, vdk_param_join(t, n, p, "net.2"), mult * c, c, 1);
}

/* BasicTransformerBlock (spatial): LN, self-attention, LN, cross-attention, LN, FF. */
static void basic_transformer_block(vdk_param_table *t, const char *p, int c, int ctx, int mult)
{
    name_t n;
    vdk_param_norm(t, vdk_param_join(t, n, p, "norm1"), c);
    attention(t, vdk_param_join(t, n, p, "attn1"), c, c);
    vdk_param_norm(t, vdk_param_join(t, n, p, "norm2"), c);
    attention(t, vdk_param_join(t, n, p, "attn2"), c, ctx);
    vdk_param_norm(t, vdk_param_join(t, n, p, "norm3"), c);
    feed_forward(t, vdk_param_join(t, n, p, "ff"), c, mult);
}

/* TemporalBasicTransformerBlock: LN + FF_in first (a residual one, since SVD's
 * time_mix_inner_dim is c), then as the spatial block over the frame axis. */
static void temporal_basic_transformer_block(vdk_param_table *t, const char *p, int c, int ctx,
                                             int mult)
{
    name_t n;
    vdk_param_norm(t, vdk_param_join(t, n, p, "norm_in"), c);
    feed_forward(t, vdk_param_join(t, n, p, "ff_in"), c, mult);
    basic_transformer_block(t, p, c, ctx, mult);
}

/* TransformerSpatioTemporalModel(c): GroupNorm, proj_in, the frame-position MLP
 * (run once before the layers), per layer a spatial and a temporal block, the
 * AlphaBlender all layers share, proj_out. */
static void transformer_spatio_temporal(vdk_param_table *t, const char *p,
                                        const vdk_svd_unet_config *c, int ch)
{
    name_t n, b;
    vdk_param_norm(t, vdk_param_join(t, n, p, "norm"), ch);
    vdk_param_linear(t, vdk_param_join(t, n, p, "proj_in"), ch, ch, 1);
    timestep_embedding(t, vdk_param_join(t, n, p, "time_pos_embed"), ch,
                       c->time_pos_embed_mult * ch, ch);
    for (int k = 0; k < c->transformer_layers_per_block; k++) {
        basic_transformer_block(t, vdk_param_join_index(t, b, p, "transformer_blocks", k), ch,
                                c->cross_attention_dim, c->ff_mult);
        temporal_basic_transformer_block(
            t, vdk_param_join_index(t, b, p, "temporal_transformer_blocks", k), ch,
            c->cross_attention_dim, c->ff_mult);
    }
    vdk_param_scalar(t, vdk_param_join(t, n, p, "time_mixer"), "mix_factor", VDK_ROLE_MIX_FACTOR);
    vdk_param_linear(t, vdk_param_join(t, n, p, "proj_out"), ch, ch, 1);
}

vdk_status vdk_svd_unet_params(const vdk_svd_unet_config *c, vdk_param_table *t)
{
    if (!c || !t)
        return VDK_ERROR_NULL_POINTER;
    if (t->status != VDK_OK)
        return t->status;
    if (vdk_svd_unet_config_check(c, t->error, sizeof t->error) != VDK_OK) {
        t->status = VDK_ERROR_INVALID_VALUE;
        return t->status;
    }
    const int L = c->levels, kt = c->temporal_kernel_size;
    const int *ch = c->block_out_channels;
    const int temb = c->time_embed_mult * ch[0];
    name_t blk, n;

    /* Time conditioning: emb = TE(sinusoid(t)) + TE(sinusoids of the added ids). */
    timestep_embedding(t, "time_embedding", ch[0], temb, temb);
    timestep_embedding(t, "add_embedding", c->projection_class_embeddings_input_dim, temb, temb);

    vdk_param_conv2d(t, "conv_in", c->in_channels, ch[0], 3, 3);

    /* Down path. `skips` holds the channels of every tensor pushed for the up
     * path (conv_in, each level's layer outputs, each downsample), as forward()
     * pushes them; the up path pops them for its concatenations. */
    int skips[1 + VDK_SVD_MAX_LEVELS * (64 + 1)];
    int nskips = 0, cur = ch[0];
    if (c->layers_per_block > 64) {
        vdk_param_table_fail(t, VDK_ERROR_INVALID_VALUE, "layers_per_block %d is over 64",
                             c->layers_per_block);
        return t->status;
    }
    skips[nskips++] = cur;
    for (int i = 0; i < L; i++) {
        vdk_param_join_index(t, blk, "", "down_blocks", i);
        for (int j = 0; j < c->layers_per_block; j++) {
            spatio_temporal_res_block(t, vdk_param_join_index(t, n, blk, "resnets", j), cur, ch[i],
                                      temb, kt);
            cur = ch[i];
            if (c->cross_attention[i])
                transformer_spatio_temporal(t, vdk_param_join_index(t, n, blk, "attentions", j), c,
                                            cur);
            skips[nskips++] = cur;
        }
        if (i < L - 1) {
            vdk_param_conv2d(t, vdk_param_join(t, n, blk, "downsamplers.0.conv"), cur, cur, 3, 3);
            skips[nskips++] = cur;
        }
    }

    /* Mid: resblock, transformer, resblock at the last level's width and heads. */
    spatio_temporal_res_block(t, "mid_block.resnets.0", cur, cur, temb, kt);
    transformer_spatio_temporal(t, "mid_block.attentions.0", c, cur);
    spatio_temporal_res_block(t, "mid_block.resnets.1", cur, cur, temb, kt);

    /* Up path: block i works at level L-1-i with layers_per_block + 1 resblocks,
     * each on the concatenation [current, popped skip]. */
    for (int i = 0; i < L; i++) {
        const int level = L - 1 - i, out = ch[level];
        vdk_param_join_index(t, blk, "", "up_blocks", i);
        for (int j = 0; j < c->layers_per_block + 1; j++) {
            const int skip = skips[--nskips];
            spatio_temporal_res_block(t, vdk_param_join_index(t, n, blk, "resnets", j), cur + skip,
                                      out, temb, kt);
            cur = out;
            if (c->cross_attention[level])
                transformer_spatio_temporal(t, vdk_param_join_index(t, n, blk, "attentions", j), c,
                                            cur);
        }
        if (i < L - 1)
            vdk_param_conv2d(t, vdk_param_join(t, n, blk, "upsamplers.0.conv"), cur, cur, 3, 3);
    }
    /* Every pushed skip was popped: layers_per_block + 1 per up block is exactly
     * what the down path pushed (1 + L*layers + L-1). */
    if (nskips != 0)
        vdk_param_table_fail(t, VDK_ERROR_INTERNAL, "%d skip connections left unused", nskips);

    vdk_param_norm(t, "conv_norm_out", ch[0]);
    vdk_param_conv2d(t, "conv_out", ch[0], c->out_channels, 3, 3);
    return t->status;
}

/* The decoder's mid attention: diffusers' Attention with its own GroupNorm and
 * biased q/k/v/out projections, one head per attention_head_dim channels. */
static void decoder_attention(vdk_param_table *t, const char *p, int c)
{
    name_t n;
    vdk_param_norm(t, vdk_param_join(t, n, p, "group_norm"), c);
    vdk_param_linear(t, vdk_param_join(t, n, p, "to_q"), c, c, 1);
    vdk_param_linear(t, vdk_param_join(t, n, p, "to_k"), c, c, 1);
    vdk_param_linear(t, vdk_param_join(t, n, p, "to_v"), c, c, 1);
    vdk_param_linear(t, vdk_param_join(t, n, p, "to_out.0"), c, c, 1);
}

vdk_status vdk_svd_decoder_params(const vdk_svd_decoder_config *c, vdk_param_table *t)
{
    if (!c || !t)
        return VDK_ERROR_NULL_POINTER;
    if (t->status != VDK_OK)
        return t->status;
    if (vdk_svd_decoder_config_check(c, t->error, sizeof t->error) != VDK_OK) {
        t->status = VDK_ERROR_INVALID_VALUE;
        return t->status;
    }
    const int L = c->levels, kt = c->temporal_kernel_size;
    const int *ch = c->block_out_channels;
    int cur = ch[L - 1];
    name_t blk, n;

    /* The VAE checkpoint holds encoder.*, quant_conv.* and decoder.*; the decoder's
     * tensors are the ones under "decoder". No post_quant_conv in this VAE. */
    const char *d = "decoder";
    vdk_param_conv2d(t, vdk_param_join(t, n, d, "conv_in"), c->latent_channels, cur, 3, 3);

    /* Mid: resblock, attention, resblock (config check: layers_per_block == 2). */
    spatio_temporal_res_block(t, vdk_param_join(t, n, d, "mid_block.resnets.0"), cur, cur, 0, kt);
    decoder_attention(t, vdk_param_join(t, n, d, "mid_block.attentions.0"), cur);
    spatio_temporal_res_block(t, vdk_param_join(t, n, d, "mid_block.resnets.1"), cur, cur, 0, kt);

    /* Up blocks: block i at width ch[L-1-i], layers_per_block + 1 resblocks, then
     * an upsampler except after the last. No skip connections in a decoder. */
    for (int i = 0; i < L; i++) {
        const int out = ch[L - 1 - i];
        vdk_param_join_index(t, blk, d, "up_blocks", i);
        for (int j = 0; j < c->layers_per_block + 1; j++) {
            spatio_temporal_res_block(t, vdk_param_join_index(t, n, blk, "resnets", j), cur, out, 0,
                                      kt);
            cur = out;
        }
        if (i < L - 1)
            vdk_param_conv2d(t, vdk_param_join(t, n, blk, "upsamplers.0.conv"), cur, cur, 3, 3);
    }

    vdk_param_norm(t, vdk_param_join(t, n, d, "conv_norm_out"), cur);
    vdk_param_conv2d(t, vdk_param_join(t, n, d, "conv_out"), cur, c->out_channels, 3, 3);
    /* time_conv_out: a (k,1,1) Conv3d over the decoded frames of each clip. */
    vdk_param_conv3d(t, vdk_param_join(t, n, d, "time_conv_out"), c->out_channels, c->out_channels,
                     kt, 1, 1);
    return t->status;
}
