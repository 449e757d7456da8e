#!/usr/bin/env bash
# Creates the Python environment that tools/golden_svd.py runs in, on Debian
# (bookworm): Debian's PyTorch (python3-torch, 1.13 CPU) and NumPy, plus
# diffusers 0.27.2 from PyPI, in a venv that sees the system packages so that
# pip never fetches a second torch.
#
#   tools/setup-diffusers.sh [DIR]             # DIR: default $HOME/venv-diffusers
#   DIR/bin/python tools/golden_svd.py         # then regenerate tests/golden/svd_*
#
# Does nothing that is already done: the apt packages are installed only when
# missing, and an existing venv with diffusers 0.27.2 is kept.
set -euo pipefail

dir="${1:-$HOME/venv-diffusers}"

packages=(python3 python3-venv python3-pip python3-torch python3-numpy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-diffusers: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup-diffusers: need root or sudo to apt-get install ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! "$dir/bin/python" -c 'import diffusers, sys; sys.exit(diffusers.__version__ != "0.27.2")' 2>/dev/null; then
  /usr/bin/python3 -m venv --system-site-packages "$dir"
  # diffusers 0.27.2 imports cached_download, which huggingface_hub dropped in 0.26.
  "$dir/bin/pip" install -q "diffusers==0.27.2" "huggingface_hub<0.26" safetensors
fi
"$dir/bin/python" -c 'import diffusers, torch, numpy
print("setup-diffusers: diffusers", diffusers.__version__, "torch", torch.__version__, "numpy", numpy.__version__)'
