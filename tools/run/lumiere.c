/* vdk-run's Lumiere run: the STUNet (pipelines/lumiere/forward.h) inside the
 * DDIM sampler of pipelines/lumiere/sampler.h, on seeded weights (or a
 * safetensors file with the table's names) and seeded text tokens; Lumiere
 * works in pixel space, so there is no decoder. What is measured is the
 * sampler step: one STUNet pass on the batch (2N under guidance) and the
 * update. The SSR presets run the super-resolution stage instead: each step is
 * the SSR on every MultiDiffusion window of the video (lumiere/multidiffusion.h),
 * conditioned on a seeded base video up-sampled to the run's size, then the
 * update on the whole video. */
#include "run.h"

#include "lumiere/forward.h"
#include "lumiere/multidiffusion.h"
#include "lumiere/params.h"
#include "lumiere/sampler.h"
#include "lumiere/windows.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct denoiser {
    vdk_context *ctx;
    const vdk_lumiere_config *config;
    const vdk_weights *w;
    vdk_tensor *context; /* [B, L, Ctext]: zeros for the unconditional half */
    vdk_net_stats stats;
    char msg[512];
} denoiser;

static vdk_status denoise(void *user, vdk_tensor *x_in, const double *timesteps, vdk_tensor *eps)
{
    denoiser *d = user;
    const vdk_lumiere_inputs in = {.x = x_in, .timesteps = timesteps, .context = d->context};
    return vdk_lumiere_forward(d->ctx, d->config, d->w, &in, eps, &d->stats, d->msg, sizeof d->msg);
}

typedef struct progress {
    vdk_context *ctx;
    double last;
    double *step_ms;
    bool quiet;
    const vdk_net_stats *net; /* its FLOPs: the last pass's (the SSR: the last step's windows) */
    double window_last;       /* the SSR: when the last window ended */
    int window_frames;
} progress;

/* The SSR's windows, each a pass of its own (vdk_lumiere_forward waits for
 * its work): a line per window with its frames and time. */
static vdk_status on_window(void *user, int window, int windows, int start)
{
    progress *p = user;
    const double t = vr_now_ms();
    if (window == 0)
        p->window_last = p->last;
    if (!p->quiet)
        printf("  window %2d/%d  frames %3d-%-3d  %9.1f ms\n", window + 1, windows, start,
               start + p->window_frames - 1, t - p->window_last);
    p->window_last = t;
    fflush(stdout);
    return VDK_OK;
}

static vdk_status on_step(void *user, int step, int steps, int timestep, double alpha_bar)
{
    progress *p = user;
    vdk_status st = vdk_sync(p->ctx);
    const double t = vr_now_ms();
    p->step_ms[step] = t - p->last;
    p->last = t;
    if (!p->quiet)
        printf("step %3d/%d  t %4d  alpha_bar %.6f  %9.1f ms  %7.1f GFLOP/s\n", step + 1, steps,
               timestep, alpha_bar, p->step_ms[step], p->net->flops / (p->step_ms[step] * 1e6));
    fflush(stdout);
    return st;
}

/* The model's configuration: lumiere-a, lumiere-b, lumiere-tiny (the
 * preset vdk_lumiere_config names "tiny"; vdk-run's "tiny" is SVD's),
 * lumiere-ssr, lumiere-ssr-tiny. */
static bool lumiere_config(const char *model, vdk_lumiere_config *c)
{
    static const char *const names[][2] = {{"lumiere-a", "lumiere-a"},
                                           {"lumiere-b", "lumiere-b"},
                                           {"lumiere-tiny", "tiny"},
                                           {"lumiere-ssr", "lumiere-ssr"},
                                           {"lumiere-ssr-tiny", "lumiere-ssr-tiny"}};
    vdk_lumiere_preset preset;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(model, names[i][0]))
            return vdk_lumiere_preset_from_name(names[i][1], &preset) == VDK_OK &&
                   vdk_lumiere_config_preset(preset, c) == VDK_OK;
    return false;
}

