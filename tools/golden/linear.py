"""vdk_linear is defined by

    h = torch.nn.functional.linear(x, w, bias)         # x [..., Cin], w [Cout, Cin]
    y = h                                              # act = NONE
    y = torch.nn.functional.silu(h)                    # act = SILU
    y = torch.nn.functional.gelu(h)                    # act = GELU (exact, erf form)
    a, g = h.chunk(2, dim=-1); y = a * F.gelu(g)       # act = GEGLU (diffusers' GEGLU)
    y = y + residual                                   # when residual is given

x and y need no permutation: the linear layer acts on the last axis in both
layouts. GEGLU takes a from the first Cout/2 outputs and the gate g from the
second, as diffusers' `hidden_states, gate = self.proj(x).chunk(2, dim=-1)`.
"""
import itertools

import torch.nn.functional as F

from golden import randn

ACT_NONE, ACT_SILU, ACT_GELU, ACT_GEGLU = 0, 1, 2, 3


def reference(x, w, bias, residual, act):
    h = F.linear(x, w, bias)
    if act == ACT_SILU:
        y = F.silu(h)
    elif act == ACT_GELU:
        y = F.gelu(h)
    elif act == ACT_GEGLU:
        a, g = h.chunk(2, dim=-1)
        y = a * F.gelu(g)
    else:
        y = h
    if residual is not None:
        y = y + residual
    return y


# Leading shapes of x for ranks 1 to 5, and (Cin, Cout) pairs, none of them a
# multiple of 8; Cout is even so that each pair also serves GEGLU.
LEADING = [(), (7,), (2, 5), (1, 3, 2), (2, 1, 3, 2)]
SIZES = [(13, 10), (5, 6), (19, 14), (3, 22), (11, 2)]


def cases():
    specs = []
    # every activation with and without bias and residual, cycling through ranks 1..5
    for i, (act, has_bias, has_res) in enumerate(
            itertools.product([ACT_NONE, ACT_SILU, ACT_GELU, ACT_GEGLU], [False, True], [False, True])):
        name = "act%d_%s_%s" % (act, "bias" if has_bias else "nobias", "res" if has_res else "nores")
        specs.append((name, LEADING[i % 5], SIZES[(i // 2) % 5], act, has_bias, has_res))
    specs += [
        # name, leading, (Cin, Cout), act, bias, residual
        ("rank1_one_row", (), (9, 7), ACT_GELU, True, True),
        ("rank5_one_row", (1, 1, 1, 1), (17, 12), ACT_GEGLU, True, True),
        ("cin1", (4, 3), (1, 5), ACT_SILU, True, False),
        ("cout1", (3, 2), (6, 1), ACT_NONE, True, True),
        ("geglu_cy1", (5,), (7, 2), ACT_GEGLU, True, False),
        ("geglu_odd_cy", (2, 3), (12, 18), ACT_GEGLU, False, True),
        ("svd_ff_small", (1, 2, 3, 5), (40, 160), ACT_GEGLU, True, False),
        ("wide_range_gelu", (3, 4), (15, 9), ACT_GELU, True, False),
    ]
    out = []
    for i, (name, leading, (cin, cout), act, has_bias, has_res) in enumerate(specs):
        seed = 2000 + 10 * i
        x = randn(seed, *leading, cin)
        # weights scaled so that h is about N(0, 1), reaching both sides of each activation
        wscale = (4.0 if name == "wide_range_gelu" else 1.0) / cin ** 0.5
        w = randn(seed + 1, cout, cin, scale=wscale)
        bias = randn(seed + 2, cout, scale=0.5) if has_bias else None
        cy = cout // 2 if act == ACT_GEGLU else cout
        residual = randn(seed + 3, *leading, cy) if has_res else None
        y = reference(x, w, bias, residual, act)
        out.append({
            "name": name,
            "params": {"act": act},
            "tensors": {"x": x, "w": w, "bias": bias, "residual": residual, "y": y},
        })
    return out
