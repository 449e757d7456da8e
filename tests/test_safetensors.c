/* safetensors files and the checkpoint loader (pipelines/common/safetensors.h,
 * weights_load.h): exact round trips in every dtype, each malformed header
 * refused with a message naming the problem, cut and garbled files refused
 * without a crash, the shard index, and the tiny SVD UNet loaded from files in
 * PyTorch's layout equal to the seeded generator's weights. Files live in a
 * fresh directory under /tmp, removed at the end. */
#include "vdk_test.h"

#include "common/safetensors.h"
#include "common/weights_load.h"
#include "svd/params.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- temporary files ---- */

static char tmp_dir[64];
static char tmp_paths[64][128];
static int tmp_count;

/* A path in the test's directory (the same name gives the same path), removed
 * by cleanup(). */
static const char *tmp(const char *name)
{
    const size_t skip = strlen(tmp_dir) + 1;
    for (int i = 0; i < tmp_count; i++)
        if (strcmp(tmp_paths[i] + skip, name) == 0)
            return tmp_paths[i];
    if (tmp_count == 64)
        vt_fatal("too many temporary files");
    snprintf(tmp_paths[tmp_count], sizeof tmp_paths[0], "%s/%s", tmp_dir, name);
    return tmp_paths[tmp_count++];
}

/* A subdirectory of the test's directory, removed by cleanup() (after its files). */
static char tmp_dirs[8][128];
static int tmp_dir_count;
static const char *tmp_subdir(const char *name)
{
    if (tmp_dir_count == 8)
        vt_fatal("too many temporary directories");
    char *d = tmp_dirs[tmp_dir_count++];
    snprintf(d, sizeof tmp_dirs[0], "%s/%s", tmp_dir, name);
    if (mkdir(d, 0700) != 0)
        vt_fatal("mkdir %s failed", d);
    return d;
}

static void cleanup(void)
{
    for (int i = 0; i < tmp_count; i++)
        remove(tmp_paths[i]);
    for (int i = tmp_dir_count - 1; i >= 0; i--)
        rmdir(tmp_dirs[i]);
    if (rmdir(tmp_dir) != 0)
        VT_CHECK(0, "%s not empty at the end", tmp_dir);
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0)
        vt_fatal("writing %s failed", path);
}

static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        vt_fatal("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(*n ? *n : 1);
    if (!p || fread(p, 1, *n, f) != *n)
        vt_fatal("reading %s failed", path);
    fclose(f);
    return p;
}

/* A file of header length `len` (as written in the first 8 bytes), `header`
 * (hlen bytes) and data_len bytes of data (0, 1, 2, ...). */
static void craft(const char *path, uint64_t len, const char *header, size_t hlen, size_t data_len)
{
    unsigned char *p = malloc(8 + hlen + data_len);
    for (int b = 0; b < 8; b++)
        p[b] = (unsigned char)(len >> (8 * b));
    memcpy(p + 8, header, hlen);
    for (size_t i = 0; i < data_len; i++)
        p[8 + hlen + i] = (unsigned char)i;
    write_bytes(path, p, 8 + hlen + data_len);
    free(p);
}

static void craft_json(const char *path, const char *header, size_t data_len)
{
    craft(path, strlen(header), header, strlen(header), data_len);
}

static bool has(const char *msg, const char *needle, const char *what)
{
    return VT_CHECK(needle == NULL || strstr(msg, needle) != NULL, "%s: message '%s' lacks '%s'",
                    what, msg, needle);
}

/* ---- round trips ---- */

static void test_round_trip(void)
{
    const float a[6] = {1.0f, -2.5f, 3.25f, 1e-30f, -0.0f, 65504.0f};
    const uint16_t b[5] = {0x3C00, 0x7C00, 0x7E01, 0x8001, 0xFBFF}; /* 1, inf, NaN, -tiny, -max */
    const uint16_t c[4] = {0x3F80, 0xFF80, 0x0001, 0x7FC1};
    const double d = -1.0 / 3.0;
    const char *names[] = {"a.weight", "b", "odd \"name\"\\\n\xc3\xbc", "d", "empty"};
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16, VDK_F64, VDK_F32};
    const int ranks[] = {2, 1, 3, 0, 2};
    const int64_t sa[] = {2, 3}, sb[] = {5}, sc[] = {2, 2, 1}, se[] = {0, 4};
    const int64_t *shapes[] = {sa, sb, sc, NULL, se};
    const void *data[] = {a, b, c, &d, NULL};
    const size_t bytes[] = {sizeof a, sizeof b, sizeof c, sizeof d, 0};
    const char *path = tmp("round.safetensors");
    char msg[512] = "";
    vdk_status st =
        vdk_safetensors_write(path, 5, names, dtypes, ranks, shapes, data, msg, sizeof msg);
    if (!VT_CHECK(st == VDK_OK, "write: %s: %s", vdk_status_string(st), msg))
        return;

    size_t size;
    unsigned char *raw = read_bytes(path, &size);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | raw[i];
    VT_CHECK(hlen % 8 == 0 && size == 8 + hlen + sizeof a + sizeof b + sizeof c + sizeof d,
             "file of %zu bytes, header %llu", size, (unsigned long long)hlen);
    free(raw);

    vdk_safetensors *f = NULL;
    st = vdk_safetensors_open(path, &f, msg, sizeof msg);
    if (!VT_CHECK(st == VDK_OK, "open: %s: %s", vdk_status_string(st), msg))
        return;
    VT_CHECK(vdk_safetensors_count(f) == 5, "%zu entries", vdk_safetensors_count(f));
    VT_CHECK(strcmp(vdk_safetensors_path(f), path) == 0, "path");
    for (int i = 0; i < 5; i++) {
        const vdk_safetensors_entry *e = vdk_safetensors_entry_at(f, (size_t)i);
        if (!VT_CHECK(e && vdk_safetensors_find(f, names[i]) == e, "entry %d '%s' by name", i,
                      names[i]))
            continue;
        VT_CHECK(strcmp(e->name, names[i]) == 0, "entry %d is '%s' (header order)", i, e->name);
        VT_CHECK(e->dtype == dtypes[i] && e->element_size == vdk_dtype_size(dtypes[i]) &&
                     e->rank == ranks[i] && e->end - e->begin == bytes[i],
                 "'%s': dtype %s rank %d bytes %llu", names[i], e->dtype_name, e->rank,
                 (unsigned long long)(e->end - e->begin));
        for (int k = 0; k < ranks[i]; k++)
            VT_CHECK(e->shape[k] == shapes[i][k], "'%s' axis %d", names[i], k);
        unsigned char got[64];
        memset(got, 0xAB, sizeof got);
        st = vdk_safetensors_read(f, e, got, sizeof got, msg, sizeof msg);
        VT_CHECK(st == VDK_OK && (!bytes[i] || memcmp(got, data[i], bytes[i]) == 0),
                 "'%s' read back: %s %s", names[i], vdk_status_string(st), msg);
    }
    VT_CHECK(vdk_safetensors_entry_at(f, 5) == NULL && !vdk_safetensors_find(f, "a") &&
                 !vdk_safetensors_find(f, "zz"),
             "no such entries");
    unsigned char small[8];
    st = vdk_safetensors_read(f, vdk_safetensors_find(f, "a.weight"), small, sizeof small, msg,
                              sizeof msg);
    (void)(VT_CHECK(st == VDK_ERROR_INVALID_VALUE, "small dst: %s", vdk_status_string(st)) &&
           has(msg, "'a.weight'", "small dst") && has(msg, "dst holds 8", "small dst"));
    vdk_safetensors_close(f);

    /* Nothing at all: "{}" padded. */
    st = vdk_safetensors_write(tmp("none.safetensors"), 0, NULL, NULL, NULL, NULL, NULL, msg,
                               sizeof msg);
    VT_CHECK(st == VDK_OK, "empty write: %s", msg);
    st = vdk_safetensors_open(tmp("none.safetensors"), &f, msg, sizeof msg);
    VT_CHECK(st == VDK_OK && vdk_safetensors_count(f) == 0, "empty open: %s", msg);
    vdk_safetensors_close(f);
}

