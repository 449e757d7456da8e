/* The CPU backend's one place of decisions: which tiers the processor runs
 * (cpuid + xgetbv on x86-64, hwcaps on AArch64, detected once), which tier and
 * how many threads a context uses, and where those threads run (hwloc). */
#include "cpu.h"

#include "vdk_config.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#if VDK_HAVE_OPENMP
#include <omp.h>
#endif
#if VDK_HAVE_HWLOC
#include <hwloc.h>
#endif
#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#endif

static const char *const isa_names[VDK_CPU_ISA_COUNT] = {
    [VDK_CPU_ISA_AUTO] = "auto",     [VDK_CPU_ISA_SCALAR] = "scalar",
    [VDK_CPU_ISA_AVX2] = "avx2",     [VDK_CPU_ISA_AVX512] = "avx512",
    [VDK_CPU_ISA_NEON] = "neon",
};

const char *vdk_cpu_isa_name(vdk_cpu_isa isa)
{
    if ((int)isa < 0 || isa >= VDK_CPU_ISA_COUNT)
        return "unknown";
    return isa_names[isa];
}

vdk_cpu_isa vdk_cpu_isa_from_name(const char *name)
{
    for (int i = 0; name && i < VDK_CPU_ISA_COUNT; i++)
        if (!strcmp(name, isa_names[i]))
            return (vdk_cpu_isa)i;
    return VDK_CPU_ISA_COUNT;
}

/* ---- features ---- */

static vdk_cpu_features features;
static vdk_cpu_topology topology;
static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
#if VDK_HAVE_HWLOC
static hwloc_topology_t hw; /* kept for binding; NULL when hwloc failed to load */
#endif

#if defined(__x86_64__)
static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void detect_x86(vdk_cpu_features *f)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return;
    const bool osxsave = c & (1u << 27), fma = c & (1u << 12), f16c = c & (1u << 29);
    if (!osxsave)
        return; /* the OS does not save the ymm state: no AVX at all */
    const uint64_t xcr0 = xgetbv0();
    const bool ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xe6) == 0xe6;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return;
    const unsigned max_subleaf = a; /* leaf 7, sub-leaf 0: EAX is the last sub-leaf */
    f->fma = ymm && fma;
    f->f16c = ymm && f16c;
    f->avx2 = ymm && (b & (1u << 5));
    f->avx512f = zmm && (b & (1u << 16));
    f->avx512dq = zmm && (b & (1u << 17));
    f->avx512bw = zmm && (b & (1u << 30));
    f->avx512vl = zmm && (b & (1u << 31));
    f->avx512fp16 = zmm && (d & (1u << 23));
    if (max_subleaf >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d))
        f->avx512bf16 = zmm && (a & (1u << 5));
}
#endif

static void detect_topology(vdk_cpu_topology *t)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    t->pus = t->cores = n > 0 ? (int)n : 1;
#if VDK_HAVE_HWLOC
    if (hwloc_topology_init(&hw) || hwloc_topology_load(hw)) {
        hw = NULL;
        return;
    }
    int cores = hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_CORE);
    int pus = hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_PU);
    if (cores > 0)
        t->cores = cores;
    if (pus > 0)
        t->pus = pus;
    hwloc_obj_t pu = hwloc_get_obj_by_type(hw, HWLOC_OBJ_PU, 0);
    for (hwloc_obj_t o = pu ? pu->parent : NULL; o; o = o->parent) {
        if (o->type == HWLOC_OBJ_L1CACHE && o->attr->cache.type != HWLOC_OBJ_CACHE_INSTRUCTION)
            t->l1d = o->attr->cache.size;
        else if (o->type == HWLOC_OBJ_L2CACHE)
            t->l2 = o->attr->cache.size;
        else if (o->type == HWLOC_OBJ_L3CACHE)
            t->l3 = o->attr->cache.size;
    }
#endif
}

static void detect(void)
{
#if defined(__x86_64__)
    detect_x86(&features);
#elif defined(__aarch64__)
    unsigned long hwcap = getauxval(AT_HWCAP);
    features.neon = hwcap & (1ul << 1);     /* HWCAP_ASIMD */
    features.asimdhp = hwcap & (1ul << 10); /* HWCAP_ASIMDHP */
#endif
    detect_topology(&topology);
}

const vdk_cpu_features *vdk_cpu_features_get(void)
{
    pthread_once(&detect_once, detect);
    return &features;
}

const vdk_cpu_topology *vdk_cpu_topology_get(void)
{
    pthread_once(&detect_once, detect);
    return &topology;
}

/* Whether the processor runs the tier, built or not. */
static bool processor_runs(vdk_cpu_isa isa)
{
    const vdk_cpu_features *f = vdk_cpu_features_get();
    switch (isa) {
    case VDK_CPU_ISA_SCALAR:
        return true;
    case VDK_CPU_ISA_AVX2:
        return f->avx2 && f->fma && f->f16c;
    case VDK_CPU_ISA_AVX512:
        return f->avx512f && f->avx512bw && f->avx512vl && f->avx512dq && f->fma && f->f16c;
    case VDK_CPU_ISA_NEON:
        return f->neon;
    default:
        return false;
    }
}

int vdk_cpu_isa_available(vdk_cpu_isa isa)
{
    if (isa == VDK_CPU_ISA_AUTO)
        return 1;
    return (int)isa > 0 && isa < VDK_CPU_ISA_COUNT && vdk_cpu_tier_ops(isa) &&
           processor_runs(isa);
}

/* Why a tier cannot run here, for the error message. */
static const char *unavailable_reason(vdk_cpu_isa isa)
{
    if (!vdk_cpu_tier_ops(isa))
        return "it is not built into this library (see the CMake summary: "
               "VDK_AVX512/VDK_AVX2/VDK_NEON)";
    return "this processor (or its operating system) does not support it";
}

