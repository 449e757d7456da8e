#!/usr/bin/env python3
"""Lumiere's Space-Time U-Net (STUNet) in plain PyTorch: the golden of vdk's
forward pass and its timing peer.

The network is the one pipelines/lumiere/ describes (configurations in
config.c, parameter table in params.c, forward semantics in docs/pipelines.md,
"Lumiere"): this module tree's state_dict has exactly the names, shapes and
order of vdk_lumiere_params()'s table, and every forward() below is a sequence
of operations vdk has (group_norm per frame, conv3d with (1,k,k) / (k,1,1)
kernels and strides, linear, layer_norm, rms_norm, attention with spatial /
temporal / cross grouping, nearest upsample, timestep embedding, concat,
binary add/mul, unary SiLU/GELU/affine). Activations are kept in vdk's layout
[N, T, H, W, C] throughout; convolutions see channels-last views of it.

    /usr/bin/python3 tools/lumiere_torch.py --golden
        writes tests/golden/lumiere_tiny.names (one line per state_dict tensor,
        "name d0 d1 ...") and tests/golden/lumiere_tiny.vgold: the tiny
        preset's forward in float64 on the weights of vdk's seeded generator
        (pipelines/common/weights.h, seed 1) and seeded inputs; and
        tests/golden/lumiere_ssr_tiny.{names,vgold}: the tiny SSR's forward
        and its MultiDiffusion over 8 frames in 3 windows.
    python3 tools/lumiere_torch.py --time [--preset lumiere-a|lumiere-b|tiny|
        lumiere-ssr|lumiere-ssr-tiny] [--batch 2] [--steps 5] [--dtype f16]
        [--compile] [--frames T] [--size HxW]
        times one denoiser call (one sampler step with CFG: batch 2) at the
        preset's default clip (80 x 128 x 128 for A and B) on CUDA when there
        is one, else on the CPU (f32: PyTorch 1.13 has no f16 CPU convs). For
        the SSR presets: one windowed SSR step (MultiDiffusion over the
        windows of 80 x 1024 x 1024, CFG, the DDIM update), vdk-run
        lumiere-ssr's step.
    python3 tools/lumiere_torch.py --time --preset lumiere-a --set small
        [--vdk VDK_RUN.json] [--out FILE]
        the preset's configuration in that set of tools/pipeline_configs.json,
        timed as vdk-run times its sampler step and written as a result set:
        tools/peers/pipeline_peer.py --model lumiere-a (see there).
    python3 tools/lumiere_torch.py --names [--preset P]
        prints the preset's state_dict names and shapes and its total.

Runs under Debian's torch 1.13 (/usr/bin/python3) and torch 2.x; uses
scaled_dot_product_attention where it exists and its formula elsewhere.
"""
import argparse
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import vdk_generator  # tools/, beside this script
from vdk_generator import uniform

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GOLDEN_DIR = os.path.join(ROOT, "tests", "golden")

CONV, ATTN = "conv", "attention"

# The presets of pipelines/lumiere/config.c, field for field (same names).
# tests/test_lumiere_params.c checks the tiny one's table against the names
# file this script writes, and both sides check the totals of A and B.
BASE = dict(
    in_channels=3, out_channels=3, levels=4,
    block_out_channels=(512, 1024, 1536, 2048), num_res_blocks=(3, 3, 3, 3),
    attention=(0, 1, 1, 1),
    spatial_factor=2, temporal_factor=2, spatial_kernel_size=3, temporal_kernel_size=3,
    norm_num_groups=32, attention_heads=8, attention_head_dim=64, ff_mult=2,
    cross_attention_dim=4096, text_length=128,
    temporal_attention_heads=8, temporal_attention_head_dim=64, temporal_attention_depth=1,
    time_sinusoid_dim=512, time_embed_dim=2048, time_flip_sin_to_cos=1,
    time_freq_shift=0.0, time_max_period=10000.0,
    resnet_eps=1e-5, norm_out_eps=1e-5, layer_norm_eps=1e-5, rms_norm_eps=1e-6,
    num_frames=80, height=128, width=128,
    lowres_channels=0, lowres_factor=1, window_frames=0, window_overlap=0, num_windows=0,
)
PRESETS = {
    "lumiere-a": dict(BASE),
    "lumiere-b": dict(BASE, levels=5, block_out_channels=(256, 512, 1024, 1536, 2048),
                      num_res_blocks=(3, 3, 3, 3, 3), attention=(0, 0, 1, 1, 1),
                      time_sinusoid_dim=256),
    "tiny": dict(BASE, levels=3, block_out_channels=(8, 16, 24), num_res_blocks=(1, 2, 1),
                 attention=(0, 1, 1), norm_num_groups=4, attention_heads=2,
                 attention_head_dim=4, cross_attention_dim=12, text_length=5,
                 temporal_attention_heads=2, temporal_attention_head_dim=4,
                 temporal_attention_depth=2, time_sinusoid_dim=8, time_embed_dim=32,
                 num_frames=8, height=12, width=8),
    # PIPELINES.md §2.4's SSR-REF ([IP] SRUnet1024 widths), in windows of 15
    # frames overlapping by 2.
    "lumiere-ssr": dict(BASE, in_channels=6, block_out_channels=(128, 256, 512, 1024),
                        num_res_blocks=(2, 4, 8, 8), attention=(0, 0, 0, 1),
                        cross_attention_only=(0, 0, 0, 1), time_sinusoid_dim=128,
                        height=1024, width=1024, lowres_channels=3, lowres_factor=8,
                        window_frames=15, window_overlap=2),
}
PRESETS["lumiere-ssr-tiny"] = dict(PRESETS["tiny"], in_channels=6, attention=(0, 0, 1),
                                   cross_attention_only=(0, 0, 1), lowres_channels=3,
                                   lowres_factor=2, window_frames=4, window_overlap=2)
