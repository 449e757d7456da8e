/* 3-D convolution as torch.nn.functional.conv3d (cross-correlation, zero padding,
 * no dilation) on the channels-last layout:
 *   y[n, to, ho, wo, co] = act(bias[co] + sum_{a, b, c, ci} w[co, a, b, c, ci] *
 *                              x[n, to*st + a - pt, ho*sh + b - ph, wo*sw + c - pw, ci])
 *                          + residual[n, to, ho, wo, co],
 * where taps that fall outside x read zero. Each output sums its taps in a fixed
 * order in double, so the result does not depend on the thread count. */
#include "ref.h"

vdk_status vdk_ref_conv3d(vdk_context *ctx, const vdk_conv3d_params *p, const vdk_tensor *xt,
                          const vdk_tensor *wt, const vdk_tensor *bt, const vdk_tensor *rt,
                          vdk_tensor *yt)
{
    const int64_t N = xt->shape[0], T = xt->shape[1], H = xt->shape[2], W = xt->shape[3],
                  Cin = xt->shape[4];
    const int64_t Cout = wt->shape[0], KT = wt->shape[1], KH = wt->shape[2], KW = wt->shape[3];
    const int64_t To = yt->shape[1], Ho = yt->shape[2], Wo = yt->shape[3];
    const int64_t st = p->stride[0] ? p->stride[0] : 1, sh = p->stride[1] ? p->stride[1] : 1,
                  sw = p->stride[2] ? p->stride[2] : 1;
    const int64_t pt = p->padding[0], ph = p->padding[1], pw = p->padding[2];
    bool ok = true;
    /* residual is loaded before y is stored, so residual == y (in place) reads the old y. */
    double *x = vdk_ref_load(xt, &ok), *w = vdk_ref_load(wt, &ok), *bias = vdk_ref_load(bt, &ok),
           *res = vdk_ref_load(rt, &ok), *y = vdk_ref_alloc(N * To * Ho * Wo * Cout, &ok);
    if (ok) {
#pragma omp parallel for collapse(3) schedule(static)
        for (int64_t n = 0; n < N; n++)
            for (int64_t to = 0; to < To; to++)
                for (int64_t ho = 0; ho < Ho; ho++)
                    for (int64_t wo = 0; wo < Wo; wo++)
                        for (int64_t co = 0; co < Cout; co++) {
                            double acc = 0;
                            for (int64_t a = 0; a < KT; a++) {
                                const int64_t ti = to * st + a - pt;
                                if (ti < 0 || ti >= T)
                                    continue;
                                for (int64_t b = 0; b < KH; b++) {
                                    const int64_t hi = ho * sh + b - ph;
                                    if (hi < 0 || hi >= H)
                                        continue;
                                    for (int64_t c = 0; c < KW; c++) {
                                        const int64_t wi = wo * sw + c - pw;
                                        if (wi < 0 || wi >= W)
                                            continue;
                                        const double *xp =
                                            &x[(((n * T + ti) * H + hi) * W + wi) * Cin];
                                        const double *wp =
                                            &w[(((co * KT + a) * KH + b) * KW + c) * Cin];
                                        for (int64_t ci = 0; ci < Cin; ci++)
                                            acc += wp[ci] * xp[ci];
                                    }
                                }
                            }
                            if (bias)
                                acc += bias[co];
                            const int64_t i = (((n * To + to) * Ho + ho) * Wo + wo) * Cout + co;
                            y[i] = vdk_ref_activate(p->act, acc) + (res ? res[i] : 0.0);
                        }
        vdk_ref_store(yt, y);
    }
    free(x);
    free(w);
    free(bias);
    free(res);
    free(y);
    return vdk_ref_finish(ctx, "vdk_conv3d", "reference.conv3d", ok);
}
