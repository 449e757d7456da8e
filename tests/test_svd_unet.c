/* SVD's UNet forward pass (pipelines/svd/unet.c) on the tiny configuration:
 * the reference backend in f64 against diffusers' own module in f64
 * (tests/golden/svd_unet_tiny.vgold, tools/golden_svd.py: the proof that vdk's
 * SVD is SVD); every backend and storage dtype against that reference, with a
 * bound derived from the network itself (docs/validation.md, "Pipelines");
 * and bad inputs. */
#include "vt_pipeline.h"

#include "svd/params.h"
#include "svd/unet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEED 1

/* One context per backend for the whole test (vt_vulkan() keeps its own). */
static vdk_context *ref_ctx, *cpu_ctx;
/* Small enough for lavapipe, which runs each GEMM tile serially: the golden
 * test (test_svd_golden) covers larger clips against diffusers. */
enum { N = 2, T = 3, H = 4, W = 4 };

static const double timestep[N] = {0.37, -0.81};
static const double time_ids[N * 3] = {6, 127, 0.02, 6, 127, 0.02};

typedef struct model {
    vdk_svd_unet_config config;
    vdk_param_table table;
} model;

static model tiny(void)
{
    model m;
    vdk_param_table_init(&m.table);
    if (vdk_svd_unet_config_preset(VDK_SVD_PRESET_TINY, &m.config) ||
        vdk_svd_unet_params(&m.config, &m.table))
        vt_fatal("tiny UNet table: %s", m.table.error);
    return m;
}

/* The UNet's output on ctx in dtype, as doubles (NULL after a failure, reported). */
static double *run(const model *m, vdk_context *ctx, vdk_dtype dtype, const char *what)
{
    vdk_weights *w = NULL;
    char msg[512];
    if (!VT_CHECK(vdk_weights_create(ctx, &m->table, dtype, &w, msg, sizeof msg) == VDK_OK,
                  "%s: weights: %s", what, msg) ||
        !VT_CHECK(vdk_weights_randomize(w, SEED, msg, sizeof msg) == VDK_OK, "%s: random: %s", what,
                  msg)) {
        vdk_weights_destroy(w);
        return NULL;
    }
    const int64_t xs[5] = {N, T, H, W, m->config.in_channels};
    const int64_t es[3] = {N, 1, m->config.cross_attention_dim};
    const int64_t ys[5] = {N, T, H, W, m->config.out_channels};
    vdk_tensor *x = vp_input(ctx, dtype, "input.sample", SEED, 5, xs, 1.0f);
    vdk_tensor *e = vp_input(ctx, dtype, "input.encoder_hidden_states", SEED, 3, es, 1.0f);
    vdk_tensor *y = vt_tensor(ctx, dtype, 5, ys);
    const vdk_svd_unet_inputs in = {
        .sample = x, .timestep = timestep, .encoder_hidden_states = e, .added_time_ids = time_ids};
    vdk_svd_stats stats;
    double *out = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    vdk_status st = vdk_svd_unet_forward(ctx, &m->config, w, &in, y, &stats, msg, sizeof msg);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("  %-16s forward %.2f s\n", what,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    if (VT_CHECK(st == VDK_OK, "%s: forward: %s: %s", what, vdk_status_string(st), msg)) {
        VT_CHECK(stats.peak_activation_bytes > 0, "%s: no activation bytes counted", what);
        out = vt_read(y);
    }
    vdk_tensor_destroy(x);
    vdk_tensor_destroy(e);
    vdk_tensor_destroy(y);
    vdk_weights_destroy(w);
    return out;
}

/* run() as vp_check_backends calls it. */
static double *run_model(const void *m, vdk_context *ctx, vdk_dtype dtype, const char *what)
{
    return run(m, ctx, dtype, what);
}

static void test_backends(const model *m)
{
    const int64_t n = (int64_t)N * T * H * W * m->config.out_channels;
    double *oracle = run(m, ref_ctx, VDK_F64, "reference f64");
    if (!oracle)
        return;
    double rms = 0;
    for (int64_t i = 0; i < n; i++)
        rms += oracle[i] * oracle[i];
    rms = sqrt(rms / (double)n);
    VT_CHECK(rms > 0.05 && rms < 100, "reference output rms %g: degenerate", rms);

    vp_check_backends(m, run_model, oracle, n, vp_longest_reduction(&m->table), ref_ctx, cpu_ctx,
                      0);
    free(oracle);
}

/* Each golden case: diffusers' UNetSpatioTemporalConditionModel in float64 with
 * the same seeded weights, against the reference backend in f64. Both compute
 * in double, so anything above rounding noise (vp_golden_bound; the smallest
 * eps of the network is 1e-6) is a difference in semantics. */
static void test_diffusers(const model *mm)
{
    /* diffusers pairs the temporal cross-attention's contexts its own way. */
    model copy = *mm, *m = &copy;
    m->config.temporal_context_order = VDK_SVD_CONTEXT_DIFFUSERS;
    vdk_context *ctx = ref_ctx;
    vdk_weights *w = vp_seeded_weights(ctx, &m->table, VDK_F64, SEED);
    char msg[512];
    vt_golden_file f = vt_golden_load("svd_unet_tiny");
    VT_CHECK(f.ncases >= 2, "svd_unet_tiny.vgold: %d cases", f.ncases);
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        VT_CHECK(vt_golden_param(c, "weight_seed") == SEED, "%s: weights of seed %g", c->name,
                 vt_golden_param(c, "weight_seed"));
        vdk_tensor *x = vt_golden_make(ctx, c, "sample", VDK_F64);
        vdk_tensor *e = vt_golden_make(ctx, c, "encoder_hidden_states", VDK_F64);
        const vt_golden_tensor *ts = vt_golden_get(c, "timestep");
        const vt_golden_tensor *ids = vt_golden_get(c, "added_time_ids");
        if (!x || !e || !ts || !ids)
            vt_fatal("%s: an input is missing", c->name);
        vt_guarded out = vt_golden_output(ctx, c, "out");
        const vdk_svd_unet_inputs in = {.sample = x,
                                        .timestep = ts->data,
                                        .encoder_hidden_states = e,
                                        .added_time_ids = ids->data};
        vdk_status st =
            vdk_svd_unet_forward(ctx, &m->config, w, &in, out.view, NULL, msg, sizeof msg);
        VT_CHECK(st == VDK_OK, "%s: %s: %s", c->name, vdk_status_string(st), msg);
        VT_GOLDEN_CHECK(&out, c, "out", vp_golden_bound(&m->table, 1e-6));
        vdk_tensor_destroy(x);
        vdk_tensor_destroy(e);
    }
    vt_golden_free(&f);
    vdk_weights_destroy(w);
}

