/* vdk_concat on Vulkan (shaders/concat.comp): one dispatch over y, each element
 * taken from a or b by its index on the concatenation axis, moved as bits in
 * the widest unit (up to 16 bytes) that every offset and stride allows. */
#include "ops.h"

#include <string.h>

vdk_status vdk_vk_concat(vdk_context *ctx, const vdk_concat_params *p, const vdk_tensor *a,
                         const vdk_tensor *b, vdk_tensor *y)
{
    static const char op[] = "vdk_concat";
    static const char *const names[3] = {"vulkan.concat.f32", "vulkan.concat.f16",
                                         "vulkan.concat.bf16"};
    struct {
        uint32_t shape[5], st[3][5], off[3], la, tiling;
    } push;
    _Static_assert(sizeof push <= VDK_VK_PUSH_BYTES, "concat push constants");
    const int rank = a->rank, axis = p->axis < 0 ? p->axis + rank : p->axis;
    vdk_vk_view5 v[3];
    vdk_vk_dispatch d = {
        .nbuf = 3, .buf = {a->storage, b->storage, y->storage}, .writes = {false, false, true}};
    vdk_status st;
    if ((st = vdk_vk_variant(ctx, op, a->dtype, VDK_SHADER_concat_f32, &d.shader)) ||
        (st = vdk_vk_view(ctx, op, "y", y, NULL, &v[0])) ||
        (st = vdk_vk_view(ctx, op, "a", a, y, &v[1])) ||
        (st = vdk_vk_view(ctx, op, "b", b, y, &v[2])))
        return st;
    /* The axis may absorb the axes inside it (contiguous blocks), never those
     * outside: its index picks the source. An input one long on it never steps
     * along it, so its stride there does not stop a merge. */
    const bool free_stride[3] = {false, a->shape[axis] == 1, b->shape[axis] == 1};
    vdk_vk_rows r;
    vdk_vk_rows_merge(&r, 3, v, axis + 5 - rank, free_stride);
    const int sd = r.split_dim;
    uint32_t la = r.shape[sd] / (uint32_t)y->shape[axis] * (uint32_t)a->shape[axis];
    const uint32_t es = (uint32_t)vdk_dtype_size(a->dtype);
    uint32_t unit = vdk_vk_rows_unit(&r, es);
    while (sd == 4 && unit > es && la % (unit / es))
        unit /= 2; /* the switch from a to b falls inside a unit */
    const uint32_t k = unit / es;
    if (k > 1) {
        r.shape[4] /= k;
        r.run /= k;
        if (sd == 4)
            la /= k;
        for (int i = 0; i < 3; i++) {
            r.offset[i] /= k;
            for (int e = 0; e < 4; e++)
                r.stride[i][e] /= k;
            r.stride[i][4] = 1;
        }
        d.shader = unit == 4   ? VDK_SHADER_concat_f32
                   : unit == 8 ? VDK_SHADER_concat_u64
                               : VDK_SHADER_concat_u128;
    }
    memcpy(push.shape, r.shape, sizeof push.shape);
    memcpy(push.st, r.stride, sizeof push.st);
    memcpy(push.off, r.offset, sizeof push.off);
    push.la = la;
    d.spec[0] = vdk_vk_group_size(ctx->vk, 256);
    d.spec[1] = (uint32_t)r.dims;
    d.spec[2] = 4;
    d.spec[3] = (uint32_t)sd;
    d.groups = vdk_vk_rows_tiling(r.rows, r.run, d.spec[0], d.spec[2], unit, &push.tiling);
    return vdk_vk_launch(ctx, &d, &push, sizeof push, vdk_vk_kernel_name(names, a->dtype));
}
