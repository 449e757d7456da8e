/* The sampler around Lumiere's denoiser (pipelines/lumiere/sampler.c): the
 * schedule against diffusers' DDIMScheduler, and the loop with a toy denoiser
 * against the same loop on the host in double, on every backend and dtype. */
#include "vt_pipeline.h"

#include "lumiere/sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* DDIMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2",
 * set_alpha_to_one=True, timestep_spacing=..., steps_offset=...) of diffusers
 * 0.27.2, set_timesteps(steps), with alphas_cumprod recomputed in float64 from
 * the same betas formula (diffusers holds them in float32): timesteps,
 * alphas_cumprod[t] and the alpha of DDIM's target t - 1000 // steps (1 below 0). */
typedef struct sched_case {
    vdk_lumiere_spacing spacing;
    int offset, steps;
    int t[7];
    double abar[7], prev[7];
} sched_case;

static const sched_case cases[] = {
    {VDK_LUMIERE_SPACING_TRAILING, 0, 1, {999}, {2.4287669070348567e-09}, {1}},
    {VDK_LUMIERE_SPACING_TRAILING,
     0,
     3,
     {999, 666, 332},
     {2.4287669070348567e-09, 0.24600055807736526, 0.7433376746942405},
     {0.24600055807736526, 0.74197475310672301, 1}},
    {VDK_LUMIERE_SPACING_TRAILING,
     0,
     4,
     {999, 749, 499, 249},
     {2.4287669070348567e-09, 0.14427210238573596, 0.49384359044063819, 0.84701216132690504},
     {0.14427210238573596, 0.49384359044063819, 0.84701216132690504, 1}},
    {VDK_LUMIERE_SPACING_TRAILING,
     0,
     7,
     {999, 856, 713, 570, 428, 285, 142},
     {2.4287669070348567e-09, 0.048849212741619852, 0.18585335200073175, 0.38424640072321825,
      0.60374479731859887, 0.80450574193688118, 0.94579165344608362},
     {0.048179546107943207, 0.18464242038250495, 0.38273077957370932, 0.60374479731859887,
      0.80326776717184989, 0.94508277877491531, 0.99995871577517803}},
    {VDK_LUMIERE_SPACING_LEADING,
     1,
     4,
     {751, 501, 251, 1},
     {0.14208865722621383, 0.49072683015029583, 0.84476045261880983, 0.99991257592736782},
     {0.49072683015029583, 0.84476045261880983, 0.99991257592736782, 1}},
    {VDK_LUMIERE_SPACING_LEADING,
     1,
     7,
     {853, 711, 569, 427, 285, 143, 1},
     {0.050884484615426835, 0.18828436015468389, 0.38576314700691133, 0.60526900642352,
      0.80450574193688118, 0.94508277877491531, 0.99991257592736782},
     {0.18828436015468389, 0.38576314700691133, 0.60526900642352, 0.80450574193688118,
      0.94508277877491531, 0.99991257592736782, 1}},
};

static void test_schedule(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const sched_case *c = &cases[i];
        vdk_lumiere_scheduler_config cfg = vdk_lumiere_scheduler_config_default();
        cfg.spacing = c->spacing;
        cfg.steps_offset = c->offset;
        int t[7];
        double abar[7], prev[7];
        char msg[256];
        vdk_status st = vdk_lumiere_schedule(&cfg, c->steps, t, abar, prev, msg, sizeof msg);
        if (!VT_CHECK(st == VDK_OK, "schedule %d steps: %s", c->steps, msg))
            continue;
        for (int s = 0; s < c->steps; s++) {
            VT_CHECK(t[s] == c->t[s], "%s %d steps: timestep %d is %d, diffusers %d",
                     c->spacing ? "leading" : "trailing", c->steps, s, t[s], c->t[s]);
            VT_CHECK(fabs(abar[s] / c->abar[s] - 1) < 1e-13 &&
                         fabs(prev[s] / c->prev[s] - 1) < 1e-13,
                     "%d steps, step %d: alpha_bar %.17g / %.17g, diffusers %.17g / %.17g",
                     c->steps, s, abar[s], prev[s], c->abar[s], c->prev[s]);
        }
    }
    /* The default is the leading case with steps_offset 1. */
    int t[4];
    double abar[4], prev[4];
    VT_CHECK(vdk_lumiere_schedule(NULL, 4, t, abar, prev, NULL, 0) == VDK_OK && t[0] == 751 &&
                 t[3] == 1 && prev[3] == 1.0,
             "default schedule");
    char msg[256];
    VT_CHECK(vdk_lumiere_schedule(NULL, 0, t, abar, prev, msg, sizeof msg) ==
                     VDK_ERROR_INVALID_VALUE &&
                 strstr(msg, "steps is 0"),
             "0 steps: %s", msg);
    vdk_lumiere_scheduler_config cfg = vdk_lumiere_scheduler_config_default();
    cfg.spacing = VDK_LUMIERE_SPACING_LEADING;
    cfg.steps_offset = 250;
    VT_CHECK(vdk_lumiere_schedule(&cfg, 4, t, abar, prev, msg, sizeof msg) ==
                     VDK_ERROR_INVALID_VALUE &&
                 strstr(msg, "steps_offset 250"),
             "offset past the end: %s", msg);
    cfg = vdk_lumiere_scheduler_config_default();
    cfg.max_beta = 1;
    VT_CHECK(vdk_lumiere_schedule(&cfg, 4, t, abar, prev, msg, sizeof msg) ==
                     VDK_ERROR_INVALID_VALUE &&
                 strstr(msg, "max_beta"),
             "max_beta 1: %s", msg);
}

