/* AVX2/FMA kernels, compiled with VDK_AVX2_FLAGS; called only when cpuid and
 * xgetbv report AVX2, FMA and saved YMM state. */
#include "peak.h"

#include <immintrin.h>

/* Twelve independent accumulators: the FMA units of current AVX2 CPUs need
 * latency x throughput = 4-5 cycles x 2 per cycle = 8-10 FMAs in flight. Twelve
 * plus the two constants fit in the 16 YMM registers without spilling. */
float vdk_peak_fma256_avx2(uint64_t iters) {
    __m256 acc[VDK_PEAK_FMA256_ACC];
    for (int k = 0; k < VDK_PEAK_FMA256_ACC; k++) acc[k] = _mm256_set1_ps(0.5f + 0.01f * (float)k);
    /* acc = acc*m + c converges to c/(1-m) = 1: values stay normal, never
     * overflow or turn subnormal, whatever the iteration count. */
    const __m256 m = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(0.001f);
    for (uint64_t i = 0; i < iters; i++)
        for (int k = 0; k < VDK_PEAK_FMA256_ACC; k++) acc[k] = _mm256_fmadd_ps(acc[k], m, c);
    __m256 s = acc[0];
    for (int k = 1; k < VDK_PEAK_FMA256_ACC; k++) s = _mm256_add_ps(s, acc[k]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}

static void copy_avx2(float *restrict dst, const float *restrict src, size_t n) {
    for (size_t i = 0; i < n; i += 8) {
        __m256 v = _mm256_load_ps(src + i);
        VDK_PEAK_OPAQUE(v);
        _mm256_store_ps(dst + i, v);
    }
}

static float read_avx2(const float *restrict src, size_t n) {
    /* Four partial sums of 32 floats (one 128-byte pair of lines) per step,
     * so the add latency never limits the stream. */
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < n; i += 32) {
        s0 = _mm256_add_ps(s0, _mm256_load_ps(src + i));
        s1 = _mm256_add_ps(s1, _mm256_load_ps(src + i + 8));
        s2 = _mm256_add_ps(s2, _mm256_load_ps(src + i + 16));
        s3 = _mm256_add_ps(s3, _mm256_load_ps(src + i + 24));
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}

static void triad_avx2(float *restrict a, const float *restrict b, const float *restrict c,
                       float s, size_t n) {
    const __m256 vs = _mm256_set1_ps(s);
    for (size_t i = 0; i < n; i += 8)
        _mm256_store_ps(a + i, _mm256_fmadd_ps(vs, _mm256_load_ps(c + i), _mm256_load_ps(b + i)));
}

static void copy_nt_avx2(float *restrict dst, const float *restrict src, size_t n) {
    for (size_t i = 0; i < n; i += 8) _mm256_stream_ps(dst + i, _mm256_load_ps(src + i));
    _mm_sfence();
}

const vdk_peak_bw_kernels vdk_peak_bw_avx2 = {
    .isa = "avx2",
    .copy = copy_avx2,
    .read = read_avx2,
    .triad = triad_avx2,
    .copy_nt = copy_nt_avx2,
};
