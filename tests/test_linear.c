/* vdk_linear: golden vectors from PyTorch, properties, dtypes, views and bad input. */
#include "vdk_test.h"

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

static double gelu(double x) { return 0.5 * x * (1.0 + erf(x / sqrt(2.0))); }
static double silu(double x) { return x / (1.0 + exp(-x)); }

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("linear");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_linear_params p = {.act = (vdk_activation)vt_golden_param(c, "act")};
        vdk_tensor *x = vt_golden_make(ctx, c, "x", VDK_F64);
        vdk_tensor *w = vt_golden_make(ctx, c, "w", VDK_F64);
        vdk_tensor *bias = vt_golden_make(ctx, c, "bias", VDK_F64);
        vdk_tensor *residual = vt_golden_make(ctx, c, "residual", VDK_F64);
        vt_guarded y = vt_golden_output(ctx, c, "y");
        VT_STATUS(ctx, vdk_linear(ctx, &p, x, w, bias, residual, y.view), VDK_OK);
        VT_GOLDEN_CHECK(&y, c, "y", VT_GOLDEN_BOUND);
        VT_DESTROY(x, w, bias, residual);
    }
    vt_golden_free(&f);
}

/* An identity weight returns x exactly, for every rank. */
static void test_identity(void)
{
    const int64_t shape[5] = {2, 1, 3, 2, 9}, C = 9;
    for (int rank = 1; rank <= 5; rank++) {
        const int64_t *s = shape + 5 - rank;
        vdk_tensor *x = random_t(VDK_F64, rank, s, 100 + rank, -4, 4);
        double eye[81] = {0};
        for (int i = 0; i < C; i++)
            eye[i * C + i] = 1;
        vdk_tensor *w = empty_t(VDK_F64, 2, (int64_t[]){C, C});
        vt_fill(w, eye);
        vdk_tensor *y = empty_t(VDK_F64, rank, s);
        vt_poison(y);
        VT_STATUS(ctx, vdk_linear(ctx, &(vdk_linear_params){0}, x, w, NULL, NULL, y), VDK_OK);
        double *xv = vt_read(x);
        vt_error e = vt_compare_tensor(y, xv);
        VT_CHECK(vt_error_ok(e, 0), "rank %d: identity w changed x: max_abs %.3g bad %lld", rank,
                 e.max_abs, (long long)e.bad);
        free(xv);
    }
    vt_drop_all();
}

/* A 0/1 weight with one 1 per row selects input channels: y[..., o] = x[..., sel[o]].
 * Unlike the identity this fixes the orientation of w ([Cout, Cin], not its transpose). */
static void test_selection(void)
{
    const int64_t Cin = 7, Cout = 5, xs[3] = {3, 2, Cin}, ys[3] = {3, 2, Cout};
    const int sel[5] = {3, 0, 6, 6, 2};
    double wv[35] = {0};
    for (int o = 0; o < Cout; o++)
        wv[o * Cin + sel[o]] = 1;
    vdk_tensor *x = random_t(VDK_F64, 3, xs, 110, -1, 1);
    vdk_tensor *w = empty_t(VDK_F64, 2, (int64_t[]){Cout, Cin});
    vt_fill(w, wv);
    vdk_tensor *y = empty_t(VDK_F64, 3, ys);
    VT_STATUS(ctx, vdk_linear(ctx, &(vdk_linear_params){0}, x, w, NULL, NULL, y), VDK_OK);
    double *xv = vt_read(x), want[30];
    for (int r = 0; r < 6; r++)
        for (int o = 0; o < Cout; o++)
            want[r * Cout + o] = xv[r * Cin + sel[o]];
    vt_error e = vt_compare_tensor(y, want);
    VT_CHECK(vt_error_ok(e, 0), "selection weight: max_abs %.3g", e.max_abs);
    free(xv);
    vt_drop_all();
}

/* Without bias or activation the map is linear: f(a x1 + b x2) = a f(x1) + b f(x2);
 * with a bias, f_b(x) = f(x) + bias on every row. */
