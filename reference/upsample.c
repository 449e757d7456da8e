/* Nearest up-sampling by integer factors, as torch.nn.functional.interpolate(...,
 * mode='nearest') with integer scale factors (equivalently repeat_interleave on
 * each axis): y[n, t, h, w, c] = x[n, t / ft, h / fh, w / fw, c], floor division. */
#include "ref.h"

vdk_status vdk_ref_upsample(vdk_context *ctx, const vdk_upsample_params *p, const vdk_tensor *xt,
                            vdk_tensor *yt)
{
    const int64_t N = xt->shape[0], T = xt->shape[1], H = xt->shape[2], W = xt->shape[3],
                  C = xt->shape[4];
    const int64_t ft = p->factor[0] ? p->factor[0] : 1, fh = p->factor[1] ? p->factor[1] : 1,
                  fw = p->factor[2] ? p->factor[2] : 1;
    const int64_t To = T * ft, Ho = H * fh, Wo = W * fw;
    bool ok = true;
    double *x = vdk_ref_load(xt, &ok), *y = vdk_ref_alloc(N * To * Ho * Wo * C, &ok);
    if (ok) {
#pragma omp parallel for collapse(2) schedule(static)
        for (int64_t n = 0; n < N; n++)
            for (int64_t t = 0; t < To; t++)
                for (int64_t h = 0; h < Ho; h++)
                    for (int64_t w = 0; w < Wo; w++)
                        for (int64_t c = 0; c < C; c++)
                            y[(((n * To + t) * Ho + h) * Wo + w) * C + c] =
                                x[(((n * T + t / ft) * H + h / fh) * W + w / fw) * C + c];
        vdk_ref_store(yt, y);
    }
    free(x);
    free(y);
    return vdk_ref_finish(ctx, "vdk_upsample", "reference.upsample", ok);
}
