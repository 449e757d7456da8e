/* vdk-peak: every Vulkan device's fp32 and f16 FMA rates and its copy and
 * read bandwidth, measured by the library (vdk_device_peak: only src/vulkan/
 * calls Vulkan) and written beside the CPU's figures. docs/peak.md says what
 * each figure counts. */
#include "peak.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name, *label;
} vk_kinds[VDK_PEAK_VK_COUNT] = {
    [VDK_PEAK_FP32_FMA] = {"fp32_fma", "fp32 FMA"},
    [VDK_PEAK_F16_FMA] = {"f16_fma", "f16 FMA (float16_t)"},
    [VDK_PEAK_COPY] = {"copy", "copy"},
    [VDK_PEAK_READ] = {"read", "read only"},
    [VDK_PEAK_VK_COOPMAT] = {"coopmat_f16_f32", "cooperative matrix f16->f32"},
};

static const char coopmat_reason[] =
    "not measured: vdk-peak has no cooperative-matrix loop yet (docs/peak.md)";

static void set_reason(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src);
}

static void unavailable(vdk_peak_vk_device *d, const char *reason) {
    for (int k = 0; k < VDK_PEAK_VK_COUNT; k++) {
        d->m[k].available = 0;
        set_reason(d->m[k].reason, sizeof d->m[k].reason, reason);
    }
}

static void measure_device(vdk_peak_vk_run *run, vdk_context *ctx, vdk_peak_vk_device *d) {
    vdk_context_device_info(ctx, &d->info);
    const char *first = NULL;
    for (int k = 0; k < VDK_PEAK_KIND_COUNT; k++) {
        fprintf(stderr, "vdk-peak: Vulkan device %d (%s): %s\n", d->index, d->info.name,
                vk_kinds[k].label);
        vdk_peak_vk_measurement *m = &d->m[k];
        vdk_status st = vdk_device_peak(ctx, (vdk_peak_kind)k, &run->options, &m->r);
        m->available = st == VDK_OK;
        if (st != VDK_OK)
            snprintf(m->reason, sizeof m->reason, "%s: %s", vdk_status_string(st),
                     vdk_last_error(ctx));
    }
    d->m[VDK_PEAK_VK_COOPMAT].available = 0;
    set_reason(d->m[VDK_PEAK_VK_COOPMAT].reason, sizeof d->m[0].reason, coopmat_reason);
    /* Counted from the context's creation, which the layers check too. */
    d->validation_messages = vdk_context_validation_messages(ctx, &first);
    if (d->validation_messages > 0)
        set_reason(d->first_message, sizeof d->first_message, first);
}

void vdk_peak_vulkan_measure(vdk_peak_vk_run *run) {
    run->ndevices = 0;
    /* Whether any device opens at all (the build may lack the backend, the
     * machine a driver); then each index until one past the last. */
    vdk_context *ctx = NULL;
    vdk_context_desc desc = {.backend = VDK_BACKEND_VULKAN, .device = -1};
    if (vdk_context_create(&desc, &ctx) != VDK_OK) {
        set_reason(run->none_reason, sizeof run->none_reason, vdk_last_error(NULL));
        return;
    }
    vdk_context_destroy(ctx);
    for (int i = 0; i < VDK_PEAK_VK_MAX_DEVICES; i++) {
        desc.device = i;
        vdk_status st = vdk_context_create(&desc, &ctx);
        if (st == VDK_ERROR_INVALID_VALUE) break; /* past the last device */
        vdk_peak_vk_device *d = &run->devices[run->ndevices++];
        memset(d, 0, sizeof *d);
        d->index = i;
        if (st != VDK_OK) {
            snprintf(d->reason, sizeof d->reason, "%s: %s", vdk_status_string(st),
                     vdk_last_error(NULL));
            unavailable(d, d->reason);
            continue;
        }
        d->opened = 1;
        measure_device(run, ctx, d);
        vdk_context_destroy(ctx);
    }
}

static const char *timer_name(const vdk_peak_vk_device *d) {
    for (int k = 0; k < VDK_PEAK_KIND_COUNT; k++)
        if (d->m[k].available)
            return d->m[k].r.gpu_timestamps ? "GPU timestamps" : "host clock";
    return "none";
}

void vdk_peak_vulkan_print(const vdk_peak_vk_run *run) {
    if (run->ndevices == 0) {
        printf("\nVulkan:  no device measured: %s\n", run->none_reason);
        return;
    }
    for (int i = 0; i < run->ndevices; i++) {
        const vdk_peak_vk_device *d = &run->devices[i];
        if (!d->opened) {
            printf("\nVulkan device %d: not opened: %s\n", d->index, d->reason);
            continue;
        }
        const vdk_device_info *v = &d->info;
        printf("\nVulkan device %d: %s (%s), Vulkan %d.%d.%d, %s\n", d->index, v->name, v->type,
               v->api_major, v->api_minor, v->api_patch, v->driver);
        printf("Method:  %d repetitions after warm-up, median and max, timed by %s; FMA loops "
               "%.0f ms a repetition%s\n",
               run->options.repetitions, timer_name(d), run->options.seconds * 1e3,
               run->quick ? "; --quick: small buffers, NOT memory figures" : "");
        if (d->validation_messages > 0)
            printf("WARNING: %lld validation-layer messages; the first: %s\n",
                   (long long)d->validation_messages, d->first_message);
        printf("%-30s %-8s %10s %10s %5s  %s\n", "measurement", "unit", "median", "max", "reps",
               "kernel (work per repetition)");
        for (int k = 0; k < VDK_PEAK_VK_COUNT; k++) {
            const vdk_peak_vk_measurement *m = &d->m[k];
            printf("%-30s %-8s ", vk_kinds[k].label,
                   k == VDK_PEAK_COPY || k == VDK_PEAK_READ ? "GB/s" : "GFLOP/s");
            if (!m->available) {
                printf("not available: %s\n", m->reason);
                continue;
            }
            printf("%10.1f %10.1f %5d  %s (", m->r.median, m->r.max, m->r.repetitions,
                   m->r.kernel);
            if (m->r.buffer_bytes)
                printf("%.3g GB over %lld-MiB buffers)\n", m->r.work * 1e-9,
                       (long long)(m->r.buffer_bytes >> 20));
            else
                printf("%.3g GFLOP)\n", m->r.work * 1e-9);
        }
    }
}

