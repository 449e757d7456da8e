#include "profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vc_print_profile(vdk_context *ctx, const char *label)
{
    const char *env = getenv("VDK_PROFILE");
    if (!ctx || !env || !*env || !strcmp(env, "0"))
        return;
    const size_t len = vdk_profile_format(ctx, NULL, 0);
    char *text = malloc(len + 1);
    if (!text)
        return;
    vdk_profile_format(ctx, text, len + 1);
    fprintf(stderr, "profile: %s\n%s", label, text);
    free(text);
}
