/*
 * vdk — video diffusion kernels. The public C API; the only header users include.
 *
 * Layout (stated once, here and in docs/operators.md):
 *   - Video activations are 5-D [N, T, H, W, C], channels last. Spatial work sees
 *     [N*T, H*W, C]; temporal work sees [N*H*W, T, C] with a stride of H*W*C
 *     between frames. No operator transposes.
 *   - Conv weights are [Cout, kt, kh, kw, Cin]; linear weights are [Cout, Cin].
 *   - Strides are in elements. The last axis of every tensor is contiguous
 *     (stride 1) and every outer stride is at least the extent of the axes inside
 *     it, so no two indices of one tensor share memory.
 *   - f16 and bf16 are storage types: every backend accumulates in f32 or better.
 *     f64 is taken by the reference backend only (the oracle's own precision).
 *
 * Calling convention: immediate mode. An operator checks its arguments on the
 * host, then runs (CPU) or records (Vulkan) and returns; vdk_sync() and any read
 * waits for completion. Every call returns a vdk_status; on failure
 * vdk_last_error() names the argument and what was expected, and no tensor has
 * been changed. The library never aborts and never prints.
 *
 * A zero field in a parameter struct takes the default stated beside it, where
 * zero is not itself a meaningful value (a stride, a scale, a factor). Where zero
 * is meaningful it is taken as given (an eps of 0 is rejected, an axis of 0 is
 * the first axis).
 */
#ifndef VDK_VDK_H
#define VDK_VDK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(VDK_BUILDING_LIBRARY) && defined(__GNUC__)
#define VDK_API __attribute__((visibility("default")))
#else
#define VDK_API
#endif

/* ---- version ------------------------------------------------------------ */

#define VDK_VERSION_MAJOR 0
#define VDK_VERSION_MINOR 1
#define VDK_VERSION_PATCH 0
#define VDK_MAKE_VERSION(major, minor, patch) ((major) * 10000 + (minor) * 100 + (patch))
#define VDK_VERSION VDK_MAKE_VERSION(VDK_VERSION_MAJOR, VDK_VERSION_MINOR, VDK_VERSION_PATCH)

/* The version of the library actually linked, as VDK_MAKE_VERSION encodes it. */
VDK_API int vdk_version(void);
/* "major.minor.patch" of the linked library. */
VDK_API const char *vdk_version_string(void);

/* ---- status --------------------------------------------------------------- */

typedef enum vdk_status {
    VDK_OK = 0,
    VDK_ERROR_NULL_POINTER,  /* a required pointer argument was NULL */
    VDK_ERROR_INVALID_VALUE, /* a parameter value outside what the operator takes */
    VDK_ERROR_RANK,          /* a tensor of the wrong rank */
    VDK_ERROR_SHAPE,         /* shapes that do not agree */
    VDK_ERROR_DTYPE,         /* a dtype the operator or backend does not take */
    VDK_ERROR_CONTEXT,       /* a tensor of another context */
    VDK_ERROR_ALIAS,         /* an output that overlaps an input where that is not allowed */
    VDK_ERROR_OVERFLOW,      /* a size product that does not fit */
    VDK_ERROR_LAYOUT,        /* strides the call cannot take (e.g. reshape of a strided view) */
    VDK_ERROR_OUT_OF_MEMORY,
    VDK_ERROR_UNSUPPORTED,   /* a backend, path or feature that is not implemented here */
    VDK_ERROR_DEVICE_LOST,
    VDK_ERROR_INTERNAL,
    VDK_STATUS_COUNT
} vdk_status;

/* A constant name such as "VDK_ERROR_SHAPE"; "unknown vdk_status" outside the range. */
VDK_API const char *vdk_status_string(vdk_status status);

/* ---- data types ----------------------------------------------------------- */

typedef enum vdk_dtype {
    VDK_F32 = 0,
    VDK_F16,
    VDK_BF16,
    VDK_F64,
    VDK_DTYPE_COUNT
} vdk_dtype;

VDK_API size_t vdk_dtype_size(vdk_dtype dtype);     /* 0 for an invalid dtype */
VDK_API const char *vdk_dtype_name(vdk_dtype dtype); /* "f32", "f16", "bf16", "f64" */

/* ---- contexts ------------------------------------------------------------- */

