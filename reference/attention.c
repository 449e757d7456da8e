/* Multi-head scaled dot-product attention, as
 * torch.nn.functional.scaled_dot_product_attention on [B, heads, L, D] views:
 * for each query sequence, head and query, the scores against every key of the
 * matching key sequence, softmax with the maximum subtracted, and the weighted
 * sum of the values. One score row is held at a time; nothing is fused. */
#include "ref.h"

/* Where token j of sequence `seq` starts (in elements) for q, o and
 * self-attention k, v of shape [N, T, HW, C]. */
static int64_t token_offset(vdk_attention_axes axes, int64_t T, int64_t HW, int64_t C,
                            int64_t seq, int64_t j)
{
    switch (axes) {
    case VDK_AXES_SPATIAL: /* seq = n*T + t, j = pixel */
        return (seq * HW + j) * C;
    case VDK_AXES_TEMPORAL: { /* seq = n*HW + pixel, j = frame */
        int64_t n = seq / HW, s = seq % HW;
        return ((n * T + j) * HW + s) * C;
    }
    default: /* SPATIOTEMPORAL: seq = n, j = t*HW + pixel */
        return (seq * T * HW + j) * C;
    }
}

vdk_status vdk_ref_attention(vdk_context *ctx, const vdk_attention_params *p, const vdk_tensor *qt,
                             const vdk_tensor *kt, const vdk_tensor *vt, vdk_tensor *ot)
{
    const int64_t N = qt->shape[0], T = qt->shape[1], HW = qt->shape[2] * qt->shape[3],
                  C = qt->shape[4], heads = p->heads, D = C / heads;
    const vdk_attention_axes axes = p->axes;
    const bool cross = kt->rank == 3;
    /* Query sequences per batch item, and tokens per query sequence. */
    const int64_t seqs_per_n = axes == VDK_AXES_SPATIAL    ? T
                               : axes == VDK_AXES_TEMPORAL ? HW
                                                           : 1;
    const int64_t Lq = axes == VDK_AXES_SPATIAL ? HW : axes == VDK_AXES_TEMPORAL ? T : T * HW;
    const int64_t Lk = cross ? kt->shape[1] : Lq;
    /* A zero scale is 1/sqrt(D) in double, as PyTorch computes its default. */
    const double scale = p->scale != 0 ? (double)p->scale : 1.0 / sqrt((double)D);

    bool ok = true;
    double *q = vdk_ref_load(qt, &ok), *k = vdk_ref_load(kt, &ok), *v = vdk_ref_load(vt, &ok),
           *o = vdk_ref_alloc(N * T * HW * C, &ok);
    if (ok) {
#pragma omp parallel for collapse(2) schedule(dynamic)
        for (int64_t seq = 0; seq < N * seqs_per_n; seq++) {
            for (int64_t h = 0; h < heads; h++) {
                double *score = malloc((size_t)Lk * sizeof *score);
                if (!score) {
#pragma omp atomic write
                    ok = false;
                    continue;
                }
                const int64_t n = seq / seqs_per_n;
                for (int64_t i = 0; i < Lq; i++) {
                    const double *qi = q + token_offset(axes, T, HW, C, seq, i) + h * D;
                    double max = -INFINITY;
                    for (int64_t j = 0; j < Lk; j++) {
                        const int64_t kj = cross ? (n * Lk + j) * C
                                                 : token_offset(axes, T, HW, C, seq, j);
                        double dot = 0;
                        for (int64_t d = 0; d < D; d++)
                            dot += qi[d] * k[kj + h * D + d];
                        score[j] = scale * dot;
                        max = fmax(max, score[j]);
                    }
                    double sum = 0;
                    for (int64_t j = 0; j < Lk; j++) {
                        score[j] = exp(score[j] - max);
                        sum += score[j];
                    }
                    double *oi = o + token_offset(axes, T, HW, C, seq, i) + h * D;
                    for (int64_t d = 0; d < D; d++)
                        oi[d] = 0;
                    for (int64_t j = 0; j < Lk; j++) {
                        const int64_t vj = cross ? (n * Lk + j) * C
                                                 : token_offset(axes, T, HW, C, seq, j);
                        const double w = score[j] / sum;
                        for (int64_t d = 0; d < D; d++)
                            oi[d] += w * v[vj + h * D + d];
                    }
                }
                free(score);
            }
        }
        if (ok)
            vdk_ref_store(ot, o);
    }
    free(q);
    free(k);
    free(v);
    free(o);
    return vdk_ref_finish(ctx, "vdk_attention", ok);
}
