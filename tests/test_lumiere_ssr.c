/* Lumiere's SSR stage (pipelines/lumiere/windows.c, multidiffusion.c) on the
 * tiny SSR preset: the window plans and their errors; the tiny SSR's forward
 * pass and its MultiDiffusion (from a base video up-sampled here) against
 * tools/lumiere_torch.py in float64 (tests/golden/lumiere_ssr_tiny.vgold); a
 * video of one window against the plain forward pass; the windowed result
 * against the mean of the separate window passes computed here on the host,
 * for an exact tiling, a 3-deep overlap and a last window pulled back; every
 * backend and dtype against the f64 reference with the pipeline bound; bad
 * arguments, each named, with the output untouched; and one guided DDIM step
 * with the SSR as the sampler's denoiser. */
#include "vt_pipeline.h"

#include "lumiere/forward.h"
#include "lumiere/multidiffusion.h"
#include "lumiere/params.h"
#include "lumiere/sampler.h"
#include "lumiere/windows.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEED 1
/* The backends' and the hand checks' clip: 2 clips of 6 frames of 8x4 in
 * windows of 4 overlapping by 2 (starts 0, 2), from a 4x2 base video. */
enum { N = 2, T = 6, H = 8, W = 4 };

static const double timesteps[N] = {912.0, 37.5};

static vdk_context *ref_ctx, *cpu_ctx;

typedef struct model {
    vdk_lumiere_config config;
    vdk_param_table table;
} model;

static model tiny_ssr(void)
{
    model m;
    vdk_param_table_init(&m.table);
    if (vdk_lumiere_config_preset(VDK_LUMIERE_PRESET_SSR_TINY, &m.config) ||
        vdk_lumiere_params(&m.config, &m.table))
        vt_fatal("tiny SSR table: %s", m.table.error);
    return m;
}

static vdk_lumiere_windows plan_of(int frames, int window, int overlap, int count)
{
    vdk_lumiere_windows p;
    char msg[256];
    if (vdk_lumiere_windows_plan(frames, window, overlap, count, &p, msg, sizeof msg))
        vt_fatal("plan: %s", msg);
    return p;
}

/* ---- window plans ---- */

static void expect_plan(int frames, int window, int overlap, int count, int want_count,
                        const int *starts, const int *coverage)
{
    vdk_lumiere_windows p = plan_of(frames, window, overlap, count);
    VT_CHECK(p.count == want_count, "T %d W %d o %d: %d windows, want %d", frames, window, overlap,
             p.count, want_count);
    for (int i = 0; i < p.count && i < want_count; i++)
        VT_CHECK(p.start[i] == starts[i], "T %d W %d o %d: window %d starts at %d, want %d", frames,
                 window, overlap, i, p.start[i], starts[i]);
    int total = 0;
    for (int t = 0; t < frames; t++) {
        const int c = vdk_lumiere_windows_coverage(&p, t);
        total += c;
        if (coverage)
            VT_CHECK(c == coverage[t], "T %d W %d o %d: frame %d covered %d times, want %d", frames,
                     window, overlap, t, c, coverage[t]);
        VT_CHECK(c >= 1, "frame %d not covered", t);
    }
    VT_CHECK(total == p.count * window, "coverage sums to %d, K W = %d", total, p.count * window);
}

static void bad_plan(int frames, int window, int overlap, int count, const char *needle)
{
    vdk_lumiere_windows p;
    memset(&p, 0x5a, sizeof p);
    char msg[256] = "";
    const vdk_status st =
        vdk_lumiere_windows_plan(frames, window, overlap, count, &p, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_INVALID_VALUE && strstr(msg, needle) && p.count == 0x5a5a5a5a,
             "plan T %d W %d o %d K %d: %s '%s' lacks '%s' (or out was written)", frames, window,
             overlap, count, vdk_status_string(st), msg, needle);
}

