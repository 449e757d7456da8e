"""Runs the peer runner on a case export and checks the result set it writes
against docs/results.md: every field there, one row per case and dtype, the
counts copied from the export, the rates that follow from them, the peak
fractions from a --peak file, and the refusals (bad export, bad option). It
asserts no speed.

usage: check_results.py PYTHON TORCH_PEER CASES.json WORKDIR
"""
import json
import math
import os
import subprocess
import sys

python, peer, cases_path, workdir = sys.argv[1:5]
os.makedirs(workdir, exist_ok=True)
errors = []


def need(cond, what):
    if not cond:
        errors.append(what)


def run(args, stdin=None):
    return subprocess.run([python, peer] + args, input=stdin, capture_output=True, text=True,
                          timeout=600)


def close(a, b, rel=1e-9):
    return isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
        abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


with open(cases_path, encoding="utf-8") as f:
    cases = json.load(f)
by_name = {c["name"]: c for c in cases["cases"]}

# A vdk-peak file with round figures, so the fractions can be checked exactly.
peak_path = os.path.join(workdir, "peak.json")
measurements = [
    {"name": "fp32_fma_256", "unit": "GFLOP/s", "available": True, "median": 100.0, "max": 101.0,
     "repetitions": 3},
    {"name": "bf16_dot_512", "unit": "GFLOP/s", "available": True, "median": 400.0, "max": 401.0,
     "repetitions": 3},
    {"name": "fp32_fma_512", "unit": "GFLOP/s", "available": False, "median": None, "max": None,
     "repetitions": 0, "reason": "test"},
    {"name": "copy", "unit": "GB/s", "available": True, "median": 20.0, "max": 21.0, "repetitions": 3},
    {"name": "read", "unit": "GB/s", "available": True, "median": 30.0, "max": 31.0, "repetitions": 3},
]
with open(peak_path, "w", encoding="utf-8") as f:
    json.dump({"format": "vdk-peak/1", "devices": [{"kind": "cpu", "model": "test",
               "results": [{"threads": 1, "measurements": measurements}]}]}, f)

out_path = os.path.join(workdir, "torch-peer-test.json")
if os.path.exists(out_path):
    os.remove(out_path)
# --cases - : the export arrives on stdin, as from `vdk-bench --export-cases | ...`.
with open(cases_path, encoding="utf-8") as f:
    proc = run(["--cases", "-", "--quick", "--repetitions", "2", "--threads", "1",
                "--dtype", "f32,f16,bf16", "--peak", peak_path, "--out", out_path], f.read())
need(proc.returncode == 0, f"peer exited {proc.returncode}: {proc.stderr[-2000:]}")
if proc.returncode != 0:
    print("\n".join(errors))
    sys.exit(1)
need(proc.stderr.count("\n[") + proc.stderr.startswith("[") >= len(by_name) * 3,
     "fewer progress lines on stderr than rows")
need("median ms" in proc.stdout, "no table on stdout")

with open(out_path, encoding="utf-8") as f:
    doc = json.load(f)

for key in ("format", "created", "command", "commit", "build", "host", "device", "peak",
            "producer", "rows"):
    need(key in doc, f"top-level '{key}' missing")
need(doc.get("format") == "vdk-results/1", f"format {doc.get('format')!r}")
need(doc.get("producer") == "torch", f"producer {doc.get('producer')!r}")
dev = doc.get("device", {})
for key in ("kind", "name", "vendor", "model", "driver", "api_version", "isa", "threads", "caches",
            "torch"):
    need(key in dev, f"device '{key}' missing")
need(dev.get("kind") == "cpu" and dev.get("threads") == 1, "device is not the CPU at 1 thread")
tinfo = dev.get("torch", {})
for key in ("version", "blas", "onednn", "config"):
    need(key in tinfo, f"device.torch '{key}' missing")
need(isinstance(tinfo.get("blas"), str) and tinfo["blas"], "no BLAS named")
peak = doc.get("peak", {})
need(peak.get("fp32_gflops") == 100.0 and peak.get("bf16_gflops") == 400.0
     and peak.get("f16_gflops") is None and peak.get("bandwidth_gbs") == 20.0,
     f"peak block {peak!r} is not what the --peak file says")

rows = doc.get("rows", [])
seen = {}
for r in rows:
    key = (r.get("name"), r.get("dtype"))
    need(key not in seen, f"row {key} twice")
    seen[key] = r
need(set(seen) == {(n, d) for n in by_name for d in ("f32", "f16", "bf16")},
     "rows are not exactly one per case and dtype")

FIELDS = ("name", "op", "set", "dtype", "backend", "kernel", "params", "inputs", "time_ms",
          "time_ms_min", "repetitions", "flops", "bytes", "gflops", "gbs", "bound",
          "fraction_of_peak")
