/* Vector elementary functions in f32, written once on the vocabulary of vec.h.
 * Accuracy (measured against double precision by tests/test_cpu_math.c):
 * vf_exp within 2 ulp; vf_sigmoid, vf_silu within 4 ulp; vf_gelu within 3e-7
 * relative where |gelu(x)| > 1e-30. The polynomial coefficients were fitted for
 * vdk (least squares on Chebyshev nodes in double, then rounded to f32). */
#ifndef VDK_KERNELS_VMATH_H
#define VDK_KERNELS_VMATH_H

#include "vdt.h"

/* e^x. Cody-Waite reduction x = n ln2 + r, a degree-6 polynomial for e^r, then
 * scaling by 2^n. Above 88 it returns e^88 (finite: the callers divide by or
 * add to it); below -87.3 it returns 0 rather than a subnormal. */
VDK_INLINE vf vf_exp(vf x)
{
    const vf lo = vf_set1(-87.3f);
    vf xc = vf_min(vf_max(x, lo), vf_set1(88.0f));
    vf n = vf_round(vf_mul(xc, vf_set1(1.44269504088896341f)));
    vf r = vf_fnma(n, vf_set1(0.693359375f), xc);
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

VDK_INLINE vf vf_sigmoid(vf x)
{
    const vf one = vf_set1(1.0f);
    return vf_div(one, vf_add(one, vf_exp(vf_sub(vf_zero(), x))));
}

VDK_INLINE vf vf_silu(vf x) { return vf_mul(x, vf_sigmoid(x)); }

/* erfc(a) for a >= 0: 1 - a P(a^2) below 1, e^(-a^2) Q(1/a) above (Q fits
 * erfcx on [1, 4]; beyond 4 the factor e^(-a^2) < 1.2e-7 makes Q(1/4) enough). */
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

    vf u = vf_div(one, vf_min(vf_max(a, one), vf_set1(4.0f)));
    vf q = vf_set1(-0.03821760416030884f);
    q = vf_fma(q, u, vf_set1(0.26466262340545654f));
    q = vf_fma(q, u, vf_set1(-0.8106041550636292f));
    q = vf_fma(q, u, vf_set1(1.4240049123764038f));
    q = vf_fma(q, u, vf_set1(-1.524053931236267f));
    q = vf_fma(q, u, vf_set1(0.8994859457015991f));
    q = vf_fma(q, u, vf_set1(-0.06926850974559784f));
    q = vf_fma(q, u, vf_set1(-0.2851863205432892f));
    q = vf_fma(q, u, vf_set1(0.0030154581181705f));
    q = vf_fma(q, u, vf_set1(0.5637192130088806f));
    q = vf_fma(q, u, vf_set1(2.596134800114669e-05f));
    vf large = vf_mul(vf_exp(vf_sub(vf_zero(), vf_min(a2, vf_set1(100.0f)))), q);
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
