// The tiled GEMM under vdk_linear and vdk_conv3d: y[m, n] = epilogue(sum_k A[m, k]
// B[k, n]), with A's rows the rows of x (linear) or, for conv3d, the taps of one
// output position gathered from x as they lie (implicit GEMM: no im2col buffer),
// and B[k, n] = w[n, k]: both operands are contiguous along K (the C axis).
//
// One workgroup computes a BM x BN tile of y. Each K-step stages a BK-deep slice
// of A and B in shared memory (f32, whatever the storage dtype); each invocation
// then accumulates a TM x TN block of the tile in registers. Its rows (and
// columns) are pairs, TM/2 of them spread evenly over the tile: neighbouring
// invocations read neighbouring pairs from shared memory (64-bit reads without
// bank conflicts), and for GEGLU the a column and its gate column (BN/2 apart in
// the tile) fall in the same invocation.
// The next slice is read from global memory into registers while the current one
// is multiplied, then stored into the second shared buffer: one barrier a slice.
//
// The includer defines GEMM_CONV (0 for linear, 1 for conv3d) before including.
#ifndef VDK_GEMM_GLSL
#define VDK_GEMM_GLSL

#include "common/dtype.glsl"
#include "common/index.glsl"
#include "common/math.glsl"

layout(local_size_x_id = 0) in; // (BM / TM) * (BN / TN), set by the host
layout(constant_id = 1) const uint BM = 64;
layout(constant_id = 2) const uint BN = 64;
layout(constant_id = 3) const uint BK = 16;
layout(constant_id = 4) const uint TM = 4;
layout(constant_id = 5) const uint TN = 4;
// vdk_activation: 0 none, 1 SiLU, 2 GELU, 3 GEGLU
layout(constant_id = 6) const uint ACT = 0;
#if GEMM_CONV
// Kernel size, stride and padding per axis (t, h, w): layer constants, so that the
// tap loop and the padding checks fold.
layout(constant_id = 7) const uint KT = 1;
layout(constant_id = 8) const uint KH = 1;
layout(constant_id = 9) const uint KW = 1;
layout(constant_id = 10) const uint ST = 1;
layout(constant_id = 11) const uint SH = 1;
layout(constant_id = 12) const uint SW = 1;
layout(constant_id = 13) const uint PT = 0;
layout(constant_id = 14) const uint PH = 0;
layout(constant_id = 15) const uint PW = 0;
#else
const uint KT = 1, KH = 1, KW = 1, ST = 1, SH = 1, SW = 1, PT = 0, PH = 0, PW = 0;
#endif

const bool TAPS = KT * KH * KW > 1u;
const bool GEGLU = ACT == 3u;

const uint NTHREADS = (BM / TM) * (BN / TN);
// Loading: BK consecutive invocations read BK consecutive elements of one row of
// A (or B), so a subgroup reads whole runs along the contiguous C axis. An
// invocation loads rows in pairs (2 q, 2 q + 1), which it stores as one vec2.
const uint LPAIRS = NTHREADS / BK; // row pairs loaded per pass
const uint APASS = BM / LPAIRS;    // rows an invocation loads
const uint BPASS = BN / LPAIRS;
// A row pitch of BM + 32 / BK floats: the pair stores of the 16 invocations of a
// half subgroup (BK values of k, 16 / BK row pairs) then cover the 32 banks
// once, so they do not conflict.
const uint LDA = BM + 32u / BK;
const uint LDB = BN + 32u / BK;

layout(std430, binding = 0) readonly buffer X { elem_t x[]; };
layout(std430, binding = 1) readonly buffer Wt { elem_t w[]; };
layout(std430, binding = 2) readonly buffer Bias { elem_t bias[]; };
// residual may be y itself: each element is read by the invocation that then
// writes it, and neither block is declared restrict.
layout(std430, binding = 3) readonly buffer Res { elem_t res[]; };
layout(std430, binding = 4) buffer Y { elem_t y[]; };

// x [N, T, H, W, Cin], y and residual [N, To, Ho, Wo, Cy] (linear: the leading
// axes of x padded to four, T = To and so on), w [Cout, kt, kh, kw, Cin] (linear:
// [Cout, Cin], its row stride in ws[0]). Strides of the four outer axes; the last
// axis is contiguous. N is the output's column count Cy (GEGLU: Cout / 2).
// flags: bias | residual << 1 (uniform branches in the epilogue: one pipeline
// serves the layers with and without them).
layout(push_constant) uniform P {
    uint xs[4], ys[4], rs[4], ws[4];
    uint T, H, W, To, Ho, Wo;
    uint Cin, M, N;
    uint xoff, woff, boff, roff, yoff;
    uint flags;
} p;

