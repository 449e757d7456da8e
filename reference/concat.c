/* Concatenation along one axis, as torch.cat([a, b], dim=axis). Seen in row-major
 * order, every tensor is `outer` blocks (the product of the sizes before the axis);
 * block o of y is block o of a followed by block o of b. */
#include "ref.h"

#include <string.h>

vdk_status vdk_ref_concat(vdk_context *ctx, const vdk_concat_params *p, const vdk_tensor *at,
                          const vdk_tensor *bt, vdk_tensor *yt)
{
    const int rank = at->rank, axis = p->axis < 0 ? p->axis + rank : p->axis;
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; i++)
        outer *= at->shape[i];
    for (int i = axis + 1; i < rank; i++)
        inner *= at->shape[i];
    const int64_t na = at->shape[axis] * inner, nb = bt->shape[axis] * inner; /* block sizes */
    bool ok = true;
    double *a = vdk_ref_load(at, &ok), *b = vdk_ref_load(bt, &ok),
           *y = vdk_ref_alloc(outer * (na + nb), &ok);
    if (ok) {
        for (int64_t o = 0; o < outer; o++) {
            memcpy(&y[o * (na + nb)], &a[o * na], (size_t)na * sizeof *y);
            memcpy(&y[o * (na + nb) + na], &b[o * nb], (size_t)nb * sizeof *y);
        }
        vdk_ref_store(yt, y);
    }
    free(a);
    free(b);
    free(y);
    return vdk_ref_finish(ctx, "vdk_concat", "reference.concat", ok);
}
