/* vdk_group_norm: golden vectors from PyTorch, properties, dtypes, views and bad input. */
#include "vdk_test.h"
#include "vt_views.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static vdk_context *ctx;

static vdk_group_norm_params golden_params(const vt_golden_case *c)
{
    return (vdk_group_norm_params){
        .groups = (int)vt_golden_param(c, "groups"),
        .eps = (float)vt_golden_param(c, "eps"),
        .scope = (vdk_norm_scope)vt_golden_param(c, "scope"),
        .act = (vdk_activation)vt_golden_param(c, "act"),
    };
}

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("group_norm");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_group_norm_params p = golden_params(c);
        vdk_tensor *x = vt_golden_make(ctx, c, "x", VDK_F64);
        vdk_tensor *gamma = vt_golden_make(ctx, c, "gamma", VDK_F64);
        vdk_tensor *beta = vt_golden_make(ctx, c, "beta", VDK_F64);
        vt_guarded y = vt_golden_output(ctx, c, "y");
        VT_STATUS(ctx, vdk_group_norm(ctx, &p, x, gamma, beta, y.view), VDK_OK);
        VT_GOLDEN_CHECK(&y, c, "y", VT_GOLDEN_BOUND);
        VT_DESTROY(x, gamma, beta);
    }
    vt_golden_free(&f);
}

/* Without affine or activation, every group of the output has mean 0 and
 * variance var / (var + eps) (1 up to eps), whatever the input's offset and scale. */
static void test_normalised_groups(vdk_norm_scope scope)
{
    const int64_t shape[5] = {2, 3, 4, 3, 12};
    const int G = 4;
    const double eps = 1e-5;
    vdk_tensor *x = vt_random(ctx, VDK_F64, 5, shape, 77 + scope, -3.0, 9.0);
    vdk_tensor *y = vt_tensor(ctx, VDK_F64, 5, shape);
    vdk_group_norm_params p = {.groups = G, .eps = (float)eps, .scope = scope};
    VT_STATUS(ctx, vdk_group_norm(ctx, &p, x, NULL, NULL, y), VDK_OK);
    double *xv = vt_read(x), *yv = vt_read(y);
    const int64_t N = shape[0], T = shape[1], HW = shape[2] * shape[3], C = shape[4], Cg = C / G;
    const int64_t F = scope == VDK_NORM_PER_CLIP ? T : 1;
    double worst_mean = 0, worst_var = 0;
    for (int64_t n = 0; n < N; n++)
        for (int64_t t0 = 0; t0 < T; t0 += F)
            for (int64_t g = 0; g < G; g++) {
                double xs = 0, xq = 0, ys = 0, yq = 0, cnt = (double)(F * HW * Cg);
                for (int64_t t = t0; t < t0 + F; t++)
                    for (int64_t s = 0; s < HW; s++)
                        for (int64_t c = g * Cg; c < (g + 1) * Cg; c++) {
                            int64_t i = ((n * T + t) * HW + s) * C + c;
                            xs += xv[i];
                            ys += yv[i];
                        }
                for (int64_t t = t0; t < t0 + F; t++)
                    for (int64_t s = 0; s < HW; s++)
                        for (int64_t c = g * Cg; c < (g + 1) * Cg; c++) {
                            int64_t i = ((n * T + t) * HW + s) * C + c;
                            xq += (xv[i] - xs / cnt) * (xv[i] - xs / cnt);
                            yq += (yv[i] - ys / cnt) * (yv[i] - ys / cnt);
                        }
                double var = xq / cnt, expect = var / (var + eps);
                worst_mean = fmax(worst_mean, fabs(ys / cnt));
                worst_var = fmax(worst_var, fabs(yq / cnt - expect));
            }
    VT_CHECK(worst_mean < 1e-12, "scope %d: group mean off zero by %.3g", scope, worst_mean);
    VT_CHECK(worst_var < 1e-12, "scope %d: group variance off var/(var+eps) by %.3g", scope,
             worst_var);
    free(xv);
    free(yv);
    vdk_tensor_destroy(x);
    vdk_tensor_destroy(y);
}

