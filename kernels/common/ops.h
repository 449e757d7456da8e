/* The CPU operators of one tier, as kernels/common/<op>.c defines them; the
 * tier's symbols are prefixed by VDK_K (vdk_avx2_unary, ...). */
#ifndef VDK_KERNELS_OPS_H
#define VDK_KERNELS_OPS_H

#include "vdt.h"

vdk_status VDK_K(unary)(vdk_context *, const vdk_unary_params *, const vdk_tensor *x,
                        vdk_tensor *y);
vdk_status VDK_K(binary)(vdk_context *, const vdk_binary_params *, const vdk_tensor *a,
                         const vdk_tensor *b, vdk_tensor *y);
vdk_status VDK_K(blend)(vdk_context *, const vdk_blend_params *, const vdk_tensor *a,
                        const vdk_tensor *b, const vdk_tensor *alpha, vdk_tensor *y);
vdk_status VDK_K(upsample)(vdk_context *, const vdk_upsample_params *, const vdk_tensor *x,
                           vdk_tensor *y);
vdk_status VDK_K(timestep_embedding)(vdk_context *, const vdk_timestep_embedding_params *,
                                     const vdk_tensor *t, vdk_tensor *y);
vdk_status VDK_K(concat)(vdk_context *, const vdk_concat_params *, const vdk_tensor *a,
                         const vdk_tensor *b, vdk_tensor *y);

#endif
