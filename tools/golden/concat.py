"""vdk_concat is defined by

    y = torch.cat([a, b], dim=axis)

on vdk's own layout (no permutation: concatenation does not care about the
meaning of the axes). Every axis of rank 1 to 5 tensors is covered, once as a
non-negative axis and once counted from the end.
"""
import torch

from golden import randn

# sizes of the axes not joined: distinct, so a mix-up of axes changes the shape,
# and one of them 1; a and b differ in size on the axis joined
BASE = (3, 2, 4, 1, 5)


def cases():
    out = []
    seed = 7000
    for rank in range(1, 6):
        for axis in range(rank):
            for spelled in (axis, axis - rank):
                shape_a = list(BASE[:rank])
                shape_b = list(shape_a)
                shape_a[axis] = 2 + axis
                shape_b[axis] = 1 + (axis + rank) % 3
                a = randn(seed, *shape_a)
                b = randn(seed + 1, *shape_b)
                seed += 2
                y = torch.cat([a, b], dim=spelled)
                out.append({
                    "name": "rank%d_axis%d" % (rank, spelled),
                    "params": {"axis": spelled},
                    "tensors": {"a": a, "b": b, "y": y},
                })
    return out
