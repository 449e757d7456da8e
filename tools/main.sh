#!/usr/bin/env bash
# The main job: installs what is missing, builds vdk, and validates every
# operator on every backend against the reference oracle (vdk-validate).
# Arguments go to vdk-validate (default: --set small); see docs/validate.md.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build
[ $# -eq 0 ] && set -- --set small
exec build/tools/vdk-validate --json build/vdk-validate.json "$@"
