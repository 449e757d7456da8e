/* vdk_attention: golden vectors from PyTorch, properties, dtypes, strided views
 * and bad input. */
#include "vdk_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static vdk_context *ctx;

static vdk_tensor *rnd(int rank, const int64_t *shape, uint64_t seed)
{
    return vt_keep(vt_random(ctx, VDK_F64, rank, shape, seed, -2, 2));
}
static vdk_tensor *empty(int rank, const int64_t *shape)
{
    return vt_keep(vt_tensor(ctx, VDK_F64, rank, shape));
}
static vdk_tensor *filled(int rank, const int64_t *shape, const double *values)
{
    vdk_tensor *t = empty(rank, shape);
    vt_fill(t, values);
    return t;
}

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("attention");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_attention_params p = {.axes = (vdk_attention_axes)vt_golden_param(c, "axes"),
                                  .heads = (int)vt_golden_param(c, "heads"),
                                  .scale = (float)vt_golden_param(c, "scale")};
        vdk_tensor *q = vt_keep(vt_golden_make(ctx, c, "q", VDK_F64));
        vdk_tensor *k = vt_keep(vt_golden_make(ctx, c, "k", VDK_F64));
        vdk_tensor *v = vt_keep(vt_golden_make(ctx, c, "v", VDK_F64));
        vt_guarded o = vt_golden_output(ctx, c, "o");
        VT_STATUS(ctx, vdk_attention(ctx, &p, q, k, v, o.view), VDK_OK);
        VT_GOLDEN_CHECK(&o, c, "o", VT_GOLDEN_BOUND);
        vt_drop_all();
    }
    vt_golden_free(&f);
}

/* Identical keys give every query the mean of its sequence's values. */
static void test_identical_keys(void)
{
    const int64_t shape[5] = {1, 2, 3, 3, 8}, n = 144, C = 8, HW = 9;
    double *kv = malloc(n * sizeof *kv);
    for (int64_t i = 0; i < n; i++)
        kv[i] = vt_uniform(9, (uint64_t)(i % C), -2, 2); /* one key vector everywhere */
    vdk_tensor *q = rnd(5, shape, 1), *k = filled(5, shape, kv), *v = rnd(5, shape, 2);
    vdk_tensor *o = empty(5, shape);
    VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){.heads = 2}, q, k, v, o), VDK_OK);
    double *vv = vt_read(v), *want = malloc(n * sizeof *want);
    for (int64_t f = 0; f < 2; f++) /* spatial: one sequence per frame */
        for (int64_t c = 0; c < C; c++) {
            double mean = 0;
            for (int64_t s = 0; s < HW; s++)
                mean += vv[(f * HW + s) * C + c] / HW;
            for (int64_t s = 0; s < HW; s++)
                want[(f * HW + s) * C + c] = mean;
        }
    vt_error e = vt_compare_tensor(o, want);
    VT_CHECK(vt_error_ok(e, 1e-28), "identical keys: %.3g", e.norm_err);
    free(kv);
    free(vv);
    free(want);
    vt_drop_all();
}

/* One key (SVD's cross-attention): softmax of one score is 1, so every query of
 * batch item n gets v[n, 0]. With TEMPORAL and T = 1, likewise o = v. */
