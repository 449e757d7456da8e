/* Placeholder until the reference upsample lands. */
#include "ref.h"

vdk_status vdk_ref_upsample(vdk_context * arg0, const vdk_upsample_params * arg1, const vdk_tensor *x, vdk_tensor *y)
{
    (void)arg1;
    (void)x;
    (void)y;
    return vdk_fail(arg0, VDK_ERROR_UNSUPPORTED, "vdk_upsample: the reference is not written yet");
}