static void test_linearity(void)
{
    const int64_t xs[4] = {2, 3, 2, 11}, ys[4] = {2, 3, 2, 6}, ws[2] = {6, 11}, Cout = 6;
    const double a = 0.75, b = -1.5;
    vdk_tensor *x1 = random_t(VDK_F64, 4, xs, 120, -1, 1), *x2 = random_t(VDK_F64, 4, xs, 121, -1, 1);
    vdk_tensor *w = random_t(VDK_F64, 2, ws, 122, -1, 1), *bias = random_t(VDK_F64, 1, &Cout, 123, -1, 1);
    vdk_tensor *mix = empty_t(VDK_F64, 4, xs), *y1 = empty_t(VDK_F64, 4, ys), *y2 = empty_t(VDK_F64, 4, ys),
               *ym = empty_t(VDK_F64, 4, ys), *yb = empty_t(VDK_F64, 4, ys);
    double *v1 = vt_read(x1), *v2 = vt_read(x2);
    const int64_t nx = vdk_tensor_numel(x1), ny = vdk_tensor_numel(y1);
    double *vm = malloc((size_t)nx * sizeof *vm);
    for (int64_t i = 0; i < nx; i++)
        vm[i] = a * v1[i] + b * v2[i];
    vt_fill(mix, vm);
    const vdk_linear_params p = {VDK_ACT_NONE};
    VT_STATUS(ctx, vdk_linear(ctx, &p, x1, w, NULL, NULL, y1), VDK_OK);
    VT_STATUS(ctx, vdk_linear(ctx, &p, x2, w, NULL, NULL, y2), VDK_OK);
    VT_STATUS(ctx, vdk_linear(ctx, &p, mix, w, NULL, NULL, ym), VDK_OK);
    VT_STATUS(ctx, vdk_linear(ctx, &p, x1, w, bias, NULL, yb), VDK_OK);
    double *r1 = vt_read(y1), *r2 = vt_read(y2), *bv = vt_read(bias);
    double *want = malloc((size_t)ny * sizeof *want);
    for (int64_t i = 0; i < ny; i++)
        want[i] = a * r1[i] + b * r2[i];
    vt_error e = vt_compare_tensor(ym, want);
    VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "linearity: norm_err %.3g", e.norm_err);
    for (int64_t i = 0; i < ny; i++)
        want[i] = r1[i] + bv[i % Cout];
    e = vt_compare_tensor(yb, want);
    VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "bias per output channel: norm_err %.3g", e.norm_err);
    free(v1);
    free(v2);
    free(vm);
    free(r1);
    free(r2);
    free(bv);
    free(want);
    vt_drop_all();
}

/* SILU, GELU and GEGLU equal running NONE (with the same bias) and applying the
 * activation by hand; GEGLU takes a from the first half of h and the gate from
 * the second. */
static void test_activations_compose(void)
{
    const int64_t rows = 3 * 5, Cin = 13, Cout = 10, xs[3] = {3, 5, Cin}, hs[3] = {3, 5, Cout},
                  gs[3] = {3, 5, Cout / 2};
    vdk_tensor *x = random_t(VDK_F64, 3, xs, 130, -2, 2);
    vdk_tensor *w = random_t(VDK_F64, 2, (int64_t[]){Cout, Cin}, 131, -1, 1);
    vdk_tensor *bias = random_t(VDK_F64, 1, &Cout, 132, -1, 1);
    vdk_tensor *h = empty_t(VDK_F64, 3, hs);
    VT_STATUS(ctx, vdk_linear(ctx, &(vdk_linear_params){VDK_ACT_NONE}, x, w, bias, NULL, h), VDK_OK);
    double *hv = vt_read(h), want[150];
    for (vdk_activation act = VDK_ACT_SILU; act <= VDK_ACT_GEGLU; act++) {
        const bool geglu = act == VDK_ACT_GEGLU;
        const int64_t Cy = geglu ? Cout / 2 : Cout;
        for (int64_t r = 0; r < rows; r++)
            for (int64_t j = 0; j < Cy; j++) {
                double v = hv[r * Cout + j];
                want[r * Cy + j] = act == VDK_ACT_SILU ? silu(v)
                                   : act == VDK_ACT_GELU ? gelu(v)
                                                         : v * gelu(hv[r * Cout + Cout / 2 + j]);
            }
        vdk_tensor *y = empty_t(VDK_F64, 3, geglu ? gs : hs);
        VT_STATUS(ctx, vdk_linear(ctx, &(vdk_linear_params){act}, x, w, bias, NULL, y), VDK_OK);
        vt_error e = vt_compare_tensor(y, want);
        VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "act %d vs NONE composed by hand: norm_err %.3g",
                 act, e.norm_err);
    }
    free(hv);
    vt_drop_all();
}

/* residual == y (the same view) gives y_old + the result without residual, for
 * every activation. */
