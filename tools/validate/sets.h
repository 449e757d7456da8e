/* vdk-validate: the named shape sets (tiny, small, svd-tiny). */
#ifndef VDK_VALIDATE_SETS_H
#define VDK_VALIDATE_SETS_H

#include "cases.h"

typedef struct vv_set {
    const char *name;
    const char *about; /* one line: what the set is for */
    const vv_case *cases;
    int ncases;
} vv_set;

/* All sets, the default (tiny) first. */
const vv_set *vv_sets(int *count);
/* The set of that name, or NULL. */
const vv_set *vv_set_find(const char *name);

#endif
