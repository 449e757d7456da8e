/* See broadcast.h. */
#include "broadcast.h"

double *vdk_ref_load_broadcast(const vdk_tensor *t, int rank, const int64_t *shape, bool *ok)
{
    if (!t)
        return NULL;
    const int64_t n = vdk_numel_of(rank, shape);
    double *src = vdk_ref_load(t, ok), *out = vdk_ref_alloc(n, ok);
    if (src && out) {
        /* step[k]: how far the dense index of t moves per step along axis k of the
         * full shape; 0 for axes t lacks or holds at size 1. */
        int64_t step[VDK_MAX_RANK], s = 1;
        const int off = rank - t->rank;
        for (int k = rank - 1; k >= 0; k--) {
            const int kt = k - off;
            step[k] = (kt >= 0 && t->shape[kt] > 1) ? s : 0;
            if (kt >= 0)
                s *= t->shape[kt];
        }
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; i++) {
            int64_t rest = i, j = 0;
            for (int k = rank - 1; k >= 0; k--) {
                j += (rest % shape[k]) * step[k];
                rest /= shape[k];
            }
            out[i] = src[j];
        }
    }
    free(src);
    return out;
}
