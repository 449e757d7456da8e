/* vdk_timestep_embedding: golden vectors (diffusers' get_timestep_embedding and
 * AnimateDiff's interleaved layout, in float64), layout and frequency
 * properties, dtypes, views and bad input. */
#include "vdk_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static vdk_context *ctx;

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("timestep_embedding");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_timestep_embedding_params p = {
            .dim = (int)vt_golden_param(c, "dim"),
            .flip_sin_to_cos = (int)vt_golden_param(c, "flip_sin_to_cos"),
            .interleave = (int)vt_golden_param(c, "interleave"),
            .downscale_freq_shift = (float)vt_golden_param(c, "downscale_freq_shift"),
            .scale = (float)vt_golden_param(c, "scale"),
            .max_period = (float)vt_golden_param(c, "max_period"),
        };
        vdk_tensor *t = vt_golden_make(ctx, c, "t", VDK_F64);
        vt_guarded y = vt_golden_output(ctx, c, "y");
        VT_STATUS(ctx, vdk_timestep_embedding(ctx, &p, t, y.view), VDK_OK);
        VT_GOLDEN_CHECK(&y, c, "y", VT_GOLDEN_BOUND);
        vdk_tensor_destroy(t);
    }
    vt_golden_free(&f);
}

/* The embedding of n timesteps, read back as a malloc'd [n, p.dim] array. */
static double *embed(vdk_timestep_embedding_params p, const double *t, int64_t n)
{
    vdk_tensor *tt = vt_tensor(ctx, VDK_F64, 1, &n);
    vdk_tensor *y = vt_tensor(ctx, VDK_F64, 2, (int64_t[]){n, p.dim});
    vt_fill(tt, t);
    vt_poison(y);
    VT_STATUS(ctx, vdk_timestep_embedding(ctx, &p, tt, y), VDK_OK);
    double *v = vt_read(y);
    vdk_tensor_destroy(tt);
    vdk_tensor_destroy(y);
    return v;
}

/* Index of the sine and the cosine of frequency i in a row. */
static int64_t sin_col(vdk_timestep_embedding_params p, int64_t i)
{
    const int64_t half = p.dim / 2;
    if (p.interleave)
        return 2 * i + (p.flip_sin_to_cos ? 1 : 0);
    return i + (p.flip_sin_to_cos ? half : 0);
}
static int64_t cos_col(vdk_timestep_embedding_params p, int64_t i)
{
    const int64_t half = p.dim / 2;
    if (p.interleave)
        return 2 * i + (p.flip_sin_to_cos ? 0 : 1);
    return i + (p.flip_sin_to_cos ? 0 : half);
}

/* Every layout (flip, interleave) and parity of dim. */
static const vdk_timestep_embedding_params layouts[] = {
    {.dim = 16},
    {.dim = 16, .flip_sin_to_cos = 1},
    {.dim = 13, .flip_sin_to_cos = 1, .downscale_freq_shift = 1},
    {.dim = 12, .interleave = 1},
    {.dim = 12, .interleave = 1, .flip_sin_to_cos = 1},
    {.dim = 9, .interleave = 1, .scale = 3, .max_period = 50},
    {.dim = 320, .flip_sin_to_cos = 1},
};
enum { nlayouts = sizeof layouts / sizeof *layouts };

/* t = 0 gives sin 0 = 0 and cos 0 = 1 in their columns and 0 in an odd dim's
 * last column; sin^2 + cos^2 = 1 for every frequency and timestep up to 1000. */
