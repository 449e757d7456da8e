/* Device storage of tensors and the staging copies that vdk_tensor_read/write
 * go through. One device-local buffer per storage, in memory sub-allocated
 * from large blocks (heap.c); sizes past the device's limits fail clearly. */
#include "vk.h"

#include <stdlib.h>
#include <string.h>

/* Staging copies go in pieces of at most this much host-visible memory. */
#define STAGING_CHUNK ((VkDeviceSize)64 << 20)

static uint32_t memory_type(const vdk_vk *vk, uint32_t allowed, VkMemoryPropertyFlags want)
{
    for (uint32_t i = 0; i < vk->memory.memoryTypeCount; i++)
        if ((allowed & (1u << i)) && (vk->memory.memoryTypes[i].propertyFlags & want) == want)
            return i;
    return UINT32_MAX;
}

/* A buffer in memory of the first type that has `want` (then `fallback`):
 * sub-allocated from the heap's blocks when `shared`, else its own. */
static vdk_status make_buffer(vdk_context *ctx, vdk_vk *vk, VkDeviceSize size,
                              VkBufferUsageFlags usage, VkMemoryPropertyFlags want,
                              VkMemoryPropertyFlags fallback, bool shared, const char *what,
                              vdk_vk_buffer *b)
{
    memset(b, 0, sizeof *b);
    b->vk = vk;
    b->size = size;
    const VkBufferCreateInfo bci = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = size,
        .usage = usage,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    vdk_status st = vdk_vk_check(ctx, vk, vkCreateBuffer(vk->device, &bci, NULL, &b->buffer), what);
    if (st)
        return st;
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(vk->device, b->buffer, &req);
    uint32_t type = memory_type(vk, req.memoryTypeBits, want);
    if (type == UINT32_MAX)
        type = memory_type(vk, req.memoryTypeBits, fallback);
    if (type == UINT32_MAX) {
        vkDestroyBuffer(vk->device, b->buffer, NULL);
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED, "%s: no Vulkan memory type fits the buffer",
                        what);
    }
    if (shared) {
        if ((st = vdk_vk_heap_bind(ctx, vk, b, type, &req, what)))
            vkDestroyBuffer(vk->device, b->buffer, NULL);
        return st;
    }
    const VkMemoryAllocateInfo mai = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req.size,
        .memoryTypeIndex = type,
    };
    if ((st = vdk_vk_check(ctx, vk, vkAllocateMemory(vk->device, &mai, NULL, &b->memory), what)) ||
        (st = vdk_vk_check(ctx, vk, vkBindBufferMemory(vk->device, b->buffer, b->memory, 0),
                           what))) {
        vkDestroyBuffer(vk->device, b->buffer, NULL);
        if (b->memory)
            vkFreeMemory(vk->device, b->memory, NULL);
        return st;
    }
    return VDK_OK;
}

static void free_buffer(vdk_vk_buffer *b)
{
    vkDestroyBuffer(b->vk->device, b->buffer, NULL);
    if (b->block)
        vdk_vk_heap_release(b->vk, b->block, b->offset, b->span);
    else
        vkFreeMemory(b->vk->device, b->memory, NULL);
}

/* A device-local buffer for s; `where` names the caller in failures. */
static vdk_status storage_alloc(vdk_context *ctx, vdk_vk *vk, vdk_storage *s, size_t bytes,
                                const char *where)
{
    if (vk->lost)
        return vdk_fail(ctx, VDK_ERROR_DEVICE_LOST, "%s: the Vulkan device was lost", where);
    /* Whole 32-bit words: the 16-bit dtypes may end mid-word. */
    VkDeviceSize size = ((VkDeviceSize)bytes + 3) & ~(VkDeviceSize)3;
    /* A shader binds the storage whole and indexes it with 32-bit element offsets. */
    if (size > vk->caps.max_range || size > vk->caps.max_alloc)
        return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY,
                        "%s: %zu bytes exceed what one Vulkan buffer of '%s' may be "
                        "(maxStorageBufferRange %llu, maxMemoryAllocationSize %llu bytes)",
                        where, bytes, vk->caps.name, (unsigned long long)vk->caps.max_range,
                        (unsigned long long)vk->caps.max_alloc);
    vdk_vk_buffer *b = calloc(1, sizeof *b);
    if (!b)
        return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "%s: out of host memory", where);
    vdk_status st =
        make_buffer(ctx, vk, size,
                    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                        VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                    VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0, true, where, b);
    if (st) {
        free(b);
        return st;
    }
    s->backend_data = b;
    return VDK_OK;
}

vdk_status vdk_vk_storage_alloc_for(vdk_context *ctx, vdk_storage *s, size_t bytes,
                                    const char *where)
{
    vdk_status st = storage_alloc(ctx, ctx->vk, s, bytes, where);
    if (!st)
        ctx->vk->refcount++; /* the device lives as long as its storages */
    return st;
}

vdk_status vdk_vk_storage_alloc(vdk_context *ctx, vdk_storage *s, size_t bytes)
{
    return vdk_vk_storage_alloc_for(ctx, s, bytes, "vdk_tensor_create");
}

void vdk_vk_scratch_free(vdk_vk *vk)
{
    vdk_vk_buffer *b = vk->scratch.backend_data;
    if (b) {
        free_buffer(b);
        free(b);
    }
    vk->scratch.backend_data = NULL;
    vk->scratch.bytes = 0;
}

