/* vdk_rms_norm: golden vectors from PyTorch, properties, dtypes, views and bad input. */
#include "vdk_test.h"
#include "vt_views.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static vdk_context *ctx;

/* Shorthands on this file's context; what they make is kept (vt_keep) until the
 * test's vt_drop_all(). */
static vdk_tensor *random_t(vdk_dtype dt, int rank, const int64_t *shape, uint64_t seed, double lo,
                            double hi)
{
    return vt_keep(vt_random(ctx, dt, rank, shape, seed, lo, hi));
}
static vdk_tensor *empty_t(vdk_dtype dt, int rank, const int64_t *shape)
{
    return vt_keep(vt_tensor(ctx, dt, rank, shape));
}
static vdk_tensor *copy_t(vdk_dtype dt, const vdk_tensor *src)
{
    return vt_keep(vt_copy_as(ctx, dt, src));
}

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("rms_norm");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_rms_norm_params p = {.eps = (float)vt_golden_param(c, "eps")};
        vdk_tensor *x = vt_golden_make(ctx, c, "x", VDK_F64);
        vdk_tensor *gamma = vt_golden_make(ctx, c, "gamma", VDK_F64);
        vt_guarded y = vt_golden_output(ctx, c, "y");
        VT_STATUS(ctx, vdk_rms_norm(ctx, &p, x, gamma, y.view), VDK_OK);
        VT_GOLDEN_CHECK(&y, c, "y", VT_GOLDEN_BOUND);
        vdk_tensor_destroy(x);
        vdk_tensor_destroy(gamma);
    }
    vt_golden_free(&f);
}

/* Without gamma, every row of the output has mean square ms / (ms + eps), ms the
 * row's mean square, whatever its scale and offset. */
static void test_mean_square(void)
{
    const int64_t shape[4] = {3, 4, 5, 21}, C = 21, rows = 60;
    const float eps = 1e-3f; /* large enough that ms / (ms + eps) is visibly not 1 */
    vdk_tensor *x = random_t(VDK_F64, 4, shape, 300, -3, 9);
    vdk_tensor *y = empty_t(VDK_F64, 4, shape);
    VT_STATUS(ctx, vdk_rms_norm(ctx, &(vdk_rms_norm_params){eps}, x, NULL, y), VDK_OK);
    double *xv = vt_read(x), *yv = vt_read(y);
    double worst = 0;
    for (int64_t r = 0; r < rows; r++) {
        double xq = 0, yq = 0;
        for (int64_t c = 0; c < C; c++) {
            xq += xv[r * C + c] * xv[r * C + c];
            yq += yv[r * C + c] * yv[r * C + c];
        }
        const double ms = xq / C;
        worst = fmax(worst, fabs(yq / C - ms / (ms + (double)eps)));
    }
    VT_CHECK(worst < 1e-12, "row mean square off ms/(ms+eps) by %.3g", worst);
    free(xv);
    free(yv);
    vt_drop_all();
}

/* Scaling x by k leaves y unchanged: exactly when eps scales by k^2 with it
 * (k a power of 2, so k x and k^2 eps are exact), and up to eps alone otherwise,
 * where y(k x) / y(x) = sqrt((ms + eps) / (ms + eps / k^2)), a relative change
 * of at most eps |1 - 1/k^2| / (2 ms). */