static void test_t0_row_and_unit_pairs(void)
{
    const double t[] = {0, 1, 7, 24, 250.5, 999, 1000};
    enum { n = sizeof t / sizeof *t };
    for (int k = 0; k < nlayouts; k++) {
        vdk_timestep_embedding_params p = layouts[k];
        const int64_t dim = p.dim, half = dim / 2;
        double *y = embed(p, t, n);
        int64_t wrong0 = 0;
        for (int64_t i = 0; i < half; i++)
            wrong0 += y[sin_col(p, i)] != 0.0 || y[cos_col(p, i)] != 1.0;
        VT_CHECK(wrong0 == 0, "layout %d: t = 0 row wrong at %lld frequencies", k,
                 (long long)wrong0);
        double worst = 0;
        int64_t pad = 0;
        for (int64_t r = 0; r < n; r++) {
            for (int64_t i = 0; i < half; i++) {
                double s = y[r * dim + sin_col(p, i)], c = y[r * dim + cos_col(p, i)];
                worst = fmax(worst, fabs(s * s + c * c - 1.0));
            }
            if (dim % 2)
                pad += y[r * dim + dim - 1] != 0.0;
        }
        VT_CHECK(worst < 1e-15, "layout %d: sin^2 + cos^2 off 1 by %.3g", k, worst);
        VT_CHECK(pad == 0, "layout %d: odd dim's last column is not 0 in %lld rows", k,
                 (long long)pad);
        free(y);
    }
}

/* The interleaved layout is a permutation of the concatenated one (pairs taken
 * from the two halves), and flip swaps exactly the sine and cosine blocks. */
static void test_interleave_and_flip_permute(void)
{
    const double t[] = {0.25, 3, 17, 640, 1000};
    enum { n = sizeof t / sizeof *t };
    const int dims[] = {2, 10, 11, 64};
    for (int d = 0; d < 4; d++)
        for (int flip = 0; flip < 2; flip++) {
            const int64_t dim = dims[d], half = dim / 2;
            vdk_timestep_embedding_params pc = {.dim = dims[d], .flip_sin_to_cos = flip,
                                                .downscale_freq_shift = 1.0f / 3};
            vdk_timestep_embedding_params pi = pc, pf = pc;
            pi.interleave = 1;
            pf.flip_sin_to_cos = !flip;
            double *yc = embed(pc, t, n), *yi = embed(pi, t, n), *yf = embed(pf, t, n);
            int64_t bad_i = 0, bad_f = 0;
            for (int64_t r = 0; r < n; r++) {
                const double *c = yc + r * dim, *iv = yi + r * dim, *f = yf + r * dim;
                for (int64_t i = 0; i < half; i++) {
                    bad_i += iv[2 * i] != c[i] || iv[2 * i + 1] != c[half + i];
                    bad_f += f[i] != c[half + i] || f[half + i] != c[i];
                }
                if (dim % 2)
                    bad_i += iv[dim - 1] != c[dim - 1];
            }
            VT_CHECK(bad_i == 0, "dim %lld flip %d: interleave is not the pairwise permutation "
                     "(%lld mismatches)", (long long)dim, flip, (long long)bad_i);
            VT_CHECK(bad_f == 0, "dim %lld flip %d: flip does not swap the halves (%lld)",
                     (long long)dim, flip, (long long)bad_f);
            free(yc);
            free(yi);
            free(yf);
        }
}

/* The angles a_i, recovered from each (sin, cos) pair while they are below pi,
 * start at scale * t and fall geometrically by exp(-ln(max_period) / (half - shift)). */
