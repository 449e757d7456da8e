/* vdk_concat: golden vectors from PyTorch, properties, dtypes, views and bad input.
 * Concatenation copies values, so every comparison here is exact. */
#include "vdk_test.h"

#include <stdlib.h>
#include <string.h>

static vdk_context *ctx;

static void test_golden(void)
{
    vt_golden_file f = vt_golden_load("concat");
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        vdk_concat_params p = {(int)vt_golden_param(c, "axis")};
        vdk_tensor *a = vt_golden_make(ctx, c, "a", VDK_F64);
        vdk_tensor *b = vt_golden_make(ctx, c, "b", VDK_F64);
        vt_guarded y = vt_golden_output(ctx, c, "y");
        VT_STATUS(ctx, vdk_concat(ctx, &p, a, b, y.view), VDK_OK);
        VT_GOLDEN_CHECK(&y, c, "y", 0);
        VT_DESTROY(a, b);
    }
    vt_golden_free(&f);
}

/* Checks that t holds exactly `want`. */
static bool holds(const vdk_tensor *t, const vdk_tensor *want)
{
    double *w = vt_read(want);
    vt_error e = vt_compare_tensor(t, w);
    free(w);
    return vt_error_ok(e, 0);
}

/* Slicing y along the axis gives a and b back, for every axis of rank 1 to 5 and
 * the axis given both ways (from the front and from the end). */
static void test_slices_give_inputs_back(void)
{
    const int64_t base[5] = {2, 3, 4, 1, 5};
    for (int rank = 1; rank <= 5; rank++)
        for (int axis = 0; axis < rank; axis++)
            for (int neg = 0; neg < 2; neg++) {
                int64_t sa[5], sb[5], sy[5];
                memcpy(sa, base, sizeof sa);
                memcpy(sb, base, sizeof sb);
                sa[axis] = 3;
                sb[axis] = 2;
                memcpy(sy, sa, sizeof sy);
                sy[axis] = 5;
                uint64_t seed = 600 + 20 * (uint64_t)rank + 2 * (uint64_t)axis;
                vdk_tensor *a = vt_random(ctx, VDK_F64, rank, sa, seed, -1, 1);
                vdk_tensor *b = vt_random(ctx, VDK_F64, rank, sb, seed + 1, -1, 1);
                vt_guarded y = vt_guarded_tensor(ctx, VDK_F64, rank, sy);
                vdk_concat_params p = {neg ? axis - rank : axis};
                VT_STATUS(ctx, vdk_concat(ctx, &p, a, b, y.view), VDK_OK);
                vdk_tensor *ya = NULL, *yb = NULL;
                VT_STATUS(ctx, vdk_tensor_slice(y.view, axis, 0, sa[axis], &ya), VDK_OK);
                VT_STATUS(ctx, vdk_tensor_slice(y.view, axis, sa[axis], sb[axis], &yb), VDK_OK);
                VT_CHECK(ya && holds(ya, a), "rank %d axis %d: y[:a] is not a", rank, p.axis);
                VT_CHECK(yb && holds(yb, b), "rank %d axis %d: y[a:] is not b", rank, p.axis);
                VT_CHECK(vt_guard_intact(&y), "rank %d axis %d: guard overwritten", rank, p.axis);
                vt_guarded_destroy(&y);
                VT_DESTROY(a, b, ya, yb);
            }
}

/* f32, f16 and bf16 storage: the copy is exact, so each equals the f64 oracle on
 * the same (rounded) inputs with no tolerance at all. */
