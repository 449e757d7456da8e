/* vdk_upsample: golden vectors from PyTorch, properties, dtypes, views and bad input.
 * Nearest up-sampling copies values, so every comparison here is exact. */
#include "vdk_test.h"

#include <stdlib.h>
#include <string.h>

static vdk_context *ctx;

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("upsample");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_upsample_params p = {{(int)vt_golden_param(c, "factor_t"),
                                  (int)vt_golden_param(c, "factor_h"),
                                  (int)vt_golden_param(c, "factor_w")}};
        vdk_tensor *x = vt_golden_make(ctx, c, "x", VDK_F64);
        vt_guarded y = vt_golden_output(ctx, c, "y");
        VT_STATUS(ctx, vdk_upsample(ctx, &p, x, y.view), VDK_OK);
        VT_GOLDEN_CHECK(&y, c, "y", 0);
        vdk_tensor_destroy(x);
    }
    vt_golden_free(&f);
}

/* y of x [N,T,H,W,C] up-sampled by f; returns the dense values (free() them). */
static double *upsampled(vdk_tensor *x, const int f[3], int64_t ys[5])
{
    ys[0] = vdk_tensor_dim(x, 0);
    for (int i = 0; i < 3; i++)
        ys[1 + i] = vdk_tensor_dim(x, 1 + i) * (f[i] ? f[i] : 1);
    ys[4] = vdk_tensor_dim(x, 4);
    vt_guarded y = vt_guarded_tensor(ctx, vdk_tensor_dtype(x), 5, ys);
    vdk_upsample_params p = {{f[0], f[1], f[2]}};
    VT_STATUS(ctx, vdk_upsample(ctx, &p, x, y.view), VDK_OK);
    VT_CHECK(vt_guard_intact(&y), "factors (%d,%d,%d): guard overwritten", f[0], f[1], f[2]);
    double *v = vt_read(y.view);
    vt_guarded_destroy(&y);
    return v;
}

/* Sampling y at multiples of the factors gives x back, and every block of
 * ft x fh x fw outputs holds one value: together, nearest up-sampling. */
static void test_samples_and_blocks(void)
{
    const int64_t xs[5] = {2, 3, 2, 5, 3};
    const int factors[][3] = {{2, 2, 2}, {1, 2, 2}, {3, 1, 2}, {2, 3, 1}, {1, 1, 4}};
    vdk_tensor *x = vt_random(ctx, VDK_F64, 5, xs, 401, -1, 1);
    double *xv = vt_read(x);
    for (size_t k = 0; k < sizeof factors / sizeof *factors; k++) {
        const int *f = factors[k];
        int64_t ys[5];
        double *yv = upsampled(x, f, ys);
        int64_t wrong_sample = 0, wrong_block = 0;
        for (int64_t n = 0; n < ys[0]; n++)
            for (int64_t t = 0; t < ys[1]; t++)
                for (int64_t h = 0; h < ys[2]; h++)
                    for (int64_t w = 0; w < ys[3]; w++)
                        for (int64_t c = 0; c < ys[4]; c++) {
                            double v = yv[(((n * ys[1] + t) * ys[2] + h) * ys[3] + w) * ys[4] + c];
                            int64_t t0 = t - t % f[0], h0 = h - h % f[1], w0 = w - w % f[2];
                            double corner = yv[(((n * ys[1] + t0) * ys[2] + h0) * ys[3] + w0) *
                                                   ys[4] + c];
                            if (v != corner)
                                wrong_block++;
                            if (t == t0 && h == h0 && w == w0 &&
                                v != xv[(((n * xs[1] + t / f[0]) * xs[2] + h / f[1]) * xs[3] +
                                         w / f[2]) * xs[4] + c])
                                wrong_sample++;
                        }
        VT_CHECK(wrong_sample == 0, "factors (%d,%d,%d): %lld samples at multiples differ from x",
                 f[0], f[1], f[2], (long long)wrong_sample);
        VT_CHECK(wrong_block == 0, "factors (%d,%d,%d): %lld outputs differ from their block",
                 f[0], f[1], f[2], (long long)wrong_block);
        free(yv);
    }
    free(xv);
    vdk_tensor_destroy(x);
}

