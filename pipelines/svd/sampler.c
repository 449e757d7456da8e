/* SVD's sampler (sampler.h): the schedule on the host, the loop on vdk tensors.
 * Line references are to diffusers 0.27.2, schedulers/scheduling_euler_discrete.py
 * and pipelines/stable_video_diffusion/pipeline_stable_video_diffusion.py. */
#include "svd/sampler.h"
#include "common/message.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

vdk_svd_scheduler_config vdk_svd_scheduler_config_svd(void)
{
    /* scheduler/scheduler_config.json of stable-video-diffusion-img2vid(-xt);
     * rho is _convert_to_karras' constant. */
    vdk_svd_scheduler_config c = {
        .sigma_min = 0.002,
        .sigma_max = 700.0,
        .rho = 7.0,
        .timestep_spacing = VDK_SVD_SPACING_LEADING,
    };
    return c;
}

vdk_status vdk_svd_schedule(const vdk_svd_scheduler_config *c, int steps, double *sigmas,
                            double *timesteps, double *init_noise_sigma, char *msg, size_t msg_size)
{
    const vdk_svd_scheduler_config svd = vdk_svd_scheduler_config_svd();
    if (!c)
        c = &svd;
    if (!sigmas || !timesteps) {
        vdk_pipe_say(msg, msg_size, "vdk_svd_schedule: %s is NULL",
                     sigmas ? "timesteps" : "sigmas");
        return VDK_ERROR_NULL_POINTER;
    }
    if (steps < 1 || steps > VDK_SVD_MAX_STEPS) {
        vdk_pipe_say(msg, msg_size, "vdk_svd_schedule: steps is %d, expected 1 to %d", steps,
                     VDK_SVD_MAX_STEPS);
        return VDK_ERROR_INVALID_VALUE;
    }
    if (!(c->sigma_min > 0) || !(c->sigma_max > c->sigma_min) || !isfinite(c->sigma_max) ||
        !(c->rho > 0) || !isfinite(c->rho) || (unsigned)c->timestep_spacing > 2) {
        vdk_pipe_say(
            msg, msg_size,
            "vdk_svd_schedule: scheduler config sigma_min %g, sigma_max %g, rho %g, spacing %d; "
            "expected 0 < sigma_min < sigma_max, rho > 0, a vdk_svd_spacing",
            c->sigma_min, c->sigma_max, c->rho, (int)c->timestep_spacing);
        return VDK_ERROR_INVALID_VALUE;
    }
    /* _convert_to_karras in float64 (numpy), each step's ramp as numpy's
     * linspace(0, 1, steps) makes it; set_timesteps then stores float32. */
    const double min_inv_rho = pow(c->sigma_min, 1.0 / c->rho);
    const double max_inv_rho = pow(c->sigma_max, 1.0 / c->rho);
    const double step = steps > 1 ? 1.0 / (double)(steps - 1) : 0.0;
    for (int i = 0; i < steps; i++) {
        const double ramp = (steps > 1 && i == steps - 1) ? 1.0 : (double)i * step;
        sigmas[i] = (float)pow(max_inv_rho + ramp * (min_inv_rho - max_inv_rho), c->rho);
        /* "continuous" v-prediction: timesteps = 0.25 * sigma.log() on the float32
         * sigmas, itself float32 (0.25 is exact, so only the log rounds). */
        timesteps[i] = (float)(0.25 * log(sigmas[i]));
    }
    sigmas[steps] = 0.0;
    if (init_noise_sigma) {
        /* init_noise_sigma: max(sigmas), through sqrt(max^2 + 1) for "leading",
         * in float32 (a double sqrt rounded to float is the float sqrt). */
        const double m = sigmas[0];
        *init_noise_sigma =
            c->timestep_spacing == VDK_SVD_SPACING_LEADING ? (float)sqrt(m * m + 1.0) : m;
    }
    return VDK_OK;
}

int vdk_svd_sampler_guided(const vdk_svd_sampler_params *p)
{
    /* __call__ sets self._guidance_scale = max_guidance_scale before encoding the
     * image; do_classifier_free_guidance is then guidance_scale > 1. */
    return p && p->max_guidance_scale > 1.0f;
}

/* The sampler's tensors: the work tensors made once, and views of them. */
typedef struct work {
    vdk_tensor *model_in, *model_out, *ramp;
    vdk_tensor *noisy[2];      /* model_in's channels [0, C) of each half (one without guidance) */
    vdk_tensor *image;         /* model_in's channels [C, C + Ci) of the conditional half */
    vdk_tensor *uncond, *cond; /* model_out's halves (guidance only) */
    double *sigmas, *timesteps, init_noise_sigma;
    float *t_batch;
} work;

