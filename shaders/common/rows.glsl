// The rows x run tiling of the bandwidth-bound operators (blend, concat,
// upsample, timestep_embedding; host side in src/vulkan/rows.c). The index
// space is rows (the outer axes shape[5 - DIMS .. 3], the axes the host could
// not merge) times the run (shape[4]: the contiguous axis, merged with every
// axis outside it that all operands step over alike). A workgroup takes
// TY = gl_WorkGroupSize.x / TX rows and one chunk of TX * V run elements, TX a
// power of two the host picks for the run's length. Invocation tx of a row
// handles run elements c0 + k * TX, k < V: neighbouring invocations touch
// neighbouring elements (coalesced), each invocation has V independent loads in
// flight, and the divisions that locate a row are paid once per V elements.
#ifndef VDK_ROWS_GLSL
#define VDK_ROWS_GLSL

#include "index.glsl"

// The workgroup size (specialization constant 0) is declared here, before the
// functions below read gl_WorkGroupSize: glslang folds gl_WorkGroupSize to the
// default (1, 1, 1) in code parsed before the declaration.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint DIMS = 5; // axes left after merging, the run included
layout(constant_id = 2) const uint V = 4;    // run elements per invocation

// `tiling` packs log2(TX) in bits 0-3 and the chunks per row above them.
// Returns false for the invocations past the last row.
bool rows_tile(uint tiling, uint rows, out uint row, out uint c0, out uint tx_count)
{
    uint txlog = tiling & 15u, chunks = tiling >> 4;
    uint g = flat_group();
    uint rb = g / chunks, chunk = g - rb * chunks;
    uint lid = gl_LocalInvocationID.x;
    uint ty = lid >> txlog, ty_count = gl_WorkGroupSize.x >> txlog;
    row = rb * ty_count + ty;
    tx_count = 1u << txlog;
    c0 = chunk * (V << txlog) + (lid & (tx_count - 1u));
    // ty < ty_count: a workgroup size that is no power of two leaves spare
    // invocations, which must not take the next workgroup's rows.
    return ty < ty_count && row < rows;
}

// The indices of `row` on the outer axes (0 on the axes merged away, which
// DIMS lets the compiler drop with their divisions).
void rows_index(uint row, uint shape[5], out uint idx[4])
{
    for (int d = 3; d >= 0; d--) {
        if (d < 5 - int(DIMS)) {
            idx[d] = 0u;
        } else if (d == 5 - int(DIMS)) {
            idx[d] = row; // the outermost axis: row < rows, no remainder to take
        } else {
            idx[d] = row % shape[d];
            row /= shape[d];
        }
    }
}

uint rows_offset(uint idx[4], uint st[5], uint base)
{
    return base + idx[0] * st[0] + idx[1] * st[1] + idx[2] * st[2] + idx[3] * st[3];
}

#endif
