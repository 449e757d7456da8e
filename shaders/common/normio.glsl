// Vector access for the normalisation shaders (group_norm, layer_norm,
// rms_norm): VEC consecutive channels in one load or store of up to 16 bytes
// (VEC 1, 2 or 4; 8 for 16-bit storage), through aliases of one binding's
// buffer with a wider element type. The host picks VEC so that every vector a
// shader touches starts at a multiple of VEC elements (offsets, outer strides
// and C all multiples of VEC); values are always f32 in registers.
//
// NORM_IN(binding, name) declares a read-only tensor `name` with loader
// load_<name>(i, v); NORM_OUT(binding, name) a writable one with
// store_<name>(i, v). i is an element index (a multiple of VEC), v a
// float[VMAX] of which the first VEC are used.
#ifndef VDK_NORMIO_GLSL
#define VDK_NORMIO_GLSL

#include "dtype.glsl"

layout(constant_id = 1) const uint VEC = 1;

#if STORAGE == 0
#define VMAX 4
#else
#define VMAX 8

// Two 16-bit values in one uint: element 2i in the low half (little-endian
// memory, as Vulkan has it).
#if STORAGE == 1
vec2 unpack2(uint u) { return unpackHalf2x16(u); } // exact
uint pack2(float a, float b) { return f32_to_f16(a) | (f32_to_f16(b) << 16); }
#else
vec2 unpack2(uint u) { return vec2(uintBitsToFloat(u << 16), uintBitsToFloat(u & 0xffff0000u)); }
uint pack2(float a, float b) { return f32_to_bf16(a) | (f32_to_bf16(b) << 16); }
#endif
#endif

#if STORAGE == 0

#define NORM_IN(B, name)                                                                 \
    layout(std430, binding = B) readonly buffer name##_1 { float name[]; };              \
    layout(std430, binding = B) readonly buffer name##_2 { vec2 name##2[]; };            \
    layout(std430, binding = B) readonly buffer name##_4 { vec4 name##4[]; };            \
    void load_##name(uint i, out float v[VMAX])                                          \
    {                                                                                    \
        if (VEC == 4) {                                                                  \
            vec4 t = name##4[i >> 2];                                                    \
            v[0] = t.x, v[1] = t.y, v[2] = t.z, v[3] = t.w;                              \
        } else if (VEC == 2) {                                                           \
            vec2 t = name##2[i >> 1];                                                    \
            v[0] = t.x, v[1] = t.y;                                                      \
        } else {                                                                         \
            v[0] = name[i];                                                              \
        }                                                                                \
    }

#define NORM_OUT(B, name)                                                                \
    layout(std430, binding = B) buffer name##_1 { float name[]; };                       \
    layout(std430, binding = B) buffer name##_2 { vec2 name##2[]; };                     \
    layout(std430, binding = B) buffer name##_4 { vec4 name##4[]; };                     \
    void store_##name(uint i, float v[VMAX])                                             \
    {                                                                                    \
        if (VEC == 4)                                                                    \
            name##4[i >> 2] = vec4(v[0], v[1], v[2], v[3]);                              \
        else if (VEC == 2)                                                               \
            name##2[i >> 1] = vec2(v[0], v[1]);                                          \
        else                                                                             \
            name[i] = v[0];                                                              \
    }

#else

#define NORM_IN(B, name)                                                                 \
    layout(std430, binding = B) readonly buffer name##_1 { uint16_t name[]; };           \
    layout(std430, binding = B) readonly buffer name##_2 { uint name##2[]; };            \
    layout(std430, binding = B) readonly buffer name##_4 { uvec2 name##4[]; };           \
    layout(std430, binding = B) readonly buffer name##_8 { uvec4 name##8[]; };           \
    void load_##name(uint i, out float v[VMAX])                                          \
    {                                                                                    \
        if (VEC == 8) {                                                                  \
            uvec4 u = name##8[i >> 3];                                                   \
            vec2 a = unpack2(u.x), b = unpack2(u.y), c = unpack2(u.z), d = unpack2(u.w); \
            v[0] = a.x, v[1] = a.y, v[2] = b.x, v[3] = b.y;                              \
            v[4] = c.x, v[5] = c.y, v[6] = d.x, v[7] = d.y;                              \
        } else if (VEC == 4) {                                                           \
            uvec2 u = name##4[i >> 2];                                                   \
            vec2 a = unpack2(u.x), b = unpack2(u.y);                                     \
            v[0] = a.x, v[1] = a.y, v[2] = b.x, v[3] = b.y;                              \
        } else if (VEC == 2) {                                                           \
            vec2 a = unpack2(name##2[i >> 1]);                                           \
            v[0] = a.x, v[1] = a.y;                                                      \
        } else {                                                                         \
            v[0] = LOAD(name, i);                                                        \
        }                                                                                \
    }

#define NORM_OUT(B, name)                                                                \
    layout(std430, binding = B) buffer name##_1 { uint16_t name[]; };                    \
    layout(std430, binding = B) buffer name##_2 { uint name##2[]; };                     \
    layout(std430, binding = B) buffer name##_4 { uvec2 name##4[]; };                    \
    layout(std430, binding = B) buffer name##_8 { uvec4 name##8[]; };                    \
    void store_##name(uint i, float v[VMAX])                                             \
    {                                                                                    \
        if (VEC == 8)                                                                    \
            name##8[i >> 3] = uvec4(pack2(v[0], v[1]), pack2(v[2], v[3]),                \
                                    pack2(v[4], v[5]), pack2(v[6], v[7]));               \
        else if (VEC == 4)                                                               \
            name##4[i >> 2] = uvec2(pack2(v[0], v[1]), pack2(v[2], v[3]));               \
        else if (VEC == 2)                                                               \
            name##2[i >> 1] = pack2(v[0], v[1]);                                         \
        else                                                                             \
            STORE(name, i, v[0]);                                                        \
    }

#endif

#endif
