/* Library-internal types shared by the front end (src/), the reference backend
 * and later backends. Nothing here is part of the public API. */
#ifndef VDK_INTERNAL_H
#define VDK_INTERNAL_H

#include "vdk/vdk.h"

#include <stdarg.h>
#include <stdbool.h>

#define VDK_MESSAGE_SIZE 512

struct vdk_device_ops;

/* Memory behind one or more tensors. Host backends keep a host pointer; device
 * backends keep their own handle in backend_data and their hooks in dev (the
 * storage may outlive its context, so it carries them itself). */
typedef struct vdk_storage {
    int refcount;
    bool owned;         /* freed with the storage (false for wrapped caller memory) */
    void *host;         /* host-visible base address, NULL on device-only storage */
    size_t bytes;
    void *backend_data;
    const struct vdk_device_ops *dev; /* NULL for host storage */
} vdk_storage;

/* What a device backend (Vulkan) adds to a context: storage that lives on the
 * device, and transfers that the front end's conversions run on (src/tensor.c). */
typedef struct vdk_device_ops {
    /* Device storage of `bytes` for s (sets s->backend_data). */
    vdk_status (*alloc)(vdk_context *ctx, vdk_storage *s, size_t bytes);
    /* Frees s->backend_data once no recorded work uses it. No context: s may
     * outlive it. */
    void (*release)(vdk_storage *s);
    /* Copies bytes at byte offset `at` of s to or from host memory, after all work
     * recorded so far has completed. */
    vdk_status (*read)(vdk_context *ctx, vdk_storage *s, size_t at, size_t bytes, void *dst);
    vdk_status (*write)(vdk_context *ctx, vdk_storage *s, size_t at, size_t bytes,
                        const void *src);
    vdk_status (*sync)(vdk_context *ctx);
    void (*destroy)(vdk_context *ctx);
} vdk_device_ops;

struct vdk_tensor {
    vdk_context *ctx;
    vdk_storage *storage;
    vdk_dtype dtype;
    int rank;
    int64_t shape[VDK_MAX_RANK];
    int64_t stride[VDK_MAX_RANK]; /* elements */
    int64_t offset;               /* elements from storage->host */
};

/* One function per operator; the front end has checked every argument before it
 * calls one, so a backend sees only valid calls. A backend leaves an entry NULL
 * for an operator it lacks; the front end then reports VDK_ERROR_UNSUPPORTED. */
typedef struct vdk_backend_ops {
    const char *name;
    bool takes_f64; /* f64 tensors allowed (the reference only) */
    vdk_status (*group_norm)(vdk_context *, const vdk_group_norm_params *, const vdk_tensor *x,
                             const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y);
    vdk_status (*conv3d)(vdk_context *, const vdk_conv3d_params *, const vdk_tensor *x,
                         const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                         vdk_tensor *y);
    vdk_status (*attention)(vdk_context *, const vdk_attention_params *, const vdk_tensor *q,
                            const vdk_tensor *k, const vdk_tensor *v, vdk_tensor *o);
    vdk_status (*linear)(vdk_context *, const vdk_linear_params *, const vdk_tensor *x,
                         const vdk_tensor *w, const vdk_tensor *bias, const vdk_tensor *residual,
                         vdk_tensor *y);
    vdk_status (*layer_norm)(vdk_context *, const vdk_layer_norm_params *, const vdk_tensor *x,
                             const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y);
    vdk_status (*rms_norm)(vdk_context *, const vdk_rms_norm_params *, const vdk_tensor *x,
                           const vdk_tensor *gamma, vdk_tensor *y);
    vdk_status (*softmax)(vdk_context *, const vdk_softmax_params *, const vdk_tensor *x,
                          vdk_tensor *y);
    vdk_status (*unary)(vdk_context *, const vdk_unary_params *, const vdk_tensor *x,
                        vdk_tensor *y);
    vdk_status (*binary)(vdk_context *, const vdk_binary_params *, const vdk_tensor *a,
                         const vdk_tensor *b, vdk_tensor *y);
    vdk_status (*blend)(vdk_context *, const vdk_blend_params *, const vdk_tensor *a,
                        const vdk_tensor *b, const vdk_tensor *alpha, vdk_tensor *y);
    vdk_status (*upsample)(vdk_context *, const vdk_upsample_params *, const vdk_tensor *x,
                           vdk_tensor *y);
    vdk_status (*timestep_embedding)(vdk_context *, const vdk_timestep_embedding_params *,
                                     const vdk_tensor *t, vdk_tensor *y);
    vdk_status (*concat)(vdk_context *, const vdk_concat_params *, const vdk_tensor *a,
                         const vdk_tensor *b, vdk_tensor *y);
} vdk_backend_ops;

