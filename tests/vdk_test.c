/* The shared test helper (see vdk_test.h). */
#include "vdk_test.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifndef VDK_GOLDEN_DIR
#error "VDK_GOLDEN_DIR must name the folder of the golden vectors"
#endif

int vt_passed, vt_failed;
static vdk_context *other_context;

bool vt_check(bool ok, const char *file, int line, const char *fmt, ...)
{
    if (ok) {
        vt_passed++;
        return true;
    }
    vt_failed++;
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return false;
}

bool vt_check_error(const vdk_context *ctx, vdk_status got, vdk_status want, const char *needle,
                    const char *file, int line, const char *call)
{
    const char *msg = vdk_last_error(ctx);
    if (got != want)
        return vt_check(false, file, line, "%s returned %s, expected %s (message: %s)", call,
                        vdk_status_string(got), vdk_status_string(want), msg);
    return vt_check(strstr(msg, needle) != NULL, file, line,
                    "%s: message \"%s\" does not name '%s'", call, msg, needle);
}

static vt_tiers tiers;
static bool tiers_made;

/* Whether `name` is one of the comma-separated names in `list`. */
static bool listed(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && !strncmp(p, name, len))
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

const vt_tiers *vt_cpu_tiers(void)
{
    if (tiers_made)
        return &tiers;
    tiers_made = true;
    const char *required = getenv("VDK_TEST_REQUIRE_ISA"), *only = getenv("VDK_TEST_ISA");
    for (int i = VDK_CPU_ISA_SCALAR; i < VDK_CPU_ISA_COUNT; i++) {
        vdk_cpu_isa isa = (vdk_cpu_isa)i;
        const char *name = vdk_cpu_isa_name(isa);
        if (only && *only && !listed(only, name)) {
            bool must = listed(required, name);
            printf("%s CPU tier %s: left out by VDK_TEST_ISA=%s%s\n", must ? "FAIL" : "SKIP",
                   name, only, must ? ", but VDK_TEST_REQUIRE_ISA requires it" : "");
            if (must)
                vt_failed++;
            continue;
        }
        if (!vdk_cpu_isa_available(isa)) {
            bool must = listed(required, name);
            printf("%s CPU tier %s: not available here%s\n", must ? "FAIL" : "SKIP", name,
                   must ? ", but VDK_TEST_REQUIRE_ISA requires it" : "");
            if (must)
                vt_failed++;
            continue;
        }
        vdk_context *ctx = NULL;
        vdk_status st = vdk_context_create(
            &(vdk_context_desc){.backend = VDK_BACKEND_CPU, .cpu_isa = isa, .threads = 3}, &ctx);
        if (st != VDK_OK)
            vt_fatal("vdk_context_create(cpu %s): %s: %s", name, vdk_status_string(st),
                     vdk_last_error(NULL));
        tiers.ctx[tiers.n] = ctx;
        tiers.isa[tiers.n++] = isa;
    }
    return &tiers;
}

static vdk_context *vulkan_context;
static bool vulkan_tried;

vdk_context *vt_vulkan(void)
{
    if (vulkan_tried)
        return vulkan_context;
    vulkan_tried = true;
    vdk_status st = vdk_context_create(
        &(vdk_context_desc){.backend = VDK_BACKEND_VULKAN, .device = -1}, &vulkan_context);
    if (st != VDK_OK) {
        const char *req = getenv("VDK_TEST_REQUIRE_VULKAN");
        bool must = req && !strcmp(req, "1");
        printf("%s Vulkan: no context (%s: %s)%s\n", must ? "FAIL" : "SKIP",
               vdk_status_string(st), vdk_last_error(NULL),
               must ? ", but VDK_TEST_REQUIRE_VULKAN=1 requires one" : "; Vulkan not tested");
        if (must)
            vt_failed++;
        vulkan_context = NULL;
    }
    return vulkan_context;
}

static vt_tiers stream_tiers;
static bool stream_tiers_made;

