/* vdk-bench: the CPU description (model, ISA, cores, caches) and the host
 * memory the case-size check compares against. */
#include "device.h"

#include "vdk_config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if VDK_HAVE_HWLOC
#include <hwloc.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

static void trim(char *s)
{
    size_t start = 0, n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
        s[--n] = '\0';
    while (s[start] == ' ' || s[start] == '\t')
        start++;
    memmove(s, s + start, n - start + 1);
}

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
    trim(dst);
}

/* The value of the first "key : value" line of /proc/cpuinfo, or "". */
static void cpuinfo_field(const char *key, char *out, size_t size)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[4096];
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) || (line[klen] != ' ' && line[klen] != '\t' &&
                                         line[klen] != ':'))
            continue;
        const char *colon = strchr(line, ':');
        if (colon) {
            copy(out, size, colon + 1);
            break;
        }
    }
    fclose(f);
}

/* ---- ISA ---- */

static void isa_add(vb_cpu *cpu, const char *name)
{
    if (cpu->nisa < VB_MAX_ISA)
        cpu->isa[cpu->nisa++] = name;
}

#if defined(__x86_64__) || defined(__i386__)
static uint64_t xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* cpuid bits the CPU has, kept only where XCR0 says the OS saves the
 * registers they use, so the list is what a kernel may actually run. */
static void cpu_isa(vb_cpu *cpu)
{
    unsigned a, b, c, d;
    unsigned max_leaf = (unsigned)__get_cpuid_max(0, NULL);
    if (max_leaf == 0)
        return;
    __cpuid(0, a, b, c, d);
    memcpy(cpu->vendor, &b, 4);
    memcpy(cpu->vendor + 4, &d, 4);
    memcpy(cpu->vendor + 8, &c, 4);
    cpu->vendor[12] = '\0';

    __cpuid(1, a, b, c, d);
    const unsigned c1 = c, d1 = d;
    const bool osxsave = (c1 >> 27) & 1;
    const uint64_t x = osxsave ? xcr0() : 0;
    const bool ymm = (x & 0x6) == 0x6, zmm = (x & 0xe6) == 0xe6, amx = (x & 0x60000) == 0x60000;
    unsigned b7 = 0, c7 = 0, d7 = 0, a71 = 0;
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        b7 = b, c7 = c, d7 = d;
        if (a >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            a71 = a;
        }
    }
    if ((d1 >> 26) & 1)
        isa_add(cpu, "sse2");
    if ((c1 >> 20) & 1)
        isa_add(cpu, "sse4_2");
    if (ymm && (c1 >> 28) & 1)
        isa_add(cpu, "avx");
    if (ymm && (b7 >> 5) & 1)
        isa_add(cpu, "avx2");
    if (ymm && (c1 >> 12) & 1)
        isa_add(cpu, "fma");
    if (ymm && (c1 >> 29) & 1)
        isa_add(cpu, "f16c");
    if (ymm && (a71 >> 4) & 1)
        isa_add(cpu, "avx_vnni");
    const struct {
        const char *name;
        const unsigned *reg;
        int bit;
    } zmm_bits[] = {
        {"avx512f", &b7, 16},     {"avx512dq", &b7, 17},  {"avx512bw", &b7, 30},
        {"avx512vl", &b7, 31},    {"avx512_vnni", &c7, 11}, {"avx512_bf16", &a71, 5},
        {"avx512_fp16", &d7, 23},
    };
    for (size_t i = 0; i < sizeof zmm_bits / sizeof zmm_bits[0]; i++)
        if (zmm && (*zmm_bits[i].reg >> zmm_bits[i].bit) & 1)
            isa_add(cpu, zmm_bits[i].name);
    if (amx && (d7 >> 24) & 1)
        isa_add(cpu, "amx_tile");
    if (amx && (d7 >> 22) & 1)
        isa_add(cpu, "amx_bf16");

    if ((unsigned)__get_cpuid_max(0x80000000u, NULL) >= 0x80000004u) {
        unsigned r[13] = {0};
        for (unsigned i = 0; i < 3; i++)
            __cpuid(0x80000002u + i, r[4 * i], r[4 * i + 1], r[4 * i + 2], r[4 * i + 3]);
        char brand[64];
        memcpy(brand, r, 48);
        brand[48] = '\0';
        copy(cpu->model, sizeof cpu->model, brand);
    }
}
#else
/* Elsewhere the kernel's own feature list names the ISA (AArch64: "Features"). */
static void cpu_isa(vb_cpu *cpu)
{
    static char features[1024];
    cpuinfo_field("Features", features, sizeof features);
    static const char *const wanted[] = {"asimd", "fphp", "asimdhp", "asimddp", "bf16",
                                         "i8mm",  "sve",  "sve2",    "sme"};
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        size_t n = strlen(wanted[i]);
        for (const char *p = features; (p = strstr(p, wanted[i])); p += n)
            if ((p == features || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
                isa_add(cpu, wanted[i]);
                break;
            }
    }
    cpuinfo_field("CPU implementer", cpu->vendor, sizeof cpu->vendor);
}
#endif

