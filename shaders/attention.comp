// vdk_attention: o = softmax(scale q k^T) v per (sequence, head), flash style.
// A workgroup takes BQ query rows of one (sequence, head) and walks the keys
// in tiles of BK: K and V tiles pass through shared memory, the softmax is an
// online one (per row a running max m and sum l in f32, the accumulator
// rescaled by e^(m_old - m_new) when the max grows), so no score matrix
// exists beyond the BQ x BK tile in shared memory.
//
// Two kernels come from this file (shaders/CMakeLists.cmake):
//  - flash (TEMPORAL 0): one workgroup per (sequence, head, block of BQ
//    queries, chunk of output channels); any grouping, cross-attention, any
//    length. Head dims too wide for shared memory go in chunks of DC4 channel
//    quads: the scores sum over every chunk (Q and K chunks restaged), each
//    workgroup keeps one chunk of the output.
//  - temporal (TEMPORAL 1): one workgroup per (pixel, head) holding the whole
//    T x T problem (the host sizes BQ, BK >= T from T, so the key loop runs
//    once and the softmax is exact: m starts at -inf, alpha is 0). T is a
//    specialization constant: the loops know the sequence, and P.V skips the
//    padded keys. It reads the frames of a pixel straight from the strided
//    [N, T, H, W, C] layout.
//
// Invocations form an NR x NC grid (rl = row lane, cl = column lane). Scores:
// invocation (rl, cl) owns rows rl + NR*i (i < TR) against keys cl + NC*t
// (t < 4), a TR x 4 register tile, so that neighbouring lanes read
// neighbouring K rows; its 4 probabilities of a row are one vec4 of psh
// (psh[r][c] holds keys c, c + NC, c + 2NC, c + 3NC). P.V: the same rows against
// channel quads cl + NC*u (u < TC4). Shared rows are vec4 (4 channels or 4
// keys) with odd strides so that lanes reading different rows hit different
// banks. Nothing assumes a subgroup size: the row reductions go through
// shared memory. Scores, sums and outputs are f32 whatever the storage; q is
// scaled as it is staged (as on the CPU), e^x is vexp (common/math.glsl, the
// CPU backend's polynomial).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common/dtype.glsl"
#include "common/index.glsl"
#include "common/math.glsl"

#ifndef TEMPORAL
#define TEMPORAL 0
#endif

layout(local_size_x_id = 0) in; // NR * NC
layout(constant_id = 1) const uint D = 64;   // head dim
layout(constant_id = 2) const uint NC = 16;  // column lanes
layout(constant_id = 3) const uint NR = 8;   // row lanes
layout(constant_id = 4) const uint TR = 4;   // query rows per invocation
layout(constant_id = 5) const uint DC4 = 16; // channel quads per chunk
layout(constant_id = 6) const uint TT = 1;   // temporal kernel: T (p.T)

const uint NT = NR * NC;
const uint BQ = NR * TR;
const uint KQ = NC; // key quads per tile
const uint BK = 4 * KQ;
const uint D4 = (D + 3) / 4;
const uint CHUNKS = (D4 + DC4 - 1) / DC4;
const uint QS = DC4 | 1u; // vec4 stride of a Q, K or V row in shared memory
const uint PS = KQ + 1;   // vec4 stride of a row of probabilities (NC is even)
const uint TC4 = (DC4 + NC - 1) / NC;
const uint NONE = 0xffffffffu;
// src/vulkan/attention.c sizes the tiles from these arrays (shared_bytes()).
shared vec4 qsh[BQ * QS];
shared vec4 kvsh[BK * QS]; // the K tile, then the V tile
shared vec4 psh[BQ * PS];
shared float red[BQ * NC]; // per-row partial maxima, then partial sums
shared uint qrow[BQ], orow[BQ], krow[BK], vrow[BK];

layout(std430, binding = 0) readonly buffer QB { elem_t qb[]; };
layout(std430, binding = 1) readonly buffer KB { elem_t kb[]; };
layout(std430, binding = 2) readonly buffer VB { elem_t vb[]; };
layout(std430, binding = 3) writeonly buffer OB { elem_t ob[]; };

// Strides are (n, t, h, w) in elements; a cross-attention k, v [N, L, C] is
// (n, l, 0, 0) on the grid (L, 1, 1).
layout(push_constant) uniform P {
    uvec4 qs, ks, vs, os;
    uint T, H, W; // q and o: [N, T, H, W, C]
    uint L;       // cross-attention keys per batch item; 0: self-attention
    uint axes;    // vdk_attention_axes; cross-attention passes SPATIOTEMPORAL
    uint heads;
    float scale;
    uint qoff, koff, voff, ooff;
    uint groups;
} p;

uint lid, rl, cl;
uint Sq, Sk, qstep, kstep, q0, k0, hoff;
uvec3 qgrid, kgrid;