static void test_residual_in_place(void)
{
    const int64_t Cin = 9, Cout = 12, xs[2] = {7, Cin};
    vdk_tensor *x = random_t(VDK_F64, 2, xs, 140, -2, 2);
    vdk_tensor *w = random_t(VDK_F64, 2, (int64_t[]){Cout, Cin}, 141, -1, 1);
    vdk_tensor *bias = random_t(VDK_F64, 1, &Cout, 142, -1, 1);
    for (vdk_activation act = VDK_ACT_NONE; act < VDK_ACT_COUNT; act++) {
        const int64_t ys[2] = {7, act == VDK_ACT_GEGLU ? Cout / 2 : Cout};
        const vdk_linear_params p = {act};
        vdk_tensor *plain = empty_t(VDK_F64, 2, ys);
        vdk_tensor *y = random_t(VDK_F64, 2, ys, 143 + act, -3, 3);
        double *old = vt_read(y);
        VT_STATUS(ctx, vdk_linear(ctx, &p, x, w, bias, NULL, plain), VDK_OK);
        VT_STATUS(ctx, vdk_linear(ctx, &p, x, w, bias, y, y), VDK_OK);
        double *pv = vt_read(plain);
        for (int64_t i = 0; i < ys[0] * ys[1]; i++)
            old[i] += pv[i];
        vt_error e = vt_compare_tensor(y, old);
        VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "act %d: in-place residual: norm_err %.3g", act,
                 e.norm_err);
        free(old);
        free(pv);
    }
    vt_drop_all();
}

/* f32, f16 and bf16 storage against the f64 oracle on the same (rounded) inputs. */
static void test_dtypes(void)
{
    const int64_t Cin = 45, Cout = 38, xs[5] = {1, 3, 5, 7, Cin}; /* prime T, H, W */
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++)
        for (vdk_activation act = VDK_ACT_NONE; act < VDK_ACT_COUNT; act++) {
            const vdk_dtype dt = dtypes[d];
            const int64_t ys[5] = {1, 3, 5, 7, act == VDK_ACT_GEGLU ? Cout / 2 : Cout};
            vdk_tensor *x = random_t(dt, 5, xs, 150, -2, 2);
            vdk_tensor *w = random_t(dt, 2, (int64_t[]){Cout, Cin}, 151, -0.3, 0.3);
            vdk_tensor *bias = random_t(dt, 1, &Cout, 152, -0.5, 0.5);
            vdk_tensor *res = random_t(dt, 5, ys, 153, -1, 1);
            vdk_tensor *y64 = empty_t(VDK_F64, 5, ys);
            const vdk_linear_params p = {act};
            VT_STATUS(ctx, vdk_linear(ctx, &p, copy_t(VDK_F64, x), copy_t(VDK_F64, w),
                                      copy_t(VDK_F64, bias), copy_t(VDK_F64, res), y64), VDK_OK);
            vt_guarded y = vt_guarded_tensor(ctx, dt, 5, ys);
            VT_STATUS(ctx, vdk_linear(ctx, &p, x, w, bias, res, y.view), VDK_OK);
            VT_ORACLE_CHECK(&y, y64, vt_tolerance(dt, Cin, 0), "%s act %d", vdk_dtype_name(dt),
                            act);
            vt_drop_all();
        }
}

/* Strided views (x, w, bias, residual and y cut from wider tensors) give the
 * same result as dense copies on context c, and y's neighbours in its wider
 * tensor stay as they were. */
