/* Vector elementary functions in f32, written once on the vocabulary of vec.h.
 * Accuracy against double precision, as tests/test_cpu_math.c measures it in
 * every tier (every 4099th f32 bit pattern, all of [-110, 110] 2^-12 apart, the
 * cut-offs and special values; a sweep of every 16th bit pattern agreed):
 *   vf_exp      <= 2 ulp on [-87.3, 88] (measured 1.3); 0 below, e^88 above.
 *   vf_sigmoid  <= 4 ulp from -88 up (measured 3.1); 0 below (true < 6.1e-39).
 *   vf_silu     <= 4 ulp from -88 up (measured 3.3); 0 below (true > -5.4e-37).
 *   vf_gelu     relative error <= 1e-6 + 1.1e-7 x^2 where |gelu(x)| > 1e-30:
 *               measured 1.6e-7 for x >= 0, 4e-7 on [-1, 0), 9e-7 near
 *               x = -1.41 (where erfc switches branch, 1 - a P(a^2) cancels to
 *               0.157), then growing with the f32 rounding of x^2 / 2 inside
 *               e^(-x^2/2) to 1.4e-5 at x = -11.4, where |gelu| is 3e-29. An
 *               exact x^2 (Dekker's split) would hold the tail to 4e-7 but costs
 *               12 % of vdk_unary's GELU throughput for values below 1e-3.
 * NaN propagates through all four; silu and gelu give NaN at -inf, as their
 * formulas (and the reference) do: -inf * 0.
 * The polynomial coefficients were fitted for vdk (least squares on Chebyshev
 * nodes in double, then rounded to f32, the erfcx fit refitting the remaining
 * coefficients after each rounding). */
#ifndef VDK_KERNELS_VMATH_H
#define VDK_KERNELS_VMATH_H

#include "vdt.h"

/* e^x. Cody-Waite reduction x = n ln2 + r, a degree-6 polynomial for e^r, then
 * scaling by 2^n. Above 88 it returns e^88 (finite: the callers divide by or
 * add to it); below -87.3 it returns 0 rather than a subnormal; NaN gives NaN.
 * n comes from a clamp that drops a NaN (vf_max(x, lo) is lo for a NaN x in the
 * scalar and x86 tiers, whose vf_pow2i must not see one; NEON's max keeps the
 * NaN, which its float-to-int conversion takes as 0) and r from one that keeps
 * it (vf_min(hi, x) is the NaN in every tier), so the NaN reaches the result. */
VDK_INLINE vf vf_exp(vf x)
{
    const vf lo = vf_set1(-87.3f), hi = vf_set1(88.0f);
    vf n = vf_round(vf_mul(vf_min(vf_max(x, lo), hi), vf_set1(1.44269504088896341f)));
    vf r = vf_fnma(n, vf_set1(0.693359375f), vf_min(hi, x));
    r = vf_fnma(n, vf_set1(-2.12194440e-4f), r);
    vf p = vf_set1(1.9875691500e-4f);
    p = vf_fma(p, r, vf_set1(1.3981999507e-3f));
    p = vf_fma(p, r, vf_set1(8.3334519073e-3f));
    p = vf_fma(p, r, vf_set1(4.1665795894e-2f));
    p = vf_fma(p, r, vf_set1(1.6666665459e-1f));
    p = vf_fma(p, r, vf_set1(5.0000001201e-1f));
    p = vf_fma(p, vf_mul(r, r), vf_add(r, vf_set1(1.0f)));
    return vf_select(vf_lt(x, lo), vf_zero(), vf_mul(p, vf_pow2i(n)));
}

/* 1 / (1 + e^-x). Below -88, where vf_exp(-x) stops growing at e^88, the true
 * value is under 6.1e-39 and the result is 0. */
VDK_INLINE vf vf_sigmoid(vf x)
{
    const vf one = vf_set1(1.0f);
    vf s = vf_div(one, vf_add(one, vf_exp(vf_sub(vf_zero(), x))));
    return vf_select(vf_lt(x, vf_set1(-88.0f)), vf_zero(), s);
}

VDK_INLINE vf vf_silu(vf x) { return vf_mul(x, vf_sigmoid(x)); }

/* erfc(a) for a >= 0: 1 - a P(a^2) below 1; e^(-a^2) u G(u - 1/2) with u = 1/a
 * above, G fitting erfcx(1/u) / u = e^(1/u^2) erfc(1/u) / u on all of u in
 * [0, 1] (relative error 1e-7 in f32; tools/vmath_fit.py), so the tail has no
 * cut-off: what is left of its error is the rounding of a^2 (see the top). */
VDK_INLINE vf vf_erfc_nonneg(vf a)
{
    const vf one = vf_set1(1.0f);
    vf a2 = vf_mul(a, a);
    vf p = vf_set1(7.898209878476337e-05f);
    p = vf_fma(p, a2, vf_set1(-0.0008024353883229196f));
    p = vf_fma(p, a2, vf_set1(0.00519005348905921f));
    p = vf_fma(p, a2, vf_set1(-0.026854809373617172f));
    p = vf_fma(p, a2, vf_set1(0.11283612251281738f));
    p = vf_fma(p, a2, vf_set1(-0.3761262893676758f));
    p = vf_fma(p, a2, vf_set1(1.128379225730896f));
    vf small = vf_fnma(a, p, one);

    vf u = vf_div(one, vf_max(a, one));
    vf t = vf_sub(u, vf_set1(0.5f));
    vf g = vf_set1(0.19373561441898346f);
    g = vf_fma(g, t, vf_set1(-0.15779104828834534f));
    g = vf_fma(g, t, vf_set1(-0.08613456040620804f));
    g = vf_fma(g, t, vf_set1(0.16008798778057098f));
    g = vf_fma(g, t, vf_set1(-0.10597634315490723f));
    g = vf_fma(g, t, vf_set1(0.03622908517718315f));
    g = vf_fma(g, t, vf_set1(0.042716141790151596f));
    g = vf_fma(g, t, vf_set1(-0.10852234810590744f));
    g = vf_fma(g, t, vf_set1(0.11895313113927841f));
    g = vf_fma(g, t, vf_set1(-0.03663782402873039f));
    g = vf_fma(g, t, vf_set1(-0.1672109067440033f));
    g = vf_fma(g, t, vf_set1(0.5107913613319397f));
    vf large = vf_mul(vf_exp(vf_sub(vf_zero(), vf_min(a2, vf_set1(100.0f)))), vf_mul(u, g));
    return vf_select(vf_lt(a, one), small, large);
}

/* x Phi(x) = x (1 + erf(x / sqrt 2)) / 2, with 1 + erf(z) taken as erfc(|z|)
 * for z < 0 so that the negative tail keeps its relative accuracy. */
VDK_INLINE vf vf_gelu(vf x)
{
    vf z = vf_mul(x, vf_set1(0.70710678118654752f));
    vf ec = vf_erfc_nonneg(vf_abs(z));
    vf one_plus_erf = vf_select(vf_lt(z, vf_zero()), ec, vf_sub(vf_set1(2.0f), ec));
    return vf_mul(vf_mul(vf_set1(0.5f), x), one_plus_erf);
}

/* The activation a fused epilogue applies (NONE, SILU, GELU). */
VDK_INLINE vf vf_activate(vdk_activation act, vf x)
{
    if (act == VDK_ACT_SILU)
        return vf_silu(x);
    if (act == VDK_ACT_GELU)
        return vf_gelu(x);
    return x;
}

#endif
