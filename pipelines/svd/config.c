/* SVD's presets and the checks that a configuration can be built. The full
 * values are diffusers' defaults (PIPELINES.md §1.1, §1.9); the tiny ones keep
 * every block type and every channel rule (multiples of 32 for GroupNorm, a
 * channel change at every level, the cross-attention levels and the plain one)
 * at a size a test runs in milliseconds, and are what diffusers would build from
 * the same numbers, for the equivalence check of issue 6. */
#include "svd/config.h"
#include "common/message.h"

#include <stdio.h>
#include <string.h>

vdk_status vdk_svd_preset_from_name(const char *name, vdk_svd_preset *out)
{
    static const struct {
        const char *name;
        vdk_svd_preset preset;
    } names[] = {{"svd", VDK_SVD_PRESET_SVD},
                 {"svd-xt", VDK_SVD_PRESET_SVD_XT},
                 {"tiny", VDK_SVD_PRESET_TINY}};
    if (!name || !out)
        return VDK_ERROR_NULL_POINTER;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].preset;
            return VDK_OK;
        }
    return VDK_ERROR_INVALID_VALUE;
}

vdk_status vdk_svd_unet_config_preset(vdk_svd_preset preset, vdk_svd_unet_config *out)
{
    if (!out)
        return VDK_ERROR_NULL_POINTER;
    vdk_svd_unet_config c = {
        .in_channels = 8,
        .out_channels = 4,
        .levels = 4,
        .block_out_channels = {320, 640, 1280, 1280},
        .num_attention_heads = {5, 10, 20, 20},
        .cross_attention = {1, 1, 1, 0},
        .layers_per_block = 2,
        .transformer_layers_per_block = 1,
        .cross_attention_dim = 1024,
        .addition_time_embed_dim = 256,
        .num_addition_time_ids = 3,
        .projection_class_embeddings_input_dim = 768,
        .time_embed_mult = 4,
        .time_pos_embed_mult = 4,
        .ff_mult = 4,
        .temporal_kernel_size = 3,
        .norm_num_groups = 32,
        .resnet_eps_down_cross = 1e-6f,
        .resnet_eps_down = 1e-5f,
        .resnet_eps_mid = 1e-5f,
        .resnet_eps_up = 1e-6f,
        .transformer_norm_eps = 1e-6f,
        .layer_norm_eps = 1e-5f,
        .norm_out_eps = 1e-5f,
        .num_frames = 25,
    };
    switch (preset) {
    case VDK_SVD_PRESET_SVD: c.num_frames = 14; break;
    case VDK_SVD_PRESET_SVD_XT: break;
    case VDK_SVD_PRESET_TINY:
        /* Two levels: a cross-attention level at 32 channels (1 head of 32) and a
         * plain one at 64 (its heads serve the mid block's transformer). */
        c.levels = 2;
        memset(c.block_out_channels, 0, sizeof c.block_out_channels);
        memset(c.num_attention_heads, 0, sizeof c.num_attention_heads);
        memset(c.cross_attention, 0, sizeof c.cross_attention);
        c.block_out_channels[0] = 32;
        c.block_out_channels[1] = 64;
        c.num_attention_heads[0] = 1;
        c.num_attention_heads[1] = 2;
        c.cross_attention[0] = 1;
        c.cross_attention_dim = 32;
        c.addition_time_embed_dim = 8;
        c.projection_class_embeddings_input_dim = 3 * 8;
        c.num_frames = 3;
        break;
    default: return VDK_ERROR_INVALID_VALUE;
    }
    *out = c;
    return VDK_OK;
}

vdk_status vdk_svd_decoder_config_preset(vdk_svd_preset preset, vdk_svd_decoder_config *out)
{
    if (!out)
        return VDK_ERROR_NULL_POINTER;
    vdk_svd_decoder_config c = {
        .latent_channels = 4,
        .out_channels = 3,
        .levels = 4,
        .block_out_channels = {128, 256, 512, 512},
        .layers_per_block = 2,
        .attention_head_dim = 512,
        .temporal_kernel_size = 3,
        .norm_num_groups = 32,
        .resnet_eps = 1e-6f,
        .temporal_eps = 1e-5f,
        .attention_eps = 1e-6f,
        .norm_out_eps = 1e-6f,
        .scaling_factor = 0.18215f,
        .switch_spatial_to_temporal_mix = 1,
    };
    switch (preset) {
    case VDK_SVD_PRESET_SVD:
    case VDK_SVD_PRESET_SVD_XT: break;
    case VDK_SVD_PRESET_TINY:
        c.levels = 2;
        memset(c.block_out_channels, 0, sizeof c.block_out_channels);
        c.block_out_channels[0] = 32;
        c.block_out_channels[1] = 64;
        c.attention_head_dim = 64;
        break;
    default: return VDK_ERROR_INVALID_VALUE;
    }
    *out = c;
    return VDK_OK;
}

/* A channel count a GroupNorm of `groups` groups takes. */
static int grouped(int channels, int groups) { return channels >= 1 && channels % groups == 0; }

