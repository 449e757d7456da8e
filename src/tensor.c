/* Tensors and views: creation, wrapping, reshape and slice views, host transfers. */
#include "internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t vdk_numel_of(int rank, const int64_t *shape)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= shape[i];
    return n;
}

bool vdk_is_contiguous(const vdk_tensor *t)
{
    int64_t expect = 1;
    for (int i = t->rank - 1; i >= 0; i--) {
        if (t->shape[i] != 1 && t->stride[i] != expect)
            return false;
        expect *= t->shape[i];
    }
    return true;
}

const char *vdk_format_shape(char *buf, size_t size, int rank, const int64_t *shape)
{
    size_t used = 0;
    used += (size_t)snprintf(buf + used, size - used, "[");
    for (int i = 0; i < rank && used < size; i++)
        used +=
            (size_t)snprintf(buf + used, size - used, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
    return buf;
}

vdk_status vdk_checked_size(vdk_context *ctx, const char *where, int rank, const int64_t *shape,
                            size_t elem_size, int64_t *numel, size_t *bytes)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (__builtin_mul_overflow(n, shape[i], &n))
            goto overflow;
    }
    size_t b;
    if (__builtin_mul_overflow((size_t)n, elem_size, &b))
        goto overflow;
    *numel = n;
    *bytes = b;
    return VDK_OK;
overflow:;
    char s[160];
    return vdk_fail(ctx, VDK_ERROR_OVERFLOW,
                    "%s: the element count of shape %s does not fit in 64 bits of bytes", where,
                    vdk_format_shape(s, sizeof s, rank, shape));
}

/* Rank and sizes of a user-given shape; `where` and `arg` name the call and argument. */
static vdk_status check_shape_arg(vdk_context *ctx, const char *where, int rank,
                                  const int64_t *shape, const char *arg)
{
    if (rank < 1 || rank > VDK_MAX_RANK)
        return vdk_fail(ctx, VDK_ERROR_RANK, "%s: argument 'rank' is %d; expected 1 to %d", where,
                        rank, VDK_MAX_RANK);
    if (!shape)
        return vdk_fail(ctx, VDK_ERROR_NULL_POINTER, "%s: argument '%s' is NULL", where, arg);
    for (int i = 0; i < rank; i++)
        if (shape[i] < 1)
            return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                            "%s: %s[%d] is %lld; expected a size >= 1", where, arg, i,
                            (long long)shape[i]);
    return VDK_OK;
}

static vdk_status check_dtype_arg(vdk_context *ctx, const char *where, vdk_dtype dtype)
{
    if ((int)dtype < 0 || dtype >= VDK_DTYPE_COUNT)
        return vdk_fail(
            ctx, VDK_ERROR_DTYPE,
            "%s: argument 'dtype' is %d; expected VDK_F32, VDK_F16, VDK_BF16 or VDK_F64", where,
            (int)dtype);
    if (dtype == VDK_F64 && !ctx->ops->takes_f64)
        return vdk_fail(ctx, VDK_ERROR_DTYPE,
                        "%s: VDK_F64 tensors exist only on the reference backend, not on '%s'",
                        where, ctx->ops->name);
    return VDK_OK;
}

static vdk_tensor *new_tensor(vdk_context *ctx, vdk_storage *storage, vdk_dtype dtype, int rank,
                              const int64_t *shape, const int64_t *stride, int64_t offset)
{
    vdk_tensor *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ctx = ctx;
    t->storage = storage;
    t->dtype = dtype;
    t->rank = rank;
    t->offset = offset;
    for (int i = 0; i < rank; i++) {
        t->shape[i] = shape[i];
        t->stride[i] = stride[i];
    }
    storage->refcount++;
    return t;
}

static void contiguous_strides(int rank, const int64_t *shape, int64_t *stride)
{
    int64_t s = 1;
    for (int i = rank - 1; i >= 0; i--) {
        stride[i] = s;
        s *= shape[i];
    }
}

