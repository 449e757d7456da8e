/* vdk-bench: the work of each operator's case, the estimates, and the checks
 * on the tables. Shapes and parameter meanings are those of include/vdk/vdk.h;
 * the counting conventions are docs/results.md's. */
#include "counts.h"

#include <stdarg.h>
#include <stdio.h>

static int64_t last(vc_shape s) { return s.d[s.rank - 1]; }

/* ---- work ---- */

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

double vb_flops(const vc_case *c)
{
    const vc_plan p = vc_plan_of(c);
    const double out = (double)vc_numel(p.out), in = (double)vc_numel(c->x);
    switch (c->op) {
    case VC_CONV3D: {
        const int *k = c->conv3d.k;
        return 2.0 * out * (double)k[0] * k[1] * k[2] * (double)c->x.d[4];
    }
    case VC_LINEAR: {
        const double rows = in / (double)last(c->x);
        return 2.0 * rows * (double)c->linear.cout * (double)last(c->x);
    }
    case VC_ATTENTION: {
        int64_t seqs, lq, lk;
        vc_attention_dims(c, &seqs, &lq, &lk);
        return 4.0 * (double)seqs * (double)lq * (double)lk * (double)c->x.d[4];
    }
    case VC_GROUP_NORM:
        return (8.0 + act_flops(c->group_norm.act)) * out;
    case VC_LAYER_NORM:
    case VC_RMS_NORM:
        return 8.0 * out;
    case VC_SOFTMAX:
        return 5.0 * out;
    case VC_UNARY:
        switch (c->unary.op) {
        case VDK_UNARY_SILU:
        case VDK_UNARY_SIGMOID:
            return 4.0 * out;
        case VDK_UNARY_GELU:
            return 8.0 * out;
        default:
            return out;
        }
    case VC_BINARY:
        return out;
    case VC_BLEND:
        return 3.0 * out;
    case VC_TIMESTEP_EMBEDDING:
        return 4.0 * out;
    default: /* upsample, concat: data movement only */
        return 0.0;
    }
}

int64_t vb_elements_moved(const vc_case *c)
{
    const vc_plan p = vc_plan_of(c);
    int64_t n = vc_numel(p.out);
    for (int i = 0; i < VC_MAX_INPUTS; i++)
        n += vc_numel(p.in[i].shape);
    return n;
}

double vb_min_bytes(const vc_case *c, vdk_dtype dtype)
{
    return (double)vb_elements_moved(c) * (double)vdk_dtype_size(dtype);
}

bool vb_compute_bound(const vc_case *c)
{
    switch (c->op) {
    case VC_CONV3D:
    case VC_LINEAR:
        return true;
    case VC_ATTENTION:
        return c->attention.kv_len == 0 && c->attention.p.axes != VDK_AXES_TEMPORAL;
    default:
        return false;
    }
}

const char *vb_bound(const vc_case *c) { return vb_compute_bound(c) ? "compute" : "memory"; }

/* ---- estimates ---- */

/* The reference computes in double with plain loops: about 2 GFLOP/s for the
 * contractions and 25 M elements/s for what it converts, loads and stores, on
 * the two-core development machine; the estimate takes half of each. It is
 * there to refuse hour-long calls, not to predict. */
#define REF_FLOPS_PER_S 1e9
#define REF_ELEMENTS_PER_S 2e7

double vb_reference_seconds(const vc_case *c)
{
    return vb_flops(c) / REF_FLOPS_PER_S + (double)vb_elements_moved(c) / REF_ELEMENTS_PER_S;
}

double vb_case_memory(const vc_case *c, vdk_backend b, vdk_dtype dtype)
{
    double bytes = vb_min_bytes(c, dtype);
    if (b == VDK_BACKEND_REFERENCE)
        bytes += 8.0 * (double)vb_elements_moved(c);
    return bytes;
}

/* ---- validity ---- */

static bool bad(char *msg, size_t size, const vc_case *c, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool bad(char *msg, size_t size, const vc_case *c, const char *fmt, ...)
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

static bool positive(vc_shape s)
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
static bool broadcasts(vc_shape b, vc_shape a)
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

bool vb_case_valid(const vc_case *c, char *msg, size_t size)
{
    if ((int)c->op < 0 || c->op >= VC_OP_COUNT)
        return bad(msg, size, c, "unknown operator %d", (int)c->op);
    if (!positive(c->x))
        return bad(msg, size, c, "the first input has a rank or size out of range");
    const vc_plan p = vc_plan_of(c);
    for (int i = 0; i < VC_MAX_INPUTS; i++)
        if (p.in[i].shape.rank && !positive(p.in[i].shape))
            return bad(msg, size, c, "input '%s' has a size < 1", p.in[i].name);
    if (!positive(p.out))
        return bad(msg, size, c, "the output has a size < 1");
    const int64_t C = last(c->x);
    switch (c->op) {
    case VC_GROUP_NORM:
        if (c->x.rank != 5 || c->group_norm.groups < 1 || C % c->group_norm.groups)
            return bad(msg, size, c, "needs x of rank 5 and groups dividing C");
        if (!(c->group_norm.eps > 0))
            return bad(msg, size, c, "eps must be > 0");
        break;
    case VC_CONV3D:
        if (c->x.rank != 5)
            return bad(msg, size, c, "x must be [N, T, H, W, Cin]");
        for (int a = 0; a < 3; a++)
            if (c->conv3d.k[a] < 1 || c->conv3d.p.padding[a] < 0 ||
                c->conv3d.p.padding[a] > c->conv3d.k[a] - 1 || c->conv3d.p.stride[a] < 1)
                return bad(msg, size, c, "kernel, stride or padding out of range on axis %d", a);
        break;
    case VC_ATTENTION:
        if (c->x.rank != 5 || c->attention.p.heads < 1 || C % c->attention.p.heads)
            return bad(msg, size, c, "needs q of rank 5 and heads dividing C");
        break;
    case VC_LINEAR:
        if (c->linear.p.act == VDK_ACT_GEGLU && c->linear.cout % 2)
            return bad(msg, size, c, "GEGLU needs an even Cout");
        break;
    case VC_LAYER_NORM:
    case VC_RMS_NORM:
        if (!((c->op == VC_LAYER_NORM ? c->layer_norm.eps : c->rms_norm.eps) > 0))
            return bad(msg, size, c, "eps must be > 0");
        break;
    case VC_BINARY:
        if (!broadcasts(c->binary.b, c->x))
            return bad(msg, size, c, "b does not broadcast to a");
        break;
    case VC_BLEND:
        if (c->blend.alpha.rank && !broadcasts(c->blend.alpha, c->x))
            return bad(msg, size, c, "alpha does not broadcast to a");
        if (c->blend.p.sigmoid && !c->blend.alpha.rank)
            return bad(msg, size, c, "sigmoid needs an alpha tensor");
        break;
    case VC_UPSAMPLE:
        if (c->x.rank != 5)
            return bad(msg, size, c, "x must be [N, T, H, W, C]");
        break;
    case VC_TIMESTEP_EMBEDDING:
        if (c->x.rank != 1 || c->timestep_embedding.p.dim < 2)
            return bad(msg, size, c, "needs t [N] and dim >= 2");
        break;
    case VC_CONCAT: {
        int ax = vc_concat_axis(c);
        if (ax < 0 || ax >= c->x.rank)
            return bad(msg, size, c, "axis out of range");
        break;
    }
    default:
        break;
    }
    return true;
}
