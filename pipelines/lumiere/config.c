/* Lumiere's presets and the checks that a configuration can be built. A and B
 * are PIPELINES.md §2.2's two reference configurations (the real sizes are
 * unknown; the two bound them); SSR is §2.4's super-resolution network. The
 * tiny one keeps every block type -- a plain
 * level with (2+1)D conv inflation, a transformer level with conv inflation, a
 * transformer level with temporal attention inflation (also the mid block's),
 * channel changes with 1x1 shortcuts, two spatial and two temporal resamplings,
 * a heads x head_dim inner width that differs from the channels, two temporal
 * attention layers -- at a size whose float64 forward is the golden; the tiny
 * SSR likewise keeps the SSR's (conv inflation at every level, no temporal
 * resampling, a cross-attention-only transformer at the coarsest level and in
 * the mid block, the 6-channel input, three overlapping windows). */
#include "lumiere/config.h"
#include "common/message.h"
#include "lumiere/windows.h"

#include <stdio.h>
#include <string.h>

vdk_status vdk_lumiere_preset_from_name(const char *name, vdk_lumiere_preset *out)
{
    static const struct {
        const char *name;
        vdk_lumiere_preset preset;
    } names[] = {{"lumiere-a", VDK_LUMIERE_PRESET_A},
                 {"lumiere-b", VDK_LUMIERE_PRESET_B},
                 {"tiny", VDK_LUMIERE_PRESET_TINY},
                 {"lumiere-ssr", VDK_LUMIERE_PRESET_SSR},
                 {"lumiere-ssr-tiny", VDK_LUMIERE_PRESET_SSR_TINY}};
    if (!name || !out)
        return VDK_ERROR_NULL_POINTER;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].preset;
            return VDK_OK;
        }
    return VDK_ERROR_INVALID_VALUE;
}

/* Levels 0 .. levels-2 use (2+1)D conv inflation and resample time on the way
 * down; the coarsest uses temporal attention [LUM]. */
static void paper_layout(vdk_lumiere_config *c)
{
    for (int l = 0; l < VDK_LUMIERE_MAX_LEVELS; l++) {
        c->temporal_block[l] =
            l == c->levels - 1 ? VDK_LUMIERE_TEMPORAL_ATTENTION : VDK_LUMIERE_TEMPORAL_CONV;
        c->temporal_resample[l] = l < c->levels - 1;
    }
}

/* The SSR ([REF] §2.4): a (2+1)D conv inflation after every resblock, mid
 * block included, and neither temporal resampling nor temporal attention. */
static void ssr_layout(vdk_lumiere_config *c)
{
    for (int l = 0; l < VDK_LUMIERE_MAX_LEVELS; l++) {
        c->temporal_block[l] = VDK_LUMIERE_TEMPORAL_CONV;
        c->temporal_resample[l] = 0;
    }
}

/* Levels, widths, resblocks and transformer levels of a preset. */
static void set_levels(vdk_lumiere_config *c, int levels, const int *ch, const int *res,
                       const int *attn, const int *cross_only)
{
    memset(c->block_out_channels, 0, sizeof c->block_out_channels);
    memset(c->num_res_blocks, 0, sizeof c->num_res_blocks);
    memset(c->attention, 0, sizeof c->attention);
    memset(c->cross_attention_only, 0, sizeof c->cross_attention_only);
    c->levels = levels;
    for (int l = 0; l < levels; l++) {
        c->block_out_channels[l] = ch[l];
        c->num_res_blocks[l] = res[l];
        c->attention[l] = attn[l];
        c->cross_attention_only[l] = cross_only ? cross_only[l] : 0;
    }
}

