/* Elementwise y = a op b with b broadcast onto a's shape, as torch's a + b,
 * a - b and a * b broadcast it. */
#include "broadcast.h"

vdk_status vdk_ref_binary(vdk_context *ctx, const vdk_binary_params *p, const vdk_tensor *at,
                          const vdk_tensor *bt, vdk_tensor *yt)
{
    const int64_t n = vdk_numel_of(at->rank, at->shape);
    bool ok = true;
    double *a = vdk_ref_load(at, &ok), *b = vdk_ref_load_broadcast(bt, at->rank, at->shape, &ok),
           *y = vdk_ref_alloc(n, &ok);
    if (ok) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; i++) {
            switch (p->op) {
            case VDK_BINARY_ADD:
                y[i] = a[i] + b[i];
                break;
            case VDK_BINARY_SUB:
                y[i] = a[i] - b[i];
                break;
            default: /* VDK_BINARY_MUL; the front end admits no other op */
                y[i] = a[i] * b[i];
                break;
            }
        }
        vdk_ref_store(yt, y);
    }
    free(a);
    free(b);
    free(y);
    return vdk_ref_finish(ctx, "vdk_binary", "reference.binary", ok);
}