static void work_free(work *w)
{
    vdk_tensor *all[] = {w->model_in, w->model_out, w->ramp,   w->noisy[0],
                         w->noisy[1], w->image,     w->uncond, w->cond};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        vdk_tensor_destroy(all[i]);
    free(w->sigmas);
    free(w->timesteps);
    free(w->t_batch);
}

/* A view of t's items [b0, b0 + nb) on axis 0 and channels [c0, c0 + nc). */
static vdk_status block_view(vdk_tensor *t, int64_t b0, int64_t nb, int64_t c0, int64_t nc,
                             vdk_tensor **out)
{
    vdk_tensor *rows = NULL;
    vdk_status st = vdk_tensor_slice(t, 0, b0, nb, &rows);
    if (st == VDK_OK)
        st = vdk_tensor_slice(rows, -1, c0, nc, out);
    vdk_tensor_destroy(rows);
    return st;
}

/* diffusers' guidance ramp, torch.linspace(min, max, T) in float32 as torch's
 * CPU kernel computes it (from each end towards the middle). */
static void linspace_f32(float lo, float hi, int64_t n, float *out)
{
    if (n == 1) {
        out[0] = lo;
        return;
    }
    const float step = (hi - lo) / (float)(n - 1);
    for (int64_t i = 0; i < n; i++)
        out[i] = i < n / 2 ? lo + step * (float)i : hi - step * (float)(n - 1 - i);
}

static vdk_status check(vdk_context *ctx, const vdk_svd_sampler_params *p, const vdk_tensor *image,
                        const vdk_tensor *latents, char *msg, size_t msg_size)
{
    static const char where[] = "vdk_svd_sample";
    if (!ctx || !p || !image || !latents) {
        vdk_pipe_say(msg, msg_size, "%s: %s is NULL", where,
                     !ctx     ? "ctx"
                     : !p     ? "p"
                     : !image ? "image"
                              : "latents");
        return VDK_ERROR_NULL_POINTER;
    }
    if (!p->denoise) {
        vdk_pipe_say(msg, msg_size, "%s: p->denoise is NULL", where);
        return VDK_ERROR_NULL_POINTER;
    }
    if (p->steps < 1 || p->steps > VDK_SVD_MAX_STEPS) {
        vdk_pipe_say(msg, msg_size, "%s: p->steps is %d, expected 1 to %d", where, p->steps,
                     VDK_SVD_MAX_STEPS);
        return VDK_ERROR_INVALID_VALUE;
    }
    if (!isfinite(p->min_guidance_scale) || !isfinite(p->max_guidance_scale)) {
        vdk_pipe_say(msg, msg_size, "%s: guidance scales %g, %g are not finite", where,
                     p->min_guidance_scale, p->max_guidance_scale);
        return VDK_ERROR_INVALID_VALUE;
    }
    if (p->min_guidance_scale > 1.0f && !vdk_svd_sampler_guided(p)) {
        vdk_pipe_say(
            msg, msg_size,
            "%s: min_guidance_scale %g > 1 >= max_guidance_scale %g: diffusers encodes the "
            "image without guidance, then guides (and fails)",
            where, p->min_guidance_scale, p->max_guidance_scale);
        return VDK_ERROR_INVALID_VALUE;
    }
    if (vdk_tensor_context(image) != ctx || vdk_tensor_context(latents) != ctx) {
        vdk_pipe_say(msg, msg_size, "%s: %s belongs to another context", where,
                     vdk_tensor_context(image) != ctx ? "image" : "latents");
        return VDK_ERROR_CONTEXT;
    }
    if (vdk_tensor_dtype(image) != vdk_tensor_dtype(latents)) {
        vdk_pipe_say(msg, msg_size, "%s: image is %s, latents %s; expected one dtype", where,
                     vdk_dtype_name(vdk_tensor_dtype(image)),
                     vdk_dtype_name(vdk_tensor_dtype(latents)));
        return VDK_ERROR_DTYPE;
    }
    if (vdk_tensor_rank(latents) != 5 || vdk_tensor_rank(image) != 5) {
        vdk_pipe_say(msg, msg_size, "%s: %s has rank %d, expected 5", where,
                     vdk_tensor_rank(latents) != 5 ? "latents" : "image",
                     vdk_tensor_rank(vdk_tensor_rank(latents) != 5 ? latents : image));
        return VDK_ERROR_RANK;
    }
    const int64_t T = vdk_tensor_dim(latents, 1), it = vdk_tensor_dim(image, 1);
    if (vdk_tensor_dim(image, 0) != vdk_tensor_dim(latents, 0) || (it != 1 && it != T) ||
        vdk_tensor_dim(image, 2) != vdk_tensor_dim(latents, 2) ||
        vdk_tensor_dim(image, 3) != vdk_tensor_dim(latents, 3)) {
        vdk_pipe_say(
            msg, msg_size,
            "%s: image [%lld, %lld, %lld, %lld, %lld] does not fit latents [%lld, %lld, %lld, "
            "%lld, %lld]: expected [N, 1 or T, h, w, Ci]",
            where, (long long)vdk_tensor_dim(image, 0), (long long)it,
            (long long)vdk_tensor_dim(image, 2), (long long)vdk_tensor_dim(image, 3),
            (long long)vdk_tensor_dim(image, 4), (long long)vdk_tensor_dim(latents, 0),
            (long long)T, (long long)vdk_tensor_dim(latents, 2),
            (long long)vdk_tensor_dim(latents, 3), (long long)vdk_tensor_dim(latents, 4));
        return VDK_ERROR_SHAPE;
    }
    return VDK_OK;
}

