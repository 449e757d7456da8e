/* vdk-bench: the shape sets, taken from the models of /work/shared/PIPELINES.md.
 *
 * svd-xt and svd are one UNet denoising step of Stable Video Diffusion (§1.4,
 * §1.5: batch 2 for CFG, latent 72x128, 25 or 14 frames): every distinct layer
 * shape of each level once. lumiere is one base STUNet step of LUM-REF-A
 * (§2.2: 80 frames of 128x128, levels 128/64/32/16 with C 512/1024/1536/2048
 * and T 80/40/20/10). small is both models scaled down until the reference
 * backend runs each case well under a second.
 *
 * A case is one operator call; its name is <set>/<level or group>/<op>.<variant>.
 * Shapes are vdk's: [N, T, H, W, C], conv weights [Cout, kt, kh, kw, Cin]. The
 * same generator makes svd-xt, svd and small's svd part, so their case names
 * line up. Every model set has every operator: where a model lacks one (SVD has no
 * RMS norm), the case says so in its variant. */
#include "sets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A shape from its sizes: S(2, 25, 72, 128, 320). */
#define S(...) ((vc_shape){(int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), {__VA_ARGS__}})
#define K3(a, b, c) {a, b, c}

/* ---- case constructors: one per operator form, arguments in vdk.h's order ---- */

static vc_case group_norm(vc_shape x, int groups, float eps, vdk_norm_scope scope,
                          vdk_activation act)
{
    return (vc_case){.op = VC_GROUP_NORM, .x = x, .flags = VC_AFFINE,
                     .group_norm = {.groups = groups, .eps = eps, .scope = scope, .act = act}};
}

/* k, stride and pad are (t, h, w). */
static vc_case conv3d(vc_shape x, int64_t cout, const int k[3], const int stride[3],
                      const int pad[3], int flags)
{
    vc_case c = {.op = VC_CONV3D, .x = x, .flags = flags};
    for (int a = 0; a < 3; a++) {
        c.conv3d.k[a] = k[a];
        c.conv3d.p.stride[a] = stride[a];
        c.conv3d.p.padding[a] = pad[a];
    }
    c.conv3d.cout = cout;
    return c;
}

static const int ONE[3] = K3(1, 1, 1), ZERO[3] = K3(0, 0, 0);
static const int K_SPATIAL[3] = K3(1, 3, 3), PAD_SPATIAL[3] = K3(0, 1, 1);
static const int K_TEMPORAL[3] = K3(3, 1, 1), PAD_TEMPORAL[3] = K3(1, 0, 0);
static const int STRIDE_HW[3] = K3(1, 2, 2), STRIDE_T[3] = K3(2, 1, 1);

static vc_case conv_3x3(vc_shape x, int64_t cout, int flags)
{
    return conv3d(x, cout, K_SPATIAL, ONE, PAD_SPATIAL, flags);
}
static vc_case conv_temporal(vc_shape x, int64_t cout, int flags)
{
    return conv3d(x, cout, K_TEMPORAL, ONE, PAD_TEMPORAL, flags);
}
static vc_case conv_1x1(vc_shape x, int64_t cout, int flags)
{
    return conv3d(x, cout, ONE, ONE, ZERO, flags);
}

/* heads of width d: scale 1/sqrt(d), stated rather than defaulted so that the
 * export says it. */
static vc_case attention(vc_shape q, vdk_attention_axes axes, int heads, int64_t kv_len)
{
    const double d = (double)(q.d[4] / heads);
    return (vc_case){.op = VC_ATTENTION, .x = q,
                     .attention = {.p = {.axes = axes, .heads = heads,
                                         .scale = (float)(1.0 / sqrt(d))},
                                   .kv_len = kv_len}};
}

static vc_case linear(vc_shape x, int64_t cout, vdk_activation act, int flags)
{
    return (vc_case){.op = VC_LINEAR, .x = x, .flags = flags,
                     .linear = {.p = {.act = act}, .cout = cout}};
}

