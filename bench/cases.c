/* vdk-bench: the tensors of each operator's case, its work, its call and its
 * JSON. Shapes and parameter meanings are those of include/vdk/vdk.h; the
 * counting conventions are docs/results.md's. */
#include "cases.h"

#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

static const char *const op_names[VB_OP_COUNT] = {
    [VB_GROUP_NORM] = "group_norm",
    [VB_CONV3D] = "conv3d",
    [VB_ATTENTION] = "attention",
    [VB_LINEAR] = "linear",
    [VB_LAYER_NORM] = "layer_norm",
    [VB_RMS_NORM] = "rms_norm",
    [VB_SOFTMAX] = "softmax",
    [VB_UNARY] = "unary",
    [VB_BINARY] = "binary",
    [VB_BLEND] = "blend",
    [VB_UPSAMPLE] = "upsample",
    [VB_TIMESTEP_EMBEDDING] = "timestep_embedding",
    [VB_CONCAT] = "concat",
};

const char *vb_op_name(vb_op op)
{
    return (int)op >= 0 && op < VB_OP_COUNT ? op_names[op] : "unknown";
}

int vb_op_from_name(const char *name)
{
    for (int i = 0; i < VB_OP_COUNT; i++)
        if (!strcmp(name, op_names[i]))
            return i;
    return -1;
}

/* ---- shapes ---- */

static vb_shape shape_of(int rank, const int64_t *d)
{
    vb_shape s = {rank, {0}};
    for (int i = 0; i < rank; i++)
        s.d[i] = d[i];
    return s;
}

static vb_shape vec(int64_t n) { return shape_of(1, &n); }

int64_t vb_numel(vb_shape s)
{
    if (s.rank == 0)
        return 0;
    int64_t n = 1;
    for (int i = 0; i < s.rank; i++)
        n *= s.d[i];
    return n;
}

static int64_t last(vb_shape s) { return s.d[s.rank - 1]; }

static int or_one(int v) { return v ? v : 1; }

static vb_shape maybe(bool present, vb_shape s) { return present ? s : (vb_shape){0, {0}}; }

static vb_input input(const char *name, vb_shape shape, double lo, double hi)
{
    return (vb_input){.name = name, .shape = shape, .lo = lo, .hi = hi};
}

/* Weights with variance 1/K, so that sums over K inputs stay near unit scale
 * and the activations see ordinary values (no overflow in f16). */
static vb_input weight(const char *name, vb_shape shape, int64_t fan_in)
{
    double a = sqrt(3.0 / (double)fan_in);
    return input(name, shape, -a, a);
}

static int concat_axis(const vb_case *c)
{
    int ax = c->concat.p.axis;
    return ax < 0 ? ax + c->x.rank : ax;
}

