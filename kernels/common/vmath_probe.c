/* The test hook of kernels/vmath_probe.h for this tier: whole vectors, then a
 * partial one, exactly as the kernels apply these functions. */
#include "vmath.h"

#include "../vmath_probe.h"

VDK_INLINE vf apply(int fn, vf x)
{
    switch (fn) {
    case VDK_VMATH_EXP:
        return vf_exp(x);
    case VDK_VMATH_SIGMOID:
        return vf_sigmoid(x);
    case VDK_VMATH_SILU:
        return vf_silu(x);
    default:
        return vf_gelu(x);
    }
}

VDK_INLINE void span(int fn, const float *x, float *y, int64_t n)
{
    int64_t i = 0;
    for (; i + VW <= n; i += VW)
        vf_store(y + i, apply(fn, vf_load(x + i)));
    if (i < n)
        vdt_store_n(VDK_F32, y, i, apply(fn, vdt_load_n(VDK_F32, x, i, (int)(n - i))),
                    (int)(n - i));
}

void VDK_K(vmath_probe)(int fn, const float *x, float *y, int64_t n)
{
    switch (fn) {
    case VDK_VMATH_EXP:
        span(VDK_VMATH_EXP, x, y, n);
        break;
    case VDK_VMATH_SIGMOID:
        span(VDK_VMATH_SIGMOID, x, y, n);
        break;
    case VDK_VMATH_SILU:
        span(VDK_VMATH_SILU, x, y, n);
        break;
    case VDK_VMATH_GELU:
        span(VDK_VMATH_GELU, x, y, n);
        break;
    default:
        break;
    }
}
