/* vdk-validate: the table. The short fixed-width columns come first (result at
 * the left edge, so failures stand out when scanning), the descriptive ones
 * last, so a narrow terminal wraps only the description. */
#include "table.h"

#include "describe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define W_OP 18
#define W_BACKEND 9 /* at least; wider for "cpu/avx512" */
#define W_KERNEL 22

static const char *paint(const vv_table *t, vv_result r)
{
    if (!t->color)
        return "";
    return r == VV_PASS ? "\033[32m" : r == VV_FAIL ? "\033[1;31m" : "\033[33m";
}

static const char *plain(const vv_table *t) { return t->color ? "\033[0m" : ""; }

vv_table vv_table_open(FILE *out, bool quiet, const vc_case *const *cases, int ncases,
                       const vv_target *targets, int ntargets)
{
    vv_table t = {.out = out, .quiet = quiet, .w_shape = 5, .w_backend = W_BACKEND};
    for (int i = 0; i < ntargets; i++)
        if ((int)strlen(targets[i].name) > t.w_backend)
            t.w_backend = (int)strlen(targets[i].name);
    const char *no_color = getenv("NO_COLOR");
    t.color = isatty(fileno(out)) && !(no_color && no_color[0]);
    for (int i = 0; i < ncases; i++) {
        char s[256];
        vv_shape_string(cases[i], s, sizeof s);
        int n = (int)strlen(s);
        if (n > t.w_shape)
            t.w_shape = n;
    }
    return t;
}

static void header(vv_table *t)
{
    if (t->header_done)
        return;
    t->header_done = true;
    fprintf(t->out, "%-6s %-*s %-*s %-5s %-9s %-9s %-9s %-*s %-*s %s\n", "result", W_OP, "op",
            t->w_backend, "backend", "dtype", "norm_err", "bound", "max_abs", W_KERNEL, "kernel",
            t->w_shape, "shape", "params");
}

static void number(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.2e", v);
}

static const char *result_name(vv_result r)
{
    return r == VV_PASS ? "PASS" : r == VV_FAIL ? "FAIL" : "SKIP";
}

void vv_table_row(vv_table *t, const vv_row *r)
{
    if (t->quiet && r->result != VV_FAIL)
        return;
    header(t);
    char shape[256], params[256], ne[16], bound[16], ma[16];
    vv_shape_string(r->c, shape, sizeof shape);
    vv_params_string(r->c, params, sizeof params);
    number(ne, sizeof ne, r->norm_err);
    number(bound, sizeof bound, r->bound);
    number(ma, sizeof ma, r->max_abs);
    fprintf(t->out, "%s%-6s%s %-*s %-*s %-5s %-9s %-9s %-9s %-*s %-*s %s\n", paint(t, r->result),
            result_name(r->result), plain(t), W_OP, vc_op_name(r->c->op), t->w_backend,
            r->target->name, vdk_dtype_name(r->dtype), ne, bound, ma, W_KERNEL,
            r->kernel, t->w_shape, shape, params);
    if (r->result == VV_FAIL)
        fprintf(t->out, "       -> %s\n", r->message);
    fflush(t->out);
}

void vv_table_unavailable(vv_table *t, const vv_target *target, int64_t rows)
{
    vv_result r = target->required_by ? VV_FAIL : VV_SKIP;
    char required[64] = "";
    if (target->required_by)
        snprintf(required, sizeof required, " but required (%s)", target->required_by);
    fprintf(t->out, "%s%-6s%s backend %s unavailable%s: %s (%s); %lld rows %s\n", paint(t, r),
            result_name(r), plain(t), target->name, required, target->reason,
            vdk_status_string(target->status), (long long)rows,
            target->required_by ? "counted as failed" : "not run");
    fflush(t->out);
}

void vv_table_summary(vv_table *t, const vv_report *r)
{
    /* One line per (operator, backend) with failures: how many, and the first reason. */
    for (int b = 0; b < r->ntargets; b++)
        for (int op = 0; op < VC_OP_COUNT; op++) {
            int64_t failed = 0, total = 0;
            const vv_row *first = NULL;
            for (int64_t i = 0; i < r->nrows; i++) {
                const vv_row *row = &r->rows[i];
                if (row->target != &r->targets[b] || (int)row->c->op != op)
                    continue;
                total++;
                if (row->result == VV_FAIL) {
                    failed++;
                    if (!first)
                        first = row;
                }
            }
            if (failed)
                fprintf(t->out, "%sfailed%s %s on %s: %lld of %lld rows; first: %s\n",
                        paint(t, VV_FAIL), plain(t), vc_op_name((vc_op)op), r->targets[b].name,
                        (long long)failed, (long long)total, first->message);
        }
    for (int b = 0; b < r->ntargets; b++) {
        const vv_target *s = &r->targets[b];
        if (!s->available)
            fprintf(t->out, "%s%s%s backend %s: %s\n", paint(t, s->required_by ? VV_FAIL : VV_SKIP),
                    s->required_by ? "failed" : "skipped", plain(t), s->name,
                    s->required_by ? "required but unavailable" : "unavailable, not validated");
    }
    fprintf(t->out, "vdk-validate: %lld passed, %lld failed, %lld skipped\n", (long long)r->passed,
            (long long)r->failed, (long long)r->skipped);
    fflush(t->out);
}
