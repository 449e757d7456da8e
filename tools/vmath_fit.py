#!/usr/bin/env python3
"""Fits G of vf_erfc_nonneg (kernels/common/vmath.h): erfcx(1/u) / u on u in
[0, 1] as a degree-11 polynomial in t = u - 1/2, minimising the relative error
(Lawson's iteration on least squares over Chebyshev nodes), then rounds the
coefficients to f32 from the highest down, refitting the rest after each, and
prints them highest first with the f32 Horner error. Needs numpy and mpmath
(Debian: python3-numpy python3-mpmath)."""
import mpmath as mp
import numpy as np

mp.mp.dps = 40
DEG, SHIFT, NODES = 11, 0.5, 1500


def g(u):
    if u == 0:
        return float(1 / mp.sqrt(mp.pi))
    a = 1 / mp.mpf(u)
    return float(mp.erfc(a) * mp.exp(a * a) / mp.mpf(u))


def fit(V, gv, fixed):
    free = [i for i in range(V.shape[1]) if i not in fixed]
    rhs = gv - sum(V[:, i] * v for i, v in fixed.items())
    w = np.ones(len(gv))
    for _ in range(80):
        c, *_ = np.linalg.lstsq(V[:, free] * (w / gv)[:, None], rhs * w / gv, rcond=None)
        full = np.zeros(V.shape[1])
        full[free] = c
        for i, v in fixed.items():
            full[i] = v
        err = V @ full / gv - 1
        w = w * (np.abs(err) ** 0.5 + 1e-30)
        w /= w.max()
    return full


k = np.arange(NODES)
us = 0.5 - 0.5 * np.cos(np.pi * (k + 0.5) / NODES)
gv = np.array([g(u) for u in us])
V = np.vander(us - SHIFT, DEG + 1, increasing=True)
fixed = {}
c = fit(V, gv, fixed)
for i in range(DEG, -1, -1):
    fixed[i] = float(np.float32(c[i]))
    if i > 0:
        c = fit(V, gv, fixed)
ut = np.linspace(0, 1, 20001)
gt = np.array([g(u) for u in ut])
t = (ut - SHIFT).astype(np.float32)
p = np.full_like(t, np.float32(fixed[DEG]))
for i in range(DEG - 1, -1, -1):
    p = (p * t + np.float32(fixed[i])).astype(np.float32)
print("max relative error in f32: %.3g" % np.max(np.abs(p / gt - 1)))
for i in range(DEG, -1, -1):
    print(repr(fixed[i]))
