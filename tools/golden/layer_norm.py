"""vdk_layer_norm is defined by

    y = torch.nn.functional.layer_norm(x, (C,), weight=gamma, bias=beta, eps=eps)

with C = x.shape[-1]: statistics (mean, biased variance) over the last axis only,
which is the channel axis in vdk's layout, so x needs no permutation.

Case offset_1e4 has rows at 1e4 +- 1. PyTorch's own float64 kernel loses about
log2(1e4) bits on such rows (its result is off by ~1e-11 relative, above the
golden bound), so there the vectors come from the same call on x - OFFSET: the
subtraction is exact in float64 (Sterbenz) and layer_norm is invariant to a
common shift, so this is the same mathematical value, well conditioned. x itself
is written with the offset.
"""
import torch.nn.functional as F

from golden import f32, randn

OFFSET = 1e4

# name, shape, eps, gamma, beta
SPECS = [
    ("rank1", (13,), 1e-5, True, True),
    ("rank2", (6, 10), 1e-5, True, True),
    ("rank3_no_affine", (2, 5, 7), 1e-6, False, False),
    ("rank4_gamma_only", (2, 3, 2, 9), 1e-5, True, False),
    ("rank5_beta_only", (1, 2, 3, 2, 11), 1e-5, False, True),
    ("rank5_video", (1, 3, 2, 5, 24), 1e-6, True, True),
    ("one_row", (1, 1, 1, 1, 37), 1e-5, True, True),
    ("c1", (4, 3, 1), 1e-5, True, True),
    ("c2", (5, 2), 1e-5, True, True),
    ("large_eps", (3, 6), 0.5, True, True),
    ("offset_1e4", (4, 5, 19), 1e-5, True, True),
]


def cases():
    out = []
    for i, (name, shape, eps, has_gamma, has_beta) in enumerate(SPECS):
        seed = 3000 + 10 * i
        x = randn(seed, *shape)
        offset = OFFSET if name == "offset_1e4" else 0.0
        if offset:
            x = x * 0.5 + offset  # rows at 1e4 +- 1: a large common offset
        C = shape[-1]
        gamma = randn(seed + 1, C, scale=0.5, shift=1.0) if has_gamma else None
        beta = randn(seed + 2, C, scale=0.5) if has_beta else None
        eps = f32(eps)
        y = F.layer_norm(x - offset, (C,), weight=gamma, bias=beta, eps=eps)
        out.append({
            "name": name,
            "params": {"eps": eps},
            "tensors": {"x": x, "gamma": gamma, "beta": beta, "y": y},
        })
    return out
