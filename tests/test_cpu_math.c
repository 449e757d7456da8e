/* kernels/common/vmath.h against double precision, in every CPU tier this
 * processor runs: vf_exp, vf_sigmoid, vf_silu and vf_gelu over a sweep of every
 * 4099th f32 bit pattern (all signs and binades, subnormals, infinities and
 * NaNs), a dense sweep of the range where the functions bend, and the special
 * values and cut-offs the header names. Each bound checked here is the one
 * vmath.h states; the maxima measured are printed so that the header's
 * numbers can be compared with what the code does. */
#include "vdk_test.h"

#include "../kernels/vmath_probe.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static vdk_vmath_probe_fn *probe_of(vdk_cpu_isa isa)
{
    switch (isa) {
    case VDK_CPU_ISA_SCALAR:
        return vdk_scalar_vmath_probe;
#if VDK_HAVE_AVX2
    case VDK_CPU_ISA_AVX2:
        return vdk_avx2_vmath_probe;
#endif
#if VDK_HAVE_AVX512
    case VDK_CPU_ISA_AVX512:
        return vdk_avx512_vmath_probe;
#endif
#if VDK_HAVE_NEON
    case VDK_CPU_ISA_NEON:
        return vdk_neon_vmath_probe;
#endif
    default:
        return NULL;
    }
}

static const char *const fn_names[VDK_VMATH_COUNT] = {"exp", "sigmoid", "silu", "gelu"};

/* ---- the bounds vmath.h states ---- */

#define EXP_LO (-87.3f)   /* below: exactly 0 */
#define EXP_HI 88.0f      /* above: e^88 */
#define EXP_ULP 2.0       /* in [EXP_LO, EXP_HI] */
#define SIG_LO (-88.0f)   /* sigmoid and silu below: exactly 0 */
#define SIGMOID_ULP 4.0   /* at and above SIG_LO */
#define SILU_ULP 4.0
/* gelu: relative error within GELU_REL0 + GELU_REL2 x^2 where |gelu(x)| > GELU_FLOOR */
#define GELU_REL0 1e-6
#define GELU_REL2 1.1e-7
#define GELU_FLOOR 1e-30

/* ---- double references ---- */

static double ref(int fn, double x)
{
    switch (fn) {
    case VDK_VMATH_EXP:
        return exp(x);
    case VDK_VMATH_SIGMOID:
        return 1.0 / (1.0 + exp(-x));
    case VDK_VMATH_SILU:
        return x / (1.0 + exp(-x));
    default:
        return 0.5 * x * erfc(-x / sqrt(2.0));
    }
}

/* The spacing of f32 values at |r|: 2^(e-23) in the binade of r, 2^-149 among
 * the subnormals. */
static double ulp_of(double r)
{
    r = fabs(r);
    if (r < FLT_MIN)
        return 0x1.0p-149;
    int e;
    frexp(r, &e); /* r = m 2^e, m in [0.5, 1) */
    return ldexp(1.0, e - 24);
}

/* ---- the inputs ---- */

