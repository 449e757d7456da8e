// vdk_group_norm on [N, T, H, W, C] channels-last, in three dispatches of this
// shader (PHASE, a specialization constant):
//   0 statistics: workgroup (set, chunk, channel block) streams the chunk's
//     pixels and writes, per group the block touches, a partial
//     (count, mean, M2) to scratch;
//   1 merge: workgroup (set, group) merges the group's partials and writes the
//     per-channel coefficients (shift, a, b) of y = act((x - shift) a + b);
//   2 normalise: workgroup (set, chunk, channel block) streams the chunk again.
// A "set" is what one statistic covers: a frame (per frame) or the T frames of
// a batch item (per clip); its pixels are rows of C contiguous channels.
//
// Numerics: everything is relative to a shift, one sample of the group (its
// first element in the set), so a large common offset cancels exactly (x -
// shift is exact within a factor of 2, Sterbenz) and the mean and M2 are of
// small numbers. Each invocation holds PB pixels of its VEC channels in
// registers, takes their mean and centred M2 (two passes over registers), and
// folds them into its running (count, mean, M2) with Chan's formula; the
// workgroup, and then the merge, combine pieces with the same exact formula
// (mean = sum n_i m_i / n, M2 = sum M2_i + n_i (m_i - mean)^2). No sum of
// squares of uncentred values is ever formed.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#include "common/dtype.glsl"
#include "common/index.glsl"
#include "common/math.glsl"
#include "common/normio.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 2) const uint PHASE = 0;
layout(constant_id = 3) const uint PB = 4; // pixels per invocation and batch; PB * VEC <= 32
layout(constant_id = 4) const bool SILU = false;

NORM_IN(0, x)
NORM_OUT(1, y)
layout(std430, binding = 2) readonly buffer Gamma { elem_t gamma[]; };
layout(std430, binding = 3) readonly buffer Beta { elem_t beta[]; };
// [sets][C] coefficients (shift, a, b), then the partials
// [sets][K][cbs][GB] (count, mean, M2).
layout(std430, binding = 4) buffer Scratch { float sc[]; };

layout(push_constant) uniform P {
    uint HW, W, C, Cg;  // pixels per frame, frame width, channels, channels per group
    uint F, spn;        // frames per set, sets per batch item (T / F)
    uint sets, G;
    uint BCH, R;        // a workgroup: R rows of pixels x BCH channels (BCH / VEC slots; R * slots <= WG)
    uint cbs, K, PC, GB; // channel blocks, chunks per set, pixels per chunk, groups per block (max)
    uint xs[4];         // strides of N, T, H, W (0 on axes of extent 1)
    uint xoff;
    uint ys[4];
    uint yoff;
    uint goff, boff;
    uint xps, yps;      // stride between consecutive pixels of a set when uniform, else 0
    float eps;
    uint affine;        // bit 0: gamma, bit 1: beta
} p;

// Statistics: per row and channel of the block, mean and M2 (WG * VEC <= 2048).
// The merge phase reuses smean for its reductions.
shared float smean[2048];
shared float sm2[2048];

uint set_base(uint set, uint s0, uint s1, uint off)
{
    uint n = set / p.spn;
    return off + n * s0 + (set - n * p.spn) * p.F * s1;
}

// Element offset of pixel q of a set from the set's base.
uint pixel_x(uint q)
{
    if (p.xps != 0)
        return q * p.xps;
    uint f = q / p.HW, r = q - f * p.HW, h = r / p.W;
    return f * p.xs[1] + h * p.xs[2] + (r - h * p.W) * p.xs[3];
}

uint pixel_y(uint q)
{
    if (p.yps != 0)
        return q * p.yps;
    uint f = q / p.HW, r = q - f * p.HW, h = r / p.W;
    return f * p.ys[1] + h * p.ys[2] + (r - h * p.W) * p.ys[3];
}

// Pixels of chunk length `len` that row r of the workgroup visits.
uint row_pixels(uint len, uint r) { return len > r ? (len - r + p.R - 1) / p.R : 0; }

