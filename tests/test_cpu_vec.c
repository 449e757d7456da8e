/* Every CPU tier's vector vocabulary (kernels/<tier>/vec.h), name by name and
 * lane by lane, against the meaning docs/cpu.md gives it: exact results where
 * IEEE arithmetic is exact or correctly rounded, x86's max/min on NaN and
 * signed zeros in every tier, every f16 and bf16 bit pattern widened, f32
 * narrowed with round to nearest even at and beside every tie, NaN kept, and
 * partial vectors that write nothing past their end. Through the test hook of
 * kernels/vec_probe.h; a tier this processor cannot run is a SKIP (a failure
 * when VDK_TEST_REQUIRE_ISA lists it). */
#include "vdk_test.h"

#include "../kernels/vec_probe.h"
#include "internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct tier_fns {
    vdk_cpu_isa isa;
    int vw, registers; /* the vector width and register file the tier must have */
    vdk_vec_info_fn *info;
    vdk_vec_probe_fn *probe;
    vdk_vec_convert_fn *convert;
} tier_fns;

#define TIER(id, name, vw, regs)                                                               \
    {VDK_CPU_ISA_##id, vw, regs, vdk_##name##_vec_info, vdk_##name##_vec_probe,              \
     vdk_##name##_vec_convert}
static const tier_fns all_tiers[] = {
    TIER(SCALAR, scalar, 1, 0),
#if VDK_HAVE_AVX2
    TIER(AVX2, avx2, 8, 16),
#endif
#if VDK_HAVE_AVX512
    TIER(AVX512, avx512, 16, 32),
#endif
#if VDK_HAVE_NEON
    TIER(NEON, neon, 4, 32),
#endif
};

static uint32_t bits_of(float x)
{
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static float float_of(uint32_t b)
{
    float x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* The same value: bit for bit, or both NaN when `any_nan` (a NaN's payload may
 * differ between the tiers' instructions). */
static bool same(float got, float want, bool any_nan)
{
    if (any_nan && isnan(want))
        return isnan(got);
    return bits_of(got) == bits_of(want);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd32(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 32);
}

static const float specials[] = {
    0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 3.0f, 0.49999997f,
    -0.50000006f, 8388607.5f, 8388609.0f, 16777216.0f, -16777215.0f, 123.456f, -7.75f,
    1e30f, -1e30f, 1e-30f, 1e-45f, -1e-40f, FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX,
    65504.0f, 65520.0f, 6.1e-5f, 5.9604645e-8f, INFINITY, -INFINITY, NAN, -NAN,
};
enum { NSPEC = sizeof specials / sizeof *specials };

/* Inputs for the elementwise names: every pair of special values (a, b) with c
 * cycling through them, then random bit patterns and random moderate values.
 * The count is no multiple of any VW, so the partial vector is exercised. */
typedef struct inputs {
    int64_t n;
    float *a, *b, *c, *y;
} inputs;

static inputs make_inputs(void)
{
    const int64_t nrand = 3000;
    inputs in;
    in.n = NSPEC * NSPEC + 2 * nrand + 3;
    in.a = malloc((size_t)in.n * sizeof(float));
    in.b = malloc((size_t)in.n * sizeof(float));
    in.c = malloc((size_t)in.n * sizeof(float));
    in.y = malloc((size_t)in.n * sizeof(float));
    if (!in.a || !in.b || !in.c || !in.y)
        vt_fatal("out of memory");
    int64_t k = 0;
    for (int i = 0; i < NSPEC; i++)
        for (int j = 0; j < NSPEC; j++, k++) {
            in.a[k] = specials[i];
            in.b[k] = specials[j];
            in.c[k] = specials[(i + 3 * j) % NSPEC];
        }
    for (int64_t i = 0; i < nrand; i++, k++) {
        in.a[k] = float_of(rnd32());
        in.b[k] = float_of(rnd32());
        in.c[k] = float_of(rnd32());
    }
    for (; k < in.n; k++) {
        in.a[k] = (float)vt_uniform(1, (uint64_t)k, -100, 100);
        in.b[k] = (float)vt_uniform(2, (uint64_t)k, -100, 100);
        in.c[k] = (float)vt_uniform(3, (uint64_t)k, -1e4, 1e4);
    }
    return in;
}

static void free_inputs(inputs *in)
{
    free(in->a);
    free(in->b);
    free(in->c);
    free(in->y);
}

static const char *const op_names[VDK_VEC_COUNT] = {
    [VDK_VEC_ZERO] = "vf_zero", [VDK_VEC_SET1] = "vf_set1",   [VDK_VEC_ADD] = "vf_add",
    [VDK_VEC_SUB] = "vf_sub",   [VDK_VEC_MUL] = "vf_mul",     [VDK_VEC_DIV] = "vf_div",
    [VDK_VEC_MAX] = "vf_max",   [VDK_VEC_MIN] = "vf_min",     [VDK_VEC_FMA] = "vf_fma",
    [VDK_VEC_FNMA] = "vf_fnma", [VDK_VEC_ABS] = "vf_abs",     [VDK_VEC_SQRT] = "vf_sqrt",
    [VDK_VEC_ROUND] = "vf_round", [VDK_VEC_POW2I] = "vf_pow2i",
    [VDK_VEC_SELECT_LT] = "vf_select(vf_lt)", [VDK_VEC_HSUM] = "vf_hsum",
    [VDK_VEC_HMAX] = "vf_hmax", [VDK_VEC_HSUM_EACH] = "vf_hsum_each",
};

/* a*b + c rounded once, or (for the scalar tier, whose vf_fma is a*b + c in C
 * and so fused or not as the compiler contracts it) rounded twice. */
static bool fma_ok(float got, float a, float b, float c, bool neg, bool may_round_twice)
{
    float fused = neg ? fmaf(-a, b, c) : fmaf(a, b, c);
    if (same(got, fused, true))
        return true;
    volatile float p = a * b;
    float twice = neg ? c - p : p + c;
    return may_round_twice && same(got, twice, true);
}

static void check_elementwise(const tier_fns *t, const char *tier, inputs *in)
{
    for (int op = VDK_VEC_ZERO; op <= VDK_VEC_SELECT_LT; op++) {
        if (op == VDK_VEC_SET1 || op == VDK_VEC_POW2I)
            continue;
        for (int64_t i = 0; i < in->n; i++)
            in->y[i] = float_of(0xdeadbeef);
        t->probe(op, in->a, in->b, in->c, in->y, in->n);
        int64_t bad = 0, first = -1;
        for (int64_t i = 0; i < in->n; i++) {
            const float a = in->a[i], b = in->b[i], c = in->c[i], got = in->y[i];
            bool ok;
            switch (op) {
            case VDK_VEC_ZERO: ok = bits_of(got) == 0; break;
            case VDK_VEC_ADD: ok = same(got, a + b, true); break;
            case VDK_VEC_SUB: ok = same(got, a - b, true); break;
            case VDK_VEC_MUL: ok = same(got, a * b, true); break;
            case VDK_VEC_DIV: ok = same(got, a / b, true); break;
            /* x86's maxps/minps: the second operand unless the first is strictly
             * greater (less), so b for a NaN in either and for two zeros. */
            case VDK_VEC_MAX: ok = same(got, a > b ? a : b, false); break;
            case VDK_VEC_MIN: ok = same(got, a < b ? a : b, false); break;
            case VDK_VEC_FMA: ok = fma_ok(got, a, b, c, false, t->vw == 1); break;
            case VDK_VEC_FNMA: ok = fma_ok(got, a, b, c, true, t->vw == 1); break;
            case VDK_VEC_ABS: ok = same(got, fabsf(a), false); break;
            case VDK_VEC_SQRT: ok = same(got, sqrtf(a), true); break;
            case VDK_VEC_ROUND: ok = same(got, rintf(a), true); break;
            default: ok = same(got, a < b ? c : b, false); break;
            }
            if (!ok && bad++ == 0)
                first = i;
        }
        VT_CHECK(bad == 0,
                 "%s %s: %lld of %lld lanes wrong, first at %lld: a=%a b=%a c=%a gave %a "
                 "(0x%08x)",
                 tier, op_names[op], (long long)bad, (long long)in->n, (long long)first,
                 first < 0 ? 0.0 : in->a[first], first < 0 ? 0.0 : in->b[first],
                 first < 0 ? 0.0 : in->c[first], first < 0 ? 0.0 : in->y[first],
                 first < 0 ? 0u : bits_of(in->y[first]));
    }
}

/* vf_set1, vf_pow2i over [-126, 127], vf_hsum on exact sums and on random
 * values, vf_hmax. */
static void check_whole_vectors(const tier_fns *t, const char *tier)
{
    const int vw = t->vw, nv = 48, n = nv * vw;
    float *a = calloc((size_t)n, sizeof(float)), *y = calloc((size_t)n, sizeof(float));
    if (!a || !y)
        vt_fatal("out of memory");

    for (int i = 0; i < n; i++)
        a[i] = (float)vt_uniform(4, (uint64_t)i, -5, 5);
    t->probe(VDK_VEC_SET1, a, a, a, y, n);
    int bad = 0;
    for (int i = 0; i < n; i++)
        bad += bits_of(y[i]) != bits_of(a[i - i % vw]);
    VT_CHECK(bad == 0, "%s vf_set1: %d lanes are not the broadcast value", tier, bad);

    float *p = calloc(256 + 16, sizeof(float)), *q = calloc(256 + 16, sizeof(float));
    if (!p || !q)
        vt_fatal("out of memory");
    for (int e = -126; e <= 127; e++)
        p[e + 126] = (float)e;
    t->probe(VDK_VEC_POW2I, p, p, p, q, 254);
    bad = 0;
    for (int e = -126; e <= 127; e++)
        if (bits_of(q[e + 126]) != bits_of(ldexpf(1.0f, e)) && bad++ == 0)
            VT_CHECK(false, "%s vf_pow2i(%d) = %a, expected 2^%d", tier, e, q[e + 126], e);
    VT_CHECK(bad == 0, "%s vf_pow2i: %d of 254 exponents wrong", tier, bad);
    free(p);
    free(q);

    /* vf_hsum, and vf_hsum_each on the same vectors (nv is a multiple of every
     * VW up to 16, so that vf_hsum_each takes them VW at a time). Integers
     * first: every order of summation is exact. */
    static const int sum_ops[2] = {VDK_VEC_HSUM, VDK_VEC_HSUM_EACH};
    for (int o = 0; o < 2; o++) {
        const int op = sum_ops[o];
        const char *name = op_names[op];
        for (int i = 0; i < n; i++)
            a[i] = (float)(int)(rnd32() % 2001) - 1000.0f;
        t->probe(op, a, a, a, y, n);
        bad = 0;
        for (int v = 0; v < nv; v++) {
            float s = 0;
            for (int l = 0; l < vw; l++)
                s += a[v * vw + l];
            bad += y[v] != s;
        }
        VT_CHECK(bad == 0, "%s %s: %d of %d integer sums wrong", tier, name, bad, nv);
        /* Any values: within the rounding of vw - 1 additions in any order. */
        for (int i = 0; i < n; i++)
            a[i] = (float)vt_uniform(5, (uint64_t)i, -1e3, 1e3);
        t->probe(op, a, a, a, y, n);
        bad = 0;
        for (int v = 0; v < nv; v++) {
            double s = 0, mag = 0;
            for (int l = 0; l < vw; l++) {
                s += a[v * vw + l];
                mag += fabs(a[v * vw + l]);
            }
            bad += fabs(y[v] - s) > vw * FLT_EPSILON * mag;
        }
        VT_CHECK(bad == 0, "%s %s: %d of %d sums off by more than the rounding", tier, name, bad,
                 nv);
    }

    /* No NaN and no zero (the sign of a zero maximum is unspecified). */
    for (int i = 0; i < n; i++) {
        uint32_t r = rnd32();
        a[i] = r % 97 == 0 ? -INFINITY : r % 89 == 0 ? INFINITY : float_of(r & 0xff7fffff);
        if (a[i] == 0)
            a[i] = 1.0f;
    }
    t->probe(VDK_VEC_HMAX, a, a, a, y, n);
    bad = 0;
    for (int v = 0; v < nv; v++) {
        float m = a[v * vw];
        for (int l = 1; l < vw; l++)
            m = a[v * vw + l] > m ? a[v * vw + l] : m;
        bad += y[v] != m;
    }
    VT_CHECK(bad == 0, "%s vf_hmax: %d of %d maxima wrong", tier, bad, nv);
    free(a);
    free(y);
}

/* ---- f16 and bf16 ---- */

/* bf16 by its bits: through double a signalling NaN would come back quiet. */
static float want_from16(vdk_dtype dt, uint16_t h)
{
    return dt == VDK_F16 ? (float)vdk_f16_to_f64(h) : float_of((uint32_t)h << 16);
}

static uint16_t want_to16(vdk_dtype dt, float x)
{
    return dt == VDK_F16 ? vdk_f64_to_f16((double)x) : vdk_f64_to_bf16((double)x);
}

static bool is_nan16(vdk_dtype dt, uint16_t h)
{
    return dt == VDK_F16 ? (h & 0x7c00) == 0x7c00 && (h & 0x3ff)
                         : (h & 0x7f80) == 0x7f80 && (h & 0x7f);
}

/* Every 16-bit pattern widened: the exact value, a NaN for a NaN. bf16 is a
 * shift in every tier, so even a NaN keeps its bits. */
static void check_widen(const tier_fns *t, const char *tier, vdk_dtype dt)
{
    uint16_t *h = malloc(65536 * sizeof *h);
    float *f = malloc(65536 * sizeof *f);
    if (!h || !f)
        vt_fatal("out of memory");
    for (int i = 0; i < 65536; i++)
        h[i] = (uint16_t)i;
    t->convert(dt, h, VDK_F32, f, 65536);
    int bad = 0, first = -1;
    for (int i = 0; i < 65536; i++)
        if (!same(f[i], want_from16(dt, h[i]), dt == VDK_F16) && bad++ == 0)
            first = i;
    VT_CHECK(bad == 0, "%s vf_load_%s: %d of 65536 patterns wrong, first 0x%04x gave %a", tier,
             vdk_dtype_name(dt), bad, first, first < 0 ? 0.0 : f[first]);
    free(h);
    free(f);
}

/* f32 narrowed: random bit patterns, every representable value of the 16-bit
 * format, the ties halfway between neighbours and one f32 ulp to either side
 * of them (round to nearest even), and the specials. */
static void check_narrow(const tier_fns *t, const char *tier, vdk_dtype dt)
{
    const int64_t n = 4 * 65536 + (1 << 18) + NSPEC;
    float *x = malloc((size_t)n * sizeof *x);
    uint16_t *h = malloc((size_t)n * sizeof *h);
    if (!x || !h)
        vt_fatal("out of memory");
    int64_t k = 0;
    for (uint32_t i = 0; i < 65536; i++) {
        float v = want_from16(dt, (uint16_t)i), up = want_from16(dt, (uint16_t)(i + 1));
        if (isnan(v) || isinf(v) || isnan(up) || (i & 0x7fff) == 0x7fff) {
            x[k++] = v, x[k++] = -v, x[k++] = 1.0f, x[k++] = -2.0f;
            continue;
        }
        /* Beyond the largest finite value `up` is infinite; the tie is then the
         * would-be next value's midpoint, which rounds to infinity. */
        float mid = isinf(up) ? (float)((double)v + ((double)v - want_from16(dt, (uint16_t)(i - 1))) / 2)
                              : (float)(((double)v + up) / 2);
        x[k++] = v;
        x[k++] = mid;
        x[k++] = nextafterf(mid, 0.0f);
        x[k++] = nextafterf(mid, mid > 0 ? INFINITY : -INFINITY);
    }
    for (int i = 0; i < (1 << 18); i++)
        x[k++] = float_of(rnd32());
    for (int i = 0; i < NSPEC; i++)
        x[k++] = specials[i];
    t->convert(VDK_F32, x, dt, h, n);
    int64_t bad = 0, first = -1;
    for (int64_t i = 0; i < n; i++) {
        uint16_t want = want_to16(dt, x[i]);
        bool ok = isnan(x[i]) ? is_nan16(dt, h[i]) : h[i] == want;
        if (!ok && bad++ == 0)
            first = i;
    }
    VT_CHECK(bad == 0, "%s vf_store_%s: %lld of %lld values wrong, first %a gave 0x%04x, "
             "expected 0x%04x",
             tier, vdk_dtype_name(dt), (long long)bad, (long long)n,
             first < 0 ? 0.0 : x[first], first < 0 ? 0 : h[first],
             first < 0 ? 0 : want_to16(dt, x[first]));
    free(x);
    free(h);
}

/* Every pair of dtypes on every length up to 3 vectors and at an odd offset:
 * the first n elements right, the guard after them untouched. */
static void check_partial(const tier_fns *t, const char *tier)
{
    static const vdk_dtype dts[] = {VDK_F32, VDK_F16, VDK_BF16};
    enum { MAXVW = 16, GUARD = 64 };
    const int maxn = 3 * t->vw + 1;
    /* One element of offset, maxn + 1 elements, the guard. */
    unsigned char src[(3 * MAXVW + 3) * 4], dst[(3 * MAXVW + 3) * 4 + GUARD];
    if (t->vw > MAXVW)
        vt_fatal("%s: VW %d is wider than this test's buffers", tier, t->vw);
    int bad = 0;
    for (int s = 0; s < 3; s++)
        for (int d = 0; d < 3; d++)
            for (int n = 0; n <= maxn; n++) {
                const vdk_dtype sdt = dts[s], ddt = dts[d];
                const size_t ss = vdk_dtype_size(sdt), ds = vdk_dtype_size(ddt);
                for (int i = 0; i <= maxn; i++) {
                    float v = (float)vt_uniform(6, (uint64_t)(i + 100 * n), -3, 3);
                    if (sdt == VDK_F32)
                        memcpy(src + ss * (size_t)(i + 1), &v, 4);
                    else {
                        uint16_t hv = want_to16(sdt, v);
                        memcpy(src + ss * (size_t)(i + 1), &hv, 2);
                    }
                }
                memset(dst, 0xa5, sizeof dst);
                t->convert(sdt, src + ss, ddt, dst + ds, n);
                for (int i = 0; i < n; i++) {
                    float v;
                    if (sdt == VDK_F32)
                        memcpy(&v, src + ss * (size_t)(i + 1), 4);
                    else {
                        uint16_t hv;
                        memcpy(&hv, src + ss * (size_t)(i + 1), 2);
                        v = want_from16(sdt, hv);
                    }
                    if (ddt == VDK_F32) {
                        float g;
                        memcpy(&g, dst + ds * (size_t)(i + 1), 4);
                        bad += bits_of(g) != bits_of(v);
                    } else {
                        uint16_t g;
                        memcpy(&g, dst + ds * (size_t)(i + 1), 2);
                        bad += g != want_to16(ddt, v);
                    }
                }
                for (size_t i = 0; i < ds; i++)
                    bad += dst[i] != 0xa5;
                for (size_t i = ds * (size_t)(n + 1); i < sizeof dst; i++)
                    bad += dst[i] != 0xa5;
                if (bad) {
                    VT_CHECK(false, "%s convert %s -> %s of %d elements: wrong values or bytes "
                             "written outside",
                             tier, vdk_dtype_name(sdt), vdk_dtype_name(ddt), n);
                    return;
                }
            }
    VT_CHECK(true, "%s partial vectors", tier);
}

int main(void)
{
    const vt_tiers *tiers = vt_cpu_tiers();
    inputs in = make_inputs();
    for (int k = 0; k < tiers->n; k++) {
        const tier_fns *t = NULL;
        for (size_t j = 0; j < sizeof all_tiers / sizeof *all_tiers; j++)
            if (all_tiers[j].isa == tiers->isa[k])
                t = &all_tiers[j];
        const char *tier = vdk_cpu_isa_name(tiers->isa[k]);
        if (!VT_CHECK(t != NULL, "%s: no vocabulary probe for this tier", tier))
            continue;
        vdk_vec_info info;
        t->info(&info);
        VT_CHECK(!strcmp(info.name, tier), "%s: VDK_ISA_NAME is '%s'", tier, info.name);
        VT_CHECK(info.vw == t->vw, "%s: VW is %d, expected %d", tier, info.vw, t->vw);
        VT_CHECK(info.gemm_mr >= 1 && info.gemm_nr >= info.vw && info.gemm_nr % info.vw == 0,
                 "%s: GEMM tile %d x %d is not MR rows x a multiple of VW = %d", tier,
                 info.gemm_mr, info.gemm_nr, info.vw);
        /* MR x NR/VW accumulators, NR/VW vectors of B and a broadcast of A. */
        const int regs = info.gemm_mr * (info.gemm_nr / info.vw) + info.gemm_nr / info.vw + 1;
        VT_CHECK(t->registers == 0 || regs <= t->registers,
                 "%s: GEMM tile %d x %d needs %d vector registers, the tier has %d", tier,
                 info.gemm_mr, info.gemm_nr, regs, t->registers);
        check_elementwise(t, tier, &in);
        check_whole_vectors(t, tier);
        check_widen(t, tier, VDK_F16);
        check_widen(t, tier, VDK_BF16);
        check_narrow(t, tier, VDK_F16);
        check_narrow(t, tier, VDK_BF16);
        check_partial(t, tier);
        printf("%s: VW %d, GEMM tile %d x %d, vocabulary checked\n", tier, info.vw,
               info.gemm_mr, info.gemm_nr);
    }
    free_inputs(&in);
    return vt_finish("test_cpu_vec");
}
