// vdk_binary: y = a op b, b broadcast onto a (the host gives b stride 0 on the
// axes it broadcasts). In place when y is a.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common/dtype.glsl"
#include "common/index.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint OP = 0; // vdk_binary_op

layout(std430, binding = 0) readonly buffer A { elem_t a[]; };
layout(std430, binding = 1) readonly buffer B { elem_t b[]; };
layout(std430, binding = 2) buffer Y { elem_t y[]; };

layout(push_constant) uniform P {
    uint shape[5];
    uint as_[5];
    uint bs[5];
    uint ys[5];
    uint aoff, boff, yoff, n;
} p;

void main()
{
    uint i = flat_group() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.n)
        return;
    float va = LOAD(a, view_offset(i, p.shape, p.as_, p.aoff));
    float vb = LOAD(b, view_offset(i, p.shape, p.bs, p.boff));
    float r = OP == 0 ? va + vb : OP == 1 ? va - vb : va * vb;
    STORE(y, view_offset(i, p.shape, p.ys, p.yoff), r);
}
