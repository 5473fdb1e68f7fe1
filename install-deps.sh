#!/usr/bin/env bash
# Installs what socialtwin needs from Debian 12 packages, and nothing when all is there.
# Usage: ./install-deps.sh [--test] [--fuzz] [--ci] [--list]   (--test adds what the test suite
#        needs; --fuzz what the libFuzzer targets need (tests/fuzz/run.sh); --ci what .ci/run adds
#        to save time; --list prints the packages instead of installing them)
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git
  libtbb-dev libyaml-cpp-dev libhdf5-dev libdeflate-dev libboost-graph-dev
  libcli11-dev libfmt-dev libspdlog-dev librandom123-dev
  python3 python3-numpy python3-pandas python3-scipy
  # The README's "Reading the output" (xarray with the h5netcdf engine, h5py): a user who ran
  # only quickstart.sh must be able to open the result the way the README shows.
  python3-xarray python3-h5netcdf python3-h5py
  # `socialtwin export -o x.xlsx` (docs/export.md): the planners quickstart serves open results
  # in Excel. Optional in the build (without it export writes CSV only and says what to install).
  libxlsxwriter-dev
)
test=no fuzz=no ci=no list=no
for arg in "$@"; do
  case "$arg" in
    --test) test=yes ;;
    --fuzz) fuzz=yes ;;
    --ci) ci=yes ;;
    --list) list=yes ;;
    *) echo "usage: $0 [--test] [--fuzz] [--ci] [--list]" >&2; exit 2 ;;
  esac
done
if [[ $test == yes ]]; then
  packages+=(libgtest-dev libgmock-dev libbenchmark-dev python3-pytest hdf5-tools)
  # tools/cf_check.py parses units with UDUNITS-2 (libudunits2-0 and its XML database).
  packages+=(udunits-bin)
  # The Python package (bindings/, docs/python.md) and its example session's plot.
  packages+=(pybind11-dev python3-dev python3-matplotlib)
  # The MPI driver of `sweep run` and its test (docs/sweeps.md, "MPI").
  packages+=(openmpi-bin libopenmpi-dev)
  # `socialtwin report --pdf` and its browser test (docs/report.md): headless Chromium,
  # chromedriver and Selenium. Optional: the HTML report needs no browser.
  packages+=(chromium chromium-driver python3-selenium)
  # tests/integration/test_export.py opens the exported workbooks.
  packages+=(python3-openpyxl)
  # tests/integration/test_processor.py runs the build on emulated processors without and with
  # AVX2 (QEMU's user-mode emulation).
  packages+=(qemu-user)
fi
if [[ $fuzz == yes ]]; then
  # libFuzzer and the sanitizers' runtime come with Debian's clang, not with g++.
  packages+=(clang-14 libclang-rt-14-dev)
fi
if [[ $ci == yes ]]; then
  # CI's quickstart guard compiles the sources test.sh compiled, with the same flags: ccache
  # hands it those objects instead of compiling them a second time (.ci/run).
  packages+=(ccache)
fi
if [[ $list == yes ]]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

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
