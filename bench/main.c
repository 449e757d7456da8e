/* vdk-bench: every operator over the shape sets of the real models, on every
 * backend, through Google Benchmark; the case export and result set of
 * docs/results.md. Usage: docs/bench.md, or vdk-bench --help. */
#include "bench.h"
#include "device.h"
#include "export.h"
#include "isa.h"
#include "json.h"
#include "profile.h"
#include "sets.h"

#include "vdk_config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if VDK_HAVE_OPENMP
#include <omp.h>
#endif

#ifndef VDK_BENCH_COMMIT
#define VDK_BENCH_COMMIT "unknown"
#endif
#ifndef VDK_BENCH_C_FLAGS
#define VDK_BENCH_C_FLAGS ""
#endif

/* Google Benchmark settings vdk-bench uses unless the command line sets them:
 * five repetitions of at least 0.1 s each give a median that one slow
 * repetition does not move; --quick is for tests (figures not meaningful). */
#define DEFAULT_REPETITIONS "5"
#define DEFAULT_MIN_TIME "0.1"
#define QUICK_REPETITIONS "2"
#define QUICK_MIN_TIME "0.01"

#define MAX_NOTES 16
/* Every backend once, and the cpu backend once per tier. */
#define MAX_BACKENDS (VDK_BACKEND_COUNT + VDK_CPU_ISA_COUNT)

typedef struct options {
    const char *set;
    bool backend_given[VDK_BACKEND_COUNT];
    bool any_backend_given;
    bool isa[VDK_CPU_ISA_COUNT], any_isa; /* --isa, --require-isa */
    bool require_isa[VDK_CPU_ISA_COUNT];
    bool dtype[VDK_DTYPE_COUNT];
    bool op[VC_OP_COUNT];
    bool any_op_given;
    const char *peak;
    const char *out;
    bool export_cases, list, quick, help;
    bool filtered; /* --benchmark_filter given */
    int threads;
    double ref_limit_s;
} options;

typedef struct skip_record {
    char backend[24];
    char reason[VDKB_MESSAGE_SIZE];
    bool failed; /* a tier --require-isa requires */
} skip_record;

typedef struct app {
    options o;
    const vc_set *set;
    vb_backend backends[MAX_BACKENDS];
    int nbackends;
    skip_record backend_skips[MAX_BACKENDS];
    int nbackend_skips;
    vb_item *items;
    int nitems;
    vb_cpu cpu;
    vb_run run;
    char notes[MAX_NOTES][512];
    int nnotes;
    char command[4096];
    char created[32];
    char host[256];
} app;

static void note(app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(app *a, const char *fmt, ...)
{
    if (a->nnotes == MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->notes[a->nnotes++], sizeof a->notes[0], fmt, ap);
    va_end(ap);
}

/* ---- the command line ---- */

static void usage(FILE *f)
{
    int nsets;
    const char *const *sets = vb_set_names(&nsets);
    fprintf(f,
            "usage: vdk-bench [options] [--benchmark_* flags]\n"
            "  --set NAME          shape set (default small):");
    for (int i = 0; i < nsets; i++)
        fprintf(f, " %s", sets[i]);
    fprintf(f,
            "\n"
            "  --backend NAME      reference, cpu or vulkan; repeatable or a comma list\n"
            "                      (default: every backend that can create a context)\n"
            "  --isa LIST          the cpu backend once per CPU tier of LIST (scalar, avx2,\n"
            "                      avx512, neon, or all: every tier available here), as\n"
            "                      backend cpu/TIER; implies --backend cpu. An unavailable\n"
            "                      tier is skipped with its reason\n"
            "  --require-isa LIST  as --isa, and an unavailable tier of LIST fails the run\n"
            "  --dtype LIST        storage types, e.g. f32,f16,bf16 (default f32)\n"
            "  --op LIST           only these operators, e.g. conv3d,attention\n"
            "  --peak FILE         vdk-peak JSON: fraction_of_peak against its figures\n"
            "  --out FILE          write the result set (docs/results.md) to FILE\n"
            "  --export-cases      print the set's case export (docs/results.md) and exit\n"
            "  --list              print the set's cases with their work and exit\n"
            "  --threads N         threads for the cpu backend and the reference's OpenMP\n"
            "  --ref-limit S       the reference backend skips cases estimated above S\n"
            "                      seconds per call (default 30; 0: no limit)\n"
            "  --quick             %s repetitions of %s s: for tests, figures not meaningful\n"
            "  --help              this text, then Google Benchmark's flags\n"
            "Unless given, --benchmark_repetitions=%s --benchmark_min_time=%s.\n",
            QUICK_REPETITIONS, QUICK_MIN_TIME, DEFAULT_REPETITIONS, DEFAULT_MIN_TIME);
}

/* Splits a comma list and calls take on each item; false when take refuses one. */
static bool each_item(const char *list, bool (*take)(options *, const char *), options *o)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save))
        if (!take(o, tok))
            return false;
    return true;
}