static void test_scale_invariance(void)
{
    const int64_t shape[3] = {5, 6, 17}, C = 17, rows = 30, n = 5 * 6 * 17;
    const double ks[] = {8.0, 0.25, 1024.0};
    const float eps = 1e-6f;
    vdk_tensor *x = random_t(VDK_F64, 3, shape, 310, -1, 1);
    vdk_tensor *gamma = random_t(VDK_F64, 1, &C, 311, 0.5, 1.5);
    vdk_tensor *y = empty_t(VDK_F64, 3, shape), *yk = empty_t(VDK_F64, 3, shape);
    VT_STATUS(ctx, vdk_rms_norm(ctx, &(vdk_rms_norm_params){eps}, x, gamma, y), VDK_OK);
    double *xv = vt_read(x), *want = vt_read(y), *kx = malloc((size_t)n * sizeof *kx);
    double min_ms = INFINITY;
    for (int64_t r = 0; r < rows; r++) {
        double q = 0;
        for (int64_t c = 0; c < C; c++)
            q += xv[r * C + c] * xv[r * C + c];
        min_ms = fmin(min_ms, q / C);
    }
    for (int i = 0; i < 3; i++) {
        const double k = ks[i];
        for (int64_t j = 0; j < n; j++)
            kx[j] = k * xv[j];
        vdk_tensor *xk = empty_t(VDK_F64, 3, shape);
        vt_fill(xk, kx);
        const float keps = (float)(k * k * (double)eps);
        VT_STATUS(ctx, vdk_rms_norm(ctx, &(vdk_rms_norm_params){keps}, xk, gamma, yk), VDK_OK);
        vt_error e = vt_compare_tensor(yk, want);
        VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "k = %g with eps * k^2: norm_err %.3g", k,
                 e.norm_err);
        VT_STATUS(ctx, vdk_rms_norm(ctx, &(vdk_rms_norm_params){eps}, xk, gamma, yk), VDK_OK);
        const double rel = (double)eps * fabs(1 - 1 / (k * k)) / (2 * min_ms);
        e = vt_compare_tensor(yk, want);
        VT_CHECK(vt_error_ok(e, rel * rel), "k = %g with eps unchanged: norm_err %.3g > %.3g", k,
                 e.norm_err, rel * rel);
    }
    free(xv);
    free(want);
    free(kx);
    vt_drop_all();
}

/* gamma multiplies channel c of the plain result by gamma[c]. */
static void test_gamma(void)
{
    const int64_t shape[2] = {9, 14}, C = 14, n = 9 * 14;
    vdk_tensor *x = random_t(VDK_F64, 2, shape, 320, -2, 2);
    vdk_tensor *gamma = random_t(VDK_F64, 1, &C, 321, -1.5, 1.5);
    vdk_tensor *plain = empty_t(VDK_F64, 2, shape), *y = empty_t(VDK_F64, 2, shape);
    const vdk_rms_norm_params p = {1e-6f};
    VT_STATUS(ctx, vdk_rms_norm(ctx, &p, x, NULL, plain), VDK_OK);
    VT_STATUS(ctx, vdk_rms_norm(ctx, &p, x, gamma, y), VDK_OK);
    double *nv = vt_read(plain), *g = vt_read(gamma), want[9 * 14];
    for (int64_t i = 0; i < n; i++)
        want[i] = nv[i] * g[i % C];
    vt_error e = vt_compare_tensor(y, want);
    VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "gamma: norm_err %.3g", e.norm_err);
    free(nv);
    free(g);
    vt_drop_all();
}

/* f32, f16 and bf16 storage against the f64 oracle on the same (rounded) inputs. */
static void test_dtypes(void)
{
    const int64_t shape[5] = {1, 3, 5, 7, 40}, C = 40; /* prime T, H, W */
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++) {
        const vdk_dtype dt = dtypes[d];
        vdk_tensor *x = random_t(dt, 5, shape, 330, -2, 3);
        vdk_tensor *gamma = random_t(dt, 1, &C, 331, 0.5, 1.5);
        vdk_tensor *y64 = empty_t(VDK_F64, 5, shape);
        const vdk_rms_norm_params p = {1e-6f};
        VT_STATUS(ctx, vdk_rms_norm(ctx, &p, copy_t(VDK_F64, x), copy_t(VDK_F64, gamma), y64),
                  VDK_OK);
        vt_guarded y = vt_guarded_tensor(ctx, dt, 5, shape);
        VT_STATUS(ctx, vdk_rms_norm(ctx, &p, x, gamma, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, vt_tolerance(dt, C, 0), "%s", vdk_dtype_name(dt));
        vt_drop_all();
    }
}

/* Strided views: x and gamma cut from wider tensors give the dense result, and in
 * place on a strided view (y = x) gives it too without touching the elements
 * around the view. */
