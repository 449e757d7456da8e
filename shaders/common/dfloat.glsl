// Double-float arithmetic: a value as an unevaluated sum hi + lo of two f32s
// (|lo| <= ulp(hi) / 2), about 48 significant bits, for the few places where
// an f32 intermediate would cost more than the output's own rounding (the
// arguments of timestep_embedding's sines). Devices need not have f64.
//
// The error-free transforms rely on f32 addition and multiplication being
// correctly rounded, which Vulkan requires, and on their order being kept:
// every temporary is `precise` (SPIR-V NoContraction), so the compiler neither
// fuses a*b+c into an fma nor reassociates. Products use Veltkamp splitting,
// not fma, as Vulkan lets an fma round twice. Valid while no intermediate
// overflows (|x| < 2^115 for the split) or falls into the subnormals.
#ifndef VDK_DFLOAT_GLSL
#define VDK_DFLOAT_GLSL

// a + b exactly, as (s, e).
vec2 df_two_sum(float a, float b)
{
    precise float s = a + b;
    precise float bb = s - a;
    precise float e = (a - (s - bb)) + (b - bb);
    return vec2(s, e);
}

// a + b exactly when |a| >= |b| (or a is 0).
vec2 df_quick_sum(float a, float b)
{
    precise float s = a + b;
    precise float e = b - (s - a);
    return vec2(s, e);
}

// a * b exactly, as (p, e) (Dekker).
vec2 df_two_prod(float a, float b)
{
    precise float p = a * b;
    precise float ta = 4097.0 * a;
    precise float ah = ta - (ta - a);
    precise float al = a - ah;
    precise float tb = 4097.0 * b;
    precise float bh = tb - (tb - b);
    precise float bl = b - bh;
    precise float e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    return vec2(p, e);
}

vec2 df_add(vec2 a, vec2 b)
{
    vec2 s = df_two_sum(a.x, b.x);
    vec2 t = df_two_sum(a.y, b.y);
    precise float e = s.y + t.x;
    s = df_quick_sum(s.x, e);
    precise float e2 = s.y + t.y;
    return df_quick_sum(s.x, e2);
}

vec2 df_add_f(vec2 a, float b)
{
    vec2 s = df_two_sum(a.x, b);
    precise float e = s.y + a.y;
    return df_quick_sum(s.x, e);
}

vec2 df_mul(vec2 a, vec2 b)
{
    vec2 p = df_two_prod(a.x, b.x);
    precise float e = p.y + (a.x * b.y + a.y * b.x);
    return df_quick_sum(p.x, e);
}

vec2 df_mul_f(vec2 a, float b)
{
    vec2 p = df_two_prod(a.x, b);
    precise float e = p.y + a.y * b;
    return df_quick_sum(p.x, e);
}

#endif
