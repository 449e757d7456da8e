/* vdk_binary: golden vectors from PyTorch, broadcasting and algebra properties,
 * dtypes, views, in place and bad input. */
#include "vdk_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static vdk_context *ctx;

static const char *const op_names[VDK_BINARY_COUNT] = {"add", "sub", "mul"};

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("binary");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_binary_params p = {.op = (vdk_binary_op)vt_golden_param(c, "op")};
        vdk_tensor *a = vt_golden_make(ctx, c, "a", VDK_F64);
        vdk_tensor *b = vt_golden_make(ctx, c, "b", VDK_F64);
        vt_guarded y = vt_golden_output(ctx, c, "y");
        VT_STATUS(ctx, vdk_binary(ctx, &p, a, b, y.view), VDK_OK);
        VT_GOLDEN_CHECK(&y, c, "y", VT_GOLDEN_BOUND);
        vdk_tensor_destroy(a);
        vdk_tensor_destroy(b);
    }
    vt_golden_free(&f);
}

/* b's values repeated out to the full 5-D shape by explicit nested loops over
 * the 5-D index, b's shape padded with leading 1s (independent of the library's
 * own index arithmetic). */
static double *expand(const double *b, int brank, const int64_t *bshape, const int64_t *full)
{
    int64_t bs[5];
    for (int k = 0; k < 5; k++)
        bs[k] = k < 5 - brank ? 1 : bshape[k - (5 - brank)];
    double *out = malloc((size_t)(full[0] * full[1] * full[2] * full[3] * full[4]) * sizeof *out);
    int64_t o = 0;
    for (int64_t i0 = 0; i0 < full[0]; i0++)
        for (int64_t i1 = 0; i1 < full[1]; i1++)
            for (int64_t i2 = 0; i2 < full[2]; i2++)
                for (int64_t i3 = 0; i3 < full[3]; i3++)
                    for (int64_t i4 = 0; i4 < full[4]; i4++) {
                        int64_t j0 = bs[0] == 1 ? 0 : i0, j1 = bs[1] == 1 ? 0 : i1,
                                j2 = bs[2] == 1 ? 0 : i2, j3 = bs[3] == 1 ? 0 : i3,
                                j4 = bs[4] == 1 ? 0 : i4;
                        out[o++] = b[(((j0 * bs[1] + j1) * bs[2] + j2) * bs[3] + j3) * bs[4] + j4];
                    }
    return out;
}

/* Broadcasting b gives exactly what a dense, explicitly repeated b gives. */
static void test_broadcast_equals_expansion(void)
{
    const int64_t full[5] = {2, 3, 4, 5, 6};
    const struct {
        int rank;
        int64_t shape[5];
    } bs[] = {
        {5, {2, 3, 1, 1, 6}}, {1, {6}}, {1, {1}}, {4, {3, 1, 1, 6}}, {3, {4, 1, 1}},
        {5, {1, 3, 1, 5, 1}}, {2, {5, 6}}, {5, {2, 1, 4, 1, 1}},
    };
    for (size_t k = 0; k < sizeof bs / sizeof *bs; k++)
        for (int op = 0; op < VDK_BINARY_COUNT; op++) {
            vdk_binary_params p = {.op = (vdk_binary_op)op};
            vdk_tensor *a = vt_random(ctx, VDK_F64, 5, full, 100 + k, -2, 2);
            vdk_tensor *b = vt_random(ctx, VDK_F64, bs[k].rank, bs[k].shape, 200 + k, -2, 2);
            double *bv = vt_read(b), *big = expand(bv, bs[k].rank, bs[k].shape, full);
            vdk_tensor *bfull = vt_tensor(ctx, VDK_F64, 5, full);
            vt_fill(bfull, big);
            vdk_tensor *y1 = vt_tensor(ctx, VDK_F64, 5, full), *y2 = vt_tensor(ctx, VDK_F64, 5, full);
            VT_STATUS(ctx, vdk_binary(ctx, &p, a, b, y1), VDK_OK);
            VT_STATUS(ctx, vdk_binary(ctx, &p, a, bfull, y2), VDK_OK);
            double *want = vt_read(y2);
            VT_CHECK(vt_error_ok(vt_compare_tensor(y1, want), 0),
                     "%s, b case %zu: broadcast differs from the explicit expansion",
                     op_names[op], k);
            free(bv);
            free(big);
            free(want);
            VT_DESTROY(a, b, bfull, y1, y2);
        }
}

