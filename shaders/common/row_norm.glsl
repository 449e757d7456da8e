// The body of layer_norm.comp and rms_norm.comp (RMS 0 or 1): normalisation
// over the last axis, one row per subgroup (SUB, short rows: no barriers) or
// per workgroup (subgroup sums, then shared memory across the subgroups: any
// subgroup size works). Each invocation keeps NV vectors of VEC channels of
// its row in registers, so x is read once; NV = 0 (rows too long for that)
// reads the row again for each pass.
//
// layer_norm works on d = x - x[0], as the reference does: under a large
// common offset d is exact (Sterbenz) and the variance is the two-pass sum of
// (d - mean_d)^2, never E[x^2] - E[x]^2. rms_norm needs no shift.
#extension GL_KHR_shader_subgroup_arithmetic : require
#include "dtype.glsl"
#include "index.glsl"
#include "normio.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 2) const bool SUB = false;
layout(constant_id = 3) const uint NV = 1; // NV * VEC <= 32

NORM_IN(0, x)
NORM_OUT(1, y)
NORM_IN(2, gamma)
#if !RMS
NORM_IN(3, beta)
#endif

// Rows are the index space of shape[0..3]; shape[4] (C) is the row itself.
layout(push_constant) uniform P {
    uint shape[4];
    uint xs[4];
    uint ys[4];
    uint xoff, yoff, goff, boff;
    uint C, rows, rpw; // row length, rows, rows per workgroup (SUB)
    float eps;
    uint affine;       // bit 0: gamma, bit 1: beta (uniform branches)
} p;

// One slot per subgroup: at most 1024 invocations / smallest subgroup of 4.
shared float partial[256];

// The sum over the row's invocations: the subgroup (SUB) or the workgroup.
float row_sum(float v)
{
    v = subgroupAdd(v);
    if (SUB)
        return v;
    if (subgroupElect())
        partial[gl_SubgroupID] = v;
    barrier();
    float r = 0.0;
    for (uint s = 0; s < gl_NumSubgroups; s++)
        r += partial[s];
    barrier(); // partial is reused by the next sum
    return r;
}

void norm_row(uint row, uint lane, uint nlanes)
{
    uint rshape[5] = uint[5](1, p.shape[0], p.shape[1], p.shape[2], p.shape[3]);
    uint rxs[5] = uint[5](0, p.xs[0], p.xs[1], p.xs[2], p.xs[3]);
    uint rys[5] = uint[5](0, p.ys[0], p.ys[1], p.ys[2], p.ys[3]);
    uint xb = view_offset(row, rshape, rxs, p.xoff);
    uint yb = view_offset(row, rshape, rys, p.yoff);
    uint C = p.C, CV = C / VEC;
    float t[VMAX], keep[32];

#if RMS
    float q = 0.0;
    for (uint j = 0; NV == 0 ? j * nlanes + lane < CV : j < NV; j++) {
        uint vi = j * nlanes + lane;
        if (vi < CV) {
            load_x(xb + vi * VEC, t);
            for (uint v = 0; v < VEC; v++) {
                if (NV > 0)
                    keep[j * VEC + v] = t[v];
                q = fma(t[v], t[v], q);
            }
        }
    }
    float scale = 1.0 / sqrt(row_sum(q) / float(C) + p.eps);
#else
    float shift = LOAD(x, xb);
    float s = 0.0;
    for (uint j = 0; NV == 0 ? j * nlanes + lane < CV : j < NV; j++) {
        uint vi = j * nlanes + lane;
        if (vi < CV) {
            load_x(xb + vi * VEC, t);
            for (uint v = 0; v < VEC; v++) {
                float d = t[v] - shift;
                if (NV > 0)
                    keep[j * VEC + v] = d;
                s += d;
            }
        }
    }
    float mean = row_sum(s) / float(C);
    float q = 0.0;
    for (uint j = 0; NV == 0 ? j * nlanes + lane < CV : j < NV; j++) {
        uint vi = j * nlanes + lane;
        if (vi < CV) {
            if (NV == 0)
                load_x(xb + vi * VEC, t);
            for (uint v = 0; v < VEC; v++) {
                float e = (NV > 0 ? keep[j * VEC + v] : t[v] - shift) - mean;
                q = fma(e, e, q);
            }
        }
    }
    float scale = 1.0 / sqrt(row_sum(q) / float(C) + p.eps);
#endif

    // Every invocation has read its part of the row before any writes (a row
    // is one invocation's elements only), so y may be x.
    for (uint j = 0; NV == 0 ? j * nlanes + lane < CV : j < NV; j++) {
        uint vi = j * nlanes + lane;
        if (vi < CV) {
            float g[VMAX], b[VMAX];
            if (NV == 0)
                load_x(xb + vi * VEC, t);
            bool hg = (p.affine & 1u) != 0, hb = (p.affine & 2u) != 0;
            if (hg)
                load_gamma(p.goff + vi * VEC, g);
#if !RMS
            if (hb)
                load_beta(p.boff + vi * VEC, b);
#endif
            for (uint v = 0; v < VEC; v++) {
#if RMS
                float o = (NV > 0 ? keep[j * VEC + v] : t[v]) * scale;
                t[v] = hg ? o * g[v] : o;
#else
                float o = ((NV > 0 ? keep[j * VEC + v] : t[v] - shift) - mean) * scale;
                if (hg)
                    o *= g[v];
                t[v] = hb ? o + b[v] : o;
#endif
            }
            store_y(yb + vi * VEC, t);
        }
    }
}

void main()
{
    uint wid = flat_group();
    if (SUB) {
        // Rows [wid * rpw, + rpw), one per subgroup at a time: the host sizes
        // rpw for the device's usual subgroup size, the loop takes any. Lanes
        // are ranked among the active ones.
        uint lane = subgroupExclusiveAdd(1u), nlanes = subgroupAdd(1u);
        uint end = min(p.rows, (wid + 1) * p.rpw);
        for (uint row = wid * p.rpw + gl_SubgroupID; row < end; row += gl_NumSubgroups)
            norm_row(row, lane, nlanes);
    } else if (wid < p.rows) { // uniform across the workgroup: the barriers stay safe
        norm_row(wid, gl_LocalInvocationID.x, gl_WorkGroupSize.x);
    }
}