/* With one frame the two scopes cover the same elements. */
static void test_scopes_agree_for_one_frame(void)
{
    const int64_t shape[5] = {2, 1, 3, 5, 8};
    vdk_tensor *x = vt_random(ctx, VDK_F64, 5, shape, 5, -1, 1);
    vdk_tensor *a = vt_tensor(ctx, VDK_F64, 5, shape), *b = vt_tensor(ctx, VDK_F64, 5, shape);
    vdk_group_norm_params p = {.groups = 2, .eps = 1e-5f, .act = VDK_ACT_SILU};
    VT_STATUS(ctx, vdk_group_norm(ctx, &p, x, NULL, NULL, a), VDK_OK);
    p.scope = VDK_NORM_PER_CLIP;
    VT_STATUS(ctx, vdk_group_norm(ctx, &p, x, NULL, NULL, b), VDK_OK);
    double *bv = vt_read(b);
    vt_error e = vt_compare_tensor(a, bv);
    VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "T=1 scopes differ: %.3g", e.norm_err);
    free(bv);
    VT_DESTROY(x, a, b);
}

/* The fused SiLU equals SiLU applied to the normalised output, and the per-channel
 * affine step is exactly gamma * n + beta. */
static void test_fused_affine_silu(void)
{
    const int64_t shape[5] = {1, 2, 3, 3, 6}, C = 6;
    vdk_tensor *x = vt_random(ctx, VDK_F64, 5, shape, 11, -2, 2);
    vdk_tensor *gamma = vt_random(ctx, VDK_F64, 1, &C, 12, 0.5, 1.5);
    vdk_tensor *beta = vt_random(ctx, VDK_F64, 1, &C, 13, -0.5, 0.5);
    vdk_tensor *plain = vt_tensor(ctx, VDK_F64, 5, shape), *fused = vt_tensor(ctx, VDK_F64, 5, shape);
    vdk_group_norm_params p = {.groups = 3, .eps = 1e-6f, .scope = VDK_NORM_PER_CLIP};
    VT_STATUS(ctx, vdk_group_norm(ctx, &p, x, NULL, NULL, plain), VDK_OK);
    p.act = VDK_ACT_SILU;
    VT_STATUS(ctx, vdk_group_norm(ctx, &p, x, gamma, beta, fused), VDK_OK);
    double *n = vt_read(plain), *g = vt_read(gamma), *b = vt_read(beta);
    int64_t total = vdk_tensor_numel(x);
    double *want = malloc((size_t)total * sizeof *want);
    for (int64_t i = 0; i < total; i++) {
        double v = n[i] * g[i % C] + b[i % C];
        want[i] = v / (1 + exp(-v));
    }
    vt_error e = vt_compare_tensor(fused, want);
    VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "affine+SiLU: %.3g", e.norm_err);
    free(n);
    free(g);
    free(b);
    free(want);
    VT_DESTROY(x, gamma, beta, plain, fused);
}

/* f32, f16 and bf16 storage against the f64 oracle on the same (rounded) inputs. */
static void test_dtypes(void)
{
    const int64_t shape[5] = {1, 3, 5, 7, 16}, C = 16; /* prime H and W */
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++) {
        vdk_dtype dt = dtypes[d];
        vdk_tensor *x = vt_random(ctx, dt, 5, shape, 21, -2, 2);
        vdk_tensor *gamma = vt_random(ctx, dt, 1, &C, 22, 0.5, 1.5);
        vdk_tensor *beta = vt_random(ctx, dt, 1, &C, 23, -0.5, 0.5);
        /* the oracle reads exactly the values the narrow tensors hold */
        vdk_tensor *x64 = vt_copy_as(ctx, VDK_F64, x), *g64 = vt_copy_as(ctx, VDK_F64, gamma),
                   *b64 = vt_copy_as(ctx, VDK_F64, beta), *y64 = vt_tensor(ctx, VDK_F64, 5, shape);
        vdk_group_norm_params p = {.groups = 4, .eps = 1e-5f, .act = VDK_ACT_SILU};
        VT_STATUS(ctx, vdk_group_norm(ctx, &p, x64, g64, b64, y64), VDK_OK);
        vt_guarded y = vt_guarded_tensor(ctx, dt, 5, shape);
        VT_STATUS(ctx, vdk_group_norm(ctx, &p, x, gamma, beta, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, vt_tolerance(dt, 3 * 5 * 7 * 4, 0), "%s", vdk_dtype_name(dt));
        VT_DESTROY(x, gamma, beta, x64, g64, b64, y64);
    }
}