/* Dtypes vdk has no type for are listed, sized and refused on reading. */
static void test_foreign_dtypes(void)
{
    const char *path = tmp("foreign.safetensors");
    craft_json(path,
               "{\"__metadata__\":{\"format\":\"pt\"},"
               "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
               "\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[3],\"data_offsets\":[16,19]},"
               "\"x\":{\"dtype\":\"Q4_WHATEVER_LONG_NAME\",\"shape\":[8],\"data_offsets\":[19,23]},"
               "\"f\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]}}",
               28);
    vdk_safetensors *f = NULL;
    char msg[512] = "";
    vdk_status st = vdk_safetensors_open(path, &f, msg, sizeof msg);
    if (!VT_CHECK(st == VDK_OK, "open: %s", msg))
        return;
    VT_CHECK(vdk_safetensors_count(f) == 4, "__metadata__ is not a tensor");
    const vdk_safetensors_entry *ids = vdk_safetensors_find(f, "ids");
    const vdk_safetensors_entry *x = vdk_safetensors_find(f, "x");
    VT_CHECK(ids && ids->dtype == VDK_DTYPE_COUNT && ids->element_size == 8 &&
                 strcmp(ids->dtype_name, "I64") == 0,
             "I64 entry");
    VT_CHECK(x && x->dtype == VDK_DTYPE_COUNT && x->element_size == 0, "unknown dtype entry");
    unsigned char buf[32];
    st = vdk_safetensors_read(f, ids, buf, sizeof buf, msg, sizeof msg);
    (void)(VT_CHECK(st == VDK_ERROR_DTYPE, "I64 read: %s", vdk_status_string(st)) &&
           has(msg, "'ids'", "I64 read") && has(msg, "I64", "I64 read") && has(msg, path, "I64"));
    st = vdk_safetensors_read(f, vdk_safetensors_find(f, "f"), buf, sizeof buf, msg, sizeof msg);
    VT_CHECK(st == VDK_OK && buf[0] == 24 && buf[3] == 27, "F32 beside them reads");
    vdk_safetensors_close(f);
}

/* ---- malformed files ---- */

static void expect_refused(const char *path, vdk_status want, const char *n1, const char *n2,
                           const char *what)
{
    vdk_safetensors *f = (vdk_safetensors *)&f; /* must become NULL */
    char msg[512] = "";
    vdk_status st = vdk_safetensors_open(path, &f, msg, sizeof msg);
    if (VT_CHECK(st == want && f == NULL, "%s: %s, expected %s (%s)", what, vdk_status_string(st),
                 vdk_status_string(want), msg))
        (void)(has(msg, path, what) && has(msg, n1, what) && has(msg, n2, what));
    if (st == VDK_OK)
        vdk_safetensors_close(f);
}

#define T(name, json) "{\"" name "\":" json "}"
#define F32_2(offsets) "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" offsets "}"

