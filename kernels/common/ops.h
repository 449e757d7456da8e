/* The CPU operators of one tier, as kernels/common/<op>.c defines them; the
 * tier's symbols are prefixed by VDK_K (vdk_avx2_unary, ...). */
#ifndef VDK_KERNELS_OPS_H
#define VDK_KERNELS_OPS_H

#include "vdt.h"

vdk_status VDK_K(group_norm)(vdk_context *, const vdk_group_norm_params *, const vdk_tensor *x,
                             const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y);
vdk_status VDK_K(layer_norm)(vdk_context *, const vdk_layer_norm_params *, const vdk_tensor *x,
                             const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y);
vdk_status VDK_K(rms_norm)(vdk_context *, const vdk_rms_norm_params *, const vdk_tensor *x,
                           const vdk_tensor *gamma, vdk_tensor *y);
vdk_status VDK_K(softmax)(vdk_context *, const vdk_softmax_params *, const vdk_tensor *x,
                          vdk_tensor *y);
vdk_status VDK_K(unary)(vdk_context *, const vdk_unary_params *, const vdk_tensor *x,
                        vdk_tensor *y);
vdk_status VDK_K(attention)(vdk_context *, const vdk_attention_params *, const vdk_tensor *q,
                            const vdk_tensor *k, const vdk_tensor *v, vdk_tensor *o);

vdk_status VDK_K(linear)(vdk_context *, const vdk_linear_params *, const vdk_tensor *x,
                         const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                         vdk_tensor *y);
vdk_status VDK_K(conv3d)(vdk_context *, const vdk_conv3d_params *, const vdk_tensor *x,
                         const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
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
