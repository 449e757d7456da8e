/* vdk-bench: the driver's shared types — backends, the benchmarks made of
 * (case, backend, dtype), and the run-wide settings. */
#ifndef VDK_BENCH_BENCH_H
#define VDK_BENCH_BENCH_H

#include "cases.h"
#include "counts.h"
#include "peak.h"
#include "vdk_bench.h"

#include <stdbool.h>

/* One backend of the run (the cpu backend once per tier under --isa). Rows of
 * host backends describe the CPU; Vulkan rows their own device. */
typedef struct vb_backend {
    vdk_backend backend;
    vdk_context *ctx;
    char name[24];           /* "reference", "cpu", "vulkan"; "cpu/avx2" under --isa */
    const char *device_kind; /* "cpu" or "vulkan" */
    int threads;             /* threads it runs on; 0 where that does not apply */
    bool gpu_time;           /* rows timed by GPU timestamps (vdk_profile_*) */
} vb_backend;

typedef enum vb_outcome {
    VB_PENDING = 0, /* not run (e.g. left out by --benchmark_filter) */
    VB_MEASURED,
    VB_SKIPPED,     /* declined with a reason: too large, not supported */
    VB_FAILED,      /* an error that is a bug somewhere */
} vb_outcome;

struct vb_run;

/* One Google Benchmark benchmark: a case on a backend in a dtype. */
typedef struct vb_item {
    struct vb_run *run;
    const vc_case *c;
    vb_backend *b;
    vdk_dtype dtype;
    char name[VC_NAME_SIZE + 32]; /* <case name>/<backend>/<dtype> */
    vdk_tensor *in[VC_MAX_INPUTS];
    vdk_tensor *out;
    char kernel[96];
    double timed_s; /* calls timed since the last report, and their seconds */
    long timed_calls;
    /* the outcome */
    vb_outcome outcome;
    char reason[VDKB_MESSAGE_SIZE];
    double median_s, min_s;
    int repetitions;
} vb_item;

typedef struct vb_run {
    double ref_limit_s;   /* the reference declines cases estimated above this; 0: no limit */
    bool progress;        /* one line per finished case on stderr */
    vb_peak cpu_peak;     /* denominators for cpu-kind rows */
    vb_peak vulkan_peak;  /* and for the Vulkan device's rows */
    int finished, total;
} vb_run;

/* The Google Benchmark callbacks of an item (run.c). */
int vb_item_setup(void *user, char *msg, size_t size, int *failed);
double vb_item_call(void *user, char *msg, size_t size);
void vb_item_report(void *user, vdkb_state *state);
void vb_item_teardown(void *user);

/* The peak an item's fraction_of_peak divides by: GFLOP/s for compute-bound
 * cases, GB/s for memory-bound ones; NaN when unknown. */
double vb_item_peak(const vb_item *it);

#endif
