/* Conversions between the storage dtypes and double. Rounding goes straight from
 * double to the narrow type (never through f32), so the reference's f16/bf16
 * outputs are correctly rounded results of its double arithmetic. */
#include "internal.h"

#include <math.h>
#include <string.h>

static const size_t dtype_sizes[VDK_DTYPE_COUNT] = {
    [VDK_F32] = 4, [VDK_F16] = 2, [VDK_BF16] = 2, [VDK_F64] = 8};
static const char *const dtype_names[VDK_DTYPE_COUNT] = {
    [VDK_F32] = "f32", [VDK_F16] = "f16", [VDK_BF16] = "bf16", [VDK_F64] = "f64"};

size_t vdk_dtype_size(vdk_dtype dtype)
{
    return (int)dtype >= 0 && dtype < VDK_DTYPE_COUNT ? dtype_sizes[dtype] : 0;
}

const char *vdk_dtype_name(vdk_dtype dtype)
{
    return (int)dtype >= 0 && dtype < VDK_DTYPE_COUNT ? dtype_names[dtype] : "unknown";
}

/* Rounds |x| (finite, > 0) to a binary format with `mant` stored mantissa bits,
 * minimum normal exponent emin and maximum finite value maxv; returns sign-less bits
 * with exponent bias `bias`, or the infinity pattern on overflow. */
static uint32_t round_to_format(double ax, int mant, int emin, int bias, double maxv,
                                uint32_t inf_bits)
{
    int e;
    frexp(ax, &e); /* ax = m * 2^e, m in [0.5, 1) */
    int exp = e - 1; /* ax in [2^exp, 2^(exp+1)) */
    if (exp < emin)
        exp = emin; /* subnormal: fixed quantum */
    double q = nearbyint(ldexp(ax, mant - exp)); /* exact scaling, one rounding */
    double r = ldexp(q, exp - mant);
    if (r > maxv)
        return inf_bits;
    if (r == 0)
        return 0;
    /* Re-derive fields from the rounded value (handles carry into the exponent). */
    frexp(r, &e);
    exp = e - 1;
    if (exp < emin) /* subnormal result */
        return (uint32_t)ldexp(r, -(emin - mant));
    uint32_t frac = (uint32_t)(ldexp(r, mant - exp) - ldexp(1.0, mant));
    return ((uint32_t)(exp + bias) << mant) | frac;
}

uint16_t vdk_f64_to_f16(double x)
{
    uint16_t sign = signbit(x) ? 0x8000 : 0;
    if (isnan(x))
        return 0x7e00;
    double ax = fabs(x);
    if (isinf(ax))
        return sign | 0x7c00;
    if (ax == 0)
        return sign;
    return sign | (uint16_t)round_to_format(ax, 10, -14, 15, 65504.0, 0x7c00);
}

double vdk_f16_to_f64(uint16_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    double v;
    if (exp == 0)
        v = ldexp(frac, -24);
    else if (exp == 31)
        v = frac ? NAN : INFINITY;
    else
        v = ldexp(frac + 1024, exp - 25);
    return sign ? -v : v;
}

uint16_t vdk_f64_to_bf16(double x)
{
    uint16_t sign = signbit(x) ? 0x8000 : 0;
    if (isnan(x))
        return 0x7fc0;
    double ax = fabs(x);
    if (isinf(ax))
        return sign | 0x7f80;
    if (ax == 0)
        return sign;
    /* Largest finite bf16: (2 - 2^-7) * 2^127. */
    return sign | (uint16_t)round_to_format(ax, 7, -126, 127, ldexp(255.0, 120), 0x7f80);
}

double vdk_bf16_to_f64(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

double vdk_load_element(vdk_dtype dtype, const void *base, int64_t index)
{
    switch (dtype) {
    case VDK_F32:
        return ((const float *)base)[index];
    case VDK_F16:
        return vdk_f16_to_f64(((const uint16_t *)base)[index]);
    case VDK_BF16:
        return vdk_bf16_to_f64(((const uint16_t *)base)[index]);
    case VDK_F64:
        return ((const double *)base)[index];
    default:
        return NAN;
    }
}

void vdk_store_element(vdk_dtype dtype, void *base, int64_t index, double value)
{
    switch (dtype) {
    case VDK_F32:
        ((float *)base)[index] = (float)value;
        break;
    case VDK_F16:
        ((uint16_t *)base)[index] = vdk_f64_to_f16(value);
        break;
    case VDK_BF16:
        ((uint16_t *)base)[index] = vdk_f64_to_bf16(value);
        break;
    case VDK_F64:
        ((double *)base)[index] = value;
        break;
    default:
        break;
    }
}
