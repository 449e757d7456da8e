"""vdk_upsample is defined by

    y_ = torch.nn.functional.interpolate(x_, scale_factor=(ft, fh, fw), mode='nearest')

with x_ = x [N, T, H, W, C] permuted to [N, C, T, H, W] and y_ permuted back to
[N, T*ft, H*fh, W*fw, C]. For integer factors this is repeat_interleave by ft, fh,
fw on the T, H and W axes; cases() asserts that the two agree for every case, so
a floating-point slip in interpolate's index computation cannot leak into the
golden file. A factor of 0 in the parameters is vdk's default 1.
"""
import torch
import torch.nn.functional as F

from golden import from_torch5, randn, to_torch5


def reference(x, factors):
    f = tuple(float(v if v else 1) for v in factors)
    y = from_torch5(F.interpolate(to_torch5(x), scale_factor=f, mode="nearest"))
    rep = x
    for axis, v in zip((1, 2, 3), factors):
        rep = rep.repeat_interleave(v if v else 1, dim=axis)
    assert torch.equal(y, rep), "interpolate(nearest) differs from repeat_interleave"
    return y


def cases():
    specs = [
        # name, x [N,T,H,W,C], factors (t,h,w)
        ("frame_duplication_211", (1, 3, 2, 3, 4), (2, 1, 1)),
        ("spatial_122", (2, 2, 3, 5, 3), (1, 2, 2)),
        ("space_time_222", (1, 2, 3, 3, 2), (2, 2, 2)),
        ("copy_111", (1, 2, 2, 3, 5), (1, 1, 1)),
        ("odd_factors_312", (1, 2, 3, 2, 3), (3, 1, 2)),
        ("odd_factors_135", (2, 1, 2, 3, 2), (1, 3, 5)),
        ("zero_means_one_020", (1, 2, 3, 4, 1), (0, 2, 0)),
        ("t1_222_prime_c", (1, 1, 1, 2, 7), (2, 2, 2)),
        ("quadruple_time_411", (1, 2, 1, 1, 3), (4, 1, 1)),
        ("spatial_122_odd_hw", (1, 1, 5, 7, 3), (1, 2, 2)),
    ]
    out = []
    for i, (name, xs, factors) in enumerate(specs):
        x = randn(5000 + i, *xs)
        y = reference(x, factors)
        out.append({
            "name": name,
            "params": {"factor_t": factors[0], "factor_h": factors[1], "factor_w": factors[2]},
            "tensors": {"x": x, "y": y},
        })
    return out
