#!/usr/bin/env bash
# Issue 6's pipeline comparison (docs/pipelines.md, "Small configurations"):
# for every configuration of a set of tools/pipeline_configs.json, vdk-run and
# then its PyTorch peer (tools/peers/pipeline_peer.py) on the same seeded
# weights and inputs, one process at a time; the result sets go to
# results/<device>/ beside a report of them (pipelines-<set>.md).
#
#   tools/pipeline_peers.sh [SET [MODEL ...]]   # default: small, every model of the set
#
# PEER_PYTHON: a Python with torch and diffusers 0.27.2 (default
# $HOME/venv-diffusers/bin/python, which tools/setup-diffusers.sh makes; SVD
# needs diffusers, Lumiere only torch). BUILD: the build folder (default
# build); MALLOC: tuned (default) or default, below. Both sides use every
# core: run it on a quiet machine. Exits 1 when a peer's sample disagrees with
# vdk-run's (the result sets are still written).
set -euo pipefail
cd "$(dirname "$0")/.."
set_name=${1:-small}
[ $# -gt 0 ] && shift
build=${BUILD:-build}
py=${PEER_PYTHON:-$HOME/venv-diffusers/bin/python}
[ -x "$py" ] || py=python3
peer=tools/peers/pipeline_peer.py
# As tools/main.sh: sleeping OpenMP waits on small shared VMs, for both sides.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
# One allocator policy for both sides. The peer (as torch_peer.py) keeps every
# freed block in the heap (mallopt M_MMAP_MAX 0, M_TRIM_THRESHOLD -1); vdk-run
# gets the same through glibc's tunables. Without it, glibc gives each large
# activation back and the next operator faults it in again: seen on
# lumiere-b, 8.0 s a step instead of 6.4 s. MALLOC=default leaves both alone.
malloc=${MALLOC:-tuned}
if [ "$malloc" = tuned ]; then
  export GLIBC_TUNABLES=${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=1000000000000000
fi

models=("$@")
[ ${#models[@]} -gt 0 ] || read -r -a models <<<"$("$py" "$peer" --set "$set_name" --list)"
cmake --build "$build" --target vdk-run >/dev/null
work=$build/pipelines-$set_name
mkdir -p "$work"
status=0
files=()
for m in "${models[@]}"; do
  read -r -a args <<<"$("$py" "$peer" --set "$set_name" --vdk-run-args "$m")"
  vdk=$work/vdk-run-$m-$set_name.json
  torch=$work/torch-$m-$set_name.json
  printf '\n== %s (%s): vdk-run %s\n' "$m" "$set_name" "${args[*]}"
  "$build/tools/run/vdk-run" "$m" "${args[@]}" --out "$vdk"
  printf '\n== %s (%s): PyTorch (%s)\n' "$m" "$set_name" "$py"
  "$py" "$peer" --set "$set_name" --model "$m" --vdk "$vdk" --out "$torch" --malloc "$malloc" ||
    status=1
  files+=("$vdk" "$torch")
done

slug=$(python3 - "${files[0]}" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))["device"]
name = "%s-%dt" % (d.get("name") or d.get("model") or "device", d.get("threads") or 0)
print(re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))
PY
)
dest=results/$slug
mkdir -p "$dest"
kept=()
for f in "${files[@]}"; do
  cp "$f" "$dest/"
  kept+=("$dest/$(basename "$f")")
done
peak=()
[ -f "$dest/peak.json" ] && peak=(--peak "$dest/peak.json")
# Debian's python3 has matplotlib (python3-matplotlib), as in tools/main.sh.
report_py=/usr/bin/python3
[ -x "$report_py" ] || report_py=python3
"$report_py" tools/report/vdk_report.py "${kept[@]}" "${peak[@]}" --format png \
  --title "vdk pipelines ($set_name configurations) against PyTorch" --out "$dest/pipelines-$set_name.md"
printf '\npipeline comparison: %s\n' "$dest/pipelines-$set_name.md"
exit $status
