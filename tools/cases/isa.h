/* The CPU tier list of vdk-validate's and vdk-bench's --isa and --require-isa
 * options. */
#ifndef VDK_TOOLS_ISA_H
#define VDK_TOOLS_ISA_H

#include "vdk/vdk.h"

#include <stdbool.h>
#include <stddef.h>

/* Adds the tiers of a comma-separated list ("avx2,scalar") to tiers[]; "all"
 * adds every tier available here (vdk_cpu_isa_available). Returns false with a
 * message in err for an empty list, an unknown name or "auto" (a tier list
 * names tiers; the default tier is what no --isa gives). */
bool vc_isa_parse(const char *list, bool tiers[VDK_CPU_ISA_COUNT], char *err, size_t size);

/* Whether name is one of the comma-separated names of list; false for a NULL list. */
bool vc_listed(const char *list, const char *name);

#endif
