/* vdk_binary on the CPU: y = a op b, b broadcast onto a, bandwidth-bound. The
 * nest of ewise.h makes the fast paths fall out of one loop: b of a's shape is
 * a single flat run, a per-channel or per-frame b gives rows that each read one
 * row of b, a scalar b a flat run against one value. In place (y = a) is safe:
 * each element is read before it is written, by the same thread. A y larger
 * than the cache (not in place) is computed in L1 pieces and streamed out. */
#include "ewise.h"

enum { Y, A, B };

VDK_INLINE vf binop(vdk_binary_op op, vf a, vf b)
{
    if (op == VDK_BINARY_ADD)
        return vf_add(a, b);
    if (op == VDK_BINARY_SUB)
        return vf_sub(a, b);
    return vf_mul(a, b);
}

/* y[i] = a[i] op b[i] for i < n; with bstep 0, b[0] throughout. */
VDK_INLINE void span(vdk_binary_op op, int bstep, vdk_dtype dt, const void *a, const void *b,
                     void *y, int64_t n)
{
    const vf s = bstep ? vf_zero() : vf_set1(vdt_load1(dt, b, 0));
    int64_t i = 0;
    for (; i + VW <= n; i += VW)
        vdt_store(dt, y, i, binop(op, vdt_load(dt, a, i), bstep ? vdt_load(dt, b, i) : s));
    if (i < n) {
        const int m = (int)(n - i);
        vf bv = bstep ? vdt_load_n(dt, b, i, m) : s;
        vdt_store_n(dt, y, i, binop(op, vdt_load_n(dt, a, i, m), bv), m);
    }
}

/* The span, or with streaming stores the span in pieces computed into the L1
 * buffer `stage` and streamed to y. */
VDK_INLINE void span_out(vdk_binary_op op, int bstep, vdk_dtype dt, const char *a, const char *b,
                         char *y, int64_t n, char *stage)
{
    if (!stage) {
        span(op, bstep, dt, a, b, y, n);
        return;
    }
    const int64_t es = (int64_t)vdk_dtype_size(dt), piece = VDK_EW_STAGE_BYTES / es;
    for (int64_t i = 0; i < n; i += piece) {
        const int64_t k = n - i < piece ? n - i : piece;
        span(op, bstep, dt, a + i * es, bstep ? b + i * es : b, stage, k);
        vf_stream_copy(y + i * es, stage, (size_t)(k * es));
    }
}

/* This thread's elements [pos, end) of the nest. */
VDK_INLINE void walk(const vdk_ew *e, char *const base[3], int64_t pos, int64_t end, char *stage,
                     vdk_binary_op op, int bstep, vdk_dtype dt)
{
    const int64_t es = (int64_t)vdk_dtype_size(dt);
    vdk_ew_pos p;
    if (pos < end)
        vdk_ew_seek(e, &p, pos);
    while (pos < end) {
        const int64_t n = e->len - p.col < end - pos ? e->len - p.col : end - pos;
        span_out(op, bstep, dt, base[A] + vdk_ew_at(e, &p, A) * es,
                 base[B] + vdk_ew_at(e, &p, B) * es, base[Y] + vdk_ew_at(e, &p, Y) * es, n, stage);
        pos += n;
        vdk_ew_next_row(e, &p);
    }
}

/* One specialisation of walk per (op, b's inner stride) for the dtype DT. It is
 * chosen inside the parallel region: a region is outlined into one function
 * before inlining, so a dispatch around it would leave op and dtype as
 * run-time values in the loop. */
VDK_INLINE void walk_op(const vdk_ew *e, char *const base[3], int64_t pos, int64_t end,
                        char *stage, vdk_binary_op op, vdk_dtype dt)
{
    if (vdk_ew_inner(e, B))
        walk(e, base, pos, end, stage, op, 1, dt);
    else
        walk(e, base, pos, end, stage, op, 0, dt);
}

VDK_INLINE void walk_dt(const vdk_ew *e, char *const base[3], int64_t pos, int64_t end,
                        char *stage, vdk_binary_op op, vdk_dtype dt)
{
    switch (op) {
    case VDK_BINARY_ADD:
        walk_op(e, base, pos, end, stage, VDK_BINARY_ADD, dt);
        break;
    case VDK_BINARY_SUB:
        walk_op(e, base, pos, end, stage, VDK_BINARY_SUB, dt);
        break;
    default:
        walk_op(e, base, pos, end, stage, VDK_BINARY_MUL, dt);
        break;
    }
}

vdk_status VDK_K(binary)(vdk_context *ctx, const vdk_binary_params *p, const vdk_tensor *a,
                         const vdk_tensor *b, vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("binary");
    vdk_ew e;
    vdk_ew_init(&e, a->rank, a->shape, 3, (const vdk_tensor *const[]){y, a, b});
    char *const base[3] = {vdk_cpu_data(y), vdk_cpu_data(a), vdk_cpu_data(b)};
    const vdk_dtype dt = a->dtype;
    const int64_t es = (int64_t)vdk_dtype_size(dt);
    const int team = vdk_cpu_team_for(ctx, (2 * e.numel + vdk_numel_of(b->rank, b->shape)) * es);
    /* in place, y's lines have just been read: nothing to save by streaming */
    const bool stream = !vdk_same_view(y, a) && vdk_cpu_stream(ctx, e.numel * es);
#pragma omp parallel num_threads(team)
    {
        const vdk_ew le = e; /* private: y's stores cannot alias it, so it stays in registers */
        _Alignas(64) char buf[VDK_EW_STAGE_BYTES];
        int64_t pos, end;
        vdk_ew_range(&le, &pos, &end);
        VDK_DTYPE_DISPATCH(dt, walk_dt(&le, base, pos, end, stream ? buf : NULL, p->op, DT));
        if (stream)
            vf_stream_fence();
    }
    ctx->last_kernel = names[dt];
    return VDK_OK;
}
