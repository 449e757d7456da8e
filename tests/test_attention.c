/* vdk_attention on the reference backend: golden vectors, properties, dtypes,
 * strided views and argument checks. */
#include "vdk_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static vdk_context *ctx;

static const vdk_attention_axes all_axes[3] = {VDK_AXES_SPATIAL, VDK_AXES_TEMPORAL,
                                               VDK_AXES_SPATIOTEMPORAL};
static const char *axes_name[3] = {"spatial", "temporal", "spatiotemporal"};

static vdk_tensor *tensor_from(vdk_dtype dtype, int rank, const int64_t *shape, const double *v)
{
    vdk_tensor *t = vt_tensor(ctx, dtype, rank, shape);
    vt_fill(t, v);
    return t;
}

static int64_t numel(int rank, const int64_t *shape)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= shape[i];
    return n;
}

/* Whether query token a and key token b (token = (n*T + t)*HW + hw) of a
 * self-attention call share a sequence: same n, and same frame (SPATIAL), same
 * pixel (TEMPORAL) or nothing more (SPATIOTEMPORAL). Written independently of the
 * reference's layout arithmetic. */
static bool same_sequence(vdk_attention_axes axes, int64_t a, int64_t b, int64_t T, int64_t HW)
{
    int64_t na = a / (T * HW), ta = a / HW % T, pa = a % HW;
    int64_t nb = b / (T * HW), tb = b / HW % T, pb = b % HW;
    if (na != nb)
        return false;
    if (axes == VDK_AXES_SPATIAL)
        return ta == tb;
    if (axes == VDK_AXES_TEMPORAL)
        return pa == pb;
    return true;
}

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("attention");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_attention_params p = {
            .axes = (vdk_attention_axes)vt_golden_param(c, "axes"),
            .heads = (int)vt_golden_param(c, "heads"),
            .scale = (float)vt_golden_param(c, "scale"),
        };
        vdk_tensor *q = vt_golden_make(ctx, c, "q", VDK_F64);
        vdk_tensor *k = vt_golden_make(ctx, c, "k", VDK_F64);
        vdk_tensor *v = vt_golden_make(ctx, c, "v", VDK_F64);
        const vt_golden_tensor *want = vt_golden_get(c, "o");
        vt_guarded o = vt_guarded_tensor(ctx, VDK_F64, want->rank, want->shape);
        VT_STATUS(ctx, vdk_attention(ctx, &p, q, k, v, o.view), VDK_OK);
        vt_error e = vt_compare_tensor(o.view, want->data);
        VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "golden %s: norm_err %.3g max_abs %.3g bad %lld",
                 c->name, e.norm_err, e.max_abs, (long long)e.bad);
        VT_CHECK(vt_guard_intact(&o), "golden %s: guard region overwritten", c->name);
        vt_guarded_destroy(&o);
        vdk_tensor_destroy(q);
        vdk_tensor_destroy(k);
        vdk_tensor_destroy(v);
    }
    vt_golden_free(&f);
}

/* When every key of a sequence is the same vector, every query gets the plain mean
 * of that sequence's values. */
static void test_identical_keys(void)
{
    const int64_t shape[5] = {2, 3, 2, 5, 8}, T = 3, HW = 10, C = 8, tokens = 60;
    for (int a = 0; a < 3; a++) {
        double *kv = malloc((size_t)(tokens * C) * sizeof *kv);
        for (int64_t i = 0; i < tokens * C; i++)
            kv[i] = vt_uniform(201, (uint64_t)(i % C), -2, 2); /* depends on c only */
        vdk_tensor *q = vt_random(ctx, VDK_F64, 5, shape, 202, -2, 2);
        vdk_tensor *k = tensor_from(VDK_F64, 5, shape, kv);
        vdk_tensor *v = vt_random(ctx, VDK_F64, 5, shape, 203, -1, 1);
        vdk_tensor *o = vt_tensor(ctx, VDK_F64, 5, shape);
        vdk_attention_params p = {.axes = all_axes[a], .heads = 2};
        VT_STATUS(ctx, vdk_attention(ctx, &p, q, k, v, o), VDK_OK);
        double *vv = vt_read(v), *want = calloc((size_t)(tokens * C), sizeof *want);
        for (int64_t i = 0; i < tokens; i++) {
            int64_t count = 0;
            for (int64_t j = 0; j < tokens; j++)
                if (same_sequence(all_axes[a], i, j, T, HW)) {
                    count++;
                    for (int64_t c = 0; c < C; c++)
                        want[i * C + c] += vv[j * C + c];
                }
            for (int64_t c = 0; c < C; c++)
                want[i * C + c] /= (double)count;
        }
        vt_error e = vt_compare_tensor(o, want);
        VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "%s: identical keys do not give the mean of "
                 "the values: norm_err %.3g", axes_name[a], e.norm_err);
        free(kv);
        free(vv);
        free(want);
        vdk_tensor_destroy(q);
        vdk_tensor_destroy(k);
        vdk_tensor_destroy(v);
        vdk_tensor_destroy(o);
    }
}

/* Cross-attention: identical context keys give the mean of v[n] over L; with one
 * key (SVD's image embedding) the output is v[n] itself for every query. Either way
 * the grouping by axes cannot change the result. */
static void test_cross_means(void)
{
    const int64_t shape[5] = {2, 3, 2, 3, 6}, N = 2, C = 6, per_n = 3 * 2 * 3;
    const int64_t lengths[2] = {1, 7};
    for (int li = 0; li < 2; li++) {
        const int64_t L = lengths[li], kvs[3] = {N, L, C};
        double *kv = malloc((size_t)(N * L * C) * sizeof *kv);
        for (int64_t i = 0; i < N * L * C; i++) /* depends on n and c only */
            kv[i] = vt_uniform(211, (uint64_t)(i / (L * C) * C + i % C), -3, 3);
        vdk_tensor *q = vt_random(ctx, VDK_F64, 5, shape, 212, -2, 2);
        vdk_tensor *k = tensor_from(VDK_F64, 3, kvs, kv);
        vdk_tensor *v = vt_random(ctx, VDK_F64, 3, kvs, 213, -1, 1);
        double *vv = vt_read(v), *want = malloc((size_t)(N * per_n * C) * sizeof *want);
        for (int64_t n = 0; n < N; n++)
            for (int64_t c = 0; c < C; c++) {
                double m = 0;
                for (int64_t l = 0; l < L; l++)
                    m += vv[(n * L + l) * C + c];
                for (int64_t i = 0; i < per_n; i++)
                    want[(n * per_n + i) * C + c] = m / (double)L;
            }
        for (int a = 0; a < 3; a++) {
            vt_guarded o = vt_guarded_tensor(ctx, VDK_F64, 5, shape);
            vdk_attention_params p = {.axes = all_axes[a], .heads = 3};
            VT_STATUS(ctx, vdk_attention(ctx, &p, q, k, v, o.view), VDK_OK);
            vt_error e = vt_compare_tensor(o.view, want);
            /* one key: p = exp(0) / 1 = 1 exactly, so o is v exactly */
            VT_CHECK(vt_error_ok(e, L == 1 ? 0 : VT_GOLDEN_BOUND),
                     "cross L=%lld %s: not the mean of v[n]: norm_err %.3g", (long long)L,
                     axes_name[a], e.norm_err);
            VT_CHECK(vt_guard_intact(&o), "cross L=%lld %s: guard overwritten", (long long)L,
                     axes_name[a]);
            vt_guarded_destroy(&o);
        }
        free(kv);
        free(vv);
        free(want);
        vdk_tensor_destroy(q);
        vdk_tensor_destroy(k);
        vdk_tensor_destroy(v);
    }
}

