/* Lumiere's base denoiser, the STUNet forward pass, on vdk's public API: the
 * network of tools/lumiere_torch.py (STUNet.forward), op by op as
 * docs/pipelines.md ("Lumiere", "Forward") gives it. Its output is the raw
 * network output (the noise prediction of an epsilon-prediction sampler). */
#ifndef VDK_PIPELINES_LUMIERE_FORWARD_H
#define VDK_PIPELINES_LUMIERE_FORWARD_H

#include "common/net.h"
#include "lumiere/config.h"

typedef struct vdk_lumiere_inputs {
    /* [N, T, H, W, in_channels], the noisy video. H and W multiples of
     * spatial_factor^(levels-1), T of temporal_factor^(the temporal
     * resamplings). Its dtype is the pass's: the weights', and every
     * activation's. */
    const vdk_tensor *x;
    const double *timesteps; /* [N], one per clip */
    /* [N, L, cross_attention_dim]: the text tokens of each clip (any L >= 1).
     * May be NULL only when no level has a spatial transformer. */
    const vdk_tensor *context;
} vdk_lumiere_inputs;

/* out [N, T, H, W, out_channels] = STUNet(inputs), with weights from
 * vdk_lumiere_params of the same configuration (random or loaded). On failure
 * msg names the argument or the module and the reason, and out is unspecified.
 * stats (may be NULL) gets the peak activation bytes and the FLOPs of the
 * convs, linears and attentions. */
vdk_status vdk_lumiere_forward(vdk_context *ctx, const vdk_lumiere_config *c, const vdk_weights *w,
                               const vdk_lumiere_inputs *in, vdk_tensor *out, vdk_net_stats *stats,
                               char *msg, size_t msg_size);

#endif
