/* SVD's sampler (pipelines/svd/sampler.c) against diffusers: the schedule of
 * set_timesteps for several step counts, and whole denoising loops with a toy
 * denoiser, both from tests/golden/svd_sampler.vgold (tools/golden_edm.py runs
 * diffusers' EulerDiscreteScheduler and the pipeline's guidance code). The loops
 * run on the reference backend, every CPU tier and Vulkan when present. */
#include "vdk_test.h"

#include "svd/sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static vt_golden_file golden;

/* One unit in the last place of a float32 at x. */
static double ulp_f32(double x)
{
    int e;
    frexp(x, &e);
    return ldexp(1.0, e - 24);
}

/* ---- the schedule ---- */

static void test_schedule(void)
{
    int cases = 0;
    for (int k = 0; k < golden.ncases; k++) {
        const vt_golden_case *c = &golden.cases[k];
        if (strncmp(c->name, "schedule_", 9) != 0)
            continue;
        cases++;
        const int n = (int)vt_golden_param(c, "steps");
        const vt_golden_tensor *gs = vt_golden_get(c, "sigmas"),
                               *gt = vt_golden_get(c, "timesteps"),
                               *gi = vt_golden_get(c, "init_noise_sigma");
        if (!gs || !gt || !gi || gs->numel != n + 1 || gt->numel != n)
            vt_fatal("%s: malformed case", c->name);
        double *sigmas = malloc((size_t)(n + 1) * sizeof *sigmas);
        double *timesteps = malloc((size_t)n * sizeof *timesteps);
        double init = 0;
        char msg[256] = "";
        if (!sigmas || !timesteps)
            vt_fatal("out of memory");
        VT_CHECK(vdk_svd_schedule(NULL, n, sigmas, timesteps, &init, msg, sizeof msg) == VDK_OK,
                 "%s: %s", c->name, msg);
        /* diffusers holds float32: the same float32 values, up to one ulp where
         * numpy's pow or torch's log rounds differently from this libm. */
        int off_sigma = 0, off_t = 0;
        for (int i = 0; i <= n; i++) {
            const double want = gs->data[i];
            VT_CHECK(fabs(sigmas[i] - want) <= ulp_f32(want), "%s: sigma[%d] %.9g, diffusers %.9g",
                     c->name, i, sigmas[i], want);
            off_sigma += sigmas[i] != want;
            VT_CHECK((double)(float)sigmas[i] == sigmas[i], "%s: sigma[%d] is not a float32",
                     c->name, i);
        }
        for (int i = 0; i < n; i++) {
            const double want = gt->data[i];
            VT_CHECK(fabs(timesteps[i] - want) <= ulp_f32(want),
                     "%s: timestep[%d] %.9g, "
                     "diffusers %.9g",
                     c->name, i, timesteps[i], want);
            off_t += timesteps[i] != want;
        }
        VT_CHECK(init == gi->data[0], "%s: init_noise_sigma %.9g, diffusers %.9g", c->name, init,
                 gi->data[0]);
        if (off_sigma || off_t)
            printf("  %s: %d sigmas, %d timesteps one float32 ulp off diffusers\n", c->name,
                   off_sigma, off_t);
        /* What the schedule is, whatever diffusers says: sigma_max first, sigma_min
         * last (steps > 1), falling, a trailing 0, c_noise = ln(sigma) / 4. */
        VT_CHECK(sigmas[0] == 700.0 && sigmas[n] == 0.0, "%s: ends %g, %g", c->name, sigmas[0],
                 sigmas[n]);
        VT_CHECK(n == 1 || sigmas[n - 1] == (double)0.002f, "%s: last sigma %.9g", c->name,
                 sigmas[n - 1]);
        for (int i = 0; i < n; i++) {
            VT_CHECK(sigmas[i + 1] < sigmas[i], "%s: sigma[%d] does not fall", c->name, i + 1);
            VT_CHECK(fabs(timesteps[i] - 0.25 * log(sigmas[i])) < 1e-6, "%s: timestep[%d]", c->name,
                     i);
        }
        free(sigmas);
        free(timesteps);
    }
    VT_CHECK(cases >= 3, "only %d schedule cases in the golden file", cases);

    /* init_noise_sigma without "leading" is sigma_max itself. */
    vdk_svd_scheduler_config cfg = vdk_svd_scheduler_config_svd();
    cfg.timestep_spacing = VDK_SVD_SPACING_LINSPACE;
    double s[3], t[2], init = 0;
    VT_CHECK(vdk_svd_schedule(&cfg, 2, s, t, &init, NULL, 0) == VDK_OK && init == 700.0,
             "linspace init_noise_sigma %g", init);

    /* Bad arguments name themselves. */
    char msg[256];
    VT_CHECK(vdk_svd_schedule(NULL, 0, s, t, NULL, msg, sizeof msg) == VDK_ERROR_INVALID_VALUE &&
                 strstr(msg, "steps"),
             "steps 0: %s", msg);
    VT_CHECK(vdk_svd_schedule(NULL, VDK_SVD_MAX_STEPS + 1, s, t, NULL, msg, sizeof msg) ==
                     VDK_ERROR_INVALID_VALUE &&
                 strstr(msg, "steps"),
             "too many steps: %s", msg);
    VT_CHECK(vdk_svd_schedule(NULL, 2, NULL, t, NULL, msg, sizeof msg) == VDK_ERROR_NULL_POINTER &&
                 strstr(msg, "sigmas"),
             "NULL sigmas: %s", msg);
    cfg = vdk_svd_scheduler_config_svd();
    cfg.sigma_min = 800.0;
    VT_CHECK(vdk_svd_schedule(&cfg, 2, s, t, NULL, msg, sizeof msg) == VDK_ERROR_INVALID_VALUE &&
                 strstr(msg, "sigma_min"),
             "sigma_min > sigma_max: %s", msg);
}