static void test_windows(void)
{
    /* PIPELINES.md §2.4: 6 windows of 15 over 80 frames, 90 frame-passes;
     * frames 13-14, 26-27, ... are averaged over two windows. */
    static const int paper[] = {0, 13, 26, 39, 52, 65};
    int cover80[80];
    for (int t = 0; t < 80; t++) {
        cover80[t] = 1;
        for (int i = 1; i < 6; i++)
            cover80[t] += t == paper[i] || t == paper[i] + 1;
    }
    expect_plan(80, 15, 2, 0, 6, paper, cover80);
    expect_plan(80, 15, 2, 6, 6, paper, cover80);
    /* The other exact tilings of §2.4: (13, 8) and (3, 28). */
    static const int k13[] = {0, 6, 12, 18, 24, 30, 36, 42, 48, 54, 60, 66, 72};
    static const int k3[] = {0, 26, 52};
    expect_plan(80, 8, 2, 0, 13, k13, NULL);
    expect_plan(80, 28, 2, 0, 3, k3, NULL);
    /* Not exact: the last window ends with the video (frames 5-14 twice). */
    static const int s20[] = {0, 5},
                     c20[] = {1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1};
    expect_plan(20, 15, 2, 0, 2, s20, c20);
    /* One window, no overlap, overlap of all but one frame. */
    static const int s0[] = {0}, s4[] = {0, 4, 8}, s1[] = {0, 1, 2};
    static const int c1[] = {1, 2, 3, 3, 2, 1};
    expect_plan(15, 15, 2, 0, 1, s0, NULL);
    expect_plan(12, 4, 0, 0, 3, s4, NULL);
    expect_plan(6, 4, 3, 0, 3, s1, c1);
    VT_CHECK(vdk_lumiere_windows_coverage(NULL, 0) == 0, "coverage of no plan");

    bad_plan(0, 4, 2, 0, "T 0 must be positive");
    bad_plan(8, 9, 2, 0, "window_frames W 9 must be in [1, T 8]");
    bad_plan(8, 0, 0, 0, "window_frames W 0");
    bad_plan(8, 4, 4, 0, "window_overlap o 4 must be in [0, window_frames W 4)");
    bad_plan(8, 4, -1, 0, "window_overlap o -1");
    bad_plan(8, 4, 2, -1, "num_windows -1 must be >= 0");
    bad_plan(80, 15, 2, 5, "T 80 is not covered: num_windows K 5");
    bad_plan(80, 15, 2, 7, "num_windows K 7 is more than T 80 needs");
    bad_plan(5000, 2, 1, 0, "more than 1024");
    char msg[64];
    VT_CHECK(vdk_lumiere_windows_plan(8, 4, 2, 0, NULL, msg, sizeof msg) == VDK_ERROR_NULL_POINTER,
             "NULL plan");
}

/* ---- golden: the tiny SSR and its MultiDiffusion in PyTorch float64 ---- */

static const vt_golden_case *golden_case(const vt_golden_file *f, const char *name)
{
    for (int i = 0; i < f->ncases; i++)
        if (!strcmp(f->cases[i].name, name))
            return &f->cases[i];
    vt_fatal("lumiere_ssr_tiny.vgold has no '%s' case", name);
}