/* Cross-attention with random keys: all three groupings give the same output. */
static void test_cross_grouping_irrelevant(void)
{
    const int64_t shape[5] = {2, 3, 3, 2, 8}, kvs[3] = {2, 5, 8};
    vdk_tensor *q = vt_random(ctx, VDK_F64, 5, shape, 221, -2, 2);
    vdk_tensor *k = vt_random(ctx, VDK_F64, 3, kvs, 222, -2, 2);
    vdk_tensor *v = vt_random(ctx, VDK_F64, 3, kvs, 223, -1, 1);
    vdk_tensor *o[3];
    for (int a = 0; a < 3; a++) {
        o[a] = vt_tensor(ctx, VDK_F64, 5, shape);
        vdk_attention_params p = {.axes = all_axes[a], .heads = 2};
        VT_STATUS(ctx, vdk_attention(ctx, &p, q, k, v, o[a]), VDK_OK);
    }
    double *want = vt_read(o[0]);
    for (int a = 1; a < 3; a++) {
        vt_error e = vt_compare_tensor(o[a], want);
        VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "cross %s differs from spatial: %.3g",
                 axes_name[a], e.norm_err);
    }
    free(want);
    for (int a = 0; a < 3; a++)
        vdk_tensor_destroy(o[a]);
    vdk_tensor_destroy(q);
    vdk_tensor_destroy(k);
    vdk_tensor_destroy(v);
}

/* Permuting the keys and values of every sequence together changes nothing;
 * permuting the keys alone does change the output, which shows the inputs are not
 * so degenerate that the first check could not fail. */
static void check_permutation(const char *what, int krank, const int64_t *kshape,
                              const vdk_attention_params *p, const int64_t *qshape,
                              const int64_t *perm /* source token of each key token */)
{
    const int64_t C = qshape[4], ktokens = numel(krank, kshape) / C;
    vdk_tensor *q = vt_random(ctx, VDK_F64, 5, qshape, 231, -2, 2);
    vdk_tensor *k = vt_random(ctx, VDK_F64, krank, kshape, 232, -2, 2);
    vdk_tensor *v = vt_random(ctx, VDK_F64, krank, kshape, 233, -1, 1);
    double *kv = vt_read(k), *vv = vt_read(v);
    double *kp = malloc((size_t)(ktokens * C) * sizeof *kp), *vp = malloc((size_t)(ktokens * C) * sizeof *vp);
    for (int64_t j = 0; j < ktokens; j++)
        for (int64_t c = 0; c < C; c++) {
            kp[j * C + c] = kv[perm[j] * C + c];
            vp[j * C + c] = vv[perm[j] * C + c];
        }
    vdk_tensor *k2 = tensor_from(VDK_F64, krank, kshape, kp);
    vdk_tensor *v2 = tensor_from(VDK_F64, krank, kshape, vp);
    vdk_tensor *a = vt_tensor(ctx, VDK_F64, 5, qshape), *b = vt_tensor(ctx, VDK_F64, 5, qshape);
    VT_STATUS(ctx, vdk_attention(ctx, p, q, k, v, a), VDK_OK);
    VT_STATUS(ctx, vdk_attention(ctx, p, q, k2, v2, b), VDK_OK);
    double *av = vt_read(a);
    vt_error e = vt_compare_tensor(b, av);
    VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "%s: permuting keys and values changed the output: "
             "norm_err %.3g", what, e.norm_err);
    VT_STATUS(ctx, vdk_attention(ctx, p, q, k2, v, b), VDK_OK);
    e = vt_compare_tensor(b, av);
    VT_CHECK(e.norm_err > 1e-6, "%s: permuting the keys alone left the output as it was (%.3g)",
             what, e.norm_err);
    free(kv);
    free(vv);
    free(kp);
    free(vp);
    free(av);
    vdk_tensor *all[] = {q, k, v, k2, v2, a, b};
    for (int i = 0; i < 7; i++)
        vdk_tensor_destroy(all[i]);
}

/* A fixed permutation of n items: i -> (i * step + 3) % n with step coprime to n. */
static int64_t permuted(int64_t i, int64_t n)
{
    int64_t step = 1;
    for (int64_t s = 5; s < n + 5; s++) {
        int64_t a = s, b = n;
        while (b) {
            int64_t r = a % b;
            a = b;
            b = r;
        }
        if (a == 1) {
            step = s;
            break;
        }
    }
    return (i * step + 3) % n;
}

static void test_permutation(void)
{
    const int64_t shape[5] = {2, 4, 3, 2, 8}, T = 4, HW = 6, tokens = 48;
    int64_t perm[48];
    for (int a = 0; a < 3; a++) {
        /* move each key token within its own sequence */
        for (int64_t j = 0; j < tokens; j++) {
            int64_t n = j / (T * HW), t = j / HW % T, hw = j % HW;
            if (all_axes[a] == VDK_AXES_SPATIAL)
                hw = permuted(hw, HW);
            else if (all_axes[a] == VDK_AXES_TEMPORAL)
                t = permuted(t, T);
            else {
                int64_t s = permuted(t * HW + hw, T * HW);
                t = s / HW;
                hw = s % HW;
            }
            perm[j] = (n * T + t) * HW + hw;
        }
        char what[64];
        snprintf(what, sizeof what, "self %s", axes_name[a]);
        check_permutation(what, 5, shape, &(vdk_attention_params){.axes = all_axes[a], .heads = 2},
                          shape, perm);
    }
    const int64_t L = 7, kvs[3] = {2, 7, 8};
    for (int64_t j = 0; j < 2 * L; j++)
        perm[j] = j / L * L + permuted(j % L, L);
    check_permutation("cross L=7", 3, kvs, &(vdk_attention_params){.heads = 4}, shape, perm);
}

/* heads = h equals h separate one-head calls on each head's channel slice. The
 * slices are strided views (channel slices of the full tensors), as inputs and as
 * outputs. scale 0 gives 1/sqrt(D) both ways. */