typedef enum vdk_backend {
    VDK_BACKEND_REFERENCE = 0, /* the oracle: plain C, double accumulation, always present */
    VDK_BACKEND_CPU,           /* SIMD kernels, best ISA at run time (VDK_CPU_ISA forces one) */
    VDK_BACKEND_VULKAN,        /* any Vulkan 1.2 device (VDK_VK_DEVICE picks one) */
    VDK_BACKEND_COUNT
} vdk_backend;

VDK_API const char *vdk_backend_name(vdk_backend backend); /* "reference", "cpu", "vulkan" */

/* The instruction-set tiers of the CPU backend. Every operator has a kernel in
 * every tier; a tier runs when it is built into this library and the processor
 * (and, for AVX-512, the operating system's saved state) supports it. */
typedef enum vdk_cpu_isa {
    VDK_CPU_ISA_AUTO = 0, /* VDK_CPU_ISA from the environment if set, else the best tier */
    VDK_CPU_ISA_SCALAR,   /* portable C, any processor */
    VDK_CPU_ISA_AVX2,     /* x86-64 with AVX2, FMA and F16C */
    VDK_CPU_ISA_AVX512,   /* x86-64 with AVX-512 F/BW/VL/DQ (+ BF16 dot products where present) */
    VDK_CPU_ISA_NEON,     /* AArch64 Advanced SIMD */
    VDK_CPU_ISA_COUNT
} vdk_cpu_isa;

/* "auto", "scalar", "avx2", "avx512", "neon"; "unknown" outside the range. */
VDK_API const char *vdk_cpu_isa_name(vdk_cpu_isa isa);
/* The tier of that name (as vdk_cpu_isa_name spells it), or VDK_CPU_ISA_COUNT. */
VDK_API vdk_cpu_isa vdk_cpu_isa_from_name(const char *name);
/* Nonzero when a CPU context can run the tier here: built in, and supported by the
 * processor. AUTO is always available. */
VDK_API int vdk_cpu_isa_available(vdk_cpu_isa isa);

typedef struct vdk_context_desc {
    vdk_backend backend;
    int device;  /* Vulkan device index; -1 picks (discrete GPU first). Ignored elsewhere. */
    int threads; /* CPU threads; 0 = all physical cores. Ignored elsewhere. */
    vdk_cpu_isa cpu_isa; /* CPU tier; AUTO = VDK_CPU_ISA or the best. Ignored elsewhere. A
                          * tier that is not available fails with VDK_ERROR_UNSUPPORTED. */
} vdk_context_desc;

typedef struct vdk_context vdk_context;

/* The tier a CPU context runs (never AUTO); VDK_CPU_ISA_COUNT for other backends. */
VDK_API vdk_cpu_isa vdk_context_cpu_isa(const vdk_context *ctx);
/* The thread count a CPU context runs with; 1 for other backends. */
VDK_API int vdk_context_threads(const vdk_context *ctx);
/* Vulkan contexts: how many messages of warning or error severity the Vulkan
 * validation layers sent while ctx existed (they are on
 * when the environment enables them, e.g.
 * VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation), and the first one's text in
 * *first when first is not NULL. The process shares one Vulkan instance, so a
 * message about another Vulkan context's work counts too. 0 (and "") for other
 * backends. */
VDK_API int64_t vdk_context_validation_messages(const vdk_context *ctx, const char **first);

/* ---- profiling ----
 * Time per kernel, gathered while profiling is on: from context creation when
 * the environment has VDK_PROFILE=1, or from vdk_profile_enable(ctx, 1).
 * Vulkan contexts time each dispatch on the GPU with timestamp queries (from
 * the end of the previous dispatch of the same submission to the end of this
 * one, so the rows add up to the time the GPU was busy; kernels are named by
 * shader variant, e.g. "group_norm_f16"). CPU and reference contexts time each
 * operator call on the host's monotonic clock, named as vdk_last_kernel names
 * them. The library never prints: vdk-bench, vdk-validate and vdk-run print
 * vdk_profile_format's table when VDK_PROFILE=1. */
typedef struct vdk_profile_entry {
    const char *kernel; /* static: valid for the life of the library */
    int64_t calls;
    double ms; /* total over the calls */
} vdk_profile_entry;

/* Turns profiling on (on != 0) or off. VDK_ERROR_UNSUPPORTED on a Vulkan
 * device without timestamp queries on its compute queue. */
