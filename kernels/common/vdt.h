/* What every kernel in kernels/common/ includes: the tier's vector vocabulary
 * (vec.h, found on the tier's include path), loads and stores of any storage
 * dtype, partial vectors for row tails, and the naming of kernels.
 *
 * Dtype-generic code: the helpers below take the dtype as an argument; a kernel
 * writes its body once as a VDK_INLINE function with a `vdk_dtype dt` parameter
 * and calls it from a switch with a constant dtype (VDK_DTYPE_DISPATCH), so the
 * compiler specialises the body per dtype and the branches vanish. */
#ifndef VDK_KERNELS_VDT_H
#define VDK_KERNELS_VDT_H

#include "vec.h"

#include "../cpu.h"

#include <string.h>

#define VDK_INLINE static inline __attribute__((always_inline))

/* "avx2.unary.f16": a kernel name as vdk_last_kernel reports it. */
#define VDK_KNAME(op_dtype) VDK_ISA_NAME "." op_dtype

/* Runs CALL (an expression using the identifier DT) with DT bound to the
 * constant dtype of `dt`; f32, f16 and bf16 (the only dtypes the CPU takes). */
#define VDK_DTYPE_DISPATCH(dt, CALL)                                                          \
    do {                                                                                      \
        switch (dt) {                                                                         \
        case VDK_F16: {                                                                       \
            const vdk_dtype DT = VDK_F16;                                                     \
            CALL;                                                                             \
        } break;                                                                              \
        case VDK_BF16: {                                                                      \
            const vdk_dtype DT = VDK_BF16;                                                    \
            CALL;                                                                             \
        } break;                                                                              \
        default: {                                                                            \
            const vdk_dtype DT = VDK_F32;                                                     \
            CALL;                                                                             \
        } break;                                                                              \
        }                                                                                     \
    } while (0)

/* The three names of one operator's kernel, indexed by dtype. */
#define VDK_KNAMES(op)                                                                        \
    {                                                                                         \
        [VDK_F32] = VDK_KNAME(op ".f32"), [VDK_F16] = VDK_KNAME(op ".f16"),                   \
        [VDK_BF16] = VDK_KNAME(op ".bf16"), [VDK_F64] = VDK_KNAME(op ".f64")                  \
    }

/* VW elements of dtype dt at element i of base, widened to f32. */
VDK_INLINE vf vdt_load(vdk_dtype dt, const void *base, int64_t i)
{
    if (dt == VDK_F16)
        return vf_load_f16((const uint16_t *)base + i);
    if (dt == VDK_BF16)
        return vf_load_bf16((const uint16_t *)base + i);
    return vf_load((const float *)base + i);
}

VDK_INLINE void vdt_store(vdk_dtype dt, void *base, int64_t i, vf v)
{
    if (dt == VDK_F16)
        vf_store_f16((uint16_t *)base + i, v);
    else if (dt == VDK_BF16)
        vf_store_bf16((uint16_t *)base + i, v);
    else
        vf_store((float *)base + i, v);
}

/* The first n (< VW) elements; the other lanes are 0. */
VDK_INLINE vf vdt_load_n(vdk_dtype dt, const void *base, int64_t i, int n)
{
    const size_t es = dt == VDK_F32 ? 4 : 2;
    _Alignas(64) unsigned char buf[VW * 4] = {0};
    memcpy(buf, (const char *)base + i * (int64_t)es, (size_t)n * es);
    return vdt_load(dt, buf, 0);
}

/* Writes the first n (< VW) lanes only. */
VDK_INLINE void vdt_store_n(vdk_dtype dt, void *base, int64_t i, vf v, int n)
{
    const size_t es = dt == VDK_F32 ? 4 : 2;
    _Alignas(64) unsigned char buf[VW * 4];
    vdt_store(dt, buf, 0, v);
    memcpy((char *)base + i * (int64_t)es, buf, (size_t)n * es);
}

/* One element, as f32. */
VDK_INLINE float vdt_load1(vdk_dtype dt, const void *base, int64_t i)
{
    if (dt == VDK_F16)
        return (float)vdk_f16_to_f64(((const uint16_t *)base)[i]);
    if (dt == VDK_BF16)
        return (float)vdk_bf16_to_f64(((const uint16_t *)base)[i]);
    return ((const float *)base)[i];
}

VDK_INLINE void vdt_store1(vdk_dtype dt, void *base, int64_t i, float x)
{
    if (dt == VDK_F16)
        ((uint16_t *)base)[i] = vdk_f64_to_f16((double)x);
    else if (dt == VDK_BF16)
        ((uint16_t *)base)[i] = vdk_f64_to_bf16((double)x);
    else
        ((float *)base)[i] = x;
}

#endif
