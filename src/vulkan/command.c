/* The context's command buffer: dispatches recorded with the barriers their
 * buffers need, submitted and waited for by vdk_vk_flush (vdk_sync, any
 * transfer, a full descriptor pool). */
#include "vk.h"

#include <string.h>

vdk_status vdk_vk_commands_init(vdk_context *ctx, vdk_vk *vk)
{
    (void)ctx;
    const VkCommandPoolCreateInfo cpci = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
        .queueFamilyIndex = vk->queue_family,
    };
    const char *what = "vdk_context_create: command buffer";
    vdk_status st = vdk_vk_check(
        NULL, vk, vkCreateCommandPool(vk->device, &cpci, NULL, &vk->command_pool), what);
    if (st)
        return st;
    const VkCommandBufferAllocateInfo cbai = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = vk->command_pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    const VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    const VkDescriptorPoolSize size = {
        .type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
        .descriptorCount = VDK_VK_SETS_PER_POOL * VDK_VK_MAX_BINDINGS,
    };
    const VkDescriptorPoolCreateInfo dpci = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
        .maxSets = VDK_VK_SETS_PER_POOL,
        .poolSizeCount = 1,
        .pPoolSizes = &size,
    };
    if ((st =
             vdk_vk_check(NULL, vk, vkAllocateCommandBuffers(vk->device, &cbai, &vk->cmd), what)) ||
        (st = vdk_vk_check(NULL, vk, vkCreateFence(vk->device, &fci, NULL, &vk->fence), what)) ||
        (st = vdk_vk_check(NULL, vk,
                           vkCreateDescriptorPool(vk->device, &dpci, NULL, &vk->descriptor_pool),
                           what)))
        return st;
    return VDK_OK;
}

void vdk_vk_commands_destroy(vdk_vk *vk)
{
    if (vk->descriptor_pool)
        vkDestroyDescriptorPool(vk->device, vk->descriptor_pool, NULL);
    if (vk->fence)
        vkDestroyFence(vk->device, vk->fence, NULL);
    if (vk->command_pool)
        vkDestroyCommandPool(vk->device, vk->command_pool, NULL);
}

static void memory_barrier(VkCommandBuffer cmd, VkPipelineStageFlags src, VkAccessFlags src_access,
                           VkPipelineStageFlags dst, VkAccessFlags dst_access)
{
    const VkMemoryBarrier mb = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = src_access,
        .dstAccessMask = dst_access,
    };
    vkCmdPipelineBarrier(cmd, src, dst, 0, 1, &mb, 0, NULL, 0, NULL);
}

/* Submits cmd and waits on the fence. */
static vdk_status submit_wait(vdk_context *ctx, vdk_vk *vk, VkCommandBuffer cmd, const char *what)
{
    const VkSubmitInfo si = {
        .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
        .commandBufferCount = 1,
        .pCommandBuffers = &cmd,
    };
    vdk_status st = vdk_vk_check(ctx, vk, vkQueueSubmit(vk->queue, 1, &si, vk->fence), what);
    if (st)
        return st;
    st = vdk_vk_check(ctx, vk, vkWaitForFences(vk->device, 1, &vk->fence, VK_TRUE, UINT64_MAX),
                      what);
    vkResetFences(vk->device, 1, &vk->fence);
    return st;
}

