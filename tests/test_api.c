/* The API outside the operators: version, status strings, contexts, tensors,
 * views, host transfers and dtype conversion, and the overlap test every
 * operator's alias check relies on. */
#include "internal.h"
#include "vdk_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void test_version_and_names(void)
{
    VT_CHECK(vdk_version() == VDK_VERSION, "vdk_version() %d != VDK_VERSION %d", vdk_version(),
             VDK_VERSION);
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", VDK_VERSION_MAJOR, VDK_VERSION_MINOR,
             VDK_VERSION_PATCH);
    VT_CHECK(!strcmp(vdk_version_string(), want), "version string %s", vdk_version_string());
    for (int s = 0; s < VDK_STATUS_COUNT; s++)
        VT_CHECK(!strncmp(vdk_status_string((vdk_status)s), "VDK_", 4), "status %d has no name", s);
    VT_CHECK(!strcmp(vdk_status_string(VDK_ERROR_ALIAS), "VDK_ERROR_ALIAS"), "alias name");
    VT_CHECK(!strcmp(vdk_status_string((vdk_status)99), "unknown vdk_status"), "out of range");
    VT_CHECK(vdk_dtype_size(VDK_F32) == 4 && vdk_dtype_size(VDK_F16) == 2 &&
                 vdk_dtype_size(VDK_BF16) == 2 && vdk_dtype_size(VDK_F64) == 8 &&
                 vdk_dtype_size((vdk_dtype)9) == 0,
             "dtype sizes");
    VT_CHECK(!strcmp(vdk_dtype_name(VDK_BF16), "bf16"), "dtype name");
    VT_CHECK(!strcmp(vdk_backend_name(VDK_BACKEND_VULKAN), "vulkan"), "backend name");
}

static void test_contexts(void)
{
    vdk_context *ctx = (vdk_context *)0x1;
    VT_ERROR(NULL, vdk_context_create(NULL, &ctx), VDK_ERROR_NULL_POINTER, "'desc'");
    VT_CHECK(ctx == NULL, "out not cleared on failure");
    VT_ERROR(NULL, vdk_context_create(&(vdk_context_desc){0}, NULL), VDK_ERROR_NULL_POINTER, "'out'");
    VT_ERROR(NULL, vdk_context_create(&(vdk_context_desc){.backend = (vdk_backend)7}, &ctx),
             VDK_ERROR_INVALID_VALUE, "backend");
    VT_ERROR(NULL, vdk_context_create(&(vdk_context_desc){.threads = -2}, &ctx),
             VDK_ERROR_INVALID_VALUE, "threads");
    VT_ERROR(NULL, vdk_context_create(&(vdk_context_desc){.device = -2}, &ctx),
             VDK_ERROR_INVALID_VALUE, "device");
    /* A Vulkan context opens where a device is, and says why where none is; it
     * refuses to wrap host memory (its tensors live on the device). */
    vdk_status vst = vdk_context_create(
        &(vdk_context_desc){.backend = VDK_BACKEND_VULKAN, .device = -1}, &ctx);
    VT_CHECK(vst == VDK_OK || (vst == VDK_ERROR_UNSUPPORTED && strstr(vdk_last_error(NULL), "Vulkan")),
             "Vulkan context: %s: %s", vdk_status_string(vst), vdk_last_error(NULL));
    if (ctx) {
        float mem[4];
        vdk_tensor *w = NULL;
        VT_ERROR(ctx, vdk_tensor_wrap(ctx, VDK_F32, 1, (int64_t[]){4}, NULL, mem, sizeof mem, &w),
                 VDK_ERROR_UNSUPPORTED, "not on 'vulkan'");
        vdk_context_destroy(ctx);
        ctx = NULL;
        VT_ERROR(NULL, vdk_context_create(
                           &(vdk_context_desc){.backend = VDK_BACKEND_VULKAN, .device = 999}, &ctx),
                 VDK_ERROR_INVALID_VALUE, "device 999");
    }

    VT_STATUS(NULL, vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_REFERENCE}, &ctx),
              VDK_OK);
    VT_CHECK(vdk_context_backend(ctx) == VDK_BACKEND_REFERENCE, "backend of context");
    VT_CHECK(!strcmp(vdk_last_error(ctx), ""), "fresh context has a message");
    VT_CHECK(!strcmp(vdk_last_kernel(ctx), ""), "fresh context has a kernel name");
    VT_STATUS(ctx, vdk_sync(ctx), VDK_OK);
    VT_ERROR(NULL, vdk_sync(NULL), VDK_ERROR_NULL_POINTER, "ctx");

    /* The kernel name follows the operator that ran. */
    const int64_t shape[5] = {1, 1, 2, 2, 4};
    vdk_tensor *x = vt_random(ctx, VDK_F32, 5, shape, 1, -1, 1), *y = vt_tensor(ctx, VDK_F32, 5, shape);
    VT_STATUS(ctx, vdk_group_norm(ctx, &(vdk_group_norm_params){.groups = 2, .eps = 1e-5f}, x, NULL, NULL, y), VDK_OK);
    VT_CHECK(!strcmp(vdk_last_kernel(ctx), "reference.group_norm"), "kernel name %s", vdk_last_kernel(ctx));
    VT_ERROR(ctx, vdk_group_norm(ctx, &(vdk_group_norm_params){.groups = 3, .eps = 1e-5f}, x, NULL, NULL, y),
             VDK_ERROR_INVALID_VALUE, "groups");
    VT_CHECK(!strcmp(vdk_last_kernel(ctx), ""), "a failed call left kernel name %s", vdk_last_kernel(ctx));
    vdk_tensor_destroy(x);
    vdk_tensor_destroy(y);
    vdk_context_destroy(ctx);
    vdk_context_destroy(NULL);
}

