/* vdk_attention on the CPU, shared by its kernels: where the tokens of a
 * sequence lie in a (possibly strided) view, the description of one call, and
 * the P·V register tile both kernels use. */
#ifndef VDK_KERNELS_ATTENTION_H
#define VDK_KERNELS_ATTENTION_H

#include "vmath.h"

/* Where token g of a tensor lies, g = ((n*T + t)*H + h)*W + w counting over
 * every axis but the channels: the element offset of its channel 0. A
 * cross-attention k or v [N, L, C] is T = L, H = W = 1. */
typedef struct attn_tokens {
    int64_t T, H, W;
    int64_t sn, st, sh, sw;
} attn_tokens;

static inline attn_tokens attn_tokens_of(const vdk_tensor *t)
{
    if (t->rank == 3)
        return (attn_tokens){t->shape[1], 1, 1, t->stride[0], t->stride[1], 0, 0};
    return (attn_tokens){t->shape[1], t->shape[2], t->shape[3],
                         t->stride[0], t->stride[1], t->stride[2], t->stride[3]};
}

static inline int64_t attn_token_offset(const attn_tokens *m, int64_t g)
{
    const int64_t w = g % m->W;
    g /= m->W;
    const int64_t h = g % m->H;
    g /= m->H;
    return g / m->T * m->sn + g % m->T * m->st + h * m->sh + w * m->sw;
}

/* One call, as the kernels see it. Query sequence s has Sq tokens, token i being
 * token qfirst(s) + i * qstep of q and o; its keys are the Sk tokens
 * kfirst(s) + j * kstep of k and v. Head h is channels [h*D, (h+1)*D). */
typedef struct attn_job {
    vdk_dtype dt;
    const char *q, *k, *v;
    char *o;
    attn_tokens qm, km, vm, om;
    vdk_attention_axes axes; /* the query grouping (SPATIOTEMPORAL for cross) */
    bool cross;
    int64_t N, T, HW;        /* of q */
    int64_t seqs, Sq, Sk, qstep, kstep;
    int64_t heads, D, Dp;    /* Dp: D rounded up to VW, the f32 scratch row */
    float scale;
    int team;
} attn_job;

/* The first query token of sequence s (as the reference numbers them). */
static inline int64_t attn_qfirst(const attn_job *j, int64_t s)
{
    switch (j->axes) {
    case VDK_AXES_TEMPORAL: /* s = n*HW + hw */
        return s / j->HW * j->T * j->HW + s % j->HW;
    case VDK_AXES_SPATIOTEMPORAL:
        return s * j->T * j->HW;
    default:
        return s * j->HW;
    }
}

/* The first key token of sequence s: its own first query token for
 * self-attention, token n*L of k for cross-attention (sequence s is batch n). */
static inline int64_t attn_kfirst(const attn_job *j, int64_t s)
{
    return j->cross ? s * j->Sk : attn_qfirst(j, s);
}

/* Asks for the `bytes` at p to be brought into L2 ahead of use (a hint; no
 * fault on any address). The strided rows of temporal attention, 14-odd
 * streams per tensor, are more than the hardware prefetchers follow. */
static inline void attn_prefetch(const void *p, int64_t bytes, bool write)
{
    for (int64_t b = 0; b < bytes; b += 64) {
        if (write)
            __builtin_prefetch((const char *)p + b, 1, 2);
        else
            __builtin_prefetch((const char *)p + b, 0, 2);
    }
}

/* Bytes per element of the storage types the CPU takes (f32, f16, bf16). */
static inline int64_t attn_es(vdk_dtype dt) { return dt == VDK_F32 ? 4 : 2; }

static inline int64_t attn_round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

/* The register tile of the P·V product: VDK_GEMM_MR rows (queries) by
 * VDK_GEMM_NR columns (channels), a multiple of VW. */
#define ATTN_MR VDK_GEMM_MR
#define ATTN_NR VDK_GEMM_NR
#define ATTN_NV (ATTN_NR / VW)

/* Flash attention (spatial, spatio-temporal, cross, long temporal) and the
 * short-sequence temporal kernel. Each runs the whole call on job->team threads,
 * with `scratch` (attn_*_scratch bytes per thread) as working memory. */
size_t VDK_K(attn_flash_scratch)(const attn_job *j);
void VDK_K(attn_flash)(const attn_job *j, char *scratch, size_t per_thread);
size_t VDK_K(attn_short_scratch)(const attn_job *j);
void VDK_K(attn_short)(const attn_job *j, char *scratch, size_t per_thread);

/* acc[r][u] += sum_j p[r][j] v[j][u*VW ...] for the first `rows` rows (a
 * compile-time constant after inlining, at most ATTN_MR) and `nv` vectors of
 * columns: rows of p at stride ldp, rows of v at stride ldv, nk keys. The
 * accumulators stay in registers; each key costs nv loads of v, `rows`
 * broadcasts of p and rows * nv FMAs. */
VDK_INLINE void attn_pv_tile(vf acc[ATTN_MR][ATTN_NV], const int rows, const int nv,
                             const float *p, int64_t ldp, const float *v, int64_t ldv, int64_t nk)
{
    for (int64_t j = 0; j < nk; j++) {
        vf vv[ATTN_NV];
        for (int u = 0; u < nv; u++)
            vv[u] = vf_load(v + j * ldv + u * VW);
        for (int r = 0; r < rows; r++) {
            const vf pb = vf_set1(p[r * ldp + j]);
            for (int u = 0; u < nv; u++)
                acc[r][u] = vf_fma(pb, vv[u], acc[r][u]);
        }
    }
}

#endif