VDK_API vdk_status vdk_profile_enable(vdk_context *ctx, int on);
/* Waits for recorded work, then forgets every time gathered so far. */
VDK_API vdk_status vdk_profile_reset(vdk_context *ctx);
/* Waits for recorded work (vdk_sync), then writes up to max entries, the
 * longest total first, to out (which may be NULL when max is 0) and the number
 * of kernels timed to *count. */
VDK_API vdk_status vdk_profile_read(vdk_context *ctx, vdk_profile_entry *out, int max,
                                    int *count);
/* The same as a text table (a line per kernel: total ms, share, calls, mean
 * us; then the total), NUL-terminated in buf and cut to size bytes. Returns
 * the length of the whole table, as snprintf does; 0 when ctx is NULL or
 * waiting for its work failed. */
VDK_API size_t vdk_profile_format(vdk_context *ctx, char *buf, size_t size);

/* Creates a context. A backend that is not built or not implemented returns
 * VDK_ERROR_UNSUPPORTED; the reason is then in vdk_last_error(NULL). */
VDK_API vdk_status vdk_context_create(const vdk_context_desc *desc, vdk_context **out);
/* Destroys the context. Tensors still alive keep their storage until destroyed. */
VDK_API void vdk_context_destroy(vdk_context *ctx);
VDK_API vdk_backend vdk_context_backend(const vdk_context *ctx);

/* The message of the most recent failed call on ctx (empty if none). With ctx ==
 * NULL: the most recent failure on this thread of a call that had no context
 * (vdk_context_create). The string stays valid until the next call on ctx. */
VDK_API const char *vdk_last_error(const vdk_context *ctx);

/* The name of the kernel that ran the most recent operator on ctx, e.g.
 * "reference" or "avx512.group_norm.f16"; empty before any operator ran and
 * after an operator call that failed. */
VDK_API const char *vdk_last_kernel(const vdk_context *ctx);

/* Waits until all work recorded on ctx has completed. */
VDK_API vdk_status vdk_sync(vdk_context *ctx);

/* ---- the device and its measured peak ----
 * Vulkan contexts only: reference and CPU contexts return
 * VDK_ERROR_UNSUPPORTED (the CPU is described and measured by vdk-peak itself,
 * docs/peak.md). */

/* What a Vulkan context runs on. */
typedef struct vdk_device_info {
    int index;        /* the physical-device index opened (what desc.device = index opens) */
    char name[256];   /* deviceName, e.g. "NVIDIA H100 80GB HBM3" */
    char driver[512]; /* driverName and driverInfo, e.g. "llvmpipe Mesa 22.3.6 (LLVM 15.0.6)" */
    const char *type; /* "discrete", "integrated", "virtual", "cpu" or "other" (static) */
    int api_major, api_minor, api_patch; /* the device's Vulkan version */
    uint32_t vendor_id, device_id;
    int subgroup_size;
    int float16;                /* shaderFloat16 is on: f16 arithmetic (VDK_PEAK_F16_FMA) */
    int64_t device_local_bytes; /* the largest device-local memory heap */
    int64_t max_buffer_bytes;   /* the largest buffer a shader binds (maxStorageBufferRange) */
} vdk_device_info;

/* Describes ctx's device; *out is untouched on failure. */
VDK_API vdk_status vdk_context_device_info(vdk_context *ctx, vdk_device_info *out);

/* What vdk_device_peak measures. GFLOP is 10^9 floating-point operations, an
 * FMA counts 2; GB is 10^9 bytes, counted as STREAM counts them (bytes the
 * kernel reads plus bytes it writes; write-allocate and cache traffic are not
 * counted). */
typedef enum vdk_peak_kind {
    VDK_PEAK_FP32_FMA = 0, /* GFLOP/s: fma() on f32, 16 independent chains per invocation */
    VDK_PEAK_F16_FMA,      /* GFLOP/s: fma() on float16_t, 32 chains as f16vec4; needs
                            * shaderFloat16, else VDK_ERROR_UNSUPPORTED */
    VDK_PEAK_COPY,         /* GB/s: dst[i] = src[i] over two buffers in 16-byte words;
                            * 2 x buffer_bytes per repetition */
    VDK_PEAK_READ,         /* GB/s: every 16-byte word of one buffer read and folded into a
                            * value the shader keeps; buffer_bytes per repetition */
    VDK_PEAK_KIND_COUNT
} vdk_peak_kind;

