/* vdk-bench: the little JSON it needs — writing strings and numbers, and
 * reading a whole document (vdk-peak's) into a tree. */
#ifndef VDK_BENCH_JSON_H
#define VDK_BENCH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- writing ---- */

/* A JSON string literal, escaped. NULL writes null. */
void vb_json_string(FILE *f, const char *s);
/* A number with up to 17 significant digits, the fewest that read back as v;
 * null for NaN or an infinity (JSON has neither). */
void vb_json_double(FILE *f, double v);
/* A float parameter as the shortest decimal that reads back as that float
 * (1e-05 for 1e-5f, not 9.99999975e-06). */
void vb_json_float(FILE *f, float v);

/* ---- reading ---- */

typedef enum vb_json_type {
    VB_JSON_NULL = 0,
    VB_JSON_BOOL,
    VB_JSON_NUMBER,
    VB_JSON_STRING,
    VB_JSON_ARRAY,
    VB_JSON_OBJECT
} vb_json_type;

typedef struct vb_json vb_json;
struct vb_json {
    vb_json_type type;
    bool boolean;
    double number;
    char *string;   /* STRING */
    char *key;      /* the member's name, inside an object */
    vb_json *child; /* ARRAY, OBJECT: first element */
    vb_json *next;  /* the next sibling */
};

/* Parses text; NULL with a message (line and what was expected) on error. */
vb_json *vb_json_parse(const char *text, char *err, size_t errlen);
void vb_json_free(vb_json *j);

/* The member of an object, or NULL (also for a NULL or non-object j). */
const vb_json *vb_json_get(const vb_json *j, const char *key);
/* A member's number or string, or fallback when absent or another type. */
double vb_json_number(const vb_json *j, const char *key, double fallback);
const char *vb_json_str(const vb_json *j, const char *key, const char *fallback);

#endif