vdk_status vdk_tensor_create(vdk_context *ctx, vdk_dtype dtype, int rank, const int64_t *shape,
                             vdk_tensor **out)
{
    static const char where[] = "vdk_tensor_create";
    if (!ctx)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER, "%s: argument 'ctx' is NULL", where);
    if (!out)
        return vdk_fail(ctx, VDK_ERROR_NULL_POINTER, "%s: argument 'out' is NULL", where);
    *out = NULL;
    vdk_status st;
    if ((st = check_dtype_arg(ctx, where, dtype)) ||
        (st = check_shape_arg(ctx, where, rank, shape, "shape")))
        return st;
    int64_t numel = 0;
    size_t bytes = 0;
    if ((st = vdk_checked_size(ctx, where, rank, shape, vdk_dtype_size(dtype), &numel, &bytes)))
        return st;

    int64_t stride[VDK_MAX_RANK];
    contiguous_strides(rank, shape, stride);
    if (ctx->dev) {
        vdk_storage *s = calloc(1, sizeof *s);
        if (!s)
            return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "%s: out of host memory", where);
        if ((st = ctx->dev->alloc(ctx, s, bytes))) {
            free(s);
            return st;
        }
        s->owned = true;
        s->bytes = bytes;
        s->dev = ctx->dev;
        vdk_tensor *t = new_tensor(ctx, s, dtype, rank, shape, stride, 0);
        if (!t) {
            s->dev->release(s);
            free(s);
            return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "%s: out of host memory", where);
        }
        *out = t;
        return VDK_OK;
    }
    vdk_storage *s = calloc(1, sizeof *s);
    void *host = s ? vdk_host_alloc(bytes) : NULL;
    vdk_tensor *t = host ? new_tensor(ctx, s, dtype, rank, shape, stride, 0) : NULL;
    if (!t) {
        vdk_host_free(host, bytes);
        free(s);
        return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "%s: out of host memory for %zu bytes", where,
                        bytes);
    }
    s->owned = true;
    s->host = host;
    s->bytes = bytes;
    *out = t;
    return VDK_OK;
}

vdk_status vdk_tensor_wrap(vdk_context *ctx, vdk_dtype dtype, int rank, const int64_t *shape,
                           const int64_t *strides, void *data, size_t bytes, vdk_tensor **out)
{
    static const char where[] = "vdk_tensor_wrap";
    if (!ctx)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER, "%s: argument 'ctx' is NULL", where);
    if (!out)
        return vdk_fail(ctx, VDK_ERROR_NULL_POINTER, "%s: argument 'out' is NULL", where);
    *out = NULL;
    if (ctx->backend != VDK_BACKEND_REFERENCE && ctx->backend != VDK_BACKEND_CPU)
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED,
                        "%s: wrapping host memory is supported on the reference and CPU "
                        "backends, not on '%s'",
                        where, ctx->ops->name);
    if (!data)
        return vdk_fail(ctx, VDK_ERROR_NULL_POINTER, "%s: argument 'data' is NULL", where);
    vdk_status st;
    if ((st = check_dtype_arg(ctx, where, dtype)) ||
        (st = check_shape_arg(ctx, where, rank, shape, "shape")))
        return st;
    int64_t numel = 0;
    size_t dense_bytes = 0;
    if ((st = vdk_checked_size(ctx, where, rank, shape, vdk_dtype_size(dtype), &numel,
                               &dense_bytes)))
        return st;

    int64_t stride[VDK_MAX_RANK];
    if (!strides) {
        contiguous_strides(rank, shape, stride);
    } else {
        /* Last axis contiguous, every outer stride covering the axes inside it:
         * the layout every view of vdk has, and one in which no two indices meet. */
        int64_t inner = 1;
        for (int i = rank - 1; i >= 0; i--) {
            int64_t need = i == rank - 1 ? 1 : inner;
            if ((i == rank - 1 && strides[i] != 1) || strides[i] < need)
                return vdk_fail(ctx, VDK_ERROR_LAYOUT,
                                "%s: strides[%d] is %lld; expected %s%lld (the last axis is "
                                "contiguous and each outer stride covers the axes inside it)",
                                where, i, (long long)strides[i],
                                i == rank - 1 ? "" : ">= ", (long long)need);
            stride[i] = strides[i];
            if (__builtin_mul_overflow(strides[i], shape[i], &inner))
                return vdk_fail(ctx, VDK_ERROR_OVERFLOW, "%s: strides[%d] * shape[%d] overflows",
                                where, i, i);
        }
    }
    /* Bytes spanned: the last element's offset plus one. */
    int64_t last = 0;
    for (int i = 0; i < rank; i++)
        last += (shape[i] - 1) * stride[i];
    size_t span;
    if (__builtin_mul_overflow((size_t)(last + 1), vdk_dtype_size(dtype), &span))
        return vdk_fail(ctx, VDK_ERROR_OVERFLOW, "%s: the wrapped extent overflows", where);
    if (span > bytes)
        return vdk_fail(ctx, VDK_ERROR_SHAPE,
                        "%s: argument 'bytes' is %zu; expected at least %zu for this shape and "
                        "strides",
                        where, bytes, span);

    vdk_storage *s = calloc(1, sizeof *s);
    vdk_tensor *t = s ? new_tensor(ctx, s, dtype, rank, shape, stride, 0) : NULL;
    if (!t) {
        free(s);
        return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "%s: out of host memory", where);
    }
    s->owned = false;
    s->host = data;
    s->bytes = bytes;
    *out = t;
    return VDK_OK;
}

