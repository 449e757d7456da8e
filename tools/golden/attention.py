"""vdk_attention is defined by

    o_ = torch.nn.functional.scaled_dot_product_attention(q_, k_, v_, scale=scale)   # torch >= 2.1

on [B, heads, L, D] views of vdk's tensors (D = C / heads, scale = 1/sqrt(D) when the
vdk parameter is 0). Debian's torch 1.13 has no scaled_dot_product_attention; there
this module computes exactly what that function computes (no mask, no dropout):

    o_ = torch.softmax(q_ @ k_.transpose(-2, -1) * scale, dim=-1) @ v_

The views, from q, o [N, T, H, W, C] (channel c = head * D + d):
    SPATIAL:        B = N*T   sequences (n, t),  L = H*W tokens  (q.reshape(N*T, H*W, heads, D))
    TEMPORAL:       B = N*H*W sequences (n, h, w), L = T tokens  (q.permute(0, 2, 3, 1, 4) first)
    SPATIOTEMPORAL: B = N     sequences n,       L = T*H*W tokens
each then .permute(0, 2, 1, 3) to [B, heads, L, D]. Self-attention k, v [N, T, H, W, C]
take the same view. Cross-attention k, v [N, L, C] become [N, heads, L, D] and are
repeated for the B / N sequences of each batch item (repeat_interleave on the batch
axis, as diffusers repeats encoder_hidden_states per frame or per pixel). o_ goes back
through the inverse permutation.
"""
import math

import torch
import torch.nn.functional as F

from golden import f32, randn

SPATIAL, TEMPORAL, SPATIOTEMPORAL = 0, 1, 2


# torch 2.0 has the function but not its scale argument, hence the version test.
_SDPA = hasattr(F, "scaled_dot_product_attention") and tuple(
    int(part) for part in torch.__version__.split(".")[:2]) >= (2, 1)


def sdpa(q_, k_, v_, scale):
    if _SDPA:
        return F.scaled_dot_product_attention(q_, k_, v_, scale=scale)
    return torch.softmax(q_ @ k_.transpose(-2, -1) * scale, dim=-1) @ v_


def to_heads(x, axes, heads):
    """[N, T, H, W, C] -> [B, heads, L, D] for the given grouping."""
    N, T, H, W, C = x.shape
    D = C // heads
    if axes == SPATIAL:
        x = x.reshape(N * T, H * W, heads, D)
    elif axes == TEMPORAL:
        x = x.permute(0, 2, 3, 1, 4).reshape(N * H * W, T, heads, D)
    else:
        x = x.reshape(N, T * H * W, heads, D)
    return x.permute(0, 2, 1, 3)


def from_heads(x, axes, shape):
    """[B, heads, L, D] -> [N, T, H, W, C], the inverse of to_heads."""
    N, T, H, W, C = shape
    x = x.permute(0, 2, 1, 3).reshape(x.shape[0], x.shape[2], C)
    if axes == SPATIAL:
        return x.reshape(N, T, H, W, C).contiguous()
    if axes == TEMPORAL:
        return x.reshape(N, H, W, T, C).permute(0, 3, 1, 2, 4).contiguous()
    return x.reshape(N, T, H, W, C).contiguous()