static void test_frequency_law(void)
{
    const struct {
        int dim;
        float shift, scale, max_period, t;
    } cs[] = {
        {32, 0, 0, 0, 0.5f},     /* defaults: scale 1, max_period 10000 */
        {33, 1, 2, 0, 0.75f},    /* DDPM-style shift 1 */
        {20, 0.5f, -1.5f, 100, 2}, /* negative scale: angles negative */
        {4, 0, 1, 10, 3},
    };
    for (size_t k = 0; k < sizeof cs / sizeof *cs; k++) {
        vdk_timestep_embedding_params p = {.dim = cs[k].dim, .downscale_freq_shift = cs[k].shift,
                                           .scale = cs[k].scale, .max_period = cs[k].max_period};
        const double scale = cs[k].scale ? cs[k].scale : 1.0;
        const double period = cs[k].max_period ? cs[k].max_period : 10000.0;
        const int64_t half = p.dim / 2;
        const double t = cs[k].t, ratio = exp(-log(period) / ((double)half - cs[k].shift));
        double *y = embed(p, &t, 1);
        double worst = 0, prev = 0;
        for (int64_t i = 0; i < half; i++) {
            double a = atan2(y[sin_col(p, i)], y[cos_col(p, i)]);
            double expect = i == 0 ? scale * t : prev * ratio;
            worst = fmax(worst, fabs(a - expect) / fabs(expect));
            prev = a;
        }
        VT_CHECK(worst < 1e-12, "case %zu: angles off the geometric law by %.3g (relative)", k,
                 worst);
        free(y);
    }
}

/* scale 0 means 1 and max_period 0 means 10000, bit for bit. */
static void test_defaults(void)
{
    const double t[] = {0, 5, 999};
    vdk_timestep_embedding_params p0 = {.dim = 24, .flip_sin_to_cos = 1};
    vdk_timestep_embedding_params p1 = {.dim = 24, .flip_sin_to_cos = 1, .scale = 1,
                                        .max_period = 10000};
    double *a = embed(p0, t, 3), *b = embed(p1, t, 3);
    VT_CHECK(vt_error_ok(vt_compare(a, b, 3 * 24), 0), "defaults differ from scale 1, period 1e4");
    free(a);
    free(b);
}

/* f32, f16 and bf16 storage against the f64 oracle on the same (rounded) t:
 * frame indices and diffusion timesteps up to 1000. */
static void test_dtypes(void)
{
    const int64_t N = 14;
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++)
        for (int k = 0; k < 2; k++) {
            vdk_dtype dt = dtypes[d];
            vdk_timestep_embedding_params p = {.dim = k ? 256 : 40, .flip_sin_to_cos = 1};
            double tv[14];
            for (int i = 0; i < N; i++)
                tv[i] = k ? vt_uniform(801, (uint64_t)i, 0, 1000) : i;
            vdk_tensor *t = vt_tensor(ctx, dt, 1, &N);
            vt_fill(t, tv);
            const int64_t ys[2] = {N, p.dim};
            vdk_tensor *t64 = vt_copy_as(ctx, VDK_F64, t), *y64 = vt_tensor(ctx, VDK_F64, 2, ys);
            VT_STATUS(ctx, vdk_timestep_embedding(ctx, &p, t64, y64), VDK_OK);
            vt_guarded y = vt_guarded_tensor(ctx, dt, 2, ys);
            VT_STATUS(ctx, vdk_timestep_embedding(ctx, &p, t, y.view), VDK_OK);
            VT_ORACLE_CHECK(&y, y64, vt_tolerance(dt, 1, 0), "%s dim %d", vdk_dtype_name(dt),
                            p.dim);
            VT_DESTROY(t, t64, y64);
        }
}

/* t as a slice with an offset and y as a column block of a wider tensor (row
 * stride > dim) give the dense result; the other columns stay. */