vdk_status vdk_lumiere_config_preset(vdk_lumiere_preset preset, vdk_lumiere_config *out)
{
    if (!out)
        return VDK_ERROR_NULL_POINTER;
    vdk_lumiere_config c = {
        .in_channels = 3,
        .out_channels = 3,
        .levels = 4,
        .block_out_channels = {512, 1024, 1536, 2048},
        .num_res_blocks = {3, 3, 3, 3},
        .attention = {0, 1, 1, 1},
        .spatial_factor = 2,
        .temporal_factor = 2,
        .spatial_kernel_size = 3,
        .temporal_kernel_size = 3,
        .norm_num_groups = 32,
        .attention_heads = 8,
        .attention_head_dim = 64,
        .ff_mult = 2,
        .cross_attention_dim = 4096,
        .text_length = 128,
        .temporal_attention_heads = 8,
        .temporal_attention_head_dim = 64,
        .temporal_attention_depth = 1,
        .time_sinusoid_dim = 512,
        .time_embed_dim = 2048,
        .time_flip_sin_to_cos = 1,
        .time_freq_shift = 0.0f,
        .time_max_period = 10000.0f,
        .resnet_eps = 1e-5f,
        .norm_out_eps = 1e-5f,
        .layer_norm_eps = 1e-5f,
        .rms_norm_eps = 1e-6f,
        .num_frames = 80,
        .height = 128,
        .width = 128,
        .lowres_channels = 0,
        .lowres_factor = 1,
        .lowres_resize = VDK_LUMIERE_RESIZE_NEAREST,
        .window_frames = 0,
        .window_overlap = 0,
        .num_windows = 0,
    };
    int ssr = 0;
    switch (preset) {
    case VDK_LUMIERE_PRESET_A: break;
    case VDK_LUMIERE_PRESET_B: {
        /* Five levels 128 .. 8 px, 80 .. 5 frames, attention at 32, 16 and 8 px. */
        static const int ch[] = {256, 512, 1024, 1536, 2048};
        static const int res[] = {3, 3, 3, 3, 3};
        static const int attn[] = {0, 0, 1, 1, 1};
        set_levels(&c, 5, ch, res, attn, NULL);
        c.time_sinusoid_dim = 256;
        break;
    }
    case VDK_LUMIERE_PRESET_TINY:
    case VDK_LUMIERE_PRESET_SSR_TINY: {
        static const int ch[] = {8, 16, 24};
        static const int res[] = {1, 2, 1};
        static const int attn[] = {0, 1, 1};
        static const int ssr_attn[] = {0, 0, 1};
        ssr = preset == VDK_LUMIERE_PRESET_SSR_TINY;
        set_levels(&c, 3, ch, res, ssr ? ssr_attn : attn, ssr ? ssr_attn : NULL);
        c.norm_num_groups = 4;
        c.attention_heads = 2;
        c.attention_head_dim = 4;
        c.cross_attention_dim = 12;
        c.text_length = 5;
        c.temporal_attention_heads = 2;
        c.temporal_attention_head_dim = 4;
        c.temporal_attention_depth = 2;
        c.time_sinusoid_dim = 8;
        c.time_embed_dim = 32;
        /* Not square, so that a swap of H and W shows; 3 x 2 pixels and 2 frames
         * at the coarsest level. */
        c.num_frames = 8;
        c.height = 12;
        c.width = 8;
        if (ssr) {
            /* 8 frames in windows of 4 overlapping by 2: starts 0, 2, 4, so
             * frames 2-5 are averaged over two windows; a 6x4 base video. */
            c.in_channels = 6;
            c.lowres_channels = 3;
            c.lowres_factor = 2;
            c.window_frames = 4;
            c.window_overlap = 2;
        }
        break;
    }
    case VDK_LUMIERE_PRESET_SSR: {
        /* [REF] §2.4 after [IP] SRUnet1024: dim 128, mults (1, 2, 4, 8), res
         * blocks (2, 4, 8, 8), no self-attention, text cross-attention at the
         * 128^2 level only. What §2.4 leaves open follows the base presets:
         * GroupNorm 32, 8 x 64 heads, FF 2C, T5-XXL text, time embedding
         * sinusoid(C0) -> 2048 (the calculator's temb_dim, as for A and B). */
        static const int ch[] = {128, 256, 512, 1024};
        static const int res[] = {2, 4, 8, 8};
        static const int attn[] = {0, 0, 0, 1};
        set_levels(&c, 4, ch, res, attn, attn);
        c.time_sinusoid_dim = 128;
        c.in_channels = 6;
        c.height = 1024;
        c.width = 1024;
        c.lowres_channels = 3;
        c.lowres_factor = 8;
        c.window_frames = 15;
        c.window_overlap = 2;
        ssr = 1;
        break;
    }
    default: return VDK_ERROR_INVALID_VALUE;
    }
    if (ssr)
        ssr_layout(&c);
    else
        paper_layout(&c);
    *out = c;
    return VDK_OK;
}

