/* The scalar tier's vector vocabulary: one lane, portable C. It runs on any
 * processor and is the baseline the SIMD tiers are measured against. Every
 * tier's vec.h defines the same names (docs/cpu.md). */
#ifndef VDK_VEC_H
#define VDK_VEC_H

#include "../../src/internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define VDK_ISA_NAME "scalar"
#define VDK_K(name) vdk_scalar_##name
#define VW 1
/* 8 accumulators: the tile stays in the 16 registers of x86-64 as scalars. */
#define VDK_GEMM_MR 2
#define VDK_GEMM_NR 4

typedef float vf;
typedef int vm;

static inline vf vf_zero(void) { return 0.0f; }
static inline vf vf_set1(float x) { return x; }
static inline vf vf_load(const float *p) { return *p; }
static inline void vf_store(float *p, vf v) { *p = v; }
/* Exact widenings; the narrowing rounds once (float -> double is exact). */
static inline vf vf_load_f16(const uint16_t *p) { return (float)vdk_f16_to_f64(*p); }
static inline void vf_store_f16(uint16_t *p, vf v) { *p = vdk_f64_to_f16((double)v); }
static inline vf vf_load_bf16(const uint16_t *p)
{
    uint32_t b = (uint32_t)*p << 16;
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}
static inline void vf_store_bf16(uint16_t *p, vf v) { *p = vdk_f64_to_bf16((double)v); }

static inline vf vf_add(vf a, vf b) { return a + b; }
static inline vf vf_sub(vf a, vf b) { return a - b; }
static inline vf vf_mul(vf a, vf b) { return a * b; }
static inline vf vf_div(vf a, vf b) { return a / b; }
/* Unfused: fmaf would be a libm call on processors without FMA. */
static inline vf vf_fma(vf a, vf b, vf c) { return a * b + c; }
static inline vf vf_fnma(vf a, vf b, vf c) { return c - a * b; }
static inline vf vf_max(vf a, vf b) { return a > b ? a : b; }
static inline vf vf_min(vf a, vf b) { return a < b ? a : b; }
static inline vf vf_abs(vf a) { return fabsf(a); }
static inline vf vf_sqrt(vf a) { return sqrtf(a); }
static inline vf vf_round(vf a) { return rintf(a); }
static inline vf vf_pow2i(vf n)
{
    uint32_t b = (uint32_t)((int32_t)n + 127) << 23;
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}
static inline vm vf_lt(vf a, vf b) { return a < b; }
static inline vf vf_select(vm m, vf a, vf b) { return m ? a : b; }
static inline float vf_hsum(vf v) { return v; }
static inline float vf_hmax(vf v) { return v; }

/* Lane i = the horizontal sum of v[i], for the VW vectors v[0..VW). */
static inline vf vf_hsum_each(const vf *v) { return v[0]; }
/* vf_stream_copy: a copy that bypasses the caches where the tier can (see the
 * AVX2 tier); here a plain memcpy, and vf_stream_fence nothing. */
static inline void vf_stream_copy(void *dst, const void *src, size_t bytes)
{
    memcpy(dst, src, bytes);
}
static inline void vf_stream_fence(void) {}

#endif
