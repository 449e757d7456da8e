/* vdk-bench: a case's params and inputs in the JSON of docs/results.md, and its
 * tensors as one line of text. */
#include "export.h"

#include "json.h"

#include <stdbool.h>
#include <string.h>

static void triple(FILE *f, const char *name, const int *v)
{
    fprintf(f, "\"%s\": [%d, %d, %d]", name, v[0], v[1], v[2]);
}

static void field_float(FILE *f, const char *name, float v)
{
    fprintf(f, "\"%s\": ", name);
    vb_json_float(f, v);
}

void vb_write_params_json(FILE *f, const vc_case *c)
{
    fputc('{', f);
    switch (c->op) {
    case VC_GROUP_NORM: {
        const vdk_group_norm_params *g = &c->group_norm;
        fprintf(f, "\"groups\": %d, ", g->groups);
        field_float(f, "eps", g->eps);
        fprintf(f, ", \"scope\": \"%s\", \"act\": \"%s\"",
                g->scope == VDK_NORM_PER_CLIP ? "per_clip" : "per_frame", vc_act_name(g->act));
        break;
    }
    case VC_CONV3D:
        triple(f, "stride", c->conv3d.p.stride);
        fputs(", ", f);
        triple(f, "padding", c->conv3d.p.padding);
        fprintf(f, ", \"act\": \"%s\"", vc_act_name(c->conv3d.p.act));
        break;
    case VC_ATTENTION:
        fprintf(f, "\"axes\": \"%s\", \"heads\": %d, ", vc_axes_name(c->attention.p.axes),
                c->attention.p.heads);
        field_float(f, "scale", c->attention.p.scale);
        break;
    case VC_LINEAR:
        fprintf(f, "\"act\": \"%s\"", vc_act_name(c->linear.p.act));
        break;
    case VC_LAYER_NORM:
        field_float(f, "eps", c->layer_norm.eps);
        break;
    case VC_RMS_NORM:
        field_float(f, "eps", c->rms_norm.eps);
        break;
    case VC_SOFTMAX:
        field_float(f, "scale", c->softmax.scale);
        break;
    case VC_UNARY:
        fprintf(f, "\"op\": \"%s\", ", vc_unary_name(c->unary.op));
        field_float(f, "alpha", c->unary.alpha);
        fputs(", ", f);
        field_float(f, "beta", c->unary.beta);
        break;
    case VC_BINARY:
        fprintf(f, "\"op\": \"%s\"", vc_binary_name(c->binary.p.op));
        break;
    case VC_BLEND:
        field_float(f, "alpha", c->blend.p.alpha);
        fprintf(f, ", \"sigmoid\": %d", c->blend.p.sigmoid);
        break;
    case VC_UPSAMPLE:
        triple(f, "factor", c->upsample.factor);
        break;
    case VC_TIMESTEP_EMBEDDING: {
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
    case VC_CONCAT:
        fprintf(f, "\"axis\": %d", c->concat.p.axis);
        break;
    default:
        break;
    }
    fputc('}', f);
}

static void shape_json(FILE *f, vc_shape s)
{
    fputc('[', f);
    for (int i = 0; i < s.rank; i++)
        fprintf(f, i ? ", %lld" : "%lld", (long long)s.d[i]);
    fputc(']', f);
}

void vb_write_inputs_json(FILE *f, const vc_case *c)
{
    const vc_plan p = vc_plan_of(c);
    fputc('{', f);
    bool first = true;
    for (int i = 0; i < VC_MAX_INPUTS; i++) {
        if (!p.in[i].shape.rank)
            continue;
        fprintf(f, "%s\"%s\": ", first ? "" : ", ", p.in[i].name);
        shape_json(f, p.in[i].shape);
        first = false;
    }
    fputs("}, \"output\": ", f);
    shape_json(f, p.out);
}

void vb_shapes_string(const vc_case *c, char *buf, size_t size)
{
    if (!size)
        return;
    buf[0] = '\0';
    const vc_plan p = vc_plan_of(c);
    for (int i = 0; i < VC_MAX_INPUTS; i++)
        if (p.in[i].shape.rank)
            vc_append_shape(buf, size, p.in[i].name, p.in[i].shape);
}
