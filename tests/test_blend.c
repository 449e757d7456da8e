/* vdk_blend: golden vectors from diffusers' AlphaBlender formula, properties,
 * dtypes, views, in place and bad input. */
#include "vdk_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static vdk_context *ctx;

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("blend");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_blend_params p = {
            .alpha = (float)vt_golden_param(c, "alpha"),
            .sigmoid = (int)vt_golden_param(c, "sigmoid"),
        };
        vdk_tensor *a = vt_golden_make(ctx, c, "a", VDK_F64);
        vdk_tensor *b = vt_golden_make(ctx, c, "b", VDK_F64);
        vdk_tensor *alpha = vt_golden_make(ctx, c, "alpha", VDK_F64);
        vt_guarded y = vt_golden_output(ctx, c, "y");
        VT_STATUS(ctx, vdk_blend(ctx, &p, a, b, alpha, y.view), VDK_OK);
        VT_GOLDEN_CHECK(&y, c, "y", VT_GOLDEN_BOUND);
        VT_DESTROY(a, b, alpha);
    }
    vt_golden_free(&f);
}

static const int64_t shape[5] = {2, 3, 4, 5, 6};

/* y = blend(a, b) with the given parameters and alpha tensor (or NULL), read back. */
static double *blend(const vdk_tensor *a, const vdk_tensor *b, const vdk_tensor *alpha,
                     vdk_blend_params p)
{
    vdk_tensor *y = vt_tensor(ctx, VDK_F64, 5, shape);
    vt_poison(y);
    VT_STATUS(ctx, vdk_blend(ctx, &p, a, b, alpha, y), VDK_OK);
    double *v = vt_read(y);
    vdk_tensor_destroy(y);
    return v;
}

static vdk_tensor *scalar_tensor(double v)
{
    const int64_t one = 1;
    vdk_tensor *t = vt_tensor(ctx, VDK_F64, 1, &one);
    vt_fill(t, &v);
    return t;
}

/* alpha 1 gives a and alpha 0 gives b, exactly; sigmoid(0) = 1/2 gives the mean;
 * a scalar parameter and a [1] tensor agree; saturated logits pick a or b. */
static void test_endpoints_and_mean(void)
{
    vdk_tensor *a = vt_random(ctx, VDK_F64, 5, shape, 701, -3, 3);
    vdk_tensor *b = vt_random(ctx, VDK_F64, 5, shape, 702, -3, 3);
    const int64_t n = vdk_tensor_numel(a);
    double *av = vt_read(a), *bv = vt_read(b), *mean = malloc((size_t)n * sizeof *mean);
    for (int64_t i = 0; i < n; i++)
        mean[i] = (av[i] + bv[i]) * 0.5;

    double *y = blend(a, b, NULL, (vdk_blend_params){.alpha = 1});
    VT_CHECK(vt_error_ok(vt_compare(y, av, n), 0), "alpha 1 does not give a");
    free(y);
    y = blend(a, b, NULL, (vdk_blend_params){.alpha = 0});
    VT_CHECK(vt_error_ok(vt_compare(y, bv, n), 0), "alpha 0 does not give b");
    free(y);

    vdk_tensor *zero = scalar_tensor(0), *big = scalar_tensor(40), *small = scalar_tensor(-40),
               *third = scalar_tensor(0.3f);
    y = blend(a, b, zero, (vdk_blend_params){.sigmoid = 1});
    VT_CHECK(vt_error_ok(vt_compare(y, mean, n), 0), "sigmoid(0) does not give the mean");
    free(y);
    y = blend(a, b, big, (vdk_blend_params){.sigmoid = 1});
    VT_CHECK(vt_error_ok(vt_compare(y, av, n), 1e-30), "sigmoid(40) does not give a");
    free(y);
    y = blend(a, b, small, (vdk_blend_params){.sigmoid = 1});
    VT_CHECK(vt_error_ok(vt_compare(y, bv, n), 1e-30), "sigmoid(-40) does not give b");
    free(y);
    double *ys = blend(a, b, NULL, (vdk_blend_params){.alpha = 0.3f});
    double *yt = blend(a, b, third, (vdk_blend_params){.alpha = 0.9f});
    VT_CHECK(vt_error_ok(vt_compare(ys, yt, n), 0),
             "p->alpha 0.3 and a [1] tensor holding 0.3 differ (or p->alpha was read)");
    free(ys);
    free(yt);

    free(av);
    free(bv);
    free(mean);
    VT_DESTROY(a, b, zero, big, small, third);
}

