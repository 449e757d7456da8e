/* vdk_profile_*: which kernels are counted, how often, and that off means
 * nothing is counted; on every backend here. Times are only checked to be
 * non-negative and to add up to the total: speed is never asserted in tests. */
#include "vdk_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Runs `calls` SiLU and `calls + 1` softmax calls on ctx, then checks the
 * profile holds exactly those counts under the expected names. */
static void check_counts(vdk_context *ctx, const char *label, const char *unary_name,
                         const char *softmax_name, int calls)
{
    const int64_t shape[2] = {7, 33};
    vdk_tensor *x = vt_random(ctx, VDK_F32, 2, shape, 11, -2, 2);
    vdk_tensor *y = vt_tensor(ctx, VDK_F32, 2, shape);
    const vdk_unary_params up = {.op = VDK_UNARY_SILU};
    const vdk_softmax_params sp = {.scale = 1.0f};
    for (int i = 0; i < calls; i++)
        VT_STATUS(ctx, vdk_unary(ctx, &up, x, y), VDK_OK);
    for (int i = 0; i < calls + 1; i++)
        VT_STATUS(ctx, vdk_softmax(ctx, &sp, x, y), VDK_OK);
    /* A failed call is not counted. */
    VT_ERROR(ctx, vdk_softmax(ctx, NULL, x, y), VDK_ERROR_NULL_POINTER, "'p'");

    vdk_profile_entry e[8];
    int n = -1;
    VT_STATUS(ctx, vdk_profile_read(ctx, e, 8, &n), VDK_OK);
    VT_CHECK(n == 2, "%s: %d kernels profiled, expected 2", label, n);
    int64_t seen_u = 0, seen_s = 0;
    for (int i = 0; i < n && i < 8; i++) {
        VT_CHECK(e[i].ms >= 0 && isfinite(e[i].ms), "%s: %s took %g ms", label, e[i].kernel,
                 e[i].ms);
        if (i > 0)
            VT_CHECK(e[i].ms <= e[i - 1].ms, "%s: rows not longest first", label);
        if (!strcmp(e[i].kernel, unary_name))
            seen_u = e[i].calls;
        else if (!strcmp(e[i].kernel, softmax_name))
            seen_s = e[i].calls;
        else
            VT_CHECK(false, "%s: unexpected kernel '%s'", label, e[i].kernel);
    }
    VT_CHECK(seen_u == calls && seen_s == calls + 1, "%s: counted %lld %s and %lld %s", label,
             (long long)seen_u, unary_name, (long long)seen_s, softmax_name);

    char text[2048];
    const size_t len = vdk_profile_format(ctx, text, sizeof text);
    VT_CHECK(len == strlen(text) && strstr(text, unary_name) && strstr(text, "total"),
             "%s: table:\n%s", label, text);
    char tiny[16];
    VT_CHECK(vdk_profile_format(ctx, tiny, sizeof tiny) == len && strlen(tiny) == sizeof tiny - 1,
             "%s: a short buffer is cut, and the whole length returned", label);

    /* Reset forgets; off counts nothing. */
    VT_STATUS(ctx, vdk_profile_reset(ctx), VDK_OK);
    VT_STATUS(ctx, vdk_profile_read(ctx, NULL, 0, &n), VDK_OK);
    VT_CHECK(n == 0, "%s: %d kernels after reset", label, n);
    VT_STATUS(ctx, vdk_profile_enable(ctx, 0), VDK_OK);
    VT_STATUS(ctx, vdk_unary(ctx, &up, x, y), VDK_OK);
    VT_STATUS(ctx, vdk_profile_read(ctx, NULL, 0, &n), VDK_OK);
    VT_CHECK(n == 0, "%s: %d kernels counted while off", label, n);
    vdk_tensor_destroy(x);
    vdk_tensor_destroy(y);
}

static vdk_context *ref;

static void test_host_backends(void)
{
    VT_STATUS(ref, vdk_profile_enable(ref, 1), VDK_OK);
    check_counts(ref, "reference", "reference.unary", "reference.softmax", 3);
    const vt_tiers *tiers = vt_cpu_tiers();
    for (int t = 0; t < tiers->n; t++) {
        vdk_context *c = tiers->ctx[t];
        VT_STATUS(c, vdk_profile_enable(c, 1), VDK_OK);
        char u[64], s[64];
        snprintf(u, sizeof u, "%s.unary.f32", vdk_cpu_isa_name(tiers->isa[t]));
        snprintf(s, sizeof s, "%s.softmax.f32", vdk_cpu_isa_name(tiers->isa[t]));
        check_counts(c, vdk_cpu_isa_name(tiers->isa[t]), u, s, 2);
    }
}

/* GPU timestamps: one row per shader variant, one count per dispatch. */
static void test_vulkan(void)
{
    vdk_context *vk = vt_vulkan();
    if (!vk)
        return;
    const vdk_status st = vdk_profile_enable(vk, 1);
    if (st == VDK_ERROR_UNSUPPORTED) {
        printf("SKIP test_profile vulkan: %s\n", vdk_last_error(vk));
        return;
    }
    VT_STATUS(vk, st, VDK_OK);
    check_counts(vk, "vulkan", "unary_f32", "softmax_f32", 4);
}

static void test_bad_input(void)
{
    vdk_profile_entry e[1];
    int n = 0;
    VT_ERROR(NULL, vdk_profile_enable(NULL, 1), VDK_ERROR_NULL_POINTER, "'ctx'");
    VT_ERROR(NULL, vdk_profile_reset(NULL), VDK_ERROR_NULL_POINTER, "'ctx'");
    VT_ERROR(NULL, vdk_profile_read(NULL, e, 1, &n), VDK_ERROR_NULL_POINTER, "'ctx'");
    VT_ERROR(ref, vdk_profile_read(ref, e, 1, NULL), VDK_ERROR_NULL_POINTER, "'count'");
    VT_ERROR(ref, vdk_profile_read(ref, NULL, 1, &n), VDK_ERROR_NULL_POINTER, "'out'");
    VT_ERROR(ref, vdk_profile_read(ref, e, -1, &n), VDK_ERROR_INVALID_VALUE, "'max'");
    VT_CHECK(vdk_profile_format(NULL, NULL, 0) == 0, "format of no context");
}

int main(void)
{
    ref = vt_context(VDK_BACKEND_REFERENCE);
    test_host_backends();
    test_vulkan();
    test_bad_input();
    vdk_context_destroy(ref);
    return vt_finish("test_profile");
}