/* CPU tiers: names, availability, the explicit and environment overrides, and
 * clear failures for a tier that cannot run here. */
static void test_cpu_tiers(void)
{
    VT_CHECK(!strcmp(vdk_cpu_isa_name(VDK_CPU_ISA_AVX512), "avx512"), "tier name");
    VT_CHECK(!strcmp(vdk_cpu_isa_name((vdk_cpu_isa)42), "unknown"), "bad tier name");
    for (int i = 0; i < VDK_CPU_ISA_COUNT; i++)
        VT_CHECK(vdk_cpu_isa_from_name(vdk_cpu_isa_name((vdk_cpu_isa)i)) == (vdk_cpu_isa)i,
                 "tier %d round trip", i);
    VT_CHECK(vdk_cpu_isa_from_name("sse9") == VDK_CPU_ISA_COUNT, "unknown tier name");
    VT_CHECK(vdk_cpu_isa_available(VDK_CPU_ISA_AUTO) && vdk_cpu_isa_available(VDK_CPU_ISA_SCALAR),
             "auto and scalar always available");
    VT_CHECK(!vdk_cpu_isa_available(VDK_CPU_ISA_COUNT), "COUNT is no tier");
#if defined(__x86_64__)
    VT_CHECK(!vdk_cpu_isa_available(VDK_CPU_ISA_NEON), "NEON on x86-64");
    const vdk_cpu_isa foreign = VDK_CPU_ISA_NEON;
#else
    VT_CHECK(!vdk_cpu_isa_available(VDK_CPU_ISA_AVX2), "AVX2 off x86-64");
    const vdk_cpu_isa foreign = VDK_CPU_ISA_AVX2;
#endif
    vdk_context *ctx = NULL;
    VT_ERROR(NULL,
             vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_CPU, .cpu_isa = foreign},
                                &ctx),
             VDK_ERROR_UNSUPPORTED, vdk_cpu_isa_name(foreign));
    VT_ERROR(NULL,
             vdk_context_create(
                 &(vdk_context_desc){.backend = VDK_BACKEND_CPU, .cpu_isa = (vdk_cpu_isa)9}, &ctx),
             VDK_ERROR_INVALID_VALUE, "cpu_isa");

    /* Every available tier opens, reports itself, and runs an operator under its name. */
    for (int i = VDK_CPU_ISA_SCALAR; i < VDK_CPU_ISA_COUNT; i++) {
        if (!vdk_cpu_isa_available((vdk_cpu_isa)i))
            continue;
        VT_STATUS(NULL,
                  vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_CPU,
                                                         .cpu_isa = (vdk_cpu_isa)i, .threads = 2},
                                     &ctx),
                  VDK_OK);
        if (!ctx)
            continue;
        VT_CHECK(vdk_context_cpu_isa(ctx) == (vdk_cpu_isa)i, "tier of the context");
        VT_CHECK(vdk_context_threads(ctx) >= 1, "threads of the context");
        const int64_t shape[2] = {3, 5};
        vdk_tensor *x = vt_random(ctx, VDK_F32, 2, shape, 1, -1, 1);
        VT_STATUS(ctx, vdk_unary(ctx, &(vdk_unary_params){.op = VDK_UNARY_SILU}, x, x), VDK_OK);
        char want[32];
        snprintf(want, sizeof want, "%s.unary.f32", vdk_cpu_isa_name((vdk_cpu_isa)i));
        VT_CHECK(!strcmp(vdk_last_kernel(ctx), want), "kernel %s, expected %s",
                 vdk_last_kernel(ctx), want);
        vdk_tensor_destroy(x);
        vdk_context_destroy(ctx);
        ctx = NULL;
    }

    /* The environment picks the tier when the descriptor leaves it AUTO. */
    setenv("VDK_CPU_ISA", "scalar", 1);
    VT_STATUS(NULL, vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_CPU}, &ctx),
              VDK_OK);
    VT_CHECK(ctx && vdk_context_cpu_isa(ctx) == VDK_CPU_ISA_SCALAR, "VDK_CPU_ISA=scalar");
    vdk_context_destroy(ctx);
    ctx = NULL;
    setenv("VDK_CPU_ISA", "mmx", 1);
    VT_ERROR(NULL, vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_CPU}, &ctx),
             VDK_ERROR_INVALID_VALUE, "VDK_CPU_ISA");
    setenv("VDK_CPU_ISA", vdk_cpu_isa_name(foreign), 1);
    VT_ERROR(NULL, vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_CPU}, &ctx),
             VDK_ERROR_UNSUPPORTED, "VDK_CPU_ISA");
    unsetenv("VDK_CPU_ISA");
    /* The streaming-store threshold: a byte count, or -1. */
    const char *bad_stream[] = {"lots", "-2", "12k"};
    for (int i = 0; i < 3; i++) {
        setenv("VDK_CPU_STREAM_MIN", bad_stream[i], 1);
        VT_ERROR(NULL, vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_CPU}, &ctx),
                 VDK_ERROR_INVALID_VALUE, "VDK_CPU_STREAM_MIN");
    }
    setenv("VDK_CPU_STREAM_MIN", "-1", 1);
    VT_STATUS(NULL, vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_CPU}, &ctx),
              VDK_OK);
    vdk_context_destroy(ctx);
    ctx = NULL;
    unsetenv("VDK_CPU_STREAM_MIN");
    VT_CHECK(vdk_context_cpu_isa(NULL) == VDK_CPU_ISA_COUNT, "tier of no context");
}

