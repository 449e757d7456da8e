/* vdk_softmax on the reference backend: golden vectors, properties, dtypes, views,
 * in-place calls and argument checks. */
#include "vdk_test.h"
#include "vt_views.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static vdk_context *ctx;

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("softmax");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_softmax_params p = {.scale = (float)vt_golden_param(c, "scale")};
        vdk_tensor *x = vt_golden_make(ctx, c, "x", VDK_F64);
        const vt_golden_tensor *want = vt_golden_get(c, "y");
        vt_guarded y = vt_guarded_tensor(ctx, VDK_F64, want->rank, want->shape);
        VT_STATUS(ctx, vdk_softmax(ctx, &p, x, y.view), VDK_OK);
        vt_error e = vt_compare_tensor(y.view, want->data);
        VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "golden %s: norm_err %.3g max_abs %.3g bad %lld",
                 c->name, e.norm_err, e.max_abs, (long long)e.bad);
        VT_CHECK(vt_guard_intact(&y), "golden %s: guard region overwritten", c->name);
        vt_guarded_destroy(&y);
        vdk_tensor_destroy(x);
    }
    vt_golden_free(&f);
}

/* Every row is a probability vector: entries in [0, 1] summing to 1. */
static void test_rows_sum_to_one(void)
{
    const int64_t shape[3] = {4, 5, 23}, len = 23, rows = 20;
    const float scales[] = {0, 0.7f, -3.0f};
    for (int si = 0; si < 3; si++) {
        vdk_tensor *x = vt_random(ctx, VDK_F64, 3, shape, 101 + si, -6, 6);
        vdk_tensor *y = vt_tensor(ctx, VDK_F64, 3, shape);
        vdk_softmax_params p = {.scale = scales[si]};
        VT_STATUS(ctx, vdk_softmax(ctx, &p, x, y), VDK_OK);
        double *yv = vt_read(y), worst = 0;
        int64_t out_of_range = 0;
        for (int64_t r = 0; r < rows; r++) {
            double sum = 0;
            for (int64_t j = 0; j < len; j++) {
                double v = yv[r * len + j];
                out_of_range += !(v >= 0 && v <= 1);
                sum += v;
            }
            worst = fmax(worst, fabs(sum - 1));
        }
        VT_CHECK(worst < 1e-14, "scale %g: a row sums to 1 %+.3g", (double)scales[si], worst);
        VT_CHECK(out_of_range == 0, "scale %g: %lld entries outside [0, 1]", (double)scales[si],
                 (long long)out_of_range);
        free(yv);
        vdk_tensor_destroy(x);
        vdk_tensor_destroy(y);
    }
}

/* Adding a constant to a row changes nothing. With scale 0.5 the constants +-3000
 * and 1500 put s*x beyond exp's range (about +-709), so a reference that does not
 * subtract the row maximum gets Inf or 0/0 there. The inputs are multiples of
 * 2^-20, so x + constant is exact and only the softmax itself rounds. */
static void test_shift_invariance(void)
{
    const int64_t shape[2] = {6, 19}, len = 19, rows = 6;
    const double shift[6] = {3.0, -17.5, 3000.0, -3000.0, 0.25, 1500.0};
    vdk_tensor *x = vt_tensor(ctx, VDK_F64, 2, shape);
    vdk_tensor *xs = vt_tensor(ctx, VDK_F64, 2, shape);
    vdk_tensor *a = vt_tensor(ctx, VDK_F64, 2, shape), *b = vt_tensor(ctx, VDK_F64, 2, shape);
    double xv[6 * 19];
    for (int64_t i = 0; i < rows * len; i++)
        xv[i] = ldexp(round(ldexp(vt_uniform(111, (uint64_t)i, -4, 4), 20)), -20);
    vt_fill(x, xv);
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < len; j++)
            xv[r * len + j] += shift[r];
    vt_fill(xs, xv);
    vdk_softmax_params p = {.scale = 0.5f};
    VT_STATUS(ctx, vdk_softmax(ctx, &p, x, a), VDK_OK);
    VT_STATUS(ctx, vdk_softmax(ctx, &p, xs, b), VDK_OK);
    double *av = vt_read(a);
    vt_error e = vt_compare_tensor(b, av);
    VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "shifted rows differ: norm_err %.3g bad %lld",
             e.norm_err, (long long)e.bad);
    free(av);
    vdk_tensor_destroy(x);
    vdk_tensor_destroy(xs);
    vdk_tensor_destroy(a);
    vdk_tensor_destroy(b);
}

