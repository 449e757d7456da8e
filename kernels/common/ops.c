/* The kernel table of this tier: what vdk_cpu_tier_ops hands a context. */
#include "ops.h"

const vdk_backend_ops VDK_K(ops) = {
    .name = "cpu",
    .takes_f64 = false,
    .group_norm = VDK_K(group_norm),
    .layer_norm = VDK_K(layer_norm),
    .rms_norm = VDK_K(rms_norm),
    .softmax = VDK_K(softmax),
    .unary = VDK_K(unary),
    .attention = VDK_K(attention),
    .linear = VDK_K(linear),
    .conv3d = VDK_K(conv3d),
    .binary = VDK_K(binary),
    .blend = VDK_K(blend),
    .upsample = VDK_K(upsample),
    .timestep_embedding = VDK_K(timestep_embedding),
    .concat = VDK_K(concat),
};