static void test_dtypes(void)
{
    const int64_t sa[5] = {1, 2, 3, 5, 7}, sb[5] = {1, 2, 3, 5, 9}, sy[5] = {1, 2, 3, 5, 16};
    const vdk_concat_params p = {-1};
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (int d = 0; d < 3; d++) {
        vdk_dtype dt = dtypes[d];
        vdk_tensor *a = vt_random(ctx, dt, 5, sa, 701, -3, 3);
        vdk_tensor *b = vt_random(ctx, dt, 5, sb, 702, -3, 3);
        vdk_tensor *a64 = vt_copy_as(ctx, VDK_F64, a), *b64 = vt_copy_as(ctx, VDK_F64, b),
                   *y64 = vt_tensor(ctx, VDK_F64, 5, sy);
        VT_STATUS(ctx, vdk_concat(ctx, &p, a64, b64, y64), VDK_OK);
        vt_guarded y = vt_guarded_tensor(ctx, dt, 5, sy);
        VT_STATUS(ctx, vdk_concat(ctx, &p, a, b, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, 0, "%s", vdk_dtype_name(dt));
        VT_DESTROY(a, b, a64, b64, y64);
    }
}

/* A UNet skip: a and b are channel slices of wider tensors (b also a frame slice)
 * and y is itself a channel slice of a wider buffer; then the same along T. The
 * result equals the concat of dense copies, and nothing outside y's view changes. */
static void test_views(void)
{
    for (int axis = 1; axis <= 4; axis += 3) {
        const int64_t aw[5] = {2, 3, 4, 3, 11}, bw[5] = {2, 5, 4, 3, 8};
        int64_t sa[5] = {2, 3, 4, 3, 5}, sb[5] = {2, 3, 4, 3, 6};
        if (axis == 1)
            sa[4] = sb[4] = 5, sb[1] = 2;
        int64_t sy[5];
        memcpy(sy, sa, sizeof sy);
        sy[axis] = sa[axis] + sb[axis];
        int64_t yw[5];
        memcpy(yw, sy, sizeof yw);
        yw[4] = sy[4] + 4;
        vdk_tensor *abase = vt_random(ctx, VDK_F32, 5, aw, 801 + axis, -1, 1);
        vdk_tensor *bbase = vt_random(ctx, VDK_F32, 5, bw, 811 + axis, -1, 1);
        vdk_tensor *ybase = vt_random(ctx, VDK_F32, 5, yw, 821 + axis, -1, 1);
        vdk_tensor *a = NULL, *bc = NULL, *b = NULL, *y = NULL;
        VT_STATUS(ctx, vdk_tensor_slice(abase, 4, 4, sa[4], &a), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(bbase, 4, 1, sb[4], &bc), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(bc, 1, 2, sb[1], &b), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_slice(ybase, 4, 1, sy[4], &y), VDK_OK);
        vdk_tensor *ad = vt_copy_as(ctx, VDK_F32, a), *bd = vt_copy_as(ctx, VDK_F32, b),
                   *yd = vt_tensor(ctx, VDK_F32, 5, sy);
        const vdk_concat_params p = {axis};
        VT_STATUS(ctx, vdk_concat(ctx, &p, ad, bd, yd), VDK_OK);
        double *want = vt_read(yd), *before = vt_read(ybase);
        VT_STATUS(ctx, vdk_concat(ctx, &p, a, b, y), VDK_OK);
        vt_error e = vt_compare_tensor(y, want);
        VT_CHECK(vt_error_ok(e, 0), "axis %d, strided views: norm_err %.3g", axis, e.norm_err);
        int64_t changed = vt_changed_outside(ybase, before, 1, sy[4]);
        VT_CHECK(changed == 0, "axis %d: %lld elements outside the output view changed", axis,
                 (long long)changed);
        free(want);
        free(before);
        VT_DESTROY(abase, bbase, ybase, a, bc, b, y, ad, bd, yd);
    }
}

static void test_bad_input(void)
{
    const int64_t sa[5] = {1, 2, 3, 2, 4}, sb[5] = {1, 2, 3, 2, 3}, sy[5] = {1, 2, 3, 2, 7};
    vdk_tensor *a = vt_random(ctx, VDK_F32, 5, sa, 901, -1, 1);
    vdk_tensor *b = vt_random(ctx, VDK_F32, 5, sb, 902, -1, 1);
    vdk_tensor *y = vt_random(ctx, VDK_F32, 5, sy, 903, -1, 1);
    vdk_tensor *r4 = vt_random(ctx, VDK_F32, 4, sa, 904, -1, 1);
    vdk_tensor *b16 = vt_random(ctx, VDK_F16, 5, sb, 905, -1, 1);
    vdk_tensor *y16 = vt_random(ctx, VDK_F16, 5, sy, 906, -1, 1);
    vdk_tensor *b_h = vt_random(ctx, VDK_F32, 5, (int64_t[]){1, 2, 4, 2, 3}, 907, -1, 1);
    vdk_tensor *y_c8 = vt_random(ctx, VDK_F32, 5, (int64_t[]){1, 2, 3, 2, 8}, 908, -1, 1);
    vdk_tensor *b_other = vt_random(vt_other_context(), VDK_F32, 5, sb, 909, -1, 1);
    /* y over the end of a, and over the start of b, in one flat storage each */
    const int64_t nb = 36, ny = 84;
    vdk_tensor *fa = vt_random(ctx, VDK_F32, 1, (int64_t[]){ny + 8}, 910, -1, 1);
    vdk_tensor *fb = vt_random(ctx, VDK_F32, 1, (int64_t[]){ny + 8}, 911, -1, 1);
    vdk_tensor *a_in = vt_view_at(fa, 0, 5, sa), *y_in_a = vt_view_at(fa, 8, 5, sy);
    vdk_tensor *b_in = vt_view_at(fb, ny + 8 - nb, 5, sb), *y_in_b = vt_view_at(fb, 0, 5, sy);

    const vdk_concat_params good = {-1};
    vdk_concat_params p;
    vt_snapshots snap = VT_SNAP(a, b, y, y16, y_c8, fa, fb);

    VT_ERROR(NULL, vdk_concat(NULL, &good, a, b, y), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_concat(ctx, NULL, a, b, y), VDK_ERROR_NULL_POINTER, "'p'");
    VT_ERROR(ctx, vdk_concat(ctx, &good, NULL, b, y), VDK_ERROR_NULL_POINTER, "'a'");
    VT_ERROR(ctx, vdk_concat(ctx, &good, a, NULL, y), VDK_ERROR_NULL_POINTER, "'b'");
    VT_ERROR(ctx, vdk_concat(ctx, &good, a, b, NULL), VDK_ERROR_NULL_POINTER, "'y'");
    VT_ERROR(ctx, vdk_concat(ctx, &good, a, b_other, y), VDK_ERROR_CONTEXT, "'b'");
    VT_ERROR(ctx, vdk_concat(ctx, &good, a, r4, y), VDK_ERROR_RANK, "'b'");
    VT_ERROR(ctx, vdk_concat(ctx, &good, a, b, r4), VDK_ERROR_RANK, "'y'");
    VT_ERROR(ctx, vdk_concat(ctx, &good, a, b16, y), VDK_ERROR_DTYPE, "'b'");
    VT_ERROR(ctx, vdk_concat(ctx, &good, a, b, y16), VDK_ERROR_DTYPE, "'y'");
    p = (vdk_concat_params){5};
    VT_ERROR(ctx, vdk_concat(ctx, &p, a, b, y), VDK_ERROR_INVALID_VALUE, "p->axis");
    p = (vdk_concat_params){-6};
    VT_ERROR(ctx, vdk_concat(ctx, &p, a, b, y), VDK_ERROR_INVALID_VALUE, "p->axis");
    VT_ERROR(ctx, vdk_concat(ctx, &good, a, b_h, y), VDK_ERROR_SHAPE, "'b'");
    p = (vdk_concat_params){1}; /* a and b differ on the channel axis, not on T */
    VT_ERROR(ctx, vdk_concat(ctx, &p, a, b, y), VDK_ERROR_SHAPE, "'b'");
    VT_ERROR(ctx, vdk_concat(ctx, &good, a, b, y_c8), VDK_ERROR_SHAPE, "'y'");
    VT_ERROR(ctx, vdk_concat(ctx, &good, a_in, b, y_in_a), VDK_ERROR_ALIAS, "input 'a'");
    VT_ERROR(ctx, vdk_concat(ctx, &good, a, b_in, y_in_b), VDK_ERROR_ALIAS, "input 'b'");
    VT_CHECK(vt_all_unchanged(&snap), "a failed call changed a tensor");

    /* a.shape[0] + b.shape[0] past int64. These tensors claim far more than their
     * buffer; the call must fail before any read. */
    uint16_t keep[4] = {0};
    const int64_t huge = (int64_t)1 << 62, one = 1;
    vdk_tensor *a_huge = NULL, *b_huge = NULL, *y1 = vt_random(ctx, VDK_F16, 1, &one, 912, -1, 1);
    if (vdk_tensor_wrap(ctx, VDK_F16, 1, &huge, NULL, keep, SIZE_MAX, &a_huge) ||
        vdk_tensor_wrap(ctx, VDK_F16, 1, &huge, NULL, keep, SIZE_MAX, &b_huge))
        vt_fatal("wrap: %s", vdk_last_error(ctx));
    snap = VT_SNAP(y1);
    p = (vdk_concat_params){0};
    VT_ERROR(ctx, vdk_concat(ctx, &p, a_huge, b_huge, y1), VDK_ERROR_OVERFLOW, "a.shape[0]");
    VT_CHECK(vt_all_unchanged(&snap), "a failed call changed a tensor");

    VT_DESTROY(a, b, y, r4, b16, y16, b_h, y_c8, fa, fb, a_in, y_in_a, b_in, y_in_b, a_huge, b_huge,
               y1, b_other);
}

/* ---- the CPU backend: every tier, f32, f16 and bf16, exact against the f64
 * reference run on the same rounded inputs, and bit for bit ---- */

static const vdk_dtype cpu_dtypes[3] = {VDK_F32, VDK_F16, VDK_BF16};

/* A tensor of `shape` on c: dense, or (strided) a view of a bigger random
 * tensor: columns [3, 3 + C) and, for rank >= 2, indices [1, 1 + S) of the
 * axis before the last, so both the rows and the planes have gaps. */
typedef struct operand {
    vdk_tensor *t, *big, *mid;
    double *before;
} operand;

static operand cpu_operand(vdk_context *c, vdk_dtype dt, int rank, const int64_t *shape,
                           bool strided, uint64_t seed)
{
    operand o = {0};
    if (!strided) {
        o.t = vt_random(c, dt, rank, shape, seed, -3, 3);
        return o;
    }
    int64_t wide[VDK_MAX_RANK];
    memcpy(wide, shape, (size_t)rank * sizeof *wide);
    wide[rank - 1] += 5;
    if (rank >= 2)
        wide[rank - 2] += 2;
    o.big = vt_random(c, dt, rank, wide, seed, -3, 3);
    if (vdk_tensor_slice(o.big, rank - 1, 3, shape[rank - 1], &o.mid) != VDK_OK ||
        (rank >= 2 && vdk_tensor_slice(o.mid, rank - 2, 1, shape[rank - 2], &o.t) != VDK_OK))
        vt_fatal("slice: %s", vdk_last_error(c));
    if (rank < 2)
        o.t = o.mid, o.mid = NULL;
    o.before = vt_read(o.big);
    return o;
}

static void cpu_free(operand *o)
{
    VT_DESTROY(o->t, o->mid, o->big);
    free(o->before);
    *o = (operand){0};
}

/* Elements of big that changed but are not elements of the view (t's values,
 * read back, are put in place of before's over the view). */
static int64_t cpu_outside(const operand *o)
{
    if (!o->big)
        return 0;
    const int rank = vdk_tensor_rank(o->big);
    int64_t wide[VDK_MAX_RANK];
    for (int k = 0; k < rank; k++)
        wide[k] = vdk_tensor_dim(o->big, k);
    const int64_t n = vdk_tensor_numel(o->big);
    double *after = vt_read(o->big);
    int64_t changed = 0;
    for (int64_t i = 0; i < n; i++) {
        const int64_t col = i % wide[rank - 1],
                      row = i / wide[rank - 1] % (rank >= 2 ? wide[rank - 2] : 1);
        const bool in = col >= 3 && col < 3 + vdk_tensor_dim(o->t, -1) &&
                        (rank < 2 || (row >= 1 && row < 1 + vdk_tensor_dim(o->t, -2)));
        changed += !in && !(after[i] == o->before[i]);
    }
    free(after);
    return changed;
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

/* a and b concatenated on the target along `axis` (as given: negative counts
 * from the end), dense into a guarded y or strided throughout, exact. */
static void cpu_case(const target *tg, vdk_dtype dt, int rank, const int64_t *as, int axis,
                     int64_t blen, bool strided, uint64_t seed)
{
    vdk_context *c = tg->c;
    const int ax = axis < 0 ? axis + rank : axis;
    int64_t bs[VDK_MAX_RANK], ys[VDK_MAX_RANK];
    memcpy(bs, as, (size_t)rank * sizeof *bs);
    bs[ax] = blen;
    memcpy(ys, as, (size_t)rank * sizeof *ys);
    ys[ax] += blen;
    char label[224], sa[64], kname[64];
    snprintf(label, sizeof label, "%s %s a%s axis %d b len %lld %s", tg->name,
             vdk_dtype_name(dt), fmt_shape(sa, sizeof sa, rank, as), axis, (long long)blen,
             strided ? "strided" : "dense");
    snprintf(kname, sizeof kname, "%s.concat.%s", tg->kernel, vdk_dtype_name(dt));
    const vdk_concat_params p = {axis};
    operand a = cpu_operand(c, dt, rank, as, strided, seed);
    operand b = cpu_operand(c, dt, rank, bs, strided, seed + 1);
    vdk_tensor *a64 = vt_copy_as(ctx, VDK_F64, a.t), *b64 = vt_copy_as(ctx, VDK_F64, b.t),
               *y64 = vt_tensor(ctx, VDK_F64, rank, ys);
    VT_STATUS(ctx, vdk_concat(ctx, &p, a64, b64, y64), VDK_OK);
    if (!strided) {
        vt_guarded y = vt_guarded_tensor(c, dt, rank, ys);
        VT_STATUS(c, vdk_concat(c, &p, a.t, b.t, y.view), VDK_OK);
        VT_ORACLE_CHECK(&y, y64, 0, "%s", label);
    } else {
        operand y = cpu_operand(c, dt, rank, ys, true, seed + 2);
        vt_poison(y.t);
        VT_STATUS(c, vdk_concat(c, &p, a.t, b.t, y.t), VDK_OK);
        double *want = vt_read(y64);
        vt_error e = vt_compare_tensor(y.t, want);
        VT_CHECK(vt_error_ok(e, 0), "%s: not exact: max_abs %.3g bad %lld", label, e.max_abs,
                 (long long)e.bad);
        VT_CHECK(cpu_outside(&y) == 0, "%s: elements outside y's view changed", label);
        free(want);
        cpu_free(&y);
    }
    VT_CHECK(cpu_outside(&a) + cpu_outside(&b) == 0, "%s: an input changed", label);
    VT_CHECK(!strcmp(vdk_last_kernel(c), kname), "%s: kernel %s, expected %s", label,
             vdk_last_kernel(c), kname);
    cpu_free(&a);
    cpu_free(&b);
    VT_DESTROY(a64, b64, y64);
}

/* Every axis of every rank, counted from the front and from the end, with odd
 * sizes and b longer and shorter than a; then the UNet skip (channels) and
 * frame concatenations at sizes that take three threads. */
static void cases(const target *tg)
{
    const int64_t shape[5] = {2, 3, 5, 4, 7};
    static const struct {
        int rank, axis;
        int64_t a[5], blen;
    } large[] = {
        {5, -1, {2, 4, 16, 16, 64}, 96},
        {5, 1, {2, 4, 16, 16, 64}, 3},
        {5, 0, {1, 4, 16, 16, 61}, 2},
        {3, 2, {7, 300, 1}, 1},
    };
    for (int d = 0; d < 3; d++)
        for (int strided = 0; strided < 2; strided++) {
            for (int rank = 1; rank <= 5; rank++)
                for (int axis = -rank; axis < rank; axis++)
                    for (int64_t blen = 1; blen <= 9; blen += 8)
                        cpu_case(tg, cpu_dtypes[d], rank, shape + 5 - rank, axis, blen, strided,
                                 4000 + (uint64_t)(rank * 16 + axis + 8));
            for (size_t k = 0; k < sizeof large / sizeof *large; k++)
                cpu_case(tg, cpu_dtypes[d], large[k].rank, large[k].a, large[k].axis,
                         large[k].blen, strided, 4100 + k);
        }
}

static void test_cpu(const vt_tiers *tiers)
{
    for (int ti = 0; ti < tiers->n; ti++) {
        const target tg = tier_target(tiers, ti);
        cases(&tg);
    }
}

/* Random bit patterns (NaN payloads, -0, subnormals, infinities) come through
 * unchanged: caller memory, wrapped, against a plain copy. */
static void test_cpu_bits(const vt_tiers *tiers)
{
    const int64_t as[4] = {3, 4, 5, 6}, bs[4] = {3, 4, 2, 6}, ys[4] = {3, 4, 7, 6};
    const int64_t na = 360, nb = 144, ny = 504, inner_a = 30, inner_b = 12; /* axis 2 */
    for (int ti = 0; ti < tiers->n; ti++)
        for (int d = 0; d < 3; d++) {
            vdk_context *c = tiers->ctx[ti];
            const vdk_dtype dt = cpu_dtypes[d];
            const int64_t es = (int64_t)vdk_dtype_size(dt);
            unsigned char *ab = malloc((size_t)(na * es)), *bb = malloc((size_t)(nb * es)),
                          *yb = malloc((size_t)(ny * es)), *want = malloc((size_t)(ny * es));
            for (int64_t i = 0; i < na * es; i++)
                ab[i] = (unsigned char)(vt_uniform01(4200, (uint64_t)i) * 256);
            for (int64_t i = 0; i < nb * es; i++)
                bb[i] = (unsigned char)(vt_uniform01(4201, (uint64_t)i) * 256);
            for (int64_t o = 0; o < 12; o++) {
                memcpy(want + o * (inner_a + inner_b) * es, ab + o * inner_a * es,
                       (size_t)(inner_a * es));
                memcpy(want + (o * (inner_a + inner_b) + inner_a) * es, bb + o * inner_b * es,
                       (size_t)(inner_b * es));
            }
            memset(yb, 0x5A, (size_t)(ny * es));
            vdk_tensor *a = NULL, *b = NULL, *y = NULL;
            VT_STATUS(c, vdk_tensor_wrap(c, dt, 4, as, NULL, ab, (size_t)(na * es), &a), VDK_OK);
            VT_STATUS(c, vdk_tensor_wrap(c, dt, 4, bs, NULL, bb, (size_t)(nb * es), &b), VDK_OK);
            VT_STATUS(c, vdk_tensor_wrap(c, dt, 4, ys, NULL, yb, (size_t)(ny * es), &y), VDK_OK);
            VT_STATUS(c, vdk_concat(c, &(vdk_concat_params){2}, a, b, y), VDK_OK);
            VT_CHECK(!memcmp(yb, want, (size_t)(ny * es)), "cpu %s %s: not bit-exact",
                     vdk_cpu_isa_name(tiers->isa[ti]), vdk_dtype_name(dt));
            VT_DESTROY(a, b, y);
            free(ab);
            free(bb);
            free(yb);
            free(want);
        }
}

/* ---- the Vulkan backend ---- */

/* Shapes that make the shader move 16, 8 and 4 bytes at a time (whole runs,
 * then channel counts whose boundary between a and b allows only narrower
 * units), and one element at a time, for each dtype. */
static void vulkan_units(const target *tg)
{
    static const struct {
        int rank, axis;
        int64_t a[5], blen;
    } units[] = {
        {3, -1, {3, 5, 16}, 16}, /* 16 bytes in every dtype */
        {3, -1, {3, 5, 8}, 8},
        {3, -1, {3, 5, 4}, 4},
        {3, -1, {3, 5, 2}, 6},
        {3, -1, {3, 5, 1}, 3},
        {3, 1, {3, 1, 6}, 2},  /* rows of a and b, as runs of the merged axis */
        {2, 0, {5, 12}, 1},
    };
    for (int d = 0; d < 3; d++)
        for (size_t k = 0; k < sizeof units / sizeof *units; k++)
            cpu_case(tg, cpu_dtypes[d], units[k].rank, units[k].a, units[k].axis, units[k].blen,
                     false, 4300 + k);
}

/* Bit patterns come through unchanged: -0, subnormals, infinities, and in f32
 * NaN payloads (the host transfers canonicalise 16-bit NaNs, so those cannot
 * be planted). Compared bit for bit with what a and b hold on the device. */
static void vulkan_bits(vdk_context *c)
{
    const int64_t as[4] = {3, 4, 5, 6}, bs[4] = {3, 4, 2, 6}, ys[4] = {3, 4, 7, 6};
    const int64_t na = 360, nb = 144, ny = 504, inner_a = 30, inner_b = 12; /* axis 2 */
    for (int d = 0; d < 3; d++) {
        const vdk_dtype dt = cpu_dtypes[d];
        const int64_t es = (int64_t)vdk_dtype_size(dt);
        unsigned char *ab = malloc((size_t)(na * es)), *bb = malloc((size_t)(nb * es)),
                      *yb = malloc((size_t)(ny * es)), *want = malloc((size_t)(ny * es));
        for (int64_t i = 0; i < na * es; i++)
            ab[i] = (unsigned char)(vt_uniform01(4200, (uint64_t)i) * 256);
        for (int64_t i = 0; i < nb * es; i++)
            bb[i] = (unsigned char)(vt_uniform01(4201, (uint64_t)i) * 256);
        vdk_tensor *a = vt_tensor(c, dt, 4, as), *b = vt_tensor(c, dt, 4, bs),
                   *y = vt_tensor(c, dt, 4, ys);
        VT_STATUS(c, vdk_tensor_write(a, dt, ab, na), VDK_OK);
        VT_STATUS(c, vdk_tensor_write(b, dt, bb, nb), VDK_OK);
        VT_STATUS(c, vdk_tensor_read(a, dt, ab, na), VDK_OK);
        VT_STATUS(c, vdk_tensor_read(b, dt, bb, nb), VDK_OK);
        vt_poison(y);
        for (int64_t o = 0; o < 12; o++) {
            memcpy(want + o * (inner_a + inner_b) * es, ab + o * inner_a * es,
                   (size_t)(inner_a * es));
            memcpy(want + (o * (inner_a + inner_b) + inner_a) * es, bb + o * inner_b * es,
                   (size_t)(inner_b * es));
        }
        VT_STATUS(c, vdk_concat(c, &(vdk_concat_params){2}, a, b, y), VDK_OK);
        VT_STATUS(c, vdk_tensor_read(y, dt, yb, ny), VDK_OK);
        VT_CHECK(!memcmp(yb, want, (size_t)(ny * es)), "vulkan %s: not bit-exact",
                 vdk_dtype_name(dt));
        VT_DESTROY(a, b, y);
        free(ab);
        free(bb);
        free(yb);
        free(want);
    }
}

/* The CPU tiers' cases (every axis of every rank, dense and strided), the
 * copy units and the bit patterns, when a Vulkan device is here. */
static void test_vulkan(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    const target tg = {.c = vk, .name = "vulkan", .kernel = "vulkan"};
    cases(&tg);
    vulkan_units(&tg);
    vulkan_bits(vk);
    VT_STATUS(vk, vdk_sync(vk), VDK_OK);
}

int main(void)
{
    ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_golden();
    test_slices_give_inputs_back();
    test_dtypes();
    test_views();
    test_bad_input();
    test_cpu(vt_cpu_tiers());
    test_cpu(vt_cpu_stream_tiers());
    test_cpu_bits(vt_cpu_tiers());
    test_cpu_bits(vt_cpu_stream_tiers());
    test_vulkan();
    vdk_context_destroy(ctx);
    return vt_finish("test_concat");
}