static void test_views_and_in_place(void)
{
    const int64_t wide[3] = {3, 5, 20}, shape[3] = {3, 5, 11}, C = 11;
    vdk_tensor *big = random_t(VDK_F32, 3, wide, 340, -1, 1);
    vdk_tensor *gw = random_t(VDK_F32, 1, (int64_t[]){C + 3}, 341, 0.5, 1.5);
    vdk_tensor *view, *gamma;
    if (vdk_tensor_slice(big, 2, 6, C, &view) || vdk_tensor_slice(gw, 0, 3, C, &gamma))
        vt_fatal("slice: %s", vdk_last_error(ctx));
    vt_keep(view);
    vt_keep(gamma);
    const vdk_rms_norm_params p = {1e-6f};
    vdk_tensor *dense = empty_t(VDK_F32, 3, shape);
    VT_STATUS(ctx, vdk_rms_norm(ctx, &p, copy_t(VDK_F32, view), copy_t(VDK_F32, gamma), dense),
              VDK_OK);
    double *want = vt_read(dense), *before = vt_read(big);
    vdk_tensor *y = empty_t(VDK_F32, 3, shape);
    VT_STATUS(ctx, vdk_rms_norm(ctx, &p, view, gamma, y), VDK_OK);
    vt_error e = vt_compare_tensor(y, want);
    VT_CHECK(vt_error_ok(e, 0), "strided inputs differ from dense: %.3g", e.norm_err);
    VT_STATUS(ctx, vdk_rms_norm(ctx, &p, view, gamma, view), VDK_OK);
    e = vt_compare_tensor(view, want);
    VT_CHECK(vt_error_ok(e, 0), "strided in place differs from dense: %.3g", e.norm_err);
    int64_t changed = vt_changed_outside(big, before, 6, C);
    VT_CHECK(changed == 0, "%lld elements outside the view changed", (long long)changed);
    free(want);
    free(before);
    vt_drop_all();
}

/* ---- the CPU tiers against the f64 reference ----
 * Every tier, in f32, f16 and bf16, on the oracle's rounded inputs: row lengths
 * that are not multiples of any vector width, rows of length 1, rank 1 to 5,
 * gamma absent and present (and cut from a wider tensor), in place, strided
 * rows (a slice of the last axis: evenly spaced rows; a slice of a middle axis:
 * rows that are not), rows at 1000 +- 10, and enough rows that 3 threads split
 * them. */

typedef enum row_layout {
    ROW_DENSE,       /* y a fresh guarded tensor */
    ROW_STRIDED,     /* x a slice of the last axis, y of a middle axis; gamma cut */
    ROW_IN_PLACE,    /* y is x, dense */
    ROW_IN_PLACE_CUT /* y is x, a slice of a middle axis */
} row_layout;

typedef struct row_case {
    int rank;
    int64_t shape[5];
    bool gamma;
    double lo, hi;
    row_layout layout;
} row_case;

static const row_case row_cases[] = {
    {3, {3, 5, 40}, true, -2, 3, ROW_DENSE},
    {2, {7, 13}, false, -2, 2, ROW_STRIDED},
    {4, {2, 3, 4, 11}, true, -2, 2, ROW_IN_PLACE},
    {1, {1}, false, -2, 2, ROW_DENSE},
    {2, {5, 1}, true, -2, 2, ROW_IN_PLACE},
    {3, {4, 6, 320}, true, 990, 1010, ROW_DENSE},
    {3, {3, 9, 33}, true, -1010, -990, ROW_IN_PLACE_CUT},
    {3, {64, 37, 61}, true, -2, 2, ROW_STRIDED},
    {2, {2, 1300}, true, -2, 2, ROW_DENSE},
    {5, {1, 1, 1, 1, 7}, false, -2, 2, ROW_IN_PLACE_CUT},
    {3, {70, 30, 67}, false, -3, 1, ROW_IN_PLACE},
};

/* The axis a strided view is cut along: a middle one (rows then not evenly
 * spaced) where there is one, else the last. */
