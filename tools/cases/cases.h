/* The operator case model shared by vdk-validate and vdk-bench: what one
 * operator call is (its operator, first input's shape, optional tensors and
 * parameters), the tensors it needs with the range of their random values, and
 * the call itself. Each tool keeps its own tables and what only it needs:
 * vdk-bench its FLOP and byte counts and case names (bench/counts.c),
 * vdk-validate its tolerance terms and descriptions (tools/validate/). */
#ifndef VDK_TOOLS_CASES_H
#define VDK_TOOLS_CASES_H

#include "vdk/vdk.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every operator of vdk.h, in the order vdk.h declares them. */
typedef enum vc_op {
    VC_GROUP_NORM = 0,
    VC_CONV3D,
    VC_ATTENTION,
    VC_LINEAR,
    VC_LAYER_NORM,
    VC_RMS_NORM,
    VC_SOFTMAX,
    VC_UNARY,
    VC_BINARY,
    VC_BLEND,
    VC_UPSAMPLE,
    VC_TIMESTEP_EMBEDDING,
    VC_CONCAT,
    VC_OP_COUNT
} vc_op;

/* "group_norm", "conv3d", ... (the vdk_ function without its prefix). */
const char *vc_op_name(vc_op op);
/* The operator of that name, or -1. */
int vc_op_from_name(const char *name);

typedef struct vc_shape {
    int rank; /* 0: absent */
    int64_t d[VDK_MAX_RANK];
} vc_shape;

/* Elements of s; 0 for an absent shape (rank 0). */
int64_t vc_numel(vc_shape s);

/* Optional tensors a case passes (otherwise NULL). */
enum {
    VC_BIAS = 1 << 0,     /* conv3d, linear: bias */
    VC_RESIDUAL = 1 << 1, /* conv3d, linear: residual */
    VC_AFFINE = 1 << 2,   /* group_norm, layer_norm: gamma and beta; rms_norm: gamma */
};

#define VC_NAME_SIZE 96

/* One operator call: the first input's shape, the optional tensors and the
 * parameters. The other tensors' shapes follow (vc_plan_of). */
typedef struct vc_case {
    char name[VC_NAME_SIZE]; /* vdk-bench: <set>/<level or group>/<op>.<variant>; else empty */
    vc_op op;
    vc_shape x; /* x, q, a or t: the first tensor argument */
    int flags;  /* VC_BIAS | VC_RESIDUAL | VC_AFFINE */
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
            vc_shape b;
        } binary;
        struct {
            vdk_blend_params p;
            vc_shape alpha; /* rank 0: no alpha tensor, p.alpha is used */
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
} vc_case;

/* A named table of cases. */
typedef struct vc_set {
    const char *name;
    const char *about; /* one line: what the set is for, or where its shapes come from */
    const vc_case *cases;
    int ncases;
} vc_set;

/* The tensors of a case: every argument in the order of the operator's call,
 * with the range of the random values it is filled with, and the output. */
#define VC_MAX_INPUTS 4

typedef struct vc_input {
    const char *name; /* as vdk.h names the argument */
    vc_shape shape;   /* rank 0: an optional input the case leaves NULL */
    double lo, hi;    /* values uniform in [lo, hi) before rounding to the dtype */
    bool integer;     /* values rounded down to integers */
    int view;         /* as vc_case.view (the first input only) */
} vc_input;

typedef struct vc_plan {
    vc_input in[VC_MAX_INPUTS];
    vc_shape out;
} vc_plan;

vc_plan vc_plan_of(const vc_case *c);

/* Attention: how the queries group into sequences, as vdk_attention defines it
 * (cross-attention: one sequence of T*H*W queries per batch item, L keys). */
void vc_attention_dims(const vc_case *c, int64_t *seqs, int64_t *lq, int64_t *lk);
/* D = C / heads. */
int64_t vc_attention_head_dim(const vc_case *c);
/* concat's axis, counted from the front. */
int vc_concat_axis(const vc_case *c);

/* Calls the case's operator on ctx with the inputs of vc_plan_of (NULL where
 * absent) and the output. */
vdk_status vc_call(vdk_context *ctx, const vc_case *c, vdk_tensor *const in[VC_MAX_INPUTS],
                   vdk_tensor *out);

/* Lower-case names of the parameter enums ("silu", "spatial", "affine", "add");
 * "unknown" outside the range. */
const char *vc_act_name(vdk_activation act);
const char *vc_axes_name(vdk_attention_axes axes);
const char *vc_unary_name(vdk_unary_op op);
const char *vc_binary_name(vdk_binary_op op);

/* Appends printf output to the string in buf, never past size. */
void vc_append(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Appends "name[2,3,4]", after a space unless buf is empty. */
void vc_append_shape(char *buf, size_t size, const char *name, vc_shape s);

#endif
