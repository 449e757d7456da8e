/* The configuration of Lumiere's base Space-Time U-Net (STUNet), as named
 * values. Lumiere has no public code or sizes: what the paper states and what
 * ../shared/PIPELINES.md §2.2 assumes are both fields here, each with its
 * source (docs/pipelines.md, "Lumiere", says how the forward pass uses them).
 * [LUM] = the paper (via PIPELINES.md §2.1), [REF] = PIPELINES.md §2.2 and its
 * calculator lumiere_flops.py, [LP] = lucidrains/lumiere-pytorch, [IP] =
 * lucidrains/imagen-pytorch, "chosen" = decided here, nothing says. */
#ifndef VDK_PIPELINES_LUMIERE_CONFIG_H
#define VDK_PIPELINES_LUMIERE_CONFIG_H

#include "vdk/vdk.h"

#include <stddef.h>

/* Resolution levels a configuration may have (LUM-REF-A has 4, LUM-REF-B 5). */
#define VDK_LUMIERE_MAX_LEVELS 8
/* Resblocks per down level at most (bounds the skip stack of the walk). */
#define VDK_LUMIERE_MAX_RES_BLOCKS 64

typedef enum vdk_lumiere_preset {
    VDK_LUMIERE_PRESET_A = 0, /* "lumiere-a": LUM-REF-A, 4 levels 512..2048 */
    VDK_LUMIERE_PRESET_B,     /* "lumiere-b": LUM-REF-B, 5 levels 256..2048 */
    VDK_LUMIERE_PRESET_TINY,  /* "tiny": a few channels, every block type, for tests */
    /* "lumiere-ssr": the spatial super-resolution network SSR-REF (PIPELINES.md
     * §2.4), 4 levels 128..1024 at 1024x1024, run in MultiDiffusion windows */
    VDK_LUMIERE_PRESET_SSR,
    VDK_LUMIERE_PRESET_SSR_TINY /* "lumiere-ssr-tiny": SSR's block types, for tests */
} vdk_lumiere_preset;

/* How the base model's video is brought to the SSR's size before it is
 * concatenated to the noisy input. */
typedef enum vdk_lumiere_resize {
    /* Nearest neighbour (vdk_upsample): [IP] resize_image_to's default
     * mode='nearest', with which imagen-pytorch conditions its SR U-Nets. The
     * paper does not say; bilinear would need an operator vdk lacks. */
    VDK_LUMIERE_RESIZE_NEAREST = 0,
    VDK_LUMIERE_RESIZE_COUNT
} vdk_lumiere_resize;

/* The temporal block that follows every resblock (+ spatial transformer) of a
 * level: [LUM] "temporal attention only at the coarsest resolution", factorized
 * space-time convolutions everywhere else. */
typedef enum vdk_lumiere_temporal {
    /* (2+1)D conv inflation block ([LP] ConvolutionInflationBlock) */
    VDK_LUMIERE_TEMPORAL_CONV = 0,
    /* temporal attention inflation block ([LP] AttentionInflationBlock) */
    VDK_LUMIERE_TEMPORAL_ATTENTION,
    VDK_LUMIERE_TEMPORAL_COUNT
} vdk_lumiere_temporal;

