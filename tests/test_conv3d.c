/* vdk_conv3d: golden vectors from PyTorch, properties, dtypes, views, in place and
 * bad input. */
#include "vdk_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static vdk_context *ctx;

static int64_t out_size(int64_t size, int64_t k, int stride, int pad)
{
    return (size + 2 * pad - k) / (stride ? stride : 1) + 1;
}

/* The output shape of x [N,T,H,W,Cin] under w [Cout,kt,kh,kw,Cin] and p. */
static void out_shape(const int64_t *xs, const int64_t *ws, const vdk_conv3d_params *p,
                      int64_t *ys)
{
    ys[0] = xs[0];
    for (int i = 0; i < 3; i++)
        ys[1 + i] = out_size(xs[1 + i], ws[1 + i], p->stride[i], p->padding[i]);
    ys[4] = ws[0];
}

static vdk_conv3d_params golden_params(const vt_golden_case *c)
{
    return (vdk_conv3d_params){
        .stride = {(int)vt_golden_param(c, "stride_t"), (int)vt_golden_param(c, "stride_h"),
                   (int)vt_golden_param(c, "stride_w")},
        .padding = {(int)vt_golden_param(c, "pad_t"), (int)vt_golden_param(c, "pad_h"),
                    (int)vt_golden_param(c, "pad_w")},
        .act = (vdk_activation)vt_golden_param(c, "act"),
    };
}

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("conv3d");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_conv3d_params p = golden_params(c);
        vdk_tensor *x = vt_golden_make(ctx, c, "x", VDK_F64);
        vdk_tensor *w = vt_golden_make(ctx, c, "w", VDK_F64);
        vdk_tensor *bias = vt_golden_make(ctx, c, "bias", VDK_F64);
        vdk_tensor *res = vt_golden_make(ctx, c, "residual", VDK_F64);
        vt_guarded y = vt_golden_output(ctx, c, "y");
        VT_STATUS(ctx, vdk_conv3d(ctx, &p, x, w, bias, res, y.view), VDK_OK);
        VT_GOLDEN_CHECK(&y, c, "y", VT_GOLDEN_BOUND);
        VT_DESTROY(x, w, bias, res);
    }
    vt_golden_free(&f);
}

/* A kernel [C, kt, kh, kw, C] that is the identity matrix at tap (a, b, c) and zero
 * elsewhere. */
static vdk_tensor *one_tap_kernel(int64_t C, const int64_t k[3], const int64_t tap[3])
{
    const int64_t ws[5] = {C, k[0], k[1], k[2], C};
    const int64_t n = C * k[0] * k[1] * k[2] * C;
    double *v = calloc((size_t)n, sizeof *v);
    for (int64_t co = 0; co < C; co++)
        v[(((co * k[0] + tap[0]) * k[1] + tap[1]) * k[2] + tap[2]) * C + co] = 1.0;
    vdk_tensor *w = vt_tensor(ctx, VDK_F64, 5, ws);
    vt_fill(w, v);
    free(v);
    return w;
}

/* The centre tap as identity with "same" padding returns x exactly, for the 1x1x1
 * shortcut, the temporal (3,1,1), the spatial (1,3,3) and the full 3x3x3 kernel. */
static void test_identity_kernels(void)
{
    const int64_t xs[5] = {2, 3, 4, 5, 6}, C = 6;
    const int64_t kernels[4][3] = {{1, 1, 1}, {3, 1, 1}, {1, 3, 3}, {3, 3, 3}};
    vdk_tensor *x = vt_random(ctx, VDK_F64, 5, xs, 101, -2, 2);
    double *xv = vt_read(x);
    for (int i = 0; i < 4; i++) {
        const int64_t *k = kernels[i], centre[3] = {k[0] / 2, k[1] / 2, k[2] / 2};
        vdk_tensor *w = one_tap_kernel(C, k, centre);
        vdk_conv3d_params p = {.padding = {(int)centre[0], (int)centre[1], (int)centre[2]}};
        vt_guarded y = vt_guarded_tensor(ctx, VDK_F64, 5, xs);
        VT_STATUS(ctx, vdk_conv3d(ctx, &p, x, w, NULL, NULL, y.view), VDK_OK);
        vt_error e = vt_compare_tensor(y.view, xv);
        VT_CHECK(vt_error_ok(e, 0), "identity kernel (%lld,%lld,%lld): norm_err %.3g bad %lld",
                 (long long)k[0], (long long)k[1], (long long)k[2], e.norm_err, (long long)e.bad);
        VT_CHECK(vt_guard_intact(&y), "identity kernel: guard overwritten");
        vt_guarded_destroy(&y);
        vdk_tensor_destroy(w);
    }
    free(xv);
    vdk_tensor_destroy(x);
}

/* Cross-correlation, not convolution: an identity at the first tap of a 3-tap axis
 * with padding 1 reads the previous position, y[i] = x[i - 1], and zero at i = 0. */