static void test_single_key(void)
{
    const int64_t shape[5] = {2, 3, 2, 2, 8}, kshape[3] = {2, 1, 8};
    vdk_tensor *q = rnd(5, shape, 3), *k = rnd(3, kshape, 4), *v = rnd(3, kshape, 5);
    vdk_tensor *o = empty(5, shape);
    VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){.axes = VDK_AXES_TEMPORAL, .heads = 4}, q, k, v, o), VDK_OK);
    double *vv = vt_read(v), *want = malloc(192 * sizeof *want);
    for (int64_t i = 0; i < 192; i++) /* 96 elements per batch item */
        want[i] = vv[(i / 96) * 8 + i % 8];
    vt_error e = vt_compare_tensor(o, want);
    VT_CHECK(vt_error_ok(e, 1e-30), "one key: %.3g", e.norm_err);

    const int64_t t1[5] = {2, 1, 3, 2, 8};
    vdk_tensor *q1 = rnd(5, t1, 6), *k1 = rnd(5, t1, 7), *v1 = rnd(5, t1, 8), *o1 = empty(5, t1);
    VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){.axes = VDK_AXES_TEMPORAL, .heads = 2}, q1, k1, v1, o1), VDK_OK);
    double *v1v = vt_read(v1);
    e = vt_compare_tensor(o1, v1v);
    VT_CHECK(vt_error_ok(e, 1e-30), "temporal T=1: %.3g", e.norm_err);
    free(vv);
    free(v1v);
    free(want);
    vt_drop_all();
}

/* Permuting keys and values together changes nothing. */
static void test_key_permutation(void)
{
    const int64_t shape[5] = {2, 2, 2, 3, 12}, kshape[3] = {2, 5, 12};
    vdk_tensor *q = rnd(5, shape, 10), *k = rnd(3, kshape, 11), *v = rnd(3, kshape, 12);
    double *kv = vt_read(k), *vv = vt_read(v), *kp = malloc(120 * sizeof *kp), *vp = malloc(120 * sizeof *vp);
    const int perm[5] = {3, 0, 4, 2, 1};
    for (int n = 0; n < 2; n++)
        for (int j = 0; j < 5; j++)
            for (int c = 0; c < 12; c++) {
                kp[(n * 5 + j) * 12 + c] = kv[(n * 5 + perm[j]) * 12 + c];
                vp[(n * 5 + j) * 12 + c] = vv[(n * 5 + perm[j]) * 12 + c];
            }
    vdk_tensor *k2 = filled(3, kshape, kp), *v2 = filled(3, kshape, vp);
    vdk_tensor *o = empty(5, shape), *o2 = empty(5, shape);
    vdk_attention_params p = {.axes = VDK_AXES_SPATIAL, .heads = 3};
    VT_STATUS(ctx, vdk_attention(ctx, &p, q, k, v, o), VDK_OK);
    VT_STATUS(ctx, vdk_attention(ctx, &p, q, k2, v2, o2), VDK_OK);
    double *ov = vt_read(o);
    vt_error e = vt_compare_tensor(o2, ov);
    VT_CHECK(vt_error_ok(e, 1e-28), "key permutation: %.3g", e.norm_err);
    free(kv);
    free(vv);
    free(kp);
    free(vp);
    free(ov);
    vt_drop_all();
}

/* heads = h equals h single-head runs on the heads' channel slices: strided
 * views as inputs and as the output. */
static void test_heads_are_channel_slices(void)
{
    const int64_t shape[5] = {1, 2, 3, 2, 12};
    const int heads = 3, D = 4;
    vdk_tensor *q = rnd(5, shape, 20), *k = rnd(5, shape, 21), *v = rnd(5, shape, 22);
    vdk_tensor *o = empty(5, shape), *o_sliced = empty(5, shape);
    VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){.axes = VDK_AXES_SPATIOTEMPORAL, .heads = heads}, q, k, v, o), VDK_OK);
    for (int h = 0; h < heads; h++) {
        vdk_tensor *qs, *ks, *vs, *os;
        vdk_tensor_slice(q, 4, h * D, D, &qs);
        vdk_tensor_slice(k, 4, h * D, D, &ks);
        vdk_tensor_slice(v, 4, h * D, D, &vs);
        vdk_tensor_slice(o_sliced, 4, h * D, D, &os);
        VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){.axes = VDK_AXES_SPATIOTEMPORAL, .heads = 1}, qs, ks, vs, os), VDK_OK);
        VT_DESTROY(qs, ks, vs, os);
    }
    double *want = vt_read(o);
    vt_error e = vt_compare_tensor(o_sliced, want);
    VT_CHECK(vt_error_ok(e, 0), "heads as channel slices: %.3g bad %lld", e.norm_err, (long long)e.bad);
    free(want);
    vt_drop_all();
}

