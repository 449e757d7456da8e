/* vdk-validate: the table on stdout, one line per row as it completes. */
#ifndef VDK_VALIDATE_TABLE_H
#define VDK_VALIDATE_TABLE_H

#include "report.h"

#include <stdio.h>

typedef struct vv_table {
    FILE *out;
    bool color; /* ANSI colours: a terminal, and NO_COLOR unset */
    bool quiet; /* FAIL rows only */
    bool header_done;
    int w_shape; /* widest shape string of the run's cases */
    int w_backend; /* widest backend name of the run */
} vv_table;

/* cases and targets: what the run will go through, to size the shape and backend
 * columns. */
vv_table vv_table_open(FILE *out, bool quiet, const vc_case *const *cases, int ncases,
                       const vv_target *targets, int ntargets);
/* Prints one row (in quiet mode only a failure), with its reason under a failure. */
void vv_table_row(vv_table *t, const vv_row *r);
/* The line for a backend or tier that could not be created: SKIP, or FAIL when
 * required. */
void vv_table_unavailable(vv_table *t, const vv_target *target, int64_t rows);
/* Failures grouped by operator and backend, then
 * "vdk-validate: N passed, N failed, N skipped". */
void vv_table_summary(vv_table *t, const vv_report *r);

#endif