int vr_run_lumiere(const vr_options *o)
{
    vdk_lumiere_config c;
    if (!lumiere_config(o->model, &c)) {
        fprintf(stderr,
                "vdk-run: unknown model '%s' (lumiere-a, lumiere-b, lumiere-tiny, lumiere-ssr, "
                "lumiere-ssr-tiny)\n",
                o->model);
        return 2;
    }
    if (o->decode) {
        fprintf(stderr, "vdk-run: %s works in pixel space: there is no decoder (--decode)\n",
                o->model);
        return 2;
    }
    /* The run's clip becomes the configuration's, so its check names what
     * does not divide. */
    if (o->frames)
        c.num_frames = o->frames;
    if (o->height)
        c.height = o->height;
    if (o->width)
        c.width = o->width;
    char msg[1024];
    if (o->batch < 1 || o->steps < 1) {
        fprintf(stderr, "vdk-run: batch %d and steps %d must be positive\n", o->batch, o->steps);
        return 2;
    }
    if (vdk_lumiere_config_check(&c, msg, sizeof msg) != VDK_OK) {
        fprintf(stderr, "vdk-run: %s: %s\n", o->model, msg);
        return 2;
    }
    /* The SSR: the run's size is its output's; the base video is 1/lowres_factor
     * of it. */
    const bool ssr = c.lowres_channels > 0;
    const int f = c.lowres_factor;
    if (ssr && (c.height % f || c.width % f)) {
        fprintf(stderr, "vdk-run: %s: --size %dx%d must be a multiple of lowres_factor %d\n",
                o->model, c.height, c.width, f);
        return 2;
    }
    vdk_lumiere_windows plan = {0};
    if (ssr && vdk_lumiere_windows_plan(c.num_frames, c.window_frames, c.window_overlap,
                                        c.num_windows, &plan, msg, sizeof msg) != VDK_OK) {
        fprintf(stderr, "vdk-run: %s: %s\n", o->model, msg);
        return 2;
    }
    vdk_context *ctx = NULL;
    vdk_dtype dt;
    const int rc_open = vr_open(o, &ctx, &dt);
    if (rc_open)
        return rc_open;
    const vdk_backend backend = vdk_context_backend(ctx);
    vdk_status st;

    vdk_param_table table;
    vdk_param_table_init(&table);
    vdk_lumiere_params(&c, &table);
    const int n = o->batch, frames = c.num_frames, height = c.height, width = c.width;
    const vdk_lumiere_scheduler_config sched = vdk_lumiere_scheduler_config_default();
    vdk_lumiere_sampler_params sp = {
        .steps = o->steps, .guidance_scale = o->max_guidance, .scheduler = &sched};
    const int guided = vdk_lumiere_sampler_guided(&sp), b = guided ? 2 * n : n;
    /* The SSR's noisy video has the input's channels but the conditioning's. */
    const int64_t xs[5] = {n, frames, height, width, c.in_channels - c.lowres_channels};
    const int64_t ts[3] = {n, c.text_length, c.cross_attention_dim},
                  cs[3] = {b, c.text_length, c.cross_attention_dim};
    const int64_t bs[5] = {n, frames, height / f, width / f, c.lowres_channels},
                  ls[5] = {n, frames, height, width, c.lowres_channels},
                  l2[5] = {b, frames, height, width, c.lowres_channels};
    vdk_tensor *x = NULL, *text = NULL, *context = NULL, *zero = NULL;
    vdk_tensor *base = NULL, *up = NULL, *lowres = NULL;
    vdk_weights *w = NULL;
    double *step_ms = calloc((size_t)o->steps, sizeof *step_ms);
    int rc = 1;
    vdk_device_info info;
    printf("vdk-run %s on %s%s%s, %s, batch %d x %d frames at %dx%d (pixels), %d steps, %s\n",
           o->model, vdk_backend_name(backend),
           vdk_context_device_info(ctx, &info) == VDK_OK ? " " : "",
           backend == VDK_BACKEND_VULKAN ? info.name : "", vdk_dtype_name(dt), n, frames, height,
           width, o->steps, guided ? "guided (batch 2N)" : "no guidance");
    if (ssr) {
        printf("SSR: conditioned on a seeded %dx%d base video up-sampled x%d (nearest); "
               "MultiDiffusion: %d windows of %d frames, overlap %d, at",
               height / f, width / f, f, plan.count, plan.window, plan.overlap);
        for (int i = 0; i < plan.count; i++)
            printf(" %d", plan.start[i]);
        printf("\n");
    }
    printf("sampler: DDIM (eta 0), epsilon prediction, cosine schedule (s %g, %d training "
           "steps), %s spacing",
           sched.cosine_s, sched.train_steps,
           sched.spacing == VDK_LUMIERE_SPACING_LEADING ? "leading" : "trailing");
    if (guided)
        printf(", guidance scale %g (--guidance MAX) with zero unconditional text",
               (double)o->max_guidance);
    printf("\n");
    if (!step_ms) {
        fprintf(stderr, "vdk-run: out of host memory\n");
        goto done;
    }
    if ((st = table.status) ||
        (st = vr_make_weights(ctx, &table, dt, o, NULL, &w, msg, sizeof msg))) {
        vr_fail("weights", st, table.status ? table.error : msg);
        goto done;
    }
    if (!o->quiet)
        printf("%s: %zu tensors, %.3f GB of weights\n", ssr ? "SSR" : "STUNet",
               vdk_weights_count(w), 1e-9 * (double)vdk_weights_bytes(w));
    /* The T5 text tokens are seeded, as the encoders are not part of vdk. */
    if ((st = vdk_tensor_create(ctx, dt, 5, xs, &x)) ||
        (st = vdk_tensor_create(ctx, dt, 3, ts, &text)) ||
        (st = vdk_tensor_create(ctx, dt, 3, cs, &context)) ||
        (st = vr_seeded(x, "run.noise", o->seed, 1.0f, true)) ||
        (st = vr_seeded(text, "run.text", o->seed, 1.0f, true))) {
        vr_fail("inputs", st, vdk_last_error(ctx));
        goto done;
    }
    if (guided) {
        const vdk_unary_params zero_out = {.op = VDK_UNARY_AFFINE, .alpha = 0, .beta = 0};
        const vdk_concat_params c0 = {.axis = 0};
        if ((st = vdk_tensor_create(ctx, dt, 3, ts, &zero)) ||
            (st = vdk_unary(ctx, &zero_out, text, zero)) ||
            (st = vdk_concat(ctx, &c0, zero, text, context))) {
            vr_fail("context", st, vdk_last_error(ctx));
            goto done;
        }
    } else {
        const vdk_blend_params copy = {.alpha = 1};
        if ((st = vdk_blend(ctx, &copy, text, text, NULL, context))) {
            vr_fail("context", st, vdk_last_error(ctx));
            goto done;
        }
    }
    /* The SSR's conditioning: the base video at the run's size, for both
     * halves under guidance. */
    msg[0] = '\0';
    if (ssr) {
        const vdk_concat_params c0 = {.axis = 0};
        if ((st = vdk_tensor_create(ctx, dt, 5, bs, &base)) ||
            (st = vdk_tensor_create(ctx, dt, 5, ls, &up)) ||
            (st = vr_seeded(base, "run.base_video", o->seed, 1.0f, false)) ||
            (st = vdk_lumiere_ssr_upsample(ctx, &c, base, up, msg, sizeof msg)) ||
            (guided && ((st = vdk_tensor_create(ctx, dt, 5, l2, &lowres)) ||
                        (st = vdk_concat(ctx, &c0, up, up, lowres))))) {
            vr_fail("the base video", st, msg[0] ? msg : vdk_last_error(ctx));
            goto done;
        }
    }
    denoiser d = {.ctx = ctx, .config = &c, .w = w, .context = context};
    progress p = {.ctx = ctx,
                  .step_ms = step_ms,
                  .quiet = o->quiet,
                  .net = &d.stats,
                  .window_frames = c.window_frames};
    vdk_lumiere_ssr_denoiser sd = {.ctx = ctx,
                                   .config = &c,
                                   .w = w,
                                   .lowres = guided ? lowres : up,
                                   .context = context,
                                   .progress = on_window,
                                   .progress_user = &p};
    sp.denoise = ssr ? vdk_lumiere_ssr_denoise : denoise;
    sp.denoise_user = ssr ? (void *)&sd : (void *)&d;
    if (ssr)
        p.net = &sd.stats;
    sp.progress = on_step;
    sp.progress_user = &p;
    p.last = vr_now_ms();
    msg[0] = '\0';
    st = vdk_lumiere_sample(ctx, &sp, x, msg, sizeof msg);
    if (st) {
        const char *why = ssr ? sd.msg : d.msg;
        vr_fail("sampler", st, why[0] ? why : msg);
        goto done;
    }
    const vdk_net_stats *net = ssr ? &sd.stats : &d.stats;
    double total = 0;
    for (int i = 0; i < o->steps; i++)
        total += step_ms[i];
    double rms;
    bool finite;
    vr_sample_stats(x, &rms, &finite);
    printf("sampler: %d steps in %.1f ms (%.1f ms per step), %s %.1f GFLOP per step "
           "(batch %d%s); sample rms %.6g%s\n",
           o->steps, total, total / o->steps, ssr ? "SSR" : "STUNet", net->flops * 1e-9, b,
           ssr ? ", all windows" : "", rms, finite ? "" : ", NOT FINITE");
    vr_result r = {.model = o->model,
                   .pipeline = ssr ? "lumiere-ssr" : "lumiere",
                   .backend = vdk_backend_name(backend),
                   .dtype = vdk_dtype_name(dt),
                   .batch = n,
                   .frames = frames,
                   .height = height,
                   .width = width,
                   .steps = o->steps,
                   .guided = guided,
                   .step_ms = step_ms,
                   .unet_flops = net->flops,
                   .weight_bytes = vdk_weights_bytes(w),
                   .peak_activation_bytes = net->peak_activation_bytes,
                   .sample_rms = finite ? rms : NAN,
                   .ctx = ctx};
    rc = vr_report(ctx, o, &r);
done:
    vdk_tensor_destroy(x);
    vdk_tensor_destroy(text);
    vdk_tensor_destroy(zero);
    vdk_tensor_destroy(context);
    vdk_tensor_destroy(base);
    vdk_tensor_destroy(up);
    vdk_tensor_destroy(lowres);
    vdk_weights_destroy(w);
    vdk_param_table_free(&table);
    free(step_ms);
    vdk_context_destroy(ctx);
    return rc;
}
