/* A model's parameter table: every tensor of a network with its checkpoint name,
 * its shape and layout as the checkpoint stores it (PyTorch), and its shape and
 * layout as vdk's operators take it. A model's walk (e.g. pipelines/svd/params.c)
 * fills one; the weight loader and the random initialiser read it, so both see
 * exactly the tensors the forward pass uses, in the order it uses them. */
#ifndef VDK_PIPELINES_PARAM_TABLE_H
#define VDK_PIPELINES_PARAM_TABLE_H

#include "vdk/vdk.h"

#include <stddef.h>
#include <stdint.h>

/* Long enough for every diffusers name of SVD (the longest is about 80
 * characters); a longer one fails the walk rather than being cut. */
#define VDK_PARAM_NAME_MAX 128

/* How a tensor's elements are ordered. PyTorch's layouts are the checkpoint's;
 * vdk's are those of vdk.h (channels last). */
typedef enum vdk_param_layout {
    VDK_LAYOUT_VECTOR = 0,  /* [C]: biases, norm gamma/beta, scalars as [1] */
    VDK_LAYOUT_LINEAR_OI,   /* [Cout, Cin]: nn.Linear and vdk_linear alike */
    VDK_LAYOUT_TORCH_OIHW,  /* nn.Conv2d weight [Cout, Cin, kh, kw] */
    VDK_LAYOUT_TORCH_OITHW, /* nn.Conv3d weight [Cout, Cin, kt, kh, kw] */
    VDK_LAYOUT_VDK_OTHWI    /* vdk_conv3d weight [Cout, kt, kh, kw, Cin] */
} vdk_param_layout;

/* What a tensor is for, so an initialiser can pick its values (a norm's gamma is
 * 1, a weight is scaled by its fan-in) and a loader can say what it lacks. */
typedef enum vdk_param_role {
    VDK_ROLE_CONV_WEIGHT = 0,
    VDK_ROLE_CONV_BIAS,
    VDK_ROLE_LINEAR_WEIGHT,
    VDK_ROLE_LINEAR_BIAS,
    VDK_ROLE_NORM_WEIGHT, /* group, layer or RMS norm gamma */
    VDK_ROLE_NORM_BIAS,   /* group or layer norm beta */
    VDK_ROLE_MIX_FACTOR   /* AlphaBlender's learned logit, shape [1] */
} vdk_param_role;

typedef struct vdk_param {
    char name[VDK_PARAM_NAME_MAX]; /* the checkpoint's key, e.g. "conv_in.weight" */
    vdk_param_role role;
    int torch_rank;
    int64_t torch_shape[5];
    vdk_param_layout torch_layout;
    int vdk_rank;
    int64_t vdk_shape[5];
    vdk_param_layout vdk_layout;
    int64_t count; /* elements; the same in both layouts */
    /* Inputs per output of the module the tensor belongs to (Cin * kt * kh * kw for
     * a conv's weight and bias, Cin for a linear's); 0 for norms and scalars. */
    int64_t fan_in;
} vdk_param;

/* A growing list. Adding is sticky on failure: after the first error every add
 * is a no-op and `status`/`error` keep that first failure, so a walk can add
 * hundreds of tensors and check once at the end. */
typedef struct vdk_param_table {
    vdk_param *items;
    size_t count, capacity;
    int64_t total; /* sum of every item's count */
    vdk_status status;
    char error[256];
} vdk_param_table;

/* An empty table (no allocation yet). */
void vdk_param_table_init(vdk_param_table *t);
/* Frees the items and leaves an empty table. */
void vdk_param_table_free(vdk_param_table *t);
/* The item with this name, or NULL. A linear search: tables hold a few thousand. */
const vdk_param *vdk_param_table_find(const vdk_param_table *t, const char *name);
/* Records the table's first failure (printf-style message); later ones are dropped. */
void vdk_param_table_fail(vdk_param_table *t, vdk_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- adding the tensors of one PyTorch module, named "<prefix>.<field>" ---- */

/* nn.Linear(cin, cout[, bias]): "<prefix>.weight" [cout, cin], "<prefix>.bias" [cout]. */
void vdk_param_linear(vdk_param_table *t, const char *prefix, int64_t cin, int64_t cout, int bias);
/* nn.Conv2d(cin, cout, (kh, kw)) with bias: torch [cout, cin, kh, kw], vdk
 * [cout, 1, kh, kw, cin] (a 2-D conv is vdk_conv3d with kt = 1). */
void vdk_param_conv2d(vdk_param_table *t, const char *prefix, int64_t cin, int64_t cout, int64_t kh,
                      int64_t kw);
/* nn.Conv3d(cin, cout, (kt, kh, kw)) with bias: torch [cout, cin, kt, kh, kw], vdk
 * [cout, kt, kh, kw, cin]. */
void vdk_param_conv3d(vdk_param_table *t, const char *prefix, int64_t cin, int64_t cout, int64_t kt,
                      int64_t kh, int64_t kw);
/* nn.GroupNorm / nn.LayerNorm with affine parameters: weight and bias [c]. */
void vdk_param_norm(vdk_param_table *t, const char *prefix, int64_t c);
/* An RMSNorm (gamma only): "<prefix>.weight" [c], a norm weight. */
void vdk_param_rms_norm(vdk_param_table *t, const char *prefix, int64_t c);
/* A single learned scalar "<prefix>.<field>" of shape [1] (AlphaBlender's mix_factor). */
void vdk_param_scalar(vdk_param_table *t, const char *prefix, const char *field,
                      vdk_param_role role);

/* "<a>.<b>" into out (VDK_PARAM_NAME_MAX bytes); an empty a gives b. A name that
 * does not fit fails the table and gives "". Returns out, for nesting in calls. */
char *vdk_param_join(vdk_param_table *t, char *out, const char *a, const char *b);
/* Like vdk_param_join with b = "<field>.<index>" (e.g. "resnets.0"). */
char *vdk_param_join_index(vdk_param_table *t, char *out, const char *a, const char *field,
                           int index);

#endif
