/* vdk_layer_norm: golden vectors from PyTorch, properties, dtypes, views and bad input. */
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
    vt_golden_file f = vt_golden_load("layer_norm");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_layer_norm_params p = {.eps = (float)vt_golden_param(c, "eps")};
        vdk_tensor *x = vt_golden_make(ctx, c, "x", VDK_F64);
        vdk_tensor *gamma = vt_golden_make(ctx, c, "gamma", VDK_F64);
        vdk_tensor *beta = vt_golden_make(ctx, c, "beta", VDK_F64);
        vt_guarded y = vt_golden_output(ctx, c, "y");
        VT_STATUS(ctx, vdk_layer_norm(ctx, &p, x, gamma, beta, y.view), VDK_OK);
        VT_GOLDEN_CHECK(&y, c, "y", VT_GOLDEN_BOUND);
        VT_DESTROY(x, gamma, beta);
    }
    vt_golden_free(&f);
}

/* Without affine, every row of the output has mean 0 and (biased) variance
 * var / (var + eps), var the row's biased variance, whatever its offset and scale. */
static void test_normalised_rows(void)
{
    const int64_t shape[4] = {3, 4, 5, 21}, C = 21, rows = 60;
    const double eps = 1e-3; /* large enough that var / (var + eps) is visibly not 1 */
    vdk_tensor *x = random_t(VDK_F64, 4, shape, 200, -3, 9);
    vdk_tensor *y = empty_t(VDK_F64, 4, shape);
    VT_STATUS(ctx, vdk_layer_norm(ctx, &(vdk_layer_norm_params){(float)eps}, x, NULL, NULL, y),
              VDK_OK);
    double *xv = vt_read(x), *yv = vt_read(y);
    double worst_mean = 0, worst_var = 0;
    for (int64_t r = 0; r < rows; r++) {
        const double *xr = xv + r * C, *yr = yv + r * C;
        double xs = 0, ys = 0, xq = 0, yq = 0;
        for (int64_t c = 0; c < C; c++)
            xs += xr[c], ys += yr[c];
        for (int64_t c = 0; c < C; c++) {
            xq += (xr[c] - xs / C) * (xr[c] - xs / C);
            yq += (yr[c] - ys / C) * (yr[c] - ys / C);
        }
        const double var = xq / C, expect = var / (var + (double)(float)eps);
        worst_mean = fmax(worst_mean, fabs(ys / C));
        worst_var = fmax(worst_var, fabs(yq / C - expect));
    }
    VT_CHECK(worst_mean < 1e-12, "row mean off zero by %.3g", worst_mean);
    VT_CHECK(worst_var < 1e-12, "row variance off var/(var+eps) by %.3g", worst_var);
    free(xv);
    free(yv);
    vt_drop_all();
}

/* Adding 1e4 to every element changes nothing in exact arithmetic; the result
 * for x + 1e4 must match the result for the same values with the offset taken
 * off again (exactly, by Sterbenz), to the accuracy of the output dtype. */
static void test_large_offset(void)
{
    const int64_t shape[3] = {4, 6, 33}, n = 4 * 6 * 33;
    const vdk_dtype dtypes[] = {VDK_F64, VDK_F32};
    for (int d = 0; d < 2; d++) {
        const vdk_dtype dt = dtypes[d];
        vdk_tensor *x = random_t(dt, 3, shape, 210, -1, 1);
        double *v = vt_read(x);
        for (int64_t i = 0; i < n; i++)
            v[i] += 1e4;
        vt_fill(x, v); /* rounded to dt: the offset tensor is what the test feeds */
        free(v);
        v = vt_read(x);
        for (int64_t i = 0; i < n; i++)
            v[i] -= 1e4;
        vdk_tensor *x0 = empty_t(VDK_F64, 3, shape), *y0 = empty_t(VDK_F64, 3, shape);
        vt_fill(x0, v);
        vdk_tensor *y = empty_t(dt, 3, shape);
        const vdk_layer_norm_params p = {1e-5f};
        VT_STATUS(ctx, vdk_layer_norm(ctx, &p, x0, NULL, NULL, y0), VDK_OK);
        VT_STATUS(ctx, vdk_layer_norm(ctx, &p, x, NULL, NULL, y), VDK_OK);
        double *want = vt_read(y0);
        vt_error e = vt_compare_tensor(y, want);
        VT_CHECK(vt_error_ok(e, vt_tolerance(dt, shape[2], 0)),
                 "%s: offset 1e4 costs accuracy: norm_err %.3g", vdk_dtype_name(dt), e.norm_err);
        free(v);
        free(want);
        vt_drop_all();
    }
}