// Element (k, m) of the A slice is As[(k * LDA + m) / 2][m % 2], B's likewise:
// pairs, so that an invocation stores its two loaded rows, and reads its row
// (column) pairs, in 64-bit accesses (LDA and LDB are even).
// Two of each: slice s + 1 is stored while slice s is read, so one barrier per
// slice orders them.
const uint ASLICE = BK * LDA / 2u, BSLICE = BK * LDB / 2u;
shared vec2 As[2u * ASLICE];
shared vec2 Bs[2u * BSLICE];

// Output position m as (n, to, ho, wo).
uvec4 position(uint m)
{
    uint wo = m % p.Wo, q = m / p.Wo;
    uint ho = q % p.Ho;
    q /= p.Ho;
    return uvec4(q / p.To, q % p.To, ho, wo);
}

// The position after q (m + 1), by carries rather than divisions.
uvec4 next_position(uvec4 q)
{
    if (++q.w == p.Wo) {
        q.w = 0;
        if (++q.z == p.Ho) {
            q.z = 0;
            if (++q.y == p.To) {
                q.y = 0;
                q.x++;
            }
        }
    }
    return q;
}

float activate(float v)
{
    if (ACT == 1u)
        return v * vsigmoid(v);
    if (ACT == 2u)
        return vgelu(v);
    return v;
}

// Row i < TM of the tile held by invocation row ty: pair i / 2 sits 2 BM / TM
// rows after the previous one, and ty picks the pair within that span. Columns
// likewise. TM and TN are multiples of 4, so pair j and pair j + TN / 4 lie
// exactly BN / 2 apart.
uint tile_row(uint i, uint ty) { return (i / 2u) * (2u * BM / TM) + 2u * ty + i % 2u; }
uint tile_col(uint j, uint tx) { return (j / 2u) * (2u * BN / TN) + 2u * tx + j % 2u; }

