/* The parameter table: a growing array with a sticky first error, and the
 * per-module helpers that know each PyTorch module's tensor names and how vdk
 * lays the same tensor out. */
#include "common/param_table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vdk_param_table_init(vdk_param_table *t)
{
    memset(t, 0, sizeof *t);
    t->status = VDK_OK;
}

void vdk_param_table_free(vdk_param_table *t)
{
    free(t->items);
    vdk_param_table_init(t);
}

const vdk_param *vdk_param_table_find(const vdk_param_table *t, const char *name)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->items[i].name, name) == 0)
            return &t->items[i];
    return NULL;
}

void vdk_param_table_fail(vdk_param_table *t, vdk_status status, const char *fmt, ...)
{
    if (t->status != VDK_OK)
        return;
    t->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->error, sizeof t->error, fmt, ap);
    va_end(ap);
}

char *vdk_param_join(vdk_param_table *t, char *out, const char *a, const char *b)
{
    int n = a[0] ? snprintf(out, VDK_PARAM_NAME_MAX, "%s.%s", a, b)
                 : snprintf(out, VDK_PARAM_NAME_MAX, "%s", b);
    if (n < 0 || n >= VDK_PARAM_NAME_MAX) {
        vdk_param_table_fail(t, VDK_ERROR_OVERFLOW, "parameter name '%s.%s' is longer than %d", a,
                             b, VDK_PARAM_NAME_MAX - 1);
        out[0] = '\0';
    }
    return out;
}

char *vdk_param_join_index(vdk_param_table *t, char *out, const char *a, const char *field,
                           int index)
{
    char b[VDK_PARAM_NAME_MAX];
    int n = snprintf(b, sizeof b, "%s.%d", field, index);
    if (n < 0 || n >= (int)sizeof b) {
        vdk_param_table_fail(t, VDK_ERROR_OVERFLOW, "parameter name '%s.%s.%d' is too long", a,
                             field, index);
        out[0] = '\0';
        return out;
    }
    return vdk_param_join(t, out, a, b);
}

/* Appends one tensor. torch_shape and vdk_shape must hold the same count. */
static void add(vdk_param_table *t, const char *prefix, const char *field, vdk_param_role role,
                int64_t fan_in, int torch_rank, const int64_t *torch_shape,
                vdk_param_layout torch_layout, int vdk_rank, const int64_t *vdk_shape,
                vdk_param_layout vdk_layout)
{
    if (t->status != VDK_OK)
        return;
    vdk_param p;
    memset(&p, 0, sizeof p);
    vdk_param_join(t, p.name, prefix, field);
    if (t->status != VDK_OK)
        return;
    p.role = role;
    p.fan_in = fan_in;
    p.torch_rank = torch_rank;
    p.torch_layout = torch_layout;
    p.vdk_rank = vdk_rank;
    p.vdk_layout = vdk_layout;
    p.count = 1;
    for (int i = 0; i < torch_rank; i++) {
        if (torch_shape[i] < 1) {
            vdk_param_table_fail(t, VDK_ERROR_INVALID_VALUE,
                                 "parameter '%s': extent %lld of axis %d is not positive", p.name,
                                 (long long)torch_shape[i], i);
            return;
        }
        p.torch_shape[i] = torch_shape[i];
        p.count *= torch_shape[i];
    }
    for (int i = 0; i < vdk_rank; i++)
        p.vdk_shape[i] = vdk_shape[i];
    if (t->count == t->capacity) {
        size_t cap = t->capacity ? 2 * t->capacity : 256;
        vdk_param *items = realloc(t->items, cap * sizeof *items);
        if (!items) {
            vdk_param_table_fail(t, VDK_ERROR_OUT_OF_MEMORY,
                                 "no memory for a table of %zu parameters", cap);
            return;
        }
        t->items = items;
        t->capacity = cap;
    }
    t->items[t->count++] = p;
    t->total += p.count;
}

static void vector(vdk_param_table *t, const char *prefix, const char *field, vdk_param_role role,
                   int64_t fan_in, int64_t c)
{
    add(t, prefix, field, role, fan_in, 1, &c, VDK_LAYOUT_VECTOR, 1, &c, VDK_LAYOUT_VECTOR);
}

void vdk_param_linear(vdk_param_table *t, const char *prefix, int64_t cin, int64_t cout, int bias)
{
    const int64_t oi[2] = {cout, cin};
    add(t, prefix, "weight", VDK_ROLE_LINEAR_WEIGHT, cin, 2, oi, VDK_LAYOUT_LINEAR_OI, 2, oi,
        VDK_LAYOUT_LINEAR_OI);
    if (bias)
        vector(t, prefix, "bias", VDK_ROLE_LINEAR_BIAS, cin, cout);
}

void vdk_param_conv2d(vdk_param_table *t, const char *prefix, int64_t cin, int64_t cout, int64_t kh,
                      int64_t kw)
{
    const int64_t torch[4] = {cout, cin, kh, kw};
    const int64_t vdk[5] = {cout, 1, kh, kw, cin};
    add(t, prefix, "weight", VDK_ROLE_CONV_WEIGHT, cin * kh * kw, 4, torch, VDK_LAYOUT_TORCH_OIHW,
        5, vdk, VDK_LAYOUT_VDK_OTHWI);
    vector(t, prefix, "bias", VDK_ROLE_CONV_BIAS, cin * kh * kw, cout);
}

void vdk_param_conv3d(vdk_param_table *t, const char *prefix, int64_t cin, int64_t cout, int64_t kt,
                      int64_t kh, int64_t kw)
{
    const int64_t torch[5] = {cout, cin, kt, kh, kw};
    const int64_t vdk[5] = {cout, kt, kh, kw, cin};
    add(t, prefix, "weight", VDK_ROLE_CONV_WEIGHT, cin * kt * kh * kw, 5, torch,
        VDK_LAYOUT_TORCH_OITHW, 5, vdk, VDK_LAYOUT_VDK_OTHWI);
    vector(t, prefix, "bias", VDK_ROLE_CONV_BIAS, cin * kt * kh * kw, cout);
}

void vdk_param_norm(vdk_param_table *t, const char *prefix, int64_t c)
{
    vector(t, prefix, "weight", VDK_ROLE_NORM_WEIGHT, 0, c);
    vector(t, prefix, "bias", VDK_ROLE_NORM_BIAS, 0, c);
}

void vdk_param_rms_norm(vdk_param_table *t, const char *prefix, int64_t c)
{
    vector(t, prefix, "weight", VDK_ROLE_NORM_WEIGHT, 0, c);
}

void vdk_param_scalar(vdk_param_table *t, const char *prefix, const char *field,
                      vdk_param_role role)
{
    vector(t, prefix, field, role, 0, 1);
}