vdk_status vdk_vk_flush(vdk_context *ctx, vdk_vk *vk)
{
    if (vk->lost) {
        /* Nothing runs on a lost device any more. */
        vdk_status st =
            vdk_fail(ctx, VDK_ERROR_DEVICE_LOST, "vdk_sync: the Vulkan device was lost");
        vdk_vk_release_deferred(vk);
        return st;
    }
    if (!vk->recording)
        return VDK_OK;
    vk->recording = false;
    vdk_status st =
        vdk_vk_check(ctx, vk, vkEndCommandBuffer(vk->cmd), "vdk_sync: vkEndCommandBuffer");
    if (!st)
        st = submit_wait(ctx, vk, vk->cmd, "vdk_sync: vkQueueSubmit");
    if (!st && vk->nqueries)
        vdk_vk_profile_collect(vk);
    vk->nqueries = 0;
    vkResetCommandBuffer(vk->cmd, 0);
    vkResetDescriptorPool(vk->device, vk->descriptor_pool, 0);
    vk->sets_used = 0;
    vk->recorded = 0;
    vk->nwritten = vk->nread = 0;
    /* Last: it may close vk when only released tensors held it. */
    vdk_vk_release_deferred(vk);
    return st;
}

/* A transfer in a command buffer of its own, submitted and waited for: a
 * staging copy or a fill. Earlier submissions' writes come before it; its
 * writes are visible to the host after it, and to later submissions' shaders
 * through the barrier that opens each recording (vdk_vk_record). */
typedef struct one_off {
    VkBuffer src, dst;
    VkDeviceSize src_at, dst_at, bytes;
    bool fill;
    uint32_t value;
} one_off;

static vdk_status run_one_off(vdk_context *ctx, vdk_vk *vk, const one_off *op, const char *what)
{
    const VkCommandBufferAllocateInfo cbai = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = vk->command_pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    VkCommandBuffer cmd;
    vdk_status st = vdk_vk_check(ctx, vk, vkAllocateCommandBuffers(vk->device, &cbai, &cmd), what);
    if (st)
        return st;
    const VkCommandBufferBeginInfo bi = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
        .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
    };
    st = vdk_vk_check(ctx, vk, vkBeginCommandBuffer(cmd, &bi), what);
    if (!st) {
        memory_barrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                       VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
        if (op->fill) {
            vkCmdFillBuffer(cmd, op->dst, op->dst_at, op->bytes, op->value);
        } else {
            const VkBufferCopy region = {
                .srcOffset = op->src_at, .dstOffset = op->dst_at, .size = op->bytes};
            vkCmdCopyBuffer(cmd, op->src, op->dst, 1, &region);
        }
        memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                       VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
        st = vdk_vk_check(ctx, vk, vkEndCommandBuffer(cmd), what);
    }
    if (!st)
        st = submit_wait(ctx, vk, cmd, what);
    vkFreeCommandBuffers(vk->device, vk->command_pool, 1, &cmd);
    return st;
}

vdk_status vdk_vk_copy_now(vdk_context *ctx, vdk_vk *vk, VkBuffer src, VkDeviceSize src_at,
                           VkBuffer dst, VkDeviceSize dst_at, VkDeviceSize bytes)
{
    const one_off op = {.src = src, .dst = dst, .src_at = src_at, .dst_at = dst_at, .bytes = bytes};
    return run_one_off(ctx, vk, &op, "vdk_tensor_read/write: staging copy");
}

vdk_status vdk_vk_fill_now(vdk_context *ctx, vdk_vk *vk, VkBuffer dst, VkDeviceSize bytes,
                           uint32_t value, const char *what)
{
    const one_off op = {.dst = dst, .bytes = bytes, .fill = true, .value = value};
    return run_one_off(ctx, vk, &op, what);
}

static bool tracked(const VkBuffer *list, int n, VkBuffer b)
{
    for (int i = 0; i < n; i++)
        if (list[i] == b)
            return true;
    return false;
}

static void track(VkBuffer *list, int *n, VkBuffer b)
{
    if (!tracked(list, *n, b))
        list[(*n)++] = b;
}

