/* vdk_layer_norm on the CPU: per row of the last axis, mean and biased variance,
 * then y = (x - mean) * rstd * gamma + beta. Threads take blocks of rows.
 *
 * A row is read three times (sum, centred squares, output) and sits in L1 for
 * the two re-reads at the row lengths the models use, so the operator moves x
 * once and y once. The passes run on d = x - x[0], as the reference does: under
 * a large common offset d is exact (Sterbenz) and nothing cancels, and the
 * variance is the two-pass sum of (d - mean_d)^2, never E[x^2] - E[x]^2. */
#include "rows.h"

#include <math.h>

/* Sum of the lanes of d = x - shift over a row (the padding of the tail masked). */
VDK_INLINE float row_sum_shifted(vdk_dtype dt, const void *x, int64_t C, vf shift)
{
    vf s0 = vf_zero(), s1 = vf_zero();
    int64_t c = 0;
    for (; c + 2 * VW <= C; c += 2 * VW) {
        s0 = vf_add(s0, vf_sub(vdt_load(dt, x, c), shift));
        s1 = vf_add(s1, vf_sub(vdt_load(dt, x, c + VW), shift));
    }
    for (; c + VW <= C; c += VW)
        s0 = vf_add(s0, vf_sub(vdt_load(dt, x, c), shift));
    if (c < C) {
        const int n = (int)(C - c);
        vf d = vf_sub(vdt_load_n(dt, x, c, n), shift);
        s1 = vf_add(s1, vf_select(rows_lanes_below(n), d, vf_zero()));
    }
    return vf_hsum(vf_add(s0, s1));
}

/* Sum of (x - centre)^2 over a row, centre = shift + mean_d taken as the two
 * steps (x - shift) - mean_d. */
VDK_INLINE float row_centred_squares(vdk_dtype dt, const void *x, int64_t C, vf shift, vf mean_d)
{
    vf q0 = vf_zero(), q1 = vf_zero();
    int64_t c = 0;
    for (; c + 2 * VW <= C; c += 2 * VW) {
        vf e0 = vf_sub(vf_sub(vdt_load(dt, x, c), shift), mean_d);
        vf e1 = vf_sub(vf_sub(vdt_load(dt, x, c + VW), shift), mean_d);
        q0 = vf_fma(e0, e0, q0);
        q1 = vf_fma(e1, e1, q1);
    }
    for (; c + VW <= C; c += VW) {
        vf e = vf_sub(vf_sub(vdt_load(dt, x, c), shift), mean_d);
        q0 = vf_fma(e, e, q0);
    }
    if (c < C) {
        const int n = (int)(C - c);
        vf e = vf_sub(vf_sub(vdt_load_n(dt, x, c, n), shift), mean_d);
        e = vf_select(rows_lanes_below(n), e, vf_zero());
        q1 = vf_fma(e, e, q1);
    }
    return vf_hsum(vf_add(q0, q1));
}

VDK_INLINE vf ln_out(vdk_dtype dt, const void *gamma, const void *beta, int64_t c, int n, vf e,
                     vf rstd)
{
    vf v = vf_mul(e, rstd);
    if (gamma)
        v = vf_mul(v, n ? vdt_load_n(dt, gamma, c, n) : vdt_load(dt, gamma, c));
    if (beta)
        v = vf_add(v, n ? vdt_load_n(dt, beta, c, n) : vdt_load(dt, beta, c));
    return v;
}

VDK_INLINE void ln_row(vdk_dtype dt, const void *x, void *y, const void *gamma, const void *beta,
                       int64_t C, double eps)
{
    const vf shift = vf_set1(vdt_load1(dt, x, 0));
    const float mean_d = row_sum_shifted(dt, x, C, shift) / (float)C;
    const vf md = vf_set1(mean_d);
    const double var = (double)row_centred_squares(dt, x, C, shift, md) / (double)C;
    const vf rstd = vf_set1((float)(1.0 / sqrt(var + eps)));
    int64_t c = 0;
    for (; c + VW <= C; c += VW) {
        vf e = vf_sub(vf_sub(vdt_load(dt, x, c), shift), md);
        vdt_store(dt, y, c, ln_out(dt, gamma, beta, c, 0, e, rstd));
    }
    if (c < C) {
        const int n = (int)(C - c);
        vf e = vf_sub(vf_sub(vdt_load_n(dt, x, c, n), shift), md);
        vdt_store_n(dt, y, c, ln_out(dt, gamma, beta, c, n, e, rstd), n);
    }
}

typedef struct ln_job {
    const vdk_tensor *x, *y;
    const void *gamma, *beta;
    int64_t C, rows, xs, ys; /* xs, ys: rows_stride of x and y */
    double eps;
} ln_job;

VDK_INLINE void thread_rows(vdk_dtype dt, const ln_job *j)
{
    const size_t es = vdk_dtype_size(dt);
    const char *x = vdk_cpu_data(j->x);
    char *y = vdk_cpu_data(j->y);
    int64_t b, e;
    vdk_cpu_split(j->rows, vdk_cpu_team_size(), vdk_cpu_thread_id(), &b, &e);
    for (int64_t r = b; r < e; r++)
        ln_row(dt, x + rows_offset(j->x, j->xs, r) * (int64_t)es,
               y + rows_offset(j->y, j->ys, r) * (int64_t)es, j->gamma, j->beta, j->C, j->eps);
}

vdk_status VDK_K(layer_norm)(vdk_context *ctx, const vdk_layer_norm_params *p, const vdk_tensor *x,
                             const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("layer_norm");
    const int64_t bytes = 2 * vdk_numel_of(x->rank, x->shape) * (int64_t)vdk_dtype_size(x->dtype);
    const int team = vdk_cpu_team_for(ctx, bytes);
    (void)team; /* unused without OpenMP */
    const int64_t C = x->shape[x->rank - 1];
    const ln_job j = {x, y, gamma ? vdk_cpu_data(gamma) : NULL, beta ? vdk_cpu_data(beta) : NULL,
                      C, vdk_numel_of(x->rank, x->shape) / C, rows_stride(x), rows_stride(y),
                      (double)p->eps};
    /* specialised inside the region, so each dtype's outlined body is its own */
#pragma omp parallel num_threads(team)
    VDK_DTYPE_DISPATCH(x->dtype, thread_rows(DT, &j));
    ctx->last_kernel = names[x->dtype];
    return VDK_OK;
}
