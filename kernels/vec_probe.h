/* A test hook, not part of the API: every name of a tier's vector vocabulary
 * (kernels/<tier>/vec.h) applied to plain arrays, so that tests/test_cpu_vec.c
 * checks each tier lane by lane against the meaning docs/cpu.md gives it.
 * kernels/common/vec_probe.c defines the functions once per tier. */
#ifndef VDK_KERNELS_VEC_PROBE_H
#define VDK_KERNELS_VEC_PROBE_H

#include "vdk/vdk.h"
#include "vdk_config.h"

#include <stdint.h>

enum {
    VDK_VEC_ZERO = 0, /* y = 0 */
    VDK_VEC_SET1,     /* y = a[first lane of the vector] */
    VDK_VEC_ADD,      /* y = a + b, and so on */
    VDK_VEC_SUB,
    VDK_VEC_MUL,
    VDK_VEC_DIV,
    VDK_VEC_MAX,
    VDK_VEC_MIN,
    VDK_VEC_FMA,  /* a*b + c */
    VDK_VEC_FNMA, /* c - a*b */
    VDK_VEC_ABS,
    VDK_VEC_SQRT,
    VDK_VEC_ROUND,
    VDK_VEC_POW2I,
    VDK_VEC_SELECT_LT, /* a < b ? c : b */
    VDK_VEC_HSUM,      /* y[j] = the sum of vector j of a (n a multiple of VW) */
    VDK_VEC_HMAX,
    VDK_VEC_HSUM_EACH, /* y[j] = the sum of vector j of a, VW vectors at a time (n a multiple of VW^2) */
    VDK_VEC_COUNT
};

typedef struct vdk_vec_info {
    const char *name; /* VDK_ISA_NAME */
    int vw, gemm_mr, gemm_nr;
} vdk_vec_info;

typedef void vdk_vec_info_fn(vdk_vec_info *info);
/* y[i] = op(a[i], b[i], c[i]) for i < n, whole vectors then one partial vector
 * (vdt_load_n/vdt_store_n); the HSUM, HMAX and HSUM_EACH rows are per vector. */
typedef void vdk_vec_probe_fn(int op, const float *a, const float *b, const float *c, float *y,
                              int64_t n);
/* n elements of dtype sdt at src converted to dtype ddt at dst through f32
 * vectors: vdt_load/vdt_store on whole vectors, vdt_load_n/vdt_store_n on the
 * tail. f32, f16 and bf16. */
typedef void vdk_vec_convert_fn(vdk_dtype sdt, const void *src, vdk_dtype ddt, void *dst,
                                int64_t n);

#define VDK_VEC_PROBE_DECLARE(tier)                                                           \
    vdk_vec_info_fn vdk_##tier##_vec_info;                                                    \
    vdk_vec_probe_fn vdk_##tier##_vec_probe;                                                  \
    vdk_vec_convert_fn vdk_##tier##_vec_convert;
VDK_VEC_PROBE_DECLARE(scalar)
#if VDK_HAVE_AVX2
VDK_VEC_PROBE_DECLARE(avx2)
#endif
#if VDK_HAVE_AVX512
VDK_VEC_PROBE_DECLARE(avx512)
#endif
#if VDK_HAVE_NEON
VDK_VEC_PROBE_DECLARE(neon)
#endif
#undef VDK_VEC_PROBE_DECLARE

#endif
