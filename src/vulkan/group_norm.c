/* vdk_group_norm on Vulkan: three dispatches of shaders/group_norm.comp
 * (partial statistics per chunk of a set, their merge into per-channel
 * coefficients, the normalisation), with the partials and coefficients in the
 * context's scratch buffer.
 *
 * Geometry: a workgroup of 256 invocations covers R rows of pixels by SB
 * slots of VEC channels (R = 256 / SB; the R * SB <= 256 live invocations
 * read R consecutive pixels' channels at each step); channels beyond 256 slots
 * go to more channel blocks (cbs) of BCH = SB * VEC channels. One workgroup
 * size for every C keeps the pipelines to one per (dtype, VEC, phase, SiLU). A set's pixels are cut
 * into K chunks, enough that the grid has about 1024 workgroups (a few per SM on a large GPU) even
 * when a clip is one set, but never so many that a chunk is under 4 batches of the workgroup's R *
 * PB pixels. */
#include "ops.h"

#include <string.h>

/* Workgroups the statistics and normalisation grids aim for. */
#define GN_TARGET_GROUPS 1024

/* The distance between consecutive pixels of a set when it is the same for
 * all of them (the set's pixel axes collapse), else 0. Axes: T (per clip
 * only), H, W. */
static uint32_t pixel_stride(const vdk_tensor *t, bool clip)
{
    int64_t ps = 0, span = 0;
    for (int a = 3; a >= (clip ? 1 : 2); a--) {
        if (t->shape[a] == 1)
            continue;
        if (ps == 0)
            ps = t->stride[a];
        else if (t->stride[a] != span)
            return 0;
        span = t->shape[a] * t->stride[a];
    }
    return ps ? (uint32_t)ps : 1; /* one pixel: any stride will do */
}

