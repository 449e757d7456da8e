/* Flash attention on the CPU: for spatial, spatio-temporal and cross attention
 * (and temporal sequences too long for the short kernel). No score matrix is
 * ever formed: a block of queries meets one block of keys at a time, and an
 * online softmax keeps, per query, the running maximum m, the running sum l and
 * the output accumulator, rescaled by e^(m_old - m_new) when the maximum grows.
 *
 * Per (sequence, head) the keys are packed once into f32 scratch: K^T in panels
 * of ATTN_NR keys ([D][ATTN_NR] each), so that a score tile is a broadcast-FMA
 * GEMM tile (ATTN_MR queries x ATTN_NR keys), and V as rows of Dp floats for the
 * P·V tile. The work is split over (sequence, head, query block); a thread whose
 * range enters a new (sequence, head) packs that pair's keys again, so packing
 * is repeated at most once per extra thread. */
#include "attention.h"

#include <math.h>

/* Queries per block and keys per block: the block's K^T panels and V rows
 * (BK * D floats each) are reused by the BQ / ATTN_MR row tiles of the query
 * block while they sit in L1/L2. */
#define BQ (ATTN_MR * 8)
#define BK (ATTN_NR * 4)

/* The key block of a call: BK, or all keys at once when there are at most 2 BK
 * of them (cross-attention's 77 text tokens), so that a short key sequence
 * pays the per-block softmax and rescaling once. */
static int64_t key_block(const attn_job *j)
{
    return j->Sk <= 2 * BK ? attn_round_up(j->Sk, ATTN_NR) : BK;
}

/* The per-thread scratch, in floats, each part rounded to a cache line. */
typedef struct flash_scratch {
    float *kt, *vp, *qp, *acc, *st, *m, *l, *alpha, *row;
} flash_scratch;

static int64_t lines(int64_t floats) { return attn_round_up(floats, 16); }

static size_t flash_layout(const attn_job *j, char *base, flash_scratch *f)
{
    const int64_t panels = (j->Sk + ATTN_NR - 1) / ATTN_NR;
    const int64_t sizes[9] = {lines(panels * j->D * ATTN_NR), lines(j->Sk * j->Dp),
                              lines(BQ * j->Dp), lines(BQ * j->Dp), lines(ATTN_MR * key_block(j)),
                              lines(BQ), lines(BQ), lines(ATTN_MR), lines(j->Dp)};
    float **parts[9] = {&f->kt, &f->vp, &f->qp, &f->acc, &f->st, &f->m, &f->l, &f->alpha, &f->row};
    int64_t at = 0;
    for (int i = 0; i < 9; i++) {
        *parts[i] = base ? (float *)base + at : NULL;
        at += sizes[i];
    }
    return (size_t)at * sizeof(float);
}

size_t VDK_K(attn_flash_scratch)(const attn_job *j)
{
    flash_scratch sizes_only;
    return flash_layout(j, NULL, &sizes_only);
}

/* One row of D channels of dtype dt at `src`, widened to f32 into dst[0..Dp),
 * zeros past D, times `mul`. */
VDK_INLINE void load_row(vdk_dtype dt, const void *src, int64_t D, float *dst, float mul)
{
    const vf mv = vf_set1(mul);
    int64_t c = 0;
    for (; c + VW <= D; c += VW)
        vf_store(dst + c, vf_mul(vdt_load(dt, src, c), mv));
    if (c < D)
        vf_store(dst + c, vf_mul(vdt_load_n(dt, src, c, (int)(D - c)), mv));
}

/* K^T panels and V rows of the keys of sequence s, head h. */
VDK_INLINE void pack_keys(const attn_job *j, vdk_dtype dt, int64_t s, int64_t h,
                          const flash_scratch *f)
{
    const int64_t es = attn_es(dt);
    const int64_t D = j->D, Dp = j->Dp, k0 = attn_kfirst(j, s);
    for (int64_t t = 0; t < j->Sk; t++) {
        const int64_t g = k0 + t * j->kstep;
        load_row(dt, j->k + (attn_token_offset(&j->km, g) + h * D) * es, D, f->row, 1.0f);
        float *panel = f->kt + t / ATTN_NR * D * ATTN_NR + t % ATTN_NR;
        for (int64_t d = 0; d < D; d++)
            panel[d * ATTN_NR] = f->row[d];
        load_row(dt, j->v + (attn_token_offset(&j->vm, g) + h * D) * es, D,
                 f->vp + t * Dp, 1.0f);
    }
    /* the last panel's missing keys: zero scores, masked before the softmax */
    for (int64_t t = j->Sk; t % ATTN_NR; t++) {
        float *panel = f->kt + t / ATTN_NR * D * ATTN_NR + t % ATTN_NR;
        for (int64_t d = 0; d < D; d++)
            panel[d * ATTN_NR] = 0.0f;
    }
}

