/* vdk-validate: a case's tensors and parameters as one line each. */
#include "describe.h"

#include <string.h>

void vv_shape_string(const vc_case *c, char *buf, size_t size)
{
    buf[0] = '\0';
    vc_plan p = vc_plan_of(c);
    switch (c->op) {
    case VC_CONV3D:
    case VC_LINEAR:
        vc_append_shape(buf, size, "x", c->x);
        vc_append_shape(buf, size, "w", p.in[1].shape);
        break;
    case VC_ATTENTION:
        vc_append_shape(buf, size, "q", c->x);
        if (c->attention.kv_len > 0)
            vc_append_shape(buf, size, "kv", p.in[1].shape);
        break;
    case VC_BINARY:
    case VC_CONCAT:
        vc_append_shape(buf, size, "a", c->x);
        vc_append_shape(buf, size, "b", p.in[1].shape);
        break;
    case VC_BLEND:
        vc_append_shape(buf, size, "a", c->x);
        if (c->blend.alpha.rank)
            vc_append_shape(buf, size, "alpha", c->blend.alpha);
        break;
    case VC_TIMESTEP_EMBEDDING:
        vc_append_shape(buf, size, "t", c->x);
        break;
    default:
        vc_append_shape(buf, size, "x", c->x);
        break;
    }
}

static void append_triple(char *buf, size_t size, const char *name, const int *v, int zero_is)
{
    vc_append(buf, size, " %s=%dx%dx%d", name, v[0] ? v[0] : zero_is, v[1] ? v[1] : zero_is,
              v[2] ? v[2] : zero_is);
}

void vv_params_string(const vc_case *c, char *buf, size_t size)
{
    buf[0] = '\0';
    const bool bias = c->flags & VC_BIAS, residual = c->flags & VC_RESIDUAL,
               affine = c->flags & VC_AFFINE;
    switch (c->op) {
    case VC_GROUP_NORM: {
        const vdk_group_norm_params *g = &c->group_norm;
        vc_append(buf, size, "groups=%d eps=%g %s %s%s", g->groups, (double)g->eps,
                  g->scope == VDK_NORM_PER_CLIP ? "per-clip" : "per-frame", vc_act_name(g->act),
                  affine ? " affine" : "");
        break;
    }
    case VC_CONV3D:
        vc_append(buf, size, "k=%dx%dx%d", c->conv3d.k[0], c->conv3d.k[1], c->conv3d.k[2]);
        append_triple(buf, size, "s", c->conv3d.p.stride, 1);
        append_triple(buf, size, "p", c->conv3d.p.padding, 0);
        vc_append(buf, size, " %s%s%s", vc_act_name(c->conv3d.p.act), bias ? " bias" : "",
                  residual ? " residual" : "");
        break;
    case VC_ATTENTION: {
        const vdk_attention_params *a = &c->attention.p;
        vc_append(buf, size, "%s%s heads=%d D=%lld", c->attention.kv_len > 0 ? "cross/" : "",
                  vc_axes_name(a->axes), a->heads, (long long)vc_attention_head_dim(c));
        if (a->scale != 0)
            vc_append(buf, size, " scale=%g", (double)a->scale);
        break;
    }
    case VC_LINEAR:
        vc_append(buf, size, "cout=%lld %s%s%s", (long long)c->linear.cout,
                  vc_act_name(c->linear.p.act), bias ? " bias" : "", residual ? " residual" : "");
        break;
    case VC_LAYER_NORM:
        vc_append(buf, size, "eps=%g%s", (double)c->layer_norm.eps, affine ? " affine" : "");
        break;
    case VC_RMS_NORM:
        vc_append(buf, size, "eps=%g%s", (double)c->rms_norm.eps, affine ? " gamma" : "");
        break;
    case VC_SOFTMAX:
        vc_append(buf, size, "scale=%g", c->softmax.scale != 0 ? (double)c->softmax.scale : 1.0);
        break;
    case VC_UNARY:
        vc_append(buf, size, "%s", vc_unary_name(c->unary.op));
        if (c->unary.op == VDK_UNARY_AFFINE)
            vc_append(buf, size, " alpha=%g beta=%g", (double)c->unary.alpha,
                      (double)c->unary.beta);
        break;
    case VC_BINARY:
        vc_append(buf, size, "%s", vc_binary_name(c->binary.p.op));
        break;
    case VC_BLEND:
        if (c->blend.alpha.rank)
            vc_append(buf, size, "alpha=tensor%s", c->blend.p.sigmoid ? " sigmoid" : "");
        else
            vc_append(buf, size, "alpha=%g", (double)c->blend.p.alpha);
        break;
    case VC_UPSAMPLE:
        append_triple(buf, size, "factor", c->upsample.factor, 1);
        memmove(buf, buf + 1, strlen(buf)); /* no leading space */
        break;
    case VC_TIMESTEP_EMBEDDING: {
        const vdk_timestep_embedding_params *e = &c->timestep_embedding.p;
        vc_append(buf, size, "dim=%d%s%s shift=%g scale=%g max_period=%g t=%s[%g,%g)", e->dim,
                  e->flip_sin_to_cos ? " flip" : "", e->interleave ? " interleave" : "",
                  (double)e->downscale_freq_shift, e->scale != 0 ? (double)e->scale : 1.0,
                  e->max_period != 0 ? (double)e->max_period : 10000.0,
                  c->timestep_embedding.integer ? "int" : "", c->timestep_embedding.t_lo,
                  c->timestep_embedding.t_hi);
        break;
    }
    case VC_CONCAT:
        vc_append(buf, size, "axis=%d", c->concat.p.axis);
        break;
    default:
        break;
    }
    if (c->view > 0)
        vc_append(buf, size, " strided(%s of %lld)", vc_plan_of(c).in[0].name,
                  (long long)(c->x.d[c->x.rank - 1] + 2 * c->view));
}
