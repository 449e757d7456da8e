/* NumPy-style broadcasting of one tensor onto another's shape, as vdk_binary
 * (b onto a) and vdk_blend (alpha onto a) take it. Front-end checks only; split
 * in two so that each runs in its category (rank before dtype, shape after the
 * parameter values). */
#ifndef VDK_OPS_BROADCAST_H
#define VDK_OPS_BROADCAST_H

#include "../internal.h"

/* rank(t) <= rank(onto); VDK_ERROR_RANK naming `name` otherwise. */
vdk_status vdk_check_broadcast_rank(vdk_check *c, const vdk_tensor *t, const char *name,
                                    const vdk_tensor *onto, const char *onto_name);
/* With axes aligned from the last, each size of t is 1 or the size of onto;
 * VDK_ERROR_SHAPE naming `name` with both shapes otherwise. The rank must
 * already have been checked. */
vdk_status vdk_check_broadcast_shape(vdk_check *c, const vdk_tensor *t, const char *name,
                                     const vdk_tensor *onto, const char *onto_name);

#endif
