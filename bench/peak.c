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

int vb_peak_load(const char *path, const char *kind, int threads, vb_peak *out, char *err,
                 size_t errlen)
{
    *out = (vb_peak){.fp32_gflops = NAN, .f16_gflops = NAN, .bf16_gflops = NAN,
                     .bandwidth_gbs = NAN};
    char *text = read_file(path, err, errlen);
    if (!text)
        return -1;
    char perr[160];
    vb_json *doc = vb_json_parse(text, perr, sizeof perr);
    free(text);
    if (!doc) {
        snprintf(err, errlen, "%s is not JSON: %s", path, perr);
        return -1;
    }
    int rc = -1;
    const char *format = vb_json_str(doc, "format", "");
    const vb_json *devices = vb_json_get(doc, "devices");
    const vb_json *dev = NULL;
    if (strncmp(format, "vdk-peak/", 9)) {
        snprintf(err, errlen, "%s: format is '%s', expected vdk-peak/1", path, format);
        goto done;
    }
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

double vb_peak_gflops(const vb_peak *p, vdk_dtype dtype)
{
    if (!p->known)
        return NAN;
    if (dtype == VDK_BF16 && !isnan(p->bf16_gflops))
        return p->bf16_gflops;
    if (dtype == VDK_F16 && !isnan(p->f16_gflops))
        return p->f16_gflops;
    return p->fp32_gflops;
}
