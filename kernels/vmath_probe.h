/* A test hook, not part of the API: the vector functions of
 * kernels/common/vmath.h as compiled into each tier, applied to plain f32
 * arrays, so that tests/test_cpu_math.c can measure every tier's accuracy
 * against double precision. kernels/common/vmath_probe.c defines them. */
#ifndef VDK_KERNELS_VMATH_PROBE_H
#define VDK_KERNELS_VMATH_PROBE_H

#include "vdk_config.h"

#include <stdint.h>

enum { VDK_VMATH_EXP = 0, VDK_VMATH_SIGMOID, VDK_VMATH_SILU, VDK_VMATH_GELU, VDK_VMATH_COUNT };

/* y[i] = f(x[i]) for i < n, f one of VDK_VMATH_*; y may be x. */
typedef void vdk_vmath_probe_fn(int fn, const float *x, float *y, int64_t n);

vdk_vmath_probe_fn vdk_scalar_vmath_probe;
#if VDK_HAVE_AVX2
vdk_vmath_probe_fn vdk_avx2_vmath_probe;
#endif
#if VDK_HAVE_AVX512
vdk_vmath_probe_fn vdk_avx512_vmath_probe;
#endif
#if VDK_HAVE_NEON
vdk_vmath_probe_fn vdk_neon_vmath_probe;
#endif

#endif
