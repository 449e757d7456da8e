"""vdk_binary is defined by torch's broadcasting arithmetic

    ADD: y = a + b
    SUB: y = a - b
    MUL: y = a * b

with b broadcast onto a NumPy-style (rank(b) <= rank(a), axes aligned from the
last, each size of b 1 or equal to a's); y has a's shape.
"""
import torch

from golden import randn

ADD, SUB, MUL = 0, 1, 2


def reference(a, b, op):
    if op == ADD:
        return a + b
    if op == SUB:
        return a - b
    return a * b


def cases():
    specs = [
        # name, shape of a, shape of b
        ("per_frame_emb", (2, 3, 4, 5, 8), (2, 3, 1, 1, 8)),   # [N,T,1,1,C] onto [N,T,H,W,C]
        ("per_channel", (2, 3, 4, 5, 7), (7,)),                # [C]
        ("scalar", (1, 2, 3, 5, 6), (1,)),                     # [1]
        ("same_shape", (2, 2, 3, 3, 5), (2, 2, 3, 3, 5)),
        ("middle_axis", (2, 3, 4, 5, 6), (3, 1, 1, 6)),        # per-frame, no batch axis
        ("middle_one", (2, 3, 4, 5, 6), (1, 4, 1, 1)),         # per-row, size-1 channel axis
        ("rank3_tokens", (3, 11, 13), (3, 1, 13)),             # [N, L, C] with [N, 1, C]
        ("rank2_bias", (17, 9), (9,)),
        ("rank1", (13,), (13,)),
        ("all_ones_b", (2, 1, 3, 1, 4), (1, 1, 1, 1, 1)),
        ("t1_prime", (1, 1, 7, 1, 5), (1, 7, 1, 1)),
    ]
    names = {ADD: "add", SUB: "sub", MUL: "mul"}
    out = []
    seed = 4000
    for op in (ADD, SUB, MUL):
        for name, sa, sb in specs:
            seed += 2
            a = randn(seed, *sa)
            b = randn(seed + 1, *sb, scale=0.7, shift=0.2)
            out.append({
                "name": "%s_%s" % (names[op], name),
                "params": {"op": op},
                "tensors": {"a": a, "b": b, "y": reference(a, b, op)},
            })
    return out
