/* The Vulkan runtime's shared state (src/vulkan/ is the only place that calls
 * vk*). One struct vdk_vk per context: instance, device, queue, the command
 * buffer being recorded, pipelines. Device storages hold a reference to it, so
 * it lives until the context and every tensor of the context are gone. */
#ifndef VDK_VULKAN_VK_H
#define VDK_VULKAN_VK_H

#include "../internal.h"
#include "vdk_shaders.h"

#include <vulkan/vulkan.h>

/* What the device offers, probed once (caps.c). */
typedef struct vdk_vk_caps {
    char name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
    char driver[VK_MAX_DRIVER_NAME_SIZE + VK_MAX_DRIVER_INFO_SIZE]; /* name and info */
    VkPhysicalDeviceType type;
    uint32_t api_version;
    bool storage16;      /* storageBuffer16BitAccess: f16/bf16 tensors */
    bool float16;        /* shaderFloat16 (f16 arithmetic; no shader uses it yet) */
    bool subgroup_arith; /* arithmetic subgroup operations in compute shaders */
    uint32_t subgroup_size, min_subgroup, max_subgroup;
    bool size_control;   /* subgroupSizeControl */
    uint32_t shared_bytes;
    uint32_t max_invocations;
    uint32_t max_groups[3];
    VkDeviceSize max_alloc;       /* maxMemoryAllocationSize */
    VkDeviceSize max_range;       /* maxStorageBufferRange */
    VkDeviceSize min_align;       /* minStorageBufferOffsetAlignment */
    bool coopmat_khr, coopmat_nv; /* the extensions (no shader uses them yet) */
    bool bf16;                    /* VK_KHR_shader_bfloat16 */
    float timestamp_period;       /* ns per timestamp tick */
    uint32_t timestamp_bits;      /* valid bits on the compute queue; 0: no timestamps */
    uint32_t vendor_id, device_id, driver_version;
    uint8_t cache_uuid[VK_UUID_SIZE]; /* pipelineCacheUUID: names the on-disk cache */
} vdk_vk_caps;

/* Device memory blocks that tensor storages are sub-allocated from (heap.c). */
#define VDK_VK_BLOCK_BYTES ((VkDeviceSize)256 << 20)
typedef struct vdk_vk_range {
    VkDeviceSize offset, size;
} vdk_vk_range;
typedef struct vdk_vk_block {
    struct vdk_vk_block *next;
    VkDeviceMemory memory;
    uint32_t type;
    VkDeviceSize size, used;
    vdk_vk_range *free; /* sorted by offset, neighbours merged */
    int nfree, cap;
} vdk_vk_block;

/* One storage buffer of a tensor storage (or a staging buffer). */
typedef struct vdk_vk_buffer {
    struct vdk_vk *vk;
    VkBuffer buffer;
    VkDeviceMemory memory; /* its own memory; VK_NULL_HANDLE when in a block */
    vdk_vk_block *block;   /* the block it is bound in, or NULL */
    VkDeviceSize offset, span;
    VkDeviceSize size;
} vdk_vk_buffer;

/* Specialization constants per pipeline: constant_id 0 is the workgroup size;
 * layer constants (kernel size, head dim, tile) go in the others, as they
 * let the compiler unroll where push constants could not. */
#define VDK_VK_MAX_SPEC 16
/* Storage buffers per dispatch: conv3d and linear bind x, w, bias, residual,
 * y, and one scratch buffer. */
#define VDK_VK_MAX_BINDINGS 6
#define VDK_VK_MAX_PIPELINES 512
#define VDK_VK_MAX_TRACKED 64
#define VDK_VK_SETS_PER_POOL 512
#define VDK_VK_PUSH_BYTES 128
#define VDK_VK_DEFERRED_BYTES ((VkDeviceSize)1 << 30)
/* Timestamps per submission when profiling: one at the start, one per dispatch. */
#define VDK_VK_MAX_QUERIES 1024

typedef struct vdk_vk_pipeline {
    vdk_shader_id shader;
    uint32_t spec[VDK_VK_MAX_SPEC];
    int nbuf;
    VkPipeline pipeline;
} vdk_vk_pipeline;