static void test_golden(const model *m)
{
    vdk_context *ctx = ref_ctx;
    vdk_weights *w = vp_seeded_weights(ctx, &m->table, VDK_F64, SEED);
    vt_golden_file f = vt_golden_load("lumiere_ssr_tiny");
    char msg[512];

    /* The network alone on one 6-channel clip. */
    const vt_golden_case *c = golden_case(&f, "forward");
    VT_CHECK(vt_golden_param(c, "seed") == SEED, "golden weights of seed %g",
             vt_golden_param(c, "seed"));
    vdk_tensor *x = vt_golden_make(ctx, c, "x", VDK_F64);
    vdk_tensor *e = vt_golden_make(ctx, c, "context", VDK_F64);
    const vt_golden_tensor *ts = vt_golden_get(c, "timesteps");
    if (!x || !e || !ts)
        vt_fatal("forward: an input is missing");
    vt_guarded out = vt_golden_output(ctx, c, "out");
    const vdk_lumiere_inputs in = {.x = x, .timesteps = ts->data, .context = e};
    vdk_status st = vdk_lumiere_forward(ctx, &m->config, w, &in, out.view, NULL, msg, sizeof msg);
    VT_CHECK(st == VDK_OK, "golden forward: %s: %s", vdk_status_string(st), msg);
    double *got = vt_read(out.view);
    const vt_golden_tensor *want = vt_golden_get(c, "out");
    printf("  golden forward         rel rms %.3g (bound %.3g)\n",
           vp_rel_rms(got, want->data, want->numel), sqrt(vp_golden_bound(&m->table, 1e-6)));
    free(got);
    VT_GOLDEN_CHECK(&out, c, "out", vp_golden_bound(&m->table, 1e-6));
    VT_DESTROY(x, e);

    /* MultiDiffusion over 8 frames in windows at 0, 2, 4, conditioned on a
     * base video of half the size, up-sampled here. */
    c = golden_case(&f, "multidiffusion");
    VT_CHECK(vt_golden_param(c, "window") == m->config.window_frames &&
                 vt_golden_param(c, "overlap") == m->config.window_overlap &&
                 vt_golden_param(c, "windows") == 3,
             "the golden's windows are the preset's");
    vdk_tensor *base = vt_golden_make(ctx, c, "base", VDK_F64);
    x = vt_golden_make(ctx, c, "x", VDK_F64);
    e = vt_golden_make(ctx, c, "context", VDK_F64);
    ts = vt_golden_get(c, "timesteps");
    if (!base || !x || !e || !ts)
        vt_fatal("multidiffusion: an input is missing");
    const int f_lo = m->config.lowres_factor;
    const int64_t ls[5] = {vdk_tensor_dim(base, 0), vdk_tensor_dim(base, 1),
                           vdk_tensor_dim(base, 2) * f_lo, vdk_tensor_dim(base, 3) * f_lo,
                           vdk_tensor_dim(base, 4)};
    vdk_tensor *lowres = vt_tensor(ctx, VDK_F64, 5, ls);
    st = vdk_lumiere_ssr_upsample(ctx, &m->config, base, lowres, msg, sizeof msg);
    VT_CHECK(st == VDK_OK, "upsample: %s: %s", vdk_status_string(st), msg);
    /* Nearest: lowres[n, t, y, x] = base[n, t, y / f, x / f]. */
    double *b = vt_read(base), *l = vt_read(lowres);
    int64_t wrong = 0;
    for (int64_t i = 0; i < vdk_tensor_numel(lowres); i++) {
        const int64_t ch = i % ls[4], xx = i / ls[4] % ls[3], yy = i / (ls[4] * ls[3]) % ls[2],
                      nt = i / (ls[4] * ls[3] * ls[2]);
        wrong += l[i] !=
                 b[((nt * (ls[2] / f_lo) + yy / f_lo) * (ls[3] / f_lo) + xx / f_lo) * ls[4] + ch];
    }
    VT_CHECK(wrong == 0, "upsample: %lld values are not the nearest base pixel", (long long)wrong);
    free(b);
    free(l);

    out = vt_golden_output(ctx, c, "out");
    const vdk_lumiere_ssr_inputs sin = {
        .x = x, .lowres = lowres, .timesteps = ts->data, .context = e};
    vdk_net_stats stats = {0};
    st = vdk_lumiere_multidiffusion(ctx, &m->config, w, &sin, out.view, NULL, NULL, &stats, msg,
                                    sizeof msg);
    VT_CHECK(st == VDK_OK, "golden multidiffusion: %s: %s", vdk_status_string(st), msg);
    VT_CHECK(stats.flops > 0 && stats.peak_activation_bytes > 0, "multidiffusion stats");
    got = vt_read(out.view);
    want = vt_golden_get(c, "out");
    printf("  golden multidiffusion  rel rms %.3g, %.3g MFLOP\n",
           vp_rel_rms(got, want->data, want->numel), stats.flops * 1e-6);
    free(got);
    VT_GOLDEN_CHECK(&out, c, "out", vp_golden_bound(&m->table, 1e-6));
    VT_DESTROY(base, x, e, lowres);
    vt_golden_free(&f);
    vdk_weights_destroy(w);
}

/* ---- the windowing against separate passes, on the host ---- */

/* Host arrays of u in [-1, 1) from the weight generator, as doubles. */
static double *host_uniform(const char *name, int64_t count)
{
    float *u = malloc((size_t)count * sizeof *u);
    double *d = malloc((size_t)count * sizeof *d);
    if (!u || !d)
        vt_fatal("out of memory");
    vdk_weights_uniform(name, SEED, count, u);
    for (int64_t i = 0; i < count; i++)
        d[i] = u[i];
    free(u);
    return d;
}

static vdk_tensor *tensor_of(vdk_context *ctx, vdk_dtype dt, int rank, const int64_t *shape,
                             const double *v)
{
    vdk_tensor *t = vt_tensor(ctx, dt, rank, shape);
    vt_fill(t, v);
    return t;
}

/* A video and its conditioning on the host: x [N, frames, H, W, 3], lo the same. */
typedef struct video {
    int frames;
    double *x, *lo, *text;
} video;

static video make_video(int frames, const model *m)
{
    const int64_t px = (int64_t)N * frames * H * W * 3;
    video v = {.frames = frames,
               .x = host_uniform("ssr.test.x", px),
               .lo = host_uniform("ssr.test.lowres", px),
               .text = host_uniform("ssr.test.text", (int64_t)N * m->config.text_length *
                                                         m->config.cross_attention_dim)};
    return v;
}

