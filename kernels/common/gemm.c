/* The GEMM driver behind vdk_linear and vdk_conv3d (gemm.h).
 *
 * Loop nest of one thread, which owns a rectangle of rows x panels:
 *   N-block (panels whose f32 partial sums fit the C buffer)
 *     M-block (rows whose A block of one K-block fits half of L2)
 *       K-block (its B slice of one panel and a tile's MR A rows fit L1)
 *         A block packed into MR-interleaved tiles (rows read in place, or
 *         widened / im2col'd first)
 *         panel p: tile of MR rows: micro-kernel; after the last K-block, epilogue
 * so a panel's B slice stays in L1 across the M-block's tiles, and the packed A
 * block in L2 across the panels. With one K-block (K small, or a conv with Cin small enough)
 * the partial sums never leave a stack tile. Each output sums its K-blocks in the
 * same order whatever the thread count, so the result does not depend on it. */
#include "gemm.h"

#include "vmath.h"

enum { MR = VDK_GEMM_MR, NR = VDK_GEMM_NR };

/* Everything one call decides before its threads start. */
typedef struct plan {
    vdk_dtype dt;
    int64_t M, N, K, Cin, taps;
    vdk_activation act;
    bool geglu;
    int64_t half;   /* output columns per panel: NR, or NR/2 for GEGLU (a and g halves) */
    int64_t panels; /* ceil(N / half) */
    /* K-blocks: block b is [seg (b / nsub) + kl (b % nsub), + min(kl, seg - kl (b % nsub)))
     * of K seen as K / seg segments; seg = Cin keeps every block inside one tap. */
    int64_t seg, nsub, kl, nkb;
    bool direct;   /* f32 with every K-block inside one tap: A rows packed from x as they lie */
    int64_t mc;    /* rows per M-block, a multiple of MR */
    int64_t ncp;   /* panels per N-block */
    int64_t pstep; /* panels packed at a time (bounds the packed copy of w) */
    int team, pm, pn;
    const float *bias;  /* panels NR (+ VW) entries in panel order, 0 where absent */
    const float *zeros; /* kl zeros: an out-of-range tap in direct mode, rows past M */
    /* strides of x, for conv */
    int64_t xs[4];
} plan;

/* Per-thread scratch, carved from one allocation. */
typedef struct scratch {
    int64_t *yoff; /* y offset per row of the M-block */
    int64_t *roff; /* residual offset per row */
    int64_t *meta; /* per row: x offset (linear) or 4 values (conv) */
    float *apack;  /* mc x kl: the packed A block, MR-interleaved tiles */
    float *abuf;   /* MR x kl: widened / im2col rows of one tile (not direct) */
    float *cbuf;   /* f32 partial sums of an M-block x N-block (nkb > 1) */
    float *tile;   /* MR x NR (+ VW) */
} scratch;

static int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
static size_t up64(size_t n) { return (n + 63) & ~(size_t)63; }

/* n elements of dtype dt at src, widened to f32 at dst. */
VDK_INLINE void widen(vdk_dtype dt, const void *src, float *dst, int64_t n)
{
    int64_t i = 0;
    for (; i + VW <= n; i += VW)
        vf_store(dst + i, vdt_load(dt, src, i));
    for (; i < n; i++)
        dst[i] = vdt_load1(dt, src, i);
}

/* The source column of x w^T in slot j of panel p, or -1 for padding. GEGLU panels
 * hold half a-columns and, at the same slots + half, their g-columns, so that the
 * epilogue pairs them inside one tile. */
static int64_t panel_column(const plan *pl, int64_t p, int64_t j)
{
    if (!pl->geglu) {
        const int64_t n = p * NR + j;
        return n < pl->N ? n : -1;
    }
    const int64_t jj = j < pl->half ? j : j - pl->half, n = p * pl->half + jj;
    if (n >= pl->N)
        return -1;
    return j < pl->half ? n : pl->N + n;
}

