/* Multi-head scaled dot-product attention, as
 * torch.nn.functional.scaled_dot_product_attention on [B, heads, L, D] views:
 * for every sequence, head and query token i,
 *   s_j = scale * <q_i, k_j>,  p_j = exp(s_j - max s) / sum exp(s - max s),
 *   o_i = sum_j p_j v_j,
 * over the head's D channels, everything in double. One score row per query; the
 * work is split over (sequence, head) pairs, each written by one thread. */
#include "ref.h"

/* Where the tokens of one sequence lie in a dense [N, T, H, W, C] (or [N, L, C])
 * array: token j of sequence s starts at element (first + j * step) * C. */
typedef struct token_layout {
    int64_t sequences; /* sequences in the whole tensor */
    int64_t count;     /* tokens per sequence */
    int64_t step;      /* tokens between consecutive tokens of a sequence */
} token_layout;

static token_layout layout_of(vdk_attention_axes axes, int64_t N, int64_t T, int64_t HW)
{
    switch (axes) {
    case VDK_AXES_TEMPORAL: /* pixel (n, hw): frames t at stride HW */
        return (token_layout){N * HW, T, HW};
    case VDK_AXES_SPATIOTEMPORAL: /* batch item n: all T*HW tokens */
        return (token_layout){N, T * HW, 1};
    default: /* VDK_AXES_SPATIAL, frame (n, t): its HW pixels */
        return (token_layout){N * T, HW, 1};
    }
}

/* The token index (in units of C elements) of token 0 of query sequence s. */
static int64_t first_token(vdk_attention_axes axes, int64_t s, int64_t T, int64_t HW)
{
    switch (axes) {
    case VDK_AXES_TEMPORAL: /* s = n*HW + hw */
        return (s / HW) * T * HW + s % HW;
    case VDK_AXES_SPATIOTEMPORAL: /* s = n */
        return s * T * HW;
    default: /* s = n*T + t */
        return s * HW;
    }
}

/* The batch item n of query sequence s. */
static int64_t batch_of(vdk_attention_axes axes, int64_t s, int64_t T, int64_t HW)
{
    switch (axes) {
    case VDK_AXES_TEMPORAL:
        return s / HW;
    case VDK_AXES_SPATIOTEMPORAL:
        return s;
    default:
        return s / T;
    }
}

vdk_status vdk_ref_attention(vdk_context *ctx, const vdk_attention_params *p,
                             const vdk_tensor *qt, const vdk_tensor *kt, const vdk_tensor *vt,
                             vdk_tensor *ot)
{
    const int64_t N = qt->shape[0], T = qt->shape[1], HW = qt->shape[2] * qt->shape[3],
                  C = qt->shape[4], heads = p->heads, D = C / heads;
    const bool cross = kt->rank == 3;
    const vdk_attention_axes axes = p->axes;
    const double scale = p->scale != 0 ? (double)p->scale : 1.0 / sqrt((double)D);
    const token_layout ql = layout_of(axes, N, T, HW);
    /* Self-attention keys follow the queries' grouping; cross-attention keys are
     * the L tokens of k[n]. */
    const int64_t Lk = cross ? kt->shape[1] : ql.count, kstep = cross ? 1 : ql.step;

    bool ok = true;
    double *q = vdk_ref_load(qt, &ok), *k = vdk_ref_load(kt, &ok), *v = vdk_ref_load(vt, &ok),
           *o = vdk_ref_alloc(N * T * HW * C, &ok);
    if (ok) {
        bool row_ok = true;
#pragma omp parallel for schedule(dynamic)
        for (int64_t sh = 0; sh < ql.sequences * heads; sh++) {
            const int64_t s = sh / heads, h = sh % heads;
            const int64_t q0 = first_token(axes, s, T, HW);
            const int64_t k0 = cross ? batch_of(axes, s, T, HW) * Lk : q0;
            /* This head's keys transposed, kh[d][j], so that the score loop below
             * runs over keys in its inner loop; each dot product still sums
             * d = 0, 1, ... D-1 in order. */
            double *kh = malloc((size_t)(D * Lk) * sizeof *kh);
            double *score = malloc((size_t)Lk * sizeof *score);
            if (!kh || !score) {
                free(kh);
                free(score);
#pragma omp atomic write
                row_ok = false;
                continue;
            }
            for (int64_t j = 0; j < Lk; j++)
                for (int64_t d = 0; d < D; d++)
                    kh[d * Lk + j] = k[(k0 + j * kstep) * C + h * D + d];
            for (int64_t i = 0; i < ql.count; i++) {
                const double *qi = q + (q0 + i * ql.step) * C + h * D;
                for (int64_t j = 0; j < Lk; j++)
                    score[j] = 0;
                for (int64_t d = 0; d < D; d++)
                    for (int64_t j = 0; j < Lk; j++)
                        score[j] += qi[d] * kh[d * Lk + j];
                double max = -INFINITY;
                for (int64_t j = 0; j < Lk; j++) {
                    score[j] *= scale;
                    if (score[j] > max)
                        max = score[j];
                }
                double sum = 0;
                for (int64_t j = 0; j < Lk; j++) {
                    score[j] = exp(score[j] - max);
                    sum += score[j];
                }
                double *oi = o + (q0 + i * ql.step) * C + h * D;
                for (int64_t j = 0; j < Lk; j++) {
                    const double *vj = v + (k0 + j * kstep) * C + h * D;
                    const double pj = score[j] / sum;
                    for (int64_t d = 0; d < D; d++)
                        oi[d] += pj * vj[d];
                }
            }
            free(kh);
            free(score);
        }
        ok = row_ok;
        if (ok)
            vdk_ref_store(ot, o);
    }
    free(q);
    free(k);
    free(v);
    free(o);
    return vdk_ref_finish(ctx, "vdk_attention", "reference.attention", ok);
}