vdk_status vdk_svd_unet_config_check(const vdk_svd_unet_config *c, char *msg, size_t msg_size)
{
    if (!c)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size, "the configuration is NULL");
    if (c->levels < 1 || c->levels > VDK_SVD_MAX_LEVELS)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size, "levels %d is outside [1, %d]",
                             c->levels, VDK_SVD_MAX_LEVELS);
    if (c->norm_num_groups < 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "norm_num_groups %d is not positive", c->norm_num_groups);
    if (c->in_channels < 1 || c->out_channels < 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "in_channels %d / out_channels %d must be positive", c->in_channels,
                             c->out_channels);
    if (c->temporal_context_order != VDK_SVD_CONTEXT_PER_CLIP &&
        c->temporal_context_order != VDK_SVD_CONTEXT_DIFFUSERS)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "temporal_context_order %d is not a vdk_svd_context_order",
                             (int)c->temporal_context_order);
    for (int i = 0; i < c->levels; i++) {
        int ch = c->block_out_channels[i], heads = c->num_attention_heads[i];
        if (!grouped(ch, c->norm_num_groups))
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "block_out_channels[%d] = %d is not a positive multiple of "
                                 "norm_num_groups %d",
                                 i, ch, c->norm_num_groups);
        /* The mid block's transformer takes the last level's heads even when that
         * level has no attention of its own, so every level's heads are checked. */
        if (heads < 1 || ch % heads != 0)
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "num_attention_heads[%d] = %d does not divide %d channels", i,
                                 heads, ch);
        if (c->cross_attention[i] != 0 && c->cross_attention[i] != 1)
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "cross_attention[%d] = %d is not 0 or 1", i,
                                 c->cross_attention[i]);
    }
    if (c->layers_per_block < 1 || c->transformer_layers_per_block < 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "layers_per_block %d and transformer_layers_per_block %d must be >= 1",
                             c->layers_per_block, c->transformer_layers_per_block);
    if (c->cross_attention_dim < 1 || c->addition_time_embed_dim < 2 ||
        c->addition_time_embed_dim % 2 || c->num_addition_time_ids < 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "cross_attention_dim %d, addition_time_embed_dim %d (even) and "
                             "num_addition_time_ids %d must be positive",
                             c->cross_attention_dim, c->addition_time_embed_dim,
                             c->num_addition_time_ids);
    if (c->projection_class_embeddings_input_dim !=
        c->num_addition_time_ids * c->addition_time_embed_dim)
        return vdk_pipe_fail(
            VDK_ERROR_INVALID_VALUE, msg, msg_size,
            "projection_class_embeddings_input_dim %d is not num_addition_time_ids %d "
            "x addition_time_embed_dim %d (the concatenated sinusoids)",
            c->projection_class_embeddings_input_dim, c->num_addition_time_ids,
            c->addition_time_embed_dim);
    if (c->time_embed_mult < 1 || c->time_pos_embed_mult < 1 || c->ff_mult < 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "time_embed_mult, time_pos_embed_mult, ff_mult must be >= 1");
    if (c->block_out_channels[0] % 2)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "block_out_channels[0] %d must be even (its sinusoid "
                             "embedding is half cos, half sin)",
                             c->block_out_channels[0]);
    if (c->temporal_kernel_size < 1 || c->temporal_kernel_size % 2 == 0)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "temporal_kernel_size %d must be odd (padding k/2 keeps T)",
                             c->temporal_kernel_size);
    const float eps[] = {c->resnet_eps_down_cross, c->resnet_eps_down,      c->resnet_eps_mid,
                         c->resnet_eps_up,         c->transformer_norm_eps, c->layer_norm_eps,
                         c->norm_out_eps};
    for (size_t i = 0; i < sizeof eps / sizeof eps[0]; i++)
        if (!(eps[i] > 0))
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "every eps must be > 0 (eps #%zu is %g)", i, (double)eps[i]);
    if (c->num_frames < 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "num_frames %d is not positive", c->num_frames);
    return VDK_OK;
}

vdk_status vdk_svd_decoder_config_check(const vdk_svd_decoder_config *c, char *msg, size_t msg_size)
{
    if (!c)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size, "the configuration is NULL");
    if (c->levels < 1 || c->levels > VDK_SVD_MAX_LEVELS)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size, "levels %d is outside [1, %d]",
                             c->levels, VDK_SVD_MAX_LEVELS);
    if (c->norm_num_groups < 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "norm_num_groups %d is not positive", c->norm_num_groups);
    if (c->latent_channels < 1 || c->out_channels < 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "latent_channels %d / out_channels %d must be positive",
                             c->latent_channels, c->out_channels);
    for (int i = 0; i < c->levels; i++)
        if (!grouped(c->block_out_channels[i], c->norm_num_groups))
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "block_out_channels[%d] = %d is not a positive multiple of "
                                 "norm_num_groups %d",
                                 i, c->block_out_channels[i], c->norm_num_groups);
    /* diffusers' MidBlockTemporalDecoder runs resnets[0], then pairs resnets[1:]
     * with its one attention: 1 layer never runs the attention, more than 2 leave
     * resblocks that never run. Only SVD's 2 makes every tensor count. */
    if (c->layers_per_block != 2)
        return vdk_pipe_fail(
            VDK_ERROR_INVALID_VALUE, msg, msg_size,
            "layers_per_block %d: only 2 gives a mid block whose every tensor is used",
            c->layers_per_block);
    int top = c->block_out_channels[c->levels - 1];
    if (c->attention_head_dim < 1 || top % c->attention_head_dim != 0)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "attention_head_dim %d does not divide the mid block's %d "
                             "channels",
                             c->attention_head_dim, top);
    if (c->temporal_kernel_size < 1 || c->temporal_kernel_size % 2 == 0)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "temporal_kernel_size %d must be odd (padding k/2 keeps T)",
                             c->temporal_kernel_size);
    if (!(c->resnet_eps > 0) || !(c->temporal_eps > 0) || !(c->attention_eps > 0) ||
        !(c->norm_out_eps > 0))
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size, "every eps must be > 0");
    if (!(c->scaling_factor > 0))
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "scaling_factor %g must be > 0", (double)c->scaling_factor);
    if (c->switch_spatial_to_temporal_mix != 0 && c->switch_spatial_to_temporal_mix != 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "switch_spatial_to_temporal_mix %d is not 0 or 1",
                             c->switch_spatial_to_temporal_mix);
    return VDK_OK;
}
