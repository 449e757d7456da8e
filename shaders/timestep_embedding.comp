// vdk_timestep_embedding: row n of y holds, for each frequency i < half,
// sin(a) and cos(a) of a = scale * (t[n] * exp(-c i)), c = ln(max_period) /
// (half - shift) (given by the host as a double-float), at columns (i, half + i)
// or, interleaved, (2i, 2i + 1); FLIP swaps each pair. Invocation i == half of
// an odd dim writes the last column's 0. Rows x run tiling (common/rows.glsl)
// with the run over i.
//
// Accuracy: within the policy's bound for one rounding of each output
// (docs/validation.md with K = 1, as the CPU kernel, which works in double)
// for |a| up to 2^20. exp(-c i), t * freq and the reduction of a modulo pi/2
// are carried in double-float (common/dfloat.glsl), so the reduced argument is
// good to about |a| 2^-45, where an f32 argument would be off by |a| 2^-24
// (6e-5 at a = 1000) and GLSL's sin and cos need not be accurate at all beyond
// [-pi, pi]; f32 polynomials on [-pi/4, pi/4] finish (about one f32 unit).
// Past |a| = 2^24, or where t * freq leaves the f32 range, the outputs are
// finite for finite t (NaN for non-finite t, as the reference's) but carry no
// accuracy claim: there the policy's bound for an f32 argument
// (K = ceil(|a|)^2, 4 |a| 2^-24 >= 4) exceeds the outputs' range anyway.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common/dtype.glsl"
#include "common/dfloat.glsl"
#include "common/rows.glsl" // declares the workgroup size

layout(constant_id = 3) const uint FLIP = 0;
layout(constant_id = 4) const uint INTERLEAVE = 0;

layout(std430, binding = 0) readonly buffer T { elem_t t[]; };
layout(std430, binding = 1) writeonly buffer Y { elem_t y[]; };

layout(push_constant) uniform P {
    uint shape[5]; // (1, 1, 1, N, half + dim % 2)
    uint ts[5];    // t's stride on axis 3
    uint ys[5];    // y's row stride on axis 3
    uint toff, yoff;
    uint half_, dim;
    float c_hi, c_lo; // ln(max_period) / (half - shift)
    float scale;
    uint tiling;
} p;

// 2^n for |n| <= 126, by its bits.
float pow2i(int n) { return uintBitsToFloat(uint(n + 127) << 23); }

// v 2^n by steps that stay in range, so the result over- or underflows
// only when v 2^n does.
vec2 df_ldexp(vec2 v, int n)
{
    while (n != 0) {
        int s = clamp(n, -126, 126);
        float f = pow2i(s);
        v *= f;
        n -= s;
    }
    return v;
}

// e^x for |x| <= 300 as (m, n), e^x = m 2^n, m a double-float in
// [1/sqrt 2, sqrt 2]: x - n ln 2 with ln 2 in three parts (the first product
// exact), then e^r by its Taylor series to r^13/13! (< 2^-47 for |r| <= ln2/2).
vec2 df_exp_scaled(vec2 x, out int n)
{
    float fn = roundEven(x.x * 1.4426950216293335);
    n = int(fn);
    vec2 r = df_add(x, -df_two_prod(fn, 0.6931471824645996));
    r = df_add_f(r, -(fn * -1.9046542121259336e-09));
    r = df_add_f(r, -(fn * -8.78318373858934e-17));
    const vec2 inv_fact[14] = vec2[14](
        vec2(1.0, 0.0), vec2(1.0, 0.0), vec2(0.5, 0.0),
        vec2(0.1666666716337204, -4.967053879312289e-09),
        vec2(0.0416666679084301, -1.2417634698280722e-09),
        vec2(0.008333333767950535, -4.34617203337595e-10),
        vec2(0.0013888889225199819, -3.3631094437103215e-11),
        vec2(0.00019841270113829523, -2.725596874933456e-12),
        vec2(2.4801587642286904e-05, -3.40699609366682e-13),
        vec2(2.7557318844628753e-06, 3.793571224297229e-14),
        vec2(2.755731998149713e-07, -7.575112209051195e-15),
        vec2(2.5052107943679403e-08, 4.4176230446483665e-16),
        vec2(2.0876755879584152e-09, 1.1082839147459852e-16),
        vec2(1.6059044372074283e-10, -5.352526511562726e-18));
    vec2 s = inv_fact[13];
    for (int k = 12; k >= 0; k--)
        s = df_add(df_mul(s, r), inv_fact[k]);
    return s;
}