/* Inputs in the thousands (and a scale that makes them larger) give finite
 * probabilities, and the largest entry of each row gets the largest probability. */
static void test_large_inputs(void)
{
    const int64_t shape[2] = {8, 15}, len = 15, rows = 8;
    const vdk_dtype dtypes[] = {VDK_F64, VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 4; d++) {
        /* f16 tops out at 65504, so its inputs stay within it */
        double hi = dtypes[d] == VDK_F16 ? 6e4 : 5e3;
        vdk_tensor *x = vt_random(ctx, dtypes[d], 2, shape, 121, hi / 2, hi);
        vdk_tensor *y = vt_tensor(ctx, dtypes[d], 2, shape);
        vdk_softmax_params p = {.scale = 3.0f};
        VT_STATUS(ctx, vdk_softmax(ctx, &p, x, y), VDK_OK);
        double *xv = vt_read(x), *yv = vt_read(y);
        int64_t bad = 0, wrong_peak = 0;
        for (int64_t r = 0; r < rows; r++) {
            int64_t xm = 0, ym = 0;
            for (int64_t j = 0; j < len; j++) {
                bad += !isfinite(yv[r * len + j]);
                if (xv[r * len + j] > xv[r * len + xm])
                    xm = j;
                if (yv[r * len + j] > yv[r * len + ym])
                    ym = j;
            }
            wrong_peak += yv[r * len + xm] != yv[r * len + ym];
        }
        VT_CHECK(bad == 0, "%s: %lld non-finite outputs for inputs near %g",
                 vdk_dtype_name(dtypes[d]), (long long)bad, hi);
        VT_CHECK(wrong_peak == 0, "%s: %lld rows whose largest input is not the most probable",
                 vdk_dtype_name(dtypes[d]), (long long)wrong_peak);
        free(xv);
        free(yv);
        vdk_tensor_destroy(x);
        vdk_tensor_destroy(y);
    }
}

/* scale 0 is scale 1, and scale s equals softmax of s*x (s a power of two, so the
 * product is exact and the comparison can be exact too). */
static void test_scale(void)
{
    const int64_t shape[2] = {5, 12};
    vdk_tensor *x = vt_random(ctx, VDK_F64, 2, shape, 131, -3, 3);
    vdk_tensor *x4 = vt_tensor(ctx, VDK_F64, 2, shape);
    vdk_tensor *a = vt_tensor(ctx, VDK_F64, 2, shape), *b = vt_tensor(ctx, VDK_F64, 2, shape);
    double *xv = vt_read(x);
    for (int i = 0; i < 60; i++)
        xv[i] *= 4;
    vt_fill(x4, xv);
    VT_STATUS(ctx, vdk_softmax(ctx, &(vdk_softmax_params){.scale = 0}, x, a), VDK_OK);
    VT_STATUS(ctx, vdk_softmax(ctx, &(vdk_softmax_params){.scale = 1}, x, b), VDK_OK);
    double *av = vt_read(a);
    VT_CHECK(vt_error_ok(vt_compare_tensor(b, av), 0), "scale 0 differs from scale 1");
    free(av);
    VT_STATUS(ctx, vdk_softmax(ctx, &(vdk_softmax_params){.scale = 4}, x, a), VDK_OK);
    VT_STATUS(ctx, vdk_softmax(ctx, &(vdk_softmax_params){.scale = 1}, x4, b), VDK_OK);
    av = vt_read(a);
    VT_CHECK(vt_error_ok(vt_compare_tensor(b, av), 0), "scale 4 differs from softmax of 4x");
    free(av);
    free(xv);
    vdk_tensor_destroy(x);
    vdk_tensor_destroy(x4);
    vdk_tensor_destroy(a);
    vdk_tensor_destroy(b);
}