/* Exact identities of IEEE arithmetic: a + b = a - (-b); a * 2 = a + a; and on
 * equal shapes a - b = -(b - a) and a * b = b * a. */
static void test_algebra(void)
{
    const int64_t shape[4] = {3, 4, 5, 7}, bshape[2] = {5, 7}, one = 1;
    vdk_tensor *a = vt_random(ctx, VDK_F64, 4, shape, 301, -3, 3);
    vdk_tensor *c = vt_random(ctx, VDK_F64, 4, shape, 302, -3, 3);
    vdk_tensor *b = vt_random(ctx, VDK_F64, 2, bshape, 303, -3, 3);
    vdk_tensor *nb = vt_tensor(ctx, VDK_F64, 2, bshape), *two = vt_tensor(ctx, VDK_F64, 1, &one);
    double *bv = vt_read(b);
    for (int i = 0; i < 35; i++)
        bv[i] = -bv[i];
    vt_fill(nb, bv);
    vt_fill(two, (double[]){2.0});
    vdk_tensor *y1 = vt_tensor(ctx, VDK_F64, 4, shape), *y2 = vt_tensor(ctx, VDK_F64, 4, shape);

    VT_STATUS(ctx, vdk_binary(ctx, &(vdk_binary_params){VDK_BINARY_ADD}, a, b, y1), VDK_OK);
    VT_STATUS(ctx, vdk_binary(ctx, &(vdk_binary_params){VDK_BINARY_SUB}, a, nb, y2), VDK_OK);
    double *w = vt_read(y2);
    VT_CHECK(vt_error_ok(vt_compare_tensor(y1, w), 0), "a + b != a - (-b)");
    free(w);

    VT_STATUS(ctx, vdk_binary(ctx, &(vdk_binary_params){VDK_BINARY_MUL}, a, two, y1), VDK_OK);
    VT_STATUS(ctx, vdk_binary(ctx, &(vdk_binary_params){VDK_BINARY_ADD}, a, a, y2), VDK_OK);
    w = vt_read(y2);
    VT_CHECK(vt_error_ok(vt_compare_tensor(y1, w), 0), "a * [2] != a + a");
    free(w);

    VT_STATUS(ctx, vdk_binary(ctx, &(vdk_binary_params){VDK_BINARY_SUB}, a, c, y1), VDK_OK);
    VT_STATUS(ctx, vdk_binary(ctx, &(vdk_binary_params){VDK_BINARY_SUB}, c, a, y2), VDK_OK);
    double *d1 = vt_read(y1), *d2 = vt_read(y2);
    int64_t n = vdk_tensor_numel(a), asym = 0;
    for (int64_t i = 0; i < n; i++)
        asym += d1[i] != -d2[i];
    VT_CHECK(asym == 0, "a - c != -(c - a) at %lld elements", (long long)asym);
    free(d1);
    free(d2);

    VT_STATUS(ctx, vdk_binary(ctx, &(vdk_binary_params){VDK_BINARY_MUL}, a, c, y1), VDK_OK);
    VT_STATUS(ctx, vdk_binary(ctx, &(vdk_binary_params){VDK_BINARY_MUL}, c, a, y2), VDK_OK);
    w = vt_read(y2);
    VT_CHECK(vt_error_ok(vt_compare_tensor(y1, w), 0), "a * c != c * a");
    free(w);

    free(bv);
    VT_DESTROY(a, c, b, nb, two, y1, y2);
}

