/* vdk-validate: one case in one dtype, the oracle's answer once, then each backend
 * compared with it. */
#ifndef VDK_VALIDATE_RUN_H
#define VDK_VALIDATE_RUN_H

#include "cases.h"

typedef enum vv_result { VV_PASS = 0, VV_FAIL, VV_SKIP } vv_result;

/* One context under test: a backend and, for the cpu backend under --isa, one
 * of its tiers. */
typedef struct vv_target {
    vdk_backend backend;
    vdk_cpu_isa isa;         /* the tier asked for; VDK_CPU_ISA_AUTO: the backend's default */
    char name[24];           /* "reference", "cpu", "cpu/avx2": the backend column */
    const char *required_by; /* the option or variable that requires it; NULL: not required */
    bool available;          /* vdk_context_create succeeded */
    vdk_status status;
    char reason[512]; /* vdk_last_error(NULL) when unavailable */
    vdk_context *ctx;
} vv_target;

/* The CPU tier of the target's rows: its context's, or when it has none the
 * tier asked for; VDK_CPU_ISA_COUNT for the other backends (and unknown). */
vdk_cpu_isa vv_target_isa(const vv_target *t);

/* One line of the table and one object of the JSON. */
typedef struct vv_row {
    const vc_case *c;
    const vv_target *target;
    vdk_dtype dtype;
    char kernel[64];          /* vdk_last_kernel after the call; "-" when nothing ran */
    vdk_status call_status;   /* what the backend's call returned */
    double norm_err, max_abs; /* NaN when nothing was compared */
    double bound;             /* the norm_err bound: vt_tolerance(dtype, K, roundings) */
    int64_t reduction;
    int roundings;
    vv_result result;
    char message[768]; /* why it failed; empty on PASS */
} vv_row;

/* A case in one dtype: the random inputs rounded to the dtype, and the f64
 * oracle's output on exactly those values. */
typedef struct vv_prepared {
    const vc_case *c;
    vc_plan plan;
    vdk_dtype dtype;
    /* every element of each input's tensor (for a view, of the wider tensor under it) */
    double *values[VC_MAX_INPUTS];
    int64_t nvalues[VC_MAX_INPUTS];
    double *want; /* the oracle's output, NULL when it failed */
    vdk_status oracle_status;
    char oracle_message[512];
} vv_prepared;

/* oracle: a reference context; it runs the operator on VDK_F64 tensors. */
void vv_prepare(vv_prepared *p, vdk_context *oracle, const vc_case *c, vdk_dtype dtype,
                uint64_t seed);
/* Runs the prepared case on the target's context and fills row (PASS or FAIL). */
void vv_run(const vv_prepared *p, const vv_target *target, vv_row *row);
void vv_prepared_free(vv_prepared *p);

#endif