static void test_create(vdk_context *ctx)
{
    vdk_tensor *t = (vdk_tensor *)0x1;
    const int64_t ok[2] = {3, 4};
    VT_ERROR(NULL, vdk_tensor_create(NULL, VDK_F32, 2, ok, &t), VDK_ERROR_NULL_POINTER, "ctx");
    VT_ERROR(ctx, vdk_tensor_create(ctx, VDK_F32, 2, ok, NULL), VDK_ERROR_NULL_POINTER, "'out'");
    VT_ERROR(ctx, vdk_tensor_create(ctx, VDK_F32, 0, ok, &t), VDK_ERROR_RANK, "rank");
    VT_CHECK(t == NULL, "out not cleared on failure");
    VT_ERROR(ctx, vdk_tensor_create(ctx, VDK_F32, 6, (int64_t[6]){1, 1, 1, 1, 1, 1}, &t), VDK_ERROR_RANK, "rank");
    VT_ERROR(ctx, vdk_tensor_create(ctx, VDK_F32, 2, NULL, &t), VDK_ERROR_NULL_POINTER, "shape");
    VT_ERROR(ctx, vdk_tensor_create(ctx, VDK_F32, 2, (int64_t[]){3, 0}, &t), VDK_ERROR_INVALID_VALUE, "shape[1]");
    VT_ERROR(ctx, vdk_tensor_create(ctx, VDK_F32, 2, (int64_t[]){-3, 4}, &t), VDK_ERROR_INVALID_VALUE, "shape[0]");
    VT_ERROR(ctx, vdk_tensor_create(ctx, (vdk_dtype)9, 2, ok, &t), VDK_ERROR_DTYPE, "dtype");
    VT_ERROR(ctx, vdk_tensor_create(ctx, VDK_F32, 3, (int64_t[]){1LL << 31, 1LL << 31, 1LL << 31}, &t),
             VDK_ERROR_OVERFLOW, "does not fit");
    VT_ERROR(ctx, vdk_tensor_create(ctx, VDK_F64, 2, (int64_t[]){1LL << 31, 1LL << 31}, &t),
             VDK_ERROR_OVERFLOW, "does not fit");

    VT_STATUS(ctx, vdk_tensor_create(ctx, VDK_F64, 2, ok, &t), VDK_OK);
    VT_CHECK(vdk_tensor_rank(t) == 2 && vdk_tensor_dim(t, 0) == 3 && vdk_tensor_dim(t, -1) == 4 &&
                 vdk_tensor_dim(t, 2) == -1 && vdk_tensor_stride(t, 0) == 4 &&
                 vdk_tensor_stride(t, 1) == 1 && vdk_tensor_numel(t) == 12 &&
                 vdk_tensor_dtype(t) == VDK_F64 && vdk_tensor_context(t) == ctx,
             "tensor queries");
    vdk_tensor_destroy(t);
    vdk_tensor_destroy(NULL);
    VT_CHECK(vdk_tensor_rank(NULL) == 0 && vdk_tensor_dim(NULL, 0) == -1 && vdk_tensor_numel(NULL) == 0,
             "queries on NULL");
}

