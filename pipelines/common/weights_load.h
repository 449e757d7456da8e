/* Filling a model's weights (common/weights.h) from a diffusers checkpoint in
 * safetensors files (common/safetensors.h). */
#ifndef VDK_PIPELINES_WEIGHTS_LOAD_H
#define VDK_PIPELINES_WEIGHTS_LOAD_H

#include "common/weights.h"

#include <stddef.h>

typedef struct vdk_weights_load_report {
    size_t loaded; /* entries of w written: all of them on success */
    size_t files;  /* safetensors files read (shards of an index, or 1) */
    /* Tensors of the files that w has no entry for, e.g. the VAE encoder's when
     * loading the decoder; one of their names (cut to fit), "" when none. */
    size_t unused;
    char first_unused[VDK_PARAM_NAME_MAX];
    char source[1024]; /* the file or index read (a directory's choice), cut to fit */
} vdk_weights_load_report;

/* Fills every entry of w from path, which is
 *   - a .safetensors file,
 *   - a diffusers *.safetensors.index.json (its shards beside it), or
 *   - a directory holding diffusers' names: diffusion_pytorch_model.safetensors
 *     or (sharded) diffusion_pytorch_model.safetensors.index.json, and the fp16
 *     variant diffusion_pytorch_model.fp16.safetensors or
 *     diffusion_pytorch_model.safetensors.index.fp16.json. With both, an f16 w
 *     reads the fp16 variant (half the bytes, and the same values when it is the
 *     f32 one rounded), other dtypes the full one.
 * Entry "<name>" is read from tensor "<prefix><name>" (prefix NULL or "" for
 * none). Every entry must be there with exactly its torch_shape and a dtype of
 * vdk's (F32, F16, BF16, F64), converted to w's dtype and layout by
 * vdk_weights_set; tensors no entry takes are counted, not refused.
 *
 * Every entry is found and checked before any is written, so a missing tensor
 * (VDK_ERROR_INVALID_VALUE: how many, and the first), a wrong shape
 * (VDK_ERROR_SHAPE: expected and found) or dtype (VDK_ERROR_DTYPE) leaves w as it
 * was. Only a read failing after that (a file cut while loading) leaves w partly
 * written. report may be NULL; msg (msg_size bytes, may be NULL) names the file
 * and the tensor on failure. */
vdk_status vdk_weights_load(vdk_weights *w, const char *path, const char *prefix,
                            vdk_weights_load_report *report, char *msg, size_t msg_size);

#endif