/* f32, f16 and bf16 storage against the f64 oracle on the same (rounded) inputs. */
static void test_dtypes(void)
{
    const int64_t shape[5] = {2, 3, 5, 7, 9}, bshape[5] = {2, 3, 1, 1, 9};
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++)
        for (int op = 0; op < VDK_BINARY_COUNT; op++) {
            vdk_dtype dt = dtypes[d];
            vdk_binary_params p = {.op = (vdk_binary_op)op};
            vdk_tensor *a = vt_random(ctx, dt, 5, shape, 401, -4, 4);
            vdk_tensor *b = vt_random(ctx, dt, 5, bshape, 402, -4, 4);
            vdk_tensor *a64 = vt_copy_as(ctx, VDK_F64, a), *b64 = vt_copy_as(ctx, VDK_F64, b),
                       *y64 = vt_tensor(ctx, VDK_F64, 5, shape);
            VT_STATUS(ctx, vdk_binary(ctx, &p, a64, b64, y64), VDK_OK);
            vt_guarded y = vt_guarded_tensor(ctx, dt, 5, shape);
            VT_STATUS(ctx, vdk_binary(ctx, &p, a, b, y.view), VDK_OK);
            VT_ORACLE_CHECK(&y, y64, vt_tolerance(dt, 1, 0), "%s %s", op_names[op],
                            vdk_dtype_name(dt));
            VT_DESTROY(a, b, a64, b64, y64);
        }
}

/* Strided views as a, b and y (channel slices of wider tensors), then in place
 * y == a on the view, match the dense result; nothing outside the views moves. */
static void test_views_and_in_place(void)
{
    const int64_t wide[5] = {2, 3, 2, 3, 17}, shape[5] = {2, 3, 2, 3, 6};
    const int64_t bwide[5] = {2, 3, 1, 1, 11};
    for (int op = 0; op < VDK_BINARY_COUNT; op++) {
        vdk_binary_params p = {.op = (vdk_binary_op)op};
        vdk_tensor *abig = vt_random(ctx, VDK_F32, 5, wide, 501, -2, 2);
        vdk_tensor *bbig = vt_random(ctx, VDK_F32, 5, bwide, 502, -2, 2);
        vdk_tensor *ybig = vt_random(ctx, VDK_F32, 5, wide, 503, -2, 2);
        vdk_tensor *av = NULL, *bv = NULL, *yv = NULL;
        VT_STATUS(ctx, vdk_tensor_slice(abig, 4, 3, 6, &av), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(bbig, 4, 5, 6, &bv), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(ybig, 4, 9, 6, &yv), VDK_OK);
        double *a0 = vt_read(abig), *y0 = vt_read(ybig);
        vdk_tensor *ad = vt_copy_as(ctx, VDK_F32, av), *bd = vt_copy_as(ctx, VDK_F32, bv),
                   *yd = vt_tensor(ctx, VDK_F32, 5, shape);
        VT_STATUS(ctx, vdk_binary(ctx, &p, ad, bd, yd), VDK_OK);
        double *want = vt_read(yd);
        VT_STATUS(ctx, vdk_binary(ctx, &p, av, bv, yv), VDK_OK);
        VT_CHECK(vt_error_ok(vt_compare_tensor(yv, want), 0), "%s: strided views differ",
                 op_names[op]);
        VT_STATUS(ctx, vdk_binary(ctx, &p, av, bv, av), VDK_OK); /* in place, strided */
        VT_CHECK(vt_error_ok(vt_compare_tensor(av, want), 0), "%s: in place differs", op_names[op]);
        int64_t outside = vt_changed_outside(abig, a0, 3, 6) + vt_changed_outside(ybig, y0, 9, 6);
        VT_CHECK(outside == 0, "%s: %lld elements outside the views changed", op_names[op],
                 (long long)outside);
        free(a0);
        free(y0);
        free(want);
        VT_DESTROY(av, bv, yv, abig, bbig, ybig, ad, bd, yd);
    }
}