static void json_measurement(FILE *f, int k, const vdk_peak_vk_measurement *m) {
    fprintf(f, "        {\"name\": \"%s\", \"unit\": \"%s\", ", vk_kinds[k].name,
            k == VDK_PEAK_COPY || k == VDK_PEAK_READ ? "GB/s" : "GFLOP/s");
    if (!m->available) {
        fprintf(f, "\"available\": false, \"median\": null, \"max\": null, \"repetitions\": 0, "
                   "\"reason\": ");
        vdk_peak_json_string(f, m->reason);
        fputs("}", f);
        return;
    }
    fputs("\"available\": true, \"median\": ", f);
    vdk_peak_json_number(f, m->r.median);
    fputs(", \"max\": ", f);
    vdk_peak_json_number(f, m->r.max);
    fputs(", \"min\": ", f);
    vdk_peak_json_number(f, m->r.min);
    fprintf(f, ", \"repetitions\": %d, \"kernels\": ", m->r.repetitions);
    vdk_peak_json_string(f, m->r.kernel);
    /* The work is a whole number of FLOP or bytes: printed whole. */
    fprintf(f, ",\n         \"work_per_repetition\": %.0f", m->r.work);
    fprintf(f, ", \"buffer_bytes\": %lld, \"invocations\": %lld, \"timer\": \"%s\"}",
            (long long)m->r.buffer_bytes, (long long)m->r.invocations,
            m->r.gpu_timestamps ? "gpu_timestamps" : "host_clock");
}

void vdk_peak_vulkan_json(FILE *f, const vdk_peak_vk_run *run) {
    for (int i = 0; i < run->ndevices; i++) {
        const vdk_peak_vk_device *d = &run->devices[i];
        const vdk_device_info *v = &d->info;
        fprintf(f, ",\n    {\n      \"kind\": \"vulkan\",\n      \"index\": %d,\n", d->index);
        fprintf(f, "      \"opened\": %s,\n", d->opened ? "true" : "false");
        if (!d->opened) {
            fputs("      \"reason\": ", f);
            vdk_peak_json_string(f, d->reason);
            fputs(",\n", f);
        }
        fputs("      \"name\": ", f);
        vdk_peak_json_string(f, d->opened ? v->name : NULL);
        fputs(",\n      \"driver\": ", f);
        vdk_peak_json_string(f, d->opened ? v->driver : NULL);
        fputs(",\n      \"api_version\": ", f);
        if (d->opened)
            fprintf(f, "\"%d.%d.%d\"", v->api_major, v->api_minor, v->api_patch);
        else
            fputs("null", f);
        fputs(",\n      \"type\": ", f);
        vdk_peak_json_string(f, d->opened ? v->type : NULL);
        fprintf(f, ",\n      \"vendor_id\": %u, \"device_id\": %u, \"subgroup_size\": %d, "
                   "\"float16\": %s,\n",
                v->vendor_id, v->device_id, v->subgroup_size, v->float16 ? "true" : "false");
        fprintf(f, "      \"device_local_bytes\": %lld, \"max_buffer_bytes\": %lld,\n",
                (long long)v->device_local_bytes, (long long)v->max_buffer_bytes);
        fprintf(f, "      \"method\": {\"quick\": %s, \"repetitions\": %d, "
                   "\"compute_seconds_per_rep\": ",
                run->quick ? "true" : "false", run->options.repetitions);
        vdk_peak_json_number(f, run->options.seconds);
        fputs(", \"buffer_bytes\": ", f);
        if (run->options.buffer_bytes)
            fprintf(f, "%lld", (long long)run->options.buffer_bytes);
        else
            fputs("\"device default\"", f);
        fputs(", \"gb\": 1e9},\n", f);
        fprintf(f, "      \"validation_messages\": %lld, \"first_validation_message\": ",
                (long long)d->validation_messages);
        vdk_peak_json_string(f, d->validation_messages > 0 ? d->first_message : NULL);
        fputs(",\n      \"measurements\": [\n", f);
        for (int k = 0; k < VDK_PEAK_VK_COUNT; k++) {
            json_measurement(f, k, &d->m[k]);
            fputs(k + 1 < VDK_PEAK_VK_COUNT ? ",\n" : "\n", f);
        }
        fputs("      ]\n    }", f);
    }
}