static bool take_backend(options *o, const char *name)
{
    for (int b = 0; b < VDK_BACKEND_COUNT; b++)
        if (!strcmp(name, vdk_backend_name((vdk_backend)b))) {
            o->backend_given[b] = o->any_backend_given = true;
            return true;
        }
    fprintf(stderr, "vdk-bench: --backend takes reference, cpu or vulkan, not '%s'\n", name);
    return false;
}

static bool take_dtype(options *o, const char *name)
{
    static const vdk_dtype allowed[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (!strcmp(name, vdk_dtype_name(allowed[i]))) {
            o->dtype[allowed[i]] = true;
            return true;
        }
    fprintf(stderr, "vdk-bench: --dtype takes f32, f16 and bf16, not '%s'\n", name);
    return false;
}

static bool take_op(options *o, const char *name)
{
    int op = vc_op_from_name(name);
    if (op < 0) {
        fprintf(stderr, "vdk-bench: --op: no operator '%s' (e.g. group_norm, conv3d, attention)\n",
                name);
        return false;
    }
    o->op[op] = o->any_op_given = true;
    return true;
}

static bool take_isa(options *o, const char *list, bool required)
{
    char err[256];
    bool tiers[VDK_CPU_ISA_COUNT] = {false};
    if (!vc_isa_parse(list, tiers, err, sizeof err)) {
        fprintf(stderr, "vdk-bench: %s: %s\n", required ? "--require-isa" : "--isa", err);
        return false;
    }
    for (int i = 0; i < VDK_CPU_ISA_COUNT; i++)
        if (tiers[i]) {
            o->isa[i] = true;
            o->require_isa[i] |= required;
        }
    o->any_isa = o->backend_given[VDK_BACKEND_CPU] = o->any_backend_given = true;
    return true;
}

static bool has_prefix(const char *arg, const char *flag)
{
    size_t n = strlen(flag);
    return !strncmp(arg, flag, n) && (arg[n] == '\0' || arg[n] == '=');
}

/* Parses vdk-bench's options; the --benchmark_* flags go to gb_argv. Returns 0,
 * or 2 on a usage error (printed). */
static int parse(int argc, char **argv, options *o, int *gb_argc, char **gb_argv)
{
    *o = (options){.set = "small", .ref_limit_s = 30.0};
    bool dtype_given = false, reps_given = false, min_time_given = false;
    *gb_argc = 0;
    gb_argv[(*gb_argc)++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strncmp(arg, "--benchmark_", 12)) {
            reps_given |= has_prefix(arg, "--benchmark_repetitions");
            min_time_given |= has_prefix(arg, "--benchmark_min_time");
            o->filtered |= has_prefix(arg, "--benchmark_filter");
            gb_argv[(*gb_argc)++] = argv[i];
            continue;
        }
        static const char *const with_value[] = {
            "--set", "--backend", "--dtype",   "--op",        "--peak",
            "--out", "--threads", "--ref-limit", "--isa",     "--require-isa"};
        const char *value = NULL, *flag = arg;
        char name[32] = "";
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++) {
            size_t n = strlen(with_value[k]);
            if (strncmp(arg, with_value[k], n) || (arg[n] != '\0' && arg[n] != '='))
                continue;
            snprintf(name, sizeof name, "%s", with_value[k]);
            if (arg[n] == '=')
                value = arg + n + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                fprintf(stderr, "vdk-bench: %s needs a value\n", name);
                return 2;
            }
            flag = name;
        }
        if (!strcmp(flag, "--set"))
            o->set = value;
        else if (!strcmp(flag, "--backend")) {
            if (!each_item(value, take_backend, o))
                return 2;
        } else if (!strcmp(flag, "--dtype")) {
            if (!each_item(value, take_dtype, o))
                return 2;
            dtype_given = true;
        } else if (!strcmp(flag, "--op")) {
            if (!each_item(value, take_op, o))
                return 2;
        } else if (!strcmp(flag, "--isa") || !strcmp(flag, "--require-isa")) {
            if (!take_isa(o, value, !strcmp(flag, "--require-isa")))
                return 2;
        } else if (!strcmp(flag, "--peak"))
            o->peak = value;
        else if (!strcmp(flag, "--out"))
            o->out = value;
        else if (!strcmp(flag, "--threads") || !strcmp(flag, "--ref-limit")) {
            char *end;
            errno = 0;
            double v = strtod(value, &end);
            bool threads = !strcmp(flag, "--threads");
            if (*end || errno || !(v >= 0) || (threads && (v < 1 || v > 4096 || v != floor(v)))) {
                fprintf(stderr, "vdk-bench: %s takes %s, not '%s'\n", flag,
                        threads ? "a thread count >= 1" : "seconds >= 0", value);
                return 2;
            }
            if (threads)
                o->threads = (int)v;
            else
                o->ref_limit_s = v;
        } else if (!strcmp(arg, "--export-cases"))
            o->export_cases = true;
        else if (!strcmp(arg, "--list"))
            o->list = true;
        else if (!strcmp(arg, "--quick"))
            o->quick = true;
        else if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
            o->help = true;
        else {
            fprintf(stderr, "vdk-bench: unknown option '%s' (see --help)\n", arg);
            return 2;
        }
    }
    if (!dtype_given)
        o->dtype[VDK_F32] = true;
    if (!o->any_op_given)
        for (int k = 0; k < VC_OP_COUNT; k++)
            o->op[k] = true;
    static char reps[40], min_time[40];
    if (!reps_given) {
        snprintf(reps, sizeof reps, "--benchmark_repetitions=%s",
                 o->quick ? QUICK_REPETITIONS : DEFAULT_REPETITIONS);
        gb_argv[(*gb_argc)++] = reps;
    }
    if (!min_time_given) {
        snprintf(min_time, sizeof min_time, "--benchmark_min_time=%s",
                 o->quick ? QUICK_MIN_TIME : DEFAULT_MIN_TIME);
        gb_argv[(*gb_argc)++] = min_time;
    }
    gb_argv[*gb_argc] = NULL;
    return 0;
}

