"""vdk_conv3d is defined by

    y_ = torch.nn.functional.conv3d(x_, w_, bias, stride=stride, padding=padding)
    y_ = torch.nn.functional.silu(y_)      # when act = SILU
    y_ = torch.nn.functional.gelu(y_)      # when act = GELU (the exact erf form)
    y_ = y_ + residual_                    # when residual is given

on PyTorch's layouts: x_ = x [N, T, H, W, Cin] permuted to [N, Cin, T, H, W],
w_ = w [Cout, kt, kh, kw, Cin] permuted to [Cout, Cin, kt, kh, kw], residual_ and
y_ [N, Cout, To, Ho, Wo], permuted back to vdk's [N, To, Ho, Wo, Cout]. A stride
of 0 in the parameters is vdk's default 1.
"""
import torch.nn.functional as F

from golden import from_torch5, randn, to_torch5

ACT_NONE, ACT_SILU, ACT_GELU = 0, 1, 2


def reference(x, w, bias, residual, stride, padding, act):
    stride = tuple(s if s else 1 for s in stride)
    w_ = w.permute(0, 4, 1, 2, 3).contiguous()
    y = F.conv3d(to_torch5(x), w_, bias, stride=stride, padding=tuple(padding))
    if act == ACT_SILU:
        y = F.silu(y)
    elif act == ACT_GELU:
        y = F.gelu(y)
    y = from_torch5(y)
    if residual is not None:
        y = y + residual
    return y


def out_size(size, k, s, p):
    return (size + 2 * p - k) // (s if s else 1) + 1


def cases():
    specs = [
        # name, x [N,T,H,W,Cin], Cout, kernel (kt,kh,kw), stride, padding, act, bias, residual
        ("temporal_311", (2, 5, 3, 4, 6), 6, (3, 1, 1), (1, 1, 1), (1, 0, 0), ACT_NONE, True, False),
        ("temporal_311_silu_res", (1, 4, 2, 3, 5), 5, (3, 1, 1), (1, 1, 1), (1, 0, 0), ACT_SILU, True, True),
        ("temporal_t1_gelu", (1, 1, 3, 3, 4), 3, (3, 1, 1), (1, 1, 1), (1, 0, 0), ACT_GELU, True, True),
        ("spatial_133", (2, 2, 5, 7, 4), 6, (1, 3, 3), (1, 1, 1), (0, 1, 1), ACT_NONE, True, False),
        ("spatial_133_gelu_res", (1, 3, 6, 5, 3), 5, (1, 3, 3), (1, 1, 1), (0, 1, 1), ACT_GELU, True, True),
        ("spatial_133_t1_silu", (2, 1, 7, 3, 5), 2, (1, 3, 3), (1, 1, 1), (0, 1, 1), ACT_SILU, False, False),
        ("pointwise_111", (1, 2, 3, 5, 7), 4, (1, 1, 1), (1, 1, 1), (0, 0, 0), ACT_NONE, True, False),
        ("pointwise_111_silu_res_nobias", (2, 3, 1, 2, 3), 5, (1, 1, 1), (1, 1, 1), (0, 0, 0), ACT_SILU, False, True),
        ("full_333", (1, 4, 5, 6, 3), 4, (3, 3, 3), (1, 1, 1), (1, 1, 1), ACT_SILU, True, False),
        ("full_333_nopad", (1, 5, 5, 4, 2), 3, (3, 3, 3), (1, 1, 1), (0, 0, 0), ACT_NONE, False, False),
        ("full_333_prime_channels", (2, 3, 3, 5, 13), 11, (3, 3, 3), (1, 1, 1), (1, 1, 1), ACT_GELU, True, True),
        ("down_spatial_s2_odd", (2, 1, 7, 5, 4), 4, (1, 3, 3), (1, 2, 2), (0, 1, 1), ACT_NONE, True, False),
        ("down_spatial_s2_even_res", (1, 2, 8, 6, 3), 5, (1, 3, 3), (1, 2, 2), (0, 1, 1), ACT_NONE, True, True),
        ("down_temporal_s2_odd", (1, 5, 3, 2, 4), 4, (3, 1, 1), (2, 1, 1), (1, 0, 0), ACT_NONE, True, False),
        ("down_temporal_s2_even_silu", (2, 4, 2, 3, 3), 3, (3, 1, 1), (2, 1, 1), (1, 0, 0), ACT_SILU, False, True),
        ("down_full_s2", (1, 5, 5, 7, 3), 2, (3, 3, 3), (2, 2, 2), (1, 1, 1), ACT_GELU, True, False),
        ("nonsquare_231_fullpad", (1, 4, 5, 6, 3), 2, (2, 3, 1), (1, 1, 1), (1, 2, 0), ACT_GELU, True, True),
        ("nonsquare_124_strided", (1, 3, 4, 9, 2), 3, (1, 2, 4), (1, 3, 2), (0, 1, 3), ACT_NONE, True, False),
        ("nonsquare_312_silu", (1, 6, 3, 5, 5), 3, (3, 1, 2), (1, 1, 1), (2, 0, 1), ACT_SILU, False, False),
        ("stride_zero_is_one", (1, 2, 4, 5, 3), 3, (1, 3, 3), (0, 0, 0), (0, 1, 1), ACT_NONE, True, False),
        ("stride_beyond_kernel", (1, 3, 7, 8, 2), 3, (1, 1, 1), (2, 3, 3), (0, 0, 0), ACT_NONE, True, False),
        ("kernel_covers_input", (1, 2, 3, 3, 3), 5, (2, 3, 3), (1, 1, 1), (0, 0, 0), ACT_SILU, True, True),
        ("plain_no_bias_no_res", (1, 3, 4, 4, 4), 4, (3, 3, 3), (1, 1, 1), (1, 1, 1), ACT_NONE, False, False),
    ]
    out = []
    for i, (name, xs, cout, k, stride, pad, act, has_bias, has_res) in enumerate(specs):
        seed = 3000 + 10 * i
        N, T, H, W, Cin = xs
        x = randn(seed, *xs)
        # weights scaled so the pre-activation is O(1), where SiLU and GELU bend
        fan_in = Cin * k[0] * k[1] * k[2]
        w = randn(seed + 1, cout, *k, Cin, scale=fan_in ** -0.5)
        bias = randn(seed + 2, cout, scale=0.5) if has_bias else None
        oshape = (N, out_size(T, k[0], stride[0], pad[0]), out_size(H, k[1], stride[1], pad[1]),
                  out_size(W, k[2], stride[2], pad[2]), cout)
        residual = randn(seed + 3, *oshape) if has_res else None
        y = reference(x, w, bias, residual, stride, pad, act)
        assert tuple(y.shape) == oshape, (name, tuple(y.shape), oshape)
        out.append({
            "name": name,
            "params": {
                "stride_t": stride[0], "stride_h": stride[1], "stride_w": stride[2],
                "pad_t": pad[0], "pad_h": pad[1], "pad_w": pad[2], "act": act,
            },
            "tensors": {"x": x, "w": w, "bias": bias, "residual": residual, "y": y},
        })
    return out