static float from_bits(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

typedef struct inputs {
    float *x;
    int64_t n, cap;
} inputs;

static void push(inputs *in, float x)
{
    if (in->n == in->cap) {
        in->cap = in->cap ? 2 * in->cap : 1 << 20;
        in->x = realloc(in->x, (size_t)in->cap * sizeof *in->x);
        if (!in->x)
            vt_fatal("out of memory for %lld inputs", (long long)in->cap);
    }
    in->x[in->n++] = x;
}

/* x and its 4 neighbours on either side. */
static void push_around(inputs *in, float x)
{
    float lo = x, hi = x;
    push(in, x);
    for (int i = 0; i < 4; i++) {
        lo = nextafterf(lo, -INFINITY);
        hi = nextafterf(hi, INFINITY);
        push(in, lo);
        push(in, hi);
    }
}

static inputs make_inputs(void)
{
    inputs in = {0};
    /* every 4099th bit pattern: ~1M values over all of f32, NaNs included */
    for (uint64_t b = 0; b < (1ull << 32); b += 4099)
        push(&in, from_bits((uint32_t)b));
    /* dense where the functions bend: 2^-12 apart on [-110, 110] */
    for (int64_t i = -110 * 4096; i <= 110 * 4096; i++)
        push(&in, (float)i / 4096.0f);
    const float special[] = {
        0.0f, -0.0f, INFINITY, -INFINITY, NAN, -NAN, FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX,
        0x1.0p-149f, -0x1.0p-149f, 1e-30f, -1e-30f, 1.0f, -1.0f,
        EXP_LO, EXP_HI, -EXP_HI, 88.7228f, -88.7228f, -103.97f, 103.97f,
        1.41421356f, -1.41421356f, 5.65685425f, -5.65685425f, /* gelu's |x / sqrt 2| = 1, 4 */
        -10.0f, -13.0f, -14.0f, -15.0f, 10.0f, 20.0f,
    };
    for (size_t i = 0; i < sizeof special / sizeof *special; i++)
        push_around(&in, special[i]);
    return in;
}

/* ---- measurement ---- */

typedef struct worst {
    double err;  /* ulp, or relative for gelu */
    float x, y;
    double r;
} worst;

static void note(worst *w, double err, float x, float y, double r)
{
    if (y == r)
        err = 0;
    if (err > w->err || (isnan(err) && !isnan(w->err)))
        *w = (worst){err, x, y, r};
}

static void check_fn(const char *tier, int fn, const float *x, const float *y, int64_t n)
{
    worst w = {0};
    int64_t nan_lost = 0, nan_made = 0, tail_bad = 0;
    for (int64_t i = 0; i < n; i++) {
        const float xi = x[i], yi = y[i];
        const double r = ref(fn, (double)xi);
        if (isnan(r)) { /* a NaN input, or silu and gelu at -inf (-inf * 0) */
            nan_lost += !isnan(yi);
            continue;
        }
        if (isnan(yi)) {
            if (getenv("VT_VERBOSE"))
                printf("    %s %s(%.9g) = NaN\n", tier, fn_names[fn], (double)xi);
            nan_made++;
            continue;
        }
        switch (fn) {
        case VDK_VMATH_EXP:
            if (xi < EXP_LO)
                tail_bad += yi != 0.0f;
            else if (xi > EXP_HI)
                tail_bad += !(fabs(yi - exp(88.0)) <= EXP_ULP * ulp_of(exp(88.0)));
            else
                note(&w, fabs(yi - r) / ulp_of(r), xi, yi, r);
            break;
        case VDK_VMATH_SIGMOID:
        case VDK_VMATH_SILU:
            if (xi < SIG_LO)
                tail_bad += yi != 0.0f;
            else
                note(&w, fabs(yi - r) / ulp_of(r), xi, yi, r);
            break;
        default:
            /* the error in units of the stated bound at x */
            if (fabs(r) > GELU_FLOOR)
                note(&w, fabs(yi - r) / fabs(r) / (GELU_REL0 + GELU_REL2 * xi * xi), xi, yi, r);
            else
                tail_bad += !(fabs(yi - r) <= GELU_FLOOR);
            break;
        }
    }
    printf("  %-6s %-7s max error %.3g %s at x = %.9g (got %.9g, want %.17g)\n", tier,
           fn_names[fn], w.err, fn == VDK_VMATH_GELU ? "of the stated relative bound" : "ulp",
           (double)w.x, (double)w.y, w.r);
    VT_CHECK(nan_lost == 0, "%s %s: %lld NaN inputs gave a number", tier, fn_names[fn],
             (long long)nan_lost);
    VT_CHECK(nan_made == 0, "%s %s: %lld non-NaN inputs gave NaN", tier, fn_names[fn],
             (long long)nan_made);
    VT_CHECK(tail_bad == 0, "%s %s: %lld inputs outside the stated tails", tier, fn_names[fn],
             (long long)tail_bad);
    const double bound = fn == VDK_VMATH_EXP       ? EXP_ULP
                         : fn == VDK_VMATH_SIGMOID ? SIGMOID_ULP
                         : fn == VDK_VMATH_SILU    ? SILU_ULP
                                                   : 1.0;
    VT_CHECK(w.err <= bound, "%s %s: error %.3g at x = %.9g exceeds the stated %.3g", tier,
             fn_names[fn], w.err, (double)w.x, bound);
}

int main(void)
{
    const vt_tiers *tiers = vt_cpu_tiers();
    inputs in = make_inputs();
    float *y = malloc((size_t)in.n * sizeof *y);
    if (!y)
        vt_fatal("out of memory");
    printf("%lld inputs\n", (long long)in.n);
    for (int t = 0; t < tiers->n; t++) {
        const char *tier = vdk_cpu_isa_name(tiers->isa[t]);
        vdk_vmath_probe_fn *probe = probe_of(tiers->isa[t]);
        if (!VT_CHECK(probe != NULL, "tier %s runs but has no vmath probe", tier))
            continue;
        for (int fn = 0; fn < VDK_VMATH_COUNT; fn++) {
            probe(fn, in.x, y, in.n);
            check_fn(tier, fn, in.x, y, in.n);
        }
    }
    free(y);
    free(in.x);
    return vt_finish("test_cpu_math");
}
