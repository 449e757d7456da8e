"""vdk_attention is defined by

    o_ = torch.nn.functional.scaled_dot_product_attention(q_, k_, v_, scale=scale)

(PyTorch >= 2.1) on [B, heads, L, D] views of the vdk tensors, with D = C/heads
and scale = 1/sqrt(D) when p->scale is 0. Debian's torch 1.13 has no
scaled_dot_product_attention, so where it is missing this module computes what
that function is documented to compute, in float64:

    o_ = torch.softmax(q_ @ k_.transpose(-2, -1) * scale, dim=-1) @ v_

The views, from q [N, T, H, W, C] (heads split C into `heads` blocks of D):
    SPATIAL        q_ [N*T, heads, H*W, D]   (one sequence per frame)
    TEMPORAL       q_ [N*H*W, heads, T, D]   (one sequence per pixel)
    SPATIOTEMPORAL q_ [N, heads, T*H*W, D]   (one sequence per batch item)
k_, v_ are the same views of self-attention k, v; for cross-attention k, v are
[N, L, C] and every query sequence of batch item n uses k_[n] = [heads, L, D].
"""
import torch
import torch.nn.functional as F

from golden import f32, randn

SPATIAL, TEMPORAL, SPATIOTEMPORAL = 0, 1, 2


def sdpa(q, k, v, scale):
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, scale=scale)
    return torch.softmax(q @ k.transpose(-2, -1) * scale, dim=-1) @ v


def split(x, axes, heads):
    """[N, T, H, W, C] -> [sequences, heads, L, D]."""
    N, T, H, W, C = x.shape
    D = C // heads
    if axes == SPATIAL:
        x = x.reshape(N * T, H * W, heads, D)
    elif axes == TEMPORAL:
        x = x.reshape(N, T, H * W, heads, D).permute(0, 2, 1, 3, 4).reshape(N * H * W, T, heads, D)
    else:
        x = x.reshape(N, T * H * W, heads, D)
    return x.permute(0, 2, 1, 3)


def merge(o, shape, axes):
    """[sequences, heads, L, D] -> [N, T, H, W, C]."""
    N, T, H, W, C = shape
    o = o.permute(0, 2, 1, 3)  # [sequences, L, heads, D]
    if axes == TEMPORAL:
        o = o.reshape(N, H * W, T, C).permute(0, 2, 1, 3)
    return o.reshape(N, T, H, W, C)


def reference(q, k, v, axes, heads, scale):
    N, T, H, W, C = q.shape
    D = C // heads
    s = scale if scale != 0 else 1.0 / D ** 0.5
    qs = split(q, axes, heads)
    if k.dim() == 5:
        ks, vs = split(k, axes, heads), split(v, axes, heads)
    else:
        L = k.shape[1]
        per_n = qs.shape[0] // N  # query sequences per batch item
        kv = lambda t: t.reshape(N, L, heads, D).permute(0, 2, 1, 3).repeat_interleave(per_n, dim=0)
        ks, vs = kv(k), kv(v)
    return merge(sdpa(qs, ks, vs, s), q.shape, axes)


def cases():
    specs = [
        # name, q shape [N,T,H,W,C], axes, heads, scale, cross L (None = self)
        ("spatial", (2, 2, 3, 4, 16), SPATIAL, 2, 0.0, None),
        ("spatial_one_head", (1, 2, 2, 3, 8), SPATIAL, 1, 0.0, None),
        ("spatial_prime_hw", (1, 1, 7, 1, 12), SPATIAL, 3, 0.0, None),
        ("spatial_head_dim_40", (1, 1, 3, 3, 80), SPATIAL, 2, 0.0, None),
        ("spatial_head_dim_64", (1, 1, 2, 3, 128), SPATIAL, 2, 0.0, None),
        ("spatial_scaled", (1, 2, 2, 2, 8), SPATIAL, 2, 0.3, None),
        ("temporal", (2, 5, 2, 3, 16), TEMPORAL, 2, 0.0, None),
        ("temporal_t1", (1, 1, 2, 2, 8), TEMPORAL, 2, 0.0, None),
        ("temporal_head_dim_80", (1, 3, 1, 2, 80), TEMPORAL, 1, 0.0, None),
        ("temporal_svd_like", (1, 7, 2, 2, 64), TEMPORAL, 1, 0.0, None),
        ("spatiotemporal", (2, 3, 2, 2, 12), SPATIOTEMPORAL, 3, 0.0, None),
        ("spatiotemporal_t1", (1, 1, 3, 2, 8), SPATIOTEMPORAL, 1, 0.0, None),
        ("cross_l1_spatial", (2, 2, 3, 2, 16), SPATIAL, 2, 0.0, 1),
        ("cross_l1_temporal", (2, 3, 2, 2, 16), TEMPORAL, 4, 0.0, 1),
        ("cross_l7", (2, 2, 2, 3, 24), SPATIAL, 3, 0.0, 7),
        ("cross_l5_spatiotemporal", (1, 2, 2, 2, 16), SPATIOTEMPORAL, 2, 0.5, 5),
        ("head_dim_128", (1, 1, 2, 2, 128), SPATIAL, 1, 0.0, None),
    ]
    out = []
    for i, (name, shape, axes, heads, scale, L) in enumerate(specs):
        seed = 4000 + 10 * i
        N, C = shape[0], shape[4]
        q = randn(seed, *shape)
        kshape = shape if L is None else (N, L, C)
        k = randn(seed + 1, *kshape)
        v = randn(seed + 2, *kshape)
        scale = f32(scale)
        o = reference(q, k, v, axes, heads, scale)
        out.append({
            "name": name,
            "params": {"axes": axes, "heads": heads, "scale": scale},
            "tensors": {"q": q, "k": k, "v": v, "o": o},
        })
    return out