/* A strided view (channels sliced out of a wider tensor) and in-place operation
 * give the same result as a dense copy. */
static void test_views_and_in_place(void)
{
    const int64_t wide[5] = {1, 2, 3, 4, 20}, shape[5] = {1, 2, 3, 4, 8};
    vdk_tensor *big = vt_random(ctx, VDK_F32, 5, wide, 31, -1, 1);
    vdk_tensor *view = NULL;
    VT_STATUS(ctx, vdk_tensor_slice(big, 4, 5, 8, &view), VDK_OK);
    vdk_tensor *dense = vt_copy_as(ctx, VDK_F32, view), *a = vt_tensor(ctx, VDK_F32, 5, shape);
    vdk_group_norm_params p = {.groups = 2, .eps = 1e-5f, .scope = VDK_NORM_PER_CLIP};
    VT_STATUS(ctx, vdk_group_norm(ctx, &p, dense, NULL, NULL, a), VDK_OK);
    double *want = vt_read(a);
    VT_STATUS(ctx, vdk_group_norm(ctx, &p, view, NULL, NULL, view), VDK_OK); /* strided, in place */
    vt_error e = vt_compare_tensor(view, want);
    VT_CHECK(vt_error_ok(e, 0), "strided in-place view differs: %.3g", e.norm_err);
    /* the channels outside the view are untouched */
    vdk_tensor *fresh = vt_random(ctx, VDK_F32, 5, wide, 31, -1, 1);
    double *before_all = vt_read(fresh);
    int64_t outside_changed = vt_changed_outside(big, before_all, 5, 8);
    VT_CHECK(outside_changed == 0, "%lld elements outside the view changed", (long long)outside_changed);
    free(want);
    free(before_all);
    VT_DESTROY(fresh, view, big, dense, a);
}

/* ---- the CPU tiers against the f64 reference ----
 * Every tier, in f32, f16 and bf16, on the oracle's rounded inputs: odd
 * channel counts per group (C = 12, G = 4; C = 30, G = 10), one channel per
 * group, C not a multiple of any vector width, T = 1, prime H*W, both scopes,
 * gamma/beta absent and present, SiLU, in place, strided views (a channel slice,
 * and a W slice whose pixels are not evenly spaced), inputs at 1000 +- 10 for
 * the variance, and shapes large enough that 3 threads split them: whole frames
 * per thread plus leftover frames split by rows, a clip split by rows, a thread
 * left without rows. */

typedef enum gn_layout {
    GN_DENSE,          /* y a fresh guarded tensor */
    GN_STRIDED,        /* x a channel slice of a wider tensor, y a W slice of another */
    GN_IN_PLACE,       /* y is x, dense */
    GN_IN_PLACE_W_CUT, /* y is x, a W slice */
} gn_layout;

typedef struct gn_case {
    int64_t shape[5];
    int groups;
    vdk_norm_scope scope;
    vdk_activation act;
    bool gamma, beta;
    double lo, hi;
    gn_layout layout;
} gn_case;

