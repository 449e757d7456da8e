// vdk_device_peak, FMA kinds: independent fma() chains in registers and
// nothing else. Each invocation runs CHAINS vector accumulators (16 f32 or 32
// f16 scalar chains), so the FMA units are limited by their throughput, not
// their latency, even at low occupancy; the loop body is unrolled 16 times so
// that its counter and branch are ~1% of the instructions issued. m and c come
// from push constants, so nothing folds; the chains start from values that
// differ per invocation and per chain, so none merges with another. Only their
// sum leaves, and only when it equals p.never, which the host picks so that it
// never does: the compiler must compute every chain, memory never sees it.
#version 450
#extension GL_GOOGLE_include_directive : require
#if F16
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define V f16vec4
#define S float16_t
#define CHAINS 8
#else
#define V vec4
#define S float
#define CHAINS 4
#endif

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) writeonly buffer Sink { float sink[]; };

layout(push_constant) uniform P {
    uint iters; // loop iterations: 16 steps of every chain each
    float m, c; // acc = acc * m + c converges to c / (1 - m): no denormal, no overflow
    float never;
} p;

#if CHAINS == 4
#define STEP a0 = fma(a0, mv, cv); a1 = fma(a1, mv, cv); a2 = fma(a2, mv, cv); a3 = fma(a3, mv, cv);
#else
#define STEP a0 = fma(a0, mv, cv); a1 = fma(a1, mv, cv); a2 = fma(a2, mv, cv); a3 = fma(a3, mv, cv); \
             a4 = fma(a4, mv, cv); a5 = fma(a5, mv, cv); a6 = fma(a6, mv, cv); a7 = fma(a7, mv, cv);
#endif
#define STEP4 STEP STEP STEP STEP

void main()
{
    const V mv = V(S(p.m)), cv = V(S(p.c));
    const float x = float(gl_LocalInvocationID.x) * (1.0 / 1024.0);
    V a0 = V(S(x), S(x + 0.01), S(x + 0.02), S(x + 0.03));
    V a1 = a0 + V(S(0.04)), a2 = a0 + V(S(0.08)), a3 = a0 + V(S(0.12));
#if CHAINS == 8
    V a4 = a0 + V(S(0.16)), a5 = a0 + V(S(0.20)), a6 = a0 + V(S(0.24)), a7 = a0 + V(S(0.28));
#endif
    for (uint i = 0; i < p.iters; i++) {
        STEP4 STEP4 STEP4 STEP4
    }
#if CHAINS == 8
    a0 += a4; a1 += a5; a2 += a6; a3 += a7;
#endif
    const vec4 s = vec4(a0 + a1) + vec4(a2 + a3);
    const float r = s.x + s.y + s.z + s.w;
    if (r == p.never)
        sink[0] = r;
}