/* A zero field takes its default. */
typedef struct vdk_peak_options {
    int repetitions;      /* timed repetitions after one warm-up; 0 = 15; 1 to 256 */
    double seconds;       /* FMA kinds: the loop grows until one repetition takes this
                           * long; 0 = 0.05; up to 10 */
    int64_t buffer_bytes; /* bandwidth kinds: bytes per buffer, a multiple of 16 of at least
                           * 64 KiB; 0 = 1 GiB, or less where maxStorageBufferRange,
                           * maxMemoryAllocationSize or a quarter of the device-local heap
                           * says so. A size past those limits is VDK_ERROR_INVALID_VALUE. */
} vdk_peak_options;

typedef struct vdk_peak_result {
    double median, max, min; /* rates over the repetitions, in `unit` */
    int repetitions;
    double work;             /* FLOP (FMA kinds) or bytes (bandwidth kinds) per repetition */
    int64_t buffer_bytes;    /* bandwidth kinds: bytes per buffer; 0 for FMA kinds */
    int64_t invocations;     /* shader invocations per repetition (one dispatch) */
    int gpu_timestamps;      /* 1: each repetition timed by GPU timestamp queries; 0: by the
                              * host clock around submit and wait (no timestamps) */
    const char *unit;        /* "GFLOP/s" or "GB/s" (static) */
    const char *kernel;      /* the shader variant, e.g. "peak_fma_f32" (static) */
} vdk_peak_result;

/* Runs one measurement on ctx's device and writes the rates to *out: a loop
 * that does nothing else, timed per repetition, the median being the figure
 * to divide by (docs/peak.md). Waits for work recorded on ctx first and runs
 * to completion before it returns; its buffers are allocated and freed here,
 * no tensor is touched; with profiling on, its dispatches are timed like any
 * other (rows "peak_fma_f32", "peak_copy", ...). It takes a second or so per
 * kind on a GPU with the defaults (more on lavapipe). options may be NULL (all
 * defaults); *out is written only on success. */
VDK_API vdk_status vdk_device_peak(vdk_context *ctx, vdk_peak_kind kind,
                                   const vdk_peak_options *options, vdk_peak_result *out);

/* ---- tensors -------------------------------------------------------------- */

#define VDK_MAX_RANK 5

typedef struct vdk_tensor vdk_tensor;

/* A new contiguous tensor owned by ctx; contents are unspecified until written. */
VDK_API vdk_status vdk_tensor_create(vdk_context *ctx, vdk_dtype dtype, int rank,
                                     const int64_t *shape, vdk_tensor **out);
/* A tensor over caller memory (host backends only: reference and CPU; a Vulkan
 * context returns VDK_ERROR_UNSUPPORTED, its tensors live in device memory). strides
 * may be NULL (contiguous); otherwise the last stride must be 1 and every outer
 * stride at least the extent inside it. bytes is the size of the caller's buffer,
 * which must hold every element. The caller keeps ownership of data and must keep
 * it alive while the tensor and its views live. */
VDK_API vdk_status vdk_tensor_wrap(vdk_context *ctx, vdk_dtype dtype, int rank,
                                   const int64_t *shape, const int64_t *strides, void *data,
                                   size_t bytes, vdk_tensor **out);
/* Destroys a tensor or view. Storage is freed when its last tensor goes. NULL is a no-op. */
VDK_API void vdk_tensor_destroy(vdk_tensor *t);

/* A view with another shape of the same elements; t must be contiguous. */
VDK_API vdk_status vdk_tensor_reshape(vdk_tensor *t, int rank, const int64_t *shape,
                                      vdk_tensor **out);
/* A view of indices [start, start + length) along one axis (negative axis counts
 * from the end). */
VDK_API vdk_status vdk_tensor_slice(vdk_tensor *t, int axis, int64_t start, int64_t length,
                                    vdk_tensor **out);

/* Copies count elements (must equal the tensor's element count) between the
 * tensor and a dense host array in row-major order of the tensor's shape,
 * converting between src/dst dtype and the tensor's dtype (round to nearest even;
 * out-of-range values become infinities; NaN stays NaN). */