static void test_bad_input(void)
{
    const int64_t shape[4] = {2, 3, 4, 8}, bshape[4] = {2, 1, 1, 8}, bad_b[2] = {3, 8},
                  b5[5] = {1, 2, 1, 1, 8}, other[4] = {2, 3, 4, 9}, s3[3] = {6, 4, 8};
    vdk_tensor *a = vt_random(ctx, VDK_F32, 4, shape, 601, -1, 1);
    vdk_tensor *b = vt_random(ctx, VDK_F32, 4, bshape, 602, -1, 1);
    vdk_tensor *y = vt_random(ctx, VDK_F32, 4, shape, 603, -1, 1);
    vdk_tensor *b_bad = vt_random(ctx, VDK_F32, 2, bad_b, 604, -1, 1);
    vdk_tensor *b_rank = vt_random(ctx, VDK_F32, 5, b5, 605, -1, 1);
    vdk_tensor *b16 = vt_random(ctx, VDK_F16, 4, bshape, 606, -1, 1);
    vdk_tensor *y16 = vt_random(ctx, VDK_F16, 4, shape, 607, -1, 1);
    vdk_tensor *y_shape = vt_random(ctx, VDK_F32, 4, other, 608, -1, 1);
    vdk_tensor *y_rank = vt_random(ctx, VDK_F32, 3, s3, 609, -1, 1);
    vdk_tensor *y_same = vt_random(ctx, VDK_F32, 4, shape, 610, -1, 1);
    const int64_t total = vdk_tensor_numel(a) + 8;
    vdk_tensor *big = vt_random(ctx, VDK_F32, 1, &total, 611, -1, 1);
    vdk_tensor *y_part = vt_view_at(big, 0, 4, shape), *a_part = vt_view_at(big, 8, 4, shape);
    vdk_tensor *b_in_y = NULL;
    vdk_tensor_slice(y, 1, 1, 1, &b_in_y); /* [2, 1, 4, 8]: broadcasts, lies inside y */
    vdk_tensor *a_other = vt_random(vt_other_context(), VDK_F32, 4, shape, 612, -1, 1);
    vdk_tensor *b_other = vt_random(vt_other_context(), VDK_F32, 4, bshape, 613, -1, 1);
    vdk_tensor *y_other = vt_random(vt_other_context(), VDK_F32, 4, shape, 614, -1, 1);

    const vdk_binary_params good = {.op = VDK_BINARY_MUL};
    vdk_binary_params p;
    vt_snapshots s = VT_SNAP(a, b, y, y16, y_shape, y_rank, y_same, big);

    VT_ERROR(NULL, vdk_binary(NULL, &good, a, b, y), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_binary(ctx, NULL, a, b, y), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, NULL, b, y), VDK_ERROR_NULL_POINTER, "'a'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, a, NULL, y), VDK_ERROR_NULL_POINTER, "'b'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, a, b, NULL), VDK_ERROR_NULL_POINTER, "'y'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, a_other, b, y), VDK_ERROR_CONTEXT, "'a'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, a, b_other, y), VDK_ERROR_CONTEXT, "'b'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, a, b, y_other), VDK_ERROR_CONTEXT, "'y'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, a, b_rank, y), VDK_ERROR_RANK, "'b'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, a, b16, y), VDK_ERROR_DTYPE, "'b'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, a, b, y16), VDK_ERROR_DTYPE, "'y'");
    p = good, p.op = VDK_BINARY_COUNT;
    VT_ERROR(ctx, vdk_binary(ctx, &p, a, b, y), VDK_ERROR_INVALID_VALUE, "p->op");
    p = good, p.op = (vdk_binary_op)-3;
    VT_ERROR(ctx, vdk_binary(ctx, &p, a, b, y), VDK_ERROR_INVALID_VALUE, "p->op");
    if (VT_ERROR(ctx, vdk_binary(ctx, &good, a, b_bad, y), VDK_ERROR_SHAPE, "'b'")) {
        const char *m = vdk_last_error(ctx);
        VT_CHECK(strstr(m, "[3, 8]") && strstr(m, "[2, 3, 4, 8]"),
                 "broadcast message lacks both shapes: %s", m);
    }
    VT_ERROR(ctx, vdk_binary(ctx, &good, a, b, y_shape), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, a, b, y_rank), VDK_ERROR_RANK, "'y'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, a_part, b, y_part), VDK_ERROR_ALIAS, "'a'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, a, y_same, y_same), VDK_ERROR_ALIAS, "'b'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, a, b_in_y, y), VDK_ERROR_ALIAS, "'b'");
    VT_ERROR(ctx, vdk_binary(ctx, &good, y, y, y), VDK_ERROR_ALIAS, "'b'");
    VT_CHECK(vt_all_unchanged(&s), "a failed call changed a tensor");

    /* Inputs may share memory with each other; y == a is in place. */
    VT_STATUS(ctx, vdk_binary(ctx, &good, a, a, y), VDK_OK);
    VT_STATUS(ctx, vdk_binary(ctx, &good, y, b, y), VDK_OK);

    VT_DESTROY(a, b, y, b_bad, b_rank, b16, y16, y_shape, y_rank, y_same, big, y_part, a_part,
               b_in_y, a_other, b_other, y_other);
}