static void strided_views(vdk_context *c)
{
    const int64_t Cin = 10, Cout = 14, rows[2] = {4, 3};
    for (vdk_activation act = VDK_ACT_NONE; act < VDK_ACT_COUNT; act++) {
        const int64_t Cy = act == VDK_ACT_GEGLU ? Cout / 2 : Cout;
        const int64_t xws[3] = {rows[0], rows[1], Cin + 5}, wws[2] = {Cout + 2, Cin + 3},
                      bws[1] = {Cout + 4}, rws[3] = {rows[0], rows[1] + 1, Cy + 2},
                      yws[3] = {rows[0] + 2, rows[1], Cy + 3};
        vdk_tensor *xw = vt_keep(vt_random(c, VDK_F32, 3, xws, 160, -1, 1));
        vdk_tensor *ww = vt_keep(vt_random(c, VDK_F32, 2, wws, 161, -1, 1));
        vdk_tensor *bw = vt_keep(vt_random(c, VDK_F32, 1, bws, 162, -1, 1));
        vdk_tensor *rw = vt_keep(vt_random(c, VDK_F32, 3, rws, 163, -1, 1));
        vdk_tensor *yw = vt_keep(vt_random(c, VDK_F32, 3, yws, 164, -1, 1));
        vdk_tensor *x, *wt, *w, *bias, *rt, *res, *yt, *y;
        if (vdk_tensor_slice(xw, 2, 3, Cin, &x) || vdk_tensor_slice(ww, 1, 2, Cin, &wt) ||
            vdk_tensor_slice(vt_keep(wt), 0, 1, Cout, &w) ||
            vdk_tensor_slice(bw, 0, 4, Cout, &bias) || vdk_tensor_slice(rw, 1, 1, rows[1], &rt) ||
            vdk_tensor_slice(vt_keep(rt), 2, 1, Cy, &res) ||
            vdk_tensor_slice(yw, 0, 1, rows[0], &yt) || vdk_tensor_slice(vt_keep(yt), 2, 2, Cy, &y))
            vt_fatal("slice: %s", vdk_last_error(c));
        vt_keep(x);
        vt_keep(w);
        vt_keep(bias);
        vt_keep(res);
        vt_keep(y);
        const vdk_linear_params p = {act};
        vdk_tensor *dense = vt_keep(vt_tensor(c, VDK_F32, 3, (int64_t[]){rows[0], rows[1], Cy}));
        vdk_tensor *xd = vt_keep(vt_copy_as(c, VDK_F32, x));
        vdk_tensor *wd = vt_keep(vt_copy_as(c, VDK_F32, w));
        vdk_tensor *bd = vt_keep(vt_copy_as(c, VDK_F32, bias));
        vdk_tensor *rd = vt_keep(vt_copy_as(c, VDK_F32, res));
        VT_STATUS(c, vdk_linear(c, &p, xd, wd, bd, rd, dense), VDK_OK);
        double *before = vt_read(yw), *want = vt_read(dense);
        VT_STATUS(c, vdk_linear(c, &p, x, w, bias, res, y), VDK_OK);
        vt_error e = vt_compare_tensor(y, want);
        VT_CHECK(vt_error_ok(e, 0), "act %d: strided views differ from dense: %.3g", act, e.norm_err);
        double *after = vt_read(yw);
        int64_t changed = 0;
        for (int64_t i = 0; i < vdk_tensor_numel(yw); i++) {
            int64_t c = i % (Cy + 3), r0 = i / ((Cy + 3) * rows[1]);
            bool inside = r0 >= 1 && r0 < 1 + rows[0] && c >= 2 && c < 2 + Cy;
            if (!inside && after[i] != before[i])
                changed++;
        }
        VT_CHECK(changed == 0, "act %d: %lld elements outside y changed", act, (long long)changed);
        free(before);
        free(want);
        free(after);
        vt_drop_all();
    }
}

static void test_strided_views(void) { strided_views(ctx); }

