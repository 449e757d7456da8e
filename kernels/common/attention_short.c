/* Temporal self-attention over short sequences (T frames, up to
 * ATTN_SHORT_MAX_T): every pixel (n, h, w) is a sequence whose tokens lie one
 * frame apart (stride H*W*C in a dense tensor). The whole T x T problem of one
 * (pixel, head) fits in L1, so the softmax is a plain (non-online) one over
 * each row of T scores, and the kernel is memory-bound: q, k and v are read
 * once, o is written once.
 *
 * Threads take contiguous ranges of pixels. A block of pixels is copied, frame
 * by frame (T sequential runs per tensor), into f32 scratch laid out
 * [pixel][head][token][channel]; it is computed there while the next block is
 * prefetched, and its o copied back the same way. The copies also keep the
 * compute off the raw layout, whose rows 4 KiB multiples apart would all fall
 * into the same L1 sets.
 *
 * Scores are taken query by query against VW keys at once: VW dot products
 * accumulated along the channels, then finished together by vf_hsum_each, so no
 * transpose of K is needed. P·V is the broadcast-FMA register tile of
 * attention.h, rows being queries, with each row's 1/sum applied as the tile
 * is stored. */
#include "attention.h"

#include <math.h>

/* The block's q, k, v and o in f32 scratch take about this many bytes, so that
 * they stay in L2 between the copy and the compute. */
#define BLOCK_BYTES (256 * 1024)

typedef struct short_scratch {
    float *qs, *ks, *vs, *os, *p, *inv;
    int64_t *offs; /* [2 blocks][q, k, v, o][pixel]: element offsets of frame 0 */
} short_scratch;

/* Rows of one (pixel, head) in scratch: T rounded up to VW (k's rows past T
 * are zeros, so that keys go VW at a time) and to ATTN_MR (the last P·V tile
 * writes whole tiles of o). */
static int64_t head_rows(const attn_job *j)
{
    const int64_t a = attn_round_up(j->Sq, VW), b = attn_round_up(j->Sq, ATTN_MR);
    return a > b ? a : b;
}

static int64_t head_floats(const attn_job *j) { return head_rows(j) * j->Dp; }

/* Pixels per block: BLOCK_BYTES of scratch, but no more than a thread's share
 * (a small call then neither allocates nor clears what it does not use). */
static int64_t block_pixels(const attn_job *j)
{
    const int64_t per_pixel = 4 * j->heads * head_floats(j) * (int64_t)sizeof(float);
    const int64_t share = (j->seqs + j->team - 1) / j->team;
    int64_t P = BLOCK_BYTES / per_pixel;
    P = P < share ? P : share;
    return P < 1 ? 1 : P;
}

static size_t short_layout(const attn_job *j, char *base, short_scratch *f)
{
    const int64_t T = j->Sq, Tp = attn_round_up(T, VW), Tr = attn_round_up(T, ATTN_MR);
    const int64_t block = attn_round_up(block_pixels(j) * j->heads * head_floats(j), 16);
    const int64_t sizes[6] = {block, block, block, block, attn_round_up(Tr * Tp, 16),
                              attn_round_up(Tr, 16)};
    float **parts[6] = {&f->qs, &f->ks, &f->vs, &f->os, &f->p, &f->inv};
    int64_t at = 0;
    for (int i = 0; i < 6; i++) {
        *parts[i] = base ? (float *)base + at : NULL;
        at += sizes[i];
    }
    f->offs = base ? (int64_t *)((float *)base + at) : NULL;
    at += attn_round_up(2 * 4 * block_pixels(j) * 2, 16);
    return (size_t)at * sizeof(float);
}

size_t VDK_K(attn_short_scratch)(const attn_job *j)
{
    short_scratch sizes_only;
    return short_layout(j, NULL, &sizes_only);
}

/* One row of D channels of dtype dt at src widened to f32 at dst, zeros up to
 * Dp; and back. */
VDK_INLINE void widen_row(vdk_dtype dt, const char *src, int64_t D, float *dst)
{
    int64_t c = 0;
    for (; c + VW <= D; c += VW)
        vf_store(dst + c, vdt_load(dt, src, c));
    if (c < D)
        vf_store(dst + c, vdt_load_n(dt, src, c, (int)(D - c)));
}