static void test_first_tap_shifts(void)
{
    const int64_t xs[5] = {1, 4, 3, 5, 3}, C = 3;
    vdk_tensor *x = vt_random(ctx, VDK_F64, 5, xs, 111, -2, 2);
    double *xv = vt_read(x);
    const int64_t n = vdk_tensor_numel(x);
    for (int axis = 0; axis < 3; axis++) {
        int64_t k[3] = {1, 1, 1}, tap[3] = {0, 0, 0};
        k[axis] = 3;
        vdk_tensor *w = one_tap_kernel(C, k, tap);
        vdk_conv3d_params p = {0};
        p.padding[axis] = 1;
        vdk_tensor *y = vt_tensor(ctx, VDK_F64, 5, xs);
        VT_STATUS(ctx, vdk_conv3d(ctx, &p, x, w, NULL, NULL, y), VDK_OK);
        /* the element stride of axis 1 + axis in the dense layout */
        int64_t step = C;
        for (int d = 3; d > axis + 1; d--)
            step *= xs[d];
        double *want = malloc((size_t)n * sizeof *want);
        for (int64_t i = 0; i < n; i++) {
            int64_t pos = (i / step) % xs[1 + axis];
            want[i] = pos == 0 ? 0.0 : xv[i - step];
        }
        vt_error e = vt_compare_tensor(y, want);
        VT_CHECK(vt_error_ok(e, 0), "first tap on axis %d: norm_err %.3g", axis, e.norm_err);
        free(want);
        VT_DESTROY(w, y);
    }
    free(xv);
    vdk_tensor_destroy(x);
}

/* conv(alpha*x1 + beta*x2) = alpha*conv(x1) + beta*conv(x2) without bias and act. */
static void test_linearity(void)
{
    const int64_t xs[5] = {2, 5, 5, 6, 4}, ws[5] = {3, 3, 3, 2, 4};
    const vdk_conv3d_params p = {.stride = {2, 1, 2}, .padding = {1, 1, 0}};
    int64_t ys[5];
    out_shape(xs, ws, &p, ys);
    const double alpha = 0.75, beta = -1.5;
    vdk_tensor *x1 = vt_random(ctx, VDK_F64, 5, xs, 121, -1, 1);
    vdk_tensor *x2 = vt_random(ctx, VDK_F64, 5, xs, 122, -1, 1);
    vdk_tensor *w = vt_random(ctx, VDK_F64, 5, ws, 123, -1, 1);
    vdk_tensor *xm = vt_tensor(ctx, VDK_F64, 5, xs);
    double *a = vt_read(x1), *b = vt_read(x2);
    const int64_t nx = vdk_tensor_numel(x1);
    for (int64_t i = 0; i < nx; i++)
        a[i] = alpha * a[i] + beta * b[i];
    vt_fill(xm, a);
    vdk_tensor *y1 = vt_tensor(ctx, VDK_F64, 5, ys), *y2 = vt_tensor(ctx, VDK_F64, 5, ys),
               *ym = vt_tensor(ctx, VDK_F64, 5, ys);
    VT_STATUS(ctx, vdk_conv3d(ctx, &p, x1, w, NULL, NULL, y1), VDK_OK);
    VT_STATUS(ctx, vdk_conv3d(ctx, &p, x2, w, NULL, NULL, y2), VDK_OK);
    VT_STATUS(ctx, vdk_conv3d(ctx, &p, xm, w, NULL, NULL, ym), VDK_OK);
    double *v1 = vt_read(y1), *v2 = vt_read(y2);
    const int64_t ny = vdk_tensor_numel(y1);
    for (int64_t i = 0; i < ny; i++)
        v1[i] = alpha * v1[i] + beta * v2[i];
    vt_error e = vt_compare_tensor(ym, v1);
    VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "linearity in x: norm_err %.3g", e.norm_err);
    free(a);
    free(b);
    free(v1);
    free(v2);
    VT_DESTROY(x1, x2, w, xm, y1, y2, ym);
}

/* A conv with padding p equals the conv without padding of x zero-padded by p. */
static void test_zero_padding(void)
{
    const int64_t xs[5] = {1, 3, 4, 3, 2}, ws[5] = {3, 3, 2, 3, 2};
    const int pad[3] = {2, 1, 1};
    const int64_t ps[5] = {1, 3 + 2 * pad[0], 4 + 2 * pad[1], 3 + 2 * pad[2], 2};
    vdk_tensor *x = vt_random(ctx, VDK_F64, 5, xs, 131, -1, 1);
    vdk_tensor *w = vt_random(ctx, VDK_F64, 5, ws, 132, -1, 1);
    vdk_tensor *xp = vt_tensor(ctx, VDK_F64, 5, ps);
    double *xv = vt_read(x), *pv = calloc((size_t)vdk_tensor_numel(xp), sizeof *pv);
    for (int64_t t = 0; t < xs[1]; t++)
        for (int64_t h = 0; h < xs[2]; h++)
            for (int64_t wi = 0; wi < xs[3]; wi++)
                for (int64_t c = 0; c < xs[4]; c++)
                    pv[(((t + pad[0]) * ps[2] + h + pad[1]) * ps[3] + wi + pad[2]) * ps[4] + c] =
                        xv[((t * xs[2] + h) * xs[3] + wi) * xs[4] + c];
    vt_fill(xp, pv);
    const vdk_conv3d_params padded = {.padding = {pad[0], pad[1], pad[2]}, .act = VDK_ACT_GELU};
    const vdk_conv3d_params plain = {.act = VDK_ACT_GELU};
    int64_t ys[5], ys2[5];
    out_shape(xs, ws, &padded, ys);
    out_shape(ps, ws, &plain, ys2);
    VT_CHECK(memcmp(ys, ys2, sizeof ys) == 0, "zero padding: the two output shapes differ");
    vdk_tensor *y = vt_tensor(ctx, VDK_F64, 5, ys), *yp = vt_tensor(ctx, VDK_F64, 5, ys);
    VT_STATUS(ctx, vdk_conv3d(ctx, &padded, x, w, NULL, NULL, y), VDK_OK);
    VT_STATUS(ctx, vdk_conv3d(ctx, &plain, xp, w, NULL, NULL, yp), VDK_OK);
    double *want = vt_read(yp);
    vt_error e = vt_compare_tensor(y, want);
    VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "zero padding: norm_err %.3g", e.norm_err);
    free(xv);
    free(pv);
    free(want);
    VT_DESTROY(x, w, xp, y, yp);
}

