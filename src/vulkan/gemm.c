/* The tiled GEMM under vdk_linear and vdk_conv3d on Vulkan: tile choice, push
 * constants and one dispatch of shaders/linear.comp or shaders/conv3d.comp (both
 * common/gemm.glsl). */
#include "gemm.h"

#include <stdlib.h>
#include <string.h>

/* As the shader declares it. Strides of the four outer axes (the last axis is
 * contiguous); N is y's column count. */
typedef struct gemm_push {
    uint32_t xs[4], ys[4], rs[4], ws[4];
    uint32_t T, H, W, To, Ho, Wo;
    uint32_t Cin, M, N;
    uint32_t xoff, woff, boff, roff, yoff;
    uint32_t flags; /* bias | residual << 1 */
} gemm_push;
_Static_assert(sizeof(gemm_push) <= VDK_VK_PUSH_BYTES, "gemm push constants too large");

/* A workgroup computes bm x bn outputs, tm x tn per invocation (multiples of 4:
 * the shader spreads them as pairs), from slices bk deep. 128x128 with 8x8 per
 * invocation does 4 FMAs per shared-memory word read, the shape that gets near
 * the f32 peak on large GPUs; 128x64 (8x4, 2.7 FMAs per word) serves column
 * counts that are multiples of 64 but not of 128 (SVD's 320 channels) without
 * padding the last column tile. 64x64 gives four times as many workgroups for
 * problems too small to fill a GPU with the large tiles; the last fits any
 * device (128 invocations is Vulkan's minimum). */
typedef struct gemm_tile {
    uint32_t bm, bn, bk, tm, tn;
    const char *name; /* as in the kernel names and VDK_VK_GEMM_TILE */
} gemm_tile;
static const gemm_tile tiles[VDK_VK_GEMM_TILES] = {
    {128, 128, 8, 8, 8, "128x128"},
    {128, 64, 8, 8, 4, "128x64"},
    {64, 64, 16, 4, 4, "64x64"},
    {64, 64, 8, 8, 4, "64x64.8x4"},
};
/* The large tiles (the first two) are taken when they give at least this many
 * workgroups: about one per compute unit of a large GPU (an H100 has 132). Below
 * it, idle compute units cost more than the 64x64 tile's lower FMA rate per
 * shared-memory read (2 FMAs per word). */
#define LARGE_TILES 2
#define LARGE_MIN_GROUPS 128

static uint32_t tile_threads(const gemm_tile *t) { return (t->bm / t->tm) * (t->bn / t->tn); }

/* Bytes of the shader's two buffers of the two f32 slices, rows padded by 32 / bk
 * words. */
static uint32_t tile_shared(const gemm_tile *t)
{
    return 2 * 4 * t->bk * (t->bm + t->bn + 2 * (32 / t->bk));
}

static bool tile_fits(const vdk_vk_caps *caps, const gemm_tile *t)
{
    return tile_threads(t) <= caps->max_invocations && tile_shared(t) <= caps->shared_bytes;
}

static uint64_t tile_groups(const gemm_tile *t, uint32_t M, uint32_t N, bool geglu)
{
    const uint32_t cn = geglu ? t->bn / 2 : t->bn;
    return (uint64_t)((M + t->bm - 1) / t->bm) * ((N + cn - 1) / cn);
}

/* The strides of a view's four outer axes. */
static void outer(const vdk_vk_view5 *v, uint32_t s[4]) { memcpy(s, v->stride, 4 * sizeof *s); }

/* Of the large tiles that fill the GPU, the first, or a later one that pads at
 * least an eighth less (the last column tile of 320 channels is half empty at
 * 128 wide, full at 64); else the first small tile the device runs; -1 if none. */
static int pick_tile(const vdk_vk_caps *caps, uint32_t M, uint32_t N, bool geglu)
{
    int best = -1;
    uint64_t least = 0;
    for (int i = 0; i < LARGE_TILES; i++) {
        const gemm_tile *t = &tiles[i];
        const uint64_t groups = tile_groups(t, M, N, geglu), work = groups * t->bm * t->bn;
        if (tile_fits(caps, t) && groups >= LARGE_MIN_GROUPS && (best < 0 || 8 * work < 7 * least))
            least = work, best = i;
    }
    for (int i = LARGE_TILES; i < VDK_VK_GEMM_TILES && best < 0; i++)
        if (tile_fits(caps, &tiles[i]))
            best = i;
    return best;
}

/* VDK_VK_GEMM_TILE, when set, names the tile every call uses (tests run each
 * tile on small shapes; benchmarks compare them): *out its index, else -1. */
