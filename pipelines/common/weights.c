/* The weight store: tensors by name (an open-addressing hash over the names),
 * the PyTorch-to-vdk layout conversion, and the seeded generator of weights.h. */
#include "common/weights.h"
#include "common/message.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vdk_weights {
    vdk_context *ctx;
    vdk_dtype dtype;
    size_t count;
    vdk_param *params;
    vdk_tensor **tensors;
    size_t slots;  /* a power of two, at least twice count */
    int64_t *slot; /* index + 1 of the entry in each slot, 0 = empty */
    int64_t bytes;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001B3ull;
    }
    return h;
}

static uint64_t mix(uint64_t z)
{
    z ^= z >> 30;
    z *= 0xBF58476D1CE4E5B9ull;
    z ^= z >> 27;
    z *= 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void vdk_weights_uniform(const char *name, uint64_t seed, int64_t count, float *out)
{
    const uint64_t key = fnv1a(name) ^ seed;
    /* Each element is a function of its index alone, so threads change nothing
     * but the time (a full SVD is 1.5 billion of them). */
#pragma omp parallel for if (count >= (1 << 16)) schedule(static)
    for (int64_t i = 0; i < count; i++) {
        const uint64_t z = mix(key + (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ull);
        out[i] = (float)(z >> 40) * 0x1p-23f - 1.0f;
    }
}

void vdk_weights_generate(const vdk_param *p, uint64_t seed, float *out)
{
    vdk_weights_uniform(p->name, seed, p->count, out);
    float scale = 1.0f, shift = 0.0f;
    switch (p->role) {
    case VDK_ROLE_CONV_WEIGHT:
    case VDK_ROLE_CONV_BIAS:
    case VDK_ROLE_LINEAR_WEIGHT:
    case VDK_ROLE_LINEAR_BIAS: scale = 1.0f / sqrtf((float)(p->fan_in > 0 ? p->fan_in : 1)); break;
    case VDK_ROLE_NORM_WEIGHT:
        scale = 0.25f;
        shift = 1.0f;
        break;
    case VDK_ROLE_NORM_BIAS: scale = 0.25f; break;
    case VDK_ROLE_MIX_FACTOR: break;
    }
#pragma omp parallel for if (p->count >= (1 << 16)) schedule(static)
    for (int64_t i = 0; i < p->count; i++)
        out[i] = shift + scale * out[i];
}

static int64_t *find_slot(const vdk_weights *w, const char *name)
{
    size_t i = (size_t)fnv1a(name) & (w->slots - 1);
    for (;; i = (i + 1) & (w->slots - 1))
        if (!w->slot[i] || strcmp(w->params[w->slot[i] - 1].name, name) == 0)
            return &w->slot[i];
}

void vdk_weights_destroy(vdk_weights *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->count; i++)
        vdk_tensor_destroy(w->tensors ? w->tensors[i] : NULL);
    free(w->tensors);
    free(w->params);
    free(w->slot);
    free(w);
}

vdk_status vdk_weights_create(vdk_context *ctx, const vdk_param_table *table, vdk_dtype dtype,
                              vdk_weights **out, char *msg, size_t msg_size)
{
    if (!out)
        return VDK_ERROR_NULL_POINTER;
    *out = NULL;
    if (!ctx || !table) {
        vdk_pipe_say(msg, msg_size, "vdk_weights_create: ctx and table must not be NULL");
        return VDK_ERROR_NULL_POINTER;
    }
    if (table->status != VDK_OK) {
        vdk_pipe_say(msg, msg_size, "vdk_weights_create: the table failed: %s", table->error);
        return table->status;
    }
    vdk_weights *w = calloc(1, sizeof *w);
    if (!w) {
        vdk_pipe_say(msg, msg_size, "vdk_weights_create: out of host memory");
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    w->ctx = ctx;
    w->dtype = dtype;
    w->count = table->count;
    w->slots = 16;
    while (w->slots < 2 * w->count)
        w->slots *= 2;
    w->params = malloc((w->count ? w->count : 1) * sizeof *w->params);
    w->tensors = calloc(w->count ? w->count : 1, sizeof *w->tensors);
    w->slot = calloc(w->slots, sizeof *w->slot);
    if (!w->params || !w->tensors || !w->slot) {
        vdk_weights_destroy(w);
        vdk_pipe_say(msg, msg_size, "vdk_weights_create: out of host memory");
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    memcpy(w->params, table->items, w->count * sizeof *w->params);
    for (size_t i = 0; i < w->count; i++) {
        const vdk_param *p = &w->params[i];
        int64_t *s = find_slot(w, p->name);
        if (*s) {
            vdk_pipe_say(msg, msg_size, "vdk_weights_create: the table names '%s' twice", p->name);
            vdk_weights_destroy(w);
            return VDK_ERROR_INVALID_VALUE;
        }
        *s = (int64_t)i + 1;
        vdk_status st = vdk_tensor_create(ctx, dtype, p->vdk_rank, p->vdk_shape, &w->tensors[i]);
        if (st) {
            vdk_pipe_say(msg, msg_size, "vdk_weights_create: '%s': %s", p->name,
                         vdk_last_error(ctx));
            vdk_weights_destroy(w);
            return st;
        }
        w->bytes += p->count * (int64_t)vdk_dtype_size(dtype);
    }
    *out = w;
    return VDK_OK;
}

const vdk_tensor *vdk_weights_get(const vdk_weights *w, const char *name)
{
    if (!w || !name)
        return NULL;
    const int64_t *s = find_slot(w, name);
    return *s ? w->tensors[*s - 1] : NULL;
}

size_t vdk_weights_count(const vdk_weights *w) { return w ? w->count : 0; }

const vdk_param *vdk_weights_param(const vdk_weights *w, size_t index)
{
    return w && index < w->count ? &w->params[index] : NULL;
}

int64_t vdk_weights_bytes(const vdk_weights *w) { return w ? w->bytes : 0; }

/* Conv weights [O, I, kt, kh, kw] (kt = 1 for OIHW) to [O, kt, kh, kw, I], moving
 * elements of `size` bytes; every other layout is the same in both. */
static void to_vdk_layout(const vdk_param *p, size_t size, const unsigned char *src,
                          unsigned char *dst)
{
    if (p->torch_layout != VDK_LAYOUT_TORCH_OIHW && p->torch_layout != VDK_LAYOUT_TORCH_OITHW) {
        memcpy(dst, src, (size_t)p->count * size);
        return;
    }
    const int64_t o = p->torch_shape[0], in = p->torch_shape[1];
    const int64_t k = p->count / (o * in); /* kt * kh * kw */
    for (int64_t a = 0; a < o; a++)
        for (int64_t c = 0; c < in; c++)
            for (int64_t j = 0; j < k; j++)
                memcpy(dst + (size_t)(((a * k) + j) * in + c) * size,
                       src + (size_t)(((a * in) + c) * k + j) * size, size);
}

vdk_status vdk_weights_set(vdk_weights *w, size_t index, vdk_dtype src_dtype, const void *src,
                           char *msg, size_t msg_size)
{
    if (!w || !src)
        return VDK_ERROR_NULL_POINTER;
    if (index >= w->count) {
        vdk_pipe_say(msg, msg_size, "vdk_weights_set: index %zu of %zu entries", index, w->count);
        return VDK_ERROR_INVALID_VALUE;
    }
    const vdk_param *p = &w->params[index];
    const size_t size = vdk_dtype_size(src_dtype);
    if (!size) {
        vdk_pipe_say(msg, msg_size, "vdk_weights_set: '%s': invalid source dtype", p->name);
        return VDK_ERROR_DTYPE;
    }
    unsigned char *tmp = malloc((size_t)p->count * size);
    if (!tmp) {
        vdk_pipe_say(msg, msg_size, "vdk_weights_set: '%s': out of host memory", p->name);
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    to_vdk_layout(p, size, src, tmp);
    vdk_status st = vdk_tensor_write(w->tensors[index], src_dtype, tmp, p->count);
    if (st)
        vdk_pipe_say(msg, msg_size, "vdk_weights_set: '%s': %s", p->name, vdk_last_error(w->ctx));
    free(tmp);
    return st;
}

vdk_status vdk_weights_randomize(vdk_weights *w, uint64_t seed, char *msg, size_t msg_size)
{
    if (!w)
        return VDK_ERROR_NULL_POINTER;
    int64_t most = 1;
    for (size_t i = 0; i < w->count; i++)
        most = w->params[i].count > most ? w->params[i].count : most;
    float *buf = malloc((size_t)most * sizeof *buf);
    if (!buf) {
        vdk_pipe_say(msg, msg_size, "vdk_weights_randomize: out of host memory");
        return VDK_ERROR_OUT_OF_MEMORY;
    }
    vdk_status st = VDK_OK;
    for (size_t i = 0; i < w->count && !st; i++) {
        vdk_weights_generate(&w->params[i], seed, buf);
        st = vdk_weights_set(w, i, VDK_F32, buf, msg, msg_size);
    }
    free(buf);
    return st;
}