/* A stride-s conv is the stride-1 conv (same kernel, padding, bias and act) sampled
 * at multiples of s: Lumiere's temporal down-sampling (3,1,1)/(2,1,1), SVD's
 * spatial (1,3,3)/(1,2,2) and a full 3x3x3 with stride 2 everywhere. */
static void test_stride_samples_stride_one(void)
{
    const struct {
        int64_t k[3];
        int stride[3], pad[3];
        int64_t x[5];
    } cfg[] = {
        {{3, 1, 1}, {2, 1, 1}, {1, 0, 0}, {2, 5, 3, 2, 4}},
        {{3, 1, 1}, {2, 1, 1}, {1, 0, 0}, {1, 6, 2, 3, 3}},
        {{1, 3, 3}, {1, 2, 2}, {0, 1, 1}, {1, 2, 7, 6, 3}},
        {{3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {1, 5, 4, 5, 2}},
        {{2, 3, 1}, {3, 2, 2}, {1, 0, 0}, {1, 7, 6, 5, 2}},
    };
    for (size_t i = 0; i < sizeof cfg / sizeof *cfg; i++) {
        const int64_t *xs = cfg[i].x, ws[5] = {3, cfg[i].k[0], cfg[i].k[1], cfg[i].k[2], xs[4]};
        vdk_conv3d_params p1 = {.padding = {cfg[i].pad[0], cfg[i].pad[1], cfg[i].pad[2]},
                                .act = VDK_ACT_SILU};
        vdk_conv3d_params ps = p1;
        memcpy(ps.stride, cfg[i].stride, sizeof ps.stride);
        int64_t y1s[5], yss[5];
        out_shape(xs, ws, &p1, y1s);
        out_shape(xs, ws, &ps, yss);
        vdk_tensor *x = vt_random(ctx, VDK_F64, 5, xs, 141 + i, -1, 1);
        vdk_tensor *w = vt_random(ctx, VDK_F64, 5, ws, 151 + i, -1, 1);
        vdk_tensor *bias = vt_random(ctx, VDK_F64, 1, ws, 161 + i, -1, 1);
        vdk_tensor *y1 = vt_tensor(ctx, VDK_F64, 5, y1s), *ys = vt_tensor(ctx, VDK_F64, 5, yss);
        VT_STATUS(ctx, vdk_conv3d(ctx, &p1, x, w, bias, NULL, y1), VDK_OK);
        VT_STATUS(ctx, vdk_conv3d(ctx, &ps, x, w, bias, NULL, ys), VDK_OK);
        double *v1 = vt_read(y1), *want = malloc((size_t)vdk_tensor_numel(ys) * sizeof *want);
        int64_t j = 0;
        for (int64_t n = 0; n < yss[0]; n++)
            for (int64_t t = 0; t < yss[1]; t++)
                for (int64_t h = 0; h < yss[2]; h++)
                    for (int64_t w_ = 0; w_ < yss[3]; w_++)
                        for (int64_t c = 0; c < yss[4]; c++) {
                            int64_t t1 = t * cfg[i].stride[0], h1 = h * cfg[i].stride[1],
                                    w1 = w_ * cfg[i].stride[2];
                            want[j++] = v1[(((n * y1s[1] + t1) * y1s[2] + h1) * y1s[3] + w1) *
                                               y1s[4] + c];
                        }
        vt_error e = vt_compare_tensor(ys, want);
        VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "stride (%d,%d,%d): norm_err %.3g",
                 cfg[i].stride[0], cfg[i].stride[1], cfg[i].stride[2], e.norm_err);
        free(v1);
        free(want);
        VT_DESTROY(x, w, bias, y1, ys);
    }
}

/* The fused epilogue is act(conv + bias) + residual, in that order; and with
 * residual == y (in place) it adds the old y. */