/* A per-frame logit m [N, T, 1, 1, 1] through the sigmoid blends each frame
 * (n, t) as a blend of that frame's slices with one alpha, sigmoid(m[n, t]),
 * would. */
static void test_per_frame_is_per_frame_scalar(void)
{
    const int64_t N = shape[0], T = shape[1], ashape[5] = {N, T, 1, 1, 1};
    vdk_tensor *a = vt_random(ctx, VDK_F64, 5, shape, 711, -3, 3);
    vdk_tensor *b = vt_random(ctx, VDK_F64, 5, shape, 712, -3, 3);
    vdk_tensor *m = vt_random(ctx, VDK_F64, 5, ashape, 713, -4, 4);
    vdk_tensor *y = vt_tensor(ctx, VDK_F64, 5, shape), *z = vt_tensor(ctx, VDK_F64, 5, shape);
    VT_STATUS(ctx, vdk_blend(ctx, &(vdk_blend_params){.sigmoid = 1}, a, b, m, y), VDK_OK);
    double *mv = vt_read(m);
    for (int64_t n = 0; n < N; n++)
        for (int64_t t = 0; t < T; t++) {
            vdk_tensor *an, *bn, *zn, *ant, *bnt, *znt;
            vdk_tensor_slice(a, 0, n, 1, &an);
            vdk_tensor_slice(b, 0, n, 1, &bn);
            vdk_tensor_slice(z, 0, n, 1, &zn);
            vdk_tensor_slice(an, 1, t, 1, &ant);
            vdk_tensor_slice(bn, 1, t, 1, &bnt);
            vdk_tensor_slice(zn, 1, t, 1, &znt);
            /* a [1] tensor rather than p->alpha, which would round alpha to float */
            vdk_tensor *w = scalar_tensor(1.0 / (1.0 + exp(-mv[n * T + t])));
            VT_STATUS(ctx, vdk_blend(ctx, &(vdk_blend_params){0}, ant, bnt, w, znt), VDK_OK);
            VT_DESTROY(an, bn, zn, ant, bnt, znt, w);
        }
    double *want = vt_read(z);
    vt_error e = vt_compare_tensor(y, want);
    VT_CHECK(vt_error_ok(e, 1e-28), "per-frame alpha differs from per-frame blends: %.3g",
             e.norm_err);
    free(mv);
    free(want);
    VT_DESTROY(a, b, m, y, z);
}

/* f32, f16 and bf16 storage against the f64 oracle on the same (rounded) inputs. */
static void test_dtypes(void)
{
    const int64_t ashape[5] = {2, 3, 1, 1, 1};
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++)
        for (int sig = 0; sig < 2; sig++) {
            vdk_dtype dt = dtypes[d];
            vdk_blend_params p = {.sigmoid = sig};
            vdk_tensor *a = vt_random(ctx, dt, 5, shape, 721, -4, 4);
            vdk_tensor *b = vt_random(ctx, dt, 5, shape, 722, -4, 4);
            vdk_tensor *al = vt_random(ctx, dt, 5, ashape, 723, sig ? -3 : 0, sig ? 3 : 1);
            vdk_tensor *a64 = vt_copy_as(ctx, VDK_F64, a), *b64 = vt_copy_as(ctx, VDK_F64, b),
                       *al64 = vt_copy_as(ctx, VDK_F64, al);
            vdk_tensor *y64 = vt_tensor(ctx, VDK_F64, 5, shape);
            VT_STATUS(ctx, vdk_blend(ctx, &p, a64, b64, al64, y64), VDK_OK);
            vt_guarded y = vt_guarded_tensor(ctx, dt, 5, shape);
            VT_STATUS(ctx, vdk_blend(ctx, &p, a, b, al, y.view), VDK_OK);
            VT_ORACLE_CHECK(&y, y64, vt_tolerance(dt, 1, 0), "%s sigmoid=%d", vdk_dtype_name(dt),
                            sig);
            VT_DESTROY(a, b, al, a64, b64, al64, y64);
        }
}

