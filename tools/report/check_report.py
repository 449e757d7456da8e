#!/usr/bin/env python3
"""Runs vdk_report.py on the committed sample result sets (tools/report/samples/)
and checks what it writes: the sections of the Markdown, a few figures that
follow from the samples by hand (a speed-up, a fraction of peak, a peak taken
from --peak), the plot files when this Python has matplotlib (and the note that
says they were skipped when it has not), that damaged input gives dashes and
warnings rather than a crash, and that unreadable input is refused.

    check_report.py VDK_REPORT_PY SAMPLES_DIR OUT_DIR

Exits non-zero with every problem found.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

generator, samples, out = sys.argv[1:4]
SETS = ["sample-cpu-reference.json", "sample-cpu-avx512.json", "sample-cpu-torch.json",
        "sample-h100-vulkan.json", "sample-h100-torch.json"]
SET_PATHS = [os.path.join(samples, s) for s in SETS]
errors = []


def need(cond, what):
    if not cond:
        errors.append(what)
    return cond


def run(args, rc=0):
    proc = subprocess.run([sys.executable, generator] + args, capture_output=True, text=True, timeout=600)
    need(proc.returncode == rc, f"vdk_report.py {' '.join(args)}: exit {proc.returncode}, expected {rc}\n"
                                f"{proc.stdout}{proc.stderr}")
    return proc


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def table_row(md, *cells):
    """The first Markdown table row that contains every one of `cells` as a cell."""
    for line in md.splitlines():
        if line.startswith("|"):
            row = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(c in row for c in cells):
                return row
    return None


try:
    import matplotlib  # noqa: F401
    have_mpl = True
except ImportError:
    have_mpl = False

if os.path.isdir(out):
    shutil.rmtree(out)
os.makedirs(out)

# 1. The full report, both image formats.
full = os.path.join(out, "full", "report.md")
run(SET_PATHS + ["--out", full, "--format", "svg,png"])
md = read(full) if need(os.path.exists(full), f"{full} not written") else ""
for heading in ["# vdk performance report", "## Summary", "## Devices and peaks", "## Cases",
                "## Provenance", "## Warnings", "### AMD EPYC 9R14 (Zen 4), 2 cores",
                "### NVIDIA H100 80GB HBM3"]:
    need(re.search("^" + re.escape(heading) + "$", md, re.M), f"report: no heading '{heading}'")
need("hand-written sample, not a measurement" in md, "report: the samples' note is not shown")
for path in SET_PATHS:
    doc = json.load(open(path))
    need(doc["command"] in md, f"report: provenance lacks the command of {os.path.basename(path)}")
    need(f"### `{os.path.basename(path)}`" in md, f"report: no provenance entry for {path}")
need("small/L0/layer_norm.tokens f32" in md, "report: the peer row without a vdk row is not named")

# Figures that follow from the samples: the cpu backend's temporal conv runs in
# 40.3 ms against PyTorch's 41.5 ms (1.03x), at 219 of 234 GFLOP/s (93.4 %).
row = table_row(md, "`L0/conv3d.temporal`", "f32", "cpu")
if need(row is not None, "report: no cpu row for L0/conv3d.temporal f32"):
    need("1.03×" in row, f"report: conv3d.temporal cpu speed-up is not 1.03×: {row}")
    need("93.4 %" in row, f"report: conv3d.temporal cpu fraction is not 93.4 %: {row}")
    need("41.5" in row, f"report: conv3d.temporal peer time is not 41.5 ms: {row}")
# No peer for blend: dashes in the peer columns.
row = table_row(md, "`L0/blend.frame`", "f32", "vulkan")
if need(row is not None, "report: no vulkan row for L0/blend.frame"):
    need(row[-1] == "—" and row[-2] == "—", f"report: blend without a peer should end in dashes: {row}")
# The summary's geometric mean: group_norm on the cpu backend, four rows with a
# peer (1.44/1.21, 1.92/0.66, 0.95/0.57, 0.33/0.31) -> 1.57x.
row = table_row(md, "group_norm", "4")
need(row is not None and "1.57× (4)" in row, f"report: group_norm cpu geometric mean is not 1.57× (4): {row}")
row = table_row(md, "NVIDIA H100 80GB HBM3", "gpu")
need(row is not None and "2,856" in row and "420,000" in row, f"report: H100 peaks row wrong: {row}")

images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
if have_mpl:
    for heading in ["## Rooflines", "## Speed-up over PyTorch", "## Per operator"]:
        need(re.search("^" + re.escape(heading) + "$", md, re.M), f"report: no heading '{heading}'")
    need(len(images) == 2 + 2 + 8, f"report: {len(images)} images, expected 12 (2 rooflines, 2 speed-ups, "
                                    "8 operators)")
    for img in images:
        need(img.endswith(".svg"), f"report: {img} is not the first format asked for (svg)")
        for ext in (".svg", ".png"):
            path = os.path.join(os.path.dirname(full), os.path.splitext(img)[0] + ext)
            if not need(os.path.exists(path) and os.path.getsize(path) > 1000, f"{path}: missing or empty"):
                continue
            if ext == ".svg":
                try:
                    need(ET.parse(path).getroot().tag.endswith("svg"), f"{path}: not an SVG")
                except ET.ParseError as e:
                    need(False, f"{path}: not XML: {e}")
            else:
                with open(path, "rb") as f:
                    need(f.read(8) == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG")
    for name in ["report-roofline-amd-epyc-9r14-zen-4-2-cores.svg", "report-roofline-nvidia-h100-80gb-hbm3.svg",
                 "report-speedup-nvidia-h100-80gb-hbm3.svg", "report-bars-conv3d.svg",
                 "report-bars-upsample.svg"]:
        need(name in images, f"report: {name} not linked")
else:
    need("Plots skipped" in md and "matplotlib" in md, "report: without matplotlib it must say plots were skipped")
    need(not images, "report: links images that were never drawn")

# 2. Markdown only: the report says why, and draws nothing.
only = os.path.join(out, "only", "report.md")
run(SET_PATHS + ["--out", only, "--no-plots"])
md = read(only) if need(os.path.exists(only), f"{only} not written") else ""
need("Plots skipped" in md and "--no-plots" in md, "--no-plots: the report does not say plots were skipped")
need(os.listdir(os.path.dirname(only)) == ["report.md"], "--no-plots: files other than the report written")

# 3. Peaks from a vdk-peak file: the CPU's copy median at 2 threads is 35.6 GB/s.
peak = os.path.join(out, "peak", "report.md")
run(SET_PATHS + ["--out", peak, "--no-plots", "--peak", os.path.join(samples, "sample-vdk-peak.json")])
md = read(peak) if need(os.path.exists(peak), f"{peak} not written") else ""
row = table_row(md, "AMD EPYC 9R14 (Zen 4), 2 cores", "cpu")
need(row is not None and "35.6" in row, f"--peak: CPU bandwidth is not the file's 35.6 GB/s: {row}")
need("sample-vdk-peak.json (2 threads, copy median)" in md, "--peak: the source of the bandwidth is not named")
need("no entry for device 'NVIDIA H100 80GB HBM3'" in md, "--peak: the device it lacks is not warned about")

# 3b. A Vulkan entry of vdk-peak (its figures at the device level, named by
# "name") gives the H100 its peaks: copy 2,800 GB/s and fp32 55,000 GFLOP/s
# here, so they differ from the set's own peak block.
with open(os.path.join(samples, "sample-vdk-peak.json")) as f:
    pdoc = json.load(f)
pdoc["devices"].append({
    "kind": "vulkan", "index": 0, "opened": True, "name": "NVIDIA H100 80GB HBM3",
    "driver": "NVIDIA 580.159.04", "api_version": "1.4.312", "type": "discrete",
    "measurements": [
        {"name": "fp32_fma", "unit": "GFLOP/s", "available": True, "median": 55000.0, "max": 55100.0,
         "repetitions": 15},
        {"name": "f16_fma", "unit": "GFLOP/s", "available": True, "median": 110000.0, "max": 110500.0,
         "repetitions": 15},
        {"name": "copy", "unit": "GB/s", "available": True, "median": 2800.0, "max": 2810.0, "repetitions": 15},
        {"name": "read", "unit": "GB/s", "available": True, "median": 3000.0, "max": 3010.0, "repetitions": 15},
        {"name": "coopmat_f16_f32", "unit": "GFLOP/s", "available": False, "median": None, "max": None,
         "repetitions": 0, "reason": "not measured"}]})
vkpeak_path = os.path.join(out, "vdk-peak-vulkan.json")
with open(vkpeak_path, "w") as f:
    json.dump(pdoc, f)
vkpeak = os.path.join(out, "peak-vulkan", "report.md")
run(SET_PATHS + ["--out", vkpeak, "--no-plots", "--peak", vkpeak_path])
md = read(vkpeak) if need(os.path.exists(vkpeak), f"{vkpeak} not written") else ""
row = table_row(md, "NVIDIA H100 80GB HBM3", "gpu")
need(row is not None and "2,800" in row and "55,000" in row,
     f"--peak with a Vulkan entry: H100 peaks are not the file's 2,800 GB/s and 55,000 GFLOP/s: {row}")
need("no entry for device 'NVIDIA H100 80GB HBM3'" not in md, "--peak: the H100's Vulkan entry was not found")
need("vdk-peak-vulkan.json (copy median)" in md, "--peak: the source of the H100 bandwidth is not named")

# 4. Damaged input: missing and wrong-typed fields print as dashes, bad rows are
# skipped with a warning; a compute-bound row below the ridge point is flagged.
damaged = os.path.join(out, "damaged.json")
with open(damaged, "w") as f:
    json.dump({"format": "vdk-results/1", "producer": "vdk",
               "device": {"kind": "cpu", "name": "Test CPU"},
               "peak": {"fp32_gflops": 100.0, "bandwidth_gbs": 10.0},
               "rows": [
                   {"name": "t/L0/group_norm.a", "dtype": "f32", "time_ms": None, "flops": 100, "bytes": 400},
                   {"name": "t/L0/conv3d.b", "dtype": "f16", "time_ms": 1.0, "flops": 1e6, "bytes": 1e6,
                    "bound": "compute", "fraction_of_peak": "high", "inputs": {"x": [2, "x"], "w": 7}},
                   {"name": "t/L0/attention.c", "time_ms": "fast", "kernel": 3},
                   {"op": "no name"},
                   5,
                   {"name": "t/L0/linear.d", "dtype": "bf16", "time_ms": 2.0, "flops": 0, "bytes": 0,
                    "bound": "weird"}]}, f)
dmd = os.path.join(out, "damaged", "report.md")
run([damaged, "--out", dmd])
md = read(dmd) if need(os.path.exists(dmd), f"{dmd} not written") else ""
need("row 3 has no name; skipped" in md and "row 4 is not an object; skipped" in md,
     "damaged: skipped rows are not warned about")
need("t/L0/group_norm.a f32: no time" in md, "damaged: a row without a time is not warned about")
row = table_row(md, "`L0/group_norm.a`")
need(row is not None and row.count("—") >= 8, f"damaged: missing values do not print as dashes: {row}")
row = table_row(md, "`L0/conv3d.b`")
need(row is not None and "compute †" in row, f"damaged: a compute row below the ridge is not flagged: {row}")
need("†" in md and "ridge point" in md, "damaged: the † is not explained")

# 5. Pipeline rows (vdk-run's and tools/peers/pipeline_peer.py's) pair by name,
# dtype and clip: svd-xt at the same clip gives 25 s / 10 s = 2.5x; the peer's
# lumiere-a ran another clip (16 frames), so it pairs with nothing and is named.
def pipeline_set(producer, backend, rows):
    return {"format": "vdk-results/1", "producer": producer, "host": "h",
            "device": {"kind": "cpu", "name": "Test CPU, 2 cores", "threads": 2}, "peak": None,
            "rows": [{"name": f"{m}/sampler_step", "op": f"pipeline.{p}.step", "set": m, "dtype": "f32",
                      "backend": backend, "kernel": "k", "time_ms": t, "flops": 5.77e11, "bytes": None,
                      "bound": "compute",
                      "params": {"batch": 1, "frames": T, "height": H, "width": H, "steps": 5,
                                 "guided": True}} for m, p, T, H, t in rows]}


pipes = []
for name, doc in (("pipe-vdk.json", pipeline_set("vdk", "cpu", [("svd-xt", "svd", 4, 128, 10000.0),
                                                                ("lumiere-a", "lumiere", 8, 16, 20000.0)])),
                  ("pipe-torch.json", pipeline_set("torch", "torch-cpu", [("svd-xt", "svd", 4, 128, 25000.0),
                                                                          ("lumiere-a", "lumiere", 16, 16, 30000.0)]))):
    pipes.append(os.path.join(out, name))
    with open(pipes[-1], "w") as f:
        json.dump(doc, f)
pmd = os.path.join(out, "pipelines", "report.md")
run(pipes + ["--out", pmd, "--no-plots"])
md = read(pmd) if need(os.path.exists(pmd), f"{pmd} not written") else ""
row = table_row(md, "`svd-xt/sampler_step`", "cpu")
need(row is not None and "2.50×" in row and "batch 1 × 4 frames 128×128, CFG" in row,
     f"pipelines: svd-xt's step does not pair with its peer at 2.50×, or its clip is not shown: {row}")
row = table_row(md, "`lumiere-a/sampler_step`", "cpu")
need(row is not None and row[-1] == "—", f"pipelines: lumiere-a paired with a peer of another clip: {row}")
need("lumiere-a/sampler_step f32 (batch 1 × 16 frames 16×16, CFG)" in md,
     "pipelines: the peer row of another clip is not named as unpaired")
row = table_row(md, "pipeline.svd.step", "1")
need(row is not None and "2.50× (1)" in row, f"pipelines: the summary lacks svd's 2.50× (1): {row}")

# 6. Unreadable input is refused, with the file named.
bad = os.path.join(out, "bad.json")
with open(bad, "w") as f:
    f.write("{")
proc = run([bad, "--out", os.path.join(out, "bad", "r.md")], rc=2)
need("bad.json: not JSON" in proc.stderr, f"bad JSON: message does not name the file: {proc.stderr}")
proc = run([os.path.join(samples, "sample-vdk-peak.json"), "--out", os.path.join(out, "bad", "r.md")], rc=2)
need("not a result set" in proc.stderr, f"a vdk-peak file as a set: not refused clearly: {proc.stderr}")
run(SET_PATHS[:1] + ["--out", os.path.join(out, "bad", "r.md"), "--format", "gif"], rc=2)

if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"vdk_report.py: OK ({'with' if have_mpl else 'without'} matplotlib)")
