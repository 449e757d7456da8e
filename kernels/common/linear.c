/* vdk_linear on the CPU: the GEMM of gemm.c with x's rows as A and w as B, bias,
 * activation (or GEGLU) and residual fused into its epilogue. */
#include "gemm.h"

vdk_status VDK_K(linear)(vdk_context *ctx, const vdk_linear_params *p, const vdk_tensor *x,
                         const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                         vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("linear");
    const vdk_gemm_args g = {x, w, bias, residual, y, p->act, NULL, "vdk_linear"};
    vdk_status st = VDK_K(gemm)(ctx, &g);
    if (st == VDK_OK)
        ctx->last_kernel = names[x->dtype];
    return st;
}