const vt_tiers *vt_cpu_stream_tiers(void)
{
    if (stream_tiers_made)
        return &stream_tiers;
    stream_tiers_made = true;
    const vt_tiers *t = vt_cpu_tiers();
    const char *old = getenv("VDK_CPU_STREAM_MIN");
    char *saved = old ? strdup(old) : NULL;
    setenv("VDK_CPU_STREAM_MIN", "0", 1);
    for (int i = 0; i < t->n; i++) {
        vdk_context *ctx = NULL;
        vdk_status st = vdk_context_create(
            &(vdk_context_desc){.backend = VDK_BACKEND_CPU, .cpu_isa = t->isa[i], .threads = 3},
            &ctx);
        if (st != VDK_OK)
            vt_fatal("vdk_context_create(cpu %s, streaming): %s: %s",
                     vdk_cpu_isa_name(t->isa[i]), vdk_status_string(st), vdk_last_error(NULL));
        stream_tiers.ctx[stream_tiers.n] = ctx;
        stream_tiers.isa[stream_tiers.n++] = t->isa[i];
    }
    if (saved)
        setenv("VDK_CPU_STREAM_MIN", saved, 1);
    else
        unsetenv("VDK_CPU_STREAM_MIN");
    free(saved);
    return &stream_tiers;
}

int vt_finish(const char *suite)
{
    if (vulkan_context) {
        const char *first = "";
        int64_t n = vdk_context_validation_messages(vulkan_context, &first);
        VT_CHECK(n == 0, "the Vulkan validation layers sent %lld messages; the first: %s",
                 (long long)n, first);
        vdk_context_destroy(vulkan_context);
        vulkan_context = NULL;
    }
    vulkan_tried = false;
    vdk_context_destroy(other_context);
    other_context = NULL;
    for (int i = 0; i < tiers.n; i++)
        vdk_context_destroy(tiers.ctx[i]);
    tiers.n = 0;
    tiers_made = false;
    for (int i = 0; i < stream_tiers.n; i++)
        vdk_context_destroy(stream_tiers.ctx[i]);
    stream_tiers.n = 0;
    stream_tiers_made = false;
    printf("%s: %d passed, %d failed\n", suite, vt_passed, vt_failed);
    return vt_failed ? 1 : 0;
}