/* The toy denoiser, per half of the batch: eps = k x + c t / 1000 (the
 * unconditional half k = 0.9, c = 0.1; the conditional one 0.7, -0.2). */
static const float toy_k[2] = {0.9f, 0.7f}, toy_c[2] = {0.1f, -0.2f};

typedef struct toy {
    vdk_context *ctx;
    int calls, batch_seen, bad_timesteps;
    int64_t n; /* clips */
    int want_t[8];
} toy;

static vdk_status toy_denoise(void *user, vdk_tensor *x_in, const double *timesteps,
                              vdk_tensor *eps)
{
    toy *d = user;
    const int64_t B = vdk_tensor_dim(x_in, 0);
    d->batch_seen = (int)B;
    for (int64_t b = 0; b < B; b++)
        d->bad_timesteps += timesteps[b] != d->want_t[d->calls];
    d->calls++;
    const int guided = B == 2 * d->n;
    vdk_status st = VDK_OK;
    for (int h = guided ? 0 : 1; h < 2 && st == VDK_OK; h++) {
        vdk_tensor *xs = NULL, *es = NULL;
        const int64_t start = guided ? h * d->n : 0;
        st = vdk_tensor_slice(x_in, 0, start, d->n, &xs);
        if (st == VDK_OK)
            st = vdk_tensor_slice(eps, 0, start, d->n, &es);
        const vdk_unary_params p = {.op = VDK_UNARY_AFFINE,
                                    .alpha = toy_k[h],
                                    .beta = (float)(toy_c[h] * timesteps[0] / 1000)};
        if (st == VDK_OK)
            st = vdk_unary(d->ctx, &p, xs, es);
        vdk_tensor_destroy(xs);
        vdk_tensor_destroy(es);
    }
    return st;
}

/* The same loop on the host in double, with the float constants the sampler
 * hands vdk's operators. */
static void host_loop(double *x, int64_t count, int steps, float g, int guided)
{
    int t[8];
    double abar[8], prev[8];
    if (vdk_lumiere_schedule(NULL, steps, t, abar, prev, NULL, 0))
        vt_fatal("schedule");
    for (int i = 0; i < steps; i++) {
        const double a = sqrt(prev[i] / abar[i]),
                     b = sqrt(1.0 - prev[i]) - sqrt(prev[i] * (1.0 - abar[i]) / abar[i]);
        const double mix = (float)(a / (a + b)), scale = (float)(a + b);
        const double cu = (float)((double)toy_c[0] * t[i] / 1000),
                     cc = (float)((double)toy_c[1] * t[i] / 1000);
        for (int64_t j = 0; j < count; j++) {
            const double eu = (double)toy_k[0] * x[j] + cu, ec = (double)toy_k[1] * x[j] + cc;
            const double e = guided ? (double)g * ec + (1.0 - (double)g) * eu : ec;
            x[j] = scale * (mix * x[j] + (1.0 - mix) * e);
        }
    }
}

enum { N = 2, T = 2, H = 3, W = 4, C = 3, STEPS = 4 };

static void run_loop(vdk_context *ctx, vdk_dtype dt, float g, const char *what)
{
    const int64_t shape[5] = {N, T, H, W, C}, count = (int64_t)N * T * H * W * C;
    vdk_tensor *x = vp_input(ctx, dt, "lumiere.sampler.noise", 1, 5, shape, 1.0f);
    double *want = vt_read(x); /* the inputs as stored */
    const int guided = g > 1;
    host_loop(want, count, STEPS, g, guided);
    toy d = {.ctx = ctx, .n = N};
    int t[STEPS];
    double abar[STEPS], prev[STEPS];
    vdk_lumiere_schedule(NULL, STEPS, t, abar, prev, NULL, 0);
    memcpy(d.want_t, t, sizeof t);
    const vdk_lumiere_sampler_params p = {
        .steps = STEPS, .guidance_scale = g, .denoise = toy_denoise, .denoise_user = &d};
    char msg[512];
    vdk_status st = vdk_lumiere_sample(ctx, &p, x, msg, sizeof msg);
    if (VT_CHECK(st == VDK_OK, "%s: %s", what, msg)) {
        double *got = vt_read(x);
        const double err = vp_rel_rms(got, want, count);
        /* Each step rounds eps and x to storage (measured: 1.4 u in f16 and bf16,
         * 0.6 u to 1.2 u in f32, 0 in f64: the host loop is the same arithmetic,
         * and the blend's cancellation is done in f32 or better). */
        const double bound = 4.0 * STEPS * vt_unit_roundoff(dt);
        printf("  %-22s rel rms %.3g (bound %.3g)\n", what, err, bound);
        VT_CHECK(err <= bound, "%s: rel rms %.3g over %.3g", what, err, bound);
        free(got);
    }
    VT_CHECK(d.calls == STEPS && d.batch_seen == (guided ? 2 * N : N) && d.bad_timesteps == 0,
             "%s: the denoiser saw %d calls, batch %d, %d wrong timesteps", what, d.calls,
             d.batch_seen, d.bad_timesteps);
    free(want);
    vdk_tensor_destroy(x);
}