vdk_status vdk_vk_record(vdk_context *ctx, vdk_vk *vk, const vdk_vk_dispatch *d)
{
    if (vk->lost)
        return vdk_fail(ctx, VDK_ERROR_DEVICE_LOST, "the Vulkan device was lost");
    uint64_t gx = d->groups < vk->caps.max_groups[0] ? d->groups : vk->caps.max_groups[0];
    uint64_t gy = (d->groups + gx - 1) / gx;
    if (gy > vk->caps.max_groups[1])
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: %llu workgroups exceed the device's grid of %u x %u",
                        vdk_shader_table[d->shader].name, (unsigned long long)d->groups,
                        vk->caps.max_groups[0], vk->caps.max_groups[1]);
    VkPipeline pipeline;
    vdk_status st = vdk_vk_pipeline_get(ctx, vk, d, &pipeline);
    if (st)
        return st;
    if ((vk->sets_used == VDK_VK_SETS_PER_POOL ||
         (vk->profiling && vk->nqueries == VDK_VK_MAX_QUERIES)) &&
        (st = vdk_vk_flush(ctx, vk)))
        return st;
    if (!vk->recording) {
        const VkCommandBufferBeginInfo bi = {
            .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
            .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
        };
        if ((st =
                 vdk_vk_check(ctx, vk, vkBeginCommandBuffer(vk->cmd, &bi), "vkBeginCommandBuffer")))
            return st;
        vk->recording = true;
        /* Staging copies of earlier submissions before this buffer's shaders. */
        memory_barrier(vk->cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
        if (vk->profiling)
            vdk_vk_profile_begin(vk);
    }

    const VkDescriptorSetAllocateInfo dsai = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
        .descriptorPool = vk->descriptor_pool,
        .descriptorSetCount = 1,
        .pSetLayouts = &vk->set_layout[d->nbuf],
    };
    VkDescriptorSet set;
    if ((st = vdk_vk_check(ctx, vk, vkAllocateDescriptorSets(vk->device, &dsai, &set),
                           "vkAllocateDescriptorSets")))
        return st;
    vk->sets_used++;
    VkDescriptorBufferInfo info[VDK_VK_MAX_BINDINGS];
    VkWriteDescriptorSet writes[VDK_VK_MAX_BINDINGS];
    bool hazard = vk->nwritten + vk->nread + 2 * d->nbuf > VDK_VK_MAX_TRACKED;
    for (int i = 0; i < d->nbuf; i++) {
        const vdk_vk_buffer *b = d->buf[i]->backend_data;
        info[i] =
            (VkDescriptorBufferInfo){.buffer = b->buffer, .offset = 0, .range = VK_WHOLE_SIZE};
        writes[i] = (VkWriteDescriptorSet){
            .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
            .dstSet = set,
            .dstBinding = (uint32_t)i,
            .descriptorCount = 1,
            .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
            .pBufferInfo = &info[i],
        };
        /* read after write, write after write, write after read */
        if (tracked(vk->written, vk->nwritten, b->buffer) ||
            (d->writes[i] && tracked(vk->read, vk->nread, b->buffer)))
            hazard = true;
    }
    vkUpdateDescriptorSets(vk->device, (uint32_t)d->nbuf, writes, 0, NULL);
    if (hazard) {
        memory_barrier(vk->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
        vk->nwritten = vk->nread = 0;
    }
    for (int i = 0; i < d->nbuf; i++) {
        const vdk_vk_buffer *b = d->buf[i]->backend_data;
        if (d->writes[i])
            track(vk->written, &vk->nwritten, b->buffer);
        else
            track(vk->read, &vk->nread, b->buffer);
    }
    vkCmdBindPipeline(vk->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    vkCmdBindDescriptorSets(vk->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, vk->layout[d->nbuf], 0, 1,
                            &set, 0, NULL);
    vkCmdPushConstants(vk->cmd, vk->layout[d->nbuf], VK_SHADER_STAGE_COMPUTE_BIT, 0, d->push_bytes,
                       d->push);
    vkCmdDispatch(vk->cmd, (uint32_t)gx, (uint32_t)gy, 1);
    vk->recorded++;
    if (vk->profiling)
        vdk_vk_profile_mark(vk, vdk_shader_table[d->shader].name);
    return VDK_OK;
}