/* s[r][0..ATTN_NR) = q[r] . k for ATTN_MR query rows (stride ldq) and one K^T
 * panel: the GEMM register tile, q broadcast against ATTN_NV vectors of keys. */
VDK_INLINE void score_tile(const float *q, int64_t ldq, const float *kt, int64_t D, float *s,
                           int64_t lds)
{
    vf acc[ATTN_MR][ATTN_NV];
    for (int r = 0; r < ATTN_MR; r++)
        for (int u = 0; u < ATTN_NV; u++)
            acc[r][u] = vf_zero();
    for (int64_t d = 0; d < D; d++) {
        vf kv[ATTN_NV];
        for (int u = 0; u < ATTN_NV; u++)
            kv[u] = vf_load(kt + d * ATTN_NR + u * VW);
        for (int r = 0; r < ATTN_MR; r++) {
            const vf qb = vf_set1(q[r * ldq + d]);
            for (int u = 0; u < ATTN_NV; u++)
                acc[r][u] = vf_fma(qb, kv[u], acc[r][u]);
        }
    }
    for (int r = 0; r < ATTN_MR; r++)
        for (int u = 0; u < ATTN_NV; u++)
            vf_store(s + r * lds + u * VW, acc[r][u]);
}

/* The online softmax step of ATTN_MR rows of scores st[r][0..nk) (stride bk),
 * the keys past nk in the last vector masked by adding `tail` (0 or -inf):
 * st becomes e^(s - m_new), l and m are updated, and alpha[r] = e^(m_old - m_new)
 * is the factor the row's accumulator is rescaled by. */
VDK_INLINE void online_softmax(float *st, int64_t bk, int64_t nk, vf tail, float *m, float *l,
                               float *alpha)
{
    const int64_t nkv = attn_round_up(nk, VW);
    for (int r = 0; r < ATTN_MR; r++) {
        float *s = st + r * bk;
        if (nk < nkv)
            vf_store(s + nkv - VW, vf_add(vf_load(s + nkv - VW), tail));
        vf mx = vf_set1(m[r]);
        for (int64_t c = 0; c < nkv; c += VW)
            mx = vf_max(mx, vf_load(s + c));
        const float mnew = vf_hmax(mx);
        const vf mv = vf_set1(mnew);
        vf sum = vf_zero();
        for (int64_t c = 0; c < nkv; c += VW) {
            const vf e = vf_exp(vf_sub(vf_load(s + c), mv));
            vf_store(s + c, e);
            sum = vf_add(sum, e);
        }
        /* m is -inf before the first block: e^(-inf) = 0 clears the (zero) sums */
        const float a = vf_hmax(vf_exp(vf_set1(m[r] - mnew)));
        l[r] = l[r] * a + vf_hsum(sum);
        m[r] = mnew;
        alpha[r] = a;
    }
}

/* acc = alpha * acc + P V over the nk keys of one block, for the ATTN_MR rows
 * of one row tile, every column chunk of Dp. */
VDK_INLINE void pv_block(const float *p, int64_t bk, const float *v, int64_t Dp, int64_t nk,
                         float *acc, const float *alpha)
{
    vf a[ATTN_MR][ATTN_NV], av[ATTN_MR];
    for (int r = 0; r < ATTN_MR; r++)
        av[r] = vf_set1(alpha[r]);
    int64_t c = 0;
    for (; c + ATTN_NR <= Dp; c += ATTN_NR) {
        for (int r = 0; r < ATTN_MR; r++)
            for (int u = 0; u < ATTN_NV; u++)
                a[r][u] = vf_mul(vf_load(acc + r * Dp + c + u * VW), av[r]);
        attn_pv_tile(a, ATTN_MR, ATTN_NV, p, bk, v + c, Dp, nk);
        for (int r = 0; r < ATTN_MR; r++)
            for (int u = 0; u < ATTN_NV; u++)
                vf_store(acc + r * Dp + c + u * VW, a[r][u]);
    }
    for (; c < Dp; c += VW) {
        for (int r = 0; r < ATTN_MR; r++)
            a[r][0] = vf_mul(vf_load(acc + r * Dp + c), av[r]);
        attn_pv_tile(a, ATTN_MR, 1, p, bk, v + c, Dp, nk);
        for (int r = 0; r < ATTN_MR; r++)
            vf_store(acc + r * Dp + c, a[r][0]);
    }
}