static int cut_axis(int rank, bool middle)
{
    return middle && rank >= 3 ? 1 : rank - 1;
}

static void run_case(vdk_context *c, const char *tier, vdk_dtype dt, const row_case *k, int ci)
{
    const int64_t *shape = k->shape, C = shape[k->rank - 1];
    const uint64_t seed = 700 + 10 * (uint64_t)ci;
    const int x_axis = k->layout == ROW_STRIDED      ? cut_axis(k->rank, false)
                       : k->layout == ROW_IN_PLACE_CUT ? cut_axis(k->rank, true)
                                                       : -1;
    vdk_tensor *xbig = NULL;
    vdk_tensor *x = vv_view(c, dt, k->rank, shape, x_axis, 5, 2, seed, k->lo, k->hi, &xbig);
    vdk_tensor *gamma = k->gamma ? vv_view(c, dt, 1, &C, k->layout == ROW_STRIDED ? 0 : -1, 3, 1,
                                           seed + 1, 0.5, 1.5, NULL)
                                 : NULL;
    const vdk_rms_norm_params p = {1e-6f};
    vdk_tensor *y64 = empty_t(VDK_F64, k->rank, shape);
    VT_STATUS(ctx, vdk_rms_norm(ctx, &p, copy_t(VDK_F64, x), copy_t(VDK_F64, gamma), y64),
              VDK_OK);
    const double bound = vt_tolerance(dt, C, 0);
    char label[96];
    snprintf(label, sizeof label, "%s %s case %d", tier, vdk_dtype_name(dt), ci);

    if (k->layout == ROW_DENSE) {
        vt_guarded y = vt_guarded_tensor(c, dt, k->rank, shape);
        VT_STATUS(c, vdk_rms_norm(c, &p, x, gamma, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, bound, "%s", label);
    } else if (k->layout == ROW_STRIDED) {
        const int y_axis = cut_axis(k->rank, true);
        vdk_tensor *ybig = NULL;
        vdk_tensor *y = vv_view(c, dt, k->rank, shape, y_axis, 3, 1, seed + 3, -1, 1, &ybig);
        double *before = vt_read(ybig);
        vt_poison(y);
        VT_STATUS(c, vdk_rms_norm(c, &p, x, gamma, y), VDK_OK);
        VV_CHECK(y, y64, bound, "%s", label);
        VT_CHECK(vv_changed_outside(ybig, before, y_axis, 1, shape[y_axis]) == 0,
                 "%s: elements outside the output view changed", label);
        free(before);
    } else {
        double *before = vt_read(xbig);
        VT_STATUS(c, vdk_rms_norm(c, &p, x, gamma, x), VDK_OK);
        VV_CHECK(x, y64, bound, "%s (in place)", label);
        if (x_axis >= 0)
            VT_CHECK(vv_changed_outside(xbig, before, x_axis, 2, shape[x_axis]) == 0,
                     "%s: elements outside the in-place view changed", label);
        free(before);
    }
    VT_CHECK(strstr(vdk_last_kernel(c), "rms_norm") != NULL, "%s: kernel %s", label,
             vdk_last_kernel(c));
    vt_drop_all();
}

static void cpu_case(vdk_context *c, const char *tier, vdk_dtype dt, int ci)
{
    run_case(c, tier, dt, &row_cases[ci], ci);
}

/* The Vulkan backend on the CPU tiers' cases, plus rows that reach its other
 * paths: one row per workgroup with vectors of 8 (f16, bf16) and 4 (f32)
 * channels kept in registers (C = 1152, 2048), and a row too long for the
 * registers, read again for each pass (C = 8209, odd: scalar access). The
 * wrapped-rows test stays CPU-only: Vulkan tensors cannot wrap host memory,
 * and the Vulkan views ignore the strides of extent-1 axes. */
static const row_case vk_cases[] = {
    {2, {3, 8209}, true, -2, 2, ROW_IN_PLACE},
    {2, {5, 1152}, true, -2, 2, ROW_STRIDED},
    {3, {4, 3, 2048}, false, -2, 2, ROW_DENSE},
};

static void test_vulkan(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    const int ncpu = (int)(sizeof row_cases / sizeof *row_cases);
    const int nvk = (int)(sizeof vk_cases / sizeof *vk_cases);
    for (int d = 0; d < 3; d++)
        for (int ci = 0; ci < ncpu + nvk; ci++) {
            run_case(vk, "vulkan", dtypes[d], ci < ncpu ? &row_cases[ci] : &vk_cases[ci - ncpu],
                     ci);
            VT_CHECK(!strncmp(vdk_last_kernel(vk), "vulkan.rms_norm.", 16), "kernel %s",
                     vdk_last_kernel(vk));
        }
    VT_STATUS(vk, vdk_sync(vk), VDK_OK);
}

static void test_cpu_tiers(void)
{
    const vt_tiers *tiers = vt_cpu_tiers();
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int t = 0; t < tiers->n; t++)
        for (int d = 0; d < 3; d++)
            for (int ci = 0; ci < (int)(sizeof row_cases / sizeof *row_cases); ci++)
                cpu_case(tiers->ctx[t], vdk_cpu_isa_name(tiers->isa[t]), dtypes[d], ci);
}

