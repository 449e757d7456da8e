/* vdk-validate: K and r of vt_tolerance(dtype, K, r) per operator, as the table
 * of docs/validate.md states them, and the work of a case. */
#include "tolerance.h"

#include <math.h>

static int64_t last(vc_shape s) { return s.d[s.rank - 1]; }

int64_t vv_reduction(const vc_case *c)
{
    const vc_shape x = c->x;
    switch (c->op) {
    case VC_GROUP_NORM: {
        const vdk_group_norm_params *g = &c->group_norm;
        return (g->scope == VDK_NORM_PER_CLIP ? x.d[1] : 1) * x.d[2] * x.d[3] * x.d[4] /
               (g->groups > 0 ? g->groups : 1);
    }
    case VC_CONV3D:
        return (int64_t)c->conv3d.k[0] * c->conv3d.k[1] * c->conv3d.k[2] * x.d[4];
    case VC_ATTENTION: {
        /* q.k over D, then the softmax sum and p.v over the keys */
        int64_t seqs, lq, lk;
        vc_attention_dims(c, &seqs, &lq, &lk);
        return vc_attention_head_dim(c) + lk;
    }
    case VC_LINEAR:
    case VC_LAYER_NORM:
    case VC_RMS_NORM:
    case VC_SOFTMAX:
        return last(x);
    case VC_TIMESTEP_EMBEDDING: {
        /* An f32 kernel forms the argument a = scale * t * f with a relative error
         * of about u32, so sin(a) is off by about |a| u32: the same form as the
         * 4 sqrt(K) u32 term of vt_tolerance with K = |a|max^2 (f <= 1). */
        const vdk_timestep_embedding_params *e = &c->timestep_embedding.p;
        const double lo = c->timestep_embedding.t_lo, hi = c->timestep_embedding.t_hi;
        double amax = fabs((double)(e->scale != 0 ? e->scale : 1.0f)) * fmax(fabs(lo), fabs(hi));
        int64_t k = (int64_t)ceil(amax * amax);
        return k < 1 ? 1 : k;
    }
    default:
        return 1;
    }
}

int vv_roundings(const vc_case *c)
{
    /* fast attention kernels round the probabilities to the storage type before p.v */
    return c->op == VC_ATTENTION ? 1 : 0;
}

double vv_case_work(const vc_case *c)
{
    const double out = (double)vc_numel(vc_plan_of(c).out);
    switch (c->op) {
    case VC_CONV3D:
        return out * (double)vv_reduction(c);
    case VC_LINEAR: /* GEGLU: both halves of x w^T feed one output */
        return out * (double)vv_reduction(c) * (c->linear.p.act == VDK_ACT_GEGLU ? 2 : 1);
    case VC_ATTENTION: { /* q.k and p.v: 2 L multiply-adds per output element */
        int64_t seqs, lq, lk;
        vc_attention_dims(c, &seqs, &lq, &lk);
        return out * 2.0 * (double)lk;
    }
    default: /* the rest touch each element a few times */
        return out;
    }
}
