/* Every parameter of SVD's UNet and temporal VAE decoder, with diffusers' names
 * and shapes, made by walking the architecture from a configuration in the order
 * the forward pass runs it. Layouts: see common/param_table.h and docs/pipelines.md. */
#ifndef VDK_PIPELINES_SVD_PARAMS_H
#define VDK_PIPELINES_SVD_PARAMS_H

#include "common/param_table.h"
#include "svd/config.h"

/* Fills t (initialised, normally empty: items are appended) with the UNet's
 * parameters, named as in the UNet's diffusers checkpoint ("conv_in.weight",
 * "down_blocks.0.resnets.0.spatial_res_block.conv1.weight", ...). Returns VDK_OK,
 * or the first failure with its message in t->error (an invalid configuration is
 * VDK_ERROR_INVALID_VALUE). */
vdk_status vdk_svd_unet_params(const vdk_svd_unet_config *c, vdk_param_table *t);

/* Likewise for the temporal VAE decoder, named as in the VAE's checkpoint
 * ("decoder.conv_in.weight", ...; the encoder's tensors are not listed). */
vdk_status vdk_svd_decoder_params(const vdk_svd_decoder_config *c, vdk_param_table *t);

#endif