/* ---- topology and caches ---- */

#if VDK_HAVE_HWLOC
static int64_t cache_size(hwloc_topology_t topo, hwloc_obj_type_t type)
{
    hwloc_obj_t o = hwloc_get_obj_by_type(topo, type, 0);
    return o && o->attr ? (int64_t)o->attr->cache.size : 0;
}

static bool topology_hwloc(vb_cpu *cpu)
{
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0)
        return false;
    if (hwloc_topology_load(topo) != 0) {
        hwloc_topology_destroy(topo);
        return false;
    }
    cpu->logical = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    int cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    cpu->cores = cores > 0 ? cores : cpu->logical;
    cpu->l1d = cache_size(topo, HWLOC_OBJ_L1CACHE);
    cpu->l2 = cache_size(topo, HWLOC_OBJ_L2CACHE);
    cpu->l3 = cache_size(topo, HWLOC_OBJ_L3CACHE);
    hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
    if (pkg) {
        const char *model = hwloc_obj_get_info_by_name(pkg, "CPUModel");
        const char *vendor = hwloc_obj_get_info_by_name(pkg, "CPUVendor");
        if (model && !cpu->model[0])
            copy(cpu->model, sizeof cpu->model, model);
        if (vendor && !cpu->vendor[0])
            copy(cpu->vendor, sizeof cpu->vendor, vendor);
    }
    hwloc_topology_destroy(topo);
    cpu->topology_source = "hwloc";
    return cpu->logical > 0;
}
#endif

static int64_t read_size(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char buf[64] = "";
    char *ok = fgets(buf, sizeof buf, f);
    fclose(f);
    if (!ok)
        return 0;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (*end == 'K')
        v *= 1024;
    else if (*end == 'M')
        v *= 1024 * 1024;
    return v > 0 ? (int64_t)v : 0;
}

static void read_text(const char *path, char *out, size_t size)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (!fgets(out, (int)size, f))
        out[0] = '\0';
    fclose(f);
    trim(out);
}

/* sysfs: cpu0's cache indices, and cores counted as distinct sibling lists. */
static void topology_sysfs(vb_cpu *cpu)
{
    cpu->topology_source = "sysfs";
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cpu->logical = n > 0 ? (int)n : 1;
    for (int i = 0; i < 16; i++) {
        char path[128], type[32], level[8];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
        read_text(path, type, sizeof type);
        if (!type[0])
            break;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        read_text(path, level, sizeof level);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        int64_t bytes = read_size(path);
        if (!strcmp(level, "1") && strcmp(type, "Instruction"))
            cpu->l1d = bytes;
        else if (!strcmp(level, "2"))
            cpu->l2 = bytes;
        else if (!strcmp(level, "3"))
            cpu->l3 = bytes;
    }
    enum { MAX_CPUS = 4096 };
    static char seen[256][64];
    int distinct = 0;
    for (int i = 0; i < MAX_CPUS && distinct < 256; i++) {
        char path[128], list[64];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list",
                 i);
        read_text(path, list, sizeof list);
        if (!list[0])
            continue;
        bool known = false;
        for (int k = 0; k < distinct && !known; k++)
            known = !strcmp(seen[k], list);
        if (!known)
            snprintf(seen[distinct++], sizeof seen[0], "%s", list);
    }
    cpu->cores = distinct > 0 ? distinct : cpu->logical;
}

void vb_cpu_describe(vb_cpu *cpu)
{
    memset(cpu, 0, sizeof *cpu);
    cpu_isa(cpu);
    bool done = false;
#if VDK_HAVE_HWLOC
    done = topology_hwloc(cpu);
#endif
    if (!done)
        topology_sysfs(cpu);
    if (!cpu->model[0])
        cpuinfo_field("model name", cpu->model, sizeof cpu->model);
    if (!cpu->vendor[0])
        cpuinfo_field("vendor_id", cpu->vendor, sizeof cpu->vendor);
    if (!cpu->model[0])
        copy(cpu->model, sizeof cpu->model, VDK_SYSTEM_PROCESSOR);
}

int64_t vb_host_memory_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        long long kb = -1;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
                break;
        fclose(f);
        if (kb > 0)
            return (int64_t)kb * 1024;
    }
#ifdef _SC_AVPHYS_PAGES
    long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0)
        return (int64_t)pages * page;
#endif
    return 0;
}