void vdk_tensor_destroy(vdk_tensor *t)
{
    if (!t)
        return;
    vdk_storage *s = t->storage;
    if (--s->refcount == 0) {
        if (s->dev)
            s->dev->release(s);
        else if (s->owned)
            vdk_host_free(s->host, s->bytes);
        free(s);
    }
    free(t);
}

vdk_status vdk_tensor_reshape(vdk_tensor *t, int rank, const int64_t *shape, vdk_tensor **out)
{
    static const char where[] = "vdk_tensor_reshape";
    if (!t)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER, "%s: argument 't' is NULL", where);
    vdk_context *ctx = t->ctx;
    if (!out)
        return vdk_fail(ctx, VDK_ERROR_NULL_POINTER, "%s: argument 'out' is NULL", where);
    *out = NULL;
    vdk_status st;
    if ((st = check_shape_arg(ctx, where, rank, shape, "shape")))
        return st;
    int64_t numel = 0;
    size_t bytes = 0;
    if ((st = vdk_checked_size(ctx, where, rank, shape, vdk_dtype_size(t->dtype), &numel, &bytes)))
        return st;
    char a[160], b[160];
    if (numel != vdk_numel_of(t->rank, t->shape))
        return vdk_fail(ctx, VDK_ERROR_SHAPE,
                        "%s: argument 'shape' %s has %lld elements; expected %lld as in t %s",
                        where, vdk_format_shape(a, sizeof a, rank, shape), (long long)numel,
                        (long long)vdk_numel_of(t->rank, t->shape),
                        vdk_format_shape(b, sizeof b, t->rank, t->shape));
    if (!vdk_is_contiguous(t))
        return vdk_fail(ctx, VDK_ERROR_LAYOUT,
                        "%s: argument 't' is a strided view; expected a contiguous tensor", where);
    int64_t stride[VDK_MAX_RANK];
    contiguous_strides(rank, shape, stride);
    vdk_tensor *v = new_tensor(ctx, t->storage, t->dtype, rank, shape, stride, t->offset);
    if (!v)
        return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "%s: out of host memory", where);
    *out = v;
    return VDK_OK;
}

vdk_status vdk_tensor_slice(vdk_tensor *t, int axis, int64_t start, int64_t length,
                            vdk_tensor **out)
{
    static const char where[] = "vdk_tensor_slice";
    if (!t)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER, "%s: argument 't' is NULL", where);
    vdk_context *ctx = t->ctx;
    if (!out)
        return vdk_fail(ctx, VDK_ERROR_NULL_POINTER, "%s: argument 'out' is NULL", where);
    *out = NULL;
    int ax = axis < 0 ? axis + t->rank : axis;
    if (ax < 0 || ax >= t->rank)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "%s: argument 'axis' is %d; expected -%d to %d for a rank-%d tensor", where,
                        axis, t->rank, t->rank - 1, t->rank);
    if (length < 1)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "%s: argument 'length' is %lld; expected >= 1", where, (long long)length);
    if (start < 0 || start > t->shape[ax] - length)
        return vdk_fail(ctx, VDK_ERROR_INVALID_VALUE,
                        "%s: [start, start + length) = [%lld, %lld) is outside axis %d of size "
                        "%lld",
                        where, (long long)start, (long long)(start + length), ax,
                        (long long)t->shape[ax]);
    int64_t shape[VDK_MAX_RANK];
    memcpy(shape, t->shape, sizeof shape);
    shape[ax] = length;
    vdk_tensor *v = new_tensor(ctx, t->storage, t->dtype, t->rank, shape, t->stride,
                               t->offset + start * t->stride[ax]);
    if (!v)
        return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "%s: out of host memory", where);
    *out = v;
    return VDK_OK;
}

