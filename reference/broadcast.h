/* Broadcasting for the reference: a tensor that broadcasts NumPy-style onto a
 * shape (vdk_binary's b, vdk_blend's alpha) expanded to a dense double array of
 * that full shape, so the operators themselves are plain elementwise loops. */
#ifndef VDK_REFERENCE_BROADCAST_H
#define VDK_REFERENCE_BROADCAST_H

#include "ref.h"

/* A dense double array of the given shape with element [i0..i(rank-1)] = t at the
 * index aligned from the last axis, size-1 axes of t held at 0. NULL for a NULL t;
 * clears *ok on allocation failure. */
double *vdk_ref_load_broadcast(const vdk_tensor *t, int rank, const int64_t *shape, bool *ok);

#endif