static void free_video(video *v)
{
    free(v->x);
    free(v->lo);
    free(v->text);
}

/* The noise prediction of the windows of `plan` on ctx in f64, by
 * vdk_lumiere_multidiffusion (windowed != 0) or, on the host, as the mean of
 * the plain forward passes of each window's frames [x, lowres] built here. */
static double *ssr_eps(const model *m, vdk_context *ctx, const vdk_weights *w, const video *v,
                       const vdk_lumiere_windows *plan, int windowed)
{
    const int64_t vs[5] = {N, v->frames, H, W, 3};
    const int64_t es[3] = {N, m->config.text_length, m->config.cross_attention_dim};
    const int64_t px = (int64_t)H * W, count = N * v->frames * px * 3;
    vdk_tensor *text = tensor_of(ctx, VDK_F64, 3, es, v->text);
    char msg[512];
    double *out = calloc((size_t)count, sizeof *out);
    if (!out)
        vt_fatal("out of memory");
    if (windowed) {
        vdk_lumiere_config c = m->config;
        c.window_frames = plan->window;
        c.window_overlap = plan->overlap;
        c.num_windows = plan->count;
        c.num_frames = v->frames;
        vdk_tensor *x = tensor_of(ctx, VDK_F64, 5, vs, v->x);
        vdk_tensor *lo = tensor_of(ctx, VDK_F64, 5, vs, v->lo);
        vdk_tensor *y = vt_tensor(ctx, VDK_F64, 5, vs);
        const vdk_lumiere_ssr_inputs in = {
            .x = x, .lowres = lo, .timesteps = timesteps, .context = text};
        const vdk_status st =
            vdk_lumiere_multidiffusion(ctx, &c, w, &in, y, NULL, NULL, NULL, msg, sizeof msg);
        VT_CHECK(st == VDK_OK, "multidiffusion: %s: %s", vdk_status_string(st), msg);
        double *r = vt_read(y);
        memcpy(out, r, (size_t)count * sizeof *out);
        free(r);
        VT_DESTROY(x, lo, y);
        vdk_tensor_destroy(text);
        return out;
    }
    const int Wn = plan->window;
    const int64_t ws[5] = {N, Wn, H, W, 6}, os[5] = {N, Wn, H, W, 3};
    double *xin = malloc((size_t)(N * Wn * px * 6) * sizeof *xin);
    int *cover = calloc((size_t)v->frames, sizeof *cover);
    if (!xin || !cover)
        vt_fatal("out of memory");
    for (int i = 0; i < plan->count; i++) {
        const int s = plan->start[i];
        for (int n = 0; n < N; n++)
            for (int f = 0; f < Wn; f++)
                for (int64_t p = 0; p < px; p++)
                    for (int ch = 0; ch < 6; ch++) {
                        const int64_t src = ((int64_t)(n * v->frames + s + f) * px + p) * 3;
                        xin[((int64_t)(n * Wn + f) * px + p) * 6 + ch] =
                            ch < 3 ? v->x[src + ch] : v->lo[src + ch - 3];
                    }
        vdk_tensor *x = tensor_of(ctx, VDK_F64, 5, ws, xin);
        vdk_tensor *y = vt_tensor(ctx, VDK_F64, 5, os);
        const vdk_lumiere_inputs in = {.x = x, .timesteps = timesteps, .context = text};
        const vdk_status st =
            vdk_lumiere_forward(ctx, &m->config, w, &in, y, NULL, msg, sizeof msg);
        VT_CHECK(st == VDK_OK, "window %d: %s: %s", i, vdk_status_string(st), msg);
        double *e = vt_read(y);
        for (int n = 0; n < N; n++)
            for (int f = 0; f < Wn; f++)
                for (int64_t k = 0; k < px * 3; k++)
                    out[(int64_t)(n * v->frames + s + f) * px * 3 + k] +=
                        e[(int64_t)(n * Wn + f) * px * 3 + k];
        for (int f = 0; f < Wn; f++)
            cover[s + f] += 1;
        free(e);
        VT_DESTROY(x, y);
    }
    for (int n = 0; n < N; n++)
        for (int t = 0; t < v->frames; t++)
            for (int64_t k = 0; k < px * 3; k++)
                out[(int64_t)(n * v->frames + t) * px * 3 + k] /= cover[t];
    free(xin);
    free(cover);
    vdk_tensor_destroy(text);
    return out;
}

