/* vdk-bench's unit test: the FLOP and byte counts of known shapes against
 * hand-computed figures (PIPELINES.md §1.7 and §2.3), the shape sets' coverage
 * and consistency, and the vdk-peak reader. It runs no operator. */
#include "counts.h"
#include "json.h"
#include "peak.h"
#include "sets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VDK_BENCH_TESTDATA
#error "VDK_BENCH_TESTDATA must name bench/testdata"
#endif

static int failures, checks;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

/* Exact: every count here is an integer well below 2^53. */
#define CHECK_COUNT(got, want, what)                                                               \
    CHECK((double)(got) == (double)(want), "%s: %.17g, expected %.17g", what, (double)(got),      \
          (double)(want))

static const vc_case *find(const char *set, const char *name)
{
    const vc_set *s = vb_set_get(set);
    CHECK(s != NULL, "set %s missing", set);
    if (!s)
        return NULL;
    for (int i = 0; i < s->ncases; i++)
        if (!strcmp(s->cases[i].name, name))
            return &s->cases[i];
    CHECK(0, "case %s missing", name);
    return NULL;
}

/* FLOPs and minimal bytes of a case from the tables, against figures worked
 * out by hand from the shapes. */
static void check_case(const char *set, const char *name, double flops, double f32_bytes,
                       const char *bound)
{
    const vc_case *c = find(set, name);
    if (!c)
        return;
    char what[160];
    snprintf(what, sizeof what, "%s flops", name);
    CHECK_COUNT(vb_flops(c), flops, what);
    if (f32_bytes >= 0) {
        snprintf(what, sizeof what, "%s bytes f32", name);
        CHECK_COUNT(vb_min_bytes(c, VDK_F32), f32_bytes, what);
        snprintf(what, sizeof what, "%s bytes bf16", name);
        CHECK_COUNT(vb_min_bytes(c, VDK_BF16), f32_bytes / 2, what);
    }
    CHECK(!strcmp(vb_bound(c), bound), "%s: bound %s, expected %s", name, vb_bound(c), bound);
}

