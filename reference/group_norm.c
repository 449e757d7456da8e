/* Group normalisation, as torch.nn.functional.group_norm on the channels-first
 * view: per (n, t, group) for VDK_NORM_PER_FRAME, per (n, group) over all frames
 * for VDK_NORM_PER_CLIP. Mean and biased variance in double, two passes. */
#include "ref.h"

vdk_status vdk_ref_group_norm(vdk_context *ctx, const vdk_group_norm_params *p,
                              const vdk_tensor *xt, const vdk_tensor *gt, const vdk_tensor *bt,
                              vdk_tensor *yt)
{
    const int64_t N = xt->shape[0], T = xt->shape[1], HW = xt->shape[2] * xt->shape[3],
                  C = xt->shape[4], G = p->groups, Cg = C / G;
    /* A "set" is the elements one statistic covers: F frames of HW pixels x Cg channels. */
    const int64_t F = p->scope == VDK_NORM_PER_CLIP ? T : 1, sets_per_n = T / F;
    bool ok = true;
    double *x = vdk_ref_load(xt, &ok), *gamma = vdk_ref_load(gt, &ok),
           *beta = vdk_ref_load(bt, &ok), *y = vdk_ref_alloc(N * T * HW * C, &ok);
    if (ok) {
#pragma omp parallel for collapse(2) schedule(static)
        for (int64_t set = 0; set < N * sets_per_n; set++) {
            for (int64_t g = 0; g < G; g++) {
                /* frames [t0, t0 + F) of batch item n; frame f starts at (n*T + f)*HW*C */
                const int64_t n = set / sets_per_n, t0 = (set % sets_per_n) * F;
                const double count = (double)(F * HW * Cg);
                double sum = 0, sq = 0;
                for (int64_t f = t0; f < t0 + F; f++)
                    for (int64_t s = 0; s < HW; s++)
                        for (int64_t c = g * Cg; c < (g + 1) * Cg; c++)
                            sum += x[((n * T + f) * HW + s) * C + c];
                const double mean = sum / count;
                for (int64_t f = t0; f < t0 + F; f++)
                    for (int64_t s = 0; s < HW; s++)
                        for (int64_t c = g * Cg; c < (g + 1) * Cg; c++) {
                            double d = x[((n * T + f) * HW + s) * C + c] - mean;
                            sq += d * d;
                        }
                const double rstd = 1.0 / sqrt(sq / count + (double)p->eps);
                for (int64_t f = t0; f < t0 + F; f++)
                    for (int64_t s = 0; s < HW; s++)
                        for (int64_t c = g * Cg; c < (g + 1) * Cg; c++) {
                            int64_t i = ((n * T + f) * HW + s) * C + c;
                            double v = (x[i] - mean) * rstd;
                            if (gamma)
                                v *= gamma[c];
                            if (beta)
                                v += beta[c];
                            y[i] = vdk_ref_activate(p->act, v);
                        }
            }
        }
        vdk_ref_store(yt, y);
    }
    free(x);
    free(gamma);
    free(beta);
    free(y);
    return vdk_ref_finish(ctx, "vdk_group_norm", "reference.group_norm", ok);
}