static vc_case layer_norm(vc_shape x, float eps)
{
    return (vc_case){.op = VC_LAYER_NORM, .x = x, .flags = VC_AFFINE, .layer_norm = {.eps = eps}};
}

static vc_case rms_norm(vc_shape x, float eps)
{
    return (vc_case){.op = VC_RMS_NORM, .x = x, .flags = VC_AFFINE, .rms_norm = {.eps = eps}};
}

static vc_case softmax(vc_shape x, float scale)
{
    return (vc_case){.op = VC_SOFTMAX, .x = x, .softmax = {.scale = scale}};
}

static vc_case unary(vc_shape x, vdk_unary_op op, float alpha, float beta)
{
    return (vc_case){.op = VC_UNARY, .x = x, .unary = {.op = op, .alpha = alpha, .beta = beta}};
}

static vc_case binary(vc_shape a, vdk_binary_op op, vc_shape b)
{
    return (vc_case){.op = VC_BINARY, .x = a, .binary = {.p = {.op = op}, .b = b}};
}

/* alpha_shape rank 0: the constant p.alpha. */
static vc_case blend(vc_shape a, float alpha, vc_shape alpha_shape, int sigmoid)
{
    return (vc_case){.op = VC_BLEND, .x = a,
                     .blend = {.p = {.alpha = alpha, .sigmoid = sigmoid}, .alpha = alpha_shape}};
}

static vc_case upsample(vc_shape x, int ft, int fh, int fw)
{
    return (vc_case){.op = VC_UPSAMPLE, .x = x, .upsample = {.factor = {ft, fh, fw}}};
}

/* t [n] uniform in [0, t_hi), integers (frame indices) when integer is set;
 * diffusers' Timesteps(dim, flip_sin_to_cos, downscale_freq_shift = 0). */
static vc_case timestep_embedding(int64_t n, int dim, int flip, double t_hi, bool integer)
{
    return (vc_case){.op = VC_TIMESTEP_EMBEDDING, .x = S(n),
                     .timestep_embedding = {.p = {.dim = dim, .flip_sin_to_cos = flip,
                                                  .scale = 1.0f, .max_period = 10000.0f},
                                            .t_hi = t_hi, .integer = integer}};
}

static vc_case concat(vc_shape a, int axis, int64_t b_len)
{
    return (vc_case){.op = VC_CONCAT, .x = a, .concat = {.p = {.axis = axis}, .b_len = b_len}};
}

/* ---- building a set ---- */

typedef struct builder {
    const char *set;
    vc_case *cases;
    int n, cap;
    bool failed;
} builder;

static void add(builder *b, const char *group, const char *variant, vc_case c)
{
    if (b->failed)
        return;
    if (b->n == b->cap) {
        int cap = b->cap ? 2 * b->cap : 64;
        vc_case *grown = realloc(b->cases, (size_t)cap * sizeof *grown);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->cases = grown;
        b->cap = cap;
    }
    snprintf(c.name, sizeof c.name, "%s/%s/%s.%s", b->set, group, vc_op_name(c.op), variant);
    b->cases[b->n++] = c;
}

/* ---- SVD / SVD-XT UNet (PIPELINES.md §1.3-1.5) ---- */

typedef struct svd_config {
    int64_t N, T;
    int levels;
    int64_t H[4], W[4], C[4];
    int64_t head_dim;     /* 64 at every level */
    int64_t temb;         /* time embedding width (1280) */
    int64_t time_dim;     /* Timesteps(320) */
    int64_t add_dim;      /* Timesteps(256) per added time id, 3 ids */
    bool up_conv;         /* the Upsample2D conv (the largest 3x3 convs) */
    int spatial_softmax;  /* first level with an unfused spatial-score softmax */
} svd_config;

