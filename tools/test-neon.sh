#!/usr/bin/env bash
# The NEON tier's tests on an x86-64 machine: installs the AArch64 cross
# compiler and QEMU (tools/setup.sh --neon), cross-builds vdk and its tests
# (Release; no Vulkan, benchmarks, hwloc or cJSON, which have no AArch64
# libraries here; OpenMP from the cross compiler's libgomp), and runs ctest,
# which starts every test program under qemu-aarch64
# (cmake/toolchain-aarch64.cmake).
# VDK_TEST_REQUIRE_ISA=neon makes a NEON tier that is missing or not detected a
# failure rather than a SKIP. The operator tests compare the NEON tier only
# (VDK_TEST_ISA=neon; set VDK_TEST_ISA=scalar,neon for both): emulation runs
# them about 15 times slower, and the native steps cover the scalar tier.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --neon

dir=build-neon
cmake -S . -B "$dir" -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake \
  -DCMAKE_BUILD_TYPE=Release -DVDK_VULKAN=OFF -DVDK_BENCH=OFF -DVDK_HWLOC=OFF -DVDK_CJSON=OFF \
  -DVDK_NEON_ENFORCE=ON -DVDK_OPENMP_ENFORCE=ON >/dev/null
cmake --build "$dir"
# Sleeping OpenMP waits, as tools/test.sh says why.
OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} VDK_TEST_ISA=${VDK_TEST_ISA-neon} VDK_TEST_REQUIRE_ISA=neon ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