vb_plan vb_plan_of(const vb_case *c)
{
    vb_plan p = {0};
    const vb_shape x = c->x;
    const bool bias = c->flags & VB_BIAS, residual = c->flags & VB_RESIDUAL,
               affine = c->flags & VB_AFFINE;
    switch (c->op) {
    case VB_GROUP_NORM:
        p.in[0] = input("x", x, -1.0, 3.0);
        p.in[1] = input("gamma", maybe(affine, vec(x.d[4])), 0.5, 1.5);
        p.in[2] = input("beta", maybe(affine, vec(x.d[4])), -0.5, 0.5);
        p.out = x;
        break;
    case VB_CONV3D: {
        const int *k = c->conv3d.k;
        const int *st = c->conv3d.p.stride, *pad = c->conv3d.p.padding;
        const int64_t cin = x.d[4], cout = c->conv3d.cout;
        vb_shape y = {5, {x.d[0], 0, 0, 0, cout}};
        for (int a = 0; a < 3; a++)
            y.d[1 + a] = (x.d[1 + a] + 2 * pad[a] - k[a]) / or_one(st[a]) + 1;
        p.in[0] = input("x", x, -2.0, 2.0);
        p.in[1] = weight("w", shape_of(5, (int64_t[]){cout, k[0], k[1], k[2], cin}),
                         (int64_t)k[0] * k[1] * k[2] * cin);
        p.in[2] = input("bias", maybe(bias, vec(cout)), -0.5, 0.5);
        p.in[3] = input("residual", maybe(residual, y), -1.0, 1.0);
        p.out = y;
        break;
    }
    case VB_ATTENTION: {
        vb_shape kv = x;
        if (c->attention.kv_len > 0)
            kv = shape_of(3, (int64_t[]){x.d[0], c->attention.kv_len, x.d[4]});
        p.in[0] = input("q", x, -1.0, 1.0);
        p.in[1] = input("k", kv, -1.0, 1.0);
        p.in[2] = input("v", kv, -1.0, 1.0);
        p.out = x;
        break;
    }
    case VB_LINEAR: {
        const int64_t cin = last(x), cout = c->linear.cout;
        vb_shape y = x;
        y.d[y.rank - 1] = c->linear.p.act == VDK_ACT_GEGLU ? cout / 2 : cout;
        p.in[0] = input("x", x, -2.0, 2.0);
        p.in[1] = weight("w", shape_of(2, (int64_t[]){cout, cin}), cin);
        p.in[2] = input("bias", maybe(bias, vec(cout)), -0.5, 0.5);
        p.in[3] = input("residual", maybe(residual, y), -1.0, 1.0);
        p.out = y;
        break;
    }
    case VB_LAYER_NORM:
        p.in[0] = input("x", x, -1.0, 3.0);
        p.in[1] = input("gamma", maybe(affine, vec(last(x))), 0.5, 1.5);
        p.in[2] = input("beta", maybe(affine, vec(last(x))), -0.5, 0.5);
        p.out = x;
        break;
    case VB_RMS_NORM:
        p.in[0] = input("x", x, -2.0, 2.0);
        p.in[1] = input("gamma", maybe(affine, vec(last(x))), 0.5, 1.5);
        p.out = x;
        break;
    case VB_SOFTMAX:
        p.in[0] = input("x", x, -4.0, 4.0);
        p.out = x;
        break;
    case VB_UNARY:
        p.in[0] = input("x", x, -6.0, 6.0);
        p.out = x;
        break;
    case VB_BINARY:
        p.in[0] = input("a", x, -2.0, 2.0);
        p.in[1] = input("b", c->binary.b, -2.0, 2.0);
        p.out = x;
        break;
    case VB_BLEND: {
        const bool sig = c->blend.p.sigmoid;
        p.in[0] = input("a", x, -2.0, 2.0);
        p.in[1] = input("b", x, -2.0, 2.0);
        p.in[2] = input("alpha", c->blend.alpha, sig ? -4.0 : 0.0, sig ? 4.0 : 1.0);
        p.out = x;
        break;
    }
    case VB_UPSAMPLE: {
        const int *f = c->upsample.factor;
        p.in[0] = input("x", x, -2.0, 2.0);
        p.out = shape_of(5, (int64_t[]){x.d[0], x.d[1] * or_one(f[0]), x.d[2] * or_one(f[1]),
                                        x.d[3] * or_one(f[2]), x.d[4]});
        break;
    }
    case VB_TIMESTEP_EMBEDDING:
        p.in[0] = input("t", x, 0.0, c->timestep_embedding.t_hi);
        p.in[0].integer = c->timestep_embedding.integer;
        p.out = shape_of(2, (int64_t[]){x.d[0], c->timestep_embedding.p.dim});
        break;
    case VB_CONCAT: {
        const int ax = concat_axis(c);
        vb_shape b = x, y = x;
        b.d[ax] = c->concat.b_len;
        y.d[ax] += c->concat.b_len;
        p.in[0] = input("a", x, -2.0, 2.0);
        p.in[1] = input("b", b, -2.0, 2.0);
        p.out = y;
        break;
    }
    default:
        break;
    }
    return p;
}

/* ---- work ---- */