static void test_bad_input(void)
{
    const int64_t xs[3] = {2, 3, 6}, ys[3] = {2, 3, 4}, ws[2] = {4, 6}, Cout = 4;
    vdk_tensor *x = random_t(VDK_F32, 3, xs, 170, -1, 1);
    vdk_tensor *w = random_t(VDK_F32, 2, ws, 171, -1, 1);
    vdk_tensor *bias = random_t(VDK_F32, 1, &Cout, 172, -1, 1);
    vdk_tensor *res = random_t(VDK_F32, 3, ys, 173, -1, 1);
    vdk_tensor *y = random_t(VDK_F32, 3, ys, 174, -1, 1);
    vdk_tensor *w3 = random_t(VDK_F32, 3, (int64_t[]){1, 4, 6}, 175, -1, 1);
    vdk_tensor *b2 = random_t(VDK_F32, 2, (int64_t[]){1, 4}, 176, -1, 1);
    vdk_tensor *y2 = random_t(VDK_F32, 2, (int64_t[]){6, 4}, 177, -1, 1);
    vdk_tensor *w16 = random_t(VDK_F16, 2, ws, 178, -1, 1);
    vdk_tensor *b16 = random_t(VDK_F16, 1, &Cout, 179, -1, 1);
    vdk_tensor *y16 = random_t(VDK_F16, 3, ys, 180, -1, 1);
    vdk_tensor *w_cin = random_t(VDK_F32, 2, (int64_t[]){4, 5}, 181, -1, 1);
    vdk_tensor *w_odd = random_t(VDK_F32, 2, (int64_t[]){5, 6}, 182, -1, 1);
    vdk_tensor *b5 = random_t(VDK_F32, 1, (int64_t[]){5}, 183, -1, 1);
    vdk_tensor *y_lead = random_t(VDK_F32, 3, (int64_t[]){2, 4, 4}, 184, -1, 1);
    vdk_tensor *r_lead = random_t(VDK_F32, 3, (int64_t[]){3, 3, 4}, 185, -1, 1);
    vdk_tensor *w_sq = random_t(VDK_F32, 2, (int64_t[]){6, 6}, 186, -1, 1);
    vdk_tensor *x_other = vt_keep(vt_random(vt_other_context(), VDK_F32, 3, xs, 187, -1, 1));
    vdk_tensor *b_other = vt_keep(vt_random(vt_other_context(), VDK_F32, 1, &Cout, 188, -1, 1));
    /* overlapping views, each pair cut from one buffer */
    vdk_tensor *bx = random_t(VDK_F32, 1, (int64_t[]){64}, 189, -1, 1);
    vdk_tensor *x_in_bx = vt_keep(vt_view_at(bx, 0, 3, xs));
    vdk_tensor *y_in_bx = vt_keep(vt_view_at(bx, 20, 3, ys));
    vdk_tensor *bw = random_t(VDK_F32, 1, (int64_t[]){64}, 190, -1, 1);
    vdk_tensor *w_in_bw = vt_keep(vt_view_at(bw, 0, 2, ws));
    vdk_tensor *y_in_bw = vt_keep(vt_view_at(bw, 10, 3, ys));
    vdk_tensor *bb = random_t(VDK_F32, 1, (int64_t[]){64}, 191, -1, 1);
    vdk_tensor *b_in_bb = vt_keep(vt_view_at(bb, 0, 1, &Cout));
    vdk_tensor *y_in_bb = vt_keep(vt_view_at(bb, 2, 3, ys));
    vdk_tensor *br = random_t(VDK_F32, 1, (int64_t[]){64}, 192, -1, 1);
    vdk_tensor *r_in_br = vt_keep(vt_view_at(br, 0, 3, ys));
    vdk_tensor *y_in_br = vt_keep(vt_view_at(br, 4, 3, ys));

    const vdk_linear_params good = {VDK_ACT_GELU}, geglu = {VDK_ACT_GEGLU};
    vdk_linear_params p;
    vt_snapshots s = VT_SNAP(x, w, bias, res, y, bx, bw, bb, br, y16, y2, y_lead, x_other);

    VT_ERROR(NULL, vdk_linear(NULL, &good, x, w, bias, res, y), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_linear(ctx, NULL, x, w, bias, res, y), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, NULL, w, bias, res, y), VDK_ERROR_NULL_POINTER, "'x'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, NULL, bias, res, y), VDK_ERROR_NULL_POINTER, "'w'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, bias, res, NULL), VDK_ERROR_NULL_POINTER, "'y'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x_other, w, bias, res, y), VDK_ERROR_CONTEXT, "'x'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, b_other, res, y), VDK_ERROR_CONTEXT, "'bias'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w3, bias, res, y), VDK_ERROR_RANK, "'w'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, b2, res, y), VDK_ERROR_RANK, "'bias'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, bias, y2, y), VDK_ERROR_RANK, "'residual'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, bias, res, y2), VDK_ERROR_RANK, "'y'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w16, bias, res, y), VDK_ERROR_DTYPE, "'w'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, b16, res, y), VDK_ERROR_DTYPE, "'bias'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, bias, y16, y), VDK_ERROR_DTYPE, "'residual'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, bias, res, y16), VDK_ERROR_DTYPE, "'y'");
    p = good, p.act = VDK_ACT_COUNT;
    VT_ERROR(ctx, vdk_linear(ctx, &p, x, w, bias, res, y), VDK_ERROR_INVALID_VALUE, "act");
    p = good, p.act = (vdk_activation)-1;
    VT_ERROR(ctx, vdk_linear(ctx, &p, x, w, bias, res, y), VDK_ERROR_INVALID_VALUE, "act");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w_cin, bias, res, y), VDK_ERROR_SHAPE, "'w'");
    VT_ERROR(ctx, vdk_linear(ctx, &geglu, x, w_odd, NULL, NULL, y), VDK_ERROR_SHAPE, "'w'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, b5, res, y), VDK_ERROR_SHAPE, "'bias'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, bias, res, y_lead), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_linear(ctx, &geglu, x, w, bias, NULL, y), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, bias, r_lead, y), VDK_ERROR_SHAPE, "'residual'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w_sq, NULL, NULL, x), VDK_ERROR_ALIAS, "input 'x'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x_in_bx, w, bias, res, y_in_bx), VDK_ERROR_ALIAS, "input 'x'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w_in_bw, bias, res, y_in_bw), VDK_ERROR_ALIAS, "input 'w'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, b_in_bb, res, y_in_bb), VDK_ERROR_ALIAS, "input 'bias'");
    VT_ERROR(ctx, vdk_linear(ctx, &good, x, w, bias, r_in_br, y_in_br), VDK_ERROR_ALIAS,
             "input 'residual'");
    VT_CHECK(vt_all_unchanged(&s), "a failed call changed a tensor");

    vt_drop_all();
}

/* ---- the CPU backend: every tier, f32 / f16 / bf16, against the f64 oracle ---- */

/* One CPU case: x [lead..., Cin] (a view cut from a wider tensor when xview), w
 * [Cout, Cin] (a view when xview too), optional bias and residual; residual == y
 * when inplace. */
