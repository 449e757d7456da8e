/* vdk-bench: the named shape sets (small, svd, svd-xt, lumiere). */
#ifndef VDK_BENCH_SETS_H
#define VDK_BENCH_SETS_H

#include "cases.h"

typedef struct vb_set {
    const char *name;
    const char *about; /* one line: where the shapes come from */
    const vb_case *cases;
    int ncases;
} vb_set;

/* The names of every set, the default (small) first; count in *count. */
const char *const *vb_set_names(int *count);
/* The set of that name, built on first use; NULL for an unknown name or when
 * memory ran out. The set lives until vb_sets_free. */
const vb_set *vb_set_get(const char *name);
void vb_sets_free(void);

#endif