typedef struct vdk_vk {
    int refcount;
    VkInstance instance;
    VkDebugUtilsMessengerEXT messenger;
    VkPhysicalDevice physical;
    int index; /* of physical in vkEnumeratePhysicalDevices' list */
    VkDevice device;
    VkQueue queue;
    uint32_t queue_family;
    vdk_vk_caps caps;
    VkPhysicalDeviceMemoryProperties memory;
    vdk_vk_block *blocks;

    VkCommandPool command_pool;
    VkCommandBuffer cmd;
    VkFence fence;
    bool recording;    /* cmd is begun */
    uint32_t recorded; /* dispatches in cmd */
    VkDescriptorPool descriptor_pool;
    uint32_t sets_used;

    VkPipelineCache cache;
    char cache_path[512]; /* the on-disk copy of `cache`; "" when off */
    bool cache_dirty;     /* pipelines were built since it was loaded */
    VkDescriptorSetLayout set_layout[VDK_VK_MAX_BINDINGS + 1]; /* by binding count */
    VkPipelineLayout layout[VDK_VK_MAX_BINDINGS + 1];
    VkShaderModule modules[VDK_SHADER_COUNT];
    vdk_vk_pipeline pipelines[VDK_VK_MAX_PIPELINES];
    int npipelines;

    /* Buffers written, and read, by dispatches since the last barrier. */
    VkBuffer written[VDK_VK_MAX_TRACKED], read[VDK_VK_MAX_TRACKED];
    int nwritten, nread;

    /* Buffers released while recorded dispatches may still use them. They are
     * freed after the submission completes (vdk_vk_flush), so that destroying a
     * tensor does not wait for the GPU; each holds its reference on vk until
     * then. More than VDK_VK_DEFERRED_BYTES of them flushes at once, which
     * bounds the memory a long recording keeps. */
    struct vdk_vk_buffer **deferred;
    int ndeferred, deferred_cap;
    VkDeviceSize deferred_bytes;

    /* Intermediates of one operator (vdk_vk_scratch); backend_data NULL until
     * first used. It does not hold a reference on vk. */
    vdk_storage scratch;

    /* Profiling (profile.c): query 0 is written when cmd begins, query i
     * after dispatch i of shader query_kernel[i]; flush adds the differences
     * to `profile`. */
    bool profiling;
    VkQueryPool queries;
    uint32_t nqueries;
    const char *query_kernel[VDK_VK_MAX_QUERIES];
    vdk_profile_table profile;

    bool lost; /* the device was lost: every later call fails */
    /* Validation-layer messages (warning and error severity) seen so far. */
    int64_t messages;
    char first_message[VDK_MESSAGE_SIZE];
} vdk_vk;

/* ---- device.c ---- */
/* Instance (with the debug messenger), physical device (desc->device, else
 * VDK_VK_DEVICE, else discrete first), logical device and queue. */
vdk_status vdk_vk_open(vdk_context *ctx, const vdk_context_desc *desc, vdk_vk *vk);
/* Destroys everything vdk_vk_open and the other parts made, then vk itself. */
void vdk_vk_close(vdk_vk *vk);
/* A VkResult as a status, with a message naming the call; device loss marks vk. */
vdk_status vdk_vk_check(vdk_context *ctx, vdk_vk *vk, VkResult r, const char *what);

/* ---- caps.c ---- */
void vdk_vk_probe(VkPhysicalDevice pd, vdk_vk_caps *caps);
/* Extensions and feature structs to enable for what caps found; the feature
 * chain is hung off *features2. */
typedef struct vdk_vk_enable {
    const char *extensions[8];
    uint32_t nextensions;
    VkPhysicalDeviceFeatures2 features2;
    VkPhysicalDeviceVulkan11Features v11;
    VkPhysicalDeviceVulkan12Features v12;
} vdk_vk_enable;
void vdk_vk_enable_for(const vdk_vk_caps *caps, VkPhysicalDevice pd, vdk_vk_enable *e);

/* ---- memory.c ---- */
vdk_status vdk_vk_storage_alloc(vdk_context *ctx, vdk_storage *s, size_t bytes);
/* The same for a caller other than vdk_tensor_create, named in failures. */
vdk_status vdk_vk_storage_alloc_for(vdk_context *ctx, vdk_storage *s, size_t bytes,
                                    const char *where);
void vdk_vk_storage_release(vdk_storage *s);
/* Frees the buffers whose release waited for recorded work (after a flush, or
 * once the device is lost). May close vk: the caller must not touch it after. */
