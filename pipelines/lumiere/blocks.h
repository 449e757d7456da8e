/* The STUNet's blocks (tools/lumiere_torch.py's modules) as vdk calls on
 * vdk_net (common/net.h). Activations are [N, T, H, W, C]; each block reads its
 * input, returns a new tensor (NULL after a failure) and leaves dropping the
 * input to its caller. Weights are found under the block's prefix with the
 * names of lumiere/params.c; docs/pipelines.md ("Lumiere", "Forward") gives
 * each block op by op. */
#ifndef VDK_PIPELINES_LUMIERE_BLOCKS_H
#define VDK_PIPELINES_LUMIERE_BLOCKS_H

#include "common/net.h"
#include "lumiere/config.h"

/* A conv with kernel (1, k, k) ("same" padding) on every frame, stride (1, s, s). */
vdk_tensor *vdk_lumiere_conv_frames(vdk_net *n, const char *prefix, const vdk_tensor *x, int stride,
                                    const vdk_tensor *residual);
/* A conv with kernel (kt, 1, 1) ("same" padding) along the frames, stride (s, 1, 1). */
vdk_tensor *vdk_lumiere_conv_time(vdk_net *n, const char *prefix, const vdk_tensor *x, int stride);

/* ResBlock: GN+SiLU, conv1, GN, h * (1 + scale) + shift with [scale, shift] =
 * time_emb_proj(temb_act) per clip, SiLU, conv2, + x (or its 1x1
 * conv_shortcut). temb_act is SiLU(time embedding), [N, time_embed_dim]. */
vdk_tensor *vdk_lumiere_resnet(vdk_net *n, const char *prefix, const vdk_lumiere_config *c,
                               const vdk_tensor *x, const vdk_tensor *temb_act);
/* The spatial transformer: pre-LN self-attention over each frame's pixels
 * (not when cross_only), pre-LN cross-attention to context [N, L,
 * cross_attention_dim], pre-LN GELU FF, each with its residual. */
vdk_tensor *vdk_lumiere_transformer(vdk_net *n, const char *prefix, const vdk_lumiere_config *c,
                                    const vdk_tensor *x, const vdk_tensor *context, int cross_only);
/* (2+1)D conv inflation: x + proj_out(SiLU(RMS(Tconv(SiLU(RMS(Sconv(x))))))). */
vdk_tensor *vdk_lumiere_conv_inflation(vdk_net *n, const char *prefix, const vdk_lumiere_config *c,
                                       const vdk_tensor *x);
/* Temporal attention inflation: g = x; per layer g += attnT(RMS(g));
 * x + proj_out(g). */
vdk_tensor *vdk_lumiere_attn_inflation(vdk_net *n, const char *prefix, const vdk_lumiere_config *c,
                                       const vdk_tensor *x);
/* One layer at `level`: "<prefix>.resnet", then "<prefix>.attention" when
 * `attention` (cross-attention only when the level's cross_attention_only),
 * then the level's temporal block. */
vdk_tensor *vdk_lumiere_layer(vdk_net *n, const char *prefix, const vdk_lumiere_config *c,
                              const vdk_tensor *x, const vdk_tensor *temb_act,
                              const vdk_tensor *context, int attention, int level);

#endif
