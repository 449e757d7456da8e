/* Reading safetensors files and diffusers' shard index (safetensors.h). Every
 * number of the header is checked before it is used as a size or an offset, so
 * a cut or hostile file gives an error, never a read outside the file or a
 * huge allocation. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* pread, O_CLOEXEC */
#endif
#define _FILE_OFFSET_BITS 64 /* offsets past 2 GB on 32-bit hosts too */

#include "common/safetensors.h"
#include "common/message.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef VDK_HAVE_CJSON
#include <cJSON.h>
#endif

struct vdk_safetensors {
    char *path;
    int fd;
    uint64_t data_start; /* 8 + the header length */
    size_t count;
    vdk_safetensors_entry *entries;        /* in header order */
    const vdk_safetensors_entry **by_name; /* the entries sorted by name */
    void *json;                            /* the parsed header: the entries' names point into it */
};

int vdk_safetensors_available(void)
{
#ifdef VDK_HAVE_CJSON
    return 1;
#else
    return 0;
#endif
}

const char *vdk_safetensors_path(const vdk_safetensors *f) { return f ? f->path : NULL; }
size_t vdk_safetensors_count(const vdk_safetensors *f) { return f ? f->count : 0; }

const vdk_safetensors_entry *vdk_safetensors_entry_at(const vdk_safetensors *f, size_t index)
{
    return f && index < f->count ? &f->entries[index] : NULL;
}

