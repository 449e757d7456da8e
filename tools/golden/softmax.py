"""vdk_softmax is defined by

    y = torch.softmax(scale * x, dim=-1)

over the last axis of x (any rank 1 to 5); a zero scale means 1.
"""
import torch

from golden import f32, randn


def cases():
    specs = [
        # name, shape, scale (0 = default 1)
        ("rank1", (7,), 0.0),
        ("rank2", (3, 10), 0.0),
        ("rank3_scaled", (2, 3, 17), 0.125),
        ("rank4_negative_scale", (2, 2, 3, 5), -0.5),
        ("rank5", (1, 2, 3, 2, 9), 0.0),
        ("row_length_1", (4, 1), 0.0),
        ("long_row", (2, 257), 0.0),
        ("large_values", (3, 8), 3.0),
    ]
    out = []
    for i, (name, shape, scale) in enumerate(specs):
        x = randn(3000 + i, *shape, scale=4.0 if name == "large_values" else 1.5)
        s = f32(scale) if scale != 0 else 1.0
        y = torch.softmax(s * x, dim=-1)
        out.append({"name": name, "params": {"scale": f32(scale)}, "tensors": {"x": x, "y": y}})
    return out