/* Rows whose outer axes do not collapse although one of them looks as if it
 * did: [2, 1, 5, 13] with strides [112, 112, 16, 1] (the extent-1 axis has
 * the stride of the axis outside it), as input and in place. */
static void test_cpu_wrapped_rows(void)
{
    static float mem[2 * 112];
    const int64_t shape[4] = {2, 1, 5, 13}, strides[4] = {112, 112, 16, 1}, C = 13;
    const vt_tiers *tiers = vt_cpu_tiers();
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int t = 0; t < tiers->n; t++)
        for (int d = 0; d < 3; d++) {
            vdk_context *c = tiers->ctx[t];
            const vdk_dtype dt = dtypes[d];
            const char *tier = vdk_cpu_isa_name(tiers->isa[t]);
            vdk_tensor *x = vv_wrap(c, dt, 4, shape, strides, mem, sizeof mem, 900, -2, 2);
            vdk_tensor *gamma = vt_keep(vt_random(c, dt, 1, &C, 901, 0.5, 1.5));
            const vdk_rms_norm_params p = {1e-6f};
            vdk_tensor *y64 = empty_t(VDK_F64, 4, shape);
            VT_STATUS(ctx, vdk_rms_norm(ctx, &p, copy_t(VDK_F64, x), copy_t(VDK_F64, gamma), y64),
                      VDK_OK);
            const double bound = vt_tolerance(dt, C, 0);
            vt_guarded y = vt_guarded_tensor(c, dt, 4, shape);
            VT_STATUS(c, vdk_rms_norm(c, &p, x, gamma, y.view), VDK_OK);
            VT_ORACLE_CHECK(&y, y64, bound, "%s %s wrapped rows", tier, vdk_dtype_name(dt));
            VT_STATUS(c, vdk_rms_norm(c, &p, x, gamma, x), VDK_OK);
            VV_CHECK(x, y64, bound, "%s %s wrapped rows in place", tier, vdk_dtype_name(dt));
            vt_drop_all();
        }
}

