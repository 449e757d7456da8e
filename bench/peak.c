/* vdk-bench: reading vdk-peak's JSON. Medians are the figures divided by, as
 * docs/peak.md says; `copy` is the bandwidth, since every operator here reads
 * its inputs and writes an output with ordinary stores. */
#include "peak.h"

#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - 1 - n, f);
        if (n < cap - 1)
            break;
        char *grown = realloc(buf, cap * 2);
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        snprintf(err, errlen, "cannot read %s", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* The median of an available measurement, NaN otherwise. */
static double measurement(const vb_json *result, const char *name)
{
    const vb_json *ms = vb_json_get(result, "measurements");
    if (!ms || ms->type != VB_JSON_ARRAY)
        return NAN;
    for (const vb_json *m = ms->child; m; m = m->next) {
        const char *n = vb_json_str(m, "name", "");
        const vb_json *avail = vb_json_get(m, "available");
        if (strcmp(n, name) || !avail || avail->type != VB_JSON_BOOL || !avail->boolean)
            continue;
        double v = vb_json_number(m, "median", NAN);
        return v > 0 ? v : NAN;
    }
    return NAN;
}

/* The file's document, checked to be vdk-peak's; NULL with a message. */
static vb_json *load_doc(const char *path, char *err, size_t errlen)
{
    char *text = read_file(path, err, errlen);
    if (!text)
        return NULL;
    char perr[160];
    vb_json *doc = vb_json_parse(text, perr, sizeof perr);
    free(text);
    if (!doc) {
        snprintf(err, errlen, "%s is not JSON: %s", path, perr);
        return NULL;
    }
    const char *format = vb_json_str(doc, "format", "");
    if (strncmp(format, "vdk-peak/", 9)) {
        snprintf(err, errlen, "%s: format is '%s', expected vdk-peak/1", path, format);
        vb_json_free(doc);
        return NULL;
    }
    return doc;
}

int vb_peak_load(const char *path, const char *kind, int threads, vb_peak *out, char *err,
                 size_t errlen)
{
    *out = (vb_peak){.fp32_gflops = NAN, .f16_gflops = NAN, .bf16_gflops = NAN,
                     .bandwidth_gbs = NAN};
    vb_json *doc = load_doc(path, err, errlen);
    if (!doc)
        return -1;
    int rc = -1;
    const vb_json *devices = vb_json_get(doc, "devices");
    const vb_json *dev = NULL;
    for (const vb_json *d = devices ? devices->child : NULL; d && !dev; d = d->next)
        if (!strcmp(vb_json_str(d, "kind", ""), kind))
            dev = d;
    if (!dev) {
        snprintf(err, errlen, "%s has no device of kind '%s'", path, kind);
        goto done;
    }
    /* The thread count asked for; otherwise the largest measured below it,
     * otherwise the smallest measured. */
    const vb_json *results = vb_json_get(dev, "results"), *pick = NULL;
    int pick_threads = 0;
    for (const vb_json *r = results ? results->child : NULL; r; r = r->next) {
        int t = (int)vb_json_number(r, "threads", 0);
        if (t < 1)
            continue;
        bool pick_below = pick_threads <= threads;
        bool better = !pick || (t <= threads ? !pick_below || t > pick_threads
                                             : !pick_below && t < pick_threads);
        if (better) {
            pick = r;
            pick_threads = t;
        }
    }
    if (!pick) {
        snprintf(err, errlen, "%s: the %s device has no results", path, kind);
        goto done;
    }
    out->known = true;
    out->threads = pick_threads;
    double f512 = measurement(pick, "fp32_fma_512"), f256 = measurement(pick, "fp32_fma_256");
    out->fp32_gflops = isnan(f512) ? f256 : isnan(f256) ? f512 : fmax(f512, f256);
    out->bf16_gflops = measurement(pick, "bf16_dot_512");
    out->bandwidth_gbs = measurement(pick, "copy");
    snprintf(out->note, sizeof out->note,
             "peak: %s, %s device at %d thread%s%s; compute = the fastest fp32 FMA tier "
             "(bf16 rows use bf16_dot_512 where measured, f16 rows fp32), bandwidth = copy",
             path, kind, pick_threads, pick_threads == 1 ? "" : "s",
             pick_threads == threads ? "" : " (the run's thread count was not measured)");
    rc = 0;
done:
    vb_json_free(doc);
    return rc;
}

int vb_peak_load_vulkan(const char *path, int index, const char *name, vb_peak *out, char *err,
                        size_t errlen)
{
    *out = (vb_peak){.fp32_gflops = NAN, .f16_gflops = NAN, .bf16_gflops = NAN,
                     .bandwidth_gbs = NAN};
    vb_json *doc = load_doc(path, err, errlen);
    if (!doc)
        return -1;
    /* The same index and name; else the first of the same name (the file may
     * come from a run that saw the devices in another order). */
    const vb_json *devices = vb_json_get(doc, "devices"), *dev = NULL, *named = NULL;
    for (const vb_json *d = devices ? devices->child : NULL; d; d = d->next) {
        if (strcmp(vb_json_str(d, "kind", ""), "vulkan") || strcmp(vb_json_str(d, "name", ""), name))
            continue;
        if (!named)
            named = d;
        if ((int)vb_json_number(d, "index", -1) == index && !dev)
            dev = d;
    }
    dev = dev ? dev : named;
    if (!dev) {
        snprintf(err, errlen, "%s has no Vulkan device named '%s'", path, name);
        vb_json_free(doc);
        return -1;
    }
    const int at = (int)vb_json_number(dev, "index", -1);
    out->known = true;
    out->fp32_gflops = measurement(dev, "fp32_fma");
    out->f16_gflops = measurement(dev, "f16_fma");
    out->bandwidth_gbs = measurement(dev, "copy");
    snprintf(out->note, sizeof out->note,
             "peak: %s, Vulkan device %d '%s'%s; compute = fp32_fma (f16 rows: the faster of "
             "f16_fma and fp32_fma), bandwidth = copy",
             path, at, name, at == index ? "" : " (measured at another index)");
    vb_json_free(doc);
    return 0;
}

double vb_peak_gflops(const vb_peak *p, vdk_dtype dtype)
{
    if (!p->known)
        return NAN;
    /* The ceiling of a row is the fastest arithmetic it could use: its own
     * dtype's where that is faster than fp32 (a device that emulates f16,
     * such as lavapipe, is slower at it than at fp32, and the operators
     * there compute in fp32 anyway). */
    const double own = dtype == VDK_BF16 ? p->bf16_gflops : dtype == VDK_F16 ? p->f16_gflops : NAN;
    return isnan(own) || own < p->fp32_gflops ? p->fp32_gflops : own;
}