typedef struct vdk_lumiere_config {
    /* 3: pixel-space RGB video [LUM]; the conditional variants take 7 (noisy 3 +
     * masked conditioning video 3 + mask 1), [LUM] Sec. 4; the SSR 6 (noisy
     * frame 3 + up-sampled base frame 3, [REF] §2.4). */
    int in_channels;
    /* 3: the predicted noise of the RGB video. */
    int out_channels;
    /* Resolution levels (4: [REF] A). */
    int levels;
    /* 512, 1024, 1536, 2048 ([REF] A: [IP] BaseUnet64's widths). */
    int block_out_channels[VDK_LUMIERE_MAX_LEVELS];
    /* Resblocks per down level (3: [REF], [IP] num_resnet_blocks); an up level
     * has one more (the ADM/SD skip layout). */
    int num_res_blocks[VDK_LUMIERE_MAX_LEVELS];
    /* 1: a spatial transformer (self-attention, text cross-attention, GELU FF)
     * follows every resblock of the level (0, 1, 1, 1: [REF] A, [IP] layer_attns). */
    int attention[VDK_LUMIERE_MAX_LEVELS];
    /* 1: the level's spatial transformer has no self-attention: LayerNorm,
     * cross-attention to the text, LayerNorm, FF (norm1 and attn1 absent).
     * Needs attention[l] = 1. All 0 for the base presets; SSR-REF: 1 at its
     * coarsest level only ([REF] §2.4 "no self-attention; text cross-attention
     * only at the 128^2 level", the calculator's xattn_only). */
    int cross_attention_only[VDK_LUMIERE_MAX_LEVELS];
    /* The temporal block of the level (conv, conv, conv, attention: [LUM]).
     * The mid block uses the last level's. */
    vdk_lumiere_temporal temporal_block[VDK_LUMIERE_MAX_LEVELS];
    /* 1: the transition from level l to l+1 down-samples time too (a temporal
     * stride conv after the spatial one), and the way back up duplicates frames
     * after the spatial up-sampling. [LUM]: every spatial resize is followed by a
     * temporal one, so 1 for every l < levels - 1; entry levels - 1 must be 0. */
    int temporal_resample[VDK_LUMIERE_MAX_LEVELS];
    /* 2: stride of the spatial down convs and factor of the nearest up-sampling ([REF]). */
    int spatial_factor;
    /* 2: stride of the temporal down conv and frame duplication factor ([LUM]
     * item 6 and the 80/40/20/10 frames of [REF]). */
    int temporal_factor;
    /* 3: every 2-D conv but the 1x1 shortcuts ([REF], [IP]). */
    int spatial_kernel_size;
    /* 3: the inflation blocks' temporal conv and the temporal down/up convs ([REF], [LP]). */
    int temporal_kernel_size;
    /* 32: every GroupNorm ([REF] "GN32"; [IP] uses 8). */
    int norm_num_groups;
    /* The spatial transformer's heads x head_dim, its inner width whatever the
     * level's channels (8 x 64 = 512: [REF], [IP] attn_heads, attn_dim_head). */
    int attention_heads;
    int attention_head_dim;
    /* 2: the FF is C -> ff_mult*C, GELU, -> C, without biases ([REF], [IP] ff_mult). */
    int ff_mult;
    /* 4096: width of the text tokens the cross-attention's keys and values come
     * from (T5-XXL, Imagen's text encoder: [REF]). */
    int cross_attention_dim;
    /* 128: text tokens per clip ([REF]). Not architectural: sizes the timing run
     * and the golden's context, like num_frames. */
    int text_length;
    /* Temporal attention inflation: depth layers of [RMSNorm, attention over the
     * frames of each pixel, residual], then a C -> C projection (8 x 64, depth 1:
     * [LP] defaults, x-transformers' Attention). */
    int temporal_attention_heads;
    int temporal_attention_head_dim;
    int temporal_attention_depth;
    /* Time conditioning: sinusoid(time_sinusoid_dim) -> Linear -> SiLU -> Linear
     * to time_embed_dim, which every resblock turns into a scale and a shift (512
     * and 2048: [REF] A; B takes C0 = 256 and keeps 2048, as the calculator does). */
    int time_sinusoid_dim;
    int time_embed_dim;
    /* The sinusoid's layout, vdk_timestep_embedding's fields (chosen: diffusers'
     * Stable Diffusion convention, cos first, shift 0, period 10000). */
    int time_flip_sin_to_cos;
    float time_freq_shift;
    float time_max_period;
    /* 1e-5: the resblocks' GroupNorms (PyTorch's default, as [IP] builds them). */
    float resnet_eps;
    /* 1e-5: the GroupNorm before conv_out (chosen, the same). */
    float norm_out_eps;
    /* 1e-5: the spatial transformers' LayerNorms (PyTorch's default). */
    float layer_norm_eps;
    /* 1e-6: the inflation blocks' RMSNorms (chosen: [LP]'s x-transformers RMSNorm
     * has none, F.normalize clamps the norm at 1e-12; vdk_rms_norm takes eps > 0). */
    float rms_norm_eps;
    /* The default clip: 80 frames of 128x128 [LUM] (the SSR: 80 of 1024x1024,
     * [LUM]). Not architectural (any size the resampling divides runs on the
     * same weights): the timing shapes. */
    int num_frames;
    int height;
    int width;
    /* The SSR's conditioning: the last lowres_channels input channels are the
     * base model's video, resized by lowres_factor in H and W with
     * lowres_resize, after the noisy video's in_channels - lowres_channels
     * ([IP]'s SR U-Nets: torch.cat((x, lowres_cond_img), dim = 1)). 3, 8
     * (128 -> 1024, [LUM]), nearest for the SSR; 0, 1, nearest for the base
     * presets (no conditioning). */
    int lowres_channels;
    int lowres_factor;
    vdk_lumiere_resize lowres_resize;
    /* Temporal MultiDiffusion (lumiere/multidiffusion.h): the SSR sees windows
     * of window_frames frames, neighbours sharing window_overlap frames, and
     * the step's noise prediction is the per-frame mean over the windows that
     * cover a frame ([LUM] Sec. 3.2: "an overlap of 2 frames", "we average the
     * predictions of overlapping pixels"). window_frames 15 ([REF] §2.4
     * ASSUMED: 6 windows tile 80 frames exactly), window_overlap 2 ([LUM]).
     * num_windows: 0 takes the fewest that cover the clip (6 for 80 frames);
     * another count must cover it with no window wholly inside the others.
     * window_frames 0: not windowed (the base presets). */
    int window_frames;
    int window_overlap;
    int num_windows;
} vdk_lumiere_config;

/* The preset's configuration. VDK_ERROR_INVALID_VALUE for an unknown preset. */
vdk_status vdk_lumiere_config_preset(vdk_lumiere_preset preset, vdk_lumiere_config *out);
/* "lumiere-a", "lumiere-b", "tiny", "lumiere-ssr", "lumiere-ssr-tiny" to a
 * preset; VDK_ERROR_INVALID_VALUE otherwise. */
vdk_status vdk_lumiere_preset_from_name(const char *name, vdk_lumiere_preset *out);

/* VDK_OK when the configuration can be built; otherwise VDK_ERROR_INVALID_VALUE
 * and, when msg is not NULL, what is wrong in msg (msg_size bytes, cut to fit). */
vdk_status vdk_lumiere_config_check(const vdk_lumiere_config *c, char *msg, size_t msg_size);

/* Frames, height and width at `level` for a clip of t x h x w (what the
 * resampling leaves), written where the pointers are not NULL. The sizes must
 * divide (vdk_lumiere_config_check checks the default clip). */
void vdk_lumiere_level_size(const vdk_lumiere_config *c, int level, int t, int h, int w, int *t_out,
                            int *h_out, int *w_out);

#endif
