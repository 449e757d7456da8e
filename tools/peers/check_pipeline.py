"""Runs vdk-run and the pipeline peer (pipeline_peer.py) on the tiny set of
tools/pipeline_configs.json and checks: both exit 0; both result sets have the
fields of docs/results.md; the peer's row is vdk-run's configuration (name, op,
set, dtype, params, flops copied) on the same device; the peer's final sample
agrees with vdk-run's (same seeded weights, inputs and sampler: within 1e-3
relative rms, where a different graph or schedule is off by far more); the
report pairs the two rows; and the refusals (another configuration's vdk-run
file, an unknown model) exit 2. It asserts no speed.

usage: check_pipeline.py PYTHON VDK_RUN WORKDIR MODEL...
"""
import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "pipeline_peer.py")
REPORT = os.path.join(os.path.dirname(HERE), "report", "vdk_report.py")
python, vdk_run, workdir = sys.argv[1:4]
models = sys.argv[4:]
os.makedirs(workdir, exist_ok=True)
errors = []
env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"))


def need(cond, what):
    if not cond:
        errors.append(what)
    return cond


def run(args):
    return subprocess.run(args, capture_output=True, text=True, timeout=600, env=env)


def close(a, b, rel=1e-6):
    return isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
        abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


TOP = ("format", "created", "command", "commit", "build", "host", "device", "peak", "producer",
       "rows")
ROW = ("name", "op", "set", "dtype", "backend", "kernel", "params", "time_ms", "time_ms_min",
       "repetitions", "flops", "bytes", "gflops", "gbs", "bound", "fraction_of_peak")

pairs = []
for model in models:
    p = run([python, PEER, "--set", "tiny", "--vdk-run-args", model])
    if not need(p.returncode == 0, f"{model}: --vdk-run-args exited {p.returncode}: {p.stderr}"):
        continue
    vdk_path = os.path.join(workdir, f"vdk-run-{model}.json")
    torch_path = os.path.join(workdir, f"torch-{model}.json")
    for path in (vdk_path, torch_path):
        if os.path.exists(path):
            os.remove(path)
    v = run([vdk_run, model] + shlex.split(p.stdout) + ["--quiet", "--out", vdk_path])
    if not need(v.returncode == 0, f"{model}: vdk-run exited {v.returncode}: {v.stderr[-2000:]}"):
        continue
    t = run([python, PEER, "--set", "tiny", "--model", model, "--vdk", vdk_path, "--out", torch_path])
    if not need(t.returncode == 0, f"{model}: the peer exited {t.returncode}: {t.stdout[-1000:]}"
                                   f"{t.stderr[-2000:]}"):
        continue
    docs = {}
    for who, path in (("vdk", vdk_path), ("torch", torch_path)):
        with open(path, encoding="utf-8") as f:
            doc = docs[who] = json.load(f)
        for key in TOP:
            need(key in doc, f"{model} {who}: top-level '{key}' missing")
        need(doc.get("format") == "vdk-results/1" and doc.get("producer") == who,
             f"{model} {who}: format {doc.get('format')!r}, producer {doc.get('producer')!r}")
        need(len(doc.get("rows", [])) == 1, f"{model} {who}: {len(doc.get('rows', []))} rows, expected 1")
        for key in ROW:
            need(key in doc["rows"][0], f"{model} {who}: row field '{key}' missing")
    vr, tr = docs["vdk"]["rows"][0], docs["torch"]["rows"][0]
    for key in ("name", "op", "set", "dtype", "params", "flops", "bound"):
        need(vr.get(key) == tr.get(key), f"{model}: {key} differs: vdk-run {vr.get(key)!r}, "
                                         f"peer {tr.get(key)!r}")
    need(vr.get("name") == f"{model}/sampler_step", f"{model}: vdk-run's row is {vr.get('name')!r}")
    need(tr.get("backend") == "torch-cpu", f"{model}: peer backend {tr.get('backend')!r}")
    vd, td = docs["vdk"]["device"], docs["torch"]["device"]
    need(vd.get("kind") == td.get("kind") == "cpu" and vd.get("name") == td.get("name")
         and vd.get("threads") == td.get("threads"),
         f"{model}: devices differ (vdk-run {vd.get('name')!r} x{vd.get('threads')}, peer "
         f"{td.get('name')!r} x{td.get('threads')}): the report would not pair them")
    time_ms, steps = tr.get("time_ms"), tr.get("params", {}).get("steps")
    need(isinstance(time_ms, float) and time_ms > 0 and 0 < tr.get("time_ms_min", 0) <= time_ms,
         f"{model}: peer times {time_ms!r}, {tr.get('time_ms_min')!r}")
    need(tr.get("repetitions") == steps and len(tr.get("step_ms", [])) == steps,
         f"{model}: peer repetitions {tr.get('repetitions')!r} for {steps} steps")
    need(close(tr.get("gflops"), tr["flops"] / (time_ms * 1e6)), f"{model}: gflops is not flops / time")
    diff = tr.get("sample_rms_rel_diff")
    need(isinstance(diff, float) and diff <= 1e-3 and close(tr.get("vdk_sample_rms"), vr.get("sample_rms")),
         f"{model}: samples disagree: peer rms {tr.get('sample_rms')!r}, vdk-run's "
         f"{vr.get('sample_rms')!r}, relative difference {diff!r}")
    pairs += [vdk_path, torch_path]

    # Refusals: another model's vdk-run file, a model the set lacks.
    other = os.path.join(workdir, "other.json")
    with open(other, "w", encoding="utf-8") as f:
        doc = dict(docs["vdk"])
        row = dict(vr, params=dict(vr["params"], frames=vr["params"]["frames"] * 2))
        json.dump(dict(doc, rows=[row]), f)
    for args, text in ((["--model", model, "--vdk", other], "another configuration"),
                       (["--model", "no-such-model"], "has no model")):
        r = run([python, PEER, "--set", "tiny"] + args)
        need(r.returncode == 2 and text in r.stderr,
             f"{' '.join(args)}: exit {r.returncode}, stderr {r.stderr.strip()[-300:]!r}")

if pairs:
    md_path = os.path.join(workdir, "report", "report.md")
    r = subprocess.run([sys.executable, REPORT] + pairs + ["--out", md_path, "--no-plots"],
                       capture_output=True, text=True, timeout=600)
    if need(r.returncode == 0, f"report exited {r.returncode}: {r.stderr[-1000:]}"):
        with open(md_path, encoding="utf-8") as f:
            md = f.read()
        for model in models:
            # One model alone is one set, whose prefix the report leaves out.
            case = f"{model}/sampler_step" if len(models) > 1 else "sampler_step"
            line = next((l for l in md.splitlines() if l.startswith(f"| `{case}`")
                         and "| vdk-run |" not in l and "`vdk-run`" in l), "")
            need(line.rstrip().endswith("× |"), f"report: {model}'s step has no speed-up: {line!r}")
        need("## Warnings" not in md, "report: warnings (an unpaired row?)")

if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"pipeline peer: OK ({', '.join(models)})")