/* ---- the loop, with a toy denoiser ---- */

/* model_out = silu(model_in W^T + bias + t u) over the channels: the map of
 * tools/golden_edm.py's toy_denoiser, with vdk_linear. */
typedef struct toy {
    vdk_context *ctx;
    vdk_tensor *W, *bias;
    const double *bias0, *u;
    int64_t C, B;            /* output channels; the batch the sampler must hand over */
    const double *timesteps; /* the schedule's, to check what the sampler passes */
    int steps, calls;
    double *first_in;        /* model_in of the first call (vt_read) */
    vdk_status fail_at_call; /* VDK_OK, or this status on call `fail_call` */
    int fail_call;
} toy;

static vdk_status toy_denoise(void *user, vdk_tensor *model_in, const float *timestep,
                              vdk_tensor *model_out)
{
    toy *d = user;
    const int call = d->calls++;
    if (d->fail_at_call != VDK_OK && call == d->fail_call)
        return d->fail_at_call;
    VT_CHECK(vdk_tensor_dim(model_in, 0) == d->B && vdk_tensor_dim(model_out, 0) == d->B,
             "denoiser call %d: batch %lld, expected %lld", call,
             (long long)vdk_tensor_dim(model_in, 0), (long long)d->B);
    VT_CHECK(call < d->steps, "denoiser called %d times for %d steps", call + 1, d->steps);
    for (int64_t b = 0; b < d->B && call < d->steps; b++)
        VT_CHECK(timestep[b] == (float)d->timesteps[call],
                 "call %d: timestep[%lld] %.9g, "
                 "expected %.9g",
                 call, (long long)b, timestep[b], d->timesteps[call]);
    if (call == 0)
        d->first_in = vt_read(model_in);
    double bias[16];
    for (int64_t c = 0; c < d->C; c++)
        bias[c] = d->bias0[c] + (double)timestep[0] * d->u[c];
    vt_fill(d->bias, bias);
    const vdk_linear_params lp = {.act = VDK_ACT_SILU};
    return vdk_linear(d->ctx, &lp, model_in, d->W, d->bias, NULL, model_out);
}

typedef struct progress_log {
    int calls, stop_at;
    double sigma[64];
    int step[64];
} progress_log;

static vdk_status log_progress(void *user, int step, int steps, double sigma, double timestep)
{
    progress_log *l = user;
    (void)steps;
    (void)timestep;
    if (l->calls < 64) {
        l->step[l->calls] = step;
        l->sigma[l->calls] = sigma;
    }
    l->calls++;
    return step == l->stop_at ? VDK_ERROR_INVALID_VALUE : VDK_OK;
}

