/* vdk-bench: a C interface to Google Benchmark (shim.cc is the only C++).
 *
 * A benchmark is registered by name with three C callbacks. The shim calls
 * setup once before the first measurement of a benchmark and teardown when the
 * next benchmark starts (or at the end), so one case's tensors are alive at a
 * time however Google Benchmark orders its repetitions. Each iteration calls
 * run once; run returns the seconds that call took (it does its own timing, so
 * a GPU backend can return what its timestamp queries measured) and Google
 * Benchmark takes that as the manual time of the iteration.
 *
 * Every --benchmark_* flag keeps its meaning; the JSON Google Benchmark writes
 * has the counters set here as user counters, so its compare tools read it. */
#ifndef VDK_BENCH_SHIM_H
#define VDK_BENCH_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VDKB_MESSAGE_SIZE 512

/* How Google Benchmark reports a counter. */
typedef enum vdkb_counter_kind {
    VDKB_COUNTER_VALUE = 0, /* the value as given (per call) */
    VDKB_COUNTER_RATE,      /* value per second of one call: value / iteration time */
} vdkb_counter_kind;

typedef struct vdkb_state vdkb_state;

typedef struct vdkb_benchmark {
    const char *name; /* Google Benchmark's name; copied */
    void *user;
    /* 0: ready. Otherwise the benchmark is skipped with msg (a skip is not a
     * failure: it is reported with its reason); failed = 1 marks a real error,
     * which makes vdkb_run report a failure. */
    int (*setup)(void *user, char *msg, size_t size, int *failed);
    /* One measured call; returns its seconds, or < 0 with msg on an error. */
    double (*run)(void *user, char *msg, size_t size);
    /* After the timed loop of a repetition: counters and label. */
    void (*report)(void *user, vdkb_state *state);
    void (*teardown)(void *user);
} vdkb_benchmark;

/* Counters and label of the running benchmark (call from report). */
void vdkb_set_counter(vdkb_state *state, const char *name, double value, vdkb_counter_kind kind);
void vdkb_set_label(vdkb_state *state, const char *label);

/* One key of Google Benchmark's "context" block. */
void vdkb_add_context(const char *key, const char *value);

/* Registers a benchmark; returns 0, or -1 when out of memory. */
int vdkb_register(const vdkb_benchmark *b);

/* What a benchmark gave, once all its repetitions are done. */
typedef struct vdkb_result {
    const char *name;    /* as registered */
    void *user;          /* as registered */
    int skipped;         /* setup declined or a run failed: message says why */
    int failed;          /* a real error, not a skip */
    const char *message;
    double median_s;     /* per call: median over repetitions */
    double min_s;        /* per call: the fastest repetition */
    int repetitions;     /* repetitions measured */
    long long iterations; /* calls per repetition */
} vdkb_result;

typedef void (*vdkb_result_fn)(void *ctx, const vdkb_result *r);

/* Google Benchmark's own flags (--benchmark_*) are taken from argv; anything
 * else left over is an error (returns -1 after printing it). */
int vdkb_initialize(int *argc, char **argv);
/* Prints Google Benchmark's own flags. */
void vdkb_print_help(void);
/* Runs every registered benchmark that --benchmark_filter selects, through the
 * reporter that --benchmark_format asks for, and calls on_result for each as
 * it finishes. Returns the number of benchmarks run. */
int vdkb_run(vdkb_result_fn on_result, void *ctx);
void vdkb_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif
