/* A model's weights on a context: one vdk tensor per parameter-table entry, in
 * vdk's layout and the model's dtype, found by checkpoint name. Filled either
 * by the seeded generator below (random weights) or by a checkpoint loader
 * (common/weights_load.h); both hand this file host data in PyTorch's layout and
 * it does the one conversion (conv weights: input channels to the last axis).
 *
 * The seeded generator is specified here exactly, because tools/golden_svd.py
 * re-implements it in NumPy to give diffusers the very same weights:
 *   key   = FNV-1a 64 of the parameter's name, XOR seed
 *   z_i   = splitmix64 finaliser of (key + (i + 1) * 0x9E3779B97F4A7C15), mod 2^64,
 *           for i = 0 .. count-1 over the tensor in PyTorch's (checkpoint) layout
 *   u_i   = (float)(z_i >> 40) * 2^-23 - 1, exactly representable, in [-1, 1)
 *   value = by role, in f32:
 *           conv / linear weight and bias: u_i * (1.0f / sqrtf((float)fan_in)),
 *             PyTorch's default init range, which keeps activations O(1);
 *           norm weight: 1 + 0.25f * u_i;  norm bias: 0.25f * u_i;
 *           AlphaBlender mix_factor: u_i (so both blend directions are exercised).
 * splitmix64's finaliser: z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27;
 * z *= 0x94D049BB133111EB; z ^= z >> 31. */
#ifndef VDK_PIPELINES_WEIGHTS_H
#define VDK_PIPELINES_WEIGHTS_H

#include "common/param_table.h"

#include <stddef.h>
#include <stdint.h>

typedef struct vdk_weights vdk_weights;

/* Tensors for every entry of table (copied: the table may be freed after) on ctx,
 * in dtype, contents unspecified until filled. On failure *out is NULL and msg
 * (msg_size bytes, may be NULL) says why. */
vdk_status vdk_weights_create(vdk_context *ctx, const vdk_param_table *table, vdk_dtype dtype,
                              vdk_weights **out, char *msg, size_t msg_size);
void vdk_weights_destroy(vdk_weights *w);

/* The tensor of that checkpoint name, or NULL. */
const vdk_tensor *vdk_weights_get(const vdk_weights *w, const char *name);
/* The table entries, in the order the walk made them. */
size_t vdk_weights_count(const vdk_weights *w);
const vdk_param *vdk_weights_param(const vdk_weights *w, size_t index);
/* Bytes of device (or host) memory the tensors take. */
int64_t vdk_weights_bytes(const vdk_weights *w);

/* Writes entry `index` from count = param->count values in PyTorch's layout
 * (torch_shape, row-major) of src_dtype, converting the layout to vdk's. */
vdk_status vdk_weights_set(vdk_weights *w, size_t index, vdk_dtype src_dtype, const void *src,
                           char *msg, size_t msg_size);

/* Fills every entry from the seeded generator above. */
vdk_status vdk_weights_randomize(vdk_weights *w, uint64_t seed, char *msg, size_t msg_size);

/* The generator's values for one parameter, in PyTorch's layout, as f32 (out
 * holds p->count floats). Also used for seeded inputs: a role of LINEAR_WEIGHT
 * with fan_in 1 gives u_i itself. */
void vdk_weights_generate(const vdk_param *p, uint64_t seed, float *out);
/* u_i of the generator for an arbitrary name (count values): seeded test inputs. */
void vdk_weights_uniform(const char *name, uint64_t seed, int64_t count, float *out);

#endif