/* Rows of length 1 are all ones, whatever the input. */
static void test_rows_of_one(void)
{
    const int64_t shape[4] = {2, 3, 5, 1};
    vdk_tensor *x = vt_random(ctx, VDK_F32, 4, shape, 141, -100, 100);
    vt_guarded y = vt_guarded_tensor(ctx, VDK_F32, 4, shape);
    VT_STATUS(ctx, vdk_softmax(ctx, &(vdk_softmax_params){.scale = -2}, x, y.view), VDK_OK);
    double *yv = vt_read(y.view);
    int64_t not_one = 0;
    for (int i = 0; i < 30; i++)
        not_one += yv[i] != 1.0;
    VT_CHECK(not_one == 0, "%lld length-1 rows are not 1", (long long)not_one);
    VT_CHECK(vt_guard_intact(&y), "length-1 rows: guard overwritten");
    free(yv);
    vt_guarded_destroy(&y);
    vdk_tensor_destroy(x);
}

/* f32, f16 and bf16 storage against the f64 oracle on the same (rounded) inputs. */
static void test_dtypes(void)
{
    const int64_t shape[3] = {3, 7, 37};
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++) {
        vdk_dtype dt = dtypes[d];
        vdk_tensor *x = vt_random(ctx, dt, 3, shape, 151, -5, 5);
        double *xv = vt_read(x);
        vdk_tensor *x64 = vt_tensor(ctx, VDK_F64, 3, shape), *y64 = vt_tensor(ctx, VDK_F64, 3, shape);
        vt_fill(x64, xv);
        vdk_softmax_params p = {.scale = 0.75f};
        VT_STATUS(ctx, vdk_softmax(ctx, &p, x64, y64), VDK_OK);
        vt_guarded y = vt_guarded_tensor(ctx, dt, 3, shape);
        VT_STATUS(ctx, vdk_softmax(ctx, &p, x, y.view), VDK_OK);
        double *want = vt_read(y64);
        vt_error e = vt_compare_tensor(y.view, want);
        VT_CHECK(vt_error_ok(e, vt_tolerance(dt, shape[2], 0)), "%s: norm_err %.3g bad %lld",
                 vdk_dtype_name(dt), e.norm_err, (long long)e.bad);
        VT_CHECK(vt_guard_intact(&y), "%s: guard overwritten", vdk_dtype_name(dt));
        free(xv);
        free(want);
        vt_guarded_destroy(&y);
        vdk_tensor_destroy(x);
        vdk_tensor_destroy(x64);
        vdk_tensor_destroy(y64);
    }
}

/* A strided view (rows cut out of wider rows) as input, as output, and in place,
 * against a dense copy; the elements outside the view stay as they were. */
