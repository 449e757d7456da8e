/* The test hook of kernels/vec_probe.h for this tier: each vocabulary name on
 * whole vectors, then on a partial one, as kernels apply them. */
#include "vdt.h"

#include "../vec_probe.h"

void VDK_K(vec_info)(vdk_vec_info *info)
{
    info->name = VDK_ISA_NAME;
    info->vw = VW;
    info->gemm_mr = VDK_GEMM_MR;
    info->gemm_nr = VDK_GEMM_NR;
}

VDK_INLINE vf apply(int op, vf a, vf b, vf c)
{
    switch (op) {
    case VDK_VEC_ZERO:
        return vf_zero();
    case VDK_VEC_ADD:
        return vf_add(a, b);
    case VDK_VEC_SUB:
        return vf_sub(a, b);
    case VDK_VEC_MUL:
        return vf_mul(a, b);
    case VDK_VEC_DIV:
        return vf_div(a, b);
    case VDK_VEC_MAX:
        return vf_max(a, b);
    case VDK_VEC_MIN:
        return vf_min(a, b);
    case VDK_VEC_FMA:
        return vf_fma(a, b, c);
    case VDK_VEC_FNMA:
        return vf_fnma(a, b, c);
    case VDK_VEC_ABS:
        return vf_abs(a);
    case VDK_VEC_SQRT:
        return vf_sqrt(a);
    case VDK_VEC_ROUND:
        return vf_round(a);
    case VDK_VEC_POW2I:
        return vf_pow2i(a);
    default:
        return vf_select(vf_lt(a, b), c, b);
    }
}

void VDK_K(vec_probe)(int op, const float *a, const float *b, const float *c, float *y,
                      int64_t n)
{
    int64_t i = 0;
    if (op == VDK_VEC_SET1) {
        for (; i + VW <= n; i += VW)
            vf_store(y + i, vf_set1(a[i]));
        return;
    }
    if (op == VDK_VEC_HSUM_EACH) {
        for (; i + VW * VW <= n; i += VW * VW) {
            vf v[VW];
            for (int k = 0; k < VW; k++)
                v[k] = vf_load(a + i + k * VW);
            vf_store(y + i / VW, vf_hsum_each(v));
        }
        return;
    }
    if (op == VDK_VEC_HSUM || op == VDK_VEC_HMAX) {
        for (; i + VW <= n; i += VW)
            y[i / VW] = op == VDK_VEC_HSUM ? vf_hsum(vf_load(a + i)) : vf_hmax(vf_load(a + i));
        return;
    }
    for (; i + VW <= n; i += VW)
        vf_store(y + i, apply(op, vf_load(a + i), vf_load(b + i), vf_load(c + i)));
    if (i < n) {
        const int m = (int)(n - i);
        vf r = apply(op, vdt_load_n(VDK_F32, a, i, m), vdt_load_n(VDK_F32, b, i, m),
                     vdt_load_n(VDK_F32, c, i, m));
        vdt_store_n(VDK_F32, y, i, r, m);
    }
}

VDK_INLINE void convert(vdk_dtype sdt, const void *src, vdk_dtype ddt, void *dst, int64_t n)
{
    int64_t i = 0;
    for (; i + VW <= n; i += VW)
        vdt_store(ddt, dst, i, vdt_load(sdt, src, i));
    if (i < n)
        vdt_store_n(ddt, dst, i, vdt_load_n(sdt, src, i, (int)(n - i)), (int)(n - i));
}

VDK_INLINE void convert_to(vdk_dtype sdt, const void *src, vdk_dtype ddt, void *dst, int64_t n)
{
    VDK_DTYPE_DISPATCH(ddt, convert(sdt, src, DT, dst, n));
}

void VDK_K(vec_convert)(vdk_dtype sdt, const void *src, vdk_dtype ddt, void *dst, int64_t n)
{
    VDK_DTYPE_DISPATCH(sdt, convert_to(DT, src, ddt, dst, n));
}
