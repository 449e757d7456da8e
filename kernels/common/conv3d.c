/* vdk_conv3d on the CPU: an implicit GEMM (gemm.c) with M = output positions,
 * N = Cout and K = kt*kh*kw*Cin. A's rows are gathered per M-block and K-block
 * (im2col of that block only, zeros for padding), or read in place when the
 * storage is f32 and a K-block lies inside one tap; a (1,1,1) kernel with stride 1
 * is therefore the linear GEMM over the rows of x. */
#include "gemm.h"

vdk_status VDK_K(conv3d)(vdk_context *ctx, const vdk_conv3d_params *p, const vdk_tensor *x,
                         const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                         vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("conv3d");
    vdk_gemm_conv c = {.T = x->shape[1], .H = x->shape[2], .W = x->shape[3],
                       .To = y->shape[1], .Ho = y->shape[2], .Wo = y->shape[3]};
    for (int a = 0; a < 3; a++) {
        c.k[a] = w->shape[1 + a];
        c.stride[a] = p->stride[a] ? p->stride[a] : 1;
        c.pad[a] = p->padding[a];
    }
    const vdk_gemm_args g = {x, w, bias, residual, y, p->act, &c, "vdk_conv3d"};
    vdk_status st = VDK_K(gemm)(ctx, &g);
    if (st == VDK_OK)
        ctx->last_kernel = names[x->dtype];
    return st;
}