/* The bias entries of panel p, in its column order (0 for padding, or no bias). */
VDK_INLINE void pack_bias(const plan *pl, const vdk_gemm_args *g, vdk_dtype dt, int64_t p,
                          float *bias)
{
    const char *b = g->bias ? vdk_cpu_data(g->bias) : NULL;
    for (int64_t j = 0; j < NR; j++) {
        const int64_t n = panel_column(pl, p, j);
        bias[p * NR + j] = n >= 0 && b ? vdt_load1(dt, b, n * g->bias->stride[0]) : 0.0f;
    }
}

/* Packs panel p of B (B[k][n] = w row (n taps + k / Cin), element k % Cin) into
 * dst (K x NR), and its bias entries. */
VDK_INLINE void pack_panel(const plan *pl, const vdk_gemm_args *g, vdk_dtype dt, int64_t p,
                           float *dst, float *bias)
{
    const size_t es = vdk_dtype_size(dt);
    const char *w = vdk_cpu_data(g->w);
    float tmp[256];
    pack_bias(pl, g, dt, p, bias);
    for (int64_t j = 0; j < NR; j++) {
        const int64_t n = panel_column(pl, p, j);
        if (n < 0) {
            for (int64_t k = 0; k < pl->K; k++)
                dst[k * NR + j] = 0.0f;
            continue;
        }
        for (int64_t t = 0; t < pl->taps; t++) {
            const char *src = w + vdk_cpu_row_offset(g->w, n * pl->taps + t) * (int64_t)es;
            float *d = dst + t * pl->Cin * NR + j;
            for (int64_t c0 = 0; c0 < pl->Cin; c0 += 256) {
                const int64_t len = imin(256, pl->Cin - c0);
                widen(dt, src + c0 * (int64_t)es, tmp, len);
                for (int64_t c = 0; c < len; c++)
                    d[(c0 + c) * NR] = tmp[c];
            }
        }
    }
}

/* Row metadata of rows [m0, m0 + rows): offsets of y and residual rows, and of x
 * rows (linear) or (x offset of n, first t, h, w of the receptive field) (conv). */
static void row_meta(const plan *pl, const vdk_gemm_args *g, int64_t m0, int64_t rows, scratch *s)
{
    for (int64_t i = 0; i < rows; i++) {
        const int64_t m = m0 + i;
        s->yoff[i] = vdk_cpu_row_offset(g->y, m);
        if (g->residual)
            s->roff[i] = vdk_cpu_row_offset(g->residual, m);
        if (!g->conv) {
            s->meta[i] = vdk_cpu_row_offset(g->x, m);
            continue;
        }
        const vdk_gemm_conv *c = g->conv;
        const int64_t wo = m % c->Wo, ho = m / c->Wo % c->Ho, to = m / (c->Wo * c->Ho) % c->To,
                      n = m / (c->Wo * c->Ho * c->To);
        int64_t *mt = s->meta + 4 * i;
        mt[0] = n * pl->xs[0];
        mt[1] = to * c->stride[0] - c->pad[0];
        mt[2] = ho * c->stride[1] - c->pad[1];
        mt[3] = wo * c->stride[2] - c->pad[2];
    }
}

