/* vdk_context_device_info and vdk_device_peak: every bad argument is refused
 * with its name, host backends say they do not measure, and on a Vulkan
 * device every kind returns positive, consistent figures and leaves tensors
 * alone. Speed is never asserted. */
#include "vdk_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Small and short: the figures are not memory or peak figures. */
static const vdk_peak_options quick = {.repetitions = 2, .seconds = 0.001,
                                       .buffer_bytes = 64 << 10};

static void test_bad_input(void)
{
    vdk_context *ref = vt_context(VDK_BACKEND_REFERENCE);
    vdk_peak_result r;
    vdk_device_info info;
    VT_ERROR(NULL, vdk_device_peak(NULL, VDK_PEAK_COPY, NULL, &r), VDK_ERROR_NULL_POINTER,
             "'ctx'");
    VT_ERROR(ref, vdk_device_peak(ref, VDK_PEAK_COPY, NULL, NULL), VDK_ERROR_NULL_POINTER,
             "'out'");
    VT_ERROR(ref, vdk_device_peak(ref, (vdk_peak_kind)-1, NULL, &r), VDK_ERROR_INVALID_VALUE,
             "kind is -1");
    VT_ERROR(ref, vdk_device_peak(ref, VDK_PEAK_KIND_COUNT, NULL, &r), VDK_ERROR_INVALID_VALUE,
             "kind");
    const struct {
        vdk_peak_options o;
        const char *needle;
    } bad[] = {
        {{.repetitions = -1}, "repetitions"},
        {{.repetitions = 257}, "repetitions"},
        {{.seconds = -1}, "seconds"},
        {{.seconds = NAN}, "seconds"},
        {{.seconds = 11}, "seconds"},
        {{.buffer_bytes = -16}, "buffer_bytes"},
        {{.buffer_bytes = (64 << 10) + 8}, "buffer_bytes"},
        {{.buffer_bytes = 1024}, "buffer_bytes"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        VT_ERROR(ref, vdk_device_peak(ref, VDK_PEAK_FP32_FMA, &bad[i].o, &r),
                 VDK_ERROR_INVALID_VALUE, bad[i].needle);

    VT_ERROR(NULL, vdk_context_device_info(NULL, &info), VDK_ERROR_NULL_POINTER, "'ctx'");
    VT_ERROR(ref, vdk_context_device_info(ref, NULL), VDK_ERROR_NULL_POINTER, "'out'");
    vdk_context_destroy(ref);
}

/* Host contexts measure nothing and describe nothing; *out stays as it was. */
static void test_host_backends(void)
{
    const vdk_backend host[] = {VDK_BACKEND_REFERENCE, VDK_BACKEND_CPU};
    for (int b = 0; b < 2; b++) {
        vdk_context *ctx = vt_context(host[b]);
        vdk_peak_result r;
        memset(&r, 0x5a, sizeof r);
        const vdk_peak_result before = r;
        for (int k = 0; k < VDK_PEAK_KIND_COUNT; k++)
            VT_ERROR(ctx, vdk_device_peak(ctx, (vdk_peak_kind)k, NULL, &r),
                     VDK_ERROR_UNSUPPORTED, vdk_backend_name(host[b]));
        VT_CHECK(!memcmp(&r, &before, sizeof r), "%s: out written on failure",
                 vdk_backend_name(host[b]));
        vdk_device_info info;
        VT_ERROR(ctx, vdk_context_device_info(ctx, &info), VDK_ERROR_UNSUPPORTED,
                 vdk_backend_name(host[b]));
        vdk_context_destroy(ctx);
    }
}

static void check_result(const char *what, const vdk_peak_result *r, vdk_peak_kind k)
{
    const bool bw = k == VDK_PEAK_COPY || k == VDK_PEAK_READ;
    VT_CHECK(r->repetitions == quick.repetitions, "%s: %d repetitions", what, r->repetitions);
    VT_CHECK(r->min > 0 && r->min <= r->median && r->median <= r->max && isfinite(r->max),
             "%s: min %g median %g max %g", what, r->min, r->median, r->max);
    VT_CHECK(r->work > 0 && r->invocations > 0, "%s: work %g, %lld invocations", what, r->work,
             (long long)r->invocations);
    VT_CHECK(r->unit && !strcmp(r->unit, bw ? "GB/s" : "GFLOP/s"), "%s: unit %s", what,
             r->unit ? r->unit : "(null)");
    VT_CHECK(r->kernel && !strncmp(r->kernel, "peak_", 5), "%s: kernel %s", what,
             r->kernel ? r->kernel : "(null)");
    if (bw) {
        /* STREAM's count: copy reads and writes each byte, read only reads. */
        VT_CHECK(r->buffer_bytes == quick.buffer_bytes &&
                     r->work == (double)r->buffer_bytes * (k == VDK_PEAK_COPY ? 2 : 1),
                 "%s: %g bytes counted over %lld-byte buffers", what, r->work,
                 (long long)r->buffer_bytes);
    } else {
        VT_CHECK(r->buffer_bytes == 0, "%s: buffer_bytes %lld", what, (long long)r->buffer_bytes);
        /* 2 FLOP per FMA, 16 steps of 16 (f32) or 32 (f16) chains a loop. */
        const double per_loop = 2.0 * (double)r->invocations * 16 * (k == VDK_PEAK_F16_FMA ? 32 : 16);
        const double loops = r->work / per_loop;
        VT_CHECK(loops >= 1 && loops == floor(loops), "%s: work %g is not whole loops of %g",
                 what, r->work, per_loop);
    }
}

static void test_vulkan(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    vdk_device_info info;
    VT_STATUS(vk, vdk_context_device_info(vk, &info), VDK_OK);
    VT_CHECK(info.name[0] && info.index >= 0, "device %d named '%s'", info.index, info.name);
    VT_CHECK(info.api_major == 1 && info.api_minor >= 2, "Vulkan %d.%d", info.api_major,
             info.api_minor);
    VT_CHECK(info.type && strstr("discrete integrated virtual cpu other", info.type),
             "type %s", info.type ? info.type : "(null)");
    VT_CHECK(info.max_buffer_bytes >= (64 << 10) && info.subgroup_size >= 1,
             "max buffer %lld, subgroup %d", (long long)info.max_buffer_bytes, info.subgroup_size);

    /* A tensor written before keeps its values: the measurement has its own buffers. */
    const int64_t shape[1] = {1000};
    vdk_tensor *t = vt_random(vk, VDK_F32, 1, shape, 7, -1, 1);
    float before[1000], after[1000];
    VT_STATUS(vk, vdk_tensor_read(t, VDK_F32, before, 1000), VDK_OK);

    for (int k = 0; k < VDK_PEAK_KIND_COUNT; k++) {
        vdk_peak_result r;
        const vdk_status st = vdk_device_peak(vk, (vdk_peak_kind)k, &quick, &r);
        char what[32];
        snprintf(what, sizeof what, "kind %d", k);
        if (k == VDK_PEAK_F16_FMA && !info.float16) {
            VT_CHECK(st == VDK_ERROR_UNSUPPORTED && strstr(vdk_last_error(vk), "shaderFloat16"),
                     "f16 without shaderFloat16: %s", vdk_last_error(vk));
            continue;
        }
        VT_STATUS(vk, st, VDK_OK);
        if (st == VDK_OK)
            check_result(what, &r, (vdk_peak_kind)k);
    }
    VT_STATUS(vk, vdk_tensor_read(t, VDK_F32, after, 1000), VDK_OK);
    VT_CHECK(!memcmp(before, after, sizeof before), "a tensor changed across vdk_device_peak");
    vdk_tensor_destroy(t);

    /* Defaults: options NULL (one FMA run; the 1 GiB default buffer would be
     * slow on lavapipe), and a buffer past the device's limit. */
    vdk_peak_result r;
    VT_STATUS(vk, vdk_device_peak(vk, VDK_PEAK_FP32_FMA, NULL, &r), VDK_OK);
    VT_CHECK(r.repetitions == 15 && r.median > 0, "defaults: %d repetitions", r.repetitions);
    const vdk_peak_options huge = {.buffer_bytes = info.max_buffer_bytes + 16};
    VT_ERROR(vk, vdk_device_peak(vk, VDK_PEAK_COPY, &huge, &r), VDK_ERROR_INVALID_VALUE,
             "maxStorageBufferRange");

    /* A device without f16 arithmetic (VDK_VK_DISABLE_F16 makes one). */
    setenv("VDK_VK_DISABLE_F16", "1", 1);
    vdk_context *no16 = NULL;
    VT_STATUS(NULL,
              vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_VULKAN,
                                                     .device = info.index},
                                 &no16),
              VDK_OK);
    unsetenv("VDK_VK_DISABLE_F16");
    if (no16) {
        vdk_device_info i16;
        VT_STATUS(no16, vdk_context_device_info(no16, &i16), VDK_OK);
        VT_CHECK(!i16.float16 && !strcmp(i16.name, info.name), "VDK_VK_DISABLE_F16: float16 %d",
                 i16.float16);
        VT_ERROR(no16, vdk_device_peak(no16, VDK_PEAK_F16_FMA, &quick, &r),
                 VDK_ERROR_UNSUPPORTED, "shaderFloat16");
        const char *first = NULL;
        const int64_t n = vdk_context_validation_messages(no16, &first);
        VT_CHECK(n == 0, "%lld validation messages, the first: %s", (long long)n, first);
        vdk_context_destroy(no16);
    }
}

int main(void)
{
    test_bad_input();
    test_host_backends();
    test_vulkan();
    return vt_finish("test_peak");
}
