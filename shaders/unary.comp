// vdk_unary: y = f(x) elementwise over any view (in place when y is x).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common/dtype.glsl"
#include "common/index.glsl"
#include "common/math.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint OP = 0; // vdk_unary_op

layout(std430, binding = 0) readonly buffer X { elem_t x[]; };
layout(std430, binding = 1) buffer Y { elem_t y[]; };

layout(push_constant) uniform P {
    uint shape[5];
    uint xs[5];
    uint ys[5];
    uint xoff, yoff, n;
    float alpha, beta;
} p;

void main()
{
    uint i = flat_group() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.n)
        return;
    float v = LOAD(x, view_offset(i, p.shape, p.xs, p.xoff));
    float r;
    if (OP == 0)
        r = v * vsigmoid(v);
    else if (OP == 1)
        r = vgelu(v);
    else if (OP == 2)
        r = vsigmoid(v);
    else
        r = fma(p.alpha, v, p.beta);
    STORE(y, view_offset(i, p.shape, p.ys, p.yoff), r);
}
