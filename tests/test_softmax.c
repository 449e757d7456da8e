/* vdk_softmax: golden vectors from PyTorch, properties, dtypes, views, in place and
 * bad input. */
#include "vdk_test.h"

#include <math.h>
#include <stdlib.h>

static vdk_context *ctx;

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("softmax");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_softmax_params p = {.scale = (float)vt_golden_param(c, "scale")};
        vdk_tensor *x = vt_golden_make(ctx, c, "x", VDK_F64);
        vt_guarded y = vt_golden_output(ctx, c, "y");
        VT_STATUS(ctx, vdk_softmax(ctx, &p, x, y.view), VDK_OK);
        VT_GOLDEN_CHECK(&y, c, "y", VT_GOLDEN_BOUND);
        vdk_tensor_destroy(x);
    }
    vt_golden_free(&f);
}

/* Rows sum to 1, every entry is in (0, 1], and adding a per-row constant to x
 * changes nothing; inputs of 1000s do not overflow. */
static void test_properties(void)
{
    const int64_t shape[2] = {5, 13}, n = 65;
    vdk_tensor *x = vt_keep(vt_random(ctx, VDK_F64, 2, shape, 3, -3, 3));
    vdk_tensor *y = vt_keep(vt_tensor(ctx, VDK_F64, 2, shape));
    vdk_tensor *y2 = vt_keep(vt_tensor(ctx, VDK_F64, 2, shape));
    VT_STATUS(ctx, vdk_softmax(ctx, &(vdk_softmax_params){0}, x, y), VDK_OK);
    double *xv = vt_read(x), *yv = vt_read(y);
    double worst = 0;
    int64_t out_of_range = 0;
    for (int64_t r = 0; r < 5; r++) {
        double sum = 0;
        for (int64_t c = 0; c < 13; c++) {
            sum += yv[r * 13 + c];
            out_of_range += !(yv[r * 13 + c] > 0 && yv[r * 13 + c] <= 1);
        }
        worst = fmax(worst, fabs(sum - 1));
    }
    VT_CHECK(worst < 1e-14, "rows sum to 1 within %.3g", worst);
    VT_CHECK(out_of_range == 0, "%lld entries outside (0, 1]", (long long)out_of_range);

    for (int64_t i = 0; i < n; i++)
        xv[i] += 1000.0 * (double)(i / 13 + 1); /* a different constant per row */
    vt_fill(x, xv);
    VT_STATUS(ctx, vdk_softmax(ctx, &(vdk_softmax_params){0}, x, y2), VDK_OK);
    vt_error e = vt_compare_tensor(y2, yv);
    VT_CHECK(vt_error_ok(e, 1e-24), "shift by 1000s changes softmax: %.3g bad %lld", e.norm_err,
             (long long)e.bad);

    /* scale s on x equals softmax of s*x */
    double *sx = vt_read(x);
    for (int64_t i = 0; i < n; i++)
        sx[i] *= -0.25;
    vdk_tensor *xs = vt_keep(vt_tensor(ctx, VDK_F64, 2, shape));
    vt_fill(xs, sx);
    VT_STATUS(ctx, vdk_softmax(ctx, &(vdk_softmax_params){.scale = -0.25f}, x, y), VDK_OK);
    VT_STATUS(ctx, vdk_softmax(ctx, &(vdk_softmax_params){.scale = 1}, xs, y2), VDK_OK);
    double *a = vt_read(y2);
    e = vt_compare_tensor(y, a);
    VT_CHECK(vt_error_ok(e, 1e-24), "scale differs from pre-scaled input: %.3g", e.norm_err);
    free(xv);
    free(yv);
    free(sx);
    free(a);
    vt_drop_all();
}