static void test_transfers(vdk_context *ctx)
{
    const int64_t shape[2] = {2, 3};
    vdk_tensor *t = vt_tensor(ctx, VDK_F32, 2, shape);
    const double in[6] = {1, -2, 3.5, 0.25, 1e30, -0.0};
    VT_STATUS(ctx, vdk_tensor_write(t, VDK_F64, in, 6), VDK_OK);
    float f[6];
    VT_STATUS(ctx, vdk_tensor_read(t, VDK_F32, f, 6), VDK_OK);
    VT_CHECK(f[0] == 1 && f[1] == -2 && f[2] == 3.5f && f[3] == 0.25f && f[4] == 1e30f &&
                 f[5] == 0 && signbit(f[5]),
             "f32 round trip");
    VT_ERROR(ctx, vdk_tensor_write(t, VDK_F64, in, 5), VDK_ERROR_SHAPE, "count");
    VT_ERROR(ctx, vdk_tensor_read(t, VDK_F32, f, 7), VDK_ERROR_SHAPE, "count");
    VT_ERROR(ctx, vdk_tensor_write(t, VDK_F64, NULL, 6), VDK_ERROR_NULL_POINTER, "src");
    VT_ERROR(ctx, vdk_tensor_read(t, VDK_F32, NULL, 6), VDK_ERROR_NULL_POINTER, "dst");
    VT_ERROR(ctx, vdk_tensor_read(t, (vdk_dtype)12, f, 6), VDK_ERROR_DTYPE, "dst_dtype");
    VT_ERROR(NULL, vdk_tensor_write(NULL, VDK_F64, in, 6), VDK_ERROR_NULL_POINTER, "'t'");
    vdk_tensor_destroy(t);
}