VDK_API vdk_status vdk_tensor_write(vdk_tensor *t, vdk_dtype src_dtype, const void *src,
                                    int64_t count);
VDK_API vdk_status vdk_tensor_read(const vdk_tensor *t, vdk_dtype dst_dtype, void *dst,
                                   int64_t count);

VDK_API vdk_context *vdk_tensor_context(const vdk_tensor *t);
VDK_API vdk_dtype vdk_tensor_dtype(const vdk_tensor *t);
VDK_API int vdk_tensor_rank(const vdk_tensor *t);
/* Size of one axis (negative axis counts from the end); -1 if axis is out of range. */
VDK_API int64_t vdk_tensor_dim(const vdk_tensor *t, int axis);
/* Stride in elements of one axis; -1 if axis is out of range. */
VDK_API int64_t vdk_tensor_stride(const vdk_tensor *t, int axis);
VDK_API int64_t vdk_tensor_numel(const vdk_tensor *t);

/* ---- operators -------------------------------------------------------------
 * Unless an operator says otherwise: every tensor argument has the same dtype
 * and belongs to ctx; optional tensors may be NULL; outputs may not overlap
 * inputs. "In place" below means the output may be the very same view as the
 * named input (same storage, offset and strides); any other overlap is an error.
 */

typedef enum vdk_activation {
    VDK_ACT_NONE = 0,
    VDK_ACT_SILU,  /* x * sigmoid(x) */
    VDK_ACT_GELU,  /* x * Phi(x), the exact (erf) form */
    VDK_ACT_GEGLU, /* linear only: h = [a, g] split on the last axis, a * GELU(g) */
    VDK_ACT_COUNT
} vdk_activation;

/* Group normalisation of x [N, T, H, W, C] with C split into `groups` groups of
 * C/groups consecutive channels. Statistics (mean, biased variance) per group over
 *   VDK_NORM_PER_FRAME: (H, W, C/groups) of each (n, t)  — SVD's spatial resblocks,
 *   VDK_NORM_PER_CLIP:  (T, H, W, C/groups) of each n    — SVD's temporal resblocks.
 * y = act((x - mean) / sqrt(var + eps) * gamma[c] + beta[c]); gamma, beta [C] optional
 * (absent = 1 and 0). act: NONE or SILU. eps > 0. In place allowed. */
typedef enum vdk_norm_scope { VDK_NORM_PER_FRAME = 0, VDK_NORM_PER_CLIP } vdk_norm_scope;
typedef struct vdk_group_norm_params {
    int groups; /* >= 1, divides C */
    float eps;  /* > 0, e.g. 1e-5 or 1e-6 */
    vdk_norm_scope scope;
    vdk_activation act;
} vdk_group_norm_params;
VDK_API vdk_status vdk_group_norm(vdk_context *ctx, const vdk_group_norm_params *p,
                                  const vdk_tensor *x, const vdk_tensor *gamma,
                                  const vdk_tensor *beta, vdk_tensor *y);

/* 3-D convolution (cross-correlation, as PyTorch) of x [N, T, H, W, Cin] with
 * w [Cout, kt, kh, kw, Cin], zero padding, no dilation:
 *   To = (T + 2*pad_t - kt) / stride_t + 1, likewise Ho and Wo (floor division);
 *   y [N, To, Ho, Wo, Cout] = act(conv(x, w) + bias) + residual.
 * bias [Cout] and residual [N, To, Ho, Wo, Cout] optional; residual may be y itself.
 * Each padding is in [0, k - 1] of its axis; act: NONE, SILU or GELU.
 * Temporal conv is kernel (3,1,1) pad (1,0,0); spatial 3x3 is (1,3,3) pad (0,1,1);
 * down-sampling is a stride of 2. */
typedef struct vdk_conv3d_params {
    int stride[3];  /* (t, h, w); 0 = 1 */
    int padding[3]; /* (t, h, w) */
    vdk_activation act;
} vdk_conv3d_params;
VDK_API vdk_status vdk_conv3d(vdk_context *ctx, const vdk_conv3d_params *p, const vdk_tensor *x,
                              const vdk_tensor *w, const vdk_tensor *bias,
                              const vdk_tensor *residual, vdk_tensor *y);