void statistics()
{
    uint wid = flat_group();
    if (wid >= p.sets * p.K * p.cbs) // uniform across the workgroup
        return;
    uint cb = wid % p.cbs, k = (wid / p.cbs) % p.K, set = wid / (p.cbs * p.K);
    uint BCH = p.BCH, SB = BCH / VEC;
    uint lid = gl_LocalInvocationID.x, r = lid / SB, sl = lid - r * SB;
    uint c0 = cb * BCH + sl * VEC;
    // C is a multiple of VEC: a vector is in range or not at all. Invocations
    // past R rows idle.
    bool live = c0 < p.C && r < p.R;
    uint P = p.F * p.HW, start = k * p.PC, end = min(P, start + p.PC);
    uint base = set_base(set, p.xs[0], p.xs[1], p.xoff);

    float sh[VMAX], mean[VMAX], m2[VMAX];
    for (uint v = 0; v < VEC; v++) {
        sh[v] = live ? LOAD(x, base + (c0 + v) / p.Cg * p.Cg) : 0.0;
        mean[v] = 0.0;
        m2[v] = 0.0;
    }
    float n = 0.0;
    if (live) {
        for (uint q0 = start + r; q0 < end; q0 += p.R * PB) {
            float d[32], t[VMAX];
            uint nb = 0;
            for (uint i = 0; i < PB; i++) {
                uint q = q0 + i * p.R;
                if (q < end) {
                    load_x(base + pixel_x(q) + c0, t);
                    for (uint v = 0; v < VEC; v++)
                        d[i * VEC + v] = t[v] - sh[v];
                    nb++;
                }
            }
            // The batch's mean and centred M2, folded in by Chan's formula.
            float fb = float(nb), nn = n + fb, w = fb / nn, ib = 1.0 / fb;
            for (uint v = 0; v < VEC; v++) {
                float s = 0.0;
                for (uint i = 0; i < PB; i++)
                    if (i < nb)
                        s += d[i * VEC + v];
                float bm = s * ib, q2 = 0.0;
                for (uint i = 0; i < PB; i++)
                    if (i < nb) {
                        float e = d[i * VEC + v] - bm;
                        q2 = fma(e, e, q2);
                    }
                float delta = bm - mean[v];
                mean[v] = fma(delta, w, mean[v]);
                m2[v] += q2 + delta * delta * n * w;
            }
            n = nn;
        }
        for (uint v = 0; v < VEC; v++) {
            smean[r * BCH + sl * VEC + v] = mean[v];
            sm2[r * BCH + sl * VEC + v] = m2[v];
        }
    }
    barrier();

    // Each subgroup merges the pieces (rows x channels) of some of the block's
    // groups. The lanes are ranked among the active ones, as the last subgroup
    // may be partial.
    uint lane = subgroupExclusiveAdd(1u), nlanes = subgroupAdd(1u);
    uint cb0 = cb * BCH, cb1 = min(p.C, cb0 + BCH);
    uint g0 = cb0 / p.Cg, ng = (cb1 - 1) / p.Cg - g0 + 1;
    uint len = end - start;
    uint pbase = p.sets * p.C * 3 + ((set * p.K + k) * p.cbs + cb) * p.GB * 3;
    for (uint j = gl_SubgroupID; j < ng; j += gl_NumSubgroups) {
        uint g = g0 + j;
        uint lo = max(g * p.Cg, cb0) - cb0, ncg = min((g + 1) * p.Cg, cb1) - cb0 - lo;
        float s = 0.0;
        for (uint i = lane; i < p.R * ncg; i += nlanes) {
            uint rr = i / ncg, cc = lo + i - rr * ncg;
            s += float(row_pixels(len, rr)) * smean[rr * BCH + cc];
        }
        float cnt = float(len * ncg), gm = subgroupAdd(s) / cnt;
        float q = 0.0;
        for (uint i = lane; i < p.R * ncg; i += nlanes) {
            uint rr = i / ncg, cc = lo + i - rr * ncg;
            float e = smean[rr * BCH + cc] - gm;
            q += sm2[rr * BCH + cc] + float(row_pixels(len, rr)) * e * e;
        }
        q = subgroupAdd(q);
        if (subgroupElect()) {
            sc[pbase + j * 3] = cnt;
            sc[pbase + j * 3 + 1] = gm;
            sc[pbase + j * 3 + 2] = q;
        }
    }
}

// Sum over the workgroup: subgroups, then their totals through shared memory.
float workgroup_sum(float v)
{
    v = subgroupAdd(v);
    if (subgroupElect())
        smean[gl_SubgroupID] = v;
    barrier();
    float r = 0.0;
    for (uint s = 0; s < gl_NumSubgroups; s++)
        r += smean[s];
    barrier(); // smean is reused by the next reduction
    return r;
}