static void test_against_windows(const model *m)
{
    vdk_weights *w = vp_seeded_weights(ref_ctx, &m->table, VDK_F64, SEED);
    /* One window: the plain forward pass, bit for bit. */
    video v = make_video(4, m);
    vdk_lumiere_windows one = plan_of(4, 4, 2, 0);
    double *a = ssr_eps(m, ref_ctx, w, &v, &one, 1), *b = ssr_eps(m, ref_ctx, w, &v, &one, 0);
    const int64_t n4 = (int64_t)N * 4 * H * W * 3;
    VT_CHECK(memcmp(a, b, (size_t)n4 * sizeof *a) == 0 && vp_rel_rms(a, b, n4) == 0,
             "T = W: the windowed pass is not the forward pass (rel rms %.3g)",
             vp_rel_rms(a, b, n4));
    free(a);
    free(b);
    free_video(&v);

    /* Exact tiling (0, 2 over 6), 3-deep overlaps (0, 1, 2 over 6), and a
     * last window pulled back (0, 2, 3 over 7). The scale by 1/3 may differ
     * from the host's division by 3 in the last bit. */
    static const int cases[][3] = {{6, 2, 2}, {6, 3, 3}, {7, 2, 3}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const int frames = cases[i][0];
        v = make_video(frames, m);
        vdk_lumiere_windows p = plan_of(frames, 4, cases[i][1], 0);
        VT_CHECK(p.count == cases[i][2], "%d windows", p.count);
        a = ssr_eps(m, ref_ctx, w, &v, &p, 1);
        b = ssr_eps(m, ref_ctx, w, &v, &p, 0);
        const int64_t count = (int64_t)N * frames * H * W * 3;
        const double err = vp_rel_rms(a, b, count);
        printf("  %d frames, W 4, o %d: %d windows; against the mean of the window passes rel "
               "rms %.3g\n",
               frames, cases[i][1], p.count, err);
        VT_CHECK(err < 1e-15, "%d frames, overlap %d: rel rms %.3g against the host mean", frames,
                 cases[i][1], err);
        free(a);
        free(b);
        free_video(&v);
    }
    vdk_weights_destroy(w);
}

/* ---- backends ---- */

/* MultiDiffusion over T frames (windows at 0, 2) on ctx in dtype, the
 * conditioning up-sampled from a seeded base video, as doubles. */
static double *run(const model *m, vdk_context *ctx, vdk_dtype dtype, const char *what)
{
    vdk_weights *w = vp_seeded_weights(ctx, &m->table, dtype, SEED);
    const int f = m->config.lowres_factor;
    const int64_t xs[5] = {N, T, H, W, 3}, bs[5] = {N, T, H / f, W / f, 3};
    const int64_t es[3] = {N, m->config.text_length, m->config.cross_attention_dim};
    vdk_tensor *x = vp_input(ctx, dtype, "lumiere.ssr.noisy", SEED, 5, xs, 1.0f);
    vdk_tensor *base = vp_input(ctx, dtype, "lumiere.ssr.base", SEED, 5, bs, 1.0f);
    vdk_tensor *e = vp_input(ctx, dtype, "lumiere.context", SEED, 3, es, 1.0f);
    vdk_tensor *lo = vt_tensor(ctx, dtype, 5, xs), *y = vt_tensor(ctx, dtype, 5, xs);
    vdk_lumiere_config c = m->config;
    c.num_frames = T;
    char msg[512];
    vdk_status st = vdk_lumiere_ssr_upsample(ctx, &c, base, lo, msg, sizeof msg);
    const vdk_lumiere_ssr_inputs in = {.x = x, .lowres = lo, .timesteps = timesteps, .context = e};
    if (st == VDK_OK)
        st = vdk_lumiere_multidiffusion(ctx, &c, w, &in, y, NULL, NULL, NULL, msg, sizeof msg);
    double *out = NULL;
    if (VT_CHECK(st == VDK_OK, "%s: %s: %s", what, vdk_status_string(st), msg))
        out = vt_read(y);
    VT_DESTROY(x, base, e, lo, y);
    vdk_weights_destroy(w);
    return out;
}

static double *run_model(const void *m, vdk_context *ctx, vdk_dtype dtype, const char *what)
{
    return run(m, ctx, dtype, what);
}

