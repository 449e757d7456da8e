/* Placeholder until the reference blend lands. */
#include "ref.h"

vdk_status vdk_ref_blend(vdk_context * arg0, const vdk_blend_params * arg1, const vdk_tensor *a, const vdk_tensor *b, const vdk_tensor *alpha, vdk_tensor *y)
{
    (void)arg1;
    (void)a;
    (void)b;
    (void)alpha;
    (void)y;
    return vdk_fail(arg0, VDK_ERROR_UNSUPPORTED, "vdk_blend: the reference is not written yet");
}
