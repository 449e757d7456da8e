/* The tensors of each operator's case and its call. Shapes and parameter
 * meanings are those of include/vdk/vdk.h. */
#include "cases.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const op_names[VC_OP_COUNT] = {
    [VC_GROUP_NORM] = "group_norm",
    [VC_CONV3D] = "conv3d",
    [VC_ATTENTION] = "attention",
    [VC_LINEAR] = "linear",
    [VC_LAYER_NORM] = "layer_norm",
    [VC_RMS_NORM] = "rms_norm",
    [VC_SOFTMAX] = "softmax",
    [VC_UNARY] = "unary",
    [VC_BINARY] = "binary",
    [VC_BLEND] = "blend",
    [VC_UPSAMPLE] = "upsample",
    [VC_TIMESTEP_EMBEDDING] = "timestep_embedding",
    [VC_CONCAT] = "concat",
};

const char *vc_op_name(vc_op op)
{
    return (int)op >= 0 && op < VC_OP_COUNT ? op_names[op] : "unknown";
}

int vc_op_from_name(const char *name)
{
    for (int i = 0; i < VC_OP_COUNT; i++)
        if (!strcmp(name, op_names[i]))
            return i;
    return -1;
}

/* ---- shapes ---- */

static vc_shape shape_of(int rank, const int64_t *d)
{
    vc_shape s = {rank, {0}};
    for (int i = 0; i < rank; i++)
        s.d[i] = d[i];
    return s;
}

static vc_shape vec(int64_t n) { return shape_of(1, &n); }

int64_t vc_numel(vc_shape s)
{
    if (s.rank == 0)
        return 0;
    int64_t n = 1;
    for (int i = 0; i < s.rank; i++)
        n *= s.d[i];
    return n;
}

static int64_t last(vc_shape s) { return s.d[s.rank - 1]; }

static int or_one(int v) { return v ? v : 1; }

static vc_shape maybe(bool present, vc_shape s) { return present ? s : (vc_shape){0, {0}}; }

