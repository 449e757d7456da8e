/* vdk_context_device_info and vdk_device_peak: the argument checks and the
 * defaults; the Vulkan backend measures (src/vulkan/peak.c). */
#include "internal.h"
#include "vdk_config.h"

#define PEAK_MAX_REPS 256
#define PEAK_MIN_BUFFER ((int64_t)64 << 10)

static vdk_status host_backend(vdk_context *ctx, const char *fn)
{
    return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                    "%s: the context's backend is '%s'; only Vulkan contexts describe and "
                    "measure a device here (vdk-peak measures the CPU itself)",
                    fn, vdk_backend_name(ctx->backend));
}

vdk_status vdk_context_device_info(vdk_context *ctx, vdk_device_info *out)
{
    if (!ctx)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER,
                        "vdk_context_device_info: argument 'ctx' is NULL");
    if (!out)
        return vdk_fail(ctx, VDK_ERROR_NULL_POINTER,
                        "vdk_context_device_info: argument 'out' is NULL");
    if (ctx->backend != VDK_BACKEND_VULKAN)
        return host_backend(ctx, "vdk_context_device_info");
    return vdk_vk_device_info(ctx, out);
}

vdk_status vdk_device_peak(vdk_context *ctx, vdk_peak_kind kind, const vdk_peak_options *options,
                           vdk_peak_result *out)
{
    static const char fn[] = "vdk_device_peak";
    if (!ctx)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER, "%s: argument 'ctx' is NULL", fn);
    if (!out)
        return vdk_fail(ctx, VDK_ERROR_NULL_POINTER, "%s: argument 'out' is NULL", fn);
    if ((int)kind < 0 || kind >= VDK_PEAK_KIND_COUNT)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "%s: kind is %d; expected VDK_PEAK_FP32_FMA, VDK_PEAK_F16_FMA, "
                        "VDK_PEAK_COPY or VDK_PEAK_READ",
                        fn, (int)kind);
    vdk_peak_options o = options ? *options : (vdk_peak_options){0};
    if (o.repetitions < 0 || o.repetitions > PEAK_MAX_REPS)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "%s: options->repetitions is %d; expected 0 (15) or 1 to %d", fn,
                        o.repetitions, PEAK_MAX_REPS);
    if (!(o.seconds >= 0 && o.seconds <= 10))
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "%s: options->seconds is %g; expected 0 (0.05) or up to 10", fn,
                        o.seconds);
    if (o.buffer_bytes < 0 || (o.buffer_bytes && (o.buffer_bytes < PEAK_MIN_BUFFER ||
                                                   o.buffer_bytes % 16)))
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "%s: options->buffer_bytes is %lld; expected 0 (the default) or a "
                        "multiple of 16 of at least %lld",
                        fn, (long long)o.buffer_bytes, (long long)PEAK_MIN_BUFFER);
    if (ctx->backend != VDK_BACKEND_VULKAN)
        return host_backend(ctx, fn);
    if (!o.repetitions)
        o.repetitions = 15;
    if (o.seconds == 0)
        o.seconds = 0.05;
    return vdk_vk_device_peak(ctx, kind, &o, out);
}

#if !VDK_HAVE_VULKAN
/* Never reached: a build without Vulkan has no Vulkan context. */
vdk_status vdk_vk_device_info(vdk_context *ctx, vdk_device_info *out)
{
    (void)out;
    return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED, "vdk_context_device_info: no Vulkan backend");
}

vdk_status vdk_vk_device_peak(vdk_context *ctx, vdk_peak_kind kind, const vdk_peak_options *o,
                              vdk_peak_result *out)
{
    (void)kind;
    (void)o;
    (void)out;
    return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED, "vdk_device_peak: no Vulkan backend");
}
#endif
