/* UNetSpatioTemporalConditionModel.forward as vdk calls, in the order of the
 * parameter walk (svd/params.c), which names the same modules. */
#include "svd/unet.h"

#include "common/blocks.h"

#include <stdio.h>
#include <string.h>

typedef char name_t[VDK_PARAM_NAME_MAX];

/* SiLU(emb) per frame, [N, T, 1, 1, temb]: what every resblock's time_emb_proj
 * takes (diffusers repeats emb over frames, then each block applies SiLU). */
static vdk_tensor *time_embedding(vdk_net *n, const vdk_svd_unet_config *c,
                                  const vdk_svd_unet_inputs *in, int64_t batch, int64_t frames)
{
    vdk_tensor *s = vdk_nn_sinusoid(n, in->timestep, batch, c->block_out_channels[0]);
    vdk_tensor *emb = vdk_block_timestep_mlp(n, "time_embedding", s, NULL);
    vdk_net_drop(n, s);
    /* add_embedding of the added time ids' sinusoids, side by side per item. */
    const int k = c->num_addition_time_ids, d = c->addition_time_embed_dim;
    vdk_tensor *ids = vdk_nn_sinusoid(n, in->added_time_ids, batch * k, d);
    const int64_t flat[2] = {batch, (int64_t)k * d};
    vdk_tensor *ids_flat = vdk_net_view(n, ids, 2, flat);
    vdk_tensor *sum = vdk_block_timestep_mlp(n, "add_embedding", ids_flat, emb);
    vdk_tensor_destroy(ids_flat);
    vdk_net_drop(n, ids);
    vdk_net_drop(n, emb);
    const int64_t one_frame[5] = {batch, 1, 1, 1, c->time_embed_mult * c->block_out_channels[0]};
    vdk_tensor *sum5 = vdk_net_view(n, sum, 5, one_frame);
    vdk_tensor *per_frame = vdk_nn_upsample(n, sum5, (int)frames, 1, 1);
    vdk_tensor_destroy(sum5);
    vdk_net_drop(n, sum);
    vdk_nn_silu(n, per_frame);
    return per_frame;
}

static bool check_inputs(vdk_net *n, const vdk_svd_unet_config *c, const vdk_svd_unet_inputs *in,
                         const vdk_tensor *out)
{
    if (!in->sample || !in->timestep || !in->encoder_hidden_states || !in->added_time_ids || !out) {
        vdk_net_fail(n, VDK_ERROR_NULL_POINTER,
                     "vdk_svd_unet_forward: sample, timestep, encoder_hidden_states, "
                     "added_time_ids and out must not be NULL");
        return false;
    }
    const vdk_tensor *x = in->sample;
    const int64_t align = (int64_t)1 << (c->levels - 1);
    if (vdk_tensor_rank(x) != 5 || vdk_tensor_dim(x, 4) != c->in_channels) {
        vdk_net_fail(n, VDK_ERROR_SHAPE,
                     "vdk_svd_unet_forward: sample must be [N, T, H, W, %d] (rank %d, last %lld)",
                     c->in_channels, vdk_tensor_rank(x), (long long)vdk_tensor_dim(x, -1));
        return false;
    }
    if (vdk_tensor_dim(x, 2) % align || vdk_tensor_dim(x, 3) % align) {
        vdk_net_fail(n, VDK_ERROR_SHAPE,
                     "vdk_svd_unet_forward: sample's H x W %lld x %lld must be multiples of %lld "
                     "(%d levels)",
                     (long long)vdk_tensor_dim(x, 2), (long long)vdk_tensor_dim(x, 3),
                     (long long)align, c->levels);
        return false;
    }
    const vdk_tensor *e = in->encoder_hidden_states;
    if (vdk_tensor_rank(e) != 3 || vdk_tensor_dim(e, 0) != vdk_tensor_dim(x, 0) ||
        vdk_tensor_dim(e, 2) != c->cross_attention_dim) {
        vdk_net_fail(n, VDK_ERROR_SHAPE,
                     "vdk_svd_unet_forward: encoder_hidden_states must be [%lld, L, %d]",
                     (long long)vdk_tensor_dim(x, 0), c->cross_attention_dim);
        return false;
    }
    return true;
}