static void test_backends(const model *m)
{
    const int64_t count = (int64_t)N * T * H * W * 3;
    double *oracle = run(m, ref_ctx, VDK_F64, "reference f64");
    if (!oracle)
        return;
    vp_check_backends(m, run_model, oracle, count, vp_longest_reduction(&m->table), ref_ctx,
                      cpu_ctx, 64);
    free(oracle);
}

/* ---- bad arguments: named, and out untouched ---- */

static void expect_md(const vdk_lumiere_config *c, const vdk_weights *w,
                      const vdk_lumiere_ssr_inputs *in, vdk_tensor *out, vdk_status want,
                      const char *needle, const char *what)
{
    char msg[512] = "";
    vt_snapshots snap = VT_SNAP(out);
    const vdk_status st =
        vdk_lumiere_multidiffusion(ref_ctx, c, w, in, out, NULL, NULL, NULL, msg, sizeof msg);
    VT_CHECK(st == want && strstr(msg, needle), "%s: %s (want %s): '%s' lacks '%s'", what,
             vdk_status_string(st), vdk_status_string(want), msg, needle);
    VT_CHECK(!out || vt_all_unchanged(&snap), "%s: out was written", what);
}

static void test_bad(const model *m)
{
    vdk_context *ctx = ref_ctx;
    vdk_weights *w = vp_seeded_weights(ctx, &m->table, VDK_F32, SEED);
    const int64_t xs[5] = {1, 8, 8, 4, 3}, es[3] = {1, 5, 12};
    vdk_tensor *x = vt_random(ctx, VDK_F32, 5, xs, 1, -1, 1);
    vdk_tensor *lo = vt_random(ctx, VDK_F32, 5, xs, 2, -1, 1);
    vdk_tensor *e = vt_random(ctx, VDK_F32, 3, es, 3, -1, 1);
    vdk_tensor *y = vt_random(ctx, VDK_F32, 5, xs, 4, 7, 8);
    const double t1[1] = {500};
    const vdk_lumiere_ssr_inputs good = {.x = x, .lowres = lo, .timesteps = t1, .context = e};
    vdk_lumiere_ssr_inputs in = good;
    vdk_lumiere_config c = m->config;

    /* Window parameters (the configuration's check names the field). */
    c.window_overlap = 4;
    expect_md(&c, w, &in, y, VDK_ERROR_INVALID_VALUE, "window_overlap o 4", "overlap >= W");
    c = m->config, c.window_frames = 9;
    expect_md(&c, w, &in, y, VDK_ERROR_INVALID_VALUE, "window_frames W 9", "W > num_frames");
    /* The same rules on x's T (10 frames: 3 windows of 4 cover 8; 3 frames:
     * fewer than one window). */
    const int64_t x10[5] = {1, 10, 8, 4, 3}, x3[5] = {1, 3, 8, 4, 3};
    vdk_tensor *x_10 = vt_random(ctx, VDK_F32, 5, x10, 5, -1, 1);
    vdk_tensor *lo_10 = vt_random(ctx, VDK_F32, 5, x10, 6, -1, 1);
    vdk_tensor *y_10 = vt_random(ctx, VDK_F32, 5, x10, 7, 7, 8);
    vdk_tensor *x_3 = vt_random(ctx, VDK_F32, 5, x3, 8, -1, 1);
    vdk_tensor *lo_3 = vt_random(ctx, VDK_F32, 5, x3, 9, -1, 1);
    vdk_tensor *y_3 = vt_random(ctx, VDK_F32, 5, x3, 10, 7, 8);
    c = m->config, c.num_windows = 3;
    in.x = x_10, in.lowres = lo_10;
    expect_md(&c, w, &in, y_10, VDK_ERROR_INVALID_VALUE,
              "x's T 10: vdk_lumiere_windows_plan: T 10 is not covered", "T not covered");
    c = m->config;
    in.x = x_3, in.lowres = lo_3;
    expect_md(&c, w, &in, y_3, VDK_ERROR_INVALID_VALUE, "window_frames W 4 must be in [1, T 3]",
              "W > T");

    /* Shapes, dtypes, pointers, configuration. */
    in = good;
    const int64_t x6[5] = {1, 8, 8, 4, 6}, xw[5] = {1, 8, 8, 8, 3};
    vdk_tensor *x_6 = vt_random(ctx, VDK_F32, 5, x6, 11, -1, 1);
    vdk_tensor *lo_w = vt_random(ctx, VDK_F32, 5, xw, 12, -1, 1);
    vdk_tensor *lo_h = vt_random(ctx, VDK_F16, 5, xs, 13, -1, 1);
    in.x = x_6;
    expect_md(&m->config, w, &in, y, VDK_ERROR_SHAPE, "x must be [N, T, H, W, 3]", "x channels");
    in = good, in.lowres = lo_w;
    expect_md(&m->config, w, &in, y, VDK_ERROR_SHAPE, "lowres must be [N, T, H, W, 3]",
              "lowres width");
    in = good;
    expect_md(&m->config, w, &in, y_10, VDK_ERROR_SHAPE, "out [N, T, H, W, 3]", "out frames");
    in.lowres = lo_h;
    expect_md(&m->config, w, &in, y, VDK_ERROR_DTYPE, "lowres (f16)", "lowres dtype");
    in = good, in.lowres = NULL;
    expect_md(&m->config, w, &in, y, VDK_ERROR_NULL_POINTER, "lowres", "no lowres");
    in = good, in.context = NULL;
    expect_md(&m->config, w, &in, y, VDK_ERROR_NULL_POINTER, "window 0 (frames 0-3)",
              "no context: the first pass says so before out is written");
    in = good;
    expect_md(&m->config, NULL, &in, y, VDK_ERROR_NULL_POINTER, "weights", "no weights");
    vdk_lumiere_config base;
    vdk_lumiere_config_preset(VDK_LUMIERE_PRESET_TINY, &base);
    expect_md(&base, w, &in, y, VDK_ERROR_INVALID_VALUE, "the configuration is no SSR",
              "base preset");
    c = m->config, c.lowres_factor = 0;
    expect_md(&c, w, &in, y, VDK_ERROR_INVALID_VALUE, "lowres_factor 0", "bad configuration");

    /* The up-sampling's own checks. */
    char msg[256] = "";
    vt_snapshots snap = VT_SNAP(lo_w);
    vdk_status st = vdk_lumiere_ssr_upsample(ctx, &m->config, x, lo_w, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_SHAPE && strstr(msg, "out must be [1, 8, 16, 8, 3]") &&
                 vt_all_unchanged(&snap),
             "upsample out shape: %s '%s'", vdk_status_string(st), msg);
    st = vdk_lumiere_ssr_upsample(ctx, &m->config, x_6, lo_w, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_SHAPE && strstr(msg, "base must be [N, T, h, w, 3]"),
             "upsample base channels: '%s'", msg);
    st = vdk_lumiere_ssr_upsample(ctx, &base, x, lo_w, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_INVALID_VALUE && strstr(msg, "no low-res conditioning"),
             "upsample without conditioning: '%s'", msg);

    VT_DESTROY(x, lo, e, y, x_10, lo_10, y_10, x_3, lo_3, y_3, x_6, lo_w, lo_h);
    vdk_weights_destroy(w);
}

