/* Broadcast checks shared by vdk_binary and vdk_blend (see broadcast.h). */
#include "broadcast.h"

vdk_status vdk_check_broadcast_rank(vdk_check *c, const vdk_tensor *t, const char *name,
                                    const vdk_tensor *onto, const char *onto_name)
{
    if (t->rank <= onto->rank)
        return VDK_OK;
    char s[160], o[160];
    return vdk_fail(c->ctx, VDK_ERROR_RANK,
                    "%s: tensor '%s' has rank %d (shape %s); expected rank <= %d, the rank of "
                    "'%s' (shape %s) that it broadcasts onto",
                    c->op, name, t->rank, vdk_format_shape(s, sizeof s, t->rank, t->shape),
                    onto->rank, onto_name,
                    vdk_format_shape(o, sizeof o, onto->rank, onto->shape));
}

vdk_status vdk_check_broadcast_shape(vdk_check *c, const vdk_tensor *t, const char *name,
                                     const vdk_tensor *onto, const char *onto_name)
{
    const int off = onto->rank - t->rank;
    for (int k = 0; k < t->rank; k++) {
        if (t->shape[k] == 1 || t->shape[k] == onto->shape[off + k])
            continue;
        char s[160], o[160];
        return vdk_fail(c->ctx, VDK_ERROR_SHAPE,
                        "%s: tensor '%s' has shape %s, which does not broadcast onto '%s' of "
                        "shape %s: %s.shape[%d] = %lld against %s.shape[%d] = %lld; expected "
                        "each size of '%s' to be 1 or equal, axes aligned from the last",
                        c->op, name, vdk_format_shape(s, sizeof s, t->rank, t->shape), onto_name,
                        vdk_format_shape(o, sizeof o, onto->rank, onto->shape), name, k,
                        (long long)t->shape[k], onto_name, off + k,
                        (long long)onto->shape[off + k], name);
    }
    return VDK_OK;
}