/* Multi-head scaled dot-product attention, o = softmax(scale * q k^T) v per head,
 * head h using channels [h*D, (h+1)*D) with D = C/heads.
 * q, o [N, T, H, W, C]. Query tokens are grouped into sequences by `axes`:
 *   SPATIAL: each frame (n, t) is a sequence of H*W tokens;
 *   TEMPORAL: each pixel (n, h, w) is a sequence of T tokens (frame stride H*W*C);
 *   SPATIOTEMPORAL: each n is a sequence of T*H*W tokens.
 * Self-attention: k, v [N, T, H, W, C] (the same shape as q), grouped the same way.
 * Cross-attention: k, v [N, L, C]; every query of batch item n attends to the L
 * tokens of k[n], v[n] (the grouping then does not change the result).
 * scale: 0 = 1/sqrt(D). */
typedef enum vdk_attention_axes {
    VDK_AXES_SPATIAL = 0,
    VDK_AXES_TEMPORAL,
    VDK_AXES_SPATIOTEMPORAL
} vdk_attention_axes;
typedef struct vdk_attention_params {
    vdk_attention_axes axes;
    int heads;   /* >= 1, divides C */
    float scale; /* 0 = 1/sqrt(C/heads) */
} vdk_attention_params;
VDK_API vdk_status vdk_attention(vdk_context *ctx, const vdk_attention_params *p,
                                 const vdk_tensor *q, const vdk_tensor *k, const vdk_tensor *v,
                                 vdk_tensor *o);

/* y = act(x w^T + bias) + residual over the last axis: x [..., Cin] (rank 1 to 5),
 * w [Cout, Cin], bias [Cout] optional, y and residual [..., Cy] with the leading
 * axes of x; Cy = Cout, or Cout/2 for GEGLU (Cout even; a = first half, g = second
 * half of x w^T + bias, as diffusers' GEGLU chunks it). residual may be y itself.
 * act: NONE, SILU, GELU or GEGLU. */
typedef struct vdk_linear_params {
    vdk_activation act;
} vdk_linear_params;
VDK_API vdk_status vdk_linear(vdk_context *ctx, const vdk_linear_params *p, const vdk_tensor *x,
                              const vdk_tensor *w, const vdk_tensor *bias,
                              const vdk_tensor *residual, vdk_tensor *y);

/* Layer norm over the last axis of x [..., C]: y = (x - mean) / sqrt(var + eps) *
 * gamma + beta, biased variance; gamma, beta [C] optional. eps > 0. In place allowed. */
typedef struct vdk_layer_norm_params {
    float eps;
} vdk_layer_norm_params;
VDK_API vdk_status vdk_layer_norm(vdk_context *ctx, const vdk_layer_norm_params *p,
                                  const vdk_tensor *x, const vdk_tensor *gamma,
                                  const vdk_tensor *beta, vdk_tensor *y);

/* RMS norm over the last axis of x [..., C]: y = x / sqrt(mean(x^2) + eps) * gamma;
 * gamma [C] optional. eps > 0. In place allowed. */
typedef struct vdk_rms_norm_params {
    float eps;
} vdk_rms_norm_params;
VDK_API vdk_status vdk_rms_norm(vdk_context *ctx, const vdk_rms_norm_params *p,
                                const vdk_tensor *x, const vdk_tensor *gamma, vdk_tensor *y);

/* Softmax over the last axis: y = exp(s*x - max) / sum(exp(s*x - max)). In place allowed. */
typedef struct vdk_softmax_params {
    float scale; /* s; 0 = 1 */
} vdk_softmax_params;
VDK_API vdk_status vdk_softmax(vdk_context *ctx, const vdk_softmax_params *p, const vdk_tensor *x,
                               vdk_tensor *y);

/* Elementwise y = f(x), y the shape of x. In place allowed. */
typedef enum vdk_unary_op {
    VDK_UNARY_SILU = 0, /* x * sigmoid(x) */
    VDK_UNARY_GELU,     /* exact (erf) GELU */
    VDK_UNARY_SIGMOID,
    VDK_UNARY_AFFINE,   /* alpha * x + beta (e.g. 1 + scale for scale-shift conditioning) */
    VDK_UNARY_COUNT
} vdk_unary_op;
typedef struct vdk_unary_params {
    vdk_unary_op op;
    float alpha, beta; /* AFFINE only, taken as given */
} vdk_unary_params;
VDK_API vdk_status vdk_unary(vdk_context *ctx, const vdk_unary_params *p, const vdk_tensor *x,
                             vdk_tensor *y);

