/* The Vulkan backend's operator table: each entry turns its tensors into push
 * constants and records one dispatch. The operators without a shader yet stay
 * NULL, which the front end reports as VDK_ERROR_UNSUPPORTED naming the
 * operator and this backend. */
#include "vk.h"

#include <string.h>

/* A view as the shaders take it (shaders/common/index.glsl): shape padded to
 * rank 5 with leading 1s, strides (0 on padded and broadcast axes), offset. */
typedef struct view5 {
    uint32_t shape[5], stride[5], offset;
} view5;

/* The view of t, or of t broadcast onto `onto` when onto is not NULL. Fails
 * when an element offset would not fit the shaders' 32-bit indices. */
static vdk_status make_view(vdk_context *ctx, const char *op, const char *name,
                            const vdk_tensor *t, const vdk_tensor *onto, view5 *v)
{
    const vdk_tensor *s = onto ? onto : t;
    int64_t last = t->offset;
    for (int i = 0; i < t->rank; i++)
        last += (t->shape[i] - 1) * t->stride[i];
    if (last > (int64_t)UINT32_MAX || vdk_numel_of(s->rank, s->shape) > (int64_t)UINT32_MAX)
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: tensor '%s' spans %lld elements; the Vulkan shaders index at most "
                        "2^32",
                        op, name, (long long)last + 1);
    for (int d = 0; d < 5; d++) {
        int si = s->rank - 5 + d, ti = t->rank - 5 + d;
        v->shape[d] = si >= 0 ? (uint32_t)s->shape[si] : 1;
        v->stride[d] = ti >= 0 && t->shape[ti] != 1 ? (uint32_t)t->stride[ti] : 0;
    }
    v->offset = (uint32_t)t->offset;
    return VDK_OK;
}

/* The shader variant of a storage dtype, or a failure naming the dtype. */
static vdk_status variant(vdk_context *ctx, const char *op, vdk_dtype dt, vdk_shader_id f32,
                          vdk_shader_id *out)
{
    if (dt != VDK_F32 && !ctx->vk->caps.storage16)
        return vdk_fail(ctx, VDK_ERROR_DTYPE,
                        "%s: %s tensors need 16-bit storage buffers, which Vulkan device '%s' "
                        "lacks",
                        op, vdk_dtype_name(dt), ctx->vk->caps.name);
    /* The variants of one operator follow each other in the table: f32, f16, bf16. */
    *out = (vdk_shader_id)(f32 + (dt == VDK_F16 ? 1 : dt == VDK_BF16 ? 2 : 0));
    return VDK_OK;
}

static uint32_t group_size(const vdk_vk *vk, uint32_t want)
{
    return want < vk->caps.max_invocations ? want : vk->caps.max_invocations;
}

static const char *kernel_name(const char *const names[3], vdk_dtype dt)
{
    return names[dt == VDK_F16 ? 1 : dt == VDK_BF16 ? 2 : 0];
}

static vdk_status vk_unary(vdk_context *ctx, const vdk_unary_params *p, const vdk_tensor *x,
                           vdk_tensor *y)
{
    static const char op[] = "vdk_unary";
    static const char *const names[3] = {"vulkan.unary.f32", "vulkan.unary.f16",
                                         "vulkan.unary.bf16"};
    struct {
        uint32_t shape[5], xs[5], ys[5], xoff, yoff, n;
        float alpha, beta;
    } push;
    view5 vx, vy;
    vdk_vk_dispatch d = {.nbuf = 2, .buf = {x->storage, y->storage}, .writes = {false, true}};
    vdk_status st;
    if ((st = variant(ctx, op, x->dtype, VDK_SHADER_unary_f32, &d.shader)) ||
        (st = make_view(ctx, op, "x", x, NULL, &vx)) || (st = make_view(ctx, op, "y", y, NULL, &vy)))
        return st;
    memcpy(push.shape, vx.shape, sizeof push.shape);
    memcpy(push.xs, vx.stride, sizeof push.xs);
    memcpy(push.ys, vy.stride, sizeof push.ys);
    push.xoff = vx.offset;
    push.yoff = vy.offset;
    push.n = (uint32_t)vdk_numel_of(x->rank, x->shape);
    push.alpha = p->alpha;
    push.beta = p->beta;
    d.spec[0] = group_size(ctx->vk, 256);
    d.spec[1] = (uint32_t)p->op;
    d.push = &push;
    d.push_bytes = sizeof push;
    d.groups = (push.n + d.spec[0] - 1) / d.spec[0];
    if ((st = vdk_vk_record(ctx, ctx->vk, &d)))
        return st;
    ctx->last_kernel = kernel_name(names, x->dtype);
    return VDK_OK;
}