/* Row i of the M-block's A over [k0, k0 + len): a pointer to len f32 values. */
VDK_INLINE const float *a_row(const plan *pl, const vdk_gemm_args *g, vdk_dtype dt,
                              const scratch *s, int64_t i, int64_t k0, int64_t len, float *buf)
{
    const size_t es = vdk_dtype_size(dt);
    const char *x = vdk_cpu_data(g->x);
    if (!g->conv) {
        const char *src = x + (s->meta[i] + k0) * (int64_t)es;
        if (pl->direct)
            return (const float *)src;
        widen(dt, src, buf, len);
        return buf;
    }
    const vdk_gemm_conv *c = g->conv;
    const int64_t *mt = s->meta + 4 * i;
    int64_t tap = k0 / pl->Cin, ci = k0 - tap * pl->Cin;
    int64_t kc = tap % c->k[2], kb = tap / c->k[2] % c->k[1], ka = tap / (c->k[2] * c->k[1]);
    for (int64_t done = 0; done < len;) {
        const int64_t n = imin(pl->Cin - ci, len - done);
        const int64_t ti = mt[1] + ka, hi = mt[2] + kb, wi = mt[3] + kc;
        const bool in = ti >= 0 && ti < c->T && hi >= 0 && hi < c->H && wi >= 0 && wi < c->W;
        const char *src =
            x + (mt[0] + ti * pl->xs[1] + hi * pl->xs[2] + wi * pl->xs[3] + ci) * (int64_t)es;
        if (pl->direct)
            return in ? (const float *)src : pl->zeros;
        if (in)
            widen(dt, src, buf + done, n);
        else
            memset(buf + done, 0, (size_t)n * sizeof(float));
        done += n;
        ci = 0;
        if (++kc == c->k[2]) {
            kc = 0;
            if (++kb == c->k[1]) {
                kb = 0;
                ka++;
            }
        }
    }
    return buf;
}

/* The MR rows rp[r][0, len) of a tile into dst[k MR + r]: one contiguous stream
 * for the micro-kernel. */
VDK_INLINE void pack_tile(const float *const *rp, int64_t len, float *dst)
{
    for (int64_t k = 0; k < len; k++)
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++)
            dst[k * MR + r] = rp[r][k];
}

/* bias, activation (or GEGLU's a * gelu(g)), residual, narrowing: rows [0, mr) of
 * tile t (row stride NR) into panel p's output columns of the rows at yoff. The
 * residual element is read just before y's is written, so residual == y works. */
VDK_INLINE void epilogue(const plan *pl, const vdk_gemm_args *g, vdk_dtype dt, const float *t,
                         int64_t p, int64_t mr, const int64_t *yoff, const int64_t *roff)
{
    const size_t es = vdk_dtype_size(dt);
    const int64_t col0 = p * pl->half, ow = imin(pl->half, pl->N - col0);
    const float *bias = pl->bias + p * NR;
    char *y = vdk_cpu_data(g->y);
    const char *res = g->residual ? vdk_cpu_data(g->residual) : NULL;
    for (int64_t r = 0; r < mr; r++) {
        const float *tr = t + r * NR;
        char *yr = y + yoff[r] * (int64_t)es;
        const char *rr = res ? res + roff[r] * (int64_t)es : NULL;
        for (int64_t j = 0; j < ow; j += VW) {
            const int n = (int)imin(VW, ow - j);
            vf v = vf_add(vf_load(tr + j), vf_load(bias + j));
            if (pl->geglu)
                v = vf_mul(
                    v, vf_gelu(vf_add(vf_load(tr + pl->half + j), vf_load(bias + pl->half + j))));
            else
                v = vf_activate(pl->act, v);
            if (n == VW) {
                if (rr)
                    v = vf_add(v, vdt_load(dt, rr, col0 + j));
                vdt_store(dt, yr, col0 + j, v);
            } else {
                if (rr)
                    v = vf_add(v, vdt_load_n(dt, rr, col0 + j, n));
                vdt_store_n(dt, yr, col0 + j, v, n);
            }
        }
    }
}

/* The work of one thread: rows [r0, r1) x panels [p0, p1), panel p packed at
 * bp + (p - P0) K NR. */