static void test_malformed(void)
{
    const char *path = tmp("bad.safetensors");
    const vdk_status bad = VDK_ERROR_INVALID_VALUE;

    write_bytes(path, "\x10\0\0\0\0", 5);
    expect_refused(path, bad, "too short", NULL, "5-byte file");
    craft(path, 1000, "{}      ", 8, 0);
    expect_refused(path, bad, "header length 1000", "runs past", "length past the end");
    craft(path, UINT64_MAX, "{}      ", 8, 0);
    expect_refused(path, bad, "runs past", NULL, "length 2^64-1");
    craft(path, 0, "", 0, 0);
    expect_refused(path, bad, "not valid JSON", NULL, "empty header");

    static const struct {
        const char *json;
        size_t data;
        const char *n1, *n2, *what;
    } cases[] = {
        {"{\"t\": ", 0, "not valid JSON", NULL, "cut JSON"},
        {"{} x", 0, "not valid JSON", NULL, "garbage after the object"},
        {"[1, 2]", 0, "not an object", NULL, "an array"},
        {"\"{}\"", 0, "not an object", NULL, "a string"},
        {T("t", "3"), 0, "'t'", "not a JSON object", "entry a number"},
        {T("t", "{\"shape\":[1],\"data_offsets\":[0,4]}"), 4, "'t'", "\"dtype\"", "no dtype"},
        {T("t", "{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}"), 4, "'t'", "\"dtype\"",
         "dtype a number"},
        {T("t", "{\"dtype\":\"F32\",\"data_offsets\":[0,4]}"), 4, "'t'", "\"shape\"", "no shape"},
        {T("t", "{\"dtype\":\"F32\",\"shape\":{},\"data_offsets\":[0,4]}"), 4, "'t'", "\"shape\"",
         "shape an object"},
        {T("t", "{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,4]}"), 4, "'t'",
         "shape axis 1", "negative extent"},
        {T("t", "{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}"), 4, "'t'",
         "shape axis 0", "fractional extent"},
        {T("t", "{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}"), 8, "'t'",
         "shape axis 0", "extent a string"},
        {T("t", "{\"dtype\":\"F32\",\"shape\":[1e300],\"data_offsets\":[0,8]}"), 8, "'t'",
         "shape axis 0", "extent 1e300"},
        {T("t", "{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}"), 8,
         "'t'", "overflows", "element count 2^64"},
        {T("t", "{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}"), 4,
         "'t'", "rank 9", "rank 9"},
        {T("t", "{\"dtype\":\"F32\",\"shape\":[2]}"), 8, "'t'", "\"data_offsets\"",
         "no data_offsets"},
        {T("t", F32_2("[0,4,8]")), 8, "'t'", "\"data_offsets\"", "three offsets"},
        {T("t", F32_2("[8,0]")), 8, "'t'", "\"data_offsets\"", "begin after end"},
        {T("t", F32_2("[-8,0]")), 8, "'t'", "\"data_offsets\"", "negative begin"},
        {T("t", F32_2("[0,\"8\"]")), 8, "'t'", "\"data_offsets\"", "end a string"},
        {T("t", F32_2("[0,8]")), 6, "'t'", "run past the data area's 6 bytes", "cut data"},
        {T("t", F32_2("[0,12]")), 12, "'t'", "hold 12 bytes, but 2 elements of F32 are 8",
         "size mismatch"},
        {"{\"a\":" F32_2("[0,8]") ",\"b\":" F32_2("[4,12]") "}", 12, "'a' [0, 8] and 'b' [4, 12]",
         "overlap", "overlap"},
        {"{\"b\":" F32_2("[8,16]") ",\"a\":" F32_2("[0,8]") ",\"c\":" F32_2("[6,14]") "}", 16,
         "overlap", NULL, "overlap, out of order"},
        {"{\"t\":" F32_2("[0,8]") ",\"t\":" F32_2("[8,16]") "}", 16, "'t' appears twice", NULL,
         "duplicate name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        craft_json(path, cases[i].json, cases[i].data);
        expect_refused(path, bad, cases[i].n1, cases[i].n2, cases[i].what);
    }
    /* A NUL inside the header ends the JSON early: the rest would be ignored. */
    craft(path, 8, "{}\0{\"x\":", 8, 0);
    expect_refused(path, bad, "not valid JSON", NULL, "NUL inside the header");

    expect_refused(tmp("does-not-exist.safetensors"), bad, "cannot open", NULL, "missing file");
    expect_refused(tmp_dir, bad, "not a regular file", NULL, "a directory");

    /* What is allowed: empty tensors anywhere, gaps, trailing spaces, metadata. */
    craft_json(path,
               "{\"e\":{\"dtype\":\"F16\",\"shape\":[0,3],\"data_offsets\":[4,4]},\"__metadata__\":"
               "{\"a\":\"b\"},\"t\":" F32_2("[0,8]") ",\"u\":" F32_2("[12,20]") "}    \n ",
               20);
    vdk_safetensors *f = NULL;
    char msg[512] = "";
    vdk_status st = vdk_safetensors_open(path, &f, msg, sizeof msg);
    VT_CHECK(st == VDK_OK && vdk_safetensors_count(f) == 3, "valid oddities: %s", msg);
    vdk_safetensors_close(f);

    vdk_safetensors_close(NULL);
    VT_CHECK(vdk_safetensors_open(path, NULL, msg, sizeof msg) == VDK_ERROR_NULL_POINTER,
             "NULL out");
    VT_CHECK(vdk_safetensors_open(NULL, &f, msg, sizeof msg) == VDK_ERROR_NULL_POINTER && !f,
             "NULL path");
}

/* Every prefix of a valid file is refused; random byte changes never crash, and
 * what still opens reads within bounds (AddressSanitizer builds check that). */
static void test_fuzz(void)
{
    const float v[12] = {0};
    const char *names[] = {"x.weight", "x.bias", "y"};
    const vdk_dtype dtypes[] = {VDK_F32, VDK_BF16, VDK_F64};
    const int ranks[] = {2, 1, 1};
    const int64_t s0[] = {2, 3}, s1[] = {4}, s2[] = {2};
    const int64_t *shapes[] = {s0, s1, s2};
    const void *data[] = {v, v, v};
    const char *good = tmp("good.safetensors"), *path = tmp("fuzz.safetensors");
    char msg[512] = "";
    if (!VT_CHECK(vdk_safetensors_write(good, 3, names, dtypes, ranks, shapes, data, msg,
                                        sizeof msg) == VDK_OK,
                  "write: %s", msg))
        return;
    size_t size;
    unsigned char *bytes = read_bytes(good, &size);
    int opened = 0, refused = 0, unnamed = 0;
    for (size_t len = 0; len < size; len++) {
        write_bytes(path, bytes, len);
        vdk_safetensors *f = NULL;
        vdk_status st = vdk_safetensors_open(path, &f, msg, sizeof msg);
        opened += st == VDK_OK;
        unnamed += st != VDK_OK && !strstr(msg, path);
        vdk_safetensors_close(f);
    }
    VT_CHECK(opened == 0 && unnamed == 0, "cut files: %d opened, %d messages without the path",
             opened, unnamed);

    unsigned char *mutant = malloc(size);
    opened = 0;
    for (uint64_t k = 0; k < 3000; k++) {
        memcpy(mutant, bytes, size);
        const int changes = 1 + (int)(vt_uniform01(17, 4 * k) * 3);
        for (int c = 0; c < changes; c++) {
            /* Mostly the length and the header; some in the data. */
            const size_t at = (size_t)(vt_uniform01(18, 4 * k + (uint64_t)c) * (double)size);
            const int kind = (int)(vt_uniform01(19, 4 * k + (uint64_t)c) * 4);
            static const char punct[] = "{}[],:\"0123456789-.eE \\";
            mutant[at] = kind == 0   ? (unsigned char)(vt_uniform01(20, k) * 256)
                         : kind == 1 ? (unsigned char)punct[(size_t)(vt_uniform01(21, k) * 23)]
                         : kind == 2 ? (unsigned char)(mutant[at] ^ 1)
                                     : (unsigned char)(mutant[at] + 1);
        }
        const size_t len = vt_uniform01(22, k) < 0.2 ? (size_t)(vt_uniform01(23, k) * size) : size;
        write_bytes(path, mutant, len);
        vdk_safetensors *f = NULL;
        msg[0] = '\0';
        vdk_status st = vdk_safetensors_open(path, &f, msg, sizeof msg);
        if (st != VDK_OK) {
            refused++;
            unnamed += !strstr(msg, path) || st != VDK_ERROR_INVALID_VALUE;
            continue;
        }
        opened++;
        for (size_t i = 0; i < vdk_safetensors_count(f); i++) {
            const vdk_safetensors_entry *e = vdk_safetensors_entry_at(f, i);
            const uint64_t n = e->end - e->begin;
            if (n > size) { /* validated against the file: cannot happen */
                VT_CHECK(0, "mutant %llu: '%s' of %llu bytes in a %zu-byte file",
                         (unsigned long long)k, e->name, (unsigned long long)n, size);
                continue;
            }
            unsigned char *dst = malloc(n ? (size_t)n : 1);
            st = vdk_safetensors_read(f, e, dst, (size_t)n, msg, sizeof msg);
            VT_CHECK(st == VDK_OK || st == VDK_ERROR_DTYPE, "mutant %llu: read '%s': %s",
                     (unsigned long long)k, e->name, msg);
            free(dst);
        }
        vdk_safetensors_close(f);
    }
    VT_CHECK(unnamed == 0, "%d refusals without the path or with another status", unnamed);
    VT_CHECK(refused > 1000 && opened > 100, "mutants: %d refused, %d opened", refused, opened);
    free(mutant);
    free(bytes);
}

/* ---- the writer's argument checks ---- */

static void test_write_errors(void)
{
    const float v[4] = {0};
    const int64_t s2[] = {2, 2}, neg[] = {2, -1};
    const int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    const char *path = tmp("w.safetensors");
    char msg[512];
    struct {
        const char *names[2];
        vdk_dtype dtype;
        int rank;
        const int64_t *shape;
        const void *data;
        vdk_status want;
        const char *needle;
    } cases[] = {
        {{"a", "b"}, VDK_DTYPE_COUNT, 2, s2, v, VDK_ERROR_DTYPE, "'a': invalid dtype"},
        {{"a", "b"}, VDK_F32, 9, nine, v, VDK_ERROR_RANK, "'a': rank 9"},
        {{"a", "b"}, VDK_F32, -1, s2, v, VDK_ERROR_RANK, "'a': rank -1"},
        {{"a", "b"}, VDK_F32, 2, neg, v, VDK_ERROR_SHAPE, "'a': axis 1 has extent -1"},
        {{"a", "b"}, VDK_F32, 2, s2, NULL, VDK_ERROR_NULL_POINTER, "'a': data is NULL"},
        {{"a", "a"}, VDK_F32, 2, s2, v, VDK_ERROR_INVALID_VALUE, "'a' is named twice"},
        {{"__metadata__", "b"}, VDK_F32, 2, s2, v, VDK_ERROR_INVALID_VALUE, "names[0]"},
        {{"a", ""}, VDK_F32, 2, s2, v, VDK_ERROR_INVALID_VALUE, "names[1]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        remove(path);
        const vdk_dtype dtypes[] = {cases[i].dtype, VDK_F32};
        const int ranks[] = {cases[i].rank, 2};
        const int64_t *shapes[] = {cases[i].shape, s2};
        const void *data[] = {cases[i].data, v};
        msg[0] = '\0';
        vdk_status st = vdk_safetensors_write(path, 2, cases[i].names, dtypes, ranks, shapes, data,
                                              msg, sizeof msg);
        (void)(VT_CHECK(st == cases[i].want, "writer case %zu: %s, expected %s (%s)", i,
                        vdk_status_string(st), vdk_status_string(cases[i].want), msg) &&
               has(msg, cases[i].needle, "writer"));
        VT_CHECK(access(path, F_OK) != 0, "writer case %zu left a file", i);
    }
    const char *names[] = {"a"};
    const vdk_dtype dt[] = {VDK_F32};
    const int r[] = {2};
    const int64_t *sh[] = {s2};
    const void *d[] = {v};
    vdk_status st = vdk_safetensors_write("/nonexistent-dir/x.safetensors", 1, names, dt, r, sh, d,
                                          msg, sizeof msg);
    (void)(VT_CHECK(st == VDK_ERROR_INVALID_VALUE, "unwritable path: %s", vdk_status_string(st)) &&
           has(msg, "cannot create", "unwritable path"));
}

/* ---- the shard index ---- */

static void test_index(void)
{
    const char *path = tmp("i.safetensors.index.json");
    const char *json =
        "{\"metadata\":{\"total_size\":64},\"weight_map\":{\"a\":\"s-1.safetensors\","
        "\"b\":\"s-2.safetensors\",\"c\":\"s-1.safetensors\"}}";
    write_bytes(path, json, strlen(json));
    vdk_safetensors_index ix;
    char msg[512] = "";
    vdk_status st = vdk_safetensors_index_read(path, &ix, msg, sizeof msg);
    if (VT_CHECK(st == VDK_OK, "index: %s", msg))
        VT_CHECK(ix.count == 3 && ix.file_count == 2 &&
                     strcmp(ix.files[0], "s-1.safetensors") == 0 &&
                     strcmp(ix.files[1], "s-2.safetensors") == 0 && strcmp(ix.names[1], "b") == 0 &&
                     ix.file_of[0] == 0 && ix.file_of[1] == 1 && ix.file_of[2] == 0,
                 "index contents");
    vdk_safetensors_index_free(&ix);

    static const struct {
        const char *json, *needle;
    } cases[] = {
        {"{\"metadata\":{}}", "\"weight_map\""},
        {"{\"weight_map\":[]}", "\"weight_map\""},
        {"{\"weight_map\":{\"a\":1}}", "'a'"},
        {"{\"weight_map\":{\"a\":\"../x.safetensors\"}}", "'a'"},
        {"{\"weight_map\":{\"a\":\"..\"}}", "'a'"},
        {"{\"weight_map\":{\"a\":\"\"}}", "'a'"},
        {"{\"weight_map\":{\"a\":\"s\",\"b\":\"s\",\"a\":\"t\"}}", "'a' appears twice"},
        {"{\"weight_map\":{", "\"weight_map\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_bytes(path, cases[i].json, strlen(cases[i].json));
        st = vdk_safetensors_index_read(path, &ix, msg, sizeof msg);
        (void)(VT_CHECK(st == VDK_ERROR_INVALID_VALUE, "index case %zu: %s", i,
                        vdk_status_string(st)) &&
               has(msg, cases[i].needle, "index") && has(msg, path, "index"));
        vdk_safetensors_index_free(&ix);
    }
}

/* ---- the loader ---- */

/* A checkpoint in PyTorch's layout from the seeded generator. */
typedef struct model_file {
    vdk_dtype dtype; /* of the file */
    uint64_t seed;
    const char *prefix; /* before every name, NULL for none */
    size_t first, last; /* the entries written: [first, last), last 0 = all */
    long skip;          /* an entry left out, -1 for none */
    long reshape;       /* an entry written in vdk's shape instead, -1 for none */
    int extras;         /* tensors "encoder.extra.N" no entry takes */
} model_file;

static void write_model(vdk_context *ctx, const vdk_param_table *t, const char *path, model_file m)
{
    const size_t last = m.last ? m.last : t->count, n = last - m.first + (size_t)m.extras;
    const char **names = calloc(n, sizeof *names);
    vdk_dtype *dtypes = calloc(n, sizeof *dtypes);
    int *ranks = calloc(n, sizeof *ranks);
    const int64_t **shapes = calloc(n, sizeof *shapes);
    void **data = calloc(n, sizeof *data);
    char(*keys)[160] = calloc(n, sizeof *keys);
    static const int64_t extra_shape[] = {3};
    size_t k = 0;
    for (size_t i = m.first; i < last; i++) {
        const vdk_param *p = &t->items[i];
        if ((long)i == m.skip)
            continue;
        snprintf(keys[k], sizeof keys[k], "%s%s", m.prefix ? m.prefix : "", p->name);
        names[k] = keys[k];
        dtypes[k] = m.dtype;
        const int bad = (long)i == m.reshape;
        ranks[k] = bad ? p->vdk_rank : p->torch_rank;
        shapes[k] = bad ? p->vdk_shape : p->torch_shape;
        float *f = malloc((size_t)p->count * sizeof *f);
        vdk_weights_generate(p, m.seed, f);
        /* The file's dtype from the f32 values, rounded as vdk_tensor_write does. */
        vdk_tensor *tmp_t = vt_tensor(ctx, m.dtype, 1, &p->count);
        data[k] = malloc((size_t)p->count * vdk_dtype_size(m.dtype));
        if (vdk_tensor_write(tmp_t, VDK_F32, f, p->count) ||
            vdk_tensor_read(tmp_t, m.dtype, data[k], p->count))
            vt_fatal("conversion of %s failed", p->name);
        vdk_tensor_destroy(tmp_t);
        free(f);
        k++;
    }
    for (int e = 0; e < m.extras; e++, k++) {
        snprintf(keys[k], sizeof keys[k], "encoder.extra.%d", e);
        names[k] = keys[k];
        dtypes[k] = VDK_F32;
        ranks[k] = 1;
        shapes[k] = extra_shape;
        data[k] = calloc(3, sizeof(float));
    }
    char msg[512];
    vdk_status st = vdk_safetensors_write(path, k, names, dtypes, ranks, shapes,
                                          (const void *const *)data, msg, sizeof msg);
    if (st)
        vt_fatal("writing %s: %s", path, msg);
    for (size_t i = 0; i < k; i++)
        free(data[i]);
    free(names);
    free(dtypes);
    free(ranks);
    free(shapes);
    free(data);
    free(keys);
}

static vdk_weights *weights(vdk_context *ctx, const vdk_param_table *t, vdk_dtype dtype)
{
    vdk_weights *w = NULL;
    char msg[512];
    if (vdk_weights_create(ctx, t, dtype, &w, msg, sizeof msg))
        vt_fatal("vdk_weights_create: %s", msg);
    return w;
}

/* The index of the first entry whose tensors differ bit for bit (read in
 * dtype), or -1. */
static long first_difference(const vdk_weights *a, const vdk_weights *b, vdk_dtype dtype)
{
    for (size_t i = 0; i < vdk_weights_count(a); i++) {
        const vdk_param *p = vdk_weights_param(a, i);
        const size_t bytes = (size_t)p->count * vdk_dtype_size(dtype);
        unsigned char *x = malloc(bytes), *y = malloc(bytes);
        const int same = !vdk_tensor_read(vdk_weights_get(a, p->name), dtype, x, p->count) &&
                         !vdk_tensor_read(vdk_weights_get(b, p->name), dtype, y, p->count) &&
                         memcmp(x, y, bytes) == 0;
        free(x);
        free(y);
        if (!same)
            return (long)i;
    }
    return -1;
}

static vdk_param_table tiny_unet(void)
{
    vdk_svd_unet_config c;
    vdk_param_table t;
    vdk_param_table_init(&t);
    if (vdk_svd_unet_config_preset(VDK_SVD_PRESET_TINY, &c) || vdk_svd_unet_params(&c, &t))
        vt_fatal("tiny unet table: %s", t.error);
    return t;
}

static model_file model(vdk_dtype dtype, uint64_t seed)
{
    return (model_file){.dtype = dtype, .seed = seed, .skip = -1, .reshape = -1};
}

static void test_load_unet(vdk_context *ctx)
{
    vdk_param_table t = tiny_unet();
    const uint64_t seed = 0x5EED;
    vdk_weights *ref = weights(ctx, &t, VDK_F32), *w = weights(ctx, &t, VDK_F32);
    VT_CHECK(vdk_weights_randomize(ref, seed, NULL, 0) == VDK_OK, "randomize");
    vdk_weights_load_report r;
    char msg[512] = "";

    /* One file with three tensors the UNet does not take. */
    const char *file = tmp("unet.safetensors");
    model_file m = model(VDK_F32, seed);
    m.extras = 3;
    write_model(ctx, &t, file, m);
    vdk_status st = vdk_weights_load(w, file, NULL, &r, msg, sizeof msg);
    if (VT_CHECK(st == VDK_OK, "load: %s: %s", vdk_status_string(st), msg)) {
        VT_CHECK(r.loaded == t.count && r.files == 1 && r.unused == 3 &&
                     strncmp(r.first_unused, "encoder.extra.", 14) == 0 &&
                     strcmp(r.source, file) == 0,
                 "report: %zu loaded of %zu, %zu files, %zu unused ('%s'), source %s", r.loaded,
                 t.count, r.files, r.unused, r.first_unused, r.source);
        const long d = first_difference(w, ref, VDK_F32);
        VT_CHECK(d < 0, "f32 file: '%s' differs from the generator's",
                 d < 0 ? "" : t.items[d].name);
    }

    /* f64 in the file converts exactly to the f32 weights. */
    write_model(ctx, &t, file, model(VDK_F64, seed));
    vdk_weights *w2 = weights(ctx, &t, VDK_F32);
    st = vdk_weights_load(w2, file, "", &r, msg, sizeof msg);
    VT_CHECK(st == VDK_OK && r.unused == 0 && first_difference(w2, ref, VDK_F32) < 0,
             "f64 file: %s", msg);
    vdk_weights_destroy(w2);

    /* A directory holding a sharded f32 checkpoint and an fp16 one of other
     * values: f32 weights take the former, f16 weights the latter. */
    const char *dir = tmp_subdir("unet");
    const size_t half = t.count / 2;
    m = model(VDK_F32, seed);
    m.last = half;
    write_model(ctx, &t, tmp("unet/diffusion_pytorch_model-00001-of-00002.safetensors"), m);
    m = model(VDK_F32, seed);
    m.first = half;
    m.extras = 1;
    write_model(ctx, &t, tmp("unet/diffusion_pytorch_model-00002-of-00002.safetensors"), m);
    FILE *ix = fopen(tmp("unet/diffusion_pytorch_model.safetensors.index.json"), "w");
    fprintf(ix, "{\"metadata\": {\"total_size\": 0}, \"weight_map\": {\n");
    for (size_t i = 0; i < t.count; i++)
        fprintf(ix, "  \"%s\": \"diffusion_pytorch_model-0000%d-of-00002.safetensors\",\n",
                t.items[i].name, i < half ? 1 : 2);
    fprintf(ix, "  \"encoder.extra.0\": \"diffusion_pytorch_model-00002-of-00002.safetensors\""
                "\n}}\n");
    fclose(ix);
    write_model(ctx, &t, tmp("unet/diffusion_pytorch_model.fp16.safetensors"),
                model(VDK_F16, seed + 1));
    vdk_weights *w16 = weights(ctx, &t, VDK_F16), *ref16 = weights(ctx, &t, VDK_F16);
    VT_CHECK(vdk_weights_randomize(ref16, seed + 1, NULL, 0) == VDK_OK, "randomize f16");
    VT_CHECK(vdk_weights_randomize(w, 99, NULL, 0) == VDK_OK, "randomize");
    st = vdk_weights_load(w, dir, NULL, &r, msg, sizeof msg);
    VT_CHECK(st == VDK_OK && r.files == 2 && r.unused == 1 && r.loaded == t.count &&
                 strstr(r.source, "diffusion_pytorch_model.safetensors.index.json") &&
                 first_difference(w, ref, VDK_F32) < 0,
             "sharded directory: %s: %s (%zu files, source %s)", vdk_status_string(st), msg,
             r.files, r.source);
    st = vdk_weights_load(w16, dir, NULL, &r, msg, sizeof msg);
    VT_CHECK(st == VDK_OK && r.files == 1 && strstr(r.source, ".fp16.safetensors") &&
                 first_difference(w16, ref16, VDK_F16) < 0,
             "fp16 file into f16 weights: %s: %s (source %s)", vdk_status_string(st), msg,
             r.source);

    /* Only a sharded fp16 variant, under diffusers' name for its index: f16
     * weights read it, and f32 weights too for want of anything else. */
    const char *dir16 = tmp_subdir("unet16");
    write_model(ctx, &t, tmp("unet16/diffusion_pytorch_model.fp16-00001-of-00001.safetensors"),
                model(VDK_F16, seed + 1));
    ix = fopen(tmp("unet16/diffusion_pytorch_model.safetensors.index.fp16.json"), "w");
    fprintf(ix, "{\"weight_map\": {");
    for (size_t i = 0; i < t.count; i++)
        fprintf(ix, "%s\"%s\": \"diffusion_pytorch_model.fp16-00001-of-00001.safetensors\"",
                i ? ", " : "", t.items[i].name);
    fprintf(ix, "}}");
    fclose(ix);
    VT_CHECK(vdk_weights_randomize(w16, 99, NULL, 0) == VDK_OK, "randomize");
    st = vdk_weights_load(w16, dir16, NULL, &r, msg, sizeof msg);
    VT_CHECK(st == VDK_OK && r.files == 1 && strstr(r.source, "index.fp16.json") &&
                 first_difference(w16, ref16, VDK_F16) < 0,
             "fp16 index into f16 weights: %s: %s (source %s)", vdk_status_string(st), msg,
             r.source);
    st = vdk_weights_load(w, dir16, NULL, &r, msg, sizeof msg);
    VT_CHECK(st == VDK_OK && strstr(r.source, "index.fp16.json"), "fp16 index into f32: %s", msg);

    /* The index must agree with its shards. */
    ix = fopen(tmp("unet/diffusion_pytorch_model.safetensors.index.json"), "w");
    fprintf(ix,
            "{\"weight_map\": {\"%s\": \"diffusion_pytorch_model-00001-of-00002."
            "safetensors\"}}",
            t.items[t.count - 1].name);
    fclose(ix);
    st = vdk_weights_load(w, dir, NULL, &r, msg, sizeof msg);
    (void)(VT_CHECK(st == VDK_ERROR_INVALID_VALUE, "index against its shards: %s",
                    vdk_status_string(st)) &&
           has(msg, t.items[t.count - 1].name, "index") && has(msg, "does not hold it", "index"));

    /* With a prefix; and without it, every tensor is missing. */
    m = model(VDK_BF16, seed);
    m.prefix = "unet.";
    write_model(ctx, &t, file, m);
    st = vdk_weights_load(w, file, "unet.", &r, msg, sizeof msg);
    VT_CHECK(st == VDK_OK && r.loaded == t.count, "prefix: %s", msg);
    st = vdk_weights_load(w, file, NULL, &r, msg, sizeof msg);
    char want[256];
    snprintf(want, sizeof want, "%zu of the %zu tensors", t.count, t.count);
    (void)(VT_CHECK(st == VDK_ERROR_INVALID_VALUE, "no prefix: %s", vdk_status_string(st)) &&
           has(msg, want, "no prefix") && has(msg, t.items[0].name, "no prefix"));

    /* Failures leave w as it was: the faulty entry is the last one, so a loader
     * writing as it checks would have changed every other. */
    VT_CHECK(vdk_weights_randomize(w, seed, NULL, 0) == VDK_OK, "randomize");
    long last_conv = -1;
    for (size_t i = 0; i < t.count; i++)
        if (t.items[i].torch_layout == VDK_LAYOUT_TORCH_OIHW)
            last_conv = (long)i;
    m = model(VDK_F32, 7);
    m.skip = (long)t.count - 1;
    write_model(ctx, &t, file, m);
    st = vdk_weights_load(w, file, NULL, &r, msg, sizeof msg);
    (void)(VT_CHECK(st == VDK_ERROR_INVALID_VALUE, "missing: %s", vdk_status_string(st)) &&
           has(msg, "1 of the", "missing") && has(msg, t.items[t.count - 1].name, "missing") &&
           has(msg, file, "missing"));
    VT_CHECK(r.loaded == 0 && first_difference(w, ref, VDK_F32) < 0,
             "a missing tensor changed the weights");

    m = model(VDK_F32, 7);
    m.reshape = last_conv;
    write_model(ctx, &t, file, m);
    st = vdk_weights_load(w, file, NULL, &r, msg, sizeof msg);
    const vdk_param *c = &t.items[last_conv];
    char shapes[2][128];
    snprintf(shapes[0], sizeof shapes[0], "expected shape [%lld, %lld, %lld, %lld]",
             (long long)c->torch_shape[0], (long long)c->torch_shape[1],
             (long long)c->torch_shape[2], (long long)c->torch_shape[3]);
    snprintf(shapes[1], sizeof shapes[1], "has [%lld, %lld, %lld, %lld, %lld]",
             (long long)c->vdk_shape[0], (long long)c->vdk_shape[1], (long long)c->vdk_shape[2],
             (long long)c->vdk_shape[3], (long long)c->vdk_shape[4]);
    (void)(VT_CHECK(st == VDK_ERROR_SHAPE, "wrong shape: %s", vdk_status_string(st)) &&
           has(msg, c->name, "wrong shape") && has(msg, shapes[0], "wrong shape") &&
           has(msg, shapes[1], "wrong shape"));
    VT_CHECK(first_difference(w, ref, VDK_F32) < 0, "a wrong shape changed the weights");

    const char *empty = tmp_subdir("empty");
    st = vdk_weights_load(w, empty, NULL, &r, msg, sizeof msg);
    (void)(VT_CHECK(st == VDK_ERROR_INVALID_VALUE, "empty directory") &&
           has(msg, "diffusion_pytorch_model.safetensors", "empty directory"));
    st = vdk_weights_load(w, tmp("nothing.safetensors"), NULL, NULL, msg, sizeof msg);
    (void)(VT_CHECK(st == VDK_ERROR_INVALID_VALUE, "missing file") &&
           has(msg, "cannot open", "missing"));
    VT_CHECK(vdk_weights_load(NULL, file, NULL, &r, msg, sizeof msg) == VDK_ERROR_NULL_POINTER,
             "NULL weights");
    VT_CHECK(first_difference(w, ref, VDK_F32) < 0, "a failed load changed the weights");

    vdk_weights_destroy(w);
    vdk_weights_destroy(ref);
    vdk_weights_destroy(w16);
    vdk_weights_destroy(ref16);
    vdk_param_table_free(&t);
}

/* The layout conversion checked by hand rather than against vdk_weights_set
 * itself: a conv weight [O, I, kh, kw] lands as [O, 1, kh, kw, I]. Also a
 * tensor of a dtype vdk lacks, and one in two shards. */
static void test_load_small(vdk_context *ctx)
{
    vdk_param_table t;
    vdk_param_table_init(&t);
    vdk_param_conv2d(&t, "c", 2, 3, 2, 2);
    vdk_param_linear(&t, "l", 2, 3, 0);
    if (t.status)
        vt_fatal("table: %s", t.error);
    float conv[24], bias[3], lin[6];
    for (int i = 0; i < 24; i++)
        conv[i] = (float)i;
    for (int i = 0; i < 3; i++)
        bias[i] = 100.0f + (float)i;
    for (int i = 0; i < 6; i++)
        lin[i] = 200.0f + (float)i;
    const char *names[] = {"c.weight", "c.bias", "l.weight"};
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F32, VDK_F32};
    const int ranks[] = {4, 1, 2};
    const int64_t sc[] = {3, 2, 2, 2}, sb[] = {3}, sl[] = {3, 2};
    const int64_t *shapes[] = {sc, sb, sl};
    const void *data[] = {conv, bias, lin};
    const char *file = tmp("small.safetensors");
    char msg[512];
    if (vdk_safetensors_write(file, 3, names, dtypes, ranks, shapes, data, msg, sizeof msg))
        vt_fatal("write: %s", msg);
    vdk_weights *w = weights(ctx, &t, VDK_F32);
    vdk_status st = vdk_weights_load(w, file, NULL, NULL, msg, sizeof msg);
    if (VT_CHECK(st == VDK_OK, "small load: %s", msg)) {
        float got[24];
        int bad = 0;
        vdk_tensor_read(vdk_weights_get(w, "c.weight"), VDK_F32, got, 24);
        for (int o = 0; o < 3; o++)
            for (int i = 0; i < 2; i++)
                for (int h = 0; h < 2; h++)
                    for (int x = 0; x < 2; x++)
                        bad += got[((o * 2 + h) * 2 + x) * 2 + i] !=
                               conv[((o * 2 + i) * 2 + h) * 2 + x];
        VT_CHECK(bad == 0, "conv weight: %d elements misplaced", bad);
        vdk_tensor_read(vdk_weights_get(w, "l.weight"), VDK_F32, got, 6);
        VT_CHECK(memcmp(got, lin, sizeof lin) == 0, "linear weight copied as it is");
        vdk_tensor_read(vdk_weights_get(w, "c.bias"), VDK_F32, got, 3);
        VT_CHECK(memcmp(got, bias, sizeof bias) == 0, "bias");
    }

    /* l.weight as I32 (same size as F32). */
    craft_json(file,
               "{\"c.weight\":{\"dtype\":\"F32\",\"shape\":[3,2,2,2],\"data_offsets\":[0,96]},"
               "\"c.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[96,108]},"
               "\"l.weight\":{\"dtype\":\"I32\",\"shape\":[3,2],\"data_offsets\":[108,132]}}",
               132);
    st = vdk_weights_load(w, file, NULL, NULL, msg, sizeof msg);
    (void)(VT_CHECK(st == VDK_ERROR_DTYPE, "I32 tensor: %s", vdk_status_string(st)) &&
           has(msg, "'l.weight'", "I32") && has(msg, "I32", "I32"));

    /* Two shards both holding c.bias. */
    const char *s1 = tmp("s1.safetensors"), *s2 = tmp("s2.safetensors");
    if (vdk_safetensors_write(s1, 2, names, dtypes, ranks, shapes, data, msg, sizeof msg) ||
        vdk_safetensors_write(s2, 2, names + 1, dtypes + 1, ranks + 1, shapes + 1, data + 1, msg,
                              sizeof msg))
        vt_fatal("write: %s", msg);
    const char *json = "{\"weight_map\":{\"c.weight\":\"s1.safetensors\",\"c.bias\":"
                       "\"s1.safetensors\",\"l.weight\":\"s2.safetensors\"}}";
    const char *index = tmp("small.safetensors.index.json");
    write_bytes(index, json, strlen(json));
    st = vdk_weights_load(w, index, NULL, NULL, msg, sizeof msg);
    (void)(VT_CHECK(st == VDK_ERROR_INVALID_VALUE, "tensor in two shards: %s",
                    vdk_status_string(st)) &&
           has(msg, "'c.bias' is in both", "two shards"));

    vdk_weights_destroy(w);
    vdk_param_table_free(&t);
}

int main(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/vdk_test_safetensors_XXXXXX");
    if (!mkdtemp(tmp_dir))
        vt_fatal("mkdtemp failed");
    if (!vdk_safetensors_available()) {
        /* Built without cJSON: only the stubs' message can be checked. */
        vdk_safetensors *f = NULL;
        char msg[256] = "";
        VT_CHECK(vdk_safetensors_open("x", &f, msg, sizeof msg) == VDK_ERROR_UNSUPPORTED &&
                     strstr(msg, "cJSON"),
                 "without cJSON: %s", msg);
        printf("SKIP test_safetensors: built without cJSON (Debian: libcjson-dev)\n");
        cleanup();
        return vt_finish("test_safetensors");
    }
    vdk_context *ctx = vt_context(VDK_BACKEND_REFERENCE);
    test_round_trip();
    test_foreign_dtypes();
    test_malformed();
    test_fuzz();
    test_write_errors();
    test_index();
    test_load_unet(ctx);
    test_load_small(ctx);
    cleanup();
    vdk_context_destroy(ctx);
    return vt_finish("test_safetensors");
}
