/* vdk-validate: runs every operator on every backend against the reference
 * oracle over a named shape set, prints a table and writes a JSON report.
 * Options and the loop live here; the cases in sets.c (their model in
 * tools/cases/), the method in run.c, the table in table.c, the JSON in
 * report.c. See docs/validate.md. */
#include "describe.h"
#include "isa.h"
#include "profile.h"
#include "report.h"
#include "sets.h"
#include "table.h"
#include "tolerance.h"

#include "vdk_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXIT_USAGE 2
/* Nothing ran and nothing failed: every backend and tier asked for is
 * unavailable here and none is required. ctest reads it as SKIPPED
 * (SKIP_RETURN_CODE). */
#define EXIT_NOTHING_RAN 77

static const char usage[] =
    "usage: vdk-validate [options]\n"
    "\n"
    "Runs every vdk operator on every backend against the reference oracle (f64) over a\n"
    "named shape set, prints one line per case as it completes and writes a JSON report.\n"
    "Exit status: 0 when everything ran passed, 1 when anything failed (a required backend\n"
    "or tier that is unavailable included), 2 on bad usage or when the report cannot be\n"
    "written, 77 when nothing ran because every backend and tier asked for is unavailable\n"
    "(and none is required).\n"
    "A row whose operator the backend does not implement (VDK_ERROR_UNSUPPORTED) is a GAP:\n"
    "listed in the summary and counted apart, not a failure unless --require names the\n"
    "backend.\n"
    "\n"
    "  --set NAME       shape set: tiny (default), edge, small, svd-tiny; --list describes\n"
    "                   them\n"
    "  --op NAME        only this operator (repeatable): group_norm, conv3d, attention,\n"
    "                   linear, layer_norm, rms_norm, softmax, unary, binary, blend,\n"
    "                   upsample, timestep_embedding, concat\n"
    "  --backend NAME   only this backend (repeatable): reference, cpu, vulkan (default: all;\n"
    "                   one that is unavailable is reported as SKIP)\n"
    "  --require NAME   an unavailable NAME fails the run (repeatable; implies --backend NAME;\n"
    "                   for cpu with --isa: every listed tier)\n"
    "  --isa LIST       run the cpu backend once per CPU tier listed, comma-separated:\n"
    "                   scalar, avx2, avx512, neon, or all (every tier available here);\n"
    "                   repeatable; implies --backend cpu. Rows name their tier (cpu/avx2).\n"
    "                   A tier unavailable here is a SKIP, or a FAIL when required\n"
    "  --require-isa LIST  as --isa, and an unavailable tier of LIST fails the run; so\n"
    "                   does a tier of --isa that the environment variable\n"
    "                   VDK_TEST_REQUIRE_ISA lists (comma-separated)\n"
    "  --dtype LIST     storage dtypes, comma-separated (default f32,f16,bf16)\n"
    "  --json PATH      the JSON report (default vdk-validate.json; '-' writes none)\n"
    "  --seed N         seed of the random inputs (default 1)\n"
    "  --list           print the sets (with --set, every case of that set) and exit\n"
    "  --quiet          print only failures, unavailable backends and the summary\n"
    "  --help           this text\n";

typedef struct options {
    const vc_set *set;
    bool ops[VC_OP_COUNT], any_op;
    bool backends[VDK_BACKEND_COUNT], any_backend;
    bool required[VDK_BACKEND_COUNT];
    bool isa[VDK_CPU_ISA_COUNT], any_isa; /* --isa, --require-isa */
    bool require_isa[VDK_CPU_ISA_COUNT];
    bool dtypes[VDK_DTYPE_COUNT], any_dtype;
    const char *json;
    uint64_t seed;
    bool set_given, list, quiet;
} options;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    fputs("vdk-validate: ", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see vdk-validate --help)\n", stderr);
    return EXIT_USAGE;
}

/* "a, b, c": the names of every operator or set, for error messages. */
static const char *op_names(void)
{
    static char buf[256];
    if (!buf[0])
        for (int i = 0; i < VC_OP_COUNT; i++)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? ", " : "",
                     vc_op_name((vc_op)i));
    return buf;
}

