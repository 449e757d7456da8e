/* The shared test helper: seeded random tensors, a per-test arena, views and
 * copies, error metrics, poisoned outputs, guard regions and the checks on a
 * guarded output, snapshots for "changes no tensor" checks, and the golden-vector
 * reader. Written against the public API only, so every backend reuses it. */
#ifndef VDK_TEST_H
#define VDK_TEST_H

#include "vdk/vdk.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* ---- a small test runner ---- */

extern int vt_passed, vt_failed;
/* Records one check; prints the location and message when it fails. */
bool vt_check(bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define VT_CHECK(cond, ...) vt_check((cond), __FILE__, __LINE__, __VA_ARGS__)
/* A call that must return `want`; on a failure the context's message is shown. */
#define VT_STATUS(ctx, call, want)                                                           \
    do {                                                                                     \
        vdk_status vt_s_ = (call);                                                           \
        VT_CHECK(vt_s_ == (want), "%s returned %s, expected %s: %s", #call,                 \
                 vdk_status_string(vt_s_), vdk_status_string(want), vdk_last_error(ctx));   \
    } while (0)
/* A call that must fail with `want` and a message containing `needle` (the
 * argument's name). */
#define VT_ERROR(ctx, call, want, needle)                                                    \
    vt_check_error((ctx), (call), (want), (needle), __FILE__, __LINE__, #call)
bool vt_check_error(const vdk_context *ctx, vdk_status got, vdk_status want, const char *needle,
                    const char *file, int line, const char *call);
/* Prints "<suite>: N passed, N failed" and returns the process exit code; destroys
 * vt_other_context(). */
int vt_finish(const char *suite);
/* Stops the test binary at once (setup that cannot go on). */
void vt_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ---- CPU tiers ---- */

typedef struct vt_tiers {
    int n;
    vdk_context *ctx[VDK_CPU_ISA_COUNT];
    vdk_cpu_isa isa[VDK_CPU_ISA_COUNT];
} vt_tiers;
/* A CPU context per tier this processor runs (scalar included), each with 3
 * threads so that uneven work splits are exercised. A tier that cannot run here
 * is printed once as a SKIP line, and is a failure when the environment variable
 * VDK_TEST_REQUIRE_ISA lists it (comma-separated names). VDK_TEST_ISA, when
 * set, lists the only tiers to test (an emulated run leaves out the tiers the
 * native runs cover). vt_finish() destroys the contexts. */
const vt_tiers *vt_cpu_tiers(void);
/* The same tiers again, each context created with VDK_CPU_STREAM_MIN=0 so that
 * every output is written with streaming stores, as only outputs larger than
 * the cache otherwise are: the streamed paths then run on test-sized shapes.
 * vt_finish() destroys them. */
const vt_tiers *vt_cpu_stream_tiers(void);

/* ---- Vulkan ---- */

/* The Vulkan context of this test binary (the device VDK_VK_DEVICE or the
 * backend's own choice), made on first use; NULL when no Vulkan device can be
 * opened here, printed once as a loud SKIP line, and a failure when the
 * environment has VDK_TEST_REQUIRE_VULKAN=1. vt_finish() fails the test when
 * the Vulkan validation layers sent any message about it (turn them on with
 * VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation; ctest does), and destroys it. */
vdk_context *vt_vulkan(void);

/* ---- seeded random numbers, the same whatever the thread count ---- */

/* Uniform in [0, 1) from (seed, index) alone: element i of a tensor never depends
 * on how many elements were drawn before it. */
double vt_uniform01(uint64_t seed, uint64_t index);
double vt_uniform(uint64_t seed, uint64_t index, double lo, double hi);

/* ---- tensors ---- */

vdk_context *vt_context(vdk_backend backend);
/* A second context (reference backend) for the "tensor from another context"
 * checks: made on first use, destroyed by vt_finish(). */
vdk_context *vt_other_context(void);
vdk_tensor *vt_tensor(vdk_context *ctx, vdk_dtype dtype, int rank, const int64_t *shape);
/* Fills t with uniform values in [lo, hi), seeded. */
void vt_fill_uniform(vdk_tensor *t, uint64_t seed, double lo, double hi);
vdk_tensor *vt_random(vdk_context *ctx, vdk_dtype dtype, int rank, const int64_t *shape,
                      uint64_t seed, double lo, double hi);
/* Fills t from a dense double array of its element count. */
void vt_fill(vdk_tensor *t, const double *values);
/* A malloc'd dense double copy of t (free() it). */
double *vt_read(const vdk_tensor *t);
/* A dense tensor on ctx of dtype `dtype` holding exactly the values of src
 * (NULL for a NULL src): the oracle's copy of a narrow input. */
vdk_tensor *vt_copy_as(vdk_context *ctx, vdk_dtype dtype, const vdk_tensor *src);
/* A view of `rank`/`shape` starting at element `start` of the 1-D tensor big;
 * the intermediate slice is kept alive by the view. */
vdk_tensor *vt_view_at(vdk_tensor *big, int64_t start, int rank, const int64_t *shape);
/* Destroys every tensor listed (NULLs allowed). */
void vt_destroy_n(vdk_tensor *const *tensors, int count);
#define VT_DESTROY(...)                                                                      \
    vt_destroy_n((vdk_tensor *const[]){__VA_ARGS__},                                         \
                 (int)(sizeof((vdk_tensor *const[]){__VA_ARGS__}) / sizeof(vdk_tensor *)))
/* A per-test arena: vt_keep(t) returns t and remembers it; vt_drop_all()
 * destroys everything kept so far. */
vdk_tensor *vt_keep(vdk_tensor *t);
void vt_drop_all(void);
/* How many elements of t differ from `before` (t's dense values, read earlier)
 * outside positions [lo, lo + n) of t's last axis: 0 when a call that may write
 * only that slice of t touched nothing else. */
int64_t vt_changed_outside(const vdk_tensor *t, const double *before, int64_t lo, int64_t n);
/* Writes NaN into every element, so an output element the kernel never writes
 * shows up as a NaN in the comparison. */
void vt_poison(vdk_tensor *t);

/* An output with a guard region: `view` is the tensor an operator writes; the
 * `guard` elements after it in the same storage hold a sentinel that
 * vt_guard_intact() checks afterwards. */
typedef struct vt_guarded {
    vdk_tensor *base, *slice, *view;
    int64_t numel, guard;
} vt_guarded;
vt_guarded vt_guarded_tensor(vdk_context *ctx, vdk_dtype dtype, int rank, const int64_t *shape);
bool vt_guard_intact(const vt_guarded *g);
void vt_guarded_destroy(vt_guarded *g);

/* Two checks on a guarded output once the operator has run: it matches `want`
 * (the oracle's output: a tensor of the same element count, typically the f64
 * run on the same inputs) with no bad values and normalised error <= bound, and
 * its guard region is intact. Failures start with the printf-style label after
 * `bound`; destroys out. */
#define VT_ORACLE_CHECK(out, want, bound, ...)                                               \
    vt_oracle_check((out), (want), (bound), __FILE__, __LINE__, __VA_ARGS__)
void vt_oracle_check(vt_guarded *out, const vdk_tensor *want, double bound, const char *file,
                     int line, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* A copy of every element of t, to check later that a failed call left it as it was. */
typedef struct vt_snapshot {
    const vdk_tensor *t;
    double *values;
    int64_t n;
} vt_snapshot;
vt_snapshot vt_snap(const vdk_tensor *t);
/* True when t holds exactly what it held at the snapshot (NaN equals NaN). Frees it. */
bool vt_unchanged(vt_snapshot *s);

/* Snapshots of up to VT_MAX_SNAPSHOTS tensors (NULLs skipped; more is fatal)
 * taken before a call that must fail, and the check that none of them changed. */
#define VT_MAX_SNAPSHOTS 16
typedef struct vt_snapshots {
    int n;
    vt_snapshot s[VT_MAX_SNAPSHOTS];
} vt_snapshots;
vt_snapshots vt_snap_all(const vdk_tensor *const *tensors, int count);
bool vt_all_unchanged(vt_snapshots *s);
#define VT_SNAP(...)                                                                         \
    vt_snap_all((const vdk_tensor *const[]){__VA_ARGS__},                                    \
                (int)(sizeof((const vdk_tensor *const[]){__VA_ARGS__}) / sizeof(vdk_tensor *)))

/* ---- metrics ---- */

typedef struct vt_error {
    double norm_err;  /* sum((a-b)^2) / sum(b^2); sum((a-b)^2) when b is all zero */
    double max_abs;   /* max |a - b| */
    int64_t bad;      /* NaN or Inf in a where b is finite, or non-finite b not matched */
    int64_t n;
} vt_error;
vt_error vt_compare(const double *got, const double *want, int64_t n);
/* Compares a tensor with a dense double array. */
vt_error vt_compare_tensor(const vdk_tensor *got, const double *want);
/* Passes when there are no bad values and norm_err <= bound. */
bool vt_error_ok(vt_error e, double bound);

/* The tolerance policy of docs/validation.md: a normalised-error bound for an
 * output stored as `dtype`, computed with f32 (or better) accumulation over
 * reductions of length `reduction`, with `roundings` intermediate roundings to the
 * storage type on the way (0 for most operators). f64 is the oracle's own
 * precision: GOLDEN_BOUND. */
#define VT_GOLDEN_BOUND 1e-24
double vt_tolerance(vdk_dtype dtype, int64_t reduction, int roundings);
/* Unit roundoff of a storage dtype. */
double vt_unit_roundoff(vdk_dtype dtype);

/* ---- golden vectors (tests/golden/<op>.vgold, written by tools/gen_golden.py) ---- */

typedef struct vt_golden_tensor {
    char name[32];
    int rank;
    int64_t shape[VDK_MAX_RANK];
    int64_t numel;
    double *data;
} vt_golden_tensor;

#define VT_GOLDEN_MAX_PARAMS 16
#define VT_GOLDEN_MAX_TENSORS 8
typedef struct vt_golden_case {
    char name[96];
    int nparams;
    char keys[VT_GOLDEN_MAX_PARAMS][32];
    char values[VT_GOLDEN_MAX_PARAMS][64];
    int ntensors;
    vt_golden_tensor tensors[VT_GOLDEN_MAX_TENSORS];
} vt_golden_case;

typedef struct vt_golden_file {
    int ncases;
    vt_golden_case *cases;
} vt_golden_file;

/* Reads VDK_GOLDEN_DIR/<op>.vgold; fatal when missing or malformed. */
vt_golden_file vt_golden_load(const char *op);
void vt_golden_free(vt_golden_file *f);
/* A parameter of the case; fatal when absent. */
double vt_golden_param(const vt_golden_case *c, const char *key);
bool vt_golden_has(const vt_golden_case *c, const char *key);
/* A tensor of the case, or NULL when absent (optional inputs). */
const vt_golden_tensor *vt_golden_get(const vt_golden_case *c, const char *name);
/* A new tensor on ctx holding the golden tensor `name`, or NULL when absent. */
vdk_tensor *vt_golden_make(vdk_context *ctx, const vt_golden_case *c, const char *name,
                           vdk_dtype dtype);
/* The output of a golden case: a guarded f64 tensor (vt_guarded_tensor) of the
 * shape of the case's tensor `name`; fatal when the case has none. */
vt_guarded vt_golden_output(vdk_context *ctx, const vt_golden_case *c, const char *name);
/* Two checks on an output from vt_golden_output once the operator has run: it
 * matches the case's tensor `name` (no bad values, normalised error <= bound), and
 * its guard region is intact. Failures name the case; destroys out. */
#define VT_GOLDEN_CHECK(out, c, name, bound)                                                 \
    vt_golden_check((out), (c), (name), (bound), __FILE__, __LINE__)
void vt_golden_check(vt_guarded *out, const vt_golden_case *c, const char *name, double bound,
                     const char *file, int line);

#endif
