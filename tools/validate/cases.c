/* vdk-validate: the tensors of each operator's case, its call, and its description.
 * Shapes and parameter meanings are those of include/vdk/vdk.h. */
#include "cases.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const op_names[VV_OP_COUNT] = {
    [VV_GROUP_NORM] = "group_norm",
    [VV_CONV3D] = "conv3d",
    [VV_ATTENTION] = "attention",
    [VV_LINEAR] = "linear",
    [VV_LAYER_NORM] = "layer_norm",
    [VV_RMS_NORM] = "rms_norm",
    [VV_SOFTMAX] = "softmax",
    [VV_UNARY] = "unary",
    [VV_BINARY] = "binary",
    [VV_BLEND] = "blend",
    [VV_UPSAMPLE] = "upsample",
    [VV_TIMESTEP_EMBEDDING] = "timestep_embedding",
    [VV_CONCAT] = "concat",
};

const char *vv_op_name(vv_op op)
{
    return (int)op >= 0 && op < VV_OP_COUNT ? op_names[op] : "unknown";
}

int vv_op_from_name(const char *name)
{
    for (int i = 0; i < VV_OP_COUNT; i++)
        if (!strcmp(name, op_names[i]))
            return i;
    return -1;
}

/* ---- shapes ---- */

static vv_shape shape_of(int rank, const int64_t *d)
{
    vv_shape s = {rank, {0}};
    for (int i = 0; i < rank; i++)
        s.d[i] = d[i];
    return s;
}

static vv_shape vec(int64_t n) { return shape_of(1, &n); }

static int64_t numel(vv_shape s)
{
    int64_t n = 1;
    for (int i = 0; i < s.rank; i++)
        n *= s.d[i];
    return n;
}

static int64_t last(vv_shape s) { return s.d[s.rank - 1]; }

static int or_one(int v) { return v ? v : 1; }

/* Attention: how many key tokens each query sees, and the head width. */
static int64_t attention_keys(const vv_case *c)
{
    const vv_shape q = c->x;
    if (c->attention.kv_len > 0)
        return c->attention.kv_len;
    switch (c->attention.p.axes) {
    case VDK_AXES_TEMPORAL:
        return q.d[1];
    case VDK_AXES_SPATIOTEMPORAL:
        return q.d[1] * q.d[2] * q.d[3];
    default:
        return q.d[2] * q.d[3];
    }
}

static int64_t attention_head_dim(const vv_case *c)
{
    return c->x.d[4] / (c->attention.p.heads > 0 ? c->attention.p.heads : 1);
}

static int concat_axis(const vv_case *c)
{
    int ax = c->concat.p.axis;
    return ax < 0 ? ax + c->x.rank : ax;
}

/* ---- plans ---- */

static vv_input input(const char *name, vv_shape shape, double lo, double hi)
{
    return (vv_input){.name = name, .shape = shape, .lo = lo, .hi = hi};
}

/* Weights uniform with variance 1/K, so a sum over K inputs of unit scale stays
 * near unit scale and the activations after it see their interesting range. */
static vv_input weight(const char *name, vv_shape shape, int64_t fan_in)
{
    double a = sqrt(3.0 / (double)fan_in);
    return input(name, shape, -a, a);
}

static vv_shape maybe(bool present, vv_shape s) { return present ? s : (vv_shape){0, {0}}; }

