// The copy unit of the data-movement shaders (concat, upsample): UNIT bytes,
// one element or several when the host found every offset and stride aligned
// to it (src/vulkan/rows.c, vdk_vk_rows_unit). Elements are moved as bits,
// never converted, so every value (NaN payloads, -0, subnormals) comes
// through unchanged.
#ifndef VDK_UNIT_GLSL
#define VDK_UNIT_GLSL

#if UNIT == 16
#define unit_t uvec4
#elif UNIT == 8
#define unit_t uvec2
#elif UNIT == 4
#define unit_t uint
#else
#extension GL_EXT_shader_16bit_storage : require
#define unit_t uint16_t
#endif

#endif