/* With each clip's own context (the default order), a clip's output does not
 * depend on the other clips of the batch: each item of the batch-2 golden
 * case run alone gives its rows of the batch's output. */
static void test_per_clip_order(const model *m)
{
    vdk_context *ctx = ref_ctx;
    vdk_weights *w = vp_seeded_weights(ctx, &m->table, VDK_F64, SEED);
    char msg[512];
    vt_golden_file f = vt_golden_load("svd_unet_tiny");
    const vt_golden_case *c = &f.cases[0];
    vdk_tensor *x = vt_golden_make(ctx, c, "sample", VDK_F64);
    vdk_tensor *e = vt_golden_make(ctx, c, "encoder_hidden_states", VDK_F64);
    const vt_golden_tensor *ts = vt_golden_get(c, "timestep"),
                           *ids = vt_golden_get(c, "added_time_ids");
    const vt_golden_tensor *want = vt_golden_get(c, "out");
    if (!x || !e || !ts || !ids || !want || want->shape[0] != 2)
        vt_fatal("%s: not a batch-2 case", c->name);
    vdk_tensor *both = vt_tensor(ctx, VDK_F64, 5, want->shape);
    vdk_svd_unet_inputs in = {
        .sample = x, .timestep = ts->data, .encoder_hidden_states = e, .added_time_ids = ids->data};
    vdk_status st = vdk_svd_unet_forward(ctx, &m->config, w, &in, both, NULL, msg, sizeof msg);
    VT_CHECK(st == VDK_OK, "batch of 2: %s", msg);
    double *all = vt_read(both);
    const int64_t per = want->numel / 2;
    for (int b = 0; b < 2; b++) {
        vdk_tensor *xb = NULL, *eb = NULL, *yb = NULL;
        int64_t shape[5];
        memcpy(shape, want->shape, sizeof shape);
        shape[0] = 1;
        if (vdk_tensor_slice(x, 0, b, 1, &xb) || vdk_tensor_slice(e, 0, b, 1, &eb))
            vt_fatal("slice: %s", vdk_last_error(ctx));
        yb = vt_tensor(ctx, VDK_F64, 5, shape);
        const vdk_svd_unet_inputs one = {.sample = xb,
                                         .timestep = ts->data + b,
                                         .encoder_hidden_states = eb,
                                         .added_time_ids = ids->data + 3 * b};
        st = vdk_svd_unet_forward(ctx, &m->config, w, &one, yb, NULL, msg, sizeof msg);
        VT_CHECK(st == VDK_OK, "item %d alone: %s", b, msg);
        double *alone = vt_read(yb);
        const double err = vp_rel_rms(alone, all + b * per, per);
        VT_CHECK(err * err <= vp_golden_bound(&m->table, 1e-6),
                 "item %d alone differs from its rows in the batch: rel rms %.3g", b, err);
        free(alone);
        vdk_tensor_destroy(xb);
        vdk_tensor_destroy(eb);
        vdk_tensor_destroy(yb);
    }
    free(all);
    vdk_tensor_destroy(both);
    vdk_tensor_destroy(x);
    vdk_tensor_destroy(e);
    vt_golden_free(&f);
    vdk_weights_destroy(w);
}