void vdk_lumiere_level_size(const vdk_lumiere_config *c, int level, int t, int h, int w, int *t_out,
                            int *h_out, int *w_out)
{
    for (int l = 0; l < level; l++) {
        h /= c->spatial_factor;
        w /= c->spatial_factor;
        if (c->temporal_resample[l])
            t /= c->temporal_factor;
    }
    if (t_out)
        *t_out = t;
    if (h_out)
        *h_out = h;
    if (w_out)
        *w_out = w;
}

static int odd_positive(int k) { return k >= 1 && k % 2 == 1; }

/* n is a positive multiple of f^times. */
static int divides(int n, int f, int times)
{
    if (n < 1)
        return 0;
    for (int i = 0; i < times; i++) {
        if (n % f)
            return 0;
        n /= f;
    }
    return 1;
}

vdk_status vdk_lumiere_config_check(const vdk_lumiere_config *c, char *msg, size_t msg_size)
{
    if (!c)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size, "the configuration is NULL");
    const int L = c->levels;
    if (L < 1 || L > VDK_LUMIERE_MAX_LEVELS)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size, "levels %d is outside [1, %d]",
                             L, VDK_LUMIERE_MAX_LEVELS);
    if (c->in_channels < 1 || c->out_channels < 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "in_channels %d / out_channels %d must be positive", c->in_channels,
                             c->out_channels);
    if (c->norm_num_groups < 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "norm_num_groups %d is not positive", c->norm_num_groups);
    int any_attention = 0, any_temporal_attention = 0, resamples = 0;
    for (int l = 0; l < L; l++) {
        /* Every GroupNorm input (a level's channels, or a sum of them at an up
         * concatenation) is then a multiple of the groups too. */
        if (c->block_out_channels[l] < 1 || c->block_out_channels[l] % c->norm_num_groups)
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "block_out_channels[%d] = %d is not a positive multiple of "
                                 "norm_num_groups %d",
                                 l, c->block_out_channels[l], c->norm_num_groups);
        if (c->num_res_blocks[l] < 1 || c->num_res_blocks[l] > VDK_LUMIERE_MAX_RES_BLOCKS)
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "num_res_blocks[%d] = %d is outside [1, %d]", l,
                                 c->num_res_blocks[l], VDK_LUMIERE_MAX_RES_BLOCKS);
        if (c->attention[l] != 0 && c->attention[l] != 1)
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "attention[%d] = %d is not 0 or 1", l, c->attention[l]);
        if (c->cross_attention_only[l] != 0 && c->cross_attention_only[l] != c->attention[l])
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "cross_attention_only[%d] = %d needs attention[%d] = 1 (it is "
                                 "%d) and is 0 or 1",
                                 l, c->cross_attention_only[l], l, c->attention[l]);
        if ((int)c->temporal_block[l] < 0 || c->temporal_block[l] >= VDK_LUMIERE_TEMPORAL_COUNT)
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "temporal_block[%d] = %d is not a vdk_lumiere_temporal", l,
                                 (int)c->temporal_block[l]);
        if (c->temporal_resample[l] != 0 && c->temporal_resample[l] != 1)
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "temporal_resample[%d] = %d is not 0 or 1", l,
                                 c->temporal_resample[l]);
        any_attention |= c->attention[l];
        any_temporal_attention |= c->temporal_block[l] == VDK_LUMIERE_TEMPORAL_ATTENTION;
        resamples += c->temporal_resample[l];
    }
    if (c->temporal_resample[L - 1])
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "temporal_resample[%d] = 1: the coarsest level has no level below to "
                             "resample to",
                             L - 1);
    if (!odd_positive(c->spatial_kernel_size) || !odd_positive(c->temporal_kernel_size))
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "spatial_kernel_size %d and temporal_kernel_size %d must be odd "
                             "(padding k/2 keeps the size)",
                             c->spatial_kernel_size, c->temporal_kernel_size);
    /* A stride past the kernel would skip inputs; k = 3, padding 1 and stride f
     * give ceil(n / f), so f must divide the sizes for the up path to match. */
    if (c->spatial_factor < 2 || c->spatial_factor > c->spatial_kernel_size ||
        c->temporal_factor < 2 || c->temporal_factor > c->temporal_kernel_size)
        return vdk_pipe_fail(
            VDK_ERROR_INVALID_VALUE, msg, msg_size,
            "spatial_factor %d and temporal_factor %d must be in [2, their kernel size]",
            c->spatial_factor, c->temporal_factor);
    if (any_attention) {
        if (c->attention_heads < 1 || c->attention_head_dim < 1)
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "attention_heads %d and attention_head_dim %d must be >= 1",
                                 c->attention_heads, c->attention_head_dim);
        if (c->ff_mult < 1)
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size, "ff_mult %d must be >= 1",
                                 c->ff_mult);
        if (c->cross_attention_dim < 1 || c->text_length < 1)
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "cross_attention_dim %d and text_length %d must be >= 1",
                                 c->cross_attention_dim, c->text_length);
    }
    if (any_temporal_attention &&
        (c->temporal_attention_heads < 1 || c->temporal_attention_head_dim < 1 ||
         c->temporal_attention_depth < 1))
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "temporal_attention_heads %d, temporal_attention_head_dim %d and "
                             "temporal_attention_depth %d must be >= 1",
                             c->temporal_attention_heads, c->temporal_attention_head_dim,
                             c->temporal_attention_depth);
    if (c->time_sinusoid_dim < 2 || c->time_sinusoid_dim % 2 || c->time_embed_dim < 1)
        return vdk_pipe_fail(
            VDK_ERROR_INVALID_VALUE, msg, msg_size,
            "time_sinusoid_dim %d (even, >= 2) and time_embed_dim %d must be positive",
            c->time_sinusoid_dim, c->time_embed_dim);
    if (c->time_flip_sin_to_cos != 0 && c->time_flip_sin_to_cos != 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "time_flip_sin_to_cos %d is not 0 or 1", c->time_flip_sin_to_cos);
    if (!(c->time_max_period > 0) || (float)(c->time_sinusoid_dim / 2) == c->time_freq_shift)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "time_max_period %g must be > 0 and time_freq_shift %g must not be "
                             "time_sinusoid_dim / 2",
                             (double)c->time_max_period, (double)c->time_freq_shift);
    const float eps[] = {c->resnet_eps, c->norm_out_eps, c->layer_norm_eps, c->rms_norm_eps};
    static const char *const eps_name[] = {"resnet_eps", "norm_out_eps", "layer_norm_eps",
                                           "rms_norm_eps"};
    for (size_t i = 0; i < sizeof eps / sizeof eps[0]; i++)
        if (!(eps[i] > 0))
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size, "%s %g must be > 0",
                                 eps_name[i], (double)eps[i]);
    if (c->lowres_channels < 0 || c->lowres_channels >= c->in_channels || c->lowres_factor < 1 ||
        (int)c->lowres_resize < 0 || c->lowres_resize >= VDK_LUMIERE_RESIZE_COUNT)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "lowres_channels %d must be in [0, in_channels %d), lowres_factor %d "
                             ">= 1 and lowres_resize %d a vdk_lumiere_resize",
                             c->lowres_channels, c->in_channels, c->lowres_factor,
                             (int)c->lowres_resize);
    if (c->window_frames < 0)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "window_frames %d must be >= 0 (0: not windowed)", c->window_frames);
    if (c->window_frames > 0) {
        vdk_lumiere_windows plan;
        const vdk_status st =
            vdk_lumiere_windows_plan(c->num_frames, c->window_frames, c->window_overlap,
                                     c->num_windows, &plan, msg, msg_size);
        if (st != VDK_OK)
            return st;
        /* Each window is a pass of its own: it must divide as a clip does. */
        if (!divides(c->window_frames, c->temporal_factor, resamples))
            return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                                 "window_frames %d is not a positive multiple of temporal_factor "
                                 "%d to the power %d (the temporal resamplings)",
                                 c->window_frames, c->temporal_factor, resamples);
    }
    /* A windowed configuration's passes see window_frames frames, checked above. */
    if (c->window_frames == 0 && !divides(c->num_frames, c->temporal_factor, resamples))
        return vdk_pipe_fail(
            VDK_ERROR_INVALID_VALUE, msg, msg_size,
            "num_frames %d is not a positive multiple of temporal_factor %d to the "
            "power %d (the temporal resamplings)",
            c->num_frames, c->temporal_factor, resamples);
    if (!divides(c->height, c->spatial_factor, L - 1) ||
        !divides(c->width, c->spatial_factor, L - 1))
        return vdk_pipe_fail(
            VDK_ERROR_INVALID_VALUE, msg, msg_size,
            "height %d and width %d must be positive multiples of spatial_factor %d to "
            "the power %d (levels - 1)",
            c->height, c->width, c->spatial_factor, L - 1);
    return VDK_OK;
}
