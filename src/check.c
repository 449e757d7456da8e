/* Argument checks shared by every operator's front end. Each check names the
 * operator and the argument, says what was expected, and changes nothing. */
#include "internal.h"

#include <math.h>
#include <stdio.h>

vdk_status vdk_check_context(vdk_check *c)
{
    if (!c->ctx)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER, "%s: argument 'ctx' is NULL", c->op);
    /* Every operator call starts here: a call that fails names no kernel, rather
     * than the one of the call before. */
    c->ctx->last_kernel = "";
    return VDK_OK;
}

vdk_status vdk_check_params(vdk_check *c, const void *p)
{
    if (!p)
        return vdk_fail(c->ctx, VDK_ERROR_NULL_POINTER,
                        "%s: argument 'p' (the parameter struct) is NULL", c->op);
    return VDK_OK;
}

vdk_status vdk_check_optional(vdk_check *c, const vdk_tensor *t, const char *name)
{
    if (!t)
        return VDK_OK;
    if (t->ctx != c->ctx)
        return vdk_fail(c->ctx, VDK_ERROR_CONTEXT,
                        "%s: tensor '%s' belongs to another context; expected a tensor of ctx",
                        c->op, name);
    if (t->dtype == VDK_F64 && !c->ctx->ops->takes_f64)
        return vdk_fail(c->ctx, VDK_ERROR_DTYPE,
                        "%s: tensor '%s' is f64, which only the reference backend takes", c->op,
                        name);
    return VDK_OK;
}

vdk_status vdk_check_tensor(vdk_check *c, const vdk_tensor *t, const char *name)
{
    if (!t)
        return vdk_fail(c->ctx, VDK_ERROR_NULL_POINTER, "%s: tensor '%s' is NULL", c->op, name);
    return vdk_check_optional(c, t, name);
}

vdk_status vdk_check_rank(vdk_check *c, const vdk_tensor *t, const char *name, int rank)
{
    if (t->rank != rank) {
        char s[160];
        return vdk_fail(c->ctx, VDK_ERROR_RANK,
                        "%s: tensor '%s' has rank %d (shape %s); expected rank %d", c->op, name,
                        t->rank, vdk_format_shape(s, sizeof s, t->rank, t->shape), rank);
    }
    return VDK_OK;
}

vdk_status vdk_check_rank_range(vdk_check *c, const vdk_tensor *t, const char *name, int lo,
                                int hi)
{
    if (t->rank < lo || t->rank > hi) {
        char s[160];
        return vdk_fail(c->ctx, VDK_ERROR_RANK,
                        "%s: tensor '%s' has rank %d (shape %s); expected rank %d to %d", c->op,
                        name, t->rank, vdk_format_shape(s, sizeof s, t->rank, t->shape), lo, hi);
    }
    return VDK_OK;
}

vdk_status vdk_check_same_dtype(vdk_check *c, const vdk_tensor *t, const char *name,
                                const vdk_tensor *ref, const char *ref_name)
{
    if (t && t->dtype != ref->dtype)
        return vdk_fail(c->ctx, VDK_ERROR_DTYPE,
                        "%s: tensor '%s' is %s; expected %s like '%s' (one dtype per call)", c->op,
                        name, vdk_dtype_name(t->dtype), vdk_dtype_name(ref->dtype), ref_name);
    return VDK_OK;
}

vdk_status vdk_check_shape(vdk_check *c, const vdk_tensor *t, const char *name, int rank,
                           const int64_t *shape, const char *expect)
{
    bool same = t->rank == rank;
    for (int i = 0; same && i < rank; i++)
        same = t->shape[i] == shape[i];
    if (same)
        return VDK_OK;
    char a[160], b[160];
    vdk_format_shape(a, sizeof a, t->rank, t->shape);
    vdk_format_shape(b, sizeof b, rank, shape);
    if (t->rank != rank)
        return vdk_fail(c->ctx, VDK_ERROR_RANK, "%s: tensor '%s' has shape %s; expected %s = %s",
                        c->op, name, a, expect, b);
    return vdk_fail(c->ctx, VDK_ERROR_SHAPE, "%s: tensor '%s' has shape %s; expected %s = %s",
                    c->op, name, a, expect, b);
}

