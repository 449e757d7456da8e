/* vdk-bench: one benchmark's life — check that it fits, make and fill its
 * tensors, warm up, time calls, set its counters, free its tensors. */
#include "bench.h"

#include "device.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Device memory of a backend that has its own (Vulkan). vdk.h has no query
 * for it yet, so 0 (unknown): such a case is then tried, and a failed
 * allocation skips it with the backend's message. */
static double device_memory(const vb_backend *b)
{
    (void)b;
    return 0.0;
}

/* ---- timing ----
 * The host backends (reference, cpu) finish an operator before it returns, so
 * the wall clock around the call and vdk_sync is the operator's time. The
 * Vulkan backend records and returns; its rows take the GPU time of the call's
 * dispatches from the timestamp queries of vdk_profile_* (the profile's total
 * before and after the call), when the device has timestamps (b->gpu_time);
 * else the wall clock around the call and vdk_sync, submission included, and
 * the result set's notes say which. */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The profile's total in ms (every kernel's rows); -1 when it cannot be read. */
static double profile_ms(vdk_context *ctx)
{
    vdk_profile_entry e[256];
    int n = 0;
    if (vdk_profile_read(ctx, e, 256, &n) != VDK_OK || n > 256)
        return -1.0;
    double ms = 0;
    for (int i = 0; i < n; i++)
        ms += e[i].ms;
    return ms;
}

/* ---- tensors ---- */

