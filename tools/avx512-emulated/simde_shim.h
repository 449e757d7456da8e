/* Force-included before kernels/avx512/vec.h by run.sh: SIMDe's portable
 * AVX-512 stands in for the compiler's intrinsics, so that the logic of the
 * AVX-512 vocabulary runs on a processor without AVX-512. SIMDe 0.7.4
 * (Debian bookworm) lacks a few of the intrinsics vec.h uses; they are written
 * here lane by lane from their definitions in the Intel Intrinsics Guide, and
 * one it gets wrong is replaced. */
#ifndef VDK_SIMDE_SHIM_H
#define VDK_SIMDE_SHIM_H

#include <immintrin.h> /* the host's own AVX2/FMA/F16C, which SIMDe builds on */
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#include <simde/x86/f16c.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The library's own conversions (src/convert.c): f16 <-> f64, round to
 * nearest even, exact. */
uint16_t vdk_f64_to_f16(double x);
double vdk_f16_to_f64(uint16_t h);

static inline simde__m512 shim_cvtph_ps(simde__m256i h)
{
    uint16_t a[16];
    float f[16];
    simde__m512 r;
    memcpy(a, &h, sizeof a);
    for (int i = 0; i < 16; i++)
        f[i] = (float)vdk_f16_to_f64(a[i]);
    memcpy(&r, f, sizeof r);
    return r;
}

/* Only the rounding vec.h uses: to nearest even. */
static inline simde__m256i shim_cvtps_ph(simde__m512 v, int rounding)
{
    float f[16];
    uint16_t a[16];
    simde__m256i r;
    if (rounding != _MM_FROUND_TO_NEAREST_INT)
        abort();
    memcpy(f, &v, sizeof f);
    for (int i = 0; i < 16; i++)
        a[i] = vdk_f64_to_f16((double)f[i]);
    memcpy(&r, a, sizeof r);
    return r;
}

static inline simde__m512i shim_cvtepu16_epi32(simde__m256i h)
{
    uint16_t a[16];
    uint32_t w[16];
    simde__m512i r;
    memcpy(a, &h, sizeof a);
    for (int i = 0; i < 16; i++)
        w[i] = a[i];
    memcpy(&r, w, sizeof r);
    return r;
}

/* vpmovdw: truncation to the low 16 bits. */
static inline simde__m256i shim_cvtepi32_epi16(simde__m512i v)
{
    uint32_t w[16];
    uint16_t a[16];
    simde__m256i r;
    memcpy(w, &v, sizeof w);
    for (int i = 0; i < 16; i++)
        a[i] = (uint16_t)w[i];
    memcpy(&r, a, sizeof r);
    return r;
}

/* vcvtps2dq under the default MXCSR (nearest even); 0x80000000 when out of range. */
static inline simde__m512i shim_cvtps_epi32(simde__m512 v)
{
    float f[16];
    int32_t w[16];
    simde__m512i r;
    memcpy(f, &v, sizeof f);
    for (int i = 0; i < 16; i++)
        w[i] = f[i] >= -2147483648.0f && f[i] < 2147483648.0f ? (int32_t)rintf(f[i]) : INT32_MIN;
    memcpy(&r, w, sizeof r);
    return r;
}

/* The reductions halve the vector as the compilers' sequences do. */
static inline float shim_reduce_add_ps(simde__m512 v)
{
    float f[16];
    memcpy(f, &v, sizeof f);
    for (int w = 8; w; w /= 2)
        for (int i = 0; i < w; i++)
            f[i] += f[i + w];
    return f[0];
}

static inline float shim_reduce_max_ps(simde__m512 v)
{
    float f[16];
    memcpy(f, &v, sizeof f);
    for (int w = 8; w; w /= 2)
        for (int i = 0; i < w; i++)
            f[i] = f[i] > f[i + w] ? f[i] : f[i + w];
    return f[0];
}

/* vshuff32x4: 128-bit blocks 0 and 1 from a, 2 and 3 from b, as imm selects. */
static inline simde__m512 shim_shuffle_f32x4(simde__m512 a, simde__m512 b, int imm)
{
    float fa[16], fb[16], r[16];
    simde__m512 v;
    memcpy(fa, &a, sizeof fa);
    memcpy(fb, &b, sizeof fb);
    for (int q = 0; q < 4; q++)
        memcpy(r + 4 * q, (q < 2 ? fa : fb) + 4 * ((imm >> (2 * q)) & 3), 16);
    memcpy(&v, r, sizeof v);
    return v;
}

/* vmovntdq faults on an address that is not 64-byte aligned; so does this. */
static inline void shim_stream_si512(void *p, simde__m512i a)
{
    if ((uintptr_t)p & 63)
        abort();
    memcpy(p, &a, sizeof a);
}

/* SIMDe 0.7.4 computes x < 0 ? -x : x, which keeps -0 and a NaN's sign; the
 * instruction (and GCC's and clang's headers) clear the sign bit. */
static inline simde__m512 shim_abs_ps(simde__m512 v)
{
    return simde_mm512_castsi512_ps(
        simde_mm512_and_si512(simde_mm512_castps_si512(v), simde_mm512_set1_epi32(0x7fffffff)));
}

#undef _mm512_cvtph_ps
#define _mm512_cvtph_ps shim_cvtph_ps
#undef _mm512_cvtps_ph
#define _mm512_cvtps_ph shim_cvtps_ph
#undef _mm512_cvtepu16_epi32
#define _mm512_cvtepu16_epi32 shim_cvtepu16_epi32
#undef _mm512_cvtepi32_epi16
#define _mm512_cvtepi32_epi16 shim_cvtepi32_epi16
#undef _mm512_cvtps_epi32
#define _mm512_cvtps_epi32 shim_cvtps_epi32
#undef _mm512_reduce_add_ps
#define _mm512_reduce_add_ps shim_reduce_add_ps
#undef _mm512_reduce_max_ps
#define _mm512_reduce_max_ps shim_reduce_max_ps
#undef _mm512_shuffle_f32x4
#define _mm512_shuffle_f32x4 shim_shuffle_f32x4
#undef _mm512_stream_si512
#define _mm512_stream_si512 shim_stream_si512
#undef _mm512_abs_ps
#define _mm512_abs_ps shim_abs_ps

#endif
