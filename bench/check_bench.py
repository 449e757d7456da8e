"""Checks vdk-bench's JSON against docs/results.md. It asserts no time or speed.

usage:
  check_bench.py cases VDK_BENCH SET
      runs `VDK_BENCH --export-cases --set SET` and checks the case export:
      every field, names of the form <set>/<group>/<op>.<variant> and unique,
      every operator present, min_bytes = the elements of every input and the
      output times the bytes per element.
  check_bench.py results FILE --exe VDK_BENCH [--peak PEAK] [--gbench GB_JSON]
                 [--complete] [--all-skipped]
      checks a result set: every field; each row's flops, bytes, params and
      inputs equal to its case in the set's export; gflops and gbs consistent
      with time_ms; fraction_of_peak from the peak file's figures, or null with
      a note when there is none; the cpu backend's rows name the CPU tier that
      ran (cpu_isa, the backend cpu/TIER under --isa, the kernel's prefix). --complete: every case of the set has a row
      or a skip, and nothing failed. --all-skipped: no rows, only skips.
      --gbench: Google Benchmark's JSON of the same run has the counters,
      labels and context.
  check_bench.py vulkan VDK_BENCH PEAK OUT
      runs unary and softmax of the small set on the Vulkan backend with the
      vdk-peak file PEAK and checks the Vulkan result set (OUT.vulkan.json):
      the device is named, its figures come from PEAK's Vulkan entry of that
      name. Exit 77 (skipped) when there is no Vulkan device.
"""
import json
import math
import os
import subprocess
import sys

OPS = ["group_norm", "conv3d", "attention", "linear", "layer_norm", "rms_norm", "softmax",
       "unary", "binary", "blend", "upsample", "timestep_embedding", "concat"]
DTYPES = {"f32": 4, "f16": 2, "bf16": 2}
PARAMS = {
    "group_norm": {"groups", "eps", "scope", "act"},
    "conv3d": {"stride", "padding", "act"},
    "attention": {"axes", "heads", "scale"},
    "linear": {"act"},
    "layer_norm": {"eps"},
    "rms_norm": {"eps"},
    "softmax": {"scale"},
    "unary": {"op", "alpha", "beta"},
    "binary": {"op"},
    "blend": {"alpha", "sigmoid"},
    "upsample": {"factor"},
    "timestep_embedding": {"dim", "flip_sin_to_cos", "interleave", "downscale_freq_shift",
                           "scale", "max_period"},
    "concat": {"axis"},
}
ENUMS = {"scope": {"per_frame", "per_clip"}, "act": {"none", "silu", "gelu", "geglu"},
         "axes": {"spatial", "temporal", "spatiotemporal"}}
INPUTS = {
    "group_norm": ["x", "gamma", "beta"], "conv3d": ["x", "w", "bias", "residual"],
    "attention": ["q", "k", "v"], "linear": ["x", "w", "bias", "residual"],
    "layer_norm": ["x", "gamma", "beta"], "rms_norm": ["x", "gamma"], "softmax": ["x"],
    "unary": ["x"], "binary": ["a", "b"], "blend": ["a", "b", "alpha"], "upsample": ["x"],
    "timestep_embedding": ["t"], "concat": ["a", "b"],
}
COMPUTE_OPS = {"conv3d", "linear"}

errors = []


def need(cond, what):
    if not cond:
        errors.append(what)
    return cond


