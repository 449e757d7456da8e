#!/usr/bin/env python3
"""Writes the golden vectors that pin vdk's reference to PyTorch.

Run with Debian's interpreter, which has python3-torch:

    /usr/bin/python3 tools/gen_golden.py            # every operator
    /usr/bin/python3 tools/gen_golden.py group_norm # one operator

Each operator has a module tools/golden/<op>.py whose docstring names the exact
PyTorch call that defines the operator, and whose cases() yields the cases. Every
case is computed in float64 from seeded inputs, in vdk's layout ([N, T, H, W, C],
channels last; the module permutes to PyTorch's layout and back), and written to
tests/golden/<op>.vgold:

    VDKGOLD 1
    case <name>
    param <key> <value>                      (zero or more)
    tensor <name> <rank> <d0> ... <d(rank-1)>
    <numel little-endian float64 values>     (right after the newline)
    end

The files are committed; tests/test_<op>.c checks the reference against them.
"""
import importlib
import os
import pkgutil
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT_DIR = os.path.join(ROOT, "tests", "golden")
sys.path.insert(0, HERE)

import golden  # noqa: E402  (tools/golden/__init__.py)


def write_file(op, cases):
    path = os.path.join(OUT_DIR, op + ".vgold")
    with open(path, "wb") as f:
        f.write(b"VDKGOLD 1\n")
        n = 0
        for case in cases:
            f.write(("case %s\n" % case["name"]).encode())
            for key, value in case.get("params", {}).items():
                f.write(("param %s %s\n" % (key, golden.format_param(value))).encode())
            for name, t in case["tensors"].items():
                if t is None:
                    continue
                t = t.detach().to(torch.float64).contiguous()
                shape = list(t.shape) if t.dim() > 0 else [1]
                f.write(("tensor %s %d %s\n" % (name, len(shape), " ".join(map(str, shape)))).encode())
                f.write(struct.pack("<%dd" % t.numel(), *t.reshape(-1).tolist()))
            f.write(b"end\n")
            n += 1
    print("%-20s %3d cases  %8d bytes  %s" % (op, n, os.path.getsize(path), os.path.relpath(path, ROOT)))


def main(argv):
    torch.set_default_dtype(torch.float64)
    os.makedirs(OUT_DIR, exist_ok=True)
    ops = argv or sorted(m.name for m in pkgutil.iter_modules(golden.__path__))
    for op in ops:
        module = importlib.import_module("golden." + op)
        write_file(op, module.cases())


if __name__ == "__main__":
    main(sys.argv[1:])