/* ---- JSON pieces ---- */

/* A count: an integer where it is one (FLOPs and bytes are). */
static void json_count(FILE *f, double v)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0)
        fprintf(f, "%.0f", v);
    else
        vb_json_double(f, v);
}

static const vdk_dtype all_dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
#define NDTYPES 3

static void write_case(FILE *f, const vc_case *c)
{
    fputs("    {\n      \"name\": ", f);
    vb_json_string(f, c->name);
    fprintf(f, ",\n      \"op\": \"%s\",\n      \"params\": ", vc_op_name(c->op));
    vb_write_params_json(f, c);
    fputs(",\n      \"inputs\": ", f);
    vb_write_inputs_json(f, c);
    fputs(",\n      \"flops\": ", f);
    json_count(f, vb_flops(c));
    fputs(",\n      \"bytes_per_element\": {", f);
    for (int i = 0; i < NDTYPES; i++)
        fprintf(f, "%s\"%s\": %zu", i ? ", " : "", vdk_dtype_name(all_dtypes[i]),
                vdk_dtype_size(all_dtypes[i]));
    fputs("},\n      \"min_bytes\": {", f);
    for (int i = 0; i < NDTYPES; i++) {
        fprintf(f, "%s\"%s\": ", i ? ", " : "", vdk_dtype_name(all_dtypes[i]));
        json_count(f, vb_min_bytes(c, all_dtypes[i]));
    }
    fprintf(f, "},\n      \"bound\": \"%s\"\n    }", vb_bound(c));
}

static bool selected(const app *a, const vc_case *c) { return a->o.op[c->op]; }

static int export_cases(const app *a)
{
    FILE *f = stdout;
    fputs("{\n  \"format\": \"vdk-cases/1\",\n  \"set\": ", f);
    vb_json_string(f, a->set->name);
    fputs(",\n  \"cases\": [", f);
    bool first = true;
    for (int i = 0; i < a->set->ncases; i++) {
        const vc_case *c = &a->set->cases[i];
        if (!selected(a, c))
            continue;
        fputs(first ? "\n" : ",\n", f);
        write_case(f, c);
        first = false;
    }
    fputs("\n  ]\n}\n", f);
    return fflush(f) == 0 && !ferror(f) ? 0 : 1;
}

static int list_cases(const app *a)
{
    printf("%-44s %-9s %-7s %12s %12s  %s\n", "case", "op", "bound", "GFLOP", "MB(f32)",
           "tensors");
    int n = 0;
    double flops = 0, bytes = 0;
    for (int i = 0; i < a->set->ncases; i++) {
        const vc_case *c = &a->set->cases[i];
        if (!selected(a, c))
            continue;
        char shapes[256];
        vb_shapes_string(c, shapes, sizeof shapes);
        printf("%-44s %-9.9s %-7s %12.4g %12.4g  %s\n", c->name, vc_op_name(c->op), vb_bound(c),
               vb_flops(c) * 1e-9, vb_min_bytes(c, VDK_F32) * 1e-6, shapes);
        n++;
        flops += vb_flops(c);
        bytes += vb_min_bytes(c, VDK_F32);
    }
    printf("%d cases in set %s (%s); %.4g GFLOP and %.4g MB (f32) in all\n", n, a->set->name,
           a->set->about, flops * 1e-9, bytes * 1e-6);
    return 0;
}

/* ---- backends ---- */

