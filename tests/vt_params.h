/* What the parameter-table tests share: a table's own consistency (unique
 * names, counts, the vdk layout of every torch layout) and spot checks of
 * named tensors. Header-only, on top of vdk_test.h. */
#ifndef VT_PARAMS_H
#define VT_PARAMS_H

#include "vdk_test.h"

#include "common/param_table.h"

#include <stdlib.h>
#include <string.h>

static inline int vp_by_name(const void *a, const void *b)
{
    return strcmp((*(const vdk_param *const *)a)->name, (*(const vdk_param *const *)b)->name);
}

/* Names unique and non-empty; counts sum to the total; each vdk shape holds the
 * same elements as the torch shape and is the permutation its layout says. */
static inline void vp_check_table(const vdk_param_table *t, const char *what)
{
    VT_CHECK(t->count > 0, "%s: empty table", what);
    const vdk_param **sorted = malloc(t->count * sizeof *sorted);
    if (!sorted)
        vt_fatal("out of memory");
    int64_t sum = 0;
    for (size_t i = 0; i < t->count; i++) {
        const vdk_param *p = &t->items[i];
        sorted[i] = p;
        sum += p->count;
        int64_t torch = 1, vdk = 1;
        for (int a = 0; a < p->torch_rank; a++)
            torch *= p->torch_shape[a];
        for (int a = 0; a < p->vdk_rank; a++)
            vdk *= p->vdk_shape[a];
        VT_CHECK(p->name[0] != '\0', "%s: item %zu has no name", what, i);
        VT_CHECK(torch == p->count && vdk == p->count, "%s: %s counts %lld / %lld / %lld", what,
                 p->name, (long long)torch, (long long)vdk, (long long)p->count);
        const int64_t *s = p->torch_shape, *d = p->vdk_shape;
        switch (p->torch_layout) {
        case VDK_LAYOUT_TORCH_OIHW: /* [O, I, kh, kw] -> [O, 1, kh, kw, I] */
            VT_CHECK(p->vdk_layout == VDK_LAYOUT_VDK_OTHWI && p->vdk_rank == 5 && d[0] == s[0] &&
                         d[1] == 1 && d[2] == s[2] && d[3] == s[3] && d[4] == s[1],
                     "%s: %s conv2d layout", what, p->name);
            break;
        case VDK_LAYOUT_TORCH_OITHW: /* [O, I, kt, kh, kw] -> [O, kt, kh, kw, I] */
            VT_CHECK(p->vdk_layout == VDK_LAYOUT_VDK_OTHWI && p->vdk_rank == 5 && d[0] == s[0] &&
                         d[1] == s[2] && d[2] == s[3] && d[3] == s[4] && d[4] == s[1],
                     "%s: %s conv3d layout", what, p->name);
            break;
        case VDK_LAYOUT_LINEAR_OI:
        case VDK_LAYOUT_VECTOR:
            VT_CHECK(p->vdk_layout == p->torch_layout && p->vdk_rank == p->torch_rank &&
                         memcmp(s, d, sizeof(int64_t) * (size_t)p->vdk_rank) == 0,
                     "%s: %s kept layout", what, p->name);
            break;
        default: VT_CHECK(0, "%s: %s has torch layout %d", what, p->name, (int)p->torch_layout);
        }
    }
    VT_CHECK(sum == t->total, "%s: items sum to %lld, total says %lld", what, (long long)sum,
             (long long)t->total);
    qsort(sorted, t->count, sizeof *sorted, vp_by_name);
    for (size_t i = 1; i < t->count; i++)
        VT_CHECK(strcmp(sorted[i - 1]->name, sorted[i]->name) != 0, "%s: '%s' twice", what,
                 sorted[i]->name);
    free(sorted);
}

/* The named tensor is present with this torch shape (rank = number of extents). */
static inline void vp_expect(const vdk_param_table *t, const char *name, int rank,
                             const int64_t *shape)
{
    const vdk_param *p = vdk_param_table_find(t, name);
    if (!VT_CHECK(p != NULL, "'%s' missing", name))
        return;
    VT_CHECK(p->torch_rank == rank &&
                 memcmp(p->torch_shape, shape, sizeof(int64_t) * (size_t)rank) == 0,
             "'%s': rank %d [%lld, %lld, ...], expected rank %d [%lld, %lld, ...]", name,
             p->torch_rank, (long long)p->torch_shape[0], (long long)p->torch_shape[1], rank,
             (long long)shape[0], (long long)(rank > 1 ? shape[1] : 0));
}
#define VP_EXPECT(t, name, ...)                                                                    \
    vp_expect((t), (name), (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)),              \
              (int64_t[]){__VA_ARGS__})

static inline void vp_expect_absent(const vdk_param_table *t, const char *name)
{
    VT_CHECK(vdk_param_table_find(t, name) == NULL, "'%s' should not exist", name);
}

#endif
