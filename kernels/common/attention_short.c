/* Temporal self-attention over short sequences (T frames, up to
 * ATTN_SHORT_MAX_T): every pixel (n, h, w) is a sequence whose tokens lie one
 * frame apart (stride H*W*C in a dense tensor). It is memory-bound: the whole
 * T x T problem of one (pixel, head) fits in L1, so q, k and v are read from
 * their strided layout once, o is written once, and the softmax is a plain
 * (non-online) one over each row of T scores.
 *
 * Scores are taken query by query against VW keys at once: VW dot products
 * accumulated along the channels, then finished together by vf_hsum_each, so no
 * transpose of K is needed. P·V is the broadcast-FMA register tile of
 * attention.h, rows being queries, with the 1/sum of each row applied as the
 * tile is stored. f32 rows whose head width is a multiple of VW are used where
 * they lie; otherwise each (pixel, head) is first widened into f32 scratch rows
 * of Dp floats. Threads take contiguous ranges of pixels, all heads of a pixel
 * in turn, so that each thread streams through memory. */
#include "attention.h"

#include <math.h>

typedef struct short_scratch {
    float *qs, *ks, *vs, *p, *inv;
} short_scratch;

static size_t short_layout(const attn_job *j, char *base, short_scratch *f)
{
    const int64_t T = j->Sq, Tp = attn_round_up(T, VW), Tr = attn_round_up(T, ATTN_MR);
    const int64_t rows = attn_round_up(T * j->Dp, 16);
    const int64_t sizes[5] = {rows, rows, rows, attn_round_up(Tr * Tp, 16), attn_round_up(Tr, 16)};
    float **parts[5] = {&f->qs, &f->ks, &f->vs, &f->p, &f->inv};
    int64_t at = 0;
    for (int i = 0; i < 5; i++) {
        if (base)
            *parts[i] = (float *)base + at;
        at += sizes[i];
    }
    return (size_t)at * sizeof(float);
}

size_t VDK_K(attn_short_scratch)(const attn_job *j) { return short_layout(j, NULL, NULL); }

/* T rows of D channels (dtype dt, at src with row stride ld elements) widened
 * into dst rows of Dp floats, zeros past D. */
VDK_INLINE void widen_rows(vdk_dtype dt, const char *src, int64_t ld, int64_t T, int64_t D,
                           int64_t Dp, float *dst)
{
    const size_t es = vdk_dtype_size(dt);
    for (int64_t t = 0; t < T; t++) {
        const char *row = src + t * ld * (int64_t)es;
        float *out = dst + t * Dp;
        int64_t c = 0;
        for (; c + VW <= D; c += VW)
            vf_store(out + c, vdt_load(dt, row, c));
        if (c < D)
            vf_store(out + c, vdt_load_n(dt, row, c, (int)(D - c)));
    }
}

/* The scores of query row qi against keys [j0, j0 + nk), nk <= VW: lane jj is
 * q . k[j0 + jj] (0 past nk). Rows are Dp floats long, a multiple of VW. */
VDK_INLINE vf dot_keys(const float *qi, const float *k, int64_t ldk, int64_t j0, int64_t nk,
                       int64_t Dp)
{
    vf acc[VW];
    for (int jj = 0; jj < VW; jj++)
        acc[jj] = vf_zero();
    const float *kj = k + j0 * ldk;
    if (nk == VW) {
        for (int64_t c = 0; c < Dp; c += VW) {
            const vf qv = vf_load(qi + c);
            for (int jj = 0; jj < VW; jj++)
                acc[jj] = vf_fma(qv, vf_load(kj + jj * ldk + c), acc[jj]);
        }
    } else {
        for (int64_t c = 0; c < Dp; c += VW) {
            const vf qv = vf_load(qi + c);
            for (int64_t jj = 0; jj < nk; jj++)
                acc[jj] = vf_fma(qv, vf_load(kj + jj * ldk + c), acc[jj]);
        }
    }
    return vf_hsum_each(acc);
}

/* p[i][0..T) = e^(s_i - max s_i) for every query i, inv[i] = 1 / sum. */
VDK_INLINE void scores(const float *q, int64_t ldq, const float *k, int64_t ldk, int64_t T,
                       int64_t Dp, float scale, float *p, float *inv)
{
    const int64_t Tp = attn_round_up(T, VW);
    const vf sv = vf_set1(scale);
    for (int64_t i = 0; i < T; i++) {
        float *s = p + i * Tp;
        vf mx = vf_set1(-INFINITY);
        for (int64_t j0 = 0; j0 < T; j0 += VW) {
            const int64_t nk = T - j0 < VW ? T - j0 : VW;
            vf sc = vf_mul(dot_keys(q + i * ldq, k, ldk, j0, nk, Dp), sv);
            vf_store(s + j0, sc);
            if (nk < VW) {
                /* the missing keys of the last group scored 0: mask them */
                for (int64_t j = T; j < Tp; j++)
                    s[j] = -INFINITY;
                sc = vf_load(s + j0);
            }
            mx = vf_max(mx, sc);
        }
        const vf mv = vf_set1(vf_hmax(mx));
        vf sum = vf_zero();
        for (int64_t j0 = 0; j0 < Tp; j0 += VW) {
            const vf e = vf_exp(vf_sub(vf_load(s + j0), mv));
            vf_store(s + j0, e);
            sum = vf_add(sum, e);
        }
        inv[i] = 1.0f / vf_hsum(sum);
    }
}

