/* vdk-bench: what one benchmark case is, the tensors it needs, the work it
 * counts (docs/results.md's conventions), and how it calls its operator. The
 * case tables themselves are in sets.c. */
#ifndef VDK_BENCH_CASES_H
#define VDK_BENCH_CASES_H

#include "vdk/vdk.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Every operator of vdk.h, in the order vdk.h declares them. */
typedef enum vb_op {
    VB_GROUP_NORM = 0,
    VB_CONV3D,
    VB_ATTENTION,
    VB_LINEAR,
    VB_LAYER_NORM,
    VB_RMS_NORM,
    VB_SOFTMAX,
    VB_UNARY,
    VB_BINARY,
    VB_BLEND,
    VB_UPSAMPLE,
    VB_TIMESTEP_EMBEDDING,
    VB_CONCAT,
    VB_OP_COUNT
} vb_op;

/* "group_norm", "conv3d", ... (the vdk_ function without its prefix). */
const char *vb_op_name(vb_op op);
/* The operator of that name, or -1. */
int vb_op_from_name(const char *name);

typedef struct vb_shape {
    int rank; /* 0: absent */
    int64_t d[VDK_MAX_RANK];
} vb_shape;

int64_t vb_numel(vb_shape s);

/* Optional tensors a case passes (otherwise NULL). */
enum {
    VB_BIAS = 1 << 0,     /* conv3d, linear: bias */
    VB_RESIDUAL = 1 << 1, /* conv3d, linear: residual */
    VB_AFFINE = 1 << 2,   /* group_norm, layer_norm: gamma and beta; rms_norm: gamma */
};

#define VB_NAME_SIZE 96

/* One operator call: its name, the first input's shape, the optional tensors
 * and the parameters. The other tensors' shapes follow (vb_plan_of). */
typedef struct vb_case {
    char name[VB_NAME_SIZE]; /* <set>/<level or group>/<op>.<variant> */
    vb_op op;
    vb_shape x; /* x, q, a or t: the first tensor argument */
    int flags;  /* VB_BIAS | VB_RESIDUAL | VB_AFFINE */
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
            vb_shape b;
        } binary;
        struct {
            vdk_blend_params p;
            vb_shape alpha; /* rank 0: no alpha tensor, p.alpha is used */
        } blend;
        vdk_upsample_params upsample;
        struct {
            vdk_timestep_embedding_params p;
            double t_hi;  /* t is uniform in [0, t_hi) ... */
            bool integer; /* ... and rounded down (frame indices) */
        } timestep_embedding;
        struct {
            vdk_concat_params p;
            int64_t b_len; /* b's size on the concatenation axis */
        } concat;
    };
} vb_case;

/* The tensors of a case: every argument in the order of the operator's call,
 * with the range of the random values it is filled with, and the output. */
#define VB_MAX_INPUTS 4

typedef struct vb_input {
    const char *name; /* as vdk.h names the argument */
    vb_shape shape;   /* rank 0: an optional input the case leaves NULL */
    double lo, hi;    /* values uniform in [lo, hi) before rounding to the dtype */
    bool integer;     /* values rounded down to integers */
} vb_input;

typedef struct vb_plan {
    vb_input in[VB_MAX_INPUTS];
    vb_shape out;
} vb_plan;

vb_plan vb_plan_of(const vb_case *c);

/* FLOPs of one call by docs/results.md: conv3d and linear 2*M*N*K (GEGLU
 * counts its full Cout; bias, activation and residual are not counted),
 * attention 4*sequences*Lq*Lk*C, softmax 5 per element, group/layer/RMS norm 8
 * per element plus a fused SiLU's 4, unary SiLU 4, GELU 8, sigmoid 4, affine 1,
 * binary 1, blend 3, upsample and concat 0, timestep embedding 4 per output
 * element. Exact in double up to 2^53. */
double vb_flops(const vb_case *c);
/* Elements of every input read once plus the output written once. */
int64_t vb_elements_moved(const vb_case *c);
/* vb_elements_moved in bytes of dtype's storage. */
double vb_min_bytes(const vb_case *c, vdk_dtype dtype);
/* "compute" (conv3d, linear, spatial or spatio-temporal self-attention) or
 * "memory" (everything else). */
const char *vb_bound(const vb_case *c);
bool vb_compute_bound(const vb_case *c);

/* Seconds the reference backend is estimated to need for one call (it
 * computes in double; the estimate errs on the slow side). vdk-bench skips
 * reference cases above its --ref-limit with this figure. */
double vb_reference_seconds(const vb_case *c);
/* Bytes one call needs on backend b in dtype: its tensors, plus the
 * reference's dense double copy of each. */
double vb_case_memory(const vb_case *c, vdk_backend b, vdk_dtype dtype);

/* Checks what vdk.h requires of the case's shapes and parameters that the
 * tables could get wrong (heads dividing C, an output of positive size...).
 * Returns false with a message naming the case. */
bool vb_case_valid(const vb_case *c, char *msg, size_t size);

/* Calls the case's operator on ctx with the inputs of vb_plan_of (NULL where
 * absent) and the output. */
vdk_status vb_call(vdk_context *ctx, const vb_case *c, vdk_tensor *const in[VB_MAX_INPUTS],
                   vdk_tensor *out);

/* JSON pieces of the case export (docs/results.md): the params object and the
 * inputs object. */
void vb_write_params_json(FILE *f, const vb_case *c);
void vb_write_inputs_json(FILE *f, const vb_case *c);
/* "x[2,4,16,16,320] w[...]": every tensor, for --list. */
void vb_shapes_string(const vb_case *c, char *buf, size_t size);

#endif