vv_plan vv_plan_of(const vv_case *c)
{
    vv_plan p = {.reduction = 1};
    const vv_shape x = c->x;
    const bool bias = c->flags & VV_BIAS, residual = c->flags & VV_RESIDUAL,
               affine = c->flags & VV_AFFINE;
    switch (c->op) {
    case VV_GROUP_NORM: {
        const vdk_group_norm_params *g = &c->group_norm;
        /* a mean well off zero exercises the variance computation */
        p.in[0] = input("x", x, -1.0, 3.0);
        p.in[1] = input("gamma", maybe(affine, vec(x.d[4])), 0.5, 1.5);
        p.in[2] = input("beta", maybe(affine, vec(x.d[4])), -0.5, 0.5);
        p.out = x;
        p.reduction = (g->scope == VDK_NORM_PER_CLIP ? x.d[1] : 1) * x.d[2] * x.d[3] * x.d[4] /
                      (g->groups > 0 ? g->groups : 1);
        break;
    }
    case VV_CONV3D: {
        const int *k = c->conv3d.k;
        const int *st = c->conv3d.p.stride, *pad = c->conv3d.p.padding;
        const int64_t cin = x.d[4], cout = c->conv3d.cout, K = k[0] * k[1] * k[2] * cin;
        vv_shape y = {5, {x.d[0], 0, 0, 0, cout}};
        for (int a = 0; a < 3; a++)
            y.d[1 + a] = (x.d[1 + a] + 2 * pad[a] - k[a]) / or_one(st[a]) + 1;
        p.in[0] = input("x", x, -2.0, 2.0);
        p.in[1] = weight("w", shape_of(5, (int64_t[]){cout, k[0], k[1], k[2], cin}), K);
        p.in[2] = input("bias", maybe(bias, vec(cout)), -0.5, 0.5);
        p.in[3] = input("residual", maybe(residual, y), -1.0, 1.0);
        p.out = y;
        p.reduction = K;
        break;
    }
    case VV_ATTENTION: {
        vv_shape kv = x;
        if (c->attention.kv_len > 0)
            kv = shape_of(3, (int64_t[]){x.d[0], c->attention.kv_len, x.d[4]});
        /* scores of unit scale whatever D, so the softmax is far from uniform */
        p.in[0] = input("q", x, -2.0, 2.0);
        p.in[1] = input("k", kv, -2.0, 2.0);
        p.in[2] = input("v", kv, -1.0, 1.0);
        p.out = x;
        /* q.k over D, then the softmax sum and p.v over the keys */
        p.reduction = attention_head_dim(c) + attention_keys(c);
        /* fast kernels round the probabilities to the storage type before p.v */
        p.roundings = 1;
        break;
    }
    case VV_LINEAR: {
        const int64_t cin = last(x), cout = c->linear.cout;
        vv_shape y = x;
        y.d[y.rank - 1] = c->linear.p.act == VDK_ACT_GEGLU ? cout / 2 : cout;
        p.in[0] = input("x", x, -2.0, 2.0);
        p.in[1] = weight("w", shape_of(2, (int64_t[]){cout, cin}), cin);
        p.in[2] = input("bias", maybe(bias, vec(cout)), -0.5, 0.5);
        p.in[3] = input("residual", maybe(residual, y), -1.0, 1.0);
        p.out = y;
        p.reduction = cin;
        break;
    }
    case VV_LAYER_NORM:
        p.in[0] = input("x", x, -1.0, 3.0);
        p.in[1] = input("gamma", maybe(affine, vec(last(x))), 0.5, 1.5);
        p.in[2] = input("beta", maybe(affine, vec(last(x))), -0.5, 0.5);
        p.out = x;
        p.reduction = last(x);
        break;
    case VV_RMS_NORM:
        p.in[0] = input("x", x, -2.0, 2.0);
        p.in[1] = input("gamma", maybe(affine, vec(last(x))), 0.5, 1.5);
        p.out = x;
        p.reduction = last(x);
        break;
    case VV_SOFTMAX:
        p.in[0] = input("x", x, -4.0, 4.0);
        p.out = x;
        p.reduction = last(x);
        break;
    case VV_UNARY:
        /* reaches the tails of sigmoid and the negative lobe of GELU */
        p.in[0] = input("x", x, -6.0, 6.0);
        p.out = x;
        break;
    case VV_BINARY:
        p.in[0] = input("a", x, -2.0, 2.0);
        p.in[1] = input("b", c->binary.b, -2.0, 2.0);
        p.out = x;
        break;
    case VV_BLEND: {
        const bool sig = c->blend.p.sigmoid;
        p.in[0] = input("a", x, -2.0, 2.0);
        p.in[1] = input("b", x, -2.0, 2.0);
        /* alpha in [0, 1) as given, or logits whose sigmoid spans most of it */
        p.in[2] = input("alpha", c->blend.alpha, sig ? -4.0 : 0.0, sig ? 4.0 : 1.0);
        p.out = x;
        break;
    }
    case VV_UPSAMPLE: {
        const int *f = c->upsample.factor;
        p.in[0] = input("x", x, -2.0, 2.0);
        p.out = shape_of(5, (int64_t[]){x.d[0], x.d[1] * or_one(f[0]), x.d[2] * or_one(f[1]),
                                        x.d[3] * or_one(f[2]), x.d[4]});
        break;
    }
    case VV_TIMESTEP_EMBEDDING: {
        const vdk_timestep_embedding_params *e = &c->timestep_embedding.p;
        const double lo = c->timestep_embedding.t_lo, hi = c->timestep_embedding.t_hi;
        p.in[0] = input("t", x, lo, hi);
        p.in[0].integer = c->timestep_embedding.integer;
        p.out = shape_of(2, (int64_t[]){x.d[0], e->dim});
        /* An f32 kernel forms the argument a = scale * t * f with a relative error
         * of about u32, so sin(a) is off by about |a| u32: the same form as the
         * 4 sqrt(K) u32 term of vt_tolerance with K = |a|max^2 (f <= 1). */
        double amax = fabs((double)(e->scale != 0 ? e->scale : 1.0f)) * fmax(fabs(lo), fabs(hi));
        p.reduction = (int64_t)ceil(amax * amax);
        if (p.reduction < 1)
            p.reduction = 1;
        break;
    }
    case VV_CONCAT: {
        const int ax = concat_axis(c);
        vv_shape b = x, y = x;
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
    p.in[0].view = c->view;
    return p;
}

vdk_status vv_call(vdk_context *ctx, const vv_case *c, vdk_tensor *const in[VV_MAX_INPUTS],
                   vdk_tensor *out)
{
    switch (c->op) {
    case VV_GROUP_NORM:
        return vdk_group_norm(ctx, &c->group_norm, in[0], in[1], in[2], out);
    case VV_CONV3D:
        return vdk_conv3d(ctx, &c->conv3d.p, in[0], in[1], in[2], in[3], out);
    case VV_ATTENTION:
        return vdk_attention(ctx, &c->attention.p, in[0], in[1], in[2], out);
    case VV_LINEAR:
        return vdk_linear(ctx, &c->linear.p, in[0], in[1], in[2], in[3], out);
    case VV_LAYER_NORM:
        return vdk_layer_norm(ctx, &c->layer_norm, in[0], in[1], in[2], out);
    case VV_RMS_NORM:
        return vdk_rms_norm(ctx, &c->rms_norm, in[0], in[1], out);
    case VV_SOFTMAX:
        return vdk_softmax(ctx, &c->softmax, in[0], out);
    case VV_UNARY:
        return vdk_unary(ctx, &c->unary, in[0], out);
    case VV_BINARY:
        return vdk_binary(ctx, &c->binary.p, in[0], in[1], out);
    case VV_BLEND:
        return vdk_blend(ctx, &c->blend.p, in[0], in[1], in[2], out);
    case VV_UPSAMPLE:
        return vdk_upsample(ctx, &c->upsample, in[0], out);
    case VV_TIMESTEP_EMBEDDING:
        return vdk_timestep_embedding(ctx, &c->timestep_embedding.p, in[0], out);
    case VV_CONCAT:
        return vdk_concat(ctx, &c->concat.p, in[0], in[1], out);
    default:
        return VDK_ERROR_UNSUPPORTED;
    }
}

double vv_case_work(const vv_case *c)
{
    vv_plan p = vv_plan_of(c);
    double out = (double)numel(p.out);
    switch (c->op) {
    case VV_CONV3D:
        return out * (double)p.reduction;
    case VV_LINEAR: /* GEGLU: both halves of x w^T feed one output */
        return out * (double)p.reduction * (c->linear.p.act == VDK_ACT_GEGLU ? 2 : 1);
    case VV_ATTENTION: /* q.k and p.v: 2 L multiply-adds per output element */
        return out * 2.0 * (double)attention_keys(c);
    default: /* the rest touch each element a few times */
        return out;
    }
}

/* ---- descriptions ---- */

/* Appends printf output to buf, never past size. */
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

static void append_shape(char *buf, size_t size, const char *name, vv_shape s)
{
    append(buf, size, "%s%s[", buf[0] ? " " : "", name);
    for (int i = 0; i < s.rank; i++)
        append(buf, size, i ? ",%lld" : "%lld", (long long)s.d[i]);
    append(buf, size, "]");
}

void vv_shape_string(const vv_case *c, char *buf, size_t size)
{
    buf[0] = '\0';
    vv_plan p = vv_plan_of(c);
    switch (c->op) {
    case VV_CONV3D:
    case VV_LINEAR:
        append_shape(buf, size, "x", c->x);
        append_shape(buf, size, "w", p.in[1].shape);
        break;
    case VV_ATTENTION:
        append_shape(buf, size, "q", c->x);
        if (c->attention.kv_len > 0)
            append_shape(buf, size, "kv", p.in[1].shape);
        break;
    case VV_BINARY:
    case VV_CONCAT:
        append_shape(buf, size, "a", c->x);
        append_shape(buf, size, "b", p.in[1].shape);
        break;
    case VV_BLEND:
        append_shape(buf, size, "a", c->x);
        if (c->blend.alpha.rank)
            append_shape(buf, size, "alpha", c->blend.alpha);
        break;
    case VV_TIMESTEP_EMBEDDING:
        append_shape(buf, size, "t", c->x);
        break;
    default:
        append_shape(buf, size, "x", c->x);
        break;
    }
}

static const char *act_name(vdk_activation act)
{
    switch (act) {
    case VDK_ACT_NONE:
        return "none";
    case VDK_ACT_SILU:
        return "silu";
    case VDK_ACT_GELU:
        return "gelu";
    case VDK_ACT_GEGLU:
        return "geglu";
    default:
        return "act?";
    }
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
        return "axes?";
    }
}

static const char *unary_name(vdk_unary_op op)
{
    static const char *const names[VDK_UNARY_COUNT] = {"silu", "gelu", "sigmoid", "affine"};
    return (int)op >= 0 && op < VDK_UNARY_COUNT ? names[op] : "op?";
}

static const char *binary_name(vdk_binary_op op)
{
    static const char *const names[VDK_BINARY_COUNT] = {"add", "sub", "mul"};
    return (int)op >= 0 && op < VDK_BINARY_COUNT ? names[op] : "op?";
}

static void append_triple(char *buf, size_t size, const char *name, const int *v, int zero_is)
{
    append(buf, size, " %s=%dx%dx%d", name, v[0] ? v[0] : zero_is, v[1] ? v[1] : zero_is,
           v[2] ? v[2] : zero_is);
}

void vv_params_string(const vv_case *c, char *buf, size_t size)
{
    buf[0] = '\0';
    const bool bias = c->flags & VV_BIAS, residual = c->flags & VV_RESIDUAL,
               affine = c->flags & VV_AFFINE;
    switch (c->op) {
    case VV_GROUP_NORM: {
        const vdk_group_norm_params *g = &c->group_norm;
        append(buf, size, "groups=%d eps=%g %s %s%s", g->groups, (double)g->eps,
               g->scope == VDK_NORM_PER_CLIP ? "per-clip" : "per-frame", act_name(g->act),
               affine ? " affine" : "");
        break;
    }
    case VV_CONV3D:
        append(buf, size, "k=%dx%dx%d", c->conv3d.k[0], c->conv3d.k[1], c->conv3d.k[2]);
        append_triple(buf, size, "s", c->conv3d.p.stride, 1);
        append_triple(buf, size, "p", c->conv3d.p.padding, 0);
        append(buf, size, " %s%s%s", act_name(c->conv3d.p.act), bias ? " bias" : "",
               residual ? " residual" : "");
        break;
    case VV_ATTENTION: {
        const vdk_attention_params *a = &c->attention.p;
        append(buf, size, "%s%s heads=%d D=%lld", c->attention.kv_len > 0 ? "cross/" : "",
               axes_name(a->axes), a->heads, (long long)attention_head_dim(c));
        if (a->scale != 0)
            append(buf, size, " scale=%g", (double)a->scale);
        break;
    }
    case VV_LINEAR:
        append(buf, size, "cout=%lld %s%s%s", (long long)c->linear.cout, act_name(c->linear.p.act),
               bias ? " bias" : "", residual ? " residual" : "");
        break;
    case VV_LAYER_NORM:
        append(buf, size, "eps=%g%s", (double)c->layer_norm.eps, affine ? " affine" : "");
        break;
    case VV_RMS_NORM:
        append(buf, size, "eps=%g%s", (double)c->rms_norm.eps, affine ? " gamma" : "");
        break;
    case VV_SOFTMAX:
        append(buf, size, "scale=%g", c->softmax.scale != 0 ? (double)c->softmax.scale : 1.0);
        break;
    case VV_UNARY:
        append(buf, size, "%s", unary_name(c->unary.op));
        if (c->unary.op == VDK_UNARY_AFFINE)
            append(buf, size, " alpha=%g beta=%g", (double)c->unary.alpha, (double)c->unary.beta);
        break;
    case VV_BINARY:
        append(buf, size, "%s", binary_name(c->binary.p.op));
        break;
    case VV_BLEND:
        if (c->blend.alpha.rank)
            append(buf, size, "alpha=tensor%s", c->blend.p.sigmoid ? " sigmoid" : "");
        else
            append(buf, size, "alpha=%g", (double)c->blend.p.alpha);
        break;
    case VV_UPSAMPLE:
        append_triple(buf, size, "factor", c->upsample.factor, 1);
        memmove(buf, buf + 1, strlen(buf)); /* no leading space */
        break;
    case VV_TIMESTEP_EMBEDDING: {
        const vdk_timestep_embedding_params *e = &c->timestep_embedding.p;
        append(buf, size, "dim=%d%s%s shift=%g scale=%g max_period=%g t=%s[%g,%g)", e->dim,
               e->flip_sin_to_cos ? " flip" : "", e->interleave ? " interleave" : "",
               (double)e->downscale_freq_shift, e->scale != 0 ? (double)e->scale : 1.0,
               e->max_period != 0 ? (double)e->max_period : 10000.0,
               c->timestep_embedding.integer ? "int" : "", c->timestep_embedding.t_lo,
               c->timestep_embedding.t_hi);
        break;
    }
    case VV_CONCAT:
        append(buf, size, "axis=%d", c->concat.p.axis);
        break;
    default:
        break;
    }
    if (c->view > 0)
        append(buf, size, " strided(%s of %lld)", vv_plan_of(c).in[0].name,
               (long long)(last(c->x) + 2 * c->view));
}
