/* DDIM with the cosine schedule around Lumiere's denoiser: the schedule on the
 * host in double, the loop as vdk calls (sampler.h gives the formulas). */
#include "lumiere/sampler.h"
#include "common/message.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

vdk_lumiere_scheduler_config vdk_lumiere_scheduler_config_default(void)
{
    const vdk_lumiere_scheduler_config c = {.train_steps = 1000,
                                            .cosine_s = 0.008,
                                            .max_beta = 0.999,
                                            .spacing = VDK_LUMIERE_SPACING_LEADING,
                                            .steps_offset = 1,
                                            .final_alpha_one = 1};
    return c;
}

static double cosine_abar(const vdk_lumiere_scheduler_config *c, double x)
{
    const double half_pi = 1.5707963267948966;
    const double v = cos((x + c->cosine_s) / (1.0 + c->cosine_s) * half_pi);
    return v * v;
}

vdk_status vdk_lumiere_schedule(const vdk_lumiere_scheduler_config *c, int steps, int *timesteps,
                                double *alpha_bar, double *alpha_prev, char *msg, size_t msg_size)
{
    static const char where[] = "vdk_lumiere_schedule";
    const vdk_lumiere_scheduler_config def = vdk_lumiere_scheduler_config_default();
    if (!c)
        c = &def;
    if (!timesteps || !alpha_bar || !alpha_prev) {
        vdk_pipe_say(msg, msg_size, "%s: timesteps, alpha_bar and alpha_prev must not be NULL",
                     where);
        return VDK_ERROR_NULL_POINTER;
    }
    const int train = c->train_steps;
    if (train < 1 || train > VDK_LUMIERE_MAX_TRAIN_STEPS) {
        vdk_pipe_say(msg, msg_size, "%s: train_steps %d is outside [1, %d]", where, train,
                     VDK_LUMIERE_MAX_TRAIN_STEPS);
        return VDK_ERROR_INVALID_VALUE;
    }
    if (!(c->cosine_s >= 0) || !(c->max_beta > 0 && c->max_beta < 1) || (int)c->spacing < 0 ||
        c->spacing >= VDK_LUMIERE_SPACING_COUNT) {
        vdk_pipe_say(
            msg, msg_size,
            "%s: cosine_s %g must be >= 0, max_beta %g in (0, 1), spacing %d trailing or leading",
            where, c->cosine_s, c->max_beta, (int)c->spacing);
        return VDK_ERROR_INVALID_VALUE;
    }
    if (steps < 1 || steps > train) {
        vdk_pipe_say(msg, msg_size, "%s: steps is %d, expected 1 to train_steps %d", where, steps,
                     train);
        return VDK_ERROR_INVALID_VALUE;
    }
    const int k = train / steps;
    if (c->spacing == VDK_LUMIERE_SPACING_LEADING &&
        (c->steps_offset < 0 || (steps - 1) * k + c->steps_offset >= train)) {
        vdk_pipe_say(msg, msg_size, "%s: steps_offset %d puts a timestep outside [0, %d)", where,
                     c->steps_offset, train);
        return VDK_ERROR_INVALID_VALUE;
    }
    double *ac = malloc((size_t)train * sizeof *ac);
    if (!ac) {
        vdk_pipe_say(msg, msg_size, "%s: out of host memory", where);
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    double prod = 1.0;
    for (int j = 0; j < train; j++) {
        const double beta =
            fmin(1.0 - cosine_abar(c, (double)(j + 1) / train) / cosine_abar(c, (double)j / train),
                 c->max_beta);
        prod *= 1.0 - beta;
        ac[j] = prod;
    }
    const double step = (double)train / steps; /* numpy's arange(train, 0, -train/steps) */
    for (int i = 0; i < steps; i++) {
        const int t = c->spacing == VDK_LUMIERE_SPACING_TRAILING
                          ? (int)nearbyint((double)train - i * step) - 1
                          : (steps - 1 - i) * k + c->steps_offset;
        timesteps[i] = t;
        alpha_bar[i] = ac[t];
        alpha_prev[i] = t - k >= 0 ? ac[t - k] : c->final_alpha_one ? 1.0 : ac[0];
    }
    free(ac);
    return VDK_OK;
}

int vdk_lumiere_sampler_guided(const vdk_lumiere_sampler_params *p)
{
    return p && p->guidance_scale > 1.0f;
}

/* The loop's tensors and the host schedule. */
typedef struct work {
    int *timesteps;
    double *alpha_bar, *alpha_prev, *t_batch;
    vdk_tensor *x_in, *eps;    /* [B, T, H, W, C] */
    vdk_tensor *half[2];       /* x_in's unconditional and conditional halves (guided) */
    vdk_tensor *uncond, *cond; /* eps's halves (guided) */
} work;

static void work_free(work *w)
{
    free(w->timesteps);
    free(w->alpha_bar);
    free(w->alpha_prev);
    free(w->t_batch);
    vdk_tensor_destroy(w->half[0]);
    vdk_tensor_destroy(w->half[1]);
    vdk_tensor_destroy(w->uncond);
    vdk_tensor_destroy(w->cond);
    vdk_tensor_destroy(w->x_in);
    vdk_tensor_destroy(w->eps);
}

static vdk_status check(vdk_context *ctx, const vdk_lumiere_sampler_params *p, const vdk_tensor *x,
                        char *msg, size_t msg_size)
{
    static const char where[] = "vdk_lumiere_sample";
    if (!ctx || !p || !x || !p->denoise) {
        vdk_pipe_say(msg, msg_size, "%s: ctx, p, x and p->denoise must not be NULL", where);
        return VDK_ERROR_NULL_POINTER;
    }
    if (!isfinite(p->guidance_scale)) {
        vdk_pipe_say(msg, msg_size, "%s: p->guidance_scale %g is not finite", where,
                     (double)p->guidance_scale);
        return VDK_ERROR_INVALID_VALUE;
    }
    if (vdk_tensor_context(x) != ctx) {
        vdk_pipe_say(msg, msg_size, "%s: x belongs to another context", where);
        return VDK_ERROR_CONTEXT;
    }
    if (vdk_tensor_rank(x) != 5) {
        vdk_pipe_say(msg, msg_size, "%s: x has rank %d, expected 5 [N, T, H, W, C]", where,
                     vdk_tensor_rank(x));
        return VDK_ERROR_RANK;
    }
    return VDK_OK;
}

static vdk_status setup(vdk_context *ctx, const vdk_lumiere_sampler_params *p, const vdk_tensor *x,
                        work *w, char *msg, size_t msg_size)
{
    const int guided = vdk_lumiere_sampler_guided(p);
    const int64_t N = vdk_tensor_dim(x, 0), B = guided ? 2 * N : N;
    const int steps = p->steps > 0 ? p->steps : 1;
    w->timesteps = malloc((size_t)steps * sizeof *w->timesteps);
    w->alpha_bar = malloc((size_t)steps * sizeof *w->alpha_bar);
    w->alpha_prev = malloc((size_t)steps * sizeof *w->alpha_prev);
    w->t_batch = malloc((size_t)B * sizeof *w->t_batch);
    if (!w->timesteps || !w->alpha_bar || !w->alpha_prev || !w->t_batch) {
        vdk_pipe_say(msg, msg_size, "vdk_lumiere_sample: out of host memory for the schedule");
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    vdk_status st = vdk_lumiere_schedule(p->scheduler, p->steps, w->timesteps, w->alpha_bar,
                                         w->alpha_prev, msg, msg_size);
    if (st != VDK_OK)
        return st;
    int64_t shape[5];
    for (int i = 0; i < 5; i++)
        shape[i] = vdk_tensor_dim(x, i);
    shape[0] = B;
    st = vdk_tensor_create(ctx, vdk_tensor_dtype(x), 5, shape, &w->eps);
    if (st == VDK_OK && guided) {
        st = vdk_tensor_create(ctx, vdk_tensor_dtype(x), 5, shape, &w->x_in);
        if (st == VDK_OK)
            st = vdk_tensor_slice(w->x_in, 0, 0, N, &w->half[0]);
        if (st == VDK_OK)
            st = vdk_tensor_slice(w->x_in, 0, N, N, &w->half[1]);
        if (st == VDK_OK)
            st = vdk_tensor_slice(w->eps, 0, 0, N, &w->uncond);
        if (st == VDK_OK)
            st = vdk_tensor_slice(w->eps, 0, N, N, &w->cond);
    }
    if (st != VDK_OK)
        vdk_pipe_say(msg, msg_size, "vdk_lumiere_sample: work tensors: %s: %s",
                     vdk_status_string(st), vdk_last_error(ctx));
    return st;
}

vdk_status vdk_lumiere_sample(vdk_context *ctx, const vdk_lumiere_sampler_params *p, vdk_tensor *x,
                              char *msg, size_t msg_size)
{
    vdk_status st = check(ctx, p, x, msg, msg_size);
    if (st != VDK_OK)
        return st;
    work w = {0};
    st = setup(ctx, p, x, &w, msg, msg_size);
    if (st != VDK_OK) {
        work_free(&w);
        return st;
    }
    const int guided = vdk_lumiere_sampler_guided(p);
    const int64_t B = vdk_tensor_dim(w.eps, 0);
    const vdk_unary_params copy = {.op = VDK_UNARY_AFFINE, .alpha = 1};
    const char *what = "";
    int i = 0;
    for (; i < p->steps && st == VDK_OK; i++) {
        /* Both halves see the same x: torch.cat([x] * 2). */
        what = "x for both halves";
        for (int h = 0; h < 2 && guided && st == VDK_OK; h++)
            st = vdk_unary(ctx, &copy, x, w.half[h]);
        if (st != VDK_OK)
            break;
        what = "the denoiser";
        for (int64_t b = 0; b < B; b++)
            w.t_batch[b] = w.timesteps[i];
        st = p->denoise(p->denoise_user, guided ? w.x_in : x, w.t_batch, w.eps);
        if (st != VDK_OK)
            break;
        /* eps_u + g (eps_c - eps_u) = g eps_c + (1 - g) eps_u, over eps_u. */
        vdk_tensor *eps = w.eps;
        if (guided) {
            what = "guidance";
            const vdk_blend_params g = {.alpha = p->guidance_scale};
            st = vdk_blend(ctx, &g, w.cond, w.uncond, NULL, w.uncond);
            eps = w.uncond;
        }
        /* x = A x + B eps as (A + B) blend(A / (A + B); x, eps): A x and B eps
         * nearly cancel early on, and the blend subtracts them in f32. */
        what = "the DDIM step";
        const double at = w.alpha_bar[i], ap = w.alpha_prev[i];
        const double a = sqrt(ap / at), b = sqrt(1.0 - ap) - sqrt(ap * (1.0 - at) / at);
        const vdk_blend_params mix = {.alpha = (float)(a / (a + b))};
        const vdk_unary_params scale = {.op = VDK_UNARY_AFFINE, .alpha = (float)(a + b)};
        if (st == VDK_OK)
            st = vdk_blend(ctx, &mix, x, eps, NULL, x);
        if (st == VDK_OK)
            st = vdk_unary(ctx, &scale, x, x);
        if (st == VDK_OK && p->progress) {
            what = "the progress callback";
            st = p->progress(p->progress_user, i, p->steps, w.timesteps[i], at);
        }
        if (st != VDK_OK)
            break;
    }
    if (st != VDK_OK)
        vdk_pipe_say(msg, msg_size, "vdk_lumiere_sample: step %d: %s: %s: %s", i, what,
                     vdk_status_string(st), vdk_last_error(ctx));
    work_free(&w);
    return st;
}