/* A CPU context's tier and thread count (kernels/cpu.c). */
typedef struct vdk_cpu_state {
    vdk_cpu_isa isa;
    int threads;
    int64_t stream_min; /* outputs of this many bytes or more are written with streaming stores */
} vdk_cpu_state;

/* ---- profiling (src/profile.c) ---- */

#define VDK_PROFILE_MAX_KERNELS 128
typedef struct vdk_profile_row {
    const char *kernel; /* a static name (vdk_last_kernel's, or a shader's) */
    int64_t calls, ns;
} vdk_profile_row;
typedef struct vdk_profile_table {
    int n;
    int64_t dropped; /* timings of kernels that found the table full */
    vdk_profile_row e[VDK_PROFILE_MAX_KERNELS];
} vdk_profile_table;

struct vdk_context {
    vdk_backend backend;
    const vdk_backend_ops *ops;
    vdk_cpu_state cpu; /* VDK_BACKEND_CPU only */
    const vdk_device_ops *dev; /* device backends only */
    struct vdk_vk *vk;         /* VDK_BACKEND_VULKAN only (src/vulkan/) */
    char message[VDK_MESSAGE_SIZE];
    const char *last_kernel;
    struct {
        bool on;
        vdk_profile_table table; /* host backends' call times */
    } profile;
};

void vdk_profile_add(vdk_profile_table *t, const char *kernel, int64_t ns);
/* VDK_PROFILE from the environment, at context creation. */
void vdk_profile_init(vdk_context *ctx);
/* Around a host backend's operator call: start's clock reading, then stop adds
 * the call's time under ctx->last_kernel (when profiling and the call
 * succeeded) and passes st through:
 *     const int64_t t0 = vdk_profile_start(ctx);
 *     return vdk_profile_stop(ctx, t0, ctx->ops->op(...)); */
int64_t vdk_profile_start(const vdk_context *ctx);
vdk_status vdk_profile_stop(vdk_context *ctx, int64_t t0, vdk_status st);

/* ---- errors (src/error.c) ---- */

/* Formats the message into ctx (or the thread's context-free slot when ctx is
 * NULL) and returns status, so a check reads `return vdk_fail(ctx, ...)`. */