/* The affine step is exactly n * gamma[c] + beta[c] on the normalised n, with
 * either of gamma and beta absent meaning 1 and 0. */
static void test_affine(void)
{
    const int64_t shape[2] = {9, 14}, C = 14, n = 9 * 14;
    vdk_tensor *x = random_t(VDK_F64, 2, shape, 220, -2, 2);
    vdk_tensor *gamma = random_t(VDK_F64, 1, &C, 221, 0.5, 1.5);
    vdk_tensor *beta = random_t(VDK_F64, 1, &C, 222, -0.5, 0.5);
    vdk_tensor *plain = empty_t(VDK_F64, 2, shape), *y = empty_t(VDK_F64, 2, shape);
    const vdk_layer_norm_params p = {1e-5f};
    VT_STATUS(ctx, vdk_layer_norm(ctx, &p, x, NULL, NULL, plain), VDK_OK);
    double *nv = vt_read(plain), *g = vt_read(gamma), *b = vt_read(beta), want[9 * 14];
    for (int with = 1; with <= 3; with++) { /* bit 0: gamma, bit 1: beta */
        for (int64_t i = 0; i < n; i++)
            want[i] = nv[i] * (with & 1 ? g[i % C] : 1) + (with & 2 ? b[i % C] : 0);
        VT_STATUS(ctx, vdk_layer_norm(ctx, &p, x, with & 1 ? gamma : NULL, with & 2 ? beta : NULL, y),
                  VDK_OK);
        vt_error e = vt_compare_tensor(y, want);
        VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "gamma %d beta %d: norm_err %.3g", with & 1,
                 with >> 1, e.norm_err);
    }
    free(nv);
    free(g);
    free(b);
    vt_drop_all();
}

/* f32, f16 and bf16 storage against the f64 oracle on the same (rounded) inputs. */
static void test_dtypes(void)
{
    const int64_t shape[5] = {1, 3, 5, 7, 40}, C = 40; /* prime T, H, W */
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++) {
        const vdk_dtype dt = dtypes[d];
        vdk_tensor *x = random_t(dt, 5, shape, 230, -2, 3);
        vdk_tensor *gamma = random_t(dt, 1, &C, 231, 0.5, 1.5);
        vdk_tensor *beta = random_t(dt, 1, &C, 232, -0.5, 0.5);
        vdk_tensor *y64 = empty_t(VDK_F64, 5, shape);
        const vdk_layer_norm_params p = {1e-5f};
        VT_STATUS(ctx, vdk_layer_norm(ctx, &p, copy_t(VDK_F64, x), copy_t(VDK_F64, gamma),
                                      copy_t(VDK_F64, beta), y64), VDK_OK);
        vt_guarded y = vt_guarded_tensor(ctx, dt, 5, shape);
        VT_STATUS(ctx, vdk_layer_norm(ctx, &p, x, gamma, beta, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, vt_tolerance(dt, C, 0), "%s", vdk_dtype_name(dt));
        vt_drop_all();
    }
}

/* Strided views: x, gamma and beta cut from wider tensors give the dense result,
 * and in place on a strided view (y = x) gives it too without touching the
 * elements around the view. */
