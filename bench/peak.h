/* vdk-bench: the denominators of fraction_of_peak, read from vdk-peak's JSON
 * (docs/peak.md). */
#ifndef VDK_BENCH_PEAK_H
#define VDK_BENCH_PEAK_H

#include "vdk/vdk.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct vb_peak {
    bool known;           /* a device of this kind was found in the file */
    int threads;          /* the thread count whose figures these are */
    double fp32_gflops;   /* the fastest fp32 FMA tier measured; NaN when none */
    double f16_gflops;    /* f16 arithmetic (Vulkan devices); NaN when not measured */
    double bf16_gflops;   /* bf16 dot products; NaN when not measured */
    double bandwidth_gbs; /* the `copy` figure: kernels that read and write */
    char note[256];       /* how the figures were chosen, for the result set's notes */
} vb_peak;

/* Reads the device of `kind` ("cpu") from a vdk-peak JSON file and picks the
 * result for `threads` (or the nearest thread count measured, said in note).
 * Returns 0, or -1 with a message in err. */
int vb_peak_load(const char *path, const char *kind, int threads, vb_peak *out, char *err,
                 size_t errlen);

/* The Vulkan device of that index and name (vdk_context_device_info) from a
 * vdk-peak file: fp32_fma, f16_fma and copy. Another index of the same name
 * is taken when the index has none (said in note). Returns 0, or -1 with a
 * message in err. */
int vb_peak_load_vulkan(const char *path, int index, const char *name, vb_peak *out, char *err,
                        size_t errlen);

/* The compute peak for dtype: its own where measured and faster than fp32's,
 * else fp32's. NaN when unknown. */
double vb_peak_gflops(const vb_peak *p, vdk_dtype dtype);

#endif
