/* Device memory for tensor storages, sub-allocated from large blocks: drivers
 * cap the number of allocations (maxMemoryAllocationCount is 4096 on many)
 * and each costs a kernel round trip, while a diffusion pipeline makes
 * thousands of tensors. Each storage keeps its own VkBuffer (so shaders bind it
 * whole at offset 0), bound to a range of a block. Blocks are
 * VDK_VK_BLOCK_BYTES, or smaller where maxMemoryAllocationSize is; a storage of
 * more than half a block (or half of maxStorageBufferRange) gets memory of its
 * own. Ranges are first-fit from a
 * sorted free list that merges neighbours; a block that becomes empty is
 * returned to the driver unless it is the last of its memory type. */
#include "vk.h"

#include <stdlib.h>
#include <string.h>

static VkDeviceSize align_up(VkDeviceSize x, VkDeviceSize a) { return (x + a - 1) / a * a; }

static VkDeviceSize block_bytes(const vdk_vk *vk)
{
    return vk->caps.max_alloc < VDK_VK_BLOCK_BYTES ? vk->caps.max_alloc : VDK_VK_BLOCK_BYTES;
}

/* Makes room for one more entry in the block's free list (doubling it). */
static bool room_for_one_more(vdk_vk_block *b)
{
    if (b->nfree < b->cap)
        return true;
    const int cap = b->cap ? 2 * b->cap : 8;
    vdk_vk_range *f = realloc(b->free, (size_t)cap * sizeof *f);
    if (!f)
        return false;
    b->free = f;
    b->cap = cap;
    return true;
}

/* Takes `size` bytes aligned to `align` from the block's free list. */
static bool take(vdk_vk_block *b, VkDeviceSize size, VkDeviceSize align, VkDeviceSize *at)
{
    for (int i = 0; i < b->nfree; i++) {
        vdk_vk_range *r = &b->free[i];
        const VkDeviceSize start = align_up(r->offset, align), end = r->offset + r->size;
        if (start > end || end - start < size)
            continue;
        *at = start;
        const vdk_vk_range before = {r->offset, start - r->offset};
        const vdk_vk_range after = {start + size, end - start - size};
        /* The range becomes what is left before and after the piece. */
        if (before.size && after.size) {
            if (!room_for_one_more(b))
                return false;
            r = &b->free[i];
            memmove(r + 2, r + 1, (size_t)(b->nfree - i - 1) * sizeof *r);
            r[0] = before;
            r[1] = after;
            b->nfree++;
        } else if (before.size || after.size) {
            *r = before.size ? before : after;
        } else {
            memmove(r, r + 1, (size_t)(b->nfree - i - 1) * sizeof *r);
            b->nfree--;
        }
        b->used += size;
        return true;
    }
    return false;
}

/* Returns [at, at + size) to the block, merged with free neighbours. Never
 * fails: a merge needs no new entry, and a lone range reuses a slot the
 * allocation's split freed or grows the list (on failure, the range is lost
 * until the block is freed, which costs memory, not correctness). */
static void give(vdk_vk_block *b, VkDeviceSize at, VkDeviceSize size)
{
    b->used -= size;
    int i = 0;
    while (i < b->nfree && b->free[i].offset < at)
        i++;
    const bool join_prev = i > 0 && b->free[i - 1].offset + b->free[i - 1].size == at;
    const bool join_next = i < b->nfree && at + size == b->free[i].offset;
    if (join_prev && join_next) {
        b->free[i - 1].size += size + b->free[i].size;
        memmove(&b->free[i], &b->free[i + 1], (size_t)(b->nfree - i - 1) * sizeof *b->free);
        b->nfree--;
    } else if (join_prev) {
        b->free[i - 1].size += size;
    } else if (join_next) {
        b->free[i].offset = at;
        b->free[i].size += size;
    } else {
        if (!room_for_one_more(b))
            return;
        memmove(&b->free[i + 1], &b->free[i], (size_t)(b->nfree - i) * sizeof *b->free);
        b->free[i] = (vdk_vk_range){at, size};
        b->nfree++;
    }
}