static void test_epilogue_and_in_place_residual(void)
{
    const int64_t xs[5] = {1, 3, 4, 5, 3}, ws[5] = {4, 3, 1, 1, 3}, C = 4;
    const vdk_conv3d_params plain = {.padding = {1, 0, 0}};
    int64_t ys[5];
    out_shape(xs, ws, &plain, ys);
    vdk_tensor *x = vt_random(ctx, VDK_F64, 5, xs, 171, -2, 2);
    vdk_tensor *w = vt_random(ctx, VDK_F64, 5, ws, 172, -1, 1);
    vdk_tensor *bias = vt_random(ctx, VDK_F64, 1, &C, 173, -1, 1);
    vdk_tensor *conv = vt_tensor(ctx, VDK_F64, 5, ys);
    VT_STATUS(ctx, vdk_conv3d(ctx, &plain, x, w, NULL, NULL, conv), VDK_OK);
    double *cv = vt_read(conv), *bv = vt_read(bias);
    const int64_t n = vdk_tensor_numel(conv);
    const vdk_activation acts[3] = {VDK_ACT_NONE, VDK_ACT_SILU, VDK_ACT_GELU};
    for (int a = 0; a < 3; a++) {
        vdk_tensor *y = vt_random(ctx, VDK_F64, 5, ys, 180 + a, -3, 3);
        double *old = vt_read(y), *want = malloc((size_t)n * sizeof *want);
        for (int64_t i = 0; i < n; i++) {
            double v = cv[i] + bv[i % C];
            if (acts[a] == VDK_ACT_SILU)
                v = v / (1 + exp(-v));
            else if (acts[a] == VDK_ACT_GELU)
                v = 0.5 * v * (1 + erf(v / sqrt(2.0)));
            want[i] = v + old[i];
        }
        vdk_conv3d_params p = plain;
        p.act = acts[a];
        VT_STATUS(ctx, vdk_conv3d(ctx, &p, x, w, bias, y, y), VDK_OK);
        vt_error e = vt_compare_tensor(y, want);
        VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "act %d, residual in place: norm_err %.3g",
                 (int)acts[a], e.norm_err);
        free(old);
        free(want);
        vdk_tensor_destroy(y);
    }
    free(cv);
    free(bv);
    VT_DESTROY(x, w, bias, conv);
}

/* f32, f16 and bf16 storage against the f64 oracle on the same (rounded) inputs. */
static void test_dtypes(void)
{
    const int64_t xs[5] = {1, 3, 5, 7, 8}, ws[5] = {6, 3, 3, 3, 8}, C = 6;
    const vdk_conv3d_params p = {.stride = {1, 2, 1}, .padding = {1, 1, 1}, .act = VDK_ACT_SILU};
    int64_t ys[5];
    out_shape(xs, ws, &p, ys);
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++) {
        vdk_dtype dt = dtypes[d];
        vdk_tensor *in[4] = {vt_random(ctx, dt, 5, xs, 201, -2, 2),
                             vt_random(ctx, dt, 5, ws, 202, -0.2, 0.2),
                             vt_random(ctx, dt, 1, &C, 203, -0.5, 0.5),
                             vt_random(ctx, dt, 5, ys, 204, -1, 1)};
        vdk_tensor *in64[4];
        for (int i = 0; i < 4; i++)
            in64[i] = vt_copy_as(ctx, VDK_F64, in[i]);
        vdk_tensor *y64 = vt_tensor(ctx, VDK_F64, 5, ys);
        VT_STATUS(ctx, vdk_conv3d(ctx, &p, in64[0], in64[1], in64[2], in64[3], y64), VDK_OK);
        vt_guarded y = vt_guarded_tensor(ctx, dt, 5, ys);
        VT_STATUS(ctx, vdk_conv3d(ctx, &p, in[0], in[1], in[2], in[3], y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, vt_tolerance(dt, ws[1] * ws[2] * ws[3] * ws[4], 0), "%s",
                        vdk_dtype_name(dt));
        VT_DESTROY(in[0], in[1], in[2], in[3], in64[0], in64[1], in64[2], in64[3], y64);
    }
}

/* Every input a strided view (channel slices of wider tensors, as a UNet skip or a
 * fused QKV buffer gives them), the output a channel slice of a wider tensor, and
 * residual == y in place on that view: the same result as dense copies on
 * context c, and the channels outside the output view untouched. */
static void views(vdk_context *c)
{
    const int64_t xw[5] = {2, 3, 4, 5, 9}, ww[5] = {7, 3, 3, 1, 6}, bw = 10;
    const int64_t Cin = 4, Cout = 5;
    const vdk_conv3d_params p = {.stride = {1, 1, 2}, .padding = {1, 1, 0}, .act = VDK_ACT_GELU};
    vdk_tensor *xb = vt_random(c, VDK_F32, 5, xw, 211, -1, 1);
    vdk_tensor *wb = vt_random(c, VDK_F32, 5, ww, 212, -0.5, 0.5);
    vdk_tensor *bb = vt_random(c, VDK_F32, 1, &bw, 213, -0.5, 0.5);
    vdk_tensor *x = NULL, *w_c = NULL, *w = NULL, *bias = NULL;
    VT_STATUS(c, vdk_tensor_slice(xb, 4, 3, Cin, &x), VDK_OK);
    VT_STATUS(c, vdk_tensor_slice(wb, 0, 1, Cout, &w_c), VDK_OK);
    VT_STATUS(c, vdk_tensor_slice(w_c, 4, 2, Cin, &w), VDK_OK);
    VT_STATUS(c, vdk_tensor_slice(bb, 0, 4, Cout, &bias), VDK_OK);
    int64_t ys[5];
    out_shape((int64_t[]){2, 3, 4, 5, Cin}, (int64_t[]){Cout, 3, 3, 1, Cin}, &p, ys);
    int64_t yw[5] = {ys[0], ys[1], ys[2], ys[3], Cout + 6};
    vdk_tensor *yb = vt_random(c, VDK_F32, 5, yw, 214, -1, 1), *y = NULL;
    VT_STATUS(c, vdk_tensor_slice(yb, 4, 2, Cout, &y), VDK_OK);

    vdk_tensor *xd = vt_copy_as(c, VDK_F32, x), *wd = vt_copy_as(c, VDK_F32, w),
               *bd = vt_copy_as(c, VDK_F32, bias), *rd = vt_copy_as(c, VDK_F32, y),
               *yd = vt_tensor(c, VDK_F32, 5, ys);
    VT_STATUS(c, vdk_conv3d(c, &p, xd, wd, bd, rd, yd), VDK_OK);
    double *before = vt_read(yb), *want = vt_read(yd);
    VT_STATUS(c, vdk_conv3d(c, &p, x, w, bias, y, y), VDK_OK);
    vt_error e = vt_compare_tensor(y, want);
    VT_CHECK(vt_error_ok(e, 0), "strided views, residual in place: norm_err %.3g", e.norm_err);
    int64_t changed = vt_changed_outside(yb, before, 2, Cout);
    VT_CHECK(changed == 0, "%lld elements outside the output view changed", (long long)changed);
    free(before);
    free(want);
    VT_DESTROY(x, w_c, w, bias, y, xb, wb, bb, yb, xd, wd, bd, rd, yd);
}

