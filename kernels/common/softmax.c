/* vdk_softmax on the CPU: per row of the last axis, y = exp(s x - m) / sum with
 * m the row's maximum of s x, so every exponent is <= 0 and nothing overflows.
 * Threads take blocks of rows.
 *
 * Three passes over a row, through a per-thread f32 copy of it (padded to
 * whole vectors): the copy and the maximum, the exponentials (in place in the
 * copy) and their sum, the scaling by 1/sum into y. The copy keeps the
 * exponentials in f32 (f16/bf16 would round them twice), makes the in-place
 * call safe, and lets the two inner passes run on whole vectors: a row's
 * partial last vector is loaded once, which matters for the short rows of
 * temporal attention scores (T = 14 or 25). Short rows also go 8 at a time,
 * pass by pass, and a long row's successor is prefetched (see below). */
#include "rows.h"

#include <math.h>

/* buf = x (the padding lanes -sg inf), and returns max(sg x), sg = +-1. The
 * padding then adds nothing to the max, and exp(s (pad - xm)) = exp(-inf) = 0
 * adds nothing to the sum. */
VDK_INLINE float row_stage(vdk_dtype dt, const void *x, float *buf, int64_t len, float sg)
{
    const vf vsg = vf_set1(sg);
    vf m0 = vf_set1(-INFINITY), m1 = m0;
    int64_t c = 0;
    for (; c + 2 * VW <= len; c += 2 * VW) {
        vf a = vdt_load(dt, x, c), b = vdt_load(dt, x, c + VW);
        vf_store(buf + c, a);
        vf_store(buf + c + VW, b);
        m0 = vf_max(m0, vf_mul(vsg, a));
        m1 = vf_max(m1, vf_mul(vsg, b));
    }
    for (; c + VW <= len; c += VW) {
        vf a = vdt_load(dt, x, c);
        vf_store(buf + c, a);
        m0 = vf_max(m0, vf_mul(vsg, a));
    }
    if (c < len) {
        const int n = (int)(len - c);
        vf a = vf_select(rows_lanes_below(n), vdt_load_n(dt, x, c, n), vf_set1(-sg * INFINITY));
        vf_store(buf + c, a);
        m1 = vf_max(m1, vf_mul(vsg, a));
    }
    return vf_hmax(vf_max(m0, m1));
}

/* buf[c] = exp(s (buf[c] - xm)) over the padded row; returns their sum. The
 * exponent is s (x - xm), xm the element where s x peaks, rather than
 * s x - max(s x): for |s x| large, a rounded s x is off by |s x| units, and
 * the terms near the maximum, which carry the row, would inherit that; x - xm
 * is exact for them (Sterbenz) and the one rounding left is relative to the
 * small exponent. */
VDK_INLINE float row_exp(float *buf, int64_t padded, vf s, vf xm)
{
    vf t0 = vf_zero(), t1 = vf_zero();
    int64_t c = 0;
    for (; c + 2 * VW <= padded; c += 2 * VW) {
        vf a = vf_exp(vf_mul(s, vf_sub(vf_load(buf + c), xm)));
        vf b = vf_exp(vf_mul(s, vf_sub(vf_load(buf + c + VW), xm)));
        vf_store(buf + c, a);
        vf_store(buf + c + VW, b);
        t0 = vf_add(t0, a);
        t1 = vf_add(t1, b);
    }
    for (; c < padded; c += VW) {
        vf a = vf_exp(vf_mul(s, vf_sub(vf_load(buf + c), xm)));
        vf_store(buf + c, a);
        t0 = vf_add(t0, a);
    }
    return vf_hsum(vf_add(t0, t1));
}

/* Rows per block when rows are short: each row's passes form a chain of
 * dependent reductions (max, then exponentials, then their sum, then a
 * division), too short to keep the core busy; taking the passes of 8 rows
 * side by side gives it 8 independent chains. */
#define SM_BLOCK 8
/* Rows up to this many elements (padded) go in blocks. */
#define SM_SHORT 64

typedef struct sm_job {
    const vdk_tensor *x, *y;
    float *bufs; /* buf_len floats per thread */
    int64_t buf_len, len, padded, rows, xs, ys; /* xs, ys: rows_stride of x and y */
    float scale;
} sm_job;

