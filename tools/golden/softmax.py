"""vdk_softmax is defined by

    y = torch.softmax(scale * x, dim=-1)

on x of any rank 1 to 5 in vdk's own layout (the last axis is the softmax axis, so no
permutation is needed); scale = 1 when the vdk parameter is 0.
"""
import torch

from golden import f32, randn


def reference(x, scale):
    s = scale if scale != 0 else 1.0
    return torch.softmax(s * x, dim=-1)


def cases():
    specs = [
        # name, shape, scale, input scale, input shift
        ("rank1", (7,), 0.0, 1.0, 0.0),
        ("rank1_len1", (1,), 0.0, 1.0, 0.0),
        ("rank2_odd", (5, 13), 0.0, 2.0, 0.0),
        ("rank2_rows_len1", (9, 1), 0.0, 1.0, 0.0),
        ("rank3_scale", (3, 4, 17), 0.125, 3.0, 0.0),
        ("rank4_scale_negative", (2, 3, 2, 9), -1.5, 1.0, 0.0),
        ("rank5_video", (1, 2, 3, 3, 8), 0.0, 1.0, 0.0),
        ("rank5_len1", (2, 1, 2, 3, 1), 2.0, 1.0, 0.0),
        ("scores_len64", (4, 64), 0.0, 4.0, 0.0),
        ("large_values", (3, 11), 0.0, 50.0, 1000.0),
        ("large_scale", (2, 31), 64.0, 1.0, 0.0),
    ]
    out = []
    for i, (name, shape, scale, amp, shift) in enumerate(specs):
        x = randn(3000 + i, *shape, scale=amp, shift=shift)
        scale = f32(scale)
        out.append({
            "name": name,
            "params": {"scale": scale},
            "tensors": {"x": x, "y": reference(x, scale)},
        })
    return out