#define FRAME VDK_NORM_PER_FRAME
#define CLIP VDK_NORM_PER_CLIP
#define SILU VDK_ACT_SILU
#define NONE VDK_ACT_NONE
static const gn_case gn_cases[] = {
    {{1, 3, 5, 7, 16}, 4, FRAME, SILU, true, true, -2, 2, GN_DENSE},
    {{2, 3, 4, 3, 12}, 4, CLIP, NONE, false, false, -3, 9, GN_DENSE},
    {{1, 2, 3, 5, 30}, 10, FRAME, SILU, true, false, -2, 2, GN_STRIDED},
    {{1, 2, 3, 3, 12}, 12, CLIP, SILU, false, true, -2, 2, GN_IN_PLACE},
    {{1, 1, 1, 13, 20}, 5, FRAME, NONE, true, true, -2, 2, GN_IN_PLACE_W_CUT},
    {{1, 1, 1, 13, 20}, 5, CLIP, SILU, true, true, -2, 2, GN_STRIDED},
    {{2, 2, 2, 2, 3}, 1, FRAME, SILU, false, false, -1, 1, GN_DENSE},
    {{1, 2, 8, 8, 32}, 8, FRAME, NONE, true, true, 990, 1010, GN_DENSE},
    {{1, 2, 8, 8, 32}, 8, CLIP, SILU, false, false, 990, 1010, GN_IN_PLACE},
    {{3, 1, 3, 3, 24}, 3, CLIP, NONE, true, true, -1010, -990, GN_STRIDED},
    {{2, 2, 23, 19, 64}, 32, FRAME, SILU, true, true, -2, 2, GN_DENSE},
    {{2, 2, 23, 19, 64}, 32, CLIP, SILU, true, true, -2, 2, GN_STRIDED},
    {{1, 1, 7, 11, 1280}, 32, CLIP, NONE, true, true, -2, 2, GN_IN_PLACE},
    {{1, 5, 17, 1, 40}, 8, FRAME, SILU, true, true, -2, 2, GN_IN_PLACE_W_CUT},
    {{1, 1, 29, 31, 96}, 32, FRAME, SILU, true, true, 990, 1010, GN_DENSE},
};

static void run_case(vdk_context *c, const char *tier, vdk_dtype dt, const gn_case *k, int ci)
{
    const int64_t *shape = k->shape, C = shape[4];
    const uint64_t seed = 500 + 10 * (uint64_t)ci;
    const int x_axis = k->layout == GN_STRIDED ? 4 : k->layout == GN_IN_PLACE_W_CUT ? 3 : -1;
    vdk_tensor *xbig = NULL;
    vdk_tensor *x = vv_view(c, dt, 5, shape, x_axis, 5, 2, seed, k->lo, k->hi, &xbig);
    vdk_tensor *gamma = k->gamma ? vt_keep(vt_random(c, dt, 1, &C, seed + 1, 0.5, 1.5)) : NULL;
    vdk_tensor *beta = k->beta ? vt_keep(vt_random(c, dt, 1, &C, seed + 2, -0.5, 0.5)) : NULL;
    const vdk_group_norm_params p = {.groups = k->groups, .eps = 1e-5f, .scope = k->scope,
                                     .act = k->act};
    vdk_tensor *y64 = vt_keep(vt_tensor(ctx, VDK_F64, 5, shape));
    VT_STATUS(ctx, vdk_group_norm(ctx, &p, vt_keep(vt_copy_as(ctx, VDK_F64, x)),
                                  vt_keep(vt_copy_as(ctx, VDK_F64, gamma)),
                                  vt_keep(vt_copy_as(ctx, VDK_F64, beta)), y64), VDK_OK);
    const int64_t per_group = (k->scope == VDK_NORM_PER_CLIP ? shape[1] : 1) * shape[2] *
                              shape[3] * (C / k->groups);
    const double bound = vt_tolerance(dt, per_group, 0);
    char label[96];
    snprintf(label, sizeof label, "%s %s case %d", tier, vdk_dtype_name(dt), ci);

    if (k->layout == GN_DENSE) {
        vt_guarded y = vt_guarded_tensor(c, dt, 5, shape);
        VT_STATUS(c, vdk_group_norm(c, &p, x, gamma, beta, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, bound, "%s", label);
    } else if (k->layout == GN_STRIDED) {
        vdk_tensor *ybig = NULL;
        vdk_tensor *y = vv_view(c, dt, 5, shape, 3, 3, 1, seed + 3, -1, 1, &ybig);
        double *before = vt_read(ybig);
        vt_poison(y);
        VT_STATUS(c, vdk_group_norm(c, &p, x, gamma, beta, y), VDK_OK);
        VV_CHECK(y, y64, bound, "%s", label);
        VT_CHECK(vv_changed_outside(ybig, before, 3, 1, shape[3]) == 0,
                 "%s: elements outside the output view changed", label);
        free(before);
    } else {
        double *before = vt_read(xbig);
        VT_STATUS(c, vdk_group_norm(c, &p, x, gamma, beta, x), VDK_OK);
        VV_CHECK(x, y64, bound, "%s (in place)", label);
        if (x_axis >= 0)
            VT_CHECK(vv_changed_outside(xbig, before, x_axis, 2, shape[x_axis]) == 0,
                     "%s: elements outside the in-place view changed", label);
        free(before);
    }
    VT_CHECK(strstr(vdk_last_kernel(c), "group_norm") != NULL, "%s: kernel %s", label,
             vdk_last_kernel(c));
    vt_drop_all();
}

static void cpu_case(vdk_context *c, const char *tier, vdk_dtype dt, int ci)
{
    run_case(c, tier, dt, &gn_cases[ci], ci);
}

static void test_cpu_tiers(void)
{
    const vt_tiers *tiers = vt_cpu_tiers();
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int t = 0; t < tiers->n; t++)
        for (int d = 0; d < 3; d++)
            for (int ci = 0; ci < (int)(sizeof gn_cases / sizeof *gn_cases); ci++)
                cpu_case(tiers->ctx[t], vdk_cpu_isa_name(tiers->isa[t]), dtypes[d], ci);
}