static void svd_level(builder *b, const svd_config *k, int i)
{
    char g[16];
    snprintf(g, sizeof g, "L%d", i);
    const int64_t N = k->N, T = k->T, H = k->H[i], W = k->W[i], C = k->C[i];
    const int heads = (int)(C / k->head_dim);
    const vc_shape x = S(N, T, H, W, C);
    const float qk_scale = (float)(1.0 / sqrt((double)k->head_dim));

    /* SpatioTemporalResBlock: GN32 + SiLU per frame (spatial half) and over the
     * clip (temporal half), 3x3 and (3,1,1) convs, the 1x1 shortcut of the up
     * path's concatenated input, the temb projection and broadcast add, and the
     * learned AlphaBlender merge. */
    add(b, g, "frame.silu", group_norm(x, 32, 1e-5f, VDK_NORM_PER_FRAME, VDK_ACT_SILU));
    add(b, g, "clip.silu", group_norm(x, 32, 1e-5f, VDK_NORM_PER_CLIP, VDK_ACT_SILU));
    add(b, g, "3x3", conv_3x3(x, C, VC_BIAS));
    add(b, g, "temporal.res", conv_temporal(x, C, VC_BIAS | VC_RESIDUAL));
    add(b, g, "1x1.skip", conv_1x1(S(N, T, H, W, 2 * C), C, VC_BIAS | VC_RESIDUAL));
    add(b, g, "temb", linear(S(N, T, k->temb), C, VDK_ACT_NONE, VC_BIAS));
    add(b, g, "add.frame", binary(x, VDK_BINARY_ADD, S(N, T, 1, 1, C)));
    add(b, g, "sigmoid", blend(x, 0.0f, S(1), 1));
    /* Resizing, booked to the level of its output: Downsample2D (3x3 stride 2)
     * from the level above, nearest x2 (then a 3x3 conv) from the level below. */
    if (i > 0)
        add(b, g, "down",
            conv3d(S(N, T, k->H[i - 1], k->W[i - 1], k->C[i - 1]), k->C[i - 1], K_SPATIAL,
                   STRIDE_HW, PAD_SPATIAL, VC_BIAS));
    if (i + 1 < k->levels) {
        const int64_t cup = k->C[i + 1];
        add(b, g, "2x", upsample(S(N, T, k->H[i + 1], k->W[i + 1], cup), 1, 2, 2));
        if (k->up_conv)
            add(b, g, "3x3.up", conv_3x3(S(N, T, H, W, cup), cup, VC_BIAS));
    }
    add(b, g, "skip", concat(x, -1, C));
    /* TransformerSpatioTemporalModel: GN (no activation), layer norms, q/k/v
     * and out projections, GEGLU feed-forward (C -> 8C, halves to 4C, 4C -> C),
     * spatial / temporal self-attention and cross-attention to the one image
     * token, and the frame-index positional embedding. */
    add(b, g, "frame", group_norm(x, 32, 1e-6f, VDK_NORM_PER_FRAME, VDK_ACT_NONE));
    add(b, g, "affine", layer_norm(x, 1e-5f));
    add(b, g, "q", linear(x, C, VDK_ACT_NONE, 0));
    add(b, g, "out.res", linear(x, C, VDK_ACT_NONE, VC_BIAS | VC_RESIDUAL));
    add(b, g, "geglu", linear(x, 8 * C, VDK_ACT_GEGLU, VC_BIAS));
    add(b, g, "ff_out.res", linear(S(N, T, H, W, 4 * C), C, VDK_ACT_NONE, VC_BIAS | VC_RESIDUAL));
    add(b, g, "spatial", attention(x, VDK_AXES_SPATIAL, heads, 0));
    add(b, g, "temporal", attention(x, VDK_AXES_TEMPORAL, heads, 0));
    add(b, g, "cross", attention(x, VDK_AXES_SPATIAL, heads, 1));
    add(b, g, "frame_index", timestep_embedding(N * T, (int)C, 1, (double)T, true));
    /* What an unfused attention would normalise: the temporal scores
     * [N, H*W, heads, T, T], and the spatial ones [N*T, heads, S, S] where S is
     * small enough for the scores to be materialised at all. */
    add(b, g, "temporal_scores", softmax(S(N, H * W, heads, T, T), qk_scale));
    if (i >= k->spatial_softmax)
        add(b, g, "spatial_scores", softmax(S(N * T, heads, H * W, H * W), qk_scale));
    /* SVD has no RMS norm; the layer-norm shape keeps the operator in the set. */
    add(b, g, "ln_shape", rms_norm(x, 1e-6f));
}

