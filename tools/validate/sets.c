/* vdk-validate: the shape sets. Every operator appears in every set; `tiny`
 * covers every parameter variant on edge shapes, `edge` the CPU kernels' edge
 * shapes (vector widths, GEMM tiles), `small` the SVD / Lumiere /
 * AnimateDiff layer kinds scaled down, `svd-tiny` the distinct layer shapes of
 * one denoising step of a tiny SVD UNet. One line per case. */
#include "sets.h"

#include <string.h>

/* A shape from its sizes: SH(2, 3, 4) is [2, 3, 4]. */
#define SH(...) {(int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), {__VA_ARGS__}}
#define T3(a, b, c) {a, b, c}

/* Shapes are given in parentheses, (N, T, H, W, C); the trailing arguments are
 * more designators, e.g. `.view = 4` for a strided first input. */
#define GROUP_NORM(x_, groups_, eps_, scope_, act_, flags_, ...)                                \
    {.op = VC_GROUP_NORM, .x = SH x_, .flags = flags_,                                          \
     .group_norm = {.groups = groups_, .eps = eps_, .scope = VDK_NORM_##scope_,                 \
                    .act = VDK_ACT_##act_},                                                     \
     __VA_ARGS__}
/* k, stride and padding are (t, h, w) triples. */
#define CONV3D(x_, cout_, k_, stride_, pad_, act_, flags_, ...)                                 \
    {.op = VC_CONV3D, .x = SH x_, .flags = flags_,                                              \
     .conv3d = {.p = {.stride = T3 stride_, .padding = T3 pad_, .act = VDK_ACT_##act_},         \
                .k = T3 k_, .cout = cout_},                                                     \
     __VA_ARGS__}
#define ATTENTION(x_, axes_, heads_, scale_, ...)                                               \
    {.op = VC_ATTENTION, .x = SH x_,                                                            \
     .attention = {.p = {.axes = VDK_AXES_##axes_, .heads = heads_, .scale = scale_}},          \
     __VA_ARGS__}
/* Cross-attention to L_ context tokens. */
#define CROSS_ATTENTION(x_, L_, axes_, heads_, scale_, ...)                                     \
    {.op = VC_ATTENTION, .x = SH x_,                                                            \
     .attention = {.p = {.axes = VDK_AXES_##axes_, .heads = heads_, .scale = scale_},           \
                   .kv_len = L_},                                                               \
     __VA_ARGS__}
#define LINEAR(x_, cout_, act_, flags_, ...)                                                    \
    {.op = VC_LINEAR, .x = SH x_, .flags = flags_,                                              \
     .linear = {.p = {.act = VDK_ACT_##act_}, .cout = cout_}, __VA_ARGS__}
#define LAYER_NORM(x_, eps_, flags_, ...)                                                       \
    {.op = VC_LAYER_NORM, .x = SH x_, .flags = flags_, .layer_norm = {.eps = eps_}, __VA_ARGS__}
#define RMS_NORM(x_, eps_, flags_, ...)                                                         \
    {.op = VC_RMS_NORM, .x = SH x_, .flags = flags_, .rms_norm = {.eps = eps_}, __VA_ARGS__}
#define SOFTMAX(x_, scale_, ...)                                                                \
    {.op = VC_SOFTMAX, .x = SH x_, .softmax = {.scale = scale_}, __VA_ARGS__}
#define UNARY(x_, op_, ...)                                                                     \
    {.op = VC_UNARY, .x = SH x_, .unary = {.op = VDK_UNARY_##op_}, __VA_ARGS__}
#define AFFINE(x_, alpha_, beta_, ...)                                                          \
    {.op = VC_UNARY, .x = SH x_,                                                                \
     .unary = {.op = VDK_UNARY_AFFINE, .alpha = alpha_, .beta = beta_}, __VA_ARGS__}
#define BINARY(a_, op_, b_, ...)                                                                \
    {.op = VC_BINARY, .x = SH a_, .binary = {.p = {.op = VDK_BINARY_##op_}, .b = SH b_},        \
     __VA_ARGS__}
/* A given alpha, no alpha tensor. */
#define BLEND(a_, alpha_, ...)                                                                  \
    {.op = VC_BLEND, .x = SH a_, .blend = {.p = {.alpha = alpha_}}, __VA_ARGS__}
/* An alpha tensor of shape alpha_, through a sigmoid when sigmoid_ is set. */
#define BLEND_TENSOR(a_, alpha_, sigmoid_, ...)                                                 \
    {.op = VC_BLEND, .x = SH a_, .blend = {.p = {.sigmoid = sigmoid_}, .alpha = SH alpha_},     \
     __VA_ARGS__}
#define UPSAMPLE(x_, factor_, ...)                                                              \
    {.op = VC_UPSAMPLE, .x = SH x_, .upsample = {.factor = T3 factor_}, __VA_ARGS__}
/* t [n_] uniform in [lo_, hi_) (integers when int_ is set). */
#define TIMESTEP(n_, dim_, flip_, interleave_, shift_, scale_, max_period_, lo_, hi_, int_)     \
    {.op = VC_TIMESTEP_EMBEDDING, .x = SH(n_),                                                  \
     .timestep_embedding = {.p = {.dim = dim_, .flip_sin_to_cos = flip_,                        \
                                  .interleave = interleave_, .downscale_freq_shift = shift_,    \
                                  .scale = scale_, .max_period = max_period_},                  \
                            .t_lo = lo_, .t_hi = hi_, .integer = int_}}
#define CONCAT(a_, axis_, b_len_, ...)                                                          \
    {.op = VC_CONCAT, .x = SH a_, .concat = {.p = {.axis = axis_}, .b_len = b_len_}, __VA_ARGS__}

#define BIAS VC_BIAS
#define RESIDUAL VC_RESIDUAL
#define AFF VC_AFFINE

/* ---- tiny: edge shapes, every parameter variant; seconds in all ---- */

static const vc_case tiny[] = {
    GROUP_NORM((1, 3, 5, 7, 16), 4, 1e-5f, PER_FRAME, SILU, AFF), /* prime H, W */
    GROUP_NORM((2, 3, 4, 5, 12), 3, 1e-5f, PER_CLIP, NONE, AFF),
    GROUP_NORM((1, 1, 7, 1, 6), 2, 1e-6f, PER_CLIP, SILU, AFF),   /* T = 1, H*W = 7 */
    GROUP_NORM((2, 2, 3, 3, 10), 1, 1e-5f, PER_FRAME, NONE, 0),   /* one group */
    GROUP_NORM((1, 5, 1, 1, 13), 13, 1e-5f, PER_CLIP, NONE, 0),   /* a group per channel */
    GROUP_NORM((1, 2, 2, 2, 64), 32, 1e-6f, PER_FRAME, SILU, AFF),
    GROUP_NORM((1, 2, 3, 3, 8), 2, 1e-5f, PER_CLIP, SILU, AFF, .view = 6),

    CONV3D((1, 5, 3, 3, 12), 12, (3, 1, 1), (1, 1, 1), (1, 0, 0), NONE, BIAS | RESIDUAL),
    CONV3D((2, 1, 2, 3, 6), 6, (3, 1, 1), (0, 0, 0), (1, 0, 0), SILU, BIAS), /* T = 1 */
    CONV3D((2, 2, 5, 7, 5), 9, (1, 3, 3), (0, 0, 0), (0, 1, 1), SILU, BIAS),
    CONV3D((1, 2, 3, 3, 20), 12, (1, 1, 1), (0, 0, 0), (0, 0, 0), NONE, 0),
    CONV3D((1, 2, 7, 9, 8), 8, (1, 3, 3), (1, 2, 2), (0, 1, 1), NONE, BIAS), /* odd H, W */
    CONV3D((1, 7, 2, 3, 6), 6, (3, 1, 1), (2, 1, 1), (1, 0, 0), NONE, BIAS),
    CONV3D((1, 3, 4, 4, 3), 5, (3, 3, 3), (0, 0, 0), (1, 1, 1), GELU, BIAS | RESIDUAL),
    CONV3D((1, 4, 5, 5, 4), 3, (2, 2, 2), (1, 1, 1), (1, 0, 1), NONE, 0), /* even kernel */
    CONV3D((1, 2, 3, 3, 8), 8, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, RESIDUAL, .view = 4),

    ATTENTION((1, 2, 3, 3, 40), SPATIAL, 1, 0),   /* D = 40, 9 tokens */
    ATTENTION((1, 1, 5, 5, 128), SPATIAL, 2, 0),  /* D = 64 */
    ATTENTION((1, 7, 2, 2, 80), TEMPORAL, 1, 0),  /* D = 80 */
    ATTENTION((2, 1, 2, 3, 64), TEMPORAL, 1, 0),  /* T = 1: one key */
    ATTENTION((1, 3, 2, 2, 128), SPATIOTEMPORAL, 1, 0), /* D = 128 */
    ATTENTION((1, 2, 3, 2, 64), SPATIAL, 1, 0.3f),
    CROSS_ATTENTION((1, 2, 3, 3, 64), 1, SPATIAL, 1, 0),
    CROSS_ATTENTION((2, 2, 2, 3, 80), 7, TEMPORAL, 2, 0),
    ATTENTION((1, 3, 2, 2, 48), TEMPORAL, 3, 0, .view = 8),

    LINEAR((5, 12), 7, NONE, BIAS),
    LINEAR((1, 3, 5), 9, SILU, 0),
    LINEAR((1, 2, 2, 3, 10), 6, GELU, BIAS | RESIDUAL),
    LINEAR((2, 7, 12), 18, GEGLU, BIAS),
    LINEAR((3, 5, 20), 10, GEGLU, BIAS | RESIDUAL),
    LINEAR((13), 5, NONE, 0), /* rank 1 */
    LINEAR((2, 3, 24), 8, NONE, BIAS, .view = 4),

    LAYER_NORM((3, 7, 12), 1e-5f, AFF),
    LAYER_NORM((5, 1, 20), 1e-5f, 0),
    LAYER_NORM((1, 2, 2, 3, 40), 1e-6f, AFF),
    LAYER_NORM((17), 1e-5f, AFF),
    LAYER_NORM((2, 3, 8), 1e-5f, AFF, .view = 4),

    RMS_NORM((3, 5, 12), 1e-6f, AFF),
    RMS_NORM((2, 9), 1e-5f, 0),
    RMS_NORM((1, 2, 3, 3, 20), 1e-6f, AFF),
    RMS_NORM((2, 2, 8), 1e-6f, AFF, .view = 4),

    SOFTMAX((3, 7), 0),
    SOFTMAX((2, 4, 13), 0.125f),
    SOFTMAX((4, 1), 0), /* one element per row */
    SOFTMAX((6, 100), 2.0f),
    SOFTMAX((2, 3, 8), 0, .view = 4),

    UNARY((2, 3, 5, 7, 3), SILU),
    UNARY((1, 1, 1, 1, 37), GELU),
    UNARY((5, 11), SIGMOID),
    AFFINE((4, 9), 1.5f, -0.25f),
    UNARY((2, 5, 6), GELU, .view = 2),

    BINARY((2, 3, 3, 5, 6), ADD, (2, 3, 3, 5, 6)),
    BINARY((2, 3, 3, 5, 6), SUB, (2, 3, 1, 1, 6)), /* per frame */
    BINARY((2, 3, 3, 5, 6), MUL, (6)),
    BINARY((2, 3, 3, 5, 6), ADD, (1)),
    BINARY((2, 3, 4, 5), MUL, (3, 1, 5)),
    BINARY((3, 7), SUB, (3, 1)),
    BINARY((2, 2, 3, 8), ADD, (8), .view = 4),

    BLEND((2, 3, 3, 5, 6), 0.3f),
    BLEND((3, 5), 0.0f), /* alpha 0 is taken as given: y = b */
    BLEND_TENSOR((2, 3, 3, 5, 6), (1), 1),
    BLEND_TENSOR((2, 3, 3, 5, 6), (2, 3, 1, 1, 1), 0),
    BLEND_TENSOR((2, 3, 3, 5, 6), (2, 3, 1, 1, 1), 1),
    BLEND_TENSOR((2, 3, 8), (1), 1, .view = 4),

    UPSAMPLE((1, 2, 3, 5, 6), (1, 2, 2)),
    UPSAMPLE((1, 3, 2, 2, 4), (2, 1, 1)),
    UPSAMPLE((1, 1, 2, 3, 5), (2, 2, 2)),
    UPSAMPLE((2, 2, 3, 3, 3), (0, 0, 3)), /* zero factors are 1 */
    UPSAMPLE((1, 2, 2, 2, 4), (1, 2, 2), .view = 2),

    TIMESTEP(5, 8, 1, 0, 0, 0, 0, 0, 1000, 0),
    TIMESTEP(4, 7, 0, 0, 1, 0, 0, 0, 1000, 0), /* odd dim, shift 1 */
    TIMESTEP(3, 12, 0, 1, 0, 0, 0, 0, 16, 1),  /* interleaved, frame indices */
    TIMESTEP(6, 10, 1, 1, 0, 0, 0, 0, 16, 1),
    TIMESTEP(2, 16, 1, 0, 0, 2.0f, 100.0f, -2, 2, 0),
    TIMESTEP(1, 2, 0, 0, 0, 0, 0, 0, 1000, 0), /* dim 2: one frequency */

    CONCAT((1, 2, 3, 3, 5), -1, 7),
    CONCAT((1, 2, 2, 2, 4), 1, 3),
    CONCAT((2, 3, 4), 0, 1),
    CONCAT((2, 3, 4), -2, 5),
    CONCAT((2, 2, 6), -1, 2, .view = 2),
};

/* ---- edge: the edge shapes of the CPU kernels (issue 4) for every operator.
 * Sizes off the vector widths (8, 16) and the GEMM register tiles (6x16 AVX2,
 * 14x32 AVX-512) on every axis a kernel vectorises or blocks: channels, rows
 * (M), output channels (N) and reductions (K); T = 1; prime H*W (7x1, 13x1,
 * 5x7); one head and several; head dims 40, 64, 80, 128; cross-attention to
 * L = 1 and 77 tokens; group sizes with an odd number of channels; stride-2 and
 * (3,3,3) convolutions; every activation; a strided view for every operator.
 * A few exact tile multiples stay in as the control, and a few cases of some
 * 70k elements split over the threads with a ragged tail (a kernel starts a
 * thread per 128 KiB). Seconds on the reference. */

static const vc_case edge[] = {
    GROUP_NORM((1, 1, 7, 1, 15), 5, 1e-5f, PER_FRAME, SILU, AFF),  /* T = 1, 3 ch/group */
    GROUP_NORM((2, 3, 13, 1, 21), 3, 1e-5f, PER_CLIP, NONE, AFF),  /* 7 ch/group */
    GROUP_NORM((1, 2, 5, 7, 9), 9, 1e-6f, PER_FRAME, SILU, 0),     /* 1 ch/group */
    GROUP_NORM((1, 3, 5, 7, 33), 11, 1e-6f, PER_CLIP, SILU, AFF),
    GROUP_NORM((2, 1, 1, 1, 45), 15, 1e-5f, PER_FRAME, NONE, AFF), /* 3 elements a group */
    GROUP_NORM((1, 1, 7, 1, 40), 8, 1e-5f, PER_FRAME, SILU, AFF),  /* 5 ch/group of 8-wide C */
    GROUP_NORM((1, 2, 3, 3, 17), 1, 1e-5f, PER_CLIP, SILU, AFF, .view = 3),
    GROUP_NORM((2, 5, 37, 41, 9), 3, 1e-6f, PER_FRAME, SILU, AFF), /* threads */

    CONV3D((1, 1, 7, 1, 3), 17, (1, 3, 3), (0, 0, 0), (0, 1, 1), SILU, BIAS), /* T = 1 */
    CONV3D((1, 5, 13, 1, 9), 15, (3, 1, 1), (0, 0, 0), (1, 0, 0), GELU, BIAS | RESIDUAL),
    CONV3D((2, 3, 5, 7, 5), 33, (3, 3, 3), (0, 0, 0), (1, 1, 1), NONE, BIAS),
    CONV3D((1, 5, 7, 9, 3), 31, (3, 3, 3), (2, 2, 2), (1, 1, 1), GELU, BIAS | RESIDUAL),
    CONV3D((1, 2, 7, 9, 17), 13, (1, 3, 3), (1, 2, 2), (0, 1, 1), SILU, BIAS),
    CONV3D((1, 7, 3, 5, 6), 7, (3, 1, 1), (2, 1, 1), (1, 0, 0), NONE, 0),
    CONV3D((1, 1, 1, 1, 37), 47, (1, 1, 1), (0, 0, 0), (0, 0, 0), NONE, BIAS), /* M = 1 */
    CONV3D((2, 1, 3, 5, 29), 14, (1, 1, 1), (0, 0, 0), (0, 0, 0), SILU, RESIDUAL),
    CONV3D((1, 2, 3, 7, 32), 16, (1, 1, 1), (0, 0, 0), (0, 0, 0), NONE, BIAS), /* 6x16 tiles */
    CONV3D((1, 2, 5, 7, 7), 9, (1, 3, 3), (0, 0, 0), (0, 1, 1), GELU, BIAS, .view = 5),

    ATTENTION((1, 1, 7, 1, 40), SPATIAL, 1, 0),          /* D = 40, 7 tokens, T = 1 */
    ATTENTION((2, 1, 13, 1, 64), SPATIAL, 1, 0),         /* D = 64, 13 tokens */
    ATTENTION((1, 2, 5, 7, 160), SPATIAL, 2, 0),         /* D = 80, 35 tokens */
    ATTENTION((1, 1, 5, 7, 128), SPATIAL, 1, 0),         /* D = 128 */
    ATTENTION((1, 1, 13, 1, 40), SPATIAL, 1, 0.2f),
    ATTENTION((1, 17, 1, 3, 40), TEMPORAL, 1, 0),        /* T = 17 */
    ATTENTION((2, 1, 7, 1, 64), TEMPORAL, 1, 0),         /* T = 1: one key */
    ATTENTION((1, 13, 2, 1, 240), TEMPORAL, 3, 0),       /* D = 80 */
    ATTENTION((1, 3, 5, 1, 128), SPATIOTEMPORAL, 1, 0),  /* D = 128, 15 tokens */
    CROSS_ATTENTION((1, 2, 7, 1, 40), 1, SPATIAL, 1, 0),
    CROSS_ATTENTION((1, 1, 13, 1, 128), 1, SPATIOTEMPORAL, 1, 0),
    CROSS_ATTENTION((1, 1, 5, 7, 128), 77, SPATIAL, 2, 0),  /* text tokens, D = 64 */
    CROSS_ATTENTION((2, 3, 1, 1, 80), 77, TEMPORAL, 1, 0),  /* D = 80 */
    ATTENTION((1, 2, 7, 1, 64), SPATIAL, 1, 0, .view = 8),
    ATTENTION((1, 5, 1, 7, 80), TEMPORAL, 2, 0, .view = 4),
    CROSS_ATTENTION((1, 1, 7, 1, 128), 77, SPATIAL, 1, 0, .view = 16),

    LINEAR((37), 1, NONE, 0),                        /* M = N = 1 */
    LINEAR((5, 1), 7, SILU, BIAS),                   /* K = 1 */
    LINEAR((7, 9), 17, NONE, BIAS),
    LINEAR((13, 33), 15, SILU, BIAS | RESIDUAL),
    LINEAR((1, 1, 1, 1, 17), 31, GELU, BIAS),        /* rank 5, M = 1 */
    LINEAR((29, 37), 47, GELU, RESIDUAL),            /* two 14-row tiles and one row */
    LINEAR((45, 3), 33, NONE, 0),
    LINEAR((2, 15, 19), 34, GEGLU, BIAS),            /* 17 outputs */
    LINEAR((3, 5, 40), 66, GEGLU, BIAS | RESIDUAL),  /* 33 outputs */
    LINEAR((6, 16), 16, SILU, BIAS),                 /* one 6x16 tile */
    LINEAR((14, 64), 32, NONE, BIAS),                /* one 14x32 tile */
    LINEAR((2, 7, 17), 9, GELU, BIAS, .view = 3),

    LAYER_NORM((7, 1), 1e-5f, AFF), /* C = 1: y = beta */
    LAYER_NORM((13, 7), 1e-5f, AFF),
    LAYER_NORM((1, 1, 7, 1, 17), 1e-6f, 0),
    LAYER_NORM((5, 33), 1e-5f, AFF),
    LAYER_NORM((3, 77), 1e-5f, AFF),
    LAYER_NORM((1, 2, 5, 7, 40), 1e-6f, AFF),
    LAYER_NORM((2, 3, 9), 1e-5f, AFF, .view = 5),
    LAYER_NORM((1031, 77), 1e-5f, AFF), /* threads */

    RMS_NORM((7, 1), 1e-6f, AFF),
    RMS_NORM((13, 9), 1e-5f, 0),
    RMS_NORM((1, 1, 7, 1, 33), 1e-6f, AFF),
    RMS_NORM((3, 77), 1e-6f, AFF),
    RMS_NORM((2, 5, 17), 1e-6f, AFF, .view = 7),

    SOFTMAX((7, 1), 0),
    SOFTMAX((5, 7), 0),
    SOFTMAX((3, 17), 0.125f),
    SOFTMAX((2, 33), 0),
    SOFTMAX((7, 77), 0.125f),
    SOFTMAX((1, 3, 5, 35), 2.0f),
    SOFTMAX((2, 129), 0),
    SOFTMAX((3, 9), 0, .view = 4),
    SOFTMAX((1031, 77), 0.125f), /* threads */

    UNARY((1), SILU),
    UNARY((7), GELU),
    UNARY((1, 1, 7, 1, 3), SIGMOID),
    AFFINE((3, 17), 1.5f, -0.25f),
    UNARY((13, 33), SILU),
    UNARY((5, 7, 9), GELU),
    UNARY((2, 1, 5, 7, 3), SIGMOID),
    AFFINE((1, 1, 13, 1, 5), -0.5f, 2.0f),
    UNARY((3, 7), SILU, .view = 1),
    UNARY((2, 5, 9), SIGMOID, .view = 4),
    AFFINE((13, 3), 2.0f, 1.0f, .view = 2),
    UNARY((7, 10007), GELU), /* threads */

    BINARY((1, 1, 7, 1, 3), ADD, (1, 1, 7, 1, 3)),
    BINARY((2, 1, 13, 1, 9), SUB, (2, 1, 1, 1, 9)), /* per frame */
    BINARY((1, 3, 5, 7, 17), MUL, (17)),            /* per channel */
    BINARY((1, 3, 5, 7, 17), ADD, (1)),             /* scalar */
    BINARY((2, 3, 5, 7), MUL, (3, 1, 7)),
    BINARY((7, 33), SUB, (7, 1)),                   /* per row */
    BINARY((13), ADD, (13)),
    BINARY((2, 5, 9), MUL, (9), .view = 4),
    BINARY((3, 7, 17), SUB, (3, 7, 17), .view = 3),
    BINARY((9, 7919), ADD, (7919)), /* threads */

    BLEND((1, 1, 7, 1, 3), 0.3f),
    BLEND((13, 17), 1.0f), /* y = a */
    BLEND_TENSOR((1, 3, 5, 7, 17), (1), 1),
    BLEND_TENSOR((2, 3, 5, 7, 9), (2, 3, 1, 1, 1), 0),
    BLEND_TENSOR((2, 1, 13, 1, 33), (2, 1, 1, 1, 33), 1),
    BLEND_TENSOR((3, 7), (3, 7), 0),
    BLEND((2, 5, 9), 0.7f, .view = 4),
    BLEND_TENSOR((2, 3, 17), (1), 1, .view = 3),

    UPSAMPLE((1, 1, 7, 1, 3), (1, 2, 2)),
    UPSAMPLE((1, 3, 13, 1, 17), (2, 1, 1)),
    UPSAMPLE((2, 1, 5, 7, 9), (2, 2, 2)),
    UPSAMPLE((1, 2, 5, 7, 33), (1, 2, 2)),
    UPSAMPLE((1, 1, 1, 1, 1), (3, 3, 3)),
    UPSAMPLE((1, 2, 3, 5, 7), (1, 3, 2)),
    UPSAMPLE((1, 2, 5, 7, 9), (1, 2, 2), .view = 4),

    TIMESTEP(1, 7, 0, 0, 0, 0, 0, 0, 1000, 0),   /* odd dim: the last entry is 0 */
    TIMESTEP(13, 17, 1, 0, 0, 0, 0, 0, 1000, 0),
    TIMESTEP(7, 33, 0, 1, 1, 0, 0, 0, 1000, 0),  /* interleaved, shift 1 */
    TIMESTEP(5, 2, 1, 0, 0, 0, 0, -2, 2, 0),     /* one frequency */
    TIMESTEP(3, 77, 1, 1, 0, 0, 0, 0, 1000, 0),
    TIMESTEP(17, 129, 1, 0, 0, 0, 0, 0, 17, 1),  /* frame indices */

    CONCAT((1, 1, 7, 1, 3), -1, 5),
    CONCAT((2, 1, 13, 1, 17), -1, 15),
    CONCAT((1, 3, 5, 7, 9), 1, 2),
    CONCAT((7, 33), 0, 6),
    CONCAT((13), 0, 7),
    CONCAT((2, 5, 7, 9), 2, 1),
    CONCAT((2, 3, 7), -1, 9, .view = 5),
    CONCAT((2, 3, 9), 1, 4, .view = 3),
};

/* ---- small: SVD / Lumiere / AnimateDiff layer kinds, scaled down to batch 2,
 * 4 frames of 8x8 at 64 to 320 channels, and 14-frame temporal layers ---- */

static const vc_case small[] = {
    GROUP_NORM((2, 4, 8, 8, 64), 32, 1e-6f, PER_FRAME, SILU, AFF),
    GROUP_NORM((2, 4, 8, 8, 320), 32, 1e-6f, PER_FRAME, NONE, AFF),
    GROUP_NORM((2, 4, 8, 8, 320), 32, 1e-5f, PER_CLIP, SILU, AFF),
    GROUP_NORM((1, 14, 4, 4, 128), 32, 1e-5f, PER_CLIP, NONE, AFF),

    CONV3D((2, 4, 8, 8, 8), 64, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, BIAS), /* conv_in */
    CONV3D((2, 4, 8, 8, 64), 64, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, BIAS | RESIDUAL),
    CONV3D((1, 4, 8, 8, 320), 320, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, BIAS),
    CONV3D((2, 4, 8, 8, 64), 128, (1, 1, 1), (0, 0, 0), (0, 0, 0), NONE, BIAS), /* shortcut */
    CONV3D((2, 4, 8, 8, 64), 64, (1, 3, 3), (1, 2, 2), (0, 1, 1), NONE, BIAS),  /* down */
    CONV3D((1, 4, 8, 8, 320), 320, (3, 1, 1), (0, 0, 0), (1, 0, 0), NONE, BIAS | RESIDUAL),
    CONV3D((1, 14, 4, 4, 128), 128, (3, 1, 1), (0, 0, 0), (1, 0, 0), SILU, BIAS),
    CONV3D((1, 14, 4, 4, 64), 64, (3, 1, 1), (2, 1, 1), (1, 0, 0), NONE, BIAS), /* Lumiere */
    CONV3D((2, 4, 8, 8, 64), 4, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, BIAS),   /* conv_out */

    ATTENTION((2, 4, 8, 8, 320), SPATIAL, 5, 0),
    ATTENTION((2, 14, 4, 4, 128), TEMPORAL, 2, 0),
    ATTENTION((1, 4, 4, 4, 128), SPATIOTEMPORAL, 2, 0),
    ATTENTION((1, 16, 2, 2, 320), TEMPORAL, 8, 0), /* AnimateDiff: D = 40, 16 frames */
    CROSS_ATTENTION((2, 4, 8, 8, 320), 1, SPATIAL, 5, 0),
    CROSS_ATTENTION((2, 14, 4, 4, 128), 1, TEMPORAL, 2, 0),
    CROSS_ATTENTION((1, 4, 8, 8, 128), 16, SPATIAL, 2, 0), /* text tokens */

    LINEAR((2, 4, 8, 8, 320), 320, NONE, BIAS),
    LINEAR((2, 4, 8, 8, 64), 512, GEGLU, BIAS),
    LINEAR((2, 4, 8, 8, 256), 64, NONE, BIAS | RESIDUAL),
    LINEAR((1, 14, 4, 4, 128), 128, GELU, BIAS),
    LINEAR((2, 320), 1280, SILU, BIAS),
    LINEAR((2, 4, 1280), 320, NONE, BIAS),
    LINEAR((2, 1, 1024), 320, NONE, 0),

    LAYER_NORM((2, 4, 8, 8, 320), 1e-5f, AFF),
    LAYER_NORM((2, 14, 4, 4, 128), 1e-5f, AFF),

    RMS_NORM((1, 14, 4, 4, 128), 1e-6f, AFF),
    RMS_NORM((2, 4, 8, 8, 64), 1e-5f, 0),

    SOFTMAX((2, 5, 64, 64), 0.125f),
    SOFTMAX((32, 2, 14, 14), 0.125f),
    SOFTMAX((2, 4, 77), 0),

    UNARY((2, 4, 8, 8, 64), SILU),
    UNARY((2, 4, 8, 8, 256), GELU),
    UNARY((2, 4, 1, 1, 1), SIGMOID),
    AFFINE((2, 4, 1, 1, 320), 1.0f, 1.0f), /* 1 + scale */

    BINARY((2, 4, 8, 8, 320), ADD, (2, 4, 1, 1, 320)),
    BINARY((2, 4, 8, 8, 64), MUL, (2, 4, 1, 1, 64)),
    BINARY((2, 4, 8, 8, 320), ADD, (2, 4, 8, 8, 320)),
    BINARY((2, 4, 8, 8, 64), SUB, (64)),
    BINARY((2, 14, 4, 4, 128), ADD, (14, 1, 1, 128)),

    BLEND_TENSOR((2, 4, 8, 8, 320), (1), 1),
    BLEND_TENSOR((2, 14, 4, 4, 128), (2, 14, 1, 1, 1), 1),
    BLEND((2, 4, 8, 8, 64), 0.5f),

    UPSAMPLE((2, 4, 4, 4, 320), (1, 2, 2)),
    UPSAMPLE((1, 7, 4, 4, 128), (2, 1, 1)),
    UPSAMPLE((1, 7, 4, 4, 64), (2, 2, 2)),

    TIMESTEP(2, 320, 1, 0, 0, 0, 0, -2, 2, 0),    /* EDM c_noise */
    TIMESTEP(6, 256, 1, 0, 0, 0, 0, 0, 128, 0),   /* added time ids */
    TIMESTEP(14, 320, 1, 0, 0, 0, 0, 0, 14, 1),   /* frame index */
    TIMESTEP(16, 320, 0, 1, 0, 0, 0, 0, 16, 1),   /* AnimateDiff positions */
    TIMESTEP(2, 320, 0, 0, 1, 0, 0, 0, 1000, 0),  /* DDPM steps */

    CONCAT((2, 4, 8, 8, 320), -1, 320),
    CONCAT((2, 4, 8, 8, 64), -1, 128),
    CONCAT((2, 4, 8, 8, 4), -1, 4),
    CONCAT((1, 7, 4, 4, 64), 1, 7),
};

/* ---- svd-tiny: the distinct layer shapes of one denoising step of a tiny SVD
 * UNet: batch 2 (CFG), 3 frames, latent 8x12, in 8 / out 4 channels,
 * block_out_channels (64, 128), one layer per block, head dim 64, GroupNorm 32,
 * time embedding 256, addition_time_embed_dim 64, context 1 token of 128 ---- */

static const vc_case svd_tiny[] = {
    /* time embedding: c_noise, the 3 added ids of each item, frame positions */
    TIMESTEP(2, 64, 1, 0, 0, 0, 0, -2, 2, 0),
    TIMESTEP(6, 64, 1, 0, 0, 0, 0, 0, 128, 0),
    TIMESTEP(3, 64, 1, 0, 0, 0, 0, 0, 3, 1),
    TIMESTEP(3, 128, 1, 0, 0, 0, 0, 0, 3, 1),
    LINEAR((2, 64), 256, SILU, BIAS),
    LINEAR((2, 192), 256, SILU, BIAS),
    LINEAR((2, 256), 256, NONE, BIAS),
    BINARY((2, 256), ADD, (2, 256)),
    UNARY((2, 3, 256), SILU),

    /* level 0, 64 channels at 8x12 */
    CONV3D((2, 3, 8, 12, 8), 64, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, BIAS),
    GROUP_NORM((2, 3, 8, 12, 64), 32, 1e-6f, PER_FRAME, SILU, AFF),
    CONV3D((2, 3, 8, 12, 64), 64, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, BIAS),
    LINEAR((2, 3, 256), 64, NONE, BIAS),
    BINARY((2, 3, 8, 12, 64), ADD, (2, 3, 1, 1, 64)),
    CONV3D((2, 3, 8, 12, 64), 64, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, BIAS | RESIDUAL),
    GROUP_NORM((2, 3, 8, 12, 64), 32, 1e-6f, PER_CLIP, SILU, AFF),
    CONV3D((2, 3, 8, 12, 64), 64, (3, 1, 1), (0, 0, 0), (1, 0, 0), NONE, BIAS),
    CONV3D((2, 3, 8, 12, 64), 64, (3, 1, 1), (0, 0, 0), (1, 0, 0), NONE, BIAS | RESIDUAL),
    BLEND_TENSOR((2, 3, 8, 12, 64), (1), 1),
    GROUP_NORM((2, 3, 8, 12, 64), 32, 1e-6f, PER_FRAME, NONE, AFF),
    LINEAR((2, 3, 8, 12, 64), 64, NONE, BIAS),
    LAYER_NORM((2, 3, 8, 12, 64), 1e-5f, AFF),
    LINEAR((2, 3, 8, 12, 64), 64, NONE, 0),
    ATTENTION((2, 3, 8, 12, 64), SPATIAL, 1, 0),
    LINEAR((2, 3, 8, 12, 64), 64, NONE, BIAS | RESIDUAL),
    LINEAR((2, 1, 128), 64, NONE, 0),
    CROSS_ATTENTION((2, 3, 8, 12, 64), 1, SPATIAL, 1, 0),
    LINEAR((2, 3, 8, 12, 64), 512, GEGLU, BIAS),
    LINEAR((2, 3, 8, 12, 256), 64, NONE, BIAS | RESIDUAL),
    LINEAR((3, 64), 256, SILU, BIAS),
    LINEAR((3, 256), 64, NONE, BIAS),
    BINARY((2, 3, 8, 12, 64), ADD, (3, 1, 1, 64)),
    ATTENTION((2, 3, 8, 12, 64), TEMPORAL, 1, 0),
    CROSS_ATTENTION((2, 3, 8, 12, 64), 1, TEMPORAL, 1, 0),
    CONV3D((2, 3, 8, 12, 64), 64, (1, 3, 3), (1, 2, 2), (0, 1, 1), NONE, BIAS),

    /* level 1, 128 channels at 4x6 */
    GROUP_NORM((2, 3, 4, 6, 64), 32, 1e-5f, PER_FRAME, SILU, AFF),
    CONV3D((2, 3, 4, 6, 64), 128, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, BIAS),
    CONV3D((2, 3, 4, 6, 64), 128, (1, 1, 1), (0, 0, 0), (0, 0, 0), NONE, BIAS),
    GROUP_NORM((2, 3, 4, 6, 128), 32, 1e-5f, PER_FRAME, SILU, AFF),
    CONV3D((2, 3, 4, 6, 128), 128, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, BIAS | RESIDUAL),
    GROUP_NORM((2, 3, 4, 6, 128), 32, 1e-5f, PER_CLIP, SILU, AFF),
    CONV3D((2, 3, 4, 6, 128), 128, (3, 1, 1), (0, 0, 0), (1, 0, 0), NONE, BIAS | RESIDUAL),
    LAYER_NORM((2, 3, 4, 6, 128), 1e-5f, AFF),
    ATTENTION((2, 3, 4, 6, 128), SPATIAL, 2, 0),
    ATTENTION((2, 3, 4, 6, 128), TEMPORAL, 2, 0),
    CROSS_ATTENTION((2, 3, 4, 6, 128), 1, SPATIAL, 2, 0),
    LINEAR((2, 3, 4, 6, 128), 1024, GEGLU, BIAS),

    /* up path: skip concatenation, nearest x2 and its conv, the output head */
    CONCAT((2, 3, 4, 6, 128), -1, 128),
    CONCAT((2, 3, 4, 6, 128), -1, 64),
    CONV3D((2, 3, 4, 6, 256), 128, (1, 1, 1), (0, 0, 0), (0, 0, 0), NONE, BIAS),
    UPSAMPLE((2, 3, 4, 6, 128), (1, 2, 2)),
    CONV3D((2, 3, 8, 12, 128), 128, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, BIAS),
    CONCAT((2, 3, 8, 12, 128), -1, 64),
    CONV3D((2, 3, 8, 12, 192), 64, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, BIAS),
    GROUP_NORM((2, 3, 8, 12, 64), 32, 1e-5f, PER_FRAME, SILU, AFF),
    CONV3D((2, 3, 8, 12, 64), 4, (1, 3, 3), (0, 0, 0), (0, 1, 1), NONE, BIAS),

    /* not in SVD, kept so every operator runs at these widths: Lumiere's
     * channel RMS norm, the spatial level's attention scores */
    RMS_NORM((2, 3, 8, 12, 64), 1e-6f, AFF),
    SOFTMAX((6, 1, 96, 96), 0.125f),
};

#define COUNT(a) ((int)(sizeof(a) / sizeof(a[0])))

static const vc_set sets[] = {
    {"tiny",
     "edge shapes and every parameter variant: sizes off multiples of 8/16, T = 1, prime "
     "H*W, one head or group, head dims 40/64/80/128, strided views",
     tiny, COUNT(tiny)},
    {"edge",
     "the CPU kernels' edge shapes for every operator: sizes off 8/16 and off the 6x16 and "
     "14x32 GEMM tiles, T = 1, prime H*W, head dims 40/64/80/128, cross L = 1 and 77, odd "
     "channels per group, strided and (3,3,3) convs, every activation, strided views",
     edge, COUNT(edge)},
    {"small",
     "SVD / Lumiere / AnimateDiff layer kinds scaled down: batch 2 x 4 frames x 8x8 x 64-320 "
     "channels, cross-attention L = 1 and 16, temporal T = 14 and 16",
     small, COUNT(small)},
    {"svd-tiny",
     "the layer shapes of one denoising step of a tiny SVD UNet: batch 2, 3 frames, latent "
     "8x12, channels (64, 128), head dim 64",
     svd_tiny, COUNT(svd_tiny)},
};

const vc_set *vv_sets(int *count)
{
    *count = COUNT(sets);
    return sets;
}

const vc_set *vv_set_find(const char *name)
{
    for (int i = 0; i < COUNT(sets); i++)
        if (!strcmp(sets[i].name, name))
            return &sets[i];
    return NULL;
}