static void check_heads_split(const char *what, vdk_attention_axes axes, int krank,
                              const int64_t *kshape, float scale)
{
    const int64_t qshape[5] = {1, 3, 4, 3, 12};
    const int heads = 3;
    const int64_t D = 4;
    vdk_tensor *q = vt_random(ctx, VDK_F64, 5, qshape, 241, -2, 2);
    vdk_tensor *k = vt_random(ctx, VDK_F64, krank, kshape, 242, -2, 2);
    vdk_tensor *v = vt_random(ctx, VDK_F64, krank, kshape, 243, -1, 1);
    vdk_tensor *o = vt_tensor(ctx, VDK_F64, 5, qshape);
    vdk_tensor *split = vt_tensor(ctx, VDK_F64, 5, qshape);
    vt_poison(split);
    VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){axes, heads, scale}, q, k, v, o),
              VDK_OK);
    for (int h = 0; h < heads; h++) {
        vdk_tensor *qs = NULL, *ks = NULL, *vs = NULL, *os = NULL;
        VT_STATUS(ctx, vdk_tensor_slice(q, -1, h * D, D, &qs), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(k, -1, h * D, D, &ks), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(v, -1, h * D, D, &vs), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(split, -1, h * D, D, &os), VDK_OK);
        VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){axes, 1, scale}, qs, ks, vs, os),
                  VDK_OK);
        vdk_tensor_destroy(qs);
        vdk_tensor_destroy(ks);
        vdk_tensor_destroy(vs);
        vdk_tensor_destroy(os);
    }
    double *want = vt_read(o);
    vt_error e = vt_compare_tensor(split, want);
    VT_CHECK(vt_error_ok(e, VT_GOLDEN_BOUND), "%s: heads=3 differs from three one-head calls on "
             "channel slices: norm_err %.3g bad %lld", what, e.norm_err, (long long)e.bad);
    free(want);
    vdk_tensor *all[] = {q, k, v, o, split};
    for (int i = 0; i < 5; i++)
        vdk_tensor_destroy(all[i]);
}

static void test_heads_split(void)
{
    const int64_t qshape[5] = {1, 3, 4, 3, 12}, kvs[3] = {1, 7, 12};
    for (int a = 0; a < 3; a++)
        check_heads_split(axes_name[a], all_axes[a], 5, qshape, 0);
    check_heads_split("spatial, scale 0.8", VDK_AXES_SPATIAL, 5, qshape, 0.8f);
    check_heads_split("cross L=7", VDK_AXES_TEMPORAL, 3, kvs, 0);
}

/* Temporal attention over a single frame: each query sees one key, so o = v. */
static void test_temporal_one_frame(void)
{
    const int64_t shape[5] = {2, 1, 3, 5, 8};
    vdk_tensor *q = vt_random(ctx, VDK_F64, 5, shape, 251, -50, 50);
    vdk_tensor *k = vt_random(ctx, VDK_F64, 5, shape, 252, -50, 50);
    vdk_tensor *v = vt_random(ctx, VDK_F64, 5, shape, 253, -1, 1);
    vt_guarded o = vt_guarded_tensor(ctx, VDK_F64, 5, shape);
    VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){.axes = VDK_AXES_TEMPORAL, .heads = 4},
                                 q, k, v, o.view),
              VDK_OK);
    double *want = vt_read(v);
    vt_error e = vt_compare_tensor(o.view, want);
    VT_CHECK(vt_error_ok(e, 0), "temporal T=1: o differs from v: norm_err %.3g bad %lld",
             e.norm_err, (long long)e.bad);
    VT_CHECK(vt_guard_intact(&o), "temporal T=1: guard overwritten");
    free(want);
    vt_guarded_destroy(&o);
    vdk_tensor_destroy(q);
    vdk_tensor_destroy(k);
    vdk_tensor_destroy(v);
}

/* q and k scaled by 100 give scores in the tens of thousands; an exponent taken
 * without subtracting the row maximum overflows. The output stays finite and, being
 * a convex combination of the sequence's values, inside their range per channel. */
static void test_large_scores(void)
{
    const int64_t shape[5] = {1, 2, 4, 5, 8}, T = 2, HW = 20, C = 8, tokens = 40;
    const vdk_dtype dtypes[2] = {VDK_F64, VDK_F32};
    for (int d = 0; d < 2; d++)
        for (int a = 0; a < 3; a++) {
            vdk_tensor *q = vt_random(ctx, dtypes[d], 5, shape, 261, -100, 100);
            vdk_tensor *k = vt_random(ctx, dtypes[d], 5, shape, 262, -100, 100);
            vdk_tensor *v = vt_random(ctx, dtypes[d], 5, shape, 263, -1, 1);
            vdk_tensor *o = vt_tensor(ctx, dtypes[d], 5, shape);
            VT_STATUS(ctx, vdk_attention(ctx, &(vdk_attention_params){all_axes[a], 1, 0}, q, k, v, o),
                      VDK_OK);
            double *ov = vt_read(o), *vv = vt_read(v);
            int64_t bad = 0, outside = 0;
            for (int64_t i = 0; i < tokens; i++)
                for (int64_t c = 0; c < C; c++) {
                    double lo = INFINITY, hi = -INFINITY, x = ov[i * C + c];
                    for (int64_t j = 0; j < tokens; j++)
                        if (same_sequence(all_axes[a], i, j, T, HW)) {
                            lo = fmin(lo, vv[j * C + c]);
                            hi = fmax(hi, vv[j * C + c]);
                        }
                    bad += !isfinite(x);
                    outside += !(x >= lo - 1e-6 && x <= hi + 1e-6);
                }
            VT_CHECK(bad == 0, "%s %s, inputs x100: %lld non-finite outputs",
                     vdk_dtype_name(dtypes[d]), axes_name[a], (long long)bad);
            VT_CHECK(outside == 0, "%s %s, inputs x100: %lld outputs outside the values' range",
                     vdk_dtype_name(dtypes[d]), axes_name[a], (long long)outside);
            free(ov);
            free(vv);
            vdk_tensor_destroy(q);
            vdk_tensor_destroy(k);
            vdk_tensor_destroy(v);
            vdk_tensor_destroy(o);
        }
}

/* f32, f16 and bf16 storage against the f64 oracle on the same (rounded) inputs.
 * The reductions are D (scores) and Lk (weighted sum of values). */
static void test_dtypes(void)
{
    const int64_t shape[5] = {1, 3, 5, 7, 16}, kvs[3] = {1, 7, 16}; /* prime H, W */
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    struct {
        vdk_attention_axes axes;
        int krank;
        int64_t Lk;
    } runs[] = {{VDK_AXES_SPATIAL, 5, 35}, {VDK_AXES_TEMPORAL, 5, 3},
                {VDK_AXES_SPATIOTEMPORAL, 5, 105}, {VDK_AXES_SPATIAL, 3, 7}};
    for (int d = 0; d < 3; d++)
        for (int r = 0; r < 4; r++) {
            vdk_dtype dt = dtypes[d];
            const int64_t *ks = runs[r].krank == 5 ? shape : kvs;
            vdk_tensor *q = vt_random(ctx, dt, 5, shape, 271, -2, 2);
            vdk_tensor *k = vt_random(ctx, dt, runs[r].krank, ks, 272, -2, 2);
            vdk_tensor *v = vt_random(ctx, dt, runs[r].krank, ks, 273, -1, 1);
            double *qv = vt_read(q), *kv = vt_read(k), *vv = vt_read(v);
            vdk_tensor *q64 = tensor_from(VDK_F64, 5, shape, qv);
            vdk_tensor *k64 = tensor_from(VDK_F64, runs[r].krank, ks, kv);
            vdk_tensor *v64 = tensor_from(VDK_F64, runs[r].krank, ks, vv);
            vdk_tensor *o64 = vt_tensor(ctx, VDK_F64, 5, shape);
            vdk_attention_params p = {.axes = runs[r].axes, .heads = 2};
            VT_STATUS(ctx, vdk_attention(ctx, &p, q64, k64, v64, o64), VDK_OK);
            vt_guarded o = vt_guarded_tensor(ctx, dt, 5, shape);
            VT_STATUS(ctx, vdk_attention(ctx, &p, q, k, v, o.view), VDK_OK);
            double *want = vt_read(o64);
            vt_error e = vt_compare_tensor(o.view, want);
            VT_CHECK(vt_error_ok(e, vt_tolerance(dt, 8 + runs[r].Lk, 0)),
                     "%s %s krank %d: norm_err %.3g bad %lld", vdk_dtype_name(dt),
                     axes_name[runs[r].axes], runs[r].krank, e.norm_err, (long long)e.bad);
            VT_CHECK(vt_guard_intact(&o), "%s: guard overwritten", vdk_dtype_name(dt));
            free(qv);
            free(kv);
            free(vv);
            free(want);
            vt_guarded_destroy(&o);
            vdk_tensor *all[] = {q, k, v, q64, k64, v64, o64};
            for (int i = 0; i < 7; i++)
                vdk_tensor_destroy(all[i]);
        }
}

