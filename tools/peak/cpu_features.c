/* Run-time ISA detection: cpuid says what the CPU has, xgetbv whether the OS
 * saves the wider registers on a context switch. Both must agree before a
 * kernel of that ISA may run. */
#include "peak.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t xcr0(void) {
    uint32_t lo, hi;
    /* xgetbv as an instruction: the _xgetbv intrinsic needs -mxsave on the
     * whole file, which this baseline file must not have. */
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void trim(char *s) {
    size_t start = 0, n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') s[--n] = '\0';
    while (s[start] == ' ') start++;
    memmove(s, s + start, n - start + 1);
}

void vdk_peak_isa(vdk_peak_isa_info *info) {
    memset(info, 0, sizeof *info);
    info->x86 = 1;
    unsigned a, b, c, d;
    /* clang declares __get_cpuid_max as int, gcc as unsigned. */
    unsigned max_leaf = (unsigned)__get_cpuid_max(0, NULL);
    if (max_leaf == 0) return;

    __cpuid(0, a, b, c, d);
    memcpy(info->vendor + 0, &b, 4);
    memcpy(info->vendor + 4, &d, 4);
    memcpy(info->vendor + 8, &c, 4);
    info->vendor[12] = '\0';

    __cpuid(1, a, b, c, d);
    unsigned base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
    info->family = (int)base_family + (base_family == 0xf ? (int)((a >> 20) & 0xff) : 0);
    info->model = (int)base_model +
                  (base_family == 0x6 || base_family == 0xf ? (int)(((a >> 16) & 0xf) << 4) : 0);
    info->stepping = (int)(a & 0xf);
    info->sse2 = (d >> 26) & 1;
    info->fma = (c >> 12) & 1;
    info->f16c = (c >> 29) & 1;
    info->avx = (c >> 28) & 1;
    int osxsave = (c >> 27) & 1;

    if (osxsave) {
        uint64_t x = xcr0();
        info->os_ymm = (x & 0x6) == 0x6;          /* XMM and YMM state */
        info->os_zmm = (x & 0xe6) == 0xe6;        /* plus opmask, ZMM_Hi256, Hi16_ZMM */
    }

    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        unsigned max_sub = a;
        info->avx2 = (b >> 5) & 1;
        info->avx512f = (b >> 16) & 1;
        info->avx512dq = (b >> 17) & 1;
        info->avx512bw = (b >> 30) & 1;
        info->avx512vl = (b >> 31) & 1;
        if (max_sub >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            info->avx512_bf16 = (a >> 5) & 1;
        }
    }

    if ((unsigned)__get_cpuid_max(0x80000000u, NULL) >= 0x80000004u) {
        unsigned r[12];
        for (unsigned i = 0; i < 3; i++)
            __cpuid(0x80000002u + i, r[4 * i], r[4 * i + 1], r[4 * i + 2], r[4 * i + 3]);
        memcpy(info->brand, r, 48);
        info->brand[48] = '\0';
        trim(info->brand);
    }
}

#else

void vdk_peak_isa(vdk_peak_isa_info *info) { memset(info, 0, sizeof *info); }

#endif
