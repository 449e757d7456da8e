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


def uniform(name, seed, count, chunk=1 << 16):
    """u_i in [-1, 1) as float32, i = 0 .. count-1. Computed in chunks that stay
    in cache, in place: 15x faster than whole-array temporaries, which matters
    for the full models' 1.5-2.6 G values (tools/peers/pipeline_peer.py)."""
    key = np.uint64(fnv1a64(name) ^ seed)
    out = np.empty(count, dtype=np.float32)
    z = np.empty(min(chunk, count), dtype=np.uint64)
    t = np.empty_like(z)
    ones = np.arange(1, z.size + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, count, chunk):
            n = min(chunk, count - start)
            zz, tt = z[:n], t[:n]
            np.add(ones[:n], np.uint64(start), out=zz)  # i = start + 1 ...
            np.multiply(zz, np.uint64(0x9E3779B97F4A7C15), out=zz)
            np.add(zz, key, out=zz)
            for shift, mul in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB), (31, 0)):
                np.right_shift(zz, np.uint64(shift), out=tt)
                np.bitwise_xor(zz, tt, out=zz)
                if mul:
                    np.multiply(zz, np.uint64(mul), out=zz)
            np.right_shift(zz, np.uint64(40), out=zz)
            o = out[start:start + n]
            o[:] = zz
            o *= np.float32(2.0**-23)
            o -= np.float32(1.0)
    return out


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