/* Computes the schedule, makes the work tensors and fills what stays fixed: model_in's
 * image channels (zeros for the unconditional half), the guidance ramp. */
static vdk_status setup(vdk_context *ctx, const vdk_svd_sampler_params *p, const vdk_tensor *image,
                        const vdk_tensor *latents, work *w, char *msg, size_t msg_size)
{
    const int guided = vdk_svd_sampler_guided(p);
    const vdk_dtype dt = vdk_tensor_dtype(latents);
    const int64_t N = vdk_tensor_dim(latents, 0), T = vdk_tensor_dim(latents, 1);
    const int64_t h = vdk_tensor_dim(latents, 2), wd = vdk_tensor_dim(latents, 3);
    const int64_t C = vdk_tensor_dim(latents, 4), Ci = vdk_tensor_dim(image, 4);
    const int64_t B = guided ? 2 * N : N;

    w->sigmas = malloc((size_t)(p->steps + 1) * sizeof *w->sigmas);
    w->timesteps = malloc((size_t)p->steps * sizeof *w->timesteps);
    w->t_batch = malloc((size_t)B * sizeof *w->t_batch);
    if (!w->sigmas || !w->timesteps || !w->t_batch) {
        vdk_pipe_say(msg, msg_size, "vdk_svd_sample: out of host memory for the schedule");
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    vdk_status st = vdk_svd_schedule(p->scheduler, p->steps, w->sigmas, w->timesteps,
                                     &w->init_noise_sigma, msg, msg_size);
    if (st != VDK_OK)
        return st;

    const int64_t in_shape[5] = {B, T, h, wd, C + Ci}, out_shape[5] = {B, T, h, wd, C};
    const char *what = "model_in";
    st = vdk_tensor_create(ctx, dt, 5, in_shape, &w->model_in);
    if (st == VDK_OK) {
        what = "model_out";
        st = vdk_tensor_create(ctx, dt, 5, out_shape, &w->model_out);
    }
    if (st == VDK_OK) {
        what = "the views";
        st = block_view(w->model_in, 0, N, 0, C, &w->noisy[0]);
    }
    if (st == VDK_OK && guided)
        st = block_view(w->model_in, N, N, 0, C, &w->noisy[1]);
    if (st == VDK_OK)
        st = block_view(w->model_in, B - N, N, C, Ci, &w->image);
    if (st == VDK_OK && guided)
        st = vdk_tensor_slice(w->model_out, 0, 0, N, &w->uncond);
    if (st == VDK_OK && guided)
        st = vdk_tensor_slice(w->model_out, 0, N, N, &w->cond);
    if (st == VDK_OK && guided) {
        what = "the guidance ramp";
        const int64_t ramp_shape[5] = {1, T, 1, 1, 1};
        st = vdk_tensor_create(ctx, dt, 5, ramp_shape, &w->ramp);
        float *g = st == VDK_OK ? malloc((size_t)T * sizeof *g) : NULL;
        if (st == VDK_OK && !g)
            st = VDK_ERROR_OUT_OF_MEMORY;
        if (st == VDK_OK) {
            linspace_f32(p->min_guidance_scale, p->max_guidance_scale, T, g);
            st = vdk_tensor_write(w->ramp, VDK_F32, g, T);
        }
        free(g);
    }
    if (st == VDK_OK) {
        what = "model_in's zeros";
        /* torch.zeros_like for the unconditional image latents; writing all of
         * model_in also leaves no element unset. */
        const int64_t n = B * T * h * wd * (C + Ci);
        float *zeros = calloc((size_t)n, sizeof *zeros);
        st = zeros ? vdk_tensor_write(w->model_in, VDK_F32, zeros, n) : VDK_ERROR_OUT_OF_MEMORY;
        free(zeros);
    }
    if (st == VDK_OK) {
        what = "the image latents";
        /* image_latents.unsqueeze(1).repeat(1, num_frames, 1, 1, 1): a nearest
         * up-sampling in time, a copy when the image already has T frames. */
        const vdk_upsample_params up = {{(int)(T / vdk_tensor_dim(image, 1)), 1, 1}};
        st = vdk_upsample(ctx, &up, image, w->image);
    }
    if (st != VDK_OK) {
        vdk_pipe_say(msg, msg_size, "vdk_svd_sample: %s: %s: %s", what, vdk_status_string(st),
                     vdk_last_error(ctx));
        return st;
    }
    return VDK_OK;
}

vdk_status vdk_svd_sample(vdk_context *ctx, const vdk_svd_sampler_params *p,
                          const vdk_tensor *image, vdk_tensor *latents, char *msg, size_t msg_size)
{
    vdk_status st = check(ctx, p, image, latents, msg, msg_size);
    if (st != VDK_OK)
        return st;
    work w = {0};
    st = setup(ctx, p, image, latents, &w, msg, msg_size);
    if (st != VDK_OK) {
        work_free(&w);
        return st;
    }
    const int guided = vdk_svd_sampler_guided(p);
    const int64_t B = vdk_tensor_dim(w.model_in, 0);
    const vdk_binary_params add = {.op = VDK_BINARY_ADD};
    const vdk_blend_params blend = {0};
    const char *what = "init_noise_sigma";
    int i = 0;

    /* prepare_latents: latents * init_noise_sigma (a float32 scalar). */
    vdk_unary_params affine = {.op = VDK_UNARY_AFFINE, .alpha = (float)w.init_noise_sigma};
    st = vdk_unary(ctx, &affine, latents, latents);

    for (; i < p->steps && st == VDK_OK; i++) {
        const double sigma = w.sigmas[i], next = w.sigmas[i + 1];
        const double c_in = 1.0 / sqrt(sigma * sigma + 1.0);
        /* torch.cat([latents] * 2), scale_model_input (latents / sqrt(sigma^2 + 1)),
         * torch.cat([latent_model_input, image_latents], dim=2): c_in x goes
         * straight into the noisy channels of each half of model_in. */
        what = "c_in x";
        affine.alpha = (float)c_in;
        for (int half = 0; half < (guided ? 2 : 1) && st == VDK_OK; half++)
            st = vdk_unary(ctx, &affine, latents, w.noisy[half]);
        if (st != VDK_OK)
            break;

        what = "the denoiser";
        for (int64_t b = 0; b < B; b++)
            w.t_batch[b] = (float)w.timesteps[i];
        st = p->denoise(p->denoise_user, w.model_in, w.t_batch, w.model_out);
        if (st != VDK_OK)
            break;

        /* uncond + g (cond - uncond), as the blend g cond + (1 - g) uncond,
         * written over the unconditional half. */
        vdk_tensor *v = w.model_out;
        if (guided) {
            what = "guidance";
            st = vdk_blend(ctx, &blend, w.cond, w.uncond, w.ramp, w.uncond);
            if (st != VDK_OK)
                break;
            v = w.uncond;
        }

        /* step() for v-prediction with gamma 0:
         *   denoised = v (-sigma c_in) + x c_in^2,  x' = x + (x - denoised) / sigma dt,
         * that is x' = a x + b v with a = 1 + (1 - c_in^2) dt / sigma, b = c_in dt
         * (a >= c_in^2 > 0 as sigma_next >= 0). In f32 storage the three passes
         * round as one pass of a x + b v would. */
        what = "the Euler step";
        const double dt = next - sigma;
        const double a = 1.0 + (1.0 - c_in * c_in) * dt / sigma, b = c_in * dt;
        affine.alpha = (float)b;
        st = vdk_unary(ctx, &affine, v, v);
        if (st == VDK_OK) {
            affine.alpha = (float)a;
            st = vdk_unary(ctx, &affine, latents, latents);
        }
        if (st == VDK_OK)
            st = vdk_binary(ctx, &add, latents, v, latents);
        if (st == VDK_OK && p->progress) {
            what = "the progress callback";
            st = p->progress(p->progress_user, i, p->steps, sigma, w.timesteps[i]);
        }
        if (st != VDK_OK)
            break;
    }
    if (st != VDK_OK)
        vdk_pipe_say(msg, msg_size, "vdk_svd_sample: step %d: %s: %s: %s", i, what,
                     vdk_status_string(st), vdk_last_error(ctx));
    work_free(&w);
    return st;
}