/* The Vulkan backend on the CPU tiers' cases, plus shapes that reach its
 * other paths: a group cut by a channel-block boundary (more than 256 slots of
 * channels: C = 1030 at 2 channels a vector), several channel blocks with
 * scalar access (an odd C), and a clip of 576000 elements per group at 1000
 * +- 10, split into many chunks whose partial statistics are merged (a sum of
 * squares of uncentred values would lose the variance there). */
static const gn_case vk_cases[] = {
    {{1, 1, 3, 7, 1030}, 2, FRAME, SILU, true, true, -2, 2, GN_DENSE},
    {{1, 2, 2, 3, 777}, 7, CLIP, NONE, true, false, 990, 1010, GN_IN_PLACE},
    {{1, 25, 36, 64, 10}, 1, CLIP, NONE, true, true, 990, 1010, GN_DENSE},
};

static void test_vulkan(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    const int ncpu = (int)(sizeof gn_cases / sizeof *gn_cases);
    const int nvk = (int)(sizeof vk_cases / sizeof *vk_cases);
    for (int d = 0; d < 3; d++)
        for (int ci = 0; ci < ncpu + nvk; ci++) {
            run_case(vk, "vulkan", dtypes[d], ci < ncpu ? &gn_cases[ci] : &vk_cases[ci - ncpu],
                     ci);
            VT_CHECK(!strncmp(vdk_last_kernel(vk), "vulkan.group_norm.", 18), "kernel %s",
                     vdk_last_kernel(vk));
        }
    VT_STATUS(vk, vdk_sync(vk), VDK_OK);
}

#undef FRAME
#undef CLIP
#undef SILU
#undef NONE