/* The Vulkan backend against the f64 oracle on the same rounded inputs: every op,
 * f32/f16/bf16, broadcasts of every kind (lower rank, size-1 axes, a scalar),
 * strided views as a, b and y, and y == a in place. */
static void test_vulkan(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    static const struct {
        int arank, brank;
        int64_t a[5], b[5];
    } cases[] = {
        {5, 5, {2, 3, 5, 7, 9}, {2, 3, 1, 1, 9}},
        {5, 1, {2, 3, 5, 7, 9}, {9}},
        {3, 1, {4, 5, 33}, {1}},
        {1, 1, {1}, {1}},
        {2, 2, {300, 257}, {300, 1}},
        {4, 3, {2, 3, 4, 5}, {3, 1, 5}},
    };
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++)
        for (int op = 0; op < VDK_BINARY_COUNT; op++)
            for (int ci = 0; ci < (int)(sizeof cases / sizeof *cases); ci++) {
                const vdk_dtype dt = dtypes[d];
                const int r = cases[ci].arank;
                vdk_binary_params p = {.op = (vdk_binary_op)op};
                vdk_tensor *a = vt_random(vk, dt, r, cases[ci].a, 601, -4, 4);
                vdk_tensor *b = vt_random(vk, dt, cases[ci].brank, cases[ci].b, 602, -4, 4);
                vdk_tensor *a64 = vt_copy_as(ctx, VDK_F64, a), *b64 = vt_copy_as(ctx, VDK_F64, b),
                           *y64 = vt_tensor(ctx, VDK_F64, r, cases[ci].a);
                VT_STATUS(ctx, vdk_binary(ctx, &p, a64, b64, y64), VDK_OK);
                vt_guarded y = vt_guarded_tensor(vk, dt, r, cases[ci].a);
                VT_STATUS(vk, vdk_binary(vk, &p, a, b, y.view), VDK_OK);
                VT_ORACLE_CHECK(&y, y64, vt_tolerance(dt, 1, 0), "vulkan %s %s case %d",
                                op_names[op], vdk_dtype_name(dt), ci);
                VT_STATUS(vk, vdk_binary(vk, &p, a, b, a), VDK_OK); /* in place */
                double *want = vt_read(y64);
                VT_CHECK(vt_error_ok(vt_compare_tensor(a, want), vt_tolerance(dt, 1, 0)),
                         "vulkan %s %s case %d in place", op_names[op], vdk_dtype_name(dt), ci);
                free(want);
                VT_DESTROY(a, b, a64, b64, y64);
            }
    const int64_t wide[5] = {2, 3, 2, 3, 17}, shape[5] = {2, 3, 2, 3, 6};
    const int64_t bwide[5] = {2, 3, 1, 1, 11};
    for (int d = 0; d < 3; d++)
        for (int op = 0; op < VDK_BINARY_COUNT; op++) {
            const vdk_dtype dt = dtypes[d];
            vdk_binary_params p = {.op = (vdk_binary_op)op};
            vdk_tensor *abig = vt_random(vk, dt, 5, wide, 701, -2, 2);
            vdk_tensor *bbig = vt_random(vk, dt, 5, bwide, 702, -2, 2);
            vdk_tensor *ybig = vt_random(vk, dt, 5, wide, 703, -2, 2);
            vdk_tensor *av = NULL, *bv = NULL, *yv = NULL;
            VT_STATUS(vk, vdk_tensor_slice(abig, 4, 3, 6, &av), VDK_OK);
            VT_STATUS(vk, vdk_tensor_slice(bbig, 4, 5, 6, &bv), VDK_OK);
            VT_STATUS(vk, vdk_tensor_slice(ybig, 4, 9, 6, &yv), VDK_OK);
            double *a0 = vt_read(abig), *y0 = vt_read(ybig);
            vdk_tensor *a64 = vt_copy_as(ctx, VDK_F64, av), *b64 = vt_copy_as(ctx, VDK_F64, bv),
                       *y64 = vt_tensor(ctx, VDK_F64, 5, shape);
            VT_STATUS(ctx, vdk_binary(ctx, &p, a64, b64, y64), VDK_OK);
            double *want = vt_read(y64);
            const double bound = vt_tolerance(dt, 1, 0);
            VT_STATUS(vk, vdk_binary(vk, &p, av, bv, yv), VDK_OK);
            VT_CHECK(vt_error_ok(vt_compare_tensor(yv, want), bound), "vulkan %s %s: strided views",
                     op_names[op], vdk_dtype_name(dt));
            VT_STATUS(vk, vdk_binary(vk, &p, av, bv, av), VDK_OK); /* in place, strided */
            VT_CHECK(vt_error_ok(vt_compare_tensor(av, want), bound), "vulkan %s %s: in place",
                     op_names[op], vdk_dtype_name(dt));
            int64_t outside = vt_changed_outside(abig, a0, 3, 6) + vt_changed_outside(ybig, y0, 9, 6);
            VT_CHECK(outside == 0, "vulkan %s %s: %lld elements outside the views changed",
                     op_names[op], vdk_dtype_name(dt), (long long)outside);
            free(a0);
            free(y0);
            free(want);
            VT_DESTROY(av, bv, yv, abig, bbig, ybig, a64, b64, y64);
        }
    VT_STATUS(vk, vdk_sync(vk), VDK_OK);
}

