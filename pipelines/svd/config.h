/* The configuration of Stable Video Diffusion's two networks, as named values:
 * the denoiser (diffusers' UNetSpatioTemporalConditionModel) and the temporal VAE
 * decoder (AutoencoderKLTemporalDecoder's decoder). Values and sources are those
 * of ../shared/PIPELINES.md §1.1 and §1.9; docs/pipelines.md says what uses them.
 * Where diffusers hard-codes a number (a multiplier, an eps), it is a field here
 * too, so that no walk or forward pass carries a hidden constant. */
#ifndef VDK_PIPELINES_SVD_CONFIG_H
#define VDK_PIPELINES_SVD_CONFIG_H

#include "vdk/vdk.h"

#include <stddef.h>

/* Resolution levels a configuration may have (SVD has 4). */
#define VDK_SVD_MAX_LEVELS 8

typedef enum vdk_svd_preset {
    VDK_SVD_PRESET_SVD = 0, /* "svd": 14 frames */
    VDK_SVD_PRESET_SVD_XT,  /* "svd-xt": 25 frames, the same network */
    VDK_SVD_PRESET_TINY     /* "tiny": a few channels, for tests */
} vdk_svd_preset;

/* Which image embedding the temporal cross-attention of clip b, pixel p sees.
 * generative-models (Stability's code the weights were trained with) and
 * PIPELINES.md §1.4 give each clip its own. diffusers (0.27.2, and still on its
 * main branch) broadcasts the first frames' contexts as (H*W, N) and flattens
 * that against sequences ordered (N, H*W), so pixel p of clip b sees the
 * embedding of clip (b*H*W + p) mod N: the same for N = 1, but under
 * classifier-free guidance (N = 2) half the pixels of the conditional clip see
 * the unconditional (zero) embedding and the other way round. */
typedef enum vdk_svd_context_order {
    VDK_SVD_CONTEXT_PER_CLIP = 0, /* each clip its own embedding (the default) */
    VDK_SVD_CONTEXT_DIFFUSERS     /* as diffusers pairs them; needs L = 1, as diffusers does */
} vdk_svd_context_order;

typedef struct vdk_svd_unet_config {
    int in_channels;  /* 8: 4 noisy latent + 4 conditioning-image latent */
    int out_channels; /* 4 */
    int levels;       /* resolution levels = down blocks = up blocks (4) */
    int block_out_channels[VDK_SVD_MAX_LEVELS]; /* 320, 640, 1280, 1280 */
    /* Heads per level (5, 10, 20, 20): head_dim = channels / heads = 64. */
    int num_attention_heads[VDK_SVD_MAX_LEVELS];
    /* Down block i is CrossAttnDownBlockSpatioTemporal (1) or DownBlockSpatioTemporal
     * (0): 1, 1, 1, 0. Up block i mirrors down block levels-1-i, as in SVD
     * (UpBlockSpatioTemporal, then CrossAttnUpBlockSpatioTemporal x3). */
    int cross_attention[VDK_SVD_MAX_LEVELS];
    int layers_per_block;             /* 2; up blocks have layers_per_block + 1 */
    int transformer_layers_per_block; /* 1 */
    int cross_attention_dim;          /* 1024: the CLIP image embedding */
    int addition_time_embed_dim;      /* 256: sinusoid width per added time id */
    int num_addition_time_ids;        /* 3: fps - 1, motion_bucket_id, noise_aug */
    /* 768 = num_addition_time_ids * addition_time_embed_dim: add_embedding's input. */
    int projection_class_embeddings_input_dim;
    int time_embed_mult;      /* 4: time_embed_dim = 4 * block_out_channels[0] = 1280 */
    int time_pos_embed_mult;  /* 4: the frame-position MLP is C -> 4C -> C */
    int ff_mult;              /* 4: GEGLU feed-forward C -> 2*4C, 4C -> C */
    int temporal_kernel_size; /* 3: temporal convs are (3,1,1), padding (1,0,0) */
    int norm_num_groups;      /* 32: every GroupNorm */
    /* eps of the GroupNorms, per block type as diffusers builds them (PIPELINES.md
     * §1.3); the temporal half of a resblock uses its spatial half's eps. */
    float resnet_eps_down_cross; /* 1e-6: CrossAttnDownBlockSpatioTemporal */
    float resnet_eps_down;       /* 1e-5: DownBlockSpatioTemporal */
    float resnet_eps_mid;        /* 1e-5: UNetMidBlockSpatioTemporal */
    float resnet_eps_up;         /* 1e-6: both up block types */
    float transformer_norm_eps;  /* 1e-6: TransformerSpatioTemporalModel's GroupNorm */
    float layer_norm_eps;        /* 1e-5: the transformer blocks' LayerNorms */
    float norm_out_eps;          /* 1e-5: conv_norm_out */
    /* The default clip length (14 for SVD, 25 for SVD-XT). Not architectural: the
     * weights are the same for any frame count. */
    int num_frames;
    /* Not architectural either: which embedding temporal cross-attention sees. */
    vdk_svd_context_order temporal_context_order;
} vdk_svd_unet_config;

typedef struct vdk_svd_decoder_config {
    int latent_channels;                        /* 4 */
    int out_channels;                           /* 3: RGB */
    int levels;                                 /* 4 */
    int block_out_channels[VDK_SVD_MAX_LEVELS]; /* 128, 256, 512, 512 (used reversed) */
    /* 2: the mid block has 2 resblocks around one attention, up blocks have 3. */
    int layers_per_block;
    int attention_head_dim;   /* 512: the mid attention has 512/512 = 1 head */
    int temporal_kernel_size; /* 3: temporal convs and time_conv_out are (3,1,1) */
    int norm_num_groups;      /* 32 */
    float resnet_eps;         /* 1e-6: the spatial halves of the resblocks */
    float temporal_eps;       /* 1e-5: the temporal halves */
    float attention_eps;      /* 1e-6: the mid attention's GroupNorm */
    float norm_out_eps;       /* 1e-6: conv_norm_out */
    float scaling_factor;     /* 0.18215: latents are divided by it before decoding */
    /* 1: blends y = (1 - a) x_spatial + a x_temporal, a = sigmoid(mix_factor)
     * (diffusers' switch_spatial_to_temporal_mix); the UNet's blenders are the other
     * way round. */
    int switch_spatial_to_temporal_mix;
} vdk_svd_decoder_config;

/* The preset's UNet configuration. VDK_ERROR_INVALID_VALUE for an unknown preset. */
vdk_status vdk_svd_unet_config_preset(vdk_svd_preset preset, vdk_svd_unet_config *out);
/* The preset's decoder configuration (SVD and SVD-XT share one decoder). */
vdk_status vdk_svd_decoder_config_preset(vdk_svd_preset preset, vdk_svd_decoder_config *out);
/* "svd", "svd-xt", "tiny" to a preset; VDK_ERROR_INVALID_VALUE for other names. */
vdk_status vdk_svd_preset_from_name(const char *name, vdk_svd_preset *out);

/* VDK_OK when the configuration can be built; otherwise VDK_ERROR_INVALID_VALUE
 * and, when msg is not NULL, what is wrong in msg (msg_size bytes, cut to fit). */
vdk_status vdk_svd_unet_config_check(const vdk_svd_unet_config *c, char *msg, size_t msg_size);
vdk_status vdk_svd_decoder_config_check(const vdk_svd_decoder_config *c, char *msg,
                                        size_t msg_size);

#endif