static void test_dtypes_views_in_place(void)
{
    const int64_t wide[3] = {2, 3, 40}, shape[3] = {2, 3, 17};
    const vdk_dtype dts[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++) {
        vdk_tensor *big = vt_keep(vt_random(ctx, dts[d], 3, wide, 7 + d, -4, 4));
        vdk_tensor *x = NULL;
        VT_STATUS(ctx, vdk_tensor_slice(big, 2, 11, 17, &x), VDK_OK); /* strided view */
        vt_keep(x);
        vdk_tensor *x64 = vt_keep(vt_copy_as(ctx, VDK_F64, x));
        vdk_tensor *y64 = vt_keep(vt_tensor(ctx, VDK_F64, 3, shape));
        VT_STATUS(ctx, vdk_softmax(ctx, &(vdk_softmax_params){.scale = 0.5f}, x64, y64), VDK_OK);
        double *want = vt_read(y64);
        vt_guarded y = vt_guarded_tensor(ctx, dts[d], 3, shape);
        VT_STATUS(ctx, vdk_softmax(ctx, &(vdk_softmax_params){.scale = 0.5f}, x, y.view), VDK_OK);
        vt_error e = vt_compare_tensor(y.view, want);
        VT_CHECK(vt_error_ok(e, vt_tolerance(dts[d], 17, 0)) && vt_guard_intact(&y),
                 "%s: norm_err %.3g bad %lld", vdk_dtype_name(dts[d]), e.norm_err, (long long)e.bad);
        /* in place on the strided view gives the same values */
        VT_STATUS(ctx, vdk_softmax(ctx, &(vdk_softmax_params){.scale = 0.5f}, x, x), VDK_OK);
        double *got = vt_read(y.view);
        e = vt_compare_tensor(x, got);
        VT_CHECK(vt_error_ok(e, 0), "%s: in place differs", vdk_dtype_name(dts[d]));
        free(want);
        free(got);
        vt_guarded_destroy(&y);
    }
    vt_drop_all();
}

static void test_bad_input(void)
{
    const int64_t shape[2] = {3, 8}, other[2] = {3, 9};
    vdk_tensor *x = vt_keep(vt_random(ctx, VDK_F32, 2, shape, 1, -1, 1));
    vdk_tensor *y = vt_keep(vt_random(ctx, VDK_F32, 2, shape, 2, -1, 1));
    vdk_tensor *y16 = vt_keep(vt_random(ctx, VDK_F16, 2, shape, 3, -1, 1));
    vdk_tensor *y_shape = vt_keep(vt_random(ctx, VDK_F32, 2, other, 4, -1, 1));
    vdk_tensor *big = vt_keep(vt_random(ctx, VDK_F32, 1, (int64_t[]){32}, 5, -1, 1));
    vdk_tensor *lo = vt_keep(vt_view_at(big, 0, 2, shape)), *hi = vt_keep(vt_view_at(big, 4, 2, shape));
    vdk_tensor *x_o = vt_keep(vt_random(vt_other_context(), VDK_F32, 2, shape, 6, -1, 1));
    const vdk_softmax_params good = {0};
    vt_snapshots s = VT_SNAP(x, y, y16, y_shape, big);
    VT_ERROR(NULL, vdk_softmax(NULL, &good, x, y), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_softmax(ctx, NULL, x, y), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, NULL, y), VDK_ERROR_NULL_POINTER, "'x'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, x, NULL), VDK_ERROR_NULL_POINTER, "'y'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, x_o, y), VDK_ERROR_CONTEXT, "'x'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, x, y16), VDK_ERROR_DTYPE, "'y'");
    VT_ERROR(ctx, vdk_softmax(ctx, &(vdk_softmax_params){.scale = NAN}, x, y), VDK_ERROR_INVALID_VALUE, "p->scale");
    VT_ERROR(ctx, vdk_softmax(ctx, &(vdk_softmax_params){.scale = INFINITY}, x, y), VDK_ERROR_INVALID_VALUE, "p->scale");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, x, y_shape), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_softmax(ctx, &good, lo, hi), VDK_ERROR_ALIAS, "'y'");
    VT_CHECK(vt_all_unchanged(&s), "a failed call changed a tensor");
    vt_drop_all();
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_properties();
    test_dtypes_views_in_place();
    test_bad_input();
    vdk_context_destroy(ctx);
    return vt_finish("test_softmax");
}
