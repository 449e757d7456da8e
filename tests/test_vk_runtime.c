/* The Vulkan runtime's environment switches: the pipeline cache on disk
 * (src/vulkan/pipeline.c: a context saves it where VDK_VK_PIPELINE_CACHE says,
 * a later one opens with it or with a damaged file and runs, and "0" keeps the
 * disk untouched), and VDK_VK_DISABLE_F16 (the paths of a device without
 * 16-bit storage). */
#include "vdk_test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static vdk_context *ref; /* the reference backend, for expected values */

/* The cache files in dir: their count, and the path of the last one. */
static int cache_files(const char *dir, char *path, size_t size)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (!strncmp(e->d_name, "pipelines-", 10)) {
            n++;
            snprintf(path, size, "%s/%s", dir, e->d_name);
        }
    if (d)
        closedir(d);
    return n;
}

/* Opens a Vulkan context, runs SiLU and checks it against the reference,
 * then closes the context (which saves the cache). False when no device. */
static bool run_once(const char *label)
{
    vdk_context *vk = NULL;
    if (vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_VULKAN, .device = -1}, &vk) !=
        VDK_OK) {
        printf("SKIP test_vk_runtime: %s\n", vdk_last_error(NULL));
        return false;
    }
    const int64_t shape[2] = {3, 37};
    vdk_tensor *x = vt_random(vk, VDK_F32, 2, shape, 5, -3, 3),
               *y = vt_tensor(vk, VDK_F32, 2, shape);
    vdk_tensor *x64 = vt_copy_as(ref, VDK_F64, x), *y64 = vt_tensor(ref, VDK_F64, 2, shape);
    const vdk_unary_params p = {.op = VDK_UNARY_SILU};
    VT_STATUS(vk, vdk_unary(vk, &p, x, y), VDK_OK);
    VT_STATUS(ref, vdk_unary(ref, &p, x64, y64), VDK_OK);
    double *want = vt_read(y64);
    const vt_error e = vt_compare_tensor(y, want);
    VT_CHECK(vt_error_ok(e, vt_tolerance(VDK_F32, 1, 4)), "%s: SiLU off by %g", label, e.norm_err);
    const char *first = "";
    VT_CHECK(vdk_context_validation_messages(vk, &first) == 0, "%s: validation: %s", label, first);
    free(want);
    vt_destroy_n((vdk_tensor *[]){x, y, x64, y64}, 4);
    vdk_context_destroy(vk);
    return true;
}

/* With VDK_VK_DISABLE_F16 the context refuses f16 and bf16 operands with a
 * message naming the dtype, and still runs f32. */
static void test_disable_f16(void)
{
    setenv("VDK_VK_DISABLE_F16", "1", 1);
    vdk_context *vk = NULL;
    if (vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_VULKAN, .device = -1}, &vk) ==
        VDK_OK) {
        const int64_t shape[1] = {10};
        const vdk_unary_params p = {.op = VDK_UNARY_SIGMOID};
        const vdk_dtype dts[2] = {VDK_F16, VDK_BF16};
        for (int i = 0; i < 2; i++) {
            vdk_tensor *x = vt_tensor(vk, dts[i], 1, shape), *y = vt_tensor(vk, dts[i], 1, shape);
            VT_ERROR(vk, vdk_unary(vk, &p, x, y), VDK_ERROR_DTYPE, vdk_dtype_name(dts[i]));
            vt_destroy_n((vdk_tensor *[]){x, y}, 2);
        }
        vdk_tensor *x = vt_tensor(vk, VDK_F32, 1, shape), *y = vt_tensor(vk, VDK_F32, 1, shape);
        VT_STATUS(vk, vdk_unary(vk, &p, x, y), VDK_OK);
        vt_destroy_n((vdk_tensor *[]){x, y}, 2);
        vdk_context_destroy(vk);
    }
    unsetenv("VDK_VK_DISABLE_F16");
}

/* Tensors sub-allocated from shared blocks (src/vulkan/heap.c) never overlap:
 * many sizes, some freed and their room reused, one of 100 MiB (its own
 * memory where bindings stop at 128 MiB, as on lavapipe), each still holding
 * its own values at the end. */