/* Strided views as a, b and alpha, and in place on either input, match the
 * dense result; nothing outside the views moves. */
static void test_views_and_in_place(void)
{
    const int64_t wide[5] = {1, 2, 3, 2, 13}, vshape[5] = {1, 2, 3, 2, 5};
    const int64_t awide[5] = {1, 2, 1, 1, 4};
    for (int target = 0; target < 2; target++) { /* in place on a, then on b */
        vdk_blend_params p = {.sigmoid = 1};
        vdk_tensor *big = vt_random(ctx, VDK_F32, 5, wide, 731, -2, 2);
        vdk_tensor *abig = vt_random(ctx, VDK_F32, 5, awide, 732, -2, 2);
        vdk_tensor *av, *bv, *alv;
        VT_STATUS(ctx, vdk_tensor_slice(big, 4, 0, 5, &av), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(big, 4, 7, 5, &bv), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(abig, 4, 2, 1, &alv), VDK_OK);
        double *before = vt_read(big);
        vdk_tensor *ad = vt_copy_as(ctx, VDK_F32, av), *bd = vt_copy_as(ctx, VDK_F32, bv),
                   *ald = vt_copy_as(ctx, VDK_F32, alv), *yd = vt_tensor(ctx, VDK_F32, 5, vshape),
                   *ys = vt_tensor(ctx, VDK_F32, 5, vshape);
        VT_STATUS(ctx, vdk_blend(ctx, &p, ad, bd, ald, yd), VDK_OK);
        double *want = vt_read(yd);
        VT_STATUS(ctx, vdk_blend(ctx, &p, av, bv, alv, ys), VDK_OK);
        VT_CHECK(vt_error_ok(vt_compare_tensor(ys, want), 0), "strided inputs differ");
        vdk_tensor *out = target ? bv : av;
        VT_STATUS(ctx, vdk_blend(ctx, &p, av, bv, alv, out), VDK_OK);
        VT_CHECK(vt_error_ok(vt_compare_tensor(out, want), 0), "in place on %s differs",
                 target ? "b" : "a");
        int64_t outside = vt_changed_outside(big, before, target ? 7 : 0, 5);
        VT_CHECK(outside == 0, "%lld elements outside y changed", (long long)outside);
        free(before);
        free(want);
        VT_DESTROY(av, bv, alv, big, abig, ad, bd, ald, yd, ys);
    }
}

