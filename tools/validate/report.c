/* vdk-validate: the JSON report, written with plain fprintf. Layout (docs/validate.md):
 *   {tool, vdk_version, date, host{name, os, machine}, build{type, compiler},
 *    set, seed, dtypes[], ops[], backends[{name, cpu_isa, status, reason, create_status,
 *    required, required_by, rows_not_run}], summary{passed, failed, skipped, seconds},
 *    rows[{op, backend, cpu_isa, kernel, dtype, shape, params, norm_err, max_abs, bound,
 *    reduction, roundings, call_status, status, message}]}
 * Numbers that were not measured are null, and so is cpu_isa off the cpu backend. */
#include "report.h"

#include "describe.h"

#include "vdk_config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

/* A JSON string: quotes, backslashes and control characters escaped; other
 * bytes (UTF-8) as they are. */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

/* JSON has no NaN or infinity. */
static void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.9g", v);
    else
        fputs("null", f);
}

/* A string, or null. */
static void json_string_or_null(FILE *f, const char *s)
{
    if (s)
        json_string(f, s);
    else
        fputs("null", f);
}

static const char *isa_name_or_null(const vv_target *t)
{
    vdk_cpu_isa isa = vv_target_isa(t);
    return isa == VDK_CPU_ISA_COUNT ? NULL : vdk_cpu_isa_name(isa);
}

static const char *result_name(vv_result r)
{
    return r == VV_PASS ? "PASS" : r == VV_SKIP ? "SKIP" : "FAIL";
}

static void write_row(FILE *f, const vv_row *r)
{
    char shape[256], params[256];
    vv_shape_string(r->c, shape, sizeof shape);
    vv_params_string(r->c, params, sizeof params);
    fputs("    {\"op\": ", f);
    json_string(f, vc_op_name(r->c->op));
    fputs(", \"backend\": ", f);
    json_string(f, r->target->name);
    fputs(", \"cpu_isa\": ", f);
    json_string_or_null(f, isa_name_or_null(r->target));
    fputs(", \"kernel\": ", f);
    json_string(f, r->kernel);
    fputs(", \"dtype\": ", f);
    json_string(f, vdk_dtype_name(r->dtype));
    fputs(", \"shape\": ", f);
    json_string(f, shape);
    fputs(", \"params\": ", f);
    json_string(f, params);
    fputs(", \"norm_err\": ", f);
    json_number(f, r->norm_err);
    fputs(", \"max_abs\": ", f);
    json_number(f, r->max_abs);
    fputs(", \"bound\": ", f);
    json_number(f, r->bound);
    fprintf(f, ", \"reduction\": %lld, \"roundings\": %d", (long long)r->reduction, r->roundings);
    fputs(", \"call_status\": ", f);
    json_string(f, vdk_status_string(r->call_status));
    fputs(", \"status\": ", f);
    json_string(f, result_name(r->result));
    fputs(", \"message\": ", f);
    json_string(f, r->message);
    fputc('}', f);
}

static void write_header(FILE *f, const vv_report *r)
{
    char date[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct utsname u;
    if (uname(&u) != 0)
        memset(&u, 0, sizeof u);
    char os[2 * sizeof u.release + 2];
    snprintf(os, sizeof os, "%s %s", u.sysname, u.release);

    fputs("{\n  \"tool\": \"vdk-validate\",\n  \"vdk_version\": ", f);
    json_string(f, vdk_version_string());
    fputs(",\n  \"date\": ", f);
    json_string(f, date);
    fputs(",\n  \"host\": {\"name\": ", f);
    json_string(f, u.nodename);
    fputs(", \"os\": ", f);
    json_string(f, os);
    fputs(", \"machine\": ", f);
    json_string(f, u.machine);
    fputs("},\n  \"build\": {\"type\": ", f);
    json_string(f, VDK_BUILD_TYPE);
    fputs(", \"compiler\": ", f);
    json_string(f, VDK_C_COMPILER);
    fputs("},\n  \"set\": ", f);
    json_string(f, r->set);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"dtypes\": [", (unsigned long long)r->seed);
    for (int i = 0; i < r->ndtypes; i++) {
        fputs(i ? ", " : "", f);
        json_string(f, vdk_dtype_name(r->dtypes[i]));
    }
    fputs("],\n  \"ops\": [", f);
    for (int i = 0, n = 0; i < VC_OP_COUNT; i++)
        if (r->ops[i]) {
            fputs(n++ ? ", " : "", f);
            json_string(f, vc_op_name((vc_op)i));
        }
    fprintf(f, "],\n  \"cases\": %d,\n  \"backends\": [\n", r->ncases);
    for (int i = 0; i < r->ntargets; i++) {
        const vv_target *t = &r->targets[i];
        fputs(i ? ",\n    {\"name\": " : "    {\"name\": ", f);
        json_string(f, t->name);
        fputs(", \"cpu_isa\": ", f);
        json_string_or_null(f, isa_name_or_null(t));
        fputs(", \"status\": ", f);
        json_string(f, t->available ? "available" : "unavailable");
        fputs(", \"reason\": ", f);
        json_string(f, t->available ? "" : t->reason);
        fputs(", \"create_status\": ", f);
        json_string(f, vdk_status_string(t->status));
        fprintf(f, ", \"required\": %s, \"required_by\": ", t->required_by ? "true" : "false");
        json_string_or_null(f, t->required_by);
        fprintf(f, ", \"rows_not_run\": %lld}",
                t->available ? 0LL : (long long)r->ncases * r->ndtypes);
    }
    fprintf(f,
            "\n  ],\n  \"summary\": {\"passed\": %lld, \"failed\": %lld, \"skipped\": %lld, "
            "\"seconds\": ",
            (long long)r->passed, (long long)r->failed, (long long)r->skipped);
    json_number(f, r->seconds);
    fputs("},\n", f);
}

bool vv_report_write_json(const char *path, const vv_report *r, char *err, size_t errsize)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errsize, "cannot open %s for writing: %s", path, strerror(errno));
        return false;
    }
    write_header(f, r);
    fputs("  \"rows\": [", f);
    for (int64_t i = 0; i < r->nrows; i++) {
        fputs(i ? ",\n" : "\n", f);
        write_row(f, &r->rows[i]);
    }
    fputs(r->nrows ? "\n  ]\n}\n" : "]\n}\n", f);
    bool ok = !ferror(f);
    if (fclose(f) != 0)
        ok = false;
    if (!ok)
        snprintf(err, errsize, "writing %s failed: %s", path, strerror(errno));
    return ok;
}