static void test_views(void) { views(ctx); }

/* A tensor over `keep`, a small buffer, that claims a huge shape: only for calls
 * that must fail before reading it. */
static vdk_tensor *fake_huge(vdk_dtype dt, int rank, const int64_t *shape, void *keep)
{
    vdk_tensor *t = NULL;
    if (vdk_tensor_wrap(ctx, dt, rank, shape, NULL, keep, SIZE_MAX, &t) != VDK_OK)
        vt_fatal("fake_huge: %s", vdk_last_error(ctx));
    return t;
}

static void test_bad_input(void)
{
    const int64_t xs[5] = {1, 2, 3, 3, 4}, ws[5] = {4, 3, 3, 3, 4}, C = 4;
    const int64_t nx = 72, nw = 432;
    vdk_tensor *x = vt_random(ctx, VDK_F32, 5, xs, 301, -1, 1);
    vdk_tensor *w = vt_random(ctx, VDK_F32, 5, ws, 302, -1, 1);
    vdk_tensor *bias = vt_random(ctx, VDK_F32, 1, &C, 303, -1, 1);
    vdk_tensor *res = vt_random(ctx, VDK_F32, 5, xs, 304, -1, 1);
    vdk_tensor *y = vt_random(ctx, VDK_F32, 5, xs, 305, -1, 1);
    /* wrong ranks, dtypes and shapes */
    vdk_tensor *r4 = vt_random(ctx, VDK_F32, 4, xs, 306, -1, 1);
    vdk_tensor *b2 = vt_random(ctx, VDK_F32, 2, (int64_t[]){1, 4}, 307, -1, 1);
    vdk_tensor *x16 = vt_random(ctx, VDK_F16, 5, xs, 308, -1, 1);
    vdk_tensor *w16 = vt_random(ctx, VDK_F16, 5, ws, 309, -1, 1);
    vdk_tensor *b16 = vt_random(ctx, VDK_F16, 1, &C, 310, -1, 1);
    vdk_tensor *w_cin5 = vt_random(ctx, VDK_F32, 5, (int64_t[]){4, 3, 3, 3, 5}, 311, -1, 1);
    vdk_tensor *b5 = vt_random(ctx, VDK_F32, 1, (int64_t[]){5}, 312, -1, 1);
    vdk_tensor *y_other = vt_random(ctx, VDK_F32, 5, (int64_t[]){1, 2, 3, 4, 4}, 313, -1, 1);
    vdk_tensor *x_small = vt_random(ctx, VDK_F32, 5, (int64_t[]){1, 1, 1, 1, 4}, 314, -1, 1);
    vdk_tensor *x_other = vt_random(vt_other_context(), VDK_F32, 5, xs, 315, -1, 1);
    vdk_tensor *b_other = vt_random(vt_other_context(), VDK_F32, 1, &C, 316, -1, 1);
    /* outputs that overlap an input: views into one flat storage each */
    vdk_tensor *fx = vt_random(ctx, VDK_F32, 1, (int64_t[]){nx + 8}, 320, -1, 1);
    vdk_tensor *fw = vt_random(ctx, VDK_F32, 1, (int64_t[]){nw}, 321, -1, 1);
    vdk_tensor *fb = vt_random(ctx, VDK_F32, 1, (int64_t[]){nx + 2}, 322, -1, 1);
    vdk_tensor *x_in_fx = vt_view_at(fx, 0, 5, xs), *y_in_fx = vt_view_at(fx, 8, 5, xs);
    vdk_tensor *w_in_fw = vt_view_at(fw, 0, 5, ws), *y_in_fw = vt_view_at(fw, 100, 5, xs);
    vdk_tensor *y_in_fb = vt_view_at(fb, 0, 5, xs), *b_in_fb = vt_view_at(fb, nx - 2, 1, &C);
    vdk_tensor *r_in_fx = vt_view_at(fx, 0, 5, xs); /* overlaps y_in_fx, not the same view */

    const vdk_conv3d_params good = {.padding = {1, 1, 1}, .act = VDK_ACT_SILU};
    vdk_conv3d_params p;
    vt_snapshots snap = VT_SNAP(x, w, bias, res, y, fx, fw, fb);

    VT_ERROR(NULL, vdk_conv3d(NULL, &good, x, w, bias, res, y), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_conv3d(ctx, NULL, x, w, bias, res, y), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, NULL, w, bias, res, y), VDK_ERROR_NULL_POINTER, "'x'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, NULL, bias, res, y), VDK_ERROR_NULL_POINTER, "'w'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, bias, res, NULL), VDK_ERROR_NULL_POINTER, "'y'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x_other, w, bias, res, y), VDK_ERROR_CONTEXT, "'x'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, b_other, res, y), VDK_ERROR_CONTEXT, "'bias'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, r4, w, bias, res, y), VDK_ERROR_RANK, "'x'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, r4, bias, res, y), VDK_ERROR_RANK, "'w'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, b2, res, y), VDK_ERROR_RANK, "'bias'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, bias, r4, y), VDK_ERROR_RANK, "'residual'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, bias, res, r4), VDK_ERROR_RANK, "'y'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w16, bias, res, y), VDK_ERROR_DTYPE, "'w'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, b16, res, y), VDK_ERROR_DTYPE, "'bias'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, bias, x16, y), VDK_ERROR_DTYPE, "'residual'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, bias, res, x16), VDK_ERROR_DTYPE, "'y'");
    p = good, p.stride[1] = -1;
    VT_ERROR(ctx, vdk_conv3d(ctx, &p, x, w, bias, res, y), VDK_ERROR_INVALID_VALUE, "p->stride[1]");
    p = good, p.padding[0] = 3;
    VT_ERROR(ctx, vdk_conv3d(ctx, &p, x, w, bias, res, y), VDK_ERROR_INVALID_VALUE, "p->padding[0]");
    p = good, p.padding[2] = -1;
    VT_ERROR(ctx, vdk_conv3d(ctx, &p, x, w, bias, res, y), VDK_ERROR_INVALID_VALUE, "p->padding[2]");
    p = good, p.act = VDK_ACT_GEGLU;
    VT_ERROR(ctx, vdk_conv3d(ctx, &p, x, w, bias, res, y), VDK_ERROR_INVALID_VALUE, "p->act");
    p = good, p.act = (vdk_activation)-1;
    VT_ERROR(ctx, vdk_conv3d(ctx, &p, x, w, bias, res, y), VDK_ERROR_INVALID_VALUE, "p->act");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w_cin5, bias, res, y), VDK_ERROR_SHAPE, "'w'");
    p = good, p.padding[1] = 0; /* H = 1 < kh = 3 without padding: empty output */
    VT_ERROR(ctx, vdk_conv3d(ctx, &p, x_small, w, NULL, NULL, y_other), VDK_ERROR_SHAPE, "'x'");
    p = good, p.padding[0] = 0; /* T = 2 < kt = 3 without padding: empty output */
    VT_ERROR(ctx, vdk_conv3d(ctx, &p, x, w, bias, res, y), VDK_ERROR_SHAPE, "'x'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, b5, res, y), VDK_ERROR_SHAPE, "'bias'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, bias, y_other, y), VDK_ERROR_SHAPE, "'residual'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, bias, res, y_other), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x_in_fx, w, bias, res, y_in_fx), VDK_ERROR_ALIAS,
             "input 'x'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w_in_fw, bias, res, y_in_fw), VDK_ERROR_ALIAS,
             "input 'w'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, b_in_fb, res, y_in_fb), VDK_ERROR_ALIAS,
             "input 'bias'");
    VT_ERROR(ctx, vdk_conv3d(ctx, &good, x, w, bias, r_in_fx, y_in_fx), VDK_ERROR_ALIAS,
             "input 'residual'");
    VT_CHECK(vt_all_unchanged(&snap), "a failed call changed a tensor");

    /* Sizes past int64: T + 2*padding, and the element count of the output. These
     * tensors claim far more than their buffer; the calls must fail before any read. */
    uint16_t keep[8] = {0};
    vdk_tensor *x_longT = fake_huge(VDK_F16, 5, (int64_t[]){1, INT64_MAX, 1, 1, 1}, keep);
    vdk_tensor *w_t3 = vt_random(ctx, VDK_F16, 5, (int64_t[]){1, 3, 1, 1, 1}, 330, -1, 1);
    vdk_tensor *x_wide = fake_huge(VDK_F16, 5, (int64_t[]){1, 1, 1, (int64_t)1 << 40, 1}, keep);
    vdk_tensor *w_many = fake_huge(VDK_F16, 5, (int64_t[]){(int64_t)1 << 30, 1, 1, 1, 1}, keep);
    vdk_tensor *y16 = vt_random(ctx, VDK_F16, 5, (int64_t[]){1, 1, 1, 1, 1}, 331, -1, 1);
    snap = VT_SNAP(w_t3, y16);
    p = (vdk_conv3d_params){.padding = {1, 0, 0}};
    VT_ERROR(ctx, vdk_conv3d(ctx, &p, x_longT, w_t3, NULL, NULL, y16), VDK_ERROR_OVERFLOW, "'x'");
    p = (vdk_conv3d_params){0};
    VT_ERROR(ctx, vdk_conv3d(ctx, &p, x_wide, w_many, NULL, NULL, y16), VDK_ERROR_OVERFLOW,
             "'y'");
    VT_CHECK(vt_all_unchanged(&snap), "a failed call changed a tensor");

    VT_DESTROY(x, w, bias, res, y, r4, b2, x16, w16, b16, w_cin5, b5, y_other, x_small, fx, fw, fb,
               x_in_fx, y_in_fx, w_in_fw, y_in_fw, y_in_fb, b_in_fb, r_in_fx, x_longT, w_t3, x_wide,
               w_many, y16, x_other, b_other);
}

