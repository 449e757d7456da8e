/* vdk_rms_norm on the CPU: per row of the last axis, y = x / sqrt(mean(x^2) + eps)
 * * gamma. Threads take blocks of rows; a row is read twice (the second time
 * from L1 at the row lengths the models use), so x is moved once and y once. */
#include "rows.h"

#include <math.h>

VDK_INLINE float row_squares(vdk_dtype dt, const void *x, int64_t C)
{
    vf q0 = vf_zero(), q1 = vf_zero();
    int64_t c = 0;
    for (; c + 2 * VW <= C; c += 2 * VW) {
        vf a = vdt_load(dt, x, c), b = vdt_load(dt, x, c + VW);
        q0 = vf_fma(a, a, q0);
        q1 = vf_fma(b, b, q1);
    }
    for (; c + VW <= C; c += VW) {
        vf a = vdt_load(dt, x, c);
        q0 = vf_fma(a, a, q0);
    }
    if (c < C) { /* the padding lanes load as 0 and add nothing */
        vf a = vdt_load_n(dt, x, c, (int)(C - c));
        q1 = vf_fma(a, a, q1);
    }
    return vf_hsum(vf_add(q0, q1));
}

VDK_INLINE void rms_row(vdk_dtype dt, const void *x, void *y, const void *gamma, int64_t C,
                        double eps)
{
    const double ms = (double)row_squares(dt, x, C) / (double)C;
    const vf r = vf_set1((float)(1.0 / sqrt(ms + eps)));
    int64_t c = 0;
    for (; c + VW <= C; c += VW) {
        vf v = vf_mul(vdt_load(dt, x, c), r);
        vdt_store(dt, y, c, gamma ? vf_mul(v, vdt_load(dt, gamma, c)) : v);
    }
    if (c < C) {
        const int n = (int)(C - c);
        vf v = vf_mul(vdt_load_n(dt, x, c, n), r);
        vdt_store_n(dt, y, c, gamma ? vf_mul(v, vdt_load_n(dt, gamma, c, n)) : v, n);
    }
}

typedef struct rms_job {
    const vdk_tensor *x, *y;
    const void *gamma;
    int64_t C, rows, xs, ys; /* xs, ys: rows_stride of x and y */
    double eps;
} rms_job;

VDK_INLINE void thread_rows(vdk_dtype dt, const rms_job *j)
{
    const size_t es = vdk_dtype_size(dt);
    const char *x = vdk_cpu_data(j->x);
    char *y = vdk_cpu_data(j->y);
    int64_t b, e;
    vdk_cpu_split(j->rows, vdk_cpu_team_size(), vdk_cpu_thread_id(), &b, &e);
    for (int64_t r = b; r < e; r++)
        rms_row(dt, x + rows_offset(j->x, j->xs, r) * (int64_t)es,
                y + rows_offset(j->y, j->ys, r) * (int64_t)es, j->gamma, j->C, j->eps);
}

vdk_status VDK_K(rms_norm)(vdk_context *ctx, const vdk_rms_norm_params *p, const vdk_tensor *x,
                           const vdk_tensor *gamma, vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("rms_norm");
    const int64_t bytes = 2 * vdk_numel_of(x->rank, x->shape) * (int64_t)vdk_dtype_size(x->dtype);
    const int team = vdk_cpu_team_for(ctx, bytes);
    (void)team; /* unused without OpenMP */
    const int64_t C = x->shape[x->rank - 1];
    const rms_job j = {x, y, gamma ? vdk_cpu_data(gamma) : NULL, C,
                       vdk_numel_of(x->rank, x->shape) / C, rows_stride(x), rows_stride(y),
                       (double)p->eps};
    /* specialised inside the region, so each dtype's outlined body is its own */
#pragma omp parallel num_threads(team)
    VDK_DTYPE_DISPATCH(x->dtype, thread_rows(DT, &j));
    ctx->last_kernel = names[x->dtype];
    return VDK_OK;
}
