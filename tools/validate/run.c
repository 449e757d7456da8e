/* vdk-validate: the method of docs/validation.md for one case in one dtype.
 *
 * Seeded random inputs are rounded to the dtype (written into a tensor of that
 * dtype and read back), the reference backend runs the operator on VDK_F64
 * tensors holding exactly those rounded values, and each backend under test runs
 * it in the dtype into a poisoned output with a guard region after it. A row
 * passes when vt_compare's normalised error is within
 * vt_tolerance(dtype, K, roundings), no output is NaN/Inf where the oracle is
 * finite, the guard is intact and no input changed. */
#include "run.h"

#include "describe.h"
#include "tolerance.h"

#include "vdk_test.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The tensor an input lives in: its own shape, or the wider one it is a view of. */
static vc_shape storage_shape(const vc_input *in)
{
    vc_shape s = in->shape;
    if (in->view > 0)
        s.d[s.rank - 1] += 2 * (int64_t)in->view;
    return s;
}

/* FNV-1a, so the data of a case depends on what the case is and not on its
 * position in a set or on which options filtered the run. */
static uint64_t hash_string(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t input_seed(const vc_case *c, uint64_t seed, int input)
{
    char shape[256], params[256];
    vv_shape_string(c, shape, sizeof shape);
    vv_params_string(c, params, sizeof params);
    uint64_t h = 0xcbf29ce484222325ull;
    h = hash_string(h, vc_op_name(c->op));
    h = hash_string(h, shape);
    h = hash_string(h, params);
    return h ^ (seed * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)input << 56);
}

static void fill_input(vdk_tensor *t, const vc_input *in, uint64_t seed)
{
    if (!in->integer) {
        vt_fill_uniform(t, seed, in->lo, in->hi);
        return;
    }
    int64_t n = vdk_tensor_numel(t);
    double *v = malloc((size_t)n * sizeof *v);
    if (!v)
        vt_fatal("out of memory");
    for (int64_t i = 0; i < n; i++)
        v[i] = floor(vt_uniform(seed, (uint64_t)i, in->lo, in->hi));
    vt_fill(t, v);
    free(v);
}

/* The elements of the view out of the values of its wider storage tensor. */
static double *view_values(const vc_input *in, const double *storage)
{
    const int64_t c = in->shape.d[in->shape.rank - 1], wide = c + 2 * (int64_t)in->view;
    const int64_t rows = vc_numel(in->shape) / c;
    double *v = malloc((size_t)(rows * c) * sizeof *v);
    if (!v)
        vt_fatal("out of memory");
    for (int64_t r = 0; r < rows; r++)
        memcpy(v + r * c, storage + r * wide + in->view, (size_t)c * sizeof *v);
    return v;
}

void vv_prepare(vv_prepared *p, vdk_context *oracle, const vc_case *c, vdk_dtype dtype,
                uint64_t seed)
{
    memset(p, 0, sizeof *p);
    p->c = c;
    p->plan = vc_plan_of(c);
    p->dtype = dtype;
    vdk_tensor *in64[VC_MAX_INPUTS] = {NULL};
    for (int i = 0; i < VC_MAX_INPUTS; i++) {
        const vc_input *in = &p->plan.in[i];
        if (!in->shape.rank)
            continue;
        vc_shape s = storage_shape(in);
        vdk_tensor *t = vt_tensor(oracle, dtype, s.rank, s.d);
        fill_input(t, in, input_seed(c, seed, i));
        p->values[i] = vt_read(t); /* now rounded to the dtype */
        p->nvalues[i] = vc_numel(s);
        vdk_tensor_destroy(t);
        double *dense = in->view > 0 ? view_values(in, p->values[i]) : p->values[i];
        in64[i] = vt_tensor(oracle, VDK_F64, in->shape.rank, in->shape.d);
        vt_fill(in64[i], dense);
        if (dense != p->values[i])
            free(dense);
    }
    vdk_tensor *y = vt_tensor(oracle, VDK_F64, p->plan.out.rank, p->plan.out.d);
    p->oracle_status = vc_call(oracle, c, in64, y);
    if (p->oracle_status == VDK_OK)
        p->want = vt_read(y);
    else
        snprintf(p->oracle_message, sizeof p->oracle_message, "%s", vdk_last_error(oracle));
    vdk_tensor_destroy(y);
    for (int i = 0; i < VC_MAX_INPUTS; i++)
        vdk_tensor_destroy(in64[i]);
}

void vv_prepared_free(vv_prepared *p)
{
    for (int i = 0; i < VC_MAX_INPUTS; i++)
        free(p->values[i]);
    free(p->want);
    memset(p, 0, sizeof *p);
}

