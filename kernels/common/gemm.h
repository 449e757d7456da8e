/* The GEMM under vdk_linear and vdk_conv3d: C[M, N] = A[M, K] * B[K, N] with a
 * fused epilogue, A's rows coming from the activations (a row of x, or one output
 * position's im2col row) and B from the weights.
 *
 * The register tile is VDK_GEMM_MR rows x VDK_GEMM_NR columns (vec.h). Both
 * operands are packed, GotoBLAS-style: B once per call into panels of NR columns,
 * k-major, so that the NR/VW vectors of one k are contiguous; A per M-block and
 * K-block into MR-interleaved tiles (a[k MR + r]), so that a tile's A is one
 * contiguous stream read front to back, rather than MR row streams a row of x
 * apart sharing L1 with the B panel (docs/perf-log.md: 2-5% less CPU time on
 * real data for the 320-channel shapes, at the price of one copy of A). */
#ifndef VDK_KERNELS_GEMM_H
#define VDK_KERNELS_GEMM_H

#include "vdt.h"

#define VDK_GEMM_NV (VDK_GEMM_NR / VW) /* vectors per tile row */

/* c[r * ldc + j] = (accumulate ? c[r * ldc + j] : 0) + sum_k a[k * MR + r] b[k * NR + j]
 * for r < MR, j < NR. Constant trip counts over the tile, fully unrolled, so that
 * the MR x NV accumulators live in registers and the k loop is NV loads of B, MR
 * broadcasts of A and MR x NV FMAs. */
VDK_INLINE void vdk_gemm_tile(int64_t kc, const float *a, const float *b, float *c,
                              int64_t ldc, bool accumulate)
{
    vf acc[VDK_GEMM_MR][VDK_GEMM_NV];
#pragma GCC unroll 16
    for (int r = 0; r < VDK_GEMM_MR; r++)
#pragma GCC unroll 16
        for (int j = 0; j < VDK_GEMM_NV; j++)
            acc[r][j] = accumulate ? vf_load(c + r * ldc + j * VW) : vf_zero();
    for (int64_t k = 0; k < kc; k++) {
        vf bv[VDK_GEMM_NV];
#pragma GCC unroll 16
        for (int j = 0; j < VDK_GEMM_NV; j++)
            bv[j] = vf_load(b + k * VDK_GEMM_NR + j * VW);
#pragma GCC unroll 16
        for (int r = 0; r < VDK_GEMM_MR; r++) {
            const vf av = vf_set1(a[k * VDK_GEMM_MR + r]);
#pragma GCC unroll 16
            for (int j = 0; j < VDK_GEMM_NV; j++)
                acc[r][j] = vf_fma(av, bv[j], acc[r][j]);
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < VDK_GEMM_MR; r++)
#pragma GCC unroll 16
        for (int j = 0; j < VDK_GEMM_NV; j++)
            vf_store(c + r * ldc + j * VW, acc[r][j]);
}

/* Geometry of an implicit-GEMM conv3d: x [N, T, H, W, Cin] -> y [N, To, Ho, Wo, Cout]
 * with kernel (kt, kh, kw); strides >= 1. */
typedef struct vdk_gemm_conv {
    int64_t T, H, W, To, Ho, Wo;
    int64_t k[3], stride[3], pad[3];
} vdk_gemm_conv;

/* One GEMM call. Rows m of A are rows of x (linear: every index but the last) or
 * output positions (conv); K = taps * Cin with w read as [Cout * taps, Cin] rows
 * (taps = kt*kh*kw, 1 for linear); y and residual have M rows of N columns (N =
 * Cout, or Cout/2 for GEGLU, whose columns j and N + j of x w^T pair up). */
typedef struct vdk_gemm_args {
    const vdk_tensor *x, *w, *bias, *residual;
    vdk_tensor *y;
    vdk_activation act;        /* NONE, SILU, GELU, GEGLU */
    const vdk_gemm_conv *conv; /* NULL for linear */
    const char *op;            /* "vdk_linear": for the out-of-memory message */
} vdk_gemm_args;

vdk_status VDK_K(gemm)(vdk_context *ctx, const vdk_gemm_args *args);

#endif