static void test_bad_input(void)
{
    const int64_t shape[5] = {1, 2, 3, 3, 8}, C = 8, C7 = 7, s4[4] = {1, 2, 3, 8};
    vdk_tensor *x = vt_random(ctx, VDK_F32, 5, shape, 41, -1, 1);
    vdk_tensor *gamma = vt_random(ctx, VDK_F32, 1, &C, 42, -1, 1);
    vdk_tensor *beta = vt_random(ctx, VDK_F32, 1, &C, 43, -1, 1);
    vdk_tensor *y = vt_random(ctx, VDK_F32, 5, shape, 44, -1, 1);
    vdk_tensor *x4 = vt_random(ctx, VDK_F32, 4, s4, 45, -1, 1);
    vdk_tensor *g7 = vt_random(ctx, VDK_F32, 1, &C7, 46, -1, 1);
    vdk_tensor *y16 = vt_random(ctx, VDK_F16, 5, shape, 47, -1, 1);
    const int64_t other[5] = {1, 2, 3, 4, 8};
    vdk_tensor *y_shape = vt_random(ctx, VDK_F32, 5, other, 48, -1, 1);
    /* y_part overlaps x_in_big without being it */
    vdk_tensor *big = vt_tensor(ctx, VDK_F32, 1, (int64_t[]){vdk_tensor_numel(x) + 8});
    vdk_tensor *y_part = vt_view_at(big, 0, 5, shape), *x_in_big = vt_view_at(big, 8, 5, shape);
    vdk_tensor *x_other = vt_random(vt_other_context(), VDK_F32, 5, shape, 49, -1, 1);

    const vdk_group_norm_params good = {.groups = 4, .eps = 1e-5f, .act = VDK_ACT_SILU};
    vdk_group_norm_params p;
    vt_snapshots s = VT_SNAP(x, gamma, beta, y, y16, y_shape, big);

    VT_ERROR(NULL, vdk_group_norm(NULL, &good, x, gamma, beta, y), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_group_norm(ctx, NULL, x, gamma, beta, y), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_group_norm(ctx, &good, NULL, gamma, beta, y), VDK_ERROR_NULL_POINTER, "'x'");
    VT_ERROR(ctx, vdk_group_norm(ctx, &good, x, gamma, beta, NULL), VDK_ERROR_NULL_POINTER, "'y'");
    VT_ERROR(ctx, vdk_group_norm(ctx, &good, x4, gamma, beta, y), VDK_ERROR_RANK, "'x'");
    VT_ERROR(ctx, vdk_group_norm(ctx, &good, x, g7, beta, y), VDK_ERROR_SHAPE, "'gamma'");
    VT_ERROR(ctx, vdk_group_norm(ctx, &good, x, gamma, g7, y), VDK_ERROR_SHAPE, "'beta'");
    VT_ERROR(ctx, vdk_group_norm(ctx, &good, x, gamma, beta, y_shape), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_group_norm(ctx, &good, x, gamma, beta, y16), VDK_ERROR_DTYPE, "'y'");
    VT_ERROR(ctx, vdk_group_norm(ctx, &good, x_other, gamma, beta, y), VDK_ERROR_CONTEXT, "'x'");
    p = good, p.groups = 3;
    VT_ERROR(ctx, vdk_group_norm(ctx, &p, x, gamma, beta, y), VDK_ERROR_INVALID_VALUE, "groups");
    p = good, p.groups = 0;
    VT_ERROR(ctx, vdk_group_norm(ctx, &p, x, gamma, beta, y), VDK_ERROR_INVALID_VALUE, "groups");
    p = good, p.groups = -4;
    VT_ERROR(ctx, vdk_group_norm(ctx, &p, x, gamma, beta, y), VDK_ERROR_INVALID_VALUE, "groups");
    p = good, p.eps = 0;
    VT_ERROR(ctx, vdk_group_norm(ctx, &p, x, gamma, beta, y), VDK_ERROR_INVALID_VALUE, "eps");
    p = good, p.eps = NAN;
    VT_ERROR(ctx, vdk_group_norm(ctx, &p, x, gamma, beta, y), VDK_ERROR_INVALID_VALUE, "eps");
    p = good, p.scope = (vdk_norm_scope)7;
    VT_ERROR(ctx, vdk_group_norm(ctx, &p, x, gamma, beta, y), VDK_ERROR_INVALID_VALUE, "scope");
    p = good, p.act = VDK_ACT_GEGLU;
    VT_ERROR(ctx, vdk_group_norm(ctx, &p, x, gamma, beta, y), VDK_ERROR_INVALID_VALUE, "act");
    VT_ERROR(ctx, vdk_group_norm(ctx, &good, x_in_big, gamma, beta, y_part), VDK_ERROR_ALIAS, "'y'");
    VT_CHECK(vt_all_unchanged(&s), "a failed call changed a tensor");

    VT_DESTROY(x, gamma, beta, y, x4, g7, y16, y_shape, y_part, big, x_in_big, x_other);
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_normalised_groups(VDK_NORM_PER_FRAME);
    test_normalised_groups(VDK_NORM_PER_CLIP);
    test_scopes_agree_for_one_frame();
    test_fused_affine_silu();
    test_dtypes();
    test_views_and_in_place();
    test_bad_input();
    test_cpu_tiers();
    test_vulkan();
    vdk_context_destroy(ctx);
    return vt_finish("test_group_norm");
}