/* ---- the CPU backend: every tier, f32, f16 and bf16, against the f64 reference
 * run on the same rounded inputs ---- */

static const vdk_dtype cpu_dtypes[3] = {VDK_F32, VDK_F16, VDK_BF16};

/* A tensor of `shape` on c: dense, or (strided) columns [3, 3 + C) of a wider
 * random tensor `big`, whose other columns must survive every call. */
typedef struct operand {
    vdk_tensor *t, *big;
    double *before; /* big's values before the call */
} operand;

static operand cpu_operand(vdk_context *c, vdk_dtype dt, int rank, const int64_t *shape,
                           bool strided, uint64_t seed)
{
    operand o = {0};
    if (!strided) {
        o.t = vt_random(c, dt, rank, shape, seed, -4, 4);
        return o;
    }
    int64_t wide[VDK_MAX_RANK];
    memcpy(wide, shape, (size_t)rank * sizeof *wide);
    wide[rank - 1] += 5;
    o.big = vt_random(c, dt, rank, wide, seed, -4, 4);
    if (vdk_tensor_slice(o.big, rank - 1, 3, shape[rank - 1], &o.t) != VDK_OK)
        vt_fatal("slice: %s", vdk_last_error(c));
    o.before = vt_read(o.big);
    return o;
}

