/* Status names and the per-context (or per-thread) last-error message. */
#include "internal.h"

#include <stdio.h>

static _Thread_local char context_free_message[VDK_MESSAGE_SIZE];

static const char *const status_names[VDK_STATUS_COUNT] = {
    [VDK_OK] = "VDK_OK",
    [VDK_ERROR_NULL_POINTER] = "VDK_ERROR_NULL_POINTER",
    [VDK_ERROR_INVALID_VALUE] = "VDK_ERROR_INVALID_VALUE",
    [VDK_ERROR_RANK] = "VDK_ERROR_RANK",
    [VDK_ERROR_SHAPE] = "VDK_ERROR_SHAPE",
    [VDK_ERROR_DTYPE] = "VDK_ERROR_DTYPE",
    [VDK_ERROR_CONTEXT] = "VDK_ERROR_CONTEXT",
    [VDK_ERROR_ALIAS] = "VDK_ERROR_ALIAS",
    [VDK_ERROR_OVERFLOW] = "VDK_ERROR_OVERFLOW",
    [VDK_ERROR_LAYOUT] = "VDK_ERROR_LAYOUT",
    [VDK_ERROR_OUT_OF_MEMORY] = "VDK_ERROR_OUT_OF_MEMORY",
    [VDK_ERROR_UNSUPPORTED] = "VDK_ERROR_UNSUPPORTED",
    [VDK_ERROR_DEVICE_LOST] = "VDK_ERROR_DEVICE_LOST",
    [VDK_ERROR_INTERNAL] = "VDK_ERROR_INTERNAL",
};

const char *vdk_status_string(vdk_status status)
{
    if ((int)status < 0 || status >= VDK_STATUS_COUNT)
        return "unknown vdk_status";
    return status_names[status];
}

vdk_status vdk_fail(vdk_context *ctx, vdk_status status, const char *fmt, ...)
{
    char *dst = ctx ? ctx->message : context_free_message;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, VDK_MESSAGE_SIZE, fmt, ap);
    va_end(ap);
    return status;
}

const char *vdk_last_error(const vdk_context *ctx)
{
    return ctx ? ctx->message : context_free_message;
}
