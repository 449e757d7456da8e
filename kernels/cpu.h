/* The CPU backend's internal interface: what kernels/cpu.c detects and decides
 * once, and the helpers every kernel in kernels/common/ uses (element pointers,
 * thread count, scratch memory, kernel names). */
#ifndef VDK_KERNELS_CPU_H
#define VDK_KERNELS_CPU_H

#include "../src/internal.h"

#include <stdint.h>
#include <stdlib.h>

/* What the processor (and the operating system) supports, detected once. */
typedef struct vdk_cpu_features {
    bool avx2, fma, f16c;               /* x86-64: the AVX2 tier needs all three */
    bool avx512f, avx512bw, avx512vl, avx512dq; /* and the OS saves zmm/opmask state */
    bool avx512bf16, avx512fp16;
    bool neon, asimdhp;                 /* AArch64: Advanced SIMD, and fp16 arithmetic */
} vdk_cpu_features;
const vdk_cpu_features *vdk_cpu_features_get(void);

/* The machine as hwloc (or, without it, the OS) reports it. Cache sizes are of
 * the first core's caches, in bytes; 0 where unknown. */
typedef struct vdk_cpu_topology {
    int cores; /* physical cores */
    int pus;   /* hardware threads */
    size_t l1d, l2, l3;
} vdk_cpu_topology;
const vdk_cpu_topology *vdk_cpu_topology_get(void);

/* The kernel table of each tier (kernels/<isa>/ops.c); NULL where not built. */
const vdk_backend_ops *vdk_cpu_tier_ops(vdk_cpu_isa isa);


/* ---- helpers for kernels ---- */

/* The address of element 0 of a host tensor's view. */
static inline void *vdk_cpu_data(const vdk_tensor *t)
{
    return (char *)t->storage->host + t->offset * (int64_t)vdk_dtype_size(t->dtype);
}

static inline int vdk_cpu_threads(const vdk_context *ctx) { return ctx->cpu.threads; }

/* 64-byte aligned scratch (NULL on failure); free with vdk_cpu_free and the
 * same byte count (large blocks go back to the host cache, src/host_cache.c). */
void *vdk_cpu_alloc(size_t bytes);
void vdk_cpu_free(void *p, size_t bytes);
/* Sets the out-of-memory message of `op` for scratch of `bytes`. */
vdk_status vdk_cpu_oom(vdk_context *ctx, const char *op, size_t bytes);

/* OpenMP's thread id and team size, 0 and 1 without OpenMP. */
int vdk_cpu_thread_id(void);
int vdk_cpu_team_size(void);

/* Threads worth starting for `bytes` of memory traffic: one per 128 KiB, at most
 * the context's count, so that tiny calls do not pay for waking a team. */
static inline int vdk_cpu_team_for(const vdk_context *ctx, int64_t bytes)
{
    int64_t n = bytes / (128 * 1024);
    if (n < 1)
        n = 1;
    return n < ctx->cpu.threads ? (int)n : ctx->cpu.threads;
}

/* Whether an output of `bytes` is written with streaming stores (vf_stream_copy):
 * from the context's threshold on, half the last-level cache by default. */
static inline bool vdk_cpu_stream(const vdk_context *ctx, int64_t bytes)
{
    return bytes >= ctx->cpu.stream_min;
}

/* Element offset of row r of t's view, rows being every index of all axes but
 * the last, in row-major order. */
static inline int64_t vdk_cpu_row_offset(const vdk_tensor *t, int64_t r)
{
    int64_t off = 0;
    for (int a = t->rank - 2; a >= 0; a--) {
        off += (r % t->shape[a]) * t->stride[a];
        r /= t->shape[a];
    }
    return off;
}

/* [begin, end) of the i-th of n near-equal parts of [0, total). */
static inline void vdk_cpu_split(int64_t total, int n, int i, int64_t *begin, int64_t *end)
{
    int64_t q = total / n, r = total % n;
    *begin = i * q + (i < r ? i : r);
    *end = *begin + q + (i < r ? 1 : 0);
}

#endif
