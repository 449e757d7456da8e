/* SVD's denoiser, diffusers' UNetSpatioTemporalConditionModel.forward, on vdk's
 * public API (PIPELINES.md §1.2-1.8). The model's input is what diffusers'
 * pipeline hands the UNet: the noisy latent already scaled by c_in, concatenated
 * on the channel axis with the conditioning image's latent; its output is the
 * raw model output (v-prediction), before the sampler's preconditioning. */
#ifndef VDK_PIPELINES_SVD_UNET_H
#define VDK_PIPELINES_SVD_UNET_H

#include "common/net.h"
#include "svd/config.h"

typedef struct vdk_svd_unet_inputs {
    /* [N, T, H, W, in_channels]; H and W multiples of 2^(levels-1). Its dtype is
     * the pass's: the weights' dtype, and that of every activation. */
    const vdk_tensor *sample;
    const double *timestep; /* [N]: c_noise = 0.25 ln(sigma) per batch item */
    /* [N, L, cross_attention_dim]: the CLIP image embedding (L = 1 in SVD); the
     * same for every frame, as diffusers' repeat_interleave over frames makes it. */
    const vdk_tensor *encoder_hidden_states;
    const double *added_time_ids; /* [N, num_addition_time_ids]: fps-1, motion bucket, aug */
} vdk_svd_unet_inputs;

/* Peak activation bytes and FLOPs of a pass. */
typedef vdk_net_stats vdk_svd_stats;

/* out [N, T, H, W, out_channels] = UNet(inputs). Weights from vdk_svd_unet_params
 * of the same configuration (random or loaded). On failure, msg names the
 * module and the reason, and out is unspecified. stats may be NULL. */
vdk_status vdk_svd_unet_forward(vdk_context *ctx, const vdk_svd_unet_config *c,
                                const vdk_weights *w, const vdk_svd_unet_inputs *in,
                                vdk_tensor *out, vdk_svd_stats *stats, char *msg, size_t msg_size);

#endif