/* ---- the CPU backend: every tier, f32 / f16 / bf16, against the f64 oracle ---- */

typedef struct cpu_case {
    int64_t x[5]; /* N, T, H, W, Cin */
    int64_t cout, k[3];
    vdk_conv3d_params p;
    bool bias, res, inplace, xview;
} cpu_case;

/* x as a slice of a wider tensor (3 more channels, one more frame) when view. */
static vdk_tensor *cpu_x(vdk_context *cctx, vdk_dtype dt, const int64_t *xs, bool view,
                         uint64_t seed)
{
    if (!view)
        return vt_random(cctx, dt, 5, xs, seed, -2, 2);
    const int64_t wide[5] = {xs[0], xs[1] + 1, xs[2], xs[3], xs[4] + 3};
    vdk_tensor *big = vt_random(cctx, dt, 5, wide, seed, -2, 2), *a = NULL, *b = NULL;
    VT_STATUS(cctx, vdk_tensor_slice(big, 4, 2, xs[4], &a), VDK_OK);
    VT_STATUS(cctx, vdk_tensor_slice(a, 1, 1, xs[1], &b), VDK_OK);
    VT_DESTROY(big, a);
    return b;
}

static void cpu_run_case(vdk_context *cctx, const char *tier, vdk_dtype dt, const cpu_case *c,
                         uint64_t seed)
{
    const int64_t ws[5] = {c->cout, c->k[0], c->k[1], c->k[2], c->x[4]};
    const int64_t K = c->k[0] * c->k[1] * c->k[2] * c->x[4];
    int64_t ys[5];
    out_shape(c->x, ws, &c->p, ys);
    const double wr = 1.0 / sqrt((double)K);
    vdk_tensor *x = cpu_x(cctx, dt, c->x, c->xview, seed);
    vdk_tensor *w = vt_random(cctx, dt, 5, ws, seed + 1, -wr, wr);
    vdk_tensor *bias = c->bias ? vt_random(cctx, dt, 1, &c->cout, seed + 2, -0.5, 0.5) : NULL;
    vt_guarded y = vt_guarded_tensor(cctx, dt, 5, ys);
    vdk_tensor *res = NULL;
    if (c->inplace) {
        vt_fill_uniform(y.view, seed + 3, -1, 1);
        res = y.view;
    } else if (c->res) {
        res = vt_random(cctx, dt, 5, ys, seed + 3, -1, 1);
    }
    vdk_tensor *in64[4] = {vt_copy_as(ctx, VDK_F64, x), vt_copy_as(ctx, VDK_F64, w),
                           vt_copy_as(ctx, VDK_F64, bias), vt_copy_as(ctx, VDK_F64, res)};
    vdk_tensor *y64 = vt_tensor(ctx, VDK_F64, 5, ys);
    VT_STATUS(ctx, vdk_conv3d(ctx, &c->p, in64[0], in64[1], in64[2], in64[3], y64), VDK_OK);
    VT_STATUS(cctx, vdk_conv3d(cctx, &c->p, x, w, bias, res, y.view), VDK_OK);
    VT_ORACLE_CHECK(&y, y64, vt_tolerance(dt, K, 0),
                    "%s %s x [%lld,%lld,%lld,%lld,%lld] Cout %lld k %lldx%lldx%lld s %dx%dx%d "
                    "p %dx%dx%d act %d%s%s%s%s",
                    tier, vdk_dtype_name(dt), (long long)c->x[0], (long long)c->x[1],
                    (long long)c->x[2], (long long)c->x[3], (long long)c->x[4],
                    (long long)c->cout, (long long)c->k[0], (long long)c->k[1],
                    (long long)c->k[2], c->p.stride[0], c->p.stride[1], c->p.stride[2],
                    c->p.padding[0], c->p.padding[1], c->p.padding[2], (int)c->p.act,
                    c->bias ? " bias" : "", c->res ? " residual" : "",
                    c->inplace ? " in place" : "", c->xview ? " view" : "");
    VT_DESTROY(c->inplace ? NULL : res, x, w, bias, in64[0], in64[1], in64[2], in64[3], y64);
}

