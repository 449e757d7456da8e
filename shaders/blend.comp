// vdk_blend: y = w a + (1 - w) b in the rows x run tiling (common/rows.glsl),
// w being p.alpha, or the alpha tensor (through a sigmoid when SIG) broadcast
// onto a: the host gives it stride 0 on the axes it broadcasts. In place when y
// is a or b: every element is read before it is written, by one invocation.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common/dtype.glsl"
#include "common/math.glsl"
#include "common/rows.glsl" // declares the workgroup size

// 0: w is p.alpha; 1: the alpha tensor, one value per row (stride 0 along the
// run: a learned scalar, a per-frame weight), its weights formed once per row;
// 2: the alpha tensor, one value per element.
layout(constant_id = 3) const uint MODE = 0;
layout(constant_id = 4) const uint SIG = 0;

layout(std430, binding = 0) readonly buffer A { elem_t a[]; };
layout(std430, binding = 1) readonly buffer B { elem_t b[]; };
layout(std430, binding = 2) readonly buffer W { elem_t al[]; };
layout(std430, binding = 3) buffer Y { elem_t y[]; };

layout(push_constant) uniform P {
    uint shape[5];
    uint as_[5];
    uint bs[5];
    uint ws[5];
    uint ys[5];
    uint aoff, boff, woff, yoff;
    uint tiling;
    float alpha;
} p;

// w and 1 - w as the CPU kernel forms them (kernels/common/blend.c): for the
// sigmoid, 1 - w is e w with e = e^-x, so a weight near 1 does not leave b's
// weight cancelled. Below -87, w would fall under 2^-125, where a device may
// flush it to 0 and take 1 - w = e w with it; w a is then below any rounding
// of y, so w is 0 and 1 - w is 1 (the CPU kernel cuts at -88, where vexp stops
// growing).
void weights(float x, out float w, out float omw)
{
    if (SIG != 0) {
        float e = vexp(-x);
        w = 1.0 / (1.0 + e);
        omw = e * w;
        if (x < -87.0) {
            w = 0.0;
            omw = 1.0;
        }
    } else {
        w = x;
        omw = 1.0 - x;
    }
}

void main()
{
    uint rows = p.shape[0] * p.shape[1] * p.shape[2] * p.shape[3];
    uint row, c0, tx;
    if (!rows_tile(p.tiling, rows, row, c0, tx))
        return;
    uint idx[4];
    rows_index(row, p.shape, idx);
    uint ab = rows_offset(idx, p.as_, p.aoff), bb = rows_offset(idx, p.bs, p.boff);
    uint wb = rows_offset(idx, p.ws, p.woff), yb = rows_offset(idx, p.ys, p.yoff);
    float w, omw;
    if (MODE == 0)
        weights(p.alpha, w, omw);
    else if (MODE == 1)
        weights(LOAD(al, wb), w, omw);
    uint L = p.shape[4];
    for (uint k = 0; k < V; k++) {
        uint c = c0 + k * tx;
        if (c < L) {
            if (MODE == 2)
                weights(LOAD(al, wb + c * p.ws[4]), w, omw);
            float va = LOAD(a, ab + c * p.as_[4]);
            float vb = LOAD(b, bb + c * p.bs[4]);
            STORE(y, yb + c * p.ys[4], fma(w, va, omw * vb));
        }
    }
}
