/* AVX-512 fp32 kernels, compiled with VDK_AVX512_FLAGS; called only when
 * cpuid reports AVX-512 F, DQ, BW and VL (every flag of that set the compiler
 * may use in fp32 code) and xgetbv reports saved opmask and ZMM state. */
#include "peak.h"

#include <immintrin.h>

/* Sixteen independent accumulators cover latency x throughput of every
 * AVX-512 CPU so far (4 cycles x 2 FMA units = 8 on two-unit Intel parts; Zen 4
 * runs a 512-bit FMA as two 256-bit halves) and leave half of the 32 ZMM
 * registers free. */
float vdk_peak_fma512_avx512(uint64_t iters) {
    __m512 acc[VDK_PEAK_FMA512_ACC];
    for (int k = 0; k < VDK_PEAK_FMA512_ACC; k++) acc[k] = _mm512_set1_ps(0.5f + 0.01f * (float)k);
    /* acc = acc*m + c converges to c/(1-m) = 1: values stay normal. */
    const __m512 m = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(0.001f);
    for (uint64_t i = 0; i < iters; i++)
        for (int k = 0; k < VDK_PEAK_FMA512_ACC; k++) acc[k] = _mm512_fmadd_ps(acc[k], m, c);
    __m512 s = acc[0];
    for (int k = 1; k < VDK_PEAK_FMA512_ACC; k++) s = _mm512_add_ps(s, acc[k]);
    return _mm512_reduce_add_ps(s);
}

static void copy_avx512(float *restrict dst, const float *restrict src, size_t n) {
    for (size_t i = 0; i < n; i += 16) {
        __m512 v = _mm512_load_ps(src + i);
        VDK_PEAK_OPAQUE(v);
        _mm512_store_ps(dst + i, v);
    }
}

static float read_avx512(const float *restrict src, size_t n) {
    /* Four partial sums of 64 floats (four cache lines) per step. */
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < n; i += 64) {
        s0 = _mm512_add_ps(s0, _mm512_load_ps(src + i));
        s1 = _mm512_add_ps(s1, _mm512_load_ps(src + i + 16));
        s2 = _mm512_add_ps(s2, _mm512_load_ps(src + i + 32));
        s3 = _mm512_add_ps(s3, _mm512_load_ps(src + i + 48));
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

static void triad_avx512(float *restrict a, const float *restrict b, const float *restrict c,
                         float s, size_t n) {
    const __m512 vs = _mm512_set1_ps(s);
    for (size_t i = 0; i < n; i += 16)
        _mm512_store_ps(a + i, _mm512_fmadd_ps(vs, _mm512_load_ps(c + i), _mm512_load_ps(b + i)));
}

static void copy_nt_avx512(float *restrict dst, const float *restrict src, size_t n) {
    for (size_t i = 0; i < n; i += 16) _mm512_stream_ps(dst + i, _mm512_load_ps(src + i));
    _mm_sfence();
}

const vdk_peak_bw_kernels vdk_peak_bw_avx512 = {
    .isa = "avx512",
    .copy = copy_avx512,
    .read = read_avx512,
    .triad = triad_avx512,
    .copy_nt = copy_nt_avx512,
};