static void test_views(void)
{
    const int64_t N = 5, dim = 11, W = 30, L = 9;
    vdk_timestep_embedding_params p = {.dim = (int)dim, .interleave = 1, .downscale_freq_shift = 1};
    vdk_tensor *tbig = vt_random(ctx, VDK_F32, 1, &L, 811, 0, 1000);
    vdk_tensor *ybig = vt_random(ctx, VDK_F32, 2, (int64_t[]){N, W}, 812, -1, 1);
    vdk_tensor *tv, *yv;
    VT_STATUS(ctx, vdk_tensor_slice(tbig, 0, 3, N, &tv), VDK_OK);
    VT_STATUS(ctx, vdk_tensor_slice(ybig, 1, 7, dim, &yv), VDK_OK);
    double *before = vt_read(ybig);
    vdk_tensor *td = vt_copy_as(ctx, VDK_F32, tv), *yd = vt_tensor(ctx, VDK_F32, 2, (int64_t[]){N, dim});
    VT_STATUS(ctx, vdk_timestep_embedding(ctx, &p, td, yd), VDK_OK);
    double *want = vt_read(yd);
    VT_STATUS(ctx, vdk_timestep_embedding(ctx, &p, tv, yv), VDK_OK);
    VT_CHECK(vt_error_ok(vt_compare_tensor(yv, want), 0), "strided y / offset t differ");
    int64_t outside = vt_changed_outside(ybig, before, 7, dim);
    VT_CHECK(outside == 0, "%lld elements outside the view changed", (long long)outside);
    free(before);
    free(want);
    VT_DESTROY(tv, yv, tbig, ybig, td, yd);
}

static void test_bad_input(void)
{
    const int64_t N = 4, ys[2] = {4, 8}, yn[2] = {5, 8}, yd[2] = {4, 9}, t2s[2] = {4, 1};
    vdk_tensor *t = vt_random(ctx, VDK_F32, 1, &N, 821, 0, 100);
    vdk_tensor *y = vt_random(ctx, VDK_F32, 2, ys, 822, -1, 1);
    vdk_tensor *t2 = vt_random(ctx, VDK_F32, 2, t2s, 823, 0, 100);
    vdk_tensor *y1 = vt_random(ctx, VDK_F32, 1, &N, 824, -1, 1);
    vdk_tensor *y16 = vt_random(ctx, VDK_F16, 2, ys, 825, -1, 1);
    vdk_tensor *y_n = vt_random(ctx, VDK_F32, 2, yn, 826, -1, 1);
    vdk_tensor *y_d = vt_random(ctx, VDK_F32, 2, yd, 827, -1, 1);
    const int64_t total = 40;
    vdk_tensor *big = vt_random(ctx, VDK_F32, 1, &total, 828, -1, 1);
    /* y_in is elements 0..31 of big, t_in 30..33 */
    vdk_tensor *t_in = vt_view_at(big, 30, 1, &N), *y_in = vt_view_at(big, 0, 2, ys);
    vdk_tensor *t_o = vt_random(vt_other_context(), VDK_F32, 1, &N, 829, 0, 1);
    vdk_tensor *y_o = vt_random(vt_other_context(), VDK_F32, 2, ys, 830, 0, 1);

    const vdk_timestep_embedding_params good = {.dim = 8, .flip_sin_to_cos = 1};
    vdk_timestep_embedding_params p;
    vt_snapshots s = VT_SNAP(t, y, y1, y16, y_n, y_d, big);

    VT_ERROR(NULL, vdk_timestep_embedding(NULL, &good, t, y), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, NULL, t, y), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &good, NULL, y), VDK_ERROR_NULL_POINTER, "'t'");
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &good, t, NULL), VDK_ERROR_NULL_POINTER, "'y'");
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &good, t_o, y), VDK_ERROR_CONTEXT, "'t'");
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &good, t, y_o), VDK_ERROR_CONTEXT, "'y'");
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &good, t2, y), VDK_ERROR_RANK, "'t'");
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &good, t, y1), VDK_ERROR_RANK, "'y'");
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &good, t, y16), VDK_ERROR_DTYPE, "'y'");
    const int bad_dims[] = {1, 0, -8};
    for (int i = 0; i < 3; i++) {
        p = good, p.dim = bad_dims[i];
        VT_ERROR(ctx, vdk_timestep_embedding(ctx, &p, t, y), VDK_ERROR_INVALID_VALUE, "p->dim");
    }
    p = good, p.scale = NAN;
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &p, t, y), VDK_ERROR_INVALID_VALUE, "p->scale");
    p = good, p.scale = -INFINITY;
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &p, t, y), VDK_ERROR_INVALID_VALUE, "p->scale");
    const float bad_periods[] = {-10000, NAN, INFINITY};
    for (int i = 0; i < 3; i++) {
        p = good, p.max_period = bad_periods[i];
        VT_ERROR(ctx, vdk_timestep_embedding(ctx, &p, t, y), VDK_ERROR_INVALID_VALUE,
                 "p->max_period");
    }
    p = good, p.downscale_freq_shift = NAN;
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &p, t, y), VDK_ERROR_INVALID_VALUE,
             "p->downscale_freq_shift");
    p = good, p.downscale_freq_shift = 4; /* half = 4 */
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &p, t, y), VDK_ERROR_INVALID_VALUE,
             "p->downscale_freq_shift");
    p = good, p.dim = 3, p.downscale_freq_shift = 1; /* half = 1 */
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &p, t, y), VDK_ERROR_INVALID_VALUE,
             "p->downscale_freq_shift");
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &good, t, y_n), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &good, t, y_d), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_timestep_embedding(ctx, &good, t_in, y_in), VDK_ERROR_ALIAS, "'y'");
    VT_CHECK(vt_all_unchanged(&s), "a failed call changed a tensor");

    /* Negative scale and a shift above half are taken as given. */
    p = good, p.scale = -2, p.downscale_freq_shift = 6.5f;
    VT_STATUS(ctx, vdk_timestep_embedding(ctx, &p, t, y), VDK_OK);

    VT_DESTROY(t, y, t2, y1, y16, y_n, y_d, big, t_in, y_in, t_o, y_o);
}


