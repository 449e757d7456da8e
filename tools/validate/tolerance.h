/* vdk-validate: the numbers of a case's tolerance (docs/validate.md) and its
 * work. */
#ifndef VDK_VALIDATE_TOLERANCE_H
#define VDK_VALIDATE_TOLERANCE_H

#include "cases.h"

/* The reduction length K of vt_tolerance. */
int64_t vv_reduction(const vc_case *c);
/* Intermediate roundings to the storage type a kernel may make. */
int vv_roundings(const vc_case *c);
/* Work of one call, to keep a set's run time in view: multiply-adds for conv3d,
 * linear and attention, output elements for the others. */
double vv_case_work(const vc_case *c);

#endif