vdk_status vdk_fail(vdk_context *ctx, vdk_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- shapes (src/tensor.c) ---- */

int64_t vdk_numel_of(int rank, const int64_t *shape);
bool vdk_is_contiguous(const vdk_tensor *t);
/* Writes "[a, b, c]" into buf. */
const char *vdk_format_shape(char *buf, size_t size, int rank, const int64_t *shape);
/* Element count and byte size of a shape; VDK_ERROR_OVERFLOW (with message) if they
 * do not fit. Sizes must already be checked positive. */
vdk_status vdk_checked_size(vdk_context *ctx, const char *where, int rank, const int64_t *shape,
                            size_t elem_size, int64_t *numel, size_t *bytes);

/* ---- dtype conversion (src/convert.c) ---- */

double vdk_load_element(vdk_dtype dtype, const void *base, int64_t index);
void vdk_store_element(vdk_dtype dtype, void *base, int64_t index, double value);

/* Host memory for tensors and kernel scratch, 64-byte aligned (NULL when out of
 * memory); vdk_host_free takes the byte count it was asked for. Large blocks
 * are kept for reuse (src/host_cache.c). */
void *vdk_host_alloc(size_t bytes);
void vdk_host_free(void *p, size_t bytes);
/* Bytes the host cache holds now (for tests). */
size_t vdk_host_cache_held(void);
uint16_t vdk_f64_to_f16(double x);
double vdk_f16_to_f64(uint16_t h);
uint16_t vdk_f64_to_bf16(double x);
double vdk_bf16_to_f64(uint16_t h);

/* ---- argument checks (src/check.c) ----
 * Each returns VDK_OK or sets the message (prefixed with the operator name) and
 * returns the failing status. `name` is the parameter name as in vdk.h. */

typedef struct vdk_check {
    vdk_context *ctx;
    const char *op; /* e.g. "vdk_group_norm" */
} vdk_check;

vdk_status vdk_check_context(vdk_check *c);
vdk_status vdk_check_params(vdk_check *c, const void *p);
/* Non-NULL, of ctx, a dtype the backend takes. */
vdk_status vdk_check_tensor(vdk_check *c, const vdk_tensor *t, const char *name);
/* As vdk_check_tensor, but NULL passes. */
vdk_status vdk_check_optional(vdk_check *c, const vdk_tensor *t, const char *name);
vdk_status vdk_check_rank(vdk_check *c, const vdk_tensor *t, const char *name, int rank);
vdk_status vdk_check_rank_range(vdk_check *c, const vdk_tensor *t, const char *name, int lo,
                                int hi);
vdk_status vdk_check_same_dtype(vdk_check *c, const vdk_tensor *t, const char *name,
                                const vdk_tensor *ref, const char *ref_name);
/* t must have exactly the given shape; `expect` says where it comes from, e.g.
 * "[C] with C = x.shape[4]". */
vdk_status vdk_check_shape(vdk_check *c, const vdk_tensor *t, const char *name, int rank,
                           const int64_t *shape, const char *expect);
/* out must not overlap in. */
vdk_status vdk_check_no_overlap(vdk_check *c, const vdk_tensor *out, const char *out_name,
                                const vdk_tensor *in, const char *in_name);
/* out must either be exactly the view in (in place) or not overlap it. */
vdk_status vdk_check_inplace_or_disjoint(vdk_check *c, const vdk_tensor *out,
                                         const char *out_name, const vdk_tensor *in,
                                         const char *in_name);
/* A float parameter that must be finite and > 0. */
vdk_status vdk_check_positive_eps(vdk_check *c, float eps, const char *name);
/* The backend's entry is present; otherwise VDK_ERROR_UNSUPPORTED. */
vdk_status vdk_check_implemented(vdk_check *c, const void *fn);

bool vdk_same_view(const vdk_tensor *a, const vdk_tensor *b);
bool vdk_views_overlap(const vdk_tensor *a, const vdk_tensor *b);

/* ---- backends ---- */

const vdk_backend_ops *vdk_reference_backend(void);
/* Resolves a CPU context's tier, threads and table (kernels/cpu.c). */
vdk_status vdk_cpu_context_init(vdk_context *ctx, const vdk_context_desc *desc);
/* Opens a Vulkan device for ctx and sets its table and device hooks
 * (src/vulkan/context.c); VDK_ERROR_UNSUPPORTED in a build without Vulkan. */
vdk_status vdk_vk_context_init(vdk_context *ctx, const vdk_context_desc *desc);
/* The device's GPU-time table, NULL when it has no timestamps; turning
 * timestamps on or off waits for recorded work first (src/vulkan/profile.c). */
vdk_profile_table *vdk_vk_profile_table(struct vdk_vk *vk);
vdk_status vdk_vk_profile_enable(vdk_context *ctx, bool on);
/* vdk_context_device_info and vdk_device_peak on a Vulkan context, arguments
 * checked and the options' defaults filled in (src/vulkan/peak.c). */
vdk_status vdk_vk_device_info(vdk_context *ctx, vdk_device_info *out);
vdk_status vdk_vk_device_peak(vdk_context *ctx, vdk_peak_kind kind, const vdk_peak_options *o,
                              vdk_peak_result *out);

#endif /* VDK_INTERNAL_H */