// Element offset of token g (counted over n, t, h, w) of a view.
uint token_offset(uint g, uvec3 grid, uvec4 st)
{
    uint w = g % grid.z;
    g /= grid.z;
    uint h = g % grid.y;
    g /= grid.y;
    return (g / grid.x) * st.x + (g % grid.x) * st.y + h * st.z + w * st.w;
}

// Offsets of channel 0 of this head for the key rows [j0, j0 + BK); NONE past
// the last key.
void key_rows(uint j0)
{
    for (uint j = lid; j < BK; j += NT) {
        uint jj = j0 + j;
        bool ok = jj < Sk;
        uint g = k0 + jj * kstep;
        krow[j] = ok ? p.koff + hoff + token_offset(g, kgrid, p.ks) : NONE;
        vrow[j] = ok ? p.voff + hoff + token_offset(g, kgrid, p.vs) : NONE;
    }
}

// Channel quad c4 of a row at `base` in buffer buf, zeros past D (and for a
// missing row), times mul. Selects rather than branches (a masked element
// loads element 0, which exists): fewer blocks for the compiler to carry
// across the barriers.
#define QUAD(buf, base, c4, mul)                                               \
    {                                                                          \
        uint c_ = (c4) * 4;                                                    \
        for (uint t_ = 0; t_ < 4; t_++) {                                      \
            bool ok_ = (base) != NONE && c_ + t_ < D;                          \
            float x_ = LOAD(buf, ok_ ? (base) + c_ + t_ : 0u);                 \
            quad_[t_] = ok_ ? x_ * (mul) : 0.0;                                \
        }                                                                      \
    }

// Chunk ch of the rows into shared memory: consecutive invocations take
// consecutive quads of a row, so the loads run along the channels.
void stage_q(uint ch, float scale)
{
    for (uint e = lid; e < BQ * DC4; e += NT) {
        uint r = e / DC4, cq = e % DC4;
        vec4 quad_;
        QUAD(qb, qrow[r], ch * DC4 + cq, scale);
        qsh[r * QS + cq] = quad_;
    }
}

void stage_k(uint ch)
{
    for (uint e = lid; e < BK * DC4; e += NT) {
        uint r = e / DC4, cq = e % DC4;
        vec4 quad_;
        QUAD(kb, krow[r], ch * DC4 + cq, 1.0);
        kvsh[r * QS + cq] = quad_;
    }
}

void stage_v(uint ch)
{
    for (uint e = lid; e < BK * DC4; e += NT) {
        uint r = e / DC4, cq = e % DC4;
        vec4 quad_;
        QUAD(vb, vrow[r], ch * DC4 + cq, 1.0);
        kvsh[r * QS + cq] = quad_;
    }
}