SSR_PRESETS = ("lumiere-ssr", "lumiere-ssr-tiny")
# The totals tests/test_lumiere_params.c asserts for vdk's tables.
EXPECTED_PARAMS = {"lumiere-a": 2605706243, "lumiere-b": 2631868419, "tiny": 185587,
                   "lumiere-ssr": 1219298691, "lumiere-ssr-tiny": 195739}


def preset(name):
    c = dict(PRESETS[name])
    L = c["levels"]
    c.setdefault("cross_attention_only", (0,) * L)
    if name in SSR_PRESETS:
        # §2.4: conv inflation after every resblock, no temporal resampling.
        c["temporal_block"] = (CONV,) * L
        c["temporal_resample"] = (0,) * L
        return c
    # [LUM]: temporal attention only at the coarsest level, conv inflation
    # elsewhere, and a temporal resampling after every spatial one.
    c["temporal_block"] = tuple(ATTN if l == L - 1 else CONV for l in range(L))
    c["temporal_resample"] = tuple(int(l < L - 1) for l in range(L))
    return c


# ------------------------------------------------------------------ layout helpers

def conv_frames(conv, x):
    """A 2-D conv on every frame of x [N, T, H, W, C] (vdk_conv3d, kernel (1,k,k))."""
    N, T, H, W, C = x.shape
    y = conv(x.reshape(N * T, H, W, C).permute(0, 3, 1, 2))
    return y.permute(0, 2, 3, 1).reshape(N, T, y.shape[2], y.shape[3], y.shape[1])


def conv_time(conv, x):
    """A (k,1,1) conv along the frames of x [N, T, H, W, C] (vdk_conv3d)."""
    y = conv(x.permute(0, 4, 1, 2, 3))
    return y.permute(0, 2, 3, 4, 1).contiguous()


def group_norm_frames(norm, x, act=False):
    """GroupNorm over (H, W, C/groups) of each frame (vdk_group_norm PER_FRAME)."""
    N, T, H, W, C = x.shape
    y = norm(x.reshape(N * T, H, W, C).permute(0, 3, 1, 2))
    if act:
        y = F.silu(y)
    return y.permute(0, 2, 3, 1).reshape(N, T, H, W, C)