/* Strided views on other axes than the channels (a window of frames, a window of
 * context tokens, an output inside a wider tensor) give exactly the dense result,
 * and nothing outside the output view is written. */
static void test_strided_views(void)
{
    const int64_t wide[5] = {2, 6, 3, 4, 10}, shape[5] = {2, 4, 3, 4, 10};
    const int64_t ctxw[3] = {2, 9, 10}, kvs[3] = {2, 5, 10};
    for (int cross = 0; cross < 2; cross++) {
        vdk_tensor *qb = vt_random(ctx, VDK_F32, 5, wide, 281, -2, 2);
        vdk_tensor *kb = cross ? vt_random(ctx, VDK_F32, 3, ctxw, 282, -2, 2)
                               : vt_random(ctx, VDK_F32, 5, wide, 282, -2, 2);
        vdk_tensor *vb = cross ? vt_random(ctx, VDK_F32, 3, ctxw, 283, -1, 1)
                               : vt_random(ctx, VDK_F32, 5, wide, 283, -1, 1);
        vdk_tensor *ob = vt_random(ctx, VDK_F32, 5, wide, 284, -1, 1);
        vdk_tensor *qs = NULL, *ks = NULL, *vs = NULL, *os = NULL;
        VT_STATUS(ctx, vdk_tensor_slice(qb, 1, 1, 4, &qs), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(kb, 1, 2, cross ? 5 : 4, &ks), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(vb, 1, 2, cross ? 5 : 4, &vs), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(ob, 1, 2, 4, &os), VDK_OK);
        const int krank = cross ? 3 : 5;
        const int64_t *ksh = cross ? kvs : shape;
        double *qv = vt_read(qs), *kv = vt_read(ks), *vv = vt_read(vs), *before = vt_read(ob);
        vdk_tensor *qd = tensor_from(VDK_F32, 5, shape, qv), *kd = tensor_from(VDK_F32, krank, ksh, kv),
                   *vd = tensor_from(VDK_F32, krank, ksh, vv), *od = vt_tensor(ctx, VDK_F32, 5, shape);
        for (int a = 0; a < 3; a++) {
            vdk_attention_params p = {.axes = all_axes[a], .heads = 5};
            VT_STATUS(ctx, vdk_attention(ctx, &p, qd, kd, vd, od), VDK_OK);
            VT_STATUS(ctx, vdk_attention(ctx, &p, qs, ks, vs, os), VDK_OK);
            double *want = vt_read(od);
            vt_error e = vt_compare_tensor(os, want);
            VT_CHECK(vt_error_ok(e, 0), "%s %s: strided views differ from dense: %.3g",
                     cross ? "cross" : "self", axes_name[a], e.norm_err);
            free(want);
        }
        double *after = vt_read(ob);
        int64_t changed = 0;
        for (int64_t i = 0; i < numel(5, wide); i++) {
            int64_t t = i / (3 * 4 * 10) % 6;
            changed += (t < 2 || t >= 6) && after[i] != before[i];
        }
        VT_CHECK(changed == 0, "%lld elements outside the output view changed", (long long)changed);
        free(qv);
        free(kv);
        free(vv);
        free(before);
        free(after);
        vdk_tensor *all[] = {qb, kb, vb, ob, qs, ks, vs, os, qd, kd, vd, od};
        for (int i = 0; i < 12; i++)
            vdk_tensor_destroy(all[i]);
    }
}

/* Views of one storage that do not overlap are separate memory, so o may sit next
 * to q in the same buffer. */
static void test_shared_storage_disjoint(void)
{
    const int64_t shape[5] = {1, 2, 2, 3, 4}, n = 48, total = 96;
    vdk_tensor *big = vt_random(ctx, VDK_F64, 1, &total, 291, -1, 1);
    vdk_tensor *qf = NULL, *of = NULL, *q = NULL, *o = NULL;
    vdk_tensor_slice(big, 0, 0, n, &qf);
    vdk_tensor_slice(big, 0, n, n, &of);
    vdk_tensor_reshape(qf, 5, shape, &q);
    vdk_tensor_reshape(of, 5, shape, &o);
    vdk_tensor *k = vt_random(ctx, VDK_F64, 5, shape, 292, -1, 1);
    vdk_tensor *v = vt_random(ctx, VDK_F64, 5, shape, 293, -1, 1);
    vdk_tensor *want_t = vt_tensor(ctx, VDK_F64, 5, shape);
    vdk_attention_params p = {.heads = 2};
    VT_STATUS(ctx, vdk_attention(ctx, &p, q, k, v, want_t), VDK_OK);
    VT_STATUS(ctx, vdk_attention(ctx, &p, q, k, v, o), VDK_OK);
    double *want = vt_read(want_t);
    VT_CHECK(vt_error_ok(vt_compare_tensor(o, want), 0), "o beside q in one storage differs");
    free(want);
    vdk_tensor *all[] = {q, o, qf, of, big, k, v, want_t};
    for (int i = 0; i < 8; i++)
        vdk_tensor_destroy(all[i]);
}

/* A kept f64 tensor: random in [-2, 2), empty, or holding `values`. */
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
    return vt_keep(tensor_from(VDK_F64, rank, shape, values));
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