/* Elementwise y = a op b, y the shape of a; b broadcasts to a NumPy-style (rank
 * <= rank of a, axes aligned from the last, each of b's sizes 1 or equal to a's),
 * e.g. a per-frame embedding [N, T, 1, 1, C] added to [N, T, H, W, C]. In place
 * (y = a) allowed. */
typedef enum vdk_binary_op {
    VDK_BINARY_ADD = 0,
    VDK_BINARY_SUB,
    VDK_BINARY_MUL,
    VDK_BINARY_COUNT
} vdk_binary_op;
typedef struct vdk_binary_params {
    vdk_binary_op op;
} vdk_binary_params;
VDK_API vdk_status vdk_binary(vdk_context *ctx, const vdk_binary_params *p, const vdk_tensor *a,
                              const vdk_tensor *b, vdk_tensor *y);

/* AlphaBlender: y = alpha * a + (1 - alpha) * b, a, b, y of one shape.
 * alpha is p->alpha when the alpha tensor is NULL; otherwise it is the tensor,
 * broadcast to a as in vdk_binary (e.g. one learned scalar [1], or a per-frame
 * [N, T, 1, 1, 1]), passed through a sigmoid when p->sigmoid is set (diffusers'
 * "learned" merge: alpha = sigmoid(mix_factor)); p->sigmoid without an alpha
 * tensor is an error. In place (y = a or y = b) allowed. */
typedef struct vdk_blend_params {
    float alpha; /* used when the alpha tensor is NULL, taken as given */
    int sigmoid; /* nonzero: alpha = sigmoid(alpha tensor); needs the tensor */
} vdk_blend_params;
VDK_API vdk_status vdk_blend(vdk_context *ctx, const vdk_blend_params *p, const vdk_tensor *a,
                             const vdk_tensor *b, const vdk_tensor *alpha, vdk_tensor *y);

/* Nearest up-sampling of x [N, T, H, W, C] by integer factors to
 * y [N, T*ft, H*fh, W*fw, C]; y[n, t, h, w] = x[n, t/ft, h/fh, w/fw]. A time factor
 * of 2 is frame duplication. */
typedef struct vdk_upsample_params {
    int factor[3]; /* (t, h, w); 0 = 1 */
} vdk_upsample_params;
VDK_API vdk_status vdk_upsample(vdk_context *ctx, const vdk_upsample_params *p,
                                const vdk_tensor *x, vdk_tensor *y);

/* Sinusoidal embedding of t [N] into y [N, dim] (diffusers' get_timestep_embedding):
 *   half = dim / 2, f_i = exp(-ln(max_period) * i / (half - downscale_freq_shift)),
 *   a_i = scale * t * f_i, y = [sin(a), cos(a)] or, with flip_sin_to_cos, [cos(a), sin(a)];
 *   with interleave, y[2i] = sin(a_i), y[2i+1] = cos(a_i) (AnimateDiff's positional
 *   encoding; flip then swaps the pair); an odd dim leaves the last entry 0.
 * The same operator gives SVD's frame-index positional embedding (t = frame index). */
typedef struct vdk_timestep_embedding_params {
    int dim;                    /* >= 2 */
    int flip_sin_to_cos;
    int interleave;
    float downscale_freq_shift; /* taken as given; half - shift must not be 0 */
    float scale;                /* 0 = 1 */
    float max_period;           /* 0 = 10000 */
} vdk_timestep_embedding_params;
VDK_API vdk_status vdk_timestep_embedding(vdk_context *ctx,
                                          const vdk_timestep_embedding_params *p,
                                          const vdk_tensor *t, vdk_tensor *y);

/* Concatenation of a and b along one axis (negative counts from the end); all other
 * sizes agree; y has size a + b on that axis. UNet skips use the channel axis (-1). */
typedef struct vdk_concat_params {
    int axis;
} vdk_concat_params;
VDK_API vdk_status vdk_concat(vdk_context *ctx, const vdk_concat_params *p, const vdk_tensor *a,
                              const vdk_tensor *b, vdk_tensor *y);

#ifdef __cplusplus
}
#endif

#endif /* VDK_VDK_H */
