/* vdk-peak: the kernels and probes shared between its files.
 *
 * Each ISA's loops live in their own file, compiled with that ISA's flags
 * (tools/peak/CMakeLists.txt); the driver (peak.c) calls one only after
 * vdk_peak_isa() said the CPU and the OS support it. */
#ifndef VDK_PEAK_H
#define VDK_PEAK_H

#include <vdk/vdk.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- what the CPU and the OS support (cpu_features.c) ---- */
typedef struct vdk_peak_isa_info {
    int x86;            /* compiled for x86-64: the rest is meaningful */
    char vendor[13];    /* cpuid leaf 0 */
    char brand[49];     /* cpuid 0x80000002..4, trimmed */
    int family, model, stepping;
    /* cpuid bits */
    int sse2, avx, fma, f16c, avx2;
    int avx512f, avx512dq, avx512bw, avx512vl, avx512_bf16;
    /* XCR0 (xgetbv): the OS saves the state of these registers */
    int os_ymm, os_zmm;
} vdk_peak_isa_info;

void vdk_peak_isa(vdk_peak_isa_info *info);

/* ---- topology and thread placement (topology.c) ---- */
typedef struct vdk_peak_topo {
    int hwloc;            /* 1: hwloc found it; 0: the sysconf fallback */
    int cores;            /* physical cores (the fallback counts logical CPUs) */
    int pus;              /* logical CPUs */
    int64_t l1d, l2, l3;  /* bytes of one instance of each cache; 0 when unknown */
    int64_t l3_total;     /* all L3 instances together */
    int l3_count;
    void *impl;           /* hwloc topology and binding sets */
} vdk_peak_topo;

/* Fills t; on failure returns -1 with a message in err. */
int vdk_peak_topo_init(vdk_peak_topo *t, char *err, size_t errlen);
/* Binds the calling thread to the index-th place: the first PU of each core
 * in turn, then the second PU of each core (SMT), and so on. Returns 0 when
 * bound, -1 when it could not bind (no hwloc, or index beyond the PUs). */
int vdk_peak_bind_thread(const vdk_peak_topo *t, int index);
void vdk_peak_topo_free(vdk_peak_topo *t);

/* ---- kernels ----
 * fma: each call runs `iters` iterations of the loop and returns a value
 * computed from every accumulator, so no compiler can drop the work. The FLOP
 * count of one iteration is given by the VDK_PEAK_*_FLOP_PER_ITER constants.
 *
 * bandwidth: n floats per array, n a multiple of VDK_PEAK_BW_GRAIN, arrays
 * 64-byte aligned. copy: dst = src; read: returns sum(src); triad:
 * a = b + s*c; copy_nt: dst = src with non-temporal stores. */
#define VDK_PEAK_BW_GRAIN 256

/* Hides a value's origin from the optimiser, so that a load-store loop is not
 * recognised as a copy and replaced by a memcpy call: glibc's memcpy uses
 * non-temporal stores on large sizes, and "copy" would measure the other
 * kernel. Costs no instruction. */
#if defined(__x86_64__)
#define VDK_PEAK_OPAQUE(v) __asm__("" : "+x"(v))
#elif defined(__aarch64__)
#define VDK_PEAK_OPAQUE(v) __asm__("" : "+w"(v))
#else
#define VDK_PEAK_OPAQUE(v) __asm__("" : "+m"(v))
#endif

typedef struct vdk_peak_bw_kernels {
    const char *isa;
    void (*copy)(float *dst, const float *src, size_t n);
    float (*read)(const float *src, size_t n);
    void (*triad)(float *a, const float *b, const float *c, float s, size_t n);
    void (*copy_nt)(float *dst, const float *src, size_t n); /* NULL: no NT stores */
    const char *nt_reason;                                    /* why copy_nt is NULL */
} vdk_peak_bw_kernels;

extern const vdk_peak_bw_kernels vdk_peak_bw_generic;

