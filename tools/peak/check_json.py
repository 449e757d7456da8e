"""Runs `vdk-peak --quick --json PATH` and checks the JSON it writes: every
field that docs/peak.md promises is there, every available measurement has
positive figures, every missing one says why. It asserts no speed.

usage: check_json.py [EMULATOR ARGS...] VDK_PEAK JSON_PATH
(a cross build passes its emulator, e.g. qemu-aarch64 -L /usr/aarch64-linux-gnu)
"""
import json
import os
import subprocess
import sys

if len(sys.argv) < 3:
    sys.exit(__doc__)
run, path = sys.argv[1:-1], sys.argv[-1]
if os.path.exists(path):
    os.remove(path)
subprocess.run(run + ["--quick", "--json", path], check=True)

with open(path) as f:
    doc = json.load(f)

errors = []
def need(cond, what):
    if not cond:
        errors.append(what)

for key in ("format", "version", "date", "host", "command", "devices"):
    need(key in doc, f"top-level '{key}' missing")
cpus = [d for d in doc.get("devices", []) if d.get("kind") == "cpu"]
need(len(cpus) == 1, "expected one device of kind 'cpu'")
for cpu in cpus:
    for key in ("model", "isa", "physical_cores", "caches", "method", "notes", "results"):
        need(key in cpu, f"cpu '{key}' missing")
    need(cpu.get("physical_cores", 0) >= 1, "physical_cores < 1")
    for key in ("l1d_bytes", "l2_bytes", "l3_bytes"):
        need(key in cpu.get("caches", {}), f"caches '{key}' missing")
    need(len(cpu.get("results", [])) >= 1, "no thread count measured")
    for res in cpu.get("results", []):
        t = res.get("threads")
        ms = res.get("measurements", [])
        need(isinstance(t, int) and t >= 1, f"bad thread count {t!r}")
        names = [m.get("name") for m in ms]
        for name in ("clock_estimate", "fp32_fma_512", "fp32_fma_256", "bf16_dot_512",
                     "copy", "read", "triad", "copy_nt"):
            need(name in names, f"threads={t}: '{name}' missing")
        need(any(m.get("available") for m in ms), f"threads={t}: nothing measured")
        for m in ms:
            tag = f"threads={t} {m.get('name')}"
            need(m.get("unit") in ("GHz", "GFLOP/s", "GB/s"), f"{tag}: bad unit")
            if m.get("available"):
                med, mx, reps = m.get("median"), m.get("max"), m.get("repetitions")
                need(isinstance(med, (int, float)) and med > 0, f"{tag}: median {med!r}")
                need(isinstance(mx, (int, float)) and mx >= med, f"{tag}: max {mx!r} < median")
                need(isinstance(reps, int) and reps >= 1, f"{tag}: repetitions {reps!r}")
            else:
                need(isinstance(m.get("reason"), str) and m["reason"], f"{tag}: no reason given")

if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"{path}: OK")