static void test_bad_input(void)
{
    const int64_t shape[5] = {1, 2, 3, 3, 8}, kvs[3] = {1, 4, 8};
    vdk_tensor *q = vt_random(ctx, VDK_F32, 5, shape, 301, -1, 1);
    vdk_tensor *k = vt_random(ctx, VDK_F32, 5, shape, 302, -1, 1);
    vdk_tensor *v = vt_random(ctx, VDK_F32, 5, shape, 303, -1, 1);
    vdk_tensor *o = vt_random(ctx, VDK_F32, 5, shape, 304, -1, 1);
    vdk_tensor *kc = vt_random(ctx, VDK_F32, 3, kvs, 305, -1, 1);
    vdk_tensor *vc = vt_random(ctx, VDK_F32, 3, kvs, 306, -1, 1);
    const int64_t s4[4] = {1, 2, 9, 8}, s2[2] = {4, 8};
    vdk_tensor *r4 = vt_random(ctx, VDK_F32, 4, s4, 307, -1, 1);
    vdk_tensor *r2 = vt_random(ctx, VDK_F32, 2, s2, 308, -1, 1);
    vdk_tensor *k16 = vt_random(ctx, VDK_F16, 5, shape, 309, -1, 1);
    vdk_tensor *o16 = vt_random(ctx, VDK_F16, 5, shape, 310, -1, 1);
    const int64_t other[5] = {1, 2, 3, 4, 8}, badn[3] = {2, 4, 8}, badc[3] = {1, 4, 6},
                  badl[3] = {1, 5, 8};
    vdk_tensor *k_shape = vt_random(ctx, VDK_F32, 5, other, 311, -1, 1);
    vdk_tensor *o_shape = vt_random(ctx, VDK_F32, 5, other, 312, -1, 1);
    vdk_tensor *kc_n = vt_random(ctx, VDK_F32, 3, badn, 313, -1, 1);
    vdk_tensor *kc_c = vt_random(ctx, VDK_F32, 3, badc, 314, -1, 1);
    vdk_tensor *vc_l = vt_random(ctx, VDK_F32, 3, badl, 315, -1, 1);
    /* o and a context v cut from one buffer so that they overlap */
    const int64_t no = numel(5, shape), nv = numel(3, kvs), total = no + nv - 8;
    vdk_tensor *big = vt_random(ctx, VDK_F32, 1, &total, 316, -1, 1);
    vdk_tensor *of = NULL, *vf = NULL, *o_in_big = NULL, *v_in_big = NULL;
    vdk_tensor_slice(big, 0, 0, no, &of);
    vdk_tensor_slice(big, 0, no - 8, nv, &vf);
    vdk_tensor_reshape(of, 5, shape, &o_in_big);
    vdk_tensor_reshape(vf, 3, kvs, &v_in_big);
    vdk_context *other_ctx = vt_context(VDK_BACKEND_REFERENCE);
    vdk_tensor *q_other = vt_random(other_ctx, VDK_F32, 5, shape, 317, -1, 1);
    vdk_tensor *v_other = vt_random(other_ctx, VDK_F32, 5, shape, 318, -1, 1);

    const vdk_attention_params good = {.axes = VDK_AXES_TEMPORAL, .heads = 2};
    vdk_attention_params p;
    vt_snapshots s1 = VT_SNAP(q, k, v, o, kc, vc, o16, big);
    vt_snapshots s2s = VT_SNAP(k_shape, o_shape, kc_n, kc_c, vc_l, r4, r2, k16);

    VT_ERROR(NULL, vdk_attention(NULL, &good, q, k, v, o), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_attention(ctx, NULL, q, k, v, o), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, NULL, k, v, o), VDK_ERROR_NULL_POINTER, "'q'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, NULL, v, o), VDK_ERROR_NULL_POINTER, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, NULL, o), VDK_ERROR_NULL_POINTER, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, v, NULL), VDK_ERROR_NULL_POINTER, "'o'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q_other, k, v, o), VDK_ERROR_CONTEXT, "'q'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, v_other, o), VDK_ERROR_CONTEXT, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, r4, k, v, o), VDK_ERROR_RANK, "'q'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, r4, v, o), VDK_ERROR_RANK, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, r2, v, o), VDK_ERROR_RANK, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, kc, r2, o), VDK_ERROR_RANK, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, v, r4), VDK_ERROR_RANK, "'o'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k16, v, o), VDK_ERROR_DTYPE, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, k16, o), VDK_ERROR_DTYPE, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, v, o16), VDK_ERROR_DTYPE, "'o'");
    const int bad_heads[] = {0, -2, 3, 16};
    for (int i = 0; i < 4; i++) {
        p = good, p.heads = bad_heads[i];
        VT_ERROR(ctx, vdk_attention(ctx, &p, q, k, v, o), VDK_ERROR_INVALID_VALUE, "p->heads");
    }
    const float bad_scale[] = {NAN, INFINITY, -INFINITY};
    for (int i = 0; i < 3; i++) {
        p = good, p.scale = bad_scale[i];
        VT_ERROR(ctx, vdk_attention(ctx, &p, q, k, v, o), VDK_ERROR_INVALID_VALUE, "p->scale");
    }
    p = good, p.axes = (vdk_attention_axes)3;
    VT_ERROR(ctx, vdk_attention(ctx, &p, q, k, v, o), VDK_ERROR_INVALID_VALUE, "p->axes");
    p = good, p.axes = (vdk_attention_axes)-1;
    VT_ERROR(ctx, vdk_attention(ctx, &p, q, k, v, o), VDK_ERROR_INVALID_VALUE, "p->axes");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k_shape, v, o), VDK_ERROR_SHAPE, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, k_shape, o), VDK_ERROR_SHAPE, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, kc_n, vc, o), VDK_ERROR_SHAPE, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, kc_c, vc, o), VDK_ERROR_SHAPE, "'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, kc, vc_l, o), VDK_ERROR_SHAPE, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, kc, v, o), VDK_ERROR_RANK, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, vc, o), VDK_ERROR_RANK, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, v, o_shape), VDK_ERROR_SHAPE, "'o'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, v, q), VDK_ERROR_ALIAS, "input 'q'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, v, k), VDK_ERROR_ALIAS, "input 'k'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, v, v), VDK_ERROR_ALIAS, "input 'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, kc, v_in_big, o_in_big), VDK_ERROR_ALIAS, "input 'v'");
    /* the order of the categories: params before tensors, rank before dtype, dtype
     * before values, values before shapes, shapes before aliasing */
    VT_ERROR(ctx, vdk_attention(ctx, NULL, NULL, k, v, o), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k16, v, r4), VDK_ERROR_RANK, "'o'");
    p = good, p.heads = 3;
    VT_ERROR(ctx, vdk_attention(ctx, &p, q, k, v, o16), VDK_ERROR_DTYPE, "'o'");
    VT_ERROR(ctx, vdk_attention(ctx, &p, q, k_shape, v, o), VDK_ERROR_INVALID_VALUE, "p->heads");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k, v_other, q), VDK_ERROR_CONTEXT, "'v'");
    VT_ERROR(ctx, vdk_attention(ctx, &good, q, k_shape, v, q), VDK_ERROR_SHAPE, "'k'");
    VT_CHECK(vt_all_unchanged(&s1), "a failed call changed a tensor");
    VT_CHECK(vt_all_unchanged(&s2s), "a failed call changed a tensor");

    vdk_tensor *all[] = {q,   k,       v,       o,    kc,   vc,   r4,  r2, k16, o16,
                         k_shape, o_shape, kc_n, kc_c, vc_l, big, of, vf,  o_in_big,
                         v_in_big};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        vdk_tensor_destroy(all[i]);
    vdk_tensor_destroy(q_other);
    vdk_tensor_destroy(v_other);
    vdk_context_destroy(other_ctx);
}


/* ---- the CPU backend: every tier, f32, f16 and bf16, against the f64 oracle ---- */

typedef struct cpu_case {
    const char *what;
    int64_t shape[5];
    int heads;
    vdk_attention_axes axes;
    int64_t L;       /* cross-attention context tokens; 0: self-attention */
    float scale;     /* 0: 1/sqrt(D) */
    double qk;       /* q and k uniform in [-qk, qk) */
    bool strided;    /* q, k, v, o as slices of wider tensors */
} cpu_case;