/* Factor (1,1,1), spelled out or as the zero default, is a copy. */
static void test_unit_factor_copies(void)
{
    const int64_t xs[5] = {1, 3, 4, 5, 7};
    vdk_tensor *x = vt_random(ctx, VDK_F64, 5, xs, 411, -1, 1);
    double *xv = vt_read(x);
    const int factors[2][3] = {{1, 1, 1}, {0, 0, 0}};
    for (int k = 0; k < 2; k++) {
        int64_t ys[5];
        double *yv = upsampled(x, factors[k], ys);
        VT_CHECK(memcmp(ys, xs, sizeof ys) == 0, "factor (%d,%d,%d) changed the shape",
                 factors[k][0], factors[k][1], factors[k][2]);
        vt_error e = vt_compare(yv, xv, vdk_tensor_numel(x));
        VT_CHECK(vt_error_ok(e, 0), "factor (%d,%d,%d): not a copy, norm_err %.3g",
                 factors[k][0], factors[k][1], factors[k][2], e.norm_err);
        free(yv);
    }
    free(xv);
    vdk_tensor_destroy(x);
}

/* Frame duplication (2,1,1): frames 2t and 2t+1 of y are both frame t of x. */
static void test_frame_duplication(void)
{
    const int64_t xs[5] = {2, 3, 3, 2, 5}, frame = 3 * 2 * 5;
    vdk_tensor *x = vt_random(ctx, VDK_F64, 5, xs, 421, -1, 1);
    double *xv = vt_read(x);
    int64_t ys[5];
    double *yv = upsampled(x, (const int[3]){2, 1, 1}, ys);
    int64_t wrong = 0;
    for (int64_t n = 0; n < xs[0]; n++)
        for (int64_t t = 0; t < xs[1]; t++)
            for (int64_t j = 0; j < frame; j++) {
                double src = xv[(n * xs[1] + t) * frame + j];
                wrong += yv[(n * ys[1] + 2 * t) * frame + j] != src;
                wrong += yv[(n * ys[1] + 2 * t + 1) * frame + j] != src;
            }
    VT_CHECK(ys[1] == 2 * xs[1], "frame duplication: T %lld, expected %lld", (long long)ys[1],
             (long long)(2 * xs[1]));
    VT_CHECK(wrong == 0, "frame duplication: %lld elements differ", (long long)wrong);
    free(xv);
    free(yv);
    vdk_tensor_destroy(x);
}

/* f32, f16 and bf16 storage: the copy is exact, so each equals the f64 oracle on
 * the same (rounded) inputs with no tolerance at all. */
static void test_dtypes(void)
{
    const int64_t xs[5] = {1, 2, 3, 5, 9}, ys[5] = {1, 4, 6, 10, 9};
    const vdk_upsample_params p = {{2, 2, 2}};
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++) {
        vdk_dtype dt = dtypes[d];
        vdk_tensor *x = vt_random(ctx, dt, 5, xs, 431, -3, 3);
        vdk_tensor *x64 = vt_copy_as(ctx, VDK_F64, x), *y64 = vt_tensor(ctx, VDK_F64, 5, ys);
        VT_STATUS(ctx, vdk_upsample(ctx, &p, x64, y64), VDK_OK);
        vt_guarded y = vt_guarded_tensor(ctx, dt, 5, ys);
        VT_STATUS(ctx, vdk_upsample(ctx, &p, x, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, 0, "%s", vdk_dtype_name(dt));
        VT_DESTROY(x, x64, y64);
    }
}

/* x a strided view (channels and frames sliced out of a wider tensor) and y a
 * channel slice of a wider tensor: the same result as dense tensors, and nothing
 * outside y's view written. */
