/* SVD's temporal VAE decoder, diffusers' TemporalDecoder (the decoder of
 * AutoencoderKLTemporalDecoder), on vdk's public API (PIPELINES.md §1.9). */
#ifndef VDK_PIPELINES_SVD_DECODER_H
#define VDK_PIPELINES_SVD_DECODER_H

#include "common/weights.h"
#include "svd/config.h"
#include "svd/unet.h"

/* out [N, T, h*2^(levels-1), w*2^(levels-1), out_channels] = decoder(z) for z
 * [N, T, h, w, latent_channels] as the decoder module takes it (the sampler's
 * latents already divided by scaling_factor, as diffusers' decode_latents
 * does before calling it). The clip is decoded `chunk_frames` frames at a time
 * (0 = all T at once): each chunk is a clip of its own for the temporal layers,
 * as diffusers' decode_chunk_size makes it, and the activations then scale with
 * the chunk, not with T. (diffusers chunks the flattened batch*frames axis, so
 * for N > 1 with a chunk that does not divide T its chunks mix two videos; here
 * every chunk lies within one video, which is the same whenever N = 1 or the
 * chunk divides T.) Weights from vdk_svd_decoder_params of the same
 * configuration. On failure msg names the module and the reason. */
vdk_status vdk_svd_decoder_forward(vdk_context *ctx, const vdk_svd_decoder_config *c,
                                   const vdk_weights *w, const vdk_tensor *z, int chunk_frames,
                                   vdk_tensor *out, vdk_svd_stats *stats, char *msg,
                                   size_t msg_size);

#endif
