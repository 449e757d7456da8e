/* The kernel table of this tier: what vdk_cpu_tier_ops hands a context. */
#include "ops.h"

const vdk_backend_ops VDK_K(ops) = {
    .name = "cpu",
    .takes_f64 = false,
    .unary = VDK_K(unary),
    .linear = VDK_K(linear),
    .conv3d = VDK_K(conv3d),
};
