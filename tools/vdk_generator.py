"""vdk's seeded generator (pipelines/common/weights.h) in NumPy, bit-exact: the
one copy the golden scripts (tools/golden_svd.py, tools/lumiere_torch.py) give
PyTorch models vdk's own weights with."""
import numpy as np

MASK64 = (1 << 64) - 1


def fnv1a64(name):
    h = 0xCBF29CE484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001B3) & MASK64
    return h


def uniform(name, seed, count):
    """u_i in [-1, 1) as float32, i = 0 .. count-1."""
    key = np.uint64(fnv1a64(name) ^ seed)
    i = np.arange(1, count + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = key + i * np.uint64(0x9E3779B97F4A7C15)
        z ^= z >> np.uint64(30)
        z *= np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(27)
        z *= np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return (z >> np.uint64(40)).astype(np.float32) * np.float32(2.0**-23) - np.float32(1.0)


def value(name, seed, shape, role, fan_in=0):
    """One tensor's values, float32 in torch's layout. role: "fan" (conv or
    linear weight and bias: u / sqrt(fan_in)), "norm_weight" (1 + u/4),
    "norm_bias" (u/4) or "mix" (AlphaBlender's mix_factor: u)."""
    u = uniform(name, seed, int(np.prod(shape)) if len(shape) else 1)
    if role == "fan":
        v = np.float32(0.0) + (np.float32(1.0) / np.sqrt(np.float32(fan_in))) * u
    elif role == "norm_weight":
        v = np.float32(1.0) + np.float32(0.25) * u
    elif role == "norm_bias":
        v = np.float32(0.0) + np.float32(0.25) * u
    elif role == "mix":
        v = u
    else:
        raise ValueError("%s: no generator role '%s'" % (name, role))
    assert v.dtype == np.float32
    return v.reshape(shape)