vdk_status vdk_svd_unet_forward(vdk_context *ctx, const vdk_svd_unet_config *c,
                                const vdk_weights *w, const vdk_svd_unet_inputs *in,
                                vdk_tensor *out, vdk_svd_stats *stats, char *msg, size_t msg_size)
{
    vdk_net net, *n = &net;
    vdk_net_init(n, ctx, w, in && in->sample ? vdk_tensor_dtype(in->sample) : VDK_F32);
    if (!ctx || !c || !w || !in) {
        vdk_net_fail(n, VDK_ERROR_NULL_POINTER,
                     "vdk_svd_unet_forward: ctx, config, weights and inputs must not be NULL");
        return vdk_net_finish(n, stats, msg, msg_size);
    }
    if (vdk_svd_unet_config_check(c, n->error, sizeof n->error) != VDK_OK) {
        n->status = VDK_ERROR_INVALID_VALUE;
        return vdk_net_finish(n, stats, msg, msg_size);
    }
    if (!check_inputs(n, c, in, out))
        return vdk_net_finish(n, stats, msg, msg_size);

    const int L = c->levels, groups = c->norm_num_groups;
    const int64_t batch = vdk_tensor_dim(in->sample, 0), frames = vdk_tensor_dim(in->sample, 1);
    const vdk_tensor *context = in->encoder_hidden_states;
    vdk_tensor *temb = time_embedding(n, c, in, batch, frames);
    vdk_transformer_args ta = {.layers = c->transformer_layers_per_block,
                               .groups = groups,
                               .norm_eps = c->transformer_norm_eps,
                               .layer_norm_eps = c->layer_norm_eps,
                               .diffusers_context_order =
                                   c->temporal_context_order == VDK_SVD_CONTEXT_DIFFUSERS};
    name_t blk;
    vdk_net_skips s = {.count = 0};

    vdk_tensor *h = vdk_block_conv3x3(n, "conv_in", in->sample, NULL);
    vdk_net_push_skip(n, &s, h);
    for (int i = 0; i < L; i++) {
        const float eps = c->cross_attention[i] ? c->resnet_eps_down_cross : c->resnet_eps_down;
        const vdk_resblock_args ra = {.groups = groups, .eps = eps, .temporal_eps = eps};
        ta.heads = c->num_attention_heads[i];
        for (int j = 0; j < c->layers_per_block; j++) {
            snprintf(blk, sizeof blk, "down_blocks.%d.resnets.%d", i, j);
            vdk_tensor *r = vdk_block_spatio_temporal_res(n, blk, h, temb, &ra);
            if (c->cross_attention[i]) {
                snprintf(blk, sizeof blk, "down_blocks.%d.attentions.%d", i, j);
                h = vdk_block_transformer_spatio_temporal(n, blk, r, context, &ta);
                vdk_net_drop(n, r);
            } else {
                h = r;
            }
            vdk_net_push_skip(n, &s, h);
        }
        if (i < L - 1) {
            snprintf(blk, sizeof blk, "down_blocks.%d.downsamplers.0", i);
            h = vdk_block_downsample(n, blk, h);
            vdk_net_push_skip(n, &s, h);
        }
    }

    const vdk_resblock_args mid = {
        .groups = groups, .eps = c->resnet_eps_mid, .temporal_eps = c->resnet_eps_mid};
    ta.heads = c->num_attention_heads[L - 1];
    vdk_tensor *r = vdk_block_spatio_temporal_res(n, "mid_block.resnets.0", h, temb, &mid);
    vdk_tensor *a =
        vdk_block_transformer_spatio_temporal(n, "mid_block.attentions.0", r, context, &ta);
    vdk_net_drop(n, r);
    h = vdk_block_spatio_temporal_res(n, "mid_block.resnets.1", a, temb, &mid);
    vdk_net_drop(n, a);

    const vdk_resblock_args up = {
        .groups = groups, .eps = c->resnet_eps_up, .temporal_eps = c->resnet_eps_up};
    for (int i = 0; i < L && n->status == VDK_OK; i++) {
        const int level = L - 1 - i;
        ta.heads = c->num_attention_heads[level];
        for (int j = 0; j < c->layers_per_block + 1 && n->status == VDK_OK; j++) {
            vdk_tensor *cat = vdk_net_concat_skip(n, &s, h);
            snprintf(blk, sizeof blk, "up_blocks.%d.resnets.%d", i, j);
            h = vdk_block_spatio_temporal_res(n, blk, cat, temb, &up);
            vdk_net_drop(n, cat);
            if (c->cross_attention[level]) {
                snprintf(blk, sizeof blk, "up_blocks.%d.attentions.%d", i, j);
                vdk_tensor *t = vdk_block_transformer_spatio_temporal(n, blk, h, context, &ta);
                vdk_net_drop(n, h);
                h = t;
            }
        }
        if (i < L - 1) {
            snprintf(blk, sizeof blk, "up_blocks.%d.upsamplers.0", i);
            vdk_tensor *u = vdk_block_upsample(n, blk, h);
            vdk_net_drop(n, h);
            h = u;
        }
    }
    /* After a failure the stack may still hold skips. */
    vdk_net_drop_skips(n, &s);

    vdk_tensor *g = vdk_nn_group_norm(n, "conv_norm_out", h, groups, c->norm_out_eps,
                                      VDK_NORM_PER_FRAME, VDK_ACT_SILU);
    vdk_net_drop(n, h);
    static const int one[3] = {1, 1, 1}, pad[3] = {0, 1, 1};
    vdk_nn_conv_into(n, "conv_out", g, one, pad, VDK_ACT_NONE, NULL, out);
    vdk_net_drop(n, g);
    vdk_net_drop(n, temb);
    return vdk_net_finish(n, stats, msg, msg_size);
}
