#!/usr/bin/env bash
# Runs tests/test_cpu_vec.c on the AVX-512 vocabulary (kernels/avx512/vec.h) on
# a processor without AVX-512: kernels/common/vec_probe.c is compiled with
# SIMDe's portable AVX-512 (simde_shim.h) in place of the compiler's, linked
# against a native build's library and test helper, and checked like a real
# tier. It checks the logic of vec.h (operand orders, masks, immediates,
# rounding), not the hardware or the compiler's code: on a machine with
# AVX-512, VDK_TEST_REQUIRE_ISA=avx512 build/tests/test_cpu_vec is the check.
#   tools/avx512-emulated/run.sh [BUILD_DIR]   (default: build-test, from tools/test.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/setup.sh --simde
build=${1:-build-test}
config=$build/generated/vdk_config.h
[ -f "$build/libvdk.a" ] && [ -f "$build/tests/libvdk_testlib.a" ] && [ -f "$config" ] ||
  { echo "avx512-emulated: no native build in $build (run tools/test.sh first)" >&2; exit 2; }
grep -q 'VDK_HAVE_AVX512 1' "$config" ||
  { echo "avx512-emulated: $build has no AVX-512 tier (VDK_AVX512)" >&2; exit 2; }
here=tools/avx512-emulated
out=$build/avx512-emulated
mkdir -p "$out"
cc=${CC:-gcc}
flags=(-std=c11 -O1 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wno-psabi
  -Iinclude -Isrc -Itests -I"$build/generated")
# SIMDe builds its 512-bit vectors on the host's AVX2, FMA (fused, as the real
# vfmadd) and F16C.
"$cc" "${flags[@]}" -mavx2 -mfma -mf16c -include "$here/simde_shim.h" -Ikernels/avx512 \
  -c kernels/common/vec_probe.c -o "$out/vec_probe.o"
"$cc" "${flags[@]}" -Dvt_cpu_tiers=vdk_emulated_tiers -c tests/test_cpu_vec.c -o "$out/test.o"
"$cc" "${flags[@]}" -c "$here/tiers.c" -o "$out/tiers.o"
# The probe object comes first, so the archive's own (real AVX-512) probe is
# not linked.
libs=(-lm)
if grep -q 'VDK_HAVE_OPENMP 1' "$config"; then libs+=(-fopenmp); fi
if grep -q 'VDK_HAVE_HWLOC 1' "$config"; then read -ra hw <<<"$(pkg-config --libs hwloc)"; libs+=("${hw[@]}"); fi
if grep -q 'VDK_HAVE_VULKAN 1' "$config"; then libs+=(-lvulkan); fi
"$cc" "$out/test.o" "$out/tiers.o" "$out/vec_probe.o" "$build/tests/libvdk_testlib.a" \
  "$build/libvdk.a" "${libs[@]}" -o "$out/test_cpu_vec"
"$out/test_cpu_vec"
