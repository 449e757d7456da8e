/* vdk-run's SVD run: weights, conditioning, the sampler around the UNet, the
 * decoder, and what is printed on the way. */
#include "run.h"

#include "common/weights_load.h"
#include "svd/decoder.h"
#include "svd/params.h"
#include "svd/sampler.h"
#include "svd/unet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

void vr_options_default(vr_options *o)
{
    memset(o, 0, sizeof *o);
    o->steps = 25;
    o->batch = 1;
    o->chunk = 8;
    o->min_guidance = 1.0f;
    o->max_guidance = 3.0f;
    o->seed = 1;
    o->context_order = "per-clip";
}

double vr_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return 1e3 * (double)t.tv_sec + 1e-6 * (double)t.tv_nsec;
}

void vr_sample_stats(const vdk_tensor *x, double *rms, bool *finite)
{
    const int64_t n = vdk_tensor_numel(x);
    float *v = malloc((size_t)n * sizeof *v);
    *rms = NAN;
    *finite = false;
    if (!v || vdk_tensor_read(x, VDK_F32, v, n) != VDK_OK) {
        free(v);
        return;
    }
    double s = 0;
    *finite = true;
    for (int64_t i = 0; i < n; i++) {
        *finite = *finite && isfinite(v[i]);
        s += (double)v[i] * v[i];
    }
    *rms = sqrt(s / (double)n);
    free(v);
}

int vr_fail(const char *what, vdk_status st, const char *msg)
{
    fprintf(stderr, "vdk-run: %s: %s: %s\n", what, vdk_status_string(st), msg);
    return 1;
}

/* Seeded values in [-1, 1) times scale (Gaussian when gauss): the weight
 * generator under `name`, so a run is the same on every backend. */
vdk_status vr_seeded(vdk_tensor *t, const char *name, uint64_t seed, float scale, bool gauss)
{
    const int64_t n = vdk_tensor_numel(t);
    float *v = malloc((size_t)(n + 1) * sizeof *v);
    if (!v)
        return VDK_ERROR_OUT_OF_MEMORY;
    vdk_weights_uniform(name, seed, n + 1, v);
    if (gauss) /* Box-Muller on pairs of the uniform values */
        for (int64_t i = 0; i < n; i += 2) {
            const double u1 = 0.5 * (1.0 + (double)v[i]) + 1e-12, u2 = 0.5 * (1.0 + v[i + 1]);
            const double r = sqrt(-2.0 * log(u1)), a = 6.283185307179586 * u2;
            v[i] = (float)(r * cos(a));
            if (i + 1 < n)
                v[i + 1] = (float)(r * sin(a));
        }
    for (int64_t i = 0; i < n; i++)
        v[i] *= scale;
    vdk_status st = vdk_tensor_write(t, VDK_F32, v, n);
    free(v);
    return st;
}

typedef struct denoiser {
    vdk_context *ctx;
    const vdk_svd_unet_config *config;
    const vdk_weights *w;
    vdk_tensor *context; /* [B, 1, Cctx]: zeros for the unconditional half */
    double *ids;         /* [B, 3] */
    vdk_svd_stats stats;
    char msg[512];
} denoiser;

static vdk_status denoise(void *user, vdk_tensor *model_in, const float *timestep,
                          vdk_tensor *model_out)
{
    denoiser *d = user;
    double t[256];
    const int64_t b = vdk_tensor_dim(model_in, 0);
    for (int64_t i = 0; i < b && i < 256; i++)
        t[i] = timestep[i];
    const vdk_svd_unet_inputs in = {.sample = model_in,
                                    .timestep = t,
                                    .encoder_hidden_states = d->context,
                                    .added_time_ids = d->ids};
    return vdk_svd_unet_forward(d->ctx, d->config, d->w, &in, model_out, &d->stats, d->msg,
                                sizeof d->msg);
}

typedef struct progress {
    vdk_context *ctx;
    double last;
    double *step_ms;
    bool quiet;
    const vdk_svd_stats *unet; /* its FLOPs: the last UNet pass's */
    int passes;                /* UNet passes per step */
} progress;

static vdk_status on_step(void *user, int step, int steps, double sigma, double timestep)
{
    progress *p = user;
    vdk_status st = vdk_sync(p->ctx);
    const double t = vr_now_ms();
    p->step_ms[step] = t - p->last;
    p->last = t;
    if (!p->quiet)
        printf("step %3d/%d  sigma %9.4f  c_noise %+.4f  %9.1f ms  %7.1f GFLOP/s\n", step + 1,
               steps, sigma, timestep, p->step_ms[step],
               p->passes * p->unet->flops / (p->step_ms[step] * 1e6));
    fflush(stdout);
    return st;
}