/* Bit patterns of correctly rounded conversions, including ties to even,
 * subnormals, overflow to infinity and signed zero. */
static void test_conversions(vdk_context *ctx)
{
    static const struct {
        double v;
        uint16_t f16, bf16;
    } cases[] = {
        {1.0, 0x3c00, 0x3f80},
        {-2.0, 0xc000, 0xc000},
        {65504.0, 0x7bff, 0x4780},           /* bf16: past the midpoint 65408 */
        {65519.99, 0x7bff, 0x4780},
        {65520.0, 0x7c00, 0x4780},
        {0x1.0p-24, 0x0001, 0x3380},
        {0x1.0p-25, 0x0000, 0x3300},          /* f16: tie between 0 and 2^-24 goes to even 0 */
        {0x1.8p-24, 0x0002, 0x33c0},          /* f16: 1.5 quanta tie goes to even 2 */
        {1.0 + 0x1.0p-11, 0x3c00, 0x3f80},    /* f16 tie to even */
        {1.0 + 0x1.8p-10, 0x3c02, 0x3f80},    /* f16: 1.5 ulps rounds to 2 */
        {1.0 + 0x1.0p-8, 0x3c04, 0x3f80},     /* bf16 tie to even */
        {1.0 + 0x1.8p-7, 0x3c0c, 0x3f82},     /* bf16: 1.5 ulps rounds to 2 */
        {0x1.fffffep127, 0x7c00, 0x7f80},     /* FLT_MAX is past bf16's last midpoint */
        {0x1.fep127, 0x7c00, 0x7f7f},         /* bf16's largest finite value */
        {-0.0, 0x8000, 0x8000},
        {INFINITY, 0x7c00, 0x7f80},
        {-INFINITY, 0xfc00, 0xff80},
        {0x1.0p-14, 0x0400, 0x3880},          /* f16's smallest normal */
        {0x1.ff8p-15, 0x03ff, 0x3880},        /* f16: the largest subnormal */
        {0x1.ffcp-15, 0x0400, 0x3880},        /* f16: tie above it goes to even 2^-14 */
    };
    const int64_t n = (int64_t)(sizeof cases / sizeof *cases);
    double *in = malloc((size_t)n * sizeof *in);
    for (int64_t i = 0; i < n; i++)
        in[i] = cases[i].v;
    vdk_tensor *h = vt_tensor(ctx, VDK_F16, 1, &n), *b = vt_tensor(ctx, VDK_BF16, 1, &n);
    VT_STATUS(ctx, vdk_tensor_write(h, VDK_F64, in, n), VDK_OK);
    VT_STATUS(ctx, vdk_tensor_write(b, VDK_F64, in, n), VDK_OK);
    uint16_t hb[64], bb[64];
    VT_STATUS(ctx, vdk_tensor_read(h, VDK_F16, hb, n), VDK_OK);
    VT_STATUS(ctx, vdk_tensor_read(b, VDK_BF16, bb, n), VDK_OK);
    for (int64_t i = 0; i < n; i++) {
        VT_CHECK(hb[i] == cases[i].f16, "f16(%a) = 0x%04x, expected 0x%04x", cases[i].v, hb[i], cases[i].f16);
        VT_CHECK(bb[i] == cases[i].bf16, "bf16(%a) = 0x%04x, expected 0x%04x", cases[i].v, bb[i], cases[i].bf16);
    }
    free(in);
    vdk_tensor_destroy(h);
    vdk_tensor_destroy(b);

    /* Every f16 and bf16 pattern decodes and re-encodes to itself (NaN stays NaN). */
    int64_t mismatches = 0;
    for (uint32_t bits = 0; bits < 65536; bits++) {
        double hv = vdk_f16_to_f64((uint16_t)bits), bv = vdk_bf16_to_f64((uint16_t)bits);
        if (isnan(hv) ? !isnan(vdk_f16_to_f64(vdk_f64_to_f16(hv))) : vdk_f64_to_f16(hv) != bits)
            mismatches++;
        if (isnan(bv) ? !isnan(vdk_bf16_to_f64(vdk_f64_to_bf16(bv))) : vdk_f64_to_bf16(bv) != bits)
            mismatches++;
    }
    VT_CHECK(mismatches == 0, "%lld f16/bf16 patterns do not round-trip", (long long)mismatches);
    VT_CHECK(isnan(vdk_f16_to_f64(vdk_f64_to_f16(NAN))) && isnan(vdk_bf16_to_f64(vdk_f64_to_bf16(NAN))),
             "NaN stays NaN");
}

