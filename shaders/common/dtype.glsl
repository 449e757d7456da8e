// Storage dtypes. STORAGE (a -D of the variant): 0 = f32, 1 = f16, 2 = bf16.
// 16-bit values live in uint16_t arrays and are converted here with integer
// arithmetic, so the rounding (to nearest even; overflow to infinity; NaN stays
// NaN) is the same on every driver as on the host (src/convert.c), whatever
// rounding mode a driver gives OpFConvert. Compute is always f32.
#ifndef VDK_DTYPE_GLSL
#define VDK_DTYPE_GLSL

#extension GL_EXT_shader_16bit_storage : require

#if STORAGE == 0
#define elem_t float
#else
#define elem_t uint16_t
#endif

float f16_to_f32(uint h)
{
    return unpackHalf2x16(h).x; // exact: every f16 is an f32
}

uint f32_to_f16(float f)
{
    uint x = floatBitsToUint(f);
    uint sign = (x >> 16) & 0x8000u;
    uint ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) // Inf, or NaN kept quiet
        return sign | (ax > 0x7f800000u ? 0x7e00u : 0x7c00u);
    if (ax >= 0x477ff000u) // 65520 and above round to infinity
        return sign | 0x7c00u;
    if (ax < 0x38800000u) // below 2^-14: an f16 subnormal (or zero) counts 2^-24 units
        return sign | uint(roundEven(uintBitsToFloat(ax) * 16777216.0));
    uint r = ax - 0x38000000u; // rebias the exponent from 127 to 15
    r += 0x0fffu + ((r >> 13) & 1u);
    return sign | (r >> 13);
}

float bf16_to_f32(uint h) { return uintBitsToFloat(h << 16); }

uint f32_to_bf16(float f)
{
    uint x = floatBitsToUint(f);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return (x >> 16) | 0x40u;
    return (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
}

// LOAD(buf, i) -> float and STORE(buf, i, f) on an elem_t array: macros, as a
// 16-bit value may only be touched in buffer storage without shaderInt16.
#if STORAGE == 0
#define LOAD(buf, i) (buf[i])
#define STORE(buf, i, f) (buf[i] = (f))
#elif STORAGE == 1
#define LOAD(buf, i) f16_to_f32(uint(buf[i]))
#define STORE(buf, i, f) (buf[i] = uint16_t(f32_to_f16(f)))
#else
#define LOAD(buf, i) bf16_to_f32(uint(buf[i]))
#define STORE(buf, i, f) (buf[i] = uint16_t(f32_to_bf16(f)))
#endif

#endif
