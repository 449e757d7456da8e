"""vdk_timestep_embedding is diffusers' get_timestep_embedding
(diffusers/models/embeddings.py), transcribed here in float64:

    half = dim // 2
    exponent = -math.log(max_period) * torch.arange(0, half) / (half - downscale_freq_shift)
    emb = timesteps[:, None] * torch.exp(exponent)[None, :]
    emb = scale * emb
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
    if flip_sin_to_cos:
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
    if dim % 2 == 1:
        emb = torch.nn.functional.pad(emb, (0, 1, 0, 0))

With interleave, the layout of AnimateDiff's PositionalEncoding
(animatediff/models/motion_module.py):

    div_term = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)

generalised to the same frequencies and scale as above: y[:, 2i] = sin(a_i),
y[:, 2i+1] = cos(a_i), each pair swapped by flip_sin_to_cos, and the last
column 0 when dim is odd. (For even dim, shift 0, scale 1 and max_period 10000
the frequencies are AnimateDiff's div_term; cases() asserts that.)

SVD uses dim 320 and 256, flip_sin_to_cos=1, shift 0, and dim = C with frame
indices t = 0..T-1 for its temporal positional embedding.
"""
import math

import torch

from golden import f32, rand

DEFAULT_MAX_PERIOD = 10000.0


def arguments(t, dim, shift, scale, max_period):
    half = dim // 2
    exponent = -math.log(max_period) * torch.arange(0, half, dtype=torch.float64)
    exponent = exponent / (half - shift)
    emb = torch.exp(exponent)
    emb = t[:, None] * emb[None, :]
    return scale * emb


def get_timestep_embedding(t, dim, flip, shift, scale, max_period):
    half = dim // 2
    emb = arguments(t, dim, shift, scale, max_period)
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
    if flip:
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
    if dim % 2 == 1:
        emb = torch.nn.functional.pad(emb, (0, 1, 0, 0))
    return emb


def interleaved(t, dim, flip, shift, scale, max_period):
    half = dim // 2
    emb = arguments(t, dim, shift, scale, max_period)
    pe = torch.zeros(t.shape[0], dim, dtype=torch.float64)
    first, second = (torch.cos, torch.sin) if flip else (torch.sin, torch.cos)
    pe[:, 0:2 * half:2] = first(emb)
    pe[:, 1:2 * half:2] = second(emb)
    return pe


def animatediff_check(t, d):
    """AnimateDiff's own formula, to confirm the interleaved layout above."""
    div_term = torch.exp(torch.arange(0, d, 2, dtype=torch.float64) * (-math.log(10000.0) / d))
    pe = torch.zeros(t.shape[0], d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(t[:, None] * div_term)
    pe[:, 1::2] = torch.cos(t[:, None] * div_term)
    ours = interleaved(t, d, 0, 0.0, 1.0, DEFAULT_MAX_PERIOD)
    assert torch.allclose(pe, ours, rtol=0, atol=1e-12), "interleave differs from AnimateDiff"


def cases():
    steps = torch.tensor([0.0, 1.0, 17.0, 250.5, 999.0, 1000.0])
    frames = lambda T: torch.arange(0, T, dtype=torch.float64)
    specs = [
        # name, t, dim, flip, interleave, shift, scale (0 = 1), max_period (0 = 10000)
        ("svd_time_320", torch.tensor([0.0, 999.0, 537.25]), 320, 1, 0, 0.0, 0.0, 0.0),
        ("svd_time_32", steps, 32, 1, 0, 0.0, 0.0, 0.0),
        ("svd_added_256", torch.tensor([6.0, 127.0, 0.02]), 256, 1, 0, 0.0, 0.0, 0.0),
        ("small_even_26", torch.tensor([6.0, 127.0, 0.02]), 26, 1, 0, 0.0, 0.0, 0.0),
        ("svd_frames_14", frames(14), 40, 1, 0, 0.0, 0.0, 0.0),
        ("svd_frames_t1", frames(1), 16, 1, 0, 0.0, 0.0, 0.0),
        ("no_flip", steps, 24, 0, 0, 0.0, 0.0, 0.0),
        ("shift1_ddpm", steps, 32, 0, 0, 1.0, 0.0, 0.0),
        ("shift1_flip", steps, 18, 1, 0, 1.0, 0.0, 0.0),
        ("shift_fraction", steps, 20, 1, 0, 0.37, 0.0, 0.0),
        ("odd_dim", steps, 33, 1, 0, 0.0, 0.0, 0.0),
        ("odd_dim_noflip", steps, 7, 0, 0, 1.0, 0.0, 0.0),
        ("dim2", steps, 2, 0, 0, 0.0, 0.0, 0.0),
        ("dim3", steps, 3, 1, 0, 0.0, 0.0, 0.0),
        ("scale_1000", rand(6001, 5, lo=0.0, hi=1.0), 32, 1, 0, 0.0, 1000.0, 0.0),
        ("scale_neg", steps, 16, 0, 0, 0.0, -0.75, 0.0),
        ("max_period_100", steps, 24, 1, 0, 0.0, 0.0, 100.0),
        ("interleave", frames(16), 32, 0, 1, 0.0, 0.0, 0.0),
        ("interleave_flip", frames(9), 24, 1, 1, 0.0, 0.0, 0.0),
        ("interleave_odd", steps, 15, 0, 1, 1.0, 2.0, 0.0),
        ("interleave_steps", steps, 20, 1, 1, 0.0, 0.0, 500.0),
        ("negative_t", torch.tensor([-3.0, -1000.0, 0.5]), 12, 1, 0, 0.0, 0.0, 0.0),
    ]
    animatediff_check(frames(24), 32)
    animatediff_check(steps, 20)
    out = []
    for name, t, dim, flip, inter, shift, scale, max_period in specs:
        shift, scale, max_period = f32(shift), f32(scale), f32(max_period)
        eff_scale = scale if scale != 0.0 else 1.0
        eff_period = max_period if max_period != 0.0 else DEFAULT_MAX_PERIOD
        make = interleaved if inter else get_timestep_embedding
        y = make(t, dim, flip, shift, eff_scale, eff_period)
        out.append({
            "name": name,
            "params": {"dim": dim, "flip_sin_to_cos": flip, "interleave": inter,
                       "downscale_freq_shift": shift, "scale": scale, "max_period": max_period},
            "tensors": {"t": t, "y": y},
        })
    return out