static vdk_status open_context(const vr_options *o, vdk_context **ctx)
{
    vdk_context_desc d = {.device = -1};
    if (!o->backend) {
        d.backend = VDK_BACKEND_VULKAN;
        if (vdk_context_create(&d, ctx) == VDK_OK)
            return VDK_OK;
        d.backend = VDK_BACKEND_CPU;
        return vdk_context_create(&d, ctx);
    }
    for (int b = 0; b < VDK_BACKEND_COUNT; b++)
        if (!strcmp(o->backend, vdk_backend_name((vdk_backend)b))) {
            d.backend = (vdk_backend)b;
            return vdk_context_create(&d, ctx);
        }
    fprintf(stderr, "vdk-run: unknown backend '%s' (reference, cpu, vulkan)\n", o->backend);
    return VDK_ERROR_INVALID_VALUE;
}

static bool parse_dtype(const char *s, vdk_dtype *out)
{
    for (int d = 0; d < VDK_F64; d++)
        if (!strcmp(s, vdk_dtype_name((vdk_dtype)d))) {
            *out = (vdk_dtype)d;
            return true;
        }
    return false;
}

int vr_open(const vr_options *o, vdk_context **ctx, vdk_dtype *dtype)
{
    vdk_status st = open_context(o, ctx);
    if (st)
        return vr_fail("context", st, vdk_last_error(NULL));
    *dtype = vdk_context_backend(*ctx) == VDK_BACKEND_VULKAN ? VDK_F16 : VDK_F32;
    if (o->dtype && !parse_dtype(o->dtype, dtype)) {
        fprintf(stderr, "vdk-run: --dtype takes f32, f16 or bf16, not '%s'\n", o->dtype);
        vdk_context_destroy(*ctx);
        *ctx = NULL;
        return 2;
    }
    if (o->profile)
        vdk_profile_enable(*ctx, 1);
    return 0;
}

vdk_status vr_make_weights(vdk_context *ctx, const vdk_param_table *t, vdk_dtype dt,
                           const vr_options *o, const char *sub, vdk_weights **w, char *msg,
                           size_t size)
{
    vdk_status st = vdk_weights_create(ctx, t, dt, w, msg, size);
    if (st)
        return st;
    if (!o->weights)
        return vdk_weights_randomize(*w, o->seed, msg, size);
    char path[4096];
    if (sub)
        snprintf(path, sizeof path, "%s/%s", o->weights, sub);
    else
        snprintf(path, sizeof path, "%s", o->weights);
    vdk_weights_load_report r;
    st = vdk_weights_load(*w, path, NULL, &r, msg, size);
    if (!st && !o->quiet)
        printf("weights: %zu tensors from %s (%zu of the files unused)\n", r.loaded, r.source,
               r.unused);
    return st;
}

int vr_report(vdk_context *ctx, const vr_options *o, vr_result *r)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    r->peak_host_bytes = (int64_t)ru.ru_maxrss * 1024;
    printf("memory: weights %.3f GB, peak activations %.3f GB (vdk's own count), host peak "
           "%.3f GB\n",
           1e-9 * (double)r->weight_bytes, 1e-9 * (double)r->peak_activation_bytes,
           1e-9 * (double)r->peak_host_bytes);
    if (o->profile) {
        size_t len = vdk_profile_format(ctx, NULL, 0);
        char *table = malloc(len + 1);
        if (table) {
            vdk_profile_format(ctx, table, len + 1);
            printf("per-operator time:\n%s", table);
            free(table);
        }
    }
    return o->out ? vr_write_result(o->out, o, r) : 0;
}

