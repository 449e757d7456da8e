/* Linear layer, as torch.nn.functional.linear followed by the activation:
 * h = x w^T + bias per row of x; y = act(h) + residual, or for GEGLU
 * y = a * gelu(g) + residual with a = h[:Cout/2], g = h[Cout/2:] (diffusers'
 * GEGLU chunks the projection that way). Each output element is computed from
 * its own dot products, so GEGLU needs no buffer for h. */
#include "ref.h"

/* h[o] of one row: the dot product of the row with row o of w, plus bias[o]. */
static double pre_activation(const double *xrow, const double *w, const double *bias,
                             int64_t Cin, int64_t o)
{
    double h = bias ? bias[o] : 0.0;
    for (int64_t k = 0; k < Cin; k++)
        h += xrow[k] * w[o * Cin + k];
    return h;
}

vdk_status vdk_ref_linear(vdk_context *ctx, const vdk_linear_params *p, const vdk_tensor *xt,
                          const vdk_tensor *wt, const vdk_tensor *bt, const vdk_tensor *rt,
                          vdk_tensor *yt)
{
    const int64_t Cin = xt->shape[xt->rank - 1], Cout = wt->shape[0];
    const int64_t rows = vdk_numel_of(xt->rank, xt->shape) / Cin;
    const bool geglu = p->act == VDK_ACT_GEGLU;
    const int64_t Cy = geglu ? Cout / 2 : Cout;
    bool ok = true;
    double *x = vdk_ref_load(xt, &ok), *w = vdk_ref_load(wt, &ok), *bias = vdk_ref_load(bt, &ok),
           *residual = vdk_ref_load(rt, &ok), *y = vdk_ref_alloc(rows * Cy, &ok);
    if (ok) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < rows; i++) {
            const double *xrow = x + i * Cin;
            for (int64_t j = 0; j < Cy; j++) {
                double v;
                if (geglu) {
                    double a = pre_activation(xrow, w, bias, Cin, j);
                    double g = pre_activation(xrow, w, bias, Cin, Cy + j);
                    v = a * vdk_ref_gelu(g);
                } else {
                    v = vdk_ref_activate(p->act, pre_activation(xrow, w, bias, Cin, j));
                }
                if (residual)
                    v += residual[i * Cy + j];
                y[i * Cy + j] = v;
            }
        }
        vdk_ref_store(yt, y);
    }
    free(x);
    free(w);
    free(bias);
    free(residual);
    free(y);
    return vdk_ref_finish(ctx, "vdk_linear", "reference.linear", ok);
}
