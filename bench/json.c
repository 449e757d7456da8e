/* vdk-bench: JSON writing helpers and a small recursive-descent reader. The
 * reader takes RFC 8259 JSON; \u escapes outside ASCII become '?', which is
 * enough for the machine descriptions it reads. */
#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void vb_json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

void vb_json_double(FILE *f, double v)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    char buf[40];
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, f);
}

void vb_json_float(FILE *f, float v)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    char buf[40];
    for (int digits = 1; digits <= 9; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, (double)v);
        if (strtof(buf, NULL) == v)
            break;
    }
    fputs(buf, f);
}

/* ---- reader ---- */

typedef struct parser {
    const char *p;
    int line;
    char *err;
    size_t errlen;
    bool failed;
    int depth;
} parser;

static void fail(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(parser *ps, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = true;
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(ps->err, ps->errlen, "line %d: %s", ps->line, what);
}

static void skip_space(parser *ps)
{
    for (;; ps->p++) {
        if (*ps->p == '\n')
            ps->line++;
        else if (*ps->p != ' ' && *ps->p != '\t' && *ps->p != '\r')
            return;
    }
}

static vb_json *node(parser *ps, vb_json_type type)
{
    vb_json *j = calloc(1, sizeof *j);
    if (!j)
        fail(ps, "out of memory");
    else
        j->type = type;
    return j;
}

static char *parse_string_raw(parser *ps)
{
    /* *ps->p is the opening quote */
    const char *s = ++ps->p;
    size_t n = 0;
    while (*s && *s != '"') {
        if (*s == '\\' && s[1])
            s++;
        s++;
        n++;
    }
    if (*s != '"') {
        fail(ps, "unterminated string");
        return NULL;
    }
    char *out = malloc(n + 1), *o = out;
    if (!out) {
        fail(ps, "out of memory");
        return NULL;
    }
    while (*ps->p != '"') {
        char ch = *ps->p++;
        if ((unsigned char)ch < 0x20) {
            fail(ps, "control character in a string");
            free(out);
            return NULL;
        }
        if (ch != '\\') {
            *o++ = ch;
            continue;
        }
        ch = *ps->p++;
        switch (ch) {
        case '"': case '\\': case '/': *o++ = ch; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned v = 0;
            for (int i = 0; i < 4; i++) {
                char h = *ps->p++;
                v <<= 4;
                if (h >= '0' && h <= '9')
                    v |= (unsigned)(h - '0');
                else if (h >= 'a' && h <= 'f')
                    v |= (unsigned)(h - 'a' + 10);
                else if (h >= 'A' && h <= 'F')
                    v |= (unsigned)(h - 'A' + 10);
                else {
                    fail(ps, "bad \\u escape");
                    free(out);
                    return NULL;
                }
            }
            *o++ = v < 0x80 ? (char)v : '?';
            break;
        }
        default:
            fail(ps, "bad escape '\\%c'", ch);
            free(out);
            return NULL;
        }
    }
    ps->p++;
    *o = '\0';
    return out;
}

static vb_json *parse_value(parser *ps);

static vb_json *parse_container(parser *ps, bool object)
{
    vb_json *j = node(ps, object ? VB_JSON_OBJECT : VB_JSON_ARRAY);
    if (!j)
        return NULL;
    if (++ps->depth > 64) {
        fail(ps, "nesting deeper than 64");
        return j;
    }
    ps->p++;
    skip_space(ps);
    const char close = object ? '}' : ']';
    if (*ps->p == close) {
        ps->p++;
        ps->depth--;
        return j;
    }
    vb_json **tail = &j->child;
    for (;;) {
        char *key = NULL;
        skip_space(ps);
        if (object) {
            if (*ps->p != '"') {
                fail(ps, "expected a member name in quotes");
                return j;
            }
            key = parse_string_raw(ps);
            if (!key)
                return j;
            skip_space(ps);
            if (*ps->p != ':') {
                free(key);
                fail(ps, "expected ':' after a member name");
                return j;
            }
            ps->p++;
        }
        vb_json *v = parse_value(ps);
        if (!v) {
            free(key);
            return j;
        }
        v->key = key;
        *tail = v;
        tail = &v->next;
        if (ps->failed)
            return j;
        skip_space(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == close) {
            ps->p++;
            ps->depth--;
            return j;
        }
        fail(ps, "expected ',' or '%c'", close);
        return j;
    }
}

static vb_json *parse_value(parser *ps)
{
    skip_space(ps);
    const char ch = *ps->p;
    if (ch == '{' || ch == '[')
        return parse_container(ps, ch == '{');
    if (ch == '"') {
        vb_json *j = node(ps, VB_JSON_STRING);
        if (j)
            j->string = parse_string_raw(ps);
        return j;
    }
    static const struct {
        const char *word;
        vb_json_type type;
        bool value;
    } words[] = {{"true", VB_JSON_BOOL, true}, {"false", VB_JSON_BOOL, false},
                 {"null", VB_JSON_NULL, false}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i].word);
        if (!strncmp(ps->p, words[i].word, n)) {
            ps->p += n;
            vb_json *j = node(ps, words[i].type);
            if (j)
                j->boolean = words[i].value;
            return j;
        }
    }
    if (ch == '-' || (ch >= '0' && ch <= '9')) {
        char *end;
        double v = strtod(ps->p, &end);
        if (end == ps->p) {
            fail(ps, "bad number");
            return NULL;
        }
        ps->p = end;
        vb_json *j = node(ps, VB_JSON_NUMBER);
        if (j)
            j->number = v;
        return j;
    }
    if (ch)
        fail(ps, "unexpected character '%c'", ch);
    else
        fail(ps, "unexpected end of input");
    return NULL;
}

vb_json *vb_json_parse(const char *text, char *err, size_t errlen)
{
    parser ps = {.p = text, .line = 1, .err = err, .errlen = errlen};
    vb_json *j = parse_value(&ps);
    if (!ps.failed) {
        skip_space(&ps);
        if (*ps.p)
            fail(&ps, "text after the document");
    }
    if (ps.failed) {
        vb_json_free(j);
        return NULL;
    }
    return j;
}

void vb_json_free(vb_json *j)
{
    while (j) {
        vb_json *next = j->next;
        vb_json_free(j->child);
        free(j->string);
        free(j->key);
        free(j);
        j = next;
    }
}

const vb_json *vb_json_get(const vb_json *j, const char *key)
{
    if (!j || j->type != VB_JSON_OBJECT)
        return NULL;
    for (const vb_json *c = j->child; c; c = c->next)
        if (c->key && !strcmp(c->key, key))
            return c;
    return NULL;
}

double vb_json_number(const vb_json *j, const char *key, double fallback)
{
    const vb_json *v = vb_json_get(j, key);
    return v && v->type == VB_JSON_NUMBER ? v->number : fallback;
}

const char *vb_json_str(const vb_json *j, const char *key, const char *fallback)
{
    const vb_json *v = vb_json_get(j, key);
    return v && v->type == VB_JSON_STRING ? v->string : fallback;
}
