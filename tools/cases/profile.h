/* VDK_PROFILE=1 in vdk-validate and vdk-bench: each context's per-kernel time
 * table (vdk_profile_format) on stderr when the tool ends. */
#ifndef VDK_TOOLS_PROFILE_H
#define VDK_TOOLS_PROFILE_H

#include "vdk/vdk.h"

/* Prints ctx's table under a "profile: <label>" heading when the environment
 * has VDK_PROFILE set and not "0"; nothing otherwise. */
void vc_print_profile(vdk_context *ctx, const char *label);

#endif