static void test_views_and_in_place(void)
{
    const int64_t wide[3] = {2, 5, 20}, shape[3] = {2, 5, 9};
    vdk_tensor *big = vt_random(ctx, VDK_F32, 3, wide, 161, -4, 4);
    double *before = vt_read(big);
    vdk_tensor *view = NULL;
    VT_STATUS(ctx, vdk_tensor_slice(big, 2, 6, 9, &view), VDK_OK);
    double *vals = vt_read(view);
    vdk_tensor *dense = vt_tensor(ctx, VDK_F32, 3, shape), *want_t = vt_tensor(ctx, VDK_F32, 3, shape);
    vt_fill(dense, vals);
    vdk_softmax_params p = {.scale = 1.25f};
    VT_STATUS(ctx, vdk_softmax(ctx, &p, dense, want_t), VDK_OK);
    double *want = vt_read(want_t);

    vdk_tensor *out = vt_tensor(ctx, VDK_F32, 3, shape);
    VT_STATUS(ctx, vdk_softmax(ctx, &p, view, out), VDK_OK); /* strided input */
    VT_CHECK(vt_error_ok(vt_compare_tensor(out, want), 0), "strided input differs");

    vdk_tensor *big2 = vt_random(ctx, VDK_F32, 3, wide, 162, -4, 4), *view2 = NULL;
    double *before2 = vt_read(big2);
    VT_STATUS(ctx, vdk_tensor_slice(big2, 2, 3, 9, &view2), VDK_OK);
    VT_STATUS(ctx, vdk_softmax(ctx, &p, dense, view2), VDK_OK); /* strided output */
    VT_CHECK(vt_error_ok(vt_compare_tensor(view2, want), 0), "strided output differs");

    VT_STATUS(ctx, vdk_softmax(ctx, &p, view, view), VDK_OK); /* strided, in place */
    VT_CHECK(vt_error_ok(vt_compare_tensor(view, want), 0), "strided in-place differs");

    double *after = vt_read(big), *after2 = vt_read(big2);
    int64_t changed = 0;
    for (int64_t i = 0; i < 2 * 5 * 20; i++) {
        int64_t c = i % 20;
        changed += (c < 6 || c >= 15) && after[i] != before[i];
        changed += (c < 3 || c >= 12) && after2[i] != before2[i];
    }
    VT_CHECK(changed == 0, "%lld elements outside the views changed", (long long)changed);

    /* a dense in-place call as well */
    VT_STATUS(ctx, vdk_softmax(ctx, &p, dense, dense), VDK_OK);
    VT_CHECK(vt_error_ok(vt_compare_tensor(dense, want), 0), "dense in-place differs");

    free(before);
    free(before2);
    free(after);
    free(after2);
    free(vals);
    free(want);
    vdk_tensor *all[] = {view, big, view2, big2, dense, want_t, out};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        vdk_tensor_destroy(all[i]);
}

/* ---- the CPU tiers against the f64 reference ----
 * Every tier, in f32, f16 and bf16, on the oracle's rounded inputs: row lengths
 * that are not multiples of any vector width, rows of length 1, rank 1 to 5,
 * scales 0 (= 1), negative, and large, inputs of large magnitude (both need the
 * maximum subtracted; with a small spread, many terms near the maximum carry
 * the row, and their exponents must not lose |s x| units to rounding), in place, strided rows (a slice of the last axis: evenly
 * spaced rows; a slice of a middle axis: rows that are not), and enough rows
 * that 3 threads split them. */

typedef enum row_layout {
    ROW_DENSE,       /* y a fresh guarded tensor */
    ROW_STRIDED,     /* x a slice of the last axis, y of a middle axis */
    ROW_IN_PLACE,    /* y is x, dense */
    ROW_IN_PLACE_CUT /* y is x, a slice of a middle axis */
} row_layout;

typedef struct row_case {
    int rank;
    int64_t shape[5];
    float scale;
    double lo, hi;
    row_layout layout;
} row_case;

static const row_case row_cases[] = {
    {3, {3, 5, 40}, 0.75f, -5, 5, ROW_DENSE},
    {2, {7, 13}, 0, -3, 3, ROW_STRIDED},
    {4, {2, 3, 4, 11}, -1.5f, -3, 3, ROW_IN_PLACE},
    {1, {1}, 2, -50, 50, ROW_DENSE},
    {2, {5, 1}, -3, -100, 100, ROW_IN_PLACE},
    {4, {2, 3, 5, 1}, 7, -100, 100, ROW_STRIDED},
    {3, {4, 6, 77}, 50, -10, 10, ROW_DENSE},
    {3, {4, 6, 77}, 50, 10, 10.1, ROW_DENSE},
    {3, {5, 7, 45}, 0.7f, 1000, 1003, ROW_IN_PLACE},
    {3, {3, 9, 33}, 1, 2e4, 6e4, ROW_IN_PLACE_CUT},
    {3, {3, 4, 29}, -0.125f, -6e4, -1e4, ROW_DENSE},
    {3, {64, 37, 61}, 0.125f, -20, 20, ROW_STRIDED},
    {2, {2, 1300}, 1, -8, 8, ROW_DENSE},
    {5, {1, 1, 1, 1, 7}, 1, -2, 2, ROW_IN_PLACE_CUT},
    {3, {70, 30, 67}, 3, -4, 4, ROW_IN_PLACE},
};

/* The axis a strided view is cut along: a middle one (rows then not evenly
 * spaced) where there is one, else the last. */