static void test_bad_input(void)
{
    const int64_t sh[4] = {2, 3, 4, 8}, ash[4] = {2, 3, 1, 1}, a5[5] = {1, 2, 3, 1, 1},
                  bad_a[2] = {4, 3}, other[4] = {2, 3, 4, 9}, s3[3] = {6, 4, 8};
    vdk_tensor *a = vt_random(ctx, VDK_F32, 4, sh, 741, -1, 1);
    vdk_tensor *b = vt_random(ctx, VDK_F32, 4, sh, 742, -1, 1);
    vdk_tensor *al = vt_random(ctx, VDK_F32, 4, ash, 743, -1, 1);
    vdk_tensor *y = vt_random(ctx, VDK_F32, 4, sh, 744, -1, 1);
    vdk_tensor *al_rank = vt_random(ctx, VDK_F32, 5, a5, 745, -1, 1);
    vdk_tensor *al_bad = vt_random(ctx, VDK_F32, 2, bad_a, 746, -1, 1);
    vdk_tensor *b16 = vt_random(ctx, VDK_F16, 4, sh, 747, -1, 1);
    vdk_tensor *al16 = vt_random(ctx, VDK_F16, 4, ash, 748, -1, 1);
    vdk_tensor *y16 = vt_random(ctx, VDK_F16, 4, sh, 749, -1, 1);
    vdk_tensor *t_shape = vt_random(ctx, VDK_F32, 4, other, 750, -1, 1);
    vdk_tensor *t_rank = vt_random(ctx, VDK_F32, 3, s3, 751, -1, 1);
    const int64_t total = vdk_tensor_numel(a) + 8;
    vdk_tensor *big = vt_random(ctx, VDK_F32, 1, &total, 752, -1, 1);
    vdk_tensor *y_part = vt_view_at(big, 0, 4, sh), *x_part = vt_view_at(big, 8, 4, sh);
    vdk_tensor *al_in_y = NULL;
    vdk_tensor_slice(y, 2, 0, 1, &al_in_y); /* [2, 3, 1, 8] broadcasts, lies inside y */
    vdk_tensor *a_o = vt_random(vt_other_context(), VDK_F32, 4, sh, 753, -1, 1);
    vdk_tensor *al_o = vt_random(vt_other_context(), VDK_F32, 4, ash, 754, -1, 1);

    const vdk_blend_params good = {.alpha = 0.5f, .sigmoid = 1};
    vdk_blend_params p;
    vt_snapshots s = VT_SNAP(a, b, al, y, y16, t_shape, t_rank, big);

    VT_ERROR(NULL, vdk_blend(NULL, &good, a, b, al, y), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_blend(ctx, NULL, a, b, al, y), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, NULL, b, al, y), VDK_ERROR_NULL_POINTER, "'a'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, NULL, al, y), VDK_ERROR_NULL_POINTER, "'b'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, b, al, NULL), VDK_ERROR_NULL_POINTER, "'y'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a_o, b, al, y), VDK_ERROR_CONTEXT, "'a'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, b, al_o, y), VDK_ERROR_CONTEXT, "'alpha'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, b, al_rank, y), VDK_ERROR_RANK, "'alpha'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, b16, al, y), VDK_ERROR_DTYPE, "'b'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, b, al16, y), VDK_ERROR_DTYPE, "'alpha'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, b, al, y16), VDK_ERROR_DTYPE, "'y'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, b, NULL, y), VDK_ERROR_INVALID_VALUE, "p->sigmoid");
    p = good, p.sigmoid = 0, p.alpha = NAN;
    VT_ERROR(ctx, vdk_blend(ctx, &p, a, b, NULL, y), VDK_ERROR_INVALID_VALUE, "p->alpha");
    p = good, p.sigmoid = 0, p.alpha = INFINITY;
    VT_ERROR(ctx, vdk_blend(ctx, &p, a, b, NULL, y), VDK_ERROR_INVALID_VALUE, "p->alpha");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, t_shape, al, y), VDK_ERROR_SHAPE, "'b'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, t_rank, al, y), VDK_ERROR_RANK, "'b'");
    if (VT_ERROR(ctx, vdk_blend(ctx, &good, a, b, al_bad, y), VDK_ERROR_SHAPE, "'alpha'")) {
        const char *m = vdk_last_error(ctx);
        VT_CHECK(strstr(m, "[4, 3]") && strstr(m, "[2, 3, 4, 8]"),
                 "broadcast message lacks both shapes: %s", m);
    }
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, b, al, t_shape), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, b, al, t_rank), VDK_ERROR_RANK, "'y'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, x_part, b, al, y_part), VDK_ERROR_ALIAS, "'a'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, x_part, al, y_part), VDK_ERROR_ALIAS, "'b'");
    VT_ERROR(ctx, vdk_blend(ctx, &good, a, b, al_in_y, y), VDK_ERROR_ALIAS, "'alpha'");
    VT_CHECK(vt_all_unchanged(&s), "a failed call changed a tensor");

    /* With an alpha tensor, p->alpha is not read; in place on a, on b, on both. */
    p = good, p.alpha = NAN;
    VT_STATUS(ctx, vdk_blend(ctx, &p, a, b, al, y), VDK_OK);
    VT_STATUS(ctx, vdk_blend(ctx, &good, y, b, al, y), VDK_OK);
    VT_STATUS(ctx, vdk_blend(ctx, &good, a, y, al, y), VDK_OK);
    p = good, p.sigmoid = 0;
    VT_STATUS(ctx, vdk_blend(ctx, &p, y, y, NULL, y), VDK_OK);

    VT_DESTROY(a, b, al, y, al_rank, al_bad, b16, al16, y16, t_shape, t_rank, big, y_part, x_part,
               al_in_y, a_o, al_o);
}