const vdk_safetensors_entry *vdk_safetensors_find(const vdk_safetensors *f, const char *name)
{
    if (!f || !name)
        return NULL;
    size_t lo = 0, hi = f->count;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const vdk_safetensors_entry *e = f->by_name[mid];
        const int c = strcmp(e->name, name);
        if (c == 0)
            return e;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void vdk_safetensors_close(vdk_safetensors *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
#ifdef VDK_HAVE_CJSON
    cJSON_Delete(f->json);
#endif
    free(f->entries);
    free(f->by_name);
    free(f->path);
    free(f);
}

/* Reads size bytes at offset, through short reads and signals. Returns 0 when
 * all arrived, else errno (0 replaced by EIO: the file ended first). */
static int read_at(int fd, void *dst, size_t size, uint64_t offset)
{
    unsigned char *p = dst;
    while (size) {
        const size_t chunk = size < ((size_t)1 << 30) ? size : ((size_t)1 << 30);
        const ssize_t got = pread(fd, p, chunk, (off_t)offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got < 0 && errno ? errno : EIO;
        p += got;
        size -= (size_t)got;
        offset += (uint64_t)got;
    }
    return 0;
}

vdk_status vdk_safetensors_read(const vdk_safetensors *f, const vdk_safetensors_entry *e, void *dst,
                                size_t dst_size, char *msg, size_t msg_size)
{
    if (!f || !e || (!dst && e->end > e->begin)) {
        vdk_pipe_say(msg, msg_size, "vdk_safetensors_read: file, entry and dst must not be NULL");
        return VDK_ERROR_NULL_POINTER;
    }
    if (e->dtype == VDK_DTYPE_COUNT) {
        vdk_pipe_say(
            msg, msg_size,
            "%s: tensor '%s' has dtype %s, which vdk has no type for (it takes F32, F16, BF16 "
            "and F64)",
            f->path, e->name, e->dtype_name);
        return VDK_ERROR_DTYPE;
    }
    const uint64_t bytes = e->end - e->begin;
    if (bytes > dst_size) {
        vdk_pipe_say(msg, msg_size, "%s: tensor '%s' is %llu bytes, dst holds %zu", f->path,
                     e->name, (unsigned long long)bytes, dst_size);
        return VDK_ERROR_INVALID_VALUE;
    }
    const int err = read_at(f->fd, dst, (size_t)bytes, f->data_start + e->begin);
    if (err) {
        vdk_pipe_say(
            msg, msg_size, "%s: tensor '%s': reading %llu bytes at offset %llu: %s", f->path,
            e->name, (unsigned long long)bytes, (unsigned long long)(f->data_start + e->begin),
            err == EIO ? "the file ends first (was it cut after it was opened?)" : strerror(err));
        return VDK_ERROR_INVALID_VALUE;
    }
    return VDK_OK;
}

#ifdef VDK_HAVE_CJSON

static const struct {
    const char *name;
    size_t size;
    vdk_dtype dtype;
} dtypes[] = {
    {"F32", 4, VDK_F32},
    {"F16", 2, VDK_F16},
    {"BF16", 2, VDK_BF16},
    {"F64", 8, VDK_F64},
    {"I64", 8, VDK_DTYPE_COUNT},
    {"I32", 4, VDK_DTYPE_COUNT},
    {"I16", 2, VDK_DTYPE_COUNT},
    {"I8", 1, VDK_DTYPE_COUNT},
    {"U64", 8, VDK_DTYPE_COUNT},
    {"U32", 4, VDK_DTYPE_COUNT},
    {"U16", 2, VDK_DTYPE_COUNT},
    {"U8", 1, VDK_DTYPE_COUNT},
    {"BOOL", 1, VDK_DTYPE_COUNT},
    {"F8_E4M3", 1, VDK_DTYPE_COUNT},
    {"F8_E5M2", 1, VDK_DTYPE_COUNT},
};

/* A JSON number that is a whole number in [0, 2^53]: larger ones are not exact
 * in the double cJSON keeps, and no file is that large. */
static int whole(const cJSON *v, uint64_t *out)
{
    if (!cJSON_IsNumber(v))
        return 0;
    const double d = v->valuedouble;
    if (!(d >= 0.0 && d <= 9007199254740992.0) || d != (double)(uint64_t)d)
        return 0;
    *out = (uint64_t)d;
    return 1;
}

/* Fills e from the header's entry j; file and data_size for the checks. */
static vdk_status parse_entry(const cJSON *j, const char *file, uint64_t data_size,
                              vdk_safetensors_entry *e, char *msg, size_t msg_size)
{
    e->name = j->string;
    if (!cJSON_IsObject(j)) {
        vdk_pipe_say(msg, msg_size, "%s: tensor '%s': its entry is not a JSON object", file,
                     e->name);
        return VDK_ERROR_INVALID_VALUE;
    }
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(j, "dtype");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(j, "shape");
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(j, "data_offsets");
    if (!cJSON_IsString(dt) || !dt->valuestring[0]) {
        vdk_pipe_say(msg, msg_size, "%s: tensor '%s': \"dtype\" is missing or not a string", file,
                     e->name);
        return VDK_ERROR_INVALID_VALUE;
    }
    snprintf(e->dtype_name, sizeof e->dtype_name, "%s", dt->valuestring);
    e->dtype = VDK_DTYPE_COUNT;
    e->element_size = 0;
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (strcmp(dt->valuestring, dtypes[i].name) == 0) {
            e->dtype = dtypes[i].dtype;
            e->element_size = dtypes[i].size;
        }
    if (!cJSON_IsArray(sh)) {
        vdk_pipe_say(msg, msg_size, "%s: tensor '%s': \"shape\" is missing or not an array", file,
                     e->name);
        return VDK_ERROR_INVALID_VALUE;
    }
    const int rank = cJSON_GetArraySize(sh);
    if (rank > VDK_SAFETENSORS_MAX_RANK) {
        vdk_pipe_say(msg, msg_size, "%s: tensor '%s': shape of rank %d, more than the %d vdk reads",
                     file, e->name, rank, VDK_SAFETENSORS_MAX_RANK);
        return VDK_ERROR_INVALID_VALUE;
    }
    e->rank = 0;
    e->count = 1;
    const cJSON *v;
    cJSON_ArrayForEach(v, sh)
    {
        uint64_t d;
        if (!whole(v, &d)) {
            vdk_pipe_say(
                msg, msg_size,
                "%s: tensor '%s': shape axis %d is not a non-negative integer (at most 2^53)", file,
                e->name, e->rank);
            return VDK_ERROR_INVALID_VALUE;
        }
        if (d && (uint64_t)e->count > (uint64_t)INT64_MAX / d) {
            vdk_pipe_say(msg, msg_size,
                         "%s: tensor '%s': the shape's element count overflows 64 bits", file,
                         e->name);
            return VDK_ERROR_INVALID_VALUE;
        }
        e->shape[e->rank++] = (int64_t)d;
        e->count *= (int64_t)d;
    }
    if (!cJSON_IsArray(off) || cJSON_GetArraySize(off) != 2 || !whole(off->child, &e->begin) ||
        !whole(off->child->next, &e->end) || e->begin > e->end) {
        vdk_pipe_say(
            msg, msg_size,
            "%s: tensor '%s': \"data_offsets\" is not [begin, end] with integers 0 <= begin <= "
            "end",
            file, e->name);
        return VDK_ERROR_INVALID_VALUE;
    }
    if (e->end > data_size) {
        vdk_pipe_say(
            msg, msg_size,
            "%s: tensor '%s': data_offsets [%llu, %llu] run past the data area's %llu bytes "
            "(a cut file?)",
            file, e->name, (unsigned long long)e->begin, (unsigned long long)e->end,
            (unsigned long long)data_size);
        return VDK_ERROR_INVALID_VALUE;
    }
    if (e->element_size && ((uint64_t)e->count > UINT64_MAX / e->element_size ||
                            e->end - e->begin != (uint64_t)e->count * e->element_size)) {
        vdk_pipe_say(
            msg, msg_size,
            "%s: tensor '%s': data_offsets [%llu, %llu] hold %llu bytes, but %lld elements of "
            "%s are %llu bytes",
            file, e->name, (unsigned long long)e->begin, (unsigned long long)e->end,
            (unsigned long long)(e->end - e->begin), (long long)e->count, e->dtype_name,
            (unsigned long long)((uint64_t)e->count * e->element_size));
        return VDK_ERROR_INVALID_VALUE;
    }
    return VDK_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const vdk_safetensors_entry *const *)a)->name,
                  (*(const vdk_safetensors_entry *const *)b)->name);
}