static int cut_axis(int rank, bool middle)
{
    return middle && rank >= 3 ? 1 : rank - 1;
}

static void cpu_case(vdk_context *c, const char *tier, vdk_dtype dt, int ci)
{
    const row_case *k = &row_cases[ci];
    const int64_t *shape = k->shape, len = shape[k->rank - 1];
    const uint64_t seed = 800 + 10 * (uint64_t)ci;
    const int x_axis = k->layout == ROW_STRIDED      ? cut_axis(k->rank, false)
                       : k->layout == ROW_IN_PLACE_CUT ? cut_axis(k->rank, true)
                                                       : -1;
    vdk_tensor *xbig = NULL;
    vdk_tensor *x = vv_view(c, dt, k->rank, shape, x_axis, 5, 2, seed, k->lo, k->hi, &xbig);
    const vdk_softmax_params p = {.scale = k->scale};
    vdk_tensor *x64 = vt_keep(vt_copy_as(ctx, VDK_F64, x));
    vdk_tensor *y64 = vt_keep(vt_tensor(ctx, VDK_F64, k->rank, shape));
    VT_STATUS(ctx, vdk_softmax(ctx, &p, x64, y64), VDK_OK);
    const double bound = vt_tolerance(dt, len, 0);
    char label[96];
    snprintf(label, sizeof label, "%s %s case %d", tier, vdk_dtype_name(dt), ci);

    if (k->layout == ROW_DENSE) {
        vt_guarded y = vt_guarded_tensor(c, dt, k->rank, shape);
        VT_STATUS(c, vdk_softmax(c, &p, x, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, bound, "%s", label);
    } else if (k->layout == ROW_STRIDED) {
        const int y_axis = cut_axis(k->rank, true);
        vdk_tensor *ybig = NULL;
        vdk_tensor *y = vv_view(c, dt, k->rank, shape, y_axis, 3, 1, seed + 3, -1, 1, &ybig);
        double *before = vt_read(ybig);
        vt_poison(y);
        VT_STATUS(c, vdk_softmax(c, &p, x, y), VDK_OK);
        VV_CHECK(y, y64, bound, "%s", label);
        VT_CHECK(vv_changed_outside(ybig, before, y_axis, 1, shape[y_axis]) == 0,
                 "%s: elements outside the output view changed", label);
        free(before);
    } else {
        double *before = vt_read(xbig);
        VT_STATUS(c, vdk_softmax(c, &p, x, x), VDK_OK);
        VV_CHECK(x, y64, bound, "%s (in place)", label);
        if (x_axis >= 0)
            VT_CHECK(vv_changed_outside(xbig, before, x_axis, 2, shape[x_axis]) == 0,
                     "%s: elements outside the in-place view changed", label);
        free(before);
    }
    VT_CHECK(strstr(vdk_last_kernel(c), "softmax") != NULL, "%s: kernel %s", label,
             vdk_last_kernel(c));
    vt_drop_all();
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
            const vdk_softmax_params p = {.scale = 1.5f};
            vdk_tensor *y64 = vt_keep(vt_tensor(ctx, VDK_F64, 4, shape));
            VT_STATUS(ctx, vdk_softmax(ctx, &p, vt_keep(vt_copy_as(ctx, VDK_F64, x)), y64), VDK_OK);
            const double bound = vt_tolerance(dt, C, 0);
            vt_guarded y = vt_guarded_tensor(c, dt, 4, shape);
            VT_STATUS(c, vdk_softmax(c, &p, x, y.view), VDK_OK);
            VT_ORACLE_CHECK(&y, y64, bound, "%s %s wrapped rows", tier, vdk_dtype_name(dt));
            VT_STATUS(c, vdk_softmax(c, &p, x, x), VDK_OK);
            VV_CHECK(x, y64, bound, "%s %s wrapped rows in place", tier, vdk_dtype_name(dt));
            vt_drop_all();
        }
}

