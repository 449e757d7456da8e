/* vdk-bench: what the result set says about the machine and the build. */
#ifndef VDK_BENCH_DEVICE_H
#define VDK_BENCH_DEVICE_H

#include <stdint.h>

#define VB_MAX_ISA 32

typedef struct vb_cpu {
    char vendor[32];  /* cpuid's "AuthenticAMD", or /proc/cpuinfo's */
    char model[128];  /* the brand string, e.g. "AMD EPYC" */
    const char *isa[VB_MAX_ISA]; /* flags the CPU has and the OS enables, e.g. "avx2" */
    int nisa;
    int cores;        /* physical cores (logical CPUs where the topology is unknown) */
    int logical;      /* logical CPUs */
    int64_t l1d, l2, l3; /* bytes of one instance; 0 when unknown */
    const char *topology_source; /* "hwloc" or "sysfs" */
} vb_cpu;

/* Fills cpu from hwloc when vdk was built with it, else from sysfs and
 * /proc/cpuinfo; cpuid (x86-64) gives the ISA either way. */
void vb_cpu_describe(vb_cpu *cpu);

/* Host memory available to a new allocation (MemAvailable), in bytes; 0 when
 * unknown. */
int64_t vb_host_memory_available(void);

#endif
