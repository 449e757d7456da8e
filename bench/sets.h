/* vdk-bench: the named shape sets (small, svd, svd-xt, lumiere). */
#ifndef VDK_BENCH_SETS_H
#define VDK_BENCH_SETS_H

#include "cases.h"

/* The names of every set, the default (small) first; count in *count. */
const char *const *vb_set_names(int *count);
/* The set of that name, built on first use; NULL for an unknown name or when
 * memory ran out. The set lives until vb_sets_free. */
const vc_set *vb_set_get(const char *name);
void vb_sets_free(void);

#endif
