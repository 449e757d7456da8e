"""Shared helpers for the golden-vector modules (one module per operator)."""
import struct

import torch


def f32(x):
    """Rounds a float parameter to float32, as the C API stores it (float fields)."""
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def format_param(value):
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def rand(seed, *shape, lo=-1.0, hi=1.0):
    """Seeded float64 uniform tensor in [lo, hi)."""
    g = torch.Generator().manual_seed(seed)
    return lo + (hi - lo) * torch.rand(*shape, generator=g, dtype=torch.float64)


def randn(seed, *shape, scale=1.0, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    return shift + scale * torch.randn(*shape, generator=g, dtype=torch.float64)


def to_torch5(x):
    """vdk [N, T, H, W, C] -> PyTorch [N, C, T, H, W]."""
    return x.permute(0, 4, 1, 2, 3).contiguous()


def from_torch5(x):
    """PyTorch [N, C, T, H, W] -> vdk [N, T, H, W, C]."""
    return x.permute(0, 2, 3, 4, 1).contiguous()
