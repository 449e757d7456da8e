/* vdk-validate: what a run found, and its JSON file. */
#ifndef VDK_VALIDATE_REPORT_H
#define VDK_VALIDATE_REPORT_H

#include "run.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct vv_backend_state {
    bool selected;   /* --backend (all by default) or --require */
    bool required;   /* --require: unavailable counts as failure */
    bool available;  /* vdk_context_create succeeded */
    vdk_status status;
    char reason[512]; /* vdk_last_error(NULL) when unavailable */
    vdk_context *ctx;
} vv_backend_state;

typedef struct vv_report {
    const char *set;
    uint64_t seed;
    vdk_dtype dtypes[VDK_DTYPE_COUNT];
    int ndtypes;
    bool ops[VC_OP_COUNT]; /* the operators run */
    int ncases;            /* cases of the set that were run */
    vv_backend_state backends[VDK_BACKEND_COUNT];
    const vv_row *rows;
    int64_t nrows;
    int64_t passed, failed, skipped;
    double seconds;
} vv_report;

/* Writes the report as JSON; on failure returns false with the reason in err. */
bool vv_report_write_json(const char *path, const vv_report *r, char *err, size_t errsize);

#endif