static int default_threads(const app *a, vdk_backend b)
{
    if (b == VDK_BACKEND_VULKAN)
        return 0;
    if (a->o.threads > 0)
        return a->o.threads;
    if (b == VDK_BACKEND_CPU)
        return a->cpu.cores; /* desc.threads = 0: all physical cores */
#if VDK_HAVE_OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* Opens one context; an unavailable one becomes a skip record with its reason,
 * failed when required. */
static void open_backend(app *a, vdk_backend b, vdk_cpu_isa isa, const char *name, bool required)
{
    vdk_context_desc desc = {.backend = b, .device = -1, .threads = a->o.threads,
                             .cpu_isa = isa};
    vdk_context *ctx = NULL;
    vdk_status st = vdk_context_create(&desc, &ctx);
    if (st != VDK_OK) {
        skip_record *s = &a->backend_skips[a->nbackend_skips++];
        snprintf(s->backend, sizeof s->backend, "%s", name);
        snprintf(s->reason, sizeof s->reason, "%s: %s", vdk_status_string(st),
                 vdk_last_error(NULL));
        s->failed = required;
        fprintf(stderr, "%s backend %s: %s%s\n", required ? "FAILED" : "SKIP", s->backend,
                s->reason, required ? " (required by --require-isa)" : "");
        return;
    }
    vb_backend *o = &a->backends[a->nbackends++];
    *o = (vb_backend){.backend = b, .ctx = ctx,
                      .device_kind = b == VDK_BACKEND_VULKAN ? "vulkan" : "cpu",
                      .threads = default_threads(a, b)};
    snprintf(o->name, sizeof o->name, "%s", name);
    /* GPU time from timestamps: profiling stays on for the whole run. */
    o->gpu_time = b == VDK_BACKEND_VULKAN && vdk_profile_enable(ctx, 1) == VDK_OK;
}

static void open_backends(app *a)
{
#if VDK_HAVE_OPENMP
    if (a->o.threads > 0)
        omp_set_num_threads(a->o.threads); /* the reference's parallel loops */
#endif
    for (int k = 0; k < VDK_BACKEND_COUNT; k++) {
        const vdk_backend b = (vdk_backend)k;
        if (a->o.any_backend_given && !a->o.backend_given[k])
            continue;
        if (b != VDK_BACKEND_CPU || !a->o.any_isa) {
            open_backend(a, b, VDK_CPU_ISA_AUTO, vdk_backend_name(b), false);
            continue;
        }
        for (int i = VDK_CPU_ISA_SCALAR; i < VDK_CPU_ISA_COUNT; i++) {
            if (!a->o.isa[i])
                continue;
            char name[24];
            snprintf(name, sizeof name, "cpu/%s", vdk_cpu_isa_name((vdk_cpu_isa)i));
            open_backend(a, b, (vdk_cpu_isa)i, name, a->o.require_isa[i]);
        }
    }
}

/* ---- the device and the build ---- */

static void cpu_name(const app *a, char *buf, size_t size)
{
    snprintf(buf, size, "%s, %d core%s", a->cpu.model, a->cpu.cores, a->cpu.cores == 1 ? "" : "s");
}

static void add_context(const app *a)
{
    char buf[512];
    vdkb_add_context("vdk_version", vdk_version_string());
    vdkb_add_context("vdk_commit", VDK_BENCH_COMMIT);
    snprintf(buf, sizeof buf, "%s, %s, %s", VDK_C_COMPILER, VDK_BUILD_TYPE, VDK_BENCH_C_FLAGS);
    vdkb_add_context("vdk_build", buf);
    vdkb_add_context("vdk_set", a->set->name);
    cpu_name(a, buf, sizeof buf);
    vdkb_add_context("vdk_cpu", buf);
    buf[0] = '\0';
    for (int i = 0; i < a->cpu.nisa; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? " " : "", a->cpu.isa[i]);
    vdkb_add_context("vdk_isa", buf);
    buf[0] = '\0';
    for (int i = 0; i < a->nbackends; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s (%d threads)", i ? ", " : "",
                 a->backends[i].name, a->backends[i].threads);
    vdkb_add_context("vdk_backends", buf);
    vdkb_add_context("vdk_peak", a->o.peak ? a->o.peak : "none: no fraction_of_peak counter");
}

/* The Vulkan backend's context, NULL when none opened. */
static vdk_context *vulkan_context(const app *a)
{
    for (int i = 0; i < a->nbackends; i++)
        if (a->backends[i].backend == VDK_BACKEND_VULKAN)
            return a->backends[i].ctx;
    return NULL;
}

static void write_device(FILE *f, const app *a, const char *kind, int threads)
{
    if (strcmp(kind, "cpu")) {
        vdk_device_info info;
        vdk_context *ctx = vulkan_context(a);
        if (!ctx || vdk_context_device_info(ctx, &info) != VDK_OK) {
            fprintf(f, "  \"device\": {\"kind\": \"%s\", \"name\": null, \"vendor\": null, "
                       "\"model\": null, \"driver\": null, \"api_version\": null, \"isa\": [], "
                       "\"threads\": null, \"caches\": {}},\n",
                    kind);
            return;
        }
        fprintf(f, "  \"device\": {\n    \"kind\": \"%s\",\n    \"name\": ", kind);
        vb_json_string(f, info.name);
        fprintf(f, ",\n    \"vendor\": \"0x%04x\", \"model\": ", info.vendor_id);
        vb_json_string(f, info.name);
        fputs(", \"driver\": ", f);
        vb_json_string(f, info.driver);
        fprintf(f, ", \"api_version\": \"%d.%d.%d\",\n    \"type\": \"%s\", \"index\": %d, "
                   "\"subgroup_size\": %d, \"isa\": [], \"threads\": null, \"caches\": {}\n  },\n",
                info.api_major, info.api_minor, info.api_patch, info.type, info.index,
                info.subgroup_size);
        return;
    }
    char name[256];
    cpu_name(a, name, sizeof name);
    fputs("  \"device\": {\n    \"kind\": \"cpu\",\n    \"name\": ", f);
    vb_json_string(f, name);
    fputs(",\n    \"vendor\": ", f);
    vb_json_string(f, a->cpu.vendor[0] ? a->cpu.vendor : NULL);
    fputs(", \"model\": ", f);
    vb_json_string(f, a->cpu.model);
    fputs(", \"driver\": null, \"api_version\": null,\n    \"isa\": [", f);
    for (int i = 0; i < a->cpu.nisa; i++)
        fprintf(f, "%s\"%s\"", i ? ", " : "", a->cpu.isa[i]);
    fprintf(f, "], \"threads\": %d,\n", threads);
    fprintf(f,
            "    \"caches\": {\"l1d\": %lld, \"l2\": %lld, \"l3\": %lld},\n"
            "    \"cores\": %d, \"logical_cpus\": %d, \"topology_source\": \"%s\"\n  },\n",
            (long long)a->cpu.l1d, (long long)a->cpu.l2, (long long)a->cpu.l3, a->cpu.cores,
            a->cpu.logical, a->cpu.topology_source);
}

static void json_or_null(FILE *f, double v)
{
    if (isnan(v))
        fputs("null", f);
    else
        vb_json_double(f, v);
}

static void write_peak(FILE *f, const app *a, const char *kind)
{
    const bool cpu = !strcmp(kind, "cpu");
    const vb_peak *p = cpu ? &a->run.cpu_peak : &a->run.vulkan_peak;
    if (!p->known) {
        fputs("  \"peak\": {\"source\": ", f);
        vb_json_string(f, a->o.peak);
        fputs(", \"fp32_gflops\": null, \"f16_gflops\": null, \"bf16_gflops\": null, "
              "\"bandwidth_gbs\": null},\n",
              f);
        return;
    }
    fputs("  \"peak\": {\n    \"source\": ", f);
    vb_json_string(f, a->o.peak);
    fputs(",\n    \"fp32_gflops\": ", f);
    json_or_null(f, p->fp32_gflops);
    fputs(", \"f16_gflops\": ", f);
    json_or_null(f, p->f16_gflops);
    fputs(", \"bf16_gflops\": ", f);
    json_or_null(f, p->bf16_gflops);
    fputs(",\n    \"bandwidth_gbs\": ", f);
    json_or_null(f, p->bandwidth_gbs);
    if (cpu)
        fprintf(f, ", \"bandwidth_measurement\": \"copy\", \"threads\": %d\n  },\n", p->threads);
    else
        fputs(", \"bandwidth_measurement\": \"copy\", \"threads\": null\n  },\n", f);
}

static void write_row(FILE *f, const char *set, const vb_item *it, bool first)
{
    const vc_case *c = it->c;
    const double ms = it->median_s * 1e3, flops = vb_flops(c), bytes = vb_min_bytes(c, it->dtype);
    const double gflops = flops / (it->median_s * 1e9), gbs = bytes / (it->median_s * 1e9);
    const double peak = vb_item_peak(it);
    fputs(first ? "\n    {\n      \"name\": " : ",\n    {\n      \"name\": ", f);
    vb_json_string(f, c->name);
    fprintf(f, ",\n      \"op\": \"%s\", \"set\": ", vc_op_name(c->op));
    vb_json_string(f, set);
    fprintf(f, ", \"dtype\": \"%s\",\n      \"backend\": \"%s\", \"cpu_isa\": ",
            vdk_dtype_name(it->dtype), it->b->name);
    const vdk_cpu_isa isa = vdk_context_cpu_isa(it->b->ctx);
    vb_json_string(f, isa == VDK_CPU_ISA_COUNT ? NULL : vdk_cpu_isa_name(isa));
    fputs(", \"kernel\": ", f);
    vb_json_string(f, it->kernel);
    fputs(",\n      \"params\": ", f);
    vb_write_params_json(f, c);
    fputs(",\n      \"inputs\": ", f);
    vb_write_inputs_json(f, c);
    fputs(",\n      \"time_ms\": ", f);
    vb_json_double(f, ms);
    fputs(", \"time_ms_min\": ", f);
    vb_json_double(f, it->min_s * 1e3);
    fprintf(f, ", \"repetitions\": %d,\n      \"flops\": ", it->repetitions);
    json_count(f, flops);
    fputs(", \"bytes\": ", f);
    json_count(f, bytes);
    fputs(",\n      \"gflops\": ", f);
    vb_json_double(f, gflops);
    fputs(", \"gbs\": ", f);
    vb_json_double(f, gbs);
    fprintf(f, ",\n      \"bound\": \"%s\", \"fraction_of_peak\": ", vb_bound(c));
    json_or_null(f, isnan(peak) ? NAN : (vb_compute_bound(c) ? gflops : gbs) / peak);
    fputs("\n    }", f);
}

static const char *kind_of_backend(const char *name)
{
    return strcmp(name, "vulkan") ? "cpu" : "vulkan";
}

/* The result set of the rows whose device is `kind`. */
static int write_results(const app *a, const char *path, const char *kind)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "vdk-bench: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    int threads = 0;
    for (int i = 0; i < a->nbackends; i++)
        if (!strcmp(a->backends[i].device_kind, kind) && a->backends[i].threads > threads)
            threads = a->backends[i].threads;
    fputs("{\n  \"format\": \"vdk-results/1\",\n  \"created\": ", f);
    vb_json_string(f, a->created);
    fputs(",\n  \"command\": ", f);
    vb_json_string(f, a->command);
    fputs(",\n  \"commit\": ", f);
    vb_json_string(f, VDK_BENCH_COMMIT);
    fputs(",\n  \"build\": {\"compiler\": ", f);
    vb_json_string(f, VDK_C_COMPILER);
    fputs(", \"flags\": ", f);
    vb_json_string(f, VDK_BENCH_C_FLAGS);
    fputs(", \"build_type\": ", f);
    vb_json_string(f, VDK_BUILD_TYPE);
    fprintf(f, ", \"vdk_version\": \"%s\", \"features\": {\"avx2\": %s, \"avx512\": %s, "
               "\"neon\": %s, \"openmp\": %s, \"hwloc\": %s, \"vulkan\": %s}},\n",
            vdk_version_string(), VDK_HAVE_AVX2 ? "true" : "false",
            VDK_HAVE_AVX512 ? "true" : "false", VDK_HAVE_NEON ? "true" : "false",
            VDK_HAVE_OPENMP ? "true" : "false", VDK_HAVE_HWLOC ? "true" : "false",
            VDK_HAVE_VULKAN ? "true" : "false");
    fputs("  \"host\": ", f);
    vb_json_string(f, a->host);
    fputs(",\n", f);
    write_device(f, a, kind, threads);
    write_peak(f, a, kind);
    fputs("  \"producer\": \"vdk\",\n  \"set\": ", f);
    vb_json_string(f, a->set->name);
    fputs(",\n  \"notes\": [", f);
    for (int i = 0; i < a->nnotes; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        vb_json_string(f, a->notes[i]);
    }
    fputs(a->nnotes ? "\n  ],\n  \"skipped\": [" : "],\n  \"skipped\": [", f);
    bool first = true;
    for (int i = 0; i < a->nbackend_skips; i++) {
        if (strcmp(kind_of_backend(a->backend_skips[i].backend), kind))
            continue;
        fputs(first ? "\n    {\"name\": null, \"backend\": " : ",\n    {\"name\": null, \"backend\": ",
              f);
        vb_json_string(f, a->backend_skips[i].backend);
        fputs(", \"dtype\": null, \"reason\": ", f);
        vb_json_string(f, a->backend_skips[i].reason);
        fprintf(f, ", \"failed\": %s}", a->backend_skips[i].failed ? "true" : "false");
        first = false;
    }
    for (int i = 0; i < a->nitems; i++) {
        const vb_item *it = &a->items[i];
        if ((it->outcome != VB_SKIPPED && it->outcome != VB_FAILED) ||
            strcmp(it->b->device_kind, kind))
            continue;
        fputs(first ? "\n    {\"name\": " : ",\n    {\"name\": ", f);
        vb_json_string(f, it->c->name);
        fprintf(f, ", \"backend\": \"%s\", \"dtype\": \"%s\", \"reason\": ", it->b->name,
                vdk_dtype_name(it->dtype));
        vb_json_string(f, it->reason);
        fprintf(f, ", \"failed\": %s}", it->outcome == VB_FAILED ? "true" : "false");
        first = false;
    }
    fputs(first ? "],\n  \"rows\": [" : "\n  ],\n  \"rows\": [", f);
    first = true;
    for (int i = 0; i < a->nitems; i++) {
        const vb_item *it = &a->items[i];
        if (it->outcome != VB_MEASURED || strcmp(it->b->device_kind, kind))
            continue;
        write_row(f, a->set->name, it, first);
        first = false;
    }
    fputs(first ? "]\n}\n" : "\n  ]\n}\n", f);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "vdk-bench: error writing %s\n", path);
        return 1;
    }
    return 0;
}