/* The axes are groupings: TEMPORAL on [N, T, H, W, C] equals SPATIAL on the
 * transposed [N, H*W, T, 1, C]; SPATIOTEMPORAL equals SPATIAL on the reshape
 * [N, 1, T*H, W, C]. */
static void test_axes_are_groupings(void)
{
    const int64_t N = 2, T = 4, HW = 3, C = 8;
    const int64_t shape[5] = {N, T, HW, 1, C}, tshape[5] = {N, HW, T, 1, C};
    vdk_tensor *src[3] = {rnd(5, shape, 30), rnd(5, shape, 31), rnd(5, shape, 32)};
    vdk_tensor *tr[3];
    for (int i = 0; i < 3; i++) {
        double *a = vt_read(src[i]), *b = malloc((size_t)(N * T * HW * C) * sizeof *b);
        for (int64_t n = 0; n < N; n++)
            for (int64_t t = 0; t < T; t++)
                for (int64_t s = 0; s < HW; s++)
                    for (int64_t c = 0; c < C; c++)
                        b[((n * HW + s) * T + t) * C + c] = a[((n * T + t) * HW + s) * C + c];
        tr[i] = filled(5, tshape, b);
        free(a);
        free(b);
    }
    vdk_tensor *o = empty(5, shape), *ot = empty(5, tshape);
    VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){.axes = VDK_AXES_TEMPORAL, .heads = 2}, src[0], src[1], src[2], o), VDK_OK);
    VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){.axes = VDK_AXES_SPATIAL, .heads = 2}, tr[0], tr[1], tr[2], ot), VDK_OK);
    double *a = vt_read(o), *b = vt_read(ot), *bt = malloc((size_t)(N * T * HW * C) * sizeof *bt);
    for (int64_t n = 0; n < N; n++)
        for (int64_t t = 0; t < T; t++)
            for (int64_t s = 0; s < HW; s++)
                for (int64_t c = 0; c < C; c++)
                    bt[((n * T + t) * HW + s) * C + c] = b[((n * HW + s) * T + t) * C + c];
    vt_error e = vt_compare(a, bt, N * T * HW * C);
    VT_CHECK(vt_error_ok(e, 0), "temporal vs transposed spatial: %.3g", e.norm_err);

    const int64_t flat[5] = {N, 1, T * HW, 1, C};
    vdk_tensor *r[4];
    for (int i = 0; i < 3; i++)
        vdk_tensor_reshape(src[i], 5, flat, &r[i]);
    vdk_tensor *o2 = empty(5, shape), *o3 = empty(5, flat);
    vdk_tensor_reshape(o3, 5, flat, &r[3]);
    VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){.axes = VDK_AXES_SPATIOTEMPORAL, .heads = 4}, src[0], src[1], src[2], o2), VDK_OK);
    VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){.axes = VDK_AXES_SPATIAL, .heads = 4}, r[0], r[1], r[2], r[3]), VDK_OK);
    double *c2 = vt_read(o2);
    e = vt_compare_tensor(r[3], c2);
    VT_CHECK(vt_error_ok(e, 0), "spatiotemporal vs flattened spatial: %.3g", e.norm_err);
    VT_DESTROY(r[0], r[1], r[2], r[3]);
    free(a);
    free(b);
    free(bt);
    free(c2);
    vt_drop_all();
}

/* Scores in the hundreds stay finite, and every output is a convex combination
 * of its values (inside their range per channel). */