static void test_views(void)
{
    const int64_t xw[5] = {2, 5, 3, 4, 10}, xs[5] = {2, 3, 3, 4, 4};
    const int64_t yw[5] = {2, 6, 6, 4, 7}, ys[5] = {2, 6, 6, 4, 4};
    const vdk_upsample_params p = {{2, 2, 0}};
    vdk_tensor *xb = vt_random(ctx, VDK_F32, 5, xw, 441, -1, 1), *xc = NULL, *x = NULL;
    VT_STATUS(ctx, vdk_tensor_slice(xb, 4, 5, xs[4], &xc), VDK_OK);
    VT_STATUS(ctx, vdk_tensor_slice(xc, 1, 1, xs[1], &x), VDK_OK);
    vdk_tensor *yb = vt_random(ctx, VDK_F32, 5, yw, 442, -1, 1), *y = NULL;
    VT_STATUS(ctx, vdk_tensor_slice(yb, 4, 3, ys[4], &y), VDK_OK);
    vdk_tensor *xd = vt_copy_as(ctx, VDK_F32, x), *yd = vt_tensor(ctx, VDK_F32, 5, ys);
    VT_STATUS(ctx, vdk_upsample(ctx, &p, xd, yd), VDK_OK);
    double *want = vt_read(yd), *before = vt_read(yb);
    VT_STATUS(ctx, vdk_upsample(ctx, &p, x, y), VDK_OK);
    vt_error e = vt_compare_tensor(y, want);
    VT_CHECK(vt_error_ok(e, 0), "strided views: norm_err %.3g", e.norm_err);
    int64_t changed = vt_changed_outside(yb, before, 3, ys[4]);
    VT_CHECK(changed == 0, "%lld elements outside the output view changed", (long long)changed);
    free(want);
    free(before);
    VT_DESTROY(xb, xc, x, yb, y, xd, yd);
}

static void test_bad_input(void)
{
    const int64_t xs[5] = {1, 2, 3, 2, 4}, ys[5] = {1, 4, 6, 2, 4};
    vdk_tensor *x = vt_random(ctx, VDK_F32, 5, xs, 501, -1, 1);
    vdk_tensor *y = vt_random(ctx, VDK_F32, 5, ys, 502, -1, 1);
    vdk_tensor *r4 = vt_random(ctx, VDK_F32, 4, xs, 503, -1, 1);
    vdk_tensor *y16 = vt_random(ctx, VDK_F16, 5, ys, 504, -1, 1);
    vdk_tensor *y_other = vt_random(ctx, VDK_F32, 5, (int64_t[]){1, 4, 6, 2, 5}, 505, -1, 1);
    vdk_tensor *x_other = vt_random(vt_other_context(), VDK_F32, 5, xs, 506, -1, 1);
    /* x and y inside one flat storage, overlapping */
    const int64_t nx = 48, ny = 192;
    vdk_tensor *flat = vt_random(ctx, VDK_F32, 1, (int64_t[]){ny + 16}, 507, -1, 1);
    vdk_tensor *x_in = vt_view_at(flat, ny + 16 - nx, 5, xs), *y_in = vt_view_at(flat, 0, 5, ys);

    const vdk_upsample_params good = {{2, 2, 1}};
    vdk_upsample_params p;
    vt_snapshots snap = VT_SNAP(x, y, y16, y_other, flat);

    VT_ERROR(NULL, vdk_upsample(NULL, &good, x, y), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_upsample(ctx, NULL, x, y), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_upsample(ctx, &good, NULL, y), VDK_ERROR_NULL_POINTER, "'x'");
    VT_ERROR(ctx, vdk_upsample(ctx, &good, x, NULL), VDK_ERROR_NULL_POINTER, "'y'");
    VT_ERROR(ctx, vdk_upsample(ctx, &good, x_other, y), VDK_ERROR_CONTEXT, "'x'");
    VT_ERROR(ctx, vdk_upsample(ctx, &good, r4, y), VDK_ERROR_RANK, "'x'");
    VT_ERROR(ctx, vdk_upsample(ctx, &good, x, r4), VDK_ERROR_RANK, "'y'");
    VT_ERROR(ctx, vdk_upsample(ctx, &good, x, y16), VDK_ERROR_DTYPE, "'y'");
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "p->factor[%d]", i);
        p = good, p.factor[i] = -2;
        VT_ERROR(ctx, vdk_upsample(ctx, &p, x, y), VDK_ERROR_INVALID_VALUE, name);
    }
    VT_ERROR(ctx, vdk_upsample(ctx, &good, x, y_other), VDK_ERROR_SHAPE, "'y'");
    p = good, p.factor[1] = 1; /* y is for factor 2 on H */
    VT_ERROR(ctx, vdk_upsample(ctx, &p, x, y), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_upsample(ctx, &good, x_in, y_in), VDK_ERROR_ALIAS, "'y'");
    VT_CHECK(vt_all_unchanged(&snap), "a failed call changed a tensor");

    /* T * ft past int64, and an output element count past int64. These tensors
     * claim far more than their buffer; the calls must fail before any read. */
    float keep[4] = {0};
    vdk_tensor *x_long = NULL, *x_big = NULL;
    if (vdk_tensor_wrap(ctx, VDK_F32, 5, (int64_t[]){1, (int64_t)1 << 40, 1, 1, 1}, NULL, keep,
                        SIZE_MAX, &x_long) ||
        vdk_tensor_wrap(ctx, VDK_F32, 5, (int64_t[]){1, 1, (int64_t)1 << 20, (int64_t)1 << 20, 1},
                        NULL, keep, SIZE_MAX, &x_big))
        vt_fatal("wrap: %s", vdk_last_error(ctx));
    snap = VT_SNAP(y);
    p = (vdk_upsample_params){{1 << 30, 1, 1}};
    VT_ERROR(ctx, vdk_upsample(ctx, &p, x_long, y), VDK_ERROR_OVERFLOW, "p->factor[0]");
    p = (vdk_upsample_params){{1, 1 << 20, 1 << 20}};
    VT_ERROR(ctx, vdk_upsample(ctx, &p, x_big, y), VDK_ERROR_OVERFLOW, "'y'");
    VT_CHECK(vt_all_unchanged(&snap), "a failed call changed a tensor");

    VT_DESTROY(x, y, r4, y16, y_other, flat, x_in, y_in, x_long, x_big, x_other);
}