/* ---- the CPU backend: every tier, f32, f16 and bf16, against the f64 reference
 * run on the same rounded inputs ---- */

static const vdk_dtype cpu_dtypes[3] = {VDK_F32, VDK_F16, VDK_BF16};

/* Where a case runs: a context, its name in the labels, the prefix of its
 * kernel names, and up to which |scale t| it claims one rounding of each
 * output (the CPU kernel everywhere: it works in double; the Vulkan shader up
 * to 2^20, its double-float argument's reach). */
typedef struct target {
    vdk_context *c;
    char name[48], kernel[32];
    double one_rounding_to;
} target;

/* t [N] uniform in [lo, hi) (integers when integral) embedded on the target,
 * y dense (guarded) or strided (columns [2, 2 + dim) of a wider tensor, t an
 * offset view), against the oracle within two bounds: the policy's
 * (docs/validation.md: K = ceil(max |scale t|)^2, as an f32 argument would
 * need) and, where |scale t| is in its reach, the kernel's own claim, one
 * rounding of each output (K = 1: the CPU takes the argument and sin/cos in
 * double, the Vulkan shader the argument and its reduction in double-float). */
static void cpu_case(const target *tg, vdk_dtype dt, vdk_timestep_embedding_params p, int64_t N,
                     double lo, double hi, bool integral, bool strided, uint64_t seed)
{
    vdk_context *c = tg->c;
    char label[256], kname[64];
    snprintf(label, sizeof label,
             "%s %s N %lld dim %d flip %d interleave %d shift %g scale %g period %g t in "
             "[%g, %g) %s",
             tg->name, vdk_dtype_name(dt), (long long)N, p.dim,
             p.flip_sin_to_cos, p.interleave, (double)p.downscale_freq_shift, (double)p.scale,
             (double)p.max_period, lo, hi, strided ? "strided" : "dense");
    snprintf(kname, sizeof kname, "%s.timestep_embedding.%s", tg->kernel, vdk_dtype_name(dt));
    const int64_t tlen = N + 4, ys[2] = {N, p.dim}, yw[2] = {N, p.dim + 5};
    double *tv = malloc((size_t)tlen * sizeof *tv);
    for (int64_t i = 0; i < tlen; i++) {
        tv[i] = vt_uniform(seed, (uint64_t)i, lo, hi);
        if (integral)
            tv[i] = floor(tv[i]);
    }
    vdk_tensor *tbig = vt_tensor(c, dt, 1, &tlen), *t = NULL;
    vt_fill(tbig, tv);
    VT_STATUS(c, vdk_tensor_slice(tbig, 0, strided ? 3 : 0, N, &t), VDK_OK);
    vdk_tensor *t64 = vt_copy_as(ctx, VDK_F64, t), *y64 = vt_tensor(ctx, VDK_F64, 2, ys);
    VT_STATUS(ctx, vdk_timestep_embedding(ctx, &p, t64, y64), VDK_OK);
    const double s = p.scale != 0 ? fabs((double)p.scale) : 1.0;
    const double amax = s * fmax(fabs(lo), fabs(hi));
    const double policy = vt_tolerance(dt, (int64_t)fmax(1.0, ceil(amax * amax)), 0),
                 own = vt_tolerance(dt, 1, 0);
    double *want = vt_read(y64);
    vdk_tensor *y = NULL, *ybig = NULL;
    vt_guarded g = {0};
    double *before = NULL;
    if (strided) {
        ybig = vt_random(c, dt, 2, yw, seed + 1, -1, 1);
        VT_STATUS(c, vdk_tensor_slice(ybig, 1, 2, p.dim, &y), VDK_OK);
        before = vt_read(ybig);
        vt_poison(y);
    } else {
        g = vt_guarded_tensor(c, dt, 2, ys);
        y = g.view;
    }
    VT_STATUS(c, vdk_timestep_embedding(c, &p, t, y), VDK_OK);
    vt_error e = vt_compare_tensor(y, want);
    VT_CHECK(vt_error_ok(e, policy), "%s: norm_err %.3g above the policy's %.3g (bad %lld)",
             label, e.norm_err, policy, (long long)e.bad);
    if (amax <= tg->one_rounding_to)
        VT_CHECK(vt_error_ok(e, own), "%s: norm_err %.3g above one rounding, %.3g", label,
                 e.norm_err, own);
    if (strided)
        VT_CHECK(vt_changed_outside(ybig, before, 2, p.dim) == 0,
                 "%s: elements outside y's view changed", label);
    else
        VT_CHECK(vt_guard_intact(&g), "%s: guard region overwritten", label);
    VT_CHECK(!strcmp(vdk_last_kernel(c), kname), "%s: kernel %s, expected %s", label,
             vdk_last_kernel(c), kname);
    if (strided)
        VT_DESTROY(y, ybig);
    else
        vt_guarded_destroy(&g);
    free(before);
    free(want);
    free(tv);
    VT_DESTROY(tbig, t, t64, y64);
}