static const char *set_names(void)
{
    static char buf[128];
    int n;
    const vc_set *sets = vv_sets(&n);
    if (!buf[0])
        for (int i = 0; i < n; i++)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? ", " : "",
                     sets[i].name);
    return buf;
}

static int backend_from_name(const char *name)
{
    for (int b = 0; b < VDK_BACKEND_COUNT; b++)
        if (!strcmp(name, vdk_backend_name((vdk_backend)b)))
            return b;
    return -1;
}

static int parse_dtypes(options *o, const char *list)
{
    char buf[128];
    if (snprintf(buf, sizeof buf, "%s", list) >= (int)sizeof buf)
        return usage_error("--dtype list '%s' is too long", list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (!strcmp(tok, "f32"))
            o->dtypes[VDK_F32] = true;
        else if (!strcmp(tok, "f16"))
            o->dtypes[VDK_F16] = true;
        else if (!strcmp(tok, "bf16"))
            o->dtypes[VDK_BF16] = true;
        else if (!strcmp(tok, "f64"))
            return usage_error("--dtype %s: f64 is the oracle's own precision; choose from f32, "
                               "f16, bf16",
                               list);
        else
            return usage_error("--dtype: unknown dtype in '%s'; choose from f32, f16, bf16",
                               list);
        o->any_dtype = true;
    }
    if (!o->any_dtype)
        return usage_error("--dtype '%s' names no dtype", list);
    return 0;
}

/* Fills o from argv; returns 0, or the exit status to leave with (-1: --help). */
static int parse_options(int argc, char **argv, options *o)
{
    *o = (options){.json = "vdk-validate.json", .seed = 1};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
            return -1;
        if (!strcmp(arg, "--list")) {
            o->list = true;
            continue;
        }
        if (!strcmp(arg, "--quiet")) {
            o->quiet = true;
            continue;
        }
        static const char *const valued[] = {"--set",   "--op",   "--backend", "--require",
                                             "--dtype", "--json", "--seed",    "--isa",
                                             "--require-isa"};
        const char *name = NULL, *value = NULL;
        for (size_t k = 0; k < sizeof valued / sizeof *valued && !name; k++) {
            size_t n = strlen(valued[k]);
            if (!strcmp(arg, valued[k])) {
                if (i + 1 >= argc)
                    return usage_error("option %s needs a value", arg);
                name = valued[k];
                value = argv[++i];
            } else if (!strncmp(arg, valued[k], n) && arg[n] == '=') {
                name = valued[k];
                value = arg + n + 1;
            }
        }
        if (!name)
            return usage_error("%s '%s'", arg[0] == '-' ? "unknown option" : "unexpected argument",
                               arg);
        if (!strcmp(name, "--set")) {
            o->set = vv_set_find(value);
            if (!o->set)
                return usage_error("unknown set '%s'; choose from %s", value, set_names());
            o->set_given = true;
        } else if (!strcmp(name, "--op")) {
            int op = vc_op_from_name(value);
            if (op < 0)
                return usage_error("unknown operator '%s'; choose from %s", value, op_names());
            o->ops[op] = o->any_op = true;
        } else if (!strcmp(name, "--backend") || !strcmp(name, "--require")) {
            int b = backend_from_name(value);
            if (b < 0)
                return usage_error("unknown backend '%s'; choose from reference, cpu, vulkan",
                                   value);
            o->backends[b] = o->any_backend = true;
            if (!strcmp(name, "--require"))
                o->required[b] = true;
        } else if (!strcmp(name, "--isa") || !strcmp(name, "--require-isa")) {
            char err[256];
            bool tiers[VDK_CPU_ISA_COUNT] = {false};
            if (!vc_isa_parse(value, tiers, err, sizeof err))
                return usage_error("%s: %s", name, err);
            for (int i = 0; i < VDK_CPU_ISA_COUNT; i++)
                if (tiers[i]) {
                    o->isa[i] = true;
                    o->require_isa[i] |= !strcmp(name, "--require-isa");
                }
            o->any_isa = o->backends[VDK_BACKEND_CPU] = o->any_backend = true;
        } else if (!strcmp(name, "--dtype")) {
            int rc = parse_dtypes(o, value);
            if (rc)
                return rc;
        } else if (!strcmp(name, "--json")) {
            if (!value[0])
                return usage_error("--json needs a path, or '-' for none");
            o->json = value;
        } else { /* --seed */
            char *end = NULL;
            errno = 0;
            if (value[0] >= '0' && value[0] <= '9')
                o->seed = strtoull(value, &end, 0);
            if (!end || *end || errno)
                return usage_error("--seed '%s' is not an integer from 0 to 2^64 - 1", value);
        }
    }
    if (!o->set) {
        int n;
        o->set = &vv_sets(&n)[0];
    }
    for (int i = 0; i < VC_OP_COUNT && !o->any_op; i++)
        o->ops[i] = true;
    for (int b = 0; b < VDK_BACKEND_COUNT && !o->any_backend; b++)
        o->backends[b] = true;
    if (!o->any_dtype)
        o->dtypes[VDK_F32] = o->dtypes[VDK_F16] = o->dtypes[VDK_BF16] = true;
    return 0;
}