/* Appends "; "-separated reasons to the row's message. */
static void say(vv_row *row, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(vv_row *row, const char *fmt, ...)
{
    size_t used = strlen(row->message);
    if (used && used + 2 < sizeof row->message) {
        memcpy(row->message + used, "; ", 3);
        used += 2;
    }
    if (used + 1 >= sizeof row->message)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(row->message + used, sizeof row->message - used, fmt, ap);
    va_end(ap);
}

vdk_cpu_isa vv_target_isa(const vv_target *t)
{
    if (t->ctx)
        return vdk_context_cpu_isa(t->ctx);
    if (t->backend == VDK_BACKEND_CPU && t->isa != VDK_CPU_ISA_AUTO)
        return t->isa;
    return VDK_CPU_ISA_COUNT;
}

void vv_run(const vv_prepared *p, const vv_target *target, vv_row *row)
{
    const vc_plan *plan = &p->plan;
    vdk_context *ctx = target->ctx;
    *row = (vv_row){
        .c = p->c,
        .target = target,
        .dtype = p->dtype,
        .kernel = "-",
        .call_status = VDK_OK,
        .norm_err = NAN,
        .max_abs = NAN,
        .bound = vt_tolerance(p->dtype, vv_reduction(p->c), vv_roundings(p->c)),
        .reduction = vv_reduction(p->c),
        .roundings = vv_roundings(p->c),
        .result = VV_FAIL,
    };
    vdk_tensor *storage[VC_MAX_INPUTS] = {NULL}, *views[VC_MAX_INPUTS] = {NULL};
    vdk_tensor *args[VC_MAX_INPUTS] = {NULL};
    vt_guarded y = {0};
    bool have_y = false;

    for (int i = 0; i < VC_MAX_INPUTS; i++) {
        const vc_input *in = &plan->in[i];
        if (!in->shape.rank)
            continue;
        vc_shape s = storage_shape(in);
        vdk_status st = vdk_tensor_create(ctx, p->dtype, s.rank, s.d, &storage[i]);
        if (st != VDK_OK) {
            char sh[96] = "";
            vc_append_shape(sh, sizeof sh, "", s);
            row->call_status = st;
            say(row, "vdk_tensor_create(%s %s) for '%s': %s: %s", vdk_dtype_name(p->dtype), sh,
                in->name, vdk_status_string(st), vdk_last_error(ctx));
            goto done;
        }
        vt_fill(storage[i], p->values[i]);
        args[i] = storage[i];
        if (in->view > 0) {
            st = vdk_tensor_slice(storage[i], -1, in->view, in->shape.d[in->shape.rank - 1],
                                  &views[i]);
            if (st != VDK_OK) {
                row->call_status = st;
                say(row, "vdk_tensor_slice for '%s': %s: %s", in->name, vdk_status_string(st),
                    vdk_last_error(ctx));
                goto done;
            }
            args[i] = views[i];
        }
    }
    y = vt_guarded_tensor(ctx, p->dtype, plan->out.rank, plan->out.d);
    have_y = true;
    /* The validation layers' messages (when they are on) about this row's
     * work fail the row: the layers only see the calls of a Vulkan context. */
    const int64_t messages_before = vdk_context_validation_messages(ctx, NULL);
    vdk_status st = vc_call(ctx, p->c, args, y.view);
    const char *kernel = vdk_last_kernel(ctx);
    snprintf(row->kernel, sizeof row->kernel, "%s", kernel[0] ? kernel : "-");
    row->call_status = st;
    if (st != VDK_OK) {
        say(row, "%s: %s", vdk_status_string(st), vdk_last_error(ctx));
        if (st == VDK_ERROR_UNSUPPORTED && !target->required_by)
            row->result = VV_GAP;
        goto done;
    }
    st = vdk_sync(ctx);
    if (st != VDK_OK) {
        row->call_status = st;
        say(row, "vdk_sync: %s: %s", vdk_status_string(st), vdk_last_error(ctx));
        goto done;
    }
    if (!p->want) {
        say(row, "no oracle: the f64 reference returned %s: %s",
            vdk_status_string(p->oracle_status), p->oracle_message);
        goto done;
    }

    vt_error e = vt_compare_tensor(y.view, p->want);
    /* norm_err and max_abs cover the finite outputs; with none they say nothing */
    row->norm_err = e.bad < e.n ? e.norm_err : NAN;
    row->max_abs = e.bad < e.n ? e.max_abs : NAN;
    bool ok = vt_error_ok(e, row->bound);
    if (e.bad)
        say(row, "%lld of %lld outputs NaN/Inf where the oracle has none (an output never "
                 "written keeps the NaN poison)",
            (long long)e.bad, (long long)e.n);
    if (e.norm_err > row->bound)
        say(row, "norm_err %.3g > bound %.3g (K = %lld, roundings %d)", e.norm_err, row->bound,
            (long long)row->reduction, row->roundings);
    if (!vt_guard_intact(&y)) {
        ok = false;
        say(row, "wrote past the end of the output (guard region overwritten)");
    }
    for (int i = 0; i < VC_MAX_INPUTS; i++) {
        if (!storage[i])
            continue;
        double *now = vt_read(storage[i]);
        int64_t changed = 0;
        for (int64_t j = 0; j < p->nvalues[i]; j++)
            changed += now[j] != p->values[i][j];
        free(now);
        if (changed) {
            ok = false;
            say(row, "input '%s' changed by the call (%lld of %lld elements%s)",
                plan->in[i].name, (long long)changed, (long long)p->nvalues[i],
                plan->in[i].view > 0 ? " of its storage" : "");
        }
    }
    const char *first = "";
    const int64_t messages = vdk_context_validation_messages(ctx, &first) - messages_before;
    if (messages > 0) {
        ok = false;
        say(row, "%lld Vulkan validation-layer message%s (the context's first: %s)",
            (long long)messages, messages == 1 ? "" : "s", first);
    }
    row->result = ok ? VV_PASS : VV_FAIL;

done:
    if (have_y)
        vt_guarded_destroy(&y);
    for (int i = 0; i < VC_MAX_INPUTS; i++) {
        vdk_tensor_destroy(views[i]);
        vdk_tensor_destroy(storage[i]);
    }
}
