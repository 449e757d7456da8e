/* The kernel table of this tier: what vdk_cpu_tier_ops hands a context. */
#include "ops.h"

const vdk_backend_ops VDK_K(ops) = {
    .name = "cpu",
    .takes_f64 = false,
    .unary = VDK_K(unary),
    .binary = VDK_K(binary),
    .blend = VDK_K(blend),
    .upsample = VDK_K(upsample),
    .timestep_embedding = VDK_K(timestep_embedding),
    .concat = VDK_K(concat),
};
