// vdk_device_peak, read: every 16-byte word of src is loaded once and folded
// (xor) into a value the invocation keeps; grid-stride with four loads in
// flight, as peak_copy. The fold leaves only when it equals p.never in all
// four lanes (never, for the contents the host fills in), so no load can be
// dropped and nothing is written.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common/index.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Src { uvec4 src[]; };
layout(std430, binding = 1) writeonly buffer Sink { uvec4 sink[]; };

layout(push_constant) uniform P {
    uint n; // 16-byte words
    uint never;
} p;

void main()
{
    const uint stride = gl_NumWorkGroups.x * gl_NumWorkGroups.y * gl_WorkGroupSize.x;
    uint i = flat_group() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    uvec4 acc = uvec4(i);
    for (; i + 3 * stride < p.n; i += 4 * stride)
        acc ^= (src[i] ^ src[i + stride]) ^ (src[i + 2 * stride] ^ src[i + 3 * stride]);
    for (; i < p.n; i += stride)
        acc ^= src[i];
    if (all(equal(acc, uvec4(p.never))))
        sink[0] = acc;
}