static void test_bad_input(void)
{
    const int64_t shape[3] = {2, 3, 8}, other[3] = {2, 3, 7}, s2[2] = {6, 8};
    vdk_tensor *x = vt_random(ctx, VDK_F32, 3, shape, 171, -1, 1);
    vdk_tensor *y = vt_random(ctx, VDK_F32, 3, shape, 172, -1, 1);
    vdk_tensor *y2 = vt_random(ctx, VDK_F32, 2, s2, 173, -1, 1);
    vdk_tensor *y16 = vt_random(ctx, VDK_F16, 3, shape, 174, -1, 1);
    vdk_tensor *y_shape = vt_random(ctx, VDK_F32, 3, other, 175, -1, 1);
    /* x and y_part: two views of one storage, 8 elements apart, overlapping */
    const int64_t flat = 2 * 3 * 8, big_n = flat + 8;
    vdk_tensor *big = vt_random(ctx, VDK_F32, 1, &big_n, 176, -1, 1);
    vdk_tensor *a_flat = NULL, *b_flat = NULL, *x_in_big = NULL, *y_part = NULL;
    vdk_tensor_slice(big, 0, 8, flat, &a_flat);
    vdk_tensor_reshape(a_flat, 3, shape, &x_in_big);
    vdk_tensor_slice(big, 0, 0, flat, &b_flat);
    vdk_tensor_reshape(b_flat, 3, shape, &y_part);
    vdk_tensor *y16_shape = vt_random(ctx, VDK_F16, 3, other, 178, -1, 1);
    vdk_context *other_ctx = vt_context(VDK_BACKEND_REFERENCE);
    vdk_tensor *x_other = vt_random(other_ctx, VDK_F32, 3, shape, 177, -1, 1);

    const vdk_softmax_params good = {.scale = 0.5f};
    vdk_softmax_params p;
    vt_snapshots s = VT_SNAP(x, y, y2, y16, y_shape, y16_shape, big);

    VT_ERROR(NULL, vdk_softmax(NULL, &good, x, y), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_softmax(ctx, NULL, x, y), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, NULL, y), VDK_ERROR_NULL_POINTER, "'x'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, x, NULL), VDK_ERROR_NULL_POINTER, "'y'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, x_other, y), VDK_ERROR_CONTEXT, "'x'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, x, y2), VDK_ERROR_RANK, "'y'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, x, y16), VDK_ERROR_DTYPE, "'y'");
    p = good, p.scale = NAN;
    VT_ERROR(ctx, vdk_softmax(ctx, &p, x, y), VDK_ERROR_INVALID_VALUE, "scale");
    p = good, p.scale = INFINITY;
    VT_ERROR(ctx, vdk_softmax(ctx, &p, x, y), VDK_ERROR_INVALID_VALUE, "scale");
    p = good, p.scale = -INFINITY;
    VT_ERROR(ctx, vdk_softmax(ctx, &p, x, y), VDK_ERROR_INVALID_VALUE, "scale");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, x, y_shape), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, x_in_big, y_part), VDK_ERROR_ALIAS, "'y'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, y_part, x_in_big), VDK_ERROR_ALIAS, "'x'");
    /* the order of the categories: params before tensors, dtype before shape,
     * values before shapes */
    VT_ERROR(ctx, vdk_softmax(ctx, NULL, x_other, y16), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, x, y16_shape), VDK_ERROR_DTYPE, "'y'");
    p = good, p.scale = NAN;
    VT_ERROR(ctx, vdk_softmax(ctx, &p, x, y_shape), VDK_ERROR_INVALID_VALUE, "scale");
    VT_CHECK(vt_all_unchanged(&s), "a failed call changed a tensor");

    vdk_tensor *all[] = {x, y, y2, y16, y_shape, y16_shape, x_in_big, y_part, a_flat, b_flat, big};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        vdk_tensor_destroy(all[i]);
    vdk_tensor_destroy(x_other);
    vdk_context_destroy(other_ctx);
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_rows_sum_to_one();
    test_shift_invariance();
    test_large_inputs();
    test_scale();
    test_rows_of_one();
    test_dtypes();
    test_views_and_in_place();
    test_bad_input();
    test_cpu_tiers();
    test_cpu_wrapped_rows();
    vdk_context_destroy(ctx);
    return vt_finish("test_softmax");
}