typedef struct cpu_case {
    int rank;
    int64_t lead[4];
    int64_t Cin, Cout;
    vdk_activation act;
    bool bias, res, inplace, xview;
} cpu_case;

/* A random tensor of `shape` on cctx, or (view) a slice of a wider one: 3 more
 * channels on the last axis and one more index on the first. */
static vdk_tensor *cpu_input(vdk_context *cctx, vdk_dtype dt, int rank, const int64_t *shape,
                             bool view, uint64_t seed, double lo, double hi)
{
    if (!view)
        return vt_keep(vt_random(cctx, dt, rank, shape, seed, lo, hi));
    int64_t wide[VDK_MAX_RANK];
    memcpy(wide, shape, (size_t)rank * sizeof *wide);
    wide[rank - 1] += 3;
    if (rank > 1)
        wide[0] += 1;
    vdk_tensor *big = vt_keep(vt_random(cctx, dt, rank, wide, seed, lo, hi)), *a = NULL, *b = NULL;
    if (vdk_tensor_slice(big, rank - 1, 2, shape[rank - 1], &a) != VDK_OK)
        vt_fatal("slice: %s", vdk_last_error(cctx));
    vt_keep(a);
    if (rank == 1)
        return a;
    if (vdk_tensor_slice(a, 0, 1, shape[0], &b) != VDK_OK)
        vt_fatal("slice: %s", vdk_last_error(cctx));
    return vt_keep(b);
}

static void cpu_run_case(vdk_context *cctx, const char *tier, vdk_dtype dt, const cpu_case *c,
                         uint64_t seed)
{
    const bool geglu = c->act == VDK_ACT_GEGLU;
    const int64_t Cy = geglu ? c->Cout / 2 : c->Cout;
    int64_t xs[VDK_MAX_RANK], ys[VDK_MAX_RANK];
    for (int i = 0; i < c->rank - 1; i++)
        xs[i] = ys[i] = c->lead[i];
    xs[c->rank - 1] = c->Cin;
    ys[c->rank - 1] = Cy;
    const double wr = 1.0 / sqrt((double)c->Cin);
    vdk_tensor *x = cpu_input(cctx, dt, c->rank, xs, c->xview, seed, -2, 2);
    vdk_tensor *w =
        cpu_input(cctx, dt, 2, (int64_t[]){c->Cout, c->Cin}, c->xview, seed + 1, -wr, wr);
    vdk_tensor *bias =
        c->bias ? cpu_input(cctx, dt, 1, &c->Cout, false, seed + 2, -0.5, 0.5) : NULL;
    vt_guarded y = vt_guarded_tensor(cctx, dt, c->rank, ys);
    vdk_tensor *res = NULL;
    if (c->inplace) {
        vt_fill_uniform(y.view, seed + 3, -1, 1);
        res = y.view;
    } else if (c->res) {
        res = cpu_input(cctx, dt, c->rank, ys, c->xview, seed + 3, -1, 1);
    }
    const vdk_linear_params p = {c->act};
    vdk_tensor *y64 = empty_t(VDK_F64, c->rank, ys);
    VT_STATUS(ctx,
              vdk_linear(ctx, &p, copy_t(VDK_F64, x), copy_t(VDK_F64, w), copy_t(VDK_F64, bias),
                         copy_t(VDK_F64, res), y64),
              VDK_OK);
    VT_STATUS(cctx, vdk_linear(cctx, &p, x, w, bias, res, y.view), VDK_OK);
    int64_t M = 1;
    for (int i = 0; i < c->rank - 1; i++)
        M *= c->lead[i];
    VT_ORACLE_CHECK(&y, y64, vt_tolerance(dt, c->Cin, 0),
                    "%s %s M %lld Cin %lld Cout %lld act %d%s%s%s%s", tier, vdk_dtype_name(dt),
                    (long long)M, (long long)c->Cin, (long long)c->Cout, (int)c->act,
                    c->bias ? " bias" : "", c->res ? " residual" : "",
                    c->inplace ? " in place" : "", c->xview ? " views" : "");
    vt_drop_all();
}

/* Sizes that are not multiples of the register tile (MR rows, NR columns), the
 * vector width or the K-block; K = 1; odd Cout; GEGLU halves that end inside a
 * tile; K long enough for several K-blocks (and for the scalar tier's larger
 * block); enough work for the 3 threads to split over rows, and few rows with many
 * columns so that they split over columns. Up to 24 rows take the dot-product
 * path, from 25 the GEMM. */