vdk_status vdk_vk_group_norm(vdk_context *ctx, const vdk_group_norm_params *p, const vdk_tensor *x,
                             const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y)
{
    static const char op[] = "vdk_group_norm";
    static const char *const names[3] = {"vulkan.group_norm.f32", "vulkan.group_norm.f16",
                                         "vulkan.group_norm.bf16"};
    vdk_vk *vk = ctx->vk;
    if (!vk->caps.subgroup_arith)
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: Vulkan device '%s' lacks arithmetic subgroup "
                        "operations in compute shaders, which the group_norm "
                        "shader uses",
                        op, vk->caps.name);
    struct {
        uint32_t HW, W, C, Cg, F, spn, sets, G, BCH, R, cbs, K, PC, GB;
        uint32_t xs[4], xoff, ys[4], yoff, goff, boff, xps, yps;
        float eps;
        uint32_t affine;
    } push;
    _Static_assert(sizeof push <= VDK_VK_PUSH_BYTES, "group_norm push constants");
    vdk_vk_view5 vx, vy, vg = {0}, vb = {0};
    vdk_shader_id shader;
    vdk_status st;
    if ((st = vdk_vk_variant(ctx, op, x->dtype, VDK_SHADER_group_norm_f32, &shader)) ||
        (st = vdk_vk_view(ctx, op, "x", x, NULL, &vx)) ||
        (st = vdk_vk_view(ctx, op, "y", y, NULL, &vy)) ||
        (gamma && (st = vdk_vk_view(ctx, op, "gamma", gamma, NULL, &vg))) ||
        (beta && (st = vdk_vk_view(ctx, op, "beta", beta, NULL, &vb))))
        return st;

    const bool clip = p->scope == VDK_NORM_PER_CLIP;
    const uint32_t N = vx.shape[0], T = vx.shape[1], C = vx.shape[4];
    memset(&push, 0, sizeof push);
    push.HW = vx.shape[2] * vx.shape[3];
    push.W = vx.shape[3];
    push.C = C;
    push.G = (uint32_t)p->groups;
    push.Cg = C / push.G;
    push.F = clip ? T : 1;
    push.spn = T / push.F;
    push.sets = N * push.spn;
    memcpy(push.xs, vx.stride, sizeof push.xs);
    memcpy(push.ys, vy.stride, sizeof push.ys);
    push.xoff = vx.offset;
    push.yoff = vy.offset;
    push.goff = vg.offset;
    push.boff = vb.offset;
    push.xps = pixel_stride(x, clip);
    push.yps = pixel_stride(y, clip);
    push.eps = p->eps;
    push.affine = (gamma ? 1u : 0u) | (beta ? 2u : 0u);

    const vdk_vk_view5 *views[2] = {&vx, &vy};
    const uint32_t vec = vdk_vk_vector_width(x->dtype == VDK_F32 ? 4 : 8, C, views, 2);
    const uint32_t pb = vec >= 4 ? 4 : 16 / vec; /* pb * vec <= 32 registers */
    const uint32_t most = vdk_vk_group_size(vk, 256), slots = C / vec;
    push.cbs = (slots + most - 1) / most;
    const uint32_t sb = (slots + push.cbs - 1) / push.cbs, bch = sb * vec;
    push.BCH = bch;
    push.R = most / sb;
    for (uint32_t cb = 0; cb < push.cbs; cb++) {
        uint32_t c0 = cb * bch, c1 = c0 + bch < C ? c0 + bch : C;
        uint32_t ng = (c1 - 1) / push.Cg - c0 / push.Cg + 1;
        push.GB = ng > push.GB ? ng : push.GB;
    }
    const uint64_t P = (uint64_t)push.F * push.HW;
    const uint64_t want =
        (GN_TARGET_GROUPS + (uint64_t)push.sets * push.cbs - 1) / ((uint64_t)push.sets * push.cbs);
    const uint64_t most_k = P / (4 * (uint64_t)push.R * pb);
    uint64_t K = want < most_k ? want : most_k;
    K = K ? K : 1;
    push.PC = (uint32_t)((P + K - 1) / K);
    push.K = (uint32_t)((P + push.PC - 1) / push.PC); /* no empty chunk */

    const uint64_t floats =
        (uint64_t)push.sets * C * 3 + (uint64_t)push.sets * push.K * push.cbs * push.GB * 3;
    if (floats > UINT32_MAX)
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: the statistics need %llu floats of scratch; the "
                        "Vulkan shaders index at most 2^32",
                        op, (unsigned long long)floats);
    const vdk_storage *scratch;
    if ((st = vdk_vk_scratch(ctx, vk, op, (size_t)floats * sizeof(float), &scratch)))
        return st;

    /* Absent gamma or beta: x stands in for the binding, never read. */
    vdk_vk_dispatch d = {
        .shader = shader,
        .nbuf = 5,
        .buf = {x->storage, y->storage, gamma ? gamma->storage : x->storage,
                beta ? beta->storage : x->storage, scratch},
        .push = &push,
        .push_bytes = sizeof push,
    };
    const uint64_t grid = (uint64_t)push.sets * push.K * push.cbs;
    /* statistics: spec {WG, VEC, PHASE, PB} */
    d.spec[0] = most;
    d.spec[1] = vec;
    d.spec[2] = 0;
    d.spec[3] = pb;
    d.writes[4] = true;
    d.groups = grid;
    if ((st = vdk_vk_record(ctx, vk, &d)))
        return st;
    /* merge: spec {64, -, PHASE}, one pipeline per dtype */
    memset(d.spec, 0, sizeof d.spec);
    d.spec[0] = vdk_vk_group_size(vk, 64);
    d.spec[1] = 1;
    d.spec[2] = 1;
    d.groups = (uint64_t)push.sets * push.G;
    if ((st = vdk_vk_record(ctx, vk, &d)))
        return st;
    /* normalisation: spec {WG, VEC, PHASE, PB, SILU} */
    memset(d.spec, 0, sizeof d.spec);
    d.spec[0] = most;
    d.spec[1] = vec;
    d.spec[2] = 2;
    d.spec[3] = pb;
    d.spec[4] = p->act == VDK_ACT_SILU;
    d.writes[1] = true;
    d.writes[4] = false;
    d.groups = grid;
    if ((st = vdk_vk_record(ctx, vk, &d)))
        return st;
    ctx->last_kernel = vdk_vk_kernel_name(names, x->dtype);
    return VDK_OK;
}
