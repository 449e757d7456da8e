/* diffusers' AlphaBlender mix: y = alpha * a + (1 - alpha) * b, in that order of
 * operations. alpha is p->alpha as given, or the alpha tensor broadcast onto a,
 * through a sigmoid when p->sigmoid is set (the "learned" merge strategies). */
#include "broadcast.h"

vdk_status vdk_ref_blend(vdk_context *ctx, const vdk_blend_params *p, const vdk_tensor *at,
                         const vdk_tensor *bt, const vdk_tensor *alphat, vdk_tensor *yt)
{
    const int64_t n = vdk_numel_of(at->rank, at->shape);
    bool ok = true;
    double *a = vdk_ref_load(at, &ok), *b = vdk_ref_load(bt, &ok),
           *alpha = vdk_ref_load_broadcast(alphat, at->rank, at->shape, &ok),
           *y = vdk_ref_alloc(n, &ok);
    if (ok) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; i++) {
            double w = (double)p->alpha;
            if (alpha)
                w = p->sigmoid ? vdk_ref_sigmoid(alpha[i]) : alpha[i];
            y[i] = w * a[i] + (1.0 - w) * b[i];
        }
        vdk_ref_store(yt, y);
    }
    free(a);
    free(b);
    free(alpha);
    free(y);
    return vdk_ref_finish(ctx, "vdk_blend", "reference.blend", ok);
}
