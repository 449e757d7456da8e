/* Per-kernel time tables (vdk_profile_*): host backends add the wall time of
 * each operator call, the Vulkan backend the GPU time of each dispatch from
 * its timestamp queries (src/vulkan/command.c). The library only gathers and
 * formats; the tools print. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void vdk_profile_add(vdk_profile_table *t, const char *kernel, int64_t ns)
{
    if (!kernel || !*kernel)
        kernel = "(unnamed)";
    for (int i = 0; i < t->n; i++)
        if (t->e[i].kernel == kernel || !strcmp(t->e[i].kernel, kernel)) {
            t->e[i].calls++;
            t->e[i].ns += ns;
            return;
        }
    if (t->n == VDK_PROFILE_MAX_KERNELS) {
        t->dropped++;
        return;
    }
    t->e[t->n++] = (vdk_profile_row){.kernel = kernel, .calls = 1, .ns = ns};
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t vdk_profile_start(const vdk_context *ctx)
{
    return ctx->profile.on && !ctx->dev ? now_ns() : 0;
}

vdk_status vdk_profile_stop(vdk_context *ctx, int64_t t0, vdk_status st)
{
    if (ctx->profile.on && !ctx->dev && st == VDK_OK)
        vdk_profile_add(&ctx->profile.table, ctx->last_kernel, now_ns() - t0);
    return st;
}

void vdk_profile_init(vdk_context *ctx)
{
    const char *env = getenv("VDK_PROFILE");
    ctx->profile.on = env && *env && strcmp(env, "0") != 0;
}

static vdk_status check_ctx(vdk_context *ctx, const char *where)
{
    if (!ctx)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER, "%s: argument 'ctx' is NULL", where);
    return VDK_OK;
}

/* The table that holds ctx's times: the device's for Vulkan (dispatches
 * finish after the calls that record them), else the context's. */
static vdk_profile_table *table_of(vdk_context *ctx)
{
    vdk_profile_table *t = ctx->vk ? vdk_vk_profile_table(ctx->vk) : NULL;
    return t ? t : &ctx->profile.table;
}

vdk_status vdk_profile_enable(vdk_context *ctx, int on)
{
    vdk_status st = check_ctx(ctx, "vdk_profile_enable");
    if (st)
        return st;
    if (ctx->vk && (st = vdk_vk_profile_enable(ctx, on != 0)))
        return st;
    ctx->profile.on = on != 0;
    return VDK_OK;
}

vdk_status vdk_profile_reset(vdk_context *ctx)
{
    vdk_status st = check_ctx(ctx, "vdk_profile_reset");
    if (st || (ctx->dev && (st = ctx->dev->sync(ctx))))
        return st;
    memset(table_of(ctx), 0, sizeof(vdk_profile_table));
    return VDK_OK;
}

static int by_time(const void *a, const void *b)
{
    const vdk_profile_row *x = a, *y = b;
    return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : strcmp(x->kernel, y->kernel);
}

vdk_status vdk_profile_read(vdk_context *ctx, vdk_profile_entry *out, int max, int *count)
{
    static const char where[] = "vdk_profile_read";
    vdk_status st = check_ctx(ctx, where);
    if (st)
        return st;
    if (!count)
        return vdk_fail(ctx, VDK_ERROR_NULL_POINTER, "%s: argument 'count' is NULL", where);
    if (max < 0 || (max > 0 && !out))
        return vdk_fail(ctx, max < 0 ? VDK_ERROR_INVALID_VALUE : VDK_ERROR_NULL_POINTER,
                        "%s: argument '%s' is %s", where, max < 0 ? "max" : "out",
                        max < 0 ? "negative" : "NULL while max > 0");
    if (ctx->dev && (st = ctx->dev->sync(ctx)))
        return st;
    vdk_profile_table *t = table_of(ctx);
    qsort(t->e, (size_t)t->n, sizeof *t->e, by_time);
    for (int i = 0; i < t->n && i < max; i++)
        out[i] = (vdk_profile_entry){
            .kernel = t->e[i].kernel, .calls = t->e[i].calls, .ms = (double)t->e[i].ns * 1e-6};
    *count = t->n;
    return VDK_OK;
}

size_t vdk_profile_format(vdk_context *ctx, char *buf, size_t size)
{
    if (buf && size)
        buf[0] = '\0';
    if (!ctx || (ctx->dev && ctx->dev->sync(ctx)))
        return 0;
    vdk_profile_table *t = table_of(ctx);
    qsort(t->e, (size_t)t->n, sizeof *t->e, by_time);
    int64_t total = 0, calls = 0;
    for (int i = 0; i < t->n; i++) {
        total += t->e[i].ns;
        calls += t->e[i].calls;
    }
    size_t len = 0;
    char line[256];
#define EMIT(...)                                                                                  \
    do {                                                                                           \
        int k = snprintf(line, sizeof line, __VA_ARGS__);                                          \
        if (buf && len < size)                                                                     \
            snprintf(buf + len, size - len, "%s", line);                                           \
        len += (size_t)(k > 0 ? k : 0);                                                            \
    } while (0)
    EMIT("%-40s %12s %7s %9s %12s\n", ctx->vk ? "kernel (GPU time)" : "kernel (host time)",
         "total ms", "share", "calls", "mean us");
    for (int i = 0; i < t->n; i++) {
        const vdk_profile_row *r = &t->e[i];
        EMIT("%-40s %12.3f %6.1f%% %9lld %12.2f\n", r->kernel, (double)r->ns * 1e-6,
             total ? 100.0 * (double)r->ns / (double)total : 0.0, (long long)r->calls,
             (double)r->ns * 1e-3 / (double)r->calls);
    }
    EMIT("%-40s %12.3f %6.1f%% %9lld\n", "total", (double)total * 1e-6, 100.0, (long long)calls);
    if (t->dropped)
        EMIT("(%lld timings of kernels past the first %d not counted)\n", (long long)t->dropped,
             VDK_PROFILE_MAX_KERNELS);
#undef EMIT
    return len;
}
