"""vdk_unary is defined by

    SILU:    y = torch.nn.functional.silu(x)
    GELU:    y = torch.nn.functional.gelu(x, approximate='none')   (the exact erf form)
    SIGMOID: y = torch.sigmoid(x)
    AFFINE:  y = alpha * x + beta                                   (alpha, beta as float32)

elementwise on x of any rank 1..5, y the shape of x. Inputs include large |x|
(to +-30 and beyond) so the tails of sigmoid and SiLU are pinned, and exact
zeros.
"""
import torch
import torch.nn.functional as F

from golden import f32, randn, rand

SILU, GELU, SIGMOID, AFFINE = 0, 1, 2, 3


def reference(x, op, alpha, beta):
    if op == SILU:
        return F.silu(x)
    if op == GELU:
        return F.gelu(x, approximate="none")
    if op == SIGMOID:
        return torch.sigmoid(x)
    return alpha * x + beta


def tails(seed, *shape):
    """Mostly N(0, 3^2), with a spread of large values, +-30 and exact zeros."""
    x = randn(seed, *shape, scale=3.0).reshape(-1)
    special = torch.tensor([-30.0, 30.0, 0.0, -12.5, 12.5, -45.0, 45.0, -0.0, 7.0, -7.0])
    k = min(len(special), x.numel())
    x[:k] = special[:k]
    return x.reshape(*shape)


def cases():
    shapes = [
        ("r1_7", (7,)),
        ("r2_3x5", (3, 5)),
        ("r3_2x3x13", (2, 3, 13)),
        ("r5_2x3x4x5x6", (2, 3, 4, 5, 6)),
        ("r5_t1_prime", (1, 1, 7, 1, 11)),
    ]
    names = {SILU: "silu", GELU: "gelu", SIGMOID: "sigmoid", AFFINE: "affine"}
    affine_params = [(1.5, -0.25), (0.0, 2.0), (-1.0, 0.0)]
    out = []
    seed = 3000
    for op in (SILU, GELU, SIGMOID, AFFINE):
        for j, (sname, shape) in enumerate(shapes):
            seed += 1
            x = tails(seed, *shape)
            alpha, beta = 0.0, 0.0
            if op == AFFINE:
                alpha, beta = affine_params[j % len(affine_params)]
                alpha, beta = f32(alpha), f32(beta)
            out.append({
                "name": "%s_%s" % (names[op], sname),
                "params": {"op": op, "alpha": alpha, "beta": beta},
                "tensors": {"x": x, "y": reference(x, op, alpha, beta)},
            })
    # A dense sweep of the interval where the functions bend, and the far tails.
    sweep = torch.linspace(-40.0, 40.0, 321)
    for op in (SILU, GELU, SIGMOID):
        out.append({
            "name": "%s_sweep" % names[op],
            "params": {"op": op, "alpha": 0.0, "beta": 0.0},
            "tensors": {"x": sweep, "y": reference(sweep, op, 0.0, 0.0)},
        })
    # AFFINE as 1 + scale (scale-shift conditioning), non-representable alpha.
    x = rand(3999, 2, 5, 3, lo=-4.0, hi=4.0)
    alpha, beta = f32(1.1), f32(0.3)
    out.append({
        "name": "affine_inexact",
        "params": {"op": AFFINE, "alpha": alpha, "beta": beta},
        "tensors": {"x": x, "y": reference(x, AFFINE, alpha, beta)},
    })
    return out