/* The view of t that a case hands the kernel: t itself, or (strided) channels
 * [3, 3 + C) of the tokens [1, 1 + tokens) of axis 1. */
static vdk_tensor *case_view(vdk_tensor *t, bool strided, int64_t C)
{
    if (!strided)
        return NULL;
    vdk_tensor *a = NULL, *b = NULL;
    const int64_t n1 = vdk_tensor_dim(t, 1) - 2;
    if (vdk_tensor_slice(t, 1, 1, n1, &a) != VDK_OK || vdk_tensor_slice(a, -1, 3, C, &b) != VDK_OK)
        vt_fatal("case_view: %s", vdk_last_error(vdk_tensor_context(t)));
    vdk_tensor_destroy(a);
    return b;
}

/* How many calls named each of the two kernels (short temporal, flash), per
 * backend, so that the suite can check that its cases reach both. */
static int cpu_short_calls, cpu_flash_calls, vk_short_calls, vk_flash_calls;

/* Whether a temporal self-attention case is small enough that the Vulkan
 * temporal kernel takes it on any device (16 KiB of shared memory, the
 * Vulkan minimum): T <= 16 and D <= 64. */
static bool vk_surely_temporal(const cpu_case *c)
{
    return c->axes == VDK_AXES_TEMPORAL && !c->L && c->shape[1] <= 16 &&
           c->shape[4] / c->heads <= 64;
}

/* The call on context tc (inputs qw, kw, vw copied there, cut as the case says)
 * against the oracle o64; returns vdk_last_kernel. */
static const char *check_on(vdk_context *tc, const char *label, const cpu_case *c,
                            vdk_dtype dt, vdk_tensor *qw, vdk_tensor *kw, vdk_tensor *vw,
                            vdk_tensor *o64, double bound, uint64_t seed)
{
    const int64_t C = c->shape[4];
    const vdk_attention_params p = {c->axes, c->heads, c->scale};
    vdk_tensor *qt = vt_copy_as(tc, dt, qw), *kt = vt_copy_as(tc, dt, kw),
               *vt = vt_copy_as(tc, dt, vw);
    vdk_tensor *qtv = case_view(qt, c->strided, C), *ktv = case_view(kt, c->strided, C),
               *vtv = case_view(vt, c->strided, C);
    const vdk_tensor *qa = qtv ? qtv : qt, *ka = ktv ? ktv : kt, *va = vtv ? vtv : vt;
    if (c->strided) {
        /* o: channels [3, 3 + C) of a wider tensor, the rest must stay */
        int64_t owide[5];
        memcpy(owide, c->shape, sizeof owide);
        owide[4] += 8;
        vdk_tensor *ob = vt_random(tc, dt, 5, owide, seed + 3, -1, 1), *os = NULL;
        VT_STATUS(tc, vdk_tensor_slice(ob, -1, 3, C, &os), VDK_OK);
        vt_poison(os);
        double *before = vt_read(ob);
        VT_STATUS(tc, vdk_attention(tc, &p, qa, ka, va, os), VDK_OK);
        double *want = vt_read(o64);
        vt_error e = vt_compare_tensor(os, want);
        VT_CHECK(vt_error_ok(e, bound), "%s %s %s: norm_err %.3g (bound %.3g) bad %lld", label,
                 c->what, vdk_dtype_name(dt), e.norm_err, bound, (long long)e.bad);
        VT_CHECK(vt_changed_outside(ob, before, 3, C) == 0,
                 "%s %s %s: wrote outside the output view", label, c->what, vdk_dtype_name(dt));
        free(want);
        free(before);
        VT_DESTROY(ob, os);
    } else {
        vt_guarded o = vt_guarded_tensor(tc, dt, 5, c->shape);
        VT_STATUS(tc, vdk_attention(tc, &p, qa, ka, va, o.view), VDK_OK);
        VT_ORACLE_CHECK(&o, o64, bound, "%s %s %s", label, c->what, vdk_dtype_name(dt));
    }
    VT_DESTROY(qt, kt, vt, qtv, ktv, vtv);
    return vdk_last_kernel(tc);
}

/* One case on every CPU tier, or on the Vulkan context vk when it is not
 * NULL, in the dtypes of `dtypes` (bit 0 f32, bit 1 f16, bit 2 bf16). */
static void check_case(const cpu_case *c, uint64_t seed, vdk_context *vk, unsigned dtypes_mask)
{
    const vt_tiers *tiers = vt_cpu_tiers();
    const vdk_dtype dtypes[3] = {VDK_F32, VDK_F16, VDK_BF16};
    const int64_t N = c->shape[0], C = c->shape[4], D = C / c->heads;
    const int64_t T = c->shape[1], HW = c->shape[2] * c->shape[3];
    const int64_t Lk = c->L ? c->L
                       : c->axes == VDK_AXES_TEMPORAL     ? T
                       : c->axes == VDK_AXES_SPATIAL      ? HW
                                                          : T * HW;
    /* the dense shapes, and those of the tensors the strided views are cut from */
    const int64_t kshape[3] = {N, c->L, C};
    const int krank = c->L ? 3 : 5;
    const int64_t *ks = c->L ? kshape : c->shape;
    int64_t qwide[5], kwide[5];
    memcpy(qwide, c->shape, sizeof qwide);
    memcpy(kwide, ks, (size_t)krank * sizeof *kwide);
    if (c->strided) {
        qwide[1] += 2, qwide[4] += 8;
        kwide[1] += 2, kwide[krank - 1] += 8;
    }
    const vdk_attention_params p = {c->axes, c->heads, c->scale};
    for (int d = 0; d < 3; d++) {
        const vdk_dtype dt = dtypes[d];
        if (!(dtypes_mask >> d & 1))
            continue;
        /* inputs in the storage type on the reference context; the oracle runs in
         * f64 on exactly those values */
        vdk_tensor *qw = vt_random(ctx, dt, 5, qwide, seed, -c->qk, c->qk);
        vdk_tensor *kw = vt_random(ctx, dt, krank, kwide, seed + 1, -c->qk, c->qk);
        vdk_tensor *vw = vt_random(ctx, dt, krank, kwide, seed + 2, -1, 1);
        vdk_tensor *qv = case_view(qw, c->strided, C), *kv = case_view(kw, c->strided, C),
                   *vv = case_view(vw, c->strided, C);
        vdk_tensor *q64 = vt_copy_as(ctx, VDK_F64, qv ? qv : qw);
        vdk_tensor *k64 = vt_copy_as(ctx, VDK_F64, kv ? kv : kw);
        vdk_tensor *v64 = vt_copy_as(ctx, VDK_F64, vv ? vv : vw);
        vdk_tensor *o64 = vt_tensor(ctx, VDK_F64, 5, c->shape);
        VT_STATUS(ctx, vdk_attention(ctx, &p, q64, k64, v64, o64), VDK_OK);
        const double bound = vt_tolerance(dt, D + Lk, 1);
        if (vk) {
            const char *kernel = check_on(vk, "vulkan", c, dt, qw, kw, vw, o64, bound, seed);
            char want[64];
            const bool temporal = kernel && strstr(kernel, ".attention.temporal.");
            snprintf(want, sizeof want, "vulkan.attention.%s.%s", temporal ? "temporal" : "flash",
                     vdk_dtype_name(dt));
            /* flash for everything but short temporal self-attention, which
             * goes to the temporal kernel when its tiles fit */
            const bool may_temporal = c->axes == VDK_AXES_TEMPORAL && !c->L && T <= 64;
            VT_CHECK(kernel && !strcmp(kernel, want) && (may_temporal || !temporal) &&
                         (temporal || !vk_surely_temporal(c)),
                     "vulkan %s %s: vdk_last_kernel is '%s'", c->what, vdk_dtype_name(dt),
                     kernel ? kernel : "(null)");
            vk_short_calls += temporal;
            vk_flash_calls += kernel && strstr(kernel, ".attention.flash.") != NULL;
        } else {
            for (int ti = 0; ti < tiers->n; ti++) {
                const char *isa = vdk_cpu_isa_name(tiers->isa[ti]);
                char label[64];
                snprintf(label, sizeof label, "cpu %s", isa);
                const char *kernel =
                    check_on(tiers->ctx[ti], label, c, dt, qw, kw, vw, o64, bound, seed);
                VT_CHECK(kernel && !strncmp(kernel, isa, strlen(isa)) &&
                             strstr(kernel, "attention") && strstr(kernel, vdk_dtype_name(dt)),
                         "cpu %s %s %s: vdk_last_kernel is '%s'", isa, c->what,
                         vdk_dtype_name(dt), kernel ? kernel : "(null)");
                cpu_short_calls += kernel && strstr(kernel, ".attention.temporal.") != NULL;
                cpu_flash_calls += kernel && strstr(kernel, ".attention.flash.") != NULL;
            }
        }
        VT_DESTROY(qw, kw, vw, qv, kv, vv, q64, k64, v64, o64);
    }
}