/* ---- one guided DDIM step with the SSR as the denoiser ---- */

typedef struct window_log {
    int calls, starts[16];
} window_log;

static vdk_status log_window(void *user, int window, int windows, int start)
{
    window_log *l = user;
    (void)windows;
    if (l->calls < 16)
        l->starts[l->calls] = start + 100 * window;
    l->calls++;
    return VDK_OK;
}

static vdk_status stop_window(void *user, int window, int windows, int start)
{
    (void)user, (void)windows, (void)start;
    return window == 1 ? VDK_ERROR_INVALID_VALUE : VDK_OK;
}

static void test_sampler_step(const model *m)
{
    vdk_context *ctx = ref_ctx;
    vdk_weights *w = vp_seeded_weights(ctx, &m->table, VDK_F64, SEED);
    const float g = 3.0f;
    const int64_t xs[5] = {1, T, H, W, 3}, x2[5] = {2, T, H, W, 3};
    const int64_t es[3] = {1, m->config.text_length, m->config.cross_attention_dim},
                  e2[3] = {2, m->config.text_length, m->config.cross_attention_dim};
    vdk_tensor *x = vp_input(ctx, VDK_F64, "ssr.step.noise", SEED, 5, xs, 1.0f);
    vdk_tensor *lo = vp_input(ctx, VDK_F64, "ssr.step.lowres", SEED, 5, xs, 1.0f);
    vdk_tensor *text = vp_input(ctx, VDK_F64, "ssr.step.text", SEED, 3, es, 1.0f);
    vdk_tensor *zero = vp_input(ctx, VDK_F64, "ssr.step.text", SEED, 3, es, 0.0f);
    vdk_tensor *lo2 = vt_tensor(ctx, VDK_F64, 5, x2), *ctx2 = vt_tensor(ctx, VDK_F64, 3, e2);
    vdk_tensor *xx = vt_tensor(ctx, VDK_F64, 5, x2), *eps = vt_tensor(ctx, VDK_F64, 5, x2);
    const vdk_concat_params c0 = {.axis = 0};
    if (vdk_concat(ctx, &c0, lo, lo, lo2) || vdk_concat(ctx, &c0, zero, text, ctx2) ||
        vdk_concat(ctx, &c0, x, x, xx))
        vt_fatal("concat: %s", vdk_last_error(ctx));
    vdk_lumiere_config c = m->config;
    c.num_frames = T;

    /* The host's step: eps of both halves by MultiDiffusion, the guidance and
     * DDIM's x = (A + B) blend(A / (A + B); x, eps) with the sampler's f32
     * blend factors. */
    int t0;
    double ab, ap;
    char msg[512];
    if (vdk_lumiere_schedule(NULL, 1, &t0, &ab, &ap, msg, sizeof msg))
        vt_fatal("schedule: %s", msg);
    const double tt[2] = {t0, t0};
    const vdk_lumiere_ssr_inputs in = {.x = xx, .lowres = lo2, .timesteps = tt, .context = ctx2};
    vdk_status st =
        vdk_lumiere_multidiffusion(ctx, &c, w, &in, eps, NULL, NULL, NULL, msg, sizeof msg);
    VT_CHECK(st == VDK_OK, "eps: %s", msg);
    double *e = vt_read(eps), *x0 = vt_read(x);
    const int64_t count = vdk_tensor_numel(x);
    const double a = sqrt(ap / ab), b = sqrt(1.0 - ap) - sqrt(ap * (1.0 - ab) / ab);
    const double mix = (float)(a / (a + b)), scale = (float)(a + b);
    double *want = malloc((size_t)count * sizeof *want);
    if (!want)
        vt_fatal("out of memory");
    for (int64_t i = 0; i < count; i++) {
        const double guided = g * e[count + i] + (1.0 - g) * e[i];
        want[i] = scale * (mix * x0[i] + (1.0 - mix) * guided);
    }

    window_log log = {0};
    vdk_lumiere_ssr_denoiser d = {.ctx = ctx,
                                  .config = &c,
                                  .w = w,
                                  .lowres = lo2,
                                  .context = ctx2,
                                  .progress = log_window,
                                  .progress_user = &log};
    vdk_lumiere_sampler_params sp = {
        .steps = 1, .guidance_scale = g, .denoise = vdk_lumiere_ssr_denoise, .denoise_user = &d};
    st = vdk_lumiere_sample(ctx, &sp, x, msg, sizeof msg);
    VT_CHECK(st == VDK_OK, "sample: %s: %s / %s", vdk_status_string(st), msg, d.msg);
    double *got = vt_read(x);
    const double err = vp_rel_rms(got, want, count);
    printf("  one guided SSR step (t %d, 2 windows x batch 2) against the host: rel rms %.3g, "
           "%.3g MFLOP\n",
           t0, err, d.stats.flops * 1e-6);
    VT_CHECK(err < 1e-14, "guided SSR step: rel rms %.3g against the host", err);
    VT_CHECK(log.calls == 2 && log.starts[0] == 0 && log.starts[1] == 102,
             "window progress: %d calls (2), starts %d, %d", log.calls, log.starts[0],
             log.starts[1] - 100);
    VT_CHECK(d.stats.flops > 0, "the denoiser's stats");

    /* A progress callback that fails stops the pass and the sampler. */
    d.progress = stop_window;
    st = vdk_lumiere_sample(ctx, &sp, x, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_INVALID_VALUE && strstr(d.msg, "stopped after window 1"),
             "a failing window callback: %s '%s'", vdk_status_string(st), d.msg);
    free(e);
    free(x0);
    free(want);
    free(got);
    VT_DESTROY(x, lo, text, zero, lo2, ctx2, xx, eps);
    vdk_weights_destroy(w);
}

int main(void)
{
    model m = tiny_ssr();
    ref_ctx = vt_context(VDK_BACKEND_REFERENCE);
    cpu_ctx = vt_context(VDK_BACKEND_CPU);
    test_windows();
    test_golden(&m);
    test_against_windows(&m);
    test_bad(&m);
    test_sampler_step(&m);
    test_backends(&m);
    vdk_param_table_free(&m.table);
    vdk_context_destroy(cpu_ctx);
    vdk_context_destroy(ref_ctx);
    return vt_finish("lumiere_ssr");
}
