/* The kernel table of every CPU tier built into this library. Compiled without
 * any ISA flags, like cpu.c: only the tier objects themselves hold SIMD code. */
#include "cpu.h"

#include "vdk_config.h"

extern const vdk_backend_ops vdk_scalar_ops;
#if VDK_HAVE_AVX2
extern const vdk_backend_ops vdk_avx2_ops;
#endif
#if VDK_HAVE_AVX512
extern const vdk_backend_ops vdk_avx512_ops;
#endif
#if VDK_HAVE_NEON
extern const vdk_backend_ops vdk_neon_ops;
#endif

const vdk_backend_ops *vdk_cpu_tier_ops(vdk_cpu_isa isa)
{
    switch (isa) {
    case VDK_CPU_ISA_SCALAR:
        return &vdk_scalar_ops;
#if VDK_HAVE_AVX2
    case VDK_CPU_ISA_AVX2:
        return &vdk_avx2_ops;
#endif
#if VDK_HAVE_AVX512
    case VDK_CPU_ISA_AVX512:
        return &vdk_avx512_ops;
#endif
#if VDK_HAVE_NEON
    case VDK_CPU_ISA_NEON:
        return &vdk_neon_ops;
#endif
    default:
        return NULL;
    }
}
