/* GPU time per dispatch from timestamp queries (VDK_PROFILE=1 or
 * vdk_profile_enable). Each dispatch is followed by a bottom-of-pipe
 * timestamp, written once every earlier command of the submission has
 * finished; the difference to the previous one is the time the GPU took to
 * get past this dispatch. Overlapping independent dispatches thus share their
 * time out, and the rows add up to the submission's busy time. */
#include "vk.h"

vdk_profile_table *vdk_vk_profile_table(vdk_vk *vk)
{
    return vk->caps.timestamp_bits ? &vk->profile : NULL;
}

vdk_status vdk_vk_profile_enable(vdk_context *ctx, bool on)
{
    vdk_vk *vk = ctx->vk;
    if (on == vk->profiling)
        return VDK_OK;
    if (on && !vk->caps.timestamp_bits)
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "vdk_profile_enable: Vulkan device '%s' has no timestamp queries on its "
                        "compute queue",
                        vk->caps.name);
    /* Work recorded so far keeps the timing it was recorded with. */
    vdk_status st = vdk_vk_flush(ctx, vk);
    if (st)
        return st;
    if (on && !vk->queries) {
        const VkQueryPoolCreateInfo qpci = {
            .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
            .queryType = VK_QUERY_TYPE_TIMESTAMP,
            .queryCount = VDK_VK_MAX_QUERIES,
        };
        if ((st = vdk_vk_check(ctx, vk, vkCreateQueryPool(vk->device, &qpci, NULL, &vk->queries),
                               "vdk_profile_enable: vkCreateQueryPool")))
            return st;
    }
    vk->profiling = on;
    return VDK_OK;
}

void vdk_vk_profile_begin(vdk_vk *vk)
{
    vkCmdResetQueryPool(vk->cmd, vk->queries, 0, VDK_VK_MAX_QUERIES);
    vkCmdWriteTimestamp(vk->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, vk->queries, 0);
    vk->nqueries = 1;
}

void vdk_vk_profile_mark(vdk_vk *vk, const char *kernel)
{
    vk->query_kernel[vk->nqueries] = kernel;
    vkCmdWriteTimestamp(vk->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, vk->queries, vk->nqueries);
    vk->nqueries++;
}

void vdk_vk_profile_collect(vdk_vk *vk)
{
    uint64_t t[VDK_VK_MAX_QUERIES];
    const uint32_t n = vk->nqueries;
    vk->nqueries = 0;
    if (n < 2 || vkGetQueryPoolResults(vk->device, vk->queries, 0, n, sizeof t, t, sizeof *t,
                                       VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT) !=
                     VK_SUCCESS)
        return;
    const uint64_t mask =
        vk->caps.timestamp_bits >= 64 ? UINT64_MAX : (UINT64_C(1) << vk->caps.timestamp_bits) - 1;
    for (uint32_t i = 1; i < n; i++) {
        /* The counter wraps within its valid bits. */
        const uint64_t ticks = (t[i] - t[i - 1]) & mask;
        vdk_profile_add(&vk->profile, vk->query_kernel[i],
                        (int64_t)((double)ticks * vk->caps.timestamp_period + 0.5));
    }
}

void vdk_vk_profile_destroy(vdk_vk *vk)
{
    if (vk->queries)
        vkDestroyQueryPool(vk->device, vk->queries, NULL);
    vk->queries = VK_NULL_HANDLE;
}
