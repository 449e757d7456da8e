/* Lumiere's STUNet forward pass (pipelines/lumiere/forward.c) on the tiny
 * configuration: the reference backend in f64 against tools/lumiere_torch.py's
 * module tree in float64 (tests/golden/lumiere_tiny.vgold, case "forward": the
 * proof that vdk's pass is the network the PyTorch file defines); every backend
 * and storage dtype against that reference, with the pipeline bound of
 * docs/validation.md ("Pipelines"); and bad inputs, each named. */
#include "vt_pipeline.h"

#include "lumiere/forward.h"
#include "lumiere/params.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEED 1
/* The backends' clip: the smallest the tiny preset's two spatial and two
 * temporal resamplings take, non-square, so that lavapipe (which runs each
 * GEMM tile serially) stays within a few seconds. The golden clip is 2 x 8 x
 * 12 x 8. */
enum { N = 2, T = 4, H = 8, W = 4 };

static const double timesteps[N] = {912.0, 37.5};

/* One context per host backend for the whole test (vt_context makes a new one
 * on every call). */
static vdk_context *ref_ctx, *cpu_ctx;

typedef struct model {
    vdk_lumiere_config config;
    vdk_param_table table;
} model;

static model tiny(void)
{
    model m;
    vdk_param_table_init(&m.table);
    if (vdk_lumiere_config_preset(VDK_LUMIERE_PRESET_TINY, &m.config) ||
        vdk_lumiere_params(&m.config, &m.table))
        vt_fatal("tiny Lumiere table: %s", m.table.error);
    return m;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

/* The golden: the same seeded weights and inputs in PyTorch float64. Both
 * sides compute in double, so anything above rounding noise (vp_golden_bound;
 * the smallest eps of the network is rms_norm_eps, 1e-6) is a difference in
 * semantics. */
static void test_golden(const model *m)
{
    vdk_context *ctx = ref_ctx;
    vdk_weights *w = vp_seeded_weights(ctx, &m->table, VDK_F64, SEED);
    vt_golden_file f = vt_golden_load("lumiere_tiny");
    const vt_golden_case *c = NULL;
    for (int i = 0; i < f.ncases; i++)
        if (!strcmp(f.cases[i].name, "forward"))
            c = &f.cases[i];
    if (!c)
        vt_fatal("lumiere_tiny.vgold has no 'forward' case");
    VT_CHECK(vt_golden_param(c, "seed") == SEED, "golden weights of seed %g",
             vt_golden_param(c, "seed"));
    vdk_tensor *x = vt_golden_make(ctx, c, "x", VDK_F64);
    vdk_tensor *e = vt_golden_make(ctx, c, "context", VDK_F64);
    const vt_golden_tensor *ts = vt_golden_get(c, "timesteps");
    const vt_golden_tensor *want = vt_golden_get(c, "out");
    if (!x || !e || !ts || !want)
        vt_fatal("forward: an input is missing");
    double rms = 0;
    for (int64_t i = 0; i < want->numel; i++)
        rms += want->data[i] * want->data[i];
    rms = sqrt(rms / (double)want->numel);
    VT_CHECK(rms > 0.05 && rms < 100, "golden output rms %g: degenerate", rms);

    vt_guarded out = vt_golden_output(ctx, c, "out");
    const vdk_lumiere_inputs in = {.x = x, .timesteps = ts->data, .context = e};
    vdk_net_stats stats = {0};
    char msg[512];
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    vdk_status st = vdk_lumiere_forward(ctx, &m->config, w, &in, out.view, &stats, msg, sizeof msg);
    const double secs = seconds_since(&t0);
    VT_CHECK(st == VDK_OK, "golden: %s: %s", vdk_status_string(st), msg);
    VT_CHECK(stats.peak_activation_bytes > 0 && stats.flops > 0, "golden: no bytes or FLOPs");
    double *got = vt_read(out.view);
    printf("  golden (reference f64) forward %.2f s, rel rms %.3g (bound %.3g), %.3g MFLOP\n", secs,
           vp_rel_rms(got, want->data, want->numel), sqrt(vp_golden_bound(&m->table, 1e-6)),
           stats.flops * 1e-6);
    free(got);
    VT_GOLDEN_CHECK(&out, c, "out", vp_golden_bound(&m->table, 1e-6));
    vdk_tensor_destroy(x);
    vdk_tensor_destroy(e);
    vt_golden_free(&f);
    vdk_weights_destroy(w);
}

/* The pass on ctx in dtype at the backends' clip, as doubles (NULL after a
 * failure, reported). */
static double *run(const model *m, vdk_context *ctx, vdk_dtype dtype, const char *what)
{
    vdk_weights *w = vp_seeded_weights(ctx, &m->table, dtype, SEED);
    const int64_t xs[5] = {N, T, H, W, m->config.in_channels};
    const int64_t es[3] = {N, m->config.text_length, m->config.cross_attention_dim};
    const int64_t ys[5] = {N, T, H, W, m->config.out_channels};
    vdk_tensor *x = vp_input(ctx, dtype, "lumiere.x", SEED, 5, xs, 1.0f);
    vdk_tensor *e = vp_input(ctx, dtype, "lumiere.context", SEED, 3, es, 1.0f);
    vdk_tensor *y = vt_tensor(ctx, dtype, 5, ys);
    const vdk_lumiere_inputs in = {.x = x, .timesteps = timesteps, .context = e};
    char msg[512];
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    vdk_status st = vdk_lumiere_forward(ctx, &m->config, w, &in, y, NULL, msg, sizeof msg);
    printf("  %-16s forward %.2f s\n", what, seconds_since(&t0));
    double *out = NULL;
    if (VT_CHECK(st == VDK_OK, "%s: forward: %s: %s", what, vdk_status_string(st), msg))
        out = vt_read(y);
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
    const int64_t count = (int64_t)N * T * H * W * m->config.out_channels;
    double *oracle = run(m, ref_ctx, VDK_F64, "reference f64");
    if (!oracle)
        return;
    vp_check_backends(m, run_model, oracle, count, vp_longest_reduction(&m->table), ref_ctx,
                      cpu_ctx, 64);
    free(oracle);
}

/* One bad call: the status and a piece of the message that names the argument. */
static void expect(const model *m, const vdk_weights *w, const vdk_lumiere_inputs *in,
                   vdk_tensor *out, vdk_status want, const char *needle, const char *what)
{
    char msg[512] = "";
    vdk_status st = vdk_lumiere_forward(ref_ctx, &m->config, w, in, out, NULL, msg, sizeof msg);
    VT_CHECK(st == want && strstr(msg, needle), "%s: %s (want %s): '%s' lacks '%s'", what,
             vdk_status_string(st), vdk_status_string(want), msg, needle);
}

static void test_bad_inputs(const model *m)
{
    vdk_context *ctx = ref_ctx;
    vdk_weights *w = NULL;
    char msg[512];
    if (vdk_weights_create(ctx, &m->table, VDK_F32, &w, msg, sizeof msg))
        vt_fatal("weights: %s", msg);
    const int cin = m->config.in_channels, cout = m->config.out_channels;
    const int64_t xs[5] = {1, 4, 8, 4, cin}, ys[5] = {1, 4, 8, 4, cout};
    const int64_t es[3] = {1, 3, m->config.cross_attention_dim};
    vdk_tensor *x = vt_tensor(ctx, VDK_F32, 5, xs);
    vdk_tensor *e = vt_tensor(ctx, VDK_F32, 3, es);
    vdk_tensor *y = vt_tensor(ctx, VDK_F32, 5, ys);
    const vdk_lumiere_inputs good = {.x = x, .timesteps = timesteps, .context = e};
    vdk_lumiere_inputs in = good;

    /* 3 levels of factor 2: H and W multiples of 4, and two temporal
     * resamplings: T a multiple of 4. */
    const int64_t odd_w[5] = {1, 4, 8, 6, cin}, odd_t[5] = {1, 6, 8, 4, cin};
    const int64_t odd_wy[5] = {1, 4, 8, 6, cout}, odd_ty[5] = {1, 6, 8, 4, cout};
    vdk_tensor *xw = vt_tensor(ctx, VDK_F32, 5, odd_w), *yw = vt_tensor(ctx, VDK_F32, 5, odd_wy);
    vdk_tensor *xt = vt_tensor(ctx, VDK_F32, 5, odd_t), *yt = vt_tensor(ctx, VDK_F32, 5, odd_ty);
    in.x = xw;
    expect(m, w, &in, yw, VDK_ERROR_SHAPE, "H x W 8 x 6 must be multiples of 4", "W of 6");
    in.x = xt;
    expect(m, w, &in, yt, VDK_ERROR_SHAPE, "T 6 must be a multiple of 4", "T of 6");

    const int64_t wide[5] = {1, 4, 8, 4, cin + 1};
    vdk_tensor *xc = vt_tensor(ctx, VDK_F32, 5, wide);
    in.x = xc;
    expect(m, w, &in, y, VDK_ERROR_SHAPE, "x must be [N, T, H, W, 3]", "x channels");

    in = good;
    expect(m, w, &in, yw, VDK_ERROR_SHAPE, "out must be [1, 4, 8, 4, 3]", "out shape");

    in.context = NULL;
    expect(m, w, &in, y, VDK_ERROR_NULL_POINTER, "context", "no context");
    const int64_t narrow[3] = {1, 3, m->config.cross_attention_dim - 1}, two[3] = {2, 3, 12};
    vdk_tensor *en = vt_tensor(ctx, VDK_F32, 3, narrow), *e2 = vt_tensor(ctx, VDK_F32, 3, two);
    in.context = en;
    expect(m, w, &in, y, VDK_ERROR_SHAPE, "context must be [1, L, 12]", "context width");
    in.context = e2;
    expect(m, w, &in, y, VDK_ERROR_SHAPE, "context must be [1, L, 12]", "context batch");

    in = good;
    const double nan_t[1] = {NAN};
    in.timesteps = nan_t;
    expect(m, w, &in, y, VDK_ERROR_INVALID_VALUE, "timesteps[0]", "NaN timestep");
    in.timesteps = NULL;
    expect(m, w, &in, y, VDK_ERROR_NULL_POINTER, "timesteps", "no timesteps");

    /* f16 x with f32 weights. */
    in = good;
    vdk_tensor *xh = vt_tensor(ctx, VDK_F16, 5, xs);
    in.x = xh;
    expect(m, w, &in, y, VDK_ERROR_DTYPE, "the dtype of the weights is f32, x's is f16", "dtype");

    /* A configuration the weights were not made for: a tensor is missing. */
    model other = *m;
    other.config.num_res_blocks[0] = 2;
    in = good;
    const vdk_status st = vdk_lumiere_forward(ctx, &other.config, w, &in, y, NULL, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_INVALID_VALUE && strstr(msg, "down_blocks.0.layers.1.resnet"),
             "missing weight: %s: %s", vdk_status_string(st), msg);

    /* An invalid configuration says which field. */
    other = *m;
    other.config.norm_num_groups = 0;
    expect(&other, w, &in, y, VDK_ERROR_INVALID_VALUE, "norm_num_groups", "bad config");
    const vdk_status nul = vdk_lumiere_forward(ctx, &m->config, w, NULL, y, NULL, msg, sizeof msg);
    VT_CHECK(nul == VDK_ERROR_NULL_POINTER && strstr(msg, "inputs"), "NULL inputs: %s", msg);

    VT_DESTROY(x, e, y, xw, yw, xt, yt, xc, en, e2, xh);
    vdk_weights_destroy(w);
}

int main(void)
{
    model m = tiny();
    ref_ctx = vt_context(VDK_BACKEND_REFERENCE);
    cpu_ctx = vt_context(VDK_BACKEND_CPU);
    test_golden(&m);
    test_bad_inputs(&m);
    test_backends(&m);
    vdk_param_table_free(&m.table);
    vdk_context_destroy(cpu_ctx);
    vdk_context_destroy(ref_ctx);
    return vt_finish("lumiere_forward");
}
