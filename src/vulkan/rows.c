/* The rows x run layout of the bandwidth-bound operators
 * (shaders/common/rows.glsl): merging the axes that every operand steps over
 * alike, the copy unit, and the workgroup tiling. */
#include "ops.h"

#include <string.h>

void vdk_vk_rows_merge(vdk_vk_rows *r, int n, const vdk_vk_view5 *v, int split,
                       const bool *split_free)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    /* The merged groups, innermost first: extent, and original axes. */
    uint32_t ext[5];
    int inner[5]; /* innermost original axis in each group */
    int first[5]; /* outermost original axis in each group */
    int ng = 0;
    for (int d = 4; d >= 0; d--) {
        const uint32_t e = v[0].shape[d];
        if (e == 1 && d != split)
            continue; /* an axis of extent 1 steps nowhere */
        /* the group holding the split axis may take axes inside it, none outside */
        bool merge = ng > 0 && !(split >= 0 && first[ng - 1] <= split && split <= inner[ng - 1]);
        for (int i = 0; merge && i < n; i++) {
            /* An operand one long on the split axis never steps along it. */
            if (d == split && split_free && split_free[i])
                continue;
            /* (A broadcast operand, stride 0 on both, merges too.) */
            const uint64_t want = (uint64_t)v[i].stride[inner[ng - 1]] * ext[ng - 1];
            if (v[i].stride[d] != want)
                merge = false;
        }
        if (merge) {
            ext[ng - 1] *= e;
            first[ng - 1] = d;
        } else {
            ext[ng] = e;
            inner[ng] = d;
            first[ng] = d;
            ng++;
        }
    }
    if (ng == 0) { /* a single element */
        ext[0] = 1;
        inner[0] = 4;
        first[0] = 4;
        ng = 1;
    }
    r->dims = ng;
    for (int d = 0; d < 5; d++)
        r->shape[d] = 1;
    for (int g = 0; g < ng; g++) {
        const int at = 4 - g;
        r->shape[at] = ext[g];
        for (int i = 0; i < n; i++)
            r->stride[i][at] = v[i].stride[inner[g]];
        if (first[g] <= split && split >= 0 && split <= inner[g])
            r->split_dim = at;
    }
    for (int i = 0; i < n; i++)
        r->offset[i] = v[i].offset;
    r->run = r->shape[4];
    r->rows = r->shape[0] * r->shape[1] * r->shape[2] * r->shape[3];
}

uint32_t vdk_vk_rows_unit(const vdk_vk_rows *r, uint32_t es)
{
    for (uint32_t u = 16; u > es; u /= 2) {
        const uint32_t k = u / es; /* elements per unit */
        bool ok = r->run % k == 0;
        for (int i = 0; ok && i < r->n; i++) {
            ok = r->offset[i] % k == 0 && (r->run == 1 || r->stride[i][4] == 1);
            for (int d = 0; ok && d < 4; d++)
                ok = r->stride[i][d] % k == 0;
        }
        if (ok)
            return u;
    }
    return es;
}

uint64_t vdk_vk_rows_tiling(uint32_t rows, uint32_t run, uint32_t group, uint32_t v, uint32_t unit,
                            uint32_t *tiling)
{
    /* The smallest power of two TX with TX * v >= run, at most the workgroup;
     * then, among TX down to a 128-byte line of units per row segment (or run's
     * own TX), the one that leaves the fewest idle invocations in the row's last
     * chunk (ties to the wider: longer coalesced segments). */
    const uint32_t min_tx = unit >= 128 ? 1 : 128 / unit;
    uint32_t cap = 1;
    while (cap * 2 <= group && (uint64_t)cap * v < run)
        cap *= 2;
    uint32_t best = cap;
    uint64_t best_slots = 0;
    for (uint32_t tx = cap; tx >= 1 && (tx >= min_tx || tx == cap); tx /= 2) {
        const uint64_t chunk = (uint64_t)tx * v, slots = (run + chunk - 1) / chunk * chunk;
        if (tx == cap || slots < best_slots) {
            best = tx;
            best_slots = slots;
        }
    }
    uint32_t txlog = 0;
    while ((1u << txlog) < best)
        txlog++;
    const uint64_t chunk = (uint64_t)best * v, chunks = (run + chunk - 1) / chunk;
    const uint64_t ty = group / best;
    *tiling = (uint32_t)(chunks << 4) | txlog;
    return (rows + ty - 1) / ty * chunks;
}
