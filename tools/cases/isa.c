/* The --isa tier list. */
#include "isa.h"

#include <stdio.h>
#include <string.h>

bool vc_listed(const char *list, const char *name)
{
    const size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        const size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && !strncmp(p, name, len))
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

bool vc_isa_parse(const char *list, bool tiers[VDK_CPU_ISA_COUNT], char *err, size_t size)
{
    bool any = false;
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        const size_t n = end ? (size_t)(end - p) : strlen(p);
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), p);
        if (!strcmp(name, "all")) {
            for (int i = VDK_CPU_ISA_SCALAR; i < VDK_CPU_ISA_COUNT; i++)
                if (vdk_cpu_isa_available((vdk_cpu_isa)i))
                    tiers[i] = any = true;
        } else {
            vdk_cpu_isa isa = vdk_cpu_isa_from_name(name);
            if (isa == VDK_CPU_ISA_AUTO || isa == VDK_CPU_ISA_COUNT || n >= sizeof name) {
                snprintf(err, size, "unknown CPU tier '%s' in '%s'; choose from scalar, avx2, "
                                    "avx512, neon or all",
                         name, list);
                return false;
            }
            tiers[isa] = any = true;
        }
        if (!end)
            break;
        p = end + 1;
    }
    if (!any)
        snprintf(err, size, "'%s' names no CPU tier; choose from scalar, avx2, avx512, neon or "
                            "all",
                 list);
    return any;
}
