"""vdk_rms_norm is defined by

    y = torch.nn.functional.rms_norm(x, (C,), weight=gamma, eps=eps)      # PyTorch >= 2.4

with C = x.shape[-1] (the channel axis in vdk's layout; no permutation). PyTorch
1.13, which Debian ships and which writes these vectors, has no rms_norm; there
the vectors come from exactly the formula rms_norm computes:

    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * gamma   # "* gamma" only with gamma

(Lumiere's inflation blocks normalise over channels this way.)
"""
import torch
import torch.nn.functional as F

from golden import f32, randn


def reference(x, gamma, eps):
    C = x.shape[-1]
    if hasattr(F, "rms_norm"):
        return F.rms_norm(x, (C,), weight=gamma, eps=eps)
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return y * gamma if gamma is not None else y


# name, shape, eps, gamma
SPECS = [
    ("rank1", (13,), 1e-6, True),
    ("rank2", (6, 10), 1e-6, True),
    ("rank3_no_gamma", (2, 5, 7), 1e-5, False),
    ("rank4", (2, 3, 2, 9), 1e-6, True),
    ("rank5_video", (1, 3, 2, 5, 24), 1e-6, True),
    ("rank5_no_gamma", (1, 2, 3, 2, 11), 1e-8, False),
    ("one_row", (1, 1, 1, 1, 37), 1e-6, True),
    ("c1", (4, 3, 1), 1e-6, True),
    ("large_eps", (3, 6), 0.5, True),
    ("small_values", (4, 5), 1e-5, True),
    ("offset_mean", (3, 4, 15), 1e-6, True),
]


def cases():
    out = []
    for i, (name, shape, eps, has_gamma) in enumerate(SPECS):
        seed = 4000 + 10 * i
        x = randn(seed, *shape)
        if name == "small_values":
            x = x * 1e-3  # mean square comparable to eps: eps matters
        elif name == "offset_mean":
            x = x + 5.0
        C = shape[-1]
        gamma = randn(seed + 1, C, scale=0.5, shift=1.0) if has_gamma else None
        eps = f32(eps)
        out.append({
            "name": name,
            "params": {"eps": eps},
            "tensors": {"x": x, "gamma": gamma, "y": reference(x, gamma, eps)},
        })
    return out