int vr_run(const vr_options *o)
{
    if (!strncmp(o->model, "lumiere-", 8))
        return vr_run_lumiere(o);
    vdk_svd_preset preset;
    if (vdk_svd_preset_from_name(o->model, &preset)) {
        fprintf(stderr,
                "vdk-run: unknown model '%s' (svd, svd-xt, tiny, lumiere-a, lumiere-b, "
                "lumiere-tiny, lumiere-ssr, lumiere-ssr-tiny)\n",
                o->model);
        return 2;
    }
    vdk_svd_unet_config uc;
    vdk_svd_decoder_config dc;
    vdk_svd_unet_config_preset(preset, &uc);
    vdk_svd_decoder_config_preset(preset, &dc);
    if (!strcmp(o->context_order, "diffusers"))
        uc.temporal_context_order = VDK_SVD_CONTEXT_DIFFUSERS;
    else if (strcmp(o->context_order, "per-clip")) {
        fprintf(stderr, "vdk-run: --context-order takes per-clip or diffusers\n");
        return 2;
    }
    const int frames = o->frames ? o->frames : uc.num_frames;
    const int height = o->height ? o->height : 576, width = o->width ? o->width : 1024;
    const int vae = 1 << (dc.levels - 1), align = vae << (uc.levels - 1);
    if (frames < 1 || o->batch < 1 || o->steps < 1 || height % align || width % align) {
        fprintf(stderr,
                "vdk-run: frames, batch and steps must be positive and the size a multiple of "
                "%d x %d (got %d frames, batch %d, %d steps, %dx%d)\n",
                align, align, frames, o->batch, o->steps, height, width);
        return 2;
    }
    vdk_context *ctx = NULL;
    vdk_dtype dt;
    const int rc_open = vr_open(o, &ctx, &dt);
    if (rc_open)
        return rc_open;
    const vdk_backend backend = vdk_context_backend(ctx);
    vdk_status st;

    char msg[1024];
    vdk_param_table ut, dtab;
    vdk_param_table_init(&ut);
    vdk_param_table_init(&dtab);
    vdk_svd_unet_params(&uc, &ut);
    vdk_svd_decoder_params(&dc, &dtab);
    vdk_weights *uw = NULL, *dw = NULL;
    const int n = o->batch, h = height / vae, w = width / vae;
    vdk_svd_sampler_params sp = {.steps = o->steps,
                                 .min_guidance_scale = o->min_guidance,
                                 .max_guidance_scale = o->max_guidance};
    const int guided = vdk_svd_sampler_guided(&sp), b = guided ? 2 * n : n;
    const int64_t ls[5] = {n, frames, h, w, 4}, is[5] = {n, 1, h, w, 4};
    const int64_t es[3] = {n, 1, uc.cross_attention_dim}, cs[3] = {b, 1, uc.cross_attention_dim};
    vdk_tensor *latents = NULL, *image = NULL, *emb = NULL, *context = NULL, *zero = NULL;
    double *step_ms = calloc((size_t)o->steps, sizeof *step_ms);
    double *ids = calloc((size_t)b * 3, sizeof *ids);
    int rc = 1;
    vdk_device_info info;
    printf("vdk-run %s on %s%s%s, %s, batch %d x %d frames at %dx%d (latent %dx%d), %d steps, "
           "%s\n",
           o->model, vdk_backend_name(backend),
           vdk_context_device_info(ctx, &info) == VDK_OK ? " " : "",
           backend == VDK_BACKEND_VULKAN ? info.name : "", vdk_dtype_name(dt), n, frames, height,
           width, h, w, o->steps, guided ? "guided (batch 2N)" : "no guidance");
    if ((st = vr_make_weights(ctx, &ut, dt, o, "unet", &uw, msg, sizeof msg))) {
        vr_fail("UNet weights", st, msg);
        goto done;
    }
    if (o->decode && (st = vr_make_weights(ctx, &dtab, dt, o, "vae", &dw, msg, sizeof msg))) {
        vr_fail("decoder weights", st, msg);
        goto done;
    }
    if ((st = vdk_tensor_create(ctx, dt, 5, ls, &latents)) ||
        (st = vdk_tensor_create(ctx, dt, 5, is, &image)) ||
        (st = vdk_tensor_create(ctx, dt, 3, es, &emb)) ||
        (st = vdk_tensor_create(ctx, dt, 3, cs, &context)) ||
        (st = vr_seeded(latents, "run.noise", o->seed, 1.0f, true)) ||
        (st = vr_seeded(image, "run.image_latent", o->seed, 1.0f, true)) ||
        (st = vr_seeded(emb, "run.image_embedding", o->seed, 1.0f, true))) {
        vr_fail("inputs", st, vdk_last_error(ctx));
        goto done;
    }
    /* The unconditional half sees a zero image embedding, as diffusers' does. */
    if (guided) {
        const int64_t zs[3] = {n, 1, uc.cross_attention_dim};
        const vdk_unary_params zero_out = {.op = VDK_UNARY_AFFINE, .alpha = 0, .beta = 0};
        const vdk_concat_params c0 = {.axis = 0};
        if ((st = vdk_tensor_create(ctx, dt, 3, zs, &zero)) ||
            (st = vdk_unary(ctx, &zero_out, emb, zero)) ||
            (st = vdk_concat(ctx, &c0, zero, emb, context))) {
            vr_fail("context", st, vdk_last_error(ctx));
            goto done;
        }
    } else {
        const vdk_blend_params copy = {.alpha = 1};
        if ((st = vdk_blend(ctx, &copy, emb, emb, NULL, context))) {
            vr_fail("context", st, vdk_last_error(ctx));
            goto done;
        }
    }
    /* fps - 1, motion bucket, noise augmentation: diffusers' defaults (fps 7). */
    for (int i = 0; i < b; i++) {
        ids[3 * i + 0] = 6;
        ids[3 * i + 1] = 127;
        ids[3 * i + 2] = 0.02;
    }
    denoiser d = {.ctx = ctx, .config = &uc, .w = uw, .context = context, .ids = ids};
    progress p = {.ctx = ctx, .step_ms = step_ms, .quiet = o->quiet, .unet = &d.stats, .passes = 1};
    sp.denoise = denoise;
    sp.denoise_user = &d;
    sp.progress = on_step;
    sp.progress_user = &p;
    p.last = vr_now_ms();
    st = vdk_svd_sample(ctx, &sp, image, latents, msg, sizeof msg);
    if (st) {
        vr_fail("sampler", st, d.msg[0] ? d.msg : msg);
        goto done;
    }
    double total = 0;
    for (int i = 0; i < o->steps; i++)
        total += step_ms[i];
    double rms;
    bool finite;
    vr_sample_stats(latents, &rms, &finite);
    vr_result r = {.model = o->model,
                   .pipeline = "svd",
                   .backend = vdk_backend_name(backend),
                   .dtype = vdk_dtype_name(dt),
                   .batch = n,
                   .frames = frames,
                   .height = height,
                   .width = width,
                   .steps = o->steps,
                   .guided = guided,
                   .step_ms = step_ms,
                   .unet_flops = d.stats.flops,
                   .weight_bytes = vdk_weights_bytes(uw),
                   .peak_activation_bytes = d.stats.peak_activation_bytes,
                   .sample_rms = finite ? rms : NAN,
                   .ctx = ctx};
    printf("sampler: %d steps in %.1f ms (%.1f ms per step), UNet %.1f GFLOP per step; latents "
           "rms %.6g%s\n",
           o->steps, total, total / o->steps, d.stats.flops * 1e-9, rms,
           finite ? "" : ", NOT FINITE");

    if (o->decode) {
        const int64_t ys[5] = {n, frames, height, width, dc.out_channels};
        vdk_tensor *z = NULL, *rgb = NULL;
        const vdk_unary_params scale = {.op = VDK_UNARY_AFFINE, .alpha = 1.0f / dc.scaling_factor};
        vdk_svd_stats ds;
        const double t0 = vr_now_ms();
        if ((st = vdk_tensor_create(ctx, dt, 5, ls, &z)) ||
            (st = vdk_unary(ctx, &scale, latents, z)) ||
            (st = vdk_tensor_create(ctx, dt, 5, ys, &rgb)) ||
            (st = vdk_svd_decoder_forward(ctx, &dc, dw, z, o->chunk, rgb, &ds, msg, sizeof msg))) {
            vr_fail("decoder", st, msg[0] ? msg : vdk_last_error(ctx));
            vdk_tensor_destroy(z);
            vdk_tensor_destroy(rgb);
            goto done;
        }
        r.decode_ms = vr_now_ms() - t0;
        r.decode_flops = ds.flops;
        r.weight_bytes += vdk_weights_bytes(dw);
        if (ds.peak_activation_bytes > r.peak_activation_bytes)
            r.peak_activation_bytes = ds.peak_activation_bytes;
        printf("decoder: %.1f ms, %.1f GFLOP, chunks of %d frames\n", r.decode_ms, ds.flops * 1e-9,
               o->chunk);
        vdk_tensor_destroy(z);
        vdk_tensor_destroy(rgb);
    }
    rc = vr_report(ctx, o, &r);
done:
    vdk_tensor_destroy(latents);
    vdk_tensor_destroy(image);
    vdk_tensor_destroy(emb);
    vdk_tensor_destroy(zero);
    vdk_tensor_destroy(context);
    vdk_weights_destroy(uw);
    vdk_weights_destroy(dw);
    vdk_param_table_free(&ut);
    vdk_param_table_free(&dtab);
    free(step_ms);
    free(ids);
    vdk_context_destroy(ctx);
    return rc;
}