/* A chain of VDK_PEAK_CLOCK_ADDS_PER_ITER dependent integer adds per
 * iteration: one add a cycle on every x86-64 and AArch64 core, so
 * adds / seconds estimates the clock the core runs at. */
#if defined(__x86_64__) || defined(__aarch64__)
#define VDK_PEAK_CLOCK 1
#define VDK_PEAK_CLOCK_ADDS_PER_ITER 8
uint64_t vdk_peak_clock_loop(uint64_t iters);
#else
#define VDK_PEAK_CLOCK 0
#endif

/* ---- JSON output (json.c) ---- */
/* A JSON string (null for NULL), and a number (null when not finite). */
void vdk_peak_json_string(FILE *f, const char *s);
void vdk_peak_json_number(FILE *f, double v);

/* ---- Vulkan devices (vulkan.c), through vdk_device_peak ---- */
#define VDK_PEAK_VK_MAX_DEVICES 16
/* The measurements of a Vulkan entry, in JSON order: the library's kinds,
 * then the cooperative-matrix rate, which is not measured yet. */
#define VDK_PEAK_VK_COOPMAT VDK_PEAK_KIND_COUNT
#define VDK_PEAK_VK_COUNT (VDK_PEAK_KIND_COUNT + 1)

typedef struct vdk_peak_vk_measurement {
    int available;
    char reason[512];
    vdk_peak_result r;
} vdk_peak_vk_measurement;

typedef struct vdk_peak_vk_device {
    int index;
    int opened;       /* a context opened; else reason says why not */
    char reason[512];
    vdk_device_info info;
    vdk_peak_vk_measurement m[VDK_PEAK_VK_COUNT];
    int64_t validation_messages; /* sent while this device was measured */
    char first_message[512];
} vdk_peak_vk_device;

typedef struct vdk_peak_vk_run {
    vdk_peak_options options; /* as passed to vdk_device_peak */
    int quick;
    int ndevices;
    vdk_peak_vk_device devices[VDK_PEAK_VK_MAX_DEVICES];
    char none_reason[512]; /* why no device was measured, when ndevices is 0 */
} vdk_peak_vk_run;

/* Opens each Vulkan device in turn (desc.device = 0, 1, ... until the index
 * is past the last) and runs every vdk_device_peak kind on it. Progress goes
 * to stderr. */
void vdk_peak_vulkan_measure(vdk_peak_vk_run *run);
/* The devices as a table on stdout. */
void vdk_peak_vulkan_print(const vdk_peak_vk_run *run);
/* The devices as entries of the "devices" array, each preceded by ",\n". */
void vdk_peak_vulkan_json(FILE *f, const vdk_peak_vk_run *run);

#if VDK_PEAK_AVX2
/* 12 accumulators of 8 floats: 12 FMAs = 192 FLOP per iteration. */
#define VDK_PEAK_FMA256_ACC 12
#define VDK_PEAK_FMA256_FLOP_PER_ITER (VDK_PEAK_FMA256_ACC * 8 * 2)
float vdk_peak_fma256_avx2(uint64_t iters);
extern const vdk_peak_bw_kernels vdk_peak_bw_avx2;
#endif

#if VDK_PEAK_AVX512
/* 16 accumulators of 16 floats: 16 FMAs = 512 FLOP per iteration. */
#define VDK_PEAK_FMA512_ACC 16
#define VDK_PEAK_FMA512_FLOP_PER_ITER (VDK_PEAK_FMA512_ACC * 16 * 2)
float vdk_peak_fma512_avx512(uint64_t iters);
extern const vdk_peak_bw_kernels vdk_peak_bw_avx512;
/* 16 accumulators; one vdpbf16ps is 32 bf16 pairs = 32 multiply-adds = 64 FLOP. */
#define VDK_PEAK_BF16_ACC 16
#define VDK_PEAK_BF16_FLOP_PER_ITER (VDK_PEAK_BF16_ACC * 32 * 2)
float vdk_peak_bf16_avx512(uint64_t iters);
#endif

#endif