/* Query block b (queries [b*BQ, b*BQ + BQ) of sequence s, head h) against all
 * keys, packed in f. */
VDK_INLINE void query_block(const attn_job *j, vdk_dtype dt, int64_t s, int64_t h, int64_t b,
                            const flash_scratch *f)
{
    const int64_t es = attn_es(dt);
    const int64_t D = j->D, Dp = j->Dp, i0 = b * BQ;
    const int64_t nq = j->Sq - i0 < BQ ? j->Sq - i0 : BQ;
    const int64_t tiles = (nq + ATTN_MR - 1) / ATTN_MR, q0 = attn_qfirst(j, s) + i0 * j->qstep;
    for (int64_t r = 0; r < tiles * ATTN_MR; r++) {
        if (r < nq)
            load_row(dt,
                     j->q + (attn_token_offset(&j->qm, q0 + r * j->qstep) + h * D) * es,
                     D, f->qp + r * Dp, j->scale);
        else
            memset(f->qp + r * Dp, 0, (size_t)Dp * sizeof(float));
        memset(f->acc + r * Dp, 0, (size_t)Dp * sizeof(float));
        f->m[r] = -INFINITY;
        f->l[r] = 0.0f;
    }
    const int64_t bk = key_block(j);
    /* -inf on the lanes of the last vector past the last key: added, not
     * stored lane by lane, so that no vector load waits on scalar stores */
    const int64_t last = j->Sk - (j->Sk - 1) / bk * bk;
    float tl[VW];
    for (int jj = 0; jj < VW; jj++)
        tl[jj] = attn_round_up(last, VW) - VW + jj < last ? 0.0f : -INFINITY;
    const vf tail = vf_load(tl);
    for (int64_t k0 = 0; k0 < j->Sk; k0 += bk) {
        const int64_t nk = j->Sk - k0 < bk ? j->Sk - k0 : bk;
        const int64_t panels = (nk + ATTN_NR - 1) / ATTN_NR;
        const float *kt = f->kt + k0 / ATTN_NR * D * ATTN_NR;
        for (int64_t t = 0; t < tiles; t++) {
            const float *qt = f->qp + t * ATTN_MR * Dp;
            for (int64_t pn = 0; pn < panels; pn++)
                score_tile(qt, Dp, kt + pn * D * ATTN_NR, D, f->st + pn * ATTN_NR, bk);
            online_softmax(f->st, bk, nk, tail, f->m + t * ATTN_MR, f->l + t * ATTN_MR,
                           f->alpha);
            pv_block(f->st, bk, f->vp + k0 * Dp, Dp, nk, f->acc + t * ATTN_MR * Dp, f->alpha);
        }
    }
    for (int64_t r = 0; r < nq; r++) {
        char *dst = j->o + (attn_token_offset(&j->om, q0 + r * j->qstep) + h * D) * es;
        const vf inv = vf_set1(1.0f / f->l[r]);
        const float *a = f->acc + r * Dp;
        int64_t c = 0;
        for (; c + VW <= D; c += VW)
            vdt_store(dt, dst, c, vf_mul(vf_load(a + c), inv));
        if (c < D)
            vdt_store_n(dt, dst, c, vf_mul(vf_load(a + c), inv), (int)(D - c));
    }
}

VDK_INLINE void run(const attn_job *j, vdk_dtype dt, char *scratch, size_t per_thread)
{
    const int64_t blocks = (j->Sq + BQ - 1) / BQ, units = j->seqs * j->heads * blocks;
#pragma omp parallel num_threads(j->team)
    {
        flash_scratch f;
        flash_layout(j, scratch + per_thread * (size_t)vdk_cpu_thread_id(), &f);
        int64_t u0, u1, packed = -1;
        vdk_cpu_split(units, vdk_cpu_team_size(), vdk_cpu_thread_id(), &u0, &u1);
        for (int64_t u = u0; u < u1; u++) {
            const int64_t pair = u / blocks, s = pair / j->heads, h = pair % j->heads;
            if (pair != packed) {
                pack_keys(j, dt, s, h, &f);
                packed = pair;
            }
            query_block(j, dt, s, h, u % blocks, &f);
        }
    }
}

void VDK_K(attn_flash)(const attn_job *j, char *scratch, size_t per_thread)
{
    VDK_DTYPE_DISPATCH(j->dt, run(j, DT, scratch, per_thread));
}