static void test_known_shapes(void)
{
    /* SVD-XT level 0: N*T = 50 frames of 72x128 = 9216 pixels, C = 320.
     * 3x3 conv 320 -> 320: 2 * 50 * 9216 * 9 * 320 * 320 = 0.849 TFLOP (§1.7).
     * Bytes: x and y 50*9216*320 each, w 320*9*320, bias 320. */
    const double px = 50.0 * 9216, x = px * 320;
    check_case("svd-xt", "svd-xt/L0/conv3d.3x3", 849346560000.0,
               4.0 * (2 * x + 320 * 9 * 320 + 320), "compute");
    /* temporal (3,1,1): 2 * 50 * 9216 * 3 * 320^2 = 0.283 TFLOP; this one also
     * reads a residual of the output's shape. */
    check_case("svd-xt", "svd-xt/L0/conv3d.temporal.res", 283115520000.0,
               4.0 * (3 * x + 320 * 3 * 320 + 320), "compute");
    /* spatial attention core per TSTM: 50 * 4 * 9216^2 * 320 = 5.44 TFLOP;
     * q, k, v and o of one shape. */
    check_case("svd-xt", "svd-xt/L0/attention.spatial", 5435817984000.0, 4.0 * 4 * x, "compute");
    /* temporal attention: B*S = 18432 sequences of 25: 18432 * 4 * 625 * 320 =
     * 0.0147 TFLOP, memory-bound. */
    check_case("svd-xt", "svd-xt/L0/attention.temporal", 14745600000.0, 4.0 * 4 * x, "memory");
    /* cross-attention to 1 token: 4 * 2 * (25*9216) * 1 * 320; k, v [2, 1, 320]. */
    check_case("svd-xt", "svd-xt/L0/attention.cross", 589824000.0, 4.0 * (2 * x + 2 * 640),
               "memory");
    /* GEGLU C -> 8C counts its full 2560 outputs; y is 4C wide. */
    check_case("svd-xt", "svd-xt/L0/linear.geglu", 2.0 * px * 320 * 2560,
               4.0 * (x + 2560.0 * 320 + 2560 + px * 1280), "compute");
    /* group norm per clip + SiLU: 8 + 4 per element; x, y, gamma, beta. */
    check_case("svd-xt", "svd-xt/L0/group_norm.clip.silu", 12.0 * x, 4.0 * (2 * x + 640),
               "memory");
    /* SVD: 14 frames, N*T = 28: the 3x3 conv scales by 28/50. */
    check_case("svd", "svd/L0/conv3d.3x3", 475634073600.0, -1, "compute");
    /* down-sampling conv, booked to its output level: 320 channels from
     * 72x128 to 36x64 at stride 2: 2 * 50 * 2304 * 9 * 320^2. */
    check_case("svd-xt", "svd-xt/L1/conv3d.down", 2.0 * 50 * 2304 * 9 * 320 * 320, -1, "compute");
    /* nearest x2 moves data only: 640 channels 36x64 -> 72x128. */
    check_case("svd-xt", "svd-xt/L0/upsample.2x", 0.0, 4.0 * (50.0 * 2304 * 640 + px * 640),
               "memory");
    /* skip concat 320 + 320 -> 640. */
    check_case("svd-xt", "svd-xt/L0/concat.skip", 0.0, 4.0 * (2 * x + 2 * x), "memory");
    /* blend with a sigmoid scalar: 3 per element; a, b, y and alpha [1]. */
    check_case("svd-xt", "svd-xt/L0/blend.sigmoid", 3.0 * x, 4.0 * (3 * x + 1), "memory");

    /* Lumiere LUM-REF-A level 0: 160 frames of 128x128, C = 512 (§2.3):
     * 3x3 conv 2*9*512^2*16384*160 = 12.37 TFLOP, temporal k3 4.12 TFLOP. */
    check_case("lumiere", "lumiere/L0/conv3d.3x3", 12369505812480.0, -1, "compute");
    check_case("lumiere", "lumiere/L0/conv3d.temporal", 4123168604160.0, -1, "compute");
    /* L1 spatial self-attention: 2*40 frames of 4096 tokens, inner 512:
     * 4 * 80 * 4096^2 * 512 = 2.75 TFLOP (x7 blocks = 19.2, §2.3). */
    check_case("lumiere", "lumiere/L1/attention.spatial", 2748779069440.0,
               4.0 * 4 * 80 * 4096 * 512, "compute");
    /* text cross-attention, L = 128: 4 * 2 * (40*4096) * 128 * 512. */
    check_case("lumiere", "lumiere/L1/attention.cross", 4.0 * 2 * 40 * 4096 * 128 * 512, -1,
               "memory");
    /* temporal attention at the coarsest level: 2*16*16 = 512 pixels, T = 10,
     * 8 heads: 4 * 512 * 100 * 512. */
    check_case("lumiere", "lumiere/L3/attention.temporal", 4.0 * 512 * 100 * 512, -1, "memory");
    /* temporal down-sampling: stride 2 in time, 80 -> 40 frames of 64x64,
     * 512 channels, k3: 2 * (2*40*4096) * 3 * 512^2. */
    check_case("lumiere", "lumiere/L1/conv3d.temporal.down", 2.0 * 80 * 4096 * 3 * 512 * 512, -1,
               "compute");
    /* RMS norm 8 per element, x, y and gamma. */
    check_case("lumiere", "lumiere/L0/rms_norm.affine", 8.0 * 160 * 16384 * 512,
               4.0 * (2.0 * 160 * 16384 * 512 + 512), "memory");

    /* A case built here, independent of the tables: the example shape of
     * docs/results.md, group norm per frame + SiLU on [2, 4, 16, 16, 320]. */
    vc_case gn = {.name = "test/gn", .op = VC_GROUP_NORM, .x = {5, {2, 4, 16, 16, 320}},
                  .flags = VC_AFFINE,
                  .group_norm = {.groups = 32, .eps = 1e-5f, .act = VDK_ACT_SILU}};
    CHECK_COUNT(vb_flops(&gn), 12.0 * 655360, "group_norm example flops");
    CHECK_COUNT(vb_min_bytes(&gn, VDK_F32), 4.0 * (2 * 655360 + 640), "group_norm example bytes");
    CHECK_COUNT(vb_min_bytes(&gn, VDK_F16), 2.0 * (2 * 655360 + 640), "group_norm f16 bytes");
    gn.flags = 0;
    gn.group_norm.act = VDK_ACT_NONE;
    CHECK_COUNT(vb_flops(&gn), 8.0 * 655360, "group_norm without act");
    CHECK_COUNT(vb_min_bytes(&gn, VDK_F32), 4.0 * 2 * 655360, "group_norm without gamma, beta");

    /* A spatio-temporal attention: one sequence of T*H*W tokens per item. */
    vc_case st = {.name = "test/st", .op = VC_ATTENTION, .x = {5, {2, 3, 4, 5, 64}},
                  .attention = {.p = {.axes = VDK_AXES_SPATIOTEMPORAL, .heads = 2}}};
    CHECK_COUNT(vb_flops(&st), 4.0 * 2 * 60 * 60 * 64, "spatiotemporal attention flops");
    CHECK(!strcmp(vb_bound(&st), "compute"), "spatiotemporal attention is compute-bound");

    /* A strided 3-D conv: output sizes by floor division. x [1, 5, 7, 9, 3],
     * k (3,3,3), stride 2, pad 1 -> [1, 3, 4, 5, 8]. */
    vc_case cv = {.name = "test/cv", .op = VC_CONV3D, .x = {5, {1, 5, 7, 9, 3}},
                  .conv3d = {.p = {.stride = {2, 2, 2}, .padding = {1, 1, 1}},
                             .k = {3, 3, 3}, .cout = 8}};
    vc_plan p = vc_plan_of(&cv);
    CHECK(p.out.rank == 5 && p.out.d[1] == 3 && p.out.d[2] == 4 && p.out.d[3] == 5 &&
              p.out.d[4] == 8,
          "strided conv output [1, 3, 4, 5, 8]");
    CHECK_COUNT(vb_flops(&cv), 2.0 * 60 * 8 * 27 * 3, "strided conv flops");
}