for (name, dtype), r in seen.items():
    tag = f"{name} {dtype}"
    c = by_name.get(name)
    if c is None:
        continue
    for key in FIELDS:
        need(key in r, f"{tag}: '{key}' missing")
    need(r.get("op") == c["op"] and r.get("set") == cases["set"], f"{tag}: op or set differ")
    need(r.get("backend") == "torch-cpu", f"{tag}: backend {r.get('backend')!r}")
    need(r.get("params") == c["params"] and r.get("inputs") == c["inputs"],
         f"{tag}: params or inputs not copied from the export")
    need(r.get("flops") == c["flops"], f"{tag}: flops not the export's")
    need(r.get("bytes") == c["min_bytes"][dtype], f"{tag}: bytes not the export's min_bytes")
    need(r.get("bound") == c["bound"], f"{tag}: bound not the export's")
    need(isinstance(r.get("kernel"), str) and r["kernel"], f"{tag}: no kernel named")
    if r.get("skipped"):
        need(isinstance(r.get("reason"), str) and r["reason"], f"{tag}: skipped without a reason")
        need(r.get("time_ms") is None and r.get("gflops") is None, f"{tag}: skipped row has a time")
        # f32 is what every PyTorch runs every operator in: a skip there is a peer bug.
        need(dtype != "f32", f"{tag}: f32 skipped: {r.get('reason')}")
        continue
    t, tmin, reps = r.get("time_ms"), r.get("time_ms_min"), r.get("repetitions")
    need(isinstance(t, float) and t > 0, f"{tag}: time_ms {t!r}")
    need(isinstance(tmin, float) and 0 < tmin <= t, f"{tag}: time_ms_min {tmin!r} > median")
    need(isinstance(reps, int) and reps >= 2, f"{tag}: repetitions {reps!r}")
    if not (isinstance(t, float) and t > 0):
        continue
    need(close(r.get("gflops"), c["flops"] / (t * 1e6)), f"{tag}: gflops is not flops / time")
    need(close(r.get("gbs"), c["min_bytes"][dtype] / (t * 1e6)), f"{tag}: gbs is not bytes / time")
    if c["bound"] == "compute":
        ceiling = 400.0 if dtype == "bf16" else 100.0  # no f16 peak: fp32's
        want = r["gflops"] / ceiling
    else:
        want = r["gbs"] / 20.0
    need(close(r.get("fraction_of_peak"), want), f"{tag}: fraction_of_peak "
         f"{r.get('fraction_of_peak')!r}, expected {want!r}")
    shapes = r.get("torch_shapes")
    need(isinstance(shapes, dict) and shapes, f"{tag}: no torch_shapes")
    if isinstance(shapes, dict):
        for arg, shape in shapes.items():
            vdk = c["inputs"].get(arg)
            need(vdk is not None and math.prod(shape) == math.prod(vdk),
                 f"{tag}: torch shape of '{arg}' {shape} holds another number of elements "
                 f"than vdk's {vdk}")

# --repetition-time: a repetition is the mean of a run of calls (vdk-bench's way).
rep_path = os.path.join(workdir, "torch-peer-reptime.json")
p = run(["--cases", cases_path, "--filter", "unary", "--threads", "1", "--repetitions", "3",
         "--repetition-time", "0.002", "--warmup", "1", "--warmup-time", "0", "--min-time", "0",
         "--out", rep_path])
need(p.returncode == 0, f"--repetition-time run exited {p.returncode}: {p.stderr[-1000:]}")
if p.returncode == 0:
    with open(rep_path, encoding="utf-8") as f:
        rep = json.load(f)
    need(rep.get("timing", {}).get("repetition_time_s") == 0.002, "timing.repetition_time_s not 0.002")
    need(len(rep["rows"]) == sum(1 for n in by_name if "/unary." in n), "--filter unary: wrong rows")
    for r in rep["rows"]:
        need(r.get("repetitions") == 3 and isinstance(r.get("time_ms"), float) and r["time_ms"] > 0,
             f"--repetition-time {r.get('name')}: repetitions {r.get('repetitions')!r}, "
             f"time {r.get('time_ms')!r}")

# Refusals: exit status 2 and a message naming the problem, no result set.
bad_path = os.path.join(workdir, "not-cases.json")
with open(bad_path, "w", encoding="utf-8") as f:
    json.dump({"format": "vdk-results/1", "rows": []}, f)
for args, text in ((["--cases", bad_path], "not a case export"),
                   (["--cases", cases_path, "--dtype", "f64"], "--dtype"),
                   (["--cases", cases_path, "--repetitions", "0"], "--repetitions"),
                   (["--cases", os.path.join(workdir, "missing.json")], "cannot read")):
    p = run(args)
    need(p.returncode == 2 and text in p.stderr,
         f"{' '.join(args)}: exit {p.returncode}, stderr {p.stderr.strip()[-300:]!r}")

if errors:
    print("\n".join(errors))
    sys.exit(1)
skipped = sum(1 for r in rows if r.get("skipped"))
print(f"{out_path}: OK ({len(rows)} rows, {skipped} skipped)")
