/* vdk-validate: what one validation case is, how it becomes tensors, and how it
 * calls its operator. The case tables themselves are in sets.c. */
#ifndef VDK_VALIDATE_CASES_H
#define VDK_VALIDATE_CASES_H

#include "vdk/vdk.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every operator of vdk.h, in the order vdk.h declares them. */
typedef enum vv_op {
    VV_GROUP_NORM = 0,
    VV_CONV3D,
    VV_ATTENTION,
    VV_LINEAR,
    VV_LAYER_NORM,
    VV_RMS_NORM,
    VV_SOFTMAX,
    VV_UNARY,
    VV_BINARY,
    VV_BLEND,
    VV_UPSAMPLE,
    VV_TIMESTEP_EMBEDDING,
    VV_CONCAT,
    VV_OP_COUNT
} vv_op;

/* "group_norm", "conv3d", ... (the vdk_ function name without its prefix). */
const char *vv_op_name(vv_op op);
/* The operator of that name, or -1. */
int vv_op_from_name(const char *name);

typedef struct vv_shape {
    int rank; /* 0: absent */
    int64_t d[VDK_MAX_RANK];
} vv_shape;

/* Optional tensors a case passes (otherwise NULL). */
enum {
    VV_BIAS = 1 << 0,     /* conv3d, linear: bias */
    VV_RESIDUAL = 1 << 1, /* conv3d, linear: residual */
    VV_AFFINE = 1 << 2,   /* group_norm, layer_norm: gamma and beta; rms_norm: gamma */
};

/* One operator call: the first input's shape, the optional tensors, and the
 * parameters. The shapes of the other tensors follow from these (cases.c). */
typedef struct vv_case {
    vv_op op;
    vv_shape x; /* x, q, a or t: the first tensor argument */
    int flags;  /* VV_BIAS | VV_RESIDUAL | VV_AFFINE */
    /* > 0: the first input is a strided view, the channels [view, view + C) of a
     * tensor 2 * view channels wider, so its outer strides exceed its extents. */
    int view;
    union {
        vdk_group_norm_params group_norm;
        struct {
            vdk_conv3d_params p;
            int k[3];     /* (kt, kh, kw) */
            int64_t cout; /* Cout */
        } conv3d;
        struct {
            vdk_attention_params p;
            int64_t kv_len; /* 0: self-attention; L > 0: cross-attention to k, v [N, L, C] */
        } attention;
        struct {
            vdk_linear_params p;
            int64_t cout; /* rows of w (twice the output width for GEGLU) */
        } linear;
        vdk_layer_norm_params layer_norm;
        vdk_rms_norm_params rms_norm;
        vdk_softmax_params softmax;
        vdk_unary_params unary;
        struct {
            vdk_binary_params p;
            vv_shape b;
        } binary;
        struct {
            vdk_blend_params p;
            vv_shape alpha; /* rank 0: no alpha tensor, p.alpha is used */
        } blend;
        vdk_upsample_params upsample;
        struct {
            vdk_timestep_embedding_params p;
            double t_lo, t_hi; /* t is uniform in [t_lo, t_hi) ... */
            bool integer;      /* ... and rounded down (frame indices) */
        } timestep_embedding;
        struct {
            vdk_concat_params p;
            int64_t b_len; /* b's size on the concatenation axis */
        } concat;
    };
} vv_case;

/* What the driver needs to run a case: every tensor argument with the range of
 * its random values, the output, and the numbers of the tolerance. */
#define VV_MAX_INPUTS 4

typedef struct vv_input {
    const char *name; /* as vdk.h names the argument */
    vv_shape shape;   /* rank 0: an optional input the case leaves NULL */
    double lo, hi;    /* values uniform in [lo, hi) before rounding to the dtype */
    bool integer;     /* values rounded down to integers */
    int view;         /* as vv_case.view (the first input only) */
} vv_input;

typedef struct vv_plan {
    vv_input in[VV_MAX_INPUTS]; /* in the order of the operator's arguments */
    vv_shape out;
    int64_t reduction; /* the reduction length K of vt_tolerance */
    int roundings;     /* intermediate roundings to the storage type a kernel may make */
} vv_plan;

vv_plan vv_plan_of(const vv_case *c);

/* Calls the case's operator on ctx with the inputs of vv_plan_of (NULL where
 * absent) and the output. */
vdk_status vv_call(vdk_context *ctx, const vv_case *c, vdk_tensor *const in[VV_MAX_INPUTS],
                   vdk_tensor *out);

/* "x[2,3,4,5,8] w[8,3,1,1,8]": the tensors that say what the case is. */
void vv_shape_string(const vv_case *c, char *buf, size_t size);
/* "groups=4 eps=1e-05 frame silu affine": the parameters, defaults spelled out. */
void vv_params_string(const vv_case *c, char *buf, size_t size);
/* Work of one call, to keep a set's run time in view: multiply-adds for conv3d,
 * linear and attention, output elements for the others. */
double vv_case_work(const vv_case *c);

#endif
