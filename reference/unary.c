/* Placeholder until the reference unary lands. */
#include "ref.h"

vdk_status vdk_ref_unary(vdk_context * arg0, const vdk_unary_params * arg1, const vdk_tensor *x, vdk_tensor *y)
{
    (void)arg1;
    (void)x;
    (void)y;
    return vdk_fail(arg0, VDK_ERROR_UNSUPPORTED, "vdk_unary: the reference is not written yet");
}