#define S_ VDK_AXES_SPATIAL
#define TM_ VDK_AXES_TEMPORAL
#define ST_ VDK_AXES_SPATIOTEMPORAL
/* Sequence lengths are chosen off the kernels' tiles (query blocks of a few
 * register tiles, key blocks of a few panels, VW keys): primes and
 * multiples-plus-one; some exceed one key block, so that the online softmax
 * rescales. */
static const cpu_case cpu_cases[] = {
    {"spatial D=64 one head, 5x7", {1, 2, 5, 7, 64}, 1, S_, 0, 0, 2, false},
    {"spatial D=40, 11x13 (several key blocks)", {1, 1, 11, 13, 40}, 1, S_, 0, 0, 2, false},
    {"spatial D=80 heads=2, 4x9", {2, 2, 4, 9, 160}, 2, S_, 0, 0, 2, false},
    {"spatial D=128 heads=2, 7x11", {1, 1, 7, 11, 256}, 2, S_, 0, 0, 2, false},
    {"spatial D=20 heads=3, 6x6", {2, 1, 6, 6, 60}, 3, S_, 0, 0, 2, false},
    {"spatial one token", {2, 3, 1, 1, 16}, 2, S_, 0, 0, 2, false},
    {"spatial scale 0.37", {1, 2, 3, 11, 48}, 2, S_, 0, 0.37f, 2, false},
    {"spatial large scores, 13x13", {1, 1, 13, 13, 64}, 2, S_, 0, 1.0f, 2.5, false},
    {"spatiotemporal D=12 heads=4", {1, 3, 5, 7, 48}, 4, ST_, 0, 0, 2, false},
    {"spatiotemporal D=64, 2 items", {2, 2, 3, 13, 128}, 2, ST_, 0, 0, 2, false},
    {"temporal T=14 D=64", {1, 14, 3, 5, 128}, 2, TM_, 0, 0, 2, false},
    {"temporal T=1 D=80", {2, 1, 3, 3, 80}, 1, TM_, 0, 0, 2, false},
    {"temporal T=7 D=40, 13 pixels", {1, 7, 13, 1, 40}, 1, TM_, 0, 0, 2, false},
    {"temporal T=5 D=20 heads=2", {1, 5, 2, 3, 40}, 2, TM_, 0, 0, 2, false},
    {"temporal T=9 D=128", {1, 9, 2, 2, 256}, 2, TM_, 0, 0, 2, false},
    {"temporal T=33", {1, 33, 2, 1, 64}, 2, TM_, 0, 0, 2, false},
    {"temporal T=70 D=40", {1, 70, 1, 2, 80}, 2, TM_, 0, 0, 2, false},
    {"temporal T=128 D=128", {1, 128, 1, 1, 128}, 1, TM_, 0, 0, 2, false},
    {"temporal T=131 (flash)", {1, 131, 1, 2, 40}, 1, TM_, 0, 0, 2, false},
    {"temporal scale 2.5", {1, 6, 2, 2, 32}, 1, TM_, 0, 2.5f, 2, false},
    {"temporal large scores", {1, 12, 2, 3, 64}, 1, TM_, 0, 1.0f, 2.5, false},
    {"cross L=1", {2, 2, 3, 5, 64}, 1, S_, 1, 0, 2, false},
    {"cross L=77 D=80", {1, 2, 4, 5, 160}, 2, S_, 77, 0, 2, false},
    {"cross L=77 D=40 heads=8, temporal", {1, 2, 3, 3, 320}, 8, TM_, 77, 0, 2, false},
    {"cross L=5 large scores", {1, 1, 7, 7, 64}, 1, S_, 5, 1.0f, 2.5, false},
    {"strided spatial", {1, 2, 5, 5, 40}, 2, S_, 0, 0, 2, true},
    {"strided temporal", {1, 6, 3, 2, 48}, 3, TM_, 0, 0, 2, true},
    {"strided spatiotemporal", {2, 2, 2, 3, 24}, 1, ST_, 0, 0, 2, true},
    {"strided cross L=9", {1, 2, 3, 4, 64}, 1, S_, 9, 0, 2, true},
    {"strided temporal T=35", {1, 35, 1, 2, 16}, 1, TM_, 0, 0, 2, true},
    {"strided temporal T=137 (flash)", {1, 137, 1, 2, 16}, 1, TM_, 0, 0, 2, true},
};

static void test_cpu(void)
{
    for (size_t i = 0; i < sizeof cpu_cases / sizeof *cpu_cases; i++)
        check_case(&cpu_cases[i], 500 + 10 * i, NULL, 7);
    VT_CHECK(cpu_short_calls > 0 && cpu_flash_calls > 0,
             "cpu: the cases reached the short temporal kernel %d times and flash %d times",
             cpu_short_calls, cpu_flash_calls);
}

/* The Vulkan backend: the CPU cases, and shapes of its own tiles: head dims
 * that take the smaller tiles (D = 160, AnimateDiff's deepest level), or
 * chunks of the head dim (D = 301, not a multiple of 4 either), SVD's
 * temporal layer scaled down (25 frames, 5 heads of 64).
 *
 * lavapipe compiles a pipeline (dtype x head dim x tile) in about a second,
 * so a case runs in one storage dtype, the same for every case of its head
 * dim (the head dims in order of first appearance take f32, f16, bf16 in
 * turn), and the SVD shapes (D = 64, flash and temporal, dense and strided)
 * in all three. */