static vdk_status vk_binary(vdk_context *ctx, const vdk_binary_params *p, const vdk_tensor *a,
                            const vdk_tensor *b, vdk_tensor *y)
{
    static const char op[] = "vdk_binary";
    static const char *const names[3] = {"vulkan.binary.f32", "vulkan.binary.f16",
                                         "vulkan.binary.bf16"};
    struct {
        uint32_t shape[5], as[5], bs[5], ys[5], aoff, boff, yoff, n;
    } push;
    view5 va, vb, vy;
    vdk_vk_dispatch d = {.nbuf = 3,
                         .buf = {a->storage, b->storage, y->storage},
                         .writes = {false, false, true}};
    vdk_status st;
    if ((st = variant(ctx, op, a->dtype, VDK_SHADER_binary_f32, &d.shader)) ||
        (st = make_view(ctx, op, "a", a, NULL, &va)) || (st = make_view(ctx, op, "b", b, a, &vb)) ||
        (st = make_view(ctx, op, "y", y, NULL, &vy)))
        return st;
    memcpy(push.shape, va.shape, sizeof push.shape);
    memcpy(push.as, va.stride, sizeof push.as);
    memcpy(push.bs, vb.stride, sizeof push.bs);
    memcpy(push.ys, vy.stride, sizeof push.ys);
    push.aoff = va.offset;
    push.boff = vb.offset;
    push.yoff = vy.offset;
    push.n = (uint32_t)vdk_numel_of(a->rank, a->shape);
    d.spec[0] = group_size(ctx->vk, 256);
    d.spec[1] = (uint32_t)p->op;
    d.push = &push;
    d.push_bytes = sizeof push;
    d.groups = (push.n + d.spec[0] - 1) / d.spec[0];
    if ((st = vdk_vk_record(ctx, ctx->vk, &d)))
        return st;
    ctx->last_kernel = kernel_name(names, a->dtype);
    return VDK_OK;
}

static vdk_status vk_softmax(vdk_context *ctx, const vdk_softmax_params *p, const vdk_tensor *x,
                             vdk_tensor *y)
{
    static const char op[] = "vdk_softmax";
    static const char *const names[3] = {"vulkan.softmax.f32", "vulkan.softmax.f16",
                                         "vulkan.softmax.bf16"};
    if (!ctx->vk->caps.subgroup_arith)
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: Vulkan device '%s' lacks arithmetic subgroup operations in compute "
                        "shaders, which the softmax shader uses",
                        op, ctx->vk->caps.name);
    struct {
        uint32_t shape[5], xs[5], ys[5], xoff, yoff, rows;
        float scale;
    } push;
    view5 vx, vy;
    vdk_vk_dispatch d = {.nbuf = 2, .buf = {x->storage, y->storage}, .writes = {false, true}};
    vdk_status st;
    if ((st = variant(ctx, op, x->dtype, VDK_SHADER_softmax_f32, &d.shader)) ||
        (st = make_view(ctx, op, "x", x, NULL, &vx)) || (st = make_view(ctx, op, "y", y, NULL, &vy)))
        return st;
    memcpy(push.shape, vx.shape, sizeof push.shape);
    memcpy(push.xs, vx.stride, sizeof push.xs);
    memcpy(push.ys, vy.stride, sizeof push.ys);
    push.xoff = vx.offset;
    push.yoff = vy.offset;
    const uint32_t C = vx.shape[4];
    push.rows = (uint32_t)(vdk_numel_of(x->rank, x->shape) / C);
    push.scale = p->scale != 0 ? p->scale : 1.0f;
    /* One workgroup per row, sized to the row (the subgroup reduction takes any size). */
    d.spec[0] = group_size(ctx->vk, C <= 64 ? 64 : C <= 1024 ? 128 : 256);
    d.push = &push;
    d.push_bytes = sizeof push;
    d.groups = push.rows;
    if ((st = vdk_vk_record(ctx, ctx->vk, &d)))
        return st;
    ctx->last_kernel = kernel_name(names, x->dtype);
    return VDK_OK;
}

static const vdk_backend_ops vk_ops = {
    .name = "vulkan",
    .unary = vk_unary,
    .binary = vk_binary,
    .softmax = vk_softmax,
};

const vdk_backend_ops *vdk_vk_backend(void) { return &vk_ops; }