/* ---- running ---- */

static void on_result(void *ctx, const vdkb_result *r)
{
    app *a = ctx;
    vb_item *it = r->user;
    a->run.finished++;
    if (r->skipped) {
        it->outcome = r->failed ? VB_FAILED : VB_SKIPPED;
        snprintf(it->reason, sizeof it->reason, "%s", r->message);
    } else {
        it->outcome = VB_MEASURED;
        it->median_s = r->median_s;
        it->min_s = r->min_s;
        it->repetitions = r->repetitions;
    }
    if (!a->run.progress && it->outcome != VB_FAILED)
        return;
    char count[32];
    if (a->run.total > 0)
        snprintf(count, sizeof count, "[%d/%d]", a->run.finished, a->run.total);
    else
        snprintf(count, sizeof count, "[%d]", a->run.finished);
    if (it->outcome == VB_MEASURED) {
        const double flops = vb_flops(it->c), bytes = vb_min_bytes(it->c, it->dtype);
        const double peak = vb_item_peak(it);
        char frac[48] = "fraction null";
        if (!isnan(peak))
            snprintf(frac, sizeof frac, "fraction %.3g",
                     (vb_compute_bound(it->c) ? flops : bytes) / (r->median_s * 1e9) / peak);
        fprintf(stderr, "%s %s %s %s: %.4g ms, %.4g GFLOP/s, %.4g GB/s, %s (kernel %s)\n", count,
                it->c->name, it->b->name, vdk_dtype_name(it->dtype), r->median_s * 1e3,
                flops / (r->median_s * 1e9), bytes / (r->median_s * 1e9), frac, it->kernel);
    } else {
        fprintf(stderr, "%s %s %s %s: %s %s\n", count, it->c->name, it->b->name,
                vdk_dtype_name(it->dtype), it->outcome == VB_FAILED ? "FAILED" : "SKIP", it->reason);
    }
}

