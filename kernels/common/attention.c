/* vdk_attention on the CPU: describes the call (sequences, tokens, heads) for
 * the kernels, picks one, and gives each thread its scratch. One key per
 * sequence is a copy of v (below); short temporal self-attention goes to the
 * memory-bound kernel of attention_short.c; every other grouping, and
 * cross-attention, to the flash kernel of attention_flash.c. */
#include "attention.h"
#include "ops.h"

#include <math.h>

/* The longest temporal sequence the short kernel takes. Its scores cost a
 * reduction per VW dot products where flash's packed K^T tiles do not, but it
 * reads the strided layout in long runs; measured on the AVX2 tier (D = 64)
 * the short kernel is ahead up to T = 48 and level at 64 and 128. */
#define ATTN_SHORT_MAX_T 128

static attn_job describe(const vdk_attention_params *p, const vdk_tensor *q, const vdk_tensor *k,
                         const vdk_tensor *v, vdk_tensor *o)
{
    attn_job j = {
        .dt = q->dtype,
        .q = vdk_cpu_data(q), .k = vdk_cpu_data(k), .v = vdk_cpu_data(v), .o = vdk_cpu_data(o),
        .qm = attn_tokens_of(q), .km = attn_tokens_of(k), .vm = attn_tokens_of(v),
        .om = attn_tokens_of(o),
        .cross = k->rank == 3,
        .N = q->shape[0], .T = q->shape[1], .HW = q->shape[2] * q->shape[3],
        .heads = p->heads,
    };
    /* cross-attention: every query of batch item n sees the same keys, so the
     * queries are grouped by n whatever p->axes says */
    j.axes = j.cross ? VDK_AXES_SPATIOTEMPORAL : p->axes;
    switch (j.axes) {
    case VDK_AXES_TEMPORAL:
        j.seqs = j.N * j.HW, j.Sq = j.T, j.qstep = j.HW;
        break;
    case VDK_AXES_SPATIOTEMPORAL:
        j.seqs = j.N, j.Sq = j.T * j.HW, j.qstep = 1;
        break;
    default:
        j.seqs = j.N * j.T, j.Sq = j.HW, j.qstep = 1;
        break;
    }
    j.Sk = j.cross ? k->shape[1] : j.Sq;
    j.kstep = j.cross ? 1 : j.qstep;
    j.D = q->shape[4] / p->heads;
    j.Dp = attn_round_up(j.D, VW);
    j.scale = p->scale != 0 ? p->scale : (float)(1.0 / sqrt((double)j.D));
    return j;
}

/* One key per sequence (cross-attention to a single image embedding, or
 * sequences of one token): the softmax weight is e^0 / e^0 = 1 exactly, so
 * every query's output is that key's value row, copied as it is (for any
 * finite score; a NaN or infinite score, which the reference would spread, is
 * not looked at). */
static void copy_values(const attn_job *j)
{
    const int64_t es = attn_es(j->dt), C = j->heads * j->D;
#pragma omp parallel for num_threads(j->team) schedule(static)
    for (int64_t s = 0; s < j->seqs; s++) {
        const char *v = j->v + attn_token_offset(&j->vm, attn_kfirst(j, s)) * es;
        const int64_t q0 = attn_qfirst(j, s);
        for (int64_t i = 0; i < j->Sq; i++)
            memcpy(j->o + attn_token_offset(&j->om, q0 + i * j->qstep) * es, v, (size_t)(C * es));
    }
}

vdk_status VDK_K(attention)(vdk_context *ctx, const vdk_attention_params *p, const vdk_tensor *q,
                            const vdk_tensor *k, const vdk_tensor *v, vdk_tensor *o)
{
    static const char *const flash_names[] = VDK_KNAMES("attention.flash");
    static const char *const short_names[] = VDK_KNAMES("attention.temporal");
    static const char *const copy_names[] = VDK_KNAMES("attention.onekey");
    attn_job j = describe(p, q, k, v, o);
    const bool short_seq = !j.cross && j.axes == VDK_AXES_TEMPORAL && j.T <= ATTN_SHORT_MAX_T;

    const int64_t es = (int64_t)vdk_dtype_size(j.dt);
    const int64_t bytes = (2 * vdk_numel_of(5, q->shape) + 2 * vdk_numel_of(k->rank, k->shape)) * es;
    const int64_t flops = 4 * j.seqs * j.heads * j.Sq * j.Sk * j.D;
    /* a thread per 128 KiB moved or 2 MFLOP computed (about 20 us either way) */
    j.team = vdk_cpu_team_for(ctx, bytes + flops / 16);
    /* no more threads than pixels, or than register tiles of queries (flash's
     * query blocks hold several): a tiny call allocates no idle scratch */
    const int64_t units = short_seq ? j.seqs : j.seqs * j.heads * ((j.Sq + ATTN_MR - 1) / ATTN_MR);
    if (units < j.team)
        j.team = (int)units;

    if (j.Sk == 1) {
        j.team = vdk_cpu_team_for(ctx, bytes);
        copy_values(&j);
        ctx->last_kernel = copy_names[j.dt];
        return VDK_OK;
    }
    size_t per_thread = short_seq ? VDK_K(attn_short_scratch)(&j) : VDK_K(attn_flash_scratch)(&j);
    per_thread = (per_thread + 63) / 64 * 64;
    const size_t total = per_thread * (size_t)j.team;
    char *scratch = vdk_cpu_alloc(total);
    if (!scratch)
        return vdk_cpu_oom(ctx, "vdk_attention", total);
    if (short_seq)
        VDK_K(attn_short)(&j, scratch, per_thread);
    else
        VDK_K(attn_flash)(&j, scratch, per_thread);
    vdk_cpu_free(scratch, total);
    ctx->last_kernel = short_seq ? short_names[j.dt] : flash_names[j.dt];
    return VDK_OK;
}