static void test_heap(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    enum { N = 120 };
    vdk_tensor *t[N + 1] = {NULL};
    int64_t n[N + 1];
    uint64_t state = 12345;
    for (int i = 0; i <= N; i++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        /* 1 to ~400k elements, f32 or f16 (odd byte counts round up). */
        n[i] = i == N ? (int64_t)(100 << 20) / 4 : 1 + (int64_t)((state >> 33) % 400000);
        const vdk_dtype dt = i % 3 == 1 ? VDK_F16 : VDK_F32;
        VT_STATUS(vk, vdk_tensor_create(vk, dt, 1, &n[i], &t[i]), VDK_OK);
        vt_fill_uniform(t[i], 100 + (uint64_t)i, -1000, 1000);
        if (i % 4 == 3 && i < N) {
            /* Free an earlier one: its range goes back and is taken again. */
            vdk_tensor_destroy(t[i - 2]);
            VT_STATUS(vk, vdk_tensor_create(vk, VDK_F32, 1, &n[i - 2], &t[i - 2]), VDK_OK);
            vt_fill_uniform(t[i - 2], 100 + (uint64_t)(i - 2), -1000, 1000);
        }
    }
    for (int i = 0; i <= N; i++) {
        if (!t[i])
            continue;
        double *got = vt_read(t[i]);
        vdk_tensor *want = vt_tensor(ref, vdk_tensor_dtype(t[i]), 1, &n[i]);
        vt_fill_uniform(want, 100 + (uint64_t)i, -1000, 1000);
        double *w = vt_read(want);
        int64_t bad = 0;
        for (int64_t j = 0; j < n[i]; j++)
            bad += got[j] != w[j];
        VT_CHECK(bad == 0, "tensor %d (%lld elements): %lld values overwritten", i, (long long)n[i],
                 (long long)bad);
        free(got);
        free(w);
        vdk_tensor_destroy(want);
        vdk_tensor_destroy(t[i]);
    }
}

/* Destroying a tensor that recorded work still reads does not wait: its
 * buffer is freed after that work ran (src/vulkan/memory.c). A chain of 64
 * operators, each input destroyed right after the call that reads it and
 * tensors made in between (which must not get the freed memory while it is
 * still read), gives the right result; and tensors whose context is gone,
 * with their reads still recorded at the context's end, are released. */
static void test_deferred_release(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    const int64_t n = 4099;
    vdk_tensor *x = vt_random(vk, VDK_F32, 1, &n, 9, -1, 1);
    double *want = vt_read(x);
    const vdk_unary_params add1 = {.op = VDK_UNARY_AFFINE, .alpha = 1, .beta = 1};
    for (int i = 0; i < 64; i++) {
        vdk_tensor *y = vt_tensor(vk, VDK_F32, 1, &n);
        VT_STATUS(vk, vdk_unary(vk, &add1, x, y), VDK_OK);
        vdk_tensor_destroy(x);
        x = y;
    }
    double *got = vt_read(x);
    int64_t bad = 0;
    for (int64_t i = 0; i < n; i++) {
        float v = (float)want[i]; /* one f32 rounding per operator */
        for (int k = 0; k < 64; k++)
            v = v + 1.0f;
        bad += got[i] != (double)v;
    }
    VT_CHECK(bad == 0, "deferred release: %lld of %lld values wrong", (long long)bad, (long long)n);
    free(got);
    free(want);
    vdk_tensor_destroy(x);

    vdk_context *own = NULL;
    if (vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_VULKAN, .device = -1},
                           &own) != VDK_OK)
        return;
    vdk_tensor *a = vt_random(own, VDK_F32, 1, &n, 10, -1, 1), *b = vt_tensor(own, VDK_F32, 1, &n);
    VT_STATUS(own, vdk_unary(own, &add1, a, b), VDK_OK);
    vdk_tensor_destroy(a); /* deferred: the unary is recorded, not run */
    vdk_context_destroy(own);
    double *kept = vt_read(b); /* the tensor outlives its context */
    VT_CHECK(kept != NULL, "a tensor outliving its context cannot be read");
    free(kept);
    vdk_tensor_destroy(b);
}

int main(void)
{
    ref = vt_context(VDK_BACKEND_REFERENCE);
    test_heap();
    test_deferred_release();
    test_disable_f16();
    char dir[] = "/tmp/vdk-pipeline-cache-XXXXXX";
    if (!mkdtemp(dir))
        vt_fatal("mkdtemp failed");
    char path[1024] = "";
    setenv("VDK_VK_PIPELINE_CACHE", dir, 1);
    if (run_once("first run")) {
        struct stat s;
        VT_CHECK(cache_files(dir, path, sizeof path) == 1 && stat(path, &s) == 0 && s.st_size > 0,
                 "no cache file saved in %s", dir);
        VT_CHECK(run_once("second run (cache loaded)"), "second context");

        /* A damaged file is a cold cache, never a failure. */
        FILE *f = fopen(path, "wb");
        VT_CHECK(f && fwrite("not a pipeline cache", 1, 20, f) == 20, "overwrite %s", path);
        if (f)
            fclose(f);
        VT_CHECK(run_once("damaged cache"), "context with a damaged cache");
        VT_CHECK(cache_files(dir, path, sizeof path) == 1, "one file after the damaged run");

        /* "0": nothing read or written. */
        remove(path);
        setenv("VDK_VK_PIPELINE_CACHE", "0", 1);
        VT_CHECK(run_once("cache off"), "context with the cache off");
        VT_CHECK(cache_files(dir, path, sizeof path) == 0, "a cache file written while off");
    }
    if (cache_files(dir, path, sizeof path))
        remove(path);
    rmdir(dir);
    vdk_context_destroy(ref);
    return vt_finish("test_vk_runtime");
}