/* A conversion is right when no other value of the format is nearer to x, and
 * a tie lands on the even pattern: checked against the decoded neighbours of
 * the result, independently of how the conversion computes it. */
static int64_t misrounded(uint16_t (*to)(double), double (*from)(uint16_t), uint16_t inf,
                          double midpoint_past_max, double x)
{
    const uint16_t r = to(x);
    if (x >= midpoint_past_max)
        return r != inf;
    if (r >= inf)
        return 1;
    const double d = fabs(x - from(r));
    const double up = fabs(x - from((uint16_t)(r + 1)));
    const double down = r ? fabs(x - from((uint16_t)(r - 1))) : INFINITY;
    return d > up || d > down || ((d == up || d == down) && (r & 1));
}

/* Seeded doubles over every binade of both formats (and the ties between their
 * values) round to the nearest value, ties to even. */
static void test_rounding_sweep(void)
{
    int64_t bad = 0;
    for (uint64_t i = 0; i < 400000; i++) {
        const double e = vt_uniform(101, i, -140, 130);
        double x = exp2(floor(e)) * (1 + vt_uniform(102, i, 0, 1));
        if (i % 4 == 1) /* a tie between two f16 values: an odd multiple of half a quantum */
            x = ldexp(2 * floor(vt_uniform(103, i, 1024, 2048)) + 1, (int)floor(e) - 11);
        if (i % 4 == 2) /* the same for bf16 */
            x = ldexp(2 * floor(vt_uniform(103, i, 128, 256)) + 1, (int)floor(e) - 8);
        bad += misrounded(vdk_f64_to_f16, vdk_f16_to_f64, 0x7c00, 65520.0, x);
        bad += misrounded(vdk_f64_to_bf16, vdk_bf16_to_f64, 0x7f80, 0x1.ffp127, x);
    }
    VT_CHECK(bad == 0, "%lld of 800000 conversions are not the nearest value (ties to even)",
             (long long)bad);
}

