/* vdk-peak: measures what this machine's CPU can do at best, per thread count,
 * and what each Vulkan device can (vulkan.c), so that every benchmark can
 * report the fraction of that peak it reached.
 * docs/peak.md says what each figure means and how it is counted. */
#include "peak.h"

#include <vdk/vdk.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#define PEAK_BARRIER _Pragma("omp barrier")
#else
#define PEAK_BARRIER
#endif

#define MAX_REPS 1000
#define VK_MAX_REPS 256 /* vdk_device_peak's limit */
#define MAX_NOTES 16

/* ---- what is measured ---- */
enum { M_CLOCK, M_FMA512, M_FMA256, M_BF16, M_COPY, M_READ, M_TRIAD, M_COPY_NT, M_COUNT };

static const struct {
    const char *name, *unit, *label;
    int compute; /* 1: calibrated loop in registers; 0: bytes over big buffers */
} kinds[M_COUNT] = {
    [M_CLOCK] = {"clock_estimate", "GHz", "clock (dependent adds)", 1},
    [M_FMA512] = {"fp32_fma_512", "GFLOP/s", "fp32 FMA, 512-bit", 1},
    [M_FMA256] = {"fp32_fma_256", "GFLOP/s", "fp32 FMA, 256-bit", 1},
    [M_BF16] = {"bf16_dot_512", "GFLOP/s", "bf16 vdpbf16ps, 512-bit", 1},
    [M_COPY] = {"copy", "GB/s", "copy", 0},
    [M_READ] = {"read", "GB/s", "read only (sum)", 0},
    [M_TRIAD] = {"triad", "GB/s", "triad", 0},
    [M_COPY_NT] = {"copy_nt", "GB/s", "copy, non-temporal stores", 0},
};

typedef struct measurement {
    int available;
    char reason[200];   /* why not available */
    const char *isa;    /* the kernel set that ran */
    int reps;
    double median, max, min; /* GFLOP/s or GB/s */
} measurement;

typedef struct thread_result {
    int threads;
    int bound;          /* every thread was bound to its place */
    measurement m[M_COUNT];
} thread_result;

typedef struct options {
    int *threads;
    int nthreads;
    int quick;
    int no_vulkan;
    int reps;
    const char *json;
} options;

static char notes[MAX_NOTES][300];
static int nnotes;

/* A note is printed to stderr when it is made, and in the table and the JSON. */
static void note(const char *fmt, ...) {
    if (nnotes == MAX_NOTES) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(notes[nnotes], sizeof notes[0], fmt, ap);
    va_end(ap);
    fprintf(stderr, "vdk-peak: NOTE: %s\n", notes[nnotes]);
    nnotes++;
}

/* snprintf(dst, cap, "%s", src) without gcc's truncation warning, which
 * cannot tell that the reasons are short. */
