// vdk_device_peak, copy: dst[i] = src[i] over n 16-byte words, grid-stride.
// Each invocation loads four words (one per stride, so each load instruction
// of a subgroup covers consecutive words: coalesced) before it stores them,
// which keeps four loads in flight per invocation; the host launches about 16
// words per invocation, enough invocations to fill every core of a GPU.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common/index.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Src { uvec4 src[]; };
layout(std430, binding = 1) writeonly buffer Dst { uvec4 dst[]; };

layout(push_constant) uniform P {
    uint n; // 16-byte words
} p;

void main()
{
    const uint stride = gl_NumWorkGroups.x * gl_NumWorkGroups.y * gl_WorkGroupSize.x;
    uint i = flat_group() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    // n < 2^28 (buffers below 4 GiB), so i + 4 * stride cannot wrap.
    for (; i + 3 * stride < p.n; i += 4 * stride) {
        const uvec4 a = src[i], b = src[i + stride], c = src[i + 2 * stride],
                    d = src[i + 3 * stride];
        dst[i] = a;
        dst[i + stride] = b;
        dst[i + 2 * stride] = c;
        dst[i + 3 * stride] = d;
    }
    for (; i < p.n; i += stride)
        dst[i] = src[i];
}