/* Rows [r, r + nr) through the thread's buffer, one padded row each. */
VDK_INLINE void softmax_rows(vdk_dtype dt, const sm_job *j, float *buf, int64_t r, int nr)
{
    const size_t es = vdk_dtype_size(dt);
    const char *x = vdk_cpu_data(j->x);
    char *y = vdk_cpu_data(j->y);
    const int64_t len = j->len, padded = j->padded;
    const vf s = vf_set1(j->scale);
    const float sg = j->scale > 0 ? 1.0f : -1.0f;
    float xm[SM_BLOCK], inv[SM_BLOCK];
    for (int k = 0; k < nr; k++)
        xm[k] = sg * row_stage(dt, x + rows_offset(j->x, j->xs, r + k) * (int64_t)es,
                               buf + k * padded, len, sg);
    for (int k = 0; k < nr; k++)
        inv[k] = 1.0f / row_exp(buf + k * padded, padded, s, vf_set1(xm[k]));
    for (int k = 0; k < nr; k++) {
        const float *e = buf + k * padded;
        const vf vinv = vf_set1(inv[k]);
        char *yr = y + rows_offset(j->y, j->ys, r + k) * (int64_t)es;
        int64_t c = 0;
        for (; c + VW <= len; c += VW)
            vdt_store(dt, yr, c, vf_mul(vf_load(e + c), vinv));
        if (c < len)
            vdt_store_n(dt, yr, c, vf_mul(vf_load(e + c), vinv), (int)(len - c));
    }
}

VDK_INLINE void thread_rows(vdk_dtype dt, const sm_job *j)
{
    const size_t es = vdk_dtype_size(dt);
    const char *x = vdk_cpu_data(j->x);
    const int tid = vdk_cpu_thread_id();
    float *buf = j->bufs + tid * j->buf_len;
    const int block = j->padded <= SM_SHORT ? SM_BLOCK : 1;
    int64_t b, e;
    vdk_cpu_split(j->rows, vdk_cpu_team_size(), tid, &b, &e);
    for (int64_t r = b; r < e; r += block) {
        const int nr = e - r < block ? (int)(e - r) : block;
        /* a long row's passes take turns between memory and arithmetic: ask
         * for the next row while this one is computed */
        if (block == 1 && r + 1 < e)
            rows_prefetch(x + rows_offset(j->x, j->xs, r + 1) * (int64_t)es, j->len * (int64_t)es);
        softmax_rows(dt, j, buf, r, nr);
    }
}

vdk_status VDK_K(softmax)(vdk_context *ctx, const vdk_softmax_params *p, const vdk_tensor *x,
                          vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("softmax");
    const size_t es = vdk_dtype_size(x->dtype);
    const int64_t len = x->shape[x->rank - 1];
    const int team = vdk_cpu_team_for(ctx, 2 * vdk_numel_of(x->rank, x->shape) * (int64_t)es);
    /* per thread: one f32 row padded to whole vectors, SM_BLOCK of them for
     * short rows; rounded up to whole cache lines */
    const int64_t padded = (len + VW - 1) / VW * VW;
    const int64_t buf_len = ((padded <= SM_SHORT ? SM_BLOCK : 1) * padded + 15) / 16 * 16;
    const size_t bytes = (size_t)team * (size_t)buf_len * sizeof(float);
    float *bufs = vdk_cpu_alloc(bytes);
    if (!bufs)
        return vdk_cpu_oom(ctx, "vdk_softmax", bytes);
    const sm_job j = {x, y, bufs, buf_len, len, padded, vdk_numel_of(x->rank, x->shape) / len,
                      rows_stride(x), rows_stride(y), p->scale != 0 ? p->scale : 1.0f};
    /* specialised inside the region, so each dtype's outlined body is its own */
#pragma omp parallel num_threads(team)
    VDK_DTYPE_DISPATCH(x->dtype, thread_rows(DT, &j));
    vdk_cpu_free(bufs, bytes);
    ctx->last_kernel = names[x->dtype];
    return VDK_OK;
}
