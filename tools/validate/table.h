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
} vv_table;

/* cases: the cases the run will go through, to size the shape column. */
vv_table vv_table_open(FILE *out, bool quiet, const vc_case *const *cases, int ncases);
/* Prints one row (in quiet mode only a failure), with its reason under a failure. */
void vv_table_row(vv_table *t, const vv_row *r);
/* The line for a backend that could not be created: SKIP, or FAIL when required. */
void vv_table_unavailable(vv_table *t, vdk_backend b, const vv_backend_state *s,
                          int64_t rows);
/* Failures grouped by operator and backend, then
 * "vdk-validate: N passed, N failed, N skipped". */
void vv_table_summary(vv_table *t, const vv_report *r);

#endif