static void test_views(vdk_context *ctx)
{
    const int64_t shape[3] = {2, 3, 4};
    double vals[24];
    for (int i = 0; i < 24; i++)
        vals[i] = i;
    vdk_tensor *t = vt_tensor(ctx, VDK_F32, 3, shape);
    vt_fill(t, vals);

    vdk_tensor *s = NULL, *ss = NULL, *r = NULL, *bad = (vdk_tensor *)0x1;
    VT_STATUS(ctx, vdk_tensor_slice(t, -1, 1, 2, &s), VDK_OK); /* t[:, :, 1:3] */
    VT_CHECK(vdk_tensor_dim(s, 2) == 2 && vdk_tensor_stride(s, 1) == 4, "slice shape and strides");
    double got[12];
    VT_STATUS(ctx, vdk_tensor_read(s, VDK_F64, got, 12), VDK_OK);
    VT_CHECK(got[0] == 1 && got[1] == 2 && got[2] == 5 && got[11] == 22, "slice values");
    VT_STATUS(ctx, vdk_tensor_slice(s, 0, 1, 1, &ss), VDK_OK); /* t[1:2, :, 1:3] */
    VT_STATUS(ctx, vdk_tensor_read(ss, VDK_F64, got, 6), VDK_OK);
    VT_CHECK(got[0] == 13 && got[5] == 22, "slice of slice values");
    /* A write through a view lands in the parent. */
    const double w[6] = {-1, -2, -3, -4, -5, -6};
    VT_STATUS(ctx, vdk_tensor_write(ss, VDK_F64, w, 6), VDK_OK);
    double all[24];
    VT_STATUS(ctx, vdk_tensor_read(t, VDK_F64, all, 24), VDK_OK);
    VT_CHECK(all[13] == -1 && all[14] == -2 && all[17] == -3 && all[12] == 12 && all[15] == 15,
             "write through view");

    VT_ERROR(ctx, vdk_tensor_reshape(s, 1, (int64_t[]){12}, &bad), VDK_ERROR_LAYOUT, "strided");
    VT_CHECK(bad == NULL, "out not cleared on failure");
    VT_ERROR(ctx, vdk_tensor_reshape(t, 2, (int64_t[]){5, 5}, &bad), VDK_ERROR_SHAPE, "shape");
    VT_ERROR(ctx, vdk_tensor_slice(t, 3, 0, 1, &bad), VDK_ERROR_INVALID_VALUE, "axis");
    VT_ERROR(ctx, vdk_tensor_slice(t, -4, 0, 1, &bad), VDK_ERROR_INVALID_VALUE, "axis");
    VT_ERROR(ctx, vdk_tensor_slice(t, 1, 2, 2, &bad), VDK_ERROR_INVALID_VALUE, "outside axis 1");
    VT_ERROR(ctx, vdk_tensor_slice(t, 1, -1, 2, &bad), VDK_ERROR_INVALID_VALUE, "outside axis 1");
    VT_ERROR(ctx, vdk_tensor_slice(t, 1, 0, 0, &bad), VDK_ERROR_INVALID_VALUE, "length");
    VT_ERROR(NULL, vdk_tensor_slice(NULL, 1, 0, 1, &bad), VDK_ERROR_NULL_POINTER, "'t'");

    /* A contiguous slice along the first axis can be reshaped. */
    vdk_tensor *row = NULL;
    VT_STATUS(ctx, vdk_tensor_slice(t, 0, 1, 1, &row), VDK_OK);
    VT_STATUS(ctx, vdk_tensor_reshape(row, 2, (int64_t[]){4, 3}, &r), VDK_OK);
    VT_STATUS(ctx, vdk_tensor_read(r, VDK_F64, got, 12), VDK_OK);
    VT_CHECK(got[0] == 12 && got[1] == -1 && got[11] == 23, "reshape of a row");

    /* Views keep the storage alive after the parent goes. */
    vdk_tensor_destroy(t);
    VT_STATUS(ctx, vdk_tensor_read(r, VDK_F64, got, 12), VDK_OK);
    VT_CHECK(got[11] == 23, "view outlives parent");
    VT_DESTROY(s, ss, row, r);
}