/* Element offset of the i-th element in row-major order of the view's shape. */
static int64_t view_offset(const vdk_tensor *t, int64_t i)
{
    int64_t off = t->offset;
    for (int d = t->rank - 1; d >= 0; d--) {
        off += (i % t->shape[d]) * t->stride[d];
        i /= t->shape[d];
    }
    return off;
}

static vdk_status check_transfer(const vdk_tensor *t, const char *where, const char *arg,
                                 vdk_dtype dtype, const void *host, int64_t count)
{
    vdk_context *ctx = t->ctx;
    if (!host)
        return vdk_fail(ctx, VDK_ERROR_NULL_POINTER, "%s: argument '%s' is NULL", where, arg);
    if ((int)dtype < 0 || dtype >= VDK_DTYPE_COUNT)
        return vdk_fail(ctx, VDK_ERROR_DTYPE,
                        "%s: argument '%s_dtype' is %d; expected VDK_F32, VDK_F16, VDK_BF16 or "
                        "VDK_F64",
                        where, arg, (int)dtype);
    int64_t n = vdk_numel_of(t->rank, t->shape);
    if (count != n)
        return vdk_fail(ctx, VDK_ERROR_SHAPE,
                        "%s: argument 'count' is %lld; expected the tensor's %lld elements", where,
                        (long long)count, (long long)n);
    if (!t->storage->host && !t->storage->dev)
        return vdk_fail(ctx, VDK_ERROR_UNSUPPORTED, "%s: the tensor has no host storage", where);
    return VDK_OK;
}

/* Elements [lo, hi] of the storage that a view spans (last axis contiguous, so
 * the last element is the sum of the outer extents times their strides). */
static void view_span(const vdk_tensor *t, int64_t *lo, int64_t *hi)
{
    int64_t last = t->offset;
    for (int i = 0; i < t->rank; i++)
        last += (t->shape[i] - 1) * t->stride[i];
    *lo = t->offset;
    *hi = last;
}

/* Threads for an element-wise conversion of `count` elements: the CPU
 * context's own count, the OpenMP default for the other backends (a
 * transfer is not an operator; a billion-parameter checkpoint converts to
 * f16 here). Small transfers stay on the calling thread. */
static int transfer_threads(const vdk_context *ctx, int64_t count)
{
    if (count < (1 << 16))
        return 1;
#ifdef _OPENMP
    return ctx && ctx->backend == VDK_BACKEND_CPU ? vdk_context_threads(ctx)
                                                  : omp_get_max_threads();
#else
    (void)ctx;
    return 1;
#endif
}

/* Device storage: the span of the view goes through a host buffer with the same
 * conversions as host storage. A strided write reads the span first, so the
 * elements between the view's rows keep their values. */
