/* The blocks the video denoisers are made of, as diffusers defines them, on
 * vdk_net (common/net.h). Activations are [N, T, H, W, C]; each block reads its
 * input, returns a new tensor (NULL after a failure) and leaves dropping the
 * input to its caller. Weights are found under the block's prefix with
 * diffusers' module names (the walks in <model>/params.c list the same names). */
#ifndef VDK_PIPELINES_BLOCKS_H
#define VDK_PIPELINES_BLOCKS_H

#include "common/net.h"

/* The hyper-parameters of a resblock pair that do not live in the weights. */
typedef struct vdk_resblock_args {
    int groups;         /* GroupNorm groups */
    float eps;          /* the spatial half's GroupNorm eps */
    float temporal_eps; /* the temporal half's */
    int switch_mix;     /* AlphaBlender: 0 = alpha*spatial + (1-alpha)*temporal, 1 swapped */
} vdk_resblock_args;

/* ResnetBlock2D: GN+SiLU, 3x3 conv, + time_emb_proj(temb) per frame, GN+SiLU,
 * 3x3 conv, + x (or conv_shortcut(x), a 1x1 conv, when the widths differ).
 * temb is SiLU(emb) as [N, T, 1, 1, Ct], or NULL (no time_emb_proj). */
vdk_tensor *vdk_block_resnet(vdk_net *n, const char *prefix, const vdk_tensor *x,
                             const vdk_tensor *temb, int groups, float eps);
/* TemporalResnetBlock: the same with GroupNorms over each clip (T, H, W) and
 * (kt, 1, 1) convs padded in time; no shortcut (the width does not change). */
vdk_tensor *vdk_block_temporal_resnet(vdk_net *n, const char *prefix, const vdk_tensor *x,
                                      const vdk_tensor *temb, int groups, float eps);
/* SpatioTemporalResBlock: spatial_res_block, temporal_res_block on its output,
 * and time_mixer blending the two. */
vdk_tensor *vdk_block_spatio_temporal_res(vdk_net *n, const char *prefix, const vdk_tensor *x,
                                          const vdk_tensor *temb, const vdk_resblock_args *a);

/* diffusers' Attention without its own norm: to_q of x, to_k / to_v of context
 * (x when NULL), `heads` heads over `axes`, then to_out.0 + residual. */
vdk_tensor *vdk_block_attention(vdk_net *n, const char *prefix, const vdk_tensor *x,
                                const vdk_tensor *context, vdk_attention_axes axes, int heads,
                                const vdk_tensor *residual);
/* The same with the output projection named "<prefix>.<out_proj>" (Lumiere's
 * "to_out"; vdk_block_attention is this with diffusers' "to_out.0"). */
vdk_tensor *vdk_block_attention_proj(vdk_net *n, const char *prefix, const char *out_proj,
                                     const vdk_tensor *x, const vdk_tensor *context,
                                     vdk_attention_axes axes, int heads,
                                     const vdk_tensor *residual);
/* FeedForward with GEGLU: net.2(GEGLU(net.0.proj(x))) + residual. */
vdk_tensor *vdk_block_feed_forward(vdk_net *n, const char *prefix, const vdk_tensor *x,
                                   const vdk_tensor *residual);
/* diffusers' TimestepEmbedding: linear_2(SiLU(linear_1(x))) (+ residual). */
vdk_tensor *vdk_block_timestep_mlp(vdk_net *n, const char *prefix, const vdk_tensor *x,
                                   const vdk_tensor *residual);

typedef struct vdk_transformer_args {
    int heads;
    int layers;     /* transformer_blocks / temporal_transformer_blocks pairs */
    int groups;     /* the input GroupNorm's groups */
    float norm_eps; /* the input GroupNorm's eps */
    float layer_norm_eps;
    /* The temporal cross-attention pairs pixel p of clip b with context row
     * (b*H*W + p) mod N, as diffusers does (svd/config.h, vdk_svd_context_order),
     * instead of row b. Needs a context of one token. */
    int diffusers_context_order;
} vdk_transformer_args;

/* TransformerSpatioTemporalModel of x [N, T, H, W, C] with context [N, L, Cctx]
 * (the image embedding; the temporal blocks attend to the same one). */
vdk_tensor *vdk_block_transformer_spatio_temporal(vdk_net *n, const char *prefix,
                                                  const vdk_tensor *x, const vdk_tensor *context,
                                                  const vdk_transformer_args *a);

/* Downsample2D with a conv: 3x3, stride 2, padding 1 ("<prefix>.conv"). */
vdk_tensor *vdk_block_downsample(vdk_net *n, const char *prefix, const vdk_tensor *x);
/* Upsample2D with a conv: nearest 2x in H and W, then 3x3 ("<prefix>.conv"). */
vdk_tensor *vdk_block_upsample(vdk_net *n, const char *prefix, const vdk_tensor *x);

/* A 3x3 conv with padding 1 (conv_in, conv_out, ...). */
vdk_tensor *vdk_block_conv3x3(vdk_net *n, const char *prefix, const vdk_tensor *x,
                              const vdk_tensor *residual);

#endif
