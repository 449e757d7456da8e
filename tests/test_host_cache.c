/* The host storage cache (src/host_cache.c): a freed large block comes back
 * for a request of its size, small blocks and blocks past the budget are not
 * kept, the oldest block goes first when the budget is full, and tensors over
 * reused storage behave as fresh ones. The budget is set before first use. */
#include "vdk_test.h"

#include "internal.h"

#include <stdint.h>
#include <stdlib.h>

enum { MIB = 1 << 20 };

static void test_reuse_and_budget(void)
{
    VT_CHECK(vdk_host_cache_held() == 0, "the cache starts empty");
    void *p = vdk_host_alloc(MIB);
    VT_CHECK(p && (uintptr_t)p % 64 == 0, "1 MiB block, 64-byte aligned");
    vdk_host_free(p, MIB);
    VT_CHECK(vdk_host_cache_held() == MIB, "a freed 1 MiB block is kept (%zu held)",
             vdk_host_cache_held());
    void *q = vdk_host_alloc(MIB);
    VT_CHECK(q == p && vdk_host_cache_held() == 0, "the same size gets the kept block back");
    void *r = vdk_host_alloc(MIB + 64);
    VT_CHECK(r && r != q, "another size is not served from the cache");
    vdk_host_free(r, MIB + 64);
    /* Sizes round up to 8 classes per power of two: MIB + 64 holds 9/8 MiB, and
     * any size of that class gets it. */
    VT_CHECK(vdk_host_cache_held() == MIB + MIB / 8, "size class of MIB + 64 (%zu held)",
             vdk_host_cache_held());
    void *r2 = vdk_host_alloc(MIB + MIB / 10);
    VT_CHECK(r2 == r && vdk_host_cache_held() == 0, "a size of the same class reuses the block");
    vdk_host_free(r2, MIB + MIB / 10);
    vdk_host_free(q, MIB);
    VT_CHECK(vdk_host_cache_held() == 2 * MIB + MIB / 8, "both kept (%zu held)",
             vdk_host_cache_held());

    void *small = vdk_host_alloc(4096);
    vdk_host_free(small, 4096);
    VT_CHECK(vdk_host_cache_held() == 2 * MIB + MIB / 8, "small blocks go straight back to malloc");
    void *big = vdk_host_alloc(8 * MIB);
    vdk_host_free(big, 8 * MIB);
    VT_CHECK(vdk_host_cache_held() == 2 * MIB + MIB / 8,
             "a block past the 4 MiB budget is not kept");

    /* 2 1/8 MiB held; 3 MiB more does not fit 4 MiB: the oldest, r, goes and
     * q stays. */
    void *s = vdk_host_alloc(3 * MIB);
    vdk_host_free(s, 3 * MIB);
    VT_CHECK(vdk_host_cache_held() == 4 * MIB, "the oldest block was evicted (%zu held)",
             vdk_host_cache_held());
    void *t = vdk_host_alloc(3 * MIB), *u = vdk_host_alloc(MIB + 64), *w = vdk_host_alloc(MIB);
    VT_CHECK(t == s && w == q && vdk_host_cache_held() == 0,
             "the newer blocks stayed, the evicted one was not served");
    /* Back to malloc directly (the blocks are posix_memalign's): the cache stays empty. */
    free(t);
    free(u);
    free(w);
}

/* Storage that comes back from the cache holds the new tensor's values only. */
static void test_tensors_over_reused_storage(void)
{
    vdk_context *ctx = vt_context(VDK_BACKEND_REFERENCE);
    const int64_t n = MIB / 4;
    for (int round = 0; round < 3; round++) {
        vdk_tensor *a = NULL;
        VT_STATUS(ctx, vdk_tensor_create(ctx, VDK_F32, 1, &n, &a), VDK_OK);
        float *v = malloc((size_t)n * sizeof *v);
        for (int64_t i = 0; i < n; i++)
            v[i] = (float)(i % 1000) + (float)round;
        VT_STATUS(ctx, vdk_tensor_write(a, VDK_F32, v, n), VDK_OK);
        VT_STATUS(ctx, vdk_tensor_read(a, VDK_F32, v, n), VDK_OK);
        int64_t bad = 0;
        for (int64_t i = 0; i < n; i++)
            bad += v[i] != (float)(i % 1000) + (float)round;
        VT_CHECK(bad == 0, "round %d: %lld values differ", round, (long long)bad);
        free(v);
        vdk_tensor_destroy(a);
        VT_CHECK(vdk_host_cache_held() == MIB, "round %d: the tensor's storage is kept", round);
    }
    vdk_context_destroy(ctx);
}

int main(void)
{
    /* Before anything allocates: the budget is read once. */
    setenv("VDK_HOST_CACHE_BYTES", "4194304", 1);
    test_reuse_and_budget();
    test_tensors_over_reused_storage();
    return vt_finish("test_host_cache");
}