static void svd_emb(builder *b, const svd_config *k)
{
    const char *g = "emb";
    const int64_t N = k->N, T = k->T;
    /* time embedding: Timesteps(320) -> Linear + SiLU -> Linear; the added time
     * ids: Timesteps(256) of 3 ids -> Linear(768) + SiLU -> Linear; then
     * SiLU(emb) repeated per frame before every resblock's temb projection. */
    add(b, g, "time", timestep_embedding(N, (int)k->time_dim, 1, 1000.0, false));
    add(b, g, "added_ids", timestep_embedding(3 * N, (int)k->add_dim, 1, 128.0, true));
    add(b, g, "time1.silu", linear(S(N, k->time_dim), k->temb, VDK_ACT_SILU, VC_BIAS));
    add(b, g, "time2", linear(S(N, k->temb), k->temb, VDK_ACT_NONE, VC_BIAS));
    add(b, g, "added1.silu", linear(S(N, 3 * k->add_dim), k->temb, VDK_ACT_SILU, VC_BIAS));
    add(b, g, "silu", unary(S(N, T, k->temb), VDK_UNARY_SILU, 0.0f, 0.0f));
}

static void svd(builder *b, const svd_config *k)
{
    for (int i = 0; i < k->levels; i++)
        svd_level(b, k, i);
    svd_emb(b, k);
}

static const svd_config svd_levels = {
    .N = 2, .levels = 4,
    .H = {72, 36, 18, 9}, .W = {128, 64, 32, 16}, .C = {320, 640, 1280, 1280},
    .head_dim = 64, .temb = 1280, .time_dim = 320, .add_dim = 256,
    .up_conv = true, .spatial_softmax = 2,
};

/* ---- Lumiere STUNet, LUM-REF-A (PIPELINES.md §2.2) ---- */

typedef struct lumiere_config {
    int64_t N;
    int levels;
    int64_t T[4], H[4], C[4]; /* square frames: W = H */
    int64_t inner;            /* attention width: heads x 64 = 512 */
    int heads;
    int64_t text_len, text_dim; /* T5 context: 128 x 4096 */
    int64_t temb;               /* 2048 */
    int64_t time_dim;           /* sinusoid(512) */
    int spatial_softmax;        /* first level with an unfused spatial-score softmax */
} lumiere_config;