/* Every flag on even, odd and minimal dims, three frequency shifts, scale and
 * max_period given and defaulted, over diffusion timesteps (integers to 1000),
 * frame indices, fractional and negative t; then one call large enough for
 * three threads. */
/* k0: where the count k, which varies N, t's range and the seed over the
 * combinations, starts (the CPU tiers each take the next 180). */
static int cases(const target *tg, int k0)
{
    const int dims[] = {2, 3, 7, 40, 321};
    const float shifts[] = {0.0f, 1.0f, -0.5f};
    static const struct {
        float scale, max_period;
        double lo, hi;
        bool integral;
    } ts[] = {
        {0, 0, 0, 1000, true},      /* timesteps, the defaults */
        {1, 100, 0, 25, true},      /* frame indices */
        {1000, 0, 0, 1, false},     /* scaled fractional t */
        {0.5f, 7, -20, 20, false},  /* negative t */
    };
    int k = k0;
    for (int d = 0; d < 3; d++)
        for (int flags = 0; flags < 4; flags++)
            for (size_t di = 0; di < sizeof dims / sizeof *dims; di++)
                for (size_t si = 0; si < sizeof shifts / sizeof *shifts; si++, k++) {
                    const int q = k % 4;
                    if ((float)(dims[di] / 2) == shifts[si])
                        continue; /* half - shift = 0: no frequencies (a bad input) */
                    const vdk_timestep_embedding_params p = {
                        .dim = dims[di],
                        .flip_sin_to_cos = flags & 1,
                        .interleave = flags >> 1,
                        .downscale_freq_shift = shifts[si],
                        .scale = ts[q].scale,
                        .max_period = ts[q].max_period,
                    };
                    cpu_case(tg, cpu_dtypes[d], p, 1 + k % 7, ts[q].lo, ts[q].hi, ts[q].integral,
                             k % 2, 5000 + (uint64_t)k);
                }
    return k;
}