def attend(q, k, v, heads):
    """softmax(q k^T / sqrt(D)) v per head; q [B, Lq, heads*D], k, v [B, Lk, heads*D]
    (vdk_attention: head h uses channels [h*D, (h+1)*D))."""
    B, Lq, I = q.shape
    D = I // heads
    q, k, v = (t.reshape(B, t.shape[1], heads, D).transpose(1, 2) for t in (q, k, v))
    if hasattr(F, "scaled_dot_product_attention"):
        o = F.scaled_dot_product_attention(q, k, v)
    else:
        # The formula, a few sequences at a time so the scores stay under
        # 2^27 elements (LUM-REF-A's level-1 self-attention would need 2^36).
        step = max(1, (1 << 27) // (heads * Lq * k.shape[2]))
        o = torch.cat([torch.softmax((q[b:b + step] @ k[b:b + step].transpose(-1, -2)) /
                                     math.sqrt(D), dim=-1) @ v[b:b + step]
                       for b in range(0, B, step)])
    return o.transpose(1, 2).reshape(B, Lq, I)


def timestep_embedding(t, dim, flip, shift, max_period):
    """vdk_timestep_embedding (diffusers' get_timestep_embedding), scale 1."""
    half = dim // 2
    exponent = -math.log(max_period) * torch.arange(half, dtype=t.dtype, device=t.device)
    a = t[:, None] * torch.exp(exponent / (half - shift))[None, :]
    emb = torch.cat([torch.sin(a), torch.cos(a)], dim=-1)
    if flip:
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
    return emb


# ------------------------------------------------------------------ modules

class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * weight over the channel axis (vdk_rms_norm)."""

    def __init__(self, dim, eps, **kw):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim, **kw))

    def forward(self, x):
        if hasattr(F, "rms_norm"):
            return F.rms_norm(x, (x.shape[-1],), self.weight, self.eps)
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class TimeEmbedding(nn.Module):
    def __init__(self, c, **kw):
        super().__init__()
        self.c = c
        self.linear_1 = nn.Linear(c["time_sinusoid_dim"], c["time_embed_dim"], **kw)
        self.linear_2 = nn.Linear(c["time_embed_dim"], c["time_embed_dim"], **kw)

    def forward(self, t):
        c = self.c
        # The sinusoid in f32 at least: f16 cannot hold t * f for t near 1000.
        wide = torch.float64 if t.dtype == torch.float64 else torch.float32
        e = timestep_embedding(t.to(wide), c["time_sinusoid_dim"], c["time_flip_sin_to_cos"],
                               c["time_freq_shift"], c["time_max_period"])
        e = e.to(self.linear_1.weight.dtype)
        return self.linear_2(F.silu(self.linear_1(e)))


class ResBlock(nn.Module):
    """GN-SiLU-conv, GN, (1 + scale) * h + shift from the time embedding, SiLU,
    conv, plus x (through a 1x1 conv when the width changes)."""

    def __init__(self, c, cin, cout, **kw):
        super().__init__()
        k, g, eps = c["spatial_kernel_size"], c["norm_num_groups"], c["resnet_eps"]
        self.norm1 = nn.GroupNorm(g, cin, eps, **kw)
        self.conv1 = nn.Conv2d(cin, cout, k, padding=k // 2, **kw)
        self.time_emb_proj = nn.Linear(c["time_embed_dim"], 2 * cout, **kw)
        self.norm2 = nn.GroupNorm(g, cout, eps, **kw)
        self.conv2 = nn.Conv2d(cout, cout, k, padding=k // 2, **kw)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1, **kw) if cin != cout else None

    def forward(self, x, temb_act):
        h = conv_frames(self.conv1, group_norm_frames(self.norm1, x, act=True))
        scale, shift = self.time_emb_proj(temb_act).chunk(2, dim=-1)  # [N, C] each
        h = group_norm_frames(self.norm2, h)
        h = h * (1 + scale[:, None, None, None, :]) + shift[:, None, None, None, :]
        h = F.silu(h)
        r = x if self.conv_shortcut is None else conv_frames(self.conv_shortcut, x)
        return conv_frames(self.conv2, h) + r


class Attention(nn.Module):
    def __init__(self, dim, kv_dim, heads, head_dim, **kw):
        super().__init__()
        inner = heads * head_dim
        self.heads = heads
        self.to_q = nn.Linear(dim, inner, bias=False, **kw)
        self.to_k = nn.Linear(kv_dim, inner, bias=False, **kw)
        self.to_v = nn.Linear(kv_dim, inner, bias=False, **kw)
        self.to_out = nn.Linear(inner, dim, bias=False, **kw)

    def spatial(self, x):
        """Self-attention among the H*W pixels of each frame."""
        N, T, H, W, C = x.shape
        q, k, v = (p(x).reshape(N * T, H * W, -1) for p in (self.to_q, self.to_k, self.to_v))
        return self.to_out(attend(q, k, v, self.heads).reshape(N, T, H, W, -1))

    def cross(self, x, context):
        """Every pixel of every frame of clip n attends to the text tokens of n."""
        N, T, H, W, C = x.shape
        q = self.to_q(x).reshape(N, T * H * W, -1)
        o = attend(q, self.to_k(context), self.to_v(context), self.heads)
        return self.to_out(o.reshape(N, T, H, W, -1))

    def temporal(self, x):
        """Self-attention among the T frames of each pixel (no position encoding)."""
        N, T, H, W, C = x.shape
        q, k, v = (p(x).permute(0, 2, 3, 1, 4).reshape(N * H * W, T, -1)
                   for p in (self.to_q, self.to_k, self.to_v))
        o = attend(q, k, v, self.heads).reshape(N, H, W, T, -1).permute(0, 3, 1, 2, 4)
        return self.to_out(o)


class FeedForward(nn.Module):
    def __init__(self, dim, mult, **kw):
        super().__init__()
        self.proj_in = nn.Linear(dim, mult * dim, bias=False, **kw)
        self.proj_out = nn.Linear(mult * dim, dim, bias=False, **kw)

    def forward(self, x):
        return self.proj_out(F.gelu(self.proj_in(x)))


class Transformer(nn.Module):
    """The T2I U-Net's spatial transformer, run on every frame; without
    self-attention (norm1, attn1) when cross_only."""

    def __init__(self, c, dim, cross_only=False, **kw):
        super().__init__()
        eps, h, d = c["layer_norm_eps"], c["attention_heads"], c["attention_head_dim"]
        if not cross_only:
            self.norm1 = nn.LayerNorm(dim, eps, **kw)
            self.attn1 = Attention(dim, dim, h, d, **kw)
        self.cross_only = cross_only
        self.norm2 = nn.LayerNorm(dim, eps, **kw)
        self.attn2 = Attention(dim, c["cross_attention_dim"], h, d, **kw)
        self.norm3 = nn.LayerNorm(dim, eps, **kw)
        self.ff = FeedForward(dim, c["ff_mult"], **kw)

    def forward(self, x, context):
        if not self.cross_only:
            x = x + self.attn1.spatial(self.norm1(x))
        x = x + self.attn2.cross(self.norm2(x), context)
        return x + self.ff(self.norm3(x))


class ConvInflation(nn.Module):
    """(2+1)D conv inflation: x + proj_out(SiLU(RMS(Tconv(SiLU(RMS(Sconv(x)))))))."""

    def __init__(self, c, dim, **kw):
        super().__init__()
        k, kt, eps = c["spatial_kernel_size"], c["temporal_kernel_size"], c["rms_norm_eps"]
        self.spatial_conv = nn.Conv2d(dim, dim, k, padding=k // 2, **kw)
        self.spatial_norm = RMSNorm(dim, eps, **kw)
        self.temporal_conv = nn.Conv3d(dim, dim, (kt, 1, 1), padding=(kt // 2, 0, 0), **kw)
        self.temporal_norm = RMSNorm(dim, eps, **kw)
        self.proj_out = nn.Linear(dim, dim, **kw)

    def forward(self, x):
        h = F.silu(self.spatial_norm(conv_frames(self.spatial_conv, x)))
        h = F.silu(self.temporal_norm(conv_time(self.temporal_conv, h)))
        return x + self.proj_out(h)


class TemporalAttentionLayer(nn.Module):
    def __init__(self, c, dim, **kw):
        super().__init__()
        self.norm = RMSNorm(dim, c["rms_norm_eps"], **kw)
        self.attn = Attention(dim, dim, c["temporal_attention_heads"],
                              c["temporal_attention_head_dim"], **kw)


class AttnInflation(nn.Module):
    """Temporal attention inflation: h = x; per layer h = h + attnT(RMS(h));
    x + proj_out(h)."""

    def __init__(self, c, dim, **kw):
        super().__init__()
        self.layers = nn.ModuleList(TemporalAttentionLayer(c, dim, **kw)
                                    for _ in range(c["temporal_attention_depth"]))
        self.proj_out = nn.Linear(dim, dim, **kw)

    def forward(self, x):
        h = x
        for layer in self.layers:
            h = h + layer.attn.temporal(layer.norm(h))
        return x + self.proj_out(h)


class Layer(nn.Module):
    """Resblock, the spatial transformer when the level has one, the temporal block."""

    def __init__(self, c, cin, cout, attention, temporal, cross_only=False, **kw):
        super().__init__()
        self.resnet = ResBlock(c, cin, cout, **kw)
        self.attention = Transformer(c, cout, cross_only, **kw) if attention else None
        if temporal == ATTN:
            self.attn_inflation = AttnInflation(c, cout, **kw)
        else:
            self.conv_inflation = ConvInflation(c, cout, **kw)
        self.kind = temporal

    def forward(self, x, temb_act, context):
        x = self.resnet(x, temb_act)
        if self.attention is not None:
            x = self.attention(x, context)
        return (self.attn_inflation if self.kind == ATTN else self.conv_inflation)(x)


class Resample(nn.Module):
    """Holds one conv, named "conv" (down: stride f; up: after nearest x f)."""

    def __init__(self, conv):
        super().__init__()
        self.conv = conv


class Block(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)


class STUNet(nn.Module):
    def __init__(self, c, device=None, dtype=None):
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.c = c
        L, ch, k, kt = c["levels"], c["block_out_channels"], c["spatial_kernel_size"], \
            c["temporal_kernel_size"]
        fs, ft = c["spatial_factor"], c["temporal_factor"]
        self.time_embedding = TimeEmbedding(c, **kw)
        self.conv_in = nn.Conv2d(c["in_channels"], ch[0], k, padding=k // 2, **kw)

        skips, cur = [ch[0]], ch[0]
        self.down_blocks = nn.ModuleList()
        for l in range(L):
            layers = []
            for _ in range(c["num_res_blocks"][l]):
                layers.append(Layer(c, cur, ch[l], c["attention"][l], c["temporal_block"][l],
                                    c["cross_attention_only"][l], **kw))
                cur = ch[l]
                skips.append(cur)
            block = Block(layers)
            if l < L - 1:
                block.downsample = Resample(nn.Conv2d(cur, cur, k, stride=fs, padding=k // 2, **kw))
                if c["temporal_resample"][l]:
                    block.temporal_downsample = Resample(nn.Conv3d(
                        cur, cur, (kt, 1, 1), stride=(ft, 1, 1), padding=(kt // 2, 0, 0), **kw))
                skips.append(cur)
            self.down_blocks.append(block)

        top, tb = c["attention"][L - 1], c["temporal_block"][L - 1]
        xo = c["cross_attention_only"][L - 1]
        self.mid_block = Block([Layer(c, cur, cur, top, tb, xo, **kw),
                                Layer(c, cur, cur, 0, tb, **kw)])

        self.up_blocks = nn.ModuleList()
        for i in range(L):
            level = L - 1 - i
            layers = []
            for _ in range(c["num_res_blocks"][level] + 1):
                layers.append(Layer(c, cur + skips.pop(), ch[level], c["attention"][level],
                                    c["temporal_block"][level],
                                    c["cross_attention_only"][level], **kw))
                cur = ch[level]
            block = Block(layers)
            if level > 0:
                block.upsample = Resample(nn.Conv2d(cur, cur, k, padding=k // 2, **kw))
                if c["temporal_resample"][level - 1]:
                    block.temporal_upsample = Resample(nn.Conv3d(
                        cur, cur, (kt, 1, 1), padding=(kt // 2, 0, 0), **kw))
            self.up_blocks.append(block)
        assert not skips
        self.norm_out = nn.GroupNorm(c["norm_num_groups"], ch[0], c["norm_out_eps"], **kw)
        self.conv_out = nn.Conv2d(ch[0], c["out_channels"], k, padding=k // 2, **kw)

    def forward(self, x, timesteps, context):
        """x [N, T, H, W, in_channels], timesteps [N], context [N, text_length,
        cross_attention_dim] -> [N, T, H, W, out_channels]."""
        c = self.c
        fs, ft = c["spatial_factor"], c["temporal_factor"]
        temb_act = F.silu(self.time_embedding(timesteps))  # every resblock's SiLU, once
        h = conv_frames(self.conv_in, x)
        skips = [h]
        for block in self.down_blocks:
            for layer in block.layers:
                h = layer(h, temb_act, context)
                skips.append(h)
            if hasattr(block, "downsample"):
                h = conv_frames(block.downsample.conv, h)
                if hasattr(block, "temporal_downsample"):
                    h = conv_time(block.temporal_downsample.conv, h)
                skips.append(h)
        for layer in self.mid_block.layers:
            h = layer(h, temb_act, context)
        for block in self.up_blocks:
            for layer in block.layers:
                h = layer(torch.cat([h, skips.pop()], dim=-1), temb_act, context)
            if hasattr(block, "upsample"):
                N, T, H, W, C = h.shape
                h = h[:, :, :, None, :, None, :].expand(N, T, H, fs, W, fs, C)
                h = conv_frames(block.upsample.conv, h.reshape(N, T, H * fs, W * fs, C))
                if hasattr(block, "temporal_upsample"):
                    N, T, H, W, C = h.shape
                    h = h[:, :, None].expand(N, T, ft, H, W, C).reshape(N, T * ft, H, W, C)
                    h = conv_time(block.temporal_upsample.conv, h)
        return conv_frames(self.conv_out, group_norm_frames(self.norm_out, h, act=True))


# ------------------------------------------------------------------ SSR and MultiDiffusion

def window_starts(T, W, o, K=0):
    """pipelines/lumiere/windows.h: K windows of W frames, neighbours sharing o
    (K = 0: the fewest that cover T); window i starts at i (W - o), the last at
    T - W."""
    stride = W - o
    if not (1 <= W <= T and 0 <= o < W):
        raise ValueError(f"windows: W {W}, o {o}, T {T}")
    fewest = -(-(T - o) // stride)
    K = K or fewest
    if K * stride + o < T or (K > 1 and (K - 1) * stride + o >= T):
        raise ValueError(f"windows: {K} windows of {W} (overlap {o}) do not tile {T} frames")
    return [i * stride if i < K - 1 else T - W for i in range(K)]


def upsample_lowres(base, f):
    """The base video [N, T, h, w, C] to [N, T, h f, w f, C], nearest
    (lowres_resize NEAREST: vdk_upsample with factors (1, f, f))."""
    return base.repeat_interleave(f, dim=2).repeat_interleave(f, dim=3)


def multidiffusion(model, x, lowres, timesteps, context, starts, window):
    """The SSR's noise prediction for the whole video x [N, T, H, W, 3]: each
    window's pass on [x, lowres] (channels), summed into a full-length buffer
    and divided per frame by the windows covering it (PIPELINES.md §2.4)."""
    N, T, H, W, _ = x.shape
    acc = None
    count = torch.zeros(T, dtype=x.dtype, device=x.device)
    for s in starts:
        xin = torch.cat([x[:, s:s + window], lowres[:, s:s + window]], dim=-1)
        eps = model(xin, timesteps, context)
        if acc is None:
            acc = torch.zeros(N, T, H, W, eps.shape[-1], dtype=eps.dtype, device=eps.device)
        acc[:, s:s + window] += eps
        count[s:s + window] += 1
    return acc / count[None, :, None, None, None]


# ------------------------------------------------------------------ vdk's seeded generator

def roles(model):
    """name -> ("fan", fan_in) for conv / linear weights and biases, ("norm_weight",)
    or ("norm_bias",) for the norms' vectors: the roles of vdk's param table."""
    out = {}
    for mname, m in model.named_modules():
        for pname, p in m.named_parameters(recurse=False):
            name = (mname + "." if mname else "") + pname
            if isinstance(m, (nn.Conv2d, nn.Conv3d, nn.Linear)):
                out[name] = ("fan", int(np.prod(m.weight.shape[1:])))
            elif isinstance(m, (nn.GroupNorm, nn.LayerNorm, RMSNorm)):
                out[name] = ("norm_" + pname,)
            else:
                raise ValueError(f"{name}: no role for a {type(m).__name__}")
    return out


def generate(name, role, shape, seed):
    if role[0] == "fan":
        return vdk_generator.value(name, seed, shape, "fan", role[1])
    return vdk_generator.value(name, seed, shape, role[0])


def channels_last(model):
    """Convolution weights in the channels-last layouts that match the
    channels-last views conv_frames and conv_time hand them (PyTorch then runs
    its NHWC kernels without converting the activations)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.data = m.weight.data.contiguous(memory_format=torch.channels_last)
            elif isinstance(m, nn.Conv3d):
                m.weight.data = m.weight.data.contiguous(memory_format=torch.channels_last_3d)
    return model


def load_seeded(model, seed):
    r = roles(model)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(generate(name, r[name], tuple(p.shape), seed)))