/* ---- the CPU backend: every tier, f32, f16 and bf16, exact against the f64
 * reference run on the same rounded inputs, and bit for bit ---- */

static const vdk_dtype cpu_dtypes[3] = {VDK_F32, VDK_F16, VDK_BF16};

/* The output shape for x and p. */
static void out_shape(const int64_t *x, const int *f, int64_t *y)
{
    y[0] = x[0];
    for (int k = 0; k < 3; k++)
        y[1 + k] = x[1 + k] * (f[k] ? f[k] : 1);
    y[4] = x[4];
}

/* Where a case runs: a context, its name in the labels ("cpu avx2", "cpu
 * streamed avx2", "vulkan") and the prefix of its kernel names. */
typedef struct target {
    vdk_context *c;
    char name[48], kernel[32];
} target;

static target tier_target(const vt_tiers *tiers, int ti)
{
    target t = {.c = tiers->ctx[ti]};
    snprintf(t.name, sizeof t.name, "cpu%s %s", tiers == vt_cpu_tiers() ? "" : " streamed",
             vdk_cpu_isa_name(tiers->isa[ti]));
    snprintf(t.kernel, sizeof t.kernel, "%s", vdk_cpu_isa_name(tiers->isa[ti]));
    return t;
}

/* x (dense, or strided: channels [3, 3 + C) of a wider tensor) up-sampled on
 * the target into a guarded dense y or a poisoned strided one, which must equal
 * the oracle exactly, with nothing outside the views touched. */