void main()
{
    // Output columns per tile: GEGLU tiles hold BN/2 columns of y, whose a and g
    // rows of w fill the two halves of B.
    const uint CN = GEGLU ? BN / 2u : BN;
    uint tiles_n = (p.N + CN - 1u) / CN;
    uint g = flat_group();
    if (g >= ((p.M + BM - 1u) / BM) * tiles_n) // spare groups of a split grid
        return;
    uint m0 = (g / tiles_n) * BM, n0 = (g % tiles_n) * CN;
    uint t = gl_LocalInvocationID.x;
    uint lk = t % BK, lq = t / BK;

    // Per loaded row of A: the x offset of tap (0, 0, 0) (modulo 2^32: the first
    // tap may sit in the padding) and its input coordinates.
    uint abase[APASS];
    ivec3 acoord[APASS];
    bool arow[APASS];
    uvec4 q;
    for (uint i = 0; i < APASS; i++) {
        uint m = m0 + 2u * (lq + (i / 2u) * LPAIRS) + i % 2u;
        arow[i] = m < p.M;
        // the second row of a pair is the first's successor; rows past M are masked
        q = i % 2u == 0u ? position(min(m, p.M - 1u)) : next_position(q);
        acoord[i] = ivec3(q.y * ST, q.z * SH, q.w * SW) - ivec3(PT, PH, PW);
        abase[i] = p.xoff + q.x * p.xs[0] + uint(acoord[i].x) * p.xs[1] +
                   uint(acoord[i].y) * p.xs[2] + uint(acoord[i].z) * p.xs[3];
    }
    // Per loaded row of B: the w offset of its row, or none past the last column.
    uint bbase[BPASS];
    bool brow[BPASS];
    for (uint i = 0; i < BPASS; i++) {
        uint j = 2u * (lq + (i / 2u) * LPAIRS) + i % 2u, n;
        if (GEGLU) {
            uint c = n0 + (j < BN / 2u ? j : j - BN / 2u);
            brow[i] = c < p.N;
            n = j < BN / 2u ? c : p.N + c;
        } else {
            n = n0 + j;
            brow[i] = n < p.N;
        }
        bbase[i] = p.woff + n * p.ws[0];
    }

    // The K loop runs over taps (a, b, c), and within each over Cin in BK steps.
    uint kchunks = (p.Cin + BK - 1u) / BK;
    uint nsteps = KT * KH * KW * kchunks;
    uint ta = 0, tb = 0, tc = 0, c0 = 0;
    float pa[APASS], pb[BPASS];

    // Reads the slice at (ta, tb, tc, c0) into pa, pb; zeros where past M, N or
    // Cin, or in the padding. An axis without padding never leaves x.
#define LOAD_SLICE()                                                                  \
    {                                                                                 \
        uint ci = c0 + lk;                                                            \
        uint xt = ta * p.xs[1] + tb * p.xs[2] + tc * p.xs[3] + ci;                    \
        uint wt = ta * p.ws[1] + tb * p.ws[2] + tc * p.ws[3] + ci;                    \
        bool kin = ci < p.Cin;                                                        \
        for (uint i = 0; i < APASS; i++) {                                            \
            bool ok = kin && arow[i];                                                 \
            if (PT != 0u)                                                             \
                ok = ok && uint(acoord[i].x + int(ta)) < p.T;                         \
            if (PH != 0u)                                                             \
                ok = ok && uint(acoord[i].y + int(tb)) < p.H;                         \
            if (PW != 0u)                                                             \
                ok = ok && uint(acoord[i].z + int(tc)) < p.W;                         \
            pa[i] = ok ? LOAD(x, abase[i] + xt) : 0.0;                                \
        }                                                                             \
        for (uint i = 0; i < BPASS; i++)                                              \
            pb[i] = kin && brow[i] ? LOAD(w, bbase[i] + wt) : 0.0;                    \
    }

    // Stores pa, pb as the slice in buffer `buf`.
#define STORE_SLICE(buf)                                                              \
    {                                                                                 \
        for (uint i = 0; i < APASS; i += 2u)                                          \
            As[(buf) * ASLICE + lk * (LDA / 2u) + lq + (i / 2u) * LPAIRS] =           \
                vec2(pa[i], pa[i + 1u]);                                              \
        for (uint i = 0; i < BPASS; i += 2u)                                          \
            Bs[(buf) * BSLICE + lk * (LDB / 2u) + lq + (i / 2u) * LPAIRS] =           \
                vec2(pb[i], pb[i + 1u]);                                              \
    }

    LOAD_SLICE();
    STORE_SLICE(0u);
    barrier();
    float acc[TM * TN];
    for (uint i = 0; i < TM * TN; i++)
        acc[i] = 0.0;
    uint tx = t % (BN / TN), ty = t / (BN / TN);
    for (uint s = 0; s < nsteps; s++) {
        uint cur = s % 2u;
        bool more = s + 1u < nsteps;
        if (more) { // the next slice's global reads overlap this slice's FMAs
            c0 += BK;
            if (TAPS && c0 >= p.Cin) {
                c0 = 0;
                if (++tc == KW) {
                    tc = 0;
                    if (++tb == KH) {
                        tb = 0;
                        ta++;
                    }
                }
            }
            LOAD_SLICE();
        }
        for (uint k = 0; k < BK; k++) {
            float av[TM], bv[TN];
            for (uint i = 0; i < TM; i += 2u) {
                vec2 v = As[cur * ASLICE + (k * LDA + tile_row(i, ty)) / 2u];
                av[i] = v.x;
                av[i + 1u] = v.y;
            }
            for (uint j = 0; j < TN; j += 2u) {
                vec2 v = Bs[cur * BSLICE + (k * LDB + tile_col(j, tx)) / 2u];
                bv[j] = v.x;
                bv[j + 1u] = v.y;
            }
            for (uint i = 0; i < TM; i++)
                for (uint j = 0; j < TN; j++)
                    acc[i * TN + j] = fma(av[i], bv[j], acc[i * TN + j]);
        }
        // Buffer 1 - cur was last read in step s - 1, which every invocation has
        // finished: it passed the barrier that ended that step.
        if (more)
            STORE_SLICE(1u - cur);
        barrier();
    }
#undef LOAD_SLICE
#undef STORE_SLICE

    // Epilogue: y = act(acc + bias) + residual, or a * gelu(g) + residual with a
    // and g the two halves of this invocation's columns (each plus its bias).
    const uint OUTC = GEGLU ? TN / 2u : TN;
    bool has_bias = (p.flags & 1u) != 0u, has_res = (p.flags & 2u) != 0u;
    uint cols[TN];
    float bj[TN];
    for (uint j = 0; j < TN; j++) {
        if (GEGLU) {
            uint c = n0 + tile_col(j % (TN / 2u), tx);
            cols[j] = c;
            bj[j] = has_bias && c < p.N ? LOAD(bias, p.boff + (j < TN / 2u ? c : p.N + c)) : 0.0;
        } else {
            uint c = n0 + tile_col(j, tx);
            cols[j] = c;
            bj[j] = has_bias && c < p.N ? LOAD(bias, p.boff + c) : 0.0;
        }
    }
    for (uint i = 0; i < TM; i++) {
        uint m = m0 + tile_row(i, ty);
        q = i % 2u == 0u ? position(min(m, p.M - 1u)) : next_position(q);
        if (m >= p.M)
            continue;
        uint yb = p.yoff + q.x * p.ys[0] + q.y * p.ys[1] + q.z * p.ys[2] + q.w * p.ys[3];
        uint rb = p.roff + q.x * p.rs[0] + q.y * p.rs[1] + q.z * p.rs[2] + q.w * p.rs[3];
        for (uint j = 0; j < OUTC; j++) {
            if (cols[j] >= p.N)
                continue;
            float v = acc[i * TN + j] + bj[j];
            if (GEGLU)
                v *= vgelu(acc[i * TN + TN / 2u + j] + bj[TN / 2u + j]);
            else
                v = activate(v);
            if (has_res)
                v += LOAD(res, rb + cols[j]);
            STORE(y, yb + cols[j], v);
        }
    }
}

#endif
