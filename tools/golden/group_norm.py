"""vdk_group_norm is defined by

    y = torch.nn.functional.group_norm(x_, groups, weight=gamma, bias=beta, eps=eps)
    y = torch.nn.functional.silu(y)                    # when act = SILU

where x_ is x [N, T, H, W, C] seen as PyTorch wants it:
    VDK_NORM_PER_FRAME: [N*T, C, H, W]   (statistics per frame, as SVD's spatial ResnetBlock2D
                                          sees its (B*T, C, H, W) input)
    VDK_NORM_PER_CLIP:  [N, C, T, H, W]  (statistics over all frames, as SVD's
                                          TemporalResnetBlock sees (B, C, T, H, W))
"""
import torch
import torch.nn.functional as F

from golden import f32, from_torch5, rand, randn, to_torch5

PER_FRAME, PER_CLIP = 0, 1
ACT_NONE, ACT_SILU = 0, 1


def reference(x, groups, eps, scope, act, gamma, beta):
    N, T, H, W, C = x.shape
    xt = to_torch5(x)  # [N, C, T, H, W]
    if scope == PER_FRAME:
        xf = xt.permute(0, 2, 1, 3, 4).reshape(N * T, C, H, W)
        y = F.group_norm(xf, groups, weight=gamma, bias=beta, eps=eps)
        y = y.reshape(N, T, C, H, W).permute(0, 2, 1, 3, 4)
    else:
        y = F.group_norm(xt, groups, weight=gamma, bias=beta, eps=eps)
    if act == ACT_SILU:
        y = F.silu(y)
    return from_torch5(y)


def cases():
    specs = [
        # name, shape [N,T,H,W,C], groups, eps, scope, act, affine
        ("frame_basic", (2, 3, 4, 5, 8), 4, 1e-5, PER_FRAME, ACT_NONE, True),
        ("frame_silu", (1, 2, 3, 3, 12), 3, 1e-6, PER_FRAME, ACT_SILU, True),
        ("clip_basic", (2, 3, 4, 5, 8), 4, 1e-5, PER_CLIP, ACT_NONE, True),
        ("clip_silu", (1, 4, 3, 2, 6), 2, 1e-6, PER_CLIP, ACT_SILU, True),
        ("no_affine", (1, 2, 2, 3, 4), 2, 1e-5, PER_FRAME, ACT_NONE, False),
        ("one_group", (1, 2, 3, 3, 5), 1, 1e-5, PER_CLIP, ACT_SILU, True),
        ("group_per_channel", (2, 1, 2, 2, 6), 6, 1e-5, PER_FRAME, ACT_NONE, True),
        ("t1_prime_hw", (1, 1, 7, 1, 4), 2, 1e-5, PER_CLIP, ACT_SILU, True),
        ("svd_groups32", (1, 2, 2, 2, 64), 32, 1e-6, PER_FRAME, ACT_SILU, True),
        ("offset_mean", (1, 2, 3, 3, 8), 4, 1e-5, PER_CLIP, ACT_NONE, True),
    ]
    out = []
    for i, (name, shape, groups, eps, scope, act, affine) in enumerate(specs):
        seed = 1000 + i
        x = randn(seed, *shape)
        if name == "offset_mean":
            x = x * 3.0 + 7.0  # a large mean tests the two-pass variance
        C = shape[4]
        gamma = randn(seed + 1, C, scale=0.5, shift=1.0) if affine else None
        beta = randn(seed + 2, C, scale=0.5) if affine else None
        eps = f32(eps)
        y = reference(x, groups, eps, scope, act, gamma, beta)
        out.append({
            "name": name,
            "params": {"groups": groups, "eps": eps, "scope": scope, "act": act},
            "tensors": {"x": x, "gamma": gamma, "beta": beta, "y": y},
        })
    return out
