/* vdk_attention: argument checks, then the backend. */
#include "../internal.h"

#include <math.h>

/* k and v are rank 5 (self-attention) or rank 3 (cross-attention). */
static vdk_status check_kv_rank(vdk_check *c, const vdk_tensor *t, const char *name)
{
    if (t->rank == 5 || t->rank == 3)
        return VDK_OK;
    char s[160];
    return vdk_fail(c->ctx, VDK_ERROR_RANK,
                    "%s: tensor '%s' has rank %d (shape %s); expected rank 5 (self-attention, "
                    "q's shape) or rank 3 (cross-attention, [N, L, C])",
                    c->op, name, t->rank, vdk_format_shape(s, sizeof s, t->rank, t->shape));
}

vdk_status vdk_attention(vdk_context *ctx, const vdk_attention_params *p, const vdk_tensor *q,
                         const vdk_tensor *k, const vdk_tensor *v, vdk_tensor *o)
{
    vdk_check c = {ctx, "vdk_attention"};
    vdk_status st;
    if ((st = vdk_check_context(&c)) || (st = vdk_check_params(&c, p)) ||
        (st = vdk_check_tensor(&c, q, "q")) || (st = vdk_check_tensor(&c, k, "k")) ||
        (st = vdk_check_tensor(&c, v, "v")) || (st = vdk_check_tensor(&c, o, "o")) ||
        (st = vdk_check_rank(&c, q, "q", 5)) || (st = check_kv_rank(&c, k, "k")) ||
        (st = check_kv_rank(&c, v, "v")) || (st = vdk_check_rank(&c, o, "o", 5)) ||
        (st = vdk_check_same_dtype(&c, k, "k", q, "q")) ||
        (st = vdk_check_same_dtype(&c, v, "v", q, "q")) ||
        (st = vdk_check_same_dtype(&c, o, "o", q, "q")))
        return st;

    const int64_t C = q->shape[4];
    if (p->heads < 1 || C % p->heads != 0)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_attention: p->heads is %d; expected a divisor of C = q.shape[4] = "
                        "%lld",
                        p->heads, (long long)C);
    if (!isfinite(p->scale))
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_attention: p->scale is %g; expected a finite value (0 = "
                        "1/sqrt(C/heads))",
                        (double)p->scale);
    if (p->axes != VDK_AXES_SPATIAL && p->axes != VDK_AXES_TEMPORAL &&
        p->axes != VDK_AXES_SPATIOTEMPORAL)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "vdk_attention: p->axes is %d; expected VDK_AXES_SPATIAL, "
                        "VDK_AXES_TEMPORAL or VDK_AXES_SPATIOTEMPORAL",
                        (int)p->axes);

    if (k->rank == 5) {
        if ((st = vdk_check_shape(&c, k, "k", 5, q->shape, "q.shape (self-attention)")))
            return st;
    } else {
        const int64_t want[3] = {q->shape[0], k->shape[1], C};
        if ((st = vdk_check_shape(&c, k, "k", 3, want,
                                  "[N, L, C] with N = q.shape[0], C = q.shape[4] "
                                  "(cross-attention)")))
            return st;
    }
    if ((st = vdk_check_shape(&c, v, "v", k->rank, k->shape, "k.shape")) ||
        (st = vdk_check_shape(&c, o, "o", 5, q->shape, "q.shape")) ||
        (st = vdk_check_no_overlap(&c, o, "o", q, "q")) ||
        (st = vdk_check_no_overlap(&c, o, "o", k, "k")) ||
        (st = vdk_check_no_overlap(&c, o, "o", v, "v")))
        return st;
    /* No size check is needed: every count a backend forms (sequences, tokens per
     * sequence, sequences * heads, a row of Lk scores) is at most the element count
     * of q or k, which tensor creation has already bounded. */
    if ((st = vdk_check_implemented(&c, ctx->ops->attention)))
        return st;
    const int64_t t0 = vdk_profile_start(ctx);
    return vdk_profile_stop(ctx, t0, ctx->ops->attention(ctx, p, q, k, v, o));
}