static void lumiere_level(builder *b, const char *prefix, const lumiere_config *k, int i)
{
    char g[32];
    snprintf(g, sizeof g, "%sL%d", prefix, i);
    const int64_t N = k->N, T = k->T[i], H = k->H[i], C = k->C[i];
    const bool coarsest = i + 1 == k->levels, attn = i > 0;
    const vc_shape x = S(N, T, H, H, C), xa = S(N, T, H, H, k->inner);
    const float qk_scale = (float)(1.0 / sqrt((double)(k->inner / k->heads)));

    /* ResBlock: GN32 + SiLU, 3x3 conv, scale-shift from the time embedding
     * (h * (1 + scale) + shift, per batch item), and the 1x1 shortcut of the up
     * path's concatenated input. */
    add(b, g, "frame.silu", group_norm(x, 32, 1e-5f, VDK_NORM_PER_FRAME, VDK_ACT_SILU));
    add(b, g, "3x3", conv_3x3(x, C, VC_BIAS));
    add(b, g, "1x1.skip", conv_1x1(S(N, T, H, H, 2 * C), C, VC_BIAS | VC_RESIDUAL));
    add(b, g, "scale_shift", linear(S(N, k->temb), 2 * C, VDK_ACT_NONE, VC_BIAS));
    add(b, g, "mul.scale", binary(x, VDK_BINARY_MUL, S(N, 1, 1, 1, C)));
    add(b, g, "add.shift", binary(x, VDK_BINARY_ADD, S(N, 1, 1, 1, C)));
    add(b, g, "skip", concat(x, -1, C));
    /* RMS norm: in the (2+1)D inflation blocks and the temporal attention. */
    add(b, g, "affine", rms_norm(x, 1e-6f));
    /* Stylisation interpolates the frozen weights, W = a W_style + (1 - a) W
     * (§2.1 item 7): a blend over this level's 3x3 conv weight. */
    add(b, g, "style_weights", blend(S(C, 1, 3, 3, C), 0.5f, (vc_shape){0, {0}}, 0));
    if (!coarsest) {
        /* (2+1)D conv inflation: temporal conv k3, and the zero-init 1x1
         * projection back onto the residual. */
        add(b, g, "temporal", conv_temporal(x, C, VC_BIAS));
        add(b, g, "1x1.res", conv_1x1(x, C, VC_BIAS | VC_RESIDUAL));
    }
    if (i > 0) {
        /* Down: 3x3 stride 2 on the frames of the level above, then the
         * temporal conv k3 stride 2. */
        const int64_t cp = k->C[i - 1], tp = k->T[i - 1];
        add(b, g, "down", conv3d(S(N, tp, k->H[i - 1], k->H[i - 1], cp), cp, K_SPATIAL, STRIDE_HW,
                                 PAD_SPATIAL, VC_BIAS));
        add(b, g, "temporal.down", conv3d(S(N, tp, H, H, cp), cp, K_TEMPORAL, STRIDE_T,
                                          PAD_TEMPORAL, VC_BIAS));
    }
    if (!coarsest) {
        /* Up: nearest x2 and a 3x3 conv on the frames of the level below, then
         * frame duplication and a temporal conv k3. */
        const int64_t cb = k->C[i + 1], tb = k->T[i + 1];
        add(b, g, "2x", upsample(S(N, tb, k->H[i + 1], k->H[i + 1], cb), 1, 2, 2));
        add(b, g, "3x3.up", conv_3x3(S(N, tb, H, H, cb), cb, VC_BIAS));
        add(b, g, "frames", upsample(S(N, tb, H, H, cb), 2, 1, 1));
        add(b, g, "temporal.up", conv_temporal(S(N, T, H, H, cb), cb, VC_BIAS));
    }
    if (attn) {
        /* Spatial transformer: LN, q projected to 8 x 64, self-attention over
         * the frame, cross-attention to the text tokens, out projection onto
         * the residual, GELU feed-forward C -> 2C -> C. */
        add(b, g, "affine", layer_norm(x, 1e-5f));
        add(b, g, "q", linear(x, k->inner, VDK_ACT_NONE, 0));
        add(b, g, "spatial", attention(xa, VDK_AXES_SPATIAL, k->heads, 0));
        add(b, g, "cross", attention(xa, VDK_AXES_SPATIAL, k->heads, k->text_len));
        add(b, g, "out.res", linear(xa, C, VDK_ACT_NONE, VC_BIAS | VC_RESIDUAL));
        add(b, g, "ff.gelu", linear(x, 2 * C, VDK_ACT_GELU, VC_BIAS));
        add(b, g, "ff_out.res", linear(S(N, T, H, H, 2 * C), C, VDK_ACT_NONE, VC_BIAS | VC_RESIDUAL));
        if (i >= k->spatial_softmax)
            add(b, g, "spatial_scores",
                softmax(S(N * T, k->heads, H * H, H * H), qk_scale));
    }
    if (coarsest) {
        /* Temporal attention inflation, at the coarsest level only: 8 heads
         * over the T frames of each pixel. */
        add(b, g, "temporal", attention(xa, VDK_AXES_TEMPORAL, k->heads, 0));
        add(b, g, "temporal_scores", softmax(S(N, H * H, k->heads, T, T), qk_scale));
    }
}

