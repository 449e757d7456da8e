/* Placeholder until the reference attention lands. */
#include "ref.h"

vdk_status vdk_ref_attention(vdk_context * arg0, const vdk_attention_params * arg1, const vdk_tensor *q, const vdk_tensor *k, const vdk_tensor *v, vdk_tensor *o)
{
    (void)arg1;
    (void)q;
    (void)k;
    (void)v;
    (void)o;
    return vdk_fail(arg0, VDK_ERROR_UNSUPPORTED, "vdk_attention: the reference is not written yet");
}