/* Stores nv vectors of columns from c of the first n rows of acc, times inv[r],
 * as dt into o (row stride ldo elements), D channels per row. */
VDK_INLINE void store_tile(vdk_dtype dt, vf acc[ATTN_MR][ATTN_NV], const int rows, const int nv,
                           const float *inv, int64_t n, int64_t c, int64_t D, char *o,
                           int64_t ldo)
{
    const size_t es = vdk_dtype_size(dt);
    for (int r = 0; r < rows && r < n; r++) {
        const vf iv = vf_set1(inv[r]);
        char *dst = o + r * ldo * (int64_t)es;
        for (int u = 0; u < nv; u++) {
            const int64_t col = c + u * VW;
            if (col + VW <= D)
                vdt_store(dt, dst, col, vf_mul(acc[r][u], iv));
            else if (col < D)
                vdt_store_n(dt, dst, col, vf_mul(acc[r][u], iv), (int)(D - col));
        }
    }
}

/* o rows [0, n) (n <= rows) = inv[i] * sum_j p[i][j] v[j]; `rows` is the
 * register tile's height, a constant. Rows of p past T are zeros. */
VDK_INLINE void pv_rows(vdk_dtype dt, const int rows, const float *p, int64_t Tp,
                        const float *inv, const float *v, int64_t ldv, int64_t T, int64_t D,
                        int64_t Dp, char *o, int64_t ldo, int64_t n)
{
    vf acc[ATTN_MR][ATTN_NV];
    for (int64_t c = 0; c < Dp;) {
        const int nv = c + ATTN_NR <= Dp ? ATTN_NV : 1;
        for (int r = 0; r < rows; r++)
            for (int u = 0; u < ATTN_NV; u++)
                acc[r][u] = vf_zero();
        if (nv == ATTN_NV)
            attn_pv_tile(acc, rows, ATTN_NV, p, Tp, v + c, ldv, T);
        else
            attn_pv_tile(acc, rows, 1, p, Tp, v + c, ldv, T);
        store_tile(dt, acc, rows, nv, inv, n, c, D, o, ldo);
        c += nv * VW;
    }
}

VDK_INLINE void run(const attn_job *j, vdk_dtype dt, char *scratch, size_t per_thread)
{
    const size_t es = vdk_dtype_size(dt);
    const int64_t T = j->Sq, D = j->D, Dp = j->Dp, Tp = attn_round_up(T, VW);
    const bool direct = dt == VDK_F32 && D % VW == 0;
#pragma omp parallel num_threads(j->team)
    {
        short_scratch f;
        short_layout(j, scratch + per_thread * (size_t)vdk_cpu_thread_id(), &f);
        /* the rows of p past T feed the padded rows of the last tile */
        memset(f.p, 0, (size_t)(attn_round_up(T, ATTN_MR) * Tp) * sizeof(float));
        int64_t s0, s1;
        vdk_cpu_split(j->seqs, vdk_cpu_team_size(), vdk_cpu_thread_id(), &s0, &s1);
        for (int64_t s = s0; s < s1; s++) {
            const int64_t g = attn_qfirst(j, s);
            const char *qb = j->q + attn_token_offset(&j->qm, g) * (int64_t)es;
            const char *kb = j->k + attn_token_offset(&j->km, g) * (int64_t)es;
            const char *vb = j->v + attn_token_offset(&j->vm, g) * (int64_t)es;
            char *ob = j->o + attn_token_offset(&j->om, g) * (int64_t)es;
            for (int64_t h = 0; h < j->heads; h++) {
                const float *q = f.qs, *k = f.ks, *v = f.vs;
                int64_t ldq = Dp, ldk = Dp, ldv = Dp;
                if (direct) {
                    q = (const float *)qb + h * D, ldq = j->qm.st;
                    k = (const float *)kb + h * D, ldk = j->km.st;
                    v = (const float *)vb + h * D, ldv = j->vm.st;
                } else {
                    widen_rows(dt, qb + h * D * (int64_t)es, j->qm.st, T, D, Dp, f.qs);
                    widen_rows(dt, kb + h * D * (int64_t)es, j->km.st, T, D, Dp, f.ks);
                    widen_rows(dt, vb + h * D * (int64_t)es, j->vm.st, T, D, Dp, f.vs);
                }
                scores(q, ldq, k, ldk, T, Dp, j->scale, f.p, f.inv);
                char *oh = ob + h * D * (int64_t)es;
                for (int64_t i0 = 0; i0 < T; i0 += ATTN_MR) {
                    const int64_t n = T - i0 < ATTN_MR ? T - i0 : ATTN_MR;
                    const float *pi = f.p + i0 * Tp;
                    char *oi = oh + i0 * j->om.st * (int64_t)es;
                    if (ATTN_MR > 1 && n <= ATTN_MR / 2)
                        pv_rows(dt, ATTN_MR / 2, pi, Tp, f.inv + i0, v, ldv, T, D, Dp, oi,
                                j->om.st, n);
                    else
                        pv_rows(dt, ATTN_MR, pi, Tp, f.inv + i0, v, ldv, T, D, Dp, oi,
                                j->om.st, n);
                }
            }
        }
    }
}

void VDK_K(attn_short)(const attn_job *j, char *scratch, size_t per_thread)
{
    VDK_DTYPE_DISPATCH(j->dt, run(j, DT, scratch, per_thread));
}
