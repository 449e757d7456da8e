/* vdk_softmax on the CPU: per row of the last axis, y = exp(s x - m) / sum with
 * m the row's maximum of s x, so every exponent is <= 0 and nothing overflows.
 * Threads take blocks of rows.
 *
 * Three passes over a row: the maximum, the exponentials and their sum, the
 * scaling by 1/sum. The exponentials are kept in f32 between the last two
 * passes (in y itself for f32; in a per-thread row buffer for f16 and bf16, so
 * they are not rounded to the storage type twice). */
#include "rows.h"

#include <math.h>

/* max over the row of sg x, sg = +-1 (exact). */
VDK_INLINE float row_max(vdk_dtype dt, const void *x, int64_t len, vf sg)
{
    vf m0 = vf_set1(-INFINITY), m1 = m0;
    int64_t c = 0;
    for (; c + 2 * VW <= len; c += 2 * VW) {
        m0 = vf_max(m0, vf_mul(sg, vdt_load(dt, x, c)));
        m1 = vf_max(m1, vf_mul(sg, vdt_load(dt, x, c + VW)));
    }
    for (; c + VW <= len; c += VW)
        m0 = vf_max(m0, vf_mul(sg, vdt_load(dt, x, c)));
    if (c < len) {
        const int n = (int)(len - c);
        vf v = vf_mul(sg, vdt_load_n(dt, x, c, n));
        m1 = vf_max(m1, vf_select(rows_lanes_below(n), v, vf_set1(-INFINITY)));
    }
    return vf_hmax(vf_max(m0, m1));
}

/* e[c] = exp(s (x[c] - xm)); returns the sum of e. */
VDK_INLINE float row_exp(vdk_dtype dt, const void *x, float *e, int64_t len, vf s, vf xm)
{
    vf t0 = vf_zero(), t1 = vf_zero();
    int64_t c = 0;
    for (; c + 2 * VW <= len; c += 2 * VW) {
        vf a = vf_exp(vf_mul(s, vf_sub(vdt_load(dt, x, c), xm)));
        vf b = vf_exp(vf_mul(s, vf_sub(vdt_load(dt, x, c + VW), xm)));
        vf_store(e + c, a);
        vf_store(e + c + VW, b);
        t0 = vf_add(t0, a);
        t1 = vf_add(t1, b);
    }
    for (; c + VW <= len; c += VW) {
        vf a = vf_exp(vf_mul(s, vf_sub(vdt_load(dt, x, c), xm)));
        vf_store(e + c, a);
        t0 = vf_add(t0, a);
    }
    if (c < len) {
        const int n = (int)(len - c);
        vf a = vf_exp(vf_mul(s, vf_sub(vdt_load_n(dt, x, c, n), xm)));
        a = vf_select(rows_lanes_below(n), a, vf_zero());
        vdt_store_n(VDK_F32, e, c, a, n);
        t1 = vf_add(t1, a);
    }
    return vf_hsum(vf_add(t0, t1));
}

/* The exponent is s (x - xm), xm the element where s x peaks, rather than
 * s x - max(s x): for |s x| large, a rounded s x is off by |s x| units, and
 * the terms near the maximum, which carry the row, would inherit that; x - xm
 * is exact for them (Sterbenz) and the one rounding left is relative to the
 * small exponent. */
VDK_INLINE void softmax_row(vdk_dtype dt, const void *x, void *y, float *buf, int64_t len, vf s,
                            float sg)
{
    const vf xm = vf_set1(sg * row_max(dt, x, len, vf_set1(sg)));
    float *e = dt == VDK_F32 ? (float *)y : buf;
    const vf inv = vf_set1(1.0f / row_exp(dt, x, e, len, s, xm));
    int64_t c = 0;
    for (; c + VW <= len; c += VW)
        vdt_store(dt, y, c, vf_mul(vf_load(e + c), inv));
    if (c < len) {
        const int n = (int)(len - c);
        vdt_store_n(dt, y, c, vf_mul(vdt_load_n(VDK_F32, e, c, n), inv), n);
    }
}

VDK_INLINE void run(vdk_dtype dt, float scale, const vdk_tensor *xt, vdk_tensor *yt, float *bufs,
                    int64_t buf_len, int team)
{
    const size_t es = vdk_dtype_size(dt);
    const int64_t len = xt->shape[xt->rank - 1], rows = vdk_numel_of(xt->rank, xt->shape) / len;
    const int64_t xs = rows_stride(xt), ys = rows_stride(yt);
    const char *x = vdk_cpu_data(xt);
    char *y = vdk_cpu_data(yt);
    const vf s = vf_set1(scale);
    const float sg = scale > 0 ? 1.0f : -1.0f;
#pragma omp parallel num_threads(team)
    {
        const int tid = vdk_cpu_thread_id();
        float *buf = bufs ? bufs + tid * buf_len : NULL;
        int64_t b, e;
        vdk_cpu_split(rows, vdk_cpu_team_size(), tid, &b, &e);
        for (int64_t r = b; r < e; r++)
            softmax_row(dt, x + rows_offset(xt, xs, r) * (int64_t)es,
                        y + rows_offset(yt, ys, r) * (int64_t)es, buf, len, s, sg);
    }
}

vdk_status VDK_K(softmax)(vdk_context *ctx, const vdk_softmax_params *p, const vdk_tensor *x,
                          vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("softmax");
    const size_t es = vdk_dtype_size(x->dtype);
    const int64_t len = x->shape[x->rank - 1];
    const int team = vdk_cpu_team_for(ctx, 2 * vdk_numel_of(x->rank, x->shape) * (int64_t)es);
    /* f16/bf16: one f32 row per thread, padded to whole cache lines */
    const int64_t buf_len = (len + 15) / 16 * 16;
    float *bufs = NULL;
    if (x->dtype != VDK_F32) {
        const size_t bytes = (size_t)team * (size_t)buf_len * sizeof(float);
        bufs = vdk_cpu_alloc(bytes);
        if (!bufs)
            return vdk_cpu_oom(ctx, "vdk_softmax", bytes);
    }
    const float scale = p->scale != 0 ? p->scale : 1.0f;
    VDK_DTYPE_DISPATCH(x->dtype, run(DT, scale, x, y, bufs, buf_len, team));
    vdk_cpu_free(bufs);
    ctx->last_kernel = names[x->dtype];
    return VDK_OK;
}
