/* vdk_context_device_info and vdk_device_peak on a Vulkan device: the loops
 * of shaders/peak_*.comp, each repetition one dispatch, timed by timestamp
 * queries written between the dispatches (the host clock around submit and
 * wait on a device without timestamps). docs/peak.md says what is counted. */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GROUP 256u
/* fma() steps of every chain per loop iteration, and scalar chains per
 * invocation (shaders/peak_fma.comp: 4 vec4 or 8 f16vec4 accumulators). */
#define FMA_STEPS 16u
#define FMA_CHAINS_F32 16u
#define FMA_CHAINS_F16 32u
/* Words (16 bytes) each invocation of peak_copy / peak_read moves, about. */
#define WORDS_PER_INVOCATION 16u
#define DEFAULT_BUFFER ((int64_t)1 << 30)
/* The fill of the bandwidth buffers (1.0f): pages the driver has not yet
 * backed would read from the zero page and look faster than memory is. */
#define FILL 0x3f800000u

static const char fn[] = "vdk_device_peak";

static const char *type_name(VkPhysicalDeviceType t)
{
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
    }
}

static int64_t device_local_bytes(const vdk_vk *vk)
{
    VkDeviceSize best = 0;
    for (uint32_t i = 0; i < vk->memory.memoryHeapCount; i++)
        if ((vk->memory.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) &&
            vk->memory.memoryHeaps[i].size > best)
            best = vk->memory.memoryHeaps[i].size;
    return (int64_t)best;
}

