/* Writing safetensors files (safetensors.h): the header is built by hand, so
 * writing needs no JSON library; tests and tools use it to make checkpoints. */
#include "common/message.h"
#include "common/safetensors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing string; `failed` is sticky, so the header is checked once at the end. */
typedef struct text {
    char *p;
    size_t len, cap;
    int failed;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    const int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0 || (t->len + (size_t)need + 1 > t->cap && t->cap > SIZE_MAX / 4)) {
        t->failed = 1;
        return;
    }
    if (t->len + (size_t)need + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + (size_t)need + 1)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p) {
            t->failed = 1;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)need;
}

/* A JSON string: quotes, backslashes and control characters escaped; other
 * bytes (UTF-8) as they are. */
static void add_string(text *t, const char *s)
{
    add(t, "\"");
    for (; *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            add(t, "\\%c", c);
        else if (c < 0x20)
            add(t, "\\u%04x", c);
        else
            add(t, "%c", c);
    }
    add(t, "\"");
}

static const char *file_dtype(vdk_dtype d)
{
    switch (d) {
    case VDK_F32: return "F32";
    case VDK_F16: return "F16";
    case VDK_BF16: return "BF16";
    case VDK_F64: return "F64";
    default: return NULL;
    }
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every argument of tensor i; bytes[i] set. */
static vdk_status check_args(size_t n, const char *const *names, const vdk_dtype *dtypes,
                             const int *ranks, const int64_t *const *shapes,
                             const void *const *data, uint64_t *bytes, char *msg, size_t msg_size)
{
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        if (!name || !name[0] || strcmp(name, "__metadata__") == 0) {
            vdk_pipe_say(msg, msg_size,
                         "vdk_safetensors_write: names[%zu] is NULL, empty or "
                         "\"__metadata__\"",
                         i);
            return VDK_ERROR_INVALID_VALUE;
        }
        if (!file_dtype(dtypes[i])) {
            vdk_pipe_say(msg, msg_size, "vdk_safetensors_write: tensor '%s': invalid dtype %d",
                         name, (int)dtypes[i]);
            return VDK_ERROR_DTYPE;
        }
        if (ranks[i] < 0 || ranks[i] > VDK_SAFETENSORS_MAX_RANK || (ranks[i] && !shapes[i])) {
            vdk_pipe_say(msg, msg_size,
                         "vdk_safetensors_write: tensor '%s': rank %d (0 to %d, with a shape for a "
                         "rank above 0)",
                         name, ranks[i], VDK_SAFETENSORS_MAX_RANK);
            return VDK_ERROR_RANK;
        }
        uint64_t count = 1;
        for (int a = 0; a < ranks[i]; a++) {
            const int64_t d = shapes[i][a];
            if (d < 0 || (d && count > (uint64_t)INT64_MAX / 16 / (uint64_t)d)) {
                vdk_pipe_say(
                    msg, msg_size,
                    "vdk_safetensors_write: tensor '%s': axis %d has extent %lld (negative, or "
                    "the size overflows)",
                    name, a, (long long)d);
                return VDK_ERROR_SHAPE;
            }
            count *= (uint64_t)d;
        }
        bytes[i] = count * vdk_dtype_size(dtypes[i]);
        if (bytes[i] && !data[i]) {
            vdk_pipe_say(msg, msg_size, "vdk_safetensors_write: tensor '%s': data is NULL", name);
            return VDK_ERROR_NULL_POINTER;
        }
    }
    const char **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted) {
        vdk_pipe_say(msg, msg_size, "vdk_safetensors_write: out of host memory");
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    if (n)
        memcpy(sorted, names, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, by_string);
    vdk_status st = VDK_OK;
    for (size_t i = 1; i < n && !st; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0) {
            vdk_pipe_say(msg, msg_size, "vdk_safetensors_write: tensor '%s' is named twice",
                         sorted[i]);
            st = VDK_ERROR_INVALID_VALUE;
        }
    free(sorted);
    return st;
}

static int little_endian_host(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

vdk_status vdk_safetensors_write(const char *path, size_t n, const char *const *names,
                                 const vdk_dtype *dtypes, const int *ranks,
                                 const int64_t *const *shapes, const void *const *data, char *msg,
                                 size_t msg_size)
{
    if (!path || (n && (!names || !dtypes || !ranks || !shapes || !data))) {
        vdk_pipe_say(msg, msg_size, "vdk_safetensors_write: path and the arrays must not be NULL");
        return VDK_ERROR_NULL_POINTER;
    }
    if (!little_endian_host()) {
        vdk_pipe_say(msg, msg_size, "%s: safetensors data is little-endian; this host is not",
                     path);
        return VDK_ERROR_UNSUPPORTED;
    }
    uint64_t *bytes = malloc((n ? n : 1) * sizeof *bytes);
    if (!bytes) {
        vdk_pipe_say(msg, msg_size, "vdk_safetensors_write: out of host memory");
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    vdk_status st = check_args(n, names, dtypes, ranks, shapes, data, bytes, msg, msg_size);
    text h = {0};
    uint64_t offset = 0;
    add(&h, "{");
    for (size_t i = 0; i < n && !st; i++) {
        add(&h, "%s", i ? "," : "");
        add_string(&h, names[i]);
        add(&h, ":{\"dtype\":\"%s\",\"shape\":[", file_dtype(dtypes[i]));
        for (int a = 0; a < ranks[i]; a++)
            add(&h, "%s%lld", a ? "," : "", (long long)shapes[i][a]);
        add(&h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)offset,
            (unsigned long long)(offset + bytes[i]));
        offset += bytes[i];
    }
    add(&h, "}");
    while (h.len % 8)
        add(&h, " ");
    if (!st && h.failed) {
        vdk_pipe_say(msg, msg_size, "vdk_safetensors_write: out of host memory for the header");
        st = VDK_ERROR_OUT_OF_MEMORY;
    }
    FILE *out = st ? NULL : fopen(path, "wb");
    if (!st && !out) {
        vdk_pipe_say(msg, msg_size, "%s: cannot create: %s", path, strerror(errno));
        st = VDK_ERROR_INVALID_VALUE;
    }
    if (out) {
        unsigned char le[8];
        for (int b = 0; b < 8; b++)
            le[b] = (unsigned char)((uint64_t)h.len >> (8 * b));
        int ok = fwrite(le, 1, 8, out) == 8 && fwrite(h.p, 1, h.len, out) == h.len;
        for (size_t i = 0; i < n && ok; i++)
            ok = !bytes[i] || fwrite(data[i], 1, (size_t)bytes[i], out) == (size_t)bytes[i];
        const int err = errno;
        if (fclose(out) != 0 || !ok) {
            vdk_pipe_say(msg, msg_size, "%s: writing: %s", path, strerror(ok ? errno : err));
            st = VDK_ERROR_INVALID_VALUE;
            remove(path);
        }
    }
    free(h.p);
    free(bytes);
    return st;
}