static const cpu_case cpu_cases[] = {
    {1, {0}, 1, 1, VDK_ACT_NONE, false, false, false, false},
    {2, {1}, 7, 5, VDK_ACT_NONE, true, false, false, false},
    {2, {5}, 1, 13, VDK_ACT_SILU, true, true, false, false},
    {3, {1, 13}, 17, 33, VDK_ACT_GELU, false, true, false, true},
    {2, {7}, 33, 17, VDK_ACT_NONE, true, false, true, false},
    {3, {3, 6}, 5, 16, VDK_ACT_GEGLU, true, false, false, false},
    {4, {2, 3, 11}, 13, 34, VDK_ACT_GEGLU, true, true, false, true},
    {5, {1, 3, 5, 7}, 45, 38, VDK_ACT_GEGLU, true, false, true, false},
    {5, {1, 2, 5, 7}, 300, 70, VDK_ACT_GELU, true, true, false, true},
    {2, {50}, 600, 200, VDK_ACT_SILU, false, false, true, false},
    {2, {9}, 1100, 5, VDK_ACT_NONE, true, false, false, true},
    {2, {6}, 3000, 300, VDK_ACT_NONE, true, true, false, false},
    {2, {4}, 2000, 330, VDK_ACT_GEGLU, true, false, true, true},
    {2, {25}, 3, 9, VDK_ACT_SILU, true, true, false, true},
    {3, {5, 7}, 31, 34, VDK_ACT_GEGLU, false, true, false, false},
    {2, {29}, 700, 300, VDK_ACT_GELU, true, false, true, false},
    {2, {33}, 1100, 41, VDK_ACT_NONE, false, true, false, true},
};

static void test_cpu(void)
{
    const vt_tiers *tiers = vt_cpu_tiers();
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int t = 0; t < tiers->n; t++) {
        const char *tier = vdk_cpu_isa_name(tiers->isa[t]);
        for (int d = 0; d < 3; d++) {
            for (size_t i = 0; i < sizeof cpu_cases / sizeof *cpu_cases; i++)
                cpu_run_case(tiers->ctx[t], tier, dtypes[d], &cpu_cases[i], 300 + 10 * i);
            /* every activation with and without bias and residual, and in place */
            for (vdk_activation act = VDK_ACT_NONE; act < VDK_ACT_COUNT; act++)
                for (int v = 0; v < 4; v++) {
                    const cpu_case c = {3, {2, 23}, 19, 22, act, v & 1, v == 2, v == 3, v == 1};
                    cpu_run_case(tiers->ctx[t], tier, dtypes[d], &c, 500 + 10 * act + v);
                }
        }
    }
}

/* The same call on 1 and on 3 threads gives the same bits, on the dot-product path
 * (3 rows) and on the GEMM (131 rows, 3 K-blocks): each output sums its K-blocks in
 * one order, whatever the split. */
static void cpu_threads_case(vdk_context *one, vdk_context *three, const char *tier, int64_t rows)
{
    const int64_t xs[2] = {rows, 700}, ys[2] = {rows, 90};
    vdk_tensor *x = vt_keep(vt_random(one, VDK_F32, 2, xs, 600, -1, 1));
    vdk_tensor *w = vt_keep(vt_random(one, VDK_F32, 2, (int64_t[]){90, 700}, 601, -1, 1));
    vdk_tensor *x3 = vt_keep(vt_copy_as(three, VDK_F32, x));
    vdk_tensor *w3 = vt_keep(vt_copy_as(three, VDK_F32, w));
    vdk_tensor *y1 = vt_keep(vt_tensor(one, VDK_F32, 2, ys));
    vdk_tensor *y3 = vt_keep(vt_tensor(three, VDK_F32, 2, ys));
    const vdk_linear_params p = {VDK_ACT_NONE};
    VT_STATUS(one, vdk_linear(one, &p, x, w, NULL, NULL, y1), VDK_OK);
    VT_STATUS(three, vdk_linear(three, &p, x3, w3, NULL, NULL, y3), VDK_OK);
    double *a = vt_read(y1), *b = vt_read(y3);
    VT_CHECK(memcmp(a, b, sizeof(double) * (size_t)(rows * 90)) == 0,
             "%s, %lld rows: 1 and 3 threads differ", tier, (long long)rows);
    free(a);
    free(b);
    vt_drop_all();
}

static void test_cpu_threads(void)
{
    const vt_tiers *tiers = vt_cpu_tiers();
    for (int t = 0; t < tiers->n; t++) {
        vdk_context *one = NULL;
        const vdk_context_desc desc = {
            .backend = VDK_BACKEND_CPU, .cpu_isa = tiers->isa[t], .threads = 1};
        VT_STATUS(NULL, vdk_context_create(&desc, &one), VDK_OK);
        const char *tier = vdk_cpu_isa_name(tiers->isa[t]);
        cpu_threads_case(one, tiers->ctx[t], tier, 3);
        cpu_threads_case(one, tiers->ctx[t], tier, 131);
        vdk_context_destroy(one);
    }
}

