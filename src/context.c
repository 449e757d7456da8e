/* Contexts: which backend runs the operators, and where errors are reported. */
#include "internal.h"

#include "vdk_config.h"

#include <stdlib.h>

static const char *const backend_names[VDK_BACKEND_COUNT] = {
    [VDK_BACKEND_REFERENCE] = "reference",
    [VDK_BACKEND_CPU] = "cpu",
    [VDK_BACKEND_VULKAN] = "vulkan",
};

const char *vdk_backend_name(vdk_backend backend)
{
    if ((int)backend < 0 || backend >= VDK_BACKEND_COUNT)
        return "unknown";
    return backend_names[backend];
}

int vdk_version(void) { return VDK_VERSION; }

#define VDK_STR2(x) #x
#define VDK_STR(x) VDK_STR2(x)
const char *vdk_version_string(void)
{
    return VDK_STR(VDK_VERSION_MAJOR) "." VDK_STR(VDK_VERSION_MINOR) "." VDK_STR(
        VDK_VERSION_PATCH);
}

vdk_status vdk_context_create(const vdk_context_desc *desc, vdk_context **out)
{
    if (!out)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER,
                        "vdk_context_create: argument 'out' is NULL; expected a vdk_context**");
    *out = NULL;
    if (!desc)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER,
                        "vdk_context_create: argument 'desc' is NULL; expected a "
                        "vdk_context_desc (zero-initialised picks the reference backend)");
    if ((int)desc->backend < 0 || desc->backend >= VDK_BACKEND_COUNT)
        return vdk_fail(NULL, VDK_ERROR_INVALID_VALUE,
                        "vdk_context_create: desc->backend is %d; expected VDK_BACKEND_REFERENCE, "
                        "VDK_BACKEND_CPU or VDK_BACKEND_VULKAN",
                        (int)desc->backend);
    if (desc->threads < 0)
        return vdk_fail(NULL, VDK_ERROR_INVALID_VALUE,
                        "vdk_context_create: desc->threads is %d; expected 0 (all physical "
                        "cores) or a positive count",
                        desc->threads);
    if (desc->device < -1)
        return vdk_fail(NULL, VDK_ERROR_INVALID_VALUE,
                        "vdk_context_create: desc->device is %d; expected -1 (pick) or a "
                        "device index >= 0",
                        desc->device);

    const vdk_backend_ops *ops = NULL;
    switch (desc->backend) {
    case VDK_BACKEND_REFERENCE:
        ops = vdk_reference_backend();
        break;
    case VDK_BACKEND_CPU:
        break; /* vdk_cpu_context_init picks the tier's table */
    case VDK_BACKEND_VULKAN:
        break; /* vdk_vk_context_init opens the device and sets the table */
    default:
        break;
    }

    vdk_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return vdk_fail(NULL, VDK_ERROR_OUT_OF_MEMORY,
                        "vdk_context_create: out of host memory for the context");
    ctx->backend = desc->backend;
    ctx->ops = ops;
    ctx->last_kernel = "";
    vdk_profile_init(ctx);
    vdk_status st = VDK_OK;
    if (desc->backend == VDK_BACKEND_CPU)
        st = vdk_cpu_context_init(ctx, desc);
    else if (desc->backend == VDK_BACKEND_VULKAN)
        st = vdk_vk_context_init(ctx, desc);
    if (st != VDK_OK) {
        free(ctx);
        return st;
    }
    *out = ctx;
    return VDK_OK;
}

void vdk_context_destroy(vdk_context *ctx)
{
    if (ctx && ctx->dev)
        ctx->dev->destroy(ctx);
    free(ctx);
}

vdk_backend vdk_context_backend(const vdk_context *ctx)
{
    return ctx ? ctx->backend : VDK_BACKEND_COUNT;
}

vdk_cpu_isa vdk_context_cpu_isa(const vdk_context *ctx)
{
    return ctx && ctx->backend == VDK_BACKEND_CPU ? ctx->cpu.isa : VDK_CPU_ISA_COUNT;
}

int vdk_context_threads(const vdk_context *ctx)
{
    return ctx && ctx->backend == VDK_BACKEND_CPU ? ctx->cpu.threads : 1;
}

const char *vdk_last_kernel(const vdk_context *ctx)
{
    return ctx && ctx->last_kernel ? ctx->last_kernel : "";
}

vdk_status vdk_sync(vdk_context *ctx)
{
    if (!ctx)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER, "vdk_sync: argument 'ctx' is NULL");
    if (ctx->dev)
        return ctx->dev->sync(ctx);
    return VDK_OK; /* host backends finish each operator before it returns */
}

#if !VDK_HAVE_VULKAN
vdk_status vdk_vk_context_init(vdk_context *ctx, const vdk_context_desc *desc)
{
    (void)ctx;
    (void)desc;
    return vdk_fail(NULL, VDK_ERROR_UNSUPPORTED,
                    "vdk_context_create: this build of vdk %s has no Vulkan backend "
                    "(configured with VDK_VULKAN=OFF, or without the Vulkan headers, glslang "
                    "or spirv-val); use VDK_BACKEND_REFERENCE or VDK_BACKEND_CPU",
                    vdk_version_string());
}

vdk_profile_table *vdk_vk_profile_table(struct vdk_vk *vk)
{
    (void)vk;
    return NULL;
}

vdk_status vdk_vk_profile_enable(vdk_context *ctx, bool on)
{
    (void)ctx;
    (void)on;
    return VDK_OK;
}

int64_t vdk_context_validation_messages(const vdk_context *ctx, const char **first)
{
    (void)ctx;
    if (first)
        *first = "";
    return 0;
}
#endif