// sin and cos of r, |r| <= pi/4 (+ a little): Cephes' single-precision
// minimax polynomials, about one unit of f32 roundoff.
vec2 sincos_small(float r)
{
    float z = r * r;
    float s = fma(fma(fma(-1.9515295891e-4, z, 8.3321608736e-3), z, -1.6666654611e-1), z * r, r);
    float c = fma(fma(fma(2.443315711809948e-5, z, -1.388731625493765e-3), z,
                      4.166664568298827e-2), z * z, fma(-0.5, z, 1.0));
    return vec2(s, c);
}

void main()
{
    uint rows = p.shape[3];
    uint row, c0, tx;
    if (!rows_tile(p.tiling, rows, row, c0, tx))
        return;
    float tn = LOAD(t, p.toff + row * p.ts[3]);
    uint yb = p.yoff + row * p.ys[3];
    for (uint k = 0; k < V; k++) {
        uint i = c0 + k * tx;
        if (i > p.half_)
            break;
        if (i == p.half_) {
            if (p.dim > 2u * p.half_)
                STORE(y, yb + p.dim - 1u, 0.0);
            break;
        }
        // a = scale (t freq), freq = m 2^n = e^(-c i); i < 2^24, exact in f32
        vec2 x = -df_mul_f(vec2(p.c_hi, p.c_lo), float(i));
        x = clamp(x, vec2(-300.0), vec2(300.0));
        int n;
        vec2 m = df_exp_scaled(x, n);
        vec2 a = df_mul_f(df_ldexp(df_mul_f(m, tn), n), p.scale);

        float sn, cs;
        if (abs(a.x) < 16777216.0) {
            // a - q pi/2 with pi/2 in three parts; q < 2^24 so q P1 and q P2
            // are exact products (df_two_prod) and a.x - q P1 is exact.
            float q = roundEven(a.x * 0.6366197466850281);
            vec2 p1 = df_two_prod(q, 1.5707963705062866);
            vec2 p2 = df_two_prod(q, -4.371138828673793e-08);
            vec2 r = df_two_sum(a.x, -p1.x);
            r = df_add_f(r, a.y);
            r = df_add_f(r, -p1.y);
            r = df_add_f(r, -p2.x);
            r = df_add_f(r, -p2.y);
            r = df_add_f(r, -(q * -1.7151245100058819e-15));
            vec2 sc = sincos_small(r.x);
            // the low part as a first-order correction: sin(h + l) ~ sin h + l cos h
            float s0 = fma(r.y, sc.y, sc.x), c0_ = fma(-r.y, sc.x, sc.y);
            int quad = int(q) & 3;
            sn = quad == 0 ? s0 : quad == 1 ? c0_ : quad == 2 ? -s0 : -c0_;
            cs = quad == 0 ? c0_ : quad == 1 ? -s0 : quad == 2 ? -c0_ : s0;
        } else if (isnan(tn) || isinf(tn)) {
            sn = cs = uintBitsToFloat(0x7fc00000u); // NaN, as the reference's sin and cos
        } else {
            // |a| >= 2^24, or t freq outside the f32 range: no accuracy claim
            // (see the top), finite values. a reduced modulo pi in f32.
            float h = isinf(a.x) || isnan(a.x) ? 0.0 : a.x;
            float j = round(h * 0.3183098861837907);
            vec2 sc = sincos_small(clamp(h - 3.1415927410125732 * j, -1.5707964, 1.5707964));
            float sgn = fract(0.5 * j) != 0.0 ? -1.0 : 1.0; // sin(r + j pi) = (-1)^j sin r
            sn = sgn * sc.x;
            cs = sgn * sc.y;
        }
        float first = FLIP != 0 ? cs : sn, second = FLIP != 0 ? sn : cs;
        uint j1 = INTERLEAVE != 0 ? 2u * i : i, j2 = INTERLEAVE != 0 ? 2u * i + 1u : p.half_ + i;
        STORE(y, yb + j1, first);
        STORE(y, yb + j2, second);
    }
}
