/* Every parameter of Lumiere's STUNet, made by walking the architecture from a
 * configuration in the order the forward pass runs it. The names are those of
 * tools/lumiere_torch.py's module tree (Lumiere has no public checkpoint), whose
 * state_dict lists the same tensors in the same order. Layouts: see
 * common/param_table.h and docs/pipelines.md. */
#ifndef VDK_PIPELINES_LUMIERE_PARAMS_H
#define VDK_PIPELINES_LUMIERE_PARAMS_H

#include "common/param_table.h"
#include "lumiere/config.h"

/* Fills t (initialised, normally empty: items are appended) with the STUNet's
 * parameters ("time_embedding.linear_1.weight", "conv_in.weight",
 * "down_blocks.0.layers.0.resnet.conv1.weight", ...). Returns VDK_OK, or the
 * first failure with its message in t->error (an invalid configuration is
 * VDK_ERROR_INVALID_VALUE). */
vdk_status vdk_lumiere_params(const vdk_lumiere_config *c, vdk_param_table *t);

#endif
