/* Softmax over the last axis, as torch.softmax(scale * x, dim=-1): the row's
 * maximum is subtracted before exp so no finite input overflows. The front end
 * has replaced a zero scale by 1. */
#include "ref.h"

vdk_status vdk_ref_softmax(vdk_context *ctx, const vdk_softmax_params *p, const vdk_tensor *xt,
                           vdk_tensor *yt)
{
    const int64_t C = xt->shape[xt->rank - 1], rows = vdk_numel_of(xt->rank, xt->shape) / C;
    const double s = p->scale;
    bool ok = true;
    double *x = vdk_ref_load(xt, &ok), *y = vdk_ref_alloc(rows * C, &ok);
    if (ok) {
#pragma omp parallel for schedule(static)
        for (int64_t r = 0; r < rows; r++) {
            const double *xr = x + r * C;
            double *yr = y + r * C, max = -INFINITY, sum = 0;
            for (int64_t c = 0; c < C; c++)
                max = fmax(max, s * xr[c]);
            for (int64_t c = 0; c < C; c++) {
                yr[c] = exp(s * xr[c] - max);
                sum += yr[c];
            }
            for (int64_t c = 0; c < C; c++)
                yr[c] /= sum;
        }
        vdk_ref_store(yt, y);
    }
    free(x);
    free(y);
    return vdk_ref_finish(ctx, "vdk_softmax", ok);
}
