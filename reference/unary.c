/* Elementwise y = f(x): SiLU x * sigmoid(x) (torch.nn.functional.silu), exact erf
 * GELU (torch.nn.functional.gelu, approximate='none'), sigmoid (torch.sigmoid) and
 * the affine map alpha * x + beta. */
#include "ref.h"

vdk_status vdk_ref_unary(vdk_context *ctx, const vdk_unary_params *p, const vdk_tensor *xt,
                         vdk_tensor *yt)
{
    const int64_t n = vdk_numel_of(xt->rank, xt->shape);
    const double alpha = p->alpha, beta = p->beta;
    bool ok = true;
    double *x = vdk_ref_load(xt, &ok), *y = vdk_ref_alloc(n, &ok);
    if (ok) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; i++) {
            switch (p->op) {
            case VDK_UNARY_SILU:
                y[i] = vdk_ref_silu(x[i]);
                break;
            case VDK_UNARY_GELU:
                y[i] = vdk_ref_gelu(x[i]);
                break;
            case VDK_UNARY_SIGMOID:
                y[i] = vdk_ref_sigmoid(x[i]);
                break;
            default: /* VDK_UNARY_AFFINE; the front end admits no other op */
                y[i] = alpha * x[i] + beta;
                break;
            }
        }
        vdk_ref_store(yt, y);
    }
    free(x);
    free(y);
    return vdk_ref_finish(ctx, "vdk_unary", "reference.unary", ok);
}