/* Every set: every operator present, names unique and of the documented
 * form, every case valid, counts positive where they should be. */
static void test_sets(void)
{
    int nsets;
    const char *const *names = vb_set_names(&nsets);
    CHECK(nsets == 5 && !strcmp(names[0], "small") && !strcmp(names[4], "cpu-targets"),
          "sets: small first, the four model sets, then cpu-targets");
    for (int s = 0; s < nsets; s++) {
        const vc_set *set = vb_set_get(names[s]);
        CHECK(set && set->ncases > 0, "set %s is empty", names[s]);
        if (!set)
            continue;
        int per_op[VC_OP_COUNT] = {0};
        char prefix[32];
        snprintf(prefix, sizeof prefix, "%s/", set->name);
        for (int i = 0; i < set->ncases; i++) {
            const vc_case *c = &set->cases[i];
            char msg[256];
            CHECK(vb_case_valid(c, msg, sizeof msg), "%s", msg);
            per_op[c->op]++;
            CHECK(!strncmp(c->name, prefix, strlen(prefix)), "%s: not under %s", c->name, prefix);
            /* <set>/<group>/<op>.<variant> */
            const char *group = c->name + strlen(prefix), *slash = strchr(group, '/');
            CHECK(slash && slash > group, "%s: no group", c->name);
            if (slash) {
                const char *op = vc_op_name(c->op);
                CHECK(!strncmp(slash + 1, op, strlen(op)) && slash[1 + strlen(op)] == '.' &&
                          slash[2 + strlen(op)] != '\0',
                      "%s: expected <group>/%s.<variant>", c->name, op);
            }
            for (int j = 0; j < i; j++)
                CHECK(strcmp(c->name, set->cases[j].name), "%s appears twice", c->name);
            const bool moves_only = c->op == VC_UPSAMPLE || c->op == VC_CONCAT;
            CHECK(moves_only ? vb_flops(c) == 0 : vb_flops(c) > 0, "%s: flops %g", c->name,
                  vb_flops(c));
            CHECK(vb_min_bytes(c, VDK_F32) > 0, "%s: no bytes", c->name);
        }
        /* The model sets hold every operator; cpu-targets holds the targeted ones. */
        for (int k = 0; k < VC_OP_COUNT && strcmp(set->name, "cpu-targets"); k++)
            CHECK(per_op[k] > 0, "set %s has no %s case", set->name, vc_op_name((vc_op)k));
    }
    /* svd and svd-xt differ only in T: the same cases in the same order. */
    const vc_set *a = vb_set_get("svd"), *b = vb_set_get("svd-xt");
    CHECK(a && b && a->ncases == b->ncases, "svd and svd-xt have the same cases");
    for (int i = 0; a && b && i < a->ncases && i < b->ncases; i++)
        CHECK(!strcmp(a->cases[i].name + 4, b->cases[i].name + 7), "svd %s vs svd-xt %s",
              a->cases[i].name, b->cases[i].name);
}