/* Elements of the wide tensor outside the view that changed (0 for a dense operand). */
static int64_t cpu_outside(const operand *o)
{
    return o->big ? vt_changed_outside(o->big, o->before, 3, vdk_tensor_dim(o->t, -1)) : 0;
}

static void cpu_free(operand *o)
{
    vdk_tensor_destroy(o->t);
    vdk_tensor_destroy(o->big);
    free(o->before);
    *o = (operand){0};
}

static const char *fmt_shape(char *buf, size_t size, int rank, const int64_t *shape)
{
    int used = snprintf(buf, size, "[");
    for (int i = 0; i < rank; i++)
        used +=
            snprintf(buf + used, size - (size_t)used, i ? ",%lld" : "%lld", (long long)shape[i]);
    snprintf(buf + used, size - (size_t)used, "]");
    return buf;
}

/* How y is given: a guarded dense tensor, a strided view, or a itself. */
enum { OUT_DENSE, OUT_STRIDED, OUT_IN_PLACE, OUT_COUNT };
static const char *const out_names[OUT_COUNT] = {"dense", "strided", "in place"};

/* One call on the CPU tier `ti` against the oracle. Strided and in-place
 * calls take strided a and b too. */
static void cpu_case(const vt_tiers *tiers, int ti, vdk_dtype dt, vdk_binary_op op, int rank,
                     const int64_t *shape, int brank, const int64_t *bshape, int out, uint64_t seed)
{
    vdk_context *c = tiers->ctx[ti];
    const vdk_binary_params p = {.op = op};
    char label[160], sa[64], sb[64], kname[64];
    snprintf(label, sizeof label, "cpu%s %s %s %s a%s b%s %s",
             tiers == vt_cpu_tiers() ? "" : " streamed", vdk_cpu_isa_name(tiers->isa[ti]),
             op_names[op], vdk_dtype_name(dt), fmt_shape(sa, sizeof sa, rank, shape),
             fmt_shape(sb, sizeof sb, brank, bshape), out_names[out]);
    snprintf(kname, sizeof kname, "%s.binary.%s", vdk_cpu_isa_name(tiers->isa[ti]),
             vdk_dtype_name(dt));
    const bool strided = out != OUT_DENSE;
    operand a = cpu_operand(c, dt, rank, shape, strided, seed);
    operand b = cpu_operand(c, dt, brank, bshape, strided, seed + 1);
    vdk_tensor *a64 = vt_copy_as(ctx, VDK_F64, a.t), *b64 = vt_copy_as(ctx, VDK_F64, b.t),
               *y64 = vt_tensor(ctx, VDK_F64, rank, shape);
    VT_STATUS(ctx, vdk_binary(ctx, &p, a64, b64, y64), VDK_OK);
    const double bound = vt_tolerance(dt, 1, 0);
    if (out == OUT_DENSE) {
        vt_guarded y = vt_guarded_tensor(c, dt, rank, shape);
        VT_STATUS(c, vdk_binary(c, &p, a.t, b.t, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, bound, "%s", label);
    } else {
        operand y = out == OUT_STRIDED ? cpu_operand(c, dt, rank, shape, true, seed + 2) : a;
        if (out == OUT_STRIDED)
            vt_poison(y.t);
        VT_STATUS(c, vdk_binary(c, &p, a.t, b.t, y.t), VDK_OK);
        double *want = vt_read(y64);
        vt_error e = vt_compare_tensor(y.t, want);
        VT_CHECK(vt_error_ok(e, bound), "%s: norm_err %.3g max_abs %.3g bad %lld", label,
                 e.norm_err, e.max_abs, (long long)e.bad);
        VT_CHECK(cpu_outside(&y) == 0, "%s: elements outside y's view changed", label);
        free(want);
        if (out == OUT_STRIDED)
            cpu_free(&y);
    }
    VT_CHECK(cpu_outside(&a) == 0 || out == OUT_IN_PLACE, "%s: a changed outside its view", label);
    VT_CHECK(!strcmp(vdk_last_kernel(c), kname), "%s: kernel %s, expected %s", label,
             vdk_last_kernel(c), kname);
    cpu_free(&a);
    cpu_free(&b);
    VT_DESTROY(a64, b64, y64);
}

/* Every pattern of b over a 5-D a (each axis 1 or a's size, and every lower
 * rank), with sizes that are no multiple of any vector width, for every op,
 * dtype, tier and way of giving y. */
static void test_cpu_patterns(const vt_tiers *tiers)
{
    const int64_t a[5] = {2, 3, 4, 5, 11};
    for (int ti = 0; ti < tiers->n; ti++)
        for (int d = 0; d < 3; d++)
            for (int op = 0; op < VDK_BINARY_COUNT; op++)
                for (int out = 0; out < OUT_COUNT; out++) {
                    for (int mask = 0; mask < 32; mask++) { /* bit k: b has a's size on axis k */
                        int64_t b[5];
                        for (int k = 0; k < 5; k++)
                            b[k] = mask >> k & 1 ? a[k] : 1;
                        cpu_case(tiers, ti, cpu_dtypes[d], (vdk_binary_op)op, 5, a, 5, b, out,
                                 1000 + (uint64_t)mask);
                    }
                    for (int r = 1; r < 5; r++) /* b of lower rank: a's last r sizes */
                        cpu_case(tiers, ti, cpu_dtypes[d], (vdk_binary_op)op, 5, a, r, a + 5 - r,
                                 out, 1100 + (uint64_t)r);
                }
}

/* Edge and large shapes: a single element, a prime length, a last axis of 1
 * (dense, and strided, where no inner run is longer than one element), and
 * shapes large enough for all three threads of the tier contexts, whose flat
 * ranges then start and end inside rows. */
static void test_cpu_shapes(const vt_tiers *tiers)
{
    static const struct {
        int rank, brank;
        int64_t a[5], b[5];
    } cases[] = {
        {1, 1, {1}, {1}},
        {1, 1, {37}, {37}},
        {1, 1, {37}, {1}},
        {3, 2, {4, 5, 1}, {5, 1}},
        {3, 1, {4, 5, 1}, {1}},
        {2, 2, {3, 17}, {3, 1}},
        {5, 5, {2, 4, 16, 16, 96}, {2, 4, 1, 1, 96}},   /* a per-frame embedding */
        {5, 1, {2, 4, 16, 16, 96}, {96}},               /* a per-channel vector */
        {5, 1, {2, 4, 16, 16, 96}, {1}},                /* a scalar */
        {5, 5, {3, 5, 13, 17, 67}, {3, 5, 13, 17, 67}}, /* dense, odd */
        {5, 5, {3, 5, 13, 17, 67}, {3, 1, 13, 1, 1}},
    };
    for (int ti = 0; ti < tiers->n; ti++)
        for (int d = 0; d < 3; d++)
            for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
                for (int out = 0; out < OUT_COUNT; out++)
                    cpu_case(tiers, ti, cpu_dtypes[d], (vdk_binary_op)(k % VDK_BINARY_COUNT),
                             cases[k].rank, cases[k].a, cases[k].brank, cases[k].b, out, 1200 + k);
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_broadcast_equals_expansion();
    test_algebra();
    test_dtypes();
    test_views_and_in_place();
    test_bad_input();
    test_vulkan();
    test_cpu_patterns(vt_cpu_tiers());
    test_cpu_patterns(vt_cpu_stream_tiers());
    test_cpu_shapes(vt_cpu_tiers());
    test_cpu_shapes(vt_cpu_stream_tiers());
    vdk_context_destroy(ctx);
    return vt_finish("test_binary");
}