static void test_bad_input(void)
{
    const int64_t shape[3] = {2, 3, 8}, C = 8;
    vdk_tensor *x = random_t(VDK_F32, 3, shape, 350, -1, 1);
    vdk_tensor *gamma = random_t(VDK_F32, 1, &C, 351, -1, 1);
    vdk_tensor *y = random_t(VDK_F32, 3, shape, 352, -1, 1);
    vdk_tensor *g2 = random_t(VDK_F32, 2, (int64_t[]){1, 8}, 353, -1, 1);
    vdk_tensor *y2 = random_t(VDK_F32, 2, (int64_t[]){6, 8}, 354, -1, 1);
    vdk_tensor *g16 = random_t(VDK_F16, 1, &C, 355, -1, 1);
    vdk_tensor *y16 = random_t(VDK_F16, 3, shape, 356, -1, 1);
    vdk_tensor *g7 = random_t(VDK_F32, 1, (int64_t[]){7}, 357, -1, 1);
    vdk_tensor *y_shape = random_t(VDK_F32, 3, (int64_t[]){2, 3, 9}, 358, -1, 1);
    vdk_tensor *x_other = vt_keep(vt_random(vt_other_context(), VDK_F32, 3, shape, 359, -1, 1));
    vdk_tensor *g_other = vt_keep(vt_random(vt_other_context(), VDK_F32, 1, &C, 360, -1, 1));
    vdk_tensor *big = random_t(VDK_F32, 1, (int64_t[]){64}, 361, -1, 1);
    vdk_tensor *x_in_big = vt_keep(vt_view_at(big, 0, 3, shape));
    vdk_tensor *y_in_big = vt_keep(vt_view_at(big, 1, 3, shape));
    vdk_tensor *bg = random_t(VDK_F32, 1, (int64_t[]){64}, 362, -1, 1);
    vdk_tensor *g_in_bg = vt_keep(vt_view_at(bg, 40, 1, &C));
    vdk_tensor *y_in_bg = vt_keep(vt_view_at(bg, 0, 3, shape));

    const vdk_rms_norm_params good = {1e-6f};
    vdk_rms_norm_params p;
    vt_snapshots s = VT_SNAP(x, gamma, y, y16, y_shape, big, bg, x_other);

    VT_ERROR(NULL, vdk_rms_norm(NULL, &good, x, gamma, y), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_rms_norm(ctx, NULL, x, gamma, y), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_rms_norm(ctx, &good, NULL, gamma, y), VDK_ERROR_NULL_POINTER, "'x'");
    VT_ERROR(ctx, vdk_rms_norm(ctx, &good, x, gamma, NULL), VDK_ERROR_NULL_POINTER, "'y'");
    VT_ERROR(ctx, vdk_rms_norm(ctx, &good, x_other, gamma, y), VDK_ERROR_CONTEXT, "'x'");
    VT_ERROR(ctx, vdk_rms_norm(ctx, &good, x, g_other, y), VDK_ERROR_CONTEXT, "'gamma'");
    VT_ERROR(ctx, vdk_rms_norm(ctx, &good, x, g2, y), VDK_ERROR_RANK, "'gamma'");
    VT_ERROR(ctx, vdk_rms_norm(ctx, &good, x, gamma, y2), VDK_ERROR_RANK, "'y'");
    VT_ERROR(ctx, vdk_rms_norm(ctx, &good, x, g16, y), VDK_ERROR_DTYPE, "'gamma'");
    VT_ERROR(ctx, vdk_rms_norm(ctx, &good, x, gamma, y16), VDK_ERROR_DTYPE, "'y'");
    const float bad_eps[] = {0.0f, -1e-6f, NAN, -INFINITY};
    for (int i = 0; i < 4; i++) {
        p = good, p.eps = bad_eps[i];
        VT_ERROR(ctx, vdk_rms_norm(ctx, &p, x, gamma, y), VDK_ERROR_INVALID_VALUE, "eps");
    }
    VT_ERROR(ctx, vdk_rms_norm(ctx, &good, x, g7, y), VDK_ERROR_SHAPE, "'gamma'");
    VT_ERROR(ctx, vdk_rms_norm(ctx, &good, x, gamma, y_shape), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_rms_norm(ctx, &good, x_in_big, gamma, y_in_big), VDK_ERROR_ALIAS,
             "input 'x'");
    VT_ERROR(ctx, vdk_rms_norm(ctx, &good, x, g_in_bg, y_in_bg), VDK_ERROR_ALIAS, "input 'gamma'");
    VT_CHECK(vt_all_unchanged(&s), "a failed call changed a tensor");

    vt_drop_all();
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_mean_square();
    test_scale_invariance();
    test_gamma();
    test_dtypes();
    test_views_and_in_place();
    test_bad_input();
    test_cpu_tiers();
    test_cpu_wrapped_rows();
    test_vulkan();
    vdk_context_destroy(ctx);
    return vt_finish("test_rms_norm");
}