/* Attention: (sequences, query tokens, key tokens) of each sequence. */
static void attention_dims(const vb_case *c, double *seqs, double *lq, double *lk)
{
    const vb_shape q = c->x;
    const double N = (double)q.d[0], T = (double)q.d[1], HW = (double)(q.d[2] * q.d[3]);
    if (c->attention.kv_len > 0) {
        /* every query of batch item n attends to the same L keys */
        *seqs = N;
        *lq = T * HW;
        *lk = (double)c->attention.kv_len;
        return;
    }
    switch (c->attention.p.axes) {
    case VDK_AXES_TEMPORAL:
        *seqs = N * HW;
        *lq = *lk = T;
        break;
    case VDK_AXES_SPATIOTEMPORAL:
        *seqs = N;
        *lq = *lk = T * HW;
        break;
    default:
        *seqs = N * T;
        *lq = *lk = HW;
        break;
    }
}

static double act_flops(vdk_activation act)
{
    switch (act) {
    case VDK_ACT_SILU:
        return 4;
    case VDK_ACT_GELU:
        return 8;
    default:
        return 0;
    }
}

double vb_flops(const vb_case *c)
{
    const vb_plan p = vb_plan_of(c);
    const double out = (double)vb_numel(p.out), in = (double)vb_numel(c->x);
    switch (c->op) {
    case VB_CONV3D: {
        const int *k = c->conv3d.k;
        return 2.0 * out * (double)k[0] * k[1] * k[2] * (double)c->x.d[4];
    }
    case VB_LINEAR: {
        const double rows = in / (double)last(c->x);
        return 2.0 * rows * (double)c->linear.cout * (double)last(c->x);
    }
    case VB_ATTENTION: {
        double seqs, lq, lk;
        attention_dims(c, &seqs, &lq, &lk);
        return 4.0 * seqs * lq * lk * (double)c->x.d[4];
    }
    case VB_GROUP_NORM:
        return (8.0 + act_flops(c->group_norm.act)) * out;
    case VB_LAYER_NORM:
    case VB_RMS_NORM:
        return 8.0 * out;
    case VB_SOFTMAX:
        return 5.0 * out;
    case VB_UNARY:
        switch (c->unary.op) {
        case VDK_UNARY_SILU:
        case VDK_UNARY_SIGMOID:
            return 4.0 * out;
        case VDK_UNARY_GELU:
            return 8.0 * out;
        default:
            return out;
        }
    case VB_BINARY:
        return out;
    case VB_BLEND:
        return 3.0 * out;
    case VB_TIMESTEP_EMBEDDING:
        return 4.0 * out;
    default: /* upsample, concat: data movement only */
        return 0.0;
    }
}

int64_t vb_elements_moved(const vb_case *c)
{
    const vb_plan p = vb_plan_of(c);
    int64_t n = vb_numel(p.out);
    for (int i = 0; i < VB_MAX_INPUTS; i++)
        n += vb_numel(p.in[i].shape);
    return n;
}

double vb_min_bytes(const vb_case *c, vdk_dtype dtype)
{
    return (double)vb_elements_moved(c) * (double)vdk_dtype_size(dtype);
}

bool vb_compute_bound(const vb_case *c)
{
    switch (c->op) {
    case VB_CONV3D:
    case VB_LINEAR:
        return true;
    case VB_ATTENTION:
        return c->attention.kv_len == 0 && c->attention.p.axes != VDK_AXES_TEMPORAL;
    default:
        return false;
    }
}

const char *vb_bound(const vb_case *c) { return vb_compute_bound(c) ? "compute" : "memory"; }

/* ---- estimates ---- */

/* The reference computes in double with plain loops: about 2 GFLOP/s for the
 * contractions and 25 M elements/s for what it converts, loads and stores, on
 * the two-core development machine; the estimate takes half of each. It is
 * there to refuse hour-long calls, not to predict. */
#define REF_FLOPS_PER_S 1e9
#define REF_ELEMENTS_PER_S 2e7

double vb_reference_seconds(const vb_case *c)
{
    return vb_flops(c) / REF_FLOPS_PER_S + (double)vb_elements_moved(c) / REF_ELEMENTS_PER_S;
}

double vb_case_memory(const vb_case *c, vdk_backend b, vdk_dtype dtype)
{
    double bytes = vb_min_bytes(c, dtype);
    if (b == VDK_BACKEND_REFERENCE)
        bytes += 8.0 * (double)vb_elements_moved(c);
    return bytes;
}

