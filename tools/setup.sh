#!/usr/bin/env bash
# Installs what vdk needs to build and test on Debian (bookworm), with apt-get.
# Does nothing when everything is already there, so the README's commands and
# CI can call it every time.
set -euo pipefail

packages=(
  cmake ninja-build pkg-config gcc g++ clang libomp-dev   # build, both compilers, OpenMP
  libhwloc-dev                                             # CPU topology
  libvulkan-dev glslang-tools spirv-tools                  # Vulkan headers, shader compiler, validator
  mesa-vulkan-drivers vulkan-validationlayers              # lavapipe and the Khronos layer
  libbenchmark-dev                                         # Google Benchmark
  libcjson-dev                                             # safetensors headers (pipelines)
  python3 python3-matplotlib                               # JSON checks in tests, report plots
)
# Debian's PyTorch is the peer the main job measures beside vdk (--peers, with
# OpenBLAS so its matmuls are not the 30-80x slower reference BLAS), and the
# source of the golden vectors (--golden).
# --neon: the AArch64 cross compiler (its libgomp for OpenMP), the target's C
# library, and QEMU user mode to run the NEON tier's tests on x86-64
# (tools/test-neon.sh). --simde: SIMDe's portable AVX-512, which
# tools/avx512-emulated/run.sh runs the AVX-512 vocabulary on.
for arg in "$@"; do
  case "$arg" in
    --peers) packages+=(python3-torch libopenblas0-openmp) ;;
    --golden) packages+=(python3-torch) ;;
    --neon) packages+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross libgomp1-arm64-cross qemu-user) ;;
    --simde) packages+=(libsimde-dev) ;;
    *) echo "vdk setup: unknown option $arg (expected --peers, --golden, --neon or --simde)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "vdk setup: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "vdk setup: need root or sudo to apt-get install ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