void vc_attention_dims(const vc_case *c, int64_t *seqs, int64_t *lq, int64_t *lk)
{
    const vc_shape q = c->x;
    const int64_t N = q.d[0], T = q.d[1], HW = q.d[2] * q.d[3];
    if (c->attention.kv_len > 0) {
        /* every query of batch item n attends to the same L keys */
        *seqs = N;
        *lq = T * HW;
        *lk = c->attention.kv_len;
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

int64_t vc_attention_head_dim(const vc_case *c)
{
    return c->x.d[4] / (c->attention.p.heads > 0 ? c->attention.p.heads : 1);
}

int vc_concat_axis(const vc_case *c)
{
    int ax = c->concat.p.axis;
    return ax < 0 ? ax + c->x.rank : ax;
}

/* ---- plans ---- */

static vc_input input(const char *name, vc_shape shape, double lo, double hi)
{
    return (vc_input){.name = name, .shape = shape, .lo = lo, .hi = hi};
}

/* Weights uniform with variance 1/K, so a sum over K inputs of unit scale stays
 * near unit scale and the activations after it see their interesting range (and
 * f16 does not overflow). */
static vc_input weight(const char *name, vc_shape shape, int64_t fan_in)
{
    double a = sqrt(3.0 / (double)fan_in);
    return input(name, shape, -a, a);
}

vc_plan vc_plan_of(const vc_case *c)
{
    vc_plan p = {0};
    const vc_shape x = c->x;
    const bool bias = c->flags & VC_BIAS, residual = c->flags & VC_RESIDUAL,
               affine = c->flags & VC_AFFINE;
    switch (c->op) {
    case VC_GROUP_NORM:
        /* a mean well off zero exercises the variance computation */
        p.in[0] = input("x", x, -1.0, 3.0);
        p.in[1] = input("gamma", maybe(affine, vec(x.d[4])), 0.5, 1.5);
        p.in[2] = input("beta", maybe(affine, vec(x.d[4])), -0.5, 0.5);
        p.out = x;
        break;
    case VC_CONV3D: {
        const int *k = c->conv3d.k;
        const int *st = c->conv3d.p.stride, *pad = c->conv3d.p.padding;
        const int64_t cin = x.d[4], cout = c->conv3d.cout;
        vc_shape y = {5, {x.d[0], 0, 0, 0, cout}};
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
    case VC_ATTENTION: {
        vc_shape kv = x;
        if (c->attention.kv_len > 0)
            kv = shape_of(3, (int64_t[]){x.d[0], c->attention.kv_len, x.d[4]});
        /* scores of unit scale whatever D, so the softmax is far from uniform */
        p.in[0] = input("q", x, -2.0, 2.0);
        p.in[1] = input("k", kv, -2.0, 2.0);
        p.in[2] = input("v", kv, -1.0, 1.0);
        p.out = x;
        break;
    }
    case VC_LINEAR: {
        const int64_t cin = last(x), cout = c->linear.cout;
        vc_shape y = x;
        y.d[y.rank - 1] = c->linear.p.act == VDK_ACT_GEGLU ? cout / 2 : cout;
        p.in[0] = input("x", x, -2.0, 2.0);
        p.in[1] = weight("w", shape_of(2, (int64_t[]){cout, cin}), cin);
        p.in[2] = input("bias", maybe(bias, vec(cout)), -0.5, 0.5);
        p.in[3] = input("residual", maybe(residual, y), -1.0, 1.0);
        p.out = y;
        break;
    }
    case VC_LAYER_NORM:
        p.in[0] = input("x", x, -1.0, 3.0);
        p.in[1] = input("gamma", maybe(affine, vec(last(x))), 0.5, 1.5);
        p.in[2] = input("beta", maybe(affine, vec(last(x))), -0.5, 0.5);
        p.out = x;
        break;
    case VC_RMS_NORM:
        p.in[0] = input("x", x, -2.0, 2.0);
        p.in[1] = input("gamma", maybe(affine, vec(last(x))), 0.5, 1.5);
        p.out = x;
        break;
    case VC_SOFTMAX:
        p.in[0] = input("x", x, -4.0, 4.0);
        p.out = x;
        break;
    case VC_UNARY:
        /* reaches the tails of sigmoid and the negative lobe of GELU */
        p.in[0] = input("x", x, -6.0, 6.0);
        p.out = x;
        break;
    case VC_BINARY:
        p.in[0] = input("a", x, -2.0, 2.0);
        p.in[1] = input("b", c->binary.b, -2.0, 2.0);
        p.out = x;
        break;
    case VC_BLEND: {
        const bool sig = c->blend.p.sigmoid;
        p.in[0] = input("a", x, -2.0, 2.0);
        p.in[1] = input("b", x, -2.0, 2.0);
        /* alpha in [0, 1) as given, or logits whose sigmoid spans most of it */
        p.in[2] = input("alpha", c->blend.alpha, sig ? -4.0 : 0.0, sig ? 4.0 : 1.0);
        p.out = x;
        break;
    }
    case VC_UPSAMPLE: {
        const int *f = c->upsample.factor;
        p.in[0] = input("x", x, -2.0, 2.0);
        p.out = shape_of(5, (int64_t[]){x.d[0], x.d[1] * or_one(f[0]), x.d[2] * or_one(f[1]),
                                        x.d[3] * or_one(f[2]), x.d[4]});
        break;
    }
    case VC_TIMESTEP_EMBEDDING:
        p.in[0] = input("t", x, c->timestep_embedding.t_lo, c->timestep_embedding.t_hi);
        p.in[0].integer = c->timestep_embedding.integer;
        p.out = shape_of(2, (int64_t[]){x.d[0], c->timestep_embedding.p.dim});
        break;
    case VC_CONCAT: {
        const int ax = vc_concat_axis(c);
        vc_shape b = x, y = x;
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

/* ---- the call ---- */

vdk_status vc_call(vdk_context *ctx, const vc_case *c, vdk_tensor *const in[VC_MAX_INPUTS],
                   vdk_tensor *out)
{
    switch (c->op) {
    case VC_GROUP_NORM:
        return vdk_group_norm(ctx, &c->group_norm, in[0], in[1], in[2], out);
    case VC_CONV3D:
        return vdk_conv3d(ctx, &c->conv3d.p, in[0], in[1], in[2], in[3], out);
    case VC_ATTENTION:
        return vdk_attention(ctx, &c->attention.p, in[0], in[1], in[2], out);
    case VC_LINEAR:
        return vdk_linear(ctx, &c->linear.p, in[0], in[1], in[2], in[3], out);
    case VC_LAYER_NORM:
        return vdk_layer_norm(ctx, &c->layer_norm, in[0], in[1], in[2], out);
    case VC_RMS_NORM:
        return vdk_rms_norm(ctx, &c->rms_norm, in[0], in[1], out);
    case VC_SOFTMAX:
        return vdk_softmax(ctx, &c->softmax, in[0], out);
    case VC_UNARY:
        return vdk_unary(ctx, &c->unary, in[0], out);
    case VC_BINARY:
        return vdk_binary(ctx, &c->binary.p, in[0], in[1], out);
    case VC_BLEND:
        return vdk_blend(ctx, &c->blend.p, in[0], in[1], in[2], out);
    case VC_UPSAMPLE:
        return vdk_upsample(ctx, &c->upsample, in[0], out);
    case VC_TIMESTEP_EMBEDDING:
        return vdk_timestep_embedding(ctx, &c->timestep_embedding.p, in[0], out);
    case VC_CONCAT:
        return vdk_concat(ctx, &c->concat.p, in[0], in[1], out);
    default:
        return VDK_ERROR_UNSUPPORTED;
    }
}

/* ---- names and text ---- */

const char *vc_act_name(vdk_activation act)
{
    static const char *const names[VDK_ACT_COUNT] = {"none", "silu", "gelu", "geglu"};
    return (int)act >= 0 && act < VDK_ACT_COUNT ? names[act] : "unknown";
}

const char *vc_axes_name(vdk_attention_axes axes)
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

const char *vc_unary_name(vdk_unary_op op)
{
    static const char *const names[VDK_UNARY_COUNT] = {"silu", "gelu", "sigmoid", "affine"};
    return (int)op >= 0 && op < VDK_UNARY_COUNT ? names[op] : "unknown";
}

const char *vc_binary_name(vdk_binary_op op)
{
    static const char *const names[VDK_BINARY_COUNT] = {"add", "sub", "mul"};
    return (int)op >= 0 && op < VDK_BINARY_COUNT ? names[op] : "unknown";
}

void vc_append(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

void vc_append_shape(char *buf, size_t size, const char *name, vc_shape s)
{
    vc_append(buf, size, "%s%s[", buf[0] ? " " : "", name);
    for (int i = 0; i < s.rank; i++)
        vc_append(buf, size, i ? ",%lld" : "%lld", (long long)s.d[i]);
    vc_append(buf, size, "]");
}
