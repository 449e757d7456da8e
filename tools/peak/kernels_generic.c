/* Bandwidth loops for a CPU with no AVX2 (or a build without it): plain C,
 * which the compiler vectorises with the target's baseline (SSE2 on x86-64),
 * plus SSE2 streaming stores for the non-temporal copy on x86-64. */
#include "peak.h"

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

static void copy_generic(float *restrict dst, const float *restrict src, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = src[i];
        VDK_PEAK_OPAQUE(v);
        dst[i] = v;
    }
}

static float read_generic(const float *restrict src, size_t n) {
    /* Eight partial sums: a single one would be bound by the add latency, not
     * by memory, and the compiler may not reassociate floats itself. */
    float s[8] = {0};
    for (size_t i = 0; i < n; i += 8)
        for (int k = 0; k < 8; k++) s[k] += src[i + k];
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static void triad_generic(float *restrict a, const float *restrict b, const float *restrict c,
                          float s, size_t n) {
    for (size_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
}

#if defined(__x86_64__)
static void copy_nt_sse2(float *restrict dst, const float *restrict src, size_t n) {
    for (size_t i = 0; i < n; i += 4) _mm_stream_ps(dst + i, _mm_load_ps(src + i));
    _mm_sfence();
}
#endif

#if VDK_PEAK_CLOCK
/* The adds are in asm because a compiler folds any such chain written in C. */
uint64_t vdk_peak_clock_loop(uint64_t iters) {
    uint64_t x = 0;
    for (uint64_t i = 0; i < iters; i++) {
#if defined(__x86_64__)
        __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                         "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
                         : "+r"(x));
#else
        __asm__ volatile("add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
                         "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1"
                         : "+r"(x));
#endif
    }
    return x;
}
#endif

const vdk_peak_bw_kernels vdk_peak_bw_generic = {
#if defined(__x86_64__)
    .isa = "sse2",
    .copy_nt = copy_nt_sse2,
#else
    .isa = "generic C",
    .copy_nt = NULL,
    .nt_reason = "no non-temporal store in the generic C kernels of this target",
#endif
    .copy = copy_generic,
    .read = read_generic,
    .triad = triad_generic,
};