void vt_fatal(const char *fmt, ...)
{
    fprintf(stderr, "FATAL: ");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

/* ---- random ---- */

static uint64_t splitmix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double vt_uniform01(uint64_t seed, uint64_t index)
{
    uint64_t r = splitmix64(splitmix64(seed) ^ (index * 0xd1b54a32d192ed03ull));
    return (double)(r >> 11) * 0x1.0p-53;
}

double vt_uniform(uint64_t seed, uint64_t index, double lo, double hi)
{
    return lo + (hi - lo) * vt_uniform01(seed, index);
}

/* ---- tensors ---- */

vdk_context *vt_context(vdk_backend backend)
{
    vdk_context *ctx = NULL;
    vdk_status st = vdk_context_create(&(vdk_context_desc){.backend = backend, .device = -1}, &ctx);
    if (st != VDK_OK)
        vt_fatal("vdk_context_create(%s): %s: %s", vdk_backend_name(backend),
                 vdk_status_string(st), vdk_last_error(NULL));
    return ctx;
}

vdk_context *vt_other_context(void)
{
    if (!other_context)
        other_context = vt_context(VDK_BACKEND_REFERENCE);
    return other_context;
}

vdk_tensor *vt_tensor(vdk_context *ctx, vdk_dtype dtype, int rank, const int64_t *shape)
{
    vdk_tensor *t = NULL;
    vdk_status st = vdk_tensor_create(ctx, dtype, rank, shape, &t);
    if (st != VDK_OK)
        vt_fatal("vdk_tensor_create: %s: %s", vdk_status_string(st), vdk_last_error(ctx));
    return t;
}

void vt_fill(vdk_tensor *t, const double *values)
{
    vdk_status st = vdk_tensor_write(t, VDK_F64, values, vdk_tensor_numel(t));
    if (st != VDK_OK)
        vt_fatal("vdk_tensor_write: %s: %s", vdk_status_string(st),
                 vdk_last_error(vdk_tensor_context(t)));
}

void vt_fill_uniform(vdk_tensor *t, uint64_t seed, double lo, double hi)
{
    int64_t n = vdk_tensor_numel(t);
    double *v = malloc((size_t)n * sizeof *v);
    if (!v)
        vt_fatal("out of memory");
    for (int64_t i = 0; i < n; i++)
        v[i] = vt_uniform(seed, (uint64_t)i, lo, hi);
    vt_fill(t, v);
    free(v);
}

vdk_tensor *vt_random(vdk_context *ctx, vdk_dtype dtype, int rank, const int64_t *shape,
                      uint64_t seed, double lo, double hi)
{
    vdk_tensor *t = vt_tensor(ctx, dtype, rank, shape);
    vt_fill_uniform(t, seed, lo, hi);
    return t;
}

double *vt_read(const vdk_tensor *t)
{
    int64_t n = vdk_tensor_numel(t);
    double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    if (!v)
        vt_fatal("out of memory");
    vdk_status st = vdk_tensor_read(t, VDK_F64, v, n);
    if (st != VDK_OK)
        vt_fatal("vdk_tensor_read: %s: %s", vdk_status_string(st),
                 vdk_last_error(vdk_tensor_context(t)));
    return v;
}

vdk_tensor *vt_copy_as(vdk_context *ctx, vdk_dtype dtype, const vdk_tensor *src)
{
    if (!src)
        return NULL;
    int64_t shape[VDK_MAX_RANK];
    for (int i = 0; i < vdk_tensor_rank(src); i++)
        shape[i] = vdk_tensor_dim(src, i);
    vdk_tensor *t = vt_tensor(ctx, dtype, vdk_tensor_rank(src), shape);
    double *v = vt_read(src);
    vt_fill(t, v);
    free(v);
    return t;
}

vdk_tensor *vt_view_at(vdk_tensor *big, int64_t start, int rank, const int64_t *shape)
{
    vdk_tensor *flat = NULL, *v = NULL;
    int64_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= shape[i];
    if (vdk_tensor_slice(big, 0, start, n, &flat) != VDK_OK ||
        vdk_tensor_reshape(flat, rank, shape, &v) != VDK_OK)
        vt_fatal("vt_view_at: %s", vdk_last_error(vdk_tensor_context(big)));
    vdk_tensor_destroy(flat); /* the view holds the storage */
    return v;
}

void vt_destroy_n(vdk_tensor *const *tensors, int count)
{
    for (int i = 0; i < count; i++)
        vdk_tensor_destroy(tensors[i]);
}

static vdk_tensor *kept[256];
static int nkept;

vdk_tensor *vt_keep(vdk_tensor *t)
{
    if (nkept == (int)(sizeof kept / sizeof *kept))
        vt_fatal("vt_keep: more than %d tensors kept in one test", nkept);
    return kept[nkept++] = t;
}

void vt_drop_all(void)
{
    while (nkept)
        vdk_tensor_destroy(kept[--nkept]);
}

int64_t vt_changed_outside(const vdk_tensor *t, const double *before, int64_t lo, int64_t n)
{
    const int64_t width = vdk_tensor_dim(t, vdk_tensor_rank(t) - 1), total = vdk_tensor_numel(t);
    double *after = vt_read(t);
    int64_t changed = 0;
    for (int64_t i = 0; i < total; i++) {
        const int64_t c = i % width;
        if ((c < lo || c >= lo + n) && after[i] != before[i])
            changed++;
    }
    free(after);
    return changed;
}

static void fill_constant(vdk_tensor *t, double value)
{
    int64_t n = vdk_tensor_numel(t);
    double *v = malloc((size_t)n * sizeof *v);
    if (!v)
        vt_fatal("out of memory");
    for (int64_t i = 0; i < n; i++)
        v[i] = value;
    vt_fill(t, v);
    free(v);
}

void vt_poison(vdk_tensor *t) { fill_constant(t, NAN); }

/* A sentinel no kernel would produce by accident. */
#define VT_SENTINEL (-12288.0) /* 1.5 * 2^13: exact in f16, bf16, f32 and f64 */

vt_guarded vt_guarded_tensor(vdk_context *ctx, vdk_dtype dtype, int rank, const int64_t *shape)
{
    vt_guarded g = {0};
    g.numel = 1;
    for (int i = 0; i < rank; i++)
        g.numel *= shape[i];
    g.guard = 64;
    int64_t total = g.numel + g.guard;
    g.base = vt_tensor(ctx, dtype, 1, &total);
    fill_constant(g.base, VT_SENTINEL);
    if (vdk_tensor_slice(g.base, 0, 0, g.numel, &g.slice) != VDK_OK ||
        vdk_tensor_reshape(g.slice, rank, shape, &g.view) != VDK_OK)
        vt_fatal("vt_guarded_tensor: %s", vdk_last_error(ctx));
    vt_poison(g.view);
    return g;
}

bool vt_guard_intact(const vt_guarded *g)
{
    double *v = vt_read(g->base);
    bool ok = true;
    for (int64_t i = g->numel; i < g->numel + g->guard; i++)
        ok = ok && v[i] == VT_SENTINEL;
    free(v);
    return ok;
}

void vt_guarded_destroy(vt_guarded *g)
{
    vdk_tensor_destroy(g->view);
    vdk_tensor_destroy(g->slice);
    vdk_tensor_destroy(g->base);
    *g = (vt_guarded){0};
}

/* The two checks of VT_ORACLE_CHECK and VT_GOLDEN_CHECK; destroys out. */
static void check_guarded(vt_guarded *out, const double *want, int64_t nwant, double bound,
                          const char *file, int line, const char *label)
{
    if (nwant != out->numel)
        vt_fatal("%s: the output has %lld elements, the reference %lld", label,
                 (long long)out->numel, (long long)nwant);
    vt_error e = vt_compare_tensor(out->view, want);
    vt_check(vt_error_ok(e, bound), file, line, "%s: norm_err %.3g max_abs %.3g bad %lld", label,
             e.norm_err, e.max_abs, (long long)e.bad);
    vt_check(vt_guard_intact(out), file, line, "%s: guard region overwritten", label);
    vt_guarded_destroy(out);
}

void vt_oracle_check(vt_guarded *out, const vdk_tensor *want, double bound, const char *file,
                     int line, const char *fmt, ...)
{
    char label[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(label, sizeof label, fmt, ap);
    va_end(ap);
    double *w = vt_read(want);
    check_guarded(out, w, vdk_tensor_numel(want), bound, file, line, label);
    free(w);
}

vt_snapshot vt_snap(const vdk_tensor *t)
{
    vt_snapshot s = {t, NULL, 0};
    if (t) {
        s.values = vt_read(t);
        s.n = vdk_tensor_numel(t);
    }
    return s;
}

bool vt_unchanged(vt_snapshot *s)
{
    if (!s->t)
        return true;
    double *now = vt_read(s->t);
    bool same = true;
    for (int64_t i = 0; i < s->n && same; i++)
        same = now[i] == s->values[i] || (isnan(now[i]) && isnan(s->values[i]));
    free(now);
    free(s->values);
    s->values = NULL;
    return same;
}

vt_snapshots vt_snap_all(const vdk_tensor *const *tensors, int count)
{
    vt_snapshots s = {0};
    for (int i = 0; i < count; i++) {
        if (!tensors[i])
            continue;
        if (s.n == VT_MAX_SNAPSHOTS)
            vt_fatal("vt_snap_all: more than %d tensors", VT_MAX_SNAPSHOTS);
        s.s[s.n++] = vt_snap(tensors[i]);
    }
    return s;
}

bool vt_all_unchanged(vt_snapshots *s)
{
    bool same = true;
    for (int i = 0; i < s->n; i++)
        same = vt_unchanged(&s->s[i]) && same;
    s->n = 0;
    return same;
}

/* ---- metrics ---- */

vt_error vt_compare(const double *got, const double *want, int64_t n)
{
    vt_error e = {0, 0, 0, n};
    double num = 0, den = 0;
    for (int64_t i = 0; i < n; i++) {
        double a = got[i], b = want[i];
        if (!isfinite(b)) {
            /* A non-finite reference must be matched exactly (same class and sign). */
            if (!(isnan(b) ? isnan(a) : a == b))
                e.bad++;
            continue;
        }
        if (!isfinite(a)) {
            e.bad++;
            continue;
        }
        double d = a - b;
        num += d * d;
        den += b * b;
        if (fabs(d) > e.max_abs)
            e.max_abs = fabs(d);
    }
    e.norm_err = den > 0 ? num / den : num;
    return e;
}

vt_error vt_compare_tensor(const vdk_tensor *got, const double *want)
{
    double *g = vt_read(got);
    vt_error e = vt_compare(g, want, vdk_tensor_numel(got));
    free(g);
    return e;
}

bool vt_error_ok(vt_error e, double bound) { return e.bad == 0 && e.norm_err <= bound; }

double vt_unit_roundoff(vdk_dtype dtype)
{
    switch (dtype) {
    case VDK_F16:
        return 0x1.0p-11;
    case VDK_BF16:
        return 0x1.0p-8;
    case VDK_F64:
        return 0x1.0p-53;
    default:
        return 0x1.0p-24;
    }
}

double vt_tolerance(vdk_dtype dtype, int64_t reduction, int roundings)
{
    if (dtype == VDK_F64)
        return VT_GOLDEN_BOUND;
    /* Relative RMS error: the output's own rounding (at most u, counted twice for
     * slack), each intermediate rounding to storage (u each), and an f32 reduction
     * of length K (about sqrt(K) * u_f32 for random-signed terms, times 4). */
    double u = vt_unit_roundoff(dtype);
    double rel = 2 * u + roundings * u + 4 * sqrt((double)(reduction > 1 ? reduction : 1)) * 0x1.0p-24;
    return rel * rel;
}

/* ---- golden vectors ---- */

static void golden_fail(const char *path, const char *what)
{
    vt_fatal("golden file %s: %s (regenerate with tools/gen_golden.py)", path, what);
}

vt_golden_file vt_golden_load(const char *op)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.vgold", VDK_GOLDEN_DIR, op);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        golden_fail(path, "cannot open");
    vt_golden_file f = {0, NULL};
    char line[512];
    if (!fgets(line, sizeof line, fp) || strcmp(line, "VDKGOLD 1\n") != 0)
        golden_fail(path, "bad magic line");
    vt_golden_case *c = NULL;
    while (fgets(line, sizeof line, fp)) {
        char word[32];
        if (sscanf(line, "%31s", word) != 1)
            golden_fail(path, "empty line");
        if (!strcmp(word, "case")) {
            vt_golden_case *grown = realloc(f.cases, (size_t)(f.ncases + 1) * sizeof *grown);
            if (!grown)
                vt_fatal("out of memory");
            f.cases = grown;
            c = &f.cases[f.ncases++];
            memset(c, 0, sizeof *c);
            if (sscanf(line, "case %95s", c->name) != 1)
                golden_fail(path, "case without a name");
        } else if (!strcmp(word, "param")) {
            if (!c || c->nparams == VT_GOLDEN_MAX_PARAMS)
                golden_fail(path, "param outside a case or too many params");
            if (sscanf(line, "param %31s %63s", c->keys[c->nparams], c->values[c->nparams]) != 2)
                golden_fail(path, "malformed param line");
            c->nparams++;
        } else if (!strcmp(word, "tensor")) {
            if (!c || c->ntensors == VT_GOLDEN_MAX_TENSORS)
                golden_fail(path, "tensor outside a case or too many tensors");
            vt_golden_tensor *t = &c->tensors[c->ntensors++];
            long long d[VDK_MAX_RANK] = {0};
            int got = sscanf(line, "tensor %31s %d %lld %lld %lld %lld %lld", t->name, &t->rank,
                             &d[0], &d[1], &d[2], &d[3], &d[4]);
            if (got < 3 || t->rank < 1 || t->rank > VDK_MAX_RANK || got != 2 + t->rank)
                golden_fail(path, "malformed tensor line");
            t->numel = 1;
            for (int i = 0; i < t->rank; i++) {
                t->shape[i] = d[i];
                t->numel *= d[i];
            }
            t->data = malloc((size_t)t->numel * sizeof(double));
            if (!t->data)
                vt_fatal("out of memory");
            if (fread(t->data, sizeof(double), (size_t)t->numel, fp) != (size_t)t->numel)
                golden_fail(path, "truncated tensor data");
        } else if (!strcmp(word, "end")) {
            c = NULL;
        } else {
            golden_fail(path, "unknown line");
        }
    }
    fclose(fp);
    if (f.ncases == 0)
        golden_fail(path, "no cases");
    return f;
}

void vt_golden_free(vt_golden_file *f)
{
    for (int i = 0; i < f->ncases; i++)
        for (int j = 0; j < f->cases[i].ntensors; j++)
            free(f->cases[i].tensors[j].data);
    free(f->cases);
    f->cases = NULL;
    f->ncases = 0;
}

bool vt_golden_has(const vt_golden_case *c, const char *key)
{
    for (int i = 0; i < c->nparams; i++)
        if (!strcmp(c->keys[i], key))
            return true;
    return false;
}

double vt_golden_param(const vt_golden_case *c, const char *key)
{
    for (int i = 0; i < c->nparams; i++)
        if (!strcmp(c->keys[i], key))
            return strtod(c->values[i], NULL);
    vt_fatal("golden case %s has no param '%s'", c->name, key);
}

const vt_golden_tensor *vt_golden_get(const vt_golden_case *c, const char *name)
{
    for (int i = 0; i < c->ntensors; i++)
        if (!strcmp(c->tensors[i].name, name))
            return &c->tensors[i];
    return NULL;
}

vdk_tensor *vt_golden_make(vdk_context *ctx, const vt_golden_case *c, const char *name,
                           vdk_dtype dtype)
{
    const vt_golden_tensor *g = vt_golden_get(c, name);
    if (!g)
        return NULL;
    vdk_tensor *t = vt_tensor(ctx, dtype, g->rank, g->shape);
    vt_fill(t, g->data);
    return t;
}

static const vt_golden_tensor *golden_need(const vt_golden_case *c, const char *name)
{
    const vt_golden_tensor *g = vt_golden_get(c, name);
    if (!g)
        vt_fatal("golden case %s has no tensor '%s'", c->name, name);
    return g;
}

vt_guarded vt_golden_output(vdk_context *ctx, const vt_golden_case *c, const char *name)
{
    const vt_golden_tensor *g = golden_need(c, name);
    return vt_guarded_tensor(ctx, VDK_F64, g->rank, g->shape);
}

void vt_golden_check(vt_guarded *out, const vt_golden_case *c, const char *name, double bound,
                     const char *file, int line)
{
    char label[128];
    snprintf(label, sizeof label, "golden %s", c->name);
    const vt_golden_tensor *g = golden_need(c, name);
    check_guarded(out, g->data, g->numel, bound, file, line, label);
}
