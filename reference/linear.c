/* Placeholder until the reference linear lands. */
#include "ref.h"

vdk_status vdk_ref_linear(vdk_context * arg0, const vdk_linear_params * arg1, const vdk_tensor *x, const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual, vdk_tensor *y)
{
    (void)arg1;
    (void)x;
    (void)w;
    (void)bias;
    (void)residual;
    (void)y;
    return vdk_fail(arg0, VDK_ERROR_UNSUPPORTED, "vdk_linear: the reference is not written yet");
}
