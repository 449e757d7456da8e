"""Runs `vdk-peak --quick --json PATH` and checks the JSON it writes: every
field that docs/peak.md promises is there, every available measurement has
positive figures, every missing one says why. It asserts no speed.

Vulkan devices: each entry must have its fields and measurements, fp32_fma,
copy and read measured (f16_fma may be missing with a reason), and no
validation-layer message. No Vulkan device at all is a SKIP line, a failure
when VDK_TEST_REQUIRE_VULKAN=1 (as the test programs do). With --no-vulkan,
vdk-peak gets that option and there must be no Vulkan entry.

usage: check_json.py [--no-vulkan] [EMULATOR ARGS...] VDK_PEAK JSON_PATH
(a cross build passes its emulator, e.g. qemu-aarch64 -L /usr/aarch64-linux-gnu)
"""
import json
import os
import subprocess
import sys

if len(sys.argv) < 3:
    sys.exit(__doc__)
args = sys.argv[1:]
no_vulkan = args[0] == "--no-vulkan"
if no_vulkan:
    args = args[1:]
if len(args) < 2:
    sys.exit(__doc__)
run, path = args[:-1], args[-1]
if os.path.exists(path):
    os.remove(path)
subprocess.run(run + ["--quick", "--json", path] + (["--no-vulkan"] if no_vulkan else []),
               check=True)

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

def check_measurement(tag, m):
    if m.get("available"):
        med, mx, reps = m.get("median"), m.get("max"), m.get("repetitions")
        need(isinstance(med, (int, float)) and med > 0, f"{tag}: median {med!r}")
        need(isinstance(mx, (int, float)) and mx >= med, f"{tag}: max {mx!r} < median")
        need(isinstance(reps, int) and reps >= 1, f"{tag}: repetitions {reps!r}")
    else:
        need(isinstance(m.get("reason"), str) and m["reason"], f"{tag}: no reason given")

VK_MEASUREMENTS = ("fp32_fma", "f16_fma", "copy", "read", "coopmat_f16_f32")
vulkans = [d for d in doc.get("devices", []) if d.get("kind") == "vulkan"]
for d in vulkans:
    tag = f"vulkan device {d.get('index')!r}"
    for key in ("index", "opened", "name", "driver", "api_version", "type", "method",
                "validation_messages", "measurements"):
        need(key in d, f"{tag}: '{key}' missing")
    ms = {m.get("name"): m for m in d.get("measurements", [])}
    for name in VK_MEASUREMENTS:
        need(name in ms, f"{tag}: '{name}' missing")
    for name, m in ms.items():
        need(m.get("unit") == ("GB/s" if name in ("copy", "read") else "GFLOP/s"),
             f"{tag} {name}: bad unit {m.get('unit')!r}")
        check_measurement(f"{tag} {name}", m)
        if m.get("available"):
            work = m.get("work_per_repetition")
            need(isinstance(work, (int, float)) and work > 0, f"{tag} {name}: work {work!r}")
            need(m.get("timer") in ("gpu_timestamps", "host_clock"), f"{tag} {name}: timer")
    if d.get("opened"):
        need(isinstance(d.get("name"), str) and d["name"], f"{tag}: no name")
        need(isinstance(d.get("api_version"), str), f"{tag}: no api_version")
        for name in ("fp32_fma", "copy", "read"):
            need(ms.get(name, {}).get("available"), f"{tag}: '{name}' not measured: "
                 f"{ms.get(name, {}).get('reason')}")
        need(d.get("validation_messages") == 0,
             f"{tag}: {d.get('validation_messages')} validation-layer messages, the first: "
             f"{d.get('first_validation_message')}")
    else:
        need(isinstance(d.get("reason"), str) and d["reason"], f"{tag}: not opened, no reason")

skip = None
if no_vulkan:
    need(not vulkans, "--no-vulkan: the JSON has Vulkan entries")
elif not any(d.get("opened") for d in vulkans):
    notes = [n for c in cpus for n in c.get("notes", []) if n.startswith("Vulkan")]
    skip = f"SKIP: no Vulkan device was measured ({'; '.join(notes) or 'no note says why'})"
    need(os.environ.get("VDK_TEST_REQUIRE_VULKAN") != "1",
         f"VDK_TEST_REQUIRE_VULKAN=1 and {skip}")

if errors:
    print("\n".join(errors))
    sys.exit(1)
if skip:
    print(skip)
print(f"{path}: OK" + (f", {len(vulkans)} Vulkan device(s)" if vulkans else ""))
