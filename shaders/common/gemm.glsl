// The tiled GEMM under vdk_linear and vdk_conv3d: y[m, n] = epilogue(sum_k A[m, k]
// B[k, n]), with A's rows the rows of x (linear) or, for conv3d, the taps of one
// output position gathered from x as they lie (implicit GEMM: no im2col buffer),
// and B[k, n] = w[n, k]: both operands are contiguous along K (the C axis).
//
// One workgroup computes a BM x BN tile of y. Each K-step stages a BK-deep slice
// of A and B in shared memory (f32, whatever the storage dtype); each invocation
// then accumulates a TM x TN block of the tile in registers. Its rows (and
// columns) are two runs of TM/2 (TN/2) half a tile apart, which keeps the
// shared-memory reads of a subgroup on few addresses, and for GEGLU puts the a
// column and its gate column (BN/2 apart in the tile) in the same invocation.
// The next slice is read from global memory into registers while the current one
// is multiplied.
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
// A (or B), so a subgroup reads whole runs along the contiguous C axis.
const uint LROWS = NTHREADS / BK; // rows loaded per pass
const uint APASS = BM / LROWS;
const uint BPASS = BN / LROWS;
// A row pitch of BM + 32 / BK floats: the BK invocations of one row store to
// banks 32 / BK apart, those of the next rows in between (no bank conflicts
// with 32 banks).
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

shared float As[BK * LDA]; // As[k * LDA + m]
shared float Bs[BK * LDB]; // Bs[k * LDB + n]

// Output position m as (n, to, ho, wo).
uvec4 position(uint m)
{
    uint wo = m % p.Wo, q = m / p.Wo;
    uint ho = q % p.Ho;
    q /= p.Ho;
    return uvec4(q / p.To, q % p.To, ho, wo);
}

float activate(float v)
{
    if (ACT == 1u)
        return v * vsigmoid(v);
    if (ACT == 2u)
        return vgelu(v);
    return v;
}

// Row r of the tile held by an invocation (i < TM; ty its row group), and column
// likewise: two runs, half a tile apart.
uint tile_row(uint i, uint ty)
{
    return (i / (TM / 2u)) * (BM / 2u) + ty * (TM / 2u) + i % (TM / 2u);
}
uint tile_col(uint j, uint tx)
{
    return (j / (TN / 2u)) * (BN / 2u) + tx * (TN / 2u) + j % (TN / 2u);
}

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
    uint lk = t % BK, lr = t / BK;

    // Per loaded row of A: the x offset of tap (0, 0, 0) (modulo 2^32: the first
    // tap may sit in the padding) and its input coordinates.
    uint abase[APASS];
    ivec3 acoord[APASS];
    bool arow[APASS];
    for (uint i = 0; i < APASS; i++) {
        uint m = m0 + lr + i * LROWS;
        arow[i] = m < p.M;
        uvec4 q = position(min(m, p.M - 1u));
        acoord[i] = ivec3(q.y * ST, q.z * SH, q.w * SW) - ivec3(PT, PH, PW);
        abase[i] = p.xoff + q.x * p.xs[0] + uint(acoord[i].x) * p.xs[1] +
                   uint(acoord[i].y) * p.xs[2] + uint(acoord[i].z) * p.xs[3];
    }
    // Per loaded row of B: the w offset of its row, or none past the last column.
    uint bbase[BPASS];
    bool brow[BPASS];
    for (uint i = 0; i < BPASS; i++) {
        uint j = lr + i * LROWS, n;
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

    LOAD_SLICE();
    float acc[TM * TN];
    for (uint i = 0; i < TM * TN; i++)
        acc[i] = 0.0;
    uint tx = t % (BN / TN), ty = t / (BN / TN);
    for (uint s = 0; s < nsteps; s++) {
        for (uint i = 0; i < APASS; i++)
            As[lk * LDA + lr + i * LROWS] = pa[i];
        for (uint i = 0; i < BPASS; i++)
            Bs[lk * LDB + lr + i * LROWS] = pb[i];
        barrier();
        if (s + 1u < nsteps) { // the next slice's reads overlap this slice's FMAs
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
            for (uint i = 0; i < TM; i++)
                av[i] = As[k * LDA + tile_row(i, ty)];
            for (uint j = 0; j < TN; j++)
                bv[j] = Bs[k * LDB + tile_col(j, tx)];
            for (uint i = 0; i < TM; i++)
                for (uint j = 0; j < TN; j++)
                    acc[i * TN + j] = fma(av[i], bv[j], acc[i * TN + j]);
        }
        barrier(); // every invocation is done with the slice before it is overwritten
    }
#undef LOAD_SLICE

    // Epilogue: y = act(acc + bias) + residual, or a * gelu(g) + residual with a
    // and g the two halves of this invocation's columns (each plus its bias).
    const uint OUTC = GEGLU ? TN / 2u : TN;
    bool has_bias = (p.flags & 1u) != 0u, has_res = (p.flags & 2u) != 0u;
    uint cols[TN];
    float bj[TN];
    for (uint j = 0; j < TN; j++) {
        if (GEGLU) {
            uint c = n0 + tx * (TN / 2u) + j % (TN / 2u);
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
        if (m >= p.M)
            continue;
        uvec4 q = position(m);
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
