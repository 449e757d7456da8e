/* vdk-validate: the named shape sets (tiny, edge, small, svd-tiny). */
#ifndef VDK_VALIDATE_SETS_H
#define VDK_VALIDATE_SETS_H

#include "cases.h"

/* All sets, the default (tiny) first. */
const vc_set *vv_sets(int *count);
/* The set of that name, or NULL. */
const vc_set *vv_set_find(const char *name);

#endif