/* ---- contexts ---- */

#if VDK_HAVE_HWLOC
/* Each thread of a team of n binds itself to core i (or, with more threads than
 * cores, to hardware thread i mod PUs). libgomp keeps its threads for the next
 * team of the same size, so the binding holds for the kernels that follow. A
 * refused binding (a container's cpuset, say) leaves the thread where it is. */
static void bind_threads(int n)
{
    if (!hw)
        return;
    const char *env = getenv("VDK_CPU_BIND");
    if (env && !strcmp(env, "0"))
        return;
    const int cores = hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_CORE);
    const int pus = hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_PU);
    const bool by_core = cores > 0 && n <= cores;
    if (!by_core && pus <= 0)
        return;
#pragma omp parallel num_threads(n)
    {
        int i = vdk_cpu_thread_id();
        hwloc_obj_t o = by_core ? hwloc_get_obj_by_type(hw, HWLOC_OBJ_CORE, (unsigned)i)
                                : hwloc_get_obj_by_type(hw, HWLOC_OBJ_PU, (unsigned)(i % pus));
        if (o && o->cpuset)
            hwloc_set_cpubind(hw, o->cpuset, HWLOC_CPUBIND_THREAD);
    }
}
#else
static void bind_threads(int n) { (void)n; }
#endif

static vdk_cpu_isa best_available(void)
{
    static const vdk_cpu_isa order[] = {VDK_CPU_ISA_AVX512, VDK_CPU_ISA_AVX2, VDK_CPU_ISA_NEON};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++)
        if (vdk_cpu_isa_available(order[i]))
            return order[i];
    return VDK_CPU_ISA_SCALAR;
}

/* From how many bytes on an output is written with streaming stores: half the
 * last-level cache (an output that large could not stay cached for the next
 * operator anyway, and streaming saves reading every line before it is
 * written), or VDK_CPU_STREAM_MIN (bytes; 0 streams every output, -1 none). */
static vdk_status stream_threshold(int64_t *out)
{
    const vdk_cpu_topology *t = vdk_cpu_topology_get();
    const size_t llc = t->l3 ? t->l3 : t->l2 ? t->l2 : (size_t)8 << 20;
    *out = (int64_t)(llc / 2);
    const char *env = getenv("VDK_CPU_STREAM_MIN");
    if (!env || !*env)
        return VDK_OK;
    char *end;
    long long v = strtoll(env, &end, 10);
    if (*end || v < -1)
        return vdk_fail(NULL, VDK_ERROR_INVALID_VALUE,
                        "vdk_context_create: VDK_CPU_STREAM_MIN is '%s'; expected a byte count "
                        ">= 0, or -1 for no streaming stores",
                        env);
    *out = v < 0 ? INT64_MAX : (int64_t)v;
    return VDK_OK;
}

vdk_status vdk_cpu_context_init(vdk_context *ctx, const vdk_context_desc *desc)
{
    vdk_cpu_isa isa = desc->cpu_isa;
    const char *from = "desc->cpu_isa";
    if ((int)isa < 0 || isa >= VDK_CPU_ISA_COUNT)
        return vdk_fail(NULL, VDK_ERROR_INVALID_VALUE,
                        "vdk_context_create: desc->cpu_isa is %d; expected VDK_CPU_ISA_AUTO, "
                        "_SCALAR, _AVX2, _AVX512 or _NEON",
                        (int)isa);
    const char *env = getenv("VDK_CPU_ISA");
    if (isa == VDK_CPU_ISA_AUTO && env && *env) {
        isa = vdk_cpu_isa_from_name(env);
        from = "the environment variable VDK_CPU_ISA";
        if (isa == VDK_CPU_ISA_COUNT)
            return vdk_fail(NULL, VDK_ERROR_INVALID_VALUE,
                            "vdk_context_create: VDK_CPU_ISA is '%s'; expected auto, scalar, "
                            "avx2, avx512 or neon",
                            env);
    }
    if (isa == VDK_CPU_ISA_AUTO)
        isa = best_available();
    else if (!vdk_cpu_isa_available(isa))
        return vdk_fail(NULL, VDK_ERROR_UNSUPPORTED,
                        "vdk_context_create: the CPU tier '%s' (from %s) cannot run: %s",
                        vdk_cpu_isa_name(isa), from, unavailable_reason(isa));
    int threads = desc->threads > 0 ? desc->threads : vdk_cpu_topology_get()->cores;
#if !VDK_HAVE_OPENMP
    threads = 1; /* built without OpenMP: the kernels run on the calling thread */
#endif
    int64_t stream_min;
    vdk_status st = stream_threshold(&stream_min);
    if (st)
        return st;
    ctx->ops = vdk_cpu_tier_ops(isa);
    ctx->cpu.isa = isa;
    ctx->cpu.threads = threads;
    ctx->cpu.stream_min = stream_min;
    bind_threads(threads);
    return VDK_OK;
}

/* ---- kernel helpers ---- */

void *vdk_cpu_alloc(size_t bytes) { return vdk_host_alloc(bytes); }

void vdk_cpu_free(void *p, size_t bytes) { vdk_host_free(p, bytes); }

vdk_status vdk_cpu_oom(vdk_context *ctx, const char *op, size_t bytes)
{
    return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "%s: out of host memory for %zu bytes of scratch",
                    op, bytes);
}

int vdk_cpu_thread_id(void)
{
#if VDK_HAVE_OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

int vdk_cpu_team_size(void)
{
#if VDK_HAVE_OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}