VDK_INLINE void run_thread(const plan *pl, const vdk_gemm_args *g, vdk_dtype dt, scratch *s,
                           int64_t r0, int64_t r1, int64_t p0, int64_t p1, const float *bp,
                           int64_t P0)
{
    if (r0 >= r1 || p0 >= p1)
        return;
    const int64_t R = r1 - r0, nmb = cdiv(R, pl->mc);
    const int64_t mc = cdiv(cdiv(R, nmb), MR) * MR; /* even M-blocks */
    for (int64_t nb0 = p0; nb0 < p1; nb0 += pl->ncp) {
        const int64_t nb1 = imin(p1, nb0 + pl->ncp);
        for (int64_t mb0 = r0; mb0 < r1; mb0 += mc) {
            const int64_t rows = imin(mc, r1 - mb0), tiles = cdiv(rows, MR);
            row_meta(pl, g, mb0, rows, s);
            for (int64_t kb = 0; kb < pl->nkb; kb++) {
                const int64_t sub = kb % pl->nsub;
                const int64_t k0 = pl->seg * (kb / pl->nsub) + pl->kl * sub;
                const int64_t len = imin(pl->kl, pl->seg - pl->kl * sub);
                const bool last = kb == pl->nkb - 1;
                for (int64_t it = 0; it < tiles; it++) {
                    const float *rp[MR];
                    for (int r = 0; r < MR; r++) {
                        const int64_t i = it * MR + r;
                        /* rows past M: computed, never stored */
                        rp[r] = i < rows ? a_row(pl, g, dt, s, i, k0, len, s->abuf + r * pl->kl)
                                         : pl->zeros;
                    }
                    pack_tile(rp, len, s->apack + it * MR * len);
                }
                for (int64_t p = nb0; p < nb1; p++) {
                    const float *b = bp + ((p - P0) * pl->K + k0) * NR;
                    for (int64_t it = 0; it < tiles; it++) {
                        float *c = pl->nkb == 1
                                       ? s->tile
                                       : s->cbuf + ((p - nb0) * (pl->mc / MR) + it) * MR * NR;
                        vdk_gemm_tile(len, s->apack + it * MR * len, b, c, NR, kb > 0);
                        if (last)
                            epilogue(pl, g, dt, c, p, imin(MR, rows - it * MR), s->yoff + it * MR,
                                     s->roff + it * MR);
                    }
                }
            }
        }
    }
}

VDK_INLINE void run(const plan *pl, const vdk_gemm_args *g, vdk_dtype dt, char *scr,
                    size_t per_thread, float *bp, float *bias)
{
#pragma omp parallel num_threads(pl->team)
    {
        const int tid = vdk_cpu_thread_id(), team = vdk_cpu_team_size();
        /* the team may be smaller than asked; the partition assumed pm x pn */
        const int pm = team == pl->team ? pl->pm : team, pn = team == pl->team ? pl->pn : 1;
        char *base = scr + (size_t)tid * per_thread;
        const int64_t mcr = pl->mc;
        scratch s;
        s.yoff = (int64_t *)base;
        base += up64((size_t)mcr * sizeof(int64_t));
        s.roff = (int64_t *)base;
        base += up64((size_t)mcr * sizeof(int64_t));
        s.meta = (int64_t *)base;
        base += up64((size_t)mcr * 4 * sizeof(int64_t));
        s.tile = (float *)base;
        base += up64((MR * NR + VW) * sizeof(float));
        s.apack = (float *)base;
        base += up64((size_t)(mcr * pl->kl) * sizeof(float));
        s.abuf = (float *)base;
        base += pl->direct ? 0 : up64((size_t)(MR * pl->kl) * sizeof(float));
        s.cbuf = (float *)base;
        int64_t r0, r1;
        vdk_cpu_split(cdiv(pl->M, MR), pm, tid / pn, &r0, &r1);
        r0 *= MR;
        r1 = imin(r1 * MR, pl->M);
        for (int64_t P0 = 0; P0 < pl->panels; P0 += pl->pstep) {
            const int64_t P1 = imin(pl->panels, P0 + pl->pstep);
            int64_t b, e;
            vdk_cpu_split(P1 - P0, team, tid, &b, &e);
            for (int64_t p = P0 + b; p < P0 + e; p++)
                pack_panel(pl, g, dt, p, bp + (p - P0) * pl->K * NR, bias);
#pragma omp barrier
            vdk_cpu_split(P1 - P0, pn, tid % pn, &b, &e);
            run_thread(pl, g, dt, &s, r0, r1, P0 + b, P0 + e, bp, P0);
            /* before the next packing overwrites panels still in use */
#pragma omp barrier
        }
    }
}