void main()
{
    if (flat_group() >= p.groups) // uniform across the workgroup
        return;
    lid = gl_LocalInvocationID.x;
    rl = lid / NC;
    cl = lid % NC;
    const uint HW = p.H * p.W;
    const bool cross = p.L != 0;
#if TEMPORAL
    // a constant, so that the padded keys drop out of P.V at compile time
    Sq = TT;
    Sk = TT;
#else
    Sq = p.axes == 0 ? HW : p.axes == 1 ? p.T : p.T * HW;
    Sk = cross ? p.L : Sq;
#endif
    qstep = p.axes == 1 ? HW : 1;
    kstep = cross ? 1 : qstep;
    qgrid = uvec3(p.T, p.H, p.W);
    kgrid = cross ? uvec3(p.L, 1, 1) : qgrid;
    const float scale = p.scale;

    uint f = flat_group();
#if TEMPORAL
    const uint chunk = 0, qblock = 0;
#else
    const uint chunk = f % CHUNKS;
    f /= CHUNKS;
    const uint qblocks = (Sq + BQ - 1) / BQ;
    const uint qblock = f % qblocks;
    f /= qblocks;
#endif
    const uint head = f % p.heads, s = f / p.heads;
    hoff = head * D;
    // the first query token of sequence s (token = ((n*T + t)*H + h)*W + w)
    q0 = p.axes == 1 ? s / HW * p.T * HW + s % HW : s * Sq;
    k0 = cross ? s * p.L : q0;
    const uint i0 = qblock * BQ;

    for (uint r = lid; r < BQ; r += NT) {
        uint i = i0 + r, g = q0 + i * qstep;
        qrow[r] = i < Sq ? p.qoff + hoff + token_offset(g, qgrid, p.qs) : NONE;
        orow[r] = i < Sq ? p.ooff + hoff + token_offset(g, qgrid, p.os) : NONE;
    }
    key_rows(0);
    barrier();
    if (CHUNKS == 1)
        stage_q(0, scale); // stays for every key tile

    float m[TR], l[TR], alpha[TR];
    vec4 acc[TR * TC4];
    for (uint i = 0; i < TR; i++) {
        m[i] = -1.0 / 0.0;
        l[i] = 0.0;
        for (uint u = 0; u < TC4; u++)
            acc[i * TC4 + u] = vec4(0.0);
    }

    for (uint j0 = 0; j0 < Sk; j0 += BK) {
        barrier(); // the last tile's P.V is done with kvsh and psh
        if (CHUNKS > 1)
            stage_q(0, scale);
        stage_k(0);
        barrier();

        // scores: sc[4i + t] for row rl + NR*i, key cl + NC*t
        float sc[TR * 4];
        for (uint e = 0; e < TR * 4; e++)
            sc[e] = 0.0;
        for (uint ch = 0; ch < CHUNKS; ch++) {
            if (ch > 0) {
                barrier();
                stage_q(ch, scale);
                stage_k(ch);
                barrier();
            }
            for (uint dq = 0; dq < DC4; dq++) {
                vec4 kq[4];
                for (uint t = 0; t < 4; t++)
                    kq[t] = kvsh[(cl + NC * t) * QS + dq];
                for (uint i = 0; i < TR; i++) {
                    vec4 qv = qsh[(rl + NR * i) * QS + dq];
                    for (uint u = 0; u < 4; u++) {
                        float a = sc[i * 4 + u];
                        a = fma(qv.x, kq[u].x, a);
                        a = fma(qv.y, kq[u].y, a);
                        a = fma(qv.z, kq[u].z, a);
                        sc[i * 4 + u] = fma(qv.w, kq[u].w, a);
                    }
                }
            }
        }

        // keys past Sk score -inf; each row's maximum over the tile
        for (uint i = 0; i < TR; i++) {
            float mx = -1.0 / 0.0;
            for (uint t = 0; t < 4; t++) {
                if (j0 + cl + NC * t >= Sk)
                    sc[i * 4 + t] = -1.0 / 0.0;
                mx = max(mx, sc[i * 4 + t]);
            }
            red[(rl + NR * i) * NC + cl] = mx;
        }
        barrier();

        // online softmax: every invocation of a row finds the same m_new and
        // alpha; l is kept per invocation (its own keys) and summed at the end
        for (uint i = 0; i < TR; i++) {
            uint r = rl + NR * i;
            float mt = red[r * NC];
            for (uint c = 1; c < NC; c++)
                mt = max(mt, red[r * NC + c]);
            float mnew = max(m[i], mt);
            // e^(-inf) = 0 before the first tile clears the (zero) sums
            alpha[i] = vexp(m[i] - mnew);
            m[i] = mnew;
            vec4 pv;
            for (uint t = 0; t < 4; t++)
                pv[t] = vexp(sc[i * 4 + t] - mnew);
            psh[r * PS + cl] = pv;
            l[i] = l[i] * alpha[i] + ((pv.x + pv.y) + (pv.z + pv.w));
        }
        stage_v(chunk);
        barrier();
        // the next tile's rows; krow and vrow are not read again in this tile
        if (j0 + BK < Sk)
            key_rows(j0 + BK);

        // acc = alpha acc + P V over the tile's keys
#if !TEMPORAL
        for (uint i = 0; i < TR; i++)
            for (uint u = 0; u < TC4; u++)
                acc[i * TC4 + u] *= alpha[i];
#endif
        for (uint jq = 0; jq < KQ; jq++) {
            vec4 pq[TR];
            for (uint i = 0; i < TR; i++)
                pq[i] = psh[(rl + NR * i) * PS + jq];
            for (uint t = 0; t < 4; t++) {
#if TEMPORAL
                if (jq + NC * t >= TT) // p = 0: a padded key
                    continue;
#endif
                for (uint u = 0; u < TC4; u++) {
                    // lanes past the chunk read a valid row and drop the result
                    vec4 vv = kvsh[(jq + NC * t) * QS + min(cl + NC * u, DC4 - 1)];
                    for (uint i = 0; i < TR; i++)
                        acc[i * TC4 + u] = fma(vec4(pq[i][t]), vv, acc[i * TC4 + u]);
                }
            }
        }
    }

    // l of each row: the sum of its invocations' parts (red was last read
    // before the last tile's final barrier)
    for (uint i = 0; i < TR; i++)
        red[(rl + NR * i) * NC + cl] = l[i];
    barrier();
    for (uint i = 0; i < TR; i++) {
        uint r = rl + NR * i, base = orow[r];
        if (base == NONE)
            continue;
        float lt = 0.0;
        for (uint c = 0; c < NC; c++)
            lt += red[r * NC + c];
        float inv = 1.0 / lt;
        for (uint u = 0; u < TC4; u++) {
            uint cq = cl + NC * u;
            if (cq >= DC4)
                continue;
            uint c = (chunk * DC4 + cq) * 4;
            for (uint t = 0; t < 4; t++)
                if (c + t < D)
                    STORE(ob, base + c + t, acc[i * TC4 + u][t] * inv);
        }
    }
}