# ------------------------------------------------------------------ golden files

def write_names(model, path):
    with open(path, "w") as f:
        for name, t in model.state_dict().items():
            f.write(" ".join([name] + [str(d) for d in t.shape]) + "\n")


def vgold_tensor(f, name, t):
    t = t.detach().to(torch.float64).contiguous()
    f.write(("tensor %s %d %s\n" % (name, t.dim(), " ".join(map(str, t.shape)))).encode())
    f.write(struct.pack("<%dd" % t.numel(), *t.reshape(-1).tolist()))


# A few tensors whose first values the test regenerates with vdk_weights_generate,
# pinning this file's generator to the C one: one of each role.
WEIGHT_SAMPLES = ("conv_in.weight", "down_blocks.0.layers.0.resnet.norm1.bias",
                  "down_blocks.1.layers.0.attention.norm1.weight",
                  "down_blocks.0.layers.0.conv_inflation.temporal_conv.weight",
                  "down_blocks.0.layers.0.conv_inflation.spatial_norm.weight",
                  "up_blocks.0.layers.0.resnet.time_emb_proj.bias")


def golden(seed=1):
    torch.set_default_dtype(torch.float64)
    c = preset("tiny")
    model = STUNet(c, dtype=torch.float64).eval()
    load_seeded(model, seed)
    names = os.path.join(GOLDEN_DIR, "lumiere_tiny.names")
    write_names(model, names)

    N, T, H, W = 2, c["num_frames"], c["height"], c["width"]
    x = torch.from_numpy(uniform("lumiere.x", seed, N * T * H * W * c["in_channels"]))
    x = x.double().reshape(N, T, H, W, c["in_channels"])
    context = torch.from_numpy(uniform("lumiere.context", seed,
                                       N * c["text_length"] * c["cross_attention_dim"]))
    context = context.double().reshape(N, c["text_length"], c["cross_attention_dim"])
    timesteps = torch.tensor([912.0, 37.5], dtype=torch.float64)
    with torch.no_grad():
        out = model(x, timesteps, context)

    path = os.path.join(GOLDEN_DIR, "lumiere_tiny.vgold")
    state = model.state_dict()
    with open(path, "wb") as f:
        f.write(b"VDKGOLD 1\n")
        f.write(b"case forward\n")
        for key, value in (("preset", "tiny"), ("seed", seed), ("batch", N), ("frames", T),
                           ("height", H), ("width", W)):
            f.write(("param %s %s\n" % (key, value)).encode())
        vgold_tensor(f, "x", x)
        vgold_tensor(f, "timesteps", timesteps)
        vgold_tensor(f, "context", context)
        vgold_tensor(f, "out", out)
        f.write(b"end\n")
        # The first 16 values of a few tensors in PyTorch's layout: case param
        # w<i> names the tensor, tensor w<i> holds the values.
        f.write(b"case weights\n")
        f.write(("param seed %d\n" % seed).encode())
        for i, name in enumerate(WEIGHT_SAMPLES):
            f.write(("param w%d %s\n" % (i, name)).encode())
        for i, name in enumerate(WEIGHT_SAMPLES):
            vgold_tensor(f, "w%d" % i, state[name].reshape(-1)[:16])
        f.write(b"end\n")
    for p in (names, path):
        print("%-40s %8d bytes" % (os.path.relpath(p, ROOT), os.path.getsize(p)))
    print("out: mean %.6f, std %.6f, max |.| %.6f" % (out.mean(), out.std(), out.abs().max()))


