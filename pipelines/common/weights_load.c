/* The checkpoint loader (weights_load.h): resolves a path to a set of
 * safetensors files, finds and checks every entry of the weights in them, and
 * only then reads and writes the tensors one by one. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* stat */
#endif

#include "common/weights_load.h"
#include "common/message.h"

#include "common/safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The files a checkpoint is read from. */
typedef struct file_set {
    size_t count;
    vdk_safetensors **files;
    unsigned char **used; /* per file, per entry (header order): taken by an entry of w */
} file_set;

static void set_free(file_set *s)
{
    for (size_t i = 0; i < s->count; i++) {
        vdk_safetensors_close(s->files[i]);
        free(s->used ? s->used[i] : NULL);
    }
    free(s->files);
    free(s->used);
    memset(s, 0, sizeof *s);
}

static int is_dir(const char *path)
{
    struct stat s;
    return stat(path, &s) == 0 && S_ISDIR(s.st_mode);
}

static int is_file(const char *path)
{
    struct stat s;
    return stat(path, &s) == 0 && S_ISREG(s.st_mode);
}

static int ends_with(const char *s, const char *tail)
{
    const size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

/* "<dir>/<name>", malloc'd; dir_len bytes of dir. */
static char *join(const char *dir, size_t dir_len, const char *name)
{
    char *p = malloc(dir_len + strlen(name) + 2);
    if (p)
        sprintf(p, "%.*s/%s", (int)dir_len, dir, name);
    return p;
}

/* Opens the files of path (file, index or directory) into s; *source is the file
 * or index chosen (malloc'd). */
static vdk_status open_set(const char *path, vdk_dtype dtype, file_set *s, char **source, char *msg,
                           size_t msg_size)
{
    *source = NULL;
    if (is_dir(path)) {
        static const char *const full[] = {"diffusion_pytorch_model.safetensors",
                                           "diffusion_pytorch_model.safetensors.index.json"};
        /* diffusers puts a variant before the last suffix (hub_utils._add_variant). */
        static const char *const half[] = {"diffusion_pytorch_model.fp16.safetensors",
                                           "diffusion_pytorch_model.safetensors.index.fp16.json"};
        const char *const *first = dtype == VDK_F16 ? half : full;
        const char *const *second = dtype == VDK_F16 ? full : half;
        const char *order[] = {first[0], first[1], second[0], second[1]};
        for (int i = 0; i < 4 && !*source; i++) {
            char *p = join(path, strlen(path), order[i]);
            if (!p) {
                vdk_pipe_say(msg, msg_size, "vdk_weights_load: out of host memory");
                return VDK_ERROR_OUT_OF_MEMORY;
            }
            if (is_file(p))
                *source = p;
            else
                free(p);
        }
        if (!*source) {
            vdk_pipe_say(
                msg, msg_size,
                "vdk_weights_load: %s: a directory without diffusion_pytorch_model.safetensors, "
                "diffusion_pytorch_model.fp16.safetensors or their indexes "
                "diffusion_pytorch_model.safetensors.index[.fp16].json (is it the model's "
                "unet/ or vae/ folder?)",
                path);
            return VDK_ERROR_INVALID_VALUE;
        }
    } else {
        *source = malloc(strlen(path) + 1);
        if (!*source) {
            vdk_pipe_say(msg, msg_size, "vdk_weights_load: out of host memory");
            return VDK_ERROR_OUT_OF_MEMORY;
        }
        strcpy(*source, path);
    }

    vdk_safetensors_index index = {0};
    vdk_status st = VDK_OK;
    const int indexed = ends_with(*source, ".json");
    if (indexed)
        st = vdk_safetensors_index_read(*source, &index, msg, msg_size);
    const size_t n = indexed ? index.file_count : 1;
    s->files = st ? NULL : calloc(n ? n : 1, sizeof *s->files);
    s->used = st ? NULL : calloc(n ? n : 1, sizeof *s->used);
    if (!st && (!s->files || !s->used)) {
        vdk_pipe_say(msg, msg_size, "vdk_weights_load: out of host memory");
        st = VDK_ERROR_OUT_OF_MEMORY;
    }
    const char *slash = strrchr(*source, '/');
    for (size_t i = 0; i < n && !st; i++) {
        char *shard = !indexed ? NULL
                      : slash  ? join(*source, (size_t)(slash - *source), index.files[i])
                               : join(".", 1, index.files[i]);
        if (indexed && !shard) {
            vdk_pipe_say(msg, msg_size, "vdk_weights_load: out of host memory");
            st = VDK_ERROR_OUT_OF_MEMORY;
            break;
        }
        st = vdk_safetensors_open(indexed ? shard : *source, &s->files[i], msg, msg_size);
        free(shard);
        if (st)
            break;
        s->count++;
        const size_t entries = vdk_safetensors_count(s->files[i]);
        if (!(s->used[i] = calloc(entries ? entries : 1, 1))) {
            vdk_pipe_say(msg, msg_size, "vdk_weights_load: out of host memory");
            st = VDK_ERROR_OUT_OF_MEMORY;
        }
    }
    /* The index must describe the shards: each tensor it lists is in its file. */
    for (size_t i = 0; i < index.count && !st; i++)
        if (!vdk_safetensors_find(s->files[index.file_of[i]], index.names[i])) {
            vdk_pipe_say(msg, msg_size,
                         "vdk_weights_load: %s lists '%s' in %s, which does not hold it", *source,
                         index.names[i], index.files[index.file_of[i]]);
            st = VDK_ERROR_INVALID_VALUE;
        }
    vdk_safetensors_index_free(&index);
    return st;
}

static void shape_text(char *out, size_t size, int rank, const int64_t *shape)
{
    size_t len = (size_t)snprintf(out, size, "[");
    for (int a = 0; a < rank && len < size; a++)
        len +=
            (size_t)snprintf(out + len, size - len, "%s%lld", a ? ", " : "", (long long)shape[a]);
    if (len < size)
        snprintf(out + len, size - len, "]");
}

/* The entry of every parameter, checked: found[i] in files[from[i]]. */
static vdk_status find_all(const vdk_weights *w, const char *prefix, file_set *s,
                           const vdk_safetensors_entry **found, size_t *from, char *msg,
                           size_t msg_size)
{
    const size_t n = vdk_weights_count(w), plen = strlen(prefix);
    char *key = malloc(plen + VDK_PARAM_NAME_MAX);
    if (!key) {
        vdk_pipe_say(msg, msg_size, "vdk_weights_load: out of host memory");
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    memcpy(key, prefix, plen);
    size_t missing = 0, first_missing = 0;
    vdk_status st = VDK_OK;
    for (size_t i = 0; i < n && !st; i++) {
        const vdk_param *p = vdk_weights_param(w, i);
        strcpy(key + plen, p->name);
        found[i] = NULL;
        for (size_t f = 0; f < s->count; f++) {
            const vdk_safetensors_entry *e = vdk_safetensors_find(s->files[f], key);
            if (e && found[i]) {
                vdk_pipe_say(msg, msg_size, "vdk_weights_load: '%s' is in both %s and %s", key,
                             vdk_safetensors_path(s->files[from[i]]),
                             vdk_safetensors_path(s->files[f]));
                st = VDK_ERROR_INVALID_VALUE;
            } else if (e) {
                found[i] = e;
                from[i] = f;
            }
        }
        const vdk_safetensors_entry *e = found[i];
        if (st || !e) {
            if (!e && !missing++)
                first_missing = i;
            continue;
        }
        const char *file = vdk_safetensors_path(s->files[from[i]]);
        if (e->rank != p->torch_rank ||
            memcmp(e->shape, p->torch_shape, sizeof(int64_t) * (size_t)e->rank) != 0) {
            char want[128], got[128];
            shape_text(want, sizeof want, p->torch_rank, p->torch_shape);
            shape_text(got, sizeof got, e->rank, e->shape);
            vdk_pipe_say(msg, msg_size, "vdk_weights_load: '%s': expected shape %s, %s has %s", key,
                         want, file, got);
            st = VDK_ERROR_SHAPE;
        } else if (e->dtype == VDK_DTYPE_COUNT) {
            vdk_pipe_say(msg, msg_size,
                         "vdk_weights_load: '%s' in %s has dtype %s, which vdk has no type for (it "
                         "takes F32, F16, BF16 and F64)",
                         key, file, e->dtype_name);
            st = VDK_ERROR_DTYPE;
        } else {
            s->used[from[i]][e - vdk_safetensors_entry_at(s->files[from[i]], 0)] = 1;
        }
    }
    if (!st && missing) {
        const char *where = s->count == 1 ? vdk_safetensors_path(s->files[0]) : "the shards";
        vdk_pipe_say(
            msg, msg_size,
            "vdk_weights_load: %zu of the %zu tensors the model needs are missing from %s; "
            "the first is '%s%s'",
            missing, n, where, prefix, vdk_weights_param(w, first_missing)->name);
        st = VDK_ERROR_INVALID_VALUE;
    }
    free(key);
    return st;
}

static void count_unused(const file_set *s, vdk_weights_load_report *r)
{
    for (size_t f = 0; f < s->count; f++)
        for (size_t i = 0; i < vdk_safetensors_count(s->files[f]); i++)
            if (!s->used[f][i] && !r->unused++)
                snprintf(r->first_unused, sizeof r->first_unused, "%s",
                         vdk_safetensors_entry_at(s->files[f], i)->name);
}

vdk_status vdk_weights_load(vdk_weights *w, const char *path, const char *prefix,
                            vdk_weights_load_report *report, char *msg, size_t msg_size)
{
    vdk_weights_load_report local;
    vdk_weights_load_report *r = report ? report : &local;
    memset(r, 0, sizeof *r);
    if (!w || !path) {
        vdk_pipe_say(msg, msg_size, "vdk_weights_load: w and path must not be NULL");
        return VDK_ERROR_NULL_POINTER;
    }
    const size_t n = vdk_weights_count(w);
    const vdk_dtype dtype =
        n ? vdk_tensor_dtype(vdk_weights_get(w, vdk_weights_param(w, 0)->name)) : VDK_F32;
    file_set s = {0};
    char *source = NULL;
    vdk_status st = open_set(path, dtype, &s, &source, msg, msg_size);
    if (source)
        snprintf(r->source, sizeof r->source, "%s", source);
    free(source);
    r->files = s.count;

    const vdk_safetensors_entry **found = NULL;
    size_t *from = NULL;
    if (!st) {
        found = calloc(n ? n : 1, sizeof *found);
        from = calloc(n ? n : 1, sizeof *from);
        if (!found || !from) {
            vdk_pipe_say(msg, msg_size, "vdk_weights_load: out of host memory");
            st = VDK_ERROR_OUT_OF_MEMORY;
        }
    }
    if (!st)
        st = find_all(w, prefix ? prefix : "", &s, found, from, msg, msg_size);
    if (!st)
        count_unused(&s, r);

    uint64_t most = 0;
    for (size_t i = 0; i < n && !st; i++)
        most = found[i]->end - found[i]->begin > most ? found[i]->end - found[i]->begin : most;
    void *buf = st ? NULL : malloc(most ? (size_t)most : 1);
    if (!st && !buf) {
        vdk_pipe_say(msg, msg_size, "vdk_weights_load: out of host memory for a %llu-byte tensor",
                     (unsigned long long)most);
        st = VDK_ERROR_OUT_OF_MEMORY;
    }
    for (size_t i = 0; i < n && !st; i++) {
        const vdk_safetensors_entry *e = found[i];
        st = vdk_safetensors_read(s.files[from[i]], e, buf, (size_t)most, msg, msg_size);
        if (!st)
            st = vdk_weights_set(w, i, e->dtype, buf, msg, msg_size);
        if (!st)
            r->loaded++;
    }
    free(buf);
    free(found);
    free(from);
    set_free(&s);
    return st;
}