VDK_INLINE void narrow_row(vdk_dtype dt, const float *src, int64_t D, char *dst)
{
    int64_t c = 0;
    for (; c + VW <= D; c += VW)
        vdt_store(dt, dst, c, vf_load(src + c));
    if (c < D)
        vdt_store_n(dt, dst, c, vf_load(src + c), (int)(D - c));
}

/* Software prefetch of the next block of pixels, a few lines at a time from
 * inside the compute loops of this block, so that memory and arithmetic
 * overlap: issued in one burst, the prefetches would stall on the core's miss
 * buffers as the plain loads do. Rows go tensor by tensor (q, k, v to read, o
 * to write), frame by frame, pixel by pixel: runs that are contiguous in a
 * dense tensor. */
typedef struct pf_cursor {
    const int64_t *off; /* the next block's pixel offsets, [q, k, v, o][np] */
    int64_t np, p, t, w, b, bytes;
    const char *row;
} pf_cursor;

/* The tensor (q, k, v, o) and its token map, by number. */
VDK_INLINE const char *tensor_of(const attn_job *j, int64_t w)
{
    return w == 0 ? j->q : w == 1 ? j->k : w == 2 ? j->v : j->o;
}

VDK_INLINE const attn_tokens *map_of(const attn_job *j, int64_t w)
{
    return w == 0 ? &j->qm : w == 1 ? &j->km : w == 2 ? &j->vm : &j->om;
}

VDK_INLINE const char *pf_row(const attn_job *j, vdk_dtype dt, const pf_cursor *c)
{
    return tensor_of(j, c->w) + (c->off[c->w * c->np + c->p] + c->t * map_of(j, c->w)->st) *
                                    attn_es(dt);
}

VDK_INLINE pf_cursor pf_start(const attn_job *j, vdk_dtype dt, const int64_t *off, int64_t np)
{
    pf_cursor c = {off, np, 0, 0, np > 0 ? 0 : 4, 0, j->heads * j->D * attn_es(dt), NULL};
    if (np > 0)
        c.row = pf_row(j, dt, &c);
    return c;
}

VDK_INLINE void pf_step(const attn_job *j, vdk_dtype dt, pf_cursor *c, int64_t lines)
{
    for (; lines > 0 && c->w < 4; lines--) {
        attn_prefetch(c->row + c->b, 1, c->w == 3);
        c->b += 64;
        if (c->b >= c->bytes) {
            c->b = 0;
            if (++c->p == c->np) {
                c->p = 0;
                if (++c->t == j->Sq)
                    c->t = 0, c->w++;
            }
            if (c->w < 4)
                c->row = pf_row(j, dt, c);
        }
    }
}

/* The scores of query row qi against keys [j0, j0 + VW): lane jj is
 * q . k[j0 + jj]. Rows are Dp floats long, a multiple of VW. */
VDK_INLINE vf dot_keys(const float *qi, const float *k, int64_t ldk, int64_t j0, int64_t Dp)
{
    vf acc[VW];
    for (int jj = 0; jj < VW; jj++)
        acc[jj] = vf_zero();
    const float *kj = k + j0 * ldk;
    for (int64_t c = 0; c < Dp; c += VW) {
        const vf qv = vf_load(qi + c);
        for (int jj = 0; jj < VW; jj++)
            acc[jj] = vf_fma(qv, vf_load(kj + jj * ldk + c), acc[jj]);
    }
    return vf_hsum_each(acc);
}

/* p[i][0..T) = e^(s_i - max s_i) for every query i, inv[i] = 1 / sum. The
 * dot products of all rows go first and the softmax of all rows after, so that
 * neither waits on the other's latency. */