/* Runs one golden loop case on ctx in dtype and checks the first model input and
 * the result against diffusers' within bound (normalised squared error).
 * per_frame_image passes the image repeated over the frames. */
static void run_loop(vdk_context *ctx, const char *label, const vt_golden_case *c, vdk_dtype dt,
                     double bound, int per_frame_image)
{
    const int steps = (int)vt_golden_param(c, "steps");
    char tag[96];
    snprintf(tag, sizeof tag, "%s %s", label, vdk_dtype_name(dt));
    vdk_svd_sampler_params p = {
        .steps = steps,
        .min_guidance_scale = (float)vt_golden_param(c, "min_guidance_scale"),
        .max_guidance_scale = (float)vt_golden_param(c, "max_guidance_scale"),
        .denoise = toy_denoise,
    };
    const vt_golden_tensor *gnoise = vt_golden_get(c, "noise"), *gimage = vt_golden_get(c, "image");
    const vt_golden_tensor *gbias = vt_golden_get(c, "bias"), *gu = vt_golden_get(c, "u");
    const int64_t N = gnoise->shape[0], T = gnoise->shape[1];
    double *sigmas = malloc((size_t)(steps + 1) * sizeof *sigmas);
    double *timesteps = malloc((size_t)steps * sizeof *timesteps);
    if (!sigmas || !timesteps || gbias->numel > 16)
        vt_fatal("out of memory or a bias too long");
    vdk_svd_schedule(NULL, steps, sigmas, timesteps, NULL, NULL, 0);

    vdk_tensor *latents = vt_golden_make(ctx, c, "noise", dt);
    vdk_tensor *image = vt_golden_make(ctx, c, "image", dt);
    if (per_frame_image) {
        int64_t shape[5] = {N, T, gimage->shape[2], gimage->shape[3], gimage->shape[4]};
        vdk_tensor *rep = vt_tensor(ctx, dt, 5, shape);
        const vdk_upsample_params up = {{(int)T, 1, 1}};
        VT_STATUS(ctx, vdk_upsample(ctx, &up, image, rep), VDK_OK);
        vdk_tensor_destroy(image);
        image = rep;
    }
    const int64_t bshape[1] = {gbias->numel};
    toy d = {
        .ctx = ctx,
        .W = vt_golden_make(ctx, c, "W", dt),
        .bias = vt_tensor(ctx, dt, 1, bshape),
        .bias0 = gbias->data,
        .u = gu->data,
        .C = gbias->numel,
        .B = vdk_svd_sampler_guided(&p) ? 2 * N : N,
        .timesteps = timesteps,
        .steps = steps,
    };
    progress_log log = {.stop_at = -1};
    p.denoise_user = &d;
    p.progress = log_progress;
    p.progress_user = &log;

    char msg[512] = "";
    vdk_status st = vdk_svd_sample(ctx, &p, image, latents, msg, sizeof msg);
    VT_CHECK(st == VDK_OK, "%s %s: %s: %s", tag, c->name, vdk_status_string(st), msg);
    VT_CHECK(d.calls == steps && log.calls == steps,
             "%s %s: %d denoiser calls, %d progress "
             "calls for %d steps",
             tag, c->name, d.calls, log.calls, steps);
    for (int i = 0; i < log.calls && i < steps; i++)
        VT_CHECK(log.step[i] == i && log.sigma[i] == sigmas[i],
                 "%s %s: progress %d: step %d "
                 "sigma %g",
                 tag, c->name, i, log.step[i], log.sigma[i]);

    const vt_golden_tensor *want_in = vt_golden_get(c, "model_in0");
    if (d.first_in) {
        vt_error e = vt_compare(d.first_in, want_in->data, want_in->numel);
        VT_CHECK(vt_error_ok(e, bound),
                 "%s %s: first model input: norm_err %.3g (bound %.3g), "
                 "max_abs %.3g, bad %lld",
                 tag, c->name, e.norm_err, bound, e.max_abs, (long long)e.bad);
    }
    vt_error e = vt_compare_tensor(latents, vt_golden_get(c, "latents")->data);
    VT_CHECK(vt_error_ok(e, bound),
             "%s %s: latents: norm_err %.3g (bound %.3g), max_abs %.3g, "
             "bad %lld",
             tag, c->name, e.norm_err, bound, e.max_abs, (long long)e.bad);
    if (getenv("VDK_TEST_VERBOSE"))
        printf("  %s %s%s: norm_err %.3g, max_abs %.3g\n", tag, c->name,
               per_frame_image ? " (per-frame image)" : "", e.norm_err, e.max_abs);

    free(d.first_in);
    free(sigmas);
    free(timesteps);
    VT_DESTROY(latents, image, d.W, d.bias);
}

