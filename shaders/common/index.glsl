// Views as the host passes them (src/vulkan/ops.c): the shape padded to rank 5
// with leading 1s, each operand's element offset and strides in push constants.
// Indices are 32-bit; the host refuses views whose element offsets do not fit.
#ifndef VDK_INDEX_GLSL
#define VDK_INDEX_GLSL

// The invocation's flat index over a grid the host may have split into rows of
// workgroups (gl_NumWorkGroups.x wide) to stay within maxComputeWorkGroupCount.
uint flat_group() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }

// Element offset of row-major index i of `shape` in a view with strides `st`.
uint view_offset(uint i, uint shape[5], uint st[5], uint base)
{
    uint off = base;
    for (int d = 4; d >= 0; d--) {
        off += (i % shape[d]) * st[d];
        i /= shape[d];
    }
    return off;
}

#endif
