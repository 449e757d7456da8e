/* Placeholder until the reference timestep_embedding lands. */
#include "ref.h"

vdk_status vdk_ref_timestep_embedding(vdk_context * arg0, const vdk_timestep_embedding_params * arg1, const vdk_tensor *t, vdk_tensor *y)
{
    (void)arg1;
    (void)t;
    (void)y;
    return vdk_fail(arg0, VDK_ERROR_UNSUPPORTED, "vdk_timestep_embedding: the reference is not written yet");
}
