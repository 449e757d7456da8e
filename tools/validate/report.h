/* vdk-validate: what a run found, and its JSON file. */
#ifndef VDK_VALIDATE_REPORT_H
#define VDK_VALIDATE_REPORT_H

#include "run.h"

#include <stdbool.h>
#include <stddef.h>

/* Every backend at most once, and the cpu backend once per tier. */
#define VV_MAX_TARGETS (VDK_BACKEND_COUNT + VDK_CPU_ISA_COUNT)

typedef struct vv_report {
    const char *set;
    uint64_t seed;
    vdk_dtype dtypes[VDK_DTYPE_COUNT];
    int ndtypes;
    bool ops[VC_OP_COUNT]; /* the operators run */
    int ncases;            /* cases of the set that were run */
    vv_target targets[VV_MAX_TARGETS]; /* in the order of the table's rows */
    int ntargets;
    const vv_row *rows;
    int64_t nrows;
    int64_t passed, failed, skipped;
    double seconds;
} vv_report;

/* Writes the report as JSON; on failure returns false with the reason in err. */
bool vv_report_write_json(const char *path, const vv_report *r, char *err, size_t errsize);

#endif