def prod(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def is_shape(s):
    return isinstance(s, list) and 1 <= len(s) <= 5 and all(
        isinstance(d, int) and d >= 1 for d in s)


def export(exe, set_name):
    out = subprocess.run([exe, "--export-cases", "--set", set_name], check=True,
                         stdout=subprocess.PIPE).stdout
    return json.loads(out)


def check_params(tag, op, params):
    need(isinstance(params, dict) and set(params) == PARAMS[op],
         f"{tag}: params {sorted(params) if isinstance(params, dict) else params!r}, "
         f"expected {sorted(PARAMS[op])}")
    for key, allowed in ENUMS.items():
        if key in params and not (op == "unary" and key == "op"):
            need(params[key] in allowed, f"{tag}: {key} {params[key]!r}")
    if op == "unary":
        need(params.get("op") in {"silu", "gelu", "sigmoid", "affine"}, f"{tag}: unary op")
    if op == "binary":
        need(params.get("op") in {"add", "sub", "mul"}, f"{tag}: binary op")
    for key in ("stride", "padding", "factor"):
        if key in params:
            need(isinstance(params[key], list) and len(params[key]) == 3, f"{tag}: {key} (t,h,w)")


def check_cases(doc, set_name):
    need(doc.get("format") == "vdk-cases/1", "format is not vdk-cases/1")
    need(doc.get("set") == set_name, f"set {doc.get('set')!r}")
    cases = doc.get("cases", [])
    need(len(cases) > 0, "no cases")
    names = set()
    ops = set()
    for c in cases:
        name = c.get("name", "")
        tag = name or "(unnamed)"
        for key in ("name", "op", "params", "inputs", "output", "flops", "bytes_per_element",
                    "min_bytes", "bound"):
            need(key in c, f"{tag}: '{key}' missing")
        need(name not in names, f"{tag}: name not unique")
        names.add(name)
        parts = name.split("/")
        op = c.get("op")
        need(op in OPS, f"{tag}: op {op!r}")
        if op not in OPS:
            continue
        ops.add(op)
        need(len(parts) == 3 and parts[0] == set_name and parts[1] and
             parts[2].startswith(op + ".") and len(parts[2]) > len(op) + 1,
             f"{tag}: expected {set_name}/<group>/{op}.<variant>")
        check_params(tag, op, c.get("params", {}))
        inputs = c.get("inputs", {})
        need(set(inputs) <= set(INPUTS[op]) and INPUTS[op][0] in inputs,
             f"{tag}: inputs {sorted(inputs)}")
        need(all(is_shape(s) for s in inputs.values()), f"{tag}: a bad input shape")
        need(is_shape(c.get("output")), f"{tag}: bad output shape")
        need(isinstance(c.get("flops"), int) and c["flops"] >= 0, f"{tag}: flops {c.get('flops')!r}")
        need(c.get("bytes_per_element") == DTYPES, f"{tag}: bytes_per_element")
        elements = sum(prod(s) for s in inputs.values()) + prod(c.get("output", []))
        for dt, size in DTYPES.items():
            need(c.get("min_bytes", {}).get(dt) == elements * size,
                 f"{tag}: min_bytes {dt} {c.get('min_bytes', {}).get(dt)!r}, "
                 f"expected {elements * size}")
        want_bound = "compute" if op in COMPUTE_OPS or (
            op == "attention" and c["params"].get("axes") != "temporal"
            and inputs.get("k") == inputs.get("q")) else "memory"
        need(c.get("bound") == want_bound, f"{tag}: bound {c.get('bound')!r}, expected {want_bound}")
    need(ops == set(OPS), f"operators missing: {sorted(set(OPS) - ops)}")
    return {c["name"]: c for c in cases}


def close(a, b, rel=1e-9):
    return a is not None and b is not None and abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def peak_figures(path, dev):
    """The denominators in the vdk-peak file for the result set's device: the
    CPU at the set's thread count (or the nearest below), or the Vulkan entry
    of the device's name (its index first); None when the file has none."""
    with open(path) as f:
        doc = json.load(f)
    if dev.get("kind") == "vulkan":
        named = [d for d in doc["devices"]
                 if d.get("kind") == "vulkan" and d.get("name") == dev.get("name")]
        pick = next((d for d in named if d.get("index") == dev.get("index")),
                    named[0] if named else None)
        if pick is None:
            return None
        med = {m["name"]: m["median"] for m in pick["measurements"] if m.get("available")}
        return {"fp32": med.get("fp32_fma"), "f16": med.get("f16_fma"), "bf16": None,
                "bw": med.get("copy")}
    cpu = next(d for d in doc["devices"] if d["kind"] == "cpu")
    results = sorted(cpu["results"], key=lambda r: r["threads"])
    below = [r for r in results if r["threads"] <= dev.get("threads", 1)]
    pick = below[-1] if below else results[0]
    med = {m["name"]: m["median"] for m in pick["measurements"] if m.get("available")}
    fp32 = max([v for k, v in med.items() if k in ("fp32_fma_512", "fp32_fma_256")],
               default=None)
    return {"fp32": fp32, "f16": None, "bf16": med.get("bf16_dot_512"), "bw": med.get("copy")}


def compute_denominator(fig, dt):
    """A row's compute ceiling: its dtype's own rate where measured and faster
    than fp32 (lavapipe emulates f16 slower than it does fp32), else fp32."""
    own = fig.get(dt) if dt in ("f16", "bf16") else None
    return own if own and own > fig["fp32"] else fig["fp32"]


def check_tier(tag, backend, isa, kernel):
    """cpu rows: the tier that ran, "cpu/TIER" naming it under --isa, and the
    kernel of that tier ("avx2.unary.f32"); no tier off the cpu backend."""
    base, _, tier = backend.partition("/")
    if base != "cpu":
        need(isa is None and not tier, f"{tag}: cpu_isa {isa!r} off the cpu backend")
        return
    if not need(isinstance(isa, str) and isa, f"{tag}: cpu_isa {isa!r}"):
        return
    need(not tier or tier == isa, f"{tag}: cpu_isa {isa!r} on backend {backend}")
    need(isinstance(kernel, str) and kernel.startswith(isa + "."),
         f"{tag}: kernel {kernel!r} is not of tier {isa}")


def check_results(path, exe, peak_path, gbench_path, complete, all_skipped):
    with open(path) as f:
        doc = json.load(f)
    for key in ("format", "created", "command", "commit", "build", "host", "device", "peak",
                "producer", "rows"):
        need(key in doc, f"top-level '{key}' missing")
    need(doc.get("format") == "vdk-results/1", "format is not vdk-results/1")
    need(doc.get("producer") == "vdk", "producer is not vdk")
    need(isinstance(doc.get("commit"), str) and doc["commit"], "commit empty")
    for key in ("compiler", "flags", "build_type"):
        need(isinstance(doc.get("build", {}).get(key), str), f"build.{key} missing")
    dev = doc.get("device", {})
    for key in ("kind", "name", "vendor", "model", "driver", "api_version", "isa", "threads",
                "caches"):
        need(key in dev, f"device.{key} missing")
    if dev.get("kind") == "cpu":
        need(isinstance(dev.get("isa"), list), "device.isa is not a list")
        need(isinstance(dev.get("threads"), int) and dev["threads"] >= 1, "device.threads")
        need(set(dev.get("caches", {})) >= {"l1d", "l2", "l3"}, "device.caches")
    peak = doc.get("peak", {})
    for key in ("source", "fp32_gflops", "f16_gflops", "bf16_gflops", "bandwidth_gbs"):
        need(key in peak, f"peak.{key} missing")
    notes = doc.get("notes", [])
    need(isinstance(notes, list), "notes is not a list")
    skipped = doc.get("skipped", [])
    need(isinstance(skipped, list), "skipped is not a list")
    for s in skipped:
        need(isinstance(s.get("reason"), str) and s["reason"], f"skip without a reason: {s}")

    rows = doc.get("rows", [])
    set_name = rows[0]["set"] if rows else doc.get("set")
    cases = check_cases(export(exe, set_name), set_name) if set_name else {}
    fig = peak_figures(peak_path, dev) if peak_path else None
    if fig:
        need(peak.get("source") == peak_path, f"peak.source {peak.get('source')!r}")
        need(close(peak.get("fp32_gflops"), fig["fp32"]), "peak.fp32_gflops not the file's")
        need(close(peak.get("bandwidth_gbs"), fig["bw"]), "peak.bandwidth_gbs not the file's")
        if fig["f16"]:
            need(close(peak.get("f16_gflops"), fig["f16"]), "peak.f16_gflops not the file's")
    elif peak_path:
        need(peak.get("fp32_gflops") is None and peak.get("bandwidth_gbs") is None,
             "peak figures of a device the peak file lacks")
        need(any("no fraction_of_peak" in n for n in notes),
             "no note saying why the rows have no fraction_of_peak")
    else:
        need(peak.get("fp32_gflops") is None and peak.get("bandwidth_gbs") is None,
             "peak figures without a peak file")
        need(any("fraction_of_peak is null" in n for n in notes),
             "no note saying why fraction_of_peak is null")

    seen = set()
    for r in rows:
        tag = f"{r.get('name')} {r.get('backend')} {r.get('dtype')}"
        for key in ("name", "op", "set", "dtype", "backend", "cpu_isa", "kernel", "params",
                    "inputs", "time_ms", "time_ms_min", "repetitions", "flops", "bytes", "gflops",
                    "gbs", "bound", "fraction_of_peak"):
            need(key in r, f"{tag}: '{key}' missing")
        check_tier(tag, r.get("backend", ""), r.get("cpu_isa"), r.get("kernel"))
        need((r.get("name"), r.get("backend"), r.get("dtype")) not in seen, f"{tag}: twice")
        seen.add((r.get("name"), r.get("backend"), r.get("dtype")))
        c = cases.get(r.get("name"))
        if not need(c is not None, f"{tag}: not a case of set {set_name}"):
            continue
        dt = r.get("dtype")
        need(dt in DTYPES, f"{tag}: dtype {dt!r}")
        need(r.get("set") == set_name, f"{tag}: set {r.get('set')!r}")
        need(r.get("op") == c["op"] and r.get("params") == c["params"] and
             r.get("inputs") == c["inputs"], f"{tag}: op/params/inputs differ from the export")
        need(r.get("flops") == c["flops"], f"{tag}: flops {r.get('flops')} vs {c['flops']}")
        need(r.get("bytes") == c["min_bytes"].get(dt), f"{tag}: bytes vs min_bytes")
        need(r.get("bound") == c["bound"], f"{tag}: bound")
        need(isinstance(r.get("kernel"), str) and r["kernel"], f"{tag}: kernel empty")
        t = r.get("time_ms")
        if not need(isinstance(t, (int, float)) and t > 0, f"{tag}: time_ms {t!r}"):
            continue
        need(isinstance(r.get("time_ms_min"), (int, float)) and 0 < r["time_ms_min"] <= t * (1 + 1e-9),
             f"{tag}: time_ms_min {r.get('time_ms_min')!r} vs median {t}")
        need(isinstance(r.get("repetitions"), int) and r["repetitions"] >= 1, f"{tag}: repetitions")
        need(close(r.get("gflops"), r["flops"] / (t * 1e6), 1e-6), f"{tag}: gflops != flops/time")
        need(close(r.get("gbs"), r["bytes"] / (t * 1e6), 1e-6), f"{tag}: gbs != bytes/time")
        frac = r.get("fraction_of_peak")
        if fig:
            denom = fig["bw"] if r["bound"] == "memory" else compute_denominator(fig, dt)
            rate = r["gbs"] if r["bound"] == "memory" else r["gflops"]
            need(close(frac, rate / denom, 1e-6), f"{tag}: fraction_of_peak {frac!r}, "
                 f"expected {rate / denom}")
        else:
            need(frac is None, f"{tag}: fraction_of_peak without a peak")

    if complete:
        backends = {r["backend"] for r in rows}
        dtypes = {r["dtype"] for r in rows}
        covered = {(r["name"], r["backend"], r["dtype"]) for r in rows}
        covered |= {(s.get("name"), s.get("backend"), s.get("dtype")) for s in skipped}
        for name in cases:
            for b in backends:
                for dt in dtypes:
                    need((name, b, dt) in covered, f"{name} {b} {dt}: neither a row nor a skip")
        need(not any(s.get("failed") for s in skipped),
             f"failures: {[s for s in skipped if s.get('failed')]}")
    if all_skipped:
        need(not rows, f"{len(rows)} rows, expected none")
        need(skipped and all(not s.get("failed") for s in skipped), "expected skips, no failures")

    if gbench_path:
        check_gbench(gbench_path, rows, peak_path is not None)
    return len(rows), len(skipped)


def check_gbench(path, rows, with_peak):
    """Google Benchmark's own JSON: compare.py reads benchmarks[].name,
    real_time, time_unit; vdk's counters and labels ride along."""
    with open(path) as f:
        doc = json.load(f)
    ctx = doc.get("context", {})
    for key in ("vdk_commit", "vdk_set", "vdk_cpu", "vdk_backends", "vdk_peak", "vdk_build"):
        need(key in ctx, f"gbench context '{key}' missing")
    benches = doc.get("benchmarks", [])
    need(benches, "gbench: no benchmarks")
    by_name = {}
    for b in benches:
        if b.get("error_occurred"):
            need(b.get("error_message"), f"gbench {b.get('name')}: error without a message")
            continue
        for key in ("name", "run_name", "real_time", "time_unit", "iterations"):
            need(key in b, f"gbench {b.get('name')}: '{key}' missing")
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") == "cv":
            continue
        counters = {"flops", "bytes", "GFLOP/s", "GB/s"} | ({"fraction_of_peak"} if with_peak else set())
        need(counters <= set(b), f"gbench {b.get('name')}: counters {sorted(counters - set(b))} missing")
        need(str(b.get("label", "")).startswith("backend="), f"gbench {b.get('name')}: label")
        need(b.get("name", "").endswith("/manual_time") or "/manual_time_" in b.get("name", ""),
             f"gbench {b.get('name')}: not manual time")
        by_name.setdefault(b["run_name"], []).append(b)
    for r in rows:
        run_name = f"{r['name']}/{r['backend']}/{r['dtype']}/manual_time"
        need(run_name in by_name, f"gbench: no runs of {run_name}")


def check_vulkan(exe, peak_path, out):
    """A short run of the Vulkan backend with a vdk-peak file: the Vulkan result
    set (OUT's .vulkan.json sibling) names the device and takes its figures
    from the file's Vulkan entry. No Vulkan device: a SKIP line and exit 77,
    a failure with VDK_TEST_REQUIRE_VULKAN=1."""
    proc = subprocess.run([exe, "--set", "small", "--backend", "vulkan", "--op", "unary,softmax",
                           "--quick", "--peak", peak_path, "--out", out],
                          capture_output=True, text=True, timeout=600)
    if "no backend could create a context" in proc.stderr:
        print(f"SKIP: no Vulkan context: {proc.stderr.strip()}")
        if os.environ.get("VDK_TEST_REQUIRE_VULKAN") == "1":
            sys.exit("FAIL: VDK_TEST_REQUIRE_VULKAN=1 requires one")
        sys.exit(77)
    need(proc.returncode == 0, f"vdk-bench exit {proc.returncode}: {proc.stderr[-2000:]}")
    base, ext = os.path.splitext(out)
    path = f"{base}.vulkan{ext}"
    if not need(os.path.exists(path), f"{path} not written"):
        return f"{path}: missing"
    with open(path) as f:
        doc = json.load(f)
    dev = doc.get("device", {})
    need(dev.get("kind") == "vulkan" and isinstance(dev.get("name"), str) and dev["name"]
         and isinstance(dev.get("driver"), str) and isinstance(dev.get("api_version"), str),
         f"device: {dev}")
    with open(peak_path) as f:
        entries = [d for d in json.load(f)["devices"] if d.get("kind") == "vulkan"]
    if any(d.get("name") == dev.get("name") for d in entries):
        need(doc.get("peak", {}).get("fp32_gflops") is not None,
             "the peak file has the device, the set has no peak")
        need(any(r.get("fraction_of_peak") is not None for r in doc.get("rows", [])),
             "no row has a fraction_of_peak")
    n, s = check_results(path, exe, peak_path, None, False, False)
    return f"{path}: {n} rows, {s} skips"


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "cases":
        check_cases(export(sys.argv[2], sys.argv[3]), sys.argv[3])
        summary = f"set {sys.argv[3]}"
    elif len(sys.argv) >= 3 and sys.argv[1] == "results":
        args = sys.argv[3:]

        def opt(name):
            return args[args.index(name) + 1] if name in args else None
        exe = opt("--exe")
        if not exe:
            sys.exit("results needs --exe VDK_BENCH")
        n, s = check_results(sys.argv[2], exe, opt("--peak"), opt("--gbench"),
                             "--complete" in args, "--all-skipped" in args)
        summary = f"{sys.argv[2]}: {n} rows, {s} skips"
    elif len(sys.argv) >= 5 and sys.argv[1] == "vulkan":
        summary = check_vulkan(*sys.argv[2:5])
        if summary is None:
            return
    else:
        sys.exit(__doc__)
    for e in errors[:50]:
        print("FAIL", e)
    if errors:
        print(f"{len(errors)} problems")
        sys.exit(1)
    print("ok:", summary)


main()