static void cpu_case(const target *tg, vdk_dtype dt, const int *f, const int64_t *xs,
                     bool strided, uint64_t seed)
{
    vdk_context *c = tg->c;
    const vdk_upsample_params p = {{f[0], f[1], f[2]}};
    int64_t ys[5], xw[5], yw[5];
    out_shape(xs, f, ys);
    memcpy(xw, xs, sizeof xw);
    memcpy(yw, ys, sizeof yw);
    xw[4] += 5;
    yw[4] += 4;
    char label[224], kname[64];
    snprintf(label, sizeof label, "%s %s x[%lld,%lld,%lld,%lld,%lld] f(%d,%d,%d) %s", tg->name,
             vdk_dtype_name(dt), (long long)xs[0], (long long)xs[1], (long long)xs[2],
             (long long)xs[3], (long long)xs[4], f[0], f[1], f[2], strided ? "strided" : "dense");
    snprintf(kname, sizeof kname, "%s.upsample.%s", tg->kernel, vdk_dtype_name(dt));
    vdk_tensor *xbig = vt_random(c, dt, 5, strided ? xw : xs, seed, -3, 3), *x = xbig;
    if (strided)
        VT_STATUS(c, vdk_tensor_slice(xbig, 4, 3, xs[4], &x), VDK_OK);
    vdk_tensor *x64 = vt_copy_as(ctx, VDK_F64, x), *y64 = vt_tensor(ctx, VDK_F64, 5, ys);
    VT_STATUS(ctx, vdk_upsample(ctx, &p, x64, y64), VDK_OK);
    if (!strided) {
        vt_guarded y = vt_guarded_tensor(c, dt, 5, ys);
        VT_STATUS(c, vdk_upsample(c, &p, x, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, 0, "%s", label);
    } else {
        vdk_tensor *ybig = vt_random(c, dt, 5, yw, seed + 1, -3, 3), *y = NULL;
        VT_STATUS(c, vdk_tensor_slice(ybig, 4, 2, ys[4], &y), VDK_OK);
        double *before = vt_read(ybig), *want = vt_read(y64), *xbefore = vt_read(xbig);
        vt_poison(y);
        VT_STATUS(c, vdk_upsample(c, &p, x, y), VDK_OK);
        vt_error e = vt_compare_tensor(y, want);
        VT_CHECK(vt_error_ok(e, 0), "%s: not exact: max_abs %.3g bad %lld", label, e.max_abs,
                 (long long)e.bad);
        VT_CHECK(vt_changed_outside(ybig, before, 2, ys[4]) == 0 &&
                     vt_changed_outside(xbig, xbefore, 0, 0) == 0,
                 "%s: elements outside the views changed", label);
        free(before);
        free(want);
        free(xbefore);
        VT_DESTROY(y, ybig, x);
    }
    VT_CHECK(!strcmp(vdk_last_kernel(c), kname), "%s: kernel %s, expected %s", label,
             vdk_last_kernel(c), kname);
    VT_DESTROY(xbig, x64, y64);
}

/* Every combination of factors 1 to 3 on small odd shapes, then shapes large
 * enough for three threads, and channels too many for one pixel to fit the
 * kernel's chunk. */
static void cases(const target *tg)
{
    static const int64_t small[][5] = {{2, 3, 4, 5, 7}, {1, 1, 1, 1, 1}, {1, 2, 3, 3, 64}};
    static const struct {
        int64_t x[5];
        int f[3];
    } large[] = {
        {{2, 4, 16, 16, 96}, {1, 2, 2}}, {{2, 4, 16, 16, 96}, {2, 1, 1}},
        {{1, 3, 7, 17, 61}, {2, 2, 2}},  {{1, 1, 2, 3, 5000}, {1, 1, 2}},
        {{1, 1, 2, 3, 5000}, {1, 2, 2}}, {{1, 2, 9, 9, 33}, {3, 1, 3}},
    };
    for (int d = 0; d < 3; d++)
        for (int strided = 0; strided < 2; strided++) {
            for (size_t k = 0; k < sizeof small / sizeof *small; k++)
                for (int code = 0; code < 27; code++) {
                    const int f[3] = {1 + code / 9, 1 + code / 3 % 3, 1 + code % 3};
                    cpu_case(tg, cpu_dtypes[d], f, small[k], strided, 3000 + k);
                }
            for (size_t k = 0; k < sizeof large / sizeof *large; k++)
                cpu_case(tg, cpu_dtypes[d], large[k].f, large[k].x, strided, 3100 + k);
        }
}

static void test_cpu(const vt_tiers *tiers)
{
    for (int ti = 0; ti < tiers->n; ti++) {
        const target tg = tier_target(tiers, ti);
        cases(&tg);
    }
}

/* Bit patterns the value comparison cannot see (NaN payloads, -0, subnormals,
 * infinities) come through unchanged: caller memory of random bits, wrapped,
 * against the index formula of vdk.h. */
static void test_cpu_bits(const vt_tiers *tiers)
{
    const int64_t xs[5] = {2, 3, 5, 4, 13};
    const int f[3] = {2, 3, 2};
    int64_t ys[5];
    out_shape(xs, f, ys);
    const int64_t nx = 2 * 3 * 5 * 4 * 13, ny = nx * 12;
    for (int ti = 0; ti < tiers->n; ti++)
        for (int d = 0; d < 3; d++) {
            vdk_context *c = tiers->ctx[ti];
            const vdk_dtype dt = cpu_dtypes[d];
            const size_t es = vdk_dtype_size(dt);
            unsigned char *xb = malloc((size_t)nx * es), *yb = malloc((size_t)ny * es),
                          *want = malloc((size_t)ny * es);
            for (int64_t i = 0; i < nx * (int64_t)es; i++)
                xb[i] = (unsigned char)(vt_uniform01(3200, (uint64_t)i) * 256);
            memset(yb, 0xA5, (size_t)ny * es);
            int64_t o = 0;
            for (int64_t n = 0; n < ys[0]; n++)
                for (int64_t t = 0; t < ys[1]; t++)
                    for (int64_t h = 0; h < ys[2]; h++)
                        for (int64_t w = 0; w < ys[3]; w++, o++) {
                            const int64_t src =
                                ((n * xs[1] + t / f[0]) * xs[2] + h / f[1]) * xs[3] + w / f[2];
                            memcpy(want + o * xs[4] * (int64_t)es, xb + src * xs[4] * (int64_t)es,
                                   (size_t)xs[4] * es);
                        }
            vdk_tensor *x = NULL, *y = NULL;
            VT_STATUS(c, vdk_tensor_wrap(c, dt, 5, xs, NULL, xb, (size_t)nx * es, &x), VDK_OK);
            VT_STATUS(c, vdk_tensor_wrap(c, dt, 5, ys, NULL, yb, (size_t)ny * es, &y), VDK_OK);
            VT_STATUS(c, vdk_upsample(c, &(vdk_upsample_params){{f[0], f[1], f[2]}}, x, y), VDK_OK);
            VT_CHECK(!memcmp(yb, want, (size_t)ny * es), "cpu %s %s: not bit-exact",
                     vdk_cpu_isa_name(tiers->isa[ti]), vdk_dtype_name(dt));
            VT_DESTROY(x, y);
            free(xb);
            free(yb);
            free(want);
        }
}

/* ---- the Vulkan backend ---- */

/* Channel counts that make the shader move 16, 8, 4 and 2 bytes at a time in
 * each dtype, with factors that merge w (and h, t) into the run and that do not. */
static void vulkan_units(const target *tg)
{
    static const int64_t chans[] = {16, 8, 4, 2, 1, 3};
    static const int fs[][3] = {{1, 2, 2}, {2, 1, 1}, {1, 1, 1}, {1, 2, 1}};
    for (int d = 0; d < 3; d++)
        for (size_t k = 0; k < sizeof chans / sizeof *chans; k++)
            for (size_t j = 0; j < sizeof fs / sizeof *fs; j++) {
                const int64_t xs[5] = {2, 2, 3, 5, chans[k]};
                cpu_case(tg, cpu_dtypes[d], fs[j], xs, false, 3300 + k);
            }
}

/* x and y slices of frames of wider clips (row strides that are not the rows'
 * sizes, runs of whole frames where the factors let them merge), exact, with
 * the other frames untouched. */
static void vulkan_frame_slices(vdk_context *c)
{
    static const int fs[][3] = {{2, 1, 1}, {1, 2, 2}, {3, 1, 2}, {1, 1, 1}};
    for (int d = 0; d < 3; d++)
        for (size_t j = 0; j < sizeof fs / sizeof *fs; j++) {
            const vdk_dtype dt = cpu_dtypes[d];
            const int *f = fs[j];
            const int64_t xs[5] = {2, 3, 4, 5, 8};
            int64_t ys[5], xw[5], yw[5];
            out_shape(xs, f, ys);
            memcpy(xw, xs, sizeof xw);
            memcpy(yw, ys, sizeof yw);
            xw[1] += 3;
            yw[1] += 2;
            vdk_tensor *xbig = vt_random(c, dt, 5, xw, 3400 + j, -3, 3);
            vdk_tensor *ybig = vt_random(c, dt, 5, yw, 3410 + j, -3, 3), *x = NULL, *y = NULL;
            VT_STATUS(c, vdk_tensor_slice(xbig, 1, 1, xs[1], &x), VDK_OK);
            VT_STATUS(c, vdk_tensor_slice(ybig, 1, 2, ys[1], &y), VDK_OK);
            vdk_tensor *x64 = vt_copy_as(ctx, VDK_F64, x), *y64 = vt_tensor(ctx, VDK_F64, 5, ys);
            const vdk_upsample_params p = {{f[0], f[1], f[2]}};
            VT_STATUS(ctx, vdk_upsample(ctx, &p, x64, y64), VDK_OK);
            double *before = vt_read(ybig), *want = vt_read(y64);
            vt_poison(y);
            VT_STATUS(c, vdk_upsample(c, &p, x, y), VDK_OK);
            vt_error e = vt_compare_tensor(y, want);
            VT_CHECK(vt_error_ok(e, 0), "vulkan %s f(%d,%d,%d) frame slices: not exact (bad %lld)",
                     vdk_dtype_name(dt), f[0], f[1], f[2], (long long)e.bad);
            double *after = vt_read(ybig);
            const int64_t frame = yw[2] * yw[3] * yw[4];
            int64_t outside = 0;
            for (int64_t i = 0; i < vdk_tensor_numel(ybig); i++) {
                const int64_t t = i / frame % yw[1];
                outside += (t < 2 || t >= 2 + ys[1]) && !(after[i] == before[i]);
            }
            VT_CHECK(outside == 0, "vulkan %s f(%d,%d,%d): %lld elements outside y's frames "
                     "changed", vdk_dtype_name(dt), f[0], f[1], f[2], (long long)outside);
            free(before);
            free(after);
            free(want);
            VT_DESTROY(x, y, xbig, ybig, x64, y64);
        }
}

/* Bit patterns come through unchanged: -0, subnormals, infinities, and in f32
 * NaN payloads (the host transfers canonicalise 16-bit NaNs, so those cannot
 * be planted), compared bit for bit with what x holds on the device. */
static void vulkan_bits(vdk_context *c)
{
    const int64_t xs[5] = {2, 3, 5, 4, 13};
    const int f[3] = {2, 3, 2};
    int64_t ys[5];
    out_shape(xs, f, ys);
    const int64_t nx = 2 * 3 * 5 * 4 * 13, ny = nx * 12;
    for (int d = 0; d < 3; d++) {
        const vdk_dtype dt = cpu_dtypes[d];
        const size_t es = vdk_dtype_size(dt);
        unsigned char *xb = malloc((size_t)nx * es), *yb = malloc((size_t)ny * es),
                      *want = malloc((size_t)ny * es);
        for (int64_t i = 0; i < nx * (int64_t)es; i++)
            xb[i] = (unsigned char)(vt_uniform01(3200, (uint64_t)i) * 256);
        vdk_tensor *x = vt_tensor(c, dt, 5, xs), *y = vt_tensor(c, dt, 5, ys);
        VT_STATUS(c, vdk_tensor_write(x, dt, xb, nx), VDK_OK);
        VT_STATUS(c, vdk_tensor_read(x, dt, xb, nx), VDK_OK);
        vt_poison(y);
        int64_t o = 0;
        for (int64_t n = 0; n < ys[0]; n++)
            for (int64_t t = 0; t < ys[1]; t++)
                for (int64_t h = 0; h < ys[2]; h++)
                    for (int64_t w = 0; w < ys[3]; w++, o++) {
                        const int64_t src =
                            ((n * xs[1] + t / f[0]) * xs[2] + h / f[1]) * xs[3] + w / f[2];
                        memcpy(want + o * xs[4] * (int64_t)es, xb + src * xs[4] * (int64_t)es,
                               (size_t)xs[4] * es);
                    }
        VT_STATUS(c, vdk_upsample(c, &(vdk_upsample_params){{f[0], f[1], f[2]}}, x, y), VDK_OK);
        VT_STATUS(c, vdk_tensor_read(y, dt, yb, ny), VDK_OK);
        VT_CHECK(!memcmp(yb, want, (size_t)ny * es), "vulkan %s: not bit-exact",
                 vdk_dtype_name(dt));
        VT_DESTROY(x, y);
        free(xb);
        free(yb);
        free(want);
    }
}

/* The CPU tiers' cases (every factor combination on odd shapes, large shapes,
 * dense and strided), the copy units, frame slices and bit patterns, when a
 * Vulkan device is here. */
static void test_vulkan(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    const target tg = {.c = vk, .name = "vulkan", .kernel = "vulkan"};
    cases(&tg);
    vulkan_units(&tg);
    vulkan_frame_slices(vk);
    vulkan_bits(vk);
    VT_STATUS(vk, vdk_sync(vk), VDK_OK);
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_samples_and_blocks();
    test_unit_factor_copies();
    test_frame_duplication();
    test_dtypes();
    test_views();
    test_bad_input();
    test_cpu(vt_cpu_tiers());
    test_cpu(vt_cpu_stream_tiers());
    test_cpu_bits(vt_cpu_tiers());
    test_cpu_bits(vt_cpu_stream_tiers());
    test_vulkan();
    vdk_context_destroy(ctx);
    return vt_finish("test_upsample");
}