void vdk_vk_release_deferred(vdk_vk *vk);
vdk_status vdk_vk_storage_read(vdk_context *ctx, vdk_storage *s, size_t at, size_t bytes,
                               void *dst);
vdk_status vdk_vk_storage_write(vdk_context *ctx, vdk_storage *s, size_t at, size_t bytes,
                                const void *src);
/* A device buffer of at least `bytes` for an operator's intermediates
 * (statistics, partial results), kept by the context and grown on demand
 * (growing waits for the recorded work that uses the old one). The contents
 * are undefined; it stays valid until the next call, so one operator may
 * record several dispatches on it, and the usual hazard tracking orders them.
 * `op` names the operator in a failure. */
vdk_status vdk_vk_scratch(vdk_context *ctx, vdk_vk *vk, const char *op, size_t bytes,
                          const vdk_storage **out);
void vdk_vk_scratch_free(vdk_vk *vk);

/* ---- heap.c ---- */
/* Binds buf->buffer to memory of `type` that meets req, from a block. */
vdk_status vdk_vk_heap_bind(vdk_context *ctx, vdk_vk *vk, vdk_vk_buffer *buf, uint32_t type,
                            const VkMemoryRequirements *req, const char *what);
void vdk_vk_heap_release(vdk_vk *vk, vdk_vk_block *b, VkDeviceSize at, VkDeviceSize size);
void vdk_vk_heap_destroy(vdk_vk *vk);
/* Device memory held in blocks, in bytes. */
VkDeviceSize vdk_vk_heap_bytes(const vdk_vk *vk);

/* ---- command.c ---- */
typedef struct vdk_vk_dispatch {
    vdk_shader_id shader;
    uint32_t spec[VDK_VK_MAX_SPEC]; /* spec[0] is the workgroup size (constant_id 0) */
    int nbuf;
    const vdk_storage *buf[VDK_VK_MAX_BINDINGS];
    bool writes[VDK_VK_MAX_BINDINGS];
    const void *push;
    uint32_t push_bytes;
    uint64_t groups; /* workgroups in all; split over x and y within the limits */
} vdk_vk_dispatch;
/* Records one dispatch, with a barrier before it when it touches a buffer that an
 * earlier dispatch since the last barrier wrote (or writes one read since). */
vdk_status vdk_vk_record(vdk_context *ctx, vdk_vk *vk, const vdk_vk_dispatch *d);
/* Submits what is recorded and waits for it (nothing to do when nothing is). */
vdk_status vdk_vk_flush(vdk_context *ctx, vdk_vk *vk);
/* Runs a one-off copy between two buffers and waits (staging transfers). */
vdk_status vdk_vk_copy_now(vdk_context *ctx, vdk_vk *vk, VkBuffer src, VkDeviceSize src_at,
                           VkBuffer dst, VkDeviceSize dst_at, VkDeviceSize bytes);
/* Fills the first `bytes` (a multiple of 4) of dst with the 32-bit value
 * and waits; `what` names the caller in a failure. */
vdk_status vdk_vk_fill_now(vdk_context *ctx, vdk_vk *vk, VkBuffer dst, VkDeviceSize bytes,
                           uint32_t value, const char *what);
vdk_status vdk_vk_commands_init(vdk_context *ctx, vdk_vk *vk);
void vdk_vk_commands_destroy(vdk_vk *vk);

/* ---- pipeline.c ---- */
vdk_status vdk_vk_pipeline_get(vdk_context *ctx, vdk_vk *vk, const vdk_vk_dispatch *d,
                               VkPipeline *out);
vdk_status vdk_vk_pipelines_init(vdk_context *ctx, vdk_vk *vk);
void vdk_vk_pipelines_destroy(vdk_vk *vk);

/* ---- profile.c ---- */
/* At the start of a recording: reset the queries and write query 0. */
void vdk_vk_profile_begin(vdk_vk *vk);
/* After a dispatch of `kernel`. */
void vdk_vk_profile_mark(vdk_vk *vk, const char *kernel);
/* After the submission's fence: reads the timestamps into vk->profile. */
void vdk_vk_profile_collect(vdk_vk *vk);
void vdk_vk_profile_destroy(vdk_vk *vk);

/* ---- ops.c ---- */
const vdk_backend_ops *vdk_vk_backend(void);

#endif
