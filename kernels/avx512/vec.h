/* The AVX-512 tier's vector vocabulary (16 x f32 in a zmm register, 32 of
 * them; masks in opmask registers). The tier needs AVX-512 F/BW/VL/DQ only: it
 * is compiled with -mavx512bf16 for kernels/avx512/ code that checks for BF16
 * at run time, so nothing here may use a BF16 instruction. Every tier's vec.h
 * defines the same names with the same meaning (docs/cpu.md); this one mirrors
 * kernels/avx2/vec.h lane for lane. */
#ifndef VDK_VEC_H
#define VDK_VEC_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define VDK_ISA_NAME "avx512"
#define VDK_K(name) vdk_avx512_##name
#define VW 16
/* GEMM register tile: MR rows of A broadcast (from memory, {1to16}) against
 * NR = 2 vectors of B: 24 accumulators + 2 of B of the 32 zmm registers. 14 x 32
 * would take 30 and leave the compiler nothing for the epilogue or for loading
 * the next B early; 24 independent FMA chains already cover 2 ports x 4 cycles
 * of latency three times over. */
#define VDK_GEMM_MR 12
#define VDK_GEMM_NR 32

typedef __m512 vf;
typedef __mmask16 vm; /* lane mask: bit i for lane i */

static inline vf vf_zero(void) { return _mm512_setzero_ps(); }
static inline vf vf_set1(float x) { return _mm512_set1_ps(x); }
static inline vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline vf vf_load_f16(const uint16_t *p)
{
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}
static inline void vf_store_f16(uint16_t *p, vf v)
{
    _mm256_storeu_si256((__m256i *)p, _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}
static inline vf vf_load_bf16(const uint16_t *p)
{
    __m512i w = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(w, 16));
}
/* Round to nearest even; a NaN stays a (quiet) NaN. Integer arithmetic as in
 * avx2/vec.h, not vcvtneps2bf16: that needs AVX512-BF16, which this tier does
 * not require, and it flushes subnormals to zero. */
static inline void vf_store_bf16(uint16_t *p, vf v)
{
    __m512i b = _mm512_castps_si512(v);
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(b, 16), _mm512_set1_epi32(1));
    __m512i r = _mm512_add_epi32(b, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7fff)));
    __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    r = _mm512_mask_or_epi32(r, nan, b, _mm512_set1_epi32(0x400000));
    _mm256_storeu_si256((__m256i *)p, _mm512_cvtepi32_epi16(_mm512_srli_epi32(r, 16)));
}

static inline vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf vf_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }   /* a*b + c */
static inline vf vf_fnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); } /* c - a*b */
static inline vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf vf_abs(vf a) { return _mm512_abs_ps(a); }
static inline vf vf_sqrt(vf a) { return _mm512_sqrt_ps(a); }
static inline vf vf_round(vf a)
{
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
/* 2^n for integral n in [-126, 127]. */
static inline vf vf_pow2i(vf n)
{
    __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
}
static inline vm vf_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
/* Per lane: m ? a : b. */
static inline vf vf_select(vm m, vf a, vf b) { return _mm512_mask_blend_ps(m, b, a); }
static inline float vf_hsum(vf v) { return _mm512_reduce_add_ps(v); }
static inline float vf_hmax(vf v) { return _mm512_reduce_max_ps(v); }

/* Lane i = the horizontal sum of v[i], for the VW vectors v[0..VW): four
 * levels of adds, each folding two vectors' halves into one, a 4 x 4 lane
 * transpose folded into the order the vectors are taken in. */
static inline vf vf_hsum_each(const vf *v)
{
    __m512 x[8], y[4], z[2];
    for (int k = 0; k < 8; k++) {
        /* Input slot s holds v[4 (s % 4) + s / 4], so that lane i comes out as v[i]. */
        const int s0 = 2 * k, s1 = 2 * k + 1;
        __m512 a = v[4 * (s0 % 4) + s0 / 4], b = v[4 * (s1 % 4) + s1 / 4];
        x[k] = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44), _mm512_shuffle_f32x4(a, b, 0xee));
    }
    for (int k = 0; k < 4; k++)
        y[k] = _mm512_add_ps(_mm512_shuffle_f32x4(x[2 * k], x[2 * k + 1], 0x88),
                             _mm512_shuffle_f32x4(x[2 * k], x[2 * k + 1], 0xdd));
    for (int k = 0; k < 2; k++)
        z[k] = _mm512_add_ps(_mm512_shuffle_ps(y[2 * k], y[2 * k + 1], 0x44),
                             _mm512_shuffle_ps(y[2 * k], y[2 * k + 1], 0xee));
    return _mm512_add_ps(_mm512_shuffle_ps(z[0], z[1], 0x88), _mm512_shuffle_ps(z[0], z[1], 0xdd));
}
/* Copies `bytes` from src to dst (any alignment, no overlap) with streaming
 * stores (vmovntdq) on the 64-byte aligned body, memcpy for the head and
 * tail; bit-exact. Streamed stores are weakly ordered: the thread that made
 * them calls vf_stream_fence() before others read the data. */
static inline void vf_stream_copy(void *dst, const void *src, size_t bytes)
{
    char *d = dst;
    const char *s = src;
    size_t head = (size_t)(-(uintptr_t)d & 63);
    if (head > bytes)
        head = bytes;
    memcpy(d, s, head);
    d += head, s += head, bytes -= head;
    for (; bytes >= 64; bytes -= 64, d += 64, s += 64)
        _mm512_stream_si512((void *)d, _mm512_loadu_si512((const void *)s));
    memcpy(d, s, bytes);
}
static inline void vf_stream_fence(void) { _mm_sfence(); }

#endif