static void test_large_scores(void)
{
    const int64_t shape[5] = {1, 1, 4, 4, 8};
    vdk_tensor *q = vt_keep(vt_random(ctx, VDK_F64, 5, shape, 40, -100, 100));
    vdk_tensor *k = vt_keep(vt_random(ctx, VDK_F64, 5, shape, 41, -100, 100));
    vdk_tensor *v = rnd(5, shape, 42), *o = empty(5, shape);
    VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){.heads = 1}, q, k, v, o), VDK_OK);
    double *ov = vt_read(o), *vv = vt_read(v);
    int64_t bad = 0;
    for (int64_t c = 0; c < 8; c++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int64_t j = 0; j < 16; j++) {
            lo = fmin(lo, vv[j * 8 + c]);
            hi = fmax(hi, vv[j * 8 + c]);
        }
        for (int64_t i = 0; i < 16; i++)
            bad += !(isfinite(ov[i * 8 + c]) && ov[i * 8 + c] >= lo - 1e-12 && ov[i * 8 + c] <= hi + 1e-12);
    }
    VT_CHECK(bad == 0, "%lld outputs non-finite or outside the values' range", (long long)bad);
    free(ov);
    free(vv);
    vt_drop_all();
}

static void test_dtypes(void)
{
    const int64_t shape[5] = {1, 3, 3, 5, 80}; /* head dim 40, prime-ish sizes */
    const vdk_dtype dts[] = {VDK_F32, VDK_F16, VDK_BF16};
    const vdk_attention_axes axes[] = {VDK_AXES_SPATIAL, VDK_AXES_TEMPORAL, VDK_AXES_SPATIOTEMPORAL};
    for (int d = 0; d < 3; d++) {
        vdk_tensor *q = vt_keep(vt_random(ctx, dts[d], 5, shape, 50, -2, 2));
        vdk_tensor *k = vt_keep(vt_random(ctx, dts[d], 5, shape, 51, -2, 2));
        vdk_tensor *v = vt_keep(vt_random(ctx, dts[d], 5, shape, 52, -1, 1));
        vdk_tensor *q64 = vt_keep(vt_copy_as(ctx, VDK_F64, q)), *k64 = vt_keep(vt_copy_as(ctx, VDK_F64, k)),
                   *v64 = vt_keep(vt_copy_as(ctx, VDK_F64, v)), *o64 = empty(5, shape);
        for (int a = 0; a < 3; a++) {
            vdk_attention_params p = {.axes = axes[a], .heads = 2};
            VT_STATUS(ctx, vdk_attention(ctx, &p, q64, k64, v64, o64), VDK_OK);
            double *want = vt_read(o64);
            vt_guarded o = vt_guarded_tensor(ctx, dts[d], 5, shape);
            VT_STATUS(ctx, vdk_attention(ctx, &p, q, k, v, o.view), VDK_OK);
            vt_error e = vt_compare_tensor(o.view, want);
            VT_CHECK(vt_error_ok(e, vt_tolerance(dts[d], 45 + 40, 0)) && vt_guard_intact(&o),
                     "%s axes %d: norm_err %.3g bad %lld", vdk_dtype_name(dts[d]), a, e.norm_err,
                     (long long)e.bad);
            vt_guarded_destroy(&o);
            free(want);
        }
        vt_drop_all();
    }
}