/* Normalised squared error against diffusers' float64 run: 8 units of the
 * storage type, to which the latents, model_in and model_out are rounded every
 * step, plus 16 float32 units for the float32 roundings in the golden values
 * themselves (diffusers' step() casts the sample to float32 and keeps sigma in
 * float32) and in the float coefficients here. Measured: about a tenth of it. */
static double loop_bound(vdk_dtype dt)
{
    const double rel = 8 * vt_unit_roundoff(dt) + 16 * vt_unit_roundoff(VDK_F32);
    return rel * rel;
}

static void test_loops(vdk_context *ctx, const char *label)
{
    int cases = 0;
    for (int k = 0; k < golden.ncases; k++) {
        const vt_golden_case *c = &golden.cases[k];
        if (strncmp(c->name, "loop_", 5) != 0)
            continue;
        cases++;
        run_loop(ctx, label, c, VDK_F32, loop_bound(VDK_F32), 0);
        run_loop(ctx, label, c, VDK_F16, loop_bound(VDK_F16), 0);
        run_loop(ctx, label, c, VDK_BF16, loop_bound(VDK_BF16), 0);
        if (!strcmp(c->name, "loop_cfg"))
            run_loop(ctx, label, c, VDK_F32, loop_bound(VDK_F32), 1);
    }
    VT_CHECK(cases >= 3, "only %d loop cases in the golden file", cases);
}

/* ---- arguments ---- */

static const vt_golden_case *find_case(const char *name)
{
    for (int k = 0; k < golden.ncases; k++)
        if (!strcmp(golden.cases[k].name, name))
            return &golden.cases[k];
    vt_fatal("no golden case %s", name);
}