static const char *gib(double bytes, char *buf, size_t size)
{
    snprintf(buf, size, "%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

static void release(vb_item *it)
{
    for (int i = 0; i < VC_MAX_INPUTS; i++) {
        vdk_tensor_destroy(it->in[i]);
        it->in[i] = NULL;
    }
    vdk_tensor_destroy(it->out);
    it->out = NULL;
}

/* xorshift64*: reproducible values, different per case and input. */
static double next_uniform(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
}

static uint64_t seed_of(const char *name, int input)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return (h ^ (uint64_t)(input + 1) * 0x9E3779B97F4A7C15ULL) | 1;
}

/* Writes the values in chunks through 1-D views, so a tensor of several GB
 * needs a staging buffer of a few MB only. */
#define FILL_CHUNK (1 << 20)

static vdk_status fill(vdk_tensor *t, const vc_input *in, uint64_t seed, float *buf)
{
    int64_t n = vdk_tensor_numel(t);
    vdk_tensor *flat = NULL;
    vdk_status st = vdk_tensor_reshape(t, 1, &n, &flat);
    for (int64_t start = 0; st == VDK_OK && start < n; start += FILL_CHUNK) {
        int64_t len = n - start < FILL_CHUNK ? n - start : FILL_CHUNK;
        for (int64_t i = 0; i < len; i++) {
            double v = in->lo + (in->hi - in->lo) * next_uniform(&seed);
            buf[i] = (float)(in->integer ? floor(v) : v);
        }
        vdk_tensor *view = NULL;
        st = vdk_tensor_slice(flat, 0, start, len, &view);
        if (st == VDK_OK)
            st = vdk_tensor_write(view, VDK_F32, buf, len);
        vdk_tensor_destroy(view);
    }
    vdk_tensor_destroy(flat);
    return st;
}

/* The case's tensors with vdk-validate's value ranges, except attention's q and
 * k: kernels with an online softmax may branch on the running maximum, so the
 * score range can move a timing, and vdk-bench keeps the [-1, 1) its earlier
 * result sets were timed with so that they stay comparable. */
static vc_plan bench_plan(const vc_case *c)
{
    vc_plan p = vc_plan_of(c);
    if (c->op == VC_ATTENTION)
        for (int i = 0; i < 2; i++) {
            p.in[i].lo = -1.0;
            p.in[i].hi = 1.0;
        }
    return p;
}

/* Skips rather than fails: the backend lacks the path, the dtype or the memory. */
static bool is_skip(vdk_status st)
{
    return st == VDK_ERROR_UNSUPPORTED || st == VDK_ERROR_DTYPE || st == VDK_ERROR_OUT_OF_MEMORY;
}

int vb_item_setup(void *user, char *msg, size_t size, int *failed)
{
    vb_item *it = user;
    const vc_case *c = it->c;
    vb_backend *b = it->b;
    char g1[32], g2[32], g3[32];
    *failed = 0;

    if (b->backend == VDK_BACKEND_REFERENCE && it->run->ref_limit_s > 0) {
        double est = vb_reference_seconds(c);
        if (est > it->run->ref_limit_s) {
            snprintf(msg, size,
                     "too much work for the reference backend: about %.0f s per call "
                     "(%.3g GFLOP, %.3g M elements), above --ref-limit %.0f s",
                     est, vb_flops(c) * 1e-9, (double)vb_elements_moved(c) * 1e-6,
                     it->run->ref_limit_s);
            return 1;
        }
    }

    const double need = vb_case_memory(c, b->backend, it->dtype);
    const double have = strcmp(b->device_kind, "cpu") ? device_memory(b)
                                                      : (double)vb_host_memory_available();
    /* Leaves room for the staging buffer, the process and the page cache. */
    if (have > 0 && need > 0.9 * have) {
        if (b->backend == VDK_BACKEND_REFERENCE)
            snprintf(msg, size,
                     "does not fit: needs %s (tensors %s plus the reference's double copies), "
                     "%s available on the %s device",
                     gib(need, g1, sizeof g1), gib(vb_min_bytes(c, it->dtype), g2, sizeof g2),
                     gib(have, g3, sizeof g3), b->device_kind);
        else
            snprintf(msg, size, "does not fit: needs %s of tensors, %s available on the %s device",
                     gib(need, g1, sizeof g1), gib(have, g3, sizeof g3), b->device_kind);
        return 1;
    }

    const vc_plan p = bench_plan(c);
    float *buf = malloc(FILL_CHUNK * sizeof *buf);
    if (!buf) {
        snprintf(msg, size, "out of host memory for the staging buffer");
        return 1;
    }
    vdk_status st = VDK_OK;
    const char *what = "";
    for (int i = 0; i < VC_MAX_INPUTS && st == VDK_OK; i++) {
        if (!p.in[i].shape.rank)
            continue;
        what = p.in[i].name;
        st = vdk_tensor_create(b->ctx, it->dtype, p.in[i].shape.rank, p.in[i].shape.d, &it->in[i]);
        if (st == VDK_OK)
            st = fill(it->in[i], &p.in[i], seed_of(c->name, i), buf);
    }
    free(buf);
    if (st == VDK_OK) {
        what = "the output";
        st = vdk_tensor_create(b->ctx, it->dtype, p.out.rank, p.out.d, &it->out);
    }
    if (st != VDK_OK) {
        snprintf(msg, size, "%s while making %s (%s): %s", vdk_status_string(st), what,
                 gib(need, g1, sizeof g1), vdk_last_error(b->ctx));
        *failed = !is_skip(st);
        release(it);
        return 1;
    }

    /* The warm-up: first touch of the output, caches, lazy initialisation;
     * and the check that the backend takes this call at all. */
    st = vc_call(b->ctx, c, it->in, it->out);
    if (st == VDK_OK)
        st = vdk_sync(b->ctx);
    if (st != VDK_OK) {
        snprintf(msg, size, "%s: %s", vdk_status_string(st), vdk_last_error(b->ctx));
        *failed = !is_skip(st);
        release(it);
        return 1;
    }
    snprintf(it->kernel, sizeof it->kernel, "%s", vdk_last_kernel(b->ctx));
    return 0;
}

double vb_item_call(void *user, char *msg, size_t size)
{
    vb_item *it = user;
    const double before_ms = it->b->gpu_time ? profile_ms(it->b->ctx) : -1.0;
    const double t0 = now_s();
    vdk_status st = vc_call(it->b->ctx, it->c, it->in, it->out);
    if (st == VDK_OK)
        st = vdk_sync(it->b->ctx);
    const double t1 = now_s();
    if (st != VDK_OK) {
        snprintf(msg, size, "%s: %s", vdk_status_string(st), vdk_last_error(it->b->ctx));
        return -1.0;
    }
    const double after_ms = before_ms >= 0 ? profile_ms(it->b->ctx) : -1.0;
    const double seconds = after_ms >= before_ms && before_ms >= 0 ? (after_ms - before_ms) * 1e-3
                                                                   : t1 - t0;
    it->timed_s += seconds;
    it->timed_calls++;
    return seconds;
}

double vb_item_peak(const vb_item *it)
{
    const vb_peak *p =
        strcmp(it->b->device_kind, "cpu") ? &it->run->vulkan_peak : &it->run->cpu_peak;
    if (!p->known)
        return NAN;
    return vb_compute_bound(it->c) ? vb_peak_gflops(p, it->dtype) : p->bandwidth_gbs;
}

void vb_item_report(void *user, vdkb_state *state)
{
    vb_item *it = user;
    const double flops = vb_flops(it->c), bytes = vb_min_bytes(it->c, it->dtype);
    vdkb_set_counter(state, "flops", flops, VDKB_COUNTER_VALUE);
    vdkb_set_counter(state, "bytes", bytes, VDKB_COUNTER_VALUE);
    vdkb_set_counter(state, "GFLOP/s", flops * 1e-9, VDKB_COUNTER_RATE);
    vdkb_set_counter(state, "GB/s", bytes * 1e-9, VDKB_COUNTER_RATE);
    /* A fraction is no rate, so it is computed here from this repetition's
     * mean call time and shown as a plain number (its median over the
     * repetitions is the result set's). */
    const double peak = vb_item_peak(it);
    if (!isnan(peak) && it->timed_calls > 0) {
        const double call_s = it->timed_s / (double)it->timed_calls;
        vdkb_set_counter(state, "fraction_of_peak",
                         (vb_compute_bound(it->c) ? flops : bytes) * 1e-9 / call_s / peak,
                         VDKB_COUNTER_VALUE);
    }
    it->timed_s = 0;
    it->timed_calls = 0;
    char label[160];
    snprintf(label, sizeof label, "backend=%s kernel=%s", it->b->name, it->kernel);
    vdkb_set_label(state, label);
}

void vb_item_teardown(void *user) { release(user); }
