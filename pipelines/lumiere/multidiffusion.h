/* Lumiere's spatial super-resolution (SSR) stage: the SSR network (a
 * lumiere/forward.h pass of an SSR configuration, lumiere/config.h) run on
 * temporal windows of the video and reconciled by MultiDiffusion
 * (PIPELINES.md §2.4; docs/pipelines.md, "SSR and MultiDiffusion"). Per
 * denoising step: for each window i of lumiere/windows.h's plan,
 * eps_i = SSR([J_t, lowres] on the window's frames); each eps_i is added into a
 * full-length buffer, which is divided per frame by the number of windows
 * covering it (the least-squares reconciliation of the paper: the per-pixel
 * mean). The sampler's update then runs once on the whole video
 * (vdk_lumiere_ssr_denoise plugs this into lumiere/sampler.h). */
#ifndef VDK_PIPELINES_LUMIERE_MULTIDIFFUSION_H
#define VDK_PIPELINES_LUMIERE_MULTIDIFFUSION_H

#include "common/net.h"
#include "lumiere/config.h"

/* The base model's video at the SSR's size: out [N, T, h f, w f, C] =
 * resize(base [N, T, h, w, C]) with f = lowres_factor and C =
 * lowres_channels, by lowres_resize (nearest: vdk_upsample, factors (1, f, f)).
 * Fails with msg naming the argument, out untouched. */
vdk_status vdk_lumiere_ssr_upsample(vdk_context *ctx, const vdk_lumiere_config *c,
                                    const vdk_tensor *base, vdk_tensor *out, char *msg,
                                    size_t msg_size);

typedef struct vdk_lumiere_ssr_inputs {
    /* [N, T, H, W, in_channels - lowres_channels]: J_t, the whole noisy video.
     * Its dtype is the pass's (the weights', lowres', context's, out's). */
    const vdk_tensor *x;
    /* [N, T, H, W, lowres_channels]: the up-sampled base video
     * (vdk_lumiere_ssr_upsample), the same for every step. */
    const vdk_tensor *lowres;
    const double *timesteps; /* [N], one per clip */
    /* [N, L, cross_attention_dim]: the text of each clip. */
    const vdk_tensor *context;
} vdk_lumiere_ssr_inputs;

/* Called after window `window` (0-based) of `windows` has been recorded, with
 * its first frame. A status other than VDK_OK stops the pass, which returns
 * it. */
typedef vdk_status (*vdk_lumiere_window_fn)(void *user, int window, int windows, int start);

/* out [N, T, H, W, out_channels] = the MultiDiffusion noise prediction of the
 * whole video: the windows are those of vdk_lumiere_windows_plan(T,
 * window_frames, window_overlap, num_windows); window i's pass sees
 * concat(x, lowres) on frames [start_i, start_i + window_frames) (noisy
 * channels first, [IP]); frame t of out is the mean of the passes' outputs at
 * t. out may not overlap x or lowres. The window buffers are allocated once,
 * the passes run one after the other; stats (may be NULL) gets the FLOPs of
 * all windows and the peak activation bytes of one pass plus the two window
 * buffers (out, x and lowres are the caller's). Before any work every argument
 * is checked, and a bad one (no conditioning in the configuration, a bad
 * window plan for x's T, shapes, dtypes, NULL) fails with msg naming it and
 * out untouched; a failure in a pass leaves out partly written. */
vdk_status vdk_lumiere_multidiffusion(vdk_context *ctx, const vdk_lumiere_config *c,
                                      const vdk_weights *w, const vdk_lumiere_ssr_inputs *in,
                                      vdk_tensor *out, vdk_lumiere_window_fn progress,
                                      void *progress_user, vdk_net_stats *stats, char *msg,
                                      size_t msg_size);

/* The SSR as lumiere/sampler.h's denoiser (vdk_lumiere_denoise_fn, user a
 * vdk_lumiere_ssr_denoiser): each sampler step runs
 * vdk_lumiere_multidiffusion on the sampler's batch, so under guidance both
 * halves go through every window and the guidance and the DDIM update apply
 * once to the reconciled, full-length prediction. */
typedef struct vdk_lumiere_ssr_denoiser {
    vdk_context *ctx;
    const vdk_lumiere_config *config;
    const vdk_weights *w;
    /* [B, T, H, W, lowres_channels] with B the sampler's batch: under
     * guidance (B = 2N) the conditioning video twice. */
    const vdk_tensor *lowres;
    /* [B, L, cross_attention_dim]: the unconditional half first (guided). */
    const vdk_tensor *context;
    vdk_lumiere_window_fn progress; /* optional, per window */
    void *progress_user;
    vdk_net_stats stats; /* the last step's */
    char msg[512];       /* the last failure's */
} vdk_lumiere_ssr_denoiser;

vdk_status vdk_lumiere_ssr_denoise(void *user, vdk_tensor *x_in, const double *timesteps,
                                   vdk_tensor *eps);

#endif