/* The large call, enough rows for three threads. */
static void large(const target *tg)
{
    for (int d = 0; d < 3; d++)
        cpu_case(tg, cpu_dtypes[d],
                 (vdk_timestep_embedding_params){.dim = 321, .flip_sin_to_cos = 1}, 1000, 0,
                 1000, true, d == 1, 5100);
}

static void test_cpu(void)
{
    const vt_tiers *tiers = vt_cpu_tiers();
    int k = 0;
    for (int ti = 0; ti < tiers->n; ti++) {
        target tg = {.c = tiers->ctx[ti], .one_rounding_to = INFINITY};
        snprintf(tg.name, sizeof tg.name, "cpu %s", vdk_cpu_isa_name(tiers->isa[ti]));
        snprintf(tg.kernel, sizeof tg.kernel, "%s", vdk_cpu_isa_name(tiers->isa[ti]));
        k = cases(&tg, k);
    }
    for (int ti = 0; ti < tiers->n; ti++) {
        target tg = {.c = tiers->ctx[ti], .one_rounding_to = INFINITY};
        snprintf(tg.name, sizeof tg.name, "cpu %s", vdk_cpu_isa_name(tiers->isa[ti]));
        snprintf(tg.kernel, sizeof tg.kernel, "%s", vdk_cpu_isa_name(tiers->isa[ti]));
        large(&tg);
    }
}

/* The Vulkan backend on the CPU tiers' cases, then arguments far past what an
 * f32 argument or GLSL's sin and cos would carry: |scale t| up to 1e5 and
 * 1e6 within one rounding (the shader's double-float reduction), and up to
 * 1e9, past its reach, within the policy's bound with no bad values. */
static void test_vulkan(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    const target tg = {.c = vk, .name = "vulkan", .kernel = "vulkan", .one_rounding_to = 0x1p20};
    cases(&tg, 0);
    large(&tg);
    static const struct {
        vdk_dtype dt;
        float scale;
        double lo, hi;
        bool integral;
    } far[] = {
        {VDK_F32, 1, 0, 1e5, true},     {VDK_F32, 1000, -100, 100, false},
        {VDK_F16, 2, 0, 6e4, true},     {VDK_BF16, 1, -1e5, 1e5, true},
        {VDK_F32, 1, 9e5, 1e6, false},  {VDK_F32, 1, 0, 1e9, true},
    };
    for (size_t k = 0; k < sizeof far / sizeof *far; k++)
        for (int flags = 0; flags < 4; flags++)
            cpu_case(&tg, far[k].dt,
                     (vdk_timestep_embedding_params){.dim = 64 + (int)k,
                                                     .flip_sin_to_cos = flags & 1,
                                                     .interleave = flags >> 1,
                                                     .scale = far[k].scale},
                     9, far[k].lo, far[k].hi, far[k].integral, flags % 2, 5200 + 4 * k);
    VT_STATUS(vk, vdk_sync(vk), VDK_OK);
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_t0_row_and_unit_pairs();
    test_interleave_and_flip_permute();
    test_frequency_law();
    test_defaults();
    test_dtypes();
    test_views();
    test_bad_input();
    test_cpu();
    test_vulkan();
    vdk_context_destroy(ctx);
    return vt_finish("test_timestep_embedding");
}