static void test_bad_arguments(vdk_context *ctx)
{
    const vt_golden_case *c = find_case("loop_cfg");
    vdk_tensor *latents = vt_golden_make(ctx, c, "noise", VDK_F32);
    vdk_tensor *image = vt_golden_make(ctx, c, "image", VDK_F32);
    toy d = {.ctx = ctx, .fail_at_call = VDK_ERROR_INVALID_VALUE};
    const vdk_svd_sampler_params good = {.steps = 3,
                                         .min_guidance_scale = 1,
                                         .max_guidance_scale = 3,
                                         .denoise = toy_denoise,
                                         .denoise_user = &d};
    vdk_svd_sampler_params p;
    char msg[512];
    vt_snapshots snap = VT_SNAP(latents, image);

#define BAD(call, want, needle)                                                                    \
    do {                                                                                           \
        msg[0] = '\0';                                                                             \
        vdk_status s_ = (call);                                                                    \
        VT_CHECK(s_ == (want) && strstr(msg, needle), "%s: %s, \"%s\" (expected %s, \"%s\")",      \
                 #call, vdk_status_string(s_), msg, vdk_status_string(want), needle);              \
    } while (0)

    BAD(vdk_svd_sample(ctx, NULL, image, latents, msg, sizeof msg), VDK_ERROR_NULL_POINTER, "p");
    BAD(vdk_svd_sample(ctx, &good, NULL, latents, msg, sizeof msg), VDK_ERROR_NULL_POINTER,
        "image");
    p = good;
    p.denoise = NULL;
    BAD(vdk_svd_sample(ctx, &p, image, latents, msg, sizeof msg), VDK_ERROR_NULL_POINTER,
        "denoise");
    p = good;
    p.steps = 0;
    BAD(vdk_svd_sample(ctx, &p, image, latents, msg, sizeof msg), VDK_ERROR_INVALID_VALUE, "steps");
    p = good;
    p.min_guidance_scale = 2;
    p.max_guidance_scale = 1;
    BAD(vdk_svd_sample(ctx, &p, image, latents, msg, sizeof msg), VDK_ERROR_INVALID_VALUE,
        "min_guidance_scale");
    p = good;
    p.max_guidance_scale = NAN;
    BAD(vdk_svd_sample(ctx, &p, image, latents, msg, sizeof msg), VDK_ERROR_INVALID_VALUE,
        "guidance");
    const int64_t narrow_shape[5] = {1, 1, 2, 4, 4}; /* h 2, latents' 3 */
    vdk_tensor *narrow = vt_tensor(ctx, VDK_F32, 5, narrow_shape);
    BAD(vdk_svd_sample(ctx, &good, narrow, latents, msg, sizeof msg), VDK_ERROR_SHAPE, "image");
    vdk_tensor *other = vt_golden_make(vt_other_context(), c, "image", VDK_F32);
    BAD(vdk_svd_sample(ctx, &good, other, latents, msg, sizeof msg), VDK_ERROR_CONTEXT, "image");
    vdk_tensor *image64 = vt_golden_make(ctx, c, "image", VDK_F64);
    BAD(vdk_svd_sample(ctx, &good, image64, latents, msg, sizeof msg), VDK_ERROR_DTYPE, "f64");
    vdk_tensor *flat = NULL;
    const int64_t flat_shape[1] = {vdk_tensor_numel(image)};
    VT_STATUS(ctx, vdk_tensor_reshape(image, 1, flat_shape, &flat), VDK_OK);
    BAD(vdk_svd_sample(ctx, &good, flat, latents, msg, sizeof msg), VDK_ERROR_RANK, "image");
    VT_CHECK(vt_all_unchanged(&snap), "a rejected call changed a tensor");
    VT_CHECK(d.calls == 0, "the denoiser ran %d times on rejected calls", d.calls);

    /* A working toy for the two failures below. */
    const vt_golden_tensor *gb = vt_golden_get(c, "bias");
    const int64_t bshape[1] = {gb->numel};
    double ts[3], ss[4];
    vdk_svd_schedule(NULL, 3, ss, ts, NULL, NULL, 0);
    d.W = vt_golden_make(ctx, c, "W", VDK_F32);
    d.bias = vt_tensor(ctx, VDK_F32, 1, bshape);
    d.bias0 = gb->data;
    d.u = vt_golden_get(c, "u")->data;
    d.C = gb->numel;
    d.B = 2 * vdk_tensor_dim(latents, 0);
    d.timesteps = ts;
    d.steps = 3;

    /* A denoiser's failure stops the loop and comes back with the step named. */
    d.fail_call = 1;
    BAD(vdk_svd_sample(ctx, &good, image, latents, msg, sizeof msg), VDK_ERROR_INVALID_VALUE,
        "step 1: the denoiser");
    VT_CHECK(d.calls == 2, "the denoiser ran %d times, expected 2", d.calls);

    /* So does the progress callback's. */
    progress_log log = {.stop_at = 0};
    free(d.first_in);
    d.first_in = NULL;
    d.calls = 0;
    d.fail_at_call = VDK_OK;
    p = good;
    p.progress = log_progress;
    p.progress_user = &log;
    BAD(vdk_svd_sample(ctx, &p, image, latents, msg, sizeof msg), VDK_ERROR_INVALID_VALUE,
        "step 0: the progress callback");
    VT_CHECK(d.calls == 1 && log.calls == 1,
             "stopped at step 0 after %d denoiser calls, %d "
             "progress calls",
             d.calls, log.calls);
    free(d.first_in);
#undef BAD
    VT_DESTROY(latents, image, narrow, other, image64, flat, d.W, d.bias);
}

int main(void)
{
    golden = vt_golden_load("svd_sampler");
    test_schedule();
    vdk_context *ref = vt_context(VDK_BACKEND_REFERENCE);
    test_loops(ref, "reference");
    test_bad_arguments(ref);
    const vt_tiers *tiers = vt_cpu_tiers();
    for (int i = 0; i < tiers->n; i++) {
        char label[64];
        snprintf(label, sizeof label, "cpu %s", vdk_cpu_isa_name(tiers->isa[i]));
        test_loops(tiers->ctx[i], label);
    }
    vdk_context *vk = vt_vulkan();
    if (vk)
        test_loops(vk, "vulkan");
    vdk_context_destroy(ref);
    vt_golden_free(&golden);
    return vt_finish("svd_sampler");
}