vdk_status vdk_vk_scratch(vdk_context *ctx, vdk_vk *vk, const char *op, size_t bytes,
                          const vdk_storage **out)
{
    if (vk->scratch.backend_data && vk->scratch.bytes >= bytes) {
        *out = &vk->scratch;
        return VDK_OK;
    }
    vdk_status st;
    if (vk->scratch.backend_data && (st = vdk_vk_flush(ctx, vk)))
        return st;
    /* Doubling keeps the number of regrowths (each a wait) logarithmic. */
    size_t size = vk->scratch.bytes * 2;
    size = size > bytes ? size : bytes;
    size = size > ((size_t)1 << 20) ? size : (size_t)1 << 20;
    if (size > vk->caps.max_range && bytes <= vk->caps.max_range)
        size = (size_t)vk->caps.max_range;
    vdk_vk_scratch_free(vk);
    if ((st = storage_alloc(ctx, vk, &vk->scratch, size, op)))
        return st;
    vk->scratch.bytes = size;
    *out = &vk->scratch;
    return VDK_OK;
}

void vdk_vk_unref(vdk_vk *vk);

/* Queues b to be freed after the recorded work; false when there is no room. */
static bool defer(vdk_vk *vk, vdk_vk_buffer *b)
{
    if (vk->ndeferred == vk->deferred_cap) {
        const int cap = vk->deferred_cap ? 2 * vk->deferred_cap : 64;
        vdk_vk_buffer **d = realloc(vk->deferred, (size_t)cap * sizeof *d);
        if (!d)
            return false;
        vk->deferred = d;
        vk->deferred_cap = cap;
    }
    vk->deferred[vk->ndeferred++] = b;
    vk->deferred_bytes += b->span ? b->span : b->size;
    return true;
}

void vdk_vk_release_deferred(vdk_vk *vk)
{
    const int n = vk->ndeferred;
    for (int i = 0; i < n; i++) {
        free_buffer(vk->deferred[i]);
        free(vk->deferred[i]);
    }
    vk->ndeferred = 0;
    vk->deferred_bytes = 0;
    /* The last reference may close vk: nothing touches it after. */
    for (int i = 0; i < n; i++)
        vdk_vk_unref(vk);
}

void vdk_vk_storage_release(vdk_storage *s)
{
    vdk_vk_buffer *b = s->backend_data;
    vdk_vk *vk = b->vk;
    s->backend_data = NULL;
    /* Recorded dispatches may still use the buffer: free it once they ran. A
     * flush that fails here has no caller to tell; the device is then lost or
     * out of memory and the next call on the context reports it. */
    if (vk->recorded && !vk->lost && defer(vk, b)) {
        if (vk->deferred_bytes > VDK_VK_DEFERRED_BYTES)
            vdk_vk_flush(NULL, vk);
        return;
    }
    if (vk->recorded && !vk->lost)
        vdk_vk_flush(NULL, vk);
    free_buffer(b);
    free(b);
    vdk_vk_unref(vk);
}

/* Copies [at, at + bytes) of the storage to or from host memory through a
 * host-visible staging buffer, after all recorded work. */
static vdk_status transfer(vdk_context *ctx, vdk_storage *s, size_t at, size_t bytes, void *dst,
                           const void *src, const char *where)
{
    vdk_vk_buffer *b = s->backend_data;
    vdk_vk *vk = b->vk;
    if (vk->lost)
        return vdk_fail(ctx, VDK_ERROR_DEVICE_LOST, "%s: the Vulkan device was lost", where);
    vdk_status st = vdk_vk_flush(ctx, vk);
    if (st)
        return st;
    VkDeviceSize chunk = bytes < STAGING_CHUNK ? bytes : STAGING_CHUNK;
    vdk_vk_buffer staging;
    st = make_buffer(ctx, vk, chunk,
                     VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                     VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
                         VK_MEMORY_PROPERTY_HOST_CACHED_BIT,
                     VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                     false, where, &staging);
    if (st)
        return st;
    void *map = NULL;
    st = vdk_vk_check(ctx, vk, vkMapMemory(vk->device, staging.memory, 0, VK_WHOLE_SIZE, 0, &map),
                      where);
    for (size_t done = 0; !st && done < bytes; done += chunk) {
        size_t n = bytes - done < chunk ? bytes - done : chunk;
        if (src) {
            memcpy(map, (const char *)src + done, n);
            st = vdk_vk_copy_now(ctx, vk, staging.buffer, 0, b->buffer, at + done, n);
        } else {
            st = vdk_vk_copy_now(ctx, vk, b->buffer, at + done, staging.buffer, 0, n);
            if (!st)
                memcpy((char *)dst + done, map, n);
        }
    }
    if (map)
        vkUnmapMemory(vk->device, staging.memory);
    free_buffer(&staging);
    return st;
}

vdk_status vdk_vk_storage_read(vdk_context *ctx, vdk_storage *s, size_t at, size_t bytes, void *dst)
{
    return transfer(ctx, s, at, bytes, dst, NULL, "vdk_tensor_read");
}

vdk_status vdk_vk_storage_write(vdk_context *ctx, vdk_storage *s, size_t at, size_t bytes,
                                const void *src)
{
    return transfer(ctx, s, at, bytes, NULL, src, "vdk_tensor_write");
}
