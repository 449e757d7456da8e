/* Host tensor storage kept for reuse. A denoiser creates and destroys the same
 * activation sizes block after block and step after step; glibc serves blocks
 * this large from mmap and gives each one back to the kernel when it is freed,
 * so every operator faulted its output in again (a Lumiere step on 2 cores:
 * 8.0 s instead of 6.4 s). Freed blocks of at least VDK_HOST_CACHE_MIN bytes
 * wait here, up to a byte budget, for a request of the same size.
 *
 * The cache is per process, not per context: a tensor may outlive its context
 * (vdk.h), and contexts may live on different threads, hence the mutex.
 * Requests are rounded up to size classes (size_class), so blocks of one
 * class serve each other. VDK_HOST_CACHE_BYTES sets the budget (default 1 GiB; 0 turns it off),
 * read once. Blocks come from posix_memalign at 64 bytes, cached or not, so the alignment a kernel
 * sees does not depend on the cache. */
#include "internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

enum { SLOTS = 256 };
#define VDK_HOST_CACHE_MIN ((size_t)256 << 10)

typedef struct block {
    void *p;
    size_t bytes;
    uint64_t age; /* when it was freed: the oldest is evicted first */
} block;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static size_t budget;
static size_t held;
static uint64_t clock_;
static block blocks[SLOTS];

/* Under AddressSanitizer the default is no cache: a block kept here would hide
 * a use after free of a tensor's storage from it (VDK_HOST_CACHE_BYTES still
 * turns the cache on, as test_host_cache does). */
#if defined(__SANITIZE_ADDRESS__)
#define VDK_HOST_CACHE_DEFAULT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VDK_HOST_CACHE_DEFAULT 0
#endif
#endif
#ifndef VDK_HOST_CACHE_DEFAULT
#define VDK_HOST_CACHE_DEFAULT ((size_t)1 << 30)
#endif

static void read_budget(void)
{
    const char *e = getenv("VDK_HOST_CACHE_BYTES");
    char *end = NULL;
    const unsigned long long v = e && *e ? strtoull(e, &end, 10) : 0;
    budget = e && *e && end && *end == '\0' ? (size_t)v : VDK_HOST_CACHE_DEFAULT;
}

/* Large requests round up to one of 8 sizes per power of two (at most 12.5%
 * more), so that the near sizes of one network share blocks. */
static size_t size_class(size_t bytes)
{
    if (bytes < VDK_HOST_CACHE_MIN)
        return bytes ? bytes : 1;
    size_t top = VDK_HOST_CACHE_MIN;
    while (top < bytes / 2)
        top *= 2;
    const size_t step = top / 8; /* top < bytes <= 2 top, or bytes = top at the minimum */
    return (bytes + step - 1) / step * step;
}

void *vdk_host_alloc(size_t bytes)
{
    bytes = size_class(bytes);
    if (bytes >= VDK_HOST_CACHE_MIN) {
        pthread_once(&once, read_budget);
        pthread_mutex_lock(&lock);
        for (int i = 0; i < SLOTS; i++)
            if (blocks[i].p && blocks[i].bytes == bytes) {
                void *p = blocks[i].p;
                blocks[i].p = NULL;
                held -= bytes;
                pthread_mutex_unlock(&lock);
                return p;
            }
        pthread_mutex_unlock(&lock);
    }
    void *p = NULL;
    return posix_memalign(&p, 64, bytes) ? NULL : p;
}

void vdk_host_free(void *p, size_t bytes)
{
    if (!p)
        return;
    bytes = size_class(bytes);
    if (bytes < VDK_HOST_CACHE_MIN) {
        free(p);
        return;
    }
    pthread_once(&once, read_budget);
    void *drop[SLOTS + 1];
    int ndrop = 0;
    pthread_mutex_lock(&lock);
    if (bytes > budget) {
        drop[ndrop++] = p;
    } else {
        /* Evict the oldest blocks until this one fits the budget and a slot. */
        for (;;) {
            int free_slot = -1, oldest = -1;
            for (int i = 0; i < SLOTS; i++) {
                if (!blocks[i].p)
                    free_slot = free_slot < 0 ? i : free_slot;
                else if (oldest < 0 || blocks[i].age < blocks[oldest].age)
                    oldest = i;
            }
            if (free_slot >= 0 && held + bytes <= budget) {
                blocks[free_slot] = (block){.p = p, .bytes = bytes, .age = ++clock_};
                held += bytes;
                break;
            }
            drop[ndrop++] = blocks[oldest].p;
            held -= blocks[oldest].bytes;
            blocks[oldest].p = NULL;
        }
    }
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < ndrop; i++)
        free(drop[i]);
}

size_t vdk_host_cache_held(void)
{
    pthread_mutex_lock(&lock);
    const size_t h = held;
    pthread_mutex_unlock(&lock);
    return h;
}