static void lumiere_cond(builder *b, const char *prefix, const lumiere_config *k)
{
    char g[32];
    snprintf(g, sizeof g, "%scond", prefix);
    const int64_t N = k->N;
    /* sinusoid(512) -> Linear + SiLU -> Linear, SiLU(temb) before the
     * scale-shift projections, (1 + scale), and the text keys/values
     * projected from the T5 context. */
    add(b, g, "time", timestep_embedding(N, (int)k->time_dim, 0, 1000.0, false));
    add(b, g, "time1.silu", linear(S(N, k->time_dim), k->temb, VDK_ACT_SILU, VC_BIAS));
    add(b, g, "time2", linear(S(N, k->temb), k->temb, VDK_ACT_NONE, VC_BIAS));
    add(b, g, "silu", unary(S(N, k->temb), VDK_UNARY_SILU, 0.0f, 0.0f));
    add(b, g, "one_plus_scale", unary(S(N, 1, 1, 1, k->C[0]), VDK_UNARY_AFFINE, 1.0f, 1.0f));
    add(b, g, "kv_text", linear(S(N, k->text_len, k->text_dim), k->inner, VDK_ACT_NONE, 0));
}

static void lumiere(builder *b, const char *prefix, const lumiere_config *k)
{
    for (int i = 0; i < k->levels; i++)
        lumiere_level(b, prefix, k, i);
    lumiere_cond(b, prefix, k);
}

static const lumiere_config lumiere_ref_a = {
    .N = 2, .levels = 4,
    .T = {80, 40, 20, 10}, .H = {128, 64, 32, 16}, .C = {512, 1024, 1536, 2048},
    .inner = 512, .heads = 8, .text_len = 128, .text_dim = 4096,
    .temb = 2048, .time_dim = 512, .spatial_softmax = 2,
};

/* ---- small: both models scaled down for the reference backend ----
 * Each compute case is at most ~0.6 GFLOP and each memory case a few MB, so
 * the double-precision oracle (1-4 GFLOP/s on two cores) runs every case well
 * under a second. Two levels each, so that down- and up-sampling appear. */

static const svd_config small_svd = {
    .N = 2, .T = 4, .levels = 2,
    .H = {16, 8}, .W = {16, 8}, .C = {128, 256},
    .head_dim = 64, .temb = 256, .time_dim = 128, .add_dim = 64,
    .up_conv = false, .spatial_softmax = 1,
};

static const lumiere_config small_lumiere = {
    .N = 2, .levels = 2,
    .T = {8, 4}, .H = {16, 8}, .C = {64, 128},
    .inner = 128, .heads = 2, .text_len = 16, .text_dim = 256,
    .temb = 256, .time_dim = 64, .spatial_softmax = 1,
};

/* ---- cpu-targets: the shapes of issue 4's CPU targets and of PEERS.md's CPU
 * peer table (SVD's first level at 14 frames of 32x32, batch 1), so that the
 * ratios the issue asks for come from one run with the peer beside it. ---- */