/* ---- the Vulkan backend: the CPU cases, f32 / f16 / bf16, against the f64 oracle ---- */

static void vk_case(vdk_context *vk, vdk_dtype dt, const cpu_case *c, uint64_t seed,
                    const char *tile)
{
    cpu_run_case(vk, "vulkan", dt, c, seed);
    char want[64];
    snprintf(want, sizeof want, "vulkan.linear.%s.%s", tile, vdk_dtype_name(dt));
    VT_CHECK(!strcmp(vdk_last_kernel(vk), want), "kernel %s, expected %s", vdk_last_kernel(vk),
             want);
}

/* For the tiles the shapes above do not pick (VDK_VK_GEMM_TILE): M and N past one
 * tile and not multiples of it, Cin over several K-steps and not a multiple of
 * one, every activation (GEGLU tiles hold half as many columns of y), views and
 * in place. */
static const cpu_case vk_tile_cases[] = {
    {3, {3, 47}, 29, 150, VDK_ACT_NONE, true, true, false, true},
    {2, {131}, 40, 70, VDK_ACT_SILU, false, false, true, false},
    {4, {2, 3, 23}, 19, 134, VDK_ACT_GELU, true, false, false, true},
    {2, {130}, 37, 262, VDK_ACT_GEGLU, true, true, false, true},
};

static void test_vulkan(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++) {
        for (size_t i = 0; i < sizeof cpu_cases / sizeof *cpu_cases; i++)
            vk_case(vk, dtypes[d], &cpu_cases[i], 300 + 10 * i, "64x64");
        for (vdk_activation act = VDK_ACT_NONE; act < VDK_ACT_COUNT; act++)
            for (int v = 0; v < 4; v++) {
                const cpu_case c = {3, {2, 23}, 19, 22, act, v & 1, v == 2, v == 3, v == 1};
                vk_case(vk, dtypes[d], &c, 500 + 10 * act + v, "64x64");
            }
    }
    /* Each case on each forced tile, in one dtype per case (rotating), so that every
     * tile meets every dtype. */
    const char *const forced[3] = {"128x128", "128x64", "64x64.8x4"};
    for (int t = 0; t < 3; t++) {
        setenv("VDK_VK_GEMM_TILE", forced[t], 1);
        for (size_t i = 0; i < sizeof vk_tile_cases / sizeof *vk_tile_cases; i++)
            vk_case(vk, dtypes[(i + (size_t)t) % 3], &vk_tile_cases[i], 700 + 10 * i, forced[t]);
    }
    setenv("VDK_VK_GEMM_TILE", "96x96", 1);
    const vdk_linear_params p = {VDK_ACT_NONE};
    vdk_tensor *x = vt_keep(vt_random(vk, VDK_F32, 2, (int64_t[]){3, 4}, 790, -1, 1));
    vdk_tensor *w = vt_keep(vt_random(vk, VDK_F32, 2, (int64_t[]){5, 4}, 791, -1, 1));
    vdk_tensor *y = vt_keep(vt_random(vk, VDK_F32, 2, (int64_t[]){3, 5}, 792, -1, 1));
    vt_snapshots s = VT_SNAP(y);
    VT_ERROR(vk, vdk_linear(vk, &p, x, w, NULL, NULL, y), VDK_ERROR_INVALID_VALUE,
             "VDK_VK_GEMM_TILE");
    VT_CHECK(vt_all_unchanged(&s), "a failed call changed y");
    vt_drop_all();
    unsetenv("VDK_VK_GEMM_TILE");
    strided_views(vk);
    /* Enough rows and columns for 128 workgroups of the large tiles: 128x128, or
     * 128x64 for 320 columns (128x128 would pad them to 384). */
    const cpu_case large = {2, {1025}, 3, 1793, VDK_ACT_NONE, true, false, false, false};
    vk_case(vk, VDK_F32, &large, 800, "128x128");
    const cpu_case c320 = {3, {43, 129}, 3, 320, VDK_ACT_SILU, false, true, false, false};
    vk_case(vk, VDK_F32, &c320, 810, "128x64");
    VT_STATUS(vk, vdk_sync(vk), VDK_OK);
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_identity();
    test_selection();
    test_linearity();
    test_activations_compose();
    test_residual_in_place();
    test_dtypes();
    test_strided_views();
    test_bad_input();
    test_cpu();
    test_cpu_threads();
    test_vulkan();
    vdk_context_destroy(ctx);
    return vt_finish("test_linear");
}
