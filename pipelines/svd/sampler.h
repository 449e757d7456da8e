/* SVD's sampler as diffusers' StableVideoDiffusionPipeline runs it: the
 * EulerDiscreteScheduler of SVD's scheduler_config.json (EDM/Karras sigmas,
 * continuous timesteps c_noise = 0.25 ln sigma, v-prediction), classifier-free
 * guidance ramped per frame, and the Euler step, on vdk tensors through the
 * public API. The denoiser is a callback, so the loop does not depend on the
 * UNet. docs/pipelines.md ("Sampler") gives the formulas and their sources;
 * tools/golden_edm.py checks them against diffusers. */
#ifndef VDK_PIPELINES_SVD_SAMPLER_H
#define VDK_PIPELINES_SVD_SAMPLER_H

#include "vdk/vdk.h"

#include <stddef.h>

/* diffusers' timestep_spacing. Under Karras sigmas it only chooses
 * init_noise_sigma: sqrt(sigma_max^2 + 1) for "leading", sigma_max otherwise. */
typedef enum vdk_svd_spacing {
    VDK_SVD_SPACING_LEADING = 0, /* SVD */
    VDK_SVD_SPACING_LINSPACE,
    VDK_SVD_SPACING_TRAILING
} vdk_svd_spacing;

/* The fields of an EulerDiscreteScheduler configuration that change anything
 * when use_karras_sigmas is true, sigma_min and sigma_max are set, and
 * timestep_type is "continuous" with prediction_type "v_prediction" (the only
 * kind implemented): the beta schedule, interpolation_type and steps_offset then
 * feed values that set_timesteps discards. */
typedef struct vdk_svd_scheduler_config {
    double sigma_min;                 /* 0.002 */
    double sigma_max;                 /* 700 */
    double rho;                       /* 7: hard-coded in diffusers' _convert_to_karras */
    vdk_svd_spacing timestep_spacing; /* "leading" */
} vdk_svd_scheduler_config;

/* SVD's (and SVD-XT's) scheduler configuration. */
vdk_svd_scheduler_config vdk_svd_scheduler_config_svd(void);

/* The most steps a schedule takes: num_train_timesteps, past which diffusers'
 * "leading" spacing has a step ratio of 0. */
#define VDK_SVD_MAX_STEPS 1000

/* The schedule of set_timesteps(steps), computed in double on the host and
 * rounded to float32 where diffusers holds float32 (so the values are diffusers'):
 *   sigmas[i] = (float)(smax^(1/rho) + r_i (smin^(1/rho) - smax^(1/rho)))^rho, i < steps,
 *               r_i = i * (1/(steps-1)) as numpy's linspace(0, 1, steps) (r_0 = 0,
 *               r_last = 1); sigmas[steps] = 0;
 *   timesteps[i] = (float)(0.25 ln sigmas[i])  (c_noise, what the UNet is given);
 *   *init_noise_sigma = (float)sqrt(sigma_max'^2 + 1), sigma_max' = sigmas[0]
 *               ("leading"), or sigmas[0].
 * sigmas holds steps + 1 values, timesteps steps; init_noise_sigma may be NULL.
 * c NULL takes SVD's. steps in [1, VDK_SVD_MAX_STEPS]; otherwise
 * VDK_ERROR_INVALID_VALUE and msg (msg_size bytes, may be NULL) says why. */
vdk_status vdk_svd_schedule(const vdk_svd_scheduler_config *c, int steps, double *sigmas,
                            double *timesteps, double *init_noise_sigma, char *msg,
                            size_t msg_size);

/* The denoiser: model_out = UNet(model_in, timestep, ...) for a batch of B clips.
 * model_in [B, T, h, w, C + Ci] holds the scaled noisy latent in channels [0, C)
 * and the conditioning image's latent in [C, C + Ci]; timestep [B] holds the same
 * c_noise B times; model_out [B, T, h, w, C] is the v-prediction to write. Under
 * guidance B = 2N and the first N are the unconditional half (zero image latent:
 * the callback gives them zero image embeddings, as diffusers does). Both tensors
 * are the sampler's work tensors, valid during the call only. A status other
 * than VDK_OK stops the sampler, which returns it. */
typedef vdk_status (*vdk_svd_denoise_fn)(void *user, vdk_tensor *model_in, const float *timestep,
                                         vdk_tensor *model_out);

/* Called after step `step` (0-based) of `steps` has been recorded (it may not
 * have run yet on Vulkan: vdk_sync(ctx) waits), with that step's sigma and
 * timestep. A status other than VDK_OK stops the sampler, which returns it. */
typedef vdk_status (*vdk_svd_progress_fn)(void *user, int step, int steps, double sigma,
                                          double timestep);

typedef struct vdk_svd_sampler_params {
    int steps;                                 /* num_inference_steps: 25 */
    float min_guidance_scale;                  /* first frame: 1.0 (0 is taken as given) */
    float max_guidance_scale;                  /* last frame: 3.0; <= 1 turns guidance off */
    const vdk_svd_scheduler_config *scheduler; /* NULL: SVD's */
    vdk_svd_denoise_fn denoise;
    void *denoise_user;
    vdk_svd_progress_fn progress; /* optional */
    void *progress_user;
} vdk_svd_sampler_params;

/* 1 when the parameters turn classifier-free guidance on (diffusers'
 * do_classifier_free_guidance: max_guidance_scale > 1), so the denoiser sees a
 * batch of 2N. */
int vdk_svd_sampler_guided(const vdk_svd_sampler_params *p);

/* Runs the sampler on latents [N, T, h, w, C], which holds unit Gaussian noise on
 * entry (the caller's generator) and the denoised latents on return:
 *   x = init_noise_sigma * noise
 *   for each step i (sigma = sigmas[i], next = sigmas[i+1], t = timesteps[i]):
 *     model_in = [c_in x, image] per clip, c_in = 1/sqrt(sigma^2 + 1); under
 *       guidance [uncond: c_in x, 0 | cond: c_in x, image]
 *     v = denoise(model_in, t)
 *     under guidance v = v_uncond + g[frame] (v_cond - v_uncond),
 *       g = linspace(min_guidance_scale, max_guidance_scale, T)
 *     denoised = -sigma c_in v + x / (sigma^2 + 1)
 *     x += (x - denoised) / sigma * (next - sigma)
 * image holds the conditioning image's latent [N, 1, h, w, Ci] (repeated over the
 * frames, as diffusers does) or [N, T, h, w, Ci]. Both tensors of ctx and one
 * dtype, which the work tensors and the denoiser's tensors have too. The work
 * tensors (model_in, model_out, the guidance ramp) are allocated once and freed
 * on return. On failure msg (msg_size bytes, may be NULL) says why; latents is
 * then unchanged if the arguments were rejected, partly sampled otherwise. Guidance
 * with min_guidance_scale > 1 >= max_guidance_scale is rejected: diffusers encodes
 * the image without guidance and then runs the loop with it, and fails. */
vdk_status vdk_svd_sample(vdk_context *ctx, const vdk_svd_sampler_params *p,
                          const vdk_tensor *image, vdk_tensor *latents, char *msg, size_t msg_size);

#endif