static vdk_status new_block(vdk_context *ctx, vdk_vk *vk, uint32_t type, VkDeviceSize size,
                            const char *what, vdk_vk_block **out)
{
    vdk_vk_block *b = calloc(1, sizeof *b);
    if (!b)
        return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "%s: out of host memory", what);
    const VkMemoryAllocateInfo mai = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = size,
        .memoryTypeIndex = type,
    };
    vdk_status st = vdk_vk_check(ctx, vk, vkAllocateMemory(vk->device, &mai, NULL, &b->memory), what);
    if (st) {
        free(b);
        return st;
    }
    b->type = type;
    b->size = size;
    b->free = malloc(8 * sizeof *b->free);
    b->cap = b->free ? 8 : 0;
    if (b->free) {
        b->free[0] = (vdk_vk_range){0, size};
        b->nfree = 1;
    }
    b->next = vk->blocks;
    vk->blocks = b;
    *out = b;
    return VDK_OK;
}

static void free_block(vdk_vk *vk, vdk_vk_block *b)
{
    for (vdk_vk_block **p = &vk->blocks; *p; p = &(*p)->next)
        if (*p == b) {
            *p = b->next;
            break;
        }
    vkFreeMemory(vk->device, b->memory, NULL);
    free(b->free);
    free(b);
}

vdk_status vdk_vk_heap_bind(vdk_context *ctx, vdk_vk *vk, vdk_vk_buffer *buf, uint32_t type,
                            const VkMemoryRequirements *req, const char *what)
{
    const VkDeviceSize whole = block_bytes(vk);
    vdk_vk_block *b = NULL;
    VkDeviceSize at = 0;
    vdk_status st;
    /* Past half of what one block or one binding can hold, a storage gets its
     * own memory: sharing a block with it would strand the rest. */
    const VkDeviceSize big = (whole < vk->caps.max_range ? whole : vk->caps.max_range) / 2;
    if (req->size > big) {
        /* A block of its own, exactly its size. */
        if ((st = new_block(ctx, vk, type, req->size, what, &b)))
            return st;
        take(b, req->size, req->alignment, &at);
    } else {
        for (vdk_vk_block *c = vk->blocks; c && !b; c = c->next)
            if (c->type == type && c->size == whole && take(c, req->size, req->alignment, &at))
                b = c;
        if (!b) {
            if ((st = new_block(ctx, vk, type, whole, what, &b)))
                return st;
            if (!take(b, req->size, req->alignment, &at)) {
                free_block(vk, b);
                return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "%s: out of host memory", what);
            }
        }
    }
    if ((st = vdk_vk_check(ctx, vk, vkBindBufferMemory(vk->device, buf->buffer, b->memory, at),
                           what))) {
        vdk_vk_heap_release(vk, b, at, req->size);
        return st;
    }
    buf->block = b;
    buf->offset = at;
    buf->span = req->size;
    return VDK_OK;
}

void vdk_vk_heap_release(vdk_vk *vk, vdk_vk_block *b, VkDeviceSize at, VkDeviceSize size)
{
    give(b, at, size);
    if (b->used)
        return;
    /* Keep one empty block of the usual size per type: the next tensor of a
     * loop that frees and makes tensors then costs no allocation. */
    bool other = b->size != block_bytes(vk);
    for (vdk_vk_block *c = vk->blocks; c && !other; c = c->next)
        other = c != b && c->type == b->type && c->size == b->size;
    if (other)
        free_block(vk, b);
}

void vdk_vk_heap_destroy(vdk_vk *vk)
{
    while (vk->blocks)
        free_block(vk, vk->blocks);
}

VkDeviceSize vdk_vk_heap_bytes(const vdk_vk *vk)
{
    VkDeviceSize n = 0;
    for (const vdk_vk_block *b = vk->blocks; b; b = b->next)
        n += b->size;
    return n;
}
