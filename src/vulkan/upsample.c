/* vdk_upsample on Vulkan (shaders/upsample.comp): one dispatch over y's rows
 * (n, t, h, w), each a copy of x's row (n, t / ft, h / fh, w / fw), moved as
 * bits in the widest unit (up to 16 bytes) that every offset and stride
 * allows. */
#include "ops.h"

#include <string.h>

vdk_status vdk_vk_upsample(vdk_context *ctx, const vdk_upsample_params *p, const vdk_tensor *x,
                           vdk_tensor *y)
{
    static const char op[] = "vdk_upsample";
    static const char *const names[3] = {"vulkan.upsample.f32", "vulkan.upsample.f16",
                                         "vulkan.upsample.bf16"};
    struct {
        uint32_t shape[5], ys[5], xs[5], yoff, xoff, f[4], tiling;
    } push;
    _Static_assert(sizeof push <= VDK_VK_PUSH_BYTES, "upsample push constants");
    vdk_vk_view5 vx, vy;
    vdk_vk_dispatch d = {.nbuf = 2, .buf = {x->storage, y->storage}, .writes = {false, true}};
    vdk_status st;
    if ((st = vdk_vk_variant(ctx, op, x->dtype, VDK_SHADER_upsample_f32, &d.shader)) ||
        (st = vdk_vk_view(ctx, op, "x", x, NULL, &vx)) ||
        (st = vdk_vk_view(ctx, op, "y", y, NULL, &vy)))
        return st;
    const uint32_t f[5] = {1, p->factor[0] ? (uint32_t)p->factor[0] : 1,
                           p->factor[1] ? (uint32_t)p->factor[1] : 1,
                           p->factor[2] ? (uint32_t)p->factor[2] : 1, 1};
    /* The run: channels, with each axis outside them whose factor is 1 and
     * that x and y both step over contiguously (or that is 1 long). The
     * strides of an extent-1 axis are 0 (vdk_vk_view) and never used. */
    uint32_t run = vy.shape[4], xrs = vx.stride[4], yrs = vy.stride[4];
    int m = 4;      /* axes m..4 form the run */
    if (run == 1) { /* channels of 1: the run steps along the next axis out */
        xrs = yrs = 0;
    }
    while (m > 0) {
        const int ax = m - 1;
        const uint32_t e = vy.shape[ax];
        if (f[ax] != 1)
            break;
        if (e != 1) {
            if (run == 1) {
                xrs = vx.stride[ax];
                yrs = vy.stride[ax];
            } else if (vx.stride[ax] != xrs * run || vy.stride[ax] != yrs * run) {
                break;
            }
            run *= e;
        }
        m--;
    }
    if (run == 1)
        xrs = yrs = 1;
    memset(&push, 0, sizeof push);
    int outer = 4; /* the outermost row axis longer than 1 */
    for (int ax = 0; ax < 4; ax++) {
        const bool row_axis = ax < m;
        push.shape[ax] = row_axis ? vy.shape[ax] : 1;
        push.ys[ax] = row_axis ? vy.stride[ax] : 0;
        push.xs[ax] = row_axis ? vx.stride[ax] : 0;
        push.f[ax] = row_axis ? f[ax] : 1;
        if (push.shape[ax] != 1 && outer == 4)
            outer = ax;
    }
    push.shape[4] = run;
    push.ys[4] = yrs;
    push.xs[4] = xrs;
    push.yoff = vy.offset;
    push.xoff = vx.offset;

    /* The widest unit that x's and y's offsets and row strides and the run are
     * whole multiples of, the run contiguous in both. */
    const uint32_t es = (uint32_t)vdk_dtype_size(x->dtype);
    uint32_t unit = es;
    for (uint32_t u = 16; u > es && unit == es; u /= 2) {
        const uint32_t k = u / es;
        bool ok = run % k == 0 && push.yoff % k == 0 && push.xoff % k == 0 && xrs == 1 && yrs == 1;
        for (int ax = 0; ok && ax < 4; ax++)
            ok = push.ys[ax] % k == 0 && push.xs[ax] % k == 0;
        if (ok)
            unit = u;
    }
    const uint32_t k = unit / es;
    if (k > 1) {
        push.shape[4] /= k;
        push.yoff /= k;
        push.xoff /= k;
        for (int ax = 0; ax < 4; ax++) {
            push.ys[ax] /= k;
            push.xs[ax] /= k;
        }
        d.shader = unit == 4   ? VDK_SHADER_upsample_f32
                   : unit == 8 ? VDK_SHADER_upsample_u64
                               : VDK_SHADER_upsample_u128;
    }
    const uint32_t rows = push.shape[0] * push.shape[1] * push.shape[2] * push.shape[3];
    d.spec[0] = vdk_vk_group_size(ctx->vk, 256);
    d.spec[1] = (uint32_t)(5 - outer);
    d.spec[2] = 4;
    d.groups = vdk_vk_rows_tiling(rows, push.shape[4], d.spec[0], d.spec[2], unit, &push.tiling);
    return vdk_vk_launch(ctx, &d, &push, sizeof push, vdk_vk_kernel_name(names, x->dtype));
}