void merge()
{
    uint wid = flat_group();
    if (wid >= p.sets * p.G)
        return;
    uint set = wid / p.G, g = wid - set * p.G;
    uint lid = gl_LocalInvocationID.x, nl = gl_WorkGroupSize.x;
    uint BCH = p.BCH;
    uint cb_lo = g * p.Cg / BCH, ncb = ((g + 1) * p.Cg - 1) / BCH - cb_lo + 1;
    uint pieces = p.K * ncb, pbase = p.sets * p.C * 3;
    float s = 0.0;
    for (uint i = lid; i < pieces; i += nl) {
        uint k = i / ncb, cb = cb_lo + i - k * ncb, j = g - cb * BCH / p.Cg;
        uint at = pbase + (((set * p.K + k) * p.cbs + cb) * p.GB + j) * 3;
        s += sc[at] * sc[at + 1];
    }
    float cnt = float(p.F * p.HW * p.Cg), mean = workgroup_sum(s) / cnt;
    float q = 0.0;
    for (uint i = lid; i < pieces; i += nl) {
        uint k = i / ncb, cb = cb_lo + i - k * ncb, j = g - cb * BCH / p.Cg;
        uint at = pbase + (((set * p.K + k) * p.cbs + cb) * p.GB + j) * 3;
        float e = sc[at + 1] - mean;
        q += sc[at + 2] + sc[at] * e * e;
    }
    float rstd = 1.0 / sqrt(workgroup_sum(q) / cnt + p.eps);
    // The shift as the statistics phase took it; x is not yet written (in place).
    float shift = LOAD(x, set_base(set, p.xs[0], p.xs[1], p.xoff) + g * p.Cg);
    for (uint c = g * p.Cg + lid; c < (g + 1) * p.Cg; c += nl) {
        float a = (p.affine & 1u) != 0 ? rstd * LOAD(gamma, p.goff + c) : rstd;
        float b = ((p.affine & 2u) != 0 ? LOAD(beta, p.boff + c) : 0.0) - mean * a;
        uint at = (set * p.C + c) * 3;
        sc[at] = shift;
        sc[at + 1] = a;
        sc[at + 2] = b;
    }
}

void normalise()
{
    uint nwg = p.sets * p.K * p.cbs, fid = flat_group();
    if (fid >= nwg)
        return;
    // Backwards: the chunks the statistics phase read last may still be in L2.
    uint wid = nwg - 1 - fid;
    uint cb = wid % p.cbs, k = (wid / p.cbs) % p.K, set = wid / (p.cbs * p.K);
    uint SB = p.BCH / VEC, lid = gl_LocalInvocationID.x, r = lid / SB, sl = lid - r * SB;
    uint c0 = cb * p.BCH + sl * VEC;
    if (c0 >= p.C || r >= p.R) // no barriers in this phase
        return;
    uint P = p.F * p.HW, start = k * p.PC, end = min(P, start + p.PC);
    uint xb = set_base(set, p.xs[0], p.xs[1], p.xoff) + c0;
    uint yb = set_base(set, p.ys[0], p.ys[1], p.yoff) + c0;
    float sh[VMAX], a[VMAX], b[VMAX];
    for (uint v = 0; v < VEC; v++) {
        uint at = (set * p.C + c0 + v) * 3;
        sh[v] = sc[at];
        a[v] = sc[at + 1];
        b[v] = sc[at + 2];
    }
    for (uint q0 = start + r; q0 < end; q0 += p.R * PB) {
        // All of the batch's loads before its stores: PB vectors in flight.
        float t[32], u[VMAX];
        for (uint i = 0; i < PB; i++) {
            uint q = q0 + i * p.R;
            if (q < end) {
                load_x(xb + pixel_x(q), u);
                for (uint v = 0; v < VEC; v++)
                    t[i * VEC + v] = u[v];
            }
        }
        for (uint i = 0; i < PB; i++) {
            uint q = q0 + i * p.R;
            if (q < end) {
                for (uint v = 0; v < VEC; v++) {
                    float z = fma(t[i * VEC + v] - sh[v], a[v], b[v]);
                    u[v] = SILU ? z * vsigmoid(z) : z;
                }
                store_y(yb + pixel_y(q), u);
            }
        }
    }
}

void main()
{
    if (PHASE == 0)
        statistics();
    else if (PHASE == 1)
        merge();
    else
        normalise();
}
