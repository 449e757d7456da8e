/* Layer normalisation over the last axis, as torch.nn.functional.layer_norm(x,
 * (C,), gamma, beta, eps): per row, mean and biased variance in double, two
 * passes.
 *
 * The passes run on d = x - x[0] rather than on x. Layer norm is invariant to a
 * common shift, and d is exact when the row's values lie within a factor of 2
 * of one another (as under a large common offset, Sterbenz), so x - mean becomes
 * d - mean(d) and no step subtracts two large nearly equal numbers: a row at 1e4
 * +- 1 keeps full double accuracy instead of losing log2(1e4) bits. */
#include "ref.h"

vdk_status vdk_ref_layer_norm(vdk_context *ctx, const vdk_layer_norm_params *p,
                              const vdk_tensor *xt, const vdk_tensor *gt, const vdk_tensor *bt,
                              vdk_tensor *yt)
{
    const int64_t C = xt->shape[xt->rank - 1];
    const int64_t rows = vdk_numel_of(xt->rank, xt->shape) / C;
    bool ok = true;
    double *x = vdk_ref_load(xt, &ok), *gamma = vdk_ref_load(gt, &ok),
           *beta = vdk_ref_load(bt, &ok), *y = vdk_ref_alloc(rows * C, &ok);
    if (ok) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < rows; i++) {
            const double *xr = x + i * C;
            double *yr = y + i * C;
            const double shift = xr[0];
            double sum = 0, sq = 0;
            for (int64_t c = 0; c < C; c++)
                sum += xr[c] - shift;
            const double mean_d = sum / (double)C;
            for (int64_t c = 0; c < C; c++) {
                double centred = (xr[c] - shift) - mean_d;
                sq += centred * centred;
            }
            const double rstd = 1.0 / sqrt(sq / (double)C + (double)p->eps);
            for (int64_t c = 0; c < C; c++) {
                double v = ((xr[c] - shift) - mean_d) * rstd;
                if (gamma)
                    v *= gamma[c];
                if (beta)
                    v += beta[c];
                yr[c] = v;
            }
        }
        vdk_ref_store(yt, y);
    }
    free(x);
    free(gamma);
    free(beta);
    free(y);
    return vdk_ref_finish(ctx, "vdk_layer_norm", "reference.layer_norm", ok);
}