static void copy_str(char *dst, size_t cap, const char *src) {
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- the team: one OpenMP parallel region per thread count ----
 * Rates come from the time between two barriers that every thread passes: the
 * slowest thread sets the figure, as it does for a real parallel kernel. */
typedef struct team {
    int nthreads;
    int reps;
    double target_s;       /* seconds per repetition of a compute loop */
    size_t bw_floats;      /* floats per array per thread */
    const vdk_peak_bw_kernels *bw;
    const int *avail;      /* per kind, before thread-specific failures */
    thread_result *out;
    /* shared between the threads; OpenMP barriers order every access */
    uint64_t iters;
    int done;
    int got_threads;
    int bind_failures;
    int alloc_failures;
    double t0;
    double times[MAX_REPS];
    float *sink;           /* one slot per thread, so no call can be dropped */
    float **arrays;        /* per thread: a, b, c (staggered in one block) */
} team;

static void run_kind(team *tm, int id, int kind) {
    float *a = NULL, *b = NULL, *c = NULL;
    size_t n = tm->bw_floats;
    if (!kinds[kind].compute) {
        a = tm->arrays[id];
        /* 1 KiB between arrays so that a[i], b[i] and c[i] never share the
         * low 12 address bits (4K aliasing between loads and stores). */
        b = a + n + 256;
        c = b + n + 256;
    }
    switch (kind) {
#if VDK_PEAK_CLOCK
    case M_CLOCK: tm->sink[id] += (float)vdk_peak_clock_loop(tm->iters); break;
#endif
#if VDK_PEAK_AVX512
    case M_FMA512: tm->sink[id] += vdk_peak_fma512_avx512(tm->iters); break;
    case M_BF16: tm->sink[id] += vdk_peak_bf16_avx512(tm->iters); break;
#endif
#if VDK_PEAK_AVX2
    case M_FMA256: tm->sink[id] += vdk_peak_fma256_avx2(tm->iters); break;
#endif
    case M_COPY: tm->bw->copy(b, a, n); break;
    case M_READ: tm->sink[id] += tm->bw->read(a, n); break;
    case M_TRIAD: tm->bw->triad(a, b, c, 3.0f, n); break;
    case M_COPY_NT: tm->bw->copy_nt(b, a, n); break;
    default: break;
    }
}

/* Work of one loop iteration: FLOP, or for the clock, cycles. */
static double flop_per_iter(int kind) {
    switch (kind) {
#if VDK_PEAK_CLOCK
    case M_CLOCK: return VDK_PEAK_CLOCK_ADDS_PER_ITER;
#endif
#if VDK_PEAK_AVX512
    case M_FMA512: return VDK_PEAK_FMA512_FLOP_PER_ITER;
    case M_BF16: return VDK_PEAK_BF16_FLOP_PER_ITER;
#endif
#if VDK_PEAK_AVX2
    case M_FMA256: return VDK_PEAK_FMA256_FLOP_PER_ITER;
#endif
    default: return 0;
    }
}

/* Bytes that one pass of a kernel must move per element: reads + writes,
 * counted as STREAM does (no write-allocate reads). */
static double bytes_per_float(int kind) {
    switch (kind) {
    case M_COPY: case M_COPY_NT: return 8;
    case M_READ: return 4;
    case M_TRIAD: return 12;
    default: return 0;
    }
}

/* Called by every thread of the team: calibrate (compute loops), warm up,
 * then time tm->reps repetitions. Thread 0 keeps the clock. */
static void measure(team *tm, int id, int kind) {
    if (kinds[kind].compute) {
        /* Grow the iteration count until one repetition takes at least a
         * quarter of the target, then scale it to the target. This also
         * warms the cores up to the clock they hold under this load. */
        if (id == 0) {
            tm->iters = 1u << 10;
            tm->done = 0;
        }
        PEAK_BARRIER
        for (;;) {
            PEAK_BARRIER
            if (id == 0) tm->t0 = now();
            run_kind(tm, id, kind);
            PEAK_BARRIER
            if (id == 0) {
                double t = now() - tm->t0;
                if (t >= tm->target_s / 4) {
                    tm->iters = (uint64_t)((double)tm->iters * tm->target_s / t) + 1;
                    tm->done = 1;
                } else {
                    tm->iters *= 4;
                }
            }
            PEAK_BARRIER
            if (tm->done) break;
        }
    }
    run_kind(tm, id, kind); /* warm-up: clocks, TLBs, page tables */
    for (int r = 0; r < tm->reps; r++) {
        PEAK_BARRIER
        if (id == 0) tm->t0 = now();
        run_kind(tm, id, kind);
        PEAK_BARRIER
        if (id == 0) tm->times[r] = now() - tm->t0;
    }
    if (id != 0) return;

    /* The clock is per core (of the slowest one); the rest add over threads. */
    double work = kinds[kind].compute
                      ? flop_per_iter(kind) * (double)tm->iters * (kind == M_CLOCK ? 1 : tm->nthreads)
                      : bytes_per_float(kind) * (double)tm->bw_floats * tm->nthreads;
    double rates[MAX_REPS];
    for (int r = 0; r < tm->reps; r++) rates[r] = work / tm->times[r] / 1e9;
    qsort(rates, (size_t)tm->reps, sizeof rates[0], cmp_double);
    measurement *m = &tm->out->m[kind];
    m->reps = tm->reps;
    m->min = rates[0];
    m->max = rates[tm->reps - 1];
    m->median = tm->reps % 2 ? rates[tm->reps / 2]
                             : 0.5 * (rates[tm->reps / 2 - 1] + rates[tm->reps / 2]);
}

static void run_team(team *tm, const vdk_peak_topo *topo) {
#ifdef _OPENMP
#pragma omp parallel num_threads(tm->nthreads)
#endif
    {
        int id = 0;
#ifdef _OPENMP
        id = omp_get_thread_num();
        if (id == 0) tm->got_threads = omp_get_num_threads();
#else
        tm->got_threads = 1;
#endif
        if (topo->hwloc && vdk_peak_bind_thread(topo, id) != 0) {
#ifdef _OPENMP
#pragma omp atomic
#endif
            tm->bind_failures++;
        }
        PEAK_BARRIER
        int ok = tm->got_threads == tm->nthreads;

        /* Each thread allocates and first-touches its own arrays after it is
         * bound, so the pages sit on its memory node. */
        int bw_ok = 0;
        if (ok) {
            size_t bytes = (3 * tm->bw_floats + 512) * sizeof(float);
            bytes = (bytes + 4095) / 4096 * 4096;
            float *p = aligned_alloc(4096, bytes);
            tm->arrays[id] = p;
            if (p) {
                for (size_t i = 0; i < bytes / sizeof(float); i++) p[i] = 1.0f;
            } else {
#ifdef _OPENMP
#pragma omp atomic
#endif
                tm->alloc_failures++;
            }
        }
        PEAK_BARRIER
        bw_ok = ok && tm->alloc_failures == 0;

        for (int k = 0; k < M_COUNT && ok; k++) {
            if (!tm->avail[k]) continue;
            if (!kinds[k].compute && !bw_ok) continue;
            measure(tm, id, k);
        }
        PEAK_BARRIER
        if (ok) free(tm->arrays[id]);
    }
}

/* ---- the machine ---- */

static void cpu_model(const vdk_peak_isa_info *isa, char *out, size_t n) {
    copy_str(out, n, isa->brand[0] ? isa->brand : "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0) continue;
        char *colon = strchr(line, ':');
        if (!colon) continue;
        colon++;
        while (*colon == ' ' || *colon == '\t') colon++;
        colon[strcspn(colon, "\n")] = '\0';
        if (*colon) copy_str(out, n, colon);
        break;
    }
    fclose(f);
}

/* Fills avail/reason per kind from what the CPU, OS and this build offer. */
static void availability(const vdk_peak_isa_info *isa, int avail[M_COUNT],
                         char reason[M_COUNT][200], const vdk_peak_bw_kernels **bw) {
    (void)isa; /* unused when the build has neither AVX tier */
    for (int k = 0; k < M_COUNT; k++) {
        avail[k] = 1;
        reason[k][0] = '\0';
    }
#if VDK_PEAK_AVX512
    if (!isa->x86) {
        snprintf(reason[M_FMA512], 200, "not an x86-64 CPU");
    } else if (!(isa->avx512f && isa->avx512dq && isa->avx512bw && isa->avx512vl)) {
        snprintf(reason[M_FMA512], 200, "the CPU lacks AVX-512%s%s%s%s (cpuid)",
                 isa->avx512f ? "" : " F", isa->avx512dq ? "" : " DQ",
                 isa->avx512bw ? "" : " BW", isa->avx512vl ? "" : " VL");
    } else if (!isa->os_zmm) {
        snprintf(reason[M_FMA512], 200, "the OS does not save ZMM/opmask state (XCR0)");
    }
    if (reason[M_FMA512][0]) {
        copy_str(reason[M_BF16], 200, reason[M_FMA512]);
    } else if (!isa->avx512_bf16) {
        snprintf(reason[M_BF16], 200, "the CPU lacks AVX512_BF16 (cpuid)");
    }
#else
    snprintf(reason[M_FMA512], 200,
             "this build has no AVX-512 kernels (VDK_AVX512 off, not x86-64, or the compiler lacks the flags)");
    copy_str(reason[M_BF16], 200, reason[M_FMA512]);
#endif
#if VDK_PEAK_AVX2
    if (!isa->x86) {
        snprintf(reason[M_FMA256], 200, "not an x86-64 CPU");
    } else if (!(isa->avx2 && isa->fma)) {
        snprintf(reason[M_FMA256], 200, "the CPU lacks%s%s (cpuid)", isa->avx2 ? "" : " AVX2",
                 isa->fma ? "" : " FMA");
    } else if (!isa->os_ymm) {
        snprintf(reason[M_FMA256], 200, "the OS does not save YMM state (XCR0)");
    }
#else
    snprintf(reason[M_FMA256], 200,
             "this build has no AVX2 kernels (VDK_AVX2 off, not x86-64, or the compiler lacks the flags)");
#endif

#if !VDK_PEAK_CLOCK
    snprintf(reason[M_CLOCK], 200, "no clock loop for this target (x86-64 and AArch64 only)");
#endif

    /* Bandwidth: the widest kernel set that runs here. */
    *bw = &vdk_peak_bw_generic;
#if VDK_PEAK_AVX2
    if (!reason[M_FMA256][0]) *bw = &vdk_peak_bw_avx2;
#endif
#if VDK_PEAK_AVX512
    if (!reason[M_FMA512][0]) *bw = &vdk_peak_bw_avx512;
#endif
    if (!(*bw)->copy_nt) copy_str(reason[M_COPY_NT], 200, (*bw)->nt_reason);

    for (int k = 0; k < M_COUNT; k++) avail[k] = reason[k][0] == '\0';
}

/* ---- output ---- */

static void fmt_bytes(char *out, size_t n, int64_t b) {
    if (b <= 0) snprintf(out, n, "unknown");
    else if (b % (1 << 20) == 0) snprintf(out, n, "%lld MiB", (long long)(b >> 20));
    else snprintf(out, n, "%lld KiB", (long long)(b >> 10));
}

typedef struct run_info {
    char version[64], date[32], host[256], model[256], command[1024];
    vdk_peak_isa_info isa;
    vdk_peak_topo topo;
    int quick, reps, openmp;
    double target_s;
    int64_t bw_array_bytes; /* all threads' share of one array together */
    const vdk_peak_bw_kernels *bw;
} run_info;

static const char *isa_names[] = {"sse2", "avx", "fma", "f16c", "avx2", "avx512f",
                                  "avx512dq", "avx512bw", "avx512vl", "avx512_bf16"};

static int isa_flag(const vdk_peak_isa_info *isa, int i) {
    const int v[] = {isa->sse2, isa->avx, isa->fma, isa->f16c, isa->avx2, isa->avx512f,
                     isa->avx512dq, isa->avx512bw, isa->avx512vl, isa->avx512_bf16};
    return v[i];
}

static void print_table(const run_info *ri, const thread_result *res, int nres) {
    char l1[32], l2[32], l3[32], arr[32];
    fmt_bytes(l1, sizeof l1, ri->topo.l1d);
    fmt_bytes(l2, sizeof l2, ri->topo.l2);
    fmt_bytes(l3, sizeof l3, ri->topo.l3);
    fmt_bytes(arr, sizeof arr, ri->bw_array_bytes);
    printf("vdk-peak %s on %s, %s\n", ri->version, ri->host, ri->date);
    printf("CPU:     %s (%s family %d model %d stepping %d)\n", ri->model,
           ri->isa.vendor[0] ? ri->isa.vendor : "?", ri->isa.family, ri->isa.model,
           ri->isa.stepping);
    printf("ISA:    ");
    for (int i = 0; i < (int)(sizeof isa_names / sizeof isa_names[0]); i++)
        if (isa_flag(&ri->isa, i)) printf(" %s", isa_names[i]);
    printf("; OS saves YMM: %s, ZMM: %s\n", ri->isa.os_ymm ? "yes" : "no",
           ri->isa.os_zmm ? "yes" : "no");
    printf("Cores:   %d physical, %d logical (%s)\n", ri->topo.cores, ri->topo.pus,
           ri->topo.hwloc ? "hwloc" : "sysconf: hwloc not built in, logical CPUs counted as cores");
    printf("Caches:  L1d %s, L2 %s, L3 %s x %d\n", l1, l2, l3, ri->topo.l3_count);
    printf("Method:  %d repetitions after warm-up, median and max; compute loops %.0f ms a "
           "repetition; bandwidth over %s per array (%s kernels)%s\n",
           ri->reps, ri->target_s * 1e3, arr, ri->bw->isa,
           ri->quick ? "; --quick: small buffers, NOT memory figures" : "");
    for (int i = 0; i < nnotes; i++) printf("NOTE:    %s\n", notes[i]);
    printf("\n%7s  %-26s %-8s %10s %10s %5s  %s\n", "threads", "measurement", "unit", "median",
           "max", "reps", "kernels");
    for (int t = 0; t < nres; t++) {
        for (int k = 0; k < M_COUNT; k++) {
            const measurement *m = &res[t].m[k];
            printf("%7d  %-26s %-8s ", res[t].threads, kinds[k].label, kinds[k].unit);
            if (m->available && k == M_CLOCK)
                printf("%10.2f %10.2f %5d  %s\n", m->median, m->max, m->reps, m->isa);
            else if (m->available)
                printf("%10.1f %10.1f %5d  %s\n", m->median, m->max, m->reps, m->isa);
            else
                printf("not available: %s\n", m->reason);
        }
        int measured = 0;
        for (int k = 0; k < M_COUNT; k++) measured |= res[t].m[k].available;
        if (measured && !res[t].bound) printf("%7d  (threads not bound to cores)\n", res[t].threads);
    }
}

static int write_json(const char *path, const run_info *ri, const thread_result *res, int nres,
                      const vdk_peak_vk_run *vk) {
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "vdk-peak: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "{\n  \"format\": \"vdk-peak/1\",\n  \"version\": ");
    vdk_peak_json_string(f, ri->version);
    fprintf(f, ",\n  \"date\": ");
    vdk_peak_json_string(f, ri->date);
    fprintf(f, ",\n  \"host\": ");
    vdk_peak_json_string(f, ri->host);
    fprintf(f, ",\n  \"command\": ");
    vdk_peak_json_string(f, ri->command);
    /* Every device measured is one entry of "devices": the CPU first, then
     * one {"kind": "vulkan", ...} entry per Vulkan device (vulkan.c). */
    fprintf(f, ",\n  \"devices\": [\n    {\n      \"kind\": \"cpu\",\n      \"model\": ");
    vdk_peak_json_string(f, ri->model);
    fprintf(f, ",\n      \"cpuid\": {\"vendor\": ");
    vdk_peak_json_string(f, ri->isa.vendor);
    fprintf(f, ", \"family\": %d, \"model\": %d, \"stepping\": %d, \"brand\": ", ri->isa.family,
            ri->isa.model, ri->isa.stepping);
    vdk_peak_json_string(f, ri->isa.brand);
    fprintf(f, "},\n      \"isa\": {");
    for (int i = 0; i < (int)(sizeof isa_names / sizeof isa_names[0]); i++)
        fprintf(f, "\"%s\": %s, ", isa_names[i], isa_flag(&ri->isa, i) ? "true" : "false");
    fprintf(f, "\"os_ymm_state\": %s, \"os_zmm_state\": %s},\n",
            ri->isa.os_ymm ? "true" : "false", ri->isa.os_zmm ? "true" : "false");
    fprintf(f, "      \"built_with\": {\"avx2\": %s, \"avx512\": %s, \"openmp\": %s, \"hwloc\": %s},\n",
            VDK_PEAK_AVX2 ? "true" : "false", VDK_PEAK_AVX512 ? "true" : "false",
            ri->openmp ? "true" : "false", VDK_PEAK_HWLOC ? "true" : "false");
    fprintf(f, "      \"physical_cores\": %d,\n      \"logical_cpus\": %d,\n", ri->topo.cores,
            ri->topo.pus);
    fprintf(f, "      \"topology_source\": \"%s\",\n", ri->topo.hwloc ? "hwloc" : "sysconf");
    fprintf(f, "      \"caches\": {\"l1d_bytes\": %lld, \"l2_bytes\": %lld, \"l3_bytes\": %lld, "
               "\"l3_instances\": %d, \"l3_total_bytes\": %lld},\n",
            (long long)ri->topo.l1d, (long long)ri->topo.l2, (long long)ri->topo.l3,
            ri->topo.l3_count, (long long)ri->topo.l3_total);
    fprintf(f, "      \"method\": {\"quick\": %s, \"repetitions\": %d, \"compute_seconds_per_rep\": ",
            ri->quick ? "true" : "false", ri->reps);
    vdk_peak_json_number(f, ri->target_s);
    fprintf(f, ", \"bandwidth_bytes_per_array\": %lld, \"bandwidth_kernels\": ",
            (long long)ri->bw_array_bytes);
    vdk_peak_json_string(f, ri->bw->isa);
    fprintf(f, ", \"gb\": 1e9, \"clock\": \"CLOCK_MONOTONIC\"},\n      \"notes\": [");
    for (int i = 0; i < nnotes; i++) {
        fprintf(f, i ? ", " : "");
        vdk_peak_json_string(f, notes[i]);
    }
    fprintf(f, "],\n      \"results\": [\n");
    for (int t = 0; t < nres; t++) {
        fprintf(f, "        {\"threads\": %d, \"bound\": %s, \"measurements\": [\n", res[t].threads,
                res[t].bound ? "true" : "false");
        for (int k = 0; k < M_COUNT; k++) {
            const measurement *m = &res[t].m[k];
            fprintf(f, "          {\"name\": \"%s\", \"unit\": \"%s\", ", kinds[k].name,
                    kinds[k].unit);
            if (m->available) {
                fprintf(f, "\"available\": true, \"median\": ");
                vdk_peak_json_number(f, m->median);
                fprintf(f, ", \"max\": ");
                vdk_peak_json_number(f, m->max);
                fprintf(f, ", \"min\": ");
                vdk_peak_json_number(f, m->min);
                fprintf(f, ", \"repetitions\": %d, \"kernels\": ", m->reps);
                vdk_peak_json_string(f, m->isa);
            } else {
                fprintf(f, "\"available\": false, \"median\": null, \"max\": null, "
                           "\"repetitions\": 0, \"reason\": ");
                vdk_peak_json_string(f, m->reason);
            }
            fprintf(f, "}%s\n", k + 1 < M_COUNT ? "," : "");
        }
        fprintf(f, "        ]}%s\n", t + 1 < nres ? "," : "");
    }
    fprintf(f, "      ]\n    }");
    if (vk) vdk_peak_vulkan_json(f, vk);
    fprintf(f, "\n  ]\n}\n");
    if (fclose(f) != 0) {
        fprintf(stderr, "vdk-peak: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- options ---- */

static void usage(FILE *f) {
    fprintf(f,
            "usage: vdk-peak [--threads LIST] [--quick] [--reps N] [--json PATH] [--no-vulkan]\n"
            "                [--help]\n"
            "Measures the CPU's fp32 FMA rate (512- and 256-bit), bf16 dot-product rate\n"
            "(vdpbf16ps) and memory bandwidth (copy, read, triad, non-temporal copy) per\n"
            "thread count, threads bound to cores; then every Vulkan device's fp32 and f16\n"
            "FMA rates and copy and read bandwidth. See docs/peak.md.\n"
            "  --threads LIST  thread counts, e.g. 1,2,4 or 1-8 (default: 1 to the\n"
            "                  number of physical cores)\n"
            "  --quick         3 repetitions, short loops, small buffers (tests only:\n"
            "                  the bandwidth then is not a memory figure)\n"
            "  --reps N        repetitions after warm-up (default 15, --quick 3)\n"
            "  --json PATH     write the results as JSON to PATH (default vdk-peak.json)\n"
            "  --no-vulkan     measure the CPU only\n"
            "  --help          this text\n");
}

static int parse_int(const char *s, const char **end, int *out) {
    char *e;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (e == s || errno || v < 1 || v > 1 << 20) return -1;
    *out = (int)v;
    *end = e;
    return 0;
}

static int parse_threads(const char *s, options *o) {
    while (*s) {
        int lo, hi;
        const char *e;
        if (parse_int(s, &e, &lo)) return -1;
        hi = lo;
        if (*e == '-') {
            if (parse_int(e + 1, &e, &hi) || hi < lo) return -1;
        }
        for (int t = lo; t <= hi; t++) {
            int *p = realloc(o->threads, (size_t)(o->nthreads + 1) * sizeof *p);
            if (!p) return -1;
            o->threads = p;
            o->threads[o->nthreads++] = t;
        }
        if (*e == ',') e++;
        else if (*e) return -1;
        s = e;
    }
    return o->nthreads > 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    options o = {.json = "vdk-peak.json"};
    run_info ri;
    memset(&ri, 0, sizeof ri);
    const char *threads_arg = NULL;
    size_t cl = 0;
    for (int i = 0; i < argc && cl + 1 < sizeof ri.command; i++)
        cl += (size_t)snprintf(ri.command + cl, sizeof ri.command - cl, "%s%s", i ? " " : "", argv[i]);

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--quick")) {
            o.quick = 1;
        } else if (!strcmp(a, "--no-vulkan")) {
            o.no_vulkan = 1;
        } else if (!strcmp(a, "--threads") && i + 1 < argc) {
            threads_arg = argv[++i];
        } else if (!strcmp(a, "--json") && i + 1 < argc) {
            o.json = argv[++i];
        } else if (!strcmp(a, "--reps") && i + 1 < argc) {
            const char *e;
            if (parse_int(argv[++i], &e, &o.reps) || *e || o.reps > MAX_REPS) {
                fprintf(stderr, "vdk-peak: --reps takes 1 to %d\n", MAX_REPS);
                return 2;
            }
        } else {
            fprintf(stderr, "vdk-peak: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!o.reps) o.reps = o.quick ? 3 : 15;

    copy_str(ri.version, sizeof ri.version, vdk_version_string());
    time_t t = time(NULL);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(ri.date, sizeof ri.date, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    if (gethostname(ri.host, sizeof ri.host - 1) != 0) snprintf(ri.host, sizeof ri.host, "unknown");
    vdk_peak_isa(&ri.isa);
    cpu_model(&ri.isa, ri.model, sizeof ri.model);

    char err[256];
    if (vdk_peak_topo_init(&ri.topo, err, sizeof err) != 0) {
        fprintf(stderr, "vdk-peak: %s\n", err);
        return 1;
    }
    if (!ri.topo.hwloc)
        note("built without hwloc: threads are NOT bound to cores, logical CPUs are counted "
             "as cores, and figures may be low or noisy");
#ifdef _OPENMP
    ri.openmp = 1;
    omp_set_dynamic(0);
#else
    note("built without OpenMP: only 1 thread is measured");
#endif

    if (threads_arg) {
        if (parse_threads(threads_arg, &o)) {
            fprintf(stderr, "vdk-peak: --threads takes a list such as 1,2,4 or 1-8\n");
            return 2;
        }
    } else {
        parse_threads("1", &o);
        /* Without OpenMP only one thread can run: the default list stops there,
         * an explicit --threads still gets its "not available" rows. */
        for (int n = 2; n <= ri.topo.cores && ri.openmp; n++) {
            char b[16];
            snprintf(b, sizeof b, "%d", n);
            parse_threads(b, &o);
        }
    }
    for (int i = 0; i < o.nthreads; i++) {
        if (o.threads[i] > ri.topo.pus) {
            fprintf(stderr, "vdk-peak: %d threads asked, this machine has %d logical CPUs\n",
                    o.threads[i], ri.topo.pus);
            return 2;
        }
    }

    int avail[M_COUNT];
    char reason[M_COUNT][200];
    availability(&ri.isa, avail, reason, &ri.bw);

    /* Bandwidth arrays: together at least 4x all of L3, so each repetition
     * streams from memory what the previous one left in cache long before. */
    int64_t l3 = ri.topo.l3_total;
    if (l3 <= 0) {
        l3 = 64ll << 20;
        note("L3 size unknown: bandwidth buffers sized as if L3 were 64 MiB");
    }
    ri.bw_array_bytes = o.quick ? (4ll << 20) : 4 * l3;
    ri.target_s = o.quick ? 0.002 : 0.05;
    ri.reps = o.reps;
    ri.quick = o.quick;

    thread_result *res = calloc((size_t)o.nthreads, sizeof *res);
    float *sink = calloc((size_t)ri.topo.pus, sizeof *sink);
    float **arrays = calloc((size_t)ri.topo.pus, sizeof *arrays);
    if (!res || !sink || !arrays) {
        fprintf(stderr, "vdk-peak: out of memory\n");
        return 1;
    }

    for (int i = 0; i < o.nthreads; i++) {
        int n = o.threads[i];
        thread_result *r = &res[i];
        r->threads = n;
        for (int k = 0; k < M_COUNT; k++) {
            r->m[k].available = avail[k];
            copy_str(r->m[k].reason, sizeof r->m[k].reason, reason[k]);
            r->m[k].isa = k == M_CLOCK ? "integer" : k == M_FMA256 ? "avx2" : k == M_FMA512 ? "avx512" : k == M_BF16 ? "avx512_bf16" : ri.bw->isa;
        }
        if (!ri.openmp && n > 1) {
            for (int k = 0; k < M_COUNT; k++) {
                r->m[k].available = 0;
                snprintf(r->m[k].reason, sizeof r->m[k].reason, "built without OpenMP");
            }
            continue;
        }
        fprintf(stderr, "vdk-peak: measuring %d thread%s\n", n, n > 1 ? "s" : "");
        /* Per thread: whole multiples of the kernel grain. */
        size_t per = (size_t)(ri.bw_array_bytes / (int64_t)sizeof(float) / n);
        per = (per + VDK_PEAK_BW_GRAIN - 1) / VDK_PEAK_BW_GRAIN * VDK_PEAK_BW_GRAIN;
        team tm = {.nthreads = n, .reps = o.reps, .target_s = ri.target_s, .bw_floats = per,
                   .bw = ri.bw, .avail = avail, .out = r, .sink = sink, .arrays = arrays};
        run_team(&tm, &ri.topo);
        r->bound = ri.topo.hwloc && tm.bind_failures == 0;
        if (ri.topo.hwloc && tm.bind_failures)
            note("%d of %d threads could not be bound to a core", tm.bind_failures, n);
        if (tm.got_threads != n) {
            note("OpenMP gave %d threads where %d were asked (OMP_THREAD_LIMIT?)", tm.got_threads, n);
            for (int k = 0; k < M_COUNT; k++) {
                r->m[k].available = 0;
                snprintf(r->m[k].reason, sizeof r->m[k].reason, "OpenMP gave %d threads",
                         tm.got_threads);
            }
        } else if (tm.alloc_failures) {
            for (int k = 0; k < M_COUNT; k++) {
                if (kinds[k].compute || !r->m[k].available) continue;
                r->m[k].available = 0;
                snprintf(r->m[k].reason, sizeof r->m[k].reason,
                         "out of memory for the %lld-byte buffers", (long long)ri.bw_array_bytes * 3);
            }
        }
    }

    /* Vulkan devices after the CPU: lavapipe runs on the same cores. */
    vdk_peak_vk_run *vk = NULL;
    if (!o.no_vulkan) {
        vk = calloc(1, sizeof *vk);
        if (!vk) {
            fprintf(stderr, "vdk-peak: out of memory\n");
            return 1;
        }
        vk->quick = o.quick;
        vk->options.repetitions = o.reps < VK_MAX_REPS ? o.reps : VK_MAX_REPS;
        if (o.reps > VK_MAX_REPS)
            note("Vulkan devices: %d repetitions, the most vdk_device_peak takes", VK_MAX_REPS);
        vk->options.seconds = ri.target_s;
        /* --quick: as the CPU's 4 MiB arrays, a cache figure. */
        vk->options.buffer_bytes = o.quick ? (4ll << 20) : 0;
        vdk_peak_vulkan_measure(vk);
        if (vk->ndevices == 0) note("Vulkan: no device measured: %s", vk->none_reason);
    }

    print_table(&ri, res, o.nthreads);
    if (vk) vdk_peak_vulkan_print(vk);
    int rc = write_json(o.json, &ri, res, o.nthreads, vk) == 0 ? 0 : 1;
    if (rc == 0) printf("\nwrote %s\n", o.json);

    /* The sums keep the kernels' results alive; they mean nothing. */
    volatile float keep = 0;
    for (int i = 0; i < ri.topo.pus; i++) keep += sink[i];
    (void)keep;
    free(vk);
    free(arrays);
    free(sink);
    free(res);
    free(o.threads);
    vdk_peak_topo_free(&ri.topo);
    return rc;
}