def context_heads(x, axes, heads, qshape):
    """Cross-attention context [N, L, C] -> [B, heads, L, D], one copy per sequence."""
    N, T, H, W, C = qshape
    L = x.shape[1]
    x = x.reshape(N, L, heads, C // heads).permute(0, 2, 1, 3)
    per_item = {SPATIAL: T, TEMPORAL: H * W, SPATIOTEMPORAL: 1}[axes]
    return x.repeat_interleave(per_item, dim=0)


def reference(q, k, v, axes, heads, scale):
    C = q.shape[4]
    s = scale if scale != 0 else 1.0 / math.sqrt(C // heads)
    q_ = to_heads(q, axes, heads)
    if k.dim() == 5:
        k_, v_ = to_heads(k, axes, heads), to_heads(v, axes, heads)
    else:
        k_, v_ = context_heads(k, axes, heads, q.shape), context_heads(v, axes, heads, q.shape)
    return from_heads(sdpa(q_, k_, v_, s), axes, q.shape)


def cases():
    specs = [
        # name, q shape [N,T,H,W,C], L (None = self-attention), axes, heads, scale, input scale
        ("spatial_basic", (2, 3, 4, 5, 8), None, SPATIAL, 2, 0.0, 1.0),
        ("spatial_one_head", (1, 2, 3, 3, 6), None, SPATIAL, 1, 0.0, 1.0),
        ("spatial_prime_hw", (1, 2, 7, 1, 12), None, SPATIAL, 3, 0.0, 1.0),
        ("spatial_t1_nonsquare", (1, 1, 3, 5, 8), None, SPATIAL, 4, 0.0, 1.0),
        ("spatial_99_tokens", (1, 1, 9, 11, 4), None, SPATIAL, 1, 0.0, 1.0),
        ("spatial_scale", (1, 2, 3, 4, 8), None, SPATIAL, 2, 0.3, 1.0),
        ("spatial_peaked", (1, 2, 3, 3, 8), None, SPATIAL, 2, 0.0, 4.0),
        ("spatial_hd40", (1, 2, 2, 3, 80), None, SPATIAL, 2, 0.0, 1.0),
        ("temporal_basic", (2, 5, 2, 3, 8), None, TEMPORAL, 2, 0.0, 1.0),
        ("temporal_t1", (1, 1, 3, 3, 8), None, TEMPORAL, 2, 0.0, 1.0),
        ("temporal_prime_t", (1, 7, 2, 2, 6), None, TEMPORAL, 3, 0.0, 1.0),
        ("temporal_scale", (1, 4, 1, 3, 4), None, TEMPORAL, 1, 1.7, 1.0),
        ("temporal_hd64", (1, 3, 2, 2, 128), None, TEMPORAL, 2, 0.0, 1.0),
        ("st_basic", (2, 3, 2, 3, 8), None, SPATIOTEMPORAL, 2, 0.0, 1.0),
        ("st_t1_prime", (1, 1, 5, 1, 4), None, SPATIOTEMPORAL, 1, 0.0, 1.0),
        ("st_hd64_one_head", (1, 2, 3, 1, 64), None, SPATIOTEMPORAL, 1, 0.0, 1.0),
        ("st_scale_negative", (1, 2, 2, 2, 6), None, SPATIOTEMPORAL, 2, -0.5, 1.0),
        ("cross_l1_spatial", (2, 2, 3, 3, 8), 1, SPATIAL, 2, 0.0, 1.0),
        ("cross_l1_temporal", (1, 3, 2, 2, 8), 1, TEMPORAL, 1, 0.0, 1.0),
        ("cross_l7_spatial", (2, 2, 3, 4, 16), 7, SPATIAL, 4, 0.0, 1.0),
        ("cross_l7_temporal", (1, 4, 2, 3, 8), 7, TEMPORAL, 2, 0.0, 1.0),
        ("cross_l5_st_scale", (2, 2, 2, 2, 12), 5, SPATIOTEMPORAL, 3, 0.25, 1.0),
        ("cross_l7_hd64_t1", (1, 1, 3, 3, 128), 7, SPATIAL, 2, 0.0, 1.0),
        ("cross_l3_hd40", (1, 2, 1, 3, 40), 3, TEMPORAL, 1, 0.0, 1.0),
    ]
    out = []
    for i, (name, shape, L, axes, heads, scale, amp) in enumerate(specs):
        seed = 2000 + 10 * i
        N, C = shape[0], shape[4]
        kv_shape = shape if L is None else (N, L, C)
        q = randn(seed, *shape, scale=amp)
        k = randn(seed + 1, *kv_shape, scale=amp)
        v = randn(seed + 2, *kv_shape)
        scale = f32(scale)
        o = reference(q, k, v, axes, heads, scale)
        out.append({
            "name": name,
            "params": {"axes": axes, "heads": heads, "scale": scale},
            "tensors": {"q": q, "k": k, "v": v, "o": o},
        })
    return out
