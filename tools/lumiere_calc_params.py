#!/usr/bin/env python3
"""Parameters per kind of tensor of ../shared/pipelines-calc/lumiere_flops.py
(PIPELINES.md §2), for the constants of tests/test_lumiere_params.c.

    python3 tools/lumiere_calc_params.py [path/to/pipelines-calc]

The calculator counts parameters in one running sum (Acc.par). This script
runs its stunet() for the three presets with Acc.par wrapped so that each
count is filed under a kind, chosen from the calculator's source line that
made it (and, for its conv2d helper, the line that called conv2d). The kinds
are those test_lumiere_params.c sums vdk's table into. A line it does not
know stops the script: a changed calculator needs a look, not a guess.

What the calculator leaves out or counts otherwise (vdk's table has them; the
test accounts for each): the time-embedding MLP; norms other than the
resblocks' (LayerNorm, RMSNorm, the output GroupNorm); and each resblock's two
GroupNorms as 4*cin + 4*cout where their weight and bias hold 2*cin + 2*cout.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# (function of the Acc.par call, text in its line) -> kind. For conv2d's own
# par line the function and line of conv2d's caller decide instead.
RULES = [
    (("conv2d", "res", "conv2d(cin, cout, 1"), "res_shortcut"),
    (("conv2d", "res", "conv2d("), "res_conv"),
    (("conv2d", "conv_infl", "conv2d("), "infl_spatial_conv"),
    (("conv2d", "stunet", "conv2d(in_ch"), "conv_in"),
    (("conv2d", "stunet", "s=2"), "downsample"),
    (("conv2d", "stunet", "Rl[l-1]"), "upsample"),
    (("conv2d", "stunet", "out_ch"), "conv_out"),
    (("res", "temb_dim"), "temb_proj"),
    (("res", "4*cin+4*cout"), "res_norm_x2"),
    (("transformer", "txt_dim"), "spatial_attn"),
    (("transformer", "4*c*inner"), "spatial_attn"),
    (("transformer", "ff_mult"), "ffn"),
    (("conv_infl", "3*c*c+c"), "infl_temporal_conv"),
    (("conv_infl", "c*c+c"), "infl_proj"),
    (("attn_infl", "4*c*inner"), "temporal_attn"),
    (("attn_infl", "c*c+c"), "infl_proj"),
    (("stunet", "3*C[l]**2"), "temporal_resample"),
]


def line_of(frame):
    import linecache
    return linecache.getline(frame.f_code.co_filename, frame.f_lineno)


def kind_of(frame):
    fn, text = frame.f_code.co_name, line_of(frame)
    if fn == "conv2d":
        caller = frame.f_back
        key = ("conv2d", caller.f_code.co_name, line_of(caller))
    else:
        key = (fn, text)
    for pattern, kind in RULES:
        if pattern[:-1] == key[:-1] and pattern[-1] in key[-1]:
            return kind
    sys.exit(f"unknown parameter line in {key[0]}: {key[-1].strip()!r}")


def per_kind(calc, **kwargs):
    kinds = {}
    original = calc.Acc.par

    def par(acc, n):
        kind = kind_of(sys._getframe(1))
        kinds[kind] = kinds.get(kind, 0) + n
        original(acc, n)

    calc.Acc.par = par
    try:
        acc, *_ = calc.stunet(**kwargs)
    finally:
        calc.Acc.par = original
    assert sum(kinds.values()) == acc.p
    return acc.p, kinds


# PIPELINES.md §2.2 / calculator arguments of pipelines/lumiere/config.c's presets.
PRESETS = {
    "lumiere-a": dict(),
    "lumiere-b": dict(dim=256, mults=(1, 2, 4, 6, 8), attn_levels=(False, False, True, True, True)),
    "tiny": dict(T0=8, R0=16, dim=8, mults=(1, 2, 3), nres=(1, 2, 1),
                 attn_levels=(False, True, True), heads=2, dh=4, txt_len=5, txt_dim=12,
                 temb_dim=32, t_attn_depth=2, t_heads=2, t_dh=4),
    # §2.4's SSR as the calculator's own __main__ builds it (T0 = the window).
    "lumiere-ssr": dict(T0=15, R0=1024, dim=128, mults=(1, 2, 4, 8), nres=(2, 4, 8, 8),
                        attn_levels=(False,) * 4, xattn_only=(False, False, False, True),
                        in_ch=6, t_attn_coarsest=False, t_resample=False),
    "lumiere-ssr-tiny": dict(T0=4, R0=16, dim=8, mults=(1, 2, 3), nres=(1, 2, 1),
                             attn_levels=(False,) * 3, xattn_only=(False, False, True),
                             heads=2, dh=4, txt_len=5, txt_dim=12, temb_dim=32, in_ch=6,
                             t_attn_coarsest=False, t_resample=False),
}


def main(argv):
    path = argv[0] if argv else os.path.join(HERE, "..", "..", "shared", "pipelines-calc")
    if not os.path.exists(os.path.join(path, "lumiere_flops.py")):
        path = "/work/shared/pipelines-calc"
    sys.path.insert(0, path)
    import lumiere_flops as calc
    for name, kwargs in PRESETS.items():
        total, kinds = per_kind(calc, **kwargs)
        print(f"{name}: total {total}")
        if "t_resample" in kwargs:  # the SSR: its 2-D part too (§2.4's 0.89 B)
            print(f"    2-D part (temporal=False) {per_kind(calc, **kwargs, temporal=False)[0]}")
        for kind in sorted(kinds):
            print(f"    {kind:20s} {kinds[kind]}")


if __name__ == "__main__":
    main(sys.argv[1:])