static void test_views_and_in_place(void)
{
    const int64_t wide[3] = {3, 5, 20}, shape[3] = {3, 5, 11}, C = 11;
    vdk_tensor *big = random_t(VDK_F32, 3, wide, 240, -1, 1);
    vdk_tensor *gw = random_t(VDK_F32, 1, (int64_t[]){C + 3}, 241, 0.5, 1.5);
    vdk_tensor *bw = random_t(VDK_F32, 1, (int64_t[]){C + 5}, 242, -0.5, 0.5);
    vdk_tensor *view, *gamma, *beta;
    if (vdk_tensor_slice(big, 2, 6, C, &view) || vdk_tensor_slice(gw, 0, 3, C, &gamma) ||
        vdk_tensor_slice(bw, 0, 1, C, &beta))
        vt_fatal("slice: %s", vdk_last_error(ctx));
    vt_keep(view);
    vt_keep(gamma);
    vt_keep(beta);
    const vdk_layer_norm_params p = {1e-5f};
    vdk_tensor *dense = empty_t(VDK_F32, 3, shape);
    VT_STATUS(ctx, vdk_layer_norm(ctx, &p, copy_t(VDK_F32, view), copy_t(VDK_F32, gamma),
                                  copy_t(VDK_F32, beta), dense), VDK_OK);
    double *want = vt_read(dense), *before = vt_read(big);
    vdk_tensor *y = empty_t(VDK_F32, 3, shape);
    VT_STATUS(ctx, vdk_layer_norm(ctx, &p, view, gamma, beta, y), VDK_OK);
    vt_error e = vt_compare_tensor(y, want);
    VT_CHECK(vt_error_ok(e, 0), "strided inputs differ from dense: %.3g", e.norm_err);
    VT_STATUS(ctx, vdk_layer_norm(ctx, &p, view, gamma, beta, view), VDK_OK);
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
 * gamma/beta absent and present (and cut from wider tensors), in place, strided
 * rows (a slice of the last axis: evenly spaced rows; a slice of a middle axis:
 * rows that are not), rows at 1000 +- 10, and enough rows that 3 threads split
 * them. */

typedef enum row_layout {
    ROW_DENSE,       /* y a fresh guarded tensor */
    ROW_STRIDED,     /* x a slice of the last axis, y of a middle axis; gamma, beta cut */
    ROW_IN_PLACE,    /* y is x, dense */
    ROW_IN_PLACE_CUT /* y is x, a slice of a middle axis */
} row_layout;

typedef struct row_case {
    int rank;
    int64_t shape[5];
    bool gamma, beta;
    double lo, hi;
    row_layout layout;
} row_case;

static const row_case row_cases[] = {
    {3, {3, 5, 40}, true, true, -2, 3, ROW_DENSE},
    {2, {7, 13}, false, false, -2, 2, ROW_STRIDED},
    {4, {2, 3, 4, 11}, true, false, -2, 2, ROW_IN_PLACE},
    {1, {1}, false, true, -2, 2, ROW_DENSE},
    {2, {5, 1}, true, true, -2, 2, ROW_IN_PLACE},
    {3, {4, 6, 320}, true, true, 990, 1010, ROW_DENSE},
    {3, {3, 9, 33}, true, true, -1010, -990, ROW_IN_PLACE_CUT},
    {3, {64, 37, 61}, true, true, -2, 2, ROW_STRIDED},
    {2, {2, 1300}, true, true, -2, 2, ROW_DENSE},
    {5, {1, 1, 1, 1, 7}, false, false, -2, 2, ROW_IN_PLACE_CUT},
    {3, {70, 30, 67}, false, true, 990, 1010, ROW_IN_PLACE},
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
    const uint64_t seed = 600 + 10 * (uint64_t)ci;
    const bool cut_affine = k->layout == ROW_STRIDED;
    const int x_axis = k->layout == ROW_STRIDED      ? cut_axis(k->rank, false)
                       : k->layout == ROW_IN_PLACE_CUT ? cut_axis(k->rank, true)
                                                       : -1;
    vdk_tensor *xbig = NULL;
    vdk_tensor *x = vv_view(c, dt, k->rank, shape, x_axis, 5, 2, seed, k->lo, k->hi, &xbig);
    vdk_tensor *gamma = k->gamma ? vv_view(c, dt, 1, &C, cut_affine ? 0 : -1, 3, 1, seed + 1,
                                           0.5, 1.5, NULL)
                                 : NULL;
    vdk_tensor *beta = k->beta ? vv_view(c, dt, 1, &C, cut_affine ? 0 : -1, 4, 3, seed + 2,
                                         -0.5, 0.5, NULL)
                               : NULL;
    const vdk_layer_norm_params p = {1e-5f};
    vdk_tensor *y64 = empty_t(VDK_F64, k->rank, shape);
    VT_STATUS(ctx, vdk_layer_norm(ctx, &p, copy_t(VDK_F64, x), copy_t(VDK_F64, gamma),
                                  copy_t(VDK_F64, beta), y64), VDK_OK);
    const double bound = vt_tolerance(dt, C, 0);
    char label[96];
    snprintf(label, sizeof label, "%s %s case %d", tier, vdk_dtype_name(dt), ci);

    if (k->layout == ROW_DENSE) {
        vt_guarded y = vt_guarded_tensor(c, dt, k->rank, shape);
        VT_STATUS(c, vdk_layer_norm(c, &p, x, gamma, beta, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, bound, "%s", label);
    } else if (k->layout == ROW_STRIDED) {
        const int y_axis = cut_axis(k->rank, true);
        vdk_tensor *ybig = NULL;
        vdk_tensor *y = vv_view(c, dt, k->rank, shape, y_axis, 3, 1, seed + 3, -1, 1, &ybig);
        double *before = vt_read(ybig);
        vt_poison(y);
        VT_STATUS(c, vdk_layer_norm(c, &p, x, gamma, beta, y), VDK_OK);
        VV_CHECK(y, y64, bound, "%s", label);
        VT_CHECK(vv_changed_outside(ybig, before, y_axis, 1, shape[y_axis]) == 0,
                 "%s: elements outside the output view changed", label);
        free(before);
    } else {
        double *before = vt_read(xbig);
        VT_STATUS(c, vdk_layer_norm(c, &p, x, gamma, beta, x), VDK_OK);
        VV_CHECK(x, y64, bound, "%s (in place)", label);
        if (x_axis >= 0)
            VT_CHECK(vv_changed_outside(xbig, before, x_axis, 2, shape[x_axis]) == 0,
                     "%s: elements outside the in-place view changed", label);
        free(before);
    }
    VT_CHECK(strstr(vdk_last_kernel(c), "layer_norm") != NULL, "%s: kernel %s", label,
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
    {2, {3, 8209}, true, true, 990, 1010, ROW_IN_PLACE},
    {2, {5, 1152}, true, true, -2, 2, ROW_STRIDED},
    {3, {4, 3, 2048}, false, true, -2, 2, ROW_DENSE},
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
            VT_CHECK(!strncmp(vdk_last_kernel(vk), "vulkan.layer_norm.", 18), "kernel %s",
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
            vdk_tensor *beta = vt_keep(vt_random(c, dt, 1, &C, 902, -0.5, 0.5));
            const vdk_layer_norm_params p = {1e-5f};
            vdk_tensor *y64 = empty_t(VDK_F64, 4, shape);
            VT_STATUS(ctx, vdk_layer_norm(ctx, &p, copy_t(VDK_F64, x), copy_t(VDK_F64, gamma),
                                          copy_t(VDK_F64, beta), y64), VDK_OK);
            const double bound = vt_tolerance(dt, C, 0);
            vt_guarded y = vt_guarded_tensor(c, dt, 4, shape);
            VT_STATUS(c, vdk_layer_norm(c, &p, x, gamma, beta, y.view), VDK_OK);
            VT_ORACLE_CHECK(&y, y64, bound, "%s %s wrapped rows", tier, vdk_dtype_name(dt));
            VT_STATUS(c, vdk_layer_norm(c, &p, x, gamma, beta, x), VDK_OK);
            VV_CHECK(x, y64, bound, "%s %s wrapped rows in place", tier, vdk_dtype_name(dt));
            vt_drop_all();
        }
}

static void test_bad_input(void)
{
    const int64_t shape[3] = {2, 3, 8}, C = 8;
    vdk_tensor *x = random_t(VDK_F32, 3, shape, 250, -1, 1);
    vdk_tensor *gamma = random_t(VDK_F32, 1, &C, 251, -1, 1);
    vdk_tensor *beta = random_t(VDK_F32, 1, &C, 252, -1, 1);
    vdk_tensor *y = random_t(VDK_F32, 3, shape, 253, -1, 1);
    vdk_tensor *g2 = random_t(VDK_F32, 2, (int64_t[]){1, 8}, 254, -1, 1);
    vdk_tensor *y2 = random_t(VDK_F32, 2, (int64_t[]){6, 8}, 255, -1, 1);
    vdk_tensor *g16 = random_t(VDK_F16, 1, &C, 256, -1, 1);
    vdk_tensor *y16 = random_t(VDK_F16, 3, shape, 257, -1, 1);
    vdk_tensor *g7 = random_t(VDK_F32, 1, (int64_t[]){7}, 258, -1, 1);
    vdk_tensor *y_shape = random_t(VDK_F32, 3, (int64_t[]){2, 4, 8}, 259, -1, 1);
    vdk_tensor *x_other = vt_keep(vt_random(vt_other_context(), VDK_F32, 3, shape, 260, -1, 1));
    vdk_tensor *g_other = vt_keep(vt_random(vt_other_context(), VDK_F32, 1, &C, 261, -1, 1));
    vdk_tensor *big = random_t(VDK_F32, 1, (int64_t[]){64}, 262, -1, 1);
    vdk_tensor *x_in_big = vt_keep(vt_view_at(big, 0, 3, shape));
    vdk_tensor *y_in_big = vt_keep(vt_view_at(big, 8, 3, shape));
    vdk_tensor *bg = random_t(VDK_F32, 1, (int64_t[]){64}, 263, -1, 1);
    vdk_tensor *g_in_bg = vt_keep(vt_view_at(bg, 40, 1, &C));
    vdk_tensor *y_in_bg = vt_keep(vt_view_at(bg, 0, 3, shape));
    vdk_tensor *bb = random_t(VDK_F32, 1, (int64_t[]){64}, 264, -1, 1);
    vdk_tensor *b_in_bb = vt_keep(vt_view_at(bb, 3, 1, &C));
    vdk_tensor *y_in_bb = vt_keep(vt_view_at(bb, 0, 3, shape));

    const vdk_layer_norm_params good = {1e-5f};
    vdk_layer_norm_params p;
    vt_snapshots s = VT_SNAP(x, gamma, beta, y, y16, y_shape, big, bg, bb, y2, x_other);

    VT_ERROR(NULL, vdk_layer_norm(NULL, &good, x, gamma, beta, y), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_layer_norm(ctx, NULL, x, gamma, beta, y), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, NULL, gamma, beta, y), VDK_ERROR_NULL_POINTER, "'x'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, gamma, beta, NULL), VDK_ERROR_NULL_POINTER, "'y'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x_other, gamma, beta, y), VDK_ERROR_CONTEXT, "'x'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, g_other, beta, y), VDK_ERROR_CONTEXT, "'gamma'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, g2, beta, y), VDK_ERROR_RANK, "'gamma'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, gamma, g2, y), VDK_ERROR_RANK, "'beta'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, gamma, beta, y2), VDK_ERROR_RANK, "'y'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, g16, beta, y), VDK_ERROR_DTYPE, "'gamma'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, gamma, g16, y), VDK_ERROR_DTYPE, "'beta'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, gamma, beta, y16), VDK_ERROR_DTYPE, "'y'");
    const float bad_eps[] = {0.0f, -1e-5f, NAN, INFINITY};
    for (int i = 0; i < 4; i++) {
        p = good, p.eps = bad_eps[i];
        VT_ERROR(ctx, vdk_layer_norm(ctx, &p, x, gamma, beta, y), VDK_ERROR_INVALID_VALUE, "eps");
    }
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, g7, beta, y), VDK_ERROR_SHAPE, "'gamma'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, gamma, g7, y), VDK_ERROR_SHAPE, "'beta'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, gamma, beta, y_shape), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x_in_big, gamma, beta, y_in_big), VDK_ERROR_ALIAS,
             "input 'x'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, g_in_bg, beta, y_in_bg), VDK_ERROR_ALIAS,
             "input 'gamma'");
    VT_ERROR(ctx, vdk_layer_norm(ctx, &good, x, gamma, b_in_bb, y_in_bb), VDK_ERROR_ALIAS,
             "input 'beta'");
    VT_CHECK(vt_all_unchanged(&s), "a failed call changed a tensor");

    vt_drop_all();
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_normalised_rows();
    test_large_offset();
    test_affine();
    test_dtypes();
    test_views_and_in_place();
    test_bad_input();
    test_cpu_tiers();
    test_cpu_wrapped_rows();
    test_vulkan();
    vdk_context_destroy(ctx);
    return vt_finish("test_layer_norm");
}
