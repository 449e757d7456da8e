/* vdk_blend on the CPU: y = w a + (1 - w) b, in the reference's order of
 * operations, bandwidth-bound. w is p->alpha, or the alpha tensor broadcast
 * onto a (ewise.h), through a sigmoid when p->sigmoid is set. A per-frame or
 * scalar alpha tensor is constant along each inner run, so its weight (and
 * sigmoid) is formed once per run. In place (y = a or y = b) is safe: each
 * element is read before it is written, by the same thread. A y larger than
 * the cache (not in place) is computed in L1 pieces and streamed out. */
#include "vmath.h"

#include "ewise.h"

enum { Y, A, B, W };

/* How w varies along an inner run. */
enum { W_PARAM, W_RUN, W_VEC };

/* w and 1 - w from the value x of the alpha operand. For the sigmoid,
 * 1 - sigmoid(x) is taken as e sigmoid(x) with e = e^-x, not by subtraction,
 * so that a weight near 1 does not leave b's weight with a cancelled 1 - w. */
VDK_INLINE void weights(int sigmoid, vf x, vf *w, vf *omw)
{
    const vf one = vf_set1(1.0f);
    if (sigmoid) {
        vf e = vf_exp(vf_sub(vf_zero(), x));
        *w = vf_div(one, vf_add(one, e));
        *omw = vf_mul(e, *w);
        /* below -88, where e stops growing (vf_exp), sigmoid is 0 and 1 - w is 1 */
        vm tail = vf_lt(x, vf_set1(-88.0f));
        *w = vf_select(tail, vf_zero(), *w);
        *omw = vf_select(tail, one, *omw);
    } else {
        *w = x;
        *omw = vf_sub(one, x);
    }
}

VDK_INLINE vf mix(vf w, vf omw, vf a, vf b) { return vf_fma(w, a, vf_mul(omw, b)); }

VDK_INLINE void span(int mode, int sigmoid, vdk_dtype dt, float alpha, const void *a,
                     const void *b, const void *al, void *y, int64_t n)
{
    vf w = vf_zero(), omw = vf_zero();
    if (mode == W_PARAM)
        weights(0, vf_set1(alpha), &w, &omw);
    else if (mode == W_RUN)
        weights(sigmoid, vf_set1(vdt_load1(dt, al, 0)), &w, &omw);
    int64_t i = 0;
    for (; i + VW <= n; i += VW) {
        if (mode == W_VEC)
            weights(sigmoid, vdt_load(dt, al, i), &w, &omw);
        vdt_store(dt, y, i, mix(w, omw, vdt_load(dt, a, i), vdt_load(dt, b, i)));
    }
    if (i < n) {
        const int m = (int)(n - i);
        if (mode == W_VEC)
            weights(sigmoid, vdt_load_n(dt, al, i, m), &w, &omw);
        vdt_store_n(dt, y, i, mix(w, omw, vdt_load_n(dt, a, i, m), vdt_load_n(dt, b, i, m)), m);
    }
}

/* The span, or with streaming stores the span in pieces computed into the L1
 * buffer `stage` and streamed to y. */
VDK_INLINE void span_out(int mode, int sigmoid, vdk_dtype dt, float alpha, const char *a,
                         const char *b, const char *al, char *y, int64_t n, char *stage)
{
    if (!stage) {
        span(mode, sigmoid, dt, alpha, a, b, al, y, n);
        return;
    }
    const int64_t es = (int64_t)vdk_dtype_size(dt), piece = VDK_EW_STAGE_BYTES / es;
    for (int64_t i = 0; i < n; i += piece) {
        const int64_t k = n - i < piece ? n - i : piece;
        span(mode, sigmoid, dt, alpha, a + i * es, b + i * es, mode == W_VEC ? al + i * es : al,
             stage, k);
        vf_stream_copy(y + i * es, stage, (size_t)(k * es));
    }
}

/* This thread's elements [pos, end) of the nest. */
VDK_INLINE void walk(const vdk_ew *e, char *const base[4], int64_t pos, int64_t end, char *stage,
                     float alpha, int mode, int sigmoid, vdk_dtype dt)
{
    const int64_t es = (int64_t)vdk_dtype_size(dt);
    vdk_ew_pos p;
    if (pos < end)
        vdk_ew_seek(e, &p, pos);
    while (pos < end) {
        const int64_t n = e->len - p.col < end - pos ? e->len - p.col : end - pos;
        span_out(mode, sigmoid, dt, alpha, base[A] + vdk_ew_at(e, &p, A) * es,
                 base[B] + vdk_ew_at(e, &p, B) * es,
                 mode == W_PARAM ? NULL : base[W] + vdk_ew_at(e, &p, W) * es,
                 base[Y] + vdk_ew_at(e, &p, Y) * es, n, stage);
        pos += n;
        vdk_ew_next_row(e, &p);
    }
}

/* One specialisation of walk per (mode, sigmoid) for the dtype DT, chosen
 * inside the parallel region (as in binary.c: a region is outlined once). */
VDK_INLINE void walk_dt(const vdk_ew *e, char *const base[4], int64_t pos, int64_t end,
                        char *stage, float alpha, int mode, int sigmoid, vdk_dtype dt)
{
    if (mode == W_PARAM)
        walk(e, base, pos, end, stage, alpha, W_PARAM, 0, dt);
    else if (mode == W_RUN && sigmoid)
        walk(e, base, pos, end, stage, alpha, W_RUN, 1, dt);
    else if (mode == W_RUN)
        walk(e, base, pos, end, stage, alpha, W_RUN, 0, dt);
    else if (sigmoid)
        walk(e, base, pos, end, stage, alpha, W_VEC, 1, dt);
    else
        walk(e, base, pos, end, stage, alpha, W_VEC, 0, dt);
}

vdk_status VDK_K(blend)(vdk_context *ctx, const vdk_blend_params *p, const vdk_tensor *a,
                        const vdk_tensor *b, const vdk_tensor *alpha, vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("blend");
    vdk_ew e;
    vdk_ew_init(&e, a->rank, a->shape, 4, (const vdk_tensor *const[]){y, a, b, alpha});
    char *const base[4] = {vdk_cpu_data(y), vdk_cpu_data(a), vdk_cpu_data(b),
                           alpha ? vdk_cpu_data(alpha) : NULL};
    const int mode = !alpha ? W_PARAM : vdk_ew_inner(&e, W) ? W_VEC : W_RUN;
    const int64_t es = (int64_t)vdk_dtype_size(a->dtype);
    const int team = vdk_cpu_team_for(ctx, 3 * e.numel * es);
    /* in place, y's lines have just been read: nothing to save by streaming */
    const bool stream = !vdk_same_view(y, a) && !vdk_same_view(y, b) &&
                        vdk_cpu_stream(ctx, e.numel * es);
    const vdk_dtype dt = a->dtype;
    const int sigmoid = p->sigmoid != 0;
    const float given = p->alpha;
#pragma omp parallel num_threads(team)
    {
        const vdk_ew le = e; /* private: y's stores cannot alias it, so it stays in registers */
        _Alignas(64) char buf[VDK_EW_STAGE_BYTES];
        int64_t pos, end;
        vdk_ew_range(&le, &pos, &end);
        VDK_DTYPE_DISPATCH(dt, walk_dt(&le, base, pos, end, stream ? buf : NULL, given, mode,
                                       sigmoid, DT));
        if (stream)
            vf_stream_fence();
    }
    ctx->last_kernel = names[a->dtype];
    return VDK_OK;
}
