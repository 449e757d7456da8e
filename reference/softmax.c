/* Softmax over the last axis, as torch.softmax(scale * x, dim=-1): per row,
 * y_j = exp(s*x_j - m) / sum_i exp(s*x_i - m) with m = max_i s*x_i, in double.
 * Subtracting the row maximum keeps every exponent <= 0, so no row overflows. */
#include "ref.h"

vdk_status vdk_ref_softmax(vdk_context *ctx, const vdk_softmax_params *p, const vdk_tensor *xt,
                           vdk_tensor *yt)
{
    const int64_t numel = vdk_numel_of(xt->rank, xt->shape), len = xt->shape[xt->rank - 1],
                  rows = numel / len;
    const double s = p->scale != 0 ? (double)p->scale : 1.0;
    bool ok = true;
    double *x = vdk_ref_load(xt, &ok), *y = vdk_ref_alloc(numel, &ok);
    if (ok) {
#pragma omp parallel for schedule(static)
        for (int64_t r = 0; r < rows; r++) {
            const double *xr = x + r * len;
            double *yr = y + r * len;
            double max = -INFINITY;
            for (int64_t j = 0; j < len; j++)
                if (s * xr[j] > max)
                    max = s * xr[j];
            double sum = 0;
            for (int64_t j = 0; j < len; j++) {
                yr[j] = exp(s * xr[j] - max);
                sum += yr[j];
            }
            for (int64_t j = 0; j < len; j++)
                yr[j] /= sum;
        }
        vdk_ref_store(yt, y);
    }
    free(x);
    free(y);
    return vdk_ref_finish(ctx, "vdk_softmax", "reference.softmax", ok);
}
