/* Strided views for the CPU-tier sections of the operator tests: a tensor cut
 * from a wider one along one axis (its outer strides then exceed its extents),
 * the check that a call left the rest of the wider tensor alone, and the
 * comparison of any view with the oracle's output. Header-only, on top of
 * vdk_test.h; every tensor made here is kept in the test's arena (vt_keep). */
#ifndef VT_VIEWS_H
#define VT_VIEWS_H

#include "vdk_test.h"

#include <stdarg.h>
#include <stdlib.h>

/* A tensor of `shape`: dense when axis < 0, else the slice [start, start +
 * shape[axis]) along `axis` of a tensor `extra` wider there. All of the wider
 * tensor holds seeded values in [lo, hi); *big (when not NULL) receives it. */
static inline vdk_tensor *vv_view(vdk_context *c, vdk_dtype dt, int rank, const int64_t *shape,
                                  int axis, int64_t extra, int64_t start, uint64_t seed,
                                  double lo, double hi, vdk_tensor **big)
{
    if (axis < 0) {
        vdk_tensor *t = vt_keep(vt_random(c, dt, rank, shape, seed, lo, hi));
        if (big)
            *big = t;
        return t;
    }
    int64_t wide[VDK_MAX_RANK];
    for (int a = 0; a < rank; a++)
        wide[a] = shape[a] + (a == axis ? extra : 0);
    vdk_tensor *w = vt_keep(vt_random(c, dt, rank, wide, seed, lo, hi)), *v = NULL;
    if (vdk_tensor_slice(w, axis, start, shape[axis], &v) != VDK_OK)
        vt_fatal("vv_view: %s", vdk_last_error(c));
    if (big)
        *big = w;
    return vt_keep(v);
}

/* A tensor over caller memory `mem` (`bytes` long, outliving the tensor) with
 * explicit strides, e.g. an axis of extent 1 whose stride is not the product
 * of the extents inside it; its elements hold seeded values in [lo, hi). */
static inline vdk_tensor *vv_wrap(vdk_context *c, vdk_dtype dt, int rank, const int64_t *shape,
                                  const int64_t *strides, void *mem, size_t bytes, uint64_t seed,
                                  double lo, double hi)
{
    vdk_tensor *t = NULL;
    if (vdk_tensor_wrap(c, dt, rank, shape, strides, mem, bytes, &t) != VDK_OK)
        vt_fatal("vv_wrap: %s", vdk_last_error(c));
    vt_fill_uniform(t, seed, lo, hi);
    return vt_keep(t);
}

/* Elements of big that differ from `before` (its values read earlier) outside
 * [start, start + len) of `axis`. */
static inline int64_t vv_changed_outside(const vdk_tensor *big, const double *before, int axis,
                                         int64_t start, int64_t len)
{
    const int rank = vdk_tensor_rank(big);
    int64_t inner = 1;
    for (int a = axis + 1; a < rank; a++)
        inner *= vdk_tensor_dim(big, a);
    const int64_t extent = vdk_tensor_dim(big, axis), total = vdk_tensor_numel(big);
    double *after = vt_read(big);
    int64_t changed = 0;
    for (int64_t i = 0; i < total; i++) {
        const int64_t k = i / inner % extent;
        if ((k < start || k >= start + len) && !(after[i] == before[i]))
            changed++;
    }
    free(after);
    return changed;
}

/* got (any view) against the oracle's output want: no bad values and a
 * normalised error within bound. */
#define VV_CHECK(got, want, bound, ...) vv_check((got), (want), (bound), __FILE__, __LINE__, __VA_ARGS__)
static inline __attribute__((format(printf, 6, 7))) void
vv_check(const vdk_tensor *got, const vdk_tensor *want, double bound, const char *file, int line,
         const char *fmt, ...)
{
    char label[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(label, sizeof label, fmt, ap);
    va_end(ap);
    double *w = vt_read(want);
    vt_error e = vt_compare_tensor(got, w);
    vt_check(vt_error_ok(e, bound), file, line,
             "%s: normalised error %.3g (bound %.3g), max abs %.3g, %lld bad values", label,
             e.norm_err, bound, e.max_abs, (long long)e.bad);
    free(w);
}

#endif
