/* vdk-bench: a case as the case export and the result set write it
 * (docs/results.md), and as --list prints it. */
#ifndef VDK_BENCH_EXPORT_H
#define VDK_BENCH_EXPORT_H

#include "cases.h"

#include <stdio.h>

/* JSON pieces of the case export (docs/results.md): the params object and the
 * inputs object. */
void vb_write_params_json(FILE *f, const vc_case *c);
void vb_write_inputs_json(FILE *f, const vc_case *c);
/* "x[2,4,16,16,320] w[...]": every tensor, for --list. */
void vb_shapes_string(const vc_case *c, char *buf, size_t size);

#endif