#define ST(a, b, c) .stride = {a, b, c}
#define PD(a, b, c) .padding = {a, b, c}
/* The three kernels that matter (temporal, spatial 3x3, 1x1) with Cin small (K-blocks
 * across taps, gathered) and large (K-blocks inside one tap, f32 read in place, and
 * several per tap); T = 1; prime H*W; strides 2; paddings 0 and k - 1; full 3-D
 * kernels; the tiny Cin of a VAE's input; Cout not a multiple of the tile; enough
 * work for the 3 threads. */
static const cpu_case cpu_cases[] = {
    {{1, 4, 5, 7, 8}, 13, {3, 1, 1}, {PD(1, 0, 0)}, true, true, false, false},
    {{1, 3, 3, 5, 170}, 17, {3, 1, 1}, {PD(1, 0, 0), .act = VDK_ACT_SILU}, true, false, true, true},
    {{1, 2, 3, 3, 340}, 20, {3, 1, 1}, {PD(1, 0, 0)}, false, false, true, false},
    {{2, 2, 13, 1, 12}, 9, {1, 3, 3}, {PD(0, 1, 1), .act = VDK_ACT_GELU}, true, false, false, true},
    {{1, 1, 7, 5, 200}, 33, {1, 3, 3}, {PD(0, 1, 1)}, true, true, false, false},
    {{1, 2, 3, 5, 9}, 5, {1, 1, 1}, {.act = VDK_ACT_NONE}, false, false, false, true},
    {{2, 3, 11, 13, 136}, 40, {1, 1, 1}, {.act = VDK_ACT_SILU}, true, false, true, false},
    {{1, 2, 9, 7, 6}, 7, {1, 3, 3}, {ST(1, 2, 2), PD(0, 1, 1)}, true, false, false, false},
    {{1, 5, 6, 4, 3}, 8, {3, 3, 3}, {PD(0, 0, 0)}, true, false, false, false},
    {{1, 5, 6, 4, 3}, 8, {3, 3, 3}, {PD(2, 2, 2), .act = VDK_ACT_GELU}, false, true, false, true},
    {{1, 7, 9, 8, 4}, 11, {3, 3, 3}, {ST(2, 2, 2), PD(1, 1, 1)}, true, false, true, false},
    {{2, 1, 5, 5, 16}, 6, {1, 3, 3}, {PD(0, 1, 1), .act = VDK_ACT_SILU}, true, true, false, false},
    {{1, 5, 4, 3, 5}, 3, {3, 1, 1}, {ST(2, 1, 1), PD(2, 0, 0)}, false, false, false, false},
    {{1, 3, 12, 10, 64}, 70, {3, 3, 3}, {PD(1, 1, 1)}, true, false, true, false},
    {{1, 1, 1, 1, 1}, 1, {1, 1, 1}, {.act = VDK_ACT_NONE}, false, false, false, false},
};
#undef ST
#undef PD