static void test_bad_input(void)
{
    const int64_t shape[5] = {2, 2, 2, 2, 8}, kx[3] = {2, 3, 8}, kbadn[3] = {1, 3, 8}, kbadc[3] = {2, 3, 6},
                  s4[4] = {2, 2, 4, 8}, other[5] = {2, 2, 2, 3, 8};
    vdk_tensor *q = vt_keep(vt_random(ctx, VDK_F32, 5, shape, 1, -1, 1));
    vdk_tensor *k = vt_keep(vt_random(ctx, VDK_F32, 5, shape, 2, -1, 1));
    vdk_tensor *v = vt_keep(vt_random(ctx, VDK_F32, 5, shape, 3, -1, 1));
    vdk_tensor *o = vt_keep(vt_random(ctx, VDK_F32, 5, shape, 4, -1, 1));
    vdk_tensor *kc = vt_keep(vt_random(ctx, VDK_F32, 3, kx, 5, -1, 1));
    vdk_tensor *kn = vt_keep(vt_random(ctx, VDK_F32, 3, kbadn, 6, -1, 1));
    vdk_tensor *kcc = vt_keep(vt_random(ctx, VDK_F32, 3, kbadc, 7, -1, 1));
    vdk_tensor *k4 = vt_keep(vt_random(ctx, VDK_F32, 4, s4, 8, -1, 1));
    vdk_tensor *ko = vt_keep(vt_random(ctx, VDK_F32, 5, other, 9, -1, 1));
    vdk_tensor *o16 = vt_keep(vt_random(ctx, VDK_F16, 5, shape, 10, -1, 1));
    vdk_tensor *big = vt_keep(vt_random(ctx, VDK_F32, 1, (int64_t[]){160}, 11, -1, 1));
    vdk_tensor *lo = vt_keep(vt_view_at(big, 0, 5, shape)), *hi = vt_keep(vt_view_at(big, 32, 5, shape));
    vdk_tensor *q_o = vt_keep(vt_random(vt_other_context(), VDK_F32, 5, shape, 12, -1, 1));
    const vdk_attention_params good = {.axes = VDK_AXES_TEMPORAL, .heads = 2};
    vdk_attention_params p;
    vt_snapshots s = VT_SNAP(q, k, v, o, kc, o16, big);

    VT_ERROR(NULL, vdk_attention(NULL, &good, q, k, v, o), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_attention(ctx, NULL, q, k, v, o), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, NULL, k, v, o), VDK_ERROR_NULL_POINTER, "'q'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, NULL, v, o), VDK_ERROR_NULL_POINTER, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, NULL, o), VDK_ERROR_NULL_POINTER, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, v, NULL), VDK_ERROR_NULL_POINTER, "'o'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q_o, k, v, o), VDK_ERROR_CONTEXT, "'q'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, k4, k, v, o), VDK_ERROR_RANK, "'q'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k4, v, o), VDK_ERROR_RANK, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, kc, v, o), VDK_ERROR_RANK, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, v, o16), VDK_ERROR_DTYPE, "'o'");
    p = good, p.axes = (vdk_attention_axes)3;
    VT_ERROR(ctx, vdk_attention(ctx, &p, q, k, v, o), VDK_ERROR_INVALID_VALUE, "p->axes");
    p = good, p.heads = 3;
    VT_ERROR(ctx, vdk_attention(ctx, &p, q, k, v, o), VDK_ERROR_INVALID_VALUE, "p->heads");
    p = good, p.heads = 0;
    VT_ERROR(ctx, vdk_attention(ctx, &p, q, k, v, o), VDK_ERROR_INVALID_VALUE, "p->heads");
    p = good, p.scale = NAN;
    VT_ERROR(ctx, vdk_attention(ctx, &p, q, k, v, o), VDK_ERROR_INVALID_VALUE, "p->scale");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, ko, v, o), VDK_ERROR_SHAPE, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, ko, o), VDK_ERROR_SHAPE, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, kn, kn, o), VDK_ERROR_SHAPE, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, kcc, kcc, o), VDK_ERROR_SHAPE, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, kc, kn, o), VDK_ERROR_SHAPE, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, v, ko), VDK_ERROR_SHAPE, "'o'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, lo, k, v, hi), VDK_ERROR_ALIAS, "'q'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, hi, v, lo), VDK_ERROR_ALIAS, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, lo, lo), VDK_ERROR_ALIAS, "'v'");
    VT_CHECK(vt_all_unchanged(&s), "a failed call changed a tensor");
    vt_drop_all();
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_identical_keys();
    test_single_key();
    test_key_permutation();
    test_heads_are_channel_slices();
    test_axes_are_groupings();
    test_large_scores();
    test_dtypes();
    test_bad_input();
    vdk_context_destroy(ctx);
    return vt_finish("test_attention");
}