static void test_vulkan(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    static const cpu_case vk_cases[] = {
        {"spatial D=160 heads=2, 3x7", {1, 1, 3, 7, 320}, 2, S_, 0, 0, 2, false},
        {"spatial D=301 (chunks), 3x5", {1, 1, 3, 5, 301}, 1, S_, 0, 0, 2, false},
        {"strided cross L=9 D=301 (chunks)", {1, 1, 2, 3, 602}, 2, S_, 9, 0, 2, true},
        {"temporal T=25 D=64 heads=5", {1, 25, 2, 3, 320}, 5, TM_, 0, 0, 2, false},
        {"strided temporal T=25 D=64", {1, 25, 1, 2, 64}, 1, TM_, 0, 0, 2, true},
    };
    static const char *const all_dtypes[] = {
        "spatial D=64 one head, 5x7", "strided cross L=9", "temporal T=25 D=64 heads=5",
        "strided temporal T=25 D=64"};
    const size_t ncpu = sizeof cpu_cases / sizeof *cpu_cases;
    const size_t nvk = sizeof vk_cases / sizeof *vk_cases;
    int64_t dims[64];
    int ndims = 0;
    for (size_t i = 0; i < ncpu + nvk; i++) {
        const cpu_case *c = i < ncpu ? &cpu_cases[i] : &vk_cases[i - ncpu];
        const int64_t D = c->shape[4] / c->heads;
        int di = 0;
        while (di < ndims && dims[di] != D)
            di++;
        if (di == ndims)
            dims[ndims++] = D;
        unsigned mask = 1u << (di % 3);
        for (size_t a = 0; a < sizeof all_dtypes / sizeof *all_dtypes; a++)
            if (!strcmp(c->what, all_dtypes[a]))
                mask = 7;
        check_case(c, i < ncpu ? 500 + 10 * i : 900 + 10 * (i - ncpu), vk, mask);
    }
    /* q = k = v one view, o a disjoint view of the same storage (the shader
     * binds one buffer four times), flash and temporal, f32 */
    for (int a = 0; a < 2; a++) {
        const int64_t big_shape[5] = {2, 14, 3, 5, 64}, shape[5] = {1, 14, 3, 5, 64};
        const vdk_attention_params p = {a ? VDK_AXES_TEMPORAL : VDK_AXES_SPATIAL, 1, 0};
        vdk_tensor *big = vt_random(vk, VDK_F32, 5, big_shape, 961, -2, 2), *x = NULL, *o = NULL;
        VT_STATUS(vk, vdk_tensor_slice(big, 0, 0, 1, &x), VDK_OK);
        VT_STATUS(vk, vdk_tensor_slice(big, 0, 1, 1, &o), VDK_OK);
        vdk_tensor *x64 = vt_copy_as(ctx, VDK_F64, x), *o64 = vt_tensor(ctx, VDK_F64, 5, shape);
        VT_STATUS(ctx, vdk_attention(ctx, &p, x64, x64, x64, o64), VDK_OK);
        double *x_before = vt_read(x), *want = vt_read(o64);
        VT_STATUS(vk, vdk_attention(vk, &p, x, x, x, o), VDK_OK);
        double *x_after = vt_read(x), *got = vt_read(o);
        const int64_t n = numel(5, shape);
        vt_error e = vt_compare(got, want, n);
        const double bound = vt_tolerance(VDK_F32, 64 + (a ? 14 : 15), 1);
        VT_CHECK(vt_error_ok(e, bound), "vulkan %s, q = k = v and o in one storage: norm_err %.3g",
                 axes_name[a], e.norm_err);
        VT_CHECK(vt_error_ok(vt_compare(x_after, x_before, n), 0),
                 "vulkan %s, q = k = v and o in one storage: the input changed", axes_name[a]);
        free(x_before);
        free(x_after);
        free(want);
        free(got);
        VT_DESTROY(big, x, o, x64, o64);
    }
    VT_CHECK(vk_short_calls > 0 && vk_flash_calls > 0,
             "vulkan: the cases reached the temporal kernel %d times and flash %d times",
             vk_short_calls, vk_flash_calls);
    VT_STATUS(vk, vdk_sync(vk), VDK_OK);
}
#undef S_
#undef TM_
#undef ST_

/* Every output row is computed by one thread in a fixed order, so the thread
 * count does not change a single bit (docs/cpu.md asks at most rounding). */
static void test_cpu_threads(void)
{
    const vt_tiers *tiers = vt_cpu_tiers();
    const struct {
        int64_t shape[5];
        vdk_attention_axes axes;
        int64_t L;
    } runs[] = {{{1, 3, 9, 11, 64}, VDK_AXES_SPATIAL, 0},
                {{1, 14, 5, 7, 128}, VDK_AXES_TEMPORAL, 0},
                {{2, 4, 8, 8, 64}, VDK_AXES_SPATIAL, 77}};
    for (int ti = 0; ti < tiers->n; ti++) {
        vdk_context *one = NULL;
        VT_STATUS(NULL, vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_CPU,
                                                                .cpu_isa = tiers->isa[ti],
                                                                .threads = 1},
                                           &one),
                  VDK_OK);
        for (int r = 0; r < 3; r++) {
            const int64_t *sh = runs[r].shape, kv[3] = {sh[0], runs[r].L, sh[4]};
            const int krank = runs[r].L ? 3 : 5;
            const vdk_attention_params p = {runs[r].axes, 2, 0};
            vdk_context *cs[2] = {one, tiers->ctx[ti]};
            double *out[2];
            for (int c = 0; c < 2; c++) {
                vdk_tensor *q = vt_random(cs[c], VDK_F32, 5, sh, 601, -2, 2);
                vdk_tensor *k = vt_random(cs[c], VDK_F32, krank, krank == 3 ? kv : sh, 602, -2, 2);
                vdk_tensor *v = vt_random(cs[c], VDK_F32, krank, krank == 3 ? kv : sh, 603, -1, 1);
                vdk_tensor *o = vt_tensor(cs[c], VDK_F32, 5, sh);
                VT_STATUS(cs[c], vdk_attention(cs[c], &p, q, k, v, o), VDK_OK);
                out[c] = vt_read(o);
                VT_DESTROY(q, k, v, o);
            }
            vt_error e = vt_compare(out[1], out[0], numel(5, sh));
            VT_CHECK(vt_error_ok(e, 0), "cpu %s run %d: 3 threads differ from 1: %.3g",
                     vdk_cpu_isa_name(tiers->isa[ti]), r, e.norm_err);
            free(out[0]);
            free(out[1]);
        }
        vdk_context_destroy(one);
    }
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_identical_keys();
    test_cross_means();
    test_cross_grouping_irrelevant();
    test_permutation();
    test_heads_split();
    test_temporal_one_frame();
    test_large_scores();
    test_dtypes();
    test_strided_views();
    test_shared_storage_disjoint();
    test_axes_are_groupings();
    test_bad_input();
    test_cpu();
    test_cpu_threads();
    test_vulkan();
    vdk_context_destroy(ctx);
    return vt_finish("test_attention");
}