/* ---- the CPU backend: every tier, f32, f16 and bf16, against the f64 reference
 * run on the same rounded inputs ---- */

static const vdk_dtype cpu_dtypes[3] = {VDK_F32, VDK_F16, VDK_BF16};

/* A tensor of `shape` on c, uniform in [lo, hi): dense, or (strided) columns
 * [3, 3 + C) of a wider random tensor `big`, whose other columns must survive
 * every call. */
typedef struct operand {
    vdk_tensor *t, *big;
    double *before; /* big's values before the call */
} operand;

static operand cpu_operand(vdk_context *c, vdk_dtype dt, int rank, const int64_t *shape,
                           bool strided, uint64_t seed, double lo, double hi)
{
    operand o = {0};
    if (!strided) {
        o.t = vt_random(c, dt, rank, shape, seed, lo, hi);
        return o;
    }
    int64_t wide[VDK_MAX_RANK];
    memcpy(wide, shape, (size_t)rank * sizeof *wide);
    wide[rank - 1] += 5;
    o.big = vt_random(c, dt, rank, wide, seed, lo, hi);
    if (vdk_tensor_slice(o.big, rank - 1, 3, shape[rank - 1], &o.t) != VDK_OK)
        vt_fatal("slice: %s", vdk_last_error(c));
    o.before = vt_read(o.big);
    return o;
}

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
    if (!rank)
        return snprintf(buf, size, "none"), buf;
    int used = snprintf(buf, size, "[");
    for (int i = 0; i < rank; i++)
        used +=
            snprintf(buf + used, size - (size_t)used, i ? ",%lld" : "%lld", (long long)shape[i]);
    snprintf(buf + used, size - (size_t)used, "]");
    return buf;
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

/* How y is given: a guarded dense tensor, a strided view, a itself or b itself. */
enum { OUT_DENSE, OUT_STRIDED, OUT_IS_A, OUT_IS_B, OUT_COUNT };
static const char *const out_names[OUT_COUNT] = {"dense", "strided", "y = a", "y = b"};

/* One call on the target against the oracle; alrank 0: no alpha tensor
 * (p->alpha). Non-dense calls take strided a, b and alpha too. `alpha_values`,
 * when given, overwrites the alpha tensor. */