static int by_begin(const void *a, const void *b)
{
    const vdk_safetensors_entry *x = *(const vdk_safetensors_entry *const *)a;
    const vdk_safetensors_entry *y = *(const vdk_safetensors_entry *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : 0;
}

/* No name twice, no two tensors sharing a byte; builds f->by_name. */
static vdk_status check_layout(vdk_safetensors *f, char *msg, size_t msg_size)
{
    const vdk_safetensors_entry **order = malloc((f->count ? f->count : 1) * sizeof *order);
    f->by_name = malloc((f->count ? f->count : 1) * sizeof *f->by_name);
    if (!order || !f->by_name) {
        free(order);
        vdk_pipe_say(msg, msg_size, "%s: out of host memory", f->path);
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    for (size_t i = 0; i < f->count; i++)
        order[i] = f->by_name[i] = &f->entries[i];
    qsort(f->by_name, f->count, sizeof *f->by_name, by_name);
    qsort(order, f->count, sizeof *order, by_begin);
    vdk_status st = VDK_OK;
    for (size_t i = 1; i < f->count && !st; i++)
        if (strcmp(f->by_name[i - 1]->name, f->by_name[i]->name) == 0) {
            vdk_pipe_say(msg, msg_size, "%s: tensor '%s' appears twice in the header", f->path,
                         f->by_name[i]->name);
            st = VDK_ERROR_INVALID_VALUE;
        }
    /* Sorted by begin, a tensor overlaps an earlier one exactly when it starts
     * before the furthest end so far; empty tensors hold no bytes. */
    const vdk_safetensors_entry *furthest = NULL;
    for (size_t i = 0; i < f->count && !st; i++) {
        const vdk_safetensors_entry *e = order[i];
        if (e->begin == e->end)
            continue;
        if (furthest && e->begin < furthest->end) {
            vdk_pipe_say(msg, msg_size,
                         "%s: tensors '%s' [%llu, %llu] and '%s' [%llu, %llu] overlap", f->path,
                         furthest->name, (unsigned long long)furthest->begin,
                         (unsigned long long)furthest->end, e->name, (unsigned long long)e->begin,
                         (unsigned long long)e->end);
            st = VDK_ERROR_INVALID_VALUE;
        }
        if (!furthest || e->end > furthest->end)
            furthest = e;
    }
    free(order);
    return st;
}

static vdk_status parse_header(vdk_safetensors *f, uint64_t file_size, char *msg, size_t msg_size)
{
    if (file_size < 8) {
        vdk_pipe_say(msg, msg_size, "%s: %llu bytes, too short for the 8-byte header length",
                     f->path, (unsigned long long)file_size);
        return VDK_ERROR_INVALID_VALUE;
    }
    unsigned char le[8];
    int err = read_at(f->fd, le, 8, 0);
    if (err) {
        vdk_pipe_say(msg, msg_size, "%s: reading the header length: %s", f->path, strerror(err));
        return VDK_ERROR_INVALID_VALUE;
    }
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | le[i];
    if (n > file_size - 8 || n > VDK_SAFETENSORS_MAX_HEADER) {
        vdk_pipe_say(
            msg, msg_size,
            "%s: header length %llu runs past the end of the file (%llu bytes) or over the "
            "%llu-byte limit: not a safetensors file, or a cut one",
            f->path, (unsigned long long)n, (unsigned long long)file_size,
            VDK_SAFETENSORS_MAX_HEADER);
        return VDK_ERROR_INVALID_VALUE;
    }
    f->data_start = 8 + n;
    char *text = malloc((size_t)n + 1);
    if (!text) {
        vdk_pipe_say(msg, msg_size, "%s: out of host memory for a %llu-byte header", f->path,
                     (unsigned long long)n);
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    err = read_at(f->fd, text, (size_t)n, 8);
    if (err) {
        free(text);
        vdk_pipe_say(msg, msg_size, "%s: reading the header: %s", f->path, strerror(err));
        return VDK_ERROR_INVALID_VALUE;
    }
    text[n] = '\0';
    /* Null-terminated parsing refuses anything but whitespace after the object;
     * the end must then be the header's end, not a NUL inside it. */
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(text, (size_t)n + 1, &end, 1);
    const size_t at = end && end >= text && end <= text + n ? (size_t)(end - text) : 0;
    free(text);
    f->json = json;
    if (!json || at != n) {
        vdk_pipe_say(msg, msg_size,
                     "%s: the %llu-byte header is not valid JSON (error near byte %zu)", f->path,
                     (unsigned long long)n, at);
        return VDK_ERROR_INVALID_VALUE;
    }
    if (!cJSON_IsObject(json)) {
        vdk_pipe_say(msg, msg_size, "%s: the header is JSON but not an object", f->path);
        return VDK_ERROR_INVALID_VALUE;
    }
    const cJSON *j;
    cJSON_ArrayForEach(j, json) f->count += strcmp(j->string, "__metadata__") != 0;
    f->entries = calloc(f->count ? f->count : 1, sizeof *f->entries);
    if (!f->entries) {
        vdk_pipe_say(msg, msg_size, "%s: out of host memory for %zu entries", f->path, f->count);
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    size_t i = 0;
    cJSON_ArrayForEach(j, json)
    {
        if (strcmp(j->string, "__metadata__") == 0)
            continue;
        vdk_status st =
            parse_entry(j, f->path, file_size - f->data_start, &f->entries[i++], msg, msg_size);
        if (st)
            return st;
    }
    return check_layout(f, msg, msg_size);
}

static int little_endian_host(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

vdk_status vdk_safetensors_open(const char *path, vdk_safetensors **out, char *msg, size_t msg_size)
{
    if (!out)
        return VDK_ERROR_NULL_POINTER;
    *out = NULL;
    if (!path) {
        vdk_pipe_say(msg, msg_size, "vdk_safetensors_open: path must not be NULL");
        return VDK_ERROR_NULL_POINTER;
    }
    if (!little_endian_host()) {
        vdk_pipe_say(msg, msg_size, "%s: safetensors data is little-endian; this host is not",
                     path);
        return VDK_ERROR_UNSUPPORTED;
    }
    vdk_safetensors *f = calloc(1, sizeof *f);
    if (f)
        f->path = malloc(strlen(path) + 1);
    if (!f || !f->path) {
        free(f);
        vdk_pipe_say(msg, msg_size, "%s: out of host memory", path);
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    strcpy(f->path, path);
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat s;
    vdk_status st = VDK_OK;
    if (f->fd < 0 || fstat(f->fd, &s) != 0) {
        vdk_pipe_say(msg, msg_size, "%s: cannot open: %s", path, strerror(errno));
        st = VDK_ERROR_INVALID_VALUE;
    } else if (!S_ISREG(s.st_mode)) {
        vdk_pipe_say(msg, msg_size, "%s: not a regular file", path);
        st = VDK_ERROR_INVALID_VALUE;
    } else {
        st = parse_header(f, (uint64_t)s.st_size, msg, msg_size);
    }
    if (st) {
        vdk_safetensors_close(f);
        return st;
    }
    *out = f;
    return VDK_OK;
}

/* ---- the shard index ---- */

void vdk_safetensors_index_free(vdk_safetensors_index *index)
{
    if (!index)
        return;
    for (size_t i = 0; i < index->count && index->names; i++)
        free(index->names[i]);
    for (size_t i = 0; i < index->file_count && index->files; i++)
        free(index->files[i]);
    free(index->names);
    free(index->file_of);
    free(index->files);
    memset(index, 0, sizeof *index);
}

static char *copy(const char *s)
{
    char *c = malloc(strlen(s) + 1);
    return c ? strcpy(c, s) : NULL;
}

/* The whole (small) file as a string, or NULL with msg set. */
static char *slurp(const char *path, char *msg, size_t msg_size, vdk_status *st)
{
    *st = VDK_ERROR_INVALID_VALUE;
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat s;
    if (fd < 0 || fstat(fd, &s) != 0) {
        vdk_pipe_say(msg, msg_size, "%s: cannot open: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    char *text = NULL;
    if (!S_ISREG(s.st_mode) || (uint64_t)s.st_size > VDK_SAFETENSORS_MAX_HEADER) {
        vdk_pipe_say(msg, msg_size, "%s: not a regular file of at most %llu bytes", path,
                     VDK_SAFETENSORS_MAX_HEADER);
    } else if (!(text = malloc((size_t)s.st_size + 1))) {
        vdk_pipe_say(msg, msg_size, "%s: out of host memory", path);
        *st = VDK_ERROR_OUT_OF_MEMORY;
    } else {
        const int err = read_at(fd, text, (size_t)s.st_size, 0);
        if (err) {
            vdk_pipe_say(msg, msg_size, "%s: reading: %s", path, strerror(err));
            free(text);
            text = NULL;
        } else {
            text[s.st_size] = '\0';
            *st = VDK_OK;
        }
    }
    close(fd);
    return text;
}

static int find_string(char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return (int)i;
    return -1;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* JSON lets a key repeat; a weight map must not. */
static vdk_status check_unique(const vdk_safetensors_index *index, const char *path, char *msg,
                               size_t msg_size)
{
    char **sorted = malloc((index->count ? index->count : 1) * sizeof *sorted);
    if (!sorted) {
        vdk_pipe_say(msg, msg_size, "%s: out of host memory", path);
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    memcpy(sorted, index->names, index->count * sizeof *sorted);
    qsort(sorted, index->count, sizeof *sorted, by_string);
    vdk_status st = VDK_OK;
    for (size_t i = 1; i < index->count && !st; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0) {
            vdk_pipe_say(msg, msg_size, "%s: tensor '%s' appears twice in the weight map", path,
                         sorted[i]);
            st = VDK_ERROR_INVALID_VALUE;
        }
    free(sorted);
    return st;
}

vdk_status vdk_safetensors_index_read(const char *path, vdk_safetensors_index *out, char *msg,
                                      size_t msg_size)
{
    if (!out)
        return VDK_ERROR_NULL_POINTER;
    memset(out, 0, sizeof *out);
    if (!path) {
        vdk_pipe_say(msg, msg_size, "vdk_safetensors_index_read: path must not be NULL");
        return VDK_ERROR_NULL_POINTER;
    }
    vdk_status st;
    char *text = slurp(path, msg, msg_size, &st);
    if (!text)
        return st;
    cJSON *json = cJSON_Parse(text);
    free(text);
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(json, "weight_map");
    if (!cJSON_IsObject(json) || !cJSON_IsObject(map)) {
        vdk_pipe_say(msg, msg_size, "%s: not a JSON object with a \"weight_map\" object", path);
        cJSON_Delete(json);
        return VDK_ERROR_INVALID_VALUE;
    }
    const size_t n = (size_t)cJSON_GetArraySize(map);
    out->names = calloc(n ? n : 1, sizeof *out->names);
    out->file_of = calloc(n ? n : 1, sizeof *out->file_of);
    out->files = calloc(n ? n : 1, sizeof *out->files);
    st = out->names && out->file_of && out->files ? VDK_OK : VDK_ERROR_OUT_OF_MEMORY;
    if (st)
        vdk_pipe_say(msg, msg_size, "%s: out of host memory", path);
    const cJSON *j;
    cJSON_ArrayForEach(j, map)
    {
        if (st)
            break;
        const char *file = cJSON_IsString(j) ? j->valuestring : NULL;
        if (!file || !file[0] || strchr(file, '/') || strcmp(file, ".") == 0 ||
            strcmp(file, "..") == 0) {
            vdk_pipe_say(
                msg, msg_size,
                "%s: tensor '%s': the file name is not a string naming a file beside the index",
                path, j->string);
            st = VDK_ERROR_INVALID_VALUE;
            break;
        }
        int k = find_string(out->files, out->file_count, file);
        if (k < 0) {
            if (!(out->files[out->file_count] = copy(file))) {
                st = VDK_ERROR_OUT_OF_MEMORY;
                vdk_pipe_say(msg, msg_size, "%s: out of host memory", path);
                break;
            }
            k = (int)out->file_count++;
        }
        if (!(out->names[out->count] = copy(j->string))) {
            st = VDK_ERROR_OUT_OF_MEMORY;
            vdk_pipe_say(msg, msg_size, "%s: out of host memory", path);
            break;
        }
        out->file_of[out->count++] = (size_t)k;
    }
    cJSON_Delete(json);
    return st ? st : check_unique(out, path, msg, msg_size);
}

#else /* no cJSON: the reading half says why it cannot work */

static vdk_status no_cjson(const char *path, char *msg, size_t msg_size)
{
    vdk_pipe_say(msg, msg_size,
                 "%s: vdk was built without cJSON (Debian: libcjson-dev), so it cannot read "
                 "safetensors headers",
                 path ? path : "(null)");
    return VDK_ERROR_UNSUPPORTED;
}

vdk_status vdk_safetensors_open(const char *path, vdk_safetensors **out, char *msg, size_t msg_size)
{
    if (!out)
        return VDK_ERROR_NULL_POINTER;
    *out = NULL;
    return no_cjson(path, msg, msg_size);
}

void vdk_safetensors_index_free(vdk_safetensors_index *index)
{
    if (index)
        memset(index, 0, sizeof *index);
}

vdk_status vdk_safetensors_index_read(const char *path, vdk_safetensors_index *out, char *msg,
                                      size_t msg_size)
{
    if (!out)
        return VDK_ERROR_NULL_POINTER;
    memset(out, 0, sizeof *out);
    return no_cjson(path, msg, msg_size);
}

#endif
