#!/usr/bin/env python3
"""torch_peer.py: times PyTorch on the cases of a vdk-bench export and writes a
result set (docs/results.md, "producer": "torch"). tools/peers/README.md says
which PyTorch call stands for each operator and what is timed.

    torch_peer.py --cases cases.json [--device cpu|cuda] [--threads N]
                  [--dtype f32,f16,bf16] [--repetitions 10] [--min-time 0.25]
                  [--peak vdk-peak.json] [--out results.json] [--filter REGEX]

`--cases -` reads the export from stdin. Runs under Debian's torch 1.13
(/usr/bin/python3) and under torch 2.x: newer functions are used where they
exist (scaled_dot_product_attention, rms_norm) and their documented formula
otherwise. A case PyTorch cannot run (f16 on the CPU in 1.13, too big for
memory) becomes a row with "skipped": true and the reason; the runner never
stops on one case. Exit status: 0 when it ran (skipped rows included), 2 for a
bad option or an unreadable export.
"""
import argparse
import datetime
import gc
import json
import math
import os
import re
import shlex
import socket
import statistics
import subprocess
import sys
import time

CASES_FORMAT = "vdk-cases/1"
RESULTS_FORMAT = "vdk-results/1"
DTYPES = ("f32", "f16", "bf16")
OPS = ("group_norm", "conv3d", "attention", "linear", "layer_norm", "rms_norm", "softmax",
       "unary", "binary", "blend", "upsample", "timestep_embedding", "concat")
CASE_FIELDS = ("name", "op", "params", "inputs", "output", "flops", "min_bytes", "bound")
MAX_REPETITIONS = 100000
# Share of the free memory a case may plan to use; the rest is left for
# PyTorch's own workspaces and the allocator's slack.
MEMORY_SHARE = 0.8


class UsageError(Exception):
    pass


class Skip(Exception):
    """A case this peer cannot run, with the reason a reader is shown."""


# ---------------------------------------------------------------- the export