static void cpu_targets(builder *b)
{
    const vc_shape L0 = S(1, 14, 32, 32, 320), L1 = S(1, 14, 16, 16, 640),
                   L2 = S(1, 14, 8, 8, 1280), big = S(2, 14, 64, 64, 320);
    add(b, "gemm", "14336x320x1280.bias", linear(S(14336, 320), 1280, VDK_ACT_NONE, VC_BIAS));
    add(b, "gemm", "temporal.320", conv_temporal(L0, 320, VC_BIAS));
    add(b, "gemm", "3x3.320", conv_3x3(L0, 320, VC_BIAS));
    add(b, "gemm", "1x1.320", conv_1x1(L0, 320, VC_BIAS));
    add(b, "attention", "spatial.h5.d64", attention(L0, VDK_AXES_SPATIAL, 5, 0));
    add(b, "attention", "temporal.h5.d64", attention(L0, VDK_AXES_TEMPORAL, 5, 0));
    add(b, "norm", "frame.g32.c320", group_norm(L0, 32, 1e-5f, VDK_NORM_PER_FRAME, VDK_ACT_NONE));
    add(b, "norm", "frame.g32.c320.silu",
        group_norm(L0, 32, 1e-5f, VDK_NORM_PER_FRAME, VDK_ACT_SILU));
    add(b, "norm", "frame.g32.c640", group_norm(L1, 32, 1e-5f, VDK_NORM_PER_FRAME, VDK_ACT_NONE));
    add(b, "norm", "frame.g32.c1280",
        group_norm(L2, 32, 1e-5f, VDK_NORM_PER_FRAME, VDK_ACT_NONE));
    add(b, "norm", "clip.g32.c320.silu",
        group_norm(L0, 32, 1e-5f, VDK_NORM_PER_CLIP, VDK_ACT_SILU));
    add(b, "elementwise", "silu", unary(big, VDK_UNARY_SILU, 0, 0));
    add(b, "elementwise", "add", binary(big, VDK_BINARY_ADD, big));
    add(b, "elementwise", "up.hw2", upsample(S(2, 14, 32, 32, 320), 1, 2, 2));
}

/* ---- the registry ---- */

enum { SET_SMALL, SET_SVD_XT, SET_SVD, SET_LUMIERE, SET_CPU_TARGETS, SET_COUNT };

static const char *const set_names[SET_COUNT] = {"small", "svd-xt", "svd", "lumiere",
                                                  "cpu-targets"};
static const char *const set_about[SET_COUNT] = {
    "SVD and Lumiere layer kinds scaled down: every operator, the reference runs it in minutes",
    "SVD-XT UNet step: batch 2 (CFG), 25 frames, latent 72x128, levels 320/640/1280/1280",
    "SVD UNet step: batch 2 (CFG), 14 frames, latent 72x128, levels 320/640/1280/1280",
    "Lumiere base STUNet step (LUM-REF-A): batch 2, 80 frames of 128x128, C 512-2048",
    "the CPU targets of issue 4 and PEERS.md's CPU peer shapes (SVD level 0, 14 frames of 32x32)",
};

static vc_set sets[SET_COUNT];
static vc_case *set_storage[SET_COUNT];

const char *const *vb_set_names(int *count)
{
    *count = SET_COUNT;
    return set_names;
}

static bool build(int which, builder *b)
{
    b->set = set_names[which];
    switch (which) {
    case SET_SMALL:
        svd(b, &small_svd);
        lumiere(b, "lum.", &small_lumiere);
        break;
    case SET_SVD_XT:
    case SET_SVD: {
        svd_config k = svd_levels;
        k.T = which == SET_SVD_XT ? 25 : 14;
        svd(b, &k);
        break;
    }
    case SET_LUMIERE:
        lumiere(b, "", &lumiere_ref_a);
        break;
    case SET_CPU_TARGETS:
        cpu_targets(b);
        break;
    default:
        return false;
    }
    return !b->failed;
}

const vc_set *vb_set_get(const char *name)
{
    for (int i = 0; i < SET_COUNT; i++) {
        if (strcmp(name, set_names[i]))
            continue;
        if (!set_storage[i]) {
            builder b = {0};
            if (!build(i, &b)) {
                free(b.cases);
                return NULL;
            }
            set_storage[i] = b.cases;
            sets[i] = (vc_set){set_names[i], set_about[i], b.cases, b.n};
        }
        return &sets[i];
    }
    return NULL;
}

void vb_sets_free(void)
{
    for (int i = 0; i < SET_COUNT; i++) {
        free(set_storage[i]);
        set_storage[i] = NULL;
        sets[i] = (vc_set){0};
    }
}
