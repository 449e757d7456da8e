/* RMS normalisation over the last axis, as torch.nn.functional.rms_norm(x, (C,),
 * gamma, eps) (PyTorch >= 2.4): per row, y = x / sqrt(mean(x^2) + eps) * gamma,
 * the mean square in double. */
#include "ref.h"

vdk_status vdk_ref_rms_norm(vdk_context *ctx, const vdk_rms_norm_params *p, const vdk_tensor *xt,
                            const vdk_tensor *gt, vdk_tensor *yt)
{
    const int64_t C = xt->shape[xt->rank - 1];
    const int64_t rows = vdk_numel_of(xt->rank, xt->shape) / C;
    bool ok = true;
    double *x = vdk_ref_load(xt, &ok), *gamma = vdk_ref_load(gt, &ok),
           *y = vdk_ref_alloc(rows * C, &ok);
    if (ok) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < rows; i++) {
            const double *xr = x + i * C;
            double *yr = y + i * C;
            double sq = 0;
            for (int64_t c = 0; c < C; c++)
                sq += xr[c] * xr[c];
            const double rrms = 1.0 / sqrt(sq / (double)C + (double)p->eps);
            for (int64_t c = 0; c < C; c++)
                yr[c] = gamma ? xr[c] * rrms * gamma[c] : xr[c] * rrms;
        }
        vdk_ref_store(yt, y);
    }
    free(x);
    free(gamma);
    free(y);
    return vdk_ref_finish(ctx, "vdk_rms_norm", "reference.rms_norm", ok);
}