static void print_list(const options *o)
{
    int nsets;
    const vc_set *sets = vv_sets(&nsets);
    for (int s = 0; s < nsets; s++) {
        const vc_set *set = &sets[s];
        if (o->set_given && set != o->set)
            continue;
        int per_op[VC_OP_COUNT] = {0}, n = 0;
        double work = 0;
        for (int i = 0; i < set->ncases; i++)
            if (o->ops[set->cases[i].op]) {
                per_op[set->cases[i].op]++;
                work += vv_case_work(&set->cases[i]);
                n++;
            }
        printf("%-9s %3d cases, work %.2g (multiply-adds or elements per call)\n          %s\n",
               set->name, n, work, set->about);
        printf("         ");
        for (int op = 0; op < VC_OP_COUNT; op++)
            if (per_op[op])
                printf(" %s %d", vc_op_name((vc_op)op), per_op[op]);
        printf("\n");
        if (!o->set_given)
            continue;
        for (int i = 0; i < set->ncases; i++) {
            const vc_case *c = &set->cases[i];
            if (!o->ops[c->op])
                continue;
            char shape[256], params[256];
            vv_shape_string(c, shape, sizeof shape);
            vv_params_string(c, params, sizeof params);
            printf("  %-18s %-34s %-52s K=%-6lld work %.2g\n", vc_op_name(c->op), shape, params,
                   (long long)vv_reduction(c), vv_case_work(c));
        }
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void open_target(vv_target *t)
{
    vdk_context_desc desc = {.backend = t->backend, .device = -1, .cpu_isa = t->isa};
    t->status = vdk_context_create(&desc, &t->ctx);
    t->available = t->status == VDK_OK;
    if (!t->available) {
        t->ctx = NULL;
        snprintf(t->reason, sizeof t->reason, "%s", vdk_last_error(NULL));
    }
}

/* Opens a context for every selected backend, and for the cpu backend under
 * --isa one per listed tier; the unavailable keep their reason. */
static void open_targets(vv_report *r, const options *o)
{
    const char *env = getenv("VDK_TEST_REQUIRE_ISA");
    for (int b = 0; b < VDK_BACKEND_COUNT; b++) {
        if (!o->backends[b])
            continue;
        const char *by_backend = o->required[b] ? "--require" : NULL;
        if (b != VDK_BACKEND_CPU || !o->any_isa) {
            vv_target *t = &r->targets[r->ntargets++];
            *t = (vv_target){.backend = (vdk_backend)b, .required_by = by_backend};
            snprintf(t->name, sizeof t->name, "%s", vdk_backend_name((vdk_backend)b));
            open_target(t);
            continue;
        }
        for (int i = VDK_CPU_ISA_SCALAR; i < VDK_CPU_ISA_COUNT; i++) {
            if (!o->isa[i])
                continue;
            const char *tier = vdk_cpu_isa_name((vdk_cpu_isa)i);
            vv_target *t = &r->targets[r->ntargets++];
            *t = (vv_target){.backend = VDK_BACKEND_CPU, .isa = (vdk_cpu_isa)i};
            t->required_by = by_backend                 ? by_backend
                             : o->require_isa[i]        ? "--require-isa"
                             : vc_listed(env, tier)     ? "VDK_TEST_REQUIRE_ISA"
                                                        : NULL;
            snprintf(t->name, sizeof t->name, "cpu/%s", tier);
            open_target(t);
        }
    }
}

int main(int argc, char **argv)
{
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc == -1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    if (o.list) {
        print_list(&o);
        return 0;
    }

    vv_report r = {.set = o.set->name, .seed = o.seed};
    for (int d = 0; d < VDK_DTYPE_COUNT; d++)
        if (o.dtypes[d])
            r.dtypes[r.ndtypes++] = (vdk_dtype)d;
    memcpy(r.ops, o.ops, sizeof r.ops);
    const vc_case **cases = malloc((size_t)o.set->ncases * sizeof *cases);
    if (!cases) {
        fputs("vdk-validate: out of memory\n", stderr);
        return EXIT_USAGE;
    }
    for (int i = 0; i < o.set->ncases; i++)
        if (o.ops[o.set->cases[i].op])
            cases[r.ncases++] = &o.set->cases[i];

    vdk_context *oracle = NULL;
    if (vdk_context_create(&(vdk_context_desc){.backend = VDK_BACKEND_REFERENCE, .device = -1},
                           &oracle) != VDK_OK) {
        fprintf(stderr, "vdk-validate: cannot create the reference context of the oracle: %s\n",
                vdk_last_error(NULL));
        free(cases);
        return EXIT_USAGE;
    }
    open_targets(&r, &o);

    const int64_t rows_per_backend = (int64_t)r.ncases * r.ndtypes;
    printf("vdk-validate %s (%s, %s): set %s, %d cases x %d dtypes, seed %llu\n",
           vdk_version_string(), VDK_BUILD_TYPE, VDK_C_COMPILER, o.set->name, r.ncases,
           r.ndtypes, (unsigned long long)o.seed);
    vv_table table = vv_table_open(stdout, o.quiet, cases, r.ncases, r.targets, r.ntargets);
    int64_t capacity = 0;
    for (int b = 0; b < r.ntargets; b++) {
        const vv_target *t = &r.targets[b];
        if (t->available) {
            capacity += rows_per_backend;
            if (!o.quiet)
                printf("%-6s backend %s\n", "RUN", t->name);
            continue;
        }
        vv_table_unavailable(&table, t, rows_per_backend);
        if (t->required_by)
            r.failed += rows_per_backend;
        else
            r.skipped += rows_per_backend;
    }

    vv_row *rows = calloc((size_t)(capacity ? capacity : 1), sizeof *rows);
    if (!rows) {
        fputs("vdk-validate: out of memory\n", stderr);
        return EXIT_USAGE;
    }
    const double start = now_seconds();
    for (int i = 0; i < r.ncases && capacity; i++)
        for (int d = 0; d < r.ndtypes; d++) {
            vv_prepared prep;
            vv_prepare(&prep, oracle, cases[i], r.dtypes[d], o.seed);
            for (int b = 0; b < r.ntargets; b++) {
                if (!r.targets[b].available)
                    continue;
                vv_row *row = &rows[r.nrows++];
                vv_run(&prep, &r.targets[b], row);
                if (row->result == VV_PASS)
                    r.passed++;
                else if (row->result == VV_GAP)
                    r.gaps++;
                else
                    r.failed++;
                vv_table_row(&table, row);
            }
            vv_prepared_free(&prep);
        }
    r.seconds = now_seconds() - start;
    r.rows = rows;

    int status = r.failed ? 1 : r.nrows == 0 && r.skipped > 0 ? EXIT_NOTHING_RAN : 0;
    if (strcmp(o.json, "-") != 0) {
        char err[512];
        if (vv_report_write_json(o.json, &r, err, sizeof err)) {
            if (!o.quiet)
                printf("report: %s (%.1f s)\n", o.json, r.seconds);
        } else {
            fprintf(stderr, "vdk-validate: %s\n", err);
            status = EXIT_USAGE;
        }
    }
    vv_table_summary(&table, &r);

    free(rows);
    free(cases);
    for (int b = 0; b < r.ntargets; b++) {
        vc_print_profile(r.targets[b].ctx, r.targets[b].name);
        vdk_context_destroy(r.targets[b].ctx);
    }
    vdk_context_destroy(oracle);
    return status;
}