static void describe_command(app *a, int argc, char **argv)
{
    size_t used = 0;
    for (int i = 0; i < argc && used + 1 < sizeof a->command; i++) {
        bool quote = strpbrk(argv[i], " \t\"'") != NULL || !argv[i][0];
        int n = snprintf(a->command + used, sizeof a->command - used, quote ? "%s'%s'" : "%s%s",
                         i ? " " : "", argv[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(a->created, sizeof a->created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (gethostname(a->host, sizeof a->host) != 0)
        snprintf(a->host, sizeof a->host, "unknown");
    a->host[sizeof a->host - 1] = '\0';
}

/* PATH.json -> PATH.vulkan.json: the file of another device's rows. */
static void sibling_path(const char *path, const char *kind, char *buf, size_t size)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash))
        snprintf(buf, size, "%.*s.%s%s", (int)(dot - path), path, kind, dot);
    else
        snprintf(buf, size, "%s.%s", path, kind);
}

static int run_all(app *a, int gb_argc, char **gb_argv)
{
    if (vdkb_initialize(&gb_argc, gb_argv) != 0)
        return 2;
    open_backends(a);
    if (a->nbackends == 0) {
        fprintf(stderr, "vdk-bench: no backend could create a context; nothing to run\n");
        return 1;
    }
    for (int i = 0; i < a->nbackends; i++)
        if (a->backends[i].backend == VDK_BACKEND_VULKAN)
            note(a, a->backends[i].gpu_time
                        ? "vulkan rows: GPU time of the call's dispatches from timestamp queries "
                          "(vdk_profile_*)"
                        : "vulkan rows are timed by the wall clock around the call and vdk_sync "
                          "(the device has no timestamp queries)");
    note(a, "times: median over repetitions of the mean time per call, after one warm-up "
            "call; host backends: wall clock (CLOCK_MONOTONIC) around the call and vdk_sync");

    if (a->o.peak) {
        char err[512];
        int threads = 0;
        for (int i = 0; i < a->nbackends; i++)
            if (!strcmp(a->backends[i].device_kind, "cpu") && a->backends[i].threads > threads)
                threads = a->backends[i].threads;
        if (vb_peak_load(a->o.peak, "cpu", threads, &a->run.cpu_peak, err, sizeof err) != 0) {
            fprintf(stderr, "vdk-bench: --peak: %s\n", err);
            return 2;
        }
        note(a, "%s", a->run.cpu_peak.note);
        /* The Vulkan device's entry, matched by index and name; without one
         * its rows have no fraction, which a note says. */
        vdk_device_info info;
        vdk_context *vk = vulkan_context(a);
        if (vk && vdk_context_device_info(vk, &info) == VDK_OK) {
            if (vb_peak_load_vulkan(a->o.peak, info.index, info.name, &a->run.vulkan_peak, err,
                                    sizeof err) == 0)
                note(a, "%s", a->run.vulkan_peak.note);
            else
                note(a, "vulkan rows have no fraction_of_peak: --peak: %s", err);
        }
    } else {
        note(a, "no --peak file was given: fraction_of_peak is null");
    }

    a->items = calloc((size_t)a->set->ncases * (size_t)a->nbackends * NDTYPES, sizeof *a->items);
    if (!a->items) {
        fprintf(stderr, "vdk-bench: out of memory\n");
        return 1;
    }
    for (int b = 0; b < a->nbackends; b++)
        for (int d = 0; d < NDTYPES; d++) {
            if (!a->o.dtype[all_dtypes[d]])
                continue;
            for (int i = 0; i < a->set->ncases; i++) {
                const vc_case *c = &a->set->cases[i];
                if (!selected(a, c))
                    continue;
                vb_item *it = &a->items[a->nitems++];
                *it = (vb_item){.run = &a->run, .c = c, .b = &a->backends[b],
                                .dtype = all_dtypes[d]};
                snprintf(it->name, sizeof it->name, "%s/%s/%s", c->name, a->backends[b].name,
                         vdk_dtype_name(all_dtypes[d]));
                vdkb_benchmark def = {.name = it->name, .user = it, .setup = vb_item_setup,
                                      .run = vb_item_call, .report = vb_item_report,
                                      .teardown = vb_item_teardown};
                if (vdkb_register(&def) != 0) {
                    fprintf(stderr, "vdk-bench: out of memory\n");
                    return 1;
                }
            }
        }
    /* With --benchmark_filter the number that will run is not known here. */
    a->run.total = a->o.filtered ? 0 : a->nitems;
    a->run.progress = a->o.out != NULL;
    add_context(a);
    vdkb_run(on_result, a);

    int measured = 0, skipped = 0, failed = 0;
    for (int i = 0; i < a->nitems; i++) {
        measured += a->items[i].outcome == VB_MEASURED;
        skipped += a->items[i].outcome == VB_SKIPPED;
        failed += a->items[i].outcome == VB_FAILED;
    }
    int rc = failed ? 1 : 0;
    for (int i = 0; i < a->nbackend_skips; i++)
        if (a->backend_skips[i].failed) {
            fprintf(stderr, "vdk-bench: backend %s is required (--require-isa) but unavailable\n",
                    a->backend_skips[i].backend);
            rc = 1;
        }
    if (a->o.out) {
        bool other = false;
        for (int i = 0; i < a->nbackends; i++)
            other |= strcmp(a->backends[i].device_kind, "cpu") != 0;
        if (write_results(a, a->o.out, "cpu") != 0)
            rc = 1;
        else
            fprintf(stderr, "vdk-bench: wrote %s\n", a->o.out);
        if (other) {
            char path[1024];
            sibling_path(a->o.out, "vulkan", path, sizeof path);
            if (write_results(a, path, "vulkan") != 0)
                rc = 1;
            else
                fprintf(stderr, "vdk-bench: wrote %s (the vulkan device's rows)\n", path);
        }
    }
    fprintf(stderr, "vdk-bench: %d measured, %d skipped, %d failed, %d not run (filtered)\n",
            measured, skipped, failed, a->nitems - measured - skipped - failed);
    return rc;
}

int main(int argc, char **argv)
{
    static app a;
    char **gb_argv = calloc((size_t)argc + 3, sizeof *gb_argv);
    if (!gb_argv) {
        fprintf(stderr, "vdk-bench: out of memory\n");
        return 1;
    }
    int gb_argc = 0, rc = parse(argc, argv, &a.o, &gb_argc, gb_argv);
    if (rc == 0 && a.o.help) {
        usage(stdout);
        printf("\nGoogle Benchmark's flags, which pass through:\n");
        vdkb_print_help();
        free(gb_argv);
        return 0;
    }
    if (rc == 0 && !(a.set = vb_set_get(a.o.set))) {
        int n;
        const char *const *names = vb_set_names(&n);
        fprintf(stderr, "vdk-bench: no set '%s'; the sets are:", a.o.set);
        for (int i = 0; i < n; i++)
            fprintf(stderr, " %s", names[i]);
        fputc('\n', stderr);
        rc = 2;
    }
    if (rc == 0) {
        describe_command(&a, argc, argv);
        vb_cpu_describe(&a.cpu);
        a.run.ref_limit_s = a.o.ref_limit_s;
        if (a.o.export_cases)
            rc = export_cases(&a);
        else if (a.o.list)
            rc = list_cases(&a);
        else
            rc = run_all(&a, gb_argc, gb_argv);
    }
    vdkb_shutdown();
    for (int i = 0; i < a.nbackends; i++) {
        vc_print_profile(a.backends[i].ctx, a.backends[i].name);
        vdk_context_destroy(a.backends[i].ctx);
    }
    free(a.items);
    vb_sets_free();
    free(gb_argv);
    return rc;
}
