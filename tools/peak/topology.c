/* Cores, caches and thread binding through hwloc, or a sysconf fallback that
 * says what it cannot know when vdk was built without hwloc. */
#include "peak.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#if VDK_PEAK_HWLOC
#include <hwloc.h>

#if HWLOC_API_VERSION < 0x00020000
#error "vdk-peak needs the hwloc 2 API"
#endif

typedef struct topo_impl {
    hwloc_topology_t topo;
    hwloc_bitmap_t *places; /* one single-PU set per place, in binding order */
    int nplaces;
} topo_impl;

static int64_t cache_size(hwloc_topology_t topo, hwloc_obj_type_t type) {
    hwloc_obj_t o = hwloc_get_obj_by_type(topo, type, 0);
    return o && o->attr ? (int64_t)o->attr->cache.size : 0;
}

int vdk_peak_topo_init(vdk_peak_topo *t, char *err, size_t errlen) {
    *t = (vdk_peak_topo){.hwloc = 1};
    topo_impl *im = calloc(1, sizeof *im);
    if (!im) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (hwloc_topology_init(&im->topo) != 0 || hwloc_topology_load(im->topo) != 0) {
        snprintf(err, errlen, "hwloc could not load the topology");
        free(im);
        return -1;
    }
    t->impl = im;
    t->pus = hwloc_get_nbobjs_by_type(im->topo, HWLOC_OBJ_PU);
    int ncores = hwloc_get_nbobjs_by_type(im->topo, HWLOC_OBJ_CORE);
    /* A topology without core objects (some virtual machines) is one PU per
     * core as far as anyone can tell. */
    hwloc_obj_type_t core_type = ncores > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
    t->cores = ncores > 0 ? ncores : t->pus;

    t->l1d = cache_size(im->topo, HWLOC_OBJ_L1CACHE);
    t->l2 = cache_size(im->topo, HWLOC_OBJ_L2CACHE);
    t->l3 = cache_size(im->topo, HWLOC_OBJ_L3CACHE);
    t->l3_count = hwloc_get_nbobjs_by_type(im->topo, HWLOC_OBJ_L3CACHE);
    for (int i = 0; i < t->l3_count; i++) {
        hwloc_obj_t o = hwloc_get_obj_by_type(im->topo, HWLOC_OBJ_L3CACHE, (unsigned)i);
        t->l3_total += (int64_t)o->attr->cache.size;
    }

    im->places = calloc((size_t)t->pus, sizeof *im->places);
    if (!im->places) {
        snprintf(err, errlen, "out of memory");
        vdk_peak_topo_free(t);
        return -1;
    }
    /* Round s takes the s-th PU of every core: threads fill distinct cores
     * before any two share one. */
    for (int s = 0; im->nplaces < t->pus; s++) {
        int added = 0;
        for (int c = 0; c < t->cores; c++) {
            hwloc_obj_t core = hwloc_get_obj_by_type(im->topo, core_type, (unsigned)c);
            int pu = -1;
            for (int k = 0; k <= s; k++) {
                pu = hwloc_bitmap_next(core->cpuset, pu);
                if (pu < 0) break;
            }
            if (pu < 0) continue;
            hwloc_bitmap_t set = hwloc_bitmap_alloc();
            if (!set) {
                snprintf(err, errlen, "out of memory");
                vdk_peak_topo_free(t);
                return -1;
            }
            hwloc_bitmap_only(set, (unsigned)pu);
            im->places[im->nplaces++] = set;
            added = 1;
            if (im->nplaces == t->pus) break;
        }
        if (!added) break;
    }
    return 0;
}

int vdk_peak_bind_thread(const vdk_peak_topo *t, int index) {
    const topo_impl *im = t->impl;
    if (!im || index < 0 || index >= im->nplaces) return -1;
    return hwloc_set_cpubind(im->topo, im->places[index], HWLOC_CPUBIND_THREAD) == 0 ? 0 : -1;
}

void vdk_peak_topo_free(vdk_peak_topo *t) {
    topo_impl *im = t->impl;
    if (!im) return;
    for (int i = 0; i < im->nplaces; i++) hwloc_bitmap_free(im->places[i]);
    free(im->places);
    hwloc_topology_destroy(im->topo);
    free(im);
    t->impl = NULL;
}

#else

static int64_t sc(int name) {
    long v = sysconf(name);
    return v > 0 ? (int64_t)v : 0;
}

int vdk_peak_topo_init(vdk_peak_topo *t, char *err, size_t errlen) {
    (void)err;
    (void)errlen;
    *t = (vdk_peak_topo){.hwloc = 0};
    t->pus = (int)sc(_SC_NPROCESSORS_ONLN);
    if (t->pus < 1) t->pus = 1;
    t->cores = t->pus;
#if defined(_SC_LEVEL1_DCACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE) && defined(_SC_LEVEL3_CACHE_SIZE)
    t->l1d = sc(_SC_LEVEL1_DCACHE_SIZE);
    t->l2 = sc(_SC_LEVEL2_CACHE_SIZE);
    t->l3 = sc(_SC_LEVEL3_CACHE_SIZE);
#endif
    /* sysconf cannot count L3 instances: one is assumed. */
    t->l3_total = t->l3;
    t->l3_count = t->l3 > 0;
    return 0;
}

int vdk_peak_bind_thread(const vdk_peak_topo *t, int index) {
    (void)t;
    (void)index;
    return -1;
}

void vdk_peak_topo_free(vdk_peak_topo *t) { (void)t; }

#endif