static vdk_status forced_tile(vdk_context *ctx, const char *op, const vdk_vk_caps *caps, int *out)
{
    const char *env = getenv("VDK_VK_GEMM_TILE");
    *out = -1;
    if (!env || !*env)
        return VDK_OK;
    for (int i = 0; i < VDK_VK_GEMM_TILES; i++)
        if (!strcmp(env, tiles[i].name)) {
            if (!tile_fits(caps, &tiles[i]))
                return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                                "%s: VDK_VK_GEMM_TILE is '%s', whose %u invocations and %u bytes "
                                "of shared memory Vulkan device '%s' does not offer",
                                op, env, tile_threads(&tiles[i]), tile_shared(&tiles[i]),
                                caps->name);
            *out = i;
            return VDK_OK;
        }
    return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                    "%s: VDK_VK_GEMM_TILE is '%s'; expected %s, %s, %s or %s (or unset)", op, env,
                    tiles[0].name, tiles[1].name, tiles[2].name, tiles[3].name);
}

vdk_status vdk_vk_gemm(vdk_context *ctx, const vdk_vk_gemm_args *g, int *tile)
{
    vdk_vk *vk = ctx->vk;
    const char *op = g->op;
    vdk_vk_view5 vx, vw, vb, vr, vy;
    vdk_vk_dispatch d = {
        .nbuf = 5,
        .buf = {g->x->storage, g->w->storage, (g->bias ? g->bias : g->x)->storage,
                (g->residual ? g->residual : g->x)->storage, g->y->storage},
        .writes = {false, false, false, false, true},
    };
    vdk_status st;
    if ((st = vdk_vk_variant(ctx, op, g->x->dtype, g->shader, &d.shader)) ||
        (st = vdk_vk_view(ctx, op, "x", g->x, NULL, &vx)) ||
        (st = vdk_vk_view(ctx, op, "w", g->w, NULL, &vw)) ||
        (g->bias && (st = vdk_vk_view(ctx, op, "bias", g->bias, NULL, &vb))) ||
        (g->residual && (st = vdk_vk_view(ctx, op, "residual", g->residual, NULL, &vr))) ||
        (st = vdk_vk_view(ctx, op, "y", g->y, NULL, &vy)))
        return st;

    gemm_push push = {0};
    outer(&vx, push.xs);
    outer(&vy, push.ys);
    if (g->residual)
        outer(&vr, push.rs);
    if (g->conv)
        outer(&vw, push.ws);
    else
        push.ws[0] = vw.stride[3]; /* [Cout, Cin] padded to rank 5 */
    push.T = vx.shape[1], push.H = vx.shape[2], push.W = vx.shape[3];
    push.To = vy.shape[1], push.Ho = vy.shape[2], push.Wo = vy.shape[3];
    push.Cin = vx.shape[4];
    /* The view checks bound y's element count by 2^32, so M fits. */
    push.M = vy.shape[0] * vy.shape[1] * vy.shape[2] * vy.shape[3];
    push.N = vy.shape[4];
    push.xoff = vx.offset, push.woff = vw.offset, push.yoff = vy.offset;
    push.boff = g->bias ? vb.offset : 0;
    push.roff = g->residual ? vr.offset : 0;
    push.flags = (g->bias ? 1u : 0u) | (g->residual ? 2u : 0u);

    const bool geglu = g->act == VDK_ACT_GEGLU;
    int chosen = -1;
    if ((st = forced_tile(ctx, op, &vk->caps, &chosen)))
        return st;
    if (chosen < 0)
        chosen = pick_tile(&vk->caps, push.M, push.N, geglu);
    if (chosen < 0) /* Vulkan guarantees 128 invocations and 16 KiB of shared memory */
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: Vulkan device '%s' offers %u invocations and %u bytes of shared "
                        "memory per workgroup; the GEMM shader needs %u and %u",
                        op, vk->caps.name, vk->caps.max_invocations, vk->caps.shared_bytes,
                        tile_threads(&tiles[VDK_VK_GEMM_TILES - 1]),
                        tile_shared(&tiles[VDK_VK_GEMM_TILES - 1]));
    const gemm_tile *t = &tiles[chosen];
    d.spec[0] = tile_threads(t);
    d.spec[1] = t->bm, d.spec[2] = t->bn, d.spec[3] = t->bk, d.spec[4] = t->tm, d.spec[5] = t->tn;
    d.spec[6] = (uint32_t)g->act;
    if (g->conv)
        for (int i = 0; i < 3; i++) {
            d.spec[7 + i] = g->k[i];
            d.spec[10 + i] = g->stride[i];
            d.spec[13 + i] = g->pad[i];
        }
    d.push = &push;
    d.push_bytes = sizeof push;
    d.groups = tile_groups(t, push.M, push.N, geglu);
    if ((st = vdk_vk_record(ctx, vk, &d)))
        return st;
    *tile = chosen;
    return VDK_OK;
}