/* ---- validity ---- */

static bool bad(char *msg, size_t size, const vb_case *c, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool bad(char *msg, size_t size, const vb_case *c, const char *fmt, ...)
{
    int n = snprintf(msg, size, "%s: ", c->name);
    if (n >= 0 && (size_t)n < size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg + n, size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool positive(vb_shape s)
{
    if (s.rank < 1 || s.rank > VDK_MAX_RANK)
        return false;
    for (int i = 0; i < s.rank; i++)
        if (s.d[i] < 1)
            return false;
    return true;
}

/* b broadcasts to a as vdk_binary states: rank <= a's, sizes 1 or equal,
 * aligned from the last axis. */
static bool broadcasts(vb_shape b, vb_shape a)
{
    if (!positive(b) || b.rank > a.rank)
        return false;
    for (int i = 1; i <= b.rank; i++) {
        int64_t sb = b.d[b.rank - i], sa = a.d[a.rank - i];
        if (sb != 1 && sb != sa)
            return false;
    }
    return true;
}

bool vb_case_valid(const vb_case *c, char *msg, size_t size)
{
    if ((int)c->op < 0 || c->op >= VB_OP_COUNT)
        return bad(msg, size, c, "unknown operator %d", (int)c->op);
    if (!positive(c->x))
        return bad(msg, size, c, "the first input has a rank or size out of range");
    const vb_plan p = vb_plan_of(c);
    for (int i = 0; i < VB_MAX_INPUTS; i++)
        if (p.in[i].shape.rank && !positive(p.in[i].shape))
            return bad(msg, size, c, "input '%s' has a size < 1", p.in[i].name);
    if (!positive(p.out))
        return bad(msg, size, c, "the output has a size < 1");
    const int64_t C = last(c->x);
    switch (c->op) {
    case VB_GROUP_NORM:
        if (c->x.rank != 5 || c->group_norm.groups < 1 || C % c->group_norm.groups)
            return bad(msg, size, c, "needs x of rank 5 and groups dividing C");
        if (!(c->group_norm.eps > 0))
            return bad(msg, size, c, "eps must be > 0");
        break;
    case VB_CONV3D:
        if (c->x.rank != 5)
            return bad(msg, size, c, "x must be [N, T, H, W, Cin]");
        for (int a = 0; a < 3; a++)
            if (c->conv3d.k[a] < 1 || c->conv3d.p.padding[a] < 0 ||
                c->conv3d.p.padding[a] > c->conv3d.k[a] - 1 || c->conv3d.p.stride[a] < 1)
                return bad(msg, size, c, "kernel, stride or padding out of range on axis %d", a);
        break;
    case VB_ATTENTION:
        if (c->x.rank != 5 || c->attention.p.heads < 1 || C % c->attention.p.heads)
            return bad(msg, size, c, "needs q of rank 5 and heads dividing C");
        break;
    case VB_LINEAR:
        if (c->linear.p.act == VDK_ACT_GEGLU && c->linear.cout % 2)
            return bad(msg, size, c, "GEGLU needs an even Cout");
        break;
    case VB_LAYER_NORM:
    case VB_RMS_NORM:
        if (!((c->op == VB_LAYER_NORM ? c->layer_norm.eps : c->rms_norm.eps) > 0))
            return bad(msg, size, c, "eps must be > 0");
        break;
    case VB_BINARY:
        if (!broadcasts(c->binary.b, c->x))
            return bad(msg, size, c, "b does not broadcast to a");
        break;
    case VB_BLEND:
        if (c->blend.alpha.rank && !broadcasts(c->blend.alpha, c->x))
            return bad(msg, size, c, "alpha does not broadcast to a");
        if (c->blend.p.sigmoid && !c->blend.alpha.rank)
            return bad(msg, size, c, "sigmoid needs an alpha tensor");
        break;
    case VB_UPSAMPLE:
        if (c->x.rank != 5)
            return bad(msg, size, c, "x must be [N, T, H, W, C]");
        break;
    case VB_TIMESTEP_EMBEDDING:
        if (c->x.rank != 1 || c->timestep_embedding.p.dim < 2)
            return bad(msg, size, c, "needs t [N] and dim >= 2");
        break;
    case VB_CONCAT: {
        int ax = concat_axis(c);
        if (ax < 0 || ax >= c->x.rank)
            return bad(msg, size, c, "axis out of range");
        break;
    }
    default:
        break;
    }
    return true;
}

/* ---- the call ---- */

vdk_status vb_call(vdk_context *ctx, const vb_case *c, vdk_tensor *const in[VB_MAX_INPUTS],
                   vdk_tensor *out)
{
    switch (c->op) {
    case VB_GROUP_NORM:
        return vdk_group_norm(ctx, &c->group_norm, in[0], in[1], in[2], out);
    case VB_CONV3D:
        return vdk_conv3d(ctx, &c->conv3d.p, in[0], in[1], in[2], in[3], out);
    case VB_ATTENTION:
        return vdk_attention(ctx, &c->attention.p, in[0], in[1], in[2], out);
    case VB_LINEAR:
        return vdk_linear(ctx, &c->linear.p, in[0], in[1], in[2], in[3], out);
    case VB_LAYER_NORM:
        return vdk_layer_norm(ctx, &c->layer_norm, in[0], in[1], in[2], out);
    case VB_RMS_NORM:
        return vdk_rms_norm(ctx, &c->rms_norm, in[0], in[1], out);
    case VB_SOFTMAX:
        return vdk_softmax(ctx, &c->softmax, in[0], out);
    case VB_UNARY:
        return vdk_unary(ctx, &c->unary, in[0], out);
    case VB_BINARY:
        return vdk_binary(ctx, &c->binary.p, in[0], in[1], out);
    case VB_BLEND:
        return vdk_blend(ctx, &c->blend.p, in[0], in[1], in[2], out);
    case VB_UPSAMPLE:
        return vdk_upsample(ctx, &c->upsample, in[0], out);
    case VB_TIMESTEP_EMBEDDING:
        return vdk_timestep_embedding(ctx, &c->timestep_embedding.p, in[0], out);
    case VB_CONCAT:
        return vdk_concat(ctx, &c->concat.p, in[0], in[1], out);
    default:
        return VDK_ERROR_UNSUPPORTED;
    }
}

/* ---- JSON and text ---- */

static const char *act_name(vdk_activation act)
{
    static const char *const names[VDK_ACT_COUNT] = {"none", "silu", "gelu", "geglu"};
    return (int)act >= 0 && act < VDK_ACT_COUNT ? names[act] : "unknown";
}

static const char *axes_name(vdk_attention_axes axes)
{
    switch (axes) {
    case VDK_AXES_SPATIAL:
        return "spatial";
    case VDK_AXES_TEMPORAL:
        return "temporal";
    case VDK_AXES_SPATIOTEMPORAL:
        return "spatiotemporal";
    default:
        return "unknown";
    }
}

static const char *unary_name(vdk_unary_op op)
{
    static const char *const names[VDK_UNARY_COUNT] = {"silu", "gelu", "sigmoid", "affine"};
    return (int)op >= 0 && op < VDK_UNARY_COUNT ? names[op] : "unknown";
}

static const char *binary_name(vdk_binary_op op)
{
    static const char *const names[VDK_BINARY_COUNT] = {"add", "sub", "mul"};
    return (int)op >= 0 && op < VDK_BINARY_COUNT ? names[op] : "unknown";
}

static void triple(FILE *f, const char *name, const int *v)
{
    fprintf(f, "\"%s\": [%d, %d, %d]", name, v[0], v[1], v[2]);
}

static void field_float(FILE *f, const char *name, float v)
{
    fprintf(f, "\"%s\": ", name);
    vb_json_float(f, v);
}

void vb_write_params_json(FILE *f, const vb_case *c)
{
    fputc('{', f);
    switch (c->op) {
    case VB_GROUP_NORM: {
        const vdk_group_norm_params *g = &c->group_norm;
        fprintf(f, "\"groups\": %d, ", g->groups);
        field_float(f, "eps", g->eps);
        fprintf(f, ", \"scope\": \"%s\", \"act\": \"%s\"",
                g->scope == VDK_NORM_PER_CLIP ? "per_clip" : "per_frame", act_name(g->act));
        break;
    }
    case VB_CONV3D:
        triple(f, "stride", c->conv3d.p.stride);
        fputs(", ", f);
        triple(f, "padding", c->conv3d.p.padding);
        fprintf(f, ", \"act\": \"%s\"", act_name(c->conv3d.p.act));
        break;
    case VB_ATTENTION:
        fprintf(f, "\"axes\": \"%s\", \"heads\": %d, ", axes_name(c->attention.p.axes),
                c->attention.p.heads);
        field_float(f, "scale", c->attention.p.scale);
        break;
    case VB_LINEAR:
        fprintf(f, "\"act\": \"%s\"", act_name(c->linear.p.act));
        break;
    case VB_LAYER_NORM:
        field_float(f, "eps", c->layer_norm.eps);
        break;
    case VB_RMS_NORM:
        field_float(f, "eps", c->rms_norm.eps);
        break;
    case VB_SOFTMAX:
        field_float(f, "scale", c->softmax.scale);
        break;
    case VB_UNARY:
        fprintf(f, "\"op\": \"%s\", ", unary_name(c->unary.op));
        field_float(f, "alpha", c->unary.alpha);
        fputs(", ", f);
        field_float(f, "beta", c->unary.beta);
        break;
    case VB_BINARY:
        fprintf(f, "\"op\": \"%s\"", binary_name(c->binary.p.op));
        break;
    case VB_BLEND:
        field_float(f, "alpha", c->blend.p.alpha);
        fprintf(f, ", \"sigmoid\": %d", c->blend.p.sigmoid);
        break;
    case VB_UPSAMPLE:
        triple(f, "factor", c->upsample.factor);
        break;
    case VB_TIMESTEP_EMBEDDING: {
        const vdk_timestep_embedding_params *e = &c->timestep_embedding.p;
        fprintf(f, "\"dim\": %d, \"flip_sin_to_cos\": %d, \"interleave\": %d, ", e->dim,
                e->flip_sin_to_cos, e->interleave);
        field_float(f, "downscale_freq_shift", e->downscale_freq_shift);
        fputs(", ", f);
        field_float(f, "scale", e->scale);
        fputs(", ", f);
        field_float(f, "max_period", e->max_period);
        break;
    }
    case VB_CONCAT:
        fprintf(f, "\"axis\": %d", c->concat.p.axis);
        break;
    default:
        break;
    }
    fputc('}', f);
}

static void shape_json(FILE *f, vb_shape s)
{
    fputc('[', f);
    for (int i = 0; i < s.rank; i++)
        fprintf(f, i ? ", %lld" : "%lld", (long long)s.d[i]);
    fputc(']', f);
}

void vb_write_inputs_json(FILE *f, const vb_case *c)
{
    const vb_plan p = vb_plan_of(c);
    fputc('{', f);
    bool first = true;
    for (int i = 0; i < VB_MAX_INPUTS; i++) {
        if (!p.in[i].shape.rank)
            continue;
        fprintf(f, "%s\"%s\": ", first ? "" : ", ", p.in[i].name);
        shape_json(f, p.in[i].shape);
        first = false;
    }
    fputs("}, \"output\": ", f);
    shape_json(f, p.out);
}

static void append(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

void vb_shapes_string(const vb_case *c, char *buf, size_t size)
{
    if (!size)
        return;
    buf[0] = '\0';
    const vb_plan p = vb_plan_of(c);
    for (int i = 0; i < VB_MAX_INPUTS; i++) {
        if (!p.in[i].shape.rank)
            continue;
        append(buf, size, "%s%s[", buf[0] ? " " : "", p.in[i].name);
        for (int a = 0; a < p.in[i].shape.rank; a++)
            append(buf, size, a ? ",%lld" : "%lld", (long long)p.in[i].shape.d[a]);
        append(buf, size, "]");
    }
}
