/* The NEON tier's vector vocabulary (AArch64 Advanced SIMD: 4 x f32 in a q
 * register, 32 of them). Baseline ARMv8.0: the f16 conversions (fcvtl/fcvtn)
 * are part of it, no FEAT_FP16 arithmetic is used. Every tier's vec.h defines
 * the same names with the same meaning (docs/cpu.md); where NEON's own
 * instruction means something else (max/min of a NaN), the AVX2 meaning wins. */
#ifndef VDK_VEC_H
#define VDK_VEC_H

#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#define VDK_ISA_NAME "neon"
#define VDK_K(name) vdk_neon_##name
#define VW 4
/* GEMM register tile: MR rows of A broadcast against NR = 3 vectors of B: 24
 * accumulators + 3 of B + 1 broadcast = 28 of the 32 q registers, the shape
 * BLIS uses on Cortex-A57/A72 class cores. */
#define VDK_GEMM_MR 8
#define VDK_GEMM_NR 12

typedef float32x4_t vf;
typedef uint32x4_t vm; /* lane mask: all ones or all zeros per lane */

static inline vf vf_zero(void) { return vdupq_n_f32(0.0f); }
static inline vf vf_set1(float x) { return vdupq_n_f32(x); }
static inline vf vf_load(const float *p) { return vld1q_f32(p); }
static inline void vf_store(float *p, vf v) { vst1q_f32(p, v); }
/* Through u16 loads and reinterprets, so no uint16_t is read as __fp16. The
 * conversions follow FPCR: with Linux's default (round to nearest even, IEEE
 * half, no flushing) the narrowing rounds as F16C's _MM_FROUND_TO_NEAREST_INT
 * and a NaN stays a quiet NaN. */
static inline vf vf_load_f16(const uint16_t *p)
{
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p)));
}
static inline void vf_store_f16(uint16_t *p, vf v)
{
    vst1_u16(p, vreinterpret_u16_f16(vcvt_f16_f32(v)));
}
static inline vf vf_load_bf16(const uint16_t *p)
{
    return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(p), 16));
}
/* Round to nearest even; a NaN stays a (quiet) NaN. Integer arithmetic, as in
 * avx2/vec.h: ARMv8.0 has no bf16 conversion (bfcvtn is FEAT_BF16). */
static inline void vf_store_bf16(uint16_t *p, vf v)
{
    uint32x4_t b = vreinterpretq_u32_f32(v);
    uint32x4_t lsb = vandq_u32(vshrq_n_u32(b, 16), vdupq_n_u32(1));
    uint32x4_t r = vaddq_u32(b, vaddq_u32(lsb, vdupq_n_u32(0x7fff)));
    uint32x4_t nan = vmvnq_u32(vceqq_f32(v, v));
    r = vbslq_u32(nan, vorrq_u32(b, vdupq_n_u32(0x400000)), r);
    vst1_u16(p, vshrn_n_u32(r, 16));
}

static inline vf vf_add(vf a, vf b) { return vaddq_f32(a, b); }
static inline vf vf_sub(vf a, vf b) { return vsubq_f32(a, b); }
static inline vf vf_mul(vf a, vf b) { return vmulq_f32(a, b); }
static inline vf vf_div(vf a, vf b) { return vdivq_f32(a, b); }
static inline vf vf_fma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }  /* a*b + c */
static inline vf vf_fnma(vf a, vf b, vf c) { return vfmsq_f32(c, a, b); } /* c - a*b */
/* a > b ? a : b, lane by lane, as x86 maxps and the scalar tier: with a NaN or
 * two zeros it returns b. NEON's fmax would return the NaN, fmaxnm the number;
 * vmath.h's clamps (vf_exp of a NaN) rely on one meaning on every tier. */
static inline vf vf_max(vf a, vf b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static inline vf vf_min(vf a, vf b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
static inline vf vf_abs(vf a) { return vabsq_f32(a); }
static inline vf vf_sqrt(vf a) { return vsqrtq_f32(a); }
static inline vf vf_round(vf a) { return vrndnq_f32(a); }
/* 2^n for integral n in [-126, 127]. */
static inline vf vf_pow2i(vf n)
{
    int32x4_t e = vaddq_s32(vcvtnq_s32_f32(n), vdupq_n_s32(127));
    return vreinterpretq_f32_s32(vshlq_n_s32(e, 23));
}
static inline vm vf_lt(vf a, vf b) { return vcltq_f32(a, b); }
/* Per lane: m ? a : b. */
static inline vf vf_select(vm m, vf a, vf b) { return vbslq_f32(m, a, b); }
static inline float vf_hsum(vf v) { return vaddvq_f32(v); }
static inline float vf_hmax(vf v) { return vmaxvq_f32(v); }

/* Lane i = the horizontal sum of v[i], for the VW vectors v[0..VW): pairwise
 * adds, a transpose folded in. */
static inline vf vf_hsum_each(const vf *v)
{
    return vpaddq_f32(vpaddq_f32(v[0], v[1]), vpaddq_f32(v[2], v[3]));
}
/* Copies `bytes` from src to dst (any alignment, no overlap), bit-exact. A
 * plain memcpy: AArch64 cores switch long runs of stores to write-streaming
 * (no line fill) by themselves, and STNP has no C intrinsic. */
static inline void vf_stream_copy(void *dst, const void *src, size_t bytes)
{
    memcpy(dst, src, bytes);
}
static inline void vf_stream_fence(void) {}

#endif
