/* safetensors files (the format of diffusers' checkpoints): an 8-byte
 * little-endian header length N, N bytes of JSON
 *   {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 *    "__metadata__": {...}}
 * and the data area, each tensor's bytes at [begin, end) from the data area's
 * start, little-endian, row-major. Opening reads and validates the header only;
 * tensors are read one at a time with 64-bit offsets, so a 6 GB checkpoint never
 * sits in memory. Reading needs cJSON (vdk_safetensors_available()); writing
 * does not.
 *
 * Errors: a file that cannot be opened or read, or a header that breaks the
 * format, is VDK_ERROR_INVALID_VALUE with a message naming the file and, where
 * there is one, the tensor; a tensor of a dtype vdk has no type for is
 * VDK_ERROR_DTYPE when read. Nothing here prints. */
#ifndef VDK_PIPELINES_SAFETENSORS_H
#define VDK_PIPELINES_SAFETENSORS_H

#include "vdk/vdk.h"

#include <stddef.h>
#include <stdint.h>

/* The most axes a tensor of a file may have; a file with more is refused. */
#define VDK_SAFETENSORS_MAX_RANK 8
/* The longest header accepted (the reference implementation's limit). */
#define VDK_SAFETENSORS_MAX_HEADER 100000000ull

typedef struct vdk_safetensors_entry {
    const char *name;
    /* The dtype as the file spells it ("F32", "I64", "F8_E4M3", ...) and vdk's
     * dtype for it, VDK_DTYPE_COUNT for those vdk has no type for: they are
     * listed but refused by vdk_safetensors_read. */
    char dtype_name[16];
    vdk_dtype dtype;
    /* Bytes per element, 0 for a dtype this reader does not know (its byte size
     * is then not checked against the shape). */
    size_t element_size;
    int rank;
    int64_t shape[VDK_SAFETENSORS_MAX_RANK];
    int64_t count;       /* elements: the product of shape, 1 for rank 0 */
    uint64_t begin, end; /* bytes, from the start of the data area */
} vdk_safetensors_entry;

typedef struct vdk_safetensors vdk_safetensors;

/* Nonzero when this build can read safetensors (it was built with cJSON). */
int vdk_safetensors_available(void);

/* Opens path and validates its header: the length within the file, valid JSON,
 * every entry an object with a string dtype, a shape of non-negative integers
 * and two integer data_offsets inside the data area with end - begin = count *
 * element size, no two tensors overlapping, no name twice. "__metadata__" is
 * skipped. On failure *out is NULL and msg says what and where. */
vdk_status vdk_safetensors_open(const char *path, vdk_safetensors **out, char *msg,
                                size_t msg_size);
void vdk_safetensors_close(vdk_safetensors *f);

const char *vdk_safetensors_path(const vdk_safetensors *f);
/* Tensors in the order of the header. */
size_t vdk_safetensors_count(const vdk_safetensors *f);
const vdk_safetensors_entry *vdk_safetensors_entry_at(const vdk_safetensors *f, size_t index);
/* The entry of that name, or NULL (a binary search). */
const vdk_safetensors_entry *vdk_safetensors_find(const vdk_safetensors *f, const char *name);

/* Reads entry e of f (end - begin bytes, dst_size at least that) as the file
 * stores it, in the host's byte order. VDK_ERROR_DTYPE for a dtype vdk has no
 * type for; VDK_ERROR_INVALID_VALUE for a short read (a file cut after it was
 * opened) or a dst_size too small. */
vdk_status vdk_safetensors_read(const vdk_safetensors *f, const vdk_safetensors_entry *e, void *dst,
                                size_t dst_size, char *msg, size_t msg_size);

/* Writes n tensors to path (replacing it): names[i], dtypes[i], ranks[i] axes
 * (0 to VDK_SAFETENSORS_MAX_RANK) of extents shapes[i], data[i] holding the
 * product of the extents elements in row-major order and the host's byte order
 * (NULL allowed for a tensor of no elements). Tensors are laid out in the order
 * given; the header is padded with spaces to a multiple of 8 bytes, as the
 * reference implementation does. On failure the file is removed. */
vdk_status vdk_safetensors_write(const char *path, size_t n, const char *const *names,
                                 const vdk_dtype *dtypes, const int *ranks,
                                 const int64_t *const *shapes, const void *const *data, char *msg,
                                 size_t msg_size);

/* diffusers' index of a sharded checkpoint (*.safetensors.index.json): which
 * file holds each tensor. files[] are the distinct shard names in order of first
 * mention, relative to the index's directory (a name with a '/' is refused);
 * tensor i lies in files[file_of[i]]. */
typedef struct vdk_safetensors_index {
    size_t count;
    char **names;
    size_t *file_of;
    size_t file_count;
    char **files;
} vdk_safetensors_index;

/* Reads the index at path into *out (free it with vdk_safetensors_index_free,
 * also after a failure). Everything but "weight_map" is ignored. */
vdk_status vdk_safetensors_index_read(const char *path, vdk_safetensors_index *out, char *msg,
                                      size_t msg_size);
void vdk_safetensors_index_free(vdk_safetensors_index *index);

#endif
