// vdk_upsample: nearest up-sampling by integer factors, as bits (common/unit.glsl),
// in the rows x run tiling of y (common/rows.glsl): row (n, t, h, w) of y
// copies row (n, t / ft, h / fh, w / fw) of x. Axes with factor 1 that both
// tensors lay out contiguously were merged into the run by the host (a frame
// duplication copies whole frames as one run).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common/unit.glsl"
#include "common/rows.glsl" // declares the workgroup size

layout(std430, binding = 0) readonly buffer X { unit_t x[]; };
layout(std430, binding = 1) writeonly buffer Y { unit_t y[]; };

// In units (strides [4] are the run's).
layout(push_constant) uniform P {
    uint shape[5]; // y's, the merged axes 1
    uint ys[5];
    uint xs[5];
    uint yoff, xoff;
    uint f[4]; // factor per row axis (1 on axis 0 and on merged axes)
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
    for (int d = 1; d < 4; d++)
        idx[d] /= p.f[d];
    uint xb = rows_offset(idx, p.xs, p.xoff);
    uint L = p.shape[4];
    for (uint k = 0; k < V; k++) {
        uint c = c0 + k * tx;
        if (c < L)
            y[yb + c * p.ys[4]] = x[xb + c * p.xs[4]];
    }
}
