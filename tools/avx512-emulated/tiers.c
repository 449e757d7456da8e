/* vt_cpu_tiers for the emulated run (run.sh renames test_cpu_vec.c's calls to
 * this): the scalar tier and the AVX-512 tier, which the processor itself does
 * not run. test_cpu_vec uses only the tier list, no context. */
#include "vdk_test.h"

const vt_tiers *vdk_emulated_tiers(void);

const vt_tiers *vdk_emulated_tiers(void)
{
    static vt_tiers t = {.n = 2, .isa = {VDK_CPU_ISA_SCALAR, VDK_CPU_ISA_AVX512}};
    return &t;
}
