// vdk_softmax over the last axis: one workgroup per row. Reductions go through
// subgroup operations and then shared memory across the workgroup's subgroups,
// so any subgroup size works (lavapipe 8, NVIDIA 32, AMD 64).
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#include "common/dtype.glsl"
#include "common/index.glsl"
#include "common/math.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer X { elem_t x[]; };
layout(std430, binding = 1) buffer Y { elem_t y[]; };

// Rows are the index space of shape[0..3]; shape[4] (C) is the row itself.
layout(push_constant) uniform P {
    uint shape[5];
    uint xs[5];
    uint ys[5];
    uint xoff, yoff, rows;
    float scale;
} p;

// One slot per subgroup: at most 1024 invocations / smallest subgroup of 4.
shared float partial[256];

float reduce_max(float v)
{
    v = subgroupMax(v);
    if (subgroupElect())
        partial[gl_SubgroupID] = v;
    barrier();
    float r = partial[0];
    for (uint s = 1; s < gl_NumSubgroups; s++)
        r = max(r, partial[s]);
    barrier(); // partial is reused by the next reduction
    return r;
}

float reduce_sum(float v)
{
    v = subgroupAdd(v);
    if (subgroupElect())
        partial[gl_SubgroupID] = v;
    barrier();
    float r = 0.0;
    for (uint s = 0; s < gl_NumSubgroups; s++)
        r += partial[s];
    barrier();
    return r;
}

void main()
{
    uint row = flat_group();
    if (row >= p.rows) // uniform across the workgroup: the barriers stay safe
        return;
    uint rshape[5] = uint[5](1, p.shape[0], p.shape[1], p.shape[2], p.shape[3]);
    uint rxs[5] = uint[5](0, p.xs[0], p.xs[1], p.xs[2], p.xs[3]);
    uint rys[5] = uint[5](0, p.ys[0], p.ys[1], p.ys[2], p.ys[3]);
    uint xb = view_offset(row, rshape, rxs, p.xoff);
    uint yb = view_offset(row, rshape, rys, p.yoff);
    uint C = p.shape[4], lid = gl_LocalInvocationID.x, nl = gl_WorkGroupSize.x;

    // exp(s x - max(s x)) as exp(s (x - xr)), xr the x where s x peaks: x - xr
    // is exact for the terms near the peak, which carry the row, where a rounded
    // s x would be off by |s x| units (see kernels/common/softmax.c).
    float sg = p.scale > 0.0 ? 1.0 : -1.0;
    float m = -1.0 / 0.0;
    for (uint c = lid; c < C; c += nl)
        m = max(m, sg * LOAD(x, xb + c));
    float xr = sg * reduce_max(m);
    float s = 0.0;
    for (uint c = lid; c < C; c += nl)
        s += vexp(p.scale * (LOAD(x, xb + c) - xr));
    float inv = 1.0 / reduce_sum(s);
    // Every invocation has read its part of the row before any writes
    // (reduce_sum ends in a barrier), so y may be x.
    for (uint c = lid; c < C; c += nl)
        STORE(y, yb + c, vexp(p.scale * (LOAD(x, xb + c) - xr)) * inv);
}
