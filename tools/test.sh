#!/usr/bin/env bash
# The test command: installs what is missing, builds vdk, runs every ctest test.
#   CC=clang tools/test.sh                       another compiler
#   VDK_SANITIZE=address,undefined tools/test.sh  a Debug build under sanitizers
# Each configuration builds in its own folder (build-test[-compiler][-sanitizers]).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh

dir=build-test
[ -n "${CC:-}" ] && dir="$dir-$(basename "$CC")"
args=(-DCMAKE_BUILD_TYPE=Release)
if [ -n "${VDK_SANITIZE:-}" ]; then
  dir="$dir-${VDK_SANITIZE//,/-}"
  args=(-DCMAKE_BUILD_TYPE=Debug "-DVDK_SANITIZE=$VDK_SANITIZE")
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi

# ctest runs nproc tests at once, each with nproc OpenMP threads: libgomp's
# spinning waits then steal the cores the other tests need (the suite took
# 2.3x as long here). Sleeping waits change no result; the main job uses them too.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
cmake --build "$dir"
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
