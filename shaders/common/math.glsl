// f32 elementary functions with the accuracy of the CPU backend's
// (kernels/common/vmath.h, same coefficients): GLSL's exp() may be as loose as
// 3 + 2|x| ulp on Vulkan and GLSL has no erf.
#ifndef VDK_MATH_GLSL
#define VDK_MATH_GLSL

// e^x by Cody-Waite reduction and a degree-6 polynomial; 0 below -87.3, e^88 above 88.
float vexp(float x)
{
    float xc = clamp(x, -87.3, 88.0);
    float n = roundEven(xc * 1.44269504088896341);
    float r = fma(-n, 0.693359375, xc);
    r = fma(-n, -2.12194440e-4, r);
    float p = 1.9875691500e-4;
    p = fma(p, r, 1.3981999507e-3);
    p = fma(p, r, 8.3334519073e-3);
    p = fma(p, r, 4.1665795894e-2);
    p = fma(p, r, 1.6666665459e-1);
    p = fma(p, r, 5.0000001201e-1);
    p = fma(p, r * r, r + 1.0);
    return x < -87.3 ? 0.0 : ldexp(p, int(n));
}

float vsigmoid(float x) { return 1.0 / (1.0 + vexp(-x)); }

// erfc(a) for a >= 0 (see vmath.h for the fit).
float verfc_nonneg(float a)
{
    float a2 = a * a;
    float p = 7.898209878476337e-05;
    p = fma(p, a2, -0.0008024353883229196);
    p = fma(p, a2, 0.00519005348905921);
    p = fma(p, a2, -0.026854809373617172);
    p = fma(p, a2, 0.11283612251281738);
    p = fma(p, a2, -0.3761262893676758);
    p = fma(p, a2, 1.128379225730896);
    float small_ = fma(-a, p, 1.0);
    float u = 1.0 / clamp(a, 1.0, 4.0);
    float q = -0.03821760416030884;
    q = fma(q, u, 0.26466262340545654);
    q = fma(q, u, -0.8106041550636292);
    q = fma(q, u, 1.4240049123764038);
    q = fma(q, u, -1.524053931236267);
    q = fma(q, u, 0.8994859457015991);
    q = fma(q, u, -0.06926850974559784);
    q = fma(q, u, -0.2851863205432892);
    q = fma(q, u, 0.0030154581181705);
    q = fma(q, u, 0.5637192130088806);
    q = fma(q, u, 2.596134800114669e-05);
    float large_ = vexp(-min(a2, 100.0)) * q;
    return a < 1.0 ? small_ : large_;
}

// x Phi(x); 1 + erf(z) as erfc(|z|) for z < 0 keeps the negative tail accurate.
float vgelu(float x)
{
    float z = x * 0.70710678118654752;
    float ec = verfc_nonneg(abs(z));
    return 0.5 * x * (z < 0.0 ? ec : 2.0 - ec);
}

#endif