/* ---- few rows (linear, and convs on the coarsest levels): dot products straight from w ---- */

/* Up to this many rows of x, w is read in place, each of its rows dotted with every
 * row of x: packing B (a scatter of all of w) would cost more than the product,
 * which is then bound by reading w once. Measured for 1280 -> 1280 on AVX2: 8x
 * faster than the GEMM at 4 rows, even at 32. */
enum { FEW_ROWS = 24, DOT_ROWS = 4 };

/* out[m NR] = x row m . w row, for m < rows (a constant at every call); x rows are
 * f32 at xb with stride kp, zero from K to kp. Two accumulators per row hide the
 * FMA latency when rows is 1. */
VDK_INLINE void dot_rows(vdk_dtype dt, int rows, const float *xb, int64_t kp, int64_t K,
                         const void *wr, float *out)
{
    vf acc[DOT_ROWS][2];
    for (int m = 0; m < rows; m++)
        acc[m][0] = acc[m][1] = vf_zero();
    int64_t k = 0;
    for (; k + 2 * VW <= K; k += 2 * VW) {
        const vf w0 = vdt_load(dt, wr, k), w1 = vdt_load(dt, wr, k + VW);
        for (int m = 0; m < rows; m++) {
            acc[m][0] = vf_fma(vf_load(xb + m * kp + k), w0, acc[m][0]);
            acc[m][1] = vf_fma(vf_load(xb + m * kp + k + VW), w1, acc[m][1]);
        }
    }
    for (; k < K; k += VW) {
        const vf w0 = K - k >= VW ? vdt_load(dt, wr, k) : vdt_load_n(dt, wr, k, (int)(K - k));
        for (int m = 0; m < rows; m++)
            acc[m][0] = vf_fma(vf_load(xb + m * kp + k), w0, acc[m][0]);
    }
    for (int m = 0; m < rows; m++)
        out[m * NR] = vf_hsum(vf_add(acc[m][0], acc[m][1]));
}

VDK_INLINE void run_few(const plan *pl, const vdk_gemm_args *g, vdk_dtype dt, float *xb, int64_t kp,
                        float *bias, int64_t *yoff, int64_t *roff, int64_t *meta)
{
    const size_t es = vdk_dtype_size(dt);
    const char *w = vdk_cpu_data(g->w);
    /* A conv's rows are im2col'd whole (every tap), a linear's widened. */
    scratch s = {.yoff = yoff, .roff = roff, .meta = meta};
    row_meta(pl, g, 0, pl->M, &s);
    for (int64_t m = 0; m < pl->M; m++) {
        a_row(pl, g, dt, &s, m, 0, pl->K, xb + m * kp);
        memset(xb + m * kp + pl->K, 0, (size_t)(kp - pl->K) * sizeof(float));
        if (!g->residual)
            roff[m] = 0;
    }
#pragma omp parallel for num_threads(pl->team) schedule(static)
    for (int64_t p = 0; p < pl->panels; p++) {
        float t[FEW_ROWS * NR + VW];
        pack_bias(pl, g, dt, p, bias);
        for (int64_t j = 0; j < NR; j++) {
            const int64_t n = panel_column(pl, p, j);
            if (n < 0) {
                for (int64_t m = 0; m < pl->M; m++)
                    t[m * NR + j] = 0.0f;
                continue;
            }
            const char *wr = w + vdk_cpu_row_offset(g->w, n * pl->taps) * (int64_t)es;
            for (int64_t m0 = 0; m0 < pl->M; m0 += DOT_ROWS) {
                const float *xr = xb + m0 * kp;
                float *o = t + m0 * NR + j;
                switch (imin(DOT_ROWS, pl->M - m0)) {
                case 1: dot_rows(dt, 1, xr, kp, pl->K, wr, o); break;
                case 2: dot_rows(dt, 2, xr, kp, pl->K, wr, o); break;
                case 3: dot_rows(dt, 3, xr, kp, pl->K, wr, o); break;
                default: dot_rows(dt, 4, xr, kp, pl->K, wr, o); break;
                }
            }
        }
        epilogue(pl, g, dt, t, p, pl->M, yoff, roff);
    }
}