def read_cases(path):
    try:
        if path == "-":
            doc = json.load(sys.stdin)
        else:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
    except OSError as e:
        raise UsageError(f"{path}: cannot read it: {e.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UsageError(f"{path}: not JSON: {e}") from None
    where = "stdin" if path == "-" else path
    if not isinstance(doc, dict) or doc.get("format") != CASES_FORMAT:
        got = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise UsageError(f"{where}: not a case export: format is {got!r}, expected "
                         f"{CASES_FORMAT!r} (vdk-bench --export-cases, docs/results.md)")
    cases = doc.get("cases")
    if not isinstance(cases, list):
        raise UsageError(f"{where}: 'cases' is not a list")
    for i, c in enumerate(cases):
        missing = [k for k in CASE_FIELDS if not isinstance(c, dict) or k not in c]
        if missing:
            raise UsageError(f"{where}: case {i} lacks {', '.join(missing)}")
        if c["op"] not in OPS:
            raise UsageError(f"{where}: case {c['name']!r}: unknown operator {c['op']!r}")
    return doc


# ---------------------------------------------------------------- the machine

def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def physical_cores():
    """Cores (not SMT siblings) this process may run on."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
    cores = set()
    for c in cpus:
        base = f"/sys/devices/system/cpu/cpu{c}/topology"
        try:
            cores.add((read_text(f"{base}/physical_package_id"), read_text(f"{base}/core_id")))
        except OSError:
            return len(cpus)
    return len(cores) or len(cpus)


def cpuinfo():
    info = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if ":" not in line:
                    if info:
                        break  # the first processor tells what every one has
                    continue
                key, value = (s.strip() for s in line.split(":", 1))
                info.setdefault(key, value)
    except OSError:
        pass
    return info


ISA_FLAGS = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw", "avx512vl",
             "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile", "amx_bf16")


def cache_sizes():
    sizes = {}
    base = "/sys/devices/system/cpu/cpu0/cache"
    try:
        entries = sorted(os.listdir(base))
    except OSError:
        return None
    for e in entries:
        if not e.startswith("index"):
            continue
        try:
            level = int(read_text(f"{base}/{e}/level"))
            kind = read_text(f"{base}/{e}/type")
            size = read_text(f"{base}/{e}/size")
        except (OSError, ValueError):
            continue
        m = re.fullmatch(r"(\d+)([KMG]?)", size)
        if not m or kind == "Instruction":
            continue
        value = int(m.group(1)) * {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}[m.group(2)]
        sizes["l1d" if level == 1 else f"l{level}"] = value
    return sizes or None


def available_memory_bytes():
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def torch_config(torch):
    """The useful part of torch.__config__.show(): its lines without the long
    compiler flags, and the build settings that say what does the arithmetic."""
    try:
        text = torch.__config__.show()
    except Exception as e:  # a build without the config module: say so, carry on
        return {"error": str(e)}
    lines, settings = [], {}
    for line in text.splitlines():
        line = line.strip().lstrip("- ").strip()
        if not line or line.startswith("PyTorch built with"):
            continue
        if line.startswith("Build settings:"):
            for key, value in re.findall(r"(\w+)=([^,]*)", line):
                if key in ("BLAS_INFO", "LAPACK_INFO", "USE_MKLDNN", "USE_OPENMP", "USE_CUDA",
                           "USE_CUDNN", "CUDA_VERSION", "CUDNN_VERSION", "TORCH_VERSION",
                           "BUILD_TYPE", "PERF_WITH_AVX512"):
                    settings[key] = value.strip()
            continue
        if line.startswith(("CXX_FLAGS", "C++ Version")):
            continue
        lines.append(line)
    onednn = next((m.group(1) for l in lines
                   for m in [re.search(r"(?:MKL-DNN|oneDNN)\D*(v?[\d.]+)", l)] if m), None)
    capability = next((l.split(":", 1)[1].strip() for l in lines
                       if l.startswith("CPU capability usage")), None)
    return {"lines": lines, "build_settings": settings, "onednn": onednn,
            "cpu_capability": capability}


def loaded_blas(torch, config):
    """The BLAS library this process really calls. Debian's torch links
    libblas.so.3, which the alternatives system points at the reference BLAS
    unless an optimised one (libopenblas0-openmp) is installed; pip wheels have
    MKL or OpenBLAS linked in, invisible in the maps."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))  # a lazily loaded BLAS is mapped now
    paths = set()
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if re.search(r"lib(open)?blas|libmkl|libblis|libflexiblas", os.path.basename(path)):
                    paths.add(os.path.realpath(path))
    except OSError:
        pass
    names, reference = [], False
    for path in sorted(paths):
        if "openblas" in path:
            names.append(openblas_description(path))
        elif "libmkl" in path:
            names.append("MKL")
        elif "blis" in path:
            names.append("BLIS")
        elif "flexiblas" in path:
            names.append("FlexiBLAS")
        elif re.search(r"/blas/libblas\.so", path):
            names.append("reference BLAS (Netlib, Debian libblas3)")
            reference = True
        else:
            names.append(os.path.basename(path))
    if not names:
        info = (config.get("build_settings") or {}).get("BLAS_INFO")
        names.append(f"{info} (linked into torch)" if info else "unknown")
    return {"library": "; ".join(dict.fromkeys(names)), "paths": sorted(paths),
            "reference": reference}


def openblas_description(path):
    try:
        import ctypes
        lib = ctypes.CDLL(path)
        lib.openblas_get_config.restype = ctypes.c_char_p
        text = lib.openblas_get_config().decode()
        parallel = {0: "sequential", 1: "pthreads", 2: "openmp"}.get(lib.openblas_get_parallel(), "?")
        return f"{text} ({parallel})"
    except (OSError, AttributeError):
        return f"OpenBLAS ({os.path.dirname(path)})"


def tune_malloc(mode):
    """glibc gives a freed block above the mmap threshold, or at the top of the
    heap above the trim threshold, back to the kernel, so a loop that allocates
    the same large outputs again pays the page faults of fresh memory on every
    call (group_norm + silu on 18 MB: 36 ms instead of 9). A model keeps its
    heap, and PyTorch's CUDA allocator caches; so by default every block comes
    from the heap (M_MMAP_MAX 0) and the heap is never trimmed
    (M_TRIM_THRESHOLD -1). Must run before torch allocates."""
    if mode == "default":
        return "glibc default"
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(-4, 0) == 1 and libc.mallopt(-1, -1) == 1  # M_MMAP_MAX, M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        ok = False
    return "glibc, mallopt(M_MMAP_MAX=0, M_TRIM_THRESHOLD=-1)" if ok else \
        "default (mallopt unavailable: not glibc)"


def git_commit():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(["git", "-C", here, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def nvidia_driver():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30)
        return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else None
    except (OSError, subprocess.SubprocessError):
        return None


def describe_device(torch, args, config, blas):
    torch_info = {"version": torch.__version__, "blas": blas["library"],
                  "onednn": config.get("onednn"),
                  "mkldnn_available": bool(torch.backends.mkldnn.is_available()),
                  "cpu_capability": config.get("cpu_capability"),
                  "num_threads": torch.get_num_threads(),
                  "env": {k: v for k, v in sorted(os.environ.items()) if re.match(
                      r"(OMP_|GOMP_|KMP_|MKL_|OPENBLAS_|DNNL_|ONEDNN_|MALLOC_|CUDA_|"
                      r"PYTORCH_|TORCH_|LD_PRELOAD$|LD_LIBRARY_PATH$)", k)},
                  "config": config.get("lines"), "build_settings": config.get("build_settings")}
    if args.device == "cuda":
        props = torch.cuda.get_device_properties(0)
        name = torch.cuda.get_device_name(0)
        torch_info.update({"cuda": torch.version.cuda,
                           "cudnn": torch.backends.cudnn.version(),
                           "tf32": args.tf32, "cudnn_benchmark": True})
        l2 = getattr(props, "L2_cache_size", None)
        return {"kind": "gpu", "name": name, "vendor": "NVIDIA", "model": name,
                "driver": nvidia_driver(), "api_version": f"CUDA {torch.version.cuda}",
                "isa": [f"sm_{props.major}{props.minor}"], "threads": None,
                "caches": {"l2": l2} if l2 else None,
                "memory_bytes": props.total_memory, "multiprocessors": props.multi_processor_count,
                "torch": torch_info}
    info = cpuinfo()
    model = info.get("model name") or info.get("Model") or os.uname().machine
    flags = set(info.get("flags", "").split())
    cores = physical_cores()
    return {"kind": "cpu", "name": f"{model}, {cores} cores", "vendor": info.get("vendor_id"),
            "model": model, "driver": None, "api_version": None,
            "isa": [f for f in ISA_FLAGS if f in flags], "threads": args.threads,
            "physical_cores": cores, "caches": cache_sizes(), "torch": torch_info}


# ---------------------------------------------------------------- peaks

def read_peak(path, device, bandwidth_name):
    """The peak block of docs/results.md from a vdk-peak file: the entry of
    this device's kind (the one whose model the device name contains, where
    there are several) at the thread count nearest at or below ours."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise UsageError(f"--peak {path}: cannot read it: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise UsageError(f"--peak {path}: not JSON: {e}") from None
    if not isinstance(doc, dict) or not str(doc.get("format", "")).startswith("vdk-peak/"):
        raise UsageError(f"--peak {path}: not a vdk-peak file (docs/peak.md)")
    cpu = device["kind"] == "cpu"
    entries = [d for d in doc.get("devices", []) if isinstance(d, dict)
               and (d.get("kind") == "cpu") == cpu]
    named = [d for d in entries if d.get("model") and str(d["model"]).lower() in device["name"].lower()]
    entries = named or entries
    peak = {"source": path, "fp32_gflops": None, "f16_gflops": None, "bf16_gflops": None,
            "bandwidth_gbs": None}
    notes = []
    if not entries:
        notes.append(f"--peak {path}: no entry for a {device['kind']} device; fractions are null")
        return peak, notes
    results = [r for r in entries[0].get("results", []) if isinstance(r, dict)
               and isinstance(r.get("threads"), int)]
    if not results:
        notes.append(f"--peak {path}: its {device['kind']} entry has no results")
        return peak, notes
    threads = device.get("threads")
    below = [r for r in results if threads is None or r["threads"] <= threads]
    chosen = max(below or results, key=lambda r: r["threads"])
    if threads is not None and chosen["threads"] != threads:
        notes.append(f"--peak {path}: no figures for {threads} threads; using {chosen['threads']}")
    peak["threads"] = chosen["threads"]
    for m in chosen.get("measurements", []):
        if not isinstance(m, dict) or not m.get("available"):
            continue
        name, value = str(m.get("name", "")), m.get("median")
        if not isinstance(value, (int, float)) or value <= 0:
            continue
        field = None
        if m.get("unit") == "GFLOP/s":
            field = next((f"{p}_gflops" for p in ("fp32", "f16", "bf16") if name.startswith(p + "_")), None)
        elif m.get("unit") == "GB/s" and name == bandwidth_name:
            field = "bandwidth_gbs"
        if field and (peak[field] is None or value > peak[field]):
            peak[field] = float(value)
    if peak["bandwidth_gbs"] is None:
        notes.append(f"--peak {path}: no available '{bandwidth_name}' measurement")
    return peak, notes


def fraction_of_peak(peak, bound, dtype, gflops, gbs):
    """docs/results.md: compute-bound rows by the dtype's arithmetic peak where
    measured (else fp32's), memory-bound rows by the bandwidth."""
    if bound == "compute":
        ceiling = {"f16": peak.get("f16_gflops"), "bf16": peak.get("bf16_gflops")}.get(dtype)
        ceiling = ceiling or peak.get("fp32_gflops")
        value = gflops
    else:
        ceiling, value = peak.get("bandwidth_gbs"), gbs
    if not ceiling or value is None:
        return None
    return value / ceiling


# ---------------------------------------------------------------- layouts

def ncthw(s):
    """vdk [N, T, H, W, C] -> PyTorch's [N, C, T, H, W]."""
    n, t, h, w, c = s
    return [n, c, t, h, w]


def frames(s):
    """vdk [N, T, H, W, C] -> the per-frame batch [N*T, C, H, W] of 2-D layers."""
    n, t, h, w, c = s
    return [n * t, c, h, w]


def broadcast_ncthw(b, a_rank):
    """A shape that broadcasts onto a vdk [N, T, H, W, C] tensor (aligned from
    the last axis) -> the shape that broadcasts the same way onto NCTHW."""
    if a_rank != 5:
        return list(b)
    return ncthw([1] * (5 - len(b)) + list(b))


def vdk_axis_to_ncthw(axis, rank):
    axis = axis + rank if axis < 0 else axis
    return [0, 2, 3, 4, 1][axis] if rank == 5 else axis


# ---------------------------------------------------------------- the calls

class Candidate:
    """One PyTorch formulation of a case. setup() allocates the tensors (in the
    formulation's layout, outside the timed region) and returns the timed
    callable; `out` is the output shape it must produce, `shapes` the tensors it
    was given."""

    def __init__(self, kernel, setup, shapes, out, extra_bytes=0):
        self.kernel = kernel
        self.setup = setup
        self.shapes = shapes
        self.out = list(out)
        self.extra_bytes = extra_bytes  # temporaries beyond inputs and output


class Builder:
    def __init__(self, torch, device, dtype, seed):
        self.torch = torch
        self.F = torch.nn.functional
        self.device = device
        self.dtype = dtype
        self.seed = seed
        self.esize = torch.tensor([], dtype=dtype).element_size()

    def rand(self, shape, lo, hi):
        """Uniform in [lo, hi), drawn in f32 and rounded to the dtype; the same
        values for every dtype and device."""
        g = self.torch.Generator().manual_seed(self.seed)
        x = self.torch.rand(*shape, generator=g, dtype=self.torch.float32) * (hi - lo) + lo
        self.seed += 1
        return x.to(device=self.device, dtype=self.dtype)


def activation(F, act):
    return {"none": None, "silu": F.silu, "gelu": F.gelu}[act]


def candidates(b, case):
    """The PyTorch formulations of one case, the first being the default."""
    op, p, i = case["op"], case["params"], case["inputs"]
    return globals()["calls_" + op](b, p, i, case["output"])


def calls_group_norm(b, p, i, out):
    F = b.F
    per_frame = p["scope"] == "per_frame"
    shape = frames(i["x"]) if per_frame else ncthw(i["x"])
    act = activation(F, p["act"])
    groups, eps = p["groups"], p["eps"]

    def setup():
        x = b.rand(shape, -1.0, 3.0)
        c = shape[1]
        gamma = b.rand([c], 0.5, 1.5) if "gamma" in i else None
        beta = b.rand([c], -0.5, 0.5) if "beta" in i else None
        if act is None:
            return lambda: F.group_norm(x, groups, gamma, beta, eps)
        return lambda: act(F.group_norm(x, groups, gamma, beta, eps))

    kernel = "F.group_norm" + (f"+F.{p['act']}" if act else "")
    return [Candidate(kernel, setup, {"x": shape}, shape)]


def calls_conv3d(b, p, i, out):
    F = b.F
    co, kt, kh, kw, ci = i["w"]
    stride, pad = [s or 1 for s in p["stride"]], p["padding"]
    act = activation(F, p["act"])
    fan_in = kt * kh * kw * ci
    bound = math.sqrt(3.0 / fan_in)
    x5, y5 = ncthw(i["x"]), ncthw(out)
    tail = (f"+F.{p['act']}" if act else "") + ("+residual" if "residual" in i else "")

    def make(conv, xs, ws, ys, st, pd):
        def setup():
            x = b.rand(xs, -2.0, 2.0)
            w = b.rand(ws, -bound, bound)
            bias = b.rand([co], -0.5, 0.5) if "bias" in i else None
            res = b.rand(ys, -1.0, 1.0) if "residual" in i else None

            def run():
                y = conv(x, w, bias, st, pd)
                if act is not None:
                    y = act(y)
                return y + res if res is not None else y
            return run
        shapes = {"x": xs, "w": ws}
        if "residual" in i:
            shapes["residual"] = ys
        return setup, shapes

    setup3, shapes3 = make(F.conv3d, x5, [co, ci, kt, kh, kw], y5, stride, pad)
    result = [Candidate("F.conv3d" + tail, setup3, shapes3, y5)]
    # A (1, kh, kw) kernel that neither strides nor pads in time is a 2-D
    # convolution of every frame: SVD's spatial resblocks run it that way, on
    # their native [N*T, C, H, W] batch.
    if kt == 1 and stride[0] == 1 and pad[0] == 0:
        x4, y4 = frames(i["x"]), frames(out)
        setup2, shapes2 = make(F.conv2d, x4, [co, ci, kh, kw], y4, stride[1:], pad[1:])
        result.append(Candidate("F.conv2d" + tail, setup2, shapes2, y4))
    return result


def calls_attention(b, p, i, out):
    torch, F = b.torch, b.F
    n, t, h, w, c = i["q"]
    heads = p["heads"]
    d = c // heads
    scale = p["scale"] or 1.0 / math.sqrt(d)
    if len(i["k"]) == 3:
        # Cross-attention: every query of batch item n attends to the same L
        # tokens, so one sequence of T*H*W queries per item (no copies of k, v).
        bsz, lq, lk = n, t * h * w, i["k"][1]
    elif p["axes"] == "temporal":
        bsz, lq, lk = n * h * w, t, t
    elif p["axes"] == "spatiotemporal":
        bsz, lq, lk = n, t * h * w, t * h * w
    else:
        bsz, lq, lk = n * t, h * w, h * w
    qs, ks = [bsz, heads, lq, d], [bsz, heads, lk, d]
    shapes = {"q": qs, "k": ks, "v": ks}
    sdpa = getattr(F, "scaled_dot_product_attention", None)
    if sdpa is not None:
        default_scale = abs(scale - 1.0 / math.sqrt(d)) <= 1e-7 * scale

        def setup():
            q, k, v = (b.rand(s, -1.0, 1.0) for s in (qs, ks, ks))
            if default_scale:
                return lambda: sdpa(q, k, v)
            return lambda: sdpa(q, k, v, scale=scale)
        return [Candidate("F.scaled_dot_product_attention", setup, shapes, qs)]

    # torch < 2.0: diffusers' AttnProcessor, the scale folded into the first
    # batched product, on [B*heads, L, D] (a free view of [B, heads, L, D]).
    def setup():
        q, k, v = (b.rand(s, -1.0, 1.0).reshape(bsz * heads, -1, d) for s in (qs, ks, ks))
        kt = k.transpose(1, 2)

        def run():
            empty = torch.empty(bsz * heads, lq, lk, dtype=q.dtype, device=q.device)
            s = torch.baddbmm(empty, q, kt, beta=0, alpha=scale)
            return torch.bmm(s.softmax(dim=-1), v).view(bsz, heads, lq, d)
        return run
    scores = 2 * bsz * heads * lq * lk * b.esize  # scores and probabilities
    return [Candidate("softmax(baddbmm(q,k^T,alpha=scale))@v", setup, shapes, qs, scores)]


def calls_linear(b, p, i, out):
    F = b.F
    co, ci = i["w"]
    bound = math.sqrt(3.0 / ci)
    act = p["act"]

    def setup():
        x = b.rand(i["x"], -2.0, 2.0)
        w = b.rand([co, ci], -bound, bound)
        bias = b.rand([co], -0.5, 0.5) if "bias" in i else None
        res = b.rand(out, -1.0, 1.0) if "residual" in i else None

        def run():
            y = F.linear(x, w, bias)
            if act == "geglu":  # diffusers' GEGLU
                y, gate = y.chunk(2, dim=-1)
                y = y * F.gelu(gate)
            elif act != "none":
                y = activation(F, act)(y)
            return y + res if res is not None else y
        return run

    kernel = "F.linear" + {"none": "", "silu": "+F.silu", "gelu": "+F.gelu",
                           "geglu": "+chunk+a*F.gelu(g)"}[act]
    kernel += "+residual" if "residual" in i else ""
    shapes = {k: i[k] for k in ("x", "w", "residual") if k in i}
    extra = (math.prod(out) * (2 if act == "geglu" else 1)) * b.esize
    return [Candidate(kernel, setup, shapes, out, extra)]


def calls_layer_norm(b, p, i, out):
    F = b.F
    c = i["x"][-1]

    def setup():
        x = b.rand(i["x"], -1.0, 3.0)
        gamma = b.rand([c], 0.5, 1.5) if "gamma" in i else None
        beta = b.rand([c], -0.5, 0.5) if "beta" in i else None
        return lambda: F.layer_norm(x, (c,), gamma, beta, p["eps"])
    return [Candidate("F.layer_norm", setup, {"x": i["x"]}, out)]


def calls_rms_norm(b, p, i, out):
    torch, F = b.torch, b.F
    c, eps = i["x"][-1], p["eps"]
    native = getattr(F, "rms_norm", None)

    def setup():
        x = b.rand(i["x"], -2.0, 2.0)
        gamma = b.rand([c], 0.5, 1.5) if "gamma" in i else None
        if native is not None:
            return lambda: native(x, (c,), weight=gamma, eps=eps)

        def run():  # what F.rms_norm (torch >= 2.4) computes
            y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
            return y * gamma if gamma is not None else y
        return run
    kernel = "F.rms_norm" if native else "x*rsqrt(mean(x^2)+eps)*gamma"
    return [Candidate(kernel, setup, {"x": i["x"]}, out, 2 * math.prod(out) * b.esize)]


def calls_softmax(b, p, i, out):
    torch = b.torch
    s = p["scale"] or 1.0

    def setup():
        x = b.rand(i["x"], -4.0, 4.0)
        if s == 1.0:
            return lambda: torch.softmax(x, dim=-1)
        return lambda: torch.softmax(x * s, dim=-1)
    kernel = "torch.softmax" if s == 1.0 else "torch.softmax(x*scale)"
    return [Candidate(kernel, setup, {"x": i["x"]}, out, math.prod(out) * b.esize)]


def layout5(shape):
    return ncthw(shape) if len(shape) == 5 else list(shape)


def calls_unary(b, p, i, out):
    torch, F = b.torch, b.F
    shape = layout5(i["x"])
    op = p["op"]
    fn = {"silu": F.silu, "gelu": F.gelu, "sigmoid": torch.sigmoid}.get(op)

    def setup():
        x = b.rand(shape, -6.0, 6.0)
        if fn is not None:
            return lambda: fn(x)
        alpha, beta = p["alpha"], p["beta"]
        return lambda: x * alpha + beta  # diffusers' x * (1 + scale) + shift
    kernel = {"silu": "F.silu", "gelu": "F.gelu", "sigmoid": "torch.sigmoid",
              "affine": "x*alpha+beta"}[op]
    return [Candidate(kernel, setup, {"x": shape}, shape, math.prod(shape) * b.esize)]


def calls_binary(b, p, i, out):
    torch = b.torch
    a_shape = layout5(i["a"])
    b_shape = broadcast_ncthw(i["b"], len(i["a"]))
    fn = {"add": torch.add, "sub": torch.sub, "mul": torch.mul}[p["op"]]

    def setup():
        x = b.rand(a_shape, -2.0, 2.0)
        y = b.rand(b_shape, -2.0, 2.0)
        return lambda: fn(x, y)
    return [Candidate(f"torch.{p['op']}", setup, {"a": a_shape, "b": b_shape}, a_shape)]


def calls_blend(b, p, i, out):
    torch = b.torch
    shape = layout5(i["a"])
    shapes = {"a": shape, "b": shape}
    has_alpha = "alpha" in i
    if has_alpha:
        shapes["alpha"] = broadcast_ncthw(i["alpha"], len(i["a"]))
    sigmoid = bool(p.get("sigmoid"))

    def setup():
        x = b.rand(shape, -2.0, 2.0)
        y = b.rand(shape, -2.0, 2.0)
        if not has_alpha:
            alpha = p["alpha"]
            return lambda: alpha * x + (1.0 - alpha) * y
        lo, hi = (-4.0, 4.0) if sigmoid else (0.0, 1.0)
        mix = b.rand(shapes["alpha"], lo, hi)

        def run():  # diffusers' AlphaBlender
            alpha = torch.sigmoid(mix) if sigmoid else mix
            return alpha * x + (1.0 - alpha) * y
        return run
    kernel = ("sigmoid(m)" if sigmoid else "alpha") + "*a+(1-alpha)*b"
    return [Candidate(kernel, setup, shapes, shape, 2 * math.prod(shape) * b.esize)]


def calls_upsample(b, p, i, out):
    F = b.F
    ft, fh, fw = [f or 1 for f in p["factor"]]
    # SVD's spatial up-sampler works on the [N*T, C, H, W] frame batch; a
    # factor in time needs the 5-D clip.
    if ft == 1:
        xs, ys = frames(i["x"]), frames(out)
        kernel = "F.interpolate(nearest,4-D)"
    else:
        xs, ys = ncthw(i["x"]), ncthw(out)
        kernel = "F.interpolate(nearest,5-D)"
    size = tuple(ys[2:])

    def setup():
        x = b.rand(xs, -2.0, 2.0)
        return lambda: F.interpolate(x, size=size, mode="nearest")
    return [Candidate(kernel, setup, {"x": xs}, ys)]


def calls_timestep_embedding(b, p, i, out):
    torch, F = b.torch, b.F
    dim = p["dim"]
    half = dim // 2
    shift = p["downscale_freq_shift"]
    scale = p["scale"] or 1.0
    max_period = p["max_period"] or 10000.0
    flip, interleave = bool(p["flip_sin_to_cos"]), bool(p["interleave"])
    dtype = b.dtype

    def setup():
        t = b.rand(i["t"], 0.0, 1000.0)

        def run():  # diffusers' get_timestep_embedding, in f32 as there
            exponent = -math.log(max_period) * torch.arange(
                0, half, dtype=torch.float32, device=t.device) / (half - shift)
            emb = t[:, None].float() * torch.exp(exponent)[None, :]
            emb = scale * emb
            if interleave:  # AnimateDiff's PositionalEncoding: sin, cos pairs
                pair = (torch.cos(emb), torch.sin(emb)) if flip else (torch.sin(emb), torch.cos(emb))
                emb = torch.stack(pair, dim=-1).reshape(emb.shape[0], 2 * half)
            else:
                emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
                if flip:
                    emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
            if dim % 2 == 1:
                emb = F.pad(emb, (0, 1, 0, 0))
            return emb.to(dtype)
        return run
    kernel = "get_timestep_embedding" + (" (interleaved)" if interleave else "")
    return [Candidate(kernel, setup, {"t": i["t"]}, out, 4 * math.prod(out) * 4)]


def calls_concat(b, p, i, out):
    torch = b.torch
    rank = len(i["a"])
    dim = vdk_axis_to_ncthw(p["axis"], rank)
    a_shape, b_shape, y_shape = layout5(i["a"]), layout5(i["b"]), layout5(out)

    def setup():
        x = b.rand(a_shape, -2.0, 2.0)
        y = b.rand(b_shape, -2.0, 2.0)
        return lambda: torch.cat((x, y), dim=dim)
    return [Candidate(f"torch.cat(dim={dim})", setup, {"a": a_shape, "b": b_shape}, y_shape)]


# ---------------------------------------------------------------- timing

class Timer:
    def __init__(self, torch, args):
        self.torch = torch
        self.cuda = args.device == "cuda"
        self.repetitions = args.repetitions
        self.min_time = args.min_time
        self.warmup = args.warmup
        self.warmup_time = args.warmup_time
        self.repetition_time = args.repetition_time

    def sync(self):
        if self.cuda:
            self.torch.cuda.synchronize()

    def warm(self, fn):
        """Runs fn at least `warmup` times and for `warmup_time` seconds; returns
        its first result, for the shape check."""
        start = time.perf_counter()
        first = fn()
        self.sync()
        calls = 1
        while calls < self.warmup or time.perf_counter() - start < self.warmup_time:
            fn()
            calls += 1
            self.sync()
            if calls >= MAX_REPETITIONS:
                break
        return first

    def more(self, done, start, repetitions, min_time):
        if done < repetitions:
            return True
        return time.perf_counter() - start < min_time and done < MAX_REPETITIONS

    def measure(self, fn, repetitions=None, min_time=None):
        """Times in ms, one per repetition: the mean time per call of a run of
        calls lasting at least `repetition_time` seconds (one call when 0).
        CPU: perf_counter around the run. CUDA: an event before and after the
        run, its calls launched back to back as a model launches them."""
        repetitions = self.repetitions if repetitions is None else repetitions
        min_time = self.min_time if min_time is None else min_time
        start = time.perf_counter()
        Event = self.torch.cuda.Event if self.cuda else None
        samples = []
        while self.more(len(samples), start, repetitions, min_time):
            events = (Event(enable_timing=True), Event(enable_timing=True)) if Event else None
            if events:
                events[0].record()
            t0 = time.perf_counter()
            calls = 0
            while True:
                fn()
                calls += 1
                elapsed = time.perf_counter() - t0
                if elapsed >= self.repetition_time or calls >= MAX_REPETITIONS:
                    break
            if events:
                # Launches return at once: wait for the run, so that --min-time
                # counts GPU time and no deep queue builds up behind it.
                events[1].record()
                events[1].synchronize()
                elapsed = events[0].elapsed_time(events[1]) * 1e-3
            samples.append(elapsed * 1e3 / calls)
        return samples


def is_out_of_memory(e):
    return isinstance(e, MemoryError) or "out of memory" in str(e).lower() \
        or "can't allocate memory" in str(e).lower() or "not enough memory" in str(e).lower()


def error_text(e):
    text = " ".join(str(e).split())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def free_memory(torch, cuda):
    if cuda:
        try:
            return torch.cuda.mem_get_info()[0]
        except (AttributeError, RuntimeError):
            return torch.cuda.get_device_properties(0).total_memory - torch.cuda.memory_allocated()
    return available_memory_bytes()


def planned_bytes(cand, esize):
    shapes = list(cand.shapes.values())
    elements = sum(math.prod(s) for s in shapes) + 2 * math.prod(cand.out)
    return elements * esize + cand.extra_bytes


def gib(n):
    return f"{n / 2 ** 30:.1f} GiB"


def run_candidate(torch, timer, cand, case, esize, cuda, repetitions=None, min_time=None):
    """Times one formulation; raises Skip with the reason when it cannot run."""
    need = planned_bytes(cand, esize)
    free = free_memory(torch, cuda)
    if free is not None and need > MEMORY_SHARE * free:
        raise Skip(f"needs about {gib(need)} (inputs, output, temporaries); "
                   f"{gib(free)} {'free on the GPU' if cuda else 'available'}")
    fn = None
    try:
        fn = cand.setup()
        first = timer.warm(fn)
        got = list(first.shape)
        if got != cand.out:
            raise Skip(f"peer error: {cand.kernel} gave shape {got}, expected {cand.out}")
        del first
        return timer.measure(fn, repetitions, min_time)
    except Skip:
        raise
    except Exception as e:  # PyTorch refusing a dtype or running out of memory
        if is_out_of_memory(e):
            raise Skip(f"out of memory: {error_text(e)}") from None
        raise Skip(error_text(e)) from None
    finally:
        del fn
        gc.collect()
        if cuda:
            torch.cuda.empty_cache()


# ---------------------------------------------------------------- the run

def parse_dtypes(text):
    names = [d.strip() for d in text.split(",") if d.strip()]
    bad = [d for d in names if d not in DTYPES]
    if bad or not names:
        raise UsageError(f"--dtype {text!r}: expected a list of {', '.join(DTYPES)}")
    return list(dict.fromkeys(names))


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="torch_peer.py",
        description="Time PyTorch on the cases of a vdk-bench export (docs/results.md).")
    ap.add_argument("--cases", required=True, help="vdk-cases/1 export, or - for stdin")
    ap.add_argument("--out", help="result set to write (vdk-results/1); - for stdout")
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    ap.add_argument("--threads", type=int, default=0,
                    help="torch.set_num_threads (CPU); default: the physical cores")
    ap.add_argument("--dtype", default="f32", help="comma list of f32, f16, bf16 (default f32)")
    ap.add_argument("--repetitions", type=int, default=10,
                    help="timed repetitions per case at least (default 10)")
    ap.add_argument("--min-time", type=float, default=0.25,
                    help="and timed repetitions for at least this many seconds per case "
                         "(default 0.25)")
    ap.add_argument("--repetition-time", type=float, default=0.0,
                    help="seconds of calls per repetition, timed as their mean (default 0: "
                         "one call); --repetitions 5 --repetition-time 0.1 is vdk-bench's way")
    ap.add_argument("--warmup", type=int, default=2, help="untimed calls first (default 2)")
    ap.add_argument("--warmup-time", type=float, default=0.1,
                    help="and untimed calls for at least this many seconds (default 0.1)")
    ap.add_argument("--quick", action="store_true",
                    help="one warm-up call and no minimum time: for tests, figures not meaningful")
    ap.add_argument("--peak", help="vdk-peak JSON (docs/peak.md) for fraction_of_peak")
    ap.add_argument("--bandwidth", default="copy",
                    help="vdk-peak bandwidth measurement memory-bound rows are divided by (default copy)")
    ap.add_argument("--filter", help="only the cases whose name matches this regular expression")
    ap.add_argument("--tf32", action="store_true",
                    help="CUDA: let f32 matmuls and convolutions use TF32 (off by default)")
    ap.add_argument("--malloc", choices=("tuned", "default"), default="tuned",
                    help="CPU: keep freed memory in the heap (tuned, default) or leave glibc as it is")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    args.dtypes = parse_dtypes(args.dtype)
    if args.repetitions < 1:
        raise UsageError("--repetitions must be at least 1")
    if args.threads < 0:
        raise UsageError("--threads must be at least 1 (0: the physical cores)")
    if args.min_time < 0 or args.warmup < 1 or args.warmup_time < 0 or args.repetition_time < 0:
        raise UsageError("--min-time, --warmup-time and --repetition-time must be >= 0, "
                         "--warmup >= 1")
    if args.quick:
        args.warmup, args.warmup_time, args.min_time, args.repetition_time = 1, 0.0, 0.0, 0.0
    if args.filter:
        try:
            args.filter_re = re.compile(args.filter)
        except re.error as e:
            raise UsageError(f"--filter {args.filter!r}: {e}") from None
    return args


def sig(x, digits=3):
    if x is None:
        return "-"
    return f"{x:.{digits}g}" if abs(x) < 10 ** digits else f"{x:.0f}"


def make_row(case, set_name, dtype, backend, peak):
    bytes_ = (case.get("min_bytes") or {}).get(dtype)
    return {"name": case["name"], "op": case["op"], "set": set_name, "dtype": dtype,
            "backend": backend, "kernel": None, "params": case["params"],
            "inputs": case["inputs"], "time_ms": None, "time_ms_min": None, "repetitions": 0,
            "flops": case["flops"], "bytes": bytes_, "gflops": None, "gbs": None,
            "bound": case["bound"], "fraction_of_peak": None}


def measure_case(torch, args, timer, case, dtype, row, peak):
    tdtype = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}[dtype]
    builder = Builder(torch, args.device, tdtype, args.seed)
    cuda = args.device == "cuda"
    cands = candidates(builder, case)
    row["kernel"] = cands[0].kernel
    row["torch_shapes"] = cands[0].shapes
    chosen, tried, reasons = None, [], []
    if len(cands) > 1:
        # Pick the faster formulation on a short run, then time it in full.
        for cand in cands:
            try:
                t = run_candidate(torch, timer, cand, case, builder.esize, cuda,
                                  repetitions=min(3, args.repetitions), min_time=0.0)
                tried.append({"kernel": cand.kernel, "time_ms": statistics.median(t)})
            except Skip as e:
                reasons.append(f"{cand.kernel}: {e}")
                tried.append({"kernel": cand.kernel, "time_ms": None, "skipped": str(e)})
        timed = [r for r in tried if r["time_ms"] is not None]
        if timed:
            best = min(timed, key=lambda r: r["time_ms"])["kernel"]
            chosen = next(c for c in cands if c.kernel == best)
        row["candidates"] = tried
    else:
        chosen = cands[0]
    if chosen is None:
        raise Skip("; ".join(reasons))
    row["kernel"] = chosen.kernel
    row["torch_shapes"] = chosen.shapes
    times = run_candidate(torch, timer, chosen, case, builder.esize, cuda)
    med, low = statistics.median(times), min(times)
    row["time_ms"] = med
    row["time_ms_min"] = low
    row["repetitions"] = len(times)
    seconds = med * 1e-3
    flops, bytes_ = row["flops"], row["bytes"]
    row["gflops"] = flops / seconds / 1e9 if isinstance(flops, (int, float)) else None
    row["gbs"] = bytes_ / seconds / 1e9 if isinstance(bytes_, (int, float)) else None
    row["fraction_of_peak"] = fraction_of_peak(peak, row["bound"], dtype, row["gflops"], row["gbs"])


def print_table(rows, stream):
    head = ("case", "dtype", "kernel", "median ms", "min ms", "GFLOP/s", "GB/s", "of peak")
    body = []
    for r in rows:
        if r.get("skipped"):
            body.append((r["name"], r["dtype"], r["kernel"] or "-", "skipped: " + r["reason"],
                         "", "", "", ""))
            continue
        frac = r["fraction_of_peak"]
        body.append((r["name"], r["dtype"], r["kernel"], sig(r["time_ms"]), sig(r["time_ms_min"]),
                     sig(r["gflops"]), sig(r["gbs"]), "-" if frac is None else f"{100 * frac:.1f} %"))
    fixed = [max(len(str(x[k])) for x in [head] + [b for b in body if not b[3].startswith("skipped")])
             for k in range(len(head))]
    for line in [head] + body:
        cells = []
        for k, cell in enumerate(line):
            if k >= 3 and line[3].startswith("skipped"):
                cells.append(str(cell))
                continue
            cells.append(str(cell).rjust(fixed[k]) if k >= 3 else str(cell).ljust(fixed[k]))
        stream.write("  ".join(cells).rstrip() + "\n")


def main(argv=None):
    try:
        args = parse_args(argv)
        doc = read_cases(args.cases)
    except UsageError as e:
        sys.stderr.write(f"torch_peer.py: {e}\n")
        return 2
    allocator = tune_malloc(args.malloc) if args.device == "cpu" else "torch CUDA caching allocator"
    try:
        import torch
    except ImportError as e:
        sys.stderr.write(f"torch_peer.py: cannot import torch: {e}\n")
        return 2

    if args.device == "cuda":
        if not torch.cuda.is_available():
            sys.stderr.write("torch_peer.py: --device cuda, but torch.cuda.is_available() is False\n")
            return 2
        torch.backends.cuda.matmul.allow_tf32 = args.tf32
        torch.backends.cudnn.allow_tf32 = args.tf32
        torch.backends.cudnn.benchmark = True  # as a user tuning a model would
        args.threads = None
    else:
        args.threads = args.threads or physical_cores()
        torch.set_num_threads(args.threads)

    config = torch_config(torch)
    blas = loaded_blas(torch, config)
    device = describe_device(torch, args, config, blas)
    notes = []
    if args.device == "cpu" and blas["reference"]:
        notes.append("torch calls the reference BLAS: linear and attention run 30-80x slower than "
                     "with an optimised one; apt-get install libopenblas0-openmp for a fair peer")
    if args.peak:
        try:
            peak, peak_notes = read_peak(args.peak, device, args.bandwidth)
        except UsageError as e:
            sys.stderr.write(f"torch_peer.py: {e}\n")
            return 2
        notes += peak_notes
    else:
        peak = {"source": None, "fp32_gflops": None, "f16_gflops": None, "bf16_gflops": None,
                "bandwidth_gbs": None}
    for n in notes:
        sys.stderr.write(f"torch_peer.py: warning: {n}\n")

    set_name = doc.get("set")
    cases = [c for c in doc["cases"] if not args.filter or args.filter_re.search(c["name"])]
    backend = f"torch-{args.device}"
    timer = Timer(torch, args)
    rows = []
    total = len(cases) * len(args.dtypes)
    width = len(str(total))
    with torch.no_grad():
        for case in cases:
            for dtype in args.dtypes:
                row = make_row(case, set_name or case["name"].split("/")[0], dtype, backend, peak)
                try:
                    measure_case(torch, args, timer, case, dtype, row, peak)
                    what = (f"{sig(row['time_ms'])} ms, {sig(row['gflops'])} GFLOP/s, "
                            f"{sig(row['gbs'])} GB/s  ({row['kernel']})")
                except Skip as e:
                    row["skipped"] = True
                    row["reason"] = str(e)
                    what = f"skipped: {e}"
                rows.append(row)
                sys.stderr.write(f"[{len(rows):{width}}/{total}] {case['name']} {dtype}: {what}\n")
                sys.stderr.flush()

    result = {
        "format": RESULTS_FORMAT,
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join(shlex.quote(a) for a in [sys.executable] + sys.argv),
        "commit": git_commit(),
        "build": {"compiler": None, "flags": None, "build_type": None,
                  "torch": torch.__version__, "blas": blas["library"]},
        "host": socket.gethostname(),
        "device": device,
        "peak": peak,
        "producer": "torch",
        "cases": {"set": set_name, "source": args.cases},
        "timing": {"repetitions_min": args.repetitions, "min_time_s": args.min_time,
                   "repetition_time_s": args.repetition_time,
                   "warmup": args.warmup, "warmup_time_s": args.warmup_time,
                   "clock": "torch.cuda.Event" if args.device == "cuda" else "time.perf_counter",
                   "quick": args.quick, "allocator": allocator},
        "notes": notes,
        "rows": rows,
    }
    text = json.dumps(result, indent=1) + "\n"
    table_stream = sys.stdout
    if args.out == "-":
        sys.stdout.write(text)
        table_stream = sys.stderr
    elif args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    print_table(rows, table_stream)
    skipped = sum(1 for r in rows if r.get("skipped"))
    sys.stderr.write(f"torch_peer.py: {len(rows) - skipped} rows measured, {skipped} skipped"
                     + (f"; wrote {args.out}" if args.out and args.out != "-" else "") + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
