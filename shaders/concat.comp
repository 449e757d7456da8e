// vdk_concat: y = [a, b] along one axis, as bits (common/unit.glsl), in the
// rows x run tiling (common/rows.glsl). The host merged the concatenation axis
// with the axes inside it where all three tensors allow; it sits on merged axis
// SPLIT, whose first p.la indices come from a and the rest from b. On a row
// axis (SPLIT < 4) the source is one per row; on the run (SPLIT == 4: the
// channel axis of a UNet skip, or contiguous blocks) it switches once within a
// row.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common/unit.glsl"
#include "common/rows.glsl" // declares the workgroup size

layout(constant_id = 3) const uint SPLIT = 4;

layout(std430, binding = 0) readonly buffer A { unit_t a[]; };
layout(std430, binding = 1) readonly buffer B { unit_t b[]; };
layout(std430, binding = 2) writeonly buffer Y { unit_t y[]; };

// In units (strides [4] are the run's: 1 but where a view of extent-1
// channels left a strided axis as the run).
layout(push_constant) uniform P {
    uint shape[5]; // y's
    uint ys[5];
    uint as_[5];
    uint bs[5];
    uint yoff, aoff, boff;
    uint la; // a's extent on axis SPLIT
    uint tiling;
} p;

void main()
{
    uint rows = p.shape[0] * p.shape[1] * p.shape[2] * p.shape[3];
    uint row, c0, tx;
    if (!rows_tile(p.tiling, rows, row, c0, tx))
        return;
    uint idx[4];
    rows_index(row, p.shape, idx);
    uint yb = rows_offset(idx, p.ys, p.yoff);
    uint L = p.shape[4];
    if (SPLIT < 4) {
        bool from_a = idx[SPLIT] < p.la;
        if (!from_a)
            idx[SPLIT] -= p.la;
        uint sb = from_a ? rows_offset(idx, p.as_, p.aoff) : rows_offset(idx, p.bs, p.boff);
        for (uint k = 0; k < V; k++) {
            uint c = c0 + k * tx;
            if (c < L) {
                if (from_a)
                    y[yb + c * p.ys[4]] = a[sb + c * p.as_[4]];
                else
                    y[yb + c * p.ys[4]] = b[sb + c * p.bs[4]];
            }
        }
    } else {
        uint ab = rows_offset(idx, p.as_, p.aoff);
        uint bb = rows_offset(idx, p.bs, p.boff);
        for (uint k = 0; k < V; k++) {
            uint c = c0 + k * tx;
            if (c < L) {
                if (c < p.la)
                    y[yb + c * p.ys[4]] = a[ab + c * p.as_[4]];
                else
                    y[yb + c * p.ys[4]] = b[bb + (c - p.la) * p.bs[4]];
            }
        }
    }
}