static vdk_status device_transfer(const vdk_tensor *t, const char *where, bool to_device,
                                  vdk_dtype host_dtype, void *host, int64_t count)
{
    vdk_context *ctx = t->ctx;
    vdk_storage *s = t->storage;
    const size_t es = vdk_dtype_size(t->dtype);
    int64_t lo, hi;
    view_span(t, &lo, &hi);
    const size_t bytes = (size_t)(hi - lo + 1) * es;
    const bool dense = vdk_is_contiguous(t);
    char *buf = malloc(bytes);
    if (!buf)
        return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY,
                        "%s: out of host memory for a %zu-byte staging copy", where, bytes);
    vdk_status st = VDK_OK;
    if (!to_device || !dense)
        st = s->dev->read(ctx, s, (size_t)lo * es, bytes, buf);
    if (st == VDK_OK) {
        vdk_tensor rel = *t; /* the view with offsets relative to buf */
        rel.offset = 0;
        const int threads = transfer_threads(ctx, count);
#pragma omp parallel for num_threads(threads) schedule(static)
        for (int64_t i = 0; i < count; i++) {
            int64_t at = dense ? i : view_offset(&rel, i);
            if (to_device)
                vdk_store_element(t->dtype, buf, at, vdk_load_element(host_dtype, host, i));
            else
                vdk_store_element(host_dtype, host, i, vdk_load_element(t->dtype, buf, at));
        }
        if (to_device)
            st = s->dev->write(ctx, s, (size_t)lo * es, bytes, buf);
    }
    free(buf);
    (void)where;
    return st;
}

vdk_status vdk_tensor_write(vdk_tensor *t, vdk_dtype src_dtype, const void *src, int64_t count)
{
    static const char where[] = "vdk_tensor_write";
    if (!t)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER, "%s: argument 't' is NULL", where);
    vdk_status st = check_transfer(t, where, "src", src_dtype, src, count);
    if (st)
        return st;
    if (t->storage->dev)
        return device_transfer(t, where, true, src_dtype, (void *)src, count);
    if (vdk_is_contiguous(t) && src_dtype == t->dtype) {
        memmove((char *)t->storage->host + t->offset * vdk_dtype_size(t->dtype), src,
                (size_t)count * vdk_dtype_size(t->dtype));
        return VDK_OK;
    }
    const bool dense = vdk_is_contiguous(t);
    const int threads = transfer_threads(t->ctx, count);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < count; i++)
        vdk_store_element(t->dtype, t->storage->host, dense ? t->offset + i : view_offset(t, i),
                          vdk_load_element(src_dtype, src, i));
    return VDK_OK;
}

vdk_status vdk_tensor_read(const vdk_tensor *t, vdk_dtype dst_dtype, void *dst, int64_t count)
{
    static const char where[] = "vdk_tensor_read";
    if (!t)
        return vdk_fail(NULL, VDK_ERROR_NULL_POINTER, "%s: argument 't' is NULL", where);
    vdk_status st = check_transfer(t, where, "dst", dst_dtype, dst, count);
    if (st)
        return st;
    if (t->storage->dev)
        return device_transfer(t, where, false, dst_dtype, dst, count);
    if (vdk_is_contiguous(t) && dst_dtype == t->dtype) {
        memmove(dst, (const char *)t->storage->host + t->offset * vdk_dtype_size(t->dtype),
                (size_t)count * vdk_dtype_size(t->dtype));
        return VDK_OK;
    }
    const bool dense = vdk_is_contiguous(t);
    const int threads = transfer_threads(t->ctx, count);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < count; i++)
        vdk_store_element(dst_dtype, dst, i,
                          vdk_load_element(t->dtype, t->storage->host,
                                           dense ? t->offset + i : view_offset(t, i)));
    return VDK_OK;
}

vdk_context *vdk_tensor_context(const vdk_tensor *t) { return t ? t->ctx : NULL; }
vdk_dtype vdk_tensor_dtype(const vdk_tensor *t) { return t ? t->dtype : VDK_DTYPE_COUNT; }
int vdk_tensor_rank(const vdk_tensor *t) { return t ? t->rank : 0; }

int64_t vdk_tensor_dim(const vdk_tensor *t, int axis)
{
    if (!t)
        return -1;
    int ax = axis < 0 ? axis + t->rank : axis;
    return ax >= 0 && ax < t->rank ? t->shape[ax] : -1;
}

int64_t vdk_tensor_stride(const vdk_tensor *t, int axis)
{
    if (!t)
        return -1;
    int ax = axis < 0 ? axis + t->rank : axis;
    return ax >= 0 && ax < t->rank ? t->stride[ax] : -1;
}

int64_t vdk_tensor_numel(const vdk_tensor *t) { return t ? vdk_numel_of(t->rank, t->shape) : 0; }