bool vdk_same_view(const vdk_tensor *a, const vdk_tensor *b)
{
    if (a->storage != b->storage || a->offset != b->offset || a->rank != b->rank ||
        a->dtype != b->dtype)
        return false;
    for (int i = 0; i < a->rank; i++)
        if (a->shape[i] != b->shape[i] || (a->shape[i] > 1 && a->stride[i] != b->stride[i]))
            return false;
    return true;
}

/* Byte range [lo, hi) a view touches. */
static void byte_range(const vdk_tensor *t, size_t *lo, size_t *hi)
{
    size_t es = vdk_dtype_size(t->dtype);
    int64_t last = t->offset;
    for (int i = 0; i < t->rank; i++)
        last += (t->shape[i] - 1) * t->stride[i];
    *lo = (size_t)t->offset * es;
    *hi = (size_t)(last + 1) * es;
}

bool vdk_views_overlap(const vdk_tensor *a, const vdk_tensor *b)
{
    if (a->storage != b->storage)
        return false;
    size_t alo, ahi, blo, bhi;
    byte_range(a, &alo, &ahi);
    byte_range(b, &blo, &bhi);
    if (ahi <= blo || bhi <= alo)
        return false;
    /* Ranges meet. Views cut by slices from one root tensor keep the root's
     * strides, whose outer strides cover the extent inside them; then a greedy
     * outer-first split of each view's offset gives its origin index in the root,
     * and the views overlap exactly when their index boxes meet on every axis.
     * Views with other strides are treated as overlapping. */
    if (a->rank != b->rank || a->dtype != b->dtype)
        return true;
    for (int i = 0; i < a->rank; i++)
        if (a->stride[i] != b->stride[i])
            return true;
    int64_t ra = a->offset, rb = b->offset;
    for (int i = 0; i < a->rank; i++) {
        int64_t s = a->stride[i];
        int64_t ia = ra / s, ib = rb / s;
        ra -= ia * s;
        rb -= ib * s;
        if (ia + a->shape[i] <= ib || ib + b->shape[i] <= ia)
            return false;
    }
    return true;
}

vdk_status vdk_check_no_overlap(vdk_check *c, const vdk_tensor *out, const char *out_name,
                                const vdk_tensor *in, const char *in_name)
{
    if (in && vdk_views_overlap(out, in))
        return vdk_fail(c->ctx, VDK_ERROR_ALIAS,
                        "%s: output '%s' overlaps input '%s'; expected separate memory", c->op,
                        out_name, in_name);
    return VDK_OK;
}

vdk_status vdk_check_inplace_or_disjoint(vdk_check *c, const vdk_tensor *out,
                                         const char *out_name, const vdk_tensor *in,
                                         const char *in_name)
{
    if (in && !vdk_same_view(out, in) && vdk_views_overlap(out, in))
        return vdk_fail(c->ctx, VDK_ERROR_ALIAS,
                        "%s: output '%s' partly overlaps input '%s'; expected the same view "
                        "(in place) or separate memory",
                        c->op, out_name, in_name);
    return VDK_OK;
}

vdk_status vdk_check_positive_eps(vdk_check *c, float eps, const char *name)
{
    if (!(eps > 0) || isinf(eps))
        return vdk_fail(c->ctx, VDK_ERROR_INVALID_VALUE,
                        "%s: p->%s is %g; expected a finite value > 0 (e.g. 1e-5)", c->op, name,
                        (double)eps);
    return VDK_OK;
}

vdk_status vdk_check_implemented(vdk_check *c, const void *fn)
{
    if (!fn)
        return vdk_fail(c->ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: not implemented on the '%s' backend", c->op, c->ctx->ops->name);
    return VDK_OK;
}
