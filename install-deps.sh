#!/usr/bin/env bash
# Installs what socialtwin needs from Debian 12 packages, and nothing when all is there.
# Usage: ./install-deps.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git
  libtbb-dev libeigen3-dev libyaml-cpp-dev libhdf5-dev libboost-graph-dev
  libcli11-dev libfmt-dev libspdlog-dev librandom123-dev
  python3 python3-numpy python3-pandas python3-scipy
  # The README's "Reading the output" (xarray with the h5netcdf engine, h5py): a user who ran
  # only quickstart.sh must be able to open the result the way the README shows.
  python3-xarray python3-h5netcdf python3-h5py
)
case "${1:-}" in
  --test)
    packages+=(libgtest-dev libgmock-dev libbenchmark-dev python3-pytest hdf5-tools) ;;
  "") ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} Debian packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "install-deps: not root and no sudo: run as root to install ${missing[*]}" >&2
    exit 1
  fi
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