static void cpu_case(const target *tg, vdk_dtype dt, vdk_blend_params p, int rank,
                     const int64_t *shape, int alrank, const int64_t *alshape,
                     const double *alpha_values, int out, uint64_t seed)
{
    vdk_context *c = tg->c;
    char label[256], sa[64], sal[64], kname[64];
    snprintf(label, sizeof label, "%s %s a%s alpha %s (p %g, sigmoid %d) %s", tg->name,
             vdk_dtype_name(dt), fmt_shape(sa, sizeof sa, rank, shape),
             fmt_shape(sal, sizeof sal, alrank, alshape), (double)p.alpha, p.sigmoid,
             out_names[out]);
    snprintf(kname, sizeof kname, "%s.blend.%s", tg->kernel, vdk_dtype_name(dt));
    const bool strided = out != OUT_DENSE;
    operand a = cpu_operand(c, dt, rank, shape, strided, seed, -4, 4);
    operand b = cpu_operand(c, dt, rank, shape, strided, seed + 1, -4, 4);
    operand al = {0};
    if (alrank) {
        al = cpu_operand(c, dt, alrank, alshape, strided, seed + 2, p.sigmoid ? -6 : 0,
                         p.sigmoid ? 6 : 1);
        if (alpha_values)
            VT_STATUS(c, vdk_tensor_write(al.t, VDK_F64, alpha_values, vdk_tensor_numel(al.t)),
                      VDK_OK);
    }
    vdk_tensor *a64 = vt_copy_as(ctx, VDK_F64, a.t), *b64 = vt_copy_as(ctx, VDK_F64, b.t),
               *al64 = vt_copy_as(ctx, VDK_F64, al.t), *y64 = vt_tensor(ctx, VDK_F64, rank, shape);
    VT_STATUS(ctx, vdk_blend(ctx, &p, a64, b64, al64, y64), VDK_OK);
    const double bound = vt_tolerance(dt, 1, 0);
    if (out == OUT_DENSE) {
        vt_guarded y = vt_guarded_tensor(c, dt, rank, shape);
        VT_STATUS(c, vdk_blend(c, &p, a.t, b.t, al.t, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, bound, "%s", label);
    } else {
        operand y = out == OUT_STRIDED ? cpu_operand(c, dt, rank, shape, true, seed + 3, -4, 4)
                    : out == OUT_IS_A  ? a
                                       : b;
        if (out == OUT_STRIDED)
            vt_poison(y.t);
        VT_STATUS(c, vdk_blend(c, &p, a.t, b.t, al.t, y.t), VDK_OK);
        double *want = vt_read(y64);
        vt_error e = vt_compare_tensor(y.t, want);
        VT_CHECK(vt_error_ok(e, bound), "%s: norm_err %.3g max_abs %.3g bad %lld", label,
                 e.norm_err, e.max_abs, (long long)e.bad);
        VT_CHECK(cpu_outside(&y) == 0, "%s: elements outside y's view changed", label);
        free(want);
        if (out == OUT_STRIDED)
            cpu_free(&y);
    }
    VT_CHECK(cpu_outside(&a) + cpu_outside(&b) + cpu_outside(&al) == 0,
             "%s: an input changed outside its view", label);
    VT_CHECK(!strcmp(vdk_last_kernel(c), kname), "%s: kernel %s, expected %s", label,
             vdk_last_kernel(c), kname);
    cpu_free(&a);
    cpu_free(&b);
    cpu_free(&al);
    VT_DESTROY(a64, b64, al64, y64);
}

/* Every pattern of the alpha tensor over a 5-D a (each axis 1 or a's size, and
 * every lower rank), with and without the sigmoid, and p->alpha alone, with
 * sizes that are no multiple of any vector width, for every dtype, tier and
 * way of giving y. */
static void patterns(const target *tg)
{
    const int64_t a[5] = {2, 3, 4, 5, 11};
    const float given[] = {0.3f, 0.0f, 1.0f, -0.25f, 1.5f};
    for (int d = 0; d < 3; d++)
        for (int out = 0; out < OUT_COUNT; out++) {
            for (size_t k = 0; k < sizeof given / sizeof *given; k++)
                cpu_case(tg, cpu_dtypes[d], (vdk_blend_params){.alpha = given[k]}, 5, a,
                         0, NULL, NULL, out, 2000 + k);
            for (int sig = 0; sig < 2; sig++) {
                const vdk_blend_params p = {.sigmoid = sig};
                for (int mask = 0; mask < 32; mask++) { /* bit k: alpha has a's size on k */
                    int64_t al[5];
                    for (int k = 0; k < 5; k++)
                        al[k] = mask >> k & 1 ? a[k] : 1;
                    cpu_case(tg, cpu_dtypes[d], p, 5, a, 5, al, NULL, out,
                             2100 + (uint64_t)mask);
                }
                for (int r = 1; r < 5; r++)
                    cpu_case(tg, cpu_dtypes[d], p, 5, a, r, a + 5 - r, NULL, out,
                             2200 + (uint64_t)r);
            }
        }
}

/* Edge and large shapes, and logits far into both tails of the sigmoid (and
 * past vf_exp's cut-offs), per element and per run. */
static void shapes(const target *tg)
{
    static const struct {
        int rank, alrank;
        int64_t a[5], al[5];
    } cases[] = {
        {1, 1, {1}, {1}},
        {1, 1, {37}, {37}},
        {3, 2, {4, 5, 1}, {5, 1}},
        {2, 2, {3, 17}, {3, 1}},
        {5, 5, {2, 4, 16, 16, 96}, {2, 4, 1, 1, 1}}, /* a per-frame weight */
        {5, 1, {2, 4, 16, 16, 96}, {1}},             /* one learned scalar */
        {5, 5, {3, 5, 13, 17, 67}, {3, 5, 13, 17, 67}},
    };
    for (int d = 0; d < 3; d++)
        for (int out = 0; out < OUT_COUNT; out++) {
            for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
                cpu_case(tg, cpu_dtypes[d], (vdk_blend_params){.sigmoid = (int)(k % 2)},
                         cases[k].rank, cases[k].a, cases[k].alrank, cases[k].al, NULL, out,
                         2300 + k);
            cpu_case(tg, cpu_dtypes[d], (vdk_blend_params){.alpha = 0.625f}, 5,
                     cases[4].a, 0, NULL, NULL, out, 2400);
            static const double logits[11] = {-1e4, -200, -100, -88.5, -87, -30,
                                              0,    30,   88.5, 200,   1e4};
            const int64_t row[2] = {11, 9}, one[2] = {11, 1};
            for (int per_run = 0; per_run < 2; per_run++) {
                double v[99];
                for (int i = 0; i < 99; i++)
                    v[i] = logits[i % 11];
                cpu_case(tg, cpu_dtypes[d], (vdk_blend_params){.sigmoid = 1}, 2, row, 2,
                         per_run ? one : row, v, out, 2500);
            }
        }
}

static void test_cpu_patterns(const vt_tiers *tiers)
{
    for (int ti = 0; ti < tiers->n; ti++) {
        const target tg = tier_target(tiers, ti);
        patterns(&tg);
    }
}

static void test_cpu_shapes(const vt_tiers *tiers)
{
    for (int ti = 0; ti < tiers->n; ti++) {
        const target tg = tier_target(tiers, ti);
        shapes(&tg);
    }
}

/* The Vulkan backend on the CPU tiers' cases: every alpha pattern, edge and
 * large shapes, sigmoid tails, dense, strided and in place, when a Vulkan
 * device is here. */
static void test_vulkan(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    const target tg = {.c = vk, .name = "vulkan", .kernel = "vulkan"};
    patterns(&tg);
    shapes(&tg);
    VT_STATUS(vk, vdk_sync(vk), VDK_OK);
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_endpoints_and_mean();
    test_per_frame_is_per_frame_scalar();
    test_dtypes();
    test_views_and_in_place();
    test_bad_input();
    test_cpu_patterns(vt_cpu_tiers());
    test_cpu_patterns(vt_cpu_stream_tiers());
    test_cpu_shapes(vt_cpu_tiers());
    test_cpu_shapes(vt_cpu_stream_tiers());
    test_vulkan();
    vdk_context_destroy(ctx);
    return vt_finish("test_blend");
}
