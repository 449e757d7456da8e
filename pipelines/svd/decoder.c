/* TemporalDecoder.forward as vdk calls, chunk by chunk of frames, in the order of
 * the parameter walk (svd/params.c). */
#include "svd/decoder.h"

#include "common/blocks.h"

#include <stdio.h>

typedef char name_t[VDK_PARAM_NAME_MAX];

/* The mid block's Attention: its own GroupNorm, biased projections, one head
 * per attention_head_dim channels over each frame's pixels, + the input. */
static vdk_tensor *mid_attention(vdk_net *n, const vdk_svd_decoder_config *c, const char *prefix,
                                 const vdk_tensor *x)
{
    name_t m;
    snprintf(m, sizeof m, "%s.group_norm", prefix);
    vdk_tensor *g = vdk_nn_group_norm(n, m, x, c->norm_num_groups, c->attention_eps,
                                      VDK_NORM_PER_FRAME, VDK_ACT_NONE);
    const int heads = x ? (int)(vdk_tensor_dim(x, 4) / c->attention_head_dim) : 1;
    vdk_tensor *y = vdk_block_attention(n, prefix, g, NULL, VDK_AXES_SPATIAL, heads, x);
    vdk_net_drop(n, g);
    return y;
}

/* One clip (a chunk of frames) z -> out. */
static void decode(vdk_net *n, const vdk_svd_decoder_config *c, const vdk_tensor *z,
                   vdk_tensor *out)
{
    const vdk_resblock_args ra = {.groups = c->norm_num_groups,
                                  .eps = c->resnet_eps,
                                  .temporal_eps = c->temporal_eps,
                                  .switch_mix = c->switch_spatial_to_temporal_mix};
    name_t blk;
    vdk_tensor *h = vdk_block_conv3x3(n, "decoder.conv_in", z, NULL);
    vdk_tensor *r = vdk_block_spatio_temporal_res(n, "decoder.mid_block.resnets.0", h, NULL, &ra);
    vdk_net_drop(n, h);
    vdk_tensor *a = mid_attention(n, c, "decoder.mid_block.attentions.0", r);
    vdk_net_drop(n, r);
    h = vdk_block_spatio_temporal_res(n, "decoder.mid_block.resnets.1", a, NULL, &ra);
    vdk_net_drop(n, a);
    for (int i = 0; i < c->levels; i++) {
        for (int j = 0; j < c->layers_per_block + 1; j++) {
            snprintf(blk, sizeof blk, "decoder.up_blocks.%d.resnets.%d", i, j);
            vdk_tensor *y = vdk_block_spatio_temporal_res(n, blk, h, NULL, &ra);
            vdk_net_drop(n, h);
            h = y;
        }
        if (i < c->levels - 1) {
            snprintf(blk, sizeof blk, "decoder.up_blocks.%d.upsamplers.0", i);
            vdk_tensor *u = vdk_block_upsample(n, blk, h);
            vdk_net_drop(n, h);
            h = u;
        }
    }
    vdk_tensor *g = vdk_nn_group_norm(n, "decoder.conv_norm_out", h, c->norm_num_groups,
                                      c->norm_out_eps, VDK_NORM_PER_FRAME, VDK_ACT_SILU);
    vdk_net_drop(n, h);
    vdk_tensor *rgb = vdk_block_conv3x3(n, "decoder.conv_out", g, NULL);
    vdk_net_drop(n, g);
    /* time_conv_out: a (k,1,1) conv over the chunk's frames, "same" padded. */
    const vdk_tensor *tw = vdk_net_weight(n, "decoder.time_conv_out", "weight", true);
    if (tw) {
        static const int one[3] = {1, 1, 1};
        const int pad[3] = {(int)(vdk_tensor_dim(tw, 1) / 2), 0, 0};
        vdk_nn_conv_into(n, "decoder.time_conv_out", rgb, one, pad, VDK_ACT_NONE, NULL, out);
    }
    vdk_net_drop(n, rgb);
}