static void test_wrap(vdk_context *ctx)
{
    float buf[2 * 8]; /* a [2, 3] view with a row stride of 8 */
    for (int i = 0; i < 16; i++)
        buf[i] = (float)i;
    vdk_tensor *t = NULL;
    const int64_t shape[2] = {2, 3}, strides[2] = {8, 1};
    VT_STATUS(ctx, vdk_tensor_wrap(ctx, VDK_F32, 2, shape, strides, buf, sizeof buf, &t), VDK_OK);
    double got[6];
    VT_STATUS(ctx, vdk_tensor_read(t, VDK_F64, got, 6), VDK_OK);
    VT_CHECK(got[0] == 0 && got[2] == 2 && got[3] == 8 && got[5] == 10, "wrapped values");
    const double w[6] = {-1, -1, -1, -1, -1, -1};
    VT_STATUS(ctx, vdk_tensor_write(t, VDK_F64, w, 6), VDK_OK);
    VT_CHECK(buf[0] == -1 && buf[3] == 3 && buf[8] == -1 && buf[11] == 11, "write into caller memory");
    vdk_tensor_destroy(t);
    VT_CHECK(buf[0] == -1, "caller memory survives destroy");

    VT_ERROR(ctx, vdk_tensor_wrap(ctx, VDK_F32, 2, shape, (int64_t[]){8, 2}, buf, sizeof buf, &t),
             VDK_ERROR_LAYOUT, "strides[1]");
    VT_ERROR(ctx, vdk_tensor_wrap(ctx, VDK_F32, 2, shape, (int64_t[]){2, 1}, buf, sizeof buf, &t),
             VDK_ERROR_LAYOUT, "strides[0]");
    VT_ERROR(ctx, vdk_tensor_wrap(ctx, VDK_F32, 2, shape, strides, buf, 11 * sizeof(float) - 1, &t),
             VDK_ERROR_SHAPE, "bytes");
    VT_STATUS(ctx, vdk_tensor_wrap(ctx, VDK_F32, 2, shape, strides, buf, 11 * sizeof(float), &t), VDK_OK);
    vdk_tensor_destroy(t);
    VT_ERROR(ctx, vdk_tensor_wrap(ctx, VDK_F32, 2, shape, NULL, NULL, 64, &t), VDK_ERROR_NULL_POINTER, "data");
    VT_ERROR(ctx, vdk_tensor_wrap(ctx, VDK_F32, 2, (int64_t[]){2, 0}, NULL, buf, 64, &t),
             VDK_ERROR_INVALID_VALUE, "shape[1]");
}

/* The overlap test that every alias check uses: exact for views cut from one
 * parent, conservative otherwise. */
static void test_overlap(vdk_context *ctx)
{
    const int64_t shape[2] = {4, 6};
    vdk_tensor *t = vt_tensor(ctx, VDK_F32, 2, shape), *u = vt_tensor(ctx, VDK_F32, 2, shape);
    vdk_tensor *left = NULL, *right = NULL, *mid = NULL, *top = NULL, *bottom = NULL, *corner = NULL;
    vdk_tensor_slice(t, 1, 0, 3, &left);   /* columns 0-2 */
    vdk_tensor_slice(t, 1, 3, 3, &right);  /* columns 3-5 */
    vdk_tensor_slice(t, 1, 2, 2, &mid);    /* columns 2-3 */
    vdk_tensor_slice(t, 0, 0, 2, &top);
    vdk_tensor_slice(t, 0, 2, 2, &bottom);
    vdk_tensor_slice(right, 0, 3, 1, &corner); /* row 3, columns 3-5 */
    VT_CHECK(!vdk_views_overlap(left, right) && !vdk_views_overlap(right, left), "left/right");
    VT_CHECK(vdk_views_overlap(left, mid) && vdk_views_overlap(mid, right), "mid overlaps both");
    VT_CHECK(!vdk_views_overlap(top, bottom), "top/bottom");
    VT_CHECK(vdk_views_overlap(left, top), "left/top share a corner");
    VT_CHECK(!vdk_views_overlap(left, corner) && !vdk_views_overlap(corner, left), "left/corner");
    VT_CHECK(vdk_views_overlap(bottom, corner) && vdk_views_overlap(t, corner), "corner inside");
    VT_CHECK(!vdk_views_overlap(t, u), "separate tensors");
    VT_CHECK(vdk_same_view(t, t) && !vdk_same_view(t, left), "same view");
    VT_DESTROY(t, u, left, right, mid, top, bottom, corner);
}

int main(void)
{
    test_version_and_names();
    test_contexts();
    test_cpu_tiers();
    vdk_context *ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_create(ctx);
    test_transfers(ctx);
    test_conversions(ctx);
    test_rounding_sweep();
    test_views(ctx);
    test_wrap(ctx);
    test_overlap(ctx);
    vdk_context_destroy(ctx);
    return vt_finish("test_api");
}