vdk_status vdk_vk_device_info(vdk_context *ctx, vdk_device_info *out)
{
    const vdk_vk *vk = ctx->vk;
    const vdk_vk_caps *c = &vk->caps;
    vdk_device_info d;
    memset(&d, 0, sizeof d);
    d.index = vk->index;
    snprintf(d.name, sizeof d.name, "%s", c->name);
    snprintf(d.driver, sizeof d.driver, "%s", c->driver);
    d.type = type_name(c->type);
    d.api_major = (int)VK_API_VERSION_MAJOR(c->api_version);
    d.api_minor = (int)VK_API_VERSION_MINOR(c->api_version);
    d.api_patch = (int)VK_API_VERSION_PATCH(c->api_version);
    d.vendor_id = c->vendor_id;
    d.device_id = c->device_id;
    d.subgroup_size = (int)c->subgroup_size;
    d.float16 = c->float16;
    d.device_local_bytes = device_local_bytes(vk);
    d.max_buffer_bytes = (int64_t)c->max_range;
    *out = d;
    return VDK_OK;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One warm-up dispatch of d, then `reps` timed ones: seconds[r]. Every peak
 * shader writes a buffer, so vdk_vk_record puts a barrier between two
 * dispatches and each runs alone; the timestamp after dispatch r + 1 minus the
 * one after dispatch r is its time. */
static vdk_status time_reps(vdk_context *ctx, vdk_vk *vk, const vdk_vk_dispatch *d, int reps,
                            double *seconds)
{
    vdk_status st = vdk_vk_flush(ctx, vk);
    if (st)
        return st;
    if (!vk->caps.timestamp_bits) {
        for (int r = -1; r < reps && !st; r++) {
            const double t0 = now_s();
            if (!(st = vdk_vk_record(ctx, vk, d)) && !(st = vdk_vk_flush(ctx, vk)) && r >= 0)
                seconds[r] = now_s() - t0;
        }
        return st;
    }
    const uint32_t nq = (uint32_t)reps + 1;
    const VkQueryPoolCreateInfo qpci = {
        .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
        .queryType = VK_QUERY_TYPE_TIMESTAMP,
        .queryCount = nq,
    };
    VkQueryPool pool;
    if ((st = vdk_vk_check(ctx, vk, vkCreateQueryPool(vk->device, &qpci, NULL, &pool),
                           "vdk_device_peak: vkCreateQueryPool")))
        return st;
    /* The warm-up opens the recording; at most 257 dispatches fit in one
     * (VDK_VK_SETS_PER_POOL, VDK_VK_MAX_QUERIES), so none flushes midway,
     * which `recorded` confirms. */
    if (!(st = vdk_vk_record(ctx, vk, d))) {
        vkCmdResetQueryPool(vk->cmd, pool, 0, nq);
        vkCmdWriteTimestamp(vk->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 0);
        for (int r = 0; r < reps && !st; r++) {
            if (!(st = vdk_vk_record(ctx, vk, d)))
                vkCmdWriteTimestamp(vk->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool,
                                    (uint32_t)r + 1);
        }
        if (!st && vk->recorded != (uint32_t)reps + 1)
            st = vdk_fail(ctx, VDK_ERROR_INTERNAL,
                          "vdk_device_peak: the recording was flushed between repetitions");
    }
    /* Recorded timestamps must run before the pool goes, even after a failure. */
    vdk_status fst = vdk_vk_flush(st ? NULL : ctx, vk);
    if (!st)
        st = fst;
    uint64_t *t = st ? NULL : malloc(nq * sizeof *t);
    if (!st && !t)
        st = vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "vdk_device_peak: out of host memory");
    if (!st)
        st = vdk_vk_check(ctx, vk,
                          vkGetQueryPoolResults(vk->device, pool, 0, nq, nq * sizeof *t, t,
                                                sizeof *t,
                                                VK_QUERY_RESULT_64_BIT |
                                                    VK_QUERY_RESULT_WAIT_BIT),
                          "vdk_device_peak: vkGetQueryPoolResults");
    if (!st) {
        const uint64_t mask = vk->caps.timestamp_bits >= 64
                                  ? UINT64_MAX
                                  : (UINT64_C(1) << vk->caps.timestamp_bits) - 1;
        for (int r = 0; r < reps; r++)
            seconds[r] = (double)((t[r + 1] - t[r]) & mask) * vk->caps.timestamp_period * 1e-9;
    }
    free(t);
    vkDestroyQueryPool(vk->device, pool, NULL);
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Rates from the repetitions' times: work / 1e9 / seconds, median, max, min. */
static vdk_status summarize(vdk_context *ctx, double *seconds, int reps, vdk_peak_result *out)
{
    for (int r = 0; r < reps; r++) {
        if (!(seconds[r] > 0))
            return vdk_fail(ctx, VDK_ERROR_INTERNAL,
                            "vdk_device_peak: repetition %d of %s took %g s by the %s", r,
                            out->kernel, seconds[r],
                            out->gpu_timestamps ? "timestamps" : "host clock");
        seconds[r] = out->work * 1e-9 / seconds[r];
    }
    qsort(seconds, (size_t)reps, sizeof *seconds, cmp_double);
    out->repetitions = reps;
    out->min = seconds[0];
    out->max = seconds[reps - 1];
    out->median = reps % 2 ? seconds[reps / 2] : 0.5 * (seconds[reps / 2 - 1] + seconds[reps / 2]);
    return VDK_OK;
}

typedef struct fma_push {
    uint32_t iters;
    float m, c, never;
} fma_push;

/* FMA kinds: the loop count grows until one repetition takes o->seconds. */
static vdk_status fma_peak(vdk_context *ctx, vdk_vk *vk, bool f16, const vdk_peak_options *o,
                           double *seconds, vdk_peak_result *out)
{
    /* Enough workgroups that the last partial wave of a GPU is a small part
     * of the time (65535 is every device's minimum grid width); a CPU
     * device (lavapipe) needs only some per thread. */
    const uint32_t groups = vk->caps.type == VK_PHYSICAL_DEVICE_TYPE_CPU ? 256u : 65535u;
    const uint32_t local = vdk_vk_group_size(vk, GROUP);
    const vdk_storage *sink;
    vdk_status st = vdk_vk_scratch(ctx, vk, fn, 16, &sink);
    if (st)
        return st;
    fma_push push = {.iters = 1, .m = 0.999f, .c = 0.001f, .never = -1.0f};
    vdk_vk_dispatch d = {
        .shader = f16 ? VDK_SHADER_peak_fma_f16 : VDK_SHADER_peak_fma_f32,
        .spec = {local},
        .nbuf = 1,
        .buf = {sink},
        .writes = {true},
        .push = &push,
        .push_bytes = sizeof push,
        .groups = groups,
    };
    /* Grow by up to 1000x a step while one repetition is under half the
     * target, then scale once to it. */
    const double max_iters = 1u << 26;
    double t = 0;
    for (;;) {
        if ((st = time_reps(ctx, vk, &d, 1, &t)))
            return st;
        if (t >= 0.5 * o->seconds || push.iters >= max_iters)
            break;
        double grow = t > 0 ? 1.2 * o->seconds / t : 1000.0;
        grow = grow < 2.0 ? 2.0 : grow > 1000.0 ? 1000.0 : grow;
        const double next = (double)push.iters * grow;
        push.iters = (uint32_t)(next < max_iters ? next : max_iters);
    }
    if (t > 0 && t < o->seconds) {
        const double next = (double)push.iters * o->seconds / t;
        push.iters = (uint32_t)(next < max_iters ? next : max_iters);
    }
    const uint32_t chains = f16 ? FMA_CHAINS_F16 : FMA_CHAINS_F32;
    out->invocations = (int64_t)groups * local;
    out->work = 2.0 * (double)out->invocations * push.iters * FMA_STEPS * chains;
    if ((st = time_reps(ctx, vk, &d, o->repetitions, seconds)))
        return st;
    return summarize(ctx, seconds, o->repetitions, out);
}

/* Bandwidth kinds: buffers of o->buffer_bytes (or the default), filled
 * first, then warm-up and repetitions. */
static vdk_status bandwidth_peak(vdk_context *ctx, vdk_vk *vk, bool copy,
                                 const vdk_peak_options *o, double *seconds, vdk_peak_result *out)
{
    const VkDeviceSize limit_range = vk->caps.max_range & ~(VkDeviceSize)15;
    const VkDeviceSize limit = limit_range < vk->caps.max_alloc ? limit_range : vk->caps.max_alloc;
    int64_t bytes = o->buffer_bytes;
    if (bytes > (int64_t)limit)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "%s: options->buffer_bytes is %lld; '%s' binds buffers of at most %llu "
                        "bytes (maxStorageBufferRange %llu, maxMemoryAllocationSize %llu)",
                        fn, (long long)bytes, vk->caps.name, (unsigned long long)limit,
                        (unsigned long long)vk->caps.max_range,
                        (unsigned long long)vk->caps.max_alloc);
    if (!bytes) {
        /* 1 GiB is over 4x the last-level cache of any GPU so far (H100:
         * 50 MB); the device's limits and a quarter of its memory cap it. */
        bytes = DEFAULT_BUFFER;
        const int64_t quarter = device_local_bytes(vk) / 4;
        if (bytes > (int64_t)limit)
            bytes = (int64_t)limit;
        if (quarter > 0 && bytes > quarter)
            bytes = quarter;
        bytes &= ~(int64_t)15;
        if (bytes < ((int64_t)64 << 10))
            return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                            "%s: '%s' allows buffers of only %lld bytes", fn, vk->caps.name,
                            (long long)bytes);
    }
    const uint32_t words = (uint32_t)(bytes / 16);
    const uint32_t local = vdk_vk_group_size(vk, GROUP);
    const uint64_t per_group = (uint64_t)WORDS_PER_INVOCATION * local;
    uint64_t groups = (words + per_group - 1) / per_group;
    if (groups > 65535)
        groups = 65535;

    vdk_storage src = {0}, dst = {0};
    const vdk_storage *sink = NULL;
    vdk_status st = vdk_vk_storage_alloc_for(ctx, &src, (size_t)bytes, fn);
    if (st)
        return st;
    if (copy)
        st = vdk_vk_storage_alloc_for(ctx, &dst, (size_t)bytes, fn);
    else
        st = vdk_vk_scratch(ctx, vk, fn, 16, &sink);
    if (!st)
        st = vdk_vk_fill_now(ctx, vk, ((const vdk_vk_buffer *)src.backend_data)->buffer,
                             (VkDeviceSize)bytes, FILL, "vdk_device_peak: vkCmdFillBuffer");
    if (!st && copy)
        st = vdk_vk_fill_now(ctx, vk, ((const vdk_vk_buffer *)dst.backend_data)->buffer,
                             (VkDeviceSize)bytes, FILL, "vdk_device_peak: vkCmdFillBuffer");
    if (!st) {
        /* `never` differs from every fold of FILL and an invocation index
         * below 2^28 in its top bits. */
        const uint32_t push[2] = {words, 0xffffffffu};
        const vdk_vk_dispatch d = {
            .shader = copy ? VDK_SHADER_peak_copy : VDK_SHADER_peak_read,
            .spec = {local},
            .nbuf = 2,
            .buf = {&src, copy ? &dst : sink},
            .writes = {false, true},
            .push = push,
            .push_bytes = copy ? sizeof push[0] : sizeof push,
            .groups = groups,
        };
        out->buffer_bytes = bytes;
        out->invocations = (int64_t)groups * local;
        out->work = (copy ? 2.0 : 1.0) * (double)words * 16.0;
        st = time_reps(ctx, vk, &d, o->repetitions, seconds);
        if (!st)
            st = summarize(ctx, seconds, o->repetitions, out);
    }
    if (dst.backend_data)
        vdk_vk_storage_release(&dst);
    if (src.backend_data)
        vdk_vk_storage_release(&src);
    return st;
}