VDK_INLINE void scores(const float *q, int64_t ldq, const float *k, int64_t ldk, int64_t T,
                       int64_t Dp, float scale, float *p, float *inv, const attn_job *j,
                       vdk_dtype dt, pf_cursor *pf, int64_t pf_lines)
{
    const int64_t Tp = attn_round_up(T, VW);
    const vf sv = vf_set1(scale);
    /* added to the last group of scores: -inf on the missing keys (which
     * scored 0), so that they weigh nothing */
    float tail[VW];
    for (int jj = 0; jj < VW; jj++)
        tail[jj] = (Tp - VW + jj) < T ? 0.0f : -INFINITY;
    const vf tv = vf_load(tail);
    for (int64_t i = 0; i < T; i++) {
        pf_step(j, dt, pf, pf_lines);
        for (int64_t j0 = 0; j0 + VW < Tp; j0 += VW)
            vf_store(p + i * Tp + j0, vf_mul(dot_keys(q + i * ldq, k, ldk, j0, Dp), sv));
        vf_store(p + i * Tp + Tp - VW,
                 vf_fma(dot_keys(q + i * ldq, k, ldk, Tp - VW, Dp), sv, tv));
    }
    /* row by row, each pass's rows independent of one another: the maxima, the
     * exponentials and their sums, the reciprocals VW rows at a time */
    for (int64_t i = 0; i < T; i++) {
        vf mx = vf_load(p + i * Tp);
        for (int64_t j0 = VW; j0 < Tp; j0 += VW)
            mx = vf_max(mx, vf_load(p + i * Tp + j0));
        inv[i] = vf_hmax(mx);
    }
    for (int64_t i = 0; i < T; i++) {
        float *s = p + i * Tp;
        const vf mv = vf_set1(inv[i]);
        vf sum = vf_zero();
        for (int64_t j0 = 0; j0 < Tp; j0 += VW) {
            const vf e = vf_exp(vf_sub(vf_load(s + j0), mv));
            vf_store(s + j0, e);
            sum = vf_add(sum, e);
        }
        inv[i] = vf_hsum(sum);
    }
    const vf one = vf_set1(1.0f);
    int64_t i = 0;
    for (; i + VW <= T; i += VW)
        vf_store(inv + i, vf_div(one, vf_load(inv + i)));
    for (; i < T; i++)
        inv[i] = 1.0f / inv[i];
}

/* o rows [0, rows) = inv[i] * sum_j p[i][j] v[j], into f32 rows of Dp floats;
 * `rows` is the register tile's height, a constant. */
VDK_INLINE void pv_rows(const int rows, const float *p, int64_t Tp, const float *inv,
                        const float *v, int64_t T, int64_t Dp, float *o)
{
    vf acc[ATTN_MR][ATTN_NV];
    for (int64_t c = 0; c < Dp;) {
        const int nv = c + ATTN_NR <= Dp ? ATTN_NV : 1;
        for (int r = 0; r < rows; r++)
            for (int u = 0; u < ATTN_NV; u++)
                acc[r][u] = vf_zero();
        if (nv == ATTN_NV)
            attn_pv_tile(acc, rows, ATTN_NV, p, Tp, v + c, Dp, T);
        else
            attn_pv_tile(acc, rows, 1, p, Tp, v + c, Dp, T);
        for (int r = 0; r < rows; r++) {
            const vf iv = vf_set1(inv[r]);
            for (int u = 0; u < nv; u++)
                vf_store(o + r * Dp + c + u * VW, vf_mul(acc[r][u], iv));
        }
        c += nv * VW;
    }
}

/* off[w * np + p]: where frame 0 of pixel s + p lies in tensor w (q, k, v, o). */
VDK_INLINE void pixel_offsets(const attn_job *j, int64_t s, int64_t np, int64_t *off)
{
    for (int64_t w = 0; w < 4; w++)
        for (int64_t p = 0; p < np; p++)
            off[w * np + p] = attn_token_offset(map_of(j, w), attn_qfirst(j, s + p));
}

/* Moves the rows of np pixels (frame 0 of pixel p at element off[p] of tensor
 * w), every head, between tensor w and the block scratch
 * [pixel][head][row][Dp], frame by frame: for each frame the pixels' rows are
 * neighbours in a dense tensor, so the tensor is walked in T sequential runs. */
VDK_INLINE void gather(const attn_job *j, vdk_dtype dt, int64_t w, const int64_t *off, int64_t np,
                       float *dst)
{
    const int64_t es = attn_es(dt), hf = head_floats(j), st = map_of(j, w)->st;
    for (int64_t t = 0; t < j->Sq; t++)
        for (int64_t p = 0; p < np; p++) {
            const char *row = tensor_of(j, w) + (off[p] + t * st) * es;
            for (int64_t h = 0; h < j->heads; h++)
                widen_row(dt, row + h * j->D * es, j->D,
                          dst + (p * j->heads + h) * hf + t * j->Dp);
        }
}