/* Whether the taps x Cin weights of each output lie in one contiguous row of w,
 * as the dot products read them (offsets are affine in the output index, so
 * output 0 tells for all). */
static bool w_rows_dense(const plan *pl, const vdk_gemm_args *g)
{
    const int64_t first = vdk_cpu_row_offset(g->w, 0);
    for (int64_t t = 1; t < pl->taps; t++)
        if (vdk_cpu_row_offset(g->w, t) != first + t * pl->Cin)
            return false;
    return true;
}

static vdk_status gemm_few(vdk_context *ctx, const vdk_gemm_args *g, plan *pl)
{
    const int64_t kp = cdiv(pl->K, VW) * VW;
    const size_t es = vdk_dtype_size(pl->dt);
    pl->team = vdk_cpu_team_for(ctx, pl->N * (pl->geglu ? 2 : 1) * pl->K * (int64_t)es);
    const size_t xb_bytes = up64((size_t)(pl->M * kp) * sizeof(float));
    const size_t bias_bytes = up64((size_t)(pl->panels * NR + VW) * sizeof(float));
    const size_t off_bytes = up64((size_t)pl->M * sizeof(int64_t));
    const size_t bytes = xb_bytes + bias_bytes + 6 * off_bytes;
    char *mem = vdk_cpu_alloc(bytes);
    if (!mem)
        return vdk_cpu_oom(ctx, g->op, bytes);
    float *xb = (float *)mem, *bias = (float *)(mem + xb_bytes);
    int64_t *yoff = (int64_t *)(mem + xb_bytes + bias_bytes), *roff = yoff + off_bytes / 8,
            *meta = roff + off_bytes / 8; /* 4 per row */
    memset(bias, 0, bias_bytes);
    pl->bias = bias;
    VDK_DTYPE_DISPATCH(pl->dt, run_few(pl, g, DT, xb, kp, bias, yoff, roff, meta));
    vdk_cpu_free(mem, bytes);
    return VDK_OK;
}

/* Sizes from the caches (defaults where hwloc does not know them). */
static void plan_blocks(plan *pl)
{
    const vdk_cpu_topology *topo = vdk_cpu_topology_get();
    const int64_t l1 = topo->l1d ? (int64_t)topo->l1d : 32 * 1024;
    const int64_t l2 = topo->l2 ? (int64_t)topo->l2 : 512 * 1024;
    /* A K-block's B slice (kl x NR f32) and the MR A rows of one tile in L1, with an
     * eighth left for the C tile and the stack: 325 on a 32 KiB L1 with a 6 x 16
     * tile, so that K = 320 (C = 320 models) is one block and the partial sums never
     * leave the registers; halving it to 160 measured about 8% slower. */
    const int64_t kmax = imax(16, l1 * 7 / 8 / ((NR + MR) * 4));
    /* Blocks inside one tap when Cin is large enough for blocks of useful length
     * (and then f32 rows are read in place); across taps otherwise. */
    const bool per_tap = pl->Cin * 2 >= kmax || pl->taps == 1;
    pl->seg = per_tap ? pl->Cin : pl->K;
    pl->nsub = cdiv(pl->seg, kmax);
    pl->kl = cdiv(pl->seg, pl->nsub);
    pl->nkb = (pl->K / pl->seg) * pl->nsub;
    pl->direct = per_tap && pl->dt == VDK_F32;
    /* A block (mc x kl f32) in half of L2 */
    pl->mc = imax(MR, l2 / 2 / (pl->kl * 4) / MR * MR);
    /* C buffer of an M-block x N-block in the other half of L2 */
    pl->ncp = pl->nkb == 1 ? pl->panels : imax(1, l2 / 2 / (pl->mc * NR * 4));
    /* The packed copy of w at most 64 MiB (one pass for every weight of SVD; a
     * 2048-channel 3x3 conv takes 3, each re-reading A once more). */
    pl->pstep = imin(pl->panels, imax(1, ((int64_t)64 << 20) / (pl->K * NR * 4)));
}

