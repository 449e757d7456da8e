#!/usr/bin/env bash
# The main job, on every backend this machine has:
#   1. validate every operator against the reference (vdk-validate),
#   2. measure the machine's peaks (vdk-peak),
#   3. benchmark every operator on the shape set (vdk-bench),
#   4. time PyTorch on the same cases (tools/peers/torch_peer.py),
#   5. write the report with its plots to results/<device>/.
# VDK_SET picks the shape set (default small; see docs/bench.md). Extra
# arguments go to vdk-bench (e.g. --backend reference --dtype f32,f16).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --peers

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build
set=${VDK_SET:-small}
# On small shared VMs libgomp's spinning waits stall each parallel region by
# a scheduler tick (4-8 ms per call seen here); sleeping waits do not. vdk and
# the peer run under the same policy, which the result sets record.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
work=build/main
mkdir -p "$work"
step() { printf '\n== [%s] %s\n' "$1" "$2"; }
start=$SECONDS

step 1/5 "validate every operator on every backend (vdk-validate --set $set)"
build/tools/vdk-validate --set "$set" --json "$work/validate.json" --quiet

step 2/5 "measure this machine's peaks (vdk-peak)"
build/tools/peak/vdk-peak --json "$work/peak.json"

step 3/5 "benchmark vdk (vdk-bench --set $set)"
build/bench/vdk-bench --set "$set" --peak "$work/peak.json" --out "$work/vdk-$set.json" "$@"

step 4/5 "time PyTorch on the same cases (the peer)"
build/bench/vdk-bench --set "$set" --export-cases > "$work/cases-$set.json"
# Timed like vdk-bench: the median of 5 repetitions, each the mean of calls
# over at least 0.1 s.
/usr/bin/python3 tools/peers/torch_peer.py --cases "$work/cases-$set.json" \
  --repetitions 5 --repetition-time 0.1 --peak "$work/peak.json" --out "$work/torch-$set.json"

step 5/5 "report"
slug=$(python3 - "$work/vdk-$set.json" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))["device"]
name = "%s-%dt" % (d.get("name") or d.get("model") or "device", d.get("threads") or 0)
print(re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))
PY
)
dest=results/$slug
mkdir -p "$dest"
cp "$work/peak.json" "$dest/peak.json"
cp "$work/validate.json" "$dest/validate-$set.json"
cp "$work/vdk-$set.json" "$dest/vdk-$set.json"
cp "$work/torch-$set.json" "$dest/torch-$set.json"
/usr/bin/python3 tools/report/vdk_report.py "$dest/vdk-$set.json" "$dest/torch-$set.json" \
  --peak "$dest/peak.json" --format png --out "$dest/report.md"
printf '\nmain job done in %d s: report %s\n' $((SECONDS - start)) "$dest/report.md"
