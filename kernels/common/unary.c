/* vdk_unary on the CPU: y = f(x) elementwise, bandwidth-bound. Contiguous
 * tensors are one flat range split across threads; strided views go row by row
 * (each row is the contiguous last axis). */
#include "vmath.h"

VDK_INLINE vf apply(const vdk_unary_params *p, vf x)
{
    switch (p->op) {
    case VDK_UNARY_SILU:
        return vf_silu(x);
    case VDK_UNARY_GELU:
        return vf_gelu(x);
    case VDK_UNARY_SIGMOID:
        return vf_sigmoid(x);
    default:
        return vf_fma(vf_set1(p->alpha), x, vf_set1(p->beta));
    }
}

VDK_INLINE void run_span(const vdk_unary_params *p, vdk_dtype dt, const void *x, void *y,
                         int64_t n)
{
    int64_t i = 0;
    for (; i + VW <= n; i += VW)
        vdt_store(dt, y, i, apply(p, vdt_load(dt, x, i)));
    if (i < n)
        vdt_store_n(dt, y, i, apply(p, vdt_load_n(dt, x, i, (int)(n - i))), (int)(n - i));
}

/* The dtype is dispatched inside each parallel region: OpenMP outlines a region
 * before inlining, so a region around a dtype-generic body would see the dtype
 * as a run-time value in its loops. */
static void run(const vdk_unary_params *p, const vdk_tensor *xt, vdk_tensor *yt, int team)
{
    (void)team; /* unused without OpenMP */
    const vdk_dtype dt = xt->dtype;
    const size_t es = vdk_dtype_size(dt);
    const char *x = vdk_cpu_data(xt);
    char *y = vdk_cpu_data(yt);
    const int64_t numel = vdk_numel_of(xt->rank, xt->shape);
    if (vdk_is_contiguous(xt) && vdk_is_contiguous(yt)) {
#pragma omp parallel num_threads(team)
        {
            int64_t b, e;
            /* whole vectors per thread, so only the last thread has a tail */
            vdk_cpu_split((numel + VW - 1) / VW, vdk_cpu_team_size(), vdk_cpu_thread_id(), &b, &e);
            b *= VW;
            e = e * VW < numel ? e * VW : numel;
            if (b < e)
                VDK_DTYPE_DISPATCH(dt, run_span(p, DT, x + b * (int64_t)es, y + b * (int64_t)es,
                                                e - b));
        }
        return;
    }
    const int64_t C = xt->shape[xt->rank - 1], rows = numel / C;
#pragma omp parallel num_threads(team)
    {
        int64_t b, e;
        vdk_cpu_split(rows, vdk_cpu_team_size(), vdk_cpu_thread_id(), &b, &e);
        VDK_DTYPE_DISPATCH(dt, for (int64_t r = b; r < e; r++) run_span(
                                   p, DT, x + vdk_cpu_row_offset(xt, r) * (int64_t)es,
                                   y + vdk_cpu_row_offset(yt, r) * (int64_t)es, C));
    }
}

vdk_status VDK_K(unary)(vdk_context *ctx, const vdk_unary_params *p, const vdk_tensor *x,
                        vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("unary");
    const int64_t bytes = 2 * vdk_numel_of(x->rank, x->shape) * (int64_t)vdk_dtype_size(x->dtype);
    const int team = vdk_cpu_team_for(ctx, bytes);
    run(p, x, y, team);
    ctx->last_kernel = names[x->dtype];
    return VDK_OK;
}