/* The estimates that decide what the reference declines and what does not
 * fit: the reference holds a double copy of every tensor. */
static void test_estimates(void)
{
    const vc_case *c = find("svd-xt", "svd-xt/L0/conv3d.3x3");
    if (c) {
        const double elements = (double)vb_elements_moved(c);
        CHECK_COUNT(vb_case_memory(c, VDK_BACKEND_CPU, VDK_F16), 2 * elements, "cpu memory f16");
        CHECK_COUNT(vb_case_memory(c, VDK_BACKEND_REFERENCE, VDK_F32), 12 * elements,
                    "reference memory f32");
        /* 0.849 TFLOP cannot be a call the reference finishes in a minute */
        CHECK(vb_reference_seconds(c) > 60, "reference estimate %g s", vb_reference_seconds(c));
    }
    /* small is the reference's set: every case well under a second by the
     * estimate, which errs on the slow side */
    const vc_set *s = vb_set_get("small");
    for (int i = 0; s && i < s->ncases; i++)
        CHECK(vb_reference_seconds(&s->cases[i]) < 1.0, "%s: reference estimate %g s",
              s->cases[i].name, vb_reference_seconds(&s->cases[i]));
}

static void test_peak(void)
{
    char err[256];
    vb_peak p;
    int rc = vb_peak_load(VDK_BENCH_TESTDATA "/vdk-peak.json", "cpu", 2, &p, err, sizeof err);
    CHECK(rc == 0, "peak load: %s", err);
    /* the 2-thread result of the file: fp32 from the only FMA tier present */
    CHECK(p.known && p.threads == 2, "peak: 2 threads");
    CHECK(p.fp32_gflops == 198.9 && p.bandwidth_gbs == 28.6, "peak: fp32 %g, copy %g",
          p.fp32_gflops, p.bandwidth_gbs);
    CHECK(isnan(p.bf16_gflops) && vb_peak_gflops(&p, VDK_BF16) == 198.9,
          "peak: bf16 falls back to fp32");
    /* a thread count not measured: the largest below it */
    rc = vb_peak_load(VDK_BENCH_TESTDATA "/vdk-peak.json", "cpu", 3, &p, err, sizeof err);
    CHECK(rc == 0 && p.threads == 2 && strstr(p.note, "not measured"), "peak: 3 -> 2 threads");
    rc = vb_peak_load(VDK_BENCH_TESTDATA "/vdk-peak.json", "cpu", 1, &p, err, sizeof err);
    CHECK(rc == 0 && p.threads == 1 && p.fp32_gflops == 101.3, "peak: 1 thread");
    rc = vb_peak_load(VDK_BENCH_TESTDATA "/vdk-peak.json", "gpu", 1, &p, err, sizeof err);
    CHECK(rc != 0 && strstr(err, "no device of kind 'gpu'"), "peak: no such kind: %s", err);

    /* Vulkan entries: by index and name, else by name alone. */
    static const char h100[] = "NVIDIA H100 80GB HBM3", lvp[] = "llvmpipe (LLVM 15.0.6, 256 bits)";
    rc = vb_peak_load_vulkan(VDK_BENCH_TESTDATA "/vdk-peak.json", 1, h100, &p, err, sizeof err);
    CHECK(rc == 0 && p.known && p.fp32_gflops == 56000 && p.f16_gflops == 112000 &&
              p.bandwidth_gbs == 2856 && isnan(p.bf16_gflops),
          "peak: H100: %s fp32 %g f16 %g copy %g", err, p.fp32_gflops, p.f16_gflops,
          p.bandwidth_gbs);
    CHECK(vb_peak_gflops(&p, VDK_F16) == 112000 && vb_peak_gflops(&p, VDK_BF16) == 56000 &&
              vb_peak_gflops(&p, VDK_F32) == 56000,
          "peak: H100 f16 rows use f16_fma, bf16 and f32 rows fp32_fma");
    CHECK(!strstr(p.note, "another index"), "peak: H100 note: %s", p.note);
    rc = vb_peak_load_vulkan(VDK_BENCH_TESTDATA "/vdk-peak.json", 3, h100, &p, err, sizeof err);
    CHECK(rc == 0 && p.fp32_gflops == 56000 && strstr(p.note, "another index"),
          "peak: the H100 at another index: %s", p.note);
    /* lavapipe emulates f16 slower than fp32: f16 rows keep the fp32 ceiling. */
    rc = vb_peak_load_vulkan(VDK_BENCH_TESTDATA "/vdk-peak.json", 0, lvp, &p, err, sizeof err);
    CHECK(rc == 0 && p.f16_gflops == 4.5 && vb_peak_gflops(&p, VDK_F16) == 21.6,
          "peak: lavapipe f16 rows: %g", vb_peak_gflops(&p, VDK_F16));
    rc = vb_peak_load_vulkan(VDK_BENCH_TESTDATA "/vdk-peak.json", 0, "No Such GPU", &p, err,
                             sizeof err);
    CHECK(rc != 0 && strstr(err, "no Vulkan device named 'No Such GPU'"), "peak: %s", err);
    rc = vb_peak_load(VDK_BENCH_TESTDATA "/no-such-file.json", "cpu", 1, &p, err, sizeof err);
    CHECK(rc != 0 && strstr(err, "cannot open"), "peak: missing file: %s", err);

    /* the reader itself */
    vb_json *j = vb_json_parse("{\"a\": [1, 2.5e3, true, null], \"b\": \"x\\\"y\\u0041\"}", err,
                               sizeof err);
    CHECK(j != NULL, "json parse: %s", err);
    const vb_json *arr = vb_json_get(j, "a");
    CHECK(arr && arr->type == VB_JSON_ARRAY && arr->child && arr->child->next &&
              arr->child->next->number == 2500.0,
          "json array");
    CHECK(!strcmp(vb_json_str(j, "b", ""), "x\"yA"), "json string escapes");
    vb_json_free(j);
    j = vb_json_parse("{\"a\": [1, 2}", err, sizeof err);
    CHECK(j == NULL && strstr(err, "line 1"), "json error: %s", err);
    vb_json_free(j);
}

int main(void)
{
    test_known_shapes();
    test_sets();
    test_estimates();
    test_peak();
    vb_sets_free();
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