VDK_INLINE void scatter(const attn_job *j, vdk_dtype dt, const int64_t *off, int64_t np,
                        const float *src)
{
    const int64_t es = attn_es(dt), hf = head_floats(j), st = j->om.st;
    for (int64_t t = 0; t < j->Sq; t++)
        for (int64_t p = 0; p < np; p++) {
            char *row = j->o + (off[p] + t * st) * es;
            for (int64_t h = 0; h < j->heads; h++)
                narrow_row(dt, src + (p * j->heads + h) * hf + t * j->Dp, j->D,
                           row + h * j->D * es);
        }
}

VDK_INLINE void run(const attn_job *j, vdk_dtype dt, char *scratch, size_t per_thread)
{
    const int64_t T = j->Sq, Dp = j->Dp, Tp = attn_round_up(T, VW), hf = head_floats(j);
    const int64_t P = block_pixels(j);
#pragma omp parallel num_threads(j->team)
    {
        short_scratch f;
        short_layout(j, scratch + per_thread * (size_t)vdk_cpu_thread_id(), &f);
        /* zeros that are never overwritten: the rows of p past T (the padded
         * rows of the last tile) and the rows of k past T (the padded keys) */
        memset(f.p, 0, (size_t)(attn_round_up(T, ATTN_MR) * Tp) * sizeof(float));
        memset(f.inv, 0, (size_t)attn_round_up(T, ATTN_MR) * sizeof(float));
        for (int64_t ph = 0; ph < P * j->heads; ph++)
            memset(f.ks + ph * hf + T * Dp, 0, (size_t)((head_rows(j) - T) * Dp) * sizeof(float));
        int64_t s0, s1;
        vdk_cpu_split(j->seqs, vdk_cpu_team_size(), vdk_cpu_thread_id(), &s0, &s1);
        int64_t *off = f.offs, *next_off = f.offs + 4 * P;
        if (s0 < s1)
            pixel_offsets(j, s0, s1 - s0 < P ? s1 - s0 : P, off);
        for (int64_t s = s0; s < s1; s += P) {
            const int64_t np = s1 - s < P ? s1 - s : P;
            gather(j, dt, 0, off, np, f.qs);
            gather(j, dt, 1, off + np, np, f.ks);
            gather(j, dt, 2, off + 2 * np, np, f.vs);
            const int64_t next = s + np < s1 ? (s1 - s - np < P ? s1 - s - np : P) : 0;
            pixel_offsets(j, s + np, next, next_off);
            pf_cursor pf = pf_start(j, dt, next_off, next);
            /* lines per prefetch point: T score rows and the P·V tiles of each
             * (pixel, head) of this block */
            const int64_t points = np * j->heads * (T + (T + ATTN_MR - 1) / ATTN_MR);
            const int64_t pf_lines = (4 * T * next * ((pf.bytes + 63) / 64) + points - 1) / points;
            for (int64_t ph = 0; ph < np * j->heads; ph++) {
                scores(f.qs + ph * hf, Dp, f.ks + ph * hf, Dp, T, Dp, j->scale, f.p, f.inv, j, dt,
                       &pf, pf_lines);
                float *o = f.os + ph * hf;
                for (int64_t i0 = 0; i0 < T; i0 += ATTN_MR) {
                    const float *pi = f.p + i0 * Tp;
                    pf_step(j, dt, &pf, pf_lines);
                    /* the last tile may run past T into the scratch's padded rows */
                    if (ATTN_MR > 1 && T - i0 <= ATTN_MR / 2)
                        pv_rows(ATTN_MR / 2, pi, Tp, f.inv + i0, f.vs + ph * hf, T, Dp,
                                o + i0 * Dp);
                    else
                        pv_rows(ATTN_MR, pi, Tp, f.inv + i0, f.vs + ph * hf, T, Dp, o + i0 * Dp);
                }
            }
            scatter(j, dt, off + 3 * np, np, f.os);
            int64_t *swap = off;
            off = next_off, next_off = swap;
        }
    }
}

void VDK_K(attn_short)(const attn_job *j, char *scratch, size_t per_thread)
{
    VDK_DTYPE_DISPATCH(j->dt, run(j, DT, scratch, per_thread));
}
