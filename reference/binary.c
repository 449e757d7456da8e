/* Placeholder until the reference binary lands. */
#include "ref.h"

vdk_status vdk_ref_binary(vdk_context * arg0, const vdk_binary_params * arg1, const vdk_tensor *a, const vdk_tensor *b, vdk_tensor *y)
{
    (void)arg1;
    (void)a;
    (void)b;
    (void)y;
    return vdk_fail(arg0, VDK_ERROR_UNSUPPORTED, "vdk_binary: the reference is not written yet");
}
