/* A sampler around Lumiere's denoiser. The paper does not say which sampler
 * Lumiere uses; this is a choice (docs/pipelines.md, "Lumiere", "Sampler"):
 * DDIM (eta 0) over an epsilon-prediction model with the cosine noise
 * schedule of Nichol & Dhariwal (2021), as Imagen-family pixel-space models
 * are trained, and classifier-free guidance with a constant scale. It is
 * diffusers' DDIMScheduler(beta_schedule="squaredcos_cap_v2", clip_sample=False,
 * set_alpha_to_one=True, prediction_type="epsilon") with alphas_cumprod in
 * double. Every constant is a field of vdk_lumiere_scheduler_config. The
 * denoiser is a callback, so the loop does not depend on the network. */
#ifndef VDK_PIPELINES_LUMIERE_SAMPLER_H
#define VDK_PIPELINES_LUMIERE_SAMPLER_H

#include "vdk/vdk.h"

#include <stddef.h>

/* How the inference timesteps are spread over the training ones, as
 * diffusers' DDIMScheduler.set_timesteps spreads them (timestep_spacing). */
typedef enum vdk_lumiere_spacing {
    /* t_i = round(train_steps - i train_steps / steps) - 1 (round half to even,
     * numpy's): the first step starts from pure noise (Lin et al. 2024,
     * "Common Diffusion Noise Schedules and Sample Steps are Flawed"). Its
     * first x0 = (x - sqrt(1 - a) eps) / sqrt(a) multiplies by 1/sqrt(a_999) =
     * 2.0e4: f16 rounding of eps becomes an error of order 10 without x0
     * clipping, and an untrained network's sample overflows f16. */
    VDK_LUMIERE_SPACING_TRAILING = 0,
    /* t_i = (steps - 1 - i) k + steps_offset, k = train_steps / steps (integer
     * division; Stable Diffusion's DDIM configuration, with steps_offset 1).
     * 25 steps start at t = 961, 1/sqrt(a) = 16.5. */
    VDK_LUMIERE_SPACING_LEADING,
    VDK_LUMIERE_SPACING_COUNT
} vdk_lumiere_spacing;

typedef struct vdk_lumiere_scheduler_config {
    int train_steps; /* 1000: the network sees t in [0, train_steps) */
    double cosine_s; /* 0.008: abar(x) = cos^2((x + s) / (1 + s) pi/2), x = t / train_steps */
    double max_beta; /* 0.999: betas clipped here (the schedule's last betas near 1) */
    vdk_lumiere_spacing spacing; /* leading */
    int steps_offset;            /* 1; LEADING only */
    /* 1: a step whose target is before t = 0 goes to alpha_bar 1 (a clean
     * sample; set_alpha_to_one), else to alphas_cumprod[0]. */
    int final_alpha_one;
} vdk_lumiere_scheduler_config;

/* The configuration above. */
vdk_lumiere_scheduler_config vdk_lumiere_scheduler_config_default(void);

/* The most training steps a configuration may have. */
#define VDK_LUMIERE_MAX_TRAIN_STEPS 100000

/* The schedule of `steps` steps on the host, in double (diffusers holds
 * alphas_cumprod in float32: 1.3e-5 relative apart at t = 999):
 *   beta_j = min(1 - abar((j + 1) / train_steps) / abar(j / train_steps), max_beta),
 *   alphas_cumprod[j] = prod_{i <= j} (1 - beta_i), j < train_steps;
 *   timesteps[i] (what the network is given) by the spacing;
 *   alpha_bar[i] = alphas_cumprod[timesteps[i]];
 *   alpha_prev[i] = alphas_cumprod[timesteps[i] - k] (DDIM's target,
 *     k = train_steps / steps, integer division), or 1 / alphas_cumprod[0]
 *     (final_alpha_one) when that is below 0.
 * Each array holds steps values. c NULL takes the default. steps in
 * [1, train_steps], and a LEADING offset that keeps every timestep below
 * train_steps; otherwise VDK_ERROR_INVALID_VALUE and msg says why. */
vdk_status vdk_lumiere_schedule(const vdk_lumiere_scheduler_config *c, int steps, int *timesteps,
                                double *alpha_bar, double *alpha_prev, char *msg, size_t msg_size);

/* The denoiser: eps = network(x_in, timesteps) for B clips: x_in and eps
 * [B, T, H, W, C], timesteps [B] (the same value B times). Under guidance
 * B = 2N: the first N clips are the unconditional half (the callback gives them
 * the unconditional context), the last N the conditional one, both holding the
 * same x. The tensors are the sampler's, valid during the call only. A status
 * other than VDK_OK stops the sampler, which returns it. */
typedef vdk_status (*vdk_lumiere_denoise_fn)(void *user, vdk_tensor *x_in, const double *timesteps,
                                             vdk_tensor *eps);

/* Called after step `step` (0-based) of `steps` has been recorded (on Vulkan it
 * may not have run yet: vdk_sync waits), with its timestep and alpha_bar. A
 * status other than VDK_OK stops the sampler, which returns it. */
typedef vdk_status (*vdk_lumiere_progress_fn)(void *user, int step, int steps, int timestep,
                                              double alpha_bar);

typedef struct vdk_lumiere_sampler_params {
    int steps;
    /* eps = eps_u + g (eps_c - eps_u); g > 1 turns guidance on (batch 2N),
     * otherwise the denoiser sees the N clips once (conditional). */
    float guidance_scale;
    const vdk_lumiere_scheduler_config *scheduler; /* NULL: the default */
    vdk_lumiere_denoise_fn denoise;
    void *denoise_user;
    vdk_lumiere_progress_fn progress; /* optional */
    void *progress_user;
} vdk_lumiere_sampler_params;

/* 1 when guidance_scale > 1: the denoiser then sees a batch of 2N. */
int vdk_lumiere_sampler_guided(const vdk_lumiere_sampler_params *p);

/* Runs DDIM (eta 0) on x [N, T, H, W, C], which holds unit Gaussian noise on
 * entry and the sample on return. For each step i (t = timesteps[i],
 * a_t = alpha_bar[i], a_p = alpha_prev[i]):
 *   eps = denoise(x, t), guided as above;
 *   x0 = (x - sqrt(1 - a_t) eps) / sqrt(a_t);  x = sqrt(a_p) x0 + sqrt(1 - a_p) eps,
 * that is x = A x + B eps with A = sqrt(a_p / a_t), B = sqrt(1 - a_p) - sqrt(a_p (1 - a_t)
 * / a_t). From pure noise (trailing spacing) A is large and B close to -A (4 steps:
 * A = 7.7e3), so
 * storing A x and B eps apart would lose everything to cancellation in f16; the
 * step is computed as (A + B) blend(A / (A + B); x, eps), the blend in f32
 * inside one operator (A + B > 0 always). No clipping of x0 (diffusers'
 * clip_sample): vdk has no clamp. The work tensors are allocated once and freed
 * on return. On failure msg says why; x is then unchanged if the arguments were
 * rejected, partly sampled otherwise. */
vdk_status vdk_lumiere_sample(vdk_context *ctx, const vdk_lumiere_sampler_params *p, vdk_tensor *x,
                              char *msg, size_t msg_size);

#endif
