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

/* Rounds |x| (finite, > 0, given by its IEEE double bits) to nearest, ties to
 * even, in a binary format with `mant` stored mantissa bits, minimum normal
 * exponent emin and exponent bias `bias`; returns its sign-less bits, or
 * inf_bits from `overflow` (the bits of the format's last midpoint) up. Integer
 * arithmetic on the double's fields: weights and inputs of billions of elements
 * pass through here on every tensor write. */
static uint32_t round_to_format(uint64_t ax, int mant, int emin, int bias, uint64_t overflow,
                                uint32_t inf_bits)
{
    if (ax >= overflow)
        return inf_bits;
    const int e = (int)(ax >> 52) - 1023; /* ax in [2^e, 2^(e+1)) for a normal double */
    if (e < -1022)
        return 0; /* subnormal doubles are far below any quantum of these formats */
    const uint64_t m = (ax & 0xFFFFFFFFFFFFFull) | (1ull << 52); /* ax = m * 2^(e-52) */
    /* Keep the bits down to the format's quantum, 2^(max(e, emin) - mant). */
    const int shift = 52 - mant + (e < emin ? emin - e : 0);
    if (shift > 53)
        return 0; /* below half the smallest subnormal */
    uint64_t q = m >> shift;
    const uint64_t rem = m & ((1ull << shift) - 1), half = 1ull << (shift - 1);
    q += rem > half || (rem == half && (q & 1));
    if (e < emin)
        return (uint32_t)q; /* a subnormal; q = 2^mant is the smallest normal, encoded alike */
    /* q in [2^mant, 2^(mant+1)]: a carry into the exponent lands right. */
    return ((uint32_t)(e + bias) << mant) + (uint32_t)(q - (1ull << mant));
}

static uint64_t double_bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
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
    /* 65520 is the midpoint between 65504 and 2^16; its tie goes to the even 2^16. */
    return sign |
           (uint16_t)round_to_format(double_bits(ax), 10, -14, 15, double_bits(65520.0), 0x7c00);
}

double vdk_f16_to_f64(uint16_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    double v;
    if (exp == 0)
        v = frac * 0x1p-24;
    else if (exp == 31)
        v = frac ? NAN : INFINITY;
    else {
        const uint64_t b = ((uint64_t)(exp - 15 + 1023) << 52) | ((uint64_t)frac << 42);
        memcpy(&v, &b, sizeof v);
    }
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
    /* (2 - 2^-8) * 2^127, the midpoint past the largest finite bf16 (2 - 2^-7) * 2^127. */
    return sign | (uint16_t)round_to_format(double_bits(ax), 7, -126, 127, double_bits(0x1.ffp127),
                                            0x7f80);
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
    case VDK_F32: return ((const float *)base)[index];
    case VDK_F16: return vdk_f16_to_f64(((const uint16_t *)base)[index]);
    case VDK_BF16: return vdk_bf16_to_f64(((const uint16_t *)base)[index]);
    case VDK_F64: return ((const double *)base)[index];
    default: return NAN;
    }
}

void vdk_store_element(vdk_dtype dtype, void *base, int64_t index, double value)
{
    switch (dtype) {
    case VDK_F32: ((float *)base)[index] = (float)value; break;
    case VDK_F16: ((uint16_t *)base)[index] = vdk_f64_to_f16(value); break;
    case VDK_BF16: ((uint16_t *)base)[index] = vdk_f64_to_bf16(value); break;
    case VDK_F64: ((double *)base)[index] = value; break;
    default: break;
    }
}