static vdk_status count_progress(void *user, int step, int steps, int timestep, double alpha_bar)
{
    int *calls = user;
    (void)steps;
    (void)timestep;
    (void)alpha_bar;
    if (step != *calls)
        return VDK_ERROR_INTERNAL;
    return ++*calls == 2 ? VDK_ERROR_INVALID_VALUE : VDK_OK; /* stop after the second */
}

static void test_arguments(vdk_context *ctx)
{
    const int64_t shape[5] = {1, 2, 2, 2, 3}, flat[2] = {4, 3};
    vdk_tensor *x = vt_tensor(ctx, VDK_F32, 5, shape), *x2 = vt_tensor(ctx, VDK_F32, 2, flat);
    toy d = {.ctx = ctx, .n = 1};
    vdk_lumiere_sampler_params p = {
        .steps = 4, .guidance_scale = 1, .denoise = toy_denoise, .denoise_user = &d};
    char msg[512];
    VT_CHECK(vdk_lumiere_sample(ctx, &p, x2, msg, sizeof msg) == VDK_ERROR_RANK &&
                 strstr(msg, "rank 2"),
             "rank: %s", msg);
    p.denoise = NULL;
    VT_CHECK(vdk_lumiere_sample(ctx, &p, x, msg, sizeof msg) == VDK_ERROR_NULL_POINTER &&
                 strstr(msg, "denoise"),
             "no denoiser: %s", msg);
    p.denoise = toy_denoise;
    p.guidance_scale = NAN;
    VT_CHECK(vdk_lumiere_sample(ctx, &p, x, msg, sizeof msg) == VDK_ERROR_INVALID_VALUE &&
                 strstr(msg, "guidance_scale"),
             "NaN guidance: %s", msg);
    p.guidance_scale = 1;
    p.steps = 1001;
    VT_CHECK(vdk_lumiere_sample(ctx, &p, x, msg, sizeof msg) == VDK_ERROR_INVALID_VALUE &&
                 strstr(msg, "steps is 1001"),
             "1001 steps: %s", msg);
    /* A progress callback's failure stops the loop with its status. */
    int calls = 0;
    vt_fill_uniform(x, 3, -1, 1);
    p.steps = 4;
    p.progress = count_progress;
    p.progress_user = &calls;
    d.want_t[0] = 751;
    d.want_t[1] = 501;
    VT_CHECK(vdk_lumiere_sample(ctx, &p, x, msg, sizeof msg) == VDK_ERROR_INVALID_VALUE &&
                 calls == 2 && d.calls == 2 && strstr(msg, "step 1: the progress callback"),
             "progress stop: %d calls: %s", calls, msg);
    vdk_tensor_destroy(x);
    vdk_tensor_destroy(x2);
}

int main(void)
{
    test_schedule();
    vdk_context *ref = vt_context(VDK_BACKEND_REFERENCE), *cpu = vt_context(VDK_BACKEND_CPU);
    test_arguments(ref);
    const vdk_dtype dtypes[] = {VDK_F64, VDK_F32, VDK_F16, VDK_BF16};
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++) {
        vdk_context *ctxs[3] = {ref, dtypes[i] == VDK_F64 ? NULL : cpu,
                                dtypes[i] == VDK_F32 || dtypes[i] == VDK_F16 ? vt_vulkan() : NULL};
        for (int b = 0; b < 3; b++)
            for (int guided = 0; guided < 2 && ctxs[b]; guided++) {
                char what[64];
                snprintf(what, sizeof what, "%s %s %s",
                         vdk_backend_name(vdk_context_backend(ctxs[b])), vdk_dtype_name(dtypes[i]),
                         guided ? "guided" : "unguided");
                run_loop(ctxs[b], dtypes[i], guided ? 3.0f : 1.0f, what);
            }
    }
    vdk_context_destroy(cpu);
    vdk_context_destroy(ref);
    return vt_finish("lumiere_sampler");
}