static void test_cpu(void)
{
    const vt_tiers *tiers = vt_cpu_tiers();
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int t = 0; t < tiers->n; t++)
        for (int d = 0; d < 3; d++)
            for (size_t i = 0; i < sizeof cpu_cases / sizeof *cpu_cases; i++)
                cpu_run_case(tiers->ctx[t], vdk_cpu_isa_name(tiers->isa[t]), dtypes[d],
                             &cpu_cases[i], 400 + 10 * i);
}

/* ---- the Vulkan backend: the CPU cases, f32 / f16 / bf16, against the f64 oracle ---- */

static void vk_case(vdk_context *vk, vdk_dtype dt, const cpu_case *c, uint64_t seed,
                    const char *tile)
{
    cpu_run_case(vk, "vulkan", dt, c, seed);
    char want[64];
    snprintf(want, sizeof want, "vulkan.conv3d.%s.%s", tile, vdk_dtype_name(dt));
    VT_CHECK(!strcmp(vdk_last_kernel(vk), want), "kernel %s, expected %s", vdk_last_kernel(vk),
             want);
}

#define ST(a, b, c) .stride = {a, b, c}
#define PD(a, b, c) .padding = {a, b, c}
/* For the tiles the shapes above do not pick (VDK_VK_GEMM_TILE): output positions
 * and Cout past one tile and not multiples of it, Cin over several K-steps and
 * below one, the temporal, strided spatial and full 3x3x3 kernels, view and in
 * place. */
static const cpu_case vk_tile_cases[] = {
    {{1, 5, 6, 7, 37}, 130, {3, 1, 1}, {PD(1, 0, 0), .act = VDK_ACT_SILU}, true, true, false, true},
    {{2, 2, 13, 11, 6}, 133, {1, 3, 3}, {ST(1, 2, 1), PD(0, 1, 1), .act = VDK_ACT_GELU},
     true, false, true, false},
    {{1, 4, 5, 7, 3}, 5, {3, 3, 3}, {ST(2, 1, 2), PD(1, 2, 1)}, false, true, false, true},
};
#undef ST
#undef PD

static void test_vulkan(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++)
        for (size_t i = 0; i < sizeof cpu_cases / sizeof *cpu_cases; i++)
            vk_case(vk, dtypes[d], &cpu_cases[i], 400 + 10 * i, "64x64");
    /* Each case on each forced tile, in one dtype per case (rotating), so that every
     * tile meets every dtype. */
    const char *const forced[3] = {"128x128", "128x64", "64x64.8x4"};
    for (int t = 0; t < 3; t++) {
        setenv("VDK_VK_GEMM_TILE", forced[t], 1);
        for (size_t i = 0; i < sizeof vk_tile_cases / sizeof *vk_tile_cases; i++)
            vk_case(vk, dtypes[(i + (size_t)t) % 3], &vk_tile_cases[i], 600 + 10 * i, forced[t]);
    }
    unsetenv("VDK_VK_GEMM_TILE");
    views(vk);
    VT_STATUS(vk, vdk_sync(vk), VDK_OK);
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_identity_kernels();
    test_first_tap_shifts();
    test_linearity();
    test_zero_padding();
    test_stride_samples_stride_one();
    test_epilogue_and_in_place_residual();
    test_dtypes();
    test_views();
    test_bad_input();
    test_cpu();
    test_vulkan();
    vdk_context_destroy(ctx);
    return vt_finish("test_conv3d");
}