vdk_status vdk_vk_device_peak(vdk_context *ctx, vdk_peak_kind kind, const vdk_peak_options *o,
                              vdk_peak_result *out)
{
    vdk_vk *vk = ctx->vk;
    if (vk->lost)
        return vdk_fail(ctx, VDK_ERROR_DEVICE_LOST, "%s: the Vulkan device was lost", fn);
    if (kind == VDK_PEAK_F16_FMA && !vk->caps.float16)
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: VDK_PEAK_F16_FMA needs f16 arithmetic (shaderFloat16), which '%s' "
                        "does not offer%s",
                        fn, vk->caps.name,
                        getenv("VDK_VK_DISABLE_F16") ? " (VDK_VK_DISABLE_F16 is set)" : "");
    double *seconds = malloc((size_t)o->repetitions * sizeof *seconds);
    if (!seconds)
        return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "%s: out of host memory", fn);
    vdk_peak_result r;
    memset(&r, 0, sizeof r);
    r.gpu_timestamps = vk->caps.timestamp_bits != 0;
    vdk_status st;
    switch (kind) {
    case VDK_PEAK_FP32_FMA:
    case VDK_PEAK_F16_FMA:
        r.unit = "GFLOP/s";
        r.kernel = kind == VDK_PEAK_F16_FMA ? "peak_fma_f16" : "peak_fma_f32";
        st = fma_peak(ctx, vk, kind == VDK_PEAK_F16_FMA, o, seconds, &r);
        break;
    default:
        r.unit = "GB/s";
        r.kernel = kind == VDK_PEAK_COPY ? "peak_copy" : "peak_read";
        st = bandwidth_peak(ctx, vk, kind == VDK_PEAK_COPY, o, seconds, &r);
        break;
    }
    free(seconds);
    if (!st)
        *out = r;
    return st;
}