def seeded_input(name, seed, *shape):
    return torch.from_numpy(uniform(name, seed, int(np.prod(shape)))).double().reshape(*shape)


def golden_ssr(seed=1):
    """tests/golden/lumiere_ssr_tiny.{names,vgold}: the tiny SSR's forward on
    one 6-channel clip, and MultiDiffusion over 8 frames in its 3 windows."""
    torch.set_default_dtype(torch.float64)
    c = preset("lumiere-ssr-tiny")
    model = STUNet(c, dtype=torch.float64).eval()
    load_seeded(model, seed)
    names = os.path.join(GOLDEN_DIR, "lumiere_ssr_tiny.names")
    write_names(model, names)

    N, T, H, W, f = 2, c["num_frames"], c["height"], c["width"], c["lowres_factor"]
    Wn, o = c["window_frames"], c["window_overlap"]
    lc, xc = c["lowres_channels"], c["in_channels"] - c["lowres_channels"]
    context = seeded_input("lumiere.context", seed, N, c["text_length"], c["cross_attention_dim"])
    timesteps = torch.tensor([912.0, 37.5], dtype=torch.float64)
    x1 = seeded_input("lumiere.ssr.x", seed, N, Wn, H, W, c["in_channels"])
    base = seeded_input("lumiere.ssr.base", seed, N, T, H // f, W // f, lc)
    noisy = seeded_input("lumiere.ssr.noisy", seed, N, T, H, W, xc)
    starts = window_starts(T, Wn, o, c["num_windows"])
    with torch.no_grad():
        out1 = model(x1, timesteps, context)
        out = multidiffusion(model, noisy, upsample_lowres(base, f), timesteps, context, starts,
                             Wn)

    path = os.path.join(GOLDEN_DIR, "lumiere_ssr_tiny.vgold")
    with open(path, "wb") as fh:
        fh.write(b"VDKGOLD 1\n")
        fh.write(b"case forward\n")
        for key, value in (("preset", "lumiere-ssr-tiny"), ("seed", seed), ("batch", N),
                           ("frames", Wn), ("height", H), ("width", W)):
            fh.write(("param %s %s\n" % (key, value)).encode())
        vgold_tensor(fh, "x", x1)
        vgold_tensor(fh, "timesteps", timesteps)
        vgold_tensor(fh, "context", context)
        vgold_tensor(fh, "out", out1)
        fh.write(b"end\n")
        fh.write(b"case multidiffusion\n")
        for key, value in (("preset", "lumiere-ssr-tiny"), ("seed", seed), ("batch", N),
                           ("frames", T), ("height", H), ("width", W), ("window", Wn),
                           ("overlap", o), ("windows", len(starts))):
            fh.write(("param %s %s\n" % (key, value)).encode())
        vgold_tensor(fh, "base", base)
        vgold_tensor(fh, "x", noisy)
        vgold_tensor(fh, "timesteps", timesteps)
        vgold_tensor(fh, "context", context)
        vgold_tensor(fh, "out", out)
        fh.write(b"end\n")
    for p in (names, path):
        print("%-40s %8d bytes" % (os.path.relpath(p, ROOT), os.path.getsize(p)))
    print("windows at", starts, "; forward out rms %.6f, multidiffusion out rms %.6f"
          % (out1.pow(2).mean().sqrt(), out.pow(2).mean().sqrt()))


# ------------------------------------------------------------------ timing

def timing(args):
    c = preset(args.preset)
    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    dtype = {"f16": torch.float16, "bf16": torch.bfloat16, "f32": torch.float32}[args.dtype]
    if not cuda and dtype != torch.float32:
        print("no CUDA device: timing on the CPU in f32")
        dtype = torch.float32
    if cuda:
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    with torch.no_grad():
        model = channels_last(STUNet(c, device=device, dtype=dtype).eval())
    params = sum(p.numel() for p in model.parameters())
    want = EXPECTED_PARAMS.get(args.preset)
    if want is not None and params != want:
        sys.exit(f"{args.preset}: {params} parameters, vdk's table has {want}")
    N = args.batch
    T, H, W = args.frames or c["num_frames"], c["height"], c["width"]
    if args.size:
        H, W = args.size
    ssr = args.preset in SSR_PRESETS
    g = torch.Generator(device=device).manual_seed(0)
    xc = c["in_channels"] - c["lowres_channels"]
    x = torch.randn(N, T, H, W, xc, generator=g, device=device, dtype=dtype)
    context = torch.randn(N, c["text_length"], c["cross_attention_dim"], generator=g,
                          device=device, dtype=dtype)
    timesteps = torch.tensor([500.0] * N, device=device)
    fn = model
    if args.compile:
        if not hasattr(torch, "compile"):
            sys.exit("--compile needs torch 2.x")
        fn = torch.compile(model)
    name = torch.cuda.get_device_name() if cuda else "cpu"
    print(f"{args.preset}: {params:,} parameters; x {tuple(x.shape)} "
          f"{args.dtype if cuda else 'f32'} on {name}, torch {torch.__version__}")

    if ssr:
        # The SSR step as vdk-run lumiere-ssr runs it: MultiDiffusion over the
        # windows on the batch (2 = one video, CFG), the guidance, and DDIM's
        # x = A x + B eps once on the whole video (the values of A, B and the
        # scale do not change the cost).
        f, Wn = c["lowres_factor"], c["window_frames"]
        base = torch.randn(N, T, H // f, W // f, c["lowres_channels"], generator=g,
                           device=device, dtype=dtype)
        lowres = upsample_lowres(base, f)
        starts = window_starts(T, Wn, c["window_overlap"], c["num_windows"])
        print(f"windows of {Wn} frames at {starts}; the step's guidance and DDIM update "
              f"{'on' if N == 2 else 'off (batch != 2)'}")

        def call():
            eps = multidiffusion(fn, x, lowres, timesteps, context, starts, Wn)
            if N != 2:
                return eps
            guided = eps[:1] + 4.0 * (eps[1:] - eps[:1])
            return 1.02 * x[1:] - 0.3 * guided
        what = f"one SSR step: {len(starts)} windows, batch {N}"
    else:
        x = torch.randn(N, T, H, W, c["in_channels"], generator=g, device=device, dtype=dtype)

        def call():
            return fn(x, timesteps, context)
        what = f"one denoiser call, batch {N}"

    def step():
        with torch.no_grad():
            out = call()
        if cuda:
            torch.cuda.synchronize()
        return out

    for _ in range(args.warmup):
        step()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        out = step()
        times.append(time.perf_counter() - t0)
    if not torch.isfinite(out).all():
        print("warning: the output has non-finite values")
    times.sort()
    med = times[len(times) // 2]
    print(f"per step ({what}): median {med * 1e3:.1f} ms, "
          f"min {times[0] * 1e3:.1f} ms, max {times[-1] * 1e3:.1f} ms over {args.steps}")
    if cuda:
        print(f"peak memory {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--golden", action="store_true",
                      help="write tests/golden/lumiere_tiny.* and lumiere_ssr_tiny.*")
    mode.add_argument("--time", action="store_true",
                      help="time one denoiser call (SSR presets: one windowed step)")
    mode.add_argument("--names", action="store_true", help="print names, shapes and the total")
    ap.add_argument("--preset", default="lumiere-a", choices=sorted(PRESETS))
    ap.add_argument("--batch", type=int, default=2, help="clips per call (2: CFG)")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--dtype", default="f16", choices=("f16", "bf16", "f32"))
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (2.x)")
    ap.add_argument("--frames", type=int, default=0, help="the clip's frames (default the preset's)")
    ap.add_argument("--size", type=lambda v: tuple(int(x) for x in v.split("x")), default=None,
                    metavar="HxW", help="the clip's size in pixels (default the preset's)")
    ap.add_argument("--set", help="--time: the preset's configuration in this set of "
                    "tools/pipeline_configs.json (e.g. small), timed as vdk-run's sampler step "
                    "and written as a result set by tools/peers/pipeline_peer.py")
    ap.add_argument("--out", help="with --set: the result set to write")
    ap.add_argument("--vdk", help="with --set: vdk-run's result set for the same configuration")
    args = ap.parse_args(argv)
    if args.time and args.set:
        # The peer of the pipeline configurations: its sampler loop around this
        # file's STUNet, on vdk's seeded weights and inputs.
        sys.path.insert(0, os.path.join(HERE, "peers"))
        import pipeline_peer
        model = {"tiny": "lumiere-tiny"}.get(args.preset, args.preset)
        peer_args = ["--model", model, "--set", args.set]
        for flag, value in (("--out", args.out), ("--vdk", args.vdk)):
            if value:
                peer_args += [flag, value]
        sys.exit(pipeline_peer.main(peer_args))
    if args.out or args.vdk:
        ap.error("--out and --vdk need --time --set")
    if args.golden:
        golden()
        golden_ssr()
    elif args.time:
        timing(args)
    else:
        model = STUNet(preset(args.preset), device="meta")
        total = 0
        for name, t in model.state_dict().items():
            print(name, *t.shape)
            total += t.numel()
        print("total", total)


if __name__ == "__main__":
    main(sys.argv[1:])