static bool check_inputs(vdk_net *n, const vdk_svd_decoder_config *c, const vdk_tensor *z,
                         int chunk_frames, const vdk_tensor *out)
{
    if (!z || !out) {
        vdk_net_fail(n, VDK_ERROR_NULL_POINTER,
                     "vdk_svd_decoder_forward: z and out must not be NULL");
        return false;
    }
    if (vdk_tensor_rank(z) != 5 || vdk_tensor_dim(z, 4) != c->latent_channels) {
        vdk_net_fail(n, VDK_ERROR_SHAPE, "vdk_svd_decoder_forward: z must be [N, T, h, w, %d]",
                     c->latent_channels);
        return false;
    }
    if (chunk_frames < 0) {
        vdk_net_fail(n, VDK_ERROR_INVALID_VALUE,
                     "vdk_svd_decoder_forward: chunk_frames %d is negative", chunk_frames);
        return false;
    }
    const int64_t up = (int64_t)1 << (c->levels - 1);
    const int64_t want[5] = {vdk_tensor_dim(z, 0), vdk_tensor_dim(z, 1), up * vdk_tensor_dim(z, 2),
                             up * vdk_tensor_dim(z, 3), c->out_channels};
    for (int i = 0; i < 5; i++)
        if (vdk_tensor_rank(out) != 5 || vdk_tensor_dim(out, i) != want[i]) {
            vdk_net_fail(n, VDK_ERROR_SHAPE,
                         "vdk_svd_decoder_forward: out must be [%lld, %lld, %lld, %lld, %lld]",
                         (long long)want[0], (long long)want[1], (long long)want[2],
                         (long long)want[3], (long long)want[4]);
            return false;
        }
    return true;
}

vdk_status vdk_svd_decoder_forward(vdk_context *ctx, const vdk_svd_decoder_config *c,
                                   const vdk_weights *w, const vdk_tensor *z, int chunk_frames,
                                   vdk_tensor *out, vdk_svd_stats *stats, char *msg,
                                   size_t msg_size)
{
    vdk_net net, *n = &net;
    vdk_net_init(n, ctx, w, z ? vdk_tensor_dtype(z) : VDK_F32);
    if (!ctx || !c || !w) {
        vdk_net_fail(n, VDK_ERROR_NULL_POINTER,
                     "vdk_svd_decoder_forward: ctx, config and weights must not be NULL");
        return vdk_net_finish(n, stats, msg, msg_size);
    }
    if (vdk_svd_decoder_config_check(c, n->error, sizeof n->error) != VDK_OK) {
        n->status = VDK_ERROR_INVALID_VALUE;
        return vdk_net_finish(n, stats, msg, msg_size);
    }
    if (!check_inputs(n, c, z, chunk_frames, out))
        return vdk_net_finish(n, stats, msg, msg_size);
    const int64_t frames = vdk_tensor_dim(z, 1);
    const int64_t chunk = chunk_frames == 0 || chunk_frames > frames ? frames : chunk_frames;
    /* Views of z and out on the frame axis: strided views every operator takes. */
    vdk_tensor *zc = NULL, *oc = NULL;
    for (int64_t t0 = 0; t0 < frames && n->status == VDK_OK; t0 += chunk) {
        const int64_t len = frames - t0 < chunk ? frames - t0 : chunk;
        if (vdk_net_check(n, vdk_tensor_slice((vdk_tensor *)z, 1, t0, len, &zc), "z chunk") &&
            vdk_net_check(n, vdk_tensor_slice(out, 1, t0, len, &oc), "out chunk"))
            decode(n, c, zc, oc);
        vdk_tensor_destroy(zc);
        vdk_tensor_destroy(oc);
        zc = oc = NULL;
    }
    return vdk_net_finish(n, stats, msg, msg_size);
}
