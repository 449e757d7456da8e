/* The bf16 dot-product loop, compiled with VDK_AVX512_FLAGS; called only when
 * cpuid also reports AVX512_BF16. Kept apart from kernels_avx512.c so that
 * the fp32 tier never depends on the BF16 extension. */
#include "peak.h"

#include <immintrin.h>

/* vdpbf16ps acc, a, b: for each of the 16 fp32 lanes, acc += a[2i]*b[2i] +
 * a[2i+1]*b[2i+1], so 32 multiply-adds (64 FLOP) per instruction. Sixteen
 * independent accumulators, as for the fp32 FMA loop. */
float vdk_peak_bf16_avx512(uint64_t iters) {
    __m512 acc[VDK_PEAK_BF16_ACC];
    for (int k = 0; k < VDK_PEAK_BF16_ACC; k++) acc[k] = _mm512_setzero_ps();
    /* 2^-10 * 2^-10 per product: the sums grow by 2^-19 a step and stay far
     * below overflow for any run length, and no operand is subnormal. */
    const __m512 v = _mm512_set1_ps(0x1p-10f);
    const __m512bh a = _mm512_cvtne2ps_pbh(v, v);
    for (uint64_t i = 0; i < iters; i++)
        for (int k = 0; k < VDK_PEAK_BF16_ACC; k++) acc[k] = _mm512_dpbf16_ps(acc[k], a, a);
    __m512 s = acc[0];
    for (int k = 1; k < VDK_PEAK_BF16_ACC; k++) s = _mm512_add_ps(s, acc[k]);
    return _mm512_reduce_add_ps(s);
}
