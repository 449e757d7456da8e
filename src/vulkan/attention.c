/* vdk_attention on Vulkan (shaders/attention.comp): short temporal
 * self-attention goes to the temporal kernel, a workgroup per (pixel, head)
 * holding the whole T x T problem, when its tiles fit the device's shared
 * memory; everything else to the flash kernel. This file picks the tile shapes
 * (specialization constants) from caps.shared_bytes and the head dim. */
#include "ops.h"

#include <math.h>

/* The longest temporal sequence the temporal kernel takes: one key tile of
 * at most 16 column lanes x 4 keys. Shared memory may stop it earlier (D = 64:
 * T <= 56 with 48 KiB, T <= 40 with 32 KiB). */
#define TEMPORAL_MAX_T 64
/* Accumulator floats per invocation (score tile plus output tile) above which
 * a tile would spill registers on a GPU. */
#define MAX_ACC_FLOATS 128

/* A tile: NR x NC invocations, TR query rows per invocation against 4 keys
 * (BQ = NR TR queries, BK = 4 NC keys), DC4 channel quads per chunk of the
 * head dim (the specialization constants of the shader, same names). */
typedef struct attn_tile {
    uint32_t nc, nr, tr, dc4;
} attn_tile;

static uint32_t cdiv(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

/* The shared memory the shader declares for a tile: qsh, kvsh and psh in vec4,
 * red in floats, and the four arrays of row offsets. */
static uint32_t shared_bytes(const attn_tile *t)
{
    const uint32_t bq = t->nr * t->tr, bk = 4 * t->nc;
    const uint32_t qs = t->dc4 | 1u, ps = t->nc + 1;
    return 16 * (bq * qs + bk * qs + bq * ps) + 4 * bq * t->nc + 4 * (2 * bq + 2 * bk);
}

static uint32_t acc_floats(const attn_tile *t)
{
    return 4 * t->tr + 4 * t->tr * cdiv(t->dc4, t->nc);
}

static bool fits(const vdk_vk_caps *caps, const attn_tile *t)
{
    return t->nr * t->nc <= caps->max_invocations && shared_bytes(t) <= caps->shared_bytes &&
           acc_floats(t) <= MAX_ACC_FLOATS;
}

/* Flash tiles, best first where the head dim fits one chunk: more queries per
 * workgroup and longer key tiles load each K and V element for more FMAs. */
static const attn_tile flash_tiles[] = {
    {16, 8, 4, 0}, /* 128 invocations, 32 queries x 64 keys */
    {8, 16, 2, 0}, /* 128 invocations, 32 queries x 32 keys */
    {8, 8, 2, 0},  /* 64 invocations, 16 queries x 32 keys */
    {4, 8, 2, 0},  /* 32 invocations, 16 queries x 16 keys */
};
#define NTILES (sizeof flash_tiles / sizeof *flash_tiles)

/* The flash tile for d4 channel quads: the first that takes the head in one
 * chunk, else the one that needs the fewest chunks (each chunk's workgroups
 * recompute the scores), its chunks evened out. false when none fits. */
static bool pick_flash(const vdk_vk_caps *caps, uint32_t d4, attn_tile *out)
{
    for (size_t i = 0; i < NTILES; i++) {
        attn_tile t = flash_tiles[i];
        t.dc4 = d4;
        if (fits(caps, &t)) {
            *out = t;
            return true;
        }
    }
    uint32_t best = UINT32_MAX;
    for (size_t i = 0; i < NTILES; i++) {
        attn_tile t = flash_tiles[i];
        for (t.dc4 = d4 < 64 ? d4 : 64; t.dc4 > 0 && !fits(caps, &t); t.dc4--)
            ;
        if (t.dc4 == 0)
            continue;
        const uint32_t chunks = cdiv(d4, t.dc4);
        if (chunks < best) {
            best = chunks;
            t.dc4 = cdiv(d4, chunks);
            *out = t;
        }
    }
    return best != UINT32_MAX;
}

/* The temporal tile for T frames: column lanes enough for the T keys in quads
 * (4, 8 or 16: one key tile); up to 4 rows per invocation (the register tile
 * of flash's largest tile), row lanes for the rest in steps that keep the
 * workgroup a multiple of 32 invocations, which leaves the fewest padded
 * rows (T = 25: 8 x 4 rows, 64 invocations; T = 14: 8 x 2 rows, 32). false
 * when the whole problem does not fit. */
static bool pick_temporal(const vdk_vk_caps *caps, uint32_t T, uint32_t d4, attn_tile *out)
{
    if (T > TEMPORAL_MAX_T)
        return false;
    const uint32_t kq = cdiv(T, 4);
    attn_tile t = {.nc = kq <= 4 ? 4 : kq <= 8 ? 8 : 16, .dc4 = d4};
    const uint32_t step = 32 / t.nc;
    t.tr = cdiv(T, step) < 4 ? cdiv(T, step) : 4;
    t.nr = cdiv(cdiv(T, t.tr), step) * step;
    t.tr = cdiv(T, t.nr);
    *out = t;
    return fits(caps, &t);
}

vdk_status vdk_vk_attention(vdk_context *ctx, const vdk_attention_params *p, const vdk_tensor *q,
                            const vdk_tensor *k, const vdk_tensor *v, vdk_tensor *o)
{
    static const char op[] = "vdk_attention";
    static const char *const flash_names[3] = {
        "vulkan.attention.flash.f32", "vulkan.attention.flash.f16", "vulkan.attention.flash.bf16"};
    static const char *const temporal_names[3] = {"vulkan.attention.temporal.f32",
                                                  "vulkan.attention.temporal.f16",
                                                  "vulkan.attention.temporal.bf16"};
    const vdk_vk_caps *caps = &ctx->vk->caps;
    struct {
        uint32_t qs[4], ks[4], vs[4], os[4];
        uint32_t T, H, W, L, axes, heads;
        float scale;
        uint32_t qoff, koff, voff, ooff, groups;
    } push;
    vdk_vk_view5 vq, vk, vv, vo;
    vdk_status st;
    if ((st = vdk_vk_view(ctx, op, "q", q, NULL, &vq)) ||
        (st = vdk_vk_view(ctx, op, "k", k, NULL, &vk)) ||
        (st = vdk_vk_view(ctx, op, "v", v, NULL, &vv)) ||
        (st = vdk_vk_view(ctx, op, "o", o, NULL, &vo)))
        return st;
    const bool cross = k->rank == 3;
    /* rank 5 views: strides of n, t, h, w; [N, L, C] padded to rank 5 keeps
     * n and l in its axes 2 and 3 */
    for (int i = 0; i < 4; i++) {
        push.qs[i] = vq.stride[i];
        push.os[i] = vo.stride[i];
        push.ks[i] = cross ? (i < 2 ? vk.stride[2 + i] : 0) : vk.stride[i];
        push.vs[i] = cross ? (i < 2 ? vv.stride[2 + i] : 0) : vv.stride[i];
    }
    const uint64_t N = (uint64_t)q->shape[0], T = (uint64_t)q->shape[1],
                   HW = (uint64_t)(q->shape[2] * q->shape[3]);
    const uint32_t D = (uint32_t)(q->shape[4] / p->heads), d4 = cdiv(D, 4);
    push.T = (uint32_t)T;
    push.H = (uint32_t)q->shape[2];
    push.W = (uint32_t)q->shape[3];
    push.L = cross ? (uint32_t)k->shape[1] : 0;
    /* cross-attention: every query of batch item n sees the same keys, so one
     * sequence per n whatever p->axes says */
    const vdk_attention_axes axes = cross ? VDK_AXES_SPATIOTEMPORAL : p->axes;
    push.axes = (uint32_t)axes;
    push.heads = (uint32_t)p->heads;
    push.scale = p->scale != 0 ? p->scale : (float)(1.0 / sqrt((double)D));
    push.qoff = vq.offset;
    push.koff = vk.offset;
    push.voff = vv.offset;
    push.ooff = vo.offset;

    const uint64_t seqs = axes == VDK_AXES_TEMPORAL ? N * HW : axes == VDK_AXES_SPATIAL ? N * T : N;
    const uint64_t sq = axes == VDK_AXES_TEMPORAL ? T : axes == VDK_AXES_SPATIAL ? HW : T * HW;
    attn_tile t = {0};
    const bool temporal =
        axes == VDK_AXES_TEMPORAL && !cross && pick_temporal(caps, (uint32_t)T, d4, &t);
    if (!temporal && !pick_flash(caps, d4, &t))
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: no attention tile for head dim %u fits the %u bytes "
                        "of shared memory of Vulkan device '%s'",
                        op, D, caps->shared_bytes, caps->name);
    const uint64_t groups =
        temporal ? seqs * (uint64_t)p->heads
                 : seqs * (uint64_t)p->heads * cdiv((uint32_t)sq, t.nr * t.tr) * cdiv(d4, t.dc4);
    if (groups > UINT32_MAX)
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: %llu workgroups; the Vulkan shader numbers them in 32 "
                        "bits",
                        op, (unsigned long long)groups);
    push.groups = (uint32_t)groups;

    vdk_vk_dispatch d = {
        .nbuf = 4,
        .buf = {q->storage, k->storage, v->storage, o->storage},
        .writes = {false, false, false, true},
        .spec = {t.nr * t.nc, D, t.nc, t.nr, t.tr, t.dc4, temporal ? (uint32_t)T : 0},
        .push = &push,
        .push_bytes = sizeof push,
        .groups = groups};
    if ((st = vdk_vk_variant(
             ctx, op, q->dtype,
             temporal ? VDK_SHADER_attention_temporal_f32 : VDK_SHADER_attention_f32, &d.shader)) ||
        (st = vdk_vk_record(ctx, ctx->vk, &d)))
        return st;
    ctx->last_kernel = vdk_vk_kernel_name(temporal ? temporal_names : flash_names, q->dtype);
    return VDK_OK;
}