static void test_bad_inputs(const model *m)
{
    vdk_context *ctx = ref_ctx;
    vdk_weights *w = NULL;
    char msg[512];
    if (vdk_weights_create(ctx, &m->table, VDK_F32, &w, msg, sizeof msg))
        vt_fatal("weights: %s", msg);
    const int64_t odd[5] = {1, 2, 6, 8, m->config.in_channels};
    const int64_t es[3] = {1, 1, m->config.cross_attention_dim};
    const int64_t ys[5] = {1, 2, 6, 8, m->config.out_channels};
    vdk_tensor *x = vt_tensor(ctx, VDK_F32, 5, odd);
    vdk_tensor *e = vt_tensor(ctx, VDK_F32, 3, es);
    vdk_tensor *y = vt_tensor(ctx, VDK_F32, 5, ys);
    vdk_svd_unet_inputs in = {
        .sample = x, .timestep = timestep, .encoder_hidden_states = e, .added_time_ids = time_ids};

    /* 2 levels: H and W must be even; 6 x 8 is fine, 6 x 7 is not. */
    const int64_t bad_w[5] = {1, 2, 6, 7, m->config.in_channels};
    vdk_tensor *xb = vt_tensor(ctx, VDK_F32, 5, bad_w);
    in.sample = xb;
    vdk_status st = vdk_svd_unet_forward(ctx, &m->config, w, &in, y, NULL, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_SHAPE && strstr(msg, "multiples of 2"), "odd W: %s: %s",
             vdk_status_string(st), msg);

    in.sample = x;
    in.encoder_hidden_states = NULL;
    st = vdk_svd_unet_forward(ctx, &m->config, w, &in, y, NULL, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_NULL_POINTER && strstr(msg, "encoder_hidden_states"),
             "no context: %s: %s", vdk_status_string(st), msg);

    /* A table of another configuration lacks the tensors this one names. */
    vdk_param_table other;
    vdk_param_table_init(&other);
    vdk_param_linear(&other, "conv_in", 1, 1, 1);
    vdk_weights *wo = NULL;
    if (vdk_weights_create(ctx, &other, VDK_F32, &wo, msg, sizeof msg))
        vt_fatal("weights: %s", msg);
    in.encoder_hidden_states = e;
    st = vdk_svd_unet_forward(ctx, &m->config, wo, &in, y, NULL, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_INVALID_VALUE && strstr(msg, "time_embedding.linear_1.weight"),
             "missing weight: %s: %s", vdk_status_string(st), msg);
    vdk_weights_destroy(wo);
    vdk_param_table_free(&other);

    vdk_tensor_destroy(xb);
    vdk_tensor_destroy(x);
    vdk_tensor_destroy(e);
    vdk_tensor_destroy(y);
    vdk_weights_destroy(w);
}

int main(void)
{
    ref_ctx = vt_context(VDK_BACKEND_REFERENCE);
    cpu_ctx = vt_context(VDK_BACKEND_CPU);
    model m = tiny();
    test_diffusers(&m);
    test_per_clip_order(&m);
    test_backends(&m);
    test_bad_inputs(&m);
    vdk_param_table_free(&m.table);
    vdk_context_destroy(ref_ctx);
    vdk_context_destroy(cpu_ctx);
    return vt_finish("svd_unet");
}