/* pm x pn = team threads over row tiles x panels: the split with the least work on
 * the busiest thread, fewer panel parts on a tie (they re-read A). */
static void plan_threads(plan *pl, int threads)
{
    const int64_t mt = cdiv(pl->M, MR), nt = pl->panels;
    const double flops = 2.0 * (double)pl->M * (double)(pl->panels * NR) * (double)pl->K;
    int64_t team = imin(threads, 1 + (int64_t)(flops / 4e6));
    team = imax(1, imin(team, mt * nt));
    int64_t best = -1;
    for (int64_t pn = 1; pn <= team; pn++) {
        if (team % pn)
            continue;
        const int64_t pm = team / pn, cost = cdiv(mt, pm) * cdiv(nt, pn);
        if (best < 0 || cost < best) {
            best = cost;
            pl->pm = (int)pm;
            pl->pn = (int)pn;
        }
    }
    pl->team = (int)team;
}

vdk_status VDK_K(gemm)(vdk_context *ctx, const vdk_gemm_args *g)
{
    plan pl = {0};
    pl.dt = g->x->dtype;
    pl.act = g->act;
    pl.geglu = g->act == VDK_ACT_GEGLU;
    pl.Cin = g->x->shape[g->x->rank - 1];
    pl.taps = g->conv ? g->conv->k[0] * g->conv->k[1] * g->conv->k[2] : 1;
    pl.K = pl.Cin * pl.taps;
    pl.N = g->y->shape[g->y->rank - 1];
    pl.M = vdk_numel_of(g->y->rank, g->y->shape) / pl.N;
    pl.half = pl.geglu ? NR / 2 : NR;
    pl.panels = cdiv(pl.N, pl.half);
    for (int a = 0; a < 4 && g->conv; a++)
        pl.xs[a] = g->x->stride[a];
    if (pl.M <= FEW_ROWS && w_rows_dense(&pl, g))
        return gemm_few(ctx, g, &pl);
    plan_blocks(&pl);
    plan_threads(&pl, vdk_cpu_threads(ctx));
    pl.mc = imin(pl.mc, cdiv(cdiv(pl.M, MR), pl.pm) * MR);

    const size_t bp_bytes = up64((size_t)(pl.pstep * NR * pl.K) * sizeof(float));
    const size_t bias_bytes = up64((size_t)(pl.panels * NR + VW) * sizeof(float));
    const size_t zero_bytes = up64((size_t)pl.kl * sizeof(float));
    const size_t mcr = (size_t)pl.mc;
    const size_t per_thread =
        2 * up64(mcr * sizeof(int64_t)) + up64(mcr * 4 * sizeof(int64_t)) +
        up64((MR * NR + VW) * sizeof(float)) + up64(mcr * (size_t)pl.kl * sizeof(float)) +
        (pl.direct ? 0 : up64((size_t)MR * (size_t)pl.kl * sizeof(float))) +
        (pl.nkb == 1 ? 0 : up64(((size_t)pl.ncp * mcr * NR + VW) * sizeof(float)));
    const size_t bytes = bp_bytes + bias_bytes + zero_bytes + (size_t)pl.team * per_thread;
    char *mem = vdk_cpu_alloc(bytes);
    if (!mem)
        return vdk_cpu_oom(ctx, g->op, bytes);
    float *bp = (float *)mem, *bias = (float *)(mem + bp_bytes);
    float *zeros = (float *)(mem + bp_bytes + bias_bytes);
    memset(bias, 0, bias_bytes);
    memset(zeros, 0, zero_bytes);
    pl.bias = bias;
    pl.zeros = zeros;
    char *scr = mem + bp_bytes + bias_bytes + zero_bytes;
    VDK_DTYPE_DISPATCH(pl.dt, run(&pl, g, DT, scr, per_thread, bp, bias));
    vdk_cpu_free(mem, bytes);
    return VDK_OK;
}
