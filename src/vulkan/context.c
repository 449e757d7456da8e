/* A Vulkan context: its device hooks, its lifetime, its validation messages. */
#include "vk.h"

#include <stdlib.h>

void vdk_vk_unref(vdk_vk *vk);

void vdk_vk_unref(vdk_vk *vk)
{
    if (--vk->refcount == 0)
        vdk_vk_close(vk);
}

static vdk_status vk_sync(vdk_context *ctx) { return vdk_vk_flush(ctx, ctx->vk); }

static void vk_destroy(vdk_context *ctx)
{
    /* Work recorded but not synced still runs: tensors may outlive the context. */
    vdk_vk_flush(NULL, ctx->vk);
    vdk_vk_unref(ctx->vk);
    ctx->vk = NULL;
}

static const vdk_device_ops vk_device_ops = {
    .alloc = vdk_vk_storage_alloc,
    .release = vdk_vk_storage_release,
    .read = vdk_vk_storage_read,
    .write = vdk_vk_storage_write,
    .sync = vk_sync,
    .destroy = vk_destroy,
};

vdk_status vdk_vk_context_init(vdk_context *ctx, const vdk_context_desc *desc)
{
    vdk_vk *vk = calloc(1, sizeof *vk);
    if (!vk)
        return vdk_fail(NULL, VDK_ERROR_OUT_OF_MEMORY, "vdk_context_create: out of host memory");
    vk->refcount = 1;
    vdk_status st;
    if ((st = vdk_vk_open(ctx, desc, vk)) || (st = vdk_vk_commands_init(ctx, vk)) ||
        (st = vdk_vk_pipelines_init(ctx, vk))) {
        vdk_vk_close(vk);
        return st;
    }
    ctx->vk = vk;
    ctx->dev = &vk_device_ops;
    ctx->ops = vdk_vk_backend();
    /* VDK_PROFILE=1 on a device without timestamps profiles nothing rather
     * than refusing the context; vdk_profile_enable says why. */
    if (ctx->profile.on && vdk_vk_profile_enable(ctx, true) != VDK_OK) {
        ctx->profile.on = false;
        ctx->message[0] = '\0';
    }
    return VDK_OK;
}

int64_t vdk_context_validation_messages(const vdk_context *ctx, const char **first)
{
    const vdk_vk *vk = ctx && ctx->backend == VDK_BACKEND_VULKAN ? ctx->vk : NULL;
    if (first)
        *first = vk ? vk->first_message : "";
    return vk ? vk->messages : 0;
}
